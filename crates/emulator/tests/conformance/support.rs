//! Shared plumbing: where the third-party tools and `../shared` are, the skip-or-fail rule,
//! starting an emulator, and running an SDK script against it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use spindle_emulator::{Emulator, EmulatorConfig};

use crate::proxy::Proxy;
use crate::spec_schema::Spec;

/// The workspace root (`crates/emulator/../..`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the pinned third-party tools are installed by `scripts/install-third-party`.
pub fn third_party() -> PathBuf {
    workspace_root().join("target/third-party")
}

/// This crate's SDK scripts.
pub fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk")
}

/// The shared reference material (`SPINDLE_SHARED_DIR`, default `<repo>/../shared`).
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SPINDLE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared"));
    dir.join("okta").is_dir().then_some(dir)
}

/// Skips the calling test with `what is missing` unless `SPINDLE_NO_SKIP=1`, where it fails.
/// Returns `None` so callers can write `let Some(x) = found(..) else { return skip(..) }`.
pub fn skip(missing: &str) {
    let msg = format!("SKIPPED: {missing}");
    if std::env::var("SPINDLE_NO_SKIP").is_ok_and(|v| v == "1") {
        panic!("{msg} (SPINDLE_NO_SKIP=1 forbids skipping)");
    }
    eprintln!("{msg}");
}

const INSTALL_HINT: &str = "run ./scripts/install-third-party";

/// The Python interpreter of the venv holding Okta's Python SDK, if installed.
pub fn python_sdk() -> Result<PathBuf, String> {
    let venv = third_party().join("venv-okta");
    let python = venv.join("bin/python");
    if python.is_file() && venv.join(".spindle-installed").is_file() {
        Ok(python)
    } else {
        Err(format!(
            "Okta's Python SDK (PyPI okta) is not installed in {}; {INSTALL_HINT}",
            venv.display()
        ))
    }
}

/// `node_modules` holding Okta's Node SDK, if installed, and the `node` binary.
pub fn node_sdk() -> Result<(PathBuf, PathBuf), String> {
    let modules = third_party().join("node/node_modules");
    if !modules.join("@okta/okta-sdk-nodejs/package.json").is_file() {
        return Err(format!(
            "Okta's Node SDK (npm @okta/okta-sdk-nodejs) is not installed in {}; {INSTALL_HINT}",
            modules.display()
        ));
    }
    let node = which("node").ok_or_else(|| "node (Node.js 20) is not on PATH".to_owned())?;
    Ok((node, modules))
}

/// The `schemathesis` console script, if installed.
pub fn schemathesis() -> Result<PathBuf, String> {
    let venv = third_party().join("venv-schemathesis");
    let bin = venv.join("bin/schemathesis");
    if bin.is_file() && venv.join(".spindle-installed").is_file() {
        Ok(bin)
    } else {
        Err(format!(
            "schemathesis (PyPI) is not installed in {}; {INSTALL_HINT}",
            venv.display()
        ))
    }
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Starts an emulator on a free loopback port.
pub async fn start(config: EmulatorConfig) -> Emulator {
    match Emulator::start(config).await {
        Ok(emu) => emu,
        Err(e) => panic!("emulator failed to start: {e}"),
    }
}

/// A fresh, empty working directory: the Python SDK reads `okta.yaml` from the cwd and
/// home, so scripts must not run where a stray config could be picked up.
pub fn scratch_dir() -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "spindle-conformance-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch dir under the temp dir");
    dir
}

/// What a finished script printed on stdout (it ends with `SDK_CALLS=n CHECKS=n`).
#[derive(Debug)]
pub struct ScriptOutput {
    pub stdout: String,
}

