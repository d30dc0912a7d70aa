//! Reading the VCR cassettes: exchanges, which endpoints they hit, and whether a cassette
//! can be replayed against a fresh emulator.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::shape::is_id_key;
use crate::support;

/// One recorded request/response pair.
#[derive(Debug, Clone)]
pub(super) struct Exchange {
    pub(super) method: String,
    /// Path and query, as recorded (double slashes collapsed).
    pub(super) target: String,
    pub(super) body: Option<String>,
    pub(super) status: u16,
    pub(super) response: String,
    pub(super) next_link: Option<String>,
    /// The year of the response's `Date` header (Okta's answers changed between years).
    pub(super) year: Option<u16>,
}

#[derive(Debug)]
pub(super) struct Cassette {
    pub(super) name: String,
    pub(super) exchanges: Vec<Exchange>,
}

/// Endpoints the emulator covers: `(method, path pattern)`; `*` is one id segment.
pub(super) const COVERED: &[(&str, &str)] = &[
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users/*"),
    ("POST", "/api/v1/users/*"),
    ("PUT", "/api/v1/users/*"),
    ("DELETE", "/api/v1/users/*"),
    ("GET", "/api/v1/users/*/appLinks"),
    ("GET", "/api/v1/users/*/blocks"),
    ("GET", "/api/v1/users/*/groups"),
    ("GET", "/api/v1/users/*/idps"),
    ("POST", "/api/v1/users/*/lifecycle/activate"),
    ("POST", "/api/v1/users/*/lifecycle/deactivate"),
    ("POST", "/api/v1/users/*/lifecycle/reactivate"),
    ("POST", "/api/v1/users/*/lifecycle/suspend"),
    ("POST", "/api/v1/users/*/lifecycle/unsuspend"),
    ("POST", "/api/v1/users/*/lifecycle/unlock"),
    ("POST", "/api/v1/users/*/lifecycle/expire_password"),
    (
        "POST",
        "/api/v1/users/*/lifecycle/expire_password_with_temp_password",
    ),
    ("POST", "/api/v1/users/*/lifecycle/reset_password"),
    ("POST", "/api/v1/users/*/lifecycle/reset_factors"),
    ("POST", "/api/v1/users/*/credentials/change_password"),
    (
        "POST",
        "/api/v1/users/*/credentials/change_recovery_question",
    ),
    ("POST", "/api/v1/users/*/credentials/forgot_password"),
    (
        "POST",
        "/api/v1/users/*/credentials/forgot_password_recovery_question",
    ),
    ("DELETE", "/api/v1/users/*/sessions"),
    ("GET", "/api/v1/groups"),
    ("POST", "/api/v1/groups"),
    ("GET", "/api/v1/groups/*"),
    ("PUT", "/api/v1/groups/*"),
    ("DELETE", "/api/v1/groups/*"),
    ("GET", "/api/v1/groups/*/users"),
    ("PUT", "/api/v1/groups/*/users/*"),
    ("DELETE", "/api/v1/groups/*/users/*"),
    ("GET", "/api/v1/groups/*/apps"),
    ("GET", "/api/v1/apps"),
    ("POST", "/api/v1/apps"),
    ("GET", "/api/v1/apps/*"),
    ("PUT", "/api/v1/apps/*/groups/*"),
    ("POST", "/api/v1/apps/*/users"),
    ("PUT", "/api/v1/apps/*/users/*"),
    // beyond the emulator's minimal (OIDC-only) apps, implemented and used by the cassettes'
    // clean-up steps
    ("POST", "/api/v1/apps/*/lifecycle/activate"),
    ("POST", "/api/v1/apps/*/lifecycle/deactivate"),
    ("DELETE", "/api/v1/apps/*"),
    ("GET", "/api/v1/apps/*/groups"),
    ("DELETE", "/api/v1/apps/*/groups/*"),
    ("GET", "/api/v1/apps/*/users"),
    ("POST", "/api/v1/apps/*/users/*"),
    ("DELETE", "/api/v1/apps/*/users/*"),
    // group rules, factors, grants, user types, linked objects
    ("GET", "/api/v1/groups/rules"),
    ("POST", "/api/v1/groups/rules"),
    ("GET", "/api/v1/groups/rules/*"),
    ("PUT", "/api/v1/groups/rules/*"),
    ("DELETE", "/api/v1/groups/rules/*"),
    ("POST", "/api/v1/groups/rules/*/lifecycle/activate"),
    ("POST", "/api/v1/groups/rules/*/lifecycle/deactivate"),
    ("GET", "/api/v1/users/*/factors"),
    ("POST", "/api/v1/users/*/factors"),
    ("GET", "/api/v1/users/*/factors/catalog"),
    ("GET", "/api/v1/users/*/factors/questions"),
    ("GET", "/api/v1/users/*/factors/*"),
    ("DELETE", "/api/v1/users/*/factors/*"),
    ("POST", "/api/v1/users/*/factors/*/lifecycle/activate"),
    ("POST", "/api/v1/users/*/factors/*/verify"),
    ("POST", "/api/v1/users/*/factors/*/resend"),
    ("GET", "/api/v1/users/*/grants"),
    ("DELETE", "/api/v1/users/*/grants"),
    ("GET", "/api/v1/users/*/grants/*"),
    ("DELETE", "/api/v1/users/*/grants/*"),
    ("GET", "/api/v1/users/*/clients"),
    ("GET", "/api/v1/meta/types/user"),
    ("POST", "/api/v1/meta/types/user"),
    ("GET", "/api/v1/meta/types/user/*"),
    ("POST", "/api/v1/meta/types/user/*"),
    ("PUT", "/api/v1/meta/types/user/*"),
    ("DELETE", "/api/v1/meta/types/user/*"),
    // `+` is a name segment (a linked-object relationship name), not an id
    ("POST", "/api/v1/meta/schemas/user/linkedObjects"),
    ("GET", "/api/v1/meta/schemas/user/linkedObjects"),
    ("GET", "/api/v1/meta/schemas/user/linkedObjects/+"),
    ("DELETE", "/api/v1/meta/schemas/user/linkedObjects/+"),
    ("GET", "/api/v1/users/*/linkedObjects/+"),
    ("DELETE", "/api/v1/users/*/linkedObjects/+"),
    ("PUT", "/api/v1/users/*/linkedObjects/+/*"),
    // sign-in: primary authentication and sessions
    ("POST", "/api/v1/authn"),
    ("POST", "/api/v1/sessions"),
    ("GET", "/api/v1/sessions"),
    ("GET", "/api/v1/sessions/*"),
    ("DELETE", "/api/v1/sessions/*"),
    ("POST", "/api/v1/sessions/*/lifecycle/refresh"),
];

