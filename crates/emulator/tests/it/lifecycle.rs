//! The user state machine: allowed transitions, results and wrong-state errors.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

async fn status(org: &Org, id: &str) -> String {
    org.get(&format!("/api/v1/users/{id}")).await.body["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn op(org: &Org, id: &str, path: &str) -> Resp {
    org.call(Method::POST, &format!("/api/v1/users/{id}/{path}"), None)
        .await
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn full_lifecycle_walk() {
    let org = start().await;
    let u = id(&org.user("life@example.com", Some(PW), false).await);

    // STAGED -> activate (sendEmail=false returns a token) -> ACTIVE
    let r = op(&org, &u, "lifecycle/activate?sendEmail=false").await;
    assert_eq!(r.status, 200);
    assert!(r.body["activationToken"].is_string());
    assert!(
        r.body["activationUrl"]
            .as_str()
            .unwrap_or("")
            .starts_with(&org.emu.url())
    );
    assert_eq!(status(&org, &u).await, "ACTIVE");
    let r = op(&org, &u, "lifecycle/activate").await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (403, "E0000016"),
        "already active"
    );

    // suspend / unsuspend
    assert_eq!(op(&org, &u, "lifecycle/suspend").await.body, json!({}));
    assert_eq!(status(&org, &u).await, "SUSPENDED");
    let r = op(&org, &u, "lifecycle/suspend").await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "E0000001"));
    let single = org.get(&format!("/api/v1/users/{u}")).await.body;
    assert!(single["_links"]["unsuspend"].is_object() && single["_links"].get("suspend").is_none());
    assert_eq!(op(&org, &u, "lifecycle/unsuspend").await.status, 200);
    let r = op(&org, &u, "lifecycle/unsuspend").await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "E0000001"));

    // unlock only from LOCKED_OUT
    let r = op(&org, &u, "lifecycle/unlock").await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "E0000032"));
    assert_eq!(
        r.body["errorCauses"][0]["errorSummary"],
        "The user is not locked out."
    );
    org.admin(
        Method::POST,
        &format!("/__emulator/users/{u}/lockout"),
        None,
    )
    .await;
    assert_eq!(status(&org, &u).await, "LOCKED_OUT");
    assert_eq!(op(&org, &u, "lifecycle/unlock").await.body, json!({}));
    assert_eq!(status(&org, &u).await, "ACTIVE");

    // expire_password returns the user; with temp password returns the temp password
    let r = op(&org, &u, "lifecycle/expire_password").await;
    assert_eq!(r.body["status"], "PASSWORD_EXPIRED");
    assert_eq!(r.body["id"], u.as_str());
    let r = op(&org, &u, "lifecycle/expire_password_with_temp_password").await;
    let temp = r.body["tempPassword"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!temp.is_empty());
    // the temp password is the current password now
    let r = org
        .post(&format!("/api/v1/users/{u}/credentials/change_password"), json!({ "oldPassword": { "value": temp }, "newPassword": { "value": "Brand-New-Passw0rd" } }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        status(&org, &u).await,
        "ACTIVE",
        "changing an expired password activates"
    );

    // reset_password -> RECOVERY, reactivate allowed from RECOVERY
    let r = op(&org, &u, "lifecycle/reset_password?sendEmail=false").await;
    assert!(
        r.body["resetPasswordUrl"]
            .as_str()
            .unwrap_or("")
            .contains("/reset_password/")
    );
    assert_eq!(status(&org, &u).await, "RECOVERY");
    assert_eq!(
        op(&org, &u, "lifecycle/reset_password").await.body,
        json!({})
    );

    // reset_factors (Okta always offers the link outside DEPROVISIONED)
    org.admin(
        Method::PUT,
        &format!("/__emulator/users/{u}/factors"),
        Some(json!({ "count": 2 })),
    )
    .await;
    assert_eq!(
        op(&org, &u, "lifecycle/reset_factors").await.body,
        json!({})
    );
    let inner = org
        .admin(Method::GET, &format!("/__emulator/users/{u}"), None)
        .await
        .body;
    assert_eq!(inner["factors"], 0, "factors unenrolled");

    // deactivate from anywhere but DEPROVISIONED; then activate again
    assert_eq!(op(&org, &u, "lifecycle/deactivate").await.body, json!({}));
    assert_eq!(status(&org, &u).await, "DEPROVISIONED");
    let r = op(&org, &u, "lifecycle/deactivate").await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "E0000038"));
    let r = op(&org, &u, "lifecycle/suspend").await;
    assert_eq!(r.code(), "E0000001");
    assert_eq!(op(&org, &u, "lifecycle/activate").await.body, json!({}));
    assert_eq!(status(&org, &u).await, "ACTIVE");
}

