//! `GET /v1/logs`: every Okta call the gateway made, with its connection, action, method, path,
//! status, Okta request id and error code; never a query string, a body or a secret.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Key, TestDatabase, TestGateway, both_backends};

both_backends!(
    calls_are_logged_without_secrets,
    filters_and_pages,
    bad_filters_are_named
);

/// The log's entries once at least `count` are there (the writer is asynchronous).
async fn entries(gw: &TestGateway, query: &str, count: usize) -> Vec<Value> {
    let mut last = Vec::new();
    for _ in 0..100 {
        let r = gw.get(&format!("/v1/logs{query}")).await;
        last = r.ok(200)["items"].as_array().expect("items").clone();
        if last.len() >= count {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected {count} log entries for `{query}`, got {last:?}");
}

async fn calls_are_logged_without_secrets(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).users(3).build().await;
    let conn = gw.connect("acme").await;
    gw.run(
        &conn,
        "get_list_all_users",
        json!({"limit": 2, "search": "profile.lastName pr"}),
    )
    .await
    .ok(200);
    let missing = gw
        .run(&conn, "get_retrieve_a_user", json!({"id": "00unobody"}))
        .await;
    let okta_request_id = missing.problem(404, "okta_error")["okta"]["requestId"]
        .as_str()
        .expect("a request id")
        .to_owned();
    gw.post(
        &format!("/v1/connections/{conn}/passthrough"),
        json!({"method": "POST", "path": "/api/v1/groups",
               "query": {"secretQuery": "q-value-77"},
               "body": {"profile": {"name": "body-value-42"}}}),
    )
    .await
    .ok(200);
    let items = entries(&gw, "", 3).await;
    assert_eq!(items.len(), 3, "{items:?}");
    // Newest first.
    let (group, missing, list) = (&items[0], &items[1], &items[2]);
    for entry in &items {
        assert!(entry["id"].is_string(), "{entry}");
        assert!(entry["at"].is_string(), "{entry}");
        assert_eq!(entry["connection_id"], conn.as_str(), "{entry}");
        assert!(entry["latency_ms"].is_number(), "{entry}");
        assert!(entry["okta_request_id"].is_string(), "{entry}");
    }
    assert_eq!(list["action"], "get_list_all_users", "{list}");
    assert_eq!(list["method"], "GET");
    assert_eq!(list["path"], "/api/v1/users");
    assert_eq!(list["status"], 200);
    assert!(list.get("error_code").is_none(), "{list}");

    assert_eq!(missing["action"], "get_retrieve_a_user", "{missing}");
    assert_eq!(missing["method"], "GET");
    assert_eq!(missing["path"], "/api/v1/users/00unobody");
    assert_eq!(missing["status"], 404);
    assert_eq!(missing["error_code"], "E0000007");
    assert_eq!(missing["okta_request_id"], okta_request_id.as_str());

    assert!(
        group.get("action").is_none(),
        "a passthrough has no action: {group}"
    );
    assert_eq!(group["method"], "POST");
    assert_eq!(group["path"], "/api/v1/groups");
    assert_eq!(group["status"], 200);

    let text = gw.get("/v1/logs").await.text;
    for secret in [
        "profile.lastName",
        "limit=2",
        "q-value-77",
        "secretQuery",
        "body-value-42",
        gw.emu.token(),
        "SSWS",
        "?",
    ] {
        assert!(!text.contains(secret), "`{secret}` is in the log: {text}");
    }
    // The read-only key reads the log too.
    let ro = gw.send(Method::GET, "/v1/logs", Key::ReadOnly, None).await;
    assert_eq!(ro.ok(200)["items"].as_array().map(Vec::len), Some(3));
    gw.stop().await;
}

async fn filters_and_pages(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let a = gw.connect("a").await;
    let b = gw.connect("b").await;
    for _ in 0..3 {
        gw.run("a", "get_list_all_users", json!({})).await.ok(200);
    }
    gw.run("a", "get_retrieve_a_user", json!({"id": "00unobody"}))
        .await
        .problem(404, "okta_error");
    gw.run(
        "b",
        "post_create_a_group",
        json!({"body": {"profile": {"name": "B team"}}}),
    )
    .await
    .ok(200);
    let all = entries(&gw, "", 5).await;
    assert_eq!(all.len(), 5);

    let of_a = entries(&gw, "?connection_id=a", 4).await;
    assert_eq!(of_a.len(), 4);
    assert!(of_a.iter().all(|e| e["connection_id"] == a.as_str()));
    let of_b = entries(&gw, &format!("?connection_id={b}"), 1).await;
    assert_eq!(of_b.len(), 1);
    assert_eq!(of_b[0]["action"], "post_create_a_group");
    assert_eq!(of_b[0]["method"], "POST");
    let by_action = entries(&gw, "?action=get_list_all_users", 3).await;
    assert_eq!(by_action.len(), 3);
    for status in ["404", "4xx", "400-499"] {
        let failed = entries(&gw, &format!("?status={status}"), 1).await;
        assert_eq!(failed.len(), 1, "{status}");
        assert_eq!(failed[0]["error_code"], "E0000007");
    }
    assert_eq!(entries(&gw, "?status=2xx", 4).await.len(), 4);
    assert_eq!(
        entries(&gw, "?since=2999-01-01T00:00:00Z", 0).await.len(),
        0
    );
    assert_eq!(
        entries(&gw, "?since=2000-01-01T00:00:00Z", 5).await.len(),
        5
    );

    // The calls of a deleted connection can still be found by its id (not by its name).
    let deleted = gw
        .send(Method::DELETE, "/v1/connections/b", Key::Full, None)
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let of_b = entries(&gw, &format!("?connection_id={b}"), 1).await;
    assert_eq!(of_b.len(), 1);
    gw.get("/v1/logs?connection_id=b")
        .await
        .invalid("invalid_input", &["connection_id"]);

    // Pages of 2 give every entry once, newest first.
    let mut ids = Vec::new();
    let mut query = "?limit=2".to_owned();
    for _ in 0..10 {
        let page = gw.get(&format!("/v1/logs{query}")).await;
        let page = page.ok(200).clone();
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        ids.extend(items.iter().map(|e| e["id"].clone()));
        match page["next"].as_str() {
            Some(next) => {
                query = format!(
                    "?limit=2&after={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
            }
            None => break,
        }
    }
    let expected: Vec<Value> = all.iter().map(|e| e["id"].clone()).collect();
    assert_eq!(ids, expected);
    gw.stop().await;
}

async fn bad_filters_are_named(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    for (query, field) in [
        ("status=6xx", "status"),
        ("status=abc", "status"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("since=yesterday", "since"),
        ("cursor=garbage", "cursor"),
        ("colour=blue", "colour"),
    ] {
        gw.get(&format!("/v1/logs?{query}"))
            .await
            .invalid("invalid_input", &[field]);
    }
    gw.get("/v1/logs?connection_id=nope")
        .await
        .invalid("invalid_input", &["connection_id"]);
    gw.stop().await;
}
