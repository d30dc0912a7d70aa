//! `spindle serve` and `spindle keys`: the demo, a gateway over a SQLite file with keys made by
//! the CLI, revocation, master key rotation, and a clean exit on SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::spindle;

pub(crate) fn start_serve(args: &[&str], dir: &Path) -> (Child, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("spindle"))
        .arg("serve")
        .args(args)
        .current_dir(dir)
        .env_remove("SPINDLE_MASTER_KEY")
        .env_remove("SPINDLE_DATABASE_URL")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spindle starts");
    let mut first = String::new();
    BufReader::new(child.stdout.as_mut().expect("stdout"))
        .read_line(&mut first)
        .expect("a first line");
    (child, first.trim_end().to_owned())
}

pub(crate) fn stop(mut child: Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "exit status {status:?}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "spindle serve did not exit within 20 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub(crate) fn call(method: &str, url: &str, key: &str, body: Option<Value>) -> (u16, Value) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut request = client
            .request(method.parse().expect("method"), url)
            .bearer_auth(key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the gateway answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    })
}

#[test]
fn the_demo_serves_a_connection_to_an_emulated_org_of_1000_employees() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (child, first) = start_serve(&["--demo", "--addr", "127.0.0.1:0"], dir.path());
    let rest = first.strip_prefix("url=").expect("url=<url> key=<key>");
    let (url, key) = rest.split_once(" key=").expect("url=<url> key=<key>");
    assert!(key.starts_with("spk_"), "{key}");

    let (status, page) = call(
        "GET",
        &format!("{url}/v1/connections/demo/employees?limit=200"),
        key,
        None,
    );
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(200));
    let mut total = 200;
    let mut next = page["next"].as_str().map(str::to_owned);
    while let Some(cursor) = next {
        let (status, page) = call(
            "GET",
            &format!("{url}/v1/connections/demo/employees?limit=200&cursor={cursor}"),
            key,
            None,
        );
        assert_eq!(status, 200, "{page}");
        total += page["items"].as_array().map_or(0, Vec::len);
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(total, 1000);

    // Every page was an Okta call, logged under the action that made it (the log is written in
    // the background: give it a moment).
    let mut logged = 0;
    for _ in 0..50 {
        let (status, logs) = call(
            "GET",
            &format!("{url}/v1/logs?action=list_all_employees&limit=1000"),
            key,
            None,
        );
        assert_eq!(status, 200, "{logs}");
        logged = logs["items"].as_array().map_or(0, Vec::len);
        if logged >= 5 {
            assert_eq!(logs["items"][0]["path"], "/api/v1/users", "{logs}");
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(logged, 5, "five pages of 200, five Okta calls");
    // Nothing is written to disk by the demo.
    let entries: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert!(entries.is_empty(), "the demo wrote {entries:?}");
    stop(child);
}

#[test]
fn keys_made_by_the_cli_open_the_gateway_until_revoked_and_rotation_keeps_credentials() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = |args: &[&str]| {
        let output = spindle()
            .current_dir(dir.path())
            .env_remove("SPINDLE_MASTER_KEY")
            .env_remove("SPINDLE_DATABASE_URL")
            .arg("keys")
            .args(args)
            .assert()
            .success();
        String::from_utf8(output.get_output().stdout.clone()).expect("UTF-8")
    };
    let full = keys(&["create", "backend", "--scope", "full"])
        .trim()
        .to_owned();
    let read_only = keys(&["create", "dashboard"]).trim().to_owned();
    assert!(full.starts_with("spk_") && read_only.starts_with("spk_"));
    assert!(
        dir.path().join("spindle.key").exists(),
        "the key file is created"
    );
    assert!(
        dir.path().join("spindle.db").exists(),
        "the default database is created"
    );

    let listed = keys(&["list", "--json"]);
    let listed: Value = serde_json::from_str(&listed).expect("JSON");
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert!(!listed.to_string().contains(&full), "a secret was listed");
    let table = keys(&["list"]);
    assert!(
        table.contains("backend") && table.contains("read_only"),
        "{table}"
    );

    // A gateway over the same store accepts the keys, each in its scope.
    let emulator_dir = dir.path().to_owned();
    let (gateway, first) = start_serve(
        &["--addr", "127.0.0.1:0", "--allow-private-orgs"],
        &emulator_dir,
    );
    let url = first.strip_prefix("url=").expect("url=<url>").to_owned();
    let new_connection = serde_json::json!({
        "name": "acme",
        "org_url": "http://127.0.0.1:9",
        "auth": {"kind": "api_token", "token": "00-a-token-that-must-never-come-back"}
    });
    let (status, body) = call(
        "POST",
        &format!("{url}/v1/connections"),
        &read_only,
        Some(new_connection.clone()),
    );
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    let (status, body) = call(
        "POST",
        &format!("{url}/v1/connections"),
        &full,
        Some(new_connection),
    );
    assert_eq!(status, 201, "{body}");
    assert!(!body.to_string().contains("00-a-token"), "{body}");
    let (status, _) = call(
        "GET",
        &format!("{url}/v1/connections/acme"),
        &read_only,
        None,
    );
    assert_eq!(status, 200);
    stop(gateway);

    // Rotate the master key; the gateway then runs on the new key and the old one is refused.
    let id = listed[1]["id"].as_str().expect("an id").to_owned();
    keys(&["rotate-master", "--new-key-file", "spindle.key.new"]);
    std::fs::rename(
        dir.path().join("spindle.key"),
        dir.path().join("spindle.key.old"),
    )
    .expect("rename");
    std::fs::rename(
        dir.path().join("spindle.key.new"),
        dir.path().join("spindle.key"),
    )
    .expect("rename");
    let rotated = spindle()
        .current_dir(dir.path())
        .env_remove("SPINDLE_MASTER_KEY")
        .args([
            "keys",
            "rotate-master",
            "--new-key-file",
            "spindle.key",
            "--master-key-file",
            "spindle.key.old",
        ])
        .assert()
        .success();
    let note = String::from_utf8_lossy(&rotated.get_output().stderr).into_owned();
    assert!(
        note.contains("re-encrypted 0 secret(s)"),
        "a second rotation is a no-op: {note}"
    );

    // Revoke the read-only key (listed newest first: index 0 is `dashboard`).
    let dashboard = listed[0]["id"].as_str().expect("an id").to_owned();
    assert_ne!(dashboard, id);
    spindle()
        .current_dir(dir.path())
        .env_remove("SPINDLE_MASTER_KEY")
        .args(["keys", "revoke", &dashboard])
        .assert()
        .success();
    let (gateway, first) = start_serve(
        &["--addr", "127.0.0.1:0", "--allow-private-orgs"],
        &emulator_dir,
    );
    let url = first.strip_prefix("url=").expect("url=<url>").to_owned();
    let (status, body) = call("GET", &format!("{url}/v1/connections"), &read_only, None);
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("unauthorized")),
        "{body}"
    );
    let (status, body) = call("GET", &format!("{url}/v1/connections"), &full, None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["items"][0]["name"], "acme");
    // The credentials still decrypt under the new key: the call gets as far as the network.
    let (status, body) = call(
        "POST",
        &format!("{url}/v1/connections/acme/passthrough"),
        &full,
        Some(serde_json::json!({"method": "GET", "path": "/api/v1/users"})),
    );
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("okta_unreachable")),
        "{body}"
    );
    assert!(!body.to_string().contains("00-a-token"), "{body}");
    stop(gateway);
}

