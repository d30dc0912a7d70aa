//! Malformed requests: each is a problem document naming what is wrong, and nothing reaches Okta.

use reqwest::Method;
use serde_json::json;

use crate::common::{Key, TestDatabase, TestGateway, both_backends, dev_settings};

both_backends!(
    malformed_json_is_400,
    a_body_that_is_not_json_is_415,
    a_body_over_the_limit_is_413,
    connection_input_names_the_field_at_fault,
    unknown_routes_and_methods_are_problems,
    a_path_that_is_not_utf8_is_a_400_problem,
    passthrough_query_values_are_scalars_or_lists,
);

async fn malformed_json_is_400(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let conn = gw.connect("acme").await;
    for path in [
        "/v1/connections".to_owned(),
        format!("/v1/connections/{conn}/actions/get_list_all_users"),
        format!("/v1/connections/{conn}/passthrough"),
    ] {
        let r = gw
            .send_raw(Method::POST, &path, "application/json", "{\"name\": ")
            .await;
        let p = r.problem(400, "bad_request");
        assert!(
            p["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("not valid JSON"),
            "{path}: {}",
            r.text
        );
    }
    let r = gw
        .send_raw(
            Method::PATCH,
            &format!("/v1/connections/{conn}"),
            "application/json",
            "[1,",
        )
        .await;
    r.problem(400, "bad_request");
    assert!(gw.okta_requests().await.is_empty());
    gw.stop().await;
}

async fn a_body_that_is_not_json_is_415(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let conn = gw.connect("acme").await;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
    ] {
        for path in [
            "/v1/connections".to_owned(),
            format!("/v1/connections/{conn}/actions/get_list_all_users"),
            format!("/v1/connections/{conn}/passthrough"),
        ] {
            let r = gw.send_raw(Method::POST, &path, content_type, "{}").await;
            r.problem(415, "unsupported_media_type");
        }
    }
    // A JSON media type with parameters, or a +json one, is fine.
    let r = gw
        .send_raw(
            Method::POST,
            &format!("/v1/connections/{conn}/actions/get_list_all_users"),
            "application/json; charset=utf-8",
            "{}",
        )
        .await;
    r.ok(200);
    gw.stop().await;
}

async fn a_body_over_the_limit_is_413(db: TestDatabase) {
    let mut settings = dev_settings();
    settings.body_limit = 1024;
    let gw = TestGateway::builder()
        .database(&db)
        .settings(settings)
        .build()
        .await;
    let conn = gw.connect("acme").await;
    let big = json!({"body": {"profile": {"name": "x".repeat(4096)}}}).to_string();
    for path in [
        "/v1/connections".to_owned(),
        format!("/v1/connections/{conn}/actions/post_create_a_group"),
        format!("/v1/connections/{conn}/passthrough"),
    ] {
        let r = gw
            .send_raw(Method::POST, &path, "application/json", big.clone())
            .await;
        r.problem(413, "payload_too_large");
    }
    let r = gw
        .send_raw(
            Method::PATCH,
            &format!("/v1/connections/{conn}"),
            "application/json",
            big.clone(),
        )
        .await;
    r.problem(413, "payload_too_large");
    assert!(gw.okta_requests().await.is_empty());
    gw.stop().await;
}

