//! Primary authentication (`/api/v1/authn`) and the Sessions API over raw HTTP.

use reqwest::Method;
use serde_json::json;

use crate::support::{Org, PW, Resp, start};

/// `POST /api/v1/authn` (no API token) with a login and password.
async fn primary_auth(org: &Org, login: &str, password: &str) -> Resp {
    org.raw(
        Method::POST,
        "/api/v1/authn",
        None,
        Some(json!({"username": login, "password": password})),
    )
    .await
}

/// Signs `login` in with [`PW`] and creates a session from the session token.
async fn sign_in(org: &Org, login: &str) -> Resp {
    let authn = primary_auth(org, login, PW).await;
    org.post(
        "/api/v1/sessions",
        json!({"sessionToken": authn.body["sessionToken"]}),
    )
    .await
}

#[tokio::test]
async fn authn_then_session_create_get_refresh_revoke() {
    let org = start().await;
    let user = org.user("s@example.com", Some(PW), true).await;
    let uid = user["id"].as_str().unwrap_or_default().to_owned();

    // no API token needed; a wrong password is 401 E0000004
    let bad = primary_auth(&org, "s@example.com", "Wrong-Passw0rd").await;
    assert_eq!((bad.status.as_u16(), bad.code()), (401, "E0000004"));
    let unknown = primary_auth(&org, "nobody@example.com", PW).await;
    assert_eq!((unknown.status.as_u16(), unknown.code()), (401, "E0000004"));

    let authn = primary_auth(&org, "s@example.com", PW).await;
    assert_eq!(authn.status, 200, "{}", authn.body);
    assert_eq!(authn.body["status"], "SUCCESS");
    assert_eq!(authn.body["_embedded"]["user"]["id"], uid.as_str());
    let token = authn.body["sessionToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!token.is_empty(), "{}", authn.body);
    let seen = org.get(&format!("/api/v1/users/{uid}")).await;
    assert!(seen.body["lastLogin"].is_string(), "sign-in sets lastLogin");

    let created = org
        .post("/api/v1/sessions", json!({"sessionToken": token}))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let sid = created.body["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(created.body["userId"], uid.as_str());
    assert_eq!(created.body["login"], "s@example.com");
    assert_eq!(created.body["status"], "ACTIVE");
    assert_eq!(created.body["amr"], json!(["pwd"]));
    assert!(
        created.body["_links"]["self"]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with("/api/v1/sessions/me"))
    );
    // the session token is single-use
    let again = org
        .post("/api/v1/sessions", json!({"sessionToken": token}))
        .await;
    assert_eq!((again.status.as_u16(), again.code()), (401, "E0000004"));
    let empty = org.call(Method::POST, "/api/v1/sessions", None).await;
    assert_eq!((empty.status.as_u16(), empty.code()), (400, "E0000003"));
    let listed = org.get("/api/v1/sessions").await;
    assert_eq!((listed.status.as_u16(), listed.code()), (405, "E0000022"));

    let got = org.get(&format!("/api/v1/sessions/{sid}")).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body["id"], sid.as_str());
    let refreshed = org
        .call(
            Method::POST,
            &format!("/api/v1/sessions/{sid}/lifecycle/refresh"),
            None,
        )
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    assert!(refreshed.body["expiresAt"].as_str() >= created.body["expiresAt"].as_str());
    let view = org
        .admin(Method::GET, &format!("/__emulator/users/{uid}"), None)
        .await;
    assert_eq!(view.body["sessions"], 1);

    assert_eq!(
        org.delete(&format!("/api/v1/sessions/{sid}")).await.status,
        204
    );
    let gone = org.get(&format!("/api/v1/sessions/{sid}")).await;
    assert_eq!((gone.status.as_u16(), gone.code()), (404, "E0000007"));
    assert_eq!(
        gone.body["errorSummary"],
        format!("Not found: Resource not found: {sid} (AppSession)")
    );
    let twice = org.delete(&format!("/api/v1/sessions/{sid}")).await;
    assert_eq!(twice.status, 404);
    org.emu.shutdown().await;
}

#[tokio::test]
async fn revoking_user_sessions_and_deactivation_end_sessions() {
    let org = start().await;
    let user = org.user("r@example.com", Some(PW), true).await;
    let uid = user["id"].as_str().unwrap_or_default().to_owned();
    let mut sids = Vec::new();
    for _ in 0..2 {
        let created = sign_in(&org, "r@example.com").await;
        assert_eq!(created.status, 200, "{}", created.body);
        sids.push(created.body["id"].as_str().unwrap_or_default().to_owned());
    }
    let r = org
        .delete(&format!("/api/v1/users/{uid}/sessions?oauthTokens=true"))
        .await;
    assert_eq!(r.status, 204);
    for sid in &sids {
        assert_eq!(
            org.get(&format!("/api/v1/sessions/{sid}")).await.status,
            404
        );
    }

    let created = sign_in(&org, "r@example.com").await;
    let sid = created.body["id"].as_str().unwrap_or_default().to_owned();
    let r = org
        .call(
            Method::POST,
            &format!("/api/v1/users/{uid}/lifecycle/deactivate"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        org.get(&format!("/api/v1/sessions/{sid}")).await.status,
        404
    );
    // a deactivated user can't sign in
    let authn = primary_auth(&org, "r@example.com", PW).await;
    assert_eq!((authn.status.as_u16(), authn.code()), (401, "E0000004"));
    org.emu.shutdown().await;
}

#[tokio::test]
async fn authn_answers_password_expired_and_locked_out_states() {
    let org = start().await;
    let user = org.user("e@example.com", Some(PW), true).await;
    let uid = user["id"].as_str().unwrap_or_default().to_owned();
    let r = org
        .call(
            Method::POST,
            &format!("/api/v1/users/{uid}/lifecycle/expire_password"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let authn = primary_auth(&org, "e@example.com", PW).await;
    assert_eq!(authn.status, 200, "{}", authn.body);
    assert_eq!(authn.body["status"], "PASSWORD_EXPIRED");
    assert!(authn.body["stateToken"].is_string());
    assert!(authn.body.get("sessionToken").is_none());

    let other = org.user("l@example.com", Some(PW), true).await;
    let oid = other["id"].as_str().unwrap_or_default().to_owned();
    let r = org
        .admin(
            Method::POST,
            &format!("/__emulator/users/{oid}/lockout"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let authn = primary_auth(&org, "l@example.com", PW).await;
    assert_eq!(authn.status, 200, "{}", authn.body);
    assert_eq!(authn.body["status"], "LOCKED_OUT");
    org.emu.shutdown().await;
}
