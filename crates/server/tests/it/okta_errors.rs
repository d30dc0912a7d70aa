//! Okta's errors, as the gateway passes them on: Okta's status for client errors with Okta's
//! error in `okta`; 502 `okta_credentials_rejected` when the connection's credentials are wrong,
//! without ever echoing them.

use reqwest::Method;
use serde_json::json;
use spindle_emulator::{EmulatorConfig, RateLimitMode};

use crate::common::{Key, TestDatabase, TestGateway, both_backends, dev_settings};

both_backends!(
    a_missing_user_is_okta_s_404,
    wrong_credentials_are_502_and_never_echoed,
    okta_server_errors_are_502_after_retries,
    an_unreachable_org_is_502,
    a_request_over_the_time_limit_is_504,
    okta_s_rate_limit_is_waited_out_then_passed_on,
);

async fn a_missing_user_is_okta_s_404(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    gw.connect("acme").await;
    let r = gw
        .run("acme", "get_retrieve_a_user", json!({"id": "00unobody"}))
        .await;
    let p = r.problem(404, "okta_error").clone();
    assert_eq!(p["okta"]["status"], 404, "{p}");
    assert_eq!(p["okta"]["errorCode"], "E0000007", "{p}");
    assert!(p["okta"]["errorSummary"].is_string(), "{p}");
    assert!(p["okta"]["errorId"].is_string(), "{p}");
    let request_id = p["okta"]["requestId"].as_str().expect("Okta's request id");
    assert!(!request_id.is_empty());
    // It is the id Okta logged for that request.
    let requests = gw.okta_requests().await;
    assert!(
        requests.iter().any(|q| q["requestId"] == request_id),
        "{requests:?}"
    );
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("E0000007"),
        "{p}"
    );
    // Okta's 400 with its causes, for an input that validates but Okta refuses.
    gw.run(
        "acme",
        "post_create_a_user",
        json!({"body": {"profile": {"login": "ann@example.com", "email": "ann@example.com",
                                    "firstName": "Ann", "lastName": "Lee"}}}),
    )
    .await
    .ok(200);
    let dup = gw
        .run(
            "acme",
            "post_create_a_user",
            json!({"body": {"profile": {"login": "ann@example.com", "email": "ann@example.com",
                                        "firstName": "Ann", "lastName": "Lee"}}}),
        )
        .await;
    let p = dup.problem(400, "okta_error");
    assert_eq!(p["okta"]["errorCode"], "E0000001", "{p}");
    assert!(
        p["okta"]["errorCauses"]
            .as_array()
            .is_some_and(|c| !c.is_empty()),
        "{p}"
    );
    gw.stop().await;
}

async fn wrong_credentials_are_502_and_never_echoed(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).users(2).build().await;
    let bad = "00BadTokenThatOktaRefuses-x9q7";
    let created = gw
        .post(
            "/v1/connections",
            json!({"name": "wrong", "org_url": gw.emu.url(),
                   "auth": {"kind": "api_token", "token": bad}}),
        )
        .await;
    created.ok(201);
    let mut bodies = vec![created.text.clone()];
    let r = gw.run("wrong", "get_list_all_users", json!({})).await;
    let p = r.problem(502, "okta_credentials_rejected").clone();
    assert_eq!(p["okta"]["status"], 401, "{p}");
    assert_eq!(p["okta"]["errorCode"], "E0000011", "{p}");
    assert!(p["okta"]["requestId"].is_string(), "{p}");
    assert!(
        p["detail"].as_str().unwrap_or_default().contains("wrong"),
        "names the connection: {p}"
    );
    bodies.push(r.text.clone());
    let r = gw
        .run(
            "wrong",
            "post_create_a_group",
            json!({"body": {"profile": {"name": "g"}}}),
        )
        .await;
    r.problem(502, "okta_credentials_rejected");
    bodies.push(r.text.clone());
    let r = gw.get("/v1/connections/wrong/employees").await;
    r.problem(502, "okta_credentials_rejected");
    bodies.push(r.text.clone());
    // The passthrough shows Okta's 401 in its envelope.
    let r = gw
        .post(
            "/v1/connections/wrong/passthrough",
            json!({"method": "GET", "path": "/api/v1/users"}),
        )
        .await;
    let envelope = r.ok(200).clone();
    assert_eq!(envelope["status"], 401, "{envelope}");
    assert_eq!(envelope["body"]["errorCode"], "E0000011", "{envelope}");
    bodies.push(r.text.clone());
    for path in [
        "/v1/connections",
        "/v1/connections/wrong",
        "/v1/logs",
        "/metrics",
    ] {
        let r = gw.send(Method::GET, path, Key::Full, None).await;
        assert_eq!(r.status, 200, "{path}");
        bodies.push(r.text);
    }
    for body in &bodies {
        assert!(!body.contains(bad), "the token leaked: {body}");
        assert!(!body.contains("BadTokenThat"), "the token leaked: {body}");
    }
    gw.stop().await;
}

