//! `spindle connections add|list|remove` and `spindle run --connection` over the gateway's store
//! (a SQLite file and a key file in a temporary directory), and the same connections served by
//! `spindle serve` on that store.

use std::path::Path;

use serde_json::{Value, json};
use spindle_emulator::EmulatorConfig;

use crate::run::Org;
use crate::spindle;

/// A token no other output could contain by chance.
const TOKEN: &str = "00cli-connection-secret-Zq7Wd41x";

/// An emulated org that accepts only [`TOKEN`].
fn org() -> Org {
    Org::start_with(EmulatorConfig {
        users: 3,
        token: TOKEN.to_owned(),
        ..Default::default()
    })
}

/// `spindle` in `dir`, so the store is `dir/spindle.db` and the master key `dir/spindle.key`.
fn cmd(dir: &Path) -> assert_cmd::Command {
    let mut cmd = spindle();
    cmd.current_dir(dir)
        .env_remove("SPINDLE_MASTER_KEY")
        .env_remove("SPINDLE_MASTER_KEY_FILE")
        .env_remove("SPINDLE_DATABASE_URL")
        .env_remove("SPINDLE_ALLOW_PRIVATE_ORGS")
        .env_remove("OKTA_CLIENT_ORGURL")
        .env_remove("OKTA_CLIENT_TOKEN");
    cmd
}

/// What a command printed; it must never contain `secret`.
struct Printed {
    code: i32,
    stdout: String,
    stderr: String,
}

fn printed(cmd: &mut assert_cmd::Command, secret: &str) -> Printed {
    let out = cmd.output().expect("spindle runs");
    let printed = Printed {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !printed.stdout.contains(secret) && !printed.stderr.contains(secret),
        "the secret was printed:\n{}\n{}",
        printed.stdout,
        printed.stderr
    );
    printed
}

fn ok(cmd: &mut assert_cmd::Command, secret: &str) -> Printed {
    let printed = printed(cmd, secret);
    assert_eq!(printed.code, 0, "{}{}", printed.stderr, printed.stdout);
    printed
}

fn add_token(dir: &Path, name: &str, org_url: &str) -> Printed {
    printed(
        cmd(dir)
            .args(["connections", "add", name, "--org-url", org_url])
            .args(["--token-stdin", "--allow-private-orgs"])
            .write_stdin(format!("{TOKEN}\n")),
        TOKEN,
    )
}

fn list(dir: &Path) -> Value {
    let printed = ok(cmd(dir).args(["connections", "list"]), TOKEN);
    serde_json::from_str(&printed.stdout).expect("JSON")
}

fn run_users(dir: &Path, name: &str, extra: &[&str]) -> Printed {
    printed(
        cmd(dir)
            .args(["run", "get_list_all_users", "--connection", name])
            .args(["--input", &json!({"limit": 2}).to_string()])
            .args(extra),
        TOKEN,
    )
}

/// The bytes of every file of the SQLite store in `dir` (the database and its journal).
fn store_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the directory") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with("spindle.db") {
            bytes.extend(std::fs::read(&path).expect("readable"));
        }
    }
    assert!(
        !bytes.is_empty(),
        "no store was written in {}",
        dir.display()
    );
    bytes
}

fn holds(bytes: &[u8], text: &str) -> bool {
    bytes
        .windows(text.len())
        .any(|window| window == text.as_bytes())
}

/// The store holds no trace of `secret` in clear.
fn assert_store_sealed(dir: &Path, secret: &str) {
    assert!(
        !holds(&store_bytes(dir), secret),
        "the store holds the secret in clear"
    );
}

#[test]
fn a_token_connection_is_added_listed_run_and_removed_without_showing_its_token() {
    let org = org();
    let dir = tempfile::tempdir().expect("a temp dir");
    let url = org.emulator.url();
    let added = add_token(dir.path(), "emu", &url);
    assert_eq!(added.code, 0, "{}", added.stderr);
    let view: Value = serde_json::from_str(&added.stdout).expect("the new connection as JSON");
    assert_eq!(view["name"], "emu");
    assert!(
        view["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("conn_")),
        "{view}"
    );

    let taken = add_token(dir.path(), "emu", &url);
    assert_eq!(taken.code, 2, "{}", taken.stderr);
    assert!(taken.stderr.contains("already exists"), "{}", taken.stderr);

    let listed = list(dir.path());
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
    assert_eq!(listed["items"][0]["name"], "emu");
    assert_eq!(listed["items"][0]["org_url"], url);
    assert_eq!(listed["items"][0]["auth"], json!({"kind": "api_token"}));
    // The files read are the ones the connection went to.
    assert!(
        holds(&store_bytes(dir.path()), &url),
        "the store has no row for `emu`"
    );
    assert_store_sealed(dir.path(), TOKEN);

    let page = run_users(dir.path(), "emu", &["--allow-private-orgs"]);
    assert_eq!(page.code, 0, "{}", page.stderr);
    let page: Value = serde_json::from_str(&page.stdout).expect("JSON");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2), "{page}");

    // The org URL is checked again whenever a client is built: a loopback org needs the same
    // escape as it needed to be added.
    let refused = run_users(dir.path(), "emu", &[]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("connection `emu`")
            && refused.stderr.contains("--allow-private-orgs"),
        "{}",
        refused.stderr
    );

    ok(
        cmd(dir.path()).args(["connections", "remove", "emu"]),
        TOKEN,
    );
    assert_eq!(list(dir.path()), json!({"items": []}));
    let gone = run_users(dir.path(), "emu", &["--allow-private-orgs"]);
    assert_eq!(gone.code, 2);
    assert!(
        gone.stderr.contains("no connection named `emu`"),
        "{}",
        gone.stderr
    );
    let again = printed(
        cmd(dir.path()).args(["connections", "remove", "emu"]),
        TOKEN,
    );
    assert_eq!(again.code, 2, "{}", again.stderr);
}

