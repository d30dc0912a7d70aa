//! `POST /__emulator/churn` and `--churn N/min`: random changes through the domain methods,
//! deterministic for a seed, each with its System Log event.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use spindle_emulator::{EmulatorConfig, RateLimitMode};

use crate::support::{Org, start, start_with};

fn seeded() -> EmulatorConfig {
    EmulatorConfig {
        users: 400,
        groups: 30,
        seed: 3,
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    }
}

async fn churn(org: &Org, body: Value) -> crate::support::Resp {
    org.admin(Method::POST, "/__emulator/churn", Some(body))
        .await
}

/// Every event of the log, as `(eventType, target ids)`.
async fn all_events(org: &Org) -> Vec<(String, Vec<String>)> {
    let mut next = Some(
        "/api/v1/logs?since=2000-01-01T00:00:00.000Z&until=2999-01-01T00:00:00.000Z&limit=1000"
            .to_owned(),
    );
    let mut out = Vec::new();
    while let Some(url) = next {
        let r = org.get(&url).await;
        assert_eq!(r.status, 200, "{}", r.body);
        for e in r.body.as_array().cloned().unwrap_or_default() {
            let targets = e["target"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t["id"].as_str().map(str::to_owned))
                .collect();
            out.push((
                e["eventType"].as_str().unwrap_or_default().to_owned(),
                targets,
            ));
        }
        next = r.next();
    }
    out
}

/// The event a change of `kind` leaves.
fn event_of(kind: &str) -> &'static str {
    match kind {
        "user.create" => "user.lifecycle.create",
        "user.update" | "user.rename" | "user.move" => "user.account.update_profile",
        "user.suspend" => "user.lifecycle.suspend",
        "user.unsuspend" => "user.lifecycle.unsuspend",
        "user.deactivate" => "user.lifecycle.deactivate",
        "user.reactivate" => "user.lifecycle.reactivate",
        "user.delete" => "user.lifecycle.delete.completed",
        "group.create" => "group.lifecycle.create",
        "group.rename" => "group.profile.update",
        "group.delete" => "group.lifecycle.delete",
        "membership.add" => "group.user_membership.add",
        "membership.remove" => "group.user_membership.remove",
        other => panic!("unknown kind {other}"),
    }
}

