//! `spindle run` end to end: the real binary against an in-process emulator.

use serde_json::{Value, json};
use spindle_emulator::{Emulator, EmulatorConfig};

use crate::spindle;

/// An emulated org served on a runtime of its own while the binary runs.
pub(crate) struct Org {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) emulator: Emulator,
}

/// What one `spindle run` did.
pub(crate) struct Outcome {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Outcome {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

impl Org {
    pub(crate) fn start(users: usize, groups: usize) -> Org {
        Org::start_with(EmulatorConfig {
            users,
            groups,
            ..Default::default()
        })
    }

    pub(crate) fn start_with(config: EmulatorConfig) -> Org {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let emulator = runtime
            .block_on(Emulator::start(config))
            .expect("the emulator starts");
        Org { runtime, emulator }
    }

    pub(crate) fn run_with(&self, id: &str, input: &Value, extra: &[&str]) -> Outcome {
        let output = spindle()
            .args(["run", id, "--org-url", &self.emulator.url()])
            .args(["--token", self.emulator.token()])
            .args(["--input", &input.to_string()])
            .args(extra)
            .env_remove("OKTA_CLIENT_ORGURL")
            .env_remove("OKTA_CLIENT_TOKEN")
            .env_remove("OKTA_AERIAL_URL")
            .env_remove("OKTA_AERIAL_TOKEN")
            .output()
            .expect("spindle runs");
        Outcome {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs an action that must succeed and returns its output.
    pub(crate) fn ok(&self, id: &str, input: Value) -> Value {
        let outcome = self.run_with(id, &input, &[]);
        assert_eq!(
            outcome.code, 0,
            "{id} {input} failed: {}{}",
            outcome.stderr, outcome.stdout
        );
        outcome.json()
    }

    pub(crate) fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/__emulator/{path}", self.emulator.url());
        self.runtime.block_on(async {
            let mut request = reqwest::Client::new().request(method, url);
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.expect("the admin API answers");
            response.json().await.unwrap_or(Value::Null)
        })
    }

    /// The requests the emulator received for `/api/...` (the admin API excluded).
    fn api_requests(&self) -> Vec<Value> {
        let log = self.admin(reqwest::Method::GET, "requests?limit=1000", None);
        log["requests"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with("/api/")))
            .collect()
    }
}

pub(crate) fn new_user(org: &Org, login: &str) -> String {
    let user = org.ok(
        "post_create_a_user",
        json!({"activate": true, "body": {"profile": {
            "firstName": "Ada", "lastName": "Lovelace", "email": login, "login": login},
            "credentials": {"password": {"value": "tlpWENT2m-correct-horse"}}}}),
    );
    assert_eq!(user["profile"]["login"], login);
    assert_eq!(user["status"], "ACTIVE");
    user["id"].as_str().expect("an id").to_owned()
}

#[test]
fn user_actions_round_trip() {
    let org = Org::start(0, 0);
    let id = new_user(&org, "ada@example.com");

    let got = org.ok("get_retrieve_a_user", json!({"id": "ada@example.com"}));
    assert_eq!(got["id"], id.as_str());

    let updated = org.ok(
        "post_update_a_user",
        json!({"id": id, "body": {"profile": {"title": "Countess"}}}),
    );
    assert_eq!(updated["profile"]["title"], "Countess");
    assert_eq!(updated["profile"]["firstName"], "Ada");

    let replaced = org.ok(
        "put_replace_a_user",
        json!({"id": id, "body": {"profile": {"login": "ada@example.com", "email": "ada@example.com",
            "firstName": "Augusta", "lastName": "King"}}}),
    );
    assert_eq!(replaced["profile"]["firstName"], "Augusta");
    assert!(replaced["profile"].get("title").is_none() || replaced["profile"]["title"].is_null());

    let suspended = org.ok("post_suspend_user", json!({"id": id}));
    assert_eq!(suspended["status"], "SUSPENDED", "{suspended}");
    let unsuspended = org.ok("post_unsuspend_user", json!({"id": id}));
    assert_eq!(unsuspended["status"], "ACTIVE", "{unsuspended}");

    let token = org.ok(
        "post_generate_reset_password_token",
        json!({"id": id, "sendEmail": false}),
    );
    assert!(token["resetPasswordUrl"].is_string(), "{token}");
    let changed = org.ok(
        "post_change_password",
        json!({"userId": id, "body": {"oldPassword": {"value": "tlpWENT2m-correct-horse"},
            "newPassword": {"value": "uTVM,TPw55-battery-staple"}}}),
    );
    assert_eq!(changed["provider"]["type"], "OKTA", "{changed}");
    let wrong = org.run_with(
        "post_change_password",
        &json!({"userId": id, "body": {"oldPassword": {"value": "tlpWENT2m-correct-horse"},
            "newPassword": {"value": "another-Long-passw0rd"}}}),
        &[],
    );
    assert_eq!(
        wrong.code, 3,
        "the old password no longer matches: {}",
        wrong.stderr
    );
    org.admin(reqwest::Method::POST, &format!("users/{id}/lockout"), None);
    let unlocked = org.ok("post_unlock_user", json!({"id": id}));
    assert_eq!(unlocked["status"], "ACTIVE", "{unlocked}");
    let expired = org.ok("post_expire_password", json!({"id": id}));
    assert_eq!(expired["status"], "PASSWORD_EXPIRED", "{expired}");

    let groups = org.ok("get_list_all_groups", json!({"id": id}));
    let names: Vec<_> = groups["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|g| g["profile"]["name"].clone())
        .collect();
    assert!(names.contains(&json!("Everyone")), "{groups}");
    for list in [
        "get_list_all_assigned_application_links",
        "get_list_all_user_blocks",
        "get_list_all_identity_providers",
    ] {
        let out = org.ok(list, json!({"id": id}));
        assert!(out["items"].is_array(), "{list}: {out}");
    }

    let revoked = org.ok(
        "delete_revoke_all_user_sessions",
        json!({"userId": id, "oauthTokens": true}),
    );
    assert_eq!(revoked["revoked"], true, "{revoked}");

    let deactivated = org.ok("post_deactivate_user", json!({"id": id}));
    assert_eq!(deactivated["status"], "DEPROVISIONED", "{deactivated}");
    let deleted = org.ok("delete_a_user", json!({"id": id}));
    assert_eq!(deleted["deleted"], true, "{deleted}");
    let gone = org.run_with("get_retrieve_a_user", &json!({"id": id}), &[]);
    assert_eq!(gone.code, 3);
}

#[test]
fn a_staged_user_is_activated_then_reactivated() {
    let org = Org::start(0, 0);
    let user = org.ok(
        "post_create_a_user",
        json!({"activate": false, "body": {"profile": {
            "firstName": "Mary", "lastName": "Jackson", "email": "mary@example.com", "login": "mary@example.com"}}}),
    );
    assert_eq!(user["status"], "STAGED");
    let id = user["id"].as_str().expect("an id").to_owned();
    let activated = org.ok("post_activate_user", json!({"id": id, "sendEmail": false}));
    assert_eq!(activated["userId"], id.as_str(), "{activated}");
    assert!(activated["activationToken"].is_string(), "{activated}");
    let got = org.ok("get_retrieve_a_user", json!({"id": id}));
    assert_eq!(got["status"], "PROVISIONED");
    let again = org.ok(
        "post_reactivate_user",
        json!({"id": id, "sendEmail": false}),
    );
    assert!(again["activationUrl"].is_string(), "{again}");
}

#[test]
fn delete_a_user_says_deactivated_first_then_deleted() {
    let org = Org::start(0, 0);
    let id = new_user(&org, "grace@example.com");
    let first = org.ok("delete_a_user", json!({"id": id}));
    assert_eq!(first["deleted"], false, "{first}");
    assert_eq!(first["status"], "DEPROVISIONED", "{first}");
    let second = org.ok("delete_a_user", json!({"id": id}));
    assert_eq!(second["deleted"], true, "{second}");
}

#[test]
fn group_actions_round_trip() {
    let org = Org::start(0, 0);
    let user = new_user(&org, "alan@example.com");
    let group = org.ok(
        "post_create_a_group",
        json!({"body": {"profile": {"name": "Codebreakers", "description": "Hut 8"}}}),
    );
    assert_eq!(group["profile"]["name"], "Codebreakers");
    let gid = group["id"].as_str().expect("an id").to_owned();

    let got = org.ok("get_retrieve_a_group", json!({"groupId": gid}));
    assert_eq!(got["profile"]["description"], "Hut 8");
    let replaced = org.ok(
        "put_replace_a_group",
        json!({"groupId": gid, "body": {"profile": {"name": "Bletchley", "description": "Park"}}}),
    );
    assert_eq!(replaced["profile"]["name"], "Bletchley");

    let member = org.ok(
        "put_assign_a_user_to_a_group",
        json!({"groupId": gid, "userId": user}),
    );
    assert_eq!(member["member"], true);
    let members = org.ok("get_list_all_member_users", json!({"groupId": gid}));
    assert_eq!(members["items"][0]["id"], user.as_str(), "{members}");

    let apps = org.ok(
        "get_list_all_assigned_applications",
        json!({"groupId": gid}),
    );
    assert_eq!(apps["items"], json!([]), "{apps}");

    let unassigned = org.ok(
        "delete_unassign_user",
        json!({"groupId": gid, "userId": user}),
    );
    assert_eq!(unassigned["member"], false);
    let members = org.ok("get_list_all_member_users", json!({"groupId": gid}));
    assert_eq!(members["items"], json!([]), "{members}");

    let deleted = org.ok("delete_a_group", json!({"groupId": gid}));
    assert_eq!(deleted, json!({"deleted": true, "groupId": gid}));
    assert_eq!(
        org.run_with("get_retrieve_a_group", &json!({"groupId": gid}), &[])
            .code,
        3
    );
}

#[test]
fn lists_follow_every_page_with_all_and_stream_with_jsonl() {
    let org = Org::start(7, 0);
    let page = org.ok("get_list_all_users", json!({"limit": 3}));
    assert_eq!(page["items"].as_array().map(Vec::len), Some(3));
    assert!(page["next"].is_string(), "{page}");

    let everyone = org.ok("get_list_all_users", json!({"limit": 200}));
    let mut expected: Vec<String> = everyone["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["id"].to_string())
        .collect();
    expected.sort();
    assert!(expected.len() > 3, "more than one page of 3: {everyone}");

    let all = org.run_with("get_list_all_users", &json!({"limit": 3}), &["--all"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    // The progress bar is for terminals only: in a pipe, stderr stays empty.
    assert!(all.stderr.is_empty(), "progress in a pipe: {}", all.stderr);
    let all = all.json();
    let mut ids: Vec<String> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["id"].to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, expected, "--all gives every user once");
    assert!(all.get("next").is_none());

    org.admin(reqwest::Method::DELETE, "requests", None);
    let lines = org.run_with(
        "get_list_all_users",
        &json!({"limit": 3}),
        &["--all", "--jsonl"],
    );
    assert_eq!(lines.code, 0, "{}", lines.stderr);
    let mut ids: Vec<String> = lines
        .stdout
        .lines()
        .map(|l| {
            let user: Value = serde_json::from_str(l).expect("one JSON object per line");
            user["id"].to_string()
        })
        .collect();
    ids.sort();
    assert_eq!(
        ids, expected,
        "--jsonl prints every user once, one per line"
    );
    let pages = org.api_requests().len();
    assert!(
        pages >= expected.len().div_ceil(3) && pages <= expected.len().div_ceil(3) + 1,
        "one request per page of 3, got {pages}"
    );

    let single = org.ok("list_all_employees", json!({"limit": 200}));
    let employees = org.run_with("list_all_employees", &json!({"limit": 2}), &["--all"]);
    assert_eq!(employees.code, 0, "{}", employees.stderr);
    let employees = employees.json();
    let items = employees["items"].as_array().expect("items");
    assert!(items.len() > 2, "{employees}");
    assert_eq!(
        employees["items"], single["items"],
        "pages of 2 give the same employees"
    );
    assert!(
        items.iter().all(|e| e["work_email"].is_string()),
        "{employees}"
    );
}

#[test]
fn terminate_employee_deactivates_or_deletes_and_is_idempotent() {
    let org = Org::start(0, 0);
    let keep = new_user(&org, "kept@example.com");
    let done = org.ok("terminate_employee", json!({"employee_id": keep}));
    assert_eq!(done["outcome"], "terminated", "{done}");
    assert_eq!(done["previous_status"], "ACTIVE");
    assert_eq!(done["sessions_revoked"], true);
    assert_eq!(done["deactivated"], true);
    assert_eq!(done["deleted"], false);
    let user = org.ok("get_retrieve_a_user", json!({"id": keep}));
    assert_eq!(user["status"], "DEPROVISIONED");
    let again = org.ok("terminate_employee", json!({"employee_id": keep}));
    assert_eq!(again["outcome"], "already_terminated", "{again}");
    assert_eq!(again["already_terminated"], true);
    assert_eq!(again["deactivated"], false);

    let gone = new_user(&org, "gone@example.com");
    let input =
        json!({"employee_id": "gone@example.com", "mode": "delete", "revoke_oauth_tokens": false});
    let done = org.ok("terminate_employee", input.clone());
    assert_eq!(done["outcome"], "deleted", "{done}");
    assert_eq!(done["deactivated"], true);
    assert_eq!(done["oauth_tokens_revoked"], false);
    assert_eq!(
        org.run_with("get_retrieve_a_user", &json!({"id": gone}), &[])
            .code,
        3
    );
    let again = org.ok("terminate_employee", input);
    assert_eq!(again["outcome"], "not_found", "{again}");
    // Deleting the already deactivated employee: only the deletion is left to do.
    let done = org.ok(
        "terminate_employee",
        json!({"employee_id": keep, "mode": "delete"}),
    );
    assert_eq!(done["outcome"], "deleted", "{done}");
    assert_eq!(done["deactivated"], false);
    assert_eq!(done["already_terminated"], true);
}

#[test]
fn bad_input_exits_2_lists_every_problem_and_sends_nothing() {
    let org = Org::start(1, 0);
    org.admin(reqwest::Method::DELETE, "requests", None);
    for (id, input, expected) in [
        (
            "get_retrieve_a_user",
            json!({}),
            vec!["id: required field is missing"],
        ),
        ("get_retrieve_a_user", json!({"id": 42}), vec!["id"]),
        (
            "post_create_a_group",
            json!({"body": {"profile": {}}, "colour": "red"}),
            vec!["name", "colour: unknown field"],
        ),
    ] {
        let outcome = org.run_with(id, &input, &[]);
        assert_eq!(outcome.code, 2, "{id} {input}: {}", outcome.stderr);
        assert!(outcome.stdout.is_empty());
        for text in expected {
            assert!(
                outcome.stderr.contains(text),
                "{id} {input}: {}",
                outcome.stderr
            );
        }
    }
    let not_json = spindle()
        .args(["run", "get_retrieve_a_user", "--input", "{"])
        .args([
            "--org-url",
            &org.emulator.url(),
            "--token",
            org.emulator.token(),
        ])
        .output()
        .expect("spindle runs");
    assert_eq!(not_json.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_json.stderr).contains("not JSON"));
    assert!(org.api_requests().is_empty(), "{:?}", org.api_requests());
}

#[test]
fn okta_errors_exit_3_with_code_summary_and_request_id_and_no_token() {
    let org = Org::start(0, 0);
    let outcome = org.run_with(
        "get_retrieve_a_user",
        &json!({"id": "nobody@example.com"}),
        &[],
    );
    assert_eq!(outcome.code, 3, "{}", outcome.stderr);
    assert!(outcome.stdout.is_empty());
    for text in [
        "status: 404",
        "errorCode: E0000007",
        "errorSummary: Not found",
        "requestId: ",
    ] {
        assert!(outcome.stderr.contains(text), "{text}: {}", outcome.stderr);
    }
    assert!(!outcome.stderr.contains(org.emulator.token()));
    let logged = org.api_requests();
    assert_eq!(logged.len(), 1);
    let id = logged[0]["requestId"].as_str().unwrap_or_default();
    assert!(!id.is_empty() && outcome.stderr.contains(id), "{logged:?}");

    // A wrong token: Okta's E0000011, still exit 3, and the token is not echoed.
    let output = spindle()
        .args(["run", "get_retrieve_a_user", "--input", r#"{"id":"x"}"#])
        .env("OKTA_CLIENT_ORGURL", org.emulator.url())
        .env("OKTA_CLIENT_TOKEN", "00wrong-secret-token")
        .output()
        .expect("spindle runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("E0000011"), "{stderr}");
    assert!(!stderr.contains("00wrong-secret-token"), "{stderr}");
}

#[test]
fn input_from_a_file_and_from_stdin() {
    let org = Org::start(0, 0);
    let dir = std::env::temp_dir().join(format!("spindle-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let file = dir.join("group.json");
    std::fs::write(&file, r#"{"body": {"profile": {"name": "From a file"}}}"#).expect("written");
    let from_file = spindle()
        .args([
            "run",
            "post_create_a_group",
            "--input",
            &format!("@{}", file.display()),
        ])
        .args([
            "--org-url",
            &org.emulator.url(),
            "--token",
            org.emulator.token(),
        ])
        .output()
        .expect("spindle runs");
    assert_eq!(from_file.status.code(), Some(0));
    let group: Value = serde_json::from_slice(&from_file.stdout).expect("JSON");
    assert_eq!(group["profile"]["name"], "From a file");
    let _ = std::fs::remove_dir_all(&dir);

    let output = spindle()
        .args(["run", "post_create_a_group", "--input", "-"])
        .args([
            "--org-url",
            &org.emulator.url(),
            "--token",
            org.emulator.token(),
        ])
        .write_stdin(r#"{"body": {"profile": {"name": "From stdin"}}}"#)
        .output()
        .expect("spindle runs");
    assert_eq!(output.status.code(), Some(0));
    let group: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(group["profile"]["name"], "From stdin");
}

#[test]
fn okta_error_causes_are_printed() {
    let org = Org::start(0, 0);
    new_user(&org, "twice@example.com");
    let outcome = org.run_with(
        "post_create_a_user",
        &json!({"body": {"profile": {"firstName": "A", "lastName": "B",
            "email": "twice@example.com", "login": "twice@example.com"}}}),
        &[],
    );
    assert_eq!(outcome.code, 3, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("status: 400"), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("errorCode: E0000001"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("cause: login: An object with this field already exists"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn an_unreachable_org_exits_4_without_printing_the_token() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let output = spindle()
        .args(["run", "get_retrieve_a_user", "--input", r#"{"id":"a"}"#])
        .args(["--org-url", &format!("http://127.0.0.1:{port}")])
        .args(["--token", "00very-secret-token"])
        .output()
        .expect("spindle runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("cannot reach Okta"), "{stderr}");
    // The root cause is named, so the user knows what to fix.
    assert!(stderr.contains("Connection refused"), "{stderr}");
    assert!(!stderr.contains("00very-secret-token"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn no_connection_configured_says_how_to_configure_one() {
    let home = tempfile::tempdir().expect("a temp dir");
    let output = spindle()
        .args(["run", "get_retrieve_a_user", "--input", r#"{"id":"a"}"#])
        .env_remove("OKTA_CLIENT_ORGURL")
        .env_remove("OKTA_CLIENT_TOKEN")
        .env("HOME", home.path())
        .current_dir(home.path())
        .output()
        .expect("spindle runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for hint in ["OKTA_CLIENT_ORGURL", "--org-url", "--connection"] {
        assert!(stderr.contains(hint), "{hint} missing from: {stderr}");
    }
}

#[test]
fn aerial_actions_without_an_aerial_connection_are_a_usage_error() {
    let org = Org::start(0, 0);
    let outcome = org.run_with("get_list_all_orgs", &json!({"accountId": "acc1"}), &[]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("--aerial-url"),
        "{}",
        outcome.stderr
    );
    assert!(org.api_requests().is_empty());
}

#[test]
fn credential_and_factor_operations() {
    let org = Org::start(0, 0);
    let id = new_user(&org, "hedy@example.com");
    let question = org.ok(
        "post_change_recovery_question",
        json!({"userId": id, "body": {"password": {"value": "tlpWENT2m-correct-horse"},
            "recovery_question": {"question": "Which city did I first work in?", "answer": "Vienna"}}}),
    );
    assert_eq!(
        question["recovery_question"]["question"], "Which city did I first work in?",
        "{question}"
    );
    let forgot = org.ok(
        "post_initiate_forgot_password",
        json!({"userId": id, "sendEmail": false}),
    );
    assert!(forgot["resetPasswordUrl"].is_string(), "{forgot}");
    let factors = org.ok("post_reset_all_factors", json!({"id": id}));
    assert_eq!(factors["userId"], id.as_str(), "{factors}");
    let temp = org.ok(
        "post_expire_password_and_set_temporary_password",
        json!({"id": id, "revokeSessions": true}),
    );
    assert!(
        temp["tempPassword"].as_str().is_some_and(|p| !p.is_empty()),
        "{temp}"
    );
    let user = org.ok("get_retrieve_a_user", json!({"id": id}));
    assert_eq!(user["status"], "PASSWORD_EXPIRED");

    // --jsonl on a single object: one compact line.
    let line = org.run_with("get_retrieve_a_user", &json!({"id": id}), &["--jsonl"]);
    assert_eq!(line.code, 0, "{}", line.stderr);
    assert_eq!(line.stdout.lines().count(), 1);
    assert_eq!(line.json()["id"], id.as_str());
}
