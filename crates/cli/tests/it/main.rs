//! Tests of the real `spindle` binary.

mod actions;
mod aerial;
mod bad_input;
mod cluster_crash;
mod connections;
mod emulator;
mod help;
mod mcp_clients;
mod openapi_clients;
mod procs;
mod run;
mod run_rules_factors_grants;
mod serve;
mod sync;
mod sync_kill;
mod webhook_verify;
mod webhooks;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `spindle` binary built for this test run.
pub fn spindle() -> Command {
    let mut cmd = Command::cargo_bin("spindle").expect("the spindle binary is built");
    cmd.env_remove("RUST_LOG").env_remove("COLUMNS");
    cmd
}

/// Where `scripts/install-third-party` puts the third-party tools the tests drive.
pub fn third_party() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/third-party")
}

/// A test script under `tests/DIR/NAME`.
pub fn test_script(dir: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir)
        .join(name)
}

/// Whether `node` runs (the tests that drive Node.js libraries need it on PATH).
pub fn node_runs() -> bool {
    std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Skips the calling test for `missing`, or fails under `SPINDLE_NO_SKIP=1`.
pub fn skip(missing: &str) {
    let msg = format!("SKIPPED: {missing}; run ./scripts/install-third-party");
    assert!(
        std::env::var("SPINDLE_NO_SKIP").as_deref() != Ok("1"),
        "{msg} (SPINDLE_NO_SKIP=1 forbids skipping)"
    );
    eprintln!("{msg}");
}
