//! `spindle webhooks …` against a wiremock stand-in for the gateway: each command's method,
//! path, query, body and `Authorization: Bearer` header are checked (each mock must be hit
//! exactly once), its JSON printed; a problem answer exits 5 with its detail on stderr.

use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::spindle;

const KEY: &str = "spk_webhooks_test_key";
const ID: &str = "whk_01JTEST";

fn webhook(enabled: bool) -> Value {
    json!({
        "id": ID,
        "url": "https://hooks.example.com/spindle",
        "description": "HR",
        "events": ["employee.created", "employee.terminated"],
        "connections": ["conn_01"],
        "enabled": enabled,
        "disabled_reason": null,
        "previous_secret_until": null,
        "created_at": "2026-12-07T10:00:00Z",
        "updated_at": "2026-12-07T10:00:00Z",
    })
}

fn with_secret(secret: &str) -> Value {
    let mut value = webhook(true);
    value["secret"] = json!(secret);
    value
}

/// A mock for `verb route` sent with the test key.
fn expect(verb: &str, route: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb))
        .and(path(route.to_owned()))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
}

fn reply(status: u16, answer: Option<Value>) -> ResponseTemplate {
    let template = ResponseTemplate::new(status);
    match answer {
        Some(answer) => template.set_body_json(answer),
        None => template,
    }
}

/// `spindle webhooks ARGS` against `url` with the test key in the environment, run off the
/// async runtime that serves the mocks.
async fn webhooks(url: &str, args: &[&str]) -> std::process::Output {
    let url = url.to_owned();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        spindle()
            .env("SPINDLE_URL", url)
            .env("SPINDLE_KEY", KEY)
            .arg("webhooks")
            .args(&args)
            .output()
            .expect("spindle runs")
    })
    .await
    .expect("the command's thread")
}