/// Literal path segments that are never ids (so `/groups/rules` isn't `/groups/{id}`).
pub(super) const NOT_IDS: &[&str] = &["rules", "me", "catalog", "questions"];

pub(super) fn recordings_dir() -> Option<PathBuf> {
    support::shared_dir().map(|d| d.join("okta/recordings/okta-sdk-python"))
}

pub(super) fn load_cassettes(dir: &Path) -> Vec<Cassette> {
    let mut files = Vec::new();
    let Ok(groups) = std::fs::read_dir(dir) else {
        return files_to_cassettes(files);
    };
    for group in groups.flatten() {
        if let Ok(entries) = std::fs::read_dir(group.path()) {
            for f in entries.flatten() {
                if f.path()
                    .extension()
                    .is_some_and(|e| e == "yaml" || e == "yml")
                {
                    files.push(f.path());
                }
            }
        }
    }
    files.sort();
    files_to_cassettes(files)
}

pub(super) fn files_to_cassettes(files: Vec<PathBuf>) -> Vec<Cassette> {
    files
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).ok()?;
            let name = format!(
                "{}/{}",
                path.parent()?.file_name()?.to_string_lossy(),
                path.file_name()?.to_string_lossy()
            );
            let exchanges = doc
                .get("interactions")?
                .as_sequence()?
                .iter()
                .filter_map(parse_exchange)
                .collect();
            Some(Cassette { name, exchanges })
        })
        .collect()
}

pub(super) fn parse_exchange(i: &serde_yaml_ng::Value) -> Option<Exchange> {
    let req = i.get("request")?;
    let resp = i.get("response")?;
    let uri = req.get("uri")?.as_str()?;
    let after_scheme = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    let target = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let target = collapse_slashes(target);
    let body = req.get("body").and_then(|b| match b {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Mapping(_) => {
            b.get("string").and_then(|s| s.as_str()).map(str::to_owned)
        }
        _ => None,
    });
    let status = resp.get("status")?.get("code")?.as_u64()? as u16;
    let response = resp
        .get("body")
        .and_then(|b| b.get("string"))
        .and_then(|s| s.as_str())
        .unwrap_or("")
        .to_owned();
    let next_link = resp.get("headers").and_then(|h| {
        let mapping = h.as_mapping()?;
        let values: Vec<String> = mapping
            .iter()
            .filter(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case("link")))
            .flat_map(|(_, v)| match v {
                serde_yaml_ng::Value::String(s) => vec![s.clone()],
                serde_yaml_ng::Value::Sequence(seq) => seq
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect(),
                _ => vec![],
            })
            .collect();
        next_from_link_values(values.iter().map(String::as_str))
    });
    let year = resp
        .get("headers")
        .and_then(|h| h.as_mapping())
        .and_then(|m| {
            m.iter()
                .find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case("date")))
                .map(|(_, v)| v)
        })
        .and_then(|v| match v {
            serde_yaml_ng::Value::String(s) => Some(s.clone()),
            serde_yaml_ng::Value::Sequence(seq) => {
                seq.first().and_then(|x| x.as_str()).map(str::to_owned)
            }
            _ => None,
        })
        // `Thu, 27 Aug 2020 18:21:49 GMT`
        .and_then(|d| d.split_whitespace().nth(3).and_then(|y| y.parse().ok()));
    Some(Exchange {
        method: req.get("method")?.as_str()?.to_owned(),
        target,
        body,
        status,
        response,
        next_link,
        year,
    })
}

