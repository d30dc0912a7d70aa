//! Running an action against Okta: [`execute`] sends the request of a [`ValidInput`] through the
//! client's generic transport (so pacing, retries and authentication apply) and builds the
//! action's output from Okta's answer.

use serde_json::Value;
use spindle_okta::{Client, Method};

use crate::actions::ValidInput;
use crate::catalog::{self, HttpMethod, Server};
use crate::hris::{TerminationPlan, TerminationStep};
use crate::request::{OktaRequest, encode_segment};
use crate::response::{OktaResponse, OutputError};

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
    /// Okta's answer could not become the action's output.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The action needs an API the client cannot reach (the Aerial host).
    #[error("{0}")]
    Unsupported(String),
}

impl ExecuteError {
    fn from_okta(error: spindle_okta::Error) -> Self {
        if error.status().is_some() {
            Self::Okta(error)
        } else if matches!(error, spindle_okta::Error::Decode { .. }) {
            Self::Output(OutputError::Shape(error.to_string()))
        } else {
            Self::Transport(error)
        }
    }

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

fn method(method: HttpMethod) -> Method {
    match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
    }
}

/// The `after` query parameter of a next-page URL.
fn after_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == "after")
        .map(|(_, v)| v.into_owned())
}

async fn send(
    client: &Client,
    aerial: Option<&Client>,
    template: &'static str,
    request: OktaRequest,
) -> Result<OktaResponse, ExecuteError> {
    let client = if request.server == Server::Aerial {
        aerial.ok_or_else(|| {
            ExecuteError::Unsupported(
                "Aerial actions need a client for the Aerial host \
                 (https://aerial-{region}.okta.com, e.g. `spindle run --aerial-url`)"
                    .to_owned(),
            )
        })?
    } else {
        client
    };
    let mut http = client.request(method(request.method), template, request.path);
    for (name, value) in &request.query {
        http = http.query(name, value);
    }
    if request.server == Server::MyAccount {
        http = http.header("Accept", spindle_okta::myaccount::ACCEPT);
    }
    if let Some(body) = &request.body {
        http = http.json(body).map_err(ExecuteError::from_okta)?;
    }
    let response = client.send(http).await.map_err(ExecuteError::from_okta)?;
    let next =
        spindle_okta::page::next_link(response.header_values("link")).and_then(|u| after_of(&u));
    let body = if response.body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        response.json::<Value>().map_err(ExecuteError::from_okta)?
    };
    Ok(OktaResponse {
        body,
        next,
        status_before: None,
    })
}

/// The user's status, `None` when the user does not exist.
async fn user_status(client: &Client, id: &str) -> Result<Option<String>, ExecuteError> {
    let request = client.request(
        Method::GET,
        "/api/v1/users/{id}",
        format!("/api/v1/users/{}", encode_segment(id)),
    );
    match client.send(request).await {
        Ok(response) => {
            let user = response.json::<Value>().map_err(ExecuteError::from_okta)?;
            Ok(user
                .get("status")
                .and_then(Value::as_str)
                .map(str::to_owned))
        }
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(ExecuteError::from_okta(e)),
    }
}

/// Runs the action `input` against the org of `client` and returns its output.
///
/// - Every action but `terminate_employee` is one Okta call ([`ValidInput::okta_request`]);
///   `delete_a_user` reads the user's status first so its output tells a deactivation from a
///   deletion.
/// - `terminate_employee` reads the user and follows a [`TerminationPlan`]; it is idempotent
///   (an already deactivated or deleted employee gives a clear outcome, not an error).
///
/// # Errors
///
/// [`ExecuteError::Okta`] when Okta answers with an error, [`ExecuteError::Transport`] when it
/// cannot be reached, [`ExecuteError::Output`] when its answer has an unexpected shape,
/// [`ExecuteError::Unsupported`] for Aerial actions (see [`execute_with_aerial`]).
pub async fn execute(client: &Client, input: ValidInput) -> Result<Value, ExecuteError> {
    execute_with_aerial(client, None, input).await
}

/// As [`execute`], with `aerial` for the Aerial actions: a client whose org URL is the Aerial
/// base URL (e.g. `https://aerial-apac.okta.com`; the action's path `/{accountId}/api/v1/...` is
/// appended to it) and whose credentials the Aerial host accepts.
///
/// # Errors
///
/// As [`execute`]; [`ExecuteError::Unsupported`] for an Aerial action when `aerial` is `None`.
pub async fn execute_with_aerial(
    client: &Client,
    aerial: Option<&Client>,
    input: ValidInput,
) -> Result<Value, ExecuteError> {
    let spec = catalog::get(input.action_id()).ok_or_else(|| {
        ExecuteError::Unsupported(format!("unknown action `{}`", input.action_id()))
    })?;
    if let ValidInput::TerminateEmployee(t) = &input {
        return terminate(client, &t.employee_id, t.options()).await;
    }
    let request = input
        .okta_request()
        .ok_or_else(|| ExecuteError::Unsupported(format!("`{}` has no Okta request", spec.id)))?;
    let status_before = match &input {
        ValidInput::DeleteUser(d) => user_status(client, &d.id).await?,
        _ => None,
    };
    let mut response = send(client, aerial, spec.path, request).await?;
    response.status_before = status_before;
    Ok(input.output(response)?)
}

async fn terminate(
    client: &Client,
    employee_id: &str,
    options: crate::hris::TerminationOptions,
) -> Result<Value, ExecuteError> {
    let first_status = user_status(client, employee_id).await?;
    let mut status = first_status.clone();
    let mut done = Vec::new();
    // A concurrent change (another termination, an admin) can move the user between our read
    // and our calls: Okta then refuses a step (403 E0000038 on a deactivated user, 404 on a
    // deleted one). The user is re-read and the plan rebuilt from the new status, a few times
    // at most, so that terminating twice at once never fails.
    'rounds: for round in 0..3 {
        let plan = TerminationPlan::new(status.as_deref(), options);
        for step in &plan.steps {
            match client.send(step_request(client, employee_id, step)).await {
                Ok(_) => done.push(*step),
                Err(e) if matches!(e.status(), Some(400 | 403 | 404)) && round < 2 => {
                    let now = user_status(client, employee_id).await?;
                    if now == status {
                        return Err(ExecuteError::from_okta(e));
                    }
                    status = now;
                    continue 'rounds;
                }
                Err(e) => return Err(ExecuteError::from_okta(e)),
            }
        }
        break;
    }
    // The output says what this call did, against the status it first saw.
    let did = TerminationPlan {
        steps: done,
        previous_status: first_status,
    };
    serde_json::to_value(did.outcome(employee_id))
        .map_err(|e| ExecuteError::Output(OutputError::Shape(e.to_string())))
}

fn step_request(
    client: &Client,
    employee_id: &str,
    step: &TerminationStep,
) -> spindle_okta::Request {
    let user = encode_segment(employee_id);
    match step {
        TerminationStep::RevokeSessions { oauth_tokens } => client
            .request(
                Method::DELETE,
                "/api/v1/users/{id}/sessions",
                format!("/api/v1/users/{user}/sessions"),
            )
            .query("oauthTokens", oauth_tokens),
        TerminationStep::Deactivate { send_email } => client
            .request(
                Method::POST,
                "/api/v1/users/{id}/lifecycle/deactivate",
                format!("/api/v1/users/{user}/lifecycle/deactivate"),
            )
            .query("sendEmail", send_email),
        TerminationStep::Delete => client.request(
            Method::DELETE,
            "/api/v1/users/{id}",
            format!("/api/v1/users/{user}"),
        ),
    }
}
