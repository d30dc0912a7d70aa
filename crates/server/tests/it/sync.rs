//! Sync over HTTP: settings and their validation, runs queued and joined, the synced records and
//! the change feed (paging, `after=now`, long-polls), bad input named, read-only keys read only.
//!
//! No sync worker runs here (the gateway is started with `sync_worker` off): runs are claimed
//! and batches committed directly through the store, as the worker would. `sync_e2e.rs` runs
//! the gateway's own worker.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use spindle_store::{Commit, RecordWrite, RunState, SyncObject, SyncRunId};

use crate::common::{Key, TestDatabase, TestGateway, both_backends};

both_backends!(
    settings_round_trip_and_are_validated,
    runs_are_queued_joined_and_read,
    records_are_paged_and_filtered,
    the_change_feed_is_read_in_order,
    a_long_poll_returns_when_a_commit_lands,
    bad_feed_input_is_named,
    read_only_keys_read_but_do_not_write,
);

const LEASE: Duration = Duration::from_secs(60);

async fn gateway(db: &TestDatabase) -> TestGateway {
    // No worker in the gateway: it would claim the runs these tests queue and drive by hand.
    let mut settings = crate::common::dev_settings();
    settings.sync_worker = false;
    TestGateway::builder()
        .database(db)
        .settings(settings)
        .connection("acme")
        .build()
        .await
}

/// The id of the connection's run, queued if need be and claimed by a pretend worker `test`.
async fn running(gw: &TestGateway) -> SyncRunId {
    let sync = gw.store.sync();
    let conn = &gw.connection().id;
    let (run, _) = sync
        .request_run(conn, false, "request")
        .await
        .expect("a run");
    if run.state == RunState::Queued {
        let claimed = sync.claim("test", LEASE).await.expect("claim");
        assert_eq!(claimed.expect("a run to claim").id, run.id);
    }
    run.id
}

