//! What an incremental sync needs: the System Log followed from a saved next link, per-caller
//! call statistics, the runtime rate-limit share, and the user and group reads it re-reads
//! changed objects with.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::json;
use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};
use spindle_okta::logs::{LogQuery, SortOrder};
use spindle_okta::models::{CreateUserBody, GroupBody, LogEvent, UserProfile, UserStatus};
use spindle_okta::users::{CreateUser, DeactivateOptions, ListUsers};
use spindle_okta::{CallStats, Client, Config, Error, Page, PageQuery};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::client;

async fn start() -> (Emulator, Client) {
    let emu = Emulator::start(EmulatorConfig {
        users: 0,
        groups: 0,
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = Client::new(Config::with_api_token(&emu.url(), emu.token()).unwrap()).unwrap();
    (emu, client)
}

fn body(login: &str) -> CreateUserBody {
    CreateUserBody {
        profile: UserProfile::new()
            .with("login", login)
            .with("email", login)
            .with("firstName", "Ada")
            .with("lastName", "Lovelace"),
        ..Default::default()
    }
}

async fn create(c: &Client, login: &str) -> String {
    let u = c
        .users()
        .create(CreateUser::new(body(login)))
        .await
        .unwrap();
    u.id.unwrap().0
}

/// Follows a polling link until an empty page; returns the events and the link to save.
async fn drain(c: &Client, first: Page<LogEvent>) -> (Vec<LogEvent>, String) {
    let mut events = Vec::new();
    let mut page = first;
    for _ in 0..100 {
        let link = page
            .next_link()
            .expect("a polling page always has a next link")
            .to_owned();
        if page.items.is_empty() {
            return (events, link);
        }
        events.extend(page.items);
        page = c.logs().page_at(&link).await.unwrap();
    }
    panic!("the log did not run dry");
}

fn user_ids(events: &[LogEvent], event_type: &str) -> HashSet<String> {
    events
        .iter()
        .filter(|e| e.event_type.as_deref() == Some(event_type))
        .flat_map(|e| e.targets_of_type("User"))
        .filter_map(|t| t.id.clone())
        .collect()
}

#[tokio::test]
async fn polling_from_a_saved_next_link_sees_only_later_events() {
    let (emu, c) = start().await;
    let a = create(&c, "a@example.com").await;
    let b = create(&c, "b@example.com").await;

    let first = c.logs().list_page(LogQuery::new().limit(1)).await.unwrap();
    assert_eq!(first.items.len(), 1, "limit is sent");
    let (events, checkpoint) = drain(&c, first).await;
    assert_eq!(
        user_ids(&events, "user.lifecycle.create"),
        HashSet::from([a.clone(), b.clone()])
    );
    let uuids: HashSet<_> = events.iter().filter_map(|e| e.uuid.clone()).collect();
    assert_eq!(uuids.len(), events.len(), "every event has its own uuid");
    let e = &events[0];
    assert!(e.published.as_deref().is_some_and(|p| p.ends_with('Z')));
    assert!(e.severity.is_some() && e.actor.is_some() && e.transaction.is_some());

    // Nothing new: an empty page, still with a next link.
    let idle = c.logs().page_at(&checkpoint).await.unwrap();
    assert!(idle.items.is_empty());
    assert!(idle.next_link().is_some());

    // Resume from the saved checkpoint (as after a restart, with a new client).
    let cc = create(&c, "c@example.com").await;
    let resumed =
        Client::new(Config::with_api_token(c.org_url().as_str(), emu.token()).unwrap()).unwrap();
    let page = resumed.logs().page_at(&checkpoint).await.unwrap();
    let (later, _) = drain(&resumed, page).await;
    assert_eq!(
        user_ids(&later, "user.lifecycle.create"),
        HashSet::from([cc])
    );
    assert!(
        later
            .iter()
            .all(|e| !uuids.contains(e.uuid.as_ref().unwrap()))
    );
}

#[tokio::test]
async fn a_bounded_query_ends_and_filters() {
    let (_emu, c) = start().await;
    create(&c, "a@example.com").await;
    let page = c
        .logs()
        .list_page(
            LogQuery::new()
                .filter("eventType eq \"user.lifecycle.create\"")
                .sort_order(SortOrder::Descending),
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(!page.has_next());
}

#[tokio::test]
async fn foreign_and_wrong_path_links_are_refused_without_a_request() {
    let s = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(0)
        .mount(&s)
        .await;
    let (c, _) = client(&s.uri());
    let stats = Arc::new(CallStats::new());
    let c = c.with_stats(stats.clone());
    for link in [
        "https://evil.example.com/api/v1/logs?after=1".to_owned(),
        format!("{}/api/v1/users?after=1", s.uri()),
        "garbage".to_owned(),
    ] {
        let err = c.logs().page_at(&link).await.unwrap_err();
        assert!(matches!(err, Error::RefusedLink { .. }), "{link}: {err}");
    }
    assert_eq!(stats.calls(), 0);
}

#[tokio::test]
async fn stats_count_one_callers_attempts_and_429s() {
    let s = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups/00g1"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests.",
            "errorLink": "E0000047", "errorId": "oae1", "errorCauses": []})))
        .up_to_n_times(1)
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups/00g1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "00g1", "profile": {"name": "G"}})),
        )
        .mount(&s)
        .await;
    let (c, _) = client(&s.uri());
    let stats = Arc::new(CallStats::new());
    let counted = c.with_stats(stats.clone());
    counted.groups().get("00g1").await.unwrap();
    assert_eq!(
        (stats.calls(), stats.throttled(), stats.retries()),
        (2, 1, 1)
    );
    // The original client (and other clones) are not counted.
    c.groups().get("00g1").await.unwrap();
    c.clone().groups().get("00g1").await.unwrap();
    assert_eq!(stats.calls(), 2);
    // A clone of the counted client is.
    counted.clone().groups().get("00g1").await.unwrap();
    assert_eq!((stats.calls(), stats.throttled()), (3, 1));
    // Nested: both counters see the inner client's attempts.
    let inner = Arc::new(CallStats::new());
    counted
        .with_stats(inner.clone())
        .groups()
        .get("00g1")
        .await
        .unwrap();
    assert_eq!((stats.calls(), inner.calls()), (4, 1));
    // Everything shares one pacer: its bucket is visible from every clone.
    assert!(
        c.rate_limits()
            .iter()
            .any(|b| b.bucket == "GET /api/v1/groups/{groupId}")
    );
}

