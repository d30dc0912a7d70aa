//! The gateway's HTTP API against an in-process emulated Okta org, on SQLite and PostgreSQL:
//! every endpoint's happy path, the authentication and scope rules, bad input, Okta's errors,
//! the SSRF guard, secrets never echoed, the call log and the OpenAPI document.

#[path = "../common/mod.rs"]
mod common;

mod actions;
mod aerial;
mod auth;
mod bad_input;
mod connections;
mod employees;
mod logs;
mod mcp;
mod myaccount;
mod okta_errors;
mod ops;
mod passthrough;
mod rate_share;
mod ssrf;
mod sync;
mod sync_e2e;
mod webhooks;
