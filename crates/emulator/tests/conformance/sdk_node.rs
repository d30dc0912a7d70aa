//! Okta's official Node SDK (npm `@okta/okta-sdk-nodejs`, pinned in
//! scripts/install-third-party) against the emulator; scripts in tests/sdk/node.

use std::time::Duration;

use spindle_emulator::{EmulatorConfig, RateLimitMode};

use crate::support::{self, run_node};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_sdk_pages_1000_plus_users_with_limit_200_each_exactly_once() {
    let emu = support::start(EmulatorConfig {
        users: 1205,
        groups: 3,
        ..Default::default()
    })
    .await;
    let visited_file = support::scratch_dir().join("visited-user-ids.txt");
    let env = [(
        "VISITED_IDS_FILE",
        visited_file.to_string_lossy().into_owned(),
    )];
    if let Some(out) = run_node("paging.cjs", &emu, &env).await {
        let text =
            std::fs::read_to_string(&visited_file).expect("the script wrote the visited ids");
        let visited: Vec<String> = text.lines().map(str::to_owned).collect();
        assert!(
            visited.len() >= 1000,
            "1,000+ users visited: {}",
            visited.len()
        );
        assert!(
            out.stdout
                .contains(&format!("paged {} users", visited.len())),
            "the script reports what it paged: {}",
            out.stdout
        );
        crate::admin::assert_visited_all_listable_users(&emu, &visited).await;
        let queries = crate::admin::requests(&emu)
            .await
            .into_iter()
            .filter(|r| r.method == "GET" && r.path == "/api/v1/users")
            .map(|r| r.query.unwrap_or_default())
            .collect::<Vec<_>>();
        let full = visited.len().div_ceil(200);
        assert!(
            queries.len() == full || queries.len() == full + 1,
            "{} users take {full} pages of 200: {queries:?}",
            visited.len()
        );
        assert!(
            queries.iter().all(|q| q.contains("limit=200")),
            "every page asked for 200: {queries:?}"
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
