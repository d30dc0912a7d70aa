//! The `spindle` command line: noun-then-verb subcommands over Spindle's parts.
//!
//! `main.rs` only parses, calls [`run`] and maps the error to an exit code, so every command can
//! be exercised from tests through the real binary.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod actions;
mod connections;
mod gateway;
mod keys;
mod listing;
mod mcp;
mod org;
mod output;
mod run;
mod serve;
mod store_args;
mod sync;
mod webhooks;

/// Spindle: every Okta use case as a named, schema-checked action.
#[derive(Debug, Parser)]
#[command(
    name = "spindle",
    version,
    about,
    max_term_width = 100,
    long_about = "Spindle: a self-hostable integration gateway for Okta. It offers every supported Okta \
                  use case as a named, schema-checked action.",
    after_help = "Examples:\n  spindle serve --demo\n  spindle actions list\n  spindle actions describe delete_a_group"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Browse the catalog of supported Okta use cases.
    #[command(
        subcommand,
        after_help = "Examples:\n  spindle actions list\n  spindle actions describe terminate_employee"
    )]
    Actions(actions::ActionsCommand),
    /// Serve a local Okta org (users, groups, apps) to develop and test against without Okta.
    ///
    /// The first line printed to stdout is `org_url=<url> token=<token>`; it serves until SIGINT
    /// or SIGTERM, then exits 0.
    #[command(after_help = "Examples:\n  spindle emulator\n  \
                            spindle emulator --users 100000 --groups 500 --rate-limit off\n  \
                            spindle emulator --addr 127.0.0.1:0 --faults 'error=0.05,latency=20ms'")]
    Emulator(spindle_emulator::cli::EmulatorArgs),
    /// Run an action against an Okta org and print its output as JSON.
    ///
    /// The input is validated first: with any problem, every one is listed, nothing is sent and
    /// the exit code is 2. Exit codes: 0 success, 1 other failure, 2 bad input or usage, 3 Okta
    /// answered with an error (status, errorCode, summary, causes and request id on stderr),
    /// 4 Okta could not be reached.
    ///
    /// The input is a JSON object: the Okta call's path and query parameters at the top level,
    /// its request body inside `body` (`{"body": {"profile": {...}}}`). `spindle actions
    /// describe ID` tags each field (path), (query) or (body).
    #[command(after_help = "Examples:\n  \
                            spindle run get_retrieve_a_user --input '{\"id\":\"00u1\"}' --org-url \"$URL\" --token \"$T\"\n  \
                            spindle run get_list_all_users --all --jsonl\n  \
                            spindle run post_create_a_user --input @user.json\n  \
                            spindle run post_create_a_group --input '{\"body\":{\"profile\":{\"name\":\"Sales\"}}}'\n  \
                            spindle run list_all_employees --connection acme --all")]
    Run(run::RunArgs),
    /// Serve the action catalog as MCP tools to an AI agent over stdio (Model Context Protocol).
    ///
    /// The org is chosen as for `spindle run`. Read tools only unless --allow-writes; destructive
    /// tools also need a person's confirmation through the client (MCP elicitation) or
    /// --yes-destructive. Stdout carries the protocol; the log goes to stderr.
    #[command(after_help = "Examples:\n  \
                            spindle mcp --org-url \"$URL\" --token \"$T\"\n  \
                            spindle mcp --connection acme --allow-writes --toolsets users,groups\n  \
                            spindle mcp --connection acme --read-only")]
    Mcp(mcp::McpArgs),
    /// Manage the Okta connections of the gateway's store (`spindle run --connection NAME`).
    ///
    /// The store is the one `spindle serve` uses (`--database-url`, `--master-key-file`), so the
    /// gateway serves these connections and the CLI runs the gateway's; credentials are sealed
    /// under the master key.
    #[command(
        subcommand,
        after_help = "Examples:\n  \
                      printf %s \"$TOKEN\" | spindle connections add prod --org-url https://example.okta.com --token-stdin\n  \
                      spindle connections add ci --org-url https://example.okta.com --token-env OKTA_TOKEN\n  \
                      spindle connections list\n  spindle connections remove prod"
    )]
    Connections(connections::ConnectionsCommand),
    /// Run the gateway: every action over HTTP for many Okta connections, with API keys,
    /// encrypted credentials and a call log (SQLite by default, or PostgreSQL).
    ///
    /// The first line printed to stdout is `url=<url>` (with `--demo`: `url=<url> key=<key>`);
    /// it serves until SIGINT or SIGTERM, lets requests in flight finish, then exits 0.
    #[command(after_help = "Examples:\n  \
                            spindle serve --demo\n  \
                            spindle serve --addr 0.0.0.0:8080 --database-url sqlite://spindle.db\n  \
                            SPINDLE_MASTER_KEY=\"$(cat key.b64)\" spindle serve --database-url postgres://spindle@db/spindle")]
    Serve(serve::ServeArgs),
    /// Manage the gateway's API keys, and rotate the master key that encrypts credentials.
    #[command(
        subcommand,
        after_help = "Examples:\n  \
                      spindle keys create backend --scope full\n  \
                      spindle keys list\n  \
                      spindle keys revoke key_01J...\n  \
                      spindle keys rotate-master --new-key-file spindle.key.new"
    )]
    Keys(keys::KeysCommand),
    /// Sync through a running gateway: a connection's sync status, runs and change feed.
    ///
    /// Talks to the gateway's HTTP API (`spindle serve`) at --gateway or SPINDLE_URL with the
    /// API key --key or SPINDLE_KEY, and prints the API's JSON. Exit codes: 0 success, 1 a
    /// waited-for run failed, 2 bad input or no URL or key, 4 the gateway could not be reached,
    /// 5 the gateway answered with a problem (its detail is printed).
    #[command(after_help = "Examples:
                              export SPINDLE_URL=http://127.0.0.1:8080 SPINDLE_KEY=spk_...
                              spindle sync status acme
                              spindle sync run acme --full --wait
                              spindle sync changes acme --after now --follow")]
    Sync(sync::SyncArgs),
    /// Webhooks of a running gateway: endpoints that get each change as a signed POST.
    ///
    /// Talks to the gateway's HTTP API (`spindle serve`) at --gateway or SPINDLE_URL with the
    /// API key --key or SPINDLE_KEY, and prints the API's JSON. Deliveries follow Standard
    /// Webhooks (signed with the endpoint's `whsec_…` secret, which `add` and `rotate` print
    /// once). Exit codes: 0 success, 2 bad input or no URL or key, 4 the gateway could not be
    /// reached, 5 the gateway answered with a problem (its detail is printed).
    #[command(after_help = "Examples:\n  \
                            export SPINDLE_URL=http://127.0.0.1:8080 SPINDLE_KEY=spk_...\n  \
                            spindle webhooks add https://hooks.example.com/spindle\n  \
                            spindle webhooks list\n  \
                            spindle webhooks deliveries whk_01J... --state dead\n  \
                            spindle webhooks replay whk_01J... --delivery msg_01J...\n  \
                            spindle webhooks rotate whk_01J... --overlap 24h")]
    Webhooks(webhooks::WebhooksArgs),
    /// Employees of a running gateway's connections, in the unified model.
    ///
    /// Talks to the gateway's HTTP API (`spindle serve`) at --gateway or SPINDLE_URL with the
    /// API key --key or SPINDLE_KEY, and prints the API's JSON. Exit codes: 0 success, 2 bad
    /// input or no URL or key, 4 the gateway could not be reached, 5 the gateway answered with a
    /// problem (its detail is printed).
    #[command(after_help = "Examples:\n  \
                            export SPINDLE_URL=http://127.0.0.1:8080 SPINDLE_KEY=spk_...\n  \
                            spindle employees list demo --limit 50\n  \
                            spindle employees list acme --status terminated --all")]
    Employees(listing::EmployeesArgs),
    /// The Okta calls a running gateway made, newest first (its call log).
    ///
    /// Talks to the gateway's HTTP API (`spindle serve`) at --gateway or SPINDLE_URL with the
    /// API key --key or SPINDLE_KEY, and prints the API's JSON. Exit codes as for `spindle
    /// employees`.
    #[command(after_help = "Examples:\n  \
                            spindle logs --action list_all_employees --limit 20\n  \
                            spindle logs --status 4xx --since 2026-01-31T00:00:00Z --all")]
    Logs(listing::LogsArgs),
}

