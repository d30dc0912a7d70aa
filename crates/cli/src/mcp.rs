//! `spindle mcp`: the action catalog as MCP tools for an AI agent, over stdio.

use std::sync::Arc;

use clap::Args;
use spindle_mcp::{ClientsBackend, Options, SpindleMcp};

use crate::CliError;
use crate::org::OrgArgs;
use crate::store_args::{OrgPolicyArgs, StoreArgs};

/// Options of `spindle mcp`.
#[derive(Debug, Args)]
pub struct McpArgs {
    /// Offer the tools that change the org (create, update, lifecycle changes, deletions).
    /// Without it only read tools are offered.
    #[arg(long)]
    allow_writes: bool,
    /// Run destructive tools (deletions, revocations, deactivation, replacements) without asking
    /// a person. Without it a destructive call runs only once a person confirms it in the
    /// client's prompt (MCP elicitation), and is refused by clients that cannot ask.
    #[arg(long, requires = "allow_writes")]
    yes_destructive: bool,
    /// Offer read tools only, whatever else is given.
    #[arg(long)]
    read_only: bool,
    /// Only the tools of these toolsets, comma-separated: users, employees, groups,
    /// group_rules, factors, grants, tokens, sessions, linked_objects, user_types, org, aerial.
    #[arg(long, value_delimiter = ',', value_name = "TOOLSET,…")]
    toolsets: Vec<String>,
    /// Only these tools (action ids), comma-separated; with --toolsets, the tools of both.
    #[arg(long, value_delimiter = ',', value_name = "ID,…")]
    tools: Vec<String>,
    #[command(flatten)]
    org: OrgArgs,
    #[command(flatten, next_help_heading = "With --connection")]
    store: StoreArgs,
    #[command(flatten, next_help_heading = "With --connection")]
    policy: OrgPolicyArgs,
}

impl McpArgs {
    fn options(&self) -> Options {
        let some = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        Options {
            allow_writes: self.allow_writes,
            yes_destructive: self.yes_destructive,
            read_only: self.read_only,
            toolsets: some(&self.toolsets),
            tools: some(&self.tools),
            how_to_allow_writes: if self.read_only {
                "restart `spindle mcp` without --read-only and with --allow-writes".to_owned()
            } else {
                "restart `spindle mcp` with --allow-writes to offer write tools".to_owned()
            },
            how_to_allow_destructive: "Use a client that supports elicitation, or restart \
                                       `spindle mcp` with --yes-destructive to allow destructive \
                                       calls without asking."
                .to_owned(),
        }
    }
}

/// Runs `spindle mcp` until the client closes stdin.
pub fn run(args: McpArgs) -> Result<(), CliError> {
    let options = args.options();
    options.check().map_err(CliError::BadInput)?;
    // Stdout carries the protocol: the log goes to stderr only.
    crate::init_tracing("warn");
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let (clients, target) = args.org.session_clients(&args.store, &args.policy).await?;
        let server = SpindleMcp::new(Arc::new(ClientsBackend::new(clients, target)), options);
        spindle_mcp::serve_stdio(server)
            .await
            .map_err(|e| CliError::Execute(format!("the MCP session failed: {e}")))
    })
}
