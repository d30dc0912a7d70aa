//! Regression checks for discrepancies the conformance runs found once (schemathesis cases
//! are random; these pin the specific requests down so they can't come back unnoticed).

use serde_json::{Value, json};
use spindle_emulator::EmulatorConfig;

use crate::support;

async fn post(emu: &spindle_emulator::Emulator, path: &str, body: Value) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}{path}", emu.url()))
        .header("Authorization", format!("SSWS {}", emu.token()))
        .header("Accept", "application/json")
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = resp.status().as_u16();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// schemathesis case X9XxtF: an app without `signOnMode` was stored and later broke every
/// app listing. The document requires `signOnMode` and `label` (Application.required).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_without_sign_on_mode_is_rejected_with_e0000001() {
    let emu = support::start(EmulatorConfig::default()).await;
    let (status, body) = post(
        &emu,
        "/api/v1/apps",
        json!({ "label": "No mode", "visibility": {} }),
    )
    .await;
    assert_eq!(
        (status, body.get("errorCode")),
        (400, Some(&json!("E0000001"))),
        "{body}"
    );
    let (status, body) = post(&emu, "/api/v1/apps", json!({ "signOnMode": "BOOKMARK" })).await;
    assert_eq!(
        (status, body.get("errorCode")),
        (400, Some(&json!("E0000001"))),
        "app without label: {body}"
    );
    emu.shutdown().await;
}

/// schemathesis cases gU3itk / qB2PgJ: wrongly typed base profile attributes were stored,
/// unknown `groupIds` answered an undocumented 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_create_validates_profile_types_and_group_ids() {
    let emu = support::start(EmulatorConfig::default()).await;
    let profile = json!({ "firstName": "Ty", "lastName": "Ped", "email": "ty.ped@example.com", "login": "ty.ped@example.com" });
    let mut bad_type = profile.clone();
    bad_type["managerId"] = json!(6.6e16);
    let (status, body) = post(&emu, "/api/v1/users", json!({ "profile": bad_type })).await;
    assert_eq!(
        (status, body.get("errorCode")),
        (400, Some(&json!("E0000001"))),
        "typed profile: {body}"
    );
    let (status, body) = post(
        &emu,
        "/api/v1/users",
        json!({ "profile": profile, "groupIds": ["00g1emaKYZTWRYYRRTSK"] }),
    )
    .await;
    assert_eq!(
        (status, body.get("errorCode")),
        (400, Some(&json!("E0000001"))),
        "unknown groupIds: {body}"
    );
    emu.shutdown().await;
}
