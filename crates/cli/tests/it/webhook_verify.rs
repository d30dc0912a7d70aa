//! Webhook deliveries signed as the gateway signs them (Standard Webhooks: HMAC-SHA256 of
//! `{id}.{timestamp}.{body}` under the base64-decoded part of `whsec_…`, `v1,<base64>` per active
//! secret) verified by the Standard Webhooks libraries: PyPI `standardwebhooks` and npm
//! `standardwebhooks`, pinned in scripts/install-third-party. The valid delivery verifies; a
//! changed body, id or timestamp, an old or future timestamp and a wrong secret fail; during a
//! rotation both secrets verify the doubly signed delivery. The Rust verifier of docs/webhooks.md
//! is checked against the same cases.
//!
//! Without the libraries installed the tests print SKIPPED and pass, unless `SPINDLE_NO_SKIP=1`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::{skip, third_party};

fn script(name: &str) -> PathBuf {
    crate::test_script("webhooks", name)
}

/// A `whsec_` secret of `key` bytes.
fn secret(key: &[u8]) -> String {
    format!("whsec_{}", BASE64.encode(key))
}

/// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` under each key, space-separated.
fn sign(keys: &[&[u8]], id: &str, timestamp: i64, body: &str) -> String {
    keys.iter()
        .map(|key| {
            let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
            mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
            format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn headers(id: &str, timestamp: i64, signature: &str) -> Value {
    json!({
        "webhook-id": id,
        "webhook-timestamp": timestamp.to_string(),
        "webhook-signature": signature,
        "content-type": "application/json",
    })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        .try_into()
        .expect("fits")
}

/// A delivery body as the gateway sends it.
fn body() -> String {
    serde_json::to_string(&json!({
        "type": "employee.updated",
        "timestamp": "2026-12-07T10:00:01.250Z",
        "data": {
            "connection_id": "conn_01JTEST",
            "seq": 1234,
            "object": "employees",
            "record_id": "00u1abcd",
            "okta_at": "2026-12-07T10:00:00Z",
            "seen_at": "2026-12-07T10:00:01.250Z",
            "record": {"id": "00u1abcd", "email": "ada@example.com", "title": "Engineer — Ünïcode"},
            "changed_fields": ["title"],
        },
    }))
    .expect("JSON")
}

const KEY_OLD: &[u8] = b"spindle-test-key-one-32-bytes!!!";
const KEY_NEW: &[u8] = b"spindle-test-key-two-32-bytes!!!";
const ID: &str = "msg_01JTESTVERIFY";

/// Every case and whether it must verify.
fn cases() -> Vec<(Value, bool)> {
    let body = body();
    let ts = now();
    let signed = sign(&[KEY_OLD], ID, ts, &body);
    let both = sign(&[KEY_NEW, KEY_OLD], ID, ts, &body);
    let case = |name: &str, key: &[u8], body: &str, headers: Value| json!({"name": name, "secret": secret(key), "body": body, "headers": headers});
    let old = ts - 6 * 60;
    let future = ts + 6 * 60;
    vec![
        (
            case("valid", KEY_OLD, &body, headers(ID, ts, &signed)),
            true,
        ),
        (
            case(
                "changed body",
                KEY_OLD,
                &body.replace("1234", "1235"),
                headers(ID, ts, &signed),
            ),
            false,
        ),
        (
            case(
                "changed id",
                KEY_OLD,
                &body,
                headers("msg_01JOTHER", ts, &signed),
            ),
            false,
        ),
        (
            case(
                "changed timestamp",
                KEY_OLD,
                &body,
                headers(ID, ts + 1, &signed),
            ),
            false,
        ),
        (
            case(
                "old timestamp",
                KEY_OLD,
                &body,
                headers(ID, old, &sign(&[KEY_OLD], ID, old, &body)),
            ),
            false,
        ),
        (
            case(
                "future timestamp",
                KEY_OLD,
                &body,
                headers(ID, future, &sign(&[KEY_OLD], ID, future, &body)),
            ),
            false,
        ),
        (
            case("wrong secret", KEY_NEW, &body, headers(ID, ts, &signed)),
            false,
        ),
        (
            case(
                "rotation, old secret",
                KEY_OLD,
                &body,
                headers(ID, ts, &both),
            ),
            true,
        ),
        (
            case(
                "rotation, new secret",
                KEY_NEW,
                &body,
                headers(ID, ts, &both),
            ),
            true,
        ),
    ]
}

/// Runs `program script` with the cases on stdin and checks each result.
fn check(mut command: Command) {
    let cases = cases();
    let input = Value::Array(cases.iter().map(|(c, _)| c.clone()).collect());
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the verifier starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("the cases are written");
    let output = child.wait_with_output().expect("the verifier ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the verifier failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<Value> =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
    assert_eq!(results.len(), cases.len(), "{stdout}");
    let expected_payload: Value = serde_json::from_str(&body()).expect("JSON");
    for ((case, verifies), result) in cases.iter().zip(&results) {
        assert_eq!(result["name"], case["name"]);
        assert_eq!(
            result["verified"], *verifies,
            "{}: expected verified={verifies}, got {result}",
            case["name"]
        );
        if *verifies {
            assert_eq!(result["payload"], expected_payload, "{}", case["name"]);
        }
    }
}

#[test]
fn python_standardwebhooks_verifies_the_gateway_signatures() {
    let venv = third_party().join("venv-standardwebhooks");
    let python = venv.join("bin/python");
    if !python.is_file() || !venv.join(".spindle-installed").is_file() {
        return skip(&format!(
            "the Standard Webhooks Python library (PyPI standardwebhooks) is not installed in {}",
            venv.display()
        ));
    }
    let mut command = Command::new(python);
    command.arg(script("verify.py"));
    check(command);
}

#[test]
fn node_standardwebhooks_verifies_the_gateway_signatures() {
    let modules = third_party().join("node/node_modules");
    if !modules.join("standardwebhooks/package.json").is_file() {
        return skip(&format!(
            "the Standard Webhooks Node library (npm standardwebhooks) is not installed in {}",
            modules.display()
        ));
    }
    if !crate::node_runs() {
        return skip("node (Node.js 20) is not on PATH");
    }
    let mut command = Command::new("node");
    command.env("NODE_PATH", &modules).arg(script("verify.cjs"));
    check(command);
}

/// The Rust verifier of docs/webhooks.md, as printed there.
fn verify(
    secret: &str,
    id: &str,
    timestamp: &str,
    signature_header: &str,
    body: &[u8],
    now: i64,
) -> bool {
    let Some(key) = secret
        .strip_prefix("whsec_")
        .and_then(|k| BASE64.decode(k).ok())
    else {
        return false;
    };
    let Ok(ts) = timestamp.parse::<i64>() else {
        return false;
    };
    if (now - ts).abs() > 5 * 60 {
        return false;
    }
    signature_header
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|sig| {
            let Ok(sig) = BASE64.decode(sig) else {
                return false;
            };
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
            mac.update(format!("{id}.{timestamp}.").as_bytes());
            mac.update(body);
            mac.verify_slice(&sig).is_ok()
        })
}

#[test]
fn the_documented_rust_verifier_agrees() {
    for (case, verifies) in cases() {
        let header = |name: &str| case["headers"][name].as_str().expect("a header").to_owned();
        let verified = verify(
            case["secret"].as_str().expect("secret"),
            &header("webhook-id"),
            &header("webhook-timestamp"),
            &header("webhook-signature"),
            case["body"].as_str().expect("body").as_bytes(),
            now(),
        );
        assert_eq!(verified, verifies, "{}", case["name"]);
    }
}
