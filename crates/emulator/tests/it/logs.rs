//! The System Log: every change leaves its event with the right target; polling, bounded
//! queries, filter, q, limit, sortOrder and since.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Org, PW, start};

fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

/// Every event about `target` (bounded query, all pages), as `(eventType, event)`.
async fn events_of(org: &Org, target: &str) -> Vec<(String, Value)> {
    let filter = pct(&format!("target.id eq \"{target}\""));
    let bounds = format!(
        "since={}&until={}",
        pct("2000-01-01T00:00:00.000Z"),
        pct("2999-01-01T00:00:00.000Z")
    );
    let mut next = Some(format!("/api/v1/logs?filter={filter}&{bounds}"));
    let mut out = Vec::new();
    while let Some(url) = next {
        let r = org.get(&url).await;
        assert_eq!(r.status, 200, "{url}: {}", r.body);
        for e in r.body.as_array().cloned().unwrap_or_default() {
            out.push((e["eventType"].as_str().unwrap_or_default().to_owned(), e));
        }
        next = r.next();
        assert!(out.len() < 10_000);
    }
    out
}

async fn types_of(org: &Org, target: &str) -> Vec<String> {
    events_of(org, target)
        .await
        .into_iter()
        .map(|(t, _)| t)
        .collect()
}

#[tokio::test]
async fn user_lifecycle_and_profile_changes_are_logged_with_the_user_as_target() {
    let org = start().await;
    let u = org.user("ada@example.com", Some(PW), false).await;
    let uid = id(&u);
    let path = format!("/api/v1/users/{uid}");
    let r = org
        .post(
            &format!("{path}/lifecycle/activate?sendEmail=false"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = org
        .post(&path, json!({ "profile": { "nickName": "Ada" } }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for op in ["suspend", "unsuspend", "deactivate", "activate"] {
        let r = org
            .post(&format!("{path}/lifecycle/{op}?sendEmail=false"), json!({}))
            .await;
        assert!(r.status.is_success(), "{op}: {}", r.body);
    }
    assert_eq!(org.delete(&path).await.status, 204);
    assert_eq!(org.delete(&path).await.status, 204);

    let events = events_of(&org, &uid).await;
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "user.lifecycle.create",
            "user.lifecycle.activate",
            "user.account.update_profile",
            "user.lifecycle.suspend",
            "user.lifecycle.unsuspend",
            "user.lifecycle.deactivate",
            "user.lifecycle.reactivate",
            "user.lifecycle.deactivate",
            "user.lifecycle.delete.initiated",
            "user.lifecycle.delete.completed",
        ]
    );
    let (_, e) = &events[0];
    assert_eq!(e["target"][0]["type"], "User");
    assert_eq!(e["target"][0]["alternateId"], "ada@example.com");
    assert_eq!(e["target"][0]["displayName"], "Test User");
    assert_eq!(e["version"], "0");
    assert_eq!(e["severity"], "INFO");
    assert_eq!(e["outcome"]["result"], "SUCCESS");
    assert_eq!(e["transaction"]["type"], "WEB");
    assert!(e["uuid"].as_str().is_some_and(|s| s.len() == 36));
    assert!(e["debugContext"]["debugData"]["requestId"].is_string());
    assert!(e["published"].as_str().is_some_and(|p| p.ends_with('Z')));
    let uuids: std::collections::BTreeSet<&str> = events
        .iter()
        .filter_map(|(_, e)| e["uuid"].as_str())
        .collect();
    assert_eq!(uuids.len(), events.len(), "uuids are unique");
}

#[tokio::test]
async fn groups_memberships_rules_and_the_admin_api_are_logged() {
    let org = start().await;
    let g = org.group("Engineering").await;
    let gid = id(&g);
    let u = org.user("bo@example.com", Some(PW), true).await;
    let uid = id(&u);
    let member = format!("/api/v1/groups/{gid}/users/{uid}");
    assert_eq!(org.put(&member, json!({})).await.status, 204);
    assert_eq!(org.delete(&member).await.status, 204);
    let r = org
        .put(
            &format!("/api/v1/groups/{gid}"),
            json!({ "profile": { "name": "Eng", "description": "x" } }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let events = events_of(&org, &gid).await;
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "group.lifecycle.create",
            "group.user_membership.add",
            "group.user_membership.remove",
            "group.profile.update",
        ]
    );
    let add = &events[1].1;
    assert_eq!(add["target"][0]["id"], uid.as_str());
    assert_eq!(add["target"][1]["id"], gid.as_str());
    assert_eq!(add["target"][1]["type"], "UserGroup");

    // A group rule adding a member logs the membership like the API does.
    let rule = json!({
        "type": "group_rule",
        "name": "bo",
        "conditions": { "expression": {
            "value": "user.login==\"bo@example.com\"", "type": "urn:okta:expression:1.0" } },
        "actions": { "assignUserToGroups": { "groupIds": [gid] } }
    });
    let r = org.post("/api/v1/groups/rules", rule).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rid = id(&r.body);
    let r = org
        .post(
            &format!("/api/v1/groups/rules/{rid}/lifecycle/activate"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let mut adds = 0;
    for _ in 0..100 {
        adds = types_of(&org, &uid)
            .await
            .iter()
            .filter(|t| *t == "group.user_membership.add")
            .count();
        if adds == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(adds, 2, "the rule's membership is logged");

    // The admin API's changes are logged too.
    let r = org
        .admin(
            Method::POST,
            &format!("/__emulator/users/{uid}/lockout"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        types_of(&org, &uid).await.last().map(String::as_str),
        Some("user.account.lock")
    );
    let r = org
        .post(&format!("/api/v1/users/{uid}/lifecycle/unlock"), json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    assert_eq!(
        types_of(&org, &uid).await.last().map(String::as_str),
        Some("user.account.unlock")
    );
    let r = org
        .admin(
            Method::POST,
            "/__emulator/groups",
            Some(json!({ "profile": { "name": "Imported" } })),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let admin_gid = id(&r.body);
    assert_eq!(types_of(&org, &admin_gid).await, ["group.lifecycle.create"]);

    assert_eq!(
        org.delete(&format!("/api/v1/groups/{admin_gid}"))
            .await
            .status,
        204
    );
    assert_eq!(
        types_of(&org, &admin_gid).await,
        ["group.lifecycle.create", "group.lifecycle.delete"]
    );
}

#[tokio::test]
async fn polling_always_answers_next_and_later_events_appear_behind_it() {
    let org = start().await;
    let r = org.get("/api/v1/logs").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body.as_array().map(Vec::len), Some(0));
    let next = r.next().expect("polling answers next on an empty page");

    let r = org.get(&next).await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(0));
    let next = r.next().expect("still next");

    let u = org.user("cy@example.com", None, false).await;
    let r = org.get(&next).await;
    let rows = r.body.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["eventType"], "user.lifecycle.create");
    assert_eq!(rows[0]["target"][0]["id"], u["id"]);
    let next = r.next().expect("next after a page with events");
    let r = org.get(&next).await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(0), "never repeated");
    let next = r.next().expect("still next");

    // A cursor kept across a reset still sees the new org's events.
    let r = org.admin(Method::POST, "/__emulator/reset", None).await;
    assert_eq!(r.status, 200);
    let u = org.user("dee@example.com", None, false).await;
    let r = org.get(&next).await;
    let rows = r.body.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 1, "{}", r.body);
    assert_eq!(rows[0]["target"][0]["id"], u["id"]);
}

#[tokio::test]
async fn polling_never_repeats_an_event_while_changes_happen_between_pages() {
    let org = start().await;
    for i in 0..5 {
        org.user(&format!("p{i}@example.com"), None, false).await;
    }
    let mut seen = Vec::new();
    let mut next = "/api/v1/logs?limit=2".to_owned();
    for i in 0..8 {
        let r = org.get(&next).await;
        assert_eq!(r.status, 200, "{}", r.body);
        for e in r.body.as_array().cloned().unwrap_or_default() {
            seen.push(e["uuid"].as_str().unwrap_or_default().to_owned());
        }
        if i < 3 {
            org.user(&format!("q{i}@example.com"), None, false).await;
        }
        next = r.next().expect("polling always has next");
    }
    let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no event twice");
    assert_eq!(seen.len(), 8, "five users, then three more, one event each");
}

#[tokio::test]
async fn bounded_queries_end_and_sort_order_since_limit_q_and_filter_apply() {
    let org = start().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(id(&org
            .user(&format!("b{i}@example.com"), None, false)
            .await));
    }
    // Both bounds: `since` defaults to a week before `until`.
    let until = format!(
        "{}&since={}",
        pct("2999-01-01T00:00:00Z"),
        pct("2000-01-01T00:00:00Z")
    );
    let r = org
        .get(&format!("/api/v1/logs?until={until}&limit=2"))
        .await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(2));
    let mut got: Vec<String> = Vec::new();
    let mut next = Some(format!("/api/v1/logs?until={until}&limit=2"));
    let mut pages = 0;
    while let Some(url) = next {
        let r = org.get(&url).await;
        for e in r.body.as_array().cloned().unwrap_or_default() {
            got.push(e["target"][0]["id"].as_str().unwrap_or_default().to_owned());
        }
        next = r.next();
        pages += 1;
        assert!(pages < 10, "a bounded query ends");
    }
    assert_eq!(got, ids);
    assert_eq!(pages, 3);

    let r = org
        .get(&format!(
            "/api/v1/logs?until={until}&sortOrder=DESCENDING&limit=1000"
        ))
        .await;
    let desc: Vec<String> = r
        .body
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| e["target"][0]["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut rev = ids.clone();
    rev.reverse();
    assert_eq!(desc, rev);
    assert!(r.next().is_none());

    let r = org
        .get(&format!("/api/v1/logs?until={until}&q=B3%40EXAMPLE"))
        .await;
    let rows = r.body.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["target"][0]["id"], ids[3].as_str());

    let filter = pct(&format!(
        "eventType eq \"user.lifecycle.create\" and (target.id eq \"{}\" or target.id eq \"{}\")",
        ids[0], ids[4]
    ));
    let r = org
        .get(&format!("/api/v1/logs?until={until}&filter={filter}"))
        .await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(2), "{}", r.body);
    let r = org
        .get(&format!(
            "/api/v1/logs?until={until}&filter={}",
            pct("eventType eq \"group.lifecycle.create\"")
        ))
        .await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(0));

    let r = org
        .get(&format!(
            "/api/v1/logs?until={}",
            pct("2999-01-01T00:00:00Z")
        ))
        .await;
    assert_eq!(
        r.body.as_array().map(Vec::len),
        Some(0),
        "since defaults to a week before until"
    );
    let since = pct("2999-01-01T00:00:00Z");
    let r = org.get(&format!("/api/v1/logs?since={since}")).await;
    assert_eq!(
        r.body.as_array().map(Vec::len),
        Some(0),
        "nothing after since"
    );
    let r = org
        .get(&format!(
            "/api/v1/logs?since={}",
            pct("2000-01-01T00:00:00Z")
        ))
        .await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn limit_out_of_range_is_okta_400() {
    let org = start().await;
    for bad in ["0", "1001", "abc"] {
        let r = org.get(&format!("/api/v1/logs?limit={bad}")).await;
        assert_eq!(r.status, 400, "limit={bad}");
        assert_eq!(r.code(), "E0000001");
        assert!(r.body["errorSummary"].is_string());
        assert!(r.body["errorCauses"].is_array());
    }
    let r = org.get("/api/v1/logs?since=yesterday").await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn generated_users_are_not_logged() {
    let org = crate::support::start_with(spindle_emulator::EmulatorConfig {
        rate_limit: spindle_emulator::RateLimitMode::Off,
        users: 50,
        ..Default::default()
    })
    .await;
    let r = org.get("/api/v1/logs").await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(0), "{}", r.body);
}