/// Runs `program args…` in a scratch dir with an org URL and token in the environment
/// (as `OKTA_CLIENT_ORGURL` / `OKTA_CLIENT_TOKEN`), plus `extra_env`. Panics
/// with the full output if it exits non-zero or runs longer than `timeout`.
pub async fn run_script(
    program: &Path,
    args: &[&str],
    org_url: &str,
    token: &str,
    extra_env: &[(&str, String)],
    timeout: Duration,
) -> ScriptOutput {
    let cwd = scratch_dir();
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .current_dir(&cwd)
        .env("OKTA_CLIENT_ORGURL", org_url)
        .env("OKTA_CLIENT_TOKEN", token)
        // the Python SDK refuses plain-http org URLs unless told it is testing
        .env("OKTA_TESTING_TESTINGDISABLEHTTPSCHECK", "true")
        // keep the SDKs away from any okta.yaml in the real home directory
        .env("HOME", &cwd)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let what = format!("{} {}", program.display(), args.join(" "));
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => panic!("could not start {what}: {e}"),
    };
    let out = match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => panic!("waiting for {what}: {e}"),
        Err(_) => panic!("{what} ran longer than {timeout:?}"),
    };
    let _ = std::fs::remove_dir_all(&cwd);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        out.status
    );
    eprintln!("{what}: {}", stdout.trim());
    ScriptOutput { stdout }
}

/// Runs one of tests/sdk/python/*.py with Okta's Python SDK.
pub async fn run_python(
    script: &str,
    emu: &Emulator,
    extra_env: &[(&str, String)],
) -> Option<ScriptOutput> {
    let python = match python_sdk() {
        Ok(p) => p,
        Err(missing) => {
            skip(&missing);
            return None;
        }
    };
    let path = sdk_dir().join("python").join(script);
    let path = path.to_string_lossy().into_owned();
    let proxy = Proxy::start(&emu.url()).await;
    let out = run_script(
        &python,
        &["-B", &path],
        proxy.url(),
        emu.token(),
        extra_env,
        Duration::from_secs(300),
    )
    .await;
    validate_captured(&proxy, script);
    proxy.stop();
    Some(out)
}

/// Runs one of tests/sdk/node/*.cjs with Okta's Node SDK.
pub async fn run_node(
    script: &str,
    emu: &Emulator,
    extra_env: &[(&str, String)],
) -> Option<ScriptOutput> {
    let (node, modules) = match node_sdk() {
        Ok(p) => p,
        Err(missing) => {
            skip(&missing);
            return None;
        }
    };
    let path = sdk_dir().join("node").join(script);
    let path = path.to_string_lossy().into_owned();
    let mut env = extra_env.to_vec();
    env.push(("NODE_PATH", modules.to_string_lossy().into_owned()));
    let proxy = Proxy::start(&emu.url()).await;
    let out = run_script(
        &node,
        &[&path],
        proxy.url(),
        emu.token(),
        &env,
        Duration::from_secs(300),
    )
    .await;
    validate_captured(&proxy, script);
    proxy.stop();
    Some(out)
}

/// Validates every `/api/v1` response body the SDK script received (captured by the proxy)
/// against the official document; panics listing the violations.
fn validate_captured(proxy: &Proxy, script: &str) {
    let Some(shared) = shared_dir() else {
        return skip(
            "../shared/okta/spec (the official document) is missing, so SDK responses were not schema-checked; \
             set SPINDLE_SHARED_DIR",
        );
    };
    let mut spec = match Spec::load(&shared.join("okta/spec/2026.06.3/management-minimal.yaml")) {
        Ok(s) => s,
        Err(e) => panic!("official document: {e}"),
    };
    let (valid, problems) = proxy.validate(&mut spec);
    eprintln!("{script}: {valid} response bodies valid against the official schema");
    assert!(
        problems.is_empty(),
        "{script}: {} responses violate the official schema:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Calls the emulator's Okta API with its API token (and `body` as JSON); returns the status
/// and the JSON body (`null` when there is none).
pub async fn ssws_call(
    http: &reqwest::Client,
    emu: &Emulator,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut req = http
        .request(method.clone(), format!("{}{path}", emu.url()))
        .header("authorization", format!("SSWS {}", emu.token()))
        .header("accept", "application/json");
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}
