//! Connections with Okta Aerial settings: the six Aerial actions run against the emulator's
//! Aerial host with the connection's Aerial token, which is write-only.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Key, TestDatabase, TestGateway, both_backends};

both_backends!(
    aerial_actions_run_with_the_connection_s_aerial_settings,
    without_aerial_settings_aerial_actions_are_422,
);

async fn aerial_actions_run_with_the_connection_s_aerial_settings(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let account = gw
        .admin(Method::POST, "aerial/accounts", Some(json!({})))
        .await;
    let account_id = account["accountId"]
        .as_str()
        .expect("an account")
        .to_owned();
    let token = account["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let aerial_url = format!("{}/aerial", gw.emu.url());
    let created = gw
        .post(
            "/v1/connections",
            json!({"name": "acme", "org_url": gw.emu.url(),
                   "auth": {"kind": "api_token", "token": gw.emu.token()},
                   "aerial": {"url": aerial_url, "account_id": account_id, "token": token}}),
        )
        .await;
    let view = created.ok(201).clone();
    assert_eq!(
        view["aerial"],
        json!({"url": aerial_url, "account_id": account_id, "token_set": true}),
        "{view}"
    );
    let mut bodies = vec![created.text.clone()];

    let added = gw
        .run(
            "acme",
            "post_add_org_to_account",
            json!({"accountId": account_id, "body": {"orgId": "00o1abcdefghijklmnop", "cell": "ok1"}}),
        )
        .await;
    let org_id = added.ok(200)["id"].as_str().expect("an org id").to_owned();
    bodies.push(added.text.clone());
    let listed = gw
        .send(
            Method::POST,
            "/v1/connections/acme/actions/get_list_all_orgs",
            Key::ReadOnly,
            Some(json!({"accountId": account_id})),
        )
        .await;
    let items = listed.ok(200)["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 1, "{}", listed.text);
    assert_eq!(items[0]["id"], org_id.as_str());
    bodies.push(listed.text.clone());
    gw.send(
        Method::POST,
        "/v1/connections/acme/actions/put_change_status_of_org",
        Key::ReadOnly,
        Some(json!({"accountId": account_id, "orgId": org_id, "body": {"status": "INACTIVE"}})),
    )
    .await
    .problem(403, "forbidden");

    // The Aerial calls went to the Aerial host with the Aerial token (the org token would be
    // refused there), and are in the call log.
    let requests = gw.okta_requests().await;
    assert!(
        requests.iter().any(|r| r["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("/aerial/"))),
        "{requests:?}"
    );
    for path in ["/v1/connections", "/v1/connections/acme", "/v1/logs"] {
        let r = gw.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        bodies.push(r.text);
    }
    for body in &bodies {
        assert!(!body.contains(&token), "the Aerial token leaked: {body}");
    }

    // Removing the settings (null) removes them and their token.
    let removed = gw
        .patch("/v1/connections/acme", json!({"aerial": null}))
        .await;
    let view = removed.ok(200).clone();
    assert!(view.get("aerial").is_none_or(Value::is_null), "{view}");
    gw.run(
        "acme",
        "get_list_all_orgs",
        json!({"accountId": account_id}),
    )
    .await
    .problem(422, "aerial_not_configured");
    gw.stop().await;
}

async fn without_aerial_settings_aerial_actions_are_422(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    gw.connect("acme").await;
    let r = gw
        .run("acme", "get_list_all_orgs", json!({"accountId": "acc1"}))
        .await;
    let p = r.problem(422, "aerial_not_configured");
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("PATCH /v1/connections/"),
        "{p}"
    );
    // An Aerial URL is checked like an org URL; unknown fields are named.
    gw.patch(
        "/v1/connections/acme",
        json!({"aerial": {"url": "ftp://127.0.0.1/aerial", "account_id": "acc1", "token": "t"}}),
    )
    .await
    .invalid("org_url_refused", &["aerial.url"]);
    gw.patch(
        "/v1/connections/acme",
        json!({"aerial": {"url": format!("{}/aerial", gw.emu.url()), "account_id": "acc1", "colour": 1}}),
    )
    .await
    .invalid("invalid_input", &["aerial.colour"]);
    // Settings without a token are kept, but Aerial actions still need the token.
    let no_token = gw
        .patch(
            "/v1/connections/acme",
            json!({"aerial": {"url": format!("{}/aerial", gw.emu.url()), "account_id": "acc1"}}),
        )
        .await;
    assert_eq!(no_token.ok(200)["aerial"]["token_set"], false);
    gw.run("acme", "get_list_all_orgs", json!({"accountId": "acc1"}))
        .await
        .problem(422, "aerial_not_configured");
    assert!(gw.okta_requests().await.is_empty(), "nothing was sent");
    gw.stop().await;
}
