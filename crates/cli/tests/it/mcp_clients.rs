//! Spindle's MCP server driven by the official MCP SDKs, pinned in scripts/install-third-party:
//! PyPI `mcp` (tests/mcp/client.py) and npm `@modelcontextprotocol/sdk` (tests/mcp/client.cjs,
//! which also validates every successful result's structuredContent against the tool's
//! outputSchema). Each runs its checks (initialize, tools, a read, a write, a destructive call
//! declined and confirmed by elicitation, invalid input, Okta's 404, paging 1,000+ users) over
//! stdio (`spindle mcp` against an in-process emulator) and over streamable HTTP (the gateway's
//! `/mcp/demo` of `spindle serve --demo`).
//!
//! Without the SDKs installed the tests print SKIPPED and pass, unless `SPINDLE_NO_SKIP=1`.

use std::path::PathBuf;
use std::process::Command;

use crate::run::Org;
use crate::serve::{start_serve, stop};
use crate::{skip, third_party};

const USERS: usize = 1050;

fn script(name: &str) -> PathBuf {
    crate::test_script("mcp", name)
}

/// Runs a client with `args`; it must pass every check.
fn check(mut command: Command, args: &[&str]) {
    let output = command
        .args(args)
        .env_remove("OKTA_CLIENT_ORGURL")
        .env_remove("OKTA_CLIENT_TOKEN")
        .output()
        .expect("the client runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the client failed:\n{stdout}\n{stderr}"
    );
    for what in [
        "initialize",
        "tools/list",
        "read call",
        "write call",
        "destructive declined",
        "destructive confirmed",
        "invalid input",
        "okta 404",
        "paging",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(&format!("ok {what}"))),
            "no `ok {what}` in:\n{stdout}\n{stderr}"
        );
    }
}

/// Runs the client over stdio and over HTTP.
fn both_transports(client: impl Fn() -> Command) {
    let spindle = assert_cmd::cargo::cargo_bin("spindle");
    let org = Org::start(USERS, 3);
    check(
        client(),
        &[
            "stdio",
            &spindle.display().to_string(),
            &org.emulator.url(),
            org.emulator.token(),
        ],
    );

    let dir = tempfile::tempdir().expect("a temp dir");
    let employees = USERS.to_string();
    let (child, first) = start_serve(
        &[
            "--demo",
            "--addr",
            "127.0.0.1:0",
            "--demo-employees",
            &employees,
        ],
        dir.path(),
    );
    let rest = first.strip_prefix("url=").expect("url=<url> key=<key>");
    let (url, key) = rest.split_once(" key=").expect("url=<url> key=<key>");
    let endpoint = format!("{url}/mcp/demo");
    // Stop the gateway whatever the outcome.
    let command = client();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check(command, &["http", &endpoint, key]);
    }));
    stop(child);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn the_python_sdk_drives_the_mcp_server() {
    let venv = third_party().join("venv-mcp");
    let python = venv.join("bin/python");
    if !python.is_file() || !venv.join(".spindle-installed").is_file() {
        return skip(&format!(
            "the MCP Python SDK (PyPI mcp) is not installed in {}",
            venv.display()
        ));
    }
    both_transports(|| {
        let mut command = Command::new(&python);
        command.arg(script("client.py"));
        command
    });
}

#[test]
fn the_typescript_sdk_drives_the_mcp_server() {
    let modules = third_party().join("node/node_modules");
    if !modules
        .join("@modelcontextprotocol/sdk/package.json")
        .is_file()
    {
        return skip(&format!(
            "the MCP TypeScript SDK (npm @modelcontextprotocol/sdk) is not installed in {}",
            modules.display()
        ));
    }
    if !crate::node_runs() {
        return skip("node (Node.js 20) is not on PATH");
    }
    both_transports(|| {
        let mut command = Command::new("node");
        command.env("NODE_PATH", &modules).arg(script("client.cjs"));
        command
    });
}

#[test]
fn an_unknown_toolset_or_tool_is_refused_before_serving() {
    for args in [["--toolsets", "usres"], ["--tools", "delete_a_grop"]] {
        let output = crate::spindle()
            .args(["mcp", "--org-url", "http://127.0.0.1:1", "--token", "t"])
            .args(args)
            .output()
            .expect("spindle runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(args[1]), "{stderr}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn spindle_mcp_answers_json_rpc_on_stdio() {
    use std::io::Write as _;
    let org = Org::start(3, 1);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("spindle"))
        .args([
            "mcp",
            "--org-url",
            &org.emulator.url(),
            "--token",
            org.emulator.token(),
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spindle mcp starts");
    let lines = [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
        r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_list_all_users","arguments":{}}}"#,
    ];
    let mut stdin = child.stdin.take().expect("stdin");
    for line in lines {
        writeln!(stdin, "{line}").expect("written");
    }
    drop(stdin);
    let output = child.wait_with_output().expect("it ends");
    assert!(output.status.success(), "{:?}", output.status);
    let answers: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("only JSON-RPC on stdout"))
        .collect();
    let by_id = |id: i64| answers.iter().find(|a| a["id"] == id).expect("an answer");
    assert_eq!(by_id(1)["result"]["protocolVersion"], "2025-06-18");
    let tools = by_id(2)["result"]["tools"].as_array().unwrap();
    let reads = spindle_actions::catalog::all()
        .iter()
        .filter(|a| a.operation == spindle_actions::Operation::Read)
        .count();
    assert_eq!(tools.len(), reads, "read-only by default");
    let items = &by_id(3)["result"]["structuredContent"]["items"];
    assert_eq!(items.as_array().map(Vec::len), Some(3));
}
