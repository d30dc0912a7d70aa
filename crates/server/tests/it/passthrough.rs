//! `POST /v1/connections/{id}/passthrough`: any org API call, answered in an envelope.

use reqwest::Method;
use serde_json::json;

use crate::common::{Key, TestDatabase, TestGateway, both_backends};

both_backends!(
    a_get_with_a_query_pages_with_next,
    a_post_creates_and_okta_errors_stay_in_the_envelope,
    the_read_only_key_may_only_get,
    paths_outside_the_org_api_are_refused,
);

async fn a_get_with_a_query_pages_with_next(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).users(5).build().await;
    gw.connect("acme").await;
    let first = gw
        .send(
            Method::POST,
            "/v1/connections/acme/passthrough",
            Key::ReadOnly,
            Some(json!({"method": "GET", "path": "/api/v1/users", "query": {"limit": 2}})),
        )
        .await;
    let page = first.ok(200).clone();
    assert_eq!(page["status"], 200, "{page}");
    assert_eq!(page["body"].as_array().map(Vec::len), Some(2), "{page}");
    assert!(page["headers"]["x-okta-request-id"].is_string(), "{page}");
    assert!(page["headers"]["link"].is_string(), "{page}");
    assert!(
        page["headers"]["content-type"]
            .as_str()
            .is_some_and(|c| c.starts_with("application/json")),
        "{page}"
    );
    let next = page["next"].clone();
    assert_eq!(next["path"], "/api/v1/users", "{page}");
    assert!(next["query"]["after"].is_string(), "{page}");
    assert_eq!(next["query"]["limit"], "2", "{page}");
    // Following `next` until it is gone gives every user once.
    let mut ids: Vec<String> = page["body"]
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|u| u["id"].as_str().map(str::to_owned))
        .collect();
    let mut next = next;
    for _ in 0..10 {
        let r = gw
            .post(
                "/v1/connections/acme/passthrough",
                json!({"method": "GET", "path": next["path"], "query": next["query"]}),
            )
            .await;
        let page = r.ok(200).clone();
        assert_eq!(page["status"], 200);
        ids.extend(
            page["body"]
                .as_array()
                .expect("users")
                .iter()
                .filter_map(|u| u["id"].as_str().map(str::to_owned)),
        );
        match page.get("next") {
            Some(n) => next = n.clone(),
            None => break,
        }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5);
    // The query reached Okta as given (a list repeats the parameter).
    let r = gw
        .post(
            "/v1/connections/acme/passthrough",
            json!({"method": "GET", "path": "/api/v1/users",
                   "query": {"search": "status eq \"ACTIVE\"", "limit": 200}}),
        )
        .await;
    assert_eq!(r.ok(200)["status"], 200);
    let requests = gw.okta_requests().await;
    let last = requests.last().expect("a request");
    assert_eq!(last["path"], "/api/v1/users");
    assert!(
        last["query"]
            .as_str()
            .unwrap_or_default()
            .contains("search="),
        "{last}"
    );
    gw.stop().await;
}

async fn a_post_creates_and_okta_errors_stay_in_the_envelope(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    gw.connect("acme").await;
    let created = gw
        .post(
            "/v1/connections/acme/passthrough",
            json!({"method": "POST", "path": "/api/v1/groups",
                   "body": {"profile": {"name": "Passed through", "description": "raw"}}}),
        )
        .await;
    let answer = created.ok(200).clone();
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(answer["body"]["profile"]["name"], "Passed through");
    let gid = answer["body"]["id"]
        .as_str()
        .expect("a group id")
        .to_owned();
    let got = gw
        .post(
            "/v1/connections/acme/passthrough",
            json!({"method": "GET", "path": format!("/api/v1/groups/{gid}")}),
        )
        .await;
    assert_eq!(got.ok(200)["body"]["id"], gid.as_str());

    // Okta's 404 is Okta's answer, not the gateway's: 200 with the envelope.
    let missing = gw
        .post(
            "/v1/connections/acme/passthrough",
            json!({"method": "GET", "path": "/api/v1/users/00unobody"}),
        )
        .await;
    let envelope = missing.ok(200).clone();
    assert_eq!(
        missing.header("content-type"),
        "application/json",
        "{envelope}"
    );
    assert_eq!(envelope["status"], 404, "{envelope}");
    assert_eq!(envelope["body"]["errorCode"], "E0000007", "{envelope}");
    assert!(
        envelope["headers"]["x-okta-request-id"].is_string(),
        "{envelope}"
    );
    gw.stop().await;
}

async fn the_read_only_key_may_only_get(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    gw.connect("acme").await;
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let body = if method == "DELETE" {
            json!({"method": method, "path": "/api/v1/groups/00g1"})
        } else {
            json!({"method": method, "path": "/api/v1/groups", "body": {"profile": {"name": "x"}}})
        };
        gw.send(
            Method::POST,
            "/v1/connections/acme/passthrough",
            Key::ReadOnly,
            Some(body),
        )
        .await
        .problem(403, "forbidden");
    }
    assert!(gw.okta_requests().await.is_empty(), "nothing was sent");
    gw.stop().await;
}

async fn paths_outside_the_org_api_are_refused(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    gw.connect("acme").await;
    for path in [
        "https://evil.example/api/v1/users",
        "//evil.example/api/v1/users",
        "/oauth2/v1/token",
        "/api/v1/../../oauth2/v1/token",
        "/api/v1/users%2F..",
        "/api/v1/users?limit=1",
    ] {
        gw.post(
            "/v1/connections/acme/passthrough",
            json!({"method": "GET", "path": path}),
        )
        .await
        .invalid("invalid_input", &["path"]);
    }
    gw.post(
        "/v1/connections/acme/passthrough",
        json!({"method": "TRACE", "path": "/api/v1/users"}),
    )
    .await
    .invalid("invalid_input", &["method"]);
    gw.post(
        "/v1/connections/acme/passthrough",
        json!({"method": "get", "path": "/api/v1/users"}),
    )
    .await
    .invalid("invalid_input", &["method"]);
    gw.post(
        "/v1/connections/acme/passthrough",
        json!({"method": "GET", "path": "/api/v1/users", "headers": {}}),
    )
    .await
    .invalid("invalid_input", &["headers"]);
    assert!(gw.okta_requests().await.is_empty(), "nothing was sent");
    gw.stop().await;
}
