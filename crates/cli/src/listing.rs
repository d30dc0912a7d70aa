//! `spindle employees` and `spindle logs`: listings of a running gateway (`spindle serve`),
//! printed as the HTTP API answers them.
//!
//! A page is the API's `{"items": [...], "next": "…"}`; `--after` takes a previous page's `next`;
//! `--all` follows every page and prints `{"items": [...]}` with all of them, the shape of
//! `spindle run --all`.

use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{Value, json};

use crate::gateway::{Gateway, GatewayArgs, segment};
use crate::{CliError, output};

/// Paging options shared by the listings.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// Items per page.
    #[arg(long)]
    limit: Option<u32>,
    /// The `next` cursor of a previous page.
    #[arg(long, conflicts_with = "all")]
    after: Option<String>,
    /// Follow every page and print all the items.
    #[arg(long)]
    all: bool,
}

/// `spindle employees`: the gateway and key, and what to do.
#[derive(Debug, Args)]
pub struct EmployeesArgs {
    /// The gateway and its API key.
    #[command(flatten)]
    pub gateway: GatewayArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: EmployeesCommand,
}

/// `spindle employees` subcommands.
#[derive(Debug, Subcommand)]
pub enum EmployeesCommand {
    /// List a connection's employees in the unified model, read live from Okta
    /// (`GET /v1/connections/{connection_id}/employees`).
    #[command(after_help = "Examples:\n  spindle employees list demo --limit 50\n  \
                            spindle employees list acme --status active,terminated --all")]
    List {
        /// The connection's id (`conn_…`) or name.
        connection: String,
        /// Only these statuses, comma-separated: active, pending, inactive, terminated.
        #[arg(long)]
        status: Option<String>,
        /// Only this department.
        #[arg(long)]
        department: Option<String>,
        /// Only employees changed after this instant (RFC 3339).
        #[arg(long)]
        updated_since: Option<String>,
        #[command(flatten)]
        page: PageArgs,
    },
}

/// `spindle logs`: the Okta calls the gateway made (`GET /v1/logs`), newest first.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The gateway and its API key.
    #[command(flatten)]
    pub gateway: GatewayArgs,
    /// Only calls of this connection (its id; a deleted connection's calls too).
    #[arg(long)]
    connection_id: Option<String>,
    /// Only calls made by this action.
    #[arg(long)]
    action: Option<String>,
    /// Only these statuses: `404`, `4xx`, or a range `400-499`.
    #[arg(long)]
    status: Option<String>,
    /// Only calls at or after this instant (RFC 3339).
    #[arg(long)]
    since: Option<String>,
    #[command(flatten)]
    page: PageArgs,
}

/// Runs `spindle employees`.
///
/// # Errors
/// [`CliError::BadInput`] without a gateway URL or key; [`CliError::Gateway`] when the gateway
/// answers with a problem; [`CliError::GatewayUnreachable`].
pub fn employees(args: EmployeesArgs) -> Result<(), CliError> {
    let gateway = Gateway::new(&args.gateway)?;
    match args.command {
        EmployeesCommand::List {
            connection,
            status,
            department,
            updated_since,
            page,
        } => {
            let filters = [
                ("status", status),
                ("department", department),
                ("updated_since", updated_since),
            ];
            let path = format!("/v1/connections/{}/employees", segment(&connection));
            list(&gateway, &path, &filters, &page)
        }
    }
}

/// Runs `spindle logs`.
///
/// # Errors
/// As [`employees`].
pub fn logs(args: LogsArgs) -> Result<(), CliError> {
    let gateway = Gateway::new(&args.gateway)?;
    let filters = [
        ("connection_id", args.connection_id),
        ("action", args.action),
        ("status", args.status),
        ("since", args.since),
    ];
    list(&gateway, "/v1/logs", &filters, &args.page)
}

/// Prints one page of `path` (or, with `--all`, every item of every page).
fn list(
    gateway: &Gateway,
    path: &str,
    filters: &[(&str, Option<String>)],
    page: &PageArgs,
) -> Result<(), CliError> {
    let mut query: Vec<(&str, String)> = filters
        .iter()
        .filter_map(|(name, value)| Some((*name, value.clone()?)))
        .collect();
    if let Some(limit) = page.limit {
        query.push(("limit", limit.to_string()));
    }
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let mut after = page.after.clone();
        let mut items = Vec::new();
        let mut seen = std::collections::HashSet::new();
        loop {
            let mut query = query.clone();
            if let Some(cursor) = &after {
                query.push(("after", cursor.clone()));
            }
            let answer = gateway.call(Method::GET, path, &query, None).await?;
            if !page.all {
                return output::with_stdout(|out| output::json(out, &answer));
            }
            if let Some(page_items) = answer.get("items").and_then(Value::as_array) {
                items.extend(page_items.iter().cloned());
            }
            match answer.get("next").and_then(Value::as_str) {
                // A cursor seen before would loop forever: stop there.
                Some(next) if seen.insert(next.to_owned()) => after = Some(next.to_owned()),
                _ => break,
            }
        }
        output::with_stdout(|out| output::json(out, &json!({ "items": items })))
    })
}
