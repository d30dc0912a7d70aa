//! Pagination: Link headers, limits, cursors, and walk invariants while the list changes.

use std::collections::HashSet;

use serde_json::json;
use spindle_emulator::{EmulatorConfig, RateLimitMode};

use crate::support::*;

async fn synthetic(users: usize) -> Org {
    start_with(EmulatorConfig {
        users,
        groups: 20,
        seed: 11,
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn link_headers_are_absolute_and_separate() {
    let org = synthetic(450).await;
    let r = org.get("/api/v1/users").await;
    assert_eq!(
        r.body.as_array().map(Vec::len),
        Some(200),
        "default limit 200"
    );
    let links = r.links();
    assert_eq!(links.len(), 2, "one Link header per relation: {links:?}");
    assert_eq!(
        links[0],
        format!("<{}/api/v1/users?limit=200>; rel=\"self\"", org.emu.url())
    );
    assert!(
        links[1].starts_with(&format!("<{}/api/v1/users?after=", org.emu.url()))
            && links[1].ends_with("&limit=200>; rel=\"next\"")
    );
    // Only `self` in collection rows.
    assert_eq!(r.body[0]["_links"].as_object().map(|o| o.len()), Some(1));

    let r = org.get("/api/v1/users?limit=1000").await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(200), "max 200");

    // Host header decides the base URL.
    let port = org.emu.addr().port();
    let r = org
        .http
        .get(format!("http://localhost:{port}/api/v1/users?limit=5"))
        .header("authorization", format!("SSWS {}", org.emu.token()))
        .send()
        .await;
    let link = r
        .ok()
        .and_then(|r| {
            r.headers()
                .get("link")
                .and_then(|v| v.to_str().ok().map(str::to_owned))
        })
        .unwrap_or_default();
    assert!(
        link.starts_with(&format!("<http://localhost:{port}/api/v1/users?limit=5")),
        "{link}"
    );

    // Search parameters are carried into next links.
    let r = org
        .get("/api/v1/users?search=status%20eq%20%22ACTIVE%22&limit=10")
        .await;
    assert!(
        r.next()
            .unwrap_or_default()
            .contains("search=status%20eq%20%22ACTIVE%22"),
        "{:?}",
        r.links()
    );
}

#[tokio::test]
async fn full_walk_sees_every_visible_user_once() {
    let org = synthetic(1000).await;
    let ids = org.walk("/api/v1/users?limit=200").await;
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no repeats");
    let state = org
        .admin(reqwest::Method::GET, "/__emulator/state", None)
        .await
        .body;
    let deprovisioned = state["users"]["byStatus"]["DEPROVISIONED"]
        .as_u64()
        .unwrap_or(0) as usize;
    assert!(deprovisioned > 0);
    assert_eq!(
        ids.len(),
        1000 - deprovisioned,
        "DEPROVISIONED omitted from plain list"
    );
    let with = org
        .walk("/api/v1/users?search=status%20eq%20%22DEPROVISIONED%22")
        .await;
    assert_eq!(with.len(), deprovisioned, "search asks for them");
}

#[tokio::test]
async fn invalid_cursor_and_limit() {
    let org = synthetic(10).await;
    let r = org.get("/api/v1/users?after=00u1testcursorvalue").await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "E0000029"));
    assert_eq!(r.body["errorCauses"][0]["errorSummary"], "Invalid cursor.");
    let groups_cursor = org
        .get("/api/v1/groups?limit=1")
        .await
        .next()
        .unwrap_or_default();
    let after = groups_cursor
        .split("after=")
        .nth(1)
        .and_then(|s| s.split('&').next())
        .unwrap_or_default()
        .to_owned();
    let r = org.get(&format!("/api/v1/users?after={after}")).await;
    assert_eq!(
        r.code(),
        "E0000029",
        "a groups cursor is not a users cursor"
    );
    let r = org.get("/api/v1/users?limit=lots").await;
    assert_eq!(r.code(), "E0000029");
}

/// While one client walks the list page by page, another inserts and deletes users. Rows that
/// existed for the whole walk are seen exactly once; nothing is seen twice.
#[tokio::test]
async fn walk_is_stable_under_concurrent_inserts_and_deletes() {
    let org = synthetic(300).await;
    let before: Vec<String> = org.walk("/api/v1/users?limit=200").await;
    let mut deleted = HashSet::new();
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/users?limit=7".to_owned());
    let mut step = 0usize;
    while let Some(url) = next {
        let r = org.get(&url).await;
        for row in r.body.as_array().cloned().unwrap_or_default() {
            seen.push(row["id"].as_str().unwrap_or_default().to_owned());
        }
        next = r.next();
        // Mutate between pages: insert two users, delete one not-yet-seen and one seen.
        step += 1;
        for k in 0..2 {
            org.user(&format!("walk{step}-{k}@example.com"), None, false)
                .await;
        }
        let victim_ahead = before
            .iter()
            .rev()
            .find(|id| !seen.contains(id) && !deleted.contains(*id))
            .cloned();
        let victim_behind = seen
            .iter()
            .find(|id| !deleted.contains(*id) && before.contains(id))
            .cloned();
        for v in [victim_ahead, victim_behind].into_iter().flatten() {
            // Two DELETEs remove the user for good.
            org.delete(&format!("/api/v1/users/{v}")).await;
            org.delete(&format!("/api/v1/users/{v}")).await;
            deleted.insert(v);
        }
    }
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a walk never repeats a row");
    for id in &before {
        if !deleted.contains(id) {
            assert!(
                unique.contains(id),
                "{id} existed throughout and was skipped"
            );
        }
    }
}

#[tokio::test]
async fn q_is_not_paginated_and_defaults_to_ten() {
    let org = start().await;
    for i in 0..12 {
        org.post("/api/v1/users?activate=false", json!({ "profile": { "firstName": "Quinn", "lastName": format!("N{i}"), "email": format!("q{i}@example.com"), "login": format!("q{i}@example.com") } })).await;
    }
    let r = org.get("/api/v1/users?q=qui").await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(10));
    assert!(r.next().is_none());
    let r = org.get("/api/v1/users?q=quinn&limit=50").await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(12));
}
