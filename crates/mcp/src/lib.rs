//! Spindle's MCP server: the action catalog as Model Context Protocol tools.
//!
//! The tool list is generated from the catalog when the server starts ([`tools`]): one tool per
//! action, named by its id, with its input and output schemas and annotations from
//! [`spindle_actions::effects`], plus documented extras that read the gateway's sync store
//! (`list_synced_records`, `list_changes`) where there is one. A call is validated by the
//! catalog ([`spindle_actions::validate_input`]) and run by a [`Backend`]: for `spindle mcp` on
//! stdio, the Okta clients of `spindle run` ([`ClientsBackend`]); for the gateway's
//! `/mcp/{connection}`, the connection's cached clients with the gateway's pacing, retries and
//! call log (in `spindle-server`, which depends on this crate, not the other way round).
//!
//! Safety: write tools are offered only when [`Options::allow_writes`] is set (and
//! [`Options::read_only`] is not); a destructive call runs only after a person confirms it
//! through MCP elicitation, or when [`Options::yes_destructive`] says the operator allows it
//! without asking. Errors an agent can correct (invalid input, Okta's errors) are tool results
//! with `isError`; only protocol faults are JSON-RPC errors. Lists are sized for agents
//! ([`paging`]).

pub mod paging;
pub mod server;
pub mod tools;

pub use server::{
    Backend, ClientsBackend, Failure, Fixed, PROTOCOL_VERSION, RecordsQuery, Session, Sessions,
    SpindleMcp, SyncedReads,
};
pub use tools::{EXTRAS, LIST_CHANGES, LIST_SYNCED_RECORDS, Options, SYNC_TOOLSET};

/// Serves `server` on stdin and stdout until the client closes them.
///
/// # Errors
/// When the MCP session cannot start (the client's `initialize` fails) or ends with an error.
pub async fn serve_stdio(server: SpindleMcp) -> Result<(), std::io::Error> {
    use rmcp::ServiceExt;
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(std::io::Error::other)?;
    running.waiting().await.map_err(std::io::Error::other)?;
    Ok(())
}
