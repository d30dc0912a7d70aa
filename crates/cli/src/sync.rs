//! `spindle sync`: a connection's sync through a running gateway's HTTP API (`spindle serve`).
//!
//! Every command prints the JSON the API answers; the gateway client is [`crate::gateway`].

use std::io::IsTerminal as _;
use std::time::Duration;

use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::json;

use crate::gateway::{Gateway, GatewayArgs, segment};
use crate::{CliError, output};

/// `spindle sync`: the gateway and key, and what to do.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The gateway and its API key.
    #[command(flatten)]
    pub gateway: GatewayArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: SyncCommand,
}

/// `spindle sync` subcommands.
#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Print a connection's sync settings and status, with its current and last run.
    #[command(after_help = "Examples:\n  spindle sync status acme\n  \
                            spindle sync status acme --gateway http://127.0.0.1:8080 --key \"$KEY\"")]
    Status {
        /// The connection's id (`conn_…`) or name.
        connection: String,
    },
    /// Queue a sync run (or join the one queued or running) and print it.
    ///
    /// With --wait, follow the run until it ends (a progress spinner on stderr when it is a
    /// terminal), print the final run, and exit 1 when it failed.
    #[command(
        after_help = "Examples:\n  spindle sync run acme\n  spindle sync run acme --full --wait"
    )]
    Run {
        /// The connection's id (`conn_…`) or name.
        connection: String,
        /// A full reconciliation rather than an incremental run.
        #[arg(long)]
        full: bool,
        /// Wait for the run to end, then print it.
        #[arg(long)]
        wait: bool,
    },
    /// Print a page of a connection's change feed, or follow it.
    ///
    /// Without --after the feed is read from its beginning; `--after now` starts at its end. The
    /// page's `next` is the cursor to pass as --after to read on. With --follow, print each
    /// change as one JSON line, forever (until Ctrl-C).
    #[command(after_help = "Examples:\n  spindle sync changes acme --limit 10\n  \
                            spindle sync changes acme --after now --follow")]
    Changes {
        /// The connection's id (`conn_…`) or name.
        connection: String,
        /// A `next` cursor of a previous page, or `now`.
        #[arg(long)]
        after: Option<String>,
        /// Changes per page, 1 to 1000.
        #[arg(long)]
        limit: Option<u32>,
        /// Print every change as a JSON line as it comes, long-polling the gateway.
        #[arg(long)]
        follow: bool,
    },
}

/// How long `--follow` asks the gateway to hold an empty answer.
const FOLLOW_WAIT: &str = "30s";
/// How often `run --wait` looks at the run.
const POLL_EVERY: Duration = Duration::from_millis(500);

/// Runs `spindle sync`.
///
/// # Errors
/// [`CliError::BadInput`] without a gateway URL or key; [`CliError::Gateway`] when the gateway
/// answers with a problem; [`CliError::GatewayUnreachable`]; [`CliError::SyncFailed`] when a
/// waited-for run failed.
pub fn run(args: SyncArgs) -> Result<(), CliError> {
    let gateway = Gateway::new(&args.gateway)?;
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        match args.command {
            SyncCommand::Status { connection } => {
                let status = gateway
                    .call(
                        Method::GET,
                        &format!("/v1/connections/{}/sync", segment(&connection)),
                        &[],
                        None,
                    )
                    .await?;
                output::with_stdout(|out| output::json(out, &status))
            }
            SyncCommand::Run {
                connection,
                full,
                wait,
            } => run_sync(&gateway, &connection, full, wait).await,
            SyncCommand::Changes {
                connection,
                after,
                limit,
                follow,
            } => changes(&gateway, &connection, after, limit, follow).await,
        }
    })
}

async fn run_sync(
    gateway: &Gateway,
    connection: &str,
    full: bool,
    wait: bool,
) -> Result<(), CliError> {
    let base = format!("/v1/connections/{}/sync", segment(connection));
    let body = if full {
        json!({"full": true})
    } else {
        json!({})
    };
    let mut run = gateway
        .call(Method::POST, &format!("{base}/run"), &[], Some(body))
        .await?;
    if !wait {
        return output::with_stdout(|out| output::json(out, &run));
    }
    let id = run["id"]
        .as_str()
        .ok_or_else(|| CliError::Execute("the gateway answered a run without an id".into()))?
        .to_owned();
    let progress = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    loop {
        let state = run["state"].as_str().unwrap_or_default();
        if matches!(state, "succeeded" | "failed") {
            break;
        }
        let records = run["records"].as_i64().unwrap_or(0);
        let rate = records as f64 / started.elapsed().as_secs_f64().max(0.001);
        progress.set_message(format!(
            "{id} {state}: {} pages, {records} records, {} changes, {rate:.0} records/s",
            run["pages"].as_i64().unwrap_or(0),
            run["changes"].as_i64().unwrap_or(0),
        ));
        tokio::time::sleep(POLL_EVERY).await;
        run = gateway
            .call(Method::GET, &format!("{base}/runs/{id}"), &[], None)
            .await?;
    }
    progress.finish_and_clear();
    output::with_stdout(|out| output::json(out, &run))?;
    if run["state"] == "failed" {
        return Err(CliError::SyncFailed(format!(
            "sync run {id} failed: {}",
            run["error"].as_str().unwrap_or("no reason given")
        )));
    }
    Ok(())
}

async fn changes(
    gateway: &Gateway,
    connection: &str,
    mut after: Option<String>,
    limit: Option<u32>,
    follow: bool,
) -> Result<(), CliError> {
    let path = format!("/v1/connections/{}/changes", segment(connection));
    let query = |after: &Option<String>, wait: Option<&str>| {
        let mut q = Vec::new();
        if let Some(after) = after {
            q.push(("after", after.clone()));
        }
        if let Some(limit) = limit {
            q.push(("limit", limit.to_string()));
        }
        if let Some(wait) = wait {
            q.push(("wait", wait.to_owned()));
        }
        q
    };
    if !follow {
        let page = gateway
            .call(Method::GET, &path, &query(&after, None), None)
            .await?;
        return output::with_stdout(|out| output::json(out, &page));
    }
    loop {
        let page = gateway
            .call(Method::GET, &path, &query(&after, Some(FOLLOW_WAIT)), None)
            .await?;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        let mut closed = false;
        output::with_stdout(|out| {
            for item in &items {
                match serde_json::to_writer(&mut *out, item)
                    .map_err(std::io::Error::from)
                    .and_then(|()| writeln!(out))
                {
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                        closed = true;
                        return Ok(());
                    }
                    other => other?,
                }
            }
            out.flush().inspect_err(|e| {
                closed |= e.kind() == std::io::ErrorKind::BrokenPipe;
            })
        })?;
        if closed {
            return Ok(());
        }
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => {
                return Err(CliError::Execute(
                    "the gateway answered a page of changes without `next`".into(),
                ));
            }
        }
    }
}
