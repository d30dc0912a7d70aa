//! Okta's official Node SDK (npm `@okta/okta-sdk-nodejs`, pinned in
//! scripts/install-third-party) against the emulator; scripts in tests/sdk/node.

use std::time::Duration;

use spindle_emulator::{EmulatorConfig, RateLimitMode};

use crate::support::{self, run_node};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_sdk_pages_1200_users_with_limit_200_each_exactly_once() {
    let emu = support::start(EmulatorConfig {
        users: 1205,
        groups: 3,
        ..Default::default()
    })
    .await;
    let expected = crate::admin::listable_user_ids(&emu).await;
    let ids_file = support::scratch_dir().join("expected-user-ids.txt");
    std::fs::write(&ids_file, expected.join("\n")).expect("write expected ids");
    let env = [(
        "EXPECTED_USER_IDS_FILE",
        ids_file.to_string_lossy().into_owned(),
    )];
    if let Some(out) = run_node("paging.cjs", &emu, &env).await {
        assert!(
            out.stdout
                .contains(&format!("paged {} users", expected.len())),
            "{}",
            out.stdout
        );
        let limits = crate::admin::requests(&emu)
            .await
            .into_iter()
            .filter(|r| r.method == "GET" && r.path == "/api/v1/users")
            .map(|r| r.query.unwrap_or_default())
            .collect::<Vec<_>>();
        assert!(
            limits.len() >= 7,
            "1,205 users take 7 pages of 200: {limits:?}"
        );
        assert!(
            limits.iter().all(|q| q.contains("limit=200")),
            "every page asked for 200: {limits:?}"
        );
    }
    emu.shutdown().await;
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
