//! `--consistency-lag`: the System Log and `search=` trail changes by the lag; reads by id,
//! `filter=` and plain lists are immediate.

use std::time::Duration;

use serde_json::{Value, json};
use spindle_emulator::{EmulatorConfig, RateLimitMode};

use crate::support::{Org, PW, start_with};

const LAG: Duration = Duration::from_millis(1200);

async fn start_lagged() -> Org {
    start_with(EmulatorConfig {
        rate_limit: RateLimitMode::Off,
        consistency_lag: LAG,
        ..Default::default()
    })
    .await
}

fn q(s: &str) -> String {
    s.replace(' ', "%20").replace('"', "%22")
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["id"].as_str().map(str::to_owned))
        .collect()
}

async fn wait_out_the_lag() {
    tokio::time::sleep(LAG + Duration::from_millis(150)).await;
}

#[tokio::test]
async fn polling_answers_next_at_once_and_events_appear_behind_it_after_the_lag() {
    let org = start_lagged().await;
    let r = org.get("/api/v1/logs").await;
    assert_eq!(r.status, 200);
    let mut next = r.next().expect("polling always answers next");
    let u = org.user("lag@example.com", Some(PW), true).await;
    let uid = u["id"].as_str().unwrap_or_default().to_owned();

    // Within the lag: an empty page, with its next link.
    let r = org.get(&next).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!([]), "events are not visible within the lag");
    next = r.next().expect("next on an empty page");
    // A bounded query does not see them either.
    let r = org
        .get("/api/v1/logs?since=2000-01-01T00:00:00.000Z&until=2999-01-01T00:00:00.000Z")
        .await;
    assert_eq!(r.body, json!([]));

    wait_out_the_lag().await;
    let r = org.get(&next).await;
    let types: Vec<&str> = r
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["target"][0]["id"] == uid.as_str())
        .filter_map(|e| e["eventType"].as_str())
        .collect();
    assert_eq!(types, ["user.lifecycle.create", "user.lifecycle.activate"]);
    // And never twice.
    let again = org.get(&r.next().expect("next")).await;
    assert_eq!(again.body, json!([]));
}

#[tokio::test]
async fn user_search_sees_the_state_of_the_lag_ago_and_other_reads_are_immediate() {
    let org = start_lagged().await;
    let old = org.user("old@example.com", Some(PW), true).await;
    let old_id = old["id"].as_str().unwrap_or_default().to_owned();
    wait_out_the_lag().await;

    // Created within the lag: not found by search, found by id, filter and the plain list.
    let u = org.user("new@example.com", Some(PW), true).await;
    let uid = u["id"].as_str().unwrap_or_default().to_owned();
    let by_login = |login: &str| {
        format!(
            "/api/v1/users?search={}",
            q(&format!("profile.login eq \"{login}\""))
        )
    };
    assert!(ids(&org.get(&by_login("new@example.com")).await.body).is_empty());
    assert_eq!(org.get(&format!("/api/v1/users/{uid}")).await.status, 200);
    let filtered = org
        .get(&format!(
            "/api/v1/users?filter={}",
            q("profile.login eq \"new@example.com\"")
        ))
        .await;
    assert_eq!(ids(&filtered.body), std::slice::from_ref(&uid));
    assert!(ids(&org.get("/api/v1/users").await.body).contains(&uid));

    // Changed within the lag: matched on its earlier values.
    let r = org
        .post(
            &format!("/api/v1/users/{old_id}"),
            json!({ "profile": { "department": "Moved" } }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let dept = format!(
        "/api/v1/users?search={}",
        q("profile.department eq \"Moved\"")
    );
    assert!(ids(&org.get(&dept).await.body).is_empty());
    let r = org.get(&by_login("old@example.com")).await;
    assert_eq!(ids(&r.body), std::slice::from_ref(&old_id));
    assert!(r.body[0]["profile"]["department"].is_null(), "{}", r.body);

    // Deleted within the lag: still found by search, gone by id.
    let path = format!("/api/v1/users/{old_id}");
    assert_eq!(org.delete(&path).await.status, 204);
    assert_eq!(org.delete(&path).await.status, 204);
    assert_eq!(org.get(&path).await.status, 404);
    assert_eq!(
        ids(&org.get(&by_login("old@example.com")).await.body),
        std::slice::from_ref(&old_id)
    );

    wait_out_the_lag().await;
    assert_eq!(
        ids(&org.get(&by_login("new@example.com")).await.body),
        [uid]
    );
    assert!(ids(&org.get(&by_login("old@example.com")).await.body).is_empty());
    assert!(ids(&org.get(&dept).await.body).is_empty(), "deleted by now");
}

#[tokio::test]
async fn group_search_trails_by_the_lag() {
    let org = start_lagged().await;
    let g = org.group("Lagging").await;
    let gid = g["id"].as_str().unwrap_or_default().to_owned();
    let search = format!("/api/v1/groups?search={}", q("profile.name eq \"Lagging\""));
    assert!(ids(&org.get(&search).await.body).is_empty());
    assert_eq!(org.get(&format!("/api/v1/groups/{gid}")).await.status, 200);
    assert!(ids(&org.get("/api/v1/groups").await.body).contains(&gid));
    wait_out_the_lag().await;
    assert_eq!(
        ids(&org.get(&search).await.body),
        std::slice::from_ref(&gid)
    );
    let r = org
        .put(
            &format!("/api/v1/groups/{gid}"),
            json!({ "profile": { "name": "Renamed", "description": "d" } }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        ids(&org.get(&search).await.body),
        std::slice::from_ref(&gid),
        "old name"
    );
    wait_out_the_lag().await;
    assert!(ids(&org.get(&search).await.body).is_empty());
}
