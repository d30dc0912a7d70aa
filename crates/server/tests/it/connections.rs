//! `/v1/connections`: create, list, get by id and by name, update (name, token, OAuth), delete;
//! secrets never come back.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Key, TestDatabase, TestGateway, both_backends};

/// A P-256 key whose public half is [`TEST_JWK`] (test material only).
pub const TEST_KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVv6ZfwXffXuhxf/D
uMhy+UJx3t0Rz5Fdxcoi/xyrn2mhRANCAAQW5TxncDb3phLvc7FvfgTSs1IRLB9i
C5rGTuGfIvkDkZxiXSrPusxZpk2ga+b7IqdQQbXyEFLgWHgTNpoT7Zmr
-----END PRIVATE KEY-----
";

/// The public JWK of [`TEST_KEY_PEM`], with `kid` `k1`.
pub fn test_jwk() -> Value {
    json!({"kty": "EC", "crv": "P-256", "kid": "k1",
        "x": "FuU8Z3A296YS73Oxb34E0rNSESwfYguaxk7hnyL5A5E",
        "y": "nGJdKs-6zFmmTaBr5vsip1BBtfIQUuBYeBM2mhPtmas"})
}

/// Asserts that no secret appears in `text`.
#[track_caller]
pub fn assert_no_secret(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
    assert!(
        !text.contains("PRIVATE KEY"),
        "a private key leaked: {text}"
    );
    assert!(!text.contains("MIGHAgEA"), "a private key leaked: {text}");
}

both_backends!(
    create_list_get_update_delete,
    update_to_oauth_and_back_keeps_secrets_write_only,
    an_oauth_connection_runs_an_action_with_a_service_app,
    a_dpop_service_app_gets_bound_tokens,
    a_service_app_without_the_scope_is_okta_s_403,
    duplicate_names_conflict,
    unknown_connections_are_404,
    changes_through_the_gateway_apply_at_once_despite_the_cache,
    changes_behind_the_gateway_apply_once_the_cache_ttl_ends,
);

/// Gateway settings with this connection cache TTL.
fn connection_cache_ttl(ttl: std::time::Duration) -> spindle_server::Settings {
    let mut settings = crate::common::dev_settings();
    settings.connection_cache_ttl = ttl;
    settings
}

/// With a long connection cache TTL, an update, rename, delete or re-create made through this
/// gateway is seen by the next action call.
async fn changes_through_the_gateway_apply_at_once_despite_the_cache(db: TestDatabase) {
    let gw = TestGateway::builder()
        .database(&db)
        .settings(connection_cache_ttl(std::time::Duration::from_secs(600)))
        .build()
        .await;
    let id = gw.connect("acme").await;
    let list = json!({"limit": 1});
    for by in ["acme", id.as_str()] {
        gw.run(by, "get_list_all_users", list.clone()).await.ok(200);
    }
    // New credentials: the next call uses them (Okta refuses the wrong token).
    gw.patch(
        &format!("/v1/connections/{id}"),
        json!({"auth": {"kind": "api_token", "token": "wrong"}}),
    )
    .await
    .ok(200);
    for by in ["acme", id.as_str()] {
        let r = gw.run(by, "get_list_all_users", list.clone()).await;
        assert_ne!(r.status, 200, "{by}: {}", r.text);
    }
    gw.patch(
        &format!("/v1/connections/{id}"),
        json!({"auth": {"kind": "api_token", "token": gw.emu.token()}}),
    )
    .await
    .ok(200);
    gw.run("acme", "get_list_all_users", list.clone())
        .await
        .ok(200);
    // A rename: the old name is gone at once.
    gw.patch("/v1/connections/acme", json!({"name": "renamed"}))
        .await
        .ok(200);
    gw.run("acme", "get_list_all_users", list.clone())
        .await
        .problem(404, "not_found");
    gw.run("renamed", "get_list_all_users", list.clone())
        .await
        .ok(200);
    // A delete, then a new connection under the old name.
    gw.send(
        Method::DELETE,
        &format!("/v1/connections/{id}"),
        Key::Full,
        None,
    )
    .await;
    for by in ["renamed", id.as_str()] {
        gw.run(by, "get_list_all_users", list.clone())
            .await
            .problem(404, "not_found");
    }
    gw.run("acme", "get_list_all_users", list.clone())
        .await
        .problem(404, "not_found");
    let new_id = gw.connect("acme").await;
    assert_ne!(new_id, id);
    gw.run("acme", "get_list_all_users", list.clone())
        .await
        .ok(200);
    gw.stop().await;
}

