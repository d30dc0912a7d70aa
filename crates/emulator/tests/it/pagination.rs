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

mod walk_property {
    use std::collections::HashSet;

    use proptest::prelude::*;
    use reqwest::Method;
    use spindle_emulator::{EmulatorConfig, RateLimitMode};

    use crate::support::*;

    /// Between two pages: 0 = create a user, 1 = delete one for good, 2 = deactivate one.
    async fn run(ops: Vec<(u8, usize)>, limit: usize) -> Result<(), String> {
        let org = start_with(EmulatorConfig {
            users: 60,
            seed: 3,
            rate_limit: RateLimitMode::Off,
            ..Default::default()
        })
        .await;
        let initial = org.walk("/api/v1/users?limit=200").await;
        let mut gone: HashSet<String> = HashSet::new();
        let mut seen: Vec<String> = Vec::new();
        let mut next = Some(format!("/api/v1/users?limit={limit}"));
        let mut ops = ops.into_iter();
        let mut created = 0;
        while let Some(url) = next {
            let r = org.get(&url).await;
            if r.status != 200 {
                return Err(format!("{url}: {}", r.status));
            }
            seen.extend(
                r.body
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|u| u["id"].as_str().unwrap_or("").to_owned()),
            );
            next = r.next();
            if let Some((kind, pick)) = ops.next() {
                let alive: Vec<&String> = initial.iter().filter(|id| !gone.contains(*id)).collect();
                match (kind, alive.get(pick % alive.len().max(1))) {
                    (0, _) => {
                        created += 1;
                        org.user(&format!("prop{created}@example.com"), None, false)
                            .await;
                    }
                    (1, Some(id)) => {
                        let id = (*id).clone();
                        org.delete(&format!("/api/v1/users/{id}")).await;
                        org.delete(&format!("/api/v1/users/{id}")).await;
                        gone.insert(id);
                    }
                    (_, Some(id)) => {
                        let id = (*id).clone();
                        org.call(
                            Method::POST,
                            &format!("/api/v1/users/{id}/lifecycle/deactivate"),
                            None,
                        )
                        .await;
                        gone.insert(id);
                    }
                    _ => {}
                }
            }
        }
        org.emu.shutdown().await;
        let unique: HashSet<&String> = seen.iter().collect();
        if unique.len() != seen.len() {
            return Err("a row was returned twice".into());
        }
        for id in initial.iter().filter(|id| !gone.contains(*id)) {
            if !unique.contains(id) {
                return Err(format!("{id} existed for the whole walk but was skipped"));
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
        #[test]
        fn walks_never_repeat_or_skip(ops in prop::collection::vec((0u8..3, 0usize..100), 0..40), limit in 1usize..25) {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
            let rt = match rt { Ok(rt) => rt, Err(e) => return Err(TestCaseError::fail(e.to_string())) };
            rt.block_on(run(ops, limit)).map_err(TestCaseError::fail)?;
        }
    }
}
