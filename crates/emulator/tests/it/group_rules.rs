//! Group rules over raw HTTP: CRUD, lifecycle, asynchronous membership, exclusions,
//! re-evaluation on profile change and user creation, delete with `removeUsers`.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Org, PW, start};

fn rule_body(name: &str, expr: &str, groups: &[&str], exclude: &[&str]) -> Value {
    json!({
        "type": "group_rule",
        "name": name,
        "conditions": {
            "people": {"users": {"exclude": exclude}},
            "expression": {"value": expr, "type": "urn:okta:expression:1.0"}
        },
        "actions": {"assignUserToGroups": {"groupIds": groups}}
    })
}

async fn user_with(org: &Org, login: &str, dept: &str) -> String {
    let r = org
        .post(
            "/api/v1/users?activate=true",
            json!({"profile": {"firstName": "A", "lastName": "B", "email": login, "login": login, "department": dept},
                   "credentials": {"password": {"value": PW}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "ACTIVE");
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

async fn members(org: &Org, group: &str) -> Vec<String> {
    org.walk(&format!("/api/v1/groups/{group}/users")).await
}

/// Polls until the group's members are `want` (rules apply asynchronously).
async fn eventually(org: &Org, group: &str, want: &[&str]) {
    let mut want: Vec<String> = want.iter().map(|s| (*s).to_owned()).collect();
    want.sort();
    let mut got = Vec::new();
    for _ in 0..100 {
        got = members(org, group).await;
        got.sort();
        if got == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("group {group}: members {got:?}, expected {want:?}");
}

#[tokio::test]
async fn rule_lifecycle_and_membership() {
    let org = start().await;
    let g = org.group("Engineering").await;
    let gid = g["id"].as_str().unwrap_or_default();
    let alice = user_with(&org, "alice@example.com", "Engineering").await;
    let bob = user_with(&org, "bob@example.com", "Engineering").await;
    let carol = user_with(&org, "carol@example.com", "Sales").await;

    let r = org
        .post(
            "/api/v1/groups/rules",
            rule_body("eng", "user.department==\"Engineering\"", &[gid], &[&bob]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "INACTIVE");
    assert_eq!(r.body["type"], "group_rule");
    let rid = r.body["id"].as_str().unwrap_or_default().to_owned();

    // INACTIVE: nobody added.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(members(&org, gid).await.is_empty());

    let a = org
        .call(
            Method::POST,
            &format!("/api/v1/groups/rules/{rid}/lifecycle/activate"),
            None,
        )
        .await;
    assert_eq!(a.status, 204);
    // Bob is excluded, Carol doesn't match.
    eventually(&org, gid, &[&alice]).await;

    // Profile change re-evaluates.
    let u = org
        .post(
            &format!("/api/v1/users/{carol}"),
            json!({"profile": {"department": "Engineering"}}),
        )
        .await;
    assert_eq!(u.status, 200);
    eventually(&org, gid, &[&alice, &carol]).await;
    // ... and removes when it stops matching.
    org.post(
        &format!("/api/v1/users/{carol}"),
        json!({"profile": {"department": "Sales"}}),
    )
    .await;
    eventually(&org, gid, &[&alice]).await;

    // A new matching user is added.
    let dave = user_with(&org, "dave@example.com", "Engineering").await;
    eventually(&org, gid, &[&alice, &dave]).await;

    // Replace while ACTIVE is refused.
    let p = org
        .put(
            &format!("/api/v1/groups/rules/{rid}"),
            rule_body("eng2", "user.department==\"Eng\"", &[gid], &[]),
        )
        .await;
    assert_eq!(p.status, 400);
    assert_eq!(p.code(), "E0000001");

    let d = org
        .call(
            Method::POST,
            &format!("/api/v1/groups/rules/{rid}/lifecycle/deactivate"),
            None,
        )
        .await;
    assert_eq!(d.status, 204);
    let p = org
        .put(
            &format!("/api/v1/groups/rules/{rid}"),
            rule_body("eng2", "user.department==\"Engineering\"", &[gid], &[]),
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.body["name"], "eng2");
    assert_eq!(p.body["status"], "INACTIVE");
    // Deactivation leaves members in place.
    assert_eq!(members(&org, gid).await.len(), 2);

    let got = org
        .get(&format!(
            "/api/v1/groups/rules/{rid}?expand=groupIdToGroupNameMap"
        ))
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(
        got.body["_embedded"]["groupIdToGroupNameMap"][gid],
        "Engineering"
    );

    // Delete with removeUsers: 202 {} and the rule's members go.
    let del = org
        .delete(&format!("/api/v1/groups/rules/{rid}?removeUsers=true"))
        .await;
    assert_eq!(del.status, 202);
    assert_eq!(del.body, json!({}));
    assert!(members(&org, gid).await.is_empty());
    let gone = org.get(&format!("/api/v1/groups/rules/{rid}")).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.code(), "E0000007");
}

#[tokio::test]
async fn list_search_paging_and_validation() {
    let org = start().await;
    let g = org.group("Target").await;
    let gid = g["id"].as_str().unwrap_or_default();
    for i in 0..5 {
        let name = if i % 2 == 0 {
            format!("alpha {i}")
        } else {
            format!("beta {i}")
        };
        let r = org
            .post(
                "/api/v1/groups/rules",
                rule_body(&name, "user.department==\"x\"", &[gid], &[]),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let all = org.walk("/api/v1/groups/rules?limit=2").await;
    assert_eq!(all.len(), 5);
    let mut dedup = all.clone();
    dedup.dedup();
    assert_eq!(dedup.len(), 5);
    let s = org.get("/api/v1/groups/rules?search=alpha").await;
    assert_eq!(s.status, 200);
    assert_eq!(s.body.as_array().map(Vec::len), Some(3));
    let e = org
        .get("/api/v1/groups/rules?limit=1&expand=groupIdToGroupNameMap")
        .await;
    assert_eq!(
        e.body[0]["_embedded"]["groupIdToGroupNameMap"][gid],
        "Target"
    );
    assert!(e.next().is_some());

    // Invalid expression, unknown group, missing type.
    let bad = org
        .post(
            "/api/v1/groups/rules",
            rule_body("x", "user.department=\"x\"", &[gid], &[]),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.code(), "E0000001");
    let bad = org
        .post(
            "/api/v1/groups/rules",
            rule_body("x", "user.department==\"x\"", &["00gnope"], &[]),
        )
        .await;
    assert_eq!(bad.status, 400);
    let bad = org.post("/api/v1/groups/rules", json!({"name": "x"})).await;
    assert_eq!(bad.status, 400);
    let nf = org
        .call(
            Method::POST,
            "/api/v1/groups/rules/0prnope/lifecycle/activate",
            None,
        )
        .await;
    assert_eq!(nf.status, 404);
}

#[tokio::test]
async fn membership_changes_re_evaluate_group_function_rules() {
    let org = start().await;
    let src = org.group("Contractors").await;
    let dst = org.group("Badged").await;
    let (sid, did) = (
        src["id"].as_str().unwrap_or_default(),
        dst["id"].as_str().unwrap_or_default(),
    );
    let u = user_with(&org, "m@example.com", "Ops").await;
    let r = org
        .post(
            "/api/v1/groups/rules",
            rule_body("badge", &format!("isMemberOfGroup(\"{sid}\")"), &[did], &[]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rid = r.body["id"].as_str().unwrap_or_default().to_owned();
    org.call(
        Method::POST,
        &format!("/api/v1/groups/rules/{rid}/lifecycle/activate"),
        None,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(members(&org, did).await.is_empty());
    let a = org
        .call(
            Method::PUT,
            &format!("/api/v1/groups/{sid}/users/{u}"),
            None,
        )
        .await;
    assert_eq!(a.status, 204);
    eventually(&org, did, &[&u]).await;
    org.delete(&format!("/api/v1/groups/{sid}/users/{u}")).await;
    eventually(&org, did, &[]).await;
}

#[tokio::test]
async fn a_rule_whose_target_group_is_deleted_is_invalid_at_once() {
    let org = start().await;
    let g = org.group("Doomed").await;
    let gid = g["id"].as_str().unwrap_or_default().to_owned();
    let r = org
        .post(
            "/api/v1/groups/rules",
            rule_body("to doomed", "user.department==\"Ops\"", &[&gid], &[]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rid = r.body["id"].as_str().unwrap_or_default().to_owned();
    let a = org
        .call(
            Method::POST,
            &format!("/api/v1/groups/rules/{rid}/lifecycle/activate"),
            None,
        )
        .await;
    assert_eq!(a.status, 204, "{}", a.body);
    assert_eq!(
        org.delete(&format!("/api/v1/groups/{gid}")).await.status,
        204
    );
    // No evaluation in between: the very next read shows it.
    let r = org.get(&format!("/api/v1/groups/rules/{rid}")).await;
    assert_eq!(r.body["status"], "INVALID", "{}", r.body);
}