/// A change made behind the gateway's back (another gateway on the same database) is seen once
/// the connection cache TTL has passed.
async fn changes_behind_the_gateway_apply_once_the_cache_ttl_ends(db: TestDatabase) {
    let ttl = std::time::Duration::from_millis(500);
    let gw = TestGateway::builder()
        .database(&db)
        .settings(connection_cache_ttl(ttl))
        .build()
        .await;
    let id = gw.connect("acme").await;
    let list = json!({"limit": 1});
    gw.run("acme", "get_list_all_users", list.clone())
        .await
        .ok(200);
    gw.store
        .connections()
        .update(
            &id.parse().expect("a connection id"),
            spindle_store::ConnectionUpdate::new().name("elsewhere"),
        )
        .await
        .expect("renamed behind the gateway");
    tokio::time::sleep(ttl + std::time::Duration::from_millis(100)).await;
    gw.run("acme", "get_list_all_users", list.clone())
        .await
        .problem(404, "not_found");
    gw.run("elsewhere", "get_list_all_users", list)
        .await
        .ok(200);
    gw.stop().await;
}

async fn create_list_get_update_delete(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let token = gw.emu.token().to_owned();
    let created = gw
        .post(
            "/v1/connections",
            json!({"name": "acme", "org_url": gw.emu.url(),
                   "auth": {"kind": "api_token", "token": token}}),
        )
        .await;
    let view = created.ok(201).clone();
    assert_no_secret(&created.text, &[&token]);
    let id = view["id"].as_str().expect("an id").to_owned();
    assert!(id.starts_with("conn_"), "{view}");
    assert_eq!(view["name"], "acme");
    assert_eq!(view["org_url"], gw.emu.url());
    assert_eq!(view["auth"], json!({"kind": "api_token"}));
    assert!(view["created_at"].as_str().is_some(), "{view}");
    assert!(view["updated_at"].as_str().is_some(), "{view}");

    let list = gw.get("/v1/connections").await;
    assert_eq!(list.ok(200)["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list.json["items"][0]["id"], id.as_str());
    assert_no_secret(&list.text, &[&token]);

    let by_id = gw.get(&format!("/v1/connections/{id}")).await;
    assert_eq!(by_id.ok(200), &view);
    let by_name = gw.get("/v1/connections/acme").await;
    assert_eq!(by_name.ok(200), &view);
    assert_no_secret(&by_name.text, &[&token]);
    // The read-only key lists and reads too.
    let ro = gw
        .send(Method::GET, "/v1/connections", Key::ReadOnly, None)
        .await;
    assert_eq!(ro.ok(200)["items"][0]["id"], id.as_str());
    let ro = gw
        .send(Method::GET, "/v1/connections/acme", Key::ReadOnly, None)
        .await;
    assert_eq!(ro.ok(200)["id"], id.as_str());

    // Rename; the new name resolves, the old does not.
    let renamed = gw
        .patch(
            &format!("/v1/connections/{id}"),
            json!({"name": "acme-prod"}),
        )
        .await;
    assert_eq!(renamed.ok(200)["name"], "acme-prod");
    assert_eq!(renamed.json["id"], id.as_str());
    gw.get("/v1/connections/acme")
        .await
        .problem(404, "not_found");
    assert_eq!(
        gw.get("/v1/connections/acme-prod").await.ok(200)["id"],
        id.as_str()
    );

    // The connection works; a changed token takes effect at once (the client cache is dropped).
    let org = gw.run("acme-prod", "get_list_all_users", json!({})).await;
    org.ok(200);
    let changed = gw
        .patch(
            "/v1/connections/acme-prod",
            json!({"auth": {"kind": "api_token", "token": "00wrong-token-abcdef"}}),
        )
        .await;
    changed.ok(200);
    assert_no_secret(&changed.text, &["00wrong-token-abcdef"]);
    gw.run("acme-prod", "get_list_all_users", json!({}))
        .await
        .problem(502, "okta_credentials_rejected");
    gw.patch(
        "/v1/connections/acme-prod",
        json!({"auth": {"kind": "api_token", "token": token}}),
    )
    .await
    .ok(200);
    gw.run("acme-prod", "get_list_all_users", json!({}))
        .await
        .ok(200);
    // Leaving the token out keeps the stored one.
    gw.patch(
        "/v1/connections/acme-prod",
        json!({"auth": {"kind": "api_token"}}),
    )
    .await
    .ok(200);
    gw.run("acme-prod", "get_list_all_users", json!({}))
        .await
        .ok(200);

    let deleted = gw
        .send(
            Method::DELETE,
            &format!("/v1/connections/{id}"),
            Key::Full,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert_eq!(deleted.text, "");
    gw.get(&format!("/v1/connections/{id}"))
        .await
        .problem(404, "not_found");
    assert_eq!(gw.get("/v1/connections").await.ok(200)["items"], json!([]));
    gw.run(&id, "get_list_all_users", json!({}))
        .await
        .problem(404, "not_found");
    gw.stop().await;
}

async fn update_to_oauth_and_back_keeps_secrets_write_only(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let id = gw.connect("acme").await;
    // Changing the kind without the new secret names the missing field.
    gw.patch(
        &format!("/v1/connections/{id}"),
        json!({"auth": {"kind": "oauth", "client_id": "0oa1", "scopes": ["okta.users.read"]}}),
    )
    .await
    .invalid("invalid_input", &["auth.private_key"]);
    // An unusable key is refused without being echoed.
    let bad = gw
        .patch(
            &format!("/v1/connections/{id}"),
            json!({"auth": {"kind": "oauth", "client_id": "0oa1", "scopes": ["okta.users.read"],
                            "private_key": "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----"}}),
        )
        .await;
    bad.invalid("invalid_input", &["auth.private_key"]);
    assert!(!bad.text.contains("not a key"), "{}", bad.text);
    gw.patch(
        &format!("/v1/connections/{id}"),
        json!({"auth": {"kind": "oauth", "client_id": "0oa1", "private_key": TEST_KEY_PEM}}),
    )
    .await
    .invalid("invalid_input", &["auth.scopes"]);

    let changed = gw
        .patch(
            &format!("/v1/connections/{id}"),
            json!({"auth": {"kind": "oauth", "client_id": "0oa1", "key_id": "k1",
                            "scopes": ["okta.users.read"], "private_key": TEST_KEY_PEM}}),
        )
        .await;
    assert_eq!(
        changed.ok(200)["auth"],
        json!({"kind": "oauth", "client_id": "0oa1", "key_id": "k1",
               "scopes": ["okta.users.read"], "dpop": false})
    );
    assert_no_secret(&changed.text, &[gw.emu.token()]);
    for text in [
        gw.get(&format!("/v1/connections/{id}")).await.text,
        gw.get("/v1/connections").await.text,
    ] {
        assert!(text.contains("\"oauth\""), "{text}");
        assert_no_secret(&text, &[gw.emu.token()]);
    }
    // Back to a token (the token is then required).
    gw.patch(
        &format!("/v1/connections/{id}"),
        json!({"auth": {"kind": "api_token"}}),
    )
    .await
    .invalid("invalid_input", &["auth.token"]);
    let back = gw
        .patch(
            &format!("/v1/connections/{id}"),
            json!({"auth": {"kind": "api_token", "token": gw.emu.token()}}),
        )
        .await;
    assert_eq!(back.ok(200)["auth"], json!({"kind": "api_token"}));
    gw.run(&id, "get_list_all_users", json!({})).await.ok(200);
    gw.stop().await;
}

async fn an_oauth_connection_runs_an_action_with_a_service_app(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    // Register a service app with the test key through the org's API.
    let client_id = service_app(
        &gw,
        false,
        &[
            "okta.users.read",
            "okta.groups.manage",
            "okta.myAccount.organization.read",
        ],
    )
    .await;
    let created = gw
        .post(
            "/v1/connections",
            json!({"name": "svc", "org_url": gw.emu.url(),
                   "auth": {"kind": "oauth", "client_id": client_id, "key_id": "k1",
                            "scopes": ["okta.users.read", "okta.groups.manage",
                                       "okta.myAccount.organization.read"],
                            "private_key": TEST_KEY_PEM}}),
        )
        .await;
    assert_eq!(created.ok(201)["auth"]["kind"], "oauth");
    assert_no_secret(&created.text, &[]);
    let users = gw.run("svc", "get_list_all_users", json!({})).await;
    assert!(
        users.ok(200).is_object() || users.json.is_array(),
        "{}",
        users.text
    );
    let group = gw
        .run(
            "svc",
            "post_create_a_group",
            json!({"body": {"profile": {"name": "OAuth made", "description": "via the gateway"}}}),
        )
        .await;
    assert_eq!(group.ok(200)["profile"]["name"], "OAuth made");
    // A MyAccount action with the service app's own token (no end-user token needed).
    let details = gw
        .run("svc", "get_retrieve_the_org_details", json!({}))
        .await;
    assert_eq!(details.ok(200)["url"], gw.emu.url());
    // The token endpoint was used, with a client assertion, and the API with a Bearer token.
    let requests = gw.okta_requests().await;
    assert!(
        requests.iter().any(|r| r["path"] == "/oauth2/v1/token"),
        "{requests:?}"
    );
    gw.stop().await;
}

async fn duplicate_names_conflict(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    gw.connect("acme").await;
    let again = gw
        .post(
            "/v1/connections",
            json!({"name": "acme", "org_url": gw.emu.url(),
                   "auth": {"kind": "api_token", "token": gw.emu.token()}}),
        )
        .await;
    again.problem(409, "conflict");
    assert_no_secret(&again.text, &[gw.emu.token()]);
    let other = gw.connect("other").await;
    gw.patch(&format!("/v1/connections/{other}"), json!({"name": "acme"}))
        .await
        .problem(409, "conflict");
    gw.stop().await;
}

async fn unknown_connections_are_404(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    for path in [
        "/v1/connections/nope",
        "/v1/connections/conn_01J00000000000000000000000",
    ] {
        let r = gw.get(path).await;
        r.problem(404, "not_found");
        assert!(
            r.json["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("GET /v1/connections")
        );
    }
    gw.patch("/v1/connections/nope", json!({"name": "x"}))
        .await
        .problem(404, "not_found");
    gw.send(Method::DELETE, "/v1/connections/nope", Key::Full, None)
        .await
        .problem(404, "not_found");
    gw.run("nope", "get_list_all_users", json!({}))
        .await
        .problem(404, "not_found");
    gw.stop().await;
}

/// Registers a service app with the test key; returns its client id.
async fn service_app(gw: &TestGateway, dpop: bool, scopes: &[&str]) -> String {
    let app: Value = gw
        .http
        .post(format!("{}/api/v1/apps", gw.emu.url()))
        .header("authorization", format!("SSWS {}", gw.emu.token()))
        .json(&json!({"name": "oidc_client", "label": "Spindle gateway", "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "private_key_jwt"}},
            "settings": {"oauthClient": {"application_type": "service",
                "grant_types": ["client_credentials"], "response_types": ["token"],
                "dpop_bound_access_tokens": dpop,
                "jwks": {"keys": [test_jwk()]}}}}))
        .send()
        .await
        .expect("the emulator answers")
        .json()
        .await
        .expect("an app");
    let client_id = app["id"].as_str().expect("an app id").to_owned();
    gw.admin(
        Method::PUT,
        &format!("apps/{client_id}/grants"),
        Some(json!({"scopes": scopes})),
    )
    .await;
    client_id
}

async fn a_dpop_service_app_gets_bound_tokens(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let client_id = service_app(&gw, true, &["okta.users.read"]).await;
    let oauth = |dpop: bool| {
        json!({"kind": "oauth", "client_id": client_id, "key_id": "k1",
               "scopes": ["okta.users.read"], "private_key": TEST_KEY_PEM, "dpop": dpop})
    };
    // `dpop: false` still works: the client turns DPoP on when the token endpoint asks for it.
    gw.post(
        "/v1/connections",
        json!({"name": "svc", "org_url": gw.emu.url(), "auth": oauth(false)}),
    )
    .await
    .ok(201);
    gw.run("svc", "get_list_all_users", json!({})).await.ok(200);
    // `dpop: true` sends proofs from the start.
    let changed = gw
        .patch("/v1/connections/svc", json!({"auth": oauth(true)}))
        .await;
    assert_eq!(changed.ok(200)["auth"]["dpop"], true);
    assert_no_secret(&changed.text, &[]);
    gw.run("svc", "get_list_all_users", json!({})).await.ok(200);
    gw.stop().await;
}

async fn a_service_app_without_the_scope_is_okta_s_403(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let client_id = service_app(&gw, false, &["okta.users.read"]).await;
    gw.post(
        "/v1/connections",
        json!({"name": "svc", "org_url": gw.emu.url(),
               "auth": {"kind": "oauth", "client_id": client_id, "key_id": "k1",
                        "scopes": ["okta.users.read"], "private_key": TEST_KEY_PEM}}),
    )
    .await
    .ok(201);
    gw.run("svc", "get_list_all_users", json!({})).await.ok(200);
    // Creating a group needs okta.groups.manage, which the token does not carry.
    let r = gw
        .run(
            "svc",
            "post_create_a_group",
            json!({"body": {"profile": {"name": "Nope"}}}),
        )
        .await;
    let p = r.problem(403, "okta_error");
    assert_eq!(p["okta"]["status"], 403, "{p}");
    gw.stop().await;
}
