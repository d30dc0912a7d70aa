//! Serves an emulated org for benchmarks run from other processes (bench/list-users.sh).
//!
//! `cargo run --release -p spindle-okta --example emulator_server -- <users> <rate-limit: off|okta|N> [window-secs]`
//! Prints `ORG_URL=...` and `TOKEN=...` once ready, then serves until killed.

use std::time::Duration;

use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let users = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let rate_limit: RateLimitMode = args
        .get(2)
        .map(String::as_str)
        .unwrap_or("off")
        .parse()
        .map_err(|e: String| e)?;
    let window = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(60);
    let emu = Emulator::start(EmulatorConfig {
        users,
        rate_limit,
        rate_limit_window: Duration::from_secs(window),
        ..Default::default()
    })
    .await?;
    println!("ORG_URL={}", emu.url());
    println!("TOKEN={}", emu.token());
    tokio::signal::ctrl_c().await?;
    emu.shutdown().await;
    Ok(())
}