#[tokio::test]
async fn the_share_changes_for_every_clone() {
    let (c, _) = client("https://example.okta.com");
    let stats = c.with_stats(Arc::new(CallStats::new()));
    let other = c.clone();
    assert_eq!(c.rate_limit_share(), 1.0);
    stats.set_rate_limit_share(0.25).unwrap();
    assert_eq!(other.rate_limit_share(), 0.25);
    assert!(matches!(
        other.set_rate_limit_share(0.0),
        Err(Error::Config(_))
    ));
    assert!(other.set_rate_limit_share(f64::NAN).is_err());
    assert_eq!(c.rate_limit_share(), 0.25);
    c.set_rate_limit_share(3.0).unwrap();
    assert_eq!(stats.rate_limit_share(), 1.0);
}

#[tokio::test]
async fn the_reads_a_sync_needs() {
    let (emu, c) = start().await;
    let a = create(&c, "a@example.com").await;
    let b = create(&c, "b@example.com").await;
    create(&c, "c@example.com").await;
    c.users()
        .deactivate(a.as_str(), DeactivateOptions::default())
        .await
        .unwrap();
    c.users()
        .deactivate(b.as_str(), DeactivateOptions::default())
        .await
        .unwrap();

    // Users filtered by status, one page at a time.
    let query = ListUsers::new()
        .filter("status eq \"DEPROVISIONED\"")
        .limit(1);
    let first = c.users().list_page(query.clone()).await.unwrap();
    assert_eq!(first.items.len(), 1);
    assert_eq!(first.items[0].status, Some(UserStatus::Deprovisioned));
    let after = first.next_after().expect("a second page");
    let second = c.users().list_page(query.after(after)).await.unwrap();
    let ids: HashSet<_> = first
        .items
        .iter()
        .chain(&second.items)
        .filter_map(|u| u.id.clone().map(|i| i.0))
        .collect();
    assert_eq!(ids, HashSet::from([a.clone(), b.clone()]));

    // A user by id; an unknown one is a typed 404.
    let u = c.users().get(a.as_str(), None).await.unwrap();
    assert_eq!(u.id.unwrap().0, a);
    let err = c
        .users()
        .get("00unknown0000000000", None)
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.error_code(), Some("E0000007"));

    // Groups: a page, one by id with lastMembershipUpdated, and a page of its members.
    let g = c
        .groups()
        .create(&GroupBody::new("Engineering", None))
        .await
        .unwrap();
    let gid = g.id.clone().unwrap();
    c.groups().add_user(gid.clone(), b.as_str()).await.unwrap();
    let groups = c
        .groups()
        .list_page(spindle_okta::groups::ListGroups::new().limit(10))
        .await
        .unwrap();
    assert!(groups.items.iter().any(|x| x.id.as_ref() == Some(&gid)));
    let got = c.groups().get(gid.clone()).await.unwrap();
    assert!(got.last_membership_updated.is_some());
    let members = c
        .groups()
        .members_page(gid.clone(), PageQuery::new().limit(10))
        .await
        .unwrap();
    assert_eq!(members.items.len(), 1);
    assert_eq!(members.items[0].id.as_ref().unwrap().0, b);
    let missing = c.groups().get("00gunknown000000000").await.unwrap_err();
    assert!(missing.is_not_found());
    drop(emu);
}