/// Commits one batch of the connection's running run; returns the changes it emitted.
async fn commit(gw: &TestGateway, writes: Vec<RecordWrite>) -> u64 {
    let run = running(gw).await;
    let mut batch = Commit::new(run, "test");
    batch.writes = writes;
    gw.store
        .sync()
        .commit(&gw.connection().id, batch)
        .await
        .expect("commit")
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

fn group(id: &str) -> RecordWrite {
    RecordWrite::Upsert {
        object: SyncObject::Groups,
        id: id.into(),
        data: json!({"id": id, "profile": {"name": format!("group {id}")}}),
        okta_at: None,
        terminal: false,
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            i["id"]
                .as_str()
                .or_else(|| i["record_id"].as_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

async fn settings_round_trip_and_are_validated(db: TestDatabase) {
    let gw = gateway(&db).await;
    let conn = gw.connection().id.to_string();

    // Never configured: the defaults.
    let fresh = gw.get("/v1/connections/acme/sync").await;
    let fresh = fresh.ok(200);
    assert_eq!(fresh["configured"], false);
    assert_eq!(
        fresh["settings"],
        json!({"enabled": true, "interval": "5m", "full_every": "24h",
               "objects": ["employees", "groups", "memberships"], "rate_share": 0.5})
    );
    assert_eq!(fresh["feed"]["seq"], 0);
    assert!(
        fresh["feed"]["cursor"]
            .as_str()
            .is_some_and(|c| !c.is_empty())
    );
    assert_eq!(fresh["current_run"], Value::Null);
    assert_eq!(fresh["last_run"], Value::Null);
    assert_eq!(fresh["last_full_at"], Value::Null);
    assert_eq!(fresh["following_log"], false);

    // By name, then read back by id; left-out fields take their defaults.
    let put = gw
        .put(
            "/v1/connections/acme/sync",
            json!({"interval": "1m", "objects": ["employees", "groups"], "rate_share": 0.25}),
        )
        .await;
    assert_eq!(put.ok(200)["configured"], true, "{}", put.text);
    let got = gw.get(&format!("/v1/connections/{conn}/sync")).await;
    assert_eq!(
        got.ok(200)["settings"],
        json!({"enabled": true, "interval": "1m", "full_every": "24h",
               "objects": ["employees", "groups"], "rate_share": 0.25})
    );
    let put = gw
        .put(
            "/v1/connections/acme/sync",
            json!({"enabled": false, "interval": "90s", "full_every": "12h",
                   "objects": ["employees", "groups", "memberships"], "rate_share": 1}),
        )
        .await;
    assert_eq!(
        put.ok(200)["settings"],
        json!({"enabled": false, "interval": "1m30s", "full_every": "12h",
               "objects": ["employees", "groups", "memberships"], "rate_share": 1.0})
    );

    // Each bad field is named, and nothing changes.
    for (body, field) in [
        (json!({"interval": "4s"}), "interval"),
        (json!({"interval": "soon"}), "interval"),
        (json!({"interval": 30}), "interval"),
        (json!({"full_every": "1m", "interval": "5m"}), "full_every"),
        (json!({"rate_share": 2}), "rate_share"),
        (json!({"rate_share": 0}), "rate_share"),
        (json!({"objects": []}), "objects"),
        (json!({"objects": ["memberships"]}), "objects"),
        (json!({"objects": ["users"]}), "objects[0]"),
        (json!({"colour": "blue"}), "colour"),
        (json!({"enabled": "yes"}), "enabled"),
    ] {
        let r = gw.put("/v1/connections/acme/sync", body.clone()).await;
        r.invalid("invalid_input", &[field]);
        assert!(
            r.json["detail"]
                .as_str()
                .unwrap_or_default()
                .contains(field),
            "{body}: {}",
            r.text
        );
    }
    let after = gw.get("/v1/connections/acme/sync").await;
    assert_eq!(after.ok(200)["settings"]["interval"], "1m30s");

    gw.put("/v1/connections/nobody/sync", json!({}))
        .await
        .problem(404, "not_found");
    gw.get("/v1/connections/nobody/sync")
        .await
        .problem(404, "not_found");
    gw.stop().await;
}

async fn runs_are_queued_joined_and_read(db: TestDatabase) {
    let gw = gateway(&db).await;
    let conn = gw.connection().id.to_string();

    // No body at all is fine.
    let queued = gw
        .send(
            Method::POST,
            "/v1/connections/acme/sync/run",
            Key::Full,
            None,
        )
        .await;
    let run = queued.ok(202).clone();
    let id = run["id"].as_str().expect("a run id").to_owned();
    assert!(id.starts_with("run_"), "{id}");
    assert_eq!(run["state"], "queued");
    assert_eq!(run["joined"], false);
    assert_eq!(run["full"], true, "a connection's first run is full");
    assert_eq!(run["trigger"], "request");
    assert_eq!(run["connection_id"], conn);
    for field in [
        "pages",
        "records",
        "changes",
        "okta_calls",
        "rate_limited",
        "attempts",
    ] {
        assert_eq!(run[field], 0, "{field}");
    }
    for field in ["started_at", "ended_at", "error"] {
        assert_eq!(run[field], Value::Null, "{field}");
    }
    let location = queued.header("location").to_owned();
    assert_eq!(location, format!("/v1/connections/{conn}/sync/runs/{id}"));

    // Asking again joins it.
    let joined = gw
        .post(
            &format!("/v1/connections/{conn}/sync/run"),
            json!({"full": true}),
        )
        .await;
    assert_eq!(joined.ok(200)["id"], id.as_str());
    assert_eq!(joined.json["joined"], true);
    assert_eq!(joined.header("location"), location);

    let got = gw.get(&location).await;
    assert_eq!(got.ok(200)["id"], id.as_str());
    assert_eq!(got.json["state"], "queued");
    assert!(got.json.get("joined").is_none(), "{}", got.text);
    let status = gw.get("/v1/connections/acme/sync").await;
    assert_eq!(status.ok(200)["current_run"]["id"], id.as_str());
    assert_eq!(status.json["last_run"], Value::Null);

    // A worker takes it and ends it.
    let sync = gw.store.sync();
    let claimed = sync
        .claim("test", LEASE)
        .await
        .expect("claim")
        .expect("a run");
    let mut batch = Commit::new(claimed.id.clone(), "test");
    batch.writes = vec![employee("00u1", "Engineer")];
    batch.progress.pages = 1;
    batch.progress.records = 1;
    batch.progress.okta_calls = 1;
    sync.commit(&gw.connection().id, batch)
        .await
        .expect("commit");
    let running = gw.get(&location).await;
    assert_eq!(running.ok(200)["state"], "running");
    assert_eq!(running.json["attempts"], 1);
    assert!(running.json["started_at"].is_string());
    sync.finish(&claimed.id, "test", None)
        .await
        .expect("finish");
    let done = gw.get(&location).await;
    let done = done.ok(200);
    assert_eq!(done["state"], "succeeded");
    assert_eq!(
        (
            &done["pages"],
            &done["records"],
            &done["changes"],
            &done["okta_calls"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(1))
    );
    assert!(done["ended_at"].is_string());
    let status = gw.get("/v1/connections/acme/sync").await;
    assert_eq!(status.ok(200)["current_run"], Value::Null);
    assert_eq!(status.json["last_run"]["id"], id.as_str());
    assert_eq!(status.json["last_run"]["state"], "succeeded");
    assert_eq!(status.json["feed"]["seq"], 1);

    // A second run is new; the listing has both, newest first.
    let second = gw.post("/v1/connections/acme/sync/run", json!({})).await;
    let second_id = second.ok(202)["id"].as_str().expect("an id").to_owned();
    assert_ne!(second_id, id);
    let list = gw.get("/v1/connections/acme/sync/runs").await;
    assert_eq!(ids(list.ok(200)), [second_id.clone(), id.clone()]);
    let list = gw.get("/v1/connections/acme/sync/runs?limit=1").await;
    assert_eq!(ids(list.ok(200)), [second_id]);

    // Bad input.
    for limit in ["0", "-1", "1001", "ten"] {
        gw.get(&format!("/v1/connections/acme/sync/runs?limit={limit}"))
            .await
            .invalid("invalid_input", &["limit"]);
    }
    gw.post("/v1/connections/acme/sync/run", json!({"fast": true}))
        .await
        .invalid("invalid_input", &["fast"]);
    gw.post("/v1/connections/acme/sync/run", json!({"full": "yes"}))
        .await
        .invalid("invalid_input", &["full"]);
    gw.get("/v1/connections/acme/sync/runs/run_nope")
        .await
        .problem(404, "not_found");
    gw.get("/v1/connections/acme/sync/runs/run_01JQ2ZK8V6S4D1X3M9T0B7C5NA")
        .await
        .problem(404, "not_found");
    gw.post("/v1/connections/nobody/sync/run", json!({}))
        .await
        .problem(404, "not_found");
    gw.stop().await;
}

async fn records_are_paged_and_filtered(db: TestDatabase) {
    let gw = gateway(&db).await;
    commit(
        &gw,
        vec![
            employee("00u1", "Engineer"),
            employee("00u2", "Designer"),
            employee("00u3", "Manager"),
            group("00g1"),
            RecordWrite::membership("00g1", "00u1", None),
        ],
    )
    .await;
    let before_update = time::OffsetDateTime::now_utc();
    tokio::time::sleep(Duration::from_millis(20)).await;
    commit(
        &gw,
        vec![
            employee("00u2", "Lead designer"),
            RecordWrite::Delete {
                object: SyncObject::Employees,
                id: "00u3".into(),
                okta_at: None,
            },
        ],
    )
    .await;

    let base = "/v1/connections/acme/records/employees";
    let first = gw.get(&format!("{base}?limit=1")).await;
    assert_eq!(ids(first.ok(200)), ["00u1"]);
    let item = &first.json["items"][0];
    assert_eq!(item["title"], "Engineer");
    assert_eq!(item["raw"]["id"], "00u1");
    assert_eq!(item["deleted_at"], Value::Null);
    assert_eq!(item["version"], 1);
    let next = first.json["next"]
        .as_str()
        .expect("a next cursor")
        .to_owned();
    let second = gw.get(&format!("{base}?limit=1&cursor={next}")).await;
    assert_eq!(ids(second.ok(200)), ["00u2"]);
    assert_eq!(second.json["items"][0]["title"], "Lead designer");
    assert_eq!(second.json["items"][0]["version"], 6);
    assert_eq!(
        second.json["next"],
        Value::Null,
        "00u3 is deleted: the last page"
    );

    let all = gw.get(&format!("{base}?include_deleted=true")).await;
    assert_eq!(ids(all.ok(200)), ["00u1", "00u2", "00u3"]);
    assert!(all.json["items"][2]["deleted_at"].is_string());
    assert_eq!(all.json["next"], Value::Null);

    let since = before_update
        .format(&time::format_description::well_known::Rfc3339)
        .expect("RFC 3339");
    let changed = gw
        .get(&format!(
            "{base}?include_deleted=true&updated_after={}",
            since.replace('+', "%2B")
        ))
        .await;
    assert_eq!(ids(changed.ok(200)), ["00u2", "00u3"]);

    let groups = gw.get("/v1/connections/acme/records/groups").await;
    assert_eq!(ids(groups.ok(200)), ["00g1"]);
    assert_eq!(groups.json["items"][0]["profile"]["name"], "group 00g1");
    let members = gw.get("/v1/connections/acme/records/memberships").await;
    let members = members.ok(200);
    assert_eq!(members["items"][0]["group_id"], "00g1");
    assert_eq!(members["items"][0]["user_id"], "00u1");
    assert_eq!(members["items"][0]["deleted_at"], Value::Null);

    // Bad input, each named.
    gw.get("/v1/connections/acme/records/users")
        .await
        .invalid("invalid_input", &["object"]);
    for limit in ["0", "-1", "1001", "x"] {
        gw.get(&format!("{base}?limit={limit}"))
            .await
            .invalid("invalid_input", &["limit"]);
    }
    gw.get(&format!("{base}?cursor=garbage"))
        .await
        .invalid("invalid_input", &["cursor"]);
    // A cursor of another listing.
    gw.get(&format!(
        "/v1/connections/acme/records/groups?cursor={next}"
    ))
    .await
    .invalid("invalid_input", &["cursor"]);
    gw.get(&format!("{base}?updated_after=yesterday"))
        .await
        .invalid("invalid_input", &["updated_after"]);
    gw.get(&format!("{base}?include_deleted=maybe"))
        .await
        .invalid("invalid_input", &["include_deleted"]);
    gw.get(&format!("{base}?colour=blue"))
        .await
        .invalid("invalid_input", &["colour"]);
    gw.get("/v1/connections/nobody/records/employees")
        .await
        .problem(404, "not_found");
    gw.stop().await;
}

async fn the_change_feed_is_read_in_order(db: TestDatabase) {
    let gw = gateway(&db).await;
    let base = "/v1/connections/acme/changes";
    let empty = gw.get(base).await;
    assert_eq!(empty.ok(200)["items"], json!([]));
    let start = empty.json["next"].as_str().expect("next").to_owned();

    commit(
        &gw,
        vec![
            employee("00u1", "Engineer"),
            employee("00u2", "Designer"),
            group("00g1"),
        ],
    )
    .await;
    commit(&gw, vec![employee("00u1", "Staff engineer")]).await;

    // From the beginning, page by page, in order.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(c) => format!("{base}?limit=2&after={c}"),
            None => format!("{base}?limit=2"),
        };
        let page = gw.get(&path).await;
        let items = page.ok(200)["items"].as_array().expect("items").clone();
        let next = page.json["next"].as_str().expect("next always").to_owned();
        if items.is_empty() {
            assert_eq!(Some(&next), after.as_ref(), "an empty page stays put");
            break;
        }
        seen.extend(items);
        after = Some(next);
    }
    let kinds: Vec<(i64, &str, &str)> = seen
        .iter()
        .map(|c| {
            (
                c["seq"].as_i64().expect("seq"),
                c["type"].as_str().expect("type"),
                c["record_id"].as_str().expect("record_id"),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (1, "employee.created", "00u1"),
            (2, "employee.created", "00u2"),
            (3, "group.created", "00g1"),
            (4, "employee.updated", "00u1"),
        ]
    );
    let update = &seen[3];
    assert_eq!(update["object"], "employees");
    assert_eq!(update["changed_fields"], json!(["title"]));
    assert_eq!(update["data"]["title"], "Staff engineer");
    assert!(update["seen_at"].is_string());
    assert!(update.get("okta_at").is_some());
    assert!(seen[0].get("changed_fields").is_none(), "{}", seen[0]);

    // The empty feed's first cursor reads everything; `now` reads nothing yet, and its `next`
    // is the end the sync status shows.
    let from_start = gw.get(&format!("{base}?after={start}")).await;
    assert_eq!(
        from_start.ok(200)["items"].as_array().map(Vec::len),
        Some(4)
    );
    let now = gw.get(&format!("{base}?after=now")).await;
    assert_eq!(now.ok(200)["items"], json!([]));
    let status = gw.get("/v1/connections/acme/sync").await;
    assert_eq!(now.json["next"], status.ok(200)["feed"]["cursor"]);
    assert_eq!(status.json["feed"]["seq"], 4);
    commit(&gw, vec![employee("00u3", "Intern")]).await;
    let then = gw
        .get(&format!(
            "{base}?after={}",
            now.json["next"].as_str().expect("next")
        ))
        .await;
    assert_eq!(ids(then.ok(200)), ["00u3"]);
    gw.stop().await;
}

async fn a_long_poll_returns_when_a_commit_lands(db: TestDatabase) {
    let gw = gateway(&db).await;
    let base = "/v1/connections/acme/changes";
    // Nothing comes: the wait runs out and the position stays.
    let started = Instant::now();
    let idle = gw.get(&format!("{base}?after=now&wait=1s")).await;
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(idle.ok(200)["items"], json!([]));
    let cursor = idle.json["next"].as_str().expect("next").to_owned();

    // A commit mid-wait (signalled, as an in-process worker does) ends the wait at once.
    let url = format!("{}{base}?after={cursor}&wait=30s", gw.base);
    let request = gw.http.get(url).bearer_auth(&gw.full).send();
    let started = Instant::now();
    let poll = tokio::spawn(async move {
        let response = request.await.expect("an answer");
        (response.status().as_u16(), response.json::<Value>().await)
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    commit(&gw, vec![employee("00u1", "Engineer")]).await;
    gw.feed.notify();
    let (status, body) = poll.await.expect("the poll");
    let body = body.expect("JSON");
    assert_eq!(status, 200, "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(ids(&body), ["00u1"]);

    // Without the signal (a worker in another process), polling the store finds it.
    let url = format!(
        "{}{base}?after={}&wait=30s",
        gw.base,
        body["next"].as_str().expect("next")
    );
    let request = gw.http.get(url).bearer_auth(&gw.full).send();
    let started = Instant::now();
    let poll = tokio::spawn(async move {
        let response = request.await.expect("an answer");
        response.json::<Value>().await
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    commit(&gw, vec![employee("00u2", "Designer")]).await;
    let body = poll.await.expect("the poll").expect("JSON");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(ids(&body), ["00u2"]);
    gw.stop().await;
}

async fn bad_feed_input_is_named(db: TestDatabase) {
    let gw = gateway(&db).await;
    let other = gw.connect("other").await;
    let other_cursor = gw
        .get(&format!("/v1/connections/{other}/sync"))
        .await
        .ok(200)["feed"]["cursor"]
        .as_str()
        .expect("a cursor")
        .to_owned();
    let records_cursor = {
        commit(
            &gw,
            vec![employee("00u1", "Engineer"), employee("00u2", "Designer")],
        )
        .await;
        gw.get("/v1/connections/acme/records/employees?limit=1")
            .await
            .ok(200)["next"]
            .as_str()
            .expect("next")
            .to_owned()
    };
    let base = "/v1/connections/acme/changes";
    for (query, field) in [
        ("after=garbage".to_owned(), "after"),
        (format!("after={other_cursor}"), "after"),
        (format!("after={records_cursor}"), "after"),
        ("after=".to_owned(), "after"),
        ("limit=-1".to_owned(), "limit"),
        ("limit=0".to_owned(), "limit"),
        ("limit=1001".to_owned(), "limit"),
        ("wait=61s".to_owned(), "wait"),
        ("wait=-1s".to_owned(), "wait"),
        ("wait=soon".to_owned(), "wait"),
        ("since=1".to_owned(), "since"),
    ] {
        let r = gw.get(&format!("{base}?{query}")).await;
        r.invalid("invalid_input", &[field]);
    }
    // Nothing changed.
    let all = gw.get(base).await;
    assert_eq!(all.ok(200)["items"].as_array().map(Vec::len), Some(2));
    gw.get("/v1/connections/nobody/changes")
        .await
        .problem(404, "not_found");
    gw.stop().await;
}

async fn read_only_keys_read_but_do_not_write(db: TestDatabase) {
    let gw = gateway(&db).await;
    commit(&gw, vec![employee("00u1", "Engineer")]).await;
    let run = running(&gw).await;
    for path in [
        "/v1/connections/acme/sync".to_owned(),
        "/v1/connections/acme/sync/runs".to_owned(),
        format!("/v1/connections/acme/sync/runs/{run}"),
        "/v1/connections/acme/records/employees".to_owned(),
        "/v1/connections/acme/changes".to_owned(),
    ] {
        gw.send(Method::GET, &path, Key::ReadOnly, None)
            .await
            .ok(200);
        gw.send(Method::GET, &path, Key::None, None)
            .await
            .problem(401, "unauthorized");
    }
    gw.send(
        Method::PUT,
        "/v1/connections/acme/sync",
        Key::ReadOnly,
        Some(json!({"interval": "1m"})),
    )
    .await
    .problem(403, "forbidden");
    gw.send(
        Method::POST,
        "/v1/connections/acme/sync/run",
        Key::ReadOnly,
        Some(json!({})),
    )
    .await
    .problem(403, "forbidden");
    let status = gw.get("/v1/connections/acme/sync").await;
    assert_eq!(status.ok(200)["settings"]["interval"], "5m", "unchanged");
    assert_eq!(status.json["current_run"]["id"], run.to_string());
    gw.stop().await;
}
