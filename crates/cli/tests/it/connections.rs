//! `spindle connections add|list|remove` and `spindle run --connection` with a temporary config
//! directory.

use std::path::Path;

use serde_json::{Value, json};

use crate::run::Org;
use crate::spindle;

fn cmd(dir: &Path) -> assert_cmd::Command {
    let mut cmd = spindle();
    cmd.env("SPINDLE_CONFIG_DIR", dir)
        .env_remove("OKTA_CLIENT_ORGURL")
        .env_remove("OKTA_CLIENT_TOKEN");
    cmd
}

fn list(dir: &Path) -> (Value, String) {
    let out = cmd(dir)
        .args(["connections", "list"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (serde_json::from_str(&text).expect("JSON"), text)
}

fn run_users(dir: &Path, name: &str) -> std::process::Output {
    cmd(dir)
        .args(["run", "get_list_all_users", "--connection", name])
        .args(["--input", &json!({"limit": 2}).to_string()])
        .output()
        .expect("runs")
}

#[test]
fn a_stored_token_connection_runs_actions_and_keeps_its_secret_private() {
    let org = Org::start(3, 0);
    let dir = tempfile::tempdir().expect("a temp dir");
    let token = org.emulator.token().to_owned();
    let out = cmd(dir.path())
        .args([
            "connections",
            "add",
            "emu",
            "--org-url",
            &org.emulator.url(),
            "--token-stdin",
        ])
        .write_stdin(format!("{token}\n"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (listed, text) = list(dir.path());
    assert_eq!(listed["connections"][0]["name"], "emu");
    assert_eq!(listed["connections"][0]["orgUrl"], org.emulator.url());
    assert_eq!(listed["connections"][0]["auth"], "token");
    assert!(!text.contains(&token), "list shows the token: {text}");
    let config = std::fs::read_to_string(dir.path().join("connections.toml")).expect("written");
    assert!(
        !config.contains(&token),
        "the token is in the config text: {config}"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let secrets = dir.path().join("secrets.toml");
        let mode = std::fs::metadata(&secrets)
            .expect("secrets")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);

        let out = run_users(dir.path(), "emu");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let page: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(page["items"].as_array().map(Vec::len), Some(2), "{page}");

        std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let out = run_users(dir.path(), "emu");
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("readable by others") && stderr.contains("chmod 600"),
            "{stderr}"
        );
        std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }

    let out = cmd(dir.path())
        .args(["connections", "remove", "emu"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(list(dir.path()).0, json!({"connections": []}));
    let secrets = std::fs::read_to_string(dir.path().join("secrets.toml")).unwrap_or_default();
    assert!(!secrets.contains(&token), "remove left the token behind");
    let out = run_users(dir.path(), "emu");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no connection named `emu`"));
}

#[test]
fn a_token_env_connection_reads_the_variable_at_run_time() {
    let org = Org::start(3, 0);
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = cmd(dir.path())
        .args(["connections", "add", "ci", "--org-url", &org.emulator.url()])
        .args(["--token-env", "SPINDLE_TEST_TOKEN"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        list(dir.path()).0["connections"][0]["tokenEnv"],
        "SPINDLE_TEST_TOKEN"
    );

    let out = run_users(dir.path(), "ci");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SPINDLE_TEST_TOKEN"));

    let out = cmd(dir.path())
        .env("SPINDLE_TEST_TOKEN", org.emulator.token())
        .args(["run", "get_list_all_users", "--connection", "ci"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn add_without_a_credential_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = cmd(dir.path())
        .args([
            "connections",
            "add",
            "x",
            "--org-url",
            "https://example.okta.com",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--token-stdin"));
    assert!(!dir.path().join("connections.toml").exists());
}

#[test]
fn an_oauth_private_key_connection_gets_a_token_and_runs_an_action() {
    let org = Org::start(0, 0);
    let (status, app) = crate::run_part2::api(
        &org,
        reqwest::Method::POST,
        "/api/v1/apps",
        json!({"name": "oidc_client", "label": "Spindle service", "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "private_key_jwt"}},
            "settings": {"oauthClient": {"application_type": "service",
                "grant_types": ["client_credentials"], "response_types": ["token"],
                "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "kid": "k1",
                    "x": "FuU8Z3A296YS73Oxb34E0rNSESwfYguaxk7hnyL5A5E",
                    "y": "nGJdKs-6zFmmTaBr5vsip1BBtfIQUuBYeBM2mhPtmas"}]}}}}),
    );
    assert!(status < 300, "{status} {app}");
    let client = app["id"].as_str().expect("an app id").to_owned();
    let scope = "okta.myAccount.organization.read";
    org.admin(
        reqwest::Method::PUT,
        &format!("apps/{client}/grants"),
        Some(json!({"scopes": [scope]})),
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let key = dir.path().join("key.pem");
    std::fs::write(&key, crate::run_part2::TEST_KEY_PEM).expect("key written");
    let out = cmd(dir.path())
        .args([
            "connections",
            "add",
            "svc",
            "--org-url",
            &org.emulator.url(),
        ])
        .args(["--client-id", &client, "--key-id", "k1", "--scopes", scope])
        .arg("--private-key-file")
        .arg(&key)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (listed, text) = list(dir.path());
    assert_eq!(listed["connections"][0]["auth"], "private_key", "{text}");
    assert!(!text.contains("PRIVATE KEY"), "{text}");

    let out = cmd(dir.path())
        .args(["run", "get_retrieve_the_org_details", "--connection", "svc"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let details: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(details["url"], org.emulator.url(), "{details}");
}