async fn okta_server_errors_are_502_after_retries(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    gw.connect("acme").await;
    gw.admin(
        Method::PUT,
        "faults",
        Some(json!({"spec": "503=1,path=/api/v1/users"})),
    )
    .await;
    let r = gw.run("acme", "get_list_all_users", json!({})).await;
    let p = r.problem(502, "okta_error").clone();
    assert_eq!(p["okta"]["status"], 503, "{p}");
    assert_eq!(p["okta"]["errorCode"], "E0000009", "{p}");
    // The read was retried: every attempt reached the org.
    let attempts = gw
        .okta_requests()
        .await
        .into_iter()
        .filter(|q| q["path"] == "/api/v1/users")
        .count();
    assert!(attempts > 1, "{attempts} attempt(s)");
    // Other paths are unaffected.
    gw.run("acme", "get_list_all_group_rules", json!({}))
        .await
        .ok(200);
    gw.stop().await;
}

async fn an_unreachable_org_is_502(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    // A port nobody listens on (bound, then released).
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.local_addr().expect("an address").port()
    };
    gw.post(
        "/v1/connections",
        json!({"name": "gone", "org_url": format!("http://127.0.0.1:{port}"),
               "auth": {"kind": "api_token", "token": "00some-token"}}),
    )
    .await
    .ok(201);
    let r = gw.run("gone", "get_list_all_users", json!({})).await;
    let p = r.problem(502, "okta_unreachable");
    assert!(
        p.get("okta").is_none_or(|o| o.get("errorCode").is_none()),
        "{p}"
    );
    assert!(!r.text.contains("00some-token"), "{}", r.text);
    gw.stop().await;
}

async fn a_request_over_the_time_limit_is_504(db: TestDatabase) {
    let mut settings = dev_settings();
    settings.request_timeout = std::time::Duration::from_millis(500);
    let gw = TestGateway::builder()
        .database(&db)
        .settings(settings)
        .build()
        .await;
    gw.connect("acme").await;
    gw.admin(
        Method::PUT,
        "faults",
        Some(json!({"spec": "latency=3s,path=/api/v1/users"})),
    )
    .await;
    let r = gw.run("acme", "get_list_all_users", json!({})).await;
    r.problem(504, "timeout");
    gw.stop().await;
}

async fn okta_s_rate_limit_is_waited_out_then_passed_on(db: TestDatabase) {
    let gw = TestGateway::builder()
        .database(&db)
        .emulator(EmulatorConfig {
            rate_limit: RateLimitMode::Off,
            rate_limit_window: std::time::Duration::from_secs(1),
            ..EmulatorConfig::default()
        })
        .build()
        .await;
    gw.connect("acme").await;
    // One 429: the gateway waits for the reset and the caller sees the answer.
    gw.admin(
        Method::PUT,
        "faults",
        Some(json!({"spec": "burst=1/1000,path=/api/v1/users"})),
    )
    .await;
    gw.run("acme", "get_list_all_users", json!({}))
        .await
        .ok(200);
    let statuses: Vec<u64> = gw
        .okta_requests()
        .await
        .iter()
        .filter_map(|q| q["status"].as_u64())
        .collect();
    assert_eq!(statuses, [429, 200]);
    // Always 429: after the retries, Okta's 429 with a Retry-After.
    gw.admin(
        Method::PUT,
        "faults",
        Some(json!({"spec": "429=1,path=/api/v1/groups"})),
    )
    .await;
    let r = gw.run("acme", "get_list_all_group_rules", json!({})).await;
    let p = r.problem(429, "okta_error");
    assert_eq!(p["okta"]["errorCode"], "E0000047", "{p}");
    assert!(!r.header("retry-after").is_empty(), "{:?}", r.headers);
    gw.stop().await;
}
