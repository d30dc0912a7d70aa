//! `spindle actions`: browse the catalog.

use std::io::{self, Write};

use clap::{Args, Subcommand, ValueEnum};
use spindle_actions::{ActionSpec, Effect, Operation, Server, catalog};

use crate::gateway::{Gateway, GatewayArgs, segment};
use crate::{CliError, output};

/// Browse the catalog of supported Okta use cases.
#[derive(Debug, Subcommand)]
pub enum ActionsCommand {
    /// List every supported action.
    #[command(
        after_help = "Examples:\n  spindle actions list\n  spindle actions list --server aerial\n  \
                            spindle actions list --effect delete\n  \
                            spindle actions list --json | jq -r '.[].id'"
    )]
    List(ListArgs),
    /// Show one action: what it does, its Okta endpoint and the OAuth scopes it needs.
    #[command(
        after_help = "Examples:\n  spindle actions describe delete_a_group\n  \
                            spindle actions describe terminate_employee --json"
    )]
    Describe(DescribeArgs),
    /// Check an input for an action without running it: print the input with Okta's defaults
    /// filled in, or every problem found (exit code 2).
    #[command(
        after_help = "Examples:\n  spindle actions validate delete_a_group --input '{\"groupId\": \"00g1emaKYZTWRYYRRTSK\"}'\n  \
                            spindle actions validate post_create_a_user --input - < user.json"
    )]
    Validate(ValidateArgs),
}

/// Options of `spindle actions validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The action's id, as `spindle actions list` shows it.
    id: String,
    /// The input as a JSON object, or `-` to read it from standard input.
    #[arg(long, default_value = "{}")]
    input: String,
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
    /// Only actions with this label in the use-case list (which calls most removals `write`).
    #[arg(long, value_enum)]
    operation: Option<OperationArg>,
    /// Only actions whose call has this effect: `read` (GET), `write` (POST, PUT) or `delete`
    /// (DELETE).
    #[arg(long, value_enum)]
    effect: Option<OperationArg>,
    /// With a gateway URL (`--gateway` or `SPINDLE_URL`): the gateway's catalog, printed as its
    /// `GET /v1/actions` answers.
    #[command(flatten)]
    gateway: GatewayArgs,
}

/// Options of `spindle actions describe`.
#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// The action's id, as `spindle actions list` shows it (e.g. `delete_a_group`).
    id: String,
    /// Print a JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// With a gateway URL (`--gateway` or `SPINDLE_URL`): the gateway's description, printed as
    /// its `GET /v1/actions/{id}` answers.
    #[command(flatten)]
    gateway: GatewayArgs,
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
    fn matches_effect(self, effect: Effect) -> bool {
        matches!(
            (self, effect),
            (Self::Read, Effect::Read)
                | (Self::Write, Effect::Write)
                | (Self::Delete, Effect::Delete)
        )
    }

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
        ActionsCommand::List(args) if args.gateway.gateway.is_some() => {
            // The API lists the whole catalog; the filters apply to its items here.
            let filters: Vec<(&str, String)> = [
                ("server", args.server.map(|s| value_name(&s))),
                ("operation", args.operation.map(|o| value_name(&o))),
                ("effect", args.effect.map(|e| value_name(&e))),
            ]
            .into_iter()
            .filter_map(|(field, value)| Some((field, value?)))
            .collect();
            let mut answer = from_gateway(&args.gateway, "/v1/actions")?;
            if let Some(items) = answer.get_mut("items").and_then(|i| i.as_array_mut()) {
                items.retain(|item| {
                    filters.iter().all(|(field, value)| {
                        item.get(*field).and_then(|v| v.as_str()) == Some(value)
                    })
                });
            }
            output::with_stdout(|out| output::json(out, &answer))
        }
        ActionsCommand::Describe(args) if args.gateway.gateway.is_some() => {
            let path = format!("/v1/actions/{}", segment(&args.id));
            let answer = from_gateway(&args.gateway, &path)?;
            output::with_stdout(|out| output::json(out, &answer))
        }
        ActionsCommand::List(args) => {
            let actions: Vec<&ActionSpec> = catalog::all()
                .iter()
                .filter(|a| args.server.is_none_or(|s| s.matches(a.server)))
                .filter(|a| args.operation.is_none_or(|o| o.matches(a.operation)))
                .filter(|a| args.effect.is_none_or(|e| e.matches_effect(a.effect())))
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
                    output::json(out, &described(action))
                } else {
                    describe(out, action)
                }
            })
        }
        ActionsCommand::Validate(args) => {
            let action = catalog::get(&args.id).ok_or_else(|| unknown_action(&args.id))?;
            let text = if args.input == "-" {
                let mut text = String::new();
                io::Read::read_to_string(&mut io::stdin(), &mut text)
                    .map_err(|e| CliError::BadInput(format!("cannot read the input: {e}")))?;
                text
            } else {
                args.input
            };
            let input: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| CliError::BadInput(format!("the input is not JSON: {e}")))?;
            match spindle_actions::validate_input(action.id, &input) {
                Ok(valid) => output::with_stdout(|out| output::json(out, &valid.to_json())),
                Err(err) => Err(CliError::BadInput(err.to_string())),
            }
        }
    }
}

/// The JSON of `describe --json`: the catalog entry plus its schemas and example.
fn described(action: &ActionSpec) -> serde_json::Value {
    let mut value = serde_json::to_value(action).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("input_schema".into(), action.input_schema());
        object.insert("output_schema".into(), action.output_schema());
        object.insert("example_input".into(), action.example_input());
    }
    value
}

pub(crate) fn unknown_action(id: &str) -> CliError {
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
    let headers = ["ID", "OPERATION", "EFFECT", "SERVER", "METHOD", "PATH"];
    let rows: Vec<[&str; 6]> = actions
        .iter()
        .map(|a| {
            [
                a.id,
                a.operation.as_str(),
                a.effect().as_str(),
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

/// The gateway's answer to `GET path`.
fn from_gateway(args: &GatewayArgs, path: &str) -> Result<serde_json::Value, CliError> {
    let gateway = Gateway::new(args)?;
    let runtime = crate::runtime()?;
    runtime.block_on(gateway.call(reqwest::Method::GET, path, &[], None))
}

/// A value's name as given on the command line (and as the API spells it).
fn value_name(value: &impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}

fn describe(out: &mut dyn Write, a: &ActionSpec) -> io::Result<()> {
    writeln!(out, "{} — {}", a.id, a.title)?;
    writeln!(out)?;
    output::wrap(out, a.summary, "  ", 96)?;
    writeln!(out)?;
    writeln!(out, "  operation:  {}", a.operation)?;
    writeln!(out, "  effect:     {}", a.effect())?;
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
    writeln!(out, "  scopes:     {scopes}")?;
    let fields = spindle_actions::docs::input_fields(a);
    writeln!(out)?;
    if fields.is_empty() {
        writeln!(out, "  input: none (pass {{}})")?;
    } else {
        writeln!(
            out,
            "  input:      (path) and (query) fields at the top level, (body) fields inside \"body\""
        )?;
        for field in fields {
            let required = if field.required { ", required" } else { "" };
            writeln!(
                out,
                "    {} ({}) ({}{required})",
                field.name,
                field.location.as_str(),
                field.kind
            )?;
            if !field.description.is_empty() {
                output::wrap(out, &field.description, "        ", 88)?;
            }
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "  example:    spindle actions validate {} --input '{}'",
        a.id,
        a.example_input()
    )
}
