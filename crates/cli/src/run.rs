//! `spindle run`: validate an input, run the action against an Okta org and print its output.

use std::io::{self, IsTerminal, Read};

use clap::Args;
use futures::StreamExt;
use reqwest::Method;
use serde_json::Value;
use spindle_actions::actions::common::NonEmpty;
use spindle_actions::{ExecuteError, Output, ValidInput, catalog};

use crate::gateway::{Gateway, GatewayArgs, segment};
use crate::org::OrgArgs;
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
    #[command(flatten)]
    org: OrgArgs,
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
    /// Through a running gateway: with a gateway URL (`--gateway` or `SPINDLE_URL`) and neither
    /// --org-url nor --token (nor `OKTA_CLIENT_ORGURL`/`OKTA_CLIENT_TOKEN`), the action runs on
    /// the gateway's connection named by --connection, and its answer is printed as above.
    #[command(flatten, next_help_heading = "Through a running gateway")]
    gateway: GatewayArgs,
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

/// Whether the action answers in pages (its output has a `next` cursor).
pub(crate) fn has_pages(action: &spindle_actions::ActionSpec) -> bool {
    action.output_schema()["properties"].get("next").is_some()
}

/// Runs `spindle run`.
pub fn run(args: RunArgs) -> Result<(), CliError> {
    let Some(action) = catalog::get(&args.id) else {
        return Err(crate::actions::unknown_action(&args.id));
    };
    if args.all && !has_pages(action) {
        return Err(CliError::BadInput(format!(
            "--all follows the pages of a list, and `{}` answers in one piece (it has no pages); \
             leave --all out",
            action.id
        )));
    }
    let input = read_input(&args.input)?;
    // Validate before anything else: a bad input never reaches Okta.
    let valid = spindle_actions::validate_input(action.id, &input)
        .map_err(|err| CliError::BadInput(err.to_string()))?;
    if args.gateway.gateway.is_some() && !args.org.names_an_org() {
        return run_through_gateway(&args, valid);
    }
    let runtime = crate::runtime()?;
    let clients = runtime.block_on(args.org.action_clients(action, &args.store, &args.policy))?;
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
            spindle_actions::output_pages(&clients, valid).boxed()
        } else {
            futures::stream::once(spindle_actions::execute_output(&clients, valid)).boxed()
        };
        futures::pin_mut!(outputs);
        // One buffered writer for the whole run, flushed after each page so that a consumer sees
        // the items as their pages arrive.
        let mut out = output::Stdout::new();
        let mut all_items = Vec::new();
        let (mut pages, mut count) = (0u64, 0usize);
        while let Some(output) = outputs.next().await {
            let output = output.map_err(CliError::from)?;
            pages += 1;
            count += output.items().map_or(0, <[_]>::len);
            progress.set_message(format!("{pages} pages, {count} items"));
            match output.items() {
                Some(items) if args.jsonl => out.write(|out| {
                    for item in items {
                        output::json_line(out, item)?;
                    }
                    Ok(())
                })?,
                Some(items) if args.all => all_items.extend(items.iter().cloned()),
                _ => match &output {
                    Output::One(json) if args.jsonl => {
                        out.write(|out| output::json_line(out, json))?
                    }
                    _ => out.write(|out| output::json(out, &output.to_value()))?,
                },
            }
        }
        if args.all && !args.jsonl {
            let items: Vec<Value> = all_items
                .iter()
                .map(|item| serde_json::from_str(item.get()).unwrap_or(Value::Null))
                .collect();
            out.write(|out| output::json(out, &serde_json::json!({ "items": items })))?;
        }
        Ok(())
    });
    progress.finish_and_clear();
    result
}

/// `spindle run` through a running gateway: the input, checked here first, is sent to
/// `POST /v1/connections/{connection}/actions/{id}`; with --all each next page is asked for with
/// the previous page's `next`. The output is printed as a local run prints it.
fn run_through_gateway(args: &RunArgs, mut valid: ValidInput) -> Result<(), CliError> {
    let gateway = Gateway::new(&args.gateway)?;
    let Some(connection) = args.org.connection() else {
        return Err(CliError::BadInput(
            "--connection: name the gateway's connection to run the action on (see `spindle \
             connections list --gateway URL`)"
                .into(),
        ));
    };
    eprintln!(
        "running `{}` through the gateway at {}",
        args.id,
        gateway.base()
    );
    let path = format!(
        "/v1/connections/{}/actions/{}",
        segment(connection),
        segment(&args.id)
    );
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let mut out = output::Stdout::new();
        let mut all_items = Vec::new();
        let mut seen = std::collections::HashSet::new();
        loop {
            let answer = gateway
                .call(Method::POST, &path, &[], Some(valid.to_json()))
                .await?;
            let items = answer.get("items").and_then(Value::as_array);
            match items {
                Some(items) if args.jsonl => out.write(|out| {
                    items
                        .iter()
                        .try_for_each(|item| output::value_line(out, item))
                })?,
                Some(items) if args.all => all_items.extend(items.iter().cloned()),
                _ if args.jsonl => out.write(|out| output::value_line(out, &answer))?,
                _ => out.write(|out| output::json(out, &answer))?,
            }
            if !args.all {
                break;
            }
            let next = answer
                .get("next")
                .and_then(Value::as_str)
                .and_then(NonEmpty::new);
            // A cursor seen before would loop forever: stop there.
            match next {
                Some(next) if seen.insert(next.to_string()) => {
                    if !valid.set_cursor(next) {
                        break;
                    }
                }
                _ => break,
            }
        }
        if args.all && !args.jsonl {
            out.write(|out| output::json(out, &serde_json::json!({ "items": all_items })))?;
        }
        Ok(())
    })
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
