//! The HTTP endpoints, one module per resource.

pub mod actions;
pub mod connections;
pub mod employees;
pub mod health;
pub mod logs;
pub mod mcp;
pub mod passthrough;
pub mod sync;
pub mod webhooks;
