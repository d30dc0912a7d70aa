//! The connection's rate-limit share holds for the whole cluster: three "processes" (three
//! stores on one PostgreSQL, three clients built by the `ClientFactory`, each with its own pacer)
//! hammer one bucket of the emulator concurrently for a few windows. Per window the emulator
//! counts at most `floor(limit × share)` plus the documented slack, and at most one 429.
//! PostgreSQL only: on SQLite there is one process and no shared ledger.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};
use spindle_okta::{CallStats, Client, Method, Request};
use spindle_server::{ClientFactory, OrgUrlPolicy};
use spindle_store::{Backend, MasterKey, NewConnection, Store};

use crate::common::with_database;

const LIMIT: u32 = 100;
const WINDOW: Duration = Duration::from_secs(2);
const RUN: Duration = Duration::from_millis(10_500);
const PROCESSES: usize = 3;
const TASKS: usize = 4;

/// What one run measured.
#[derive(Debug)]
struct Run {
    /// Per window (`X-Rate-Limit-Reset`): the 200s Okta counted in it.
    accepted: BTreeMap<u64, u32>,
    /// Per window as the emulator's request log shows it: (200s, 429s).
    logged: Vec<(u32, u32)>,
    /// 429s the clients saw.
    throttled: u64,
    /// Calls that failed for good.
    failed: u64,
}

async fn clients(db_url: &str, emu: &Emulator, share: f64) -> (Vec<Client>, Vec<Arc<CallStats>>) {
    let key = MasterKey::generate();
    let mut stores = Vec::new();
    for _ in 0..PROCESSES {
        stores.push(
            Store::connect(db_url, key.clone())
                .await
                .expect("the store opens"),
        );
    }
    let connection = stores[0]
        .connections()
        .create(NewConnection::api_token(
            "acme",
            emu.url(),
            emu.token().to_owned().into(),
        ))
        .await
        .expect("a connection");
    let mut clients = Vec::new();
    let mut stats = Vec::new();
    for store in &stores {
        // Each "process" has its own factory, store and client (so its own pacer).
        let factory = ClientFactory::new(OrgUrlPolicy {
            allow_private: true,
            allowed_domains: Vec::new(),
        });
        let org = factory
            .clients(store, connection.clone())
            .await
            .expect("clients")
            .org;
        org.set_rate_limit_share(share).expect("a share");
        let s = Arc::new(CallStats::new());
        clients.push(org.with_stats(Arc::clone(&s)));
        stats.push(s);
    }
    (clients, stats)
}

