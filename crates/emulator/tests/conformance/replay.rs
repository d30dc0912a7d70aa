//! Replays real Okta exchanges recorded by Okta's Python SDK test suite (VCR cassettes in
//! `../shared/okta/recordings/okta-sdk-python`) against a fresh emulator per cassette, and
//! compares each response's status code and JSON shape (keys and value types) with the
//! recording.
//!
//! - A cassette is replayed when every request in it hits an endpoint the emulator covers.
//! - Ids are mapped: whenever a recorded response and the emulator's response carry an `id`
//!   (or another id-valued field) at the same place, the recorded id is mapped to the
//!   emulator's, and later request paths and bodies are rewritten with the mapping.
//! - A recorded request whose path holds an id that no earlier response produced depends on
//!   state of the recording org, so its cassette is left out (and counted).
//! - Request bodies that the recorder dropped (most 2020 cassettes) are rebuilt from the
//!   recorded response (profile, password presence, app settings).
//! - `Link: rel="next"` URLs are followed as the emulator gave them, not as recorded.
//! - Differences that are explained are in [`ALLOWED`], each with its reason; any other
//!   difference fails the test.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};
use spindle_emulator::{EmulatorConfig, RateLimitMode};

use crate::spec_schema::Spec;
use crate::support;

mod allowed;
mod cassette;
mod shape;

use allowed::ALLOWED;
use cassette::{
    Cassette, Exchange, endpoint, exclusion, load_cassettes, next_from_link_values, recordings_dir,
};
use shape::{diff_values, learn_ids, map_ids};

/// A request body for an exchange whose body the recorder dropped, rebuilt from the
/// recorded response; `state` remembers passwords and answers set earlier.
fn synthesize_body(
    ex: &Exchange,
    pattern: &str,
    rec: &Value,
    state: &mut ReplayState,
) -> Option<Value> {
    let pick = |keys: &[&str]| -> Value {
        let mut m = Map::new();
        for k in keys {
            if let Some(v) = rec.get(*k).filter(|v| !v.is_null()) {
                m.insert((*k).to_owned(), v.clone());
            }
        }
        Value::Object(m)
    };
    let profile = || {
        let mut p = rec.get("profile").cloned().unwrap_or_else(|| json!({}));
        if let Some(m) = p.as_object_mut() {
            m.retain(|_, v| !v.is_null());
        }
        p
    };
    match (ex.method.as_str(), pattern) {
        ("POST", "/api/v1/users") => {
            let mut creds = Map::new();
            let rc = rec.get("credentials");
            if rc.and_then(|c| c.get("password")).is_some() {
                creds.insert(
                    "password".into(),
                    json!({ "value": state.password.clone() }),
                );
            }
            if let Some(q) = rc
                .and_then(|c| c.get("recovery_question"))
                .and_then(|q| q.get("question"))
            {
                creds.insert(
                    "recovery_question".into(),
                    json!({ "question": q, "answer": state.answer.clone() }),
                );
            }
            if let Some(p) = rc
                .and_then(|c| c.get("provider"))
                .filter(|p| p.get("type") != Some(&json!("OKTA")))
            {
                creds.insert("provider".into(), p.clone());
            }
            let mut body = json!({ "profile": profile() });
            if !creds.is_empty() {
                body["credentials"] = Value::Object(creds);
            }
            Some(body)
        }
        ("POST" | "PUT", "/api/v1/users/*")
        | ("POST", "/api/v1/groups")
        | ("PUT", "/api/v1/groups/*") => Some(json!({ "profile": profile() })),
        ("POST", "/api/v1/apps") => {
            let mut app = pick(&[
                "name",
                "label",
                "signOnMode",
                "settings",
                "accessibility",
                "visibility",
            ]);
            if let Some(method) = rec
                .pointer("/credentials/oauthClient/token_endpoint_auth_method")
                .filter(|v| !v.is_null())
            {
                app["credentials"] =
                    json!({ "oauthClient": { "token_endpoint_auth_method": method } });
            }
            Some(app)
        }
        ("POST", "/api/v1/apps/*/users") => Some(pick(&["id", "scope"])),
        // primary authentication of the user the cassette created, with its password
        ("POST", "/api/v1/authn") => Some(json!({
            "username": rec.pointer("/_embedded/user/profile/login").cloned().unwrap_or(Value::Null),
            "password": state.password,
        })),
        // group rules, factors, grants, user types, linked objects
        ("POST", "/api/v1/users/*/factors") => Some(pick(&["factorType", "provider", "profile"])),
        ("POST" | "PUT", "/api/v1/groups/rules" | "/api/v1/groups/rules/*") => {
            Some(pick(&["type", "name", "conditions", "actions"]))
        }
        ("POST", "/api/v1/meta/types/user") | ("POST" | "PUT", "/api/v1/meta/types/user/*") => {
            Some(pick(&["name", "displayName", "description"]))
        }
        ("POST", "/api/v1/meta/schemas/user/linkedObjects") => {
            Some(pick(&["primary", "associated"]))
        }
        ("POST", "/api/v1/users/*/credentials/change_password") => {
            let old = state.password.clone();
            state.password = format!("{old}x");
            Some(
                json!({ "oldPassword": { "value": old }, "newPassword": { "value": state.password } }),
            )
        }
        ("POST", "/api/v1/users/*/credentials/change_recovery_question") => {
            let question = rec
                .pointer("/recovery_question/question")
                .cloned()
                .unwrap_or(json!("Question?"));
            Some(
                json!({ "password": { "value": state.password }, "recovery_question": { "question": question, "answer": state.answer } }),
            )
        }
        ("POST", "/api/v1/users/*/credentials/forgot_password_recovery_question") => {
            state.password = format!("{}y", state.password);
            Some(
                json!({ "password": { "value": state.password }, "recovery_question": { "answer": state.answer } }),
            )
        }
        _ => None,
    }
}

