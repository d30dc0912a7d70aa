//! Okta's official Node SDK (npm `@okta/okta-sdk-nodejs`, pinned in
//! scripts/install-third-party) against the emulator; scripts in tests/sdk/node.

use std::time::Duration;

use spindle_emulator::{EmulatorConfig, RateLimitMode};

use crate::support::{self, run_node};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_sdk_pages_1000_plus_users_with_limit_200_each_exactly_once() {
    crate::sdk_paging::pages_each_listable_user_exactly_once(crate::sdk_paging::Sdk::Node).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_sdk_users_lifecycle_credentials_and_queries() {
    let emu = support::start(EmulatorConfig {
        users: 20,
        ..Default::default()
    })
    .await;
    run_node("users.cjs", &emu, &[]).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_sdk_reads_and_updates_the_user_schema_and_is_refused_undefined_properties() {
    let emu = support::start(EmulatorConfig::default()).await;
    run_node("schemas.cjs", &emu, &[]).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_sdk_groups_members_and_apps() {
    let emu = support::start(EmulatorConfig {
        groups: 4,
        ..Default::default()
    })
    .await;
    run_node("groups_apps.cjs", &emu, &[]).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_sdk_group_rules_factors_user_types_linked_objects_grants_tokens_and_sessions() {
    let emu = support::start(EmulatorConfig {
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await;
    run_node("rules_factors_types_links_tokens_sessions.cjs", &emu, &[]).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_sdk_honours_429_and_retries() {
    let emu = support::start(EmulatorConfig {
        rate_limit: RateLimitMode::PerWindow(3),
        rate_limit_window: Duration::from_secs(2),
        ..Default::default()
    })
    .await;
    let env = [("RATE_LIMIT_BURST", "8".to_owned())];
    if run_node("rate_limit.cjs", &emu, &env).await.is_some() {
        let served = crate::admin::count_requests(&emu, "GET", "/api/v1/groups", Some(429)).await;
        assert!(
            served >= 1,
            "the request log shows no 429 served to the Node SDK"
        );
        let retried = crate::admin::requests(&emu)
            .await
            .into_iter()
            .filter(|r| r.path == "/api/v1/groups" && r.status == 200)
            .count();
        assert!(
            retried >= 8,
            "all 8 retried calls eventually succeeded: {retried} 200s"
        );
    }
    emu.shutdown().await;
}