async fn connection_input_names_the_field_at_fault(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let url = gw.emu.url();
    let token = gw.emu.token().to_owned();
    let cases = [
        (
            json!({"name": "a", "org_url": url, "auth": {"kind": "api_token", "token": token}, "colour": "blue"}),
            "colour",
        ),
        (
            json!({"name": "a", "org_url": url, "auth": {"kind": "api_token", "token": token, "colour": 1}}),
            "auth.colour",
        ),
        (
            json!({"org_url": url, "auth": {"kind": "api_token", "token": token}}),
            "name",
        ),
        (
            json!({"name": "a", "auth": {"kind": "api_token", "token": token}}),
            "org_url",
        ),
        (json!({"name": "a", "org_url": url}), "auth"),
        (
            json!({"name": "a", "org_url": url, "auth": {"kind": "api_token"}}),
            "auth.token",
        ),
        (
            json!({"name": "a", "org_url": url, "auth": {"kind": "api_token", "token": ""}}),
            "auth.token",
        ),
        (
            json!({"name": "a", "org_url": url, "auth": {"kind": "api_token", "token": "SSWS abc"}}),
            "auth.token",
        ),
        (
            json!({"name": "a", "org_url": url, "auth": {"kind": "api_token", "token": 5}}),
            "auth.token",
        ),
        (
            json!({"name": "a", "org_url": url, "auth": {"kind": "ssws", "token": token}}),
            "auth.kind",
        ),
        (
            json!({"name": "a", "org_url": url, "auth": {"token": token}}),
            "auth.kind",
        ),
        (
            json!({"name": "a", "org_url": url, "auth": {"kind": "api_token", "token": token, "client_id": "0oa1"}}),
            "auth.client_id",
        ),
        (
            json!({"name": "a", "org_url": url, "auth": {"kind": "oauth", "token": token, "client_id": "0oa1"}}),
            "auth.token",
        ),
        (
            json!({"name": "a", "org_url": url, "auth": {"kind": "oauth", "scopes": ["x"], "private_key": "k"}}),
            "auth.client_id",
        ),
        (
            json!({"name": "a", "org_url": url, "auth": {"kind": "oauth", "client_id": "0oa1", "scopes": "okta.users.read", "private_key": "k"}}),
            "auth.scopes",
        ),
        (
            json!({"name": " ", "org_url": url, "auth": {"kind": "api_token", "token": token}}),
            "name",
        ),
        (
            json!({"name": 7, "org_url": url, "auth": {"kind": "api_token", "token": token}}),
            "name",
        ),
        (
            json!({"name": "a", "org_url": "not a url", "auth": {"kind": "api_token", "token": token}}),
            "org_url",
        ),
        (
            json!({"name": "a", "org_url": url, "auth": {"kind": "oauth", "client_id": "0oa1", "scopes": ["okta.users.read"]}}),
            "auth.private_key",
        ),
        (
            json!({"name": "a", "org_url": url, "auth": {"kind": "oauth", "client_id": "", "scopes": ["x"], "private_key": "k"}}),
            "auth.client_id",
        ),
    ];
    for (body, field) in cases {
        let r = gw.post("/v1/connections", body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        let code = r.json["code"].as_str().unwrap_or_default();
        assert!(
            code == "invalid_input" || (code == "org_url_refused" && field == "org_url"),
            "{body}: {}",
            r.text
        );
        r.problem(422, code);
        assert_eq!(r.problem_paths(), [field], "{body}: {}", r.text);
        assert!(!r.text.contains(&token), "{}", r.text);
    }
    // The body as a whole.
    gw.post("/v1/connections", json!([1]))
        .await
        .invalid("invalid_input", &["body"]);
    let r = gw
        .send_raw(Method::POST, "/v1/connections", "application/json", "")
        .await;
    r.problem(400, "bad_request");
    assert_eq!(gw.get("/v1/connections").await.ok(200)["items"], json!([]));
    // Update: unknown fields too.
    let conn = gw.connect("acme").await;
    gw.patch(&format!("/v1/connections/{conn}"), json!({"nmae": "b"}))
        .await
        .invalid("invalid_input", &["nmae"]);
    gw.patch(&format!("/v1/connections/{conn}"), json!({"name": ""}))
        .await
        .invalid("invalid_input", &["name"]);
    gw.stop().await;
}

async fn unknown_routes_and_methods_are_problems(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    for path in [
        "/",
        "/v1",
        "/v2/connections",
        "/v1/connection",
        "/v1/actions/x/y",
    ] {
        let r = gw.send(Method::GET, path, Key::Full, None).await;
        let p = r.problem(404, "not_found");
        assert!(
            p["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("/openapi.json"),
            "{path}: {}",
            r.text
        );
    }
    for (method, path) in [
        (Method::PUT, "/v1/connections"),
        (Method::DELETE, "/v1/actions"),
        (
            Method::GET,
            "/v1/connections/acme/actions/get_list_all_users",
        ),
        (Method::GET, "/v1/connections/acme/passthrough"),
        (Method::POST, "/v1/logs"),
        (Method::POST, "/healthz"),
    ] {
        let r = gw.send(method.clone(), path, Key::Full, None).await;
        let p = r.problem(405, "method_not_allowed");
        assert!(
            p["detail"]
                .as_str()
                .unwrap_or_default()
                .contains(method.as_str()),
            "{method} {path}: {}",
            r.text
        );
    }
    gw.stop().await;
}

async fn a_path_that_is_not_utf8_is_a_400_problem(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    gw.connect("acme").await;
    for (method, path, param) in [
        (Method::GET, "/v1/connections/%FF", "connection_id"),
        (Method::PATCH, "/v1/connections/%FF", "connection_id"),
        (Method::DELETE, "/v1/connections/%FF", "connection_id"),
        (Method::GET, "/v1/actions/%C3%28", "action_id"),
        (
            Method::POST,
            "/v1/connections/acme/actions/%FF",
            "action_id",
        ),
        (
            Method::GET,
            "/v1/connections/%FF/employees",
            "connection_id",
        ),
        (
            Method::POST,
            "/v1/connections/%FF/passthrough",
            "connection_id",
        ),
    ] {
        let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
        let r = gw.send(method.clone(), path, Key::Full, body).await;
        let p = r.problem(400, "bad_request");
        assert!(
            p["detail"].as_str().unwrap_or_default().contains(param),
            "{method} {path}: {}",
            r.text
        );
    }
    gw.stop().await;
}

async fn passthrough_query_values_are_scalars_or_lists(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    gw.connect("acme").await;
    let r = gw
        .post(
            "/v1/connections/acme/passthrough",
            json!({"method": "GET", "path": "/api/v1/users", "query": {"a": {"b": 1}}}),
        )
        .await;
    r.invalid("invalid_input", &["query.a"]);
    assert!(r.text.contains("a list of them"), "{}", r.text);
    let r = gw
        .send_raw(
            Method::POST,
            "/v1/connections/acme/actions/get_list_all_users",
            "application/json",
            "{} trailing",
        )
        .await;
    r.problem(400, "bad_request");
    assert!(gw.okta_requests().await.is_empty());
    gw.stop().await;
}