async fn hammer(db_url: String, share: f64) -> Run {
    let emu = Emulator::start(EmulatorConfig {
        users: 3,
        rate_limit: RateLimitMode::PerWindow(LIMIT),
        rate_limit_window: WINDOW,
        ..EmulatorConfig::default()
    })
    .await
    .expect("the emulator starts");
    let (clients, stats) = clients(&db_url, &emu, share).await;
    let users: Value = clients[0]
        .call(Request::new(Method::GET, "/api/v1/users", "/api/v1/users").query("limit", 1))
        .await
        .expect("a user");
    let id = users[0]["id"].as_str().expect("a user id").to_owned();
    let admin = reqwest::Client::new();
    let log_url = format!("{}/__emulator/requests", emu.url());
    let since = admin
        .get(format!("{log_url}?limit=1"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["lastSeq"]
        .as_u64()
        .unwrap();

    let accepted = Arc::new(Mutex::new(BTreeMap::<u64, u32>::new()));
    let failed = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let stop = Instant::now() + RUN;
    let mut tasks = Vec::new();
    for client in &clients {
        for _ in 0..TASKS {
            let (client, accepted, failed) =
                (client.clone(), Arc::clone(&accepted), Arc::clone(&failed));
            let path = format!("/api/v1/users/{id}");
            tasks.push(tokio::spawn(async move {
                while Instant::now() < stop {
                    let req = Request::new(Method::GET, "/api/v1/users/{id}", path.clone());
                    match client.send(req).await {
                        Ok(resp) => {
                            let reset = resp
                                .headers
                                .get("x-rate-limit-reset")
                                .and_then(|v| v.to_str().ok())
                                .and_then(|v| v.parse::<u64>().ok())
                                .unwrap_or(0);
                            *accepted.lock().unwrap().entry(reset).or_default() += 1;
                        }
                        Err(_) => {
                            failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                }
            }));
        }
    }
    for t in tasks {
        t.await.expect("a hammering task");
    }

    // The emulator's own count, per window as it opens them: a window starts with the first
    // request after the previous one's end.
    let log = admin
        .get(format!("{log_url}?since={since}&limit=100000"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let mut logged: Vec<(u32, u32)> = Vec::new();
    let mut start: Option<u128> = None;
    let window_ms = WINDOW.as_millis();
    for e in log["requests"].as_array().unwrap() {
        if e["method"] != "GET" || e["path"] != format!("/api/v1/users/{id}") {
            continue;
        }
        let t = u128::from(e["timeMs"].as_u64().unwrap());
        if start.is_none_or(|s| t >= s + window_ms) {
            start = Some(t);
            logged.push((0, 0));
        }
        let last = logged.last_mut().unwrap();
        match e["status"].as_u64() {
            Some(429) => last.1 += 1,
            _ => last.0 += 1,
        }
    }
    emu.shutdown().await;
    let accepted = accepted.lock().unwrap().clone();
    Run {
        accepted,
        logged,
        throttled: stats.iter().map(|s| s.throttled()).sum(),
        failed: failed.load(std::sync::atomic::Ordering::Relaxed),
    }
}

/// Checks a run against the budget and prints what it measured.
fn check(run: &Run, share: f64) {
    let budget = (f64::from(LIMIT) * share).floor() as u32;
    // Before the bucket's limits are known each process lets a few requests go (4), reported
    // to the ledger when their answers arrive; later windows: an early probe counted in the old
    // window, and a request granted in one window that Okta counts in the next.
    let first_slack = 4 * PROCESSES as u32;
    let slack = 2;
    let windows: Vec<(u64, u32)> = run.accepted.iter().map(|(r, n)| (*r, *n)).collect();
    assert!(windows.len() >= 4, "{run:?}");
    for (i, (reset, n)) in windows.iter().enumerate() {
        let allowed = budget + if i == 0 { first_slack } else { slack };
        assert!(
            *n <= allowed.min(LIMIT),
            "window {reset}: {n} calls > {allowed} ({run:?})"
        );
    }
    for (i, (ok, throttled)) in run.logged.iter().enumerate() {
        assert!(*throttled <= 1, "window {i}: {throttled} 429s ({run:?})");
        assert!(*ok <= LIMIT, "{run:?}");
    }
    assert_eq!(run.failed, 0, "{run:?}");
    // Full windows (not the first, not the last, cut by the end of the run).
    let full = &windows[1..windows.len() - 1];
    let used: u32 = full.iter().map(|(_, n)| n).sum();
    let allowed = budget * u32::try_from(full.len()).unwrap();
    let pct = f64::from(used) * 100.0 / f64::from(allowed);
    eprintln!(
        "share {share}: {PROCESSES} clients together used {used} of {allowed} allowed calls in \
         {} full windows ({pct:.0}% of the budget; per window {:?}), {} 429s ({} windows)",
        full.len(),
        full.iter().map(|(_, n)| n).collect::<Vec<_>>(),
        run.throttled,
        windows.len(),
    );
    assert!(
        pct >= 60.0,
        "the cluster used only {pct:.0}% of its budget ({run:?})"
    );
    assert!(
        run.throttled <= windows.len() as u64,
        "more than one 429 per window ({run:?})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_stay_within_half_the_limit() {
    with_database(Backend::Postgres, |db| async move {
        let run = hammer(db.url, 0.5).await;
        check(&run, 0.5);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_on_the_whole_limit_get_at_most_one_429_per_window() {
    with_database(Backend::Postgres, |db| async move {
        let run = hammer(db.url, 1.0).await;
        check(&run, 1.0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_does_not_stop_okta_calls() {
    with_database(Backend::Postgres, |db| async move {
        let emu = Emulator::start(EmulatorConfig {
            users: 1,
            rate_limit: RateLimitMode::PerWindow(LIMIT),
            rate_limit_window: WINDOW,
            ..EmulatorConfig::default()
        })
        .await
        .expect("the emulator starts");
        let store = Store::connect(&db.url, MasterKey::generate())
            .await
            .expect("the store opens");
        let connection = store
            .connections()
            .create(NewConnection::api_token(
                "acme",
                emu.url(),
                emu.token().to_owned().into(),
            ))
            .await
            .expect("a connection");
        let factory = ClientFactory::new(OrgUrlPolicy {
            allow_private: true,
            allowed_domains: Vec::new(),
        });
        let org = factory
            .clients(&store, connection)
            .await
            .expect("clients")
            .org;
        // The database goes away: every claim fails; the calls go on, paced locally.
        store.close().await;
        let started = Instant::now();
        for _ in 0..10 {
            org.send(Request::new(Method::GET, "/api/v1/users", "/api/v1/users"))
                .await
                .expect("Okta calls go on without the ledger");
        }
        assert!(started.elapsed() < Duration::from_secs(10));
        emu.shutdown().await;
    })
    .await;
}
