//! The gateway's own limits: a request that outlives `request_timeout` gets 504 `timeout`, and a
//! shutdown lets the requests in flight finish (and their calls reach the call log) before the
//! gateway stops.

use std::time::Duration;

use spindle_emulator::EmulatorConfig;
use spindle_store::CallFilter;

mod common;

use common::TestGateway;

/// A gateway with this request timeout in front of an org whose every answer takes `latency`,
/// with a connection `slow` to it.
async fn start(latency: &str, timeout: Duration) -> TestGateway {
    let mut settings = common::dev_settings();
    settings.request_timeout = timeout;
    TestGateway::builder()
        .emulator(EmulatorConfig {
            users: 5,
            rate_limit: spindle_emulator::RateLimitMode::Off,
            faults: latency.parse().expect("a fault spec"),
            ..Default::default()
        })
        .settings(settings)
        .connection("slow")
        .build()
        .await
}

async fn list_users(url: &str, key: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!(
            "{url}/v1/connections/slow/actions/get_list_all_users"
        ))
        .bearer_auth(key)
        .json(&serde_json::json!({"limit": 2}))
        .send()
        .await
        .expect("the gateway answers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_longer_than_the_timeout_gets_504_timeout() {
    let gw = start("latency=3s", Duration::from_millis(300)).await;

    let response = list_users(&gw.base, &gw.full).await;
    assert_eq!(response.status().as_u16(), 504);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(problem["code"], "timeout", "{problem}");
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_requests_in_flight_finish_and_keeps_their_log() {
    let mut gw = start("latency=2500ms", Duration::from_secs(30)).await;

    let in_flight = tokio::spawn({
        let (url, key) = (gw.base.clone(), gw.full.clone());
        async move { list_users(&url, &key).await }
    });
    // The request is at the emulator (which answers after 2.5 s) when the shutdown begins; a
    // second leaves it ample time to get there on a loaded machine.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let server = gw.shut_down();
    let response = in_flight.await.expect("the request task");
    assert_eq!(response.status().as_u16(), 200);
    let output: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(
        output["items"].as_array().map(Vec::len),
        Some(2),
        "{output}"
    );
    tokio::time::timeout(Duration::from_secs(15), server)
        .await
        .expect("the gateway stops after the request")
        .expect("the server task")
        .expect("serve ends cleanly");

    // New connections are refused now.
    let refused = reqwest::Client::new()
        .get(format!("{}/healthz", gw.base))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(refused.is_err(), "the gateway still answers after shutdown");

    // The call made during the shutdown was written before `serve` returned.
    let logged = gw
        .store
        .calls()
        .list(&CallFilter::new().action("get_list_all_users"), None, 10)
        .await
        .expect("the call log");
    assert_eq!(logged.items.len(), 1, "{logged:?}");
    assert_eq!(logged.items[0].record.status, Some(200));
    assert_eq!(logged.items[0].record.path, "/api/v1/users");
    gw.stop().await;
}
