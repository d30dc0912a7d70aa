//! The sync against the emulator, on SQLite and PostgreSQL: after changes made through Okta's
//! API, the store equals the org field for field, and replaying the change feed gives the
//! store.

mod harness;
mod scenarios;
