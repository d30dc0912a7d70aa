//! The `spindle` command line: noun-then-verb subcommands over Spindle's parts.
//!
//! `main.rs` only parses, calls [`run`] and maps the error to an exit code, so every command can
//! be exercised from tests through the real binary.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod actions;
mod output;

/// Spindle: every Okta use case as a named, schema-checked action.
#[derive(Debug, Parser)]
#[command(
    name = "spindle",
    version,
    about,
    max_term_width = 100,
    long_about = "Spindle: a self-hostable integration gateway for Okta. It offers every supported Okta \
                  use case as a named, schema-checked action.",
    after_help = "Examples:\n  spindle actions list\n  spindle actions describe delete_a_group"
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
}

/// Why a command failed; each kind has its own exit code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The user asked for something that does not exist or gave input that is not valid.
    #[error("{0}")]
    BadInput(String),
    /// Writing the output failed (other than the reader going away).
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl CliError {
    /// The process exit code for this error: 2 for bad input (as for a usage error), 1 otherwise.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::BadInput(_) => ExitCode::from(2),
            Self::Output(_) => ExitCode::FAILURE,
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
    }
}