#[test]
fn a_token_from_an_environment_variable_is_stored_when_the_connection_is_added() {
    let org = org();
    let dir = tempfile::tempdir().expect("a temp dir");
    let unset = printed(
        cmd(dir.path())
            .env_remove("SPINDLE_TEST_TOKEN")
            .args(["connections", "add", "ci", "--org-url", &org.emulator.url()])
            .args(["--token-env", "SPINDLE_TEST_TOKEN", "--allow-private-orgs"]),
        TOKEN,
    );
    assert_eq!(unset.code, 2);
    assert!(
        unset.stderr.contains("SPINDLE_TEST_TOKEN"),
        "{}",
        unset.stderr
    );

    ok(
        cmd(dir.path())
            .env("SPINDLE_TEST_TOKEN", TOKEN)
            .args(["connections", "add", "ci", "--org-url", &org.emulator.url()])
            .args(["--token-env", "SPINDLE_TEST_TOKEN", "--allow-private-orgs"]),
        TOKEN,
    );
    assert_store_sealed(dir.path(), TOKEN);
    // The variable is read once, when adding; the run does not need it.
    let page = run_users(dir.path(), "ci", &["--allow-private-orgs"]);
    assert_eq!(page.code, 0, "{}", page.stderr);
}

#[test]
fn add_without_a_credential_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = printed(
        cmd(dir.path()).args([
            "connections",
            "add",
            "x",
            "--org-url",
            "https://example.okta.com",
        ]),
        TOKEN,
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--token-stdin"), "{}", out.stderr);
    assert!(
        !dir.path().join("spindle.db").exists(),
        "a store was created"
    );
}

#[test]
fn a_bad_org_url_is_refused_naming_the_option_and_nothing_is_stored() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let none: &[&str] = &[];
    for (url, extra, reason) in [
        ("http://acme.okta.com", none, "must use https"),
        ("https://acme.example.com", none, "is not an Okta domain"),
        ("https://acme.okta.com/admin", none, "without a path"),
        ("http://127.0.0.1:9", none, "must use https"),
        // An allow-listed custom domain passes the form check, as with `spindle serve`, and
        // must still resolve (`.invalid` never does).
        (
            "https://login.acme.invalid",
            &["--allow-org-domain", "login.acme.invalid"][..],
            "does not resolve",
        ),
    ] {
        let out = printed(
            cmd(dir.path())
                .args(["connections", "add", "acme", "--org-url", url])
                .arg("--token-stdin")
                .args(extra)
                .write_stdin(TOKEN),
            TOKEN,
        );
        assert_eq!(out.code, 2, "{url}: {}", out.stderr);
        assert!(
            out.stderr.contains("--org-url") && out.stderr.contains(reason),
            "{url}: {}",
            out.stderr
        );
    }
    assert_eq!(list(dir.path()), json!({"items": []}));
    assert_store_sealed(dir.path(), TOKEN);
}

#[test]
fn an_oauth_connection_keeps_its_private_key_sealed_and_runs_an_action() {
    let org = Org::start(0, 0);
    let scope = "okta.myAccount.organization.read";
    let client = crate::run_rules_factors_grants::service_app(&org, scope);
    let dir = tempfile::tempdir().expect("a temp dir");
    let key = dir.path().join("key.pem");
    std::fs::write(&key, crate::run_rules_factors_grants::TEST_KEY_PEM).expect("key written");
    // A line of the key's body: it must never be shown or stored in clear.
    let secret = crate::run_rules_factors_grants::TEST_KEY_PEM
        .lines()
        .nth(1)
        .expect("a PEM body");
    ok(
        cmd(dir.path())
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
            .arg("--allow-private-orgs"),
        secret,
    );
    let listed = list(dir.path());
    assert_eq!(
        listed["items"][0]["auth"],
        json!({"kind": "oauth", "client_id": client, "key_id": "k1", "scopes": [scope], "dpop": false}),
        "{listed}"
    );
    assert_store_sealed(dir.path(), secret);
    // The key is in the store: the file is not needed any more.
    std::fs::remove_file(&key).expect("removed");

    let details = ok(
        cmd(dir.path())
            .args(["run", "get_retrieve_the_org_details", "--connection", "svc"])
            .arg("--allow-private-orgs"),
        secret,
    );
    let details: Value = serde_json::from_str(&details.stdout).expect("JSON");
    assert_eq!(details["url"], org.emulator.url(), "{details}");
}

