//! Integration tests of spindle-store, each run against SQLite and PostgreSQL.

mod harness;

mod aerial;
mod api_keys;
mod calls;
mod connections;
mod master_key;
mod opening;
mod rate_budget;
mod redaction;
mod sync;
mod webhooks;
