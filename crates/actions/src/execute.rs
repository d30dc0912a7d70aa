//! Running an action: [`Clients`] holds the client of each Okta API a caller can reach,
//! [`execute`] runs one validated input with the client its action needs, and [`pages`] follows a
//! list to its end. The CLI, the gateway and every later surface run actions through these, so the
//! choice of client and the paging are made here once.

use std::collections::HashSet;

use futures::TryStreamExt;
use futures::stream::{self, Stream};
use serde_json::Value;
use spindle_okta::Client;

use crate::actions::common::NonEmpty;
use crate::catalog::Server;
use crate::output::Output;
use crate::registry::ValidInput;

/// Why an action could not be run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecuteError {
    /// Okta answered with an error (an Okta error document or another non-success status).
    #[error(transparent)]
    Okta(spindle_okta::Error),
    /// The request could not be sent or its answer not read (connection refused, timeout,
    /// deadline or retry budget spent without an answer), or the client is misconfigured.
    #[error(transparent)]
    Transport(spindle_okta::Error),
    /// The input could not become the client's request (both are Okta's JSON shape, so this
    /// points at a bug, not at the caller's input).
    #[error("the input cannot become Okta's request: {0}")]
    Request(String),
    /// Okta's answer could not become the action's output.
    #[error("Okta's response does not have the expected shape: {0}")]
    Output(String),
    /// The action needs an Okta API no client was given for (the Aerial host, or the org).
    #[error("{0}")]
    Unsupported(String),
}

impl From<spindle_okta::Error> for ExecuteError {
    fn from(error: spindle_okta::Error) -> Self {
        if error.status().is_some() {
            Self::Okta(error)
        } else if matches!(error, spindle_okta::Error::Decode { .. }) {
            Self::Output(error.to_string())
        } else {
            Self::Transport(error)
        }
    }
}

impl ExecuteError {
    /// Whether Okta answered with an error status.
    pub fn is_okta_error(&self) -> bool {
        matches!(self, Self::Okta(_))
    }

    /// Whether the request could not be sent or its answer not read.
    pub fn is_transport_error(&self) -> bool {
        matches!(self, Self::Transport(_))
    }

    /// The Okta error, when Okta answered with one.
    pub fn okta_error(&self) -> Option<&spindle_okta::Error> {
        match self {
            Self::Okta(e) => Some(e),
            _ => None,
        }
    }
}

/// The clients of the Okta APIs a caller can reach, one per [`Server`]. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Clients {
    management: Option<Client>,
    aerial: Option<Client>,
    my_account: Option<Client>,
}

impl Clients {
    /// Clients for an org: `org` serves the Management API, and the MyAccount API unless
    /// [`my_account`](Self::my_account) gives another client.
    pub fn new(org: Client) -> Self {
        Self {
            management: Some(org),
            ..Self::default()
        }
    }

    /// Only the Okta Aerial host: `aerial` is a client whose org URL is the Aerial base URL
    /// (e.g. `https://aerial-apac.okta.com`) and whose credentials the Aerial host accepts.
    pub fn aerial_only(aerial: Client) -> Self {
        Self {
            aerial: Some(aerial),
            ..Self::default()
        }
    }

    /// Adds the client of the Okta Aerial host (see [`aerial_only`](Self::aerial_only)).
    #[must_use]
    pub fn aerial(mut self, aerial: Client) -> Self {
        self.aerial = Some(aerial);
        self
    }

    /// Adds a client for the MyAccount API acting as a signed-in user (with the user's access
    /// token); without it the org's client is used.
    #[must_use]
    pub fn my_account(mut self, user: Client) -> Self {
        self.my_account = Some(user);
        self
    }

    /// The client of `server`.
    ///
    /// # Errors
    ///
    /// [`ExecuteError::Unsupported`] when no client for `server` was given.
    pub fn for_server(&self, server: Server) -> Result<&Client, ExecuteError> {
        let client = match server {
            Server::Management => self.management.as_ref(),
            Server::MyAccount => self.my_account.as_ref().or(self.management.as_ref()),
            Server::Aerial => self.aerial.as_ref(),
        };
        client.ok_or_else(|| {
            ExecuteError::Unsupported(match server {
                Server::Aerial => "Aerial actions need a client for the Aerial host \
                                   (https://aerial-{region}.okta.com, e.g. `spindle run --aerial-url`)"
                    .to_owned(),
                Server::Management | Server::MyAccount => {
                    "this action needs a client for the Okta org".to_owned()
                }
            })
        })
    }
}

/// Runs the action `input` with the client of its Okta API and returns its output.
///
/// # Errors
///
/// [`ExecuteError::Okta`] when Okta answers with an error, [`ExecuteError::Transport`] when it
/// cannot be reached, [`ExecuteError::Output`] when its answer has an unexpected shape,
/// [`ExecuteError::Unsupported`] when `clients` has no client for the action's API.
pub async fn execute(clients: &Clients, input: ValidInput) -> Result<Value, ExecuteError> {
    Ok(execute_output(clients, input).await?.to_value())
}

/// Runs the action `input` as [`execute`] does, and returns its output as JSON text: what a
/// surface that passes the output on (the CLI, the gateway) uses, with no JSON value tree built.
///
/// # Errors
///
/// As [`execute`].
pub async fn execute_output(clients: &Clients, input: ValidInput) -> Result<Output, ExecuteError> {
    let client = clients.for_server(input.spec().server)?;
    input.run(client).await
}

/// Runs the action `input` and, for a list, every following page: one output per page, in
/// order, until a page has no `next`. For an action that is not a list, the one output. A `next`
/// cursor that was already followed ends the pages with [`ExecuteError::Output`] rather than
/// looping forever.
pub fn pages(
    clients: &Clients,
    input: ValidInput,
) -> impl Stream<Item = Result<Value, ExecuteError>> + Send + 'static {
    output_pages(clients, input).map_ok(|output| output.to_value())
}

/// [`pages`], each page as JSON text ([`Output`]): the input is checked once, before the first
/// page; each following page only moves its cursor.
pub fn output_pages(
    clients: &Clients,
    input: ValidInput,
) -> impl Stream<Item = Result<Output, ExecuteError>> + Send + 'static {
    struct State {
        clients: Clients,
        input: Option<ValidInput>,
        seen: HashSet<String>,
    }
    let state = State {
        clients: clients.clone(),
        input: Some(input),
        seen: HashSet::new(),
    };
    stream::try_unfold(state, |mut state| async move {
        let Some(input) = state.input.take() else {
            return Ok(None);
        };
        let mut following = input.clone();
        let output = execute_output(&state.clients, input).await?;
        if let Some(next) = output.next().and_then(NonEmpty::new) {
            if !state.seen.insert(next.to_string()) {
                return Err(ExecuteError::Output(format!(
                    "the list's next cursor `{next}` was already followed"
                )));
            }
            if following.set_cursor(next) {
                state.input = Some(following);
            }
        }
        Ok(Some((output, state)))
    })
}