#[tokio::test]
async fn logs_need_the_api_token_and_have_their_own_rate_limit_bucket() {
    let org = crate::support::start_with(spindle_emulator::EmulatorConfig::default()).await;
    let r = org
        .raw(Method::GET, "/api/v1/logs", Some("SSWS wrong"), None)
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (401, "E0000011"));
    let r = org.raw(Method::GET, "/api/v1/logs", None, None).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "E0000005"));
    org.get("/api/v1/users").await;
    let r = org.get("/api/v1/logs").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-rate-limit-limit"), Some("50"));
    assert_eq!(
        r.header("x-rate-limit-remaining"),
        Some("47"),
        "the two refused logs requests count, the users request does not"
    );
}

/// `(lastUpdated, passwordChanged)` of a user.
async fn stamps(org: &Org, uid: &str) -> (String, String) {
    let u = org.get(&format!("/api/v1/users/{uid}")).await.body;
    (
        u["lastUpdated"].as_str().unwrap_or_default().to_owned(),
        u["passwordChanged"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn credential_changes_and_sign_ins_are_logged_with_the_user_as_target() {
    let org = start().await;
    let u = org.user("cy@example.com", Some(PW), true).await;
    let uid = id(&u);
    let base = format!("/api/v1/users/{uid}");
    let new_pw = "An0ther-Secret-Pass";
    let steps: Vec<(&str, String, Value, &str)> = vec![
        (
            "change password",
            format!("{base}/credentials/change_password"),
            json!({ "oldPassword": { "value": PW }, "newPassword": { "value": new_pw } }),
            "user.account.update_password",
        ),
        (
            "change recovery question",
            format!("{base}/credentials/change_recovery_question"),
            json!({ "password": { "value": new_pw },
                    "recovery_question": { "question": "Pet?", "answer": "rex the dog" } }),
            "user.account.update_recovery_question",
        ),
        (
            "forgot password with recovery question",
            format!("{base}/credentials/forgot_password_recovery_question"),
            json!({ "password": { "value": PW }, "recovery_question": { "answer": "Rex The Dog" } }),
            "user.account.update_password",
        ),
        (
            "update with a password",
            base.clone(),
            json!({ "credentials": { "password": { "value": new_pw } } }),
            "user.account.update_password",
        ),
        (
            "expire password",
            format!("{base}/lifecycle/expire_password"),
            json!({}),
            "user.account.expire_password",
        ),
        (
            "expire password with a temporary one",
            format!("{base}/lifecycle/expire_password_with_temp_password"),
            json!({}),
            "user.account.expire_password",
        ),
        (
            "reset password",
            format!("{base}/lifecycle/reset_password?sendEmail=false"),
            json!({}),
            "user.account.reset_password",
        ),
    ];
    for (what, path, body, event) in steps {
        let before = stamps(&org, &uid).await;
        // Timestamps have one-second resolution: let the clock move.
        tokio::time::sleep(Duration::from_millis(1010)).await;
        let r = org.post(&path, body).await;
        assert!(r.status.is_success(), "{what}: {}", r.body);
        assert_eq!(
            types_of(&org, &uid).await.last().map(String::as_str),
            Some(event),
            "{what}"
        );
        let after = stamps(&org, &uid).await;
        assert_ne!(before.0, after.0, "{what} moves lastUpdated");
        if event == "user.account.update_password" {
            assert_ne!(before.1, after.1, "{what} moves passwordChanged");
        }
    }

    // Resetting factors (the admin API enrolls some first).
    let r = org
        .admin(
            Method::PUT,
            &format!("/__emulator/users/{uid}/factors"),
            Some(json!({ "count": 2 })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = org
        .post(&format!("{base}/lifecycle/reset_factors"), json!({}))
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    assert_eq!(
        types_of(&org, &uid).await.last().map(String::as_str),
        Some("user.mfa.factor.reset_all")
    );

    // A recorded sign-in moves lastLogin: logged too.
    let r = org
        .admin(
            Method::POST,
            &format!("/__emulator/users/{uid}/login"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        types_of(&org, &uid).await.last().map(String::as_str),
        Some("user.session.start")
    );
}

#[tokio::test]
async fn deleting_a_user_or_a_group_logs_the_memberships_it_removes() {
    let org = start().await;
    let r = org
        .admin(
            Method::POST,
            "/__emulator/seed",
            Some(json!({ "users": 30, "groups": 12, "seed": 5 })),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    // A member of some group, deactivated then deleted.
    let groups = org.get("/api/v1/groups?limit=200").await.body;
    let group = groups
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["type"] == "OKTA_GROUP" && g["profile"]["name"] != "Everyone")
        .cloned()
        .expect("a synthetic group");
    let gid = id(&group);
    let members = org.walk(&format!("/api/v1/groups/{gid}/users")).await;
    assert!(members.len() >= 2, "the group has members");
    let uid = members[0].clone();
    let everyone_before =
        org.get("/api/v1/groups?q=Everyone").await.body[0]["lastMembershipUpdated"].clone();
    let path = format!("/api/v1/users/{uid}");
    assert_eq!(org.delete(&path).await.status, 204);
    assert_eq!(org.delete(&path).await.status, 204);
    let types = types_of(&org, &uid).await;
    assert!(
        types.contains(&"group.user_membership.remove".to_owned()),
        "{types:?}"
    );
    assert_eq!(
        types.last().map(String::as_str),
        Some("user.lifecycle.delete.completed")
    );
    let removed: Vec<String> = events_of(&org, &gid)
        .await
        .into_iter()
        .filter(|(t, _)| t == "group.user_membership.remove")
        .map(|(_, e)| e["target"][0]["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(removed, std::slice::from_ref(&uid));
    let g = org.get(&format!("/api/v1/groups/{gid}")).await.body;
    assert_ne!(
        g["lastMembershipUpdated"], group["lastMembershipUpdated"],
        "the group's membership moved"
    );
    let everyone_after =
        org.get("/api/v1/groups?q=Everyone").await.body[0]["lastMembershipUpdated"].clone();
    assert_ne!(everyone_before, everyone_after, "Everyone lost a member");

    // Deleting the group logs each remaining member's removal, then the deletion.
    assert_eq!(
        org.delete(&format!("/api/v1/groups/{gid}")).await.status,
        204
    );
    let other = members[1].clone();
    let types = types_of(&org, &other).await;
    assert_eq!(types, ["group.user_membership.remove"], "{types:?}");
    assert_eq!(
        types_of(&org, &gid).await.last().map(String::as_str),
        Some("group.lifecycle.delete")
    );
}

#[tokio::test]
async fn replacing_a_user_logs_its_profile_and_credential_provider_changes() {
    let org = start().await;
    let u = org.user("dee@example.com", None, true).await;
    let uid = id(&u);
    let r = org
        .put(
            &format!("/api/v1/users/{uid}"),
            json!({
                "profile": { "firstName": "Dee", "lastName": "User",
                             "email": "dee@example.com", "login": "dee@example.com" },
                "credentials": { "provider": { "type": "FEDERATION", "name": "FEDERATION" } },
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let types = types_of(&org, &uid).await;
    assert_eq!(
        &types[types.len() - 2..],
        [
            "user.account.update_profile",
            "user.lifecycle.password_mode.change"
        ],
        "{types:?}"
    );
}
