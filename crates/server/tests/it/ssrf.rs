//! The SSRF guard over HTTP: with the strict policy, org URLs that lead into the gateway's
//! network, off Okta's domains, or with a path or plain http are refused with 422
//! `org_url_refused`; with the development flag, loopback works.

use secrecy::SecretString;
use serde_json::json;
use spindle_server::{OrgUrlPolicy, Settings};
use spindle_store::NewConnection;

use crate::common::{TestDatabase, TestGateway, both_backends, dev_settings};

both_backends!(
    the_strict_policy_refuses_internal_and_foreign_org_urls,
    a_stored_connection_is_checked_again_when_used,
    the_development_flag_admits_loopback,
);

fn strict() -> Settings {
    let mut settings = dev_settings();
    settings.policy = OrgUrlPolicy {
        allow_private: false,
        allowed_domains: vec!["localhost".to_owned()],
    };
    settings
}

async fn the_strict_policy_refuses_internal_and_foreign_org_urls(db: TestDatabase) {
    let gw = TestGateway::builder()
        .database(&db)
        .settings(strict())
        .build()
        .await;
    let emulator = gw.emu.url();
    for org_url in [
        emulator.as_str(),
        "http://127.0.0.1",
        "https://127.0.0.1",
        "https://169.254.169.254",
        "https://[::1]",
        "https://10.0.0.8",
        "https://localhost",
        "https://evil.example.com",
        "https://acme.okta.com.evil.example.com",
        "https://acme.okta.com/path",
        "https://acme.okta.com/?x=1",
        "https://user:pw@acme.okta.com",
        "http://acme.okta.com",
        "ftp://acme.okta.com",
    ] {
        let r = gw
            .post(
                "/v1/connections",
                json!({"name": "x", "org_url": org_url,
                       "auth": {"kind": "api_token", "token": gw.emu.token()}}),
            )
            .await;
        r.invalid("org_url_refused", &["org_url"]);
        let message = r.json["problems"][0]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(!message.is_empty(), "{org_url}: {}", r.text);
        assert!(!r.text.contains(gw.emu.token()), "{}", r.text);
    }
    assert_eq!(gw.get("/v1/connections").await.ok(200)["items"], json!([]));
    assert!(
        gw.okta_requests().await.is_empty(),
        "nothing reached the org"
    );
    gw.stop().await;
}

async fn a_stored_connection_is_checked_again_when_used(db: TestDatabase) {
    let gw = TestGateway::builder()
        .database(&db)
        .settings(strict())
        .build()
        .await;
    // A connection stored while the policy was looser (or whose name now resolves elsewhere).
    let stored = gw
        .store
        .connections()
        .create(NewConnection::api_token(
            "old",
            gw.emu.url(),
            SecretString::from(gw.emu.token().to_owned()),
        ))
        .await
        .expect("stored");
    gw.run("old", "get_list_all_users", json!({}))
        .await
        .invalid("org_url_refused", &["org_url"]);
    gw.post(
        "/v1/connections/old/passthrough",
        json!({"method": "GET", "path": "/api/v1/users"}),
    )
    .await
    .invalid("org_url_refused", &["org_url"]);
    gw.patch(
        &format!("/v1/connections/{}", stored.id),
        json!({"org_url": "https://169.254.169.254"}),
    )
    .await
    .invalid("org_url_refused", &["org_url"]);
    assert!(
        gw.okta_requests().await.is_empty(),
        "nothing reached the org"
    );
    gw.stop().await;
}

async fn the_development_flag_admits_loopback(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let created = gw
        .post(
            "/v1/connections",
            json!({"name": "local", "org_url": gw.emu.url(),
                   "auth": {"kind": "api_token", "token": gw.emu.token()}}),
        )
        .await;
    assert_eq!(created.ok(201)["org_url"], gw.emu.url());
    gw.run("local", "get_list_all_users", json!({}))
        .await
        .ok(200);
    // Public hosts still follow the domain rule, and the URL's form rules still hold.
    for org_url in [
        "https://8.8.8.8",
        "https://acme.okta.com/path",
        "ftp://127.0.0.1",
    ] {
        gw.post(
            "/v1/connections",
            json!({"name": "x", "org_url": org_url,
                   "auth": {"kind": "api_token", "token": gw.emu.token()}}),
        )
        .await
        .invalid("org_url_refused", &["org_url"]);
    }
    gw.stop().await;
}
