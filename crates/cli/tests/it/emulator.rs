//! `spindle emulator`: the first stdout line, serving, and a clean exit on SIGTERM and SIGINT.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn start(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("spindle"))
        .arg("emulator")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spindle starts");
    let mut first = String::new();
    BufReader::new(child.stdout.as_mut().expect("stdout"))
        .read_line(&mut first)
        .expect("a first line");
    (child, first.trim_end().to_owned())
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

fn wait_with_timeout(child: &mut Child, timeout: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("spindle emulator did not exit within {timeout:?} of the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn get(url: &str, token: &str) -> (u16, serde_json::Value) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(url)
            .header("Authorization", format!("SSWS {token}"))
            .header("Accept", "application/json")
            .send()
            .await
            .expect("the emulator answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    })
}

#[test]
fn prints_org_url_and_token_first_serves_and_exits_0_on_sigterm() {
    let (mut child, first) = start(&[
        "--addr",
        "127.0.0.1:0",
        "--token",
        "test-token-123",
        "--users",
        "25",
        "--groups",
        "3",
        "--seed",
        "7",
    ]);
    let rest = first
        .strip_prefix("org_url=")
        .unwrap_or_else(|| panic!("first line {first:?}"));
    let (org_url, token) = rest
        .split_once(" token=")
        .expect("org_url=<url> token=<token>");
    assert!(org_url.starts_with("http://127.0.0.1:"), "{org_url}");
    assert_eq!(token, "test-token-123");

    let (status, users) = get(&format!("{org_url}/api/v1/users?limit=200"), token);
    assert_eq!(status, 200);
    let users = users.as_array().expect("a list of users");
    assert!(
        !users.is_empty() && users.len() <= 25,
        "{} users",
        users.len()
    );
    assert!(users.iter().all(|u| u["profile"]["login"].is_string()));

    let (status, error) = get(&format!("{org_url}/api/v1/users"), "wrong");
    assert_eq!(status, 401);
    assert_eq!(error["errorCode"], "E0000011");

    signal(&child, "TERM");
    let status = wait_with_timeout(&mut child, Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "exit status {status:?}");
}

#[test]
fn exits_0_on_sigint() {
    let (mut child, first) = start(&["--addr", "127.0.0.1:0"]);
    assert!(first.starts_with("org_url=http://127.0.0.1:"), "{first}");
    signal(&child, "INT");
    assert_eq!(
        wait_with_timeout(&mut child, Duration::from_secs(10)).code(),
        Some(0)
    );
}

#[test]
fn bad_options_exit_non_zero_with_a_clear_error() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("spindle"))
        .args(["emulator", "--addr", "127.0.0.1:0", "--rate-limit", "lots"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spindle starts");
    let status = wait_with_timeout(&mut child, Duration::from_secs(10));
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("--rate-limit"), "stderr: {stderr}");
}
