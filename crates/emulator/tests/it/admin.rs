//! The admin API: request log, state, seed, reset.

use reqwest::Method;
use serde_json::json;
use spindle_emulator::{EmulatorConfig, RateLimitMode};

use crate::support::*;

#[tokio::test]
async fn request_log_records_api_calls_only() {
    let org = start().await;
    let empty = org
        .admin(Method::GET, "/__emulator/requests", None)
        .await
        .body;
    assert_eq!(
        empty["requests"],
        json!([]),
        "nothing reached the emulator yet"
    );
    org.get("/api/v1/users?limit=3").await;
    org.raw(Method::GET, "/api/v1/groups", None, None).await;
    org.admin(Method::GET, "/__emulator/state", None).await;
    let log = org
        .admin(Method::GET, "/__emulator/requests", None)
        .await
        .body;
    let rows = log["requests"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 2, "admin calls are not logged: {log}");
    assert_eq!(rows[0]["method"], "GET");
    assert_eq!(rows[0]["path"], "/api/v1/users");
    assert_eq!(rows[0]["query"], "limit=3");
    assert_eq!(rows[0]["status"], 200);
    assert_eq!(rows[1]["status"], 403);
    assert!(rows[0]["time"].as_str().unwrap_or("").ends_with('Z'));
    assert!(rows[0]["requestId"].is_string());
    let since = rows[0]["seq"].as_u64().unwrap_or(0);
    let later = org
        .admin(
            Method::GET,
            &format!("/__emulator/requests?since={since}"),
            None,
        )
        .await
        .body;
    assert_eq!(later["requests"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        org.admin(Method::DELETE, "/__emulator/requests", None)
            .await
            .status,
        204
    );
    assert_eq!(
        org.admin(Method::GET, "/__emulator/requests", None)
            .await
            .body["requests"],
        json!([])
    );
}

#[tokio::test]
async fn request_log_is_bounded() {
    let org = start_with(EmulatorConfig {
        rate_limit: RateLimitMode::Off,
        request_log_capacity: 5,
        ..Default::default()
    })
    .await;
    for i in 0..8 {
        org.get(&format!("/api/v1/users?limit={}", i + 1)).await;
    }
    let rows = org
        .admin(Method::GET, "/__emulator/requests", None)
        .await
        .body["requests"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[4]["query"], "limit=8", "newest kept");
}

#[tokio::test]
async fn seed_state_and_reset() {
    let org = start_with(EmulatorConfig {
        users: 50,
        groups: 5,
        seed: 4,
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await;
    let state = org.admin(Method::GET, "/__emulator/state", None).await.body;
    assert_eq!(state["users"]["total"], 50);
    assert_eq!(state["groups"]["total"], 6);
    let first = org.get("/api/v1/users?limit=1").await.body[0]["id"].clone();

    org.user("extra@example.com", None, false).await;
    let r = org
        .admin(
            Method::POST,
            "/__emulator/seed",
            Some(json!({ "users": 10, "groups": 2, "seed": 9 })),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        org.admin(Method::GET, "/__emulator/state", None).await.body["users"]["total"],
        10
    );

    org.admin(Method::POST, "/__emulator/reset", None).await;
    let state = org.admin(Method::GET, "/__emulator/state", None).await.body;
    assert_eq!(
        state["users"]["total"], 50,
        "reset returns to the start configuration"
    );
    assert_eq!(
        org.get("/api/v1/users?limit=1").await.body[0]["id"],
        first,
        "deterministic ids"
    );
    assert_eq!(org.get("/api/v1/users/extra@example.com").await.status, 404);
}

#[tokio::test]
async fn synthetic_users_look_real() {
    let org = start_with(EmulatorConfig {
        users: 200,
        groups: 30,
        seed: 5,
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await;
    let users = org.get("/api/v1/users?limit=200").await.body;
    let u = &users[1];
    for attr in [
        "firstName",
        "lastName",
        "login",
        "email",
        "title",
        "department",
        "division",
        "costCenter",
        "employeeNumber",
        "managerId",
        "manager",
        "city",
        "countryCode",
        "startDate",
        "employmentType",
    ] {
        assert!(!u["profile"][attr].is_null(), "{attr} missing: {u}");
    }
    let manager = u["profile"]["managerId"].as_str().unwrap_or_default();
    assert_eq!(
        org.get(&format!("/api/v1/users/{manager}")).await.status,
        200,
        "managerId is a real user"
    );
    let app_groups = org
        .get("/api/v1/groups?filter=type%20eq%20%22APP_GROUP%22")
        .await
        .body;
    assert!(app_groups.as_array().is_some_and(|a| !a.is_empty()));
    let eng = org.get("/api/v1/groups?q=Engineering").await.body[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let members = org.get(&format!("/api/v1/groups/{eng}/users")).await.body;
    assert!(members.as_array().is_some_and(|m| {
        !m.is_empty()
            && m.iter()
                .all(|u| u["profile"]["department"] == "Engineering")
    }));
}