/// Why a command failed; each kind has its own exit code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The user asked for something that does not exist or gave input that is not valid.
    #[error("{0}")]
    BadInput(String),
    /// The emulator could not start or stopped with an error.
    #[error(transparent)]
    Emulator(#[from] spindle_emulator::Error),
    /// The connection to Okta is not configured correctly.
    #[error("cannot connect to Okta: {0}")]
    Connection(String),
    /// Okta answered with an error (the text lists status, errorCode, summary, causes and
    /// request id).
    #[error("{0}")]
    Okta(String),
    /// Okta could not be reached.
    #[error("cannot reach Okta: {0}")]
    Transport(String),
    /// The action could not be run for another reason (an unexpected answer, an API the client
    /// cannot reach).
    #[error("{0}")]
    Execute(String),
    /// The gateway answered with a problem (the text is its detail and status).
    #[error("the gateway refused: {0}")]
    Gateway(String),
    /// The gateway could not be reached.
    #[error("cannot reach the gateway: {0}")]
    GatewayUnreachable(String),
    /// A sync run that was waited for failed.
    #[error("{0}")]
    SyncFailed(String),
    /// Writing the output failed (other than the reader going away).
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    /// The process exit code for this error: 2 for bad input or configuration (as for a usage
    /// error), 3 for an Okta error, 4 when Okta or the gateway cannot be reached, 5 when the
    /// gateway answers with a problem, 1 otherwise (a failed sync run included).
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::BadInput(_) | Self::Connection(_) => ExitCode::from(2),
            Self::Okta(_) => ExitCode::from(3),
            Self::Transport(_) | Self::GatewayUnreachable(_) => ExitCode::from(4),
            Self::Gateway(_) => ExitCode::from(5),
            Self::Output(_) | Self::Emulator(_) | Self::Execute(_) | Self::SyncFailed(_) => {
                ExitCode::FAILURE
            }
        }
    }
}

/// Runs a parsed command line.
///
/// # Errors
///
/// Returns a [`CliError`] describing what went wrong; its [`CliError::exit_code`] is the code the
/// process should exit with.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Actions(command) => actions::run(command),
        Command::Emulator(args) => {
            let config = args
                .into_config()
                .map_err(|err| CliError::BadInput(err.to_string()))?;
            runtime()?.block_on(spindle_emulator::run(config))?;
            Ok(())
        }
        Command::Run(args) => run::run(args),
        Command::Mcp(args) => mcp::run(args),
        Command::Connections(command) => connections::run(command),
        Command::Serve(args) => serve::run(args),
        Command::Keys(command) => keys::run(command),
        Command::Sync(args) => sync::run(args),
        Command::Webhooks(args) => webhooks::run(args),
        Command::Employees(args) => listing::employees(args),
        Command::Logs(args) => listing::logs(args),
    }
}

/// Sends the log to stderr, filtered by `RUST_LOG`, else by `default_filter`.
fn init_tracing(default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// A multi-threaded Tokio runtime for the commands that do I/O.
fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
