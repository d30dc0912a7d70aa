//! `spindle run`: validate an input, run the action against an Okta org and print its output.

use std::io::{self, IsTerminal, Read};

use clap::Args;
use futures::StreamExt;
use serde_json::Value;
use spindle_actions::{ExecuteError, catalog};

use crate::store_args::{OrgPolicyArgs, StoreArgs};
use crate::{CliError, output};

/// Options of `spindle run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The action's id, as `spindle actions list` shows it.
    id: String,
    /// The input: a JSON object, `@file.json` to read it from a file, or `-` to read it from
    /// standard input.
    #[arg(long, default_value = "{}")]
    input: String,
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
    /// For a list: follow every page (`next`) and print all the items.
    #[arg(long)]
    all: bool,
    /// For a list: print one JSON object per line, page by page as they arrive.
    #[arg(long)]
    jsonl: bool,
    #[command(flatten, next_help_heading = "With --connection")]
    store: StoreArgs,
    #[command(flatten, next_help_heading = "With --connection")]
    policy: OrgPolicyArgs,
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

fn read_input(input: &str) -> Result<Value, CliError> {
    let text = if input == "-" {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::BadInput(format!("cannot read the input: {e}")))?;
        text
    } else if let Some(path) = input.strip_prefix('@') {
        std::fs::read_to_string(path)
            .map_err(|e| CliError::BadInput(format!("cannot read the input file `{path}`: {e}")))?
    } else {
        input.to_owned()
    };
    serde_json::from_str(&text)
        .map_err(|e| CliError::BadInput(format!("the input is not JSON: {e}")))
}

/// The clients `action` runs with (the org's, and the Aerial host's for an Aerial action): the
/// stored connection's, else from the options and the environment.
async fn clients(
    args: &RunArgs,
    action: &catalog::ActionSpec,
) -> Result<spindle_actions::Clients, CliError> {
    let aerial_action = action.server == catalog::Server::Aerial;
    let Some(name) = &args.connection else {
        // An Aerial action talks only to the Aerial host: no org connection is needed.
        return if aerial_action {
            Ok(spindle_actions::Clients::aerial_only(aerial_client(args)?))
        } else {
            Ok(spindle_actions::Clients::new(client(args)?))
        };
    };
    let clients = crate::connections::clients(name, &args.store, &args.policy).await?;
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

fn client(args: &RunArgs) -> Result<spindle_okta::Client, CliError> {
    let config = match (&args.token, &args.org_url) {
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
            "{e}. Pass --org-url and --token, set OKTA_CLIENT_ORGURL and OKTA_CLIENT_TOKEN (or the \
             SDKs' OAuth variables), or use --connection NAME (see `spindle connections add --help`)"
        ))
    })
}

/// The client for the Aerial host, from --aerial-url and --aerial-token.
fn aerial_client(args: &RunArgs) -> Result<spindle_okta::Client, CliError> {
    let (Some(url), Some(token)) = (&args.aerial_url, &args.aerial_token) else {
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

fn url_of(org_url: &str) -> spindle_okta::Result<url::Url> {
    url::Url::parse(org_url)
        .map_err(|e| spindle_okta::Error::Config(format!("orgUrl `{org_url}`: {e}")))
}

/// Runs `spindle run`.
pub fn run(args: RunArgs) -> Result<(), CliError> {
    let Some(action) = catalog::get(&args.id) else {
        return Err(crate::actions::unknown_action(&args.id));
    };
    let input = read_input(&args.input)?;
    // Validate before anything else: a bad input never reaches Okta.
    let valid = spindle_actions::validate_input(action.id, &input)
        .map_err(|err| CliError::BadInput(err.to_string()))?;
    let runtime = crate::runtime()?;
    let clients = runtime.block_on(clients(&args, action))?;
    // With --all on a terminal, a spinner on stderr counts pages and items; never in a pipe, so
    // scripts and logs only see the output.
    let progress = if args.all && io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let result = runtime.block_on(async {
        let outputs = if args.all {
            spindle_actions::pages(&clients, valid).boxed()
        } else {
            futures::stream::once(spindle_actions::execute(&clients, valid)).boxed()
        };
        futures::pin_mut!(outputs);
        let mut all_items = Vec::new();
        let (mut pages, mut count) = (0u64, 0usize);
        while let Some(output) = outputs.next().await {
            let output = output.map_err(CliError::from)?;
            let items = output.get("items").and_then(Value::as_array);
            pages += 1;
            count += items.map_or(0, Vec::len);
            progress.set_message(format!("{pages} pages, {count} items"));
            match items {
                Some(items) if args.jsonl => output::with_stdout(|out| {
                    for item in items {
                        serde_json::to_writer(&mut *out, item)?;
                        writeln!(out)?;
                    }
                    Ok(())
                })?,
                Some(items) if args.all => all_items.extend(items.iter().cloned()),
                _ if args.jsonl => output::with_stdout(|out| {
                    serde_json::to_writer(&mut *out, &output)?;
                    writeln!(out)
                })?,
                _ => output::with_stdout(|out| output::json(out, &output))?,
            }
        }
        if args.all && !args.jsonl {
            output::with_stdout(|out| {
                output::json(out, &serde_json::json!({ "items": all_items }))
            })?;
        }
        Ok(())
    });
    progress.finish_and_clear();
    result
}

/// The stderr report of an Okta error: status, errorCode, summary, causes and request id.
pub fn describe_okta_error(error: &spindle_okta::Error) -> String {
    let mut text = String::from("Okta answered with an error");
    if let Some(status) = error.status() {
        text.push_str(&format!("\n  status: {status}"));
    }
    match error {
        spindle_okta::Error::Api { error: body, .. } => {
            text.push_str(&format!("\n  errorCode: {}", body.error_code));
            text.push_str(&format!("\n  errorSummary: {}", body.error_summary));
            for cause in &body.error_causes {
                text.push_str(&format!("\n  cause: {}", cause.error_summary));
            }
        }
        spindle_okta::Error::RetriesExhausted { last, .. } => {
            return format!("{error}\n{}", describe_okta_error(last));
        }
        other => text.push_str(&format!("\n  detail: {other}")),
    }
    if let Some(id) = error.request_id() {
        text.push_str(&format!("\n  requestId: {id}"));
    }
    text
}

impl From<ExecuteError> for CliError {
    fn from(error: ExecuteError) -> Self {
        if let Some(okta) = error.okta_error() {
            CliError::Okta(describe_okta_error(okta))
        } else if error.is_transport_error() {
            CliError::Transport(spindle_okta::with_causes(&error))
        } else {
            CliError::Execute(error.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let cli = crate::Cli::try_parse_from([
            "spindle",
            "run",
            "get_retrieve_a_user",
            "--org-url",
            "http://127.0.0.1:1",
            "--token",
            "00secret-token-value",
        ])
        .expect("parses");
        let debug = format!("{cli:?}");
        assert!(!debug.contains("00secret-token-value"), "{debug}");
        assert!(debug.contains("redacted"), "{debug}");
    }
}
