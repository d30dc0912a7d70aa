//! Benchmark: how fast the emulator starts with a large synthetic org and serves users.
//!
//! Starts an in-process emulator (rate limits off), then pages through `GET /api/v1/users`
//! with `limit=200` in a tight raw-HTTP loop over one keep-alive connection, following
//! `Link: rel="next"`. Reports startup time and users/s for:
//! - `fetch`: the body is read but not parsed (what the server can deliver);
//! - `fetch+parse`: each page parsed into `serde_json::Value` (a minimal client's work);
//! - `4 walkers`: four concurrent walks (aggregate users/s).
//!
//! Run: `cargo run --release -p spindle-emulator --example serve_bench -- 100000 [--startup-only]`

use std::time::{Duration, Instant};

use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};

fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|l| l.ends_with("rel=\"next\""))
        .and_then(|l| l.split('>').next())
        .map(|u| u.trim_start_matches('<').to_owned())
}

async fn walk(
    http: &reqwest::Client,
    start: String,
    token: &str,
    parse: bool,
) -> Result<(usize, Duration), String> {
    let t = Instant::now();
    let mut parse_time = Duration::ZERO;
    let mut rows = 0usize;
    let mut next = Some(start);
    while let Some(url) = next {
        let resp = http
            .get(&url)
            .header("authorization", format!("SSWS {token}"))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !resp.status().is_success() {
            return Err(format!("{url}: {}", resp.status()));
        }
        next = next_link(resp.headers());
        let body = resp.bytes().await.map_err(|e| e.to_string())?;
        if parse {
            let tp = Instant::now();
            let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
            rows += v.as_array().map_or(0, Vec::len);
            parse_time += tp.elapsed();
        } else {
            // Count rows cheaply: each user in a collection has exactly one `"_links":`.
            rows += body.windows(9).filter(|w| w == b"\"_links\":").count();
        }
    }
    if parse {
        eprintln!(
            "parse share of walk: {:.0}%",
            100.0 * parse_time.as_secs_f64() / t.elapsed().as_secs_f64()
        );
    }
    Ok((rows, t.elapsed()))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let users: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let t = Instant::now();
    let emu = Emulator::start(EmulatorConfig {
        users,
        groups: 500,
        seed: 1,
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let startup = t.elapsed();
    if std::env::args().any(|a| a == "--startup-only") {
        println!("startup_ms={:.0}", startup.as_secs_f64() * 1000.0);
        emu.shutdown().await;
        return Ok(());
    }
    let http = reqwest::Client::new();
    let first = format!("{}/api/v1/users?limit=200", emu.url());
    let token = emu.token().to_owned();

    // Warm-up walk, then the best of three walks each (the machine may be shared and noisy).
    let _ = walk(&http, first.clone(), &token, false).await?;
    let rate = |n: usize, d: Duration| n as f64 / d.as_secs_f64();
    let mut best_fetch = (0usize, Duration::MAX);
    let mut best_parse = (0usize, Duration::MAX);
    for _ in 0..3 {
        let f = walk(&http, first.clone(), &token, false).await?;
        if f.1 < best_fetch.1 {
            best_fetch = f;
        }
        let p = walk(&http, first.clone(), &token, true).await?;
        if p.1 < best_parse.1 {
            best_parse = p;
        }
    }
    let (rows, fetch) = best_fetch;
    let (rows_p, parsed) = best_parse;
    let t4 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (http, first, token) = (http.clone(), first.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            walk(&http, first, &token, false).await
        }));
    }
    let mut rows4 = 0;
    for task in tasks {
        rows4 += task.await.map_err(|e| e.to_string())??.0;
    }
    let conc = t4.elapsed();
    println!("users_generated={users}");
    println!("startup_ms={:.0}", startup.as_secs_f64() * 1000.0);
    println!("rows_per_walk={rows} (DEPROVISIONED hidden)");
    println!("fetch_users_per_s={:.0}", rate(rows, fetch));
    println!("fetch_parse_users_per_s={:.0}", rate(rows_p, parsed));
    println!("four_walkers_users_per_s={:.0}", rate(rows4, conc));
    println!(
        "serve_to_parse_ratio={:.2}",
        rate(rows, fetch) / rate(rows_p, parsed)
    );
    emu.shutdown().await;
    Ok(())
}
