//! Spindle's action catalog: one named action per supported Okta use case.
//!
//! The catalog is the single source behind every surface that offers actions — the `spindle` CLI
//! today, the gateway's HTTP API and the MCP server later — so that an action is described once and
//! every surface says the same thing about it.
//!
//! ```
//! use spindle_actions::catalog;
//!
//! let action = catalog::get("delete_a_group").expect("a known action");
//! assert_eq!(action.path, "/api/v1/groups/{groupId}");
//! assert_eq!(action.path_params().collect::<Vec<_>>(), ["groupId"]);
//! ```

pub mod catalog;

pub use catalog::{ActionSpec, HttpMethod, Operation, Server};
