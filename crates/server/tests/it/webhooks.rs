//! Webhooks end to end, on SQLite and PostgreSQL: a receiver on loopback records what the
//! gateway's sender POSTs; the deliveries are verified with the `standardwebhooks` crate (and
//! the gateway's own helper). Secrets shown once; retries keep the `webhook-id`; one record's
//! changes arrive in order; rotation signs with both secrets; `410 Gone` disables; failures end
//! dead and replay sends them again; private URLs refused without the flag.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use reqwest::Method;
use serde_json::{Value, json};
use spindle_server::Settings;
use spindle_store::{Commit, RecordWrite, RunState, SyncObject, SyncRunId};

use crate::common::{Key, TestDatabase, TestGateway, both_backends, dev_settings};

both_backends!(
    a_sync_delivers_signed_webhooks,
    retries_keep_the_id_and_one_record_arrives_in_order,
    a_rotation_signs_with_both_secrets,
    gone_disables_failures_die_and_replay_sends_again,
    an_outage_delays_but_loses_and_reorders_nothing,
    bad_webhooks_are_refused_and_named,
);

/// What the receiver got.
#[derive(Debug, Clone)]
struct Got {
    path: String,
    headers: HeaderMap,
    body: Bytes,
    answered: u16,
}

impl Got {
    fn id(&self) -> &str {
        self.headers["webhook-id"].to_str().expect("an id")
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    fn kind(&self) -> String {
        self.json()["type"].as_str().unwrap_or_default().to_owned()
    }
}

#[derive(Debug, Default)]
struct Script {
    got: Vec<Got>,
    /// Answer 500 to the first request of each `webhook-id`.
    fail_first: bool,
    /// The status of every other answer (200 by default).
    status: Option<u16>,
    /// Until then, paths under `/down` answer 500 or do not answer for 2 s, in turns.
    down_until: Option<Instant>,
    seen: HashSet<String>,
}

/// A webhook receiver on `127.0.0.1`: `/gone` always answers 410, other paths follow the
/// script.
#[derive(Debug, Clone, Default)]
struct Receiver {
    script: Arc<Mutex<Script>>,
    base: String,
}

async fn receive(
    State(receiver): State<Receiver>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let hang = {
        let mut script = receiver.script.lock().expect("the script");
        let down = uri.path().starts_with("/down") && script.down_until > Some(Instant::now());
        let hang = down && script.got.len() % 2 == 0;
        if hang {
            script.got.push(Got {
                path: uri.path().to_owned(),
                headers: headers.clone(),
                body: body.clone(),
                answered: 0,
            });
        }
        hang
    };
    if hang {
        // Longer than the attempt timeout: the sender gives up first.
        tokio::time::sleep(Duration::from_secs(2)).await;
        return (StatusCode::SERVICE_UNAVAILABLE, "too late");
    }
    let mut script = receiver.script.lock().expect("the script");
    let down = uri.path().starts_with("/down") && script.down_until > Some(Instant::now());
    let id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let first = script.seen.insert(id);
    let answered = if uri.path() == "/gone" {
        410
    } else if down || (script.fail_first && first) {
        500
    } else {
        script.status.unwrap_or(200)
    };
    script.got.push(Got {
        path: uri.path().to_owned(),
        headers,
        body,
        answered,
    });
    (
        StatusCode::from_u16(answered).expect("a status"),
        "receiver says hi",
    )
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let receiver = Receiver {
            base: format!("http://{}", listener.local_addr().expect("an address")),
            ..Receiver::default()
        };
        let app = Router::new().fallback(receive).with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn got(&self) -> Vec<Got> {
        self.script.lock().expect("the script").got.clone()
    }

    fn set(&self, f: impl FnOnce(&mut Script)) {
        f(&mut self.script.lock().expect("the script"));
    }

    /// Waits until `ready` holds for what was received (20 s at most).
    async fn wait_for(&self, what: &str, ready: impl Fn(&[Got]) -> bool) -> Vec<Got> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.got();
            if ready(&got) {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; got {:#?}",
                got.iter()
                    .map(|g| (g.path.clone(), g.kind(), g.answered))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Settings with private receivers allowed and a schedule in milliseconds (3 attempts).
fn fast_settings() -> Settings {
    let mut settings = dev_settings();
    settings.allow_private_webhooks = true;
    settings.webhook_retry_schedule = vec![Duration::from_millis(30), Duration::from_millis(30)];
    settings.webhook_poll = Duration::from_millis(25);
    settings
}

/// A gateway without a sync worker: batches are committed through the store in the tests.
async fn quiet_gateway(db: &TestDatabase) -> TestGateway {
    let mut settings = fast_settings();
    settings.sync_worker = false;
    TestGateway::builder()
        .database(db)
        .connection("acme")
        .settings(settings)
        .build()
        .await
}

const LEASE: Duration = Duration::from_secs(60);

/// Commits one batch of the connection's run (queued and claimed by a pretend worker).
async fn commit(gw: &TestGateway, writes: Vec<RecordWrite>) {
    let sync = gw.store.sync();
    let conn = &gw.connection().id;
    let (run, _) = sync
        .request_run(conn, false, "request")
        .await
        .expect("a run");
    if run.state == RunState::Queued {
        sync.claim("test", LEASE).await.expect("claim");
    }
    let id: SyncRunId = run.id;
    let mut batch = Commit::new(id, "test");
    batch.writes = writes;
    sync.commit(conn, batch).await.expect("commit");
}

fn employee(id: &str, title: &str) -> RecordWrite {
    RecordWrite::Upsert {
        object: SyncObject::Employees,
        id: id.into(),
        data: json!({"id": id, "title": title, "raw": {"id": id, "status": "ACTIVE"}}),
        okta_at: None,
        terminal: false,
    }
}

/// Creates a webhook to `url`; returns its id and secret.
async fn create(gw: &TestGateway, body: Value) -> (String, String) {
    let created = gw.post("/v1/webhooks", body).await;
    let created = created.ok(201);
    let secret = created["secret"].as_str().expect("a secret").to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    (created["id"].as_str().expect("an id").to_owned(), secret)
}

fn verifies(secret: &str, got: &Got) -> bool {
    standardwebhooks::Webhook::new(secret)
        .expect("a secret")
        .verify(&got.body, &got.headers)
        .is_ok()
}

async fn a_sync_delivers_signed_webhooks(db: TestDatabase) {
    let receiver = Receiver::start().await;
    let gw = TestGateway::builder()
        .database(&db)
        .users(3)
        .connection("acme")
        .settings(fast_settings())
        .build()
        .await;
    let (id, secret) = create(
        &gw,
        json!({"url": receiver.url("/hooks"), "description": "HR",
               "events": ["employee.created", "employee.updated"], "connections": ["acme"]}),
    )
    .await;

    // The secret is shown once: not by GET, nor by the list.
    for path in [format!("/v1/webhooks/{id}"), "/v1/webhooks".to_owned()] {
        let read = gw.send(Method::GET, &path, Key::ReadOnly, None).await;
        read.ok(200);
        assert!(!read.text.contains(&secret), "{}", read.text);
        assert!(!read.text.contains("whsec_"), "{}", read.text);
    }
    let one = gw.get(&format!("/v1/webhooks/{id}")).await;
    let one = one.ok(200);
    assert_eq!(one["url"], receiver.url("/hooks"));
    assert_eq!(
        one["events"],
        json!(["employee.created", "employee.updated"])
    );
    assert_eq!(one["connections"], json!([gw.connection().id.to_string()]));
    assert_eq!(one["enabled"], true);
    assert_eq!(one["disabled_reason"], Value::Null);
    assert_eq!(one["previous_secret_until"], Value::Null);

    gw.put("/v1/connections/acme/sync", json!({})).await.ok(200);
    let run = gw.post("/v1/connections/acme/sync/run", json!({})).await;
    assert!(matches!(run.status, 200 | 202), "{}", run.text);

    let got = receiver
        .wait_for("three employee.created", |got| {
            got.iter()
                .filter(|g| g.kind() == "employee.created")
                .count()
                >= 3
        })
        .await;
    for g in &got {
        // Only the subscribed types arrive.
        assert!(g.kind().starts_with("employee."), "{}", g.kind());
        assert_eq!(g.headers["content-type"], "application/json");
        assert!(g.id().starts_with("msg_"), "{}", g.id());
        assert!(verifies(&secret, g), "{:?}", g.headers);
        spindle_server::webhooks::verify::verify(&secret, &g.headers, &g.body)
            .expect("the gateway's helper verifies it");
        let body = g.json();
        assert_eq!(
            body["data"]["connection_id"],
            gw.connection().id.to_string()
        );
        assert!(body["data"]["record"].is_object(), "{body}");
        assert!(body["timestamp"].is_string(), "{body}");
    }

    // Tampering with anything fails verification.
    let g = &got[0];
    let mut body = g.body.to_vec();
    body.push(b' ');
    let tampered_body = Got {
        body: body.into(),
        ..g.clone()
    };
    assert!(!verifies(&secret, &tampered_body));
    let mut tampered_id = g.clone();
    tampered_id
        .headers
        .insert("webhook-id", HeaderValue::from_static("msg_other"));
    assert!(!verifies(&secret, &tampered_id));
    let mut tampered_ts = g.clone();
    let ts: i64 = g.headers["webhook-timestamp"]
        .to_str()
        .expect("a timestamp")
        .parse()
        .expect("seconds");
    tampered_ts.headers.insert(
        "webhook-timestamp",
        HeaderValue::from_str(&(ts - 1).to_string()).expect("a header"),
    );
    assert!(!verifies(&secret, &tampered_ts));
    assert!(!verifies("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", g));
    assert!(
        spindle_server::webhooks::verify::verify("not a secret!", &g.headers, &g.body).is_err()
    );

    // The deliveries, with their attempts (recorded just after the receiver answered).
    let deadline = Instant::now() + Duration::from_secs(20);
    let items = loop {
        let list = gw
            .send(
                Method::GET,
                &format!("/v1/webhooks/{id}/deliveries?state=succeeded&limit=100"),
                Key::ReadOnly,
                None,
            )
            .await;
        let items = list.ok(200)["items"].as_array().expect("items").clone();
        if items.len() >= 3 {
            break items;
        }
        assert!(Instant::now() < deadline, "{}", list.text);
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let d = &items[0];
    assert_eq!(d["state"], "succeeded");
    assert_eq!(d["endpoint_id"], id.as_str());
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["attempt_log"][0]["status"], 200);
    assert_eq!(d["attempt_log"][0]["snippet"], "receiver says hi");
    assert!(d["delivered_at"].is_string());

    // The metrics count the attempts.
    let metrics = gw.send(Method::GET, "/metrics", Key::None, None).await;
    assert!(
        metrics
            .text
            .contains("spindle_webhook_attempts_total{outcome=\"delivered\"}"),
        "{}",
        metrics.text
    );
    assert!(metrics.text.contains("spindle_webhook_deliveries_pending"));
    assert!(metrics.text.contains("spindle_webhook_deliveries_dead"));
    gw.stop().await;
}

async fn retries_keep_the_id_and_one_record_arrives_in_order(db: TestDatabase) {
    let receiver = Receiver::start().await;
    receiver.set(|s| s.fail_first = true);
    let gw = quiet_gateway(&db).await;
    let (id, secret) = create(&gw, json!({"url": receiver.url("/in")})).await;

    commit(&gw, vec![employee("00u1", "Designer")]).await;
    commit(&gw, vec![employee("00u1", "Lead designer")]).await;

    let got = receiver
        .wait_for("two deliveries accepted", |got| {
            got.iter().filter(|g| g.answered == 200).count() >= 2
        })
        .await;
    let seen: Vec<(String, String, u16)> = got
        .iter()
        .map(|g| (g.id().to_owned(), g.kind(), g.answered))
        .collect();
    assert_eq!(seen.len(), 4, "{seen:?}");
    // The retry carries the same webhook-id; the update waits until the creation is accepted.
    assert_eq!(seen[0].0, seen[1].0, "{seen:?}");
    assert_eq!(seen[2].0, seen[3].0, "{seen:?}");
    assert_ne!(seen[0].0, seen[2].0, "{seen:?}");
    let kinds: Vec<(&str, u16)> = seen.iter().map(|(_, k, s)| (k.as_str(), *s)).collect();
    assert_eq!(
        kinds,
        [
            ("employee.created", 500),
            ("employee.created", 200),
            ("employee.updated", 500),
            ("employee.updated", 200)
        ]
    );
    for g in &got {
        assert!(verifies(&secret, g));
    }

    // Recorded just after the receiver answered.
    let deadline = Instant::now() + Duration::from_secs(20);
    let items = loop {
        let list = gw
            .get(&format!("/v1/webhooks/{id}/deliveries?state=succeeded"))
            .await;
        let items = list.ok(200)["items"].as_array().expect("items").clone();
        if items.len() == 2 {
            break items;
        }
        assert!(Instant::now() < deadline, "{}", list.text);
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    for d in &items {
        assert_eq!(d["state"], "succeeded", "{d}");
        let statuses: Vec<&Value> = d["attempt_log"]
            .as_array()
            .expect("attempts")
            .iter()
            .map(|a| &a["status"])
            .collect();
        assert_eq!(statuses, [&json!(500), &json!(200)], "{d}");
    }
    gw.stop().await;
}

async fn a_rotation_signs_with_both_secrets(db: TestDatabase) {
    let receiver = Receiver::start().await;
    let gw = quiet_gateway(&db).await;
    let (id, old) = create(&gw, json!({"url": receiver.url("/in")})).await;

    let rotated = gw
        .post(
            &format!("/v1/webhooks/{id}/rotate"),
            json!({"overlap": "1h"}),
        )
        .await;
    let rotated = rotated.ok(200);
    let new = rotated["secret"].as_str().expect("a secret").to_owned();
    assert!(new.starts_with("whsec_") && new != old);
    assert!(rotated["previous_secret_until"].is_string(), "{rotated}");
    let read = gw.get(&format!("/v1/webhooks/{id}")).await;
    assert!(!read.text.contains(&new) && !read.text.contains(&old));

    commit(&gw, vec![employee("00u1", "Designer")]).await;
    let got = receiver.wait_for("a delivery", |got| !got.is_empty()).await;
    let g = &got[0];
    let signatures: Vec<String> = g.headers["webhook-signature"]
        .to_str()
        .expect("signatures")
        .split(' ')
        .map(str::to_owned)
        .collect();
    assert_eq!(signatures.len(), 2, "{signatures:?}");
    assert!(verifies(&old, g) && verifies(&new, g));
    // One signature per secret.
    for (signature, secret) in signatures.iter().zip([&new, &old]) {
        let mut one = g.clone();
        one.headers.insert(
            "webhook-signature",
            HeaderValue::from_str(signature).expect("a header"),
        );
        assert!(verifies(secret, &one), "{signature}");
    }

    // Without overlap only the new secret signs.
    let again = gw
        .post(
            &format!("/v1/webhooks/{id}/rotate"),
            json!({"overlap": "0s"}),
        )
        .await;
    let newest = again.ok(200)["secret"]
        .as_str()
        .expect("a secret")
        .to_owned();
    commit(&gw, vec![employee("00u2", "Designer")]).await;
    let got = receiver
        .wait_for("a second delivery", |got| got.len() >= 2)
        .await;
    assert!(verifies(&newest, &got[1]));
    assert!(!verifies(&new, &got[1]));

    // Overlaps are bounded.
    gw.post(
        &format!("/v1/webhooks/{id}/rotate"),
        json!({"overlap": "8d"}),
    )
    .await
    .invalid("invalid_input", &["overlap"]);
    // A body is optional (24h).
    let plain = gw
        .send(
            Method::POST,
            &format!("/v1/webhooks/{id}/rotate"),
            Key::Full,
            None,
        )
        .await;
    plain.ok(200);
    gw.stop().await;
}

async fn gone_disables_failures_die_and_replay_sends_again(db: TestDatabase) {
    let receiver = Receiver::start().await;
    receiver.set(|s| s.status = Some(500));
    let gw = quiet_gateway(&db).await;
    let (gone, _) = create(&gw, json!({"url": receiver.url("/gone")})).await;
    let (failing, _) = create(&gw, json!({"url": receiver.url("/failing")})).await;

    commit(&gw, vec![employee("00u1", "Designer")]).await;

    // 410: the endpoint is disabled, its delivery dead.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let hook = gw.get(&format!("/v1/webhooks/{gone}")).await;
        if hook.json["enabled"] == false {
            assert_eq!(
                hook.json["disabled_reason"],
                "the receiver answered 410 Gone"
            );
            break;
        }
        assert!(Instant::now() < deadline, "{}", hook.text);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let dead = gw
        .get(&format!("/v1/webhooks/{gone}/deliveries?state=dead"))
        .await;
    assert_eq!(dead.ok(200)["items"][0]["attempt_log"][0]["status"], 410);

    // Always 500: dead after the schedule (3 attempts), each with the same id.
    let deadline = Instant::now() + Duration::from_secs(20);
    let delivery = loop {
        let list = gw
            .get(&format!("/v1/webhooks/{failing}/deliveries?state=dead"))
            .await;
        if let Some(d) = list.ok(200)["items"].get(0) {
            break d.clone();
        }
        assert!(Instant::now() < deadline, "{}", list.text);
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(delivery["attempts"], 3, "{delivery}");
    assert_eq!(delivery["next_attempt_at"], Value::Null);
    let to_failing: Vec<Got> = receiver
        .got()
        .into_iter()
        .filter(|g| g.path == "/failing")
        .collect();
    assert_eq!(to_failing.len(), 3);
    assert!(to_failing.iter().all(|g| g.id() == delivery["id"]));
    let metrics = gw.send(Method::GET, "/metrics", Key::None, None).await;
    assert!(
        metrics.text.contains("spindle_webhook_deliveries_dead 2"),
        "{}",
        metrics.text
    );

    // Replayed by id once the receiver is fixed: delivered, same id.
    receiver.set(|s| s.status = None);
    let replayed = gw
        .post(
            &format!("/v1/webhooks/{failing}/replay"),
            json!({"delivery_id": delivery["id"]}),
        )
        .await;
    assert_eq!(replayed.ok(200), &json!({"replayed": 1}));
    receiver
        .wait_for("the replayed delivery", |got| {
            got.iter()
                .any(|g| g.path == "/failing" && g.answered == 200 && g.id() == delivery["id"])
        })
        .await;
    // Recorded: the schedule started again, the attempt log goes on.
    let deadline = Instant::now() + Duration::from_secs(20);
    let replayed = loop {
        let list = gw
            .get(&format!(
                "/v1/webhooks/{failing}/deliveries?state=succeeded"
            ))
            .await;
        if let Some(d) = list.ok(200)["items"].get(0) {
            break d.clone();
        }
        assert!(Instant::now() < deadline, "{}", list.text);
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(replayed["attempts"], 1, "{replayed}");
    let log: Vec<(&Value, &Value)> = replayed["attempt_log"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| (&a["attempt"], &a["status"]))
        .collect();
    assert_eq!(
        log,
        [
            (&json!(1), &json!(500)),
            (&json!(2), &json!(500)),
            (&json!(3), &json!(500)),
            (&json!(4), &json!(200))
        ],
        "{replayed}"
    );
    // By connection and sequence number, for the re-enabled endpoint.
    gw.patch(&format!("/v1/webhooks/{gone}"), json!({"enabled": true}))
        .await
        .ok(200);
    gw.patch(
        &format!("/v1/webhooks/{gone}"),
        json!({"url": receiver.url("/fixed")}),
    )
    .await
    .ok(200);
    let replayed = gw
        .post(
            &format!("/v1/webhooks/{gone}/replay"),
            json!({"connection": "acme", "from_seq": 0}),
        )
        .await;
    assert_eq!(replayed.ok(200), &json!({"replayed": 1}));
    receiver
        .wait_for("the replay to the fixed URL", |got| {
            got.iter().any(|g| g.path == "/fixed" && g.answered == 200)
        })
        .await;

    // Unknown deliveries and bad replays are named.
    gw.post(
        &format!("/v1/webhooks/{failing}/replay"),
        json!({"delivery_id": "msg_01JQ2ZK8V6S4D1X3M9T0B7C5NA"}),
    )
    .await
    .problem(404, "not_found");
    gw.post(&format!("/v1/webhooks/{failing}/replay"), json!({}))
        .await
        .invalid("invalid_input", &["delivery_id"]);
    gw.post(
        &format!("/v1/webhooks/{failing}/replay"),
        json!({"connection": "acme"}),
    )
    .await
    .invalid("invalid_input", &["from_seq"]);

    // Delete.
    let deleted = gw
        .send(
            Method::DELETE,
            &format!("/v1/webhooks/{failing}"),
            Key::Full,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    gw.get(&format!("/v1/webhooks/{failing}"))
        .await
        .problem(404, "not_found");
    gw.stop().await;
}

/// A receiver down for a while (500s and answers that never come in time) gets everything once
/// it is up again, one record's changes in order; another endpoint is not held back meanwhile.
async fn an_outage_delays_but_loses_and_reorders_nothing(db: TestDatabase) {
    let receiver = Receiver::start().await;
    receiver.set(|s| s.down_until = Some(Instant::now() + Duration::from_secs(3600)));
    let mut settings = fast_settings();
    settings.sync_worker = false;
    // Enough attempts for the outage; each attempt gives up after 300 ms.
    settings.webhook_retry_schedule = vec![Duration::from_millis(100); 60];
    settings.webhook_attempt_timeout = Duration::from_millis(300);
    settings.webhook_lease = Duration::from_secs(2);
    let gw = TestGateway::builder()
        .database(&db)
        .connection("acme")
        .settings(settings)
        .build()
        .await;
    let (down, secret) = create(&gw, json!({"url": receiver.url("/down")})).await;
    create(&gw, json!({"url": receiver.url("/healthy")})).await;

    // Four records, three changes each, interleaved, one commit per change.
    let records = ["00u1", "00u2", "00u3", "00u4"];
    for (round, title) in ["Designer", "Lead designer", "Head of design"]
        .into_iter()
        .enumerate()
    {
        for id in records {
            commit(&gw, vec![employee(id, &format!("{title} {round}"))]).await;
        }
    }
    let changes = records.len() * 3;

    // The healthy endpoint gets everything while the other is down.
    let healthy = |got: &[Got]| {
        got.iter()
            .filter(|g| g.path == "/healthy" && g.answered == 200)
            .count()
    };
    receiver
        .wait_for("the healthy endpoint's deliveries", |got| {
            healthy(got) == changes
        })
        .await;
    // Both kinds of failure recorded, nothing delivered.
    let failed = |d: &Value, what: &dyn Fn(&Value) -> bool| {
        d["attempt_log"]
            .as_array()
            .is_some_and(|a| a.iter().any(what))
    };
    let timed_out = |a: &Value| a["error"].as_str().is_some_and(|e| e.contains("timed out"));
    let five_hundred = |a: &Value| a["status"] == 500;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let pending = gw
            .get(&format!(
                "/v1/webhooks/{down}/deliveries?state=pending&limit=100"
            ))
            .await;
        let pending = pending.ok(200)["items"].as_array().expect("items").clone();
        assert_eq!(pending.len(), changes, "{pending:?}");
        if pending.iter().any(|d| failed(d, &timed_out))
            && pending.iter().any(|d| failed(d, &five_hundred))
        {
            break;
        }
        assert!(Instant::now() < deadline, "{pending:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        receiver
            .got()
            .iter()
            .filter(|g| g.path == "/down")
            .all(|g| g.answered != 200)
    );

    // Up again: everything arrives, each record's changes in order.
    receiver.set(|s| s.down_until = None);
    let got = receiver
        .wait_for("every delivery after the outage", |got| {
            got.iter()
                .filter(|g| g.path == "/down" && g.answered == 200)
                .count()
                >= changes
        })
        .await;
    let mut latest: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut delivered = HashSet::new();
    for g in got.iter().filter(|g| g.path == "/down") {
        let data = g.json()["data"].clone();
        let record = data["record_id"].as_str().expect("record_id").to_owned();
        let seq = data["seq"].as_u64().expect("seq");
        let before = latest.insert(record.clone(), seq).unwrap_or(0);
        assert!(
            seq >= before,
            "{record}: change {seq} was sent after {before}"
        );
        if g.answered == 200 {
            assert!(verifies(&secret, g));
            assert!(delivered.insert(seq), "change {seq} accepted twice");
        }
    }
    assert_eq!(delivered.len(), changes);
    gw.stop().await;
}

async fn bad_webhooks_are_refused_and_named(db: TestDatabase) {
    // Without --allow-private-webhooks.
    let gw = TestGateway::builder()
        .database(&db)
        .connection("acme")
        .build()
        .await;
    for url in [
        "http://127.0.0.1:9/in",
        "https://127.0.0.1/in",
        "https://localhost/in",
        "https://10.0.0.1/in",
        "ftp://hooks.example.com",
        "not a url",
    ] {
        let refused = gw.post("/v1/webhooks", json!({"url": url})).await;
        refused.invalid("invalid_input", &["url"]);
    }
    let refused = gw
        .post("/v1/webhooks", json!({"url": "https://127.0.0.1/in"}))
        .await;
    assert!(
        refused.text.contains("--allow-private-webhooks"),
        "{}",
        refused.text
    );
    gw.stop().await;

    // With it (the same store: `acme` is there already).
    let mut settings = fast_settings();
    settings.sync_worker = false;
    let gw = TestGateway::builder()
        .database(&db)
        .settings(settings)
        .build()
        .await;
    let ok = "http://127.0.0.1:9/in";
    gw.post(
        "/v1/webhooks",
        json!({"url": ok, "events": ["employee.exploded"]}),
    )
    .await
    .invalid("invalid_input", &["events"]);
    gw.post(
        "/v1/webhooks",
        json!({"url": ok, "connections": ["nobody"]}),
    )
    .await
    .invalid("invalid_input", &["connections"]);
    gw.post("/v1/webhooks", json!({"url": ok, "secret": "whsec_mine"}))
        .await
        .problem(422, "invalid_input");
    // Read-only keys read, but do not write.
    gw.send(
        Method::POST,
        "/v1/webhooks",
        Key::ReadOnly,
        Some(json!({"url": ok})),
    )
    .await
    .problem(403, "forbidden");
    let (id, _) = create(&gw, json!({"url": ok, "connections": ["acme"]})).await;
    gw.send(Method::GET, "/v1/webhooks", Key::ReadOnly, None)
        .await
        .ok(200);
    gw.send(
        Method::PATCH,
        &format!("/v1/webhooks/{id}"),
        Key::ReadOnly,
        Some(json!({"enabled": false})),
    )
    .await
    .problem(403, "forbidden");
    let disabled = gw
        .patch(&format!("/v1/webhooks/{id}"), json!({"enabled": false}))
        .await;
    assert_eq!(disabled.ok(200)["enabled"], false);
    assert_eq!(disabled.json["disabled_reason"], "disabled through the API");
    gw.patch(&format!("/v1/webhooks/{id}"), json!({"events": ["nope"]}))
        .await
        .invalid("invalid_input", &["events"]);
    gw.get(&format!("/v1/webhooks/{id}/deliveries?state=lost"))
        .await
        .invalid("invalid_input", &["state"]);
    gw.get("/v1/webhooks/whk_nope")
        .await
        .problem(404, "not_found");
    gw.stop().await;
}

/// Log output, captured.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("the log").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Nothing the gateway logs, at any level, carries a signing secret: creating, rotating,
/// signing, failed and refused attempts included.
#[tokio::test]
async fn secrets_are_never_logged() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    // One thread: every task of the gateway and the receiver logs here.
    let _guard = tracing::subscriber::set_default(subscriber);
    let receiver = Receiver::start().await;
    receiver.set(|s| s.fail_first = true);
    let mut settings = fast_settings();
    settings.sync_worker = false;
    let gw = TestGateway::builder()
        .connection("acme")
        .settings(settings)
        .build()
        .await;
    let (id, first) = create(&gw, json!({"url": receiver.url("/in")})).await;
    let (_, unreachable) = create(&gw, json!({"url": "http://127.0.0.1:9/in"})).await;
    let rotated = gw
        .post(&format!("/v1/webhooks/{id}/rotate"), json!({}))
        .await;
    let second = rotated.ok(200)["secret"]
        .as_str()
        .expect("a secret")
        .to_owned();
    commit(&gw, vec![employee("00u1", "Designer")]).await;
    receiver
        .wait_for("a delivery accepted", |got| {
            got.iter().any(|g| g.answered == 200)
        })
        .await;
    gw.stop().await;
    drop(_guard);

    let logs = String::from_utf8_lossy(&captured.0.lock().expect("the log")).into_owned();
    assert!(
        logs.contains("webhook attempt"),
        "nothing captured:\n{logs}"
    );
    for secret in [&first, &unreachable, &second] {
        let key = secret.trim_start_matches("whsec_");
        assert!(!logs.contains(key), "a secret is in the logs");
    }
    assert!(!logs.contains("whsec_"), "a secret is in the logs");
}
