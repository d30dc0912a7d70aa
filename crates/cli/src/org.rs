//! Which Okta org a command acts on: `--org-url`/`--token`, the Okta SDKs' `OKTA_CLIENT_*`
//! settings, or a stored `--connection`; and the Aerial host. Shared by `spindle run` and
//! `spindle mcp`, so both take their org the same way.

use clap::Args;
use spindle_actions::catalog;

use crate::CliError;
use crate::store_args::{OrgPolicyArgs, StoreArgs};

/// The org options of `spindle run` and `spindle mcp`. The store options that `--connection`
/// needs are flattened by each command after its own options.
#[derive(Debug, Args)]
pub struct OrgArgs {
    /// The Okta org URL, e.g. `https://example.okta.com`.
    #[arg(long, env = "OKTA_CLIENT_ORGURL", hide_env_values = true)]
    org_url: Option<String>,
    /// An Okta API token (SSWS). Without it, the connection is configured like the Okta SDKs:
    /// `OKTA_CLIENT_*` variables (including OAuth private-key mode) and okta.yaml files.
    #[arg(long, env = "OKTA_CLIENT_TOKEN", hide_env_values = true, value_parser = Token::parse)]
    token: Option<Token>,
    /// A connection of the gateway's store (see `spindle connections`), by name or id; it takes
    /// precedence over --org-url, --token, the `OKTA_CLIENT_*` variables and, for the Aerial
    /// actions, over --aerial-url and --aerial-token.
    #[arg(long)]
    connection: Option<String>,
    /// The Okta Aerial base URL for the Aerial actions, e.g. `https://aerial-apac.okta.com`.
    #[arg(long, env = "OKTA_AERIAL_URL", hide_env_values = true)]
    aerial_url: Option<String>,
    /// An access token the Aerial host accepts (from the Aerial org, with
    /// `okta.accounts.read`/`manage`), sent as `Bearer`.
    #[arg(long, env = "OKTA_AERIAL_TOKEN", hide_env_values = true, value_parser = Token::parse)]
    aerial_token: Option<Token>,
}

impl OrgArgs {
    /// Whether an Okta org is named directly (--org-url or --token, or their variables).
    pub fn names_an_org(&self) -> bool {
        self.org_url.is_some() || self.token.is_some()
    }

    /// The connection given with --connection.
    pub fn connection(&self) -> Option<&str> {
        self.connection.as_deref()
    }
}

/// An API token: its `Debug` never shows it.
#[derive(Clone)]
struct Token(String);

impl Token {
    fn parse(value: &str) -> Result<Token, String> {
        Ok(Token(value.to_owned()))
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token([redacted])")
    }
}

impl OrgArgs {
    /// The clients `action` runs with (the org's, and the Aerial host's for an Aerial action):
    /// the stored connection's, else from the options and the environment.
    pub async fn action_clients(
        &self,
        action: &catalog::ActionSpec,
        store: &StoreArgs,
        policy: &OrgPolicyArgs,
    ) -> Result<spindle_actions::Clients, CliError> {
        let aerial_action = action.server == catalog::Server::Aerial;
        let Some(name) = &self.connection else {
            // An Aerial action talks only to the Aerial host: no org connection is needed.
            return if aerial_action {
                Ok(spindle_actions::Clients::aerial_only(self.aerial_client()?))
            } else {
                Ok(spindle_actions::Clients::new(self.client()?))
            };
        };
        let clients = crate::connections::clients(name, store, policy).await?;
        if !aerial_action {
            return Ok(spindle_actions::Clients::new(clients.org));
        }
        let aerial = clients
            .aerial
            .map_err(|e| crate::connections::unusable(name, &e))?
            .ok_or_else(|| {
                CliError::Connection(format!(
                    "`{}` calls the Okta Aerial API and connection `{name}` has no Aerial URL and \
                     token (add it again with --aerial-url, --aerial-account-id and \
                     --aerial-token-env)",
                    action.id
                ))
            })?;
        Ok(spindle_actions::Clients::aerial_only(aerial))
    }

    /// The clients of every Okta API the options reach, for a session that may run any action
    /// (`spindle mcp`): the org's (required) and the Aerial host's when it is configured. The
    /// second value names the org for people (its URL or the connection's name).
    pub async fn session_clients(
        &self,
        store: &StoreArgs,
        policy: &OrgPolicyArgs,
    ) -> Result<(spindle_actions::Clients, String), CliError> {
        let Some(name) = &self.connection else {
            let org = self.client()?;
            let target = org.org_url().to_string();
            let mut clients = spindle_actions::Clients::new(org);
            if self.aerial_url.is_some() && self.aerial_token.is_some() {
                clients = clients.aerial(self.aerial_client()?);
            }
            return Ok((clients, target));
        };
        let clients = crate::connections::clients(name, store, policy).await?;
        let target = format!("connection `{name}` ({})", clients.connection.org_url);
        let mut okta = spindle_actions::Clients::new(clients.org);
        if let Ok(Some(aerial)) = clients.aerial {
            okta = okta.aerial(aerial);
        }
        Ok((okta, target))
    }

    fn client(&self) -> Result<spindle_okta::Client, CliError> {
        let config = match (&self.token, &self.org_url) {
            (Some(token), Some(org_url)) => {
                spindle_okta::Config::with_api_token(org_url, token.0.clone())
            }
            (Some(_), None) => {
                return Err(CliError::BadInput(
                    "--token needs --org-url (or OKTA_CLIENT_ORGURL)".to_owned(),
                ));
            }
            (None, org_url) => spindle_okta::Config::from_sdk_sources().and_then(|mut config| {
                if let Some(org_url) = org_url {
                    config.org_url = url_of(org_url)?;
                }
                Ok(config)
            }),
        };
        config.and_then(spindle_okta::Client::new).map_err(|e| {
            CliError::Connection(format!(
                "{e}. Pass --org-url and --token, set OKTA_CLIENT_ORGURL and OKTA_CLIENT_TOKEN (or \
                 the SDKs' OAuth variables), or use --connection NAME (see `spindle connections \
                 add --help`)"
            ))
        })
    }

    /// The client for the Aerial host, from --aerial-url and --aerial-token.
    fn aerial_client(&self) -> Result<spindle_okta::Client, CliError> {
        let (Some(url), Some(token)) = (&self.aerial_url, &self.aerial_token) else {
            return Err(CliError::Connection(
                "Aerial actions need --aerial-url and --aerial-token \
                 (or OKTA_AERIAL_URL and OKTA_AERIAL_TOKEN)"
                    .to_owned(),
            ));
        };
        let credentials = spindle_okta::Credentials::AccessToken(token.0.clone().into());
        spindle_okta::Config::new(url, credentials)
            .and_then(spindle_okta::Client::new)
            .map_err(|e| CliError::Connection(e.to_string()))
    }
}

fn url_of(org_url: &str) -> spindle_okta::Result<url::Url> {
    url::Url::parse(org_url)
        .map_err(|e| spindle_okta::Error::Config(format!("orgUrl `{org_url}`: {e}")))
}
