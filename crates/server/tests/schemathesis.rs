//! schemathesis (PyPI, pinned in scripts/install-third-party) against the gateway's own OpenAPI
//! document: every operation is called with generated valid and invalid requests, and every
//! answer must be documented (status, content type, schema), no request may crash the gateway,
//! and invalid requests must be refused.
//!
//! Not checked: `positive_data_acceptance` (that every schema-valid request succeeds). Business
//! rules the schema cannot state refuse some of them on purpose: an org URL the SSRF guard
//! rejects, a duplicate connection name, an action input its own schema (not the gateway's)
//! refuses, an id that does not exist.

use std::path::{Path, PathBuf};
use std::time::Duration;

use spindle_emulator::EmulatorConfig;

mod common;

use common::TestGateway;

const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_schema_conformance,response_headers_conformance,\
                      negative_data_rejection,ignored_auth";

fn schemathesis() -> Option<PathBuf> {
    let venv =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/third-party/venv-schemathesis");
    let bin = venv.join("bin/schemathesis");
    if bin.is_file() && venv.join(".spindle-installed").is_file() {
        return Some(bin);
    }
    let message = format!(
        "SKIPPED: schemathesis is not installed in {}; run ./scripts/install-third-party",
        venv.display()
    );
    if spindle_store::testing::no_skip() {
        panic!("{message} (SPINDLE_NO_SKIP=1 forbids skipping)");
    }
    eprintln!("{message}");
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_failure_in_the_gateway_api() {
    let Some(bin) = schemathesis() else { return };
    let gw = TestGateway::builder()
        .emulator(EmulatorConfig {
            users: 30,
            groups: 5,
            rate_limit: spindle_emulator::RateLimitMode::Off,
            ..Default::default()
        })
        .connection("demo")
        .build()
        .await;
    let url = gw.base.clone();
    let key = secrecy::SecretString::from(gw.full.clone());
    let dir = tempfile::tempdir().expect("a temp dir");

    let spec = reqwest::get(format!("{url}/openapi.json"))
        .await
        .expect("the document is served")
        .text()
        .await
        .expect("a body");
    let spec_path = dir.path().join("openapi.json");
    std::fs::write(&spec_path, spec).expect("write the document");

    // A webhook, made through the store (its URL is never reached: nothing the gateway sends
    // to it matters here).
    let (webhook, _) = gw
        .store
        .webhooks()
        .create(spindle_store::NewWebhook {
            url: "https://hooks.example.com/spindle".into(),
            ..Default::default()
        })
        .await
        .expect("a webhook");
    // The one connection's and webhook's ids, so operations on them reach their logic; the
    // change feed's long-poll `wait` pinned to 0s (a generated wait of up to 60 s would hold
    // each call past schemathesis' request timeout; its parsing is covered by the sync tests).
    // An action's run may answer 502, documented: it passes on Okta's own failures (the
    // emulator answers 501 to some generated inputs) and Okta's refusal of a generated
    // `X-Okta-User-Token`; neither is a fault of the gateway.
    std::fs::write(
        dir.path().join("schemathesis.toml"),
        format!(
            "[parameters]\n\"path.connection_id\" = \"{}\"\n\"path.webhook_id\" = \"{}\"\n\
             \"query.wait\" = \"0s\"\n\
             [[operations]]\ninclude-path-regex = \"^/v1/connections/\\\\{{connection_id\\\\}}/actions/\"\n\
             checks.not_a_server_error.expected-statuses = [\"2xx\", \"3xx\", \"4xx\", \"502\"]\n",
            gw.connection().id,
            webhook.id
        ),
    )
    .expect("write the config");
    // Everything but the deletions of the connection and the webhook first; then those.
    let everything = run(
        &bin,
        &spec_path,
        &url,
        &key,
        dir.path(),
        &[
            "--exclude-operation-id",
            "deleteConnection",
            "--exclude-operation-id",
            "deleteWebhook",
        ],
    )
    .await;
    let deletion = run(
        &bin,
        &spec_path,
        &url,
        &key,
        dir.path(),
        &[
            "--include-operation-id",
            "deleteConnection",
            "--include-operation-id",
            "deleteWebhook",
        ],
    )
    .await;
    gw.stop().await;
    for (output, operations) in [(everything, 106), (deletion, 2)] {
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "schemathesis reported failures:\n--- stdout ---\n{stdout}\n--- stderr ---\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        // It really ran the operations.
        assert!(
            stdout.contains(&format!("Tested: {operations}")),
            "{stdout}"
        );
    }
}

async fn run(
    bin: &Path,
    spec: &Path,
    url: &str,
    key: &secrecy::SecretString,
    dir: &Path,
    filter: &[&str],
) -> std::process::Output {
    use secrecy::ExposeSecret as _;
    let output = tokio::process::Command::new(bin)
        .arg("run")
        .arg(spec)
        .arg("--url")
        .arg(url)
        .arg("--header")
        .arg(format!("Authorization: Bearer {}", key.expose_secret()))
        .arg("--checks")
        .arg(CHECKS)
        // A fixed seed and an example budget keep runs reproducible; the timeout bounds them.
        .args([
            "--max-examples",
            "40",
            "--seed",
            "20261204",
            "--workers",
            "1",
        ])
        .args(["--request-timeout", "20"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--suppress-health-check", "all", "--no-shrink"])
        .args(["--output-truncate", "false"])
        .args(filter)
        .current_dir(dir)
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(Duration::from_secs(600), output)
        .await
        .expect("schemathesis ran longer than 600 s")
        .expect("schemathesis runs")
}
