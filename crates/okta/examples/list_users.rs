//! Lists every user of an org and prints throughput, CPU time and peak RSS.
//!
//! Reads the org and credentials as the official SDKs do (`OKTA_CLIENT_ORGURL`,
//! `OKTA_CLIENT_TOKEN`, ... or okta.yaml). Users are streamed: nothing but a counter is
//! kept, so memory does not grow with the org.
//!
//! `cargo run --release -p spindle-okta --example list_users`

use std::time::Instant;

use futures::TryStreamExt;
use spindle_okta::users::ListUsers;
use spindle_okta::{Client, Config};

/// CPU seconds (user + system) and peak RSS (KiB) of this process, from /proc (Linux).
fn usage() -> (f64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the name.
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (cpu, hwm)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pacing = std::env::var("SPINDLE_PACING").map_or(true, |v| v != "0");
    let client = Client::new(Config::from_sdk_sources()?.pacing(pacing))?;
    let start = Instant::now();
    let mut users = client.users().list(ListUsers::new());
    let mut n: u64 = 0;
    while let Some(_user) = users.try_next().await? {
        n += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let (cpu, rss_kib) = usage();
    println!(
        "{{\"client\":\"spindle-okta\",\"users\":{n},\"seconds\":{secs:.3},\"users_per_s\":{:.0},\"cpu_s\":{cpu:.2},\"peak_rss_mib\":{:.1}}}",
        n as f64 / secs.max(1e-9),
        rss_kib as f64 / 1024.0
    );
    Ok(())
}
