//! Reading the emulator's admin API (`/__emulator/`): the request log and the org state.

use serde::Deserialize;
use spindle_emulator::Emulator;

/// One request-log entry (the fields these tests read).
#[derive(Debug, Deserialize)]
pub struct Logged {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub query: Option<String>,
    pub status: u16,
}

async fn get_json(emu: &Emulator, path: &str) -> serde_json::Value {
    get_json_with(&reqwest::Client::new(), emu, path).await
}

async fn get_json_with(http: &reqwest::Client, emu: &Emulator, path: &str) -> serde_json::Value {
    let url = format!("{}{path}", emu.url());
    let resp = http
        .get(&url)
        .header("Authorization", format!("SSWS {}", emu.token()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert!(resp.status().is_success(), "GET {url}: {}", resp.status());
    resp.json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: body is not JSON: {e}"))
}

/// Every request the emulator logged, oldest first.
pub async fn requests(emu: &Emulator) -> Vec<Logged> {
    let v = get_json(emu, "/__emulator/requests?limit=100000").await;
    let list = v.get("requests").cloned().unwrap_or(v);
    serde_json::from_value(list).unwrap_or_else(|e| panic!("request log shape: {e}"))
}

/// How many logged requests match `method path` (and `status`, when given).
pub async fn count_requests(
    emu: &Emulator,
    method: &str,
    path: &str,
    status: Option<u16>,
) -> usize {
    requests(emu)
        .await
        .iter()
        .filter(|r| r.method == method && r.path == path && status.is_none_or(|s| r.status == s))
        .count()
}

/// How many users a plain `GET /api/v1/users` must list (all but DEPROVISIONED), read
/// from the emulator's state dump rather than from the API under test.
pub async fn listable_user_count(emu: &Emulator) -> usize {
    let state = get_json(emu, "/__emulator/state").await;
    let count = |p: &str| {
        state
            .pointer(p)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    };
    let total = count("/users/total");
    assert!(total > 0, "state dump has no user count: {state}");
    (total - count("/users/byStatus/DEPROVISIONED")) as usize
}

/// Checks a list of user ids an SDK visited: each exactly once, as many as the org's
/// listable users, and each one a real, non-DEPROVISIONED user per the admin API.
pub async fn assert_visited_all_listable_users(emu: &Emulator, visited: &[String]) {
    let expected = listable_user_count(emu).await;
    let unique: std::collections::BTreeSet<&String> = visited.iter().collect();
    assert_eq!(
        unique.len(),
        visited.len(),
        "some users were visited more than once"
    );
    assert_eq!(
        visited.len(),
        expected,
        "the SDK visited {} users, the org has {expected} listable",
        visited.len()
    );
    let http = reqwest::Client::new();
    for id in visited {
        let u = get_json_with(&http, emu, &format!("/__emulator/users/{id}")).await;
        assert_ne!(
            u.get("status").and_then(|s| s.as_str()),
            Some("DEPROVISIONED"),
            "listed a DEPROVISIONED user {id}"
        );
    }
}

/// Ids of the built-in groups (`Everyone`), found through the API by type.
pub async fn built_in_group_ids(emu: &Emulator) -> Vec<String> {
    let list = get_json(emu, "/api/v1/groups?filter=type%20eq%20%22BUILT_IN%22").await;
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g.get("id").and_then(|i| i.as_str()).map(str::to_owned))
        .collect()
}