pub(super) fn collapse_slashes(target: &str) -> String {
    let (path, query) = target
        .split_once('?')
        .map_or((target, None), |(p, q)| (p, Some(q)));
    let mut out = String::new();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(seg);
    }
    if out.is_empty() {
        out.push('/');
    }
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The path+query of the `rel="next"` link among Link header values.
pub(super) fn next_from_link_values<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    values.flat_map(|v| v.split(',')).find_map(|part| {
        let (url, params) = part.split_once(';')?;
        if !params.contains("rel=\"next\"") {
            return None;
        }
        let url = url.trim().trim_start_matches('<').trim_end_matches('>');
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        after_scheme
            .find('/')
            .map(|i| collapse_slashes(&after_scheme[i..]))
    })
}

pub(super) fn path_of(target: &str) -> &str {
    target.split_once('?').map_or(target, |(p, _)| p)
}

/// The covered endpoint pattern a request matches, if any.
pub(super) fn endpoint(method: &str, target: &str) -> Option<&'static str> {
    let segs: Vec<&str> = path_of(target).split('/').skip(1).collect();
    COVERED.iter().find_map(|(m, pattern)| {
        if *m != method {
            return None;
        }
        let pat: Vec<&str> = pattern.split('/').skip(1).collect();
        let same = pat.len() == segs.len()
            && pat.iter().zip(&segs).all(|(p, s)| {
                if *p == "*" {
                    !NOT_IDS.contains(s)
                } else if *p == "+" {
                    !s.is_empty()
                } else {
                    p == s
                }
            });
        same.then_some(*pattern)
    })
}

/// Why a cassette is not replayed, or `None` when it is.
pub(super) fn exclusion(c: &Cassette) -> Option<String> {
    if c.exchanges.is_empty() {
        return Some("no exchanges".into());
    }
    // Hand-written cassettes (ids like `00uFAKEFASTPASS000001`) are mocks, not Okta's answers,
    // and they list users of the recording org that no replayed request created.
    if c.exchanges.iter().any(|e| e.response.contains("FAKE")) {
        return Some("hand-written mock (FAKE ids), not a recorded Okta exchange".into());
    }
    let mut known: BTreeSet<String> = BTreeSet::new();
    for ex in &c.exchanges {
        let Some(pattern) = endpoint(&ex.method, &ex.target) else {
            return Some(format!(
                "uncovered endpoint {} {}",
                ex.method,
                path_of(&ex.target)
            ));
        };
        // every id in the path must come from an earlier response of this cassette, unless
        // the recorded answer is Okta's 404 E0000007: the id names nothing in the recording
        // org either (e.g. `nonexistent_session`), so a fresh emulator answers the same
        let segs: Vec<&str> = path_of(&ex.target).split('/').skip(1).collect();
        let pat: Vec<&str> = pattern.split('/').skip(1).collect();
        let absent_in_okta = ex.status == 404 && ex.response.contains("\"E0000007\"");
        for (s, p) in segs.iter().zip(&pat) {
            if *p == "*" && !known.contains(*s) && !is_login_of_known(s, c) && !absent_in_okta {
                return Some(format!(
                    "{} {} uses {s}, which no earlier response created",
                    ex.method,
                    path_of(&ex.target)
                ));
            }
        }
        if let Ok(v) = serde_json::from_str::<Value>(&ex.response) {
            // the emulator's apps are OIDC apps only
            if ex.method == "POST" && pattern == "/api/v1/apps" {
                let mode = v.get("signOnMode").and_then(Value::as_str).unwrap_or("");
                if mode != "OPENID_CONNECT" && ex.status < 400 {
                    return Some(format!(
                        "creates a {mode} app (the emulator serves OIDC apps only)"
                    ));
                }
            }
            collect_ids(&v, &mut known);
        }
    }
    None
}

pub(super) fn is_login_of_known(seg: &str, c: &Cassette) -> bool {
    seg.contains('@')
        && c.exchanges
            .iter()
            .any(|e| e.response.contains(&format!("\"login\":\"{seg}\"")))
}

pub(super) fn collect_ids(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match v {
                    Value::String(s) if is_id_key(k) => {
                        out.insert(s.clone());
                    }
                    _ => collect_ids(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_ids(i, out)),
        _ => {}
    }
}
