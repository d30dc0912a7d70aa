//! API keys: every `/v1` endpoint needs one (401 with a `WWW-Authenticate` challenge otherwise);
//! read-only keys may read but not change anything (403).

use reqwest::Method;
use serde_json::{Value, json};
use spindle_store::ApiKeyScope;

use crate::support::{Db, Gw, Key, Resp, both_backends};

both_backends!(
    requests_without_a_valid_key_are_401,
    a_revoked_key_is_401,
    the_read_only_key_reads_but_cannot_change_connections,
    operations_endpoints_need_no_key,
);

/// Every `/v1` endpoint, with a body where it takes one.
fn endpoints() -> Vec<(Method, &'static str, Option<Value>)> {
    vec![
        (Method::GET, "/v1/connections", None),
        (
            Method::POST,
            "/v1/connections",
            Some(
                json!({"name": "x", "org_url": "http://127.0.0.1:1", "auth": {"kind": "api_token", "token": "t"}}),
            ),
        ),
        (Method::GET, "/v1/connections/acme", None),
        (
            Method::PATCH,
            "/v1/connections/acme",
            Some(json!({"name": "y"})),
        ),
        (Method::DELETE, "/v1/connections/acme", None),
        (Method::GET, "/v1/actions", None),
        (Method::GET, "/v1/actions/get_retrieve_a_user", None),
        (
            Method::POST,
            "/v1/connections/acme/actions/get_list_all_users",
            Some(json!({})),
        ),
        (Method::GET, "/v1/connections/acme/employees", None),
        (
            Method::POST,
            "/v1/connections/acme/passthrough",
            Some(json!({"method": "GET", "path": "/api/v1/users"})),
        ),
        (Method::GET, "/v1/logs", None),
    ]
}

#[track_caller]
fn assert_401(r: &Resp, what: &str) {
    r.problem(401, "unauthorized");
    assert_eq!(
        r.header("www-authenticate"),
        "Bearer realm=\"spindle\"",
        "{what}: {}",
        r.text
    );
}

async fn requests_without_a_valid_key_are_401(db: Db) {
    let gw = Gw::start(&db).await;
    gw.connect("acme").await;
    let unknown = format!("Bearer spk_01J00000000000000000000000_{}", "A".repeat(43));
    let basic = format!("Basic {}", gw.full);
    let bare = gw.full.clone();
    let cases: Vec<(&str, Key<'_>)> = vec![
        ("no header", Key::None),
        ("wrong scheme", Key::Raw(&basic)),
        ("no scheme", Key::Raw(&bare)),
        ("malformed key", Key::Raw("Bearer not-a-key")),
        ("empty key", Key::Raw("Bearer ")),
        ("unknown key", Key::Raw(&unknown)),
    ];
    for (what, key) in cases {
        for (method, path, body) in endpoints() {
            let r = gw.send(method.clone(), path, key, body).await;
            assert_401(&r, &format!("{what} on {method} {path}"));
            assert!(!r.text.contains(&gw.full), "{}", r.text);
        }
    }
    // A valid key with the wrong letters in its secret.
    let mut tampered = gw.full.clone();
    let last = tampered.pop().expect("a character");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let r = gw
        .send(
            Method::GET,
            "/v1/connections",
            Key::Raw(&format!("Bearer {tampered}")),
            None,
        )
        .await;
    assert_401(&r, "tampered key");
    // Nothing changed and nothing reached Okta.
    assert_eq!(
        gw.get("/v1/connections").await.ok(200)["items"][0]["name"],
        "acme"
    );
    assert!(gw.okta_requests().await.is_empty());
    gw.stop().await;
}

async fn a_revoked_key_is_401(db: Db) {
    let gw = Gw::start(&db).await;
    let (key, secret) = gw
        .store
        .api_keys()
        .create("soon revoked", ApiKeyScope::Full)
        .await
        .expect("a key");
    let secret = secrecy::ExposeSecret::expose_secret(&secret).to_owned();
    let header = format!("Bearer {secret}");
    gw.send(Method::GET, "/v1/actions", Key::Raw(&header), None)
        .await
        .ok(200);
    gw.store.api_keys().revoke(&key.id).await.expect("revoked");
    for (method, path, body) in endpoints() {
        let r = gw.send(method.clone(), path, Key::Raw(&header), body).await;
        assert_401(&r, &format!("revoked key on {method} {path}"));
    }
    gw.stop().await;
}

async fn the_read_only_key_reads_but_cannot_change_connections(db: Db) {
    let gw = Gw::start(&db).await;
    let id = gw.connect("acme").await;
    let create = gw
        .send(
            Method::POST,
            "/v1/connections",
            Key::ReadOnly,
            Some(json!({"name": "x", "org_url": gw.emu.url(),
                        "auth": {"kind": "api_token", "token": gw.emu.token()}})),
        )
        .await;
    create.problem(403, "forbidden");
    assert!(!create.text.contains(gw.emu.token()), "{}", create.text);
    gw.send(
        Method::PATCH,
        &format!("/v1/connections/{id}"),
        Key::ReadOnly,
        Some(json!({"name": "renamed"})),
    )
    .await
    .problem(403, "forbidden");
    gw.send(
        Method::DELETE,
        &format!("/v1/connections/{id}"),
        Key::ReadOnly,
        None,
    )
    .await
    .problem(403, "forbidden");
    // Nothing changed.
    let list = gw
        .send(Method::GET, "/v1/connections", Key::ReadOnly, None)
        .await;
    let items = list.ok(200)["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["name"], "acme");
    for path in ["/v1/actions", "/v1/logs", "/v1/connections/acme"] {
        gw.send(Method::GET, path, Key::ReadOnly, None)
            .await
            .ok(200);
    }
    gw.stop().await;
}

async fn operations_endpoints_need_no_key(db: Db) {
    let gw = Gw::start(&db).await;
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"] {
        let r = gw.send(Method::GET, path, Key::None, None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
    }
    gw.stop().await;
}
