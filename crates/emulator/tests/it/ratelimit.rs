//! Rate limits: headers, per-bucket windows, 429 E0000047, reconfiguration.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use spindle_emulator::{EmulatorConfig, RateLimitMode};

use crate::support::*;

#[tokio::test]
async fn okta_defaults_in_headers() {
    let org = start_with(EmulatorConfig::default()).await;
    let r = org.get("/api/v1/users").await;
    assert_eq!(r.header("x-rate-limit-limit"), Some("600"));
    assert_eq!(r.header("x-rate-limit-remaining"), Some("599"));
    let reset: i64 = r
        .header("x-rate-limit-reset")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    assert!(
        (now + 55..=now + 61).contains(&reset),
        "reset about a minute ahead: {reset} vs {now}"
    );
    let u = org.user("rl@example.com", None, false).await;
    let r = org
        .get(&format!("/api/v1/users/{}", u["id"].as_str().unwrap_or("")))
        .await;
    assert_eq!(
        r.header("x-rate-limit-limit"),
        Some("1000"),
        "single-user GET bucket"
    );
    assert_eq!(
        org.get("/api/v1/apps").await.header("x-rate-limit-limit"),
        Some("100")
    );
}

#[tokio::test]
async fn exceeding_a_bucket_gives_429_until_the_window_rolls() {
    let org = start_with(EmulatorConfig {
        rate_limit: RateLimitMode::PerWindow(3),
        rate_limit_window: Duration::from_secs(2),
        ..Default::default()
    })
    .await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = org.get("/api/v1/users").await;
        assert_eq!(r.status, 200);
        remaining.push(r.header("x-rate-limit-remaining").unwrap_or("").to_owned());
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let r = org.get("/api/v1/users").await;
    assert_eq!((r.status.as_u16(), r.code()), (429, "E0000047"));
    assert_eq!(
        r.body["errorSummary"],
        "API call exceeded rate limit due to too many requests."
    );
    assert_eq!(r.header("x-rate-limit-remaining"), Some("0"));
    assert!(
        r.header("date").is_some() && r.header("x-rate-limit-reset").is_some(),
        "SDKs need Date and Reset on 429"
    );
    // Another bucket is unaffected.
    assert_eq!(org.get("/api/v1/groups").await.status, 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(org.get("/api/v1/users").await.status, 200, "new window");
}

#[tokio::test]
async fn admin_can_switch_modes_and_off_never_limits() {
    let org = start_with(EmulatorConfig {
        rate_limit: RateLimitMode::PerWindow(1),
        ..Default::default()
    })
    .await;
    assert_eq!(org.get("/api/v1/users").await.status, 200);
    assert_eq!(org.get("/api/v1/users").await.status, 429);
    let r = org
        .admin(
            Method::PUT,
            "/__emulator/ratelimit",
            Some(json!({ "mode": "off" })),
        )
        .await;
    assert_eq!(r.body["mode"], "off");
    for _ in 0..20 {
        assert_eq!(org.get("/api/v1/users").await.status, 200);
    }
}

#[tokio::test]
async fn concurrency_limit_answers_429_with_zero_limit() {
    // 100 requests in flight at once, each delayed 1.5 s (ample on a loaded machine), against a limit of 75.
    let org = start_with(EmulatorConfig {
        rate_limit: RateLimitMode::PerWindow(100_000),
        faults: "latency=1500ms".parse().unwrap_or_default(),
        ..Default::default()
    })
    .await;
    let token = org.emu.token().to_owned();
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let http = org.http.clone();
        let url = org.url("/api/v1/groups");
        let auth = format!("SSWS {token}");
        tasks.push(tokio::spawn(async move {
            let r = http
                .get(url)
                .header("authorization", auth)
                .send()
                .await
                .ok()?;
            Some((
                r.status().as_u16(),
                r.headers()
                    .get("x-rate-limit-limit")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
            ))
        }));
    }
    let mut limited = 0;
    for t in tasks {
        if let Ok(Some((429, limit))) = t.await {
            assert_eq!(
                limit.as_deref(),
                Some("0"),
                "concurrency 429s report limit 0"
            );
            limited += 1;
        }
    }
    assert!(limited >= 1, "some requests must exceed 75 concurrent");
}
