//! Okta's official Python SDK (PyPI `okta`, pinned in scripts/install-third-party) against
//! the emulator. Each test runs one script of tests/sdk/python; the script asserts results
//! (counts, ids, statuses, error codes) and exits non-zero on the first wrong one.

use std::time::Duration;

use spindle_emulator::{EmulatorConfig, RateLimitMode};

use crate::support::{self, run_python};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_pages_1000_plus_users_with_limit_200_each_exactly_once() {
    crate::sdk_paging::pages_each_listable_user_exactly_once(crate::sdk_paging::Sdk::Python).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_user_crud_lifecycle_credentials_and_resources() {
    let emu = support::start(EmulatorConfig::default()).await;
    run_python("users.py", &emu, &[]).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_filter_search_q_and_sorting_return_the_expected_sets() {
    let emu = support::start(EmulatorConfig {
        users: 50,
        groups: 5,
        ..Default::default()
    })
    .await;
    run_python("queries.py", &emu, &[]).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_reads_and_updates_profile_schemas_and_is_refused_undefined_properties() {
    let emu = support::start(EmulatorConfig::default()).await;
    run_python("schemas.py", &emu, &[]).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_groups_members_and_app_assignments() {
    let emu = support::start(EmulatorConfig::default()).await;
    run_python("groups_apps.py", &emu, &[]).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_group_rules_factors_user_types_linked_objects_and_grants() {
    let emu = support::start(EmulatorConfig::default()).await;
    run_python("rules_factors_types_links_grants.py", &emu, &[]).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_clients_refresh_tokens_factor_resend_push_transactions_and_sessions() {
    let emu = support::start(EmulatorConfig {
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await;
    run_python("clients_tokens_push_sessions.py", &emu, &[]).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_ssws_auth_errors_and_error_bodies() {
    let emu = support::start(EmulatorConfig::default()).await;
    run_python("auth.py", &emu, &[]).await;
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_sdk_honours_429_and_retries() {
    let emu = support::start(EmulatorConfig {
        rate_limit: RateLimitMode::PerWindow(3),
        rate_limit_window: Duration::from_secs(2),
        ..Default::default()
    })
    .await;
    let env = [("RATE_LIMIT_BURST", "8".to_owned())];
    if run_python("rate_limit.py", &emu, &env).await.is_some() {
        let served = crate::admin::count_requests(&emu, "GET", "/api/v1/users", Some(429)).await;
        assert!(
            served >= 1,
            "the request log shows no 429 served to the SDK"
        );
        let ok = crate::admin::count_requests(&emu, "GET", "/api/v1/users", Some(200)).await;
        assert!(
            ok >= 8,
            "all 8 retried calls eventually succeeded: {ok} 200s in the log"
        );
    }
    emu.shutdown().await;
}
