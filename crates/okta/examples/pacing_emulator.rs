//! Pacing benchmark against the emulator's Okta default limits (list users: 600 per window,
//! get user: 1000 per window) with a shortened window.
//!
//! Half of the tasks list users, half read single users, flat out, sharing one client.
//! The emulator's request log gives, per bucket, the requests served and the 429s; the
//! achieved fraction is served / (limit × share × complete windows).
//!
//! `cargo run --release -p spindle-okta --example pacing_emulator -- [window_secs] [windows] [tasks] [share]`

use std::time::{Duration, Instant};

use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};
use spindle_okta::users::ListUsers;
use spindle_okta::{Client, Config};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: f64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let window = arg(1, 10.0) as u64;
    let windows = arg(2, 3.0) as u64;
    let tasks = arg(3, 8.0) as usize;
    let share = arg(4, 1.0);
    let emu = Emulator::start(EmulatorConfig {
        users: 1000,
        rate_limit: RateLimitMode::Okta,
        rate_limit_window: Duration::from_secs(window),
        request_log_capacity: 1_000_000,
        ..Default::default()
    })
    .await?;
    let client =
        Client::new(Config::with_api_token(&emu.url(), emu.token())?.rate_limit_share(share))?;
    let first = client.users().list_page(ListUsers::new().limit(1)).await?;
    let uid = first
        .items
        .first()
        .and_then(|u| u.id.clone())
        .ok_or("the emulated org has no users")?;
    // Let the probe requests' window pass so measured windows start clean.
    tokio::time::sleep(Duration::from_secs(window + 1)).await;
    let http = reqwest::Client::new();
    let log_url = format!("{}/__emulator/requests", emu.url());
    let auth = format!("SSWS {}", emu.token());
    http.delete(&log_url)
        .header("authorization", &auth)
        .send()
        .await?;

    let started = Instant::now();
    let run_for = Duration::from_secs(window * windows + 2);
    let mut handles = Vec::new();
    for t in 0..tasks {
        let c = client.clone();
        let uid = uid.clone();
        handles.push(tokio::spawn(async move {
            let mut failed = 0u64;
            while started.elapsed() < run_for {
                let r = if t % 2 == 0 {
                    c.users()
                        .list_page(ListUsers::new().limit(20))
                        .await
                        .map(|_| ())
                } else {
                    c.users().get(uid.clone(), None).await.map(|_| ())
                };
                failed += u64::from(r.is_err());
            }
            failed
        }));
    }
    let mut failed = 0;
    for h in handles {
        failed += h.await?;
    }
    let log: serde_json::Value = http
        .get(&log_url)
        .header("authorization", &auth)
        .send()
        .await?
        .json()
        .await?;
    let entries = log["requests"].as_array().cloned().unwrap_or_default();
    println!(
        "| bucket | limit/window | complete windows | served | 429s | 429s/window | achieved fraction of allowed rate |"
    );
    println!("|---|--:|--:|--:|--:|--:|--:|");
    for (name, limit, is_list) in [
        ("GET /api/v1/users", 600u64, true),
        ("GET /api/v1/users/{id}", 1000, false),
    ] {
        let mine: Vec<(u128, u64)> = entries
            .iter()
            .filter(|e| e["method"] == "GET")
            .filter(|e| {
                let p = e["path"].as_str().unwrap_or("");
                (p == "/api/v1/users") == is_list && p.starts_with("/api/v1/users")
            })
            .map(|e| {
                (
                    e["timeMs"].as_u64().unwrap_or(0) as u128,
                    e["status"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        let Some(t0) = mine.iter().map(|(t, _)| *t).min() else {
            continue;
        };
        let end = t0 + u128::from(window * windows) * 1000;
        let full: Vec<_> = mine.iter().filter(|(t, _)| *t < end).collect();
        let served = full.iter().filter(|(_, s)| *s == 200).count() as f64;
        let rejected = full.iter().filter(|(_, s)| *s == 429).count() as f64;
        let allowed = (limit as f64 * share).floor() * windows as f64;
        println!(
            "| {name} | {limit} (share {share}) | {windows} | {served} | {rejected} | {:.2} | {:.1}% |",
            rejected / windows as f64,
            100.0 * served / allowed
        );
    }
    println!("\n{tasks} tasks, {window} s windows, failed calls: {failed}");
    emu.shutdown().await;
    Ok(())
}
