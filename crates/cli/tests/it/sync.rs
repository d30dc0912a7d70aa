//! `spindle sync status|run|changes` against a running `spindle serve --demo`: the API's JSON
//! printed, problems' details on stderr with exit code 5, a missing key named, the key never
//! printed.

use serde_json::Value;

use crate::serve::{start_serve, stop};
use crate::spindle;

/// `spindle sync ARGS` against the gateway at `url` with `key` in the environment.
fn sync(url: &str, key: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    spindle()
        .env("SPINDLE_URL", url)
        .env("SPINDLE_KEY", key)
        .arg("sync")
        .args(args)
        .assert()
}

fn stdout_json(assert: &assert_cmd::assert::Assert) -> Value {
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

#[test]
fn status_run_and_changes_print_the_api_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (child, first) = start_serve(
        &["--demo", "--demo-employees", "10", "--addr", "127.0.0.1:0"],
        dir.path(),
    );
    let rest = first.strip_prefix("url=").expect("url=<url> key=<key>");
    let (url, key) = rest.split_once(" key=").expect("url=<url> key=<key>");

    let status = sync(url, key, &["status", "demo"]).success();
    let status = stdout_json(&status);
    assert_eq!(status["settings"]["interval"], "5m", "{status}");
    assert!(status["feed"]["cursor"].is_string(), "{status}");
    // The demo connection's sync is configured; its first run starts with the gateway.
    assert_eq!(status["configured"], true, "{status}");

    // Flags instead of the environment work too.
    let flags = spindle()
        .env_remove("SPINDLE_URL")
        .env_remove("SPINDLE_KEY")
        .args(["sync", "status", "demo", "--gateway", url, "--key", key])
        .assert()
        .success();
    assert_eq!(stdout_json(&flags)["settings"], status["settings"]);

    let run = sync(url, key, &["run", "demo"]).success();
    let run = stdout_json(&run);
    assert!(
        run["id"].as_str().is_some_and(|id| id.starts_with("run_")),
        "{run}"
    );
    // It joins the demo's first run when that one has not ended yet.
    assert!(run["joined"].is_boolean(), "{run}");
    assert!(
        ["queued", "running", "succeeded"].contains(&run["state"].as_str().unwrap_or_default()),
        "{run}"
    );
    let status = stdout_json(&sync(url, key, &["status", "demo"]).success());
    let current = status["current_run"]["id"].clone();
    let last = status["last_run"]["id"].clone();
    assert!(current == run["id"] || last == run["id"], "{status}");
    // The feed is still growing while the run goes on: compare cursors once it has ended.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        let status = stdout_json(&sync(url, key, &["status", "demo"]).success());
        if status["current_run"].is_null() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run did not end: {status}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert_eq!(status["last_run"]["id"], run["id"], "{status}");

    let page = stdout_json(&sync(url, key, &["changes", "demo", "--limit", "5"]).success());
    assert!(page["items"].is_array(), "{page}");
    assert!(page["next"].is_string(), "{page}");
    let now = stdout_json(&sync(url, key, &["changes", "demo", "--after", "now"]).success());
    assert_eq!(now["items"], serde_json::json!([]), "{now}");
    assert_eq!(now["next"], status["feed"]["cursor"], "{now}");

    // Problems: the detail on stderr, exit code 5, the key never shown.
    let missing = sync(url, key, &["status", "nobody"]).code(5);
    let err = stderr(&missing);
    assert!(
        err.contains("no connection with id or name `nobody`"),
        "{err}"
    );
    assert!(!err.contains(key), "{err}");
    let bad = sync(url, key, &["changes", "demo", "--after", "garbage"]).code(5);
    let err = stderr(&bad);
    assert!(err.contains("after"), "{err}");
    assert!(!err.contains(key), "{err}");
    let wrong_key = sync(url, "spk_not_a_real_key", &["status", "demo"]).code(5);
    let err = stderr(&wrong_key);
    assert!(err.contains("401"), "{err}");
    assert!(!err.contains("spk_not_a_real_key"), "{err}");
    stop(child);
}

#[test]
fn a_missing_key_or_url_is_named_and_nothing_is_sent() {
    let no_key = spindle()
        .env_remove("SPINDLE_KEY")
        .env("SPINDLE_URL", "http://127.0.0.1:9")
        .args(["sync", "status", "demo"])
        .assert()
        .code(2);
    let err = stderr(&no_key);
    assert!(err.contains("no API key"), "{err}");
    assert!(err.contains("SPINDLE_KEY"), "{err}");
    let no_url = spindle()
        .env_remove("SPINDLE_URL")
        .env("SPINDLE_KEY", "spk_secret_value")
        .args(["sync", "run", "demo"])
        .assert()
        .code(2);
    let err = stderr(&no_url);
    assert!(err.contains("SPINDLE_URL"), "{err}");
    assert!(!err.contains("spk_secret_value"), "{err}");
    // Nothing listens on port 9 of loopback: exit code 4.
    let unreachable = spindle()
        .env("SPINDLE_URL", "http://127.0.0.1:9")
        .env("SPINDLE_KEY", "spk_secret_value")
        .args(["sync", "changes", "demo"])
        .assert()
        .code(4);
    let err = stderr(&unreachable);
    assert!(err.contains("cannot reach the gateway"), "{err}");
    assert!(!err.contains("spk_secret_value"), "{err}");
}
