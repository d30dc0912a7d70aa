//! User grants, clients and refresh tokens over raw HTTP; session revocation with
//! `oauthTokens=true` revoking them.

use reqwest::Method;
use serde_json::json;

use crate::support::{Org, PW, start};

async fn app(org: &Org, label: &str) -> String {
    let r = org
        .post(
            "/api/v1/apps",
            json!({"name": "oidc_client", "label": label, "signOnMode": "OPENID_CONNECT",
                   "settings": {"oauthClient": {"application_type": "web", "grant_types": ["authorization_code", "refresh_token"], "redirect_uris": ["https://app.example/cb"], "response_types": ["code"]}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn grants_clients_and_refresh_tokens_list_get_revoke() {
    let org = start().await;
    let user = org.user("g@example.com", Some(PW), true).await;
    let uid = user["id"].as_str().unwrap_or_default().to_owned();
    let c1 = app(&org, "One").await;
    let c2 = app(&org, "Two").await;

    let g = org
        .admin(
            Method::POST,
            &format!("/__emulator/users/{uid}/grants"),
            Some(json!({"clientId": c1, "scopes": ["openid", "profile", "email"]})),
        )
        .await;
    assert_eq!(g.status, 200, "{}", g.body);
    let g2 = org
        .admin(
            Method::POST,
            &format!("/__emulator/users/{uid}/grants"),
            Some(json!({"clientId": c2, "scopes": ["openid"]})),
        )
        .await;
    assert_eq!(g2.status, 200);
    let t = org
        .admin(
            Method::POST,
            &format!("/__emulator/users/{uid}/tokens"),
            Some(
                json!({"clientId": c1, "scopes": ["openid", "offline_access", "okta.users.read"]}),
            ),
        )
        .await;
    assert_eq!(t.status, 200, "{}", t.body);
    let rid = t.body["refreshTokenId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let access = t.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    // Grants: list (paged), filter by scope, expand, get.
    let all = org
        .walk(&format!("/api/v1/users/{uid}/grants?limit=2"))
        .await;
    assert_eq!(all.len(), 4);
    let r = org
        .get(&format!(
            "/api/v1/users/{uid}/grants?scopeId=openid&expand=scope"
        ))
        .await;
    assert_eq!(r.status, 200);
    let rows = r.body.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|g| g["scopeId"] == "openid" && g["userId"] == uid.as_str())
    );
    assert_eq!(rows[0]["_embedded"]["scope"]["id"], "openid");
    let gid = rows[0]["id"].as_str().unwrap_or_default().to_owned();
    let one = org.get(&format!("/api/v1/users/{uid}/grants/{gid}")).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["id"], gid.as_str());

    // Clients.
    let cl = org.get(&format!("/api/v1/users/{uid}/clients")).await;
    assert_eq!(cl.status, 200);
    let mut ids: Vec<String> = cl
        .body
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|c| c["client_id"].as_str().unwrap_or_default().to_owned())
        .collect();
    ids.sort();
    let mut want = vec![c1.clone(), c2.clone()];
    want.sort();
    assert_eq!(ids, want);
    let cg = org
        .get(&format!("/api/v1/users/{uid}/clients/{c1}/grants"))
        .await;
    assert_eq!(cg.body.as_array().map(Vec::len), Some(3));

    // Refresh tokens.
    let tl = org
        .get(&format!(
            "/api/v1/users/{uid}/clients/{c1}/tokens?expand=scope"
        ))
        .await;
    assert_eq!(tl.status, 200);
    assert_eq!(tl.body[0]["id"], rid.as_str());
    assert_eq!(tl.body[0]["_embedded"]["scopes"][0]["id"], "openid");
    let tg = org
        .get(&format!("/api/v1/users/{uid}/clients/{c1}/tokens/{rid}"))
        .await;
    assert_eq!(tg.status, 200);
    assert_eq!(tg.body["clientId"], c1.as_str());

    // Revocations.
    let d = org
        .delete(&format!("/api/v1/users/{uid}/grants/{gid}"))
        .await;
    assert_eq!(d.status, 204);
    let d = org
        .delete(&format!("/api/v1/users/{uid}/grants/{gid}"))
        .await;
    assert_eq!(d.status, 404);
    assert_eq!(d.code(), "E0000007");
    let d = org
        .delete(&format!("/api/v1/users/{uid}/clients/{c2}/grants"))
        .await;
    assert_eq!(d.status, 204);
    assert_eq!(
        org.walk(&format!("/api/v1/users/{uid}/grants")).await.len(),
        2
    );

    // The user's access token works until the sessions are revoked with oauthTokens=true.
    let bearer = format!("Bearer {access}");
    let ok = org
        .raw(
            Method::GET,
            &format!("/api/v1/users/{uid}"),
            Some(&bearer),
            None,
        )
        .await;
    assert_eq!(ok.status, 200);
    let d = org.delete(&format!("/api/v1/users/{uid}/sessions")).await;
    assert_eq!(d.status, 204);
    let still = org
        .get(&format!("/api/v1/users/{uid}/clients/{c1}/tokens"))
        .await;
    assert_eq!(still.body.as_array().map(Vec::len), Some(1));
    let d = org
        .delete(&format!("/api/v1/users/{uid}/sessions?oauthTokens=true"))
        .await;
    assert_eq!(d.status, 204);
    let gone = org
        .get(&format!("/api/v1/users/{uid}/clients/{c1}/tokens"))
        .await;
    assert_eq!(gone.body.as_array().map(Vec::len), Some(0));
    let denied = org
        .raw(
            Method::GET,
            &format!("/api/v1/users/{uid}"),
            Some(&bearer),
            None,
        )
        .await;
    assert_eq!(denied.status, 401);

    // Unknown user / client / token.
    assert_eq!(org.get("/api/v1/users/00unope/grants").await.status, 404);
    assert_eq!(
        org.get(&format!("/api/v1/users/{uid}/clients/0oanope/tokens"))
            .await
            .status,
        404
    );
    assert_eq!(
        org.delete(&format!("/api/v1/users/{uid}/clients/{c1}/tokens/oarnope"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn deleting_an_app_or_user_drops_their_grants_and_tokens() {
    let org = start().await;
    let u = org.user("d@example.com", Some(PW), true).await;
    let uid = u["id"].as_str().unwrap_or_default().to_owned();
    let c = app(&org, "Gone").await;
    for path in ["grants", "tokens"] {
        let r = org
            .admin(
                Method::POST,
                &format!("/__emulator/users/{uid}/{path}"),
                Some(json!({"clientId": c, "scopes": ["okta.users.read"]})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let t = org
        .admin(
            Method::POST,
            &format!("/__emulator/users/{uid}/tokens"),
            Some(json!({"clientId": c, "scopes": ["okta.users.read"]})),
        )
        .await;
    let bearer = format!(
        "Bearer {}",
        t.body["access_token"].as_str().unwrap_or_default()
    );
    assert_eq!(
        org.raw(Method::GET, "/api/v1/users", Some(&bearer), None)
            .await
            .status,
        200
    );
    // Deactivating the app revokes its access tokens.
    let d = org
        .call(
            Method::POST,
            &format!("/api/v1/apps/{c}/lifecycle/deactivate"),
            None,
        )
        .await;
    assert_eq!(d.status, 200);
    assert_eq!(
        org.raw(Method::GET, "/api/v1/users", Some(&bearer), None)
            .await
            .status,
        401
    );
    assert_eq!(
        org.walk(&format!("/api/v1/users/{uid}/grants")).await.len(),
        1
    );
    // Deleting it drops the user's grants and refresh tokens for it.
    assert_eq!(org.delete(&format!("/api/v1/apps/{c}")).await.status, 204);
    assert_eq!(
        org.walk(&format!("/api/v1/users/{uid}/grants")).await.len(),
        0
    );
    let cl = org.get(&format!("/api/v1/users/{uid}/clients")).await;
    assert_eq!(cl.body, json!([]));

    // A deactivated user's tokens are revoked (Okta: grants and tokens stay valid until revoked
    // or the user is deactivated), and deleting the user for good keeps them revoked.
    let c2 = app(&org, "Kept").await;
    let t = org
        .admin(
            Method::POST,
            &format!("/__emulator/users/{uid}/tokens"),
            Some(json!({"clientId": c2, "scopes": ["okta.users.read"]})),
        )
        .await;
    let bearer = format!(
        "Bearer {}",
        t.body["access_token"].as_str().unwrap_or_default()
    );
    let status = |r: crate::support::Resp| r.status;
    assert_eq!(
        status(
            org.raw(Method::GET, "/api/v1/users", Some(&bearer), None)
                .await
        ),
        200
    );
    org.delete(&format!("/api/v1/users/{uid}")).await;
    assert_eq!(
        status(
            org.raw(Method::GET, "/api/v1/users", Some(&bearer), None)
                .await
        ),
        401
    );
    assert_eq!(
        org.delete(&format!("/api/v1/users/{uid}")).await.status,
        204
    );
    assert_eq!(
        status(
            org.raw(Method::GET, "/api/v1/users", Some(&bearer), None)
                .await
        ),
        401
    );
}
