//! Sync end to end in one gateway process: the gateway's own worker runs what the API queues
//! against the emulated org, the synced records and the change feed follow, a long-poll wakes
//! on the worker's commit, and the sync's `rate_share` holds on the connection's clients.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{TestDatabase, TestGateway, both_backends};

both_backends!(
    a_run_queued_over_http_is_run_by_the_gateway_s_worker,
    the_rate_share_applies_to_the_connection_s_clients,
);

const USERS: usize = 50;
const GROUPS: usize = 5;

async fn gateway(db: &TestDatabase) -> TestGateway {
    TestGateway::builder()
        .database(db)
        .users(USERS)
        .groups(GROUPS)
        .connection("acme")
        .build()
        .await
}

/// Polls the run until it ends (at most 30 s); returns it.
async fn wait_for_run(gw: &TestGateway, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = gw
            .get(&format!("/v1/connections/acme/sync/runs/{id}"))
            .await;
        let run = run.ok(200).clone();
        if ["succeeded", "failed"].contains(&run["state"].as_str().unwrap_or_default()) {
            return run;
        }
        assert!(
            Instant::now() < deadline,
            "the run did not end in 30 s: {run}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Queues a run and returns its id.
async fn queue_run(gw: &TestGateway) -> String {
    let queued = gw.post("/v1/connections/acme/sync/run", json!({})).await;
    assert!([200, 202].contains(&queued.status), "{}", queued.text);
    queued.json["id"].as_str().expect("a run id").to_owned()
}

/// Every page of a raw emulator list.
async fn okta_list(gw: &TestGateway, path_and_query: &str) -> Vec<Value> {
    let mut url = format!("{}{path_and_query}", gw.emu.url());
    let mut out = Vec::new();
    loop {
        let resp = gw
            .http
            .get(&url)
            .header("authorization", format!("SSWS {}", gw.emu.token()))
            .send()
            .await
            .expect("the emulator answers");
        assert!(resp.status().is_success(), "{url}: {}", resp.status());
        let next = resp
            .headers()
            .get_all("link")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.contains("rel=\"next\""))
            .and_then(|v| v.split(['<', '>']).nth(1))
            .map(str::to_owned);
        out.extend(resp.json::<Vec<Value>>().await.expect("a JSON list"));
        match next {
            Some(n) if n != url => url = n,
            _ => return out,
        }
    }
}

/// Every page of `GET /v1/connections/acme/records/{object}`.
async fn records(gw: &TestGateway, object: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/connections/acme/records/{object}?limit=1000&cursor={c}"),
            None => format!("/v1/connections/acme/records/{object}?limit=1000"),
        };
        let page = gw.get(&path).await;
        let page = page.ok(200);
        out.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

async fn a_run_queued_over_http_is_run_by_the_gateway_s_worker(db: TestDatabase) {
    let gw = gateway(&db).await;
    gw.put("/v1/connections/acme/sync", json!({"rate_share": 0.5}))
        .await
        .ok(200);

    let id = queue_run(&gw).await;
    let run = wait_for_run(&gw, &id).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!(run["full"], true, "{run}");
    for figure in ["pages", "records", "changes", "okta_calls"] {
        assert!(
            run[figure].as_u64().is_some_and(|n| n > 0),
            "{figure}: {run}"
        );
    }
    assert_eq!(run["error"], Value::Null, "{run}");

    // The store has every user of every status, as live employees.
    let users = okta_list(&gw, "/api/v1/users?limit=200").await.len()
        + okta_list(
            &gw,
            "/api/v1/users?limit=200&filter=status%20eq%20%22DEPROVISIONED%22",
        )
        .await
        .len();
    assert!(users >= USERS, "{users}");
    let employees = records(&gw, "employees").await;
    assert_eq!(employees.len(), users);
    assert!(employees.iter().all(|e| e["deleted_at"].is_null()));
    assert_eq!(
        records(&gw, "groups").await.len(),
        okta_list(&gw, "/api/v1/groups?limit=200").await.len()
    );

    let feed = gw.get("/v1/connections/acme/changes?limit=1000").await;
    let created = feed.ok(200)["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| c["type"] == "employee.created")
        .count();
    assert_eq!(created, users, "{}", feed.text);

    // A long-poll from the feed's end returns the next run's change well before its time is up.
    let status = gw.get("/v1/connections/acme/sync").await;
    let cursor = status.ok(200)["feed"]["cursor"]
        .as_str()
        .expect("the feed's cursor")
        .to_owned();
    let poll = {
        let (http, url, key) = (
            gw.http.clone(),
            format!(
                "{}/v1/connections/acme/changes?after={cursor}&wait=20s",
                gw.base
            ),
            gw.full.clone(),
        );
        tokio::spawn(async move {
            let started = Instant::now();
            let resp = http
                .get(url)
                .bearer_auth(key)
                .send()
                .await
                .expect("the gateway answers");
            assert_eq!(resp.status(), 200);
            (started.elapsed(), resp.json::<Value>().await.expect("JSON"))
        })
    };
    // Let the poll get to the gateway and wait there.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let login = "late.joiner@example.com";
    let made = gw
        .http
        .post(format!("{}/api/v1/users?activate=true", gw.emu.url()))
        .header("authorization", format!("SSWS {}", gw.emu.token()))
        .json(
            &json!({"profile": {"firstName": "Late", "lastName": "Joiner",
                                  "email": login, "login": login}}),
        )
        .send()
        .await
        .expect("the emulator answers");
    assert!(made.status().is_success(), "{}", made.status());
    let new_id = made.json::<Value>().await.expect("a user")["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let second = queue_run(&gw).await;
    let (waited, page) = poll.await.expect("the poll task");
    assert!(
        waited < Duration::from_secs(10),
        "waited {waited:?}: {page}"
    );
    assert!(
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|c| c["type"] == "employee.created" && c["record_id"] == new_id.as_str()),
        "{page}"
    );
    let run = wait_for_run(&gw, &second).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    assert_eq!(run["full"], false, "{run}");
    assert_eq!(records(&gw, "employees").await.len(), users + 1);
    gw.stop().await;
}

async fn the_rate_share_applies_to_the_connection_s_clients(db: TestDatabase) {
    let gw = gateway(&db).await;
    let share = |gw: &TestGateway| {
        let state = gw.state().clone();
        async move {
            state
                .clients("acme")
                .await
                .expect("the connection's clients")
                .org
                .rate_limit_share()
        }
    };
    // Before the sync is configured the connection may use the whole limit.
    assert!((share(&gw).await - 1.0).abs() < 1e-9);
    gw.put("/v1/connections/acme/sync", json!({"rate_share": 0.5}))
        .await
        .ok(200);
    // The cached client, at once.
    assert!((share(&gw).await - 0.5).abs() < 1e-9);
    // A client built afterwards (the connection changed, so the cache is dropped).
    gw.patch(
        "/v1/connections/acme",
        json!({"auth": {"kind": "api_token", "token": gw.emu.token()}}),
    )
    .await
    .ok(200);
    let rebuilt = share(&gw).await;
    assert!((rebuilt - 0.5).abs() < 1e-9, "{rebuilt}");
    gw.put("/v1/connections/acme/sync", json!({"rate_share": 0.25}))
        .await
        .ok(200);
    assert!((share(&gw).await - 0.25).abs() < 1e-9);
    gw.stop().await;
}
