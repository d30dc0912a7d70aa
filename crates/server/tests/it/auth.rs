//! API keys: every `/v1` endpoint needs one (401 with a `WWW-Authenticate` challenge otherwise);
//! read-only keys may read but not change anything (403).

use reqwest::Method;
use serde_json::{Value, json};
use spindle_server::Settings;
use spindle_store::ApiKeyScope;

use std::time::Duration;

use crate::common::{Key, Resp, TestDatabase, TestGateway, both_backends, dev_settings};

/// Gateway settings with this API key cache TTL.
fn key_cache_ttl(ttl: Duration) -> Settings {
    let mut settings = dev_settings();
    settings.auth_cache_ttl = ttl;
    settings
}

/// A new full key's id and `Authorization` header.
async fn new_key(gw: &TestGateway, name: &str) -> (spindle_store::ApiKeyId, String) {
    let (key, secret) = gw
        .store
        .api_keys()
        .create(name, ApiKeyScope::Full)
        .await
        .expect("a key");
    let secret = secrecy::ExposeSecret::expose_secret(&secret).to_owned();
    (key.id, format!("Bearer {secret}"))
}

both_backends!(
    requests_without_a_valid_key_are_401,
    a_revoked_key_is_401,
    a_revoked_key_stops_working_once_the_cache_ttl_ends,
    the_key_cache_serves_only_the_exact_secret_that_authenticated,
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

async fn requests_without_a_valid_key_are_401(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
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

/// Without the key cache (TTL 0) a revocation applies to the next request.
async fn a_revoked_key_is_401(db: TestDatabase) {
    let gw = TestGateway::builder()
        .database(&db)
        .settings(key_cache_ttl(Duration::ZERO))
        .build()
        .await;
    let (id, header) = new_key(&gw, "soon revoked").await;
    gw.send(Method::GET, "/v1/actions", Key::Raw(&header), None)
        .await
        .ok(200);
    gw.store.api_keys().revoke(&id).await.expect("revoked");
    for (method, path, body) in endpoints() {
        let r = gw.send(method.clone(), path, Key::Raw(&header), body).await;
        assert_401(&r, &format!("revoked key on {method} {path}"));
    }
    gw.stop().await;
}

/// With the key cache a revocation made behind the gateway's back (another gateway, the CLI)
/// applies once the TTL has passed.
async fn a_revoked_key_stops_working_once_the_cache_ttl_ends(db: TestDatabase) {
    let ttl = Duration::from_millis(500);
    let gw = TestGateway::builder()
        .database(&db)
        .settings(key_cache_ttl(ttl))
        .build()
        .await;
    let (id, header) = new_key(&gw, "soon revoked").await;
    gw.send(Method::GET, "/v1/actions", Key::Raw(&header), None)
        .await
        .ok(200);
    gw.store.api_keys().revoke(&id).await.expect("revoked");
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    for (method, path, body) in endpoints() {
        let r = gw.send(method.clone(), path, Key::Raw(&header), body).await;
        assert_401(&r, &format!("revoked key on {method} {path}"));
    }
    gw.stop().await;
}

/// A cached key answers only its exact secret: a secret differing in one character, or one
/// with the right key id and other random bytes, still goes to the store and is refused; and a
/// refusal is never cached.
async fn the_key_cache_serves_only_the_exact_secret_that_authenticated(db: TestDatabase) {
    let gw = TestGateway::builder()
        .database(&db)
        .settings(key_cache_ttl(Duration::from_secs(600)))
        .build()
        .await;
    let (id, header) = new_key(&gw, "cached").await;
    let mut tampered = header.clone();
    let last = tampered.pop().expect("a character");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let (prefix, _) = header.split_at(header.len() - 43);
    let other_random = format!("{prefix}{}", "x".repeat(43));
    let longer = format!("{header}A");
    let wrong = [&tampered, &other_random, &longer];
    // A refusal first: it must not stick to the key.
    assert_401(
        &gw.send(Method::GET, "/v1/actions", Key::Raw(&tampered), None)
            .await,
        "tampered key before the real one",
    );
    gw.send(Method::GET, "/v1/actions", Key::Raw(&header), None)
        .await
        .ok(200);
    for bad in wrong {
        let r = gw
            .send(Method::GET, "/v1/actions", Key::Raw(bad), None)
            .await;
        assert_401(&r, "a wrong secret while the key is cached");
    }
    // The documented trade-off: behind the gateway's back, the revocation waits for the TTL...
    gw.store.api_keys().revoke(&id).await.expect("revoked");
    gw.send(Method::GET, "/v1/actions", Key::Raw(&header), None)
        .await
        .ok(200);
    // ...and wrong secrets stay refused.
    for bad in wrong {
        let r = gw
            .send(Method::GET, "/v1/actions", Key::Raw(bad), None)
            .await;
        assert_401(&r, "a wrong secret of a revoked key");
    }
    gw.stop().await;
}

async fn the_read_only_key_reads_but_cannot_change_connections(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
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

async fn operations_endpoints_need_no_key(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"] {
        let r = gw.send(Method::GET, path, Key::None, None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
    }
    gw.stop().await;
}