#[test]
fn the_gateway_serves_a_cli_connection_and_the_cli_runs_a_gateway_connection() {
    let org = org();
    let dir = tempfile::tempdir().expect("a temp dir");
    let key = ok(
        cmd(dir.path()).args(["keys", "create", "test", "--scope", "full"]),
        TOKEN,
    )
    .stdout
    .trim()
    .to_owned();
    assert_eq!(
        add_token(dir.path(), "from-cli", &org.emulator.url()).code,
        0
    );

    let (gateway, first) = crate::serve::start_serve(
        &["--addr", "127.0.0.1:0", "--allow-private-orgs"],
        dir.path(),
    );
    let url = first.strip_prefix("url=").expect("url=<url>").to_owned();
    let (status, page) = crate::serve::call(
        "POST",
        &format!("{url}/v1/connections/from-cli/actions/get_list_all_users"),
        &key,
        Some(json!({"limit": 2})),
    );
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2), "{page}");

    let (status, created) = crate::serve::call(
        "POST",
        &format!("{url}/v1/connections"),
        &key,
        Some(json!({"name": "from-api", "org_url": org.emulator.url(),
            "auth": {"kind": "api_token", "token": TOKEN}})),
    );
    assert_eq!(status, 201, "{created}");
    let page = run_users(dir.path(), "from-api", &["--allow-private-orgs"]);
    assert_eq!(page.code, 0, "{}", page.stderr);
    let names: Vec<Value> = list(dir.path())["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names, [json!("from-api"), json!("from-cli")]);
    crate::serve::stop(gateway);
    assert_store_sealed(dir.path(), TOKEN);
}

#[test]
fn an_aerial_action_runs_with_the_connections_aerial_settings() {
    let org = org();
    let account = org.admin(reqwest::Method::POST, "aerial/accounts", Some(json!({})));
    let account_id = account["accountId"].as_str().expect("an account id");
    let aerial_token = account["access_token"].as_str().expect("a token");
    let dir = tempfile::tempdir().expect("a temp dir");
    let input = json!({"accountId": account_id, "body": {"domain": "acme.okta.com"}}).to_string();
    let run = |name: &str| {
        printed(
            cmd(dir.path())
                .args(["run", "post_add_org_to_account", "--connection", name])
                .args(["--input", &input, "--allow-private-orgs"]),
            aerial_token,
        )
    };

    assert_eq!(add_token(dir.path(), "plain", &org.emulator.url()).code, 0);
    let refused = run("plain");
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("no Aerial URL") && refused.stderr.contains("--aerial-url"),
        "{}",
        refused.stderr
    );

    ok(
        cmd(dir.path())
            .env("SPINDLE_TEST_AERIAL_TOKEN", aerial_token)
            .args([
                "connections",
                "add",
                "aer",
                "--org-url",
                &org.emulator.url(),
            ])
            .args(["--aerial-url", &format!("{}/aerial", org.emulator.url())])
            .args(["--aerial-account-id", account_id])
            .args(["--aerial-token-env", "SPINDLE_TEST_AERIAL_TOKEN"])
            .args(["--token-stdin", "--allow-private-orgs"])
            .write_stdin(TOKEN),
        aerial_token,
    );
    let listed = list(dir.path());
    assert_eq!(listed["items"][0]["name"], "aer", "{listed}");
    assert_eq!(listed["items"][0]["aerial"]["token_set"], true, "{listed}");
    assert!(!listed.to_string().contains(aerial_token), "{listed}");
    assert_store_sealed(dir.path(), aerial_token);

    let added = run("aer");
    assert_eq!(added.code, 0, "{}", added.stderr);
    let added: Value = serde_json::from_str(&added.stdout).expect("JSON");
    assert!(added["id"].as_str().is_some(), "{added}");
}

#[test]
fn a_connection_run_with_another_master_key_is_refused_saying_why() {
    let org = org();
    let dir = tempfile::tempdir().expect("a temp dir");
    assert_eq!(add_token(dir.path(), "emu", &org.emulator.url()).code, 0);
    let other = dir.path().join("other.key");
    std::fs::write(&other, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").expect("written");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let out = run_users(
        dir.path(),
        "emu",
        &["--allow-private-orgs", "--master-key-file", "other.key"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("master key does not match") && out.stderr.contains("connection `emu`"),
        "{}",
        out.stderr
    );
}
