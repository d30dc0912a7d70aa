//! MyAccount actions act for an end user with `X-Okta-User-Token`; the token is never stored,
//! logged or echoed.

use reqwest::Method;
use serde_json::json;

use crate::common::{Resp, TestDatabase, TestGateway, both_backends};

both_backends!(a_myaccount_action_runs_as_the_user);

async fn run_as(gw: &TestGateway, key: &str, action: &str, token: Option<&str>) -> Resp {
    let mut request = gw
        .http
        .request(
            Method::POST,
            format!("{}/v1/connections/acme/actions/{action}", gw.base),
        )
        .bearer_auth(key)
        .json(&json!({}));
    if let Some(token) = token {
        request = request.header("x-okta-user-token", token);
    }
    Resp::of(request.send().await.expect("the gateway answers")).await
}

async fn a_myaccount_action_runs_as_the_user(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    gw.connect("acme").await;
    let user = gw
        .run(
            "acme",
            "post_create_a_user",
            json!({"body": {"profile": {"login": "ada@example.com", "email": "ada@example.com",
                                        "firstName": "Ada", "lastName": "Lovelace"}}}),
        )
        .await;
    let uid = user.ok(200)["id"].as_str().expect("an id").to_owned();
    let minted = gw
        .admin(
            Method::POST,
            "oauth/tokens",
            Some(json!({"userId": uid, "scopes": ["okta.myAccount.organization.read"]})),
        )
        .await;
    let token = minted["access_token"].as_str().expect("a token").to_owned();
    let action = "get_retrieve_the_org_details";
    let mut bodies = Vec::new();
    // A read action: the read-only key may run it; `Bearer ` before the token is accepted.
    for header in [token.clone(), format!("Bearer {token}")] {
        let r = run_as(&gw, &gw.read_only, action, Some(&header)).await;
        assert_eq!(r.ok(200)["url"], gw.emu.url(), "{}", r.text);
        bodies.push(r.text);
    }
    // The header is for MyAccount actions only, and must hold a token.
    let r = run_as(&gw, &gw.full, "get_list_all_users", Some(&token)).await;
    r.invalid("invalid_input", &["x-okta-user-token"]);
    bodies.push(r.text.clone());
    let r = run_as(&gw, &gw.full, action, Some("  ")).await;
    r.invalid("invalid_input", &["x-okta-user-token"]);
    // A token without the scope: Okta's 403 comes back as such.
    let weak = gw
        .admin(
            Method::POST,
            "oauth/tokens",
            Some(json!({"userId": uid, "scopes": ["okta.myAccount.profile.read"]})),
        )
        .await;
    let weak = weak["access_token"].as_str().expect("a token").to_owned();
    let r = run_as(&gw, &gw.full, action, Some(&weak)).await;
    r.problem(403, "okta_error");
    bodies.push(r.text.clone());
    // Without the header, an API-token connection cannot act as a user.
    let before = gw.okta_requests().await.len();
    let r = run_as(&gw, &gw.full, action, None).await;
    r.invalid("invalid_input", &["x-okta-user-token"]);
    assert!(r.text.contains("MyAccount"), "{}", r.text);
    assert_eq!(gw.okta_requests().await.len(), before, "nothing was sent");
    // The log has the calls, never the token.
    let logs = gw.get("/v1/logs").await;
    let entries = logs.ok(200)["items"].as_array().expect("items").clone();
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == action && e["path"] == "/idp/myaccount/organization"),
        "{}",
        logs.text
    );
    bodies.push(logs.text);
    for body in &bodies {
        assert!(!body.contains(&token), "the user token leaked: {body}");
        assert!(!body.contains(&weak), "the user token leaked: {body}");
    }
    gw.stop().await;
}