#[test]
fn keys_commands_explain_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = spindle()
        .current_dir(dir.path())
        .env_remove("SPINDLE_MASTER_KEY")
        .args(["keys", "revoke", "not-a-key-id"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(stderr.contains("key_"), "{stderr}");
    let output = spindle()
        .current_dir(dir.path())
        .env_remove("SPINDLE_MASTER_KEY")
        .args(["keys", "list"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(
        stderr.contains("spindle.key"),
        "a missing key file is named: {stderr}"
    );
}

#[test]
fn webhook_lease_and_timeout_are_checked_before_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (args, named) in [
        (
            vec!["--webhook-attempt-timeout", "10s", "--webhook-lease", "15s"],
            "--webhook-lease",
        ),
        (
            vec!["--webhook-attempt-timeout", "0s"],
            "--webhook-attempt-timeout",
        ),
    ] {
        let output = spindle()
            .current_dir(dir.path())
            .env_remove("SPINDLE_MASTER_KEY")
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(&args)
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
        assert!(stderr.contains(named), "{args:?}: {stderr}");
        assert!(
            !dir.path().join("spindle.db").exists(),
            "nothing is created: {args:?}"
        );
    }
}

/// `spindle connections list`, `spindle employees list` and `spindle logs` talk to the gateway
/// and print what the HTTP API answers, page by page or (`--all`) every item.
#[test]
fn the_cli_lists_employees_and_logs_of_a_running_gateway_as_the_api_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (child, first) = start_serve(
        &["--demo", "--demo-employees", "120", "--addr", "127.0.0.1:0"],
        dir.path(),
    );
    let rest = first.strip_prefix("url=").expect("url=<url> key=<key>");
    let (url, key) = rest.split_once(" key=").expect("url=<url> key=<key>");
    let cli = |args: &[&str]| -> Value {
        let output = spindle()
            .args(args)
            .env("SPINDLE_URL", url)
            .env("SPINDLE_KEY", key)
            .output()
            .expect("spindle runs");
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("JSON on stdout")
    };
    // `spindle connections list` with a gateway prints `GET /v1/connections`.
    let connections = cli(&["connections", "list"]);
    let (status, api) = call("GET", &format!("{url}/v1/connections"), key, None);
    assert_eq!(status, 200, "{api}");
    assert_eq!(connections, api);
    assert_eq!(connections["items"][0]["name"], "demo");
    let page = cli(&["employees", "list", "demo", "--limit", "50"]);
    let (status, api) = call(
        "GET",
        &format!("{url}/v1/connections/demo/employees?limit=50"),
        key,
        None,
    );
    assert_eq!(status, 200, "{api}");
    assert_eq!(page, api, "the CLI prints the API's page");
    let next = page["next"].as_str().expect("a next page");
    let second = cli(&[
        "employees",
        "list",
        "demo",
        "--limit",
        "50",
        "--after",
        next,
    ]);
    assert_eq!(second["items"].as_array().map(Vec::len), Some(50));
    assert_ne!(second["items"][0], page["items"][0]);
    let all = cli(&["employees", "list", "demo", "--limit", "50", "--all"]);
    assert_eq!(all["items"].as_array().map(Vec::len), Some(120));
    // --gateway and --key work as the variables do.
    let output = spindle()
        .args(["employees", "list", "demo", "--limit", "1"])
        .args(["--gateway", url, "--key", key])
        .env_remove("SPINDLE_URL")
        .env_remove("SPINDLE_KEY")
        .output()
        .expect("spindle runs");
    assert!(output.status.success());

    // The log is written in the background: wait for the 7 pages read above (CLI 1, API 1,
    // CLI 1, CLI --all 3, CLI 1).
    let mut logs = Value::Null;
    for _ in 0..100 {
        logs = cli(&["logs", "--action", "list_all_employees", "--limit", "1000"]);
        if logs["items"].as_array().map_or(0, Vec::len) >= 7 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(logs["items"].as_array().map(Vec::len), Some(7), "{logs}");
    let (status, api) = call(
        "GET",
        &format!("{url}/v1/logs?action=list_all_employees&limit=1000"),
        key,
        None,
    );
    assert_eq!(status, 200, "{api}");
    assert_eq!(logs, api, "the CLI prints the API's page");
    // A problem of the gateway is exit code 5 with its detail.
    let output = spindle()
        .args(["employees", "list", "nobody"])
        .env("SPINDLE_URL", url)
        .env("SPINDLE_KEY", key)
        .output()
        .expect("spindle runs");
    assert_eq!(output.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nobody"));

    // `spindle actions` and `spindle run` with a gateway print what the API answers.
    let cli_text = |args: &[&str]| -> (Option<i32>, String, String) {
        let output = spindle()
            .args(args)
            .env("SPINDLE_URL", url)
            .env("SPINDLE_KEY", key)
            .env_remove("OKTA_CLIENT_ORGURL")
            .env_remove("OKTA_CLIENT_TOKEN")
            .output()
            .expect("spindle runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (status, api) = call("GET", &format!("{url}/v1/actions"), key, None);
    assert_eq!(status, 200, "{api}");
    assert_eq!(cli(&["actions", "list"]), api);
    let deletes = cli(&["actions", "list", "--effect", "delete"]);
    let deletes = deletes["items"].as_array().expect("items");
    assert!(!deletes.is_empty());
    assert!(
        deletes.iter().all(|a| a["effect"] == "delete"),
        "{deletes:?}"
    );
    let (status, api) = call(
        "GET",
        &format!("{url}/v1/actions/get_list_all_users"),
        key,
        None,
    );
    assert_eq!(status, 200, "{api}");
    assert_eq!(cli(&["actions", "describe", "get_list_all_users"]), api);
    let one = cli(&[
        "run",
        "get_list_all_users",
        "--connection",
        "demo",
        "--input",
        r#"{"limit": 50}"#,
    ]);
    let (status, api) = call(
        "POST",
        &format!("{url}/v1/connections/demo/actions/get_list_all_users"),
        key,
        Some(serde_json::json!({"limit": 50})),
    );
    assert_eq!(status, 200, "{api}");
    assert_eq!(one, api, "`spindle run` prints the action's answer");
    let (code, lines, stderr) = cli_text(&[
        "run",
        "get_list_all_users",
        "--connection",
        "demo",
        "--input",
        r#"{"limit": 50}"#,
        "--all",
        "--jsonl",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("through the gateway"), "{stderr}");
    let users: Vec<Value> = lines
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert!(users.len() > 50, "every page followed: {}", users.len());
    assert_eq!(
        &users[..50],
        api["items"].as_array().expect("items").as_slice()
    );
    // Without --connection the run says what is missing, and sends nothing.
    let (code, _, stderr) = cli_text(&["run", "get_list_all_users"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--connection"), "{stderr}");

    // `connections add` and `remove` through the gateway: the API creates and deletes.
    let org_url = connections["items"][0]["org_url"]
        .as_str()
        .expect("org_url");
    let output = spindle()
        .args(["connections", "add", "second", "--org-url", org_url])
        .args(["--token-env", "SECOND_TOKEN"])
        .env("SECOND_TOKEN", "00second-token")
        .env("SPINDLE_URL", url)
        .env("SPINDLE_KEY", key)
        .output()
        .expect("spindle runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("added connection second"), "{stderr}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("00second-token"));
    let created: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let (status, api) = call("GET", &format!("{url}/v1/connections/second"), key, None);
    assert_eq!(status, 200, "{api}");
    assert_eq!(created["id"], api["id"]);
    let (code, _, stderr) = cli_text(&["connections", "remove", "second"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (status, _) = call("GET", &format!("{url}/v1/connections/second"), key, None);
    assert_eq!(status, 404, "removed through the gateway");
    stop(child);
}
