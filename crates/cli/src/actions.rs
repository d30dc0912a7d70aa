//! `spindle actions`: browse the catalog.

use std::io::{self, Write};

use clap::{Args, Subcommand, ValueEnum};
use spindle_actions::{ActionSpec, Operation, Server, catalog};

use crate::{CliError, output};

/// Browse the catalog of supported Okta use cases.
#[derive(Debug, Subcommand)]
pub enum ActionsCommand {
    /// List every supported action.
    #[command(
        after_help = "Examples:\n  spindle actions list\n  spindle actions list --server aerial\n  \
                            spindle actions list --json | jq -r '.[].id'"
    )]
    List(ListArgs),
    /// Show one action: what it does, its Okta endpoint and the OAuth scopes it needs.
    #[command(
        after_help = "Examples:\n  spindle actions describe delete_a_group\n  \
                            spindle actions describe terminate_employee --json"
    )]
    Describe(DescribeArgs),
}

/// Options of `spindle actions list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print a JSON array instead of a table.
    #[arg(long)]
    json: bool,
    /// Only actions served by this Okta API.
    #[arg(long, value_enum)]
    server: Option<ServerArg>,
    /// Only actions of this kind.
    #[arg(long, value_enum)]
    operation: Option<OperationArg>,
}

/// Options of `spindle actions describe`.
#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// The action's id, as `spindle actions list` shows it (e.g. `delete_a_group`).
    id: String,
    /// Print a JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ServerArg {
    Management,
    Aerial,
    Myaccount,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OperationArg {
    Read,
    Write,
    Delete,
}

impl ServerArg {
    fn matches(self, server: Server) -> bool {
        matches!(
            (self, server),
            (Self::Management, Server::Management)
                | (Self::Aerial, Server::Aerial)
                | (Self::Myaccount, Server::MyAccount)
        )
    }
}

impl OperationArg {
    fn matches(self, operation: Operation) -> bool {
        matches!(
            (self, operation),
            (Self::Read, Operation::Read)
                | (Self::Write, Operation::Write)
                | (Self::Delete, Operation::Delete)
        )
    }
}

/// Runs an `actions` subcommand.
pub fn run(command: ActionsCommand) -> Result<(), CliError> {
    match command {
        ActionsCommand::List(args) => {
            let actions: Vec<&ActionSpec> = catalog::all()
                .iter()
                .filter(|a| args.server.is_none_or(|s| s.matches(a.server)))
                .filter(|a| args.operation.is_none_or(|o| o.matches(a.operation)))
                .collect();
            output::with_stdout(|out| {
                if args.json {
                    output::json(out, &actions)
                } else {
                    table(out, &actions)
                }
            })
        }
        ActionsCommand::Describe(args) => {
            let action = catalog::get(&args.id).ok_or_else(|| unknown_action(&args.id))?;
            output::with_stdout(|out| {
                if args.json {
                    output::json(out, action)
                } else {
                    describe(out, action)
                }
            })
        }
    }
}

fn unknown_action(id: &str) -> CliError {
    let suggestions = catalog::suggest(id, 3);
    let hint = if suggestions.is_empty() {
        String::new()
    } else {
        format!(" Did you mean: {}?", suggestions.join(", "))
    };
    CliError::BadInput(format!(
        "unknown action `{id}`.{hint} Run `spindle actions list` to see every action."
    ))
}

fn table(out: &mut dyn Write, actions: &[&ActionSpec]) -> io::Result<()> {
    let headers = ["ID", "OPERATION", "SERVER", "METHOD", "PATH"];
    let rows: Vec<[&str; 5]> = actions
        .iter()
        .map(|a| {
            [
                a.id,
                a.operation.as_str(),
                a.server.as_str(),
                a.method.as_str(),
                a.path,
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    for row in std::iter::once(&headers).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  "));
            }
        }
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "\n{} actions. Details: spindle actions describe <ID>",
        rows.len()
    )
}

fn describe(out: &mut dyn Write, a: &ActionSpec) -> io::Result<()> {
    writeln!(out, "{} — {}", a.id, a.title)?;
    writeln!(out)?;
    output::wrap(out, a.summary, "  ", 96)?;
    writeln!(out)?;
    writeln!(out, "  operation:  {}", a.operation)?;
    writeln!(out, "  entities:   {}", a.entities.join(", "))?;
    writeln!(
        out,
        "  endpoint:   {} {}  ({} API)",
        a.method, a.path, a.server
    )?;
    let params: Vec<_> = a.path_params().collect();
    if !params.is_empty() {
        writeln!(out, "  parameters: {}", params.join(", "))?;
    }
    let scopes = if a.scopes.is_empty() {
        "none (Okta accepts only an API token for this call)".to_owned()
    } else {
        a.scopes.join(", ")
    };
    writeln!(out, "  scopes:     {scopes}")
}
