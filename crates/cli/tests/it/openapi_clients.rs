//! Clients generated from the gateway's `/openapi.json` by third-party generators, pinned in
//! scripts/install-third-party: openapi-python-client (checked with `mypy --strict`) and
//! openapi-typescript + openapi-fetch (compiled with `tsc --strict`). Each runs a script
//! (tests/openapi/client.py, tests/openapi/client.mts) against `spindle serve --demo`: list the
//! connections, page every employee, run a read and a write with typed input and output, and get
//! a 422 as a typed `Problem`. Redocly's recommended rules lint the document with 0 errors.
//!
//! Without the tools installed the tests print SKIPPED and pass, unless `SPINDLE_NO_SKIP=1`.

use std::path::Path;
use std::process::{Command, Output};

use crate::serve::{call, start_serve, stop};
use crate::{skip, third_party};

const CHECKS: [&str; 5] = [
    "ok list connections",
    "ok page employees 250",
    "ok read",
    "ok write",
    "ok problem ",
];

/// Runs `command`; it must succeed.
fn run(mut command: Command, what: &str) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what} cannot start: {e}"));
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A demo gateway of 250 employees; its URL and key, and the document it serves in `dir`.
fn demo(dir: &Path) -> (std::process::Child, String, String) {
    let (child, first) = start_serve(
        &["--demo", "--demo-employees", "250", "--addr", "127.0.0.1:0"],
        dir,
    );
    let rest = first.strip_prefix("url=").expect("url=<url> key=<key>");
    let (url, key) = rest.split_once(" key=").expect("url=<url> key=<key>");
    let (status, document) = call("GET", &format!("{url}/openapi.json"), key, None);
    assert_eq!(status, 200, "{document}");
    std::fs::write(
        dir.join("openapi.json"),
        serde_json::to_vec(&document).expect("JSON"),
    )
    .expect("write the document");
    (child, url.to_owned(), key.to_owned())
}

fn assert_checks(output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    for check in CHECKS {
        assert!(
            stdout.lines().any(|l| l.starts_with(check)),
            "no `{check}` in:\n{stdout}"
        );
    }
}

#[test]
fn a_python_client_generated_from_the_document_type_checks_and_runs() {
    let venv = third_party().join("venv-openapi-client");
    if !venv.join(".spindle-installed").is_file() {
        return skip(&format!(
            "openapi-python-client and mypy are not installed in {}",
            venv.display()
        ));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (gateway, url, key) = demo(dir.path());
    let mut generate = Command::new(venv.join("bin/openapi-python-client"));
    generate
        .args(["generate", "--path", "openapi.json", "--meta", "none"])
        .args(["--output-path", "spindle_client"])
        .current_dir(dir.path());
    run(generate, "openapi-python-client");
    std::fs::copy(
        crate::test_script("openapi", "client.py"),
        dir.path().join("client.py"),
    )
    .expect("copy the script");
    let mut mypy = Command::new(venv.join("bin/mypy"));
    mypy.args([
        "--strict",
        "--no-incremental",
        "spindle_client",
        "client.py",
    ])
    .current_dir(dir.path());
    run(mypy, "mypy --strict");
    let mut client = Command::new(venv.join("bin/python"));
    client
        .args(["client.py", &url, &key])
        .current_dir(dir.path());
    let output = run(client, "the Python client");
    stop(gateway);
    assert_checks(&output);
}

#[test]
fn a_typescript_client_generated_from_the_document_compiles_strictly_and_runs() {
    let modules = third_party().join("openapi-ts/node_modules");
    if !third_party()
        .join("openapi-ts/.spindle-installed")
        .is_file()
    {
        return skip(&format!(
            "openapi-typescript, openapi-fetch and typescript are not installed in {}",
            modules.display()
        ));
    }
    if !crate::node_runs() {
        return skip("node (Node.js 20) is not on PATH");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (gateway, url, key) = demo(dir.path());
    #[cfg(unix)]
    std::os::unix::fs::symlink(&modules, dir.path().join("node_modules"))
        .expect("link node_modules");
    // Input fields with a default stay optional in a request body: without
    // --default-non-nullable=false, openapi-typescript makes every defaulted field required.
    let mut generate = Command::new(modules.join(".bin/openapi-typescript"));
    generate
        .args([
            "openapi.json",
            "-o",
            "schema.d.ts",
            "--default-non-nullable=false",
        ])
        .current_dir(dir.path());
    run(generate, "openapi-typescript");
    std::fs::copy(
        crate::test_script("openapi", "client.mts"),
        dir.path().join("client.mts"),
    )
    .expect("copy the script");
    std::fs::write(
        dir.path().join("tsconfig.json"),
        r#"{"compilerOptions": {"strict": true, "target": "es2022", "module": "nodenext",
            "moduleResolution": "nodenext", "lib": ["es2022", "dom"], "types": [],
            "outDir": "out"}, "files": ["client.mts", "schema.d.ts"]}"#,
    )
    .expect("write tsconfig.json");
    let mut tsc = Command::new(modules.join(".bin/tsc"));
    tsc.args(["-p", "tsconfig.json"]).current_dir(dir.path());
    run(tsc, "tsc --strict");
    let mut client = Command::new("node");
    client
        .args(["out/client.mjs", &url, &key])
        .current_dir(dir.path());
    let output = run(client, "the TypeScript client");
    stop(gateway);
    assert_checks(&output);
}

#[test]
fn the_document_passes_redocly_lint_with_no_error() {
    let modules = third_party().join("openapi-ts/node_modules");
    let redocly = modules.join(".bin/redocly");
    if !redocly.is_file() {
        return skip(&format!(
            "@redocly/cli is not installed in {}",
            modules.display()
        ));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let document = spindle_server::openapi::document();
    std::fs::write(
        dir.path().join("openapi.json"),
        serde_json::to_vec(&document).expect("JSON"),
    )
    .expect("write the document");
    let mut lint = Command::new(redocly);
    lint.args([
        "lint",
        "openapi.json",
        "--extends",
        "recommended",
        "--format",
        "stylish",
    ])
    .env("REDOCLY_TELEMETRY", "off")
    .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
    .current_dir(dir.path());
    // Redocly exits non-zero on any error (warnings pass).
    let output = run(lint, "redocly lint");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(!text.contains(" error "), "{text}");
}