#[tokio::test]
async fn churn_is_deterministic_for_a_seed_and_every_change_is_logged() {
    let (a, b) = (start_with(seeded()).await, start_with(seeded()).await);
    // The time before the churn, as the emulator writes it (an org of its own keeps a and b
    // fresh).
    let clock = start().await;
    let t0 = clock.user("clock@example.com", None, false).await["created"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(t0.ends_with('Z'), "{t0}");
    let ra = churn(&a, json!({ "changes": 300, "seed": 42 })).await;
    let rb = churn(&b, json!({ "changes": 300, "seed": 42 })).await;
    assert_eq!(ra.status, 200, "{}", ra.body);
    assert_eq!(ra.body, rb.body, "same seed, same org: same changes");
    assert_eq!(ra.body["seed"], 42);
    let changes = ra.body["changes"].as_array().cloned().unwrap_or_default();
    assert_eq!(changes.len(), 300);
    let kinds: HashSet<&str> = changes.iter().filter_map(|c| c["kind"].as_str()).collect();
    assert!(kinds.len() >= 12, "a mix of kinds: {kinds:?}");

    let events = all_events(&a).await;
    for c in &changes {
        let kind = c["kind"].as_str().unwrap_or_default();
        let want = event_of(kind);
        let ids: Vec<&str> = ["user_id", "group_id"]
            .iter()
            .filter_map(|k| c[*k].as_str())
            .collect();
        assert!(!ids.is_empty(), "{c}");
        assert!(
            events
                .iter()
                .any(|(t, targets)| t == want
                    && ids.iter().all(|id| targets.iter().any(|x| x == id))),
            "no {want} event for {c}"
        );
        if kind.starts_with("user.") {
            assert!(c["group_id"].is_null(), "{c}");
        }
        if kind.starts_with("group.") {
            assert!(c["user_id"].is_null(), "{c}");
        }
    }

    // Every changed user's `lastUpdated`, and every group whose membership changed, moved to
    // now (the generated org's timestamps are years old).
    let recent = |t: &Value| t.as_str().is_some_and(|t| t >= t0.as_str());
    for c in &changes {
        let kind = c["kind"].as_str().unwrap_or_default();
        if let Some(uid) = c["user_id"].as_str()
            && !kind.starts_with("membership.")
        {
            let u = a.get(&format!("/api/v1/users/{uid}")).await;
            if u.status == 200 {
                assert!(
                    recent(&u.body["lastUpdated"]),
                    "{c}: {}",
                    u.body["lastUpdated"]
                );
            }
        }
        if let Some(gid) = c["group_id"].as_str() {
            let g = a.get(&format!("/api/v1/groups/{gid}")).await;
            if g.status == 200 {
                let field = if kind.starts_with("membership.") {
                    "lastMembershipUpdated"
                } else {
                    "lastUpdated"
                };
                assert!(recent(&g.body[field]), "{c}: {field} {}", g.body[field]);
            }
        }
    }

    // The org still answers, and another seed makes other changes.
    let rc = churn(&a, json!({ "changes": 20, "seed": 43 })).await;
    assert_eq!(rc.status, 200, "{}", rc.body);
    let again = churn(&b, json!({ "changes": 20, "seed": 44 })).await;
    assert_ne!(rc.body["changes"], again.body["changes"]);
    assert_eq!(a.get("/api/v1/users?limit=200").await.status, 200);
}

#[tokio::test]
async fn moving_people_between_departments_moves_their_memberships_through_rules() {
    let org = start_with(seeded()).await;
    let r = churn(&org, json!({ "changes": 200, "seed": 7 })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rules = org.get("/api/v1/groups/rules?limit=200").await.body;
    let names: Vec<&str> = rules
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(names.contains(&"Department: Engineering"), "{names:?}");
    let moved = r.body["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["kind"] == "user.move")
        .and_then(|c| c["user_id"].as_str())
        .map(str::to_owned)
        .expect("a move");
    let user = org.get(&format!("/api/v1/users/{moved}")).await.body;
    if user["status"] == "DEPROVISIONED" || user.is_null() {
        return;
    }
    let dept = user["profile"]["department"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut names = Vec::new();
    for _ in 0..100 {
        let groups = org.get(&format!("/api/v1/users/{moved}/groups")).await.body;
        names = groups
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| g["profile"]["name"].as_str().map(str::to_owned))
            .collect();
        if names.contains(&dept) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(names.contains(&dept), "{dept} not in {names:?}");
}

#[tokio::test]
async fn bad_churn_requests_are_400_naming_the_field() {
    let org = start().await;
    for (body, field) in [
        (json!({}), "changes"),
        (json!({ "changes": 0 }), "changes"),
        (json!({ "changes": 10_001 }), "changes"),
        (json!({ "changes": "ten" }), "changes"),
        (json!([1]), "changes"),
        (json!({ "changes": 5, "seed": -1 }), "seed"),
        (json!({ "changes": 5, "seed": "x" }), "seed"),
    ] {
        let r = churn(&org, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert_eq!(r.code(), "E0000001", "{}", r.body);
        let cause = r.body["errorCauses"][0]["errorSummary"]
            .as_str()
            .unwrap_or_default();
        assert!(
            cause.starts_with(&format!("{field}:")),
            "{body}: {}",
            r.body
        );
    }
    let r = org
        .http
        .post(org.url("/__emulator/churn"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .map(|r| r.status().as_u16());
    assert_eq!(r.ok(), Some(400));
    // Without a seed: a random one, echoed.
    let r = churn(&org, json!({ "changes": 3 })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["seed"].is_u64());
    assert_eq!(r.body["changes"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn background_churn_makes_changes_and_stops_on_shutdown() {
    let org = start_with(EmulatorConfig {
        churn_per_minute: 6_000,
        ..seeded()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let events = all_events(&org).await;
    assert!(events.len() >= 5, "{} events", events.len());
    let Org { emu, .. } = org;
    let stopped = tokio::time::timeout(Duration::from_secs(5), emu.shutdown()).await;
    assert!(
        stopped.is_ok(),
        "shutdown waits for churn to stop, promptly"
    );
}