#[derive(Debug)]
struct ReplayState {
    password: String,
    answer: String,
}

/// What one cassette's replay found.
#[derive(Debug, Default)]
struct CassetteResult {
    exchanges: usize,
    matched: usize,
    /// Emulator bodies that validated against the official document's schema.
    schema_valid: usize,
    allowed: Vec<String>,
    mismatches: Vec<String>,
}

/// Okta documents primary authentication outside the management document.
const AUTHN_UNDOCUMENTED: &str =
    "Okta's Authentication API (`/api/v1/authn`) is documented apart from the management document";

async fn replay(
    cassette: &Cassette,
    http: &reqwest::Client,
    spec: &mut Spec,
    older: &mut Spec,
) -> CassetteResult {
    let emu = support::start(EmulatorConfig {
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await;
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut next_links: HashMap<String, String> = HashMap::new();
    let mut state = ReplayState {
        password: "Replay-Passw0rd-1".into(),
        answer: "replay answer".into(),
    };
    let mut result = CassetteResult::default();

    for (n, ex) in cassette.exchanges.iter().enumerate() {
        let Some(pattern) = endpoint(&ex.method, &ex.target) else {
            continue;
        };
        let label = format!("#{n} {} {}", ex.method, ex.target);
        let recorded: Value = serde_json::from_str(&ex.response).unwrap_or(Value::Null);
        // A recorded body with no Okta error shape on an error status came from something
        // in front of Okta (a proxy or mock in the recorder), not from Okta.
        if ex.status >= 400 && recorded.get("errorCode").is_none() {
            result.allowed.push(format!(
                "{label}: skipped, the recorded {} is not an Okta response",
                ex.status
            ));
            continue;
        }
        let target = match next_links.get(&ex.target) {
            Some(t) => t.clone(),
            None => map_ids(&ex.target, &ids),
        };
        // a password the recorded request set is the one later sign-ins use
        if let Some(pw) = ex
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str::<Value>(b).ok())
            .and_then(|b| {
                b.pointer("/credentials/password/value")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
        {
            state.password = pw;
        }
        let body = match &ex.body {
            Some(b) => Some(map_ids(b, &ids)),
            None => synthesize_body(ex, pattern, &recorded, &mut state)
                .map(|v| map_ids(&v.to_string(), &ids)),
        };
        let method =
            reqwest::Method::from_bytes(ex.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut req = http
            .request(method, format!("{}{target}", emu.url()))
            .header("Accept", "application/json");
        // primary authentication is made without an API token, as recorded
        if pattern != "/api/v1/authn" {
            req = req.header("Authorization", format!("SSWS {}", emu.token()));
        }
        if matches!(ex.method.as_str(), "POST" | "PUT" | "PATCH") {
            req = req
                .header("Content-Type", "application/json")
                .body(body.unwrap_or_default());
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                result
                    .mismatches
                    .push(format!("{label}: request failed: {e}"));
                continue;
            }
        };
        result.exchanges += 1;
        let status = resp.status().as_u16();
        let emu_next = next_from_link_values(
            resp.headers()
                .get_all("link")
                .iter()
                .filter_map(|v| v.to_str().ok()),
        );
        let text = resp.text().await.unwrap_or_default();
        let actual: Value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::Null)
        };
        if let (Some(rec_next), Some(emu_next)) = (&ex.next_link, emu_next) {
            next_links.insert(rec_next.clone(), emu_next);
        }
        learn_ids(&recorded, &actual, &mut ids);
        let emu_path = target.split('?').next().unwrap_or("");
        let mut schema_problems: Vec<String> = Vec::new();
        if !text.trim().is_empty() {
            // `createSession` left the current document; the previous one (2024.06.1) has it
            let doc: &mut Spec = if spec.operation_id(&ex.method, emu_path).is_none()
                && older.operation_id(&ex.method, emu_path).is_some()
            {
                &mut *older
            } else {
                &mut *spec
            };
            let validated = match doc.validate(&ex.method, emu_path, status, &actual) {
                Err(e)
                    if e.starts_with("no operation in the document")
                        && pattern == "/api/v1/authn" =>
                {
                    result.allowed.push(format!(
                        "{label}: schema not checked ({AUTHN_UNDOCUMENTED})"
                    ));
                    Ok(None)
                }
                Err(e) if e.starts_with("no operation in the document") && status == 405 => {
                    result.allowed.push(format!(
                        "{label}: schema not checked (no such operation; Okta answers 405 E0000022 as recorded)"
                    ));
                    Ok(None)
                }
                Err(e)
                    if e.contains("is not documented")
                        && status == ex.status
                        && actual.get("errorCode") == recorded.get("errorCode") =>
                {
                    result.allowed.push(format!(
                        "{label}: schema not checked ({e}; Okta answered the same status and error code, as recorded)"
                    ));
                    Ok(None)
                }
                other => other,
            };
            match validated {
                Ok(Some(violations)) if violations.is_empty() => result.schema_valid += 1,
                Ok(Some(violations)) => {
                    // Violations that Okta's own recorded answer has too are the document's
                    // inaccuracy, not the emulator's (e.g. a group's `description: null`).
                    let recorded_violations = if status == ex.status {
                        doc.validate(&ex.method, emu_path, status, &recorded)
                            .ok()
                            .flatten()
                            .unwrap_or_default()
                    } else {
                        Vec::new()
                    };
                    for v in violations {
                        if recorded_violations.iter().any(|r| r.key == v.key) {
                            result.allowed.push(format!(
                                "{label}: schema: {} (allowed: the recorded Okta response violates the document the same way)",
                                v.message
                            ));
                        } else {
                            schema_problems.push(v.message);
                        }
                    }
                }
                Ok(None) => {}
                Err(e) => schema_problems.push(e),
            }
        }

        let endpoint_label = format!("{} {pattern}", ex.method);
        let mut problems: Vec<(String, String)> = Vec::new();
        for p in schema_problems {
            problems.push(("schema".into(), p));
        }
        if status != ex.status {
            problems.push((
                "status".into(),
                format!(
                    "recorded {}, emulator {status}: {}",
                    ex.status,
                    truncate(&text)
                ),
            ));
        } else {
            if let (Some(r), Some(e)) = (recorded.get("errorCode"), actual.get("errorCode"))
                && r != e
            {
                problems.push(("$.errorCode".into(), format!("recorded {r}, emulator {e}")));
            }
            diff_values("$", &recorded, &actual, &ids, &mut problems);
        }
        let mut clean = true;
        for (what, desc) in problems {
            let allowed = ALLOWED.iter().find(|a| {
                (a.endpoint == "*" || a.endpoint == endpoint_label)
                    && a.year.is_none_or(|y| ex.year == Some(y))
                    && a.recorded_has.is_none_or(|p| recorded.pointer(p).is_some())
                    && (what == a.what
                        || what.starts_with(&format!("{}.", a.what))
                        || what.starts_with(&format!("{}[", a.what)))
            });
            match allowed {
                Some(a) => result
                    .allowed
                    .push(format!("{label}: {what}: {desc} (allowed: {})", a.reason)),
                None => {
                    clean = false;
                    result.mismatches.push(format!("{label}: {what}: {desc}"));
                }
            }
        }
        if clean {
            result.matched += 1;
        }
    }
    emu.shutdown().await;
    result
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s.to_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_okta_exchanges_replay_with_the_same_status_and_shape() {
    let Some(dir) = recordings_dir().filter(|d| d.is_dir()) else {
        return support::skip(
            "../shared/okta/recordings/okta-sdk-python (recorded Okta exchanges) is not beside the repository; \
             set SPINDLE_SHARED_DIR",
        );
    };
    let cassettes = load_cassettes(&dir);
    assert!(
        cassettes.len() > 100,
        "expected the ~440 cassettes under {}, found {}",
        dir.display(),
        cassettes.len()
    );

    let Some(spec_path) =
        support::shared_dir().map(|d| d.join("okta/spec/2026.06.3/management-minimal.yaml"))
    else {
        return support::skip("../shared/okta/spec is missing; set SPINDLE_SHARED_DIR");
    };
    let mut spec = Spec::load(&spec_path).unwrap_or_else(|e| panic!("official document: {e}"));
    let older_path = spec_path
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("2024.06.1/management-minimal.yaml"))
        .unwrap_or_default();
    let mut older = Spec::load_as_published(&older_path)
        .unwrap_or_else(|e| panic!("official document 2024.06.1: {e}"));
    let http = reqwest::Client::new();
    let mut report = String::new();
    let (mut replayed, mut exchanges, mut matched, mut excluded, mut schema_valid) =
        (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    let mut allowed_total = 0;
    for c in &cassettes {
        if let Some(why) = exclusion(c) {
            excluded += 1;
            let _ = writeln!(report, "  excluded {}: {why}", c.name);
            continue;
        }
        let r = replay(c, &http, &mut spec, &mut older).await;
        replayed += 1;
        exchanges += r.exchanges;
        matched += r.matched;
        schema_valid += r.schema_valid;
        allowed_total += r.allowed.len();
        let _ = writeln!(
            report,
            "  replayed {}: {}/{} exchanges match",
            c.name, r.matched, r.exchanges
        );
        for a in &r.allowed {
            let _ = writeln!(report, "    {a}");
        }
        for m in r.mismatches {
            failures.push(format!("{}: {m}", c.name));
        }
    }
    eprintln!("{report}");
    eprintln!(
        "replay: {replayed} cassettes replayed ({excluded} excluded of {}), {exchanges} exchanges, {matched} matched, \
         {allowed_total} allowed differences, {schema_valid} bodies valid against the official schema, {} unexplained",
        cassettes.len(),
        failures.len()
    );
    assert!(
        replayed >= 10,
        "too few cassettes hit only covered endpoints: {replayed}"
    );
    // The recordings of group rules, factor, grant, user type, linked object) and the
    // session cassettes (sign-in through `/api/v1/authn`, then the Sessions API) must replay.
    for family in [
        "test_sessions_it/",
        "test_group_rule_operations",
        "test_factors_it/",
        "test_list_user_grants",
        "test_user_types_it/",
        "test_linked_objects_it/",
    ] {
        assert!(
            report
                .lines()
                .any(|l| l.trim_start().starts_with("replayed") && l.contains(family)),
            "no cassette of {family} was replayed"
        );
    }
    let sessions = report
        .lines()
        .filter(|l| l.trim_start().starts_with("replayed") && l.contains("test_sessions_it/"))
        .count();
    assert_eq!(sessions, 13, "all 13 session cassettes replay");
    assert!(
        failures.is_empty(),
        "{} unexplained differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
