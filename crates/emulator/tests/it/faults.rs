//! Fault injection at start and at run time.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use spindle_emulator::{EmulatorConfig, RateLimitMode};

use crate::support::*;

async fn with_faults(spec: &str) -> Org {
    let faults = match spec.parse() {
        Ok(f) => f,
        Err(e) => panic!("{spec}: {e}"),
    };
    start_with(EmulatorConfig {
        rate_limit: RateLimitMode::Off,
        faults,
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn server_errors_carry_okta_body() {
    let org = with_faults("503=1").await;
    let r = org.get("/api/v1/users").await;
    assert_eq!(r.status, 503);
    assert_eq!(r.code(), "E0000009");
    assert!(r.header("x-okta-request-id").is_some());
    // Admin API is never faulted.
    assert_eq!(
        org.admin(Method::GET, "/__emulator/health", None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn burst_of_429_then_recovery() {
    let org = with_faults("burst=3/10").await;
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(org.get("/api/v1/groups").await.status.as_u16());
    }
    assert_eq!(statuses, [429, 429, 429, 200, 200, 200, 200, 200, 200, 200]);
    let r = org.get("/api/v1/groups").await;
    assert_eq!((r.status.as_u16(), r.code()), (429, "E0000047"));
    let again = org.get("/api/v1/groups").await;
    assert_eq!(again.status, 429, "still inside the burst");
    assert_eq!(
        r.header("x-rate-limit-limit"),
        Some("10000000"),
        "the bucket's limit under the current mode"
    );
    assert_eq!(r.header("x-rate-limit-remaining"), Some("0"));
    assert!(r.header("x-rate-limit-reset").is_some() && r.header("date").is_some());
}

#[tokio::test]
async fn latency_is_added() {
    let org = with_faults("latency=150ms").await;
    let t = Instant::now();
    assert_eq!(org.get("/api/v1/users").await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn dropped_and_truncated_responses_fail_on_the_client() {
    let org = with_faults("drop=1").await;
    let sent = org
        .http
        .get(org.url("/api/v1/users"))
        .header("authorization", format!("SSWS {}", org.emu.token()))
        .send()
        .await;
    let body = match sent {
        Ok(r) => r.bytes().await.map(|b| b.len()),
        Err(e) => Err(e),
    };
    assert!(
        body.is_err(),
        "dropped connection must surface as a transport error: {body:?}"
    );

    let org = with_faults("truncate=1").await;
    org.admin(Method::DELETE, "/__emulator/faults", None).await;
    org.user("t@example.com", None, false).await;
    org.admin(
        Method::PUT,
        "/__emulator/faults",
        Some(json!({ "spec": "truncate=1" })),
    )
    .await;
    let sent = org
        .http
        .get(org.url("/api/v1/users"))
        .header("authorization", format!("SSWS {}", org.emu.token()))
        .send()
        .await;
    let body = match sent {
        Ok(r) => r.bytes().await.map(|b| b.len()),
        Err(e) => Err(e),
    };
    assert!(
        body.is_err(),
        "a truncated body must not look complete: {body:?}"
    );
}

#[tokio::test]
async fn faults_change_at_run_time_and_can_target_a_path() {
    let org = start().await;
    assert_eq!(org.get("/api/v1/users").await.status, 200);
    let r = org
        .admin(
            Method::PUT,
            "/__emulator/faults",
            Some(json!({ "spec": "500=1,path=/api/v1/groups" })),
        )
        .await;
    assert_eq!(r.body["spec"], "500=1,path=/api/v1/groups");
    assert_eq!(org.get("/api/v1/groups").await.status, 500);
    assert_eq!(org.get("/api/v1/users").await.status, 200);
    let r = org
        .admin(
            Method::PUT,
            "/__emulator/faults",
            Some(json!({ "spec": "500=7" })),
        )
        .await;
    assert_eq!(r.status, 400, "invalid spec refused");
    assert_eq!(
        org.admin(Method::DELETE, "/__emulator/faults", None)
            .await
            .body["spec"],
        "none"
    );
    assert_eq!(org.get("/api/v1/groups").await.status, 200);
}
