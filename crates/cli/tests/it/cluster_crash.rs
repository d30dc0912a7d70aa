//! Three `spindle serve` processes on one PostgreSQL database, the org changing under them, a
//! receiver recording every webhook delivery, and twenty SIGKILLs of random processes (each
//! restarted at once) while they sync and deliver. At the end: the store equals the org, the
//! change feed replays to it, every change reached the receiver, repeats came only under their
//! first `webhook-id` with the same body, and one record's changes arrived in order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use spindle_store::{Backend, testing};

use crate::procs::{self, Api, Proc, cli};

const PROCESSES: usize = 3;
const KILLS: u64 = 20;

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Got {
    id: String,
    body: Value,
    verified: bool,
}

/// A webhook receiver on `127.0.0.1` that answers 200 after a short, varying delay (so that
/// attempts are in flight when a process is killed) and records every request in arrival order.
#[derive(Debug, Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Got>>>,
    secret: Arc<OnceLock<String>>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let verified = receiver.secret.get().is_some_and(|secret| {
        standardwebhooks::Webhook::new(secret)
            .is_ok_and(|hook| hook.verify(&body, &headers).is_ok())
    });
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    // Recorded on arrival: the order of arrival is what the receiver sees.
    let delay = {
        let mut got = receiver.got.lock().expect("the log");
        got.push(Got { id, body, verified });
        (got.len() as u64 * 7919) % 40
    };
    tokio::time::sleep(Duration::from_millis(delay)).await;
    StatusCode::OK
}

impl Receiver {
    async fn start() -> (Receiver, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let url = format!(
            "http://{}/hooks",
            listener.local_addr().expect("an address")
        );
        let receiver = Receiver::default();
        let app = Router::new().fallback(receive).with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().expect("the log").clone()
    }
}

