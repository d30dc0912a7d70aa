//! Tests of the real `spindle` binary.

mod actions;
mod aerial;
mod bad_input;
mod cluster_crash;
mod connections;
mod emulator;
mod help;
mod mcp_clients;
mod procs;
mod run;
mod run_rules_factors_grants;
mod serve;
mod sync;
mod sync_kill;
mod webhook_verify;
mod webhooks;

use assert_cmd::Command;

/// The `spindle` binary built for this test run.
pub fn spindle() -> Command {
    let mut cmd = Command::cargo_bin("spindle").expect("the spindle binary is built");
    cmd.env_remove("RUST_LOG").env_remove("COLUMNS");
    cmd
}
