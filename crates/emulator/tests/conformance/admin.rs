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
    let url = format!("{}{path}", emu.url());
    let resp = reqwest::Client::new()
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

/// The ids of the users a plain `GET /api/v1/users` must list (all but DEPROVISIONED),
/// read from the emulator's state dump rather than from the API under test.
pub async fn listable_user_ids(emu: &Emulator) -> Vec<String> {
    let state = get_json(emu, "/__emulator/state").await;
    let users = state
        .get("users")
        .and_then(|u| u.as_array())
        .unwrap_or_else(|| panic!("state dump has no users array"));
    users
        .iter()
        .filter(|u| u.get("status").and_then(|s| s.as_str()) != Some("DEPROVISIONED"))
        .filter_map(|u| u.get("id").and_then(|i| i.as_str()).map(str::to_owned))
        .collect()
}