fn stdout_json(output: &std::process::Output) -> Value {
    let out = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_ok(output: &std::process::Output) {
    assert!(
        output.status.success(),
        "exit {:?}; stderr: {}",
        output.status.code(),
        stderr(output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_command_sends_its_request_and_prints_the_answer() {
    let server = MockServer::start().await;
    let base = server.uri();
    let one = format!("/v1/webhooks/{ID}");

    // add: every option in the body, the secret printed, a note that it is shown once.
    expect("POST", "/v1/webhooks")
        .and(body_json(json!({
            "url": "https://hooks.example.com/spindle",
            "description": "HR",
            "events": ["employee.created", "employee.terminated"],
            "connections": ["acme"],
        })))
        .respond_with(reply(201, Some(with_secret("whsec_c2VjcmV0LW9uZQ=="))))
        .expect(1)
        .mount(&server)
        .await;
    let out = webhooks(
        &base,
        &[
            "add",
            "https://hooks.example.com/spindle",
            "--event",
            "employee.created",
            "--event",
            "employee.terminated",
            "--connection",
            "acme",
            "--description",
            "HR",
        ],
    )
    .await;
    assert_ok(&out);
    assert_eq!(stdout_json(&out)["secret"], "whsec_c2VjcmV0LW9uZQ==");
    let err = stderr(&out);
    assert!(err.contains("shown only this once"), "{err}");
    assert!(
        !err.contains("whsec_"),
        "the secret is on stdout only: {err}"
    );
    assert!(!err.contains(KEY), "{err}");
    server.verify().await;
    server.reset().await;

    // add with only the URL sends only the URL.
    expect("POST", "/v1/webhooks")
        .and(body_json(json!({"url": "https://hooks.example.com/all"})))
        .respond_with(reply(201, Some(with_secret("whsec_dHdv"))))
        .expect(1)
        .mount(&server)
        .await;
    assert_ok(&webhooks(&base, &["add", "https://hooks.example.com/all"]).await);
    server.verify().await;
    server.reset().await;

    // list, show
    expect("GET", "/v1/webhooks")
        .respond_with(reply(200, Some(json!({"items": [webhook(true)]}))))
        .expect(1)
        .mount(&server)
        .await;
    expect("GET", &one)
        .respond_with(reply(200, Some(webhook(true))))
        .expect(1)
        .mount(&server)
        .await;
    let out = webhooks(&base, &["list"]).await;
    assert_ok(&out);
    assert_eq!(stdout_json(&out)["items"][0]["id"], ID);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let out = webhooks(&base, &["show", ID]).await;
    assert_ok(&out);
    assert_eq!(stdout_json(&out), webhook(true));
    server.verify().await;
    server.reset().await;

    // enable / disable: PATCH with `enabled`.
    expect("PATCH", &one)
        .and(body_json(json!({"enabled": false})))
        .respond_with(reply(200, Some(webhook(false))))
        .expect(1)
        .mount(&server)
        .await;
    expect("PATCH", &one)
        .and(body_json(json!({"enabled": true})))
        .respond_with(reply(200, Some(webhook(true))))
        .expect(1)
        .mount(&server)
        .await;
    let out = webhooks(&base, &["disable", ID]).await;
    assert_ok(&out);
    assert_eq!(stdout_json(&out)["enabled"], false);
    let out = webhooks(&base, &["enable", ID]).await;
    assert_ok(&out);
    assert_eq!(stdout_json(&out)["enabled"], true);
    server.verify().await;
    server.reset().await;

    // rotate, with and without --overlap.
    let rotate = format!("{one}/rotate");
    expect("POST", &rotate)
        .and(body_json(json!({"overlap": "1h"})))
        .respond_with(reply(200, Some(with_secret("whsec_bmV3"))))
        .expect(1)
        .mount(&server)
        .await;
    expect("POST", &rotate)
        .and(body_json(json!({})))
        .respond_with(reply(200, Some(with_secret("whsec_bmV3ZXI="))))
        .expect(1)
        .mount(&server)
        .await;
    let out = webhooks(&base, &["rotate", ID, "--overlap", "1h"]).await;
    assert_ok(&out);
    assert_eq!(stdout_json(&out)["secret"], "whsec_bmV3");
    assert!(stderr(&out).contains("shown only this once"));
    let out = webhooks(&base, &["rotate", ID]).await;
    assert_ok(&out);
    assert_eq!(stdout_json(&out)["secret"], "whsec_bmV3ZXI=");
    server.verify().await;
    server.reset().await;

    // deliveries with --state and --limit as the query.
    let page = json!({"items": [{
        "id": "msg_01", "endpoint_id": ID, "connection_id": "conn_01", "seq": 7,
        "type": "employee.created", "state": "dead", "attempts": 10,
        "next_attempt_at": null, "created_at": "2026-12-07T10:00:00Z", "delivered_at": null,
        "attempt_log": [{"attempt": 1, "at": "2026-12-07T10:00:00Z", "status": 500,
                         "latency_ms": 12, "snippet": "oops", "error": null}],
    }]});
    expect("GET", &format!("{one}/deliveries"))
        .and(query_param("state", "dead"))
        .and(query_param("limit", "5"))
        .respond_with(reply(200, Some(page.clone())))
        .expect(1)
        .mount(&server)
        .await;
    let out = webhooks(
        &base,
        &["deliveries", ID, "--state", "dead", "--limit", "5"],
    )
    .await;
    assert_ok(&out);
    assert_eq!(stdout_json(&out), page);
    server.verify().await;
    server.reset().await;

    // replay one delivery, or a connection from a sequence number.
    let replay = format!("{one}/replay");
    expect("POST", &replay)
        .and(body_json(json!({"delivery_id": "msg_01"})))
        .respond_with(reply(200, Some(json!({"replayed": 1}))))
        .expect(1)
        .mount(&server)
        .await;
    expect("POST", &replay)
        .and(body_json(json!({"connection": "acme", "from_seq": 1200})))
        .respond_with(reply(200, Some(json!({"replayed": 42}))))
        .expect(1)
        .mount(&server)
        .await;
    let out = webhooks(&base, &["replay", ID, "--delivery", "msg_01"]).await;
    assert_ok(&out);
    assert_eq!(stdout_json(&out), json!({"replayed": 1}));
    let out = webhooks(
        &base,
        &["replay", ID, "--connection", "acme", "--from-seq", "1200"],
    )
    .await;
    assert_ok(&out);
    assert_eq!(stdout_json(&out), json!({"replayed": 42}));
    server.verify().await;
    server.reset().await;

    // remove: 204 without a body.
    expect("DELETE", &one)
        .respond_with(reply(204, None))
        .expect(1)
        .mount(&server)
        .await;
    let out = webhooks(&base, &["remove", ID]).await;
    assert_ok(&out);
    assert_eq!(stdout_json(&out), json!({"id": ID, "removed": true}));
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_problem_answer_exits_5_with_its_detail_and_fields() {
    let server = MockServer::start().await;
    let base = server.uri();
    let problem = |status: u16, detail: &str, problems: Value| {
        ResponseTemplate::new(status).set_body_raw(
            serde_json::to_vec(&json!({
                "type": "urn:spindle:problem:x", "title": "x", "status": status,
                "detail": detail, "code": "x", "problems": problems,
            }))
            .expect("JSON"),
            "application/problem+json",
        )
    };
    Mock::given(method("GET"))
        .and(path("/v1/webhooks/whk_nobody"))
        .respond_with(problem(404, "no webhook with id `whk_nobody`", json!([])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/webhooks"))
        .respond_with(problem(
            422,
            "the body is not valid",
            json!([{"path": "url", "message": "private addresses are refused"}]),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let out = webhooks(&base, &["show", "whk_nobody"]).await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("no webhook with id `whk_nobody` (404)"),
        "{err}"
    );
    assert!(!err.contains(KEY), "{err}");
    assert!(out.stdout.is_empty());

    let out = webhooks(&base, &["add", "http://10.0.0.1/hook"]).await;
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("the body is not valid (422)"), "{err}");
    assert!(err.contains("url: private addresses are refused"), "{err}");
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_usage_exits_2_and_sends_nothing() {
    let server = MockServer::start().await;
    let base = server.uri();
    for args in [
        &["add", "https://h.example.com", "--event", "employee.hired"][..],
        &["replay", ID][..],
        &["replay", ID, "--connection", "acme"][..],
        &["replay", ID, "--delivery", "msg_01", "--connection", "acme"][..],
        &["deliveries", ID, "--state", "lost"][..],
    ] {
        let out = webhooks(&base, args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    let no_key = tokio::task::spawn_blocking(move || {
        spindle()
            .env("SPINDLE_URL", base)
            .env_remove("SPINDLE_KEY")
            .args(["webhooks", "list"])
            .output()
            .expect("spindle runs")
    })
    .await
    .expect("thread");
    assert_eq!(no_key.status.code(), Some(2));
    assert!(stderr(&no_key).contains("SPINDLE_KEY"));
    let received = server.received_requests().await.unwrap_or_default();
    assert!(received.is_empty(), "{received:?}");
}

#[test]
fn an_unreachable_gateway_exits_4() {
    let out = spindle()
        .env("SPINDLE_URL", "http://127.0.0.1:9")
        .env("SPINDLE_KEY", KEY)
        .args(["webhooks", "list"])
        .output()
        .expect("spindle runs");
    assert_eq!(out.status.code(), Some(4));
    let err = stderr(&out);
    assert!(err.contains("cannot reach the gateway"), "{err}");
    assert!(!err.contains(KEY), "{err}");
}
