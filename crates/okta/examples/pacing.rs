//! Pacing benchmark against an in-process mock of Okta's rate limiting (wiremock).
//!
//! Half of the tasks list users (`GET /api/v1/users`, bucket limit 600), half read single
//! users (`GET /api/v1/users/{id}`, bucket limit 1000) as fast as the client lets them, for
//! a number of (shortened) windows. The mock implements Okta's window model: a window
//! starts with the first request after the previous one ended, lasts `--window-secs`
//! (aligned to whole seconds so `X-Rate-Limit-Reset` is exact), and answers 429 with
//! `E0000047` once the limit is spent. Prints, per bucket, the requests served, the 429s
//! received, and the fraction of the allowed rate achieved over the complete windows.
//!
//! `cargo run --release -p spindle-okta --example pacing -- [window_secs] [windows] [tasks] [share]`

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;
use spindle_okta::users::ListUsers;
use spindle_okta::{Client, Config};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

#[derive(Debug, Default, Clone)]
struct Window {
    end: u64,
    ok: u64,
    rejected: u64,
}

#[derive(Debug, Default)]
struct Limiter {
    windows: HashMap<&'static str, Vec<Window>>,
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn limited(
    limiter: Arc<Mutex<Limiter>>,
    bucket: &'static str,
    limit: u64,
    window: u64,
    body: String,
) -> impl Fn(&Request) -> ResponseTemplate + Send + Sync {
    move |_req: &Request| {
        let now = now_secs();
        let mut l = limiter.lock().unwrap_or_else(|e| e.into_inner());
        let ws = l.windows.entry(bucket).or_default();
        if ws.last().is_none_or(|w| now >= w.end as f64) {
            ws.push(Window {
                end: now.floor() as u64 + window,
                ..Window::default()
            });
        }
        let Some(w) = ws.last_mut() else {
            return ResponseTemplate::new(500);
        };
        let date = httpdate::fmt_http_date(SystemTime::now());
        let allowed = w.ok < limit;
        if allowed {
            w.ok += 1;
        } else {
            w.rejected += 1;
        }
        let remaining = limit.saturating_sub(w.ok);
        let t = if allowed {
            ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json")
        } else {
            ResponseTemplate::new(429).set_body_json(json!({"errorCode": "E0000047",
                "errorSummary": "API call exceeded rate limit due to too many requests.",
                "errorLink": "E0000047", "errorId": "oaebench", "errorCauses": []}))
        };
        t.insert_header("date", date.as_str())
            .insert_header("x-rate-limit-limit", limit.to_string().as_str())
            .insert_header("x-rate-limit-remaining", remaining.to_string().as_str())
            .insert_header("x-rate-limit-reset", w.end.to_string().as_str())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: f64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let window = arg(1, 10.0) as u64;
    let windows = arg(2, 3.0) as u64;
    let tasks = arg(3, 8.0) as usize;
    let share = arg(4, 1.0);
    let (list_limit, get_limit) = (600u64, 1000u64);

    let server = MockServer::start().await;
    let limiter = Arc::new(Mutex::new(Limiter::default()));
    let users: Vec<_> = (0..20)
        .map(|i| json!({"id": format!("00u{i:017}"), "status": "ACTIVE", "profile": {"login": format!("u{i}@example.com")}}))
        .collect();
    let list_body = serde_json::to_string(&users)?;
    let one_body = serde_json::to_string(&users[0])?;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .respond_with(limited(
            limiter.clone(),
            "list",
            list_limit,
            window,
            list_body,
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/api/v1/users/[^/]+$"))
        .respond_with(limited(limiter.clone(), "get", get_limit, window, one_body))
        .mount(&server)
        .await;

    let config = Config::with_api_token(&server.uri(), "bench")?.rate_limit_share(share);
    let client = Client::new(config)?;
    let started = Instant::now();
    let run_for = Duration::from_secs(window * windows + 1);
    let errors = Arc::new(Mutex::new(0u64));
    let mut handles = Vec::new();
    for t in 0..tasks {
        let c = client.clone();
        let errors = errors.clone();
        handles.push(tokio::spawn(async move {
            while started.elapsed() < run_for {
                let r = if t % 2 == 0 {
                    c.users()
                        .list_page(ListUsers::new().limit(20))
                        .await
                        .map(|_| ())
                } else {
                    c.users()
                        .get("00u00000000000000001", None)
                        .await
                        .map(|_| ())
                };
                if r.is_err() {
                    *errors.lock().unwrap_or_else(|e| e.into_inner()) += 1;
                }
            }
        }));
    }
    for h in handles {
        h.await?;
    }
    let l = limiter.lock().unwrap_or_else(|e| e.into_inner());
    println!(
        "| bucket | limit/window | windows | served | 429s | 429s/window | achieved fraction of allowed rate |"
    );
    println!("|---|--:|--:|--:|--:|--:|--:|");
    for (bucket, limit) in [("list", list_limit), ("get", get_limit)] {
        let ws = l.windows.get(bucket).cloned().unwrap_or_default();
        // Complete windows only: drop the last (partial) one.
        let full = &ws[..ws.len().saturating_sub(1)];
        let served: u64 = full.iter().map(|w| w.ok).sum();
        let rejected: u64 = full.iter().map(|w| w.rejected).sum();
        let allowed = (limit as f64 * share).floor() * full.len() as f64;
        let n = full.len().max(1) as f64;
        println!(
            "| {bucket} | {limit} (share {share}) | {} | {served} | {rejected} | {:.2} | {:.1}% |",
            full.len(),
            rejected as f64 / n,
            100.0 * served as f64 / allowed.max(1.0)
        );
    }
    println!(
        "\n{tasks} tasks, {window} s windows, failed calls: {}",
        *errors.lock().unwrap_or_else(|e| e.into_inner())
    );
    Ok(())
}