/// A small deterministic generator (the test's choices repeat from run to run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// One of the three gateways.
fn serve(dir: &Path, database: &str) -> (Proc, String) {
    procs::serve(
        dir,
        &[
            "--database-url",
            database,
            "--allow-private-orgs",
            "--allow-private-webhooks",
            "--sync-lease",
            "1s",
            "--webhook-attempt-timeout",
            "1s",
            "--webhook-lease",
            "3s",
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_gateways_on_postgres_lose_nothing_to_twenty_kills() {
    testing::with_database(Backend::Postgres, |db| async move {
        let dir = tempfile::tempdir().expect("tempdir");
        let dir = dir.path();
        let database = db.url.as_str();
        let (_emulator, org, token) = procs::emulator(dir, 400, 8);
        let key = cli(
            dir,
            &[
                "keys",
                "create",
                "cluster",
                "--scope",
                "full",
                "--database-url",
                database,
            ],
            "",
        )
        .trim()
        .to_owned();
        cli(
            dir,
            &[
                "connections",
                "add",
                "emu",
                "--org-url",
                &org,
                "--token-stdin",
                "--allow-private-orgs",
                "--database-url",
                database,
            ],
            &format!("{token}\n"),
        );

        let mut gateways: Vec<(Proc, String)> =
            (0..PROCESSES).map(|_| serve(dir, database)).collect();
        let mut api = Api {
            http: reqwest::Client::new(),
            gateway: gateways[0].1.clone(),
            key,
            org,
            token,
            conn: "emu".to_owned(),
        };
        let (receiver, hook_url) = Receiver::start().await;
        let created = api
            .call("POST", "/v1/webhooks", Some(json!({"url": hook_url})))
            .await;
        let secret = created["secret"].as_str().expect("a secret").to_owned();
        receiver.secret.set(secret).expect("set once");
        let hook = created["id"].as_str().expect("an id").to_owned();

        // Kill a random process every 0.3–0.9 s while the org changes and syncs run.
        let mut rng = Lcg(15);
        let mut runs = BTreeSet::new();
        for kill in 0..KILLS {
            let run = api.queue(kill % 5 == 0).await;
            runs.insert(run["id"].as_str().expect("a run id").to_owned());
            tokio::time::sleep(Duration::from_millis(300 + rng.next(600))).await;
            let victim = usize::try_from(rng.next(PROCESSES as u64)).expect("small");
            let (proc, _) = gateways.remove(victim);
            proc.kill();
            api.gateway = gateways[0].1.clone();
            api.churn(kill + 1, 15).await;
            gateways.insert(victim, serve(dir, database));
        }

        // Runs that start after the last change: the store must then equal the org.
        let last = loop {
            let run = api.queue(false).await;
            let id = run["id"].as_str().expect("a run id").to_owned();
            let done = api
                .wait_run(&id, 180, |r| {
                    ["succeeded", "failed"].contains(&r["state"].as_str().unwrap_or_default())
                })
                .await;
            if runs.insert(id) {
                break done;
            }
        };
        assert_eq!(last["state"], "succeeded", "{last}");

        let org = api.org().await;
        assert!(org.users.len() >= 400, "{}", org.users.len());
        let copy = api.records().await;
        org.assert_eq(&copy, "store vs org");
        let replay = api.replay().await;
        copy.assert_eq(&replay, "feed replay vs store");
        let sync = api.call("GET", "/v1/connections/emu/sync", None).await;
        let last_seq = sync["feed"]["seq"].as_u64().expect("the feed's last seq");

        // Every change reaches the receiver.
        let deadline = Instant::now() + Duration::from_secs(120);
        let got = loop {
            let got = receiver.got();
            let seqs: BTreeSet<u64> = got
                .iter()
                .filter_map(|g| g.body["data"]["seq"].as_u64())
                .collect();
            if seqs.len() as u64 >= last_seq {
                break got;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {last_seq} changes delivered",
                seqs.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        for state in ["pending", "dead"] {
            let left = api
                .call(
                    "GET",
                    &format!("/v1/webhooks/{hook}/deliveries?state={state}&limit=10"),
                    None,
                )
                .await;
            assert_eq!(left["items"], json!([]), "{state} deliveries left");
        }

        // Signed, one id per change, the same body on every repeat, nothing but the feed.
        let mut by_seq: BTreeMap<u64, (String, Value)> = BTreeMap::new();
        let mut repeats = 0;
        for g in &got {
            assert!(g.verified, "a delivery failed verification: {}", g.id);
            let seq = g.body["data"]["seq"].as_u64().expect("data.seq");
            assert!(
                (1..=last_seq).contains(&seq),
                "seq {seq} is not in the feed"
            );
            match by_seq.get(&seq) {
                None => {
                    by_seq.insert(seq, (g.id.clone(), g.body.clone()));
                }
                Some((id, body)) => {
                    repeats += 1;
                    assert_eq!(id, &g.id, "change {seq} came under two webhook-ids");
                    assert_eq!(body, &g.body, "change {seq} came with two bodies");
                }
            }
        }
        assert_eq!(by_seq.len() as u64, last_seq, "every change delivered");

        // One record's changes in order of arrival (a repeat may follow its first copy, never a
        // later change).
        let mut latest: BTreeMap<(String, String), u64> = BTreeMap::new();
        for g in &got {
            let data = &g.body["data"];
            let record = (
                data["object"].as_str().expect("object").to_owned(),
                data["record_id"].as_str().expect("record_id").to_owned(),
            );
            let seq = data["seq"].as_u64().expect("seq");
            let before = latest.insert(record.clone(), seq).unwrap_or(0);
            assert!(
                seq >= before,
                "{record:?}: change {seq} arrived after {before}"
            );
        }

        let listed = api
            .call("GET", "/v1/connections/emu/sync/runs?limit=100", None)
            .await;
        let listed = listed["items"].as_array().expect("items");
        let attempts: Vec<i64> = listed
            .iter()
            .map(|r| r["attempts"].as_i64().unwrap_or(0))
            .collect();
        let resumed = attempts.iter().filter(|a| **a > 1).count();
        assert!(resumed > 0, "no run was taken over: {listed:?}");
        eprintln!(
            "cluster crash test: {KILLS} kills, {} runs ({resumed} taken over after a kill), \
             {last_seq} changes, {} requests to the receiver ({repeats} repeats); attempts per \
             run {attempts:?}",
            listed.len(),
            got.len()
        );
        drop(gateways);
    })
    .await;
}