#[tokio::test]
async fn users_without_password_and_reactivate() {
    let org = start().await;
    let u = id(&org.user("nopw2@example.com", None, false).await);
    assert_eq!(op(&org, &u, "lifecycle/activate").await.status, 200);
    assert_eq!(
        status(&org, &u).await,
        "PROVISIONED",
        "no password: waits for the welcome link"
    );
    let r = op(&org, &u, "lifecycle/reactivate?sendEmail=false").await;
    assert!(r.body["activationToken"].is_string());
    for path in [
        "lifecycle/expire_password",
        "lifecycle/expire_password_with_temp_password",
        "lifecycle/suspend",
        "lifecycle/unsuspend",
    ] {
        let r = op(&org, &u, path).await;
        assert!(
            r.status.is_client_error(),
            "{path} on PROVISIONED: {}",
            r.status
        );
    }
    let a = id(&org.user("react@example.com", Some(PW), true).await);
    let r = op(&org, &a, "lifecycle/reactivate").await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "E0000038"));
    assert_eq!(
        r.body["errorSummary"],
        "This operation is not allowed in the user's current status."
    );
    let r = op(&org, "00unknownuser", "lifecycle/activate").await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn credential_operations() {
    let org = start().await;
    let u = id(&org.user("cred@example.com", Some(PW), true).await);
    let cp = |old: &str, new: &str| json!({ "oldPassword": { "value": old }, "newPassword": { "value": new } });
    let r = org
        .post(
            &format!("/api/v1/users/{u}/credentials/change_password"),
            cp("wrong", "Another-Passw0rd"),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "E0000014"));
    let r = org
        .post(
            &format!("/api/v1/users/{u}/credentials/change_password"),
            cp(PW, "weak"),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "E0000080"));
    let r = org
        .post(
            &format!("/api/v1/users/{u}/credentials/change_password"),
            cp(PW, "Another-Passw0rd"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["password"], json!({}));
    assert_eq!(
        r.body["provider"],
        json!({ "type": "OKTA", "name": "OKTA" })
    );

    let r = org
        .post(&format!("/api/v1/users/{u}/credentials/change_recovery_question"),
            json!({ "password": { "value": "Another-Passw0rd" }, "recovery_question": { "question": "Best city?", "answer": "Lisbon" } }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["recovery_question"],
        json!({ "question": "Best city?" }),
        "answer never echoed"
    );

    let r = org
        .call(
            Method::POST,
            &format!("/api/v1/users/{u}/credentials/forgot_password?sendEmail=false"),
            None,
        )
        .await;
    assert!(r.body["resetPasswordUrl"].is_string());
    let r = org
        .post(&format!("/api/v1/users/{u}/credentials/forgot_password_recovery_question"),
            json!({ "password": { "value": "Third-Passw0rd" }, "recovery_question": { "answer": "wrong" } }))
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "E0000087"));
    let r = org
        .post(&format!("/api/v1/users/{u}/credentials/forgot_password_recovery_question"),
            json!({ "password": { "value": "Third-Passw0rd" }, "recovery_question": { "answer": "LISBON" } }))
        .await;
    assert_eq!(
        r.status, 200,
        "answers compare case-insensitively: {}",
        r.body
    );

    // Wrong states.
    let staged_nopw = id(&org.user("st@example.com", None, false).await);
    let r = org
        .post(
            &format!("/api/v1/users/{staged_nopw}/credentials/change_password"),
            cp("x", "Another-Passw0rd"),
        )
        .await;
    assert_eq!(r.code(), "E0000035");
    let r = org
        .call(
            Method::POST,
            &format!("/api/v1/users/{staged_nopw}/credentials/forgot_password"),
            None,
        )
        .await;
    assert_eq!(r.code(), "E0000034");
    let r = org
        .post(&format!("/api/v1/users/{staged_nopw}/credentials/change_recovery_question"),
            json!({ "password": { "value": "x" }, "recovery_question": { "question": "q?", "answer": "long enough" } }))
        .await;
    assert_eq!(r.code(), "E0000036");
}

fn link_names(user: &Value) -> Vec<String> {
    let mut v: Vec<String> = user["_links"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Key sets of `_links` as real Okta (2025 recordings) shows them per status.
#[tokio::test]
async fn single_user_links_follow_status() {
    let org = start().await;
    let staged = org.user("links-staged@example.com", Some(PW), false).await;
    assert_eq!(
        link_names(&staged),
        ["activate", "resetFactors", "schema", "self", "type"]
    );
    let active = org.user("links-active@example.com", Some(PW), true).await;
    let full = [
        "changePassword",
        "changeRecoveryQuestion",
        "deactivate",
        "expirePassword",
        "forgotPassword",
        "resetFactors",
        "resetPassword",
        "schema",
        "self",
        "suspend",
        "type",
    ];
    assert_eq!(link_names(&active), full);
    let a = id(&active);
    let expired = op(&org, &a, "lifecycle/expire_password").await.body;
    assert_eq!(
        link_names(&expired),
        full,
        "PASSWORD_EXPIRED offers the same links"
    );
    op(&org, &a, "lifecycle/suspend").await;
    let suspended = org.get(&format!("/api/v1/users/{a}")).await.body;
    assert_eq!(
        link_names(&suspended),
        [
            "deactivate",
            "resetFactors",
            "schema",
            "self",
            "type",
            "unsuspend"
        ]
    );
    op(&org, &a, "lifecycle/unsuspend").await;
    let cp = org
        .post(&format!("/api/v1/users/{a}/credentials/change_password"), json!({ "oldPassword": { "value": PW }, "newPassword": { "value": "Changed-Passw0rd" } }))
        .await;
    assert_eq!(cp.status, 200, "{}", cp.body);
    assert!(
        cp.body.get("emails").is_none(),
        "credential operations answer without emails, as recorded"
    );
}
