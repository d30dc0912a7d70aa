//! OAuth scopes: parsing, the manage-implies-read rule, and the scope each management endpoint
//! requires (from the spec's `security` blocks, as recorded in `use-cases.json` `oauth_scopes`).
//!
//! Okta's rules (BEHAVIOR §2, OAUTH4OKTA "Scope naming"): scopes are `okta.<resource>.<read|manage>`;
//! `manage` includes `read`; the org AS grants any requested scope that is in the app's grants.
//! Endpoints outside the table fall back to the resource family of the path (`/api/v1/users…` →
//! `okta.users.*`, GET → `read`, else `manage`), which is what the spec's `security` blocks say
//! for every users/groups/apps/userTypes/linkedObjects operation.

/// What a management endpoint requires from an OAuth access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeRequirement {
    /// This scope (or its `manage` counterpart for a `read` scope).
    Scope(&'static str),
    /// The endpoint lists only `apiToken` (SSWS) in its security block, e.g.
    /// `GET /api/v1/users/{id}/factors/questions`. \[unconfirmed\] Okta's answer to a Bearer token
    /// there; the emulator answers 403 `E0000006`.
    ApiTokenOnly,
}

/// `(method, path template, requirement)`; `{x}` matches one path segment.
pub const ENDPOINT_SCOPES: &[(&str, &str, ScopeRequirement)] = {
    use ScopeRequirement::{ApiTokenOnly as T, Scope as S};
    &[
        ("GET", "/api/v1/users/{userId}/factors/questions", T),
        ("GET", "/api/v1/users", S("okta.users.read")),
        ("GET", "/api/v1/logs", S("okta.logs.read")),
        ("POST", "/api/v1/users", S("okta.users.manage")),
        ("GET", "/api/v1/users/{id}", S("okta.users.read")),
        ("POST", "/api/v1/users/{id}", S("okta.users.manage")),
        ("PUT", "/api/v1/users/{id}", S("okta.users.manage")),
        ("DELETE", "/api/v1/users/{id}", S("okta.users.manage")),
        ("GET", "/api/v1/groups", S("okta.groups.read")),
        ("POST", "/api/v1/groups", S("okta.groups.manage")),
        ("GET", "/api/v1/groups/rules", S("okta.groups.read")),
        ("POST", "/api/v1/groups/rules", S("okta.groups.manage")),
        (
            "GET",
            "/api/v1/groups/rules/{groupRuleId}",
            S("okta.groups.read"),
        ),
        (
            "PUT",
            "/api/v1/groups/rules/{groupRuleId}",
            S("okta.groups.manage"),
        ),
        (
            "DELETE",
            "/api/v1/groups/rules/{groupRuleId}",
            S("okta.groups.manage"),
        ),
        (
            "GET",
            "/api/v1/groups/{groupId}/users",
            S("okta.groups.read"),
        ),
        (
            "PUT",
            "/api/v1/groups/{groupId}/users/{userId}",
            S("okta.groups.manage"),
        ),
        (
            "DELETE",
            "/api/v1/groups/{groupId}/users/{userId}",
            S("okta.groups.manage"),
        ),
        (
            "GET",
            "/api/v1/groups/{groupId}/apps",
            S("okta.groups.read"),
        ),
        ("GET", "/api/v1/apps", S("okta.apps.read")),
        ("POST", "/api/v1/apps", S("okta.apps.manage")),
        ("GET", "/api/v1/meta/types/user", S("okta.userTypes.read")),
        (
            "POST",
            "/api/v1/meta/types/user",
            S("okta.userTypes.manage"),
        ),
        (
            "GET",
            "/api/v1/meta/schemas/user/linkedObjects",
            S("okta.linkedObjects.read"),
        ),
        (
            "POST",
            "/api/v1/meta/schemas/user/linkedObjects",
            S("okta.linkedObjects.manage"),
        ),
        (
            "GET",
            "/idp/myaccount/organization",
            S("okta.myAccount.organization.read"),
        ),
        ("GET", "/{accountId}/api/v1/orgs", S("okta.accounts.read")),
        (
            "POST",
            "/{accountId}/api/v1/orgs",
            S("okta.accounts.manage"),
        ),
        (
            "GET",
            "/{accountId}/api/v1/orgs/{orgId}",
            S("okta.accounts.read"),
        ),
        (
            "PUT",
            "/{accountId}/api/v1/orgs/{orgId}/status",
            S("okta.accounts.manage"),
        ),
        (
            "GET",
            "/{accountId}/api/v1/orgs/{orgId}/products",
            S("okta.accounts.read"),
        ),
        (
            "PUT",
            "/{accountId}/api/v1/orgs/{orgId}/products",
            S("okta.accounts.manage"),
        ),
    ]
};

/// Resource families for paths not in [`ENDPOINT_SCOPES`]: `(path prefix, read, manage)`,
/// longest prefix first.
const FAMILIES: &[(&str, &str, &str)] = &[
    (
        "/api/v1/meta/schemas/user/linkedObjects",
        "okta.linkedObjects.read",
        "okta.linkedObjects.manage",
    ),
    (
        "/api/v1/meta/types/user",
        "okta.userTypes.read",
        "okta.userTypes.manage",
    ),
    ("/api/v1/users", "okta.users.read", "okta.users.manage"),
    ("/api/v1/groups", "okta.groups.read", "okta.groups.manage"),
    ("/api/v1/apps", "okta.apps.read", "okta.apps.manage"),
    (
        "/api/v1/sessions",
        "okta.sessions.read",
        "okta.sessions.manage",
    ),
];

fn template_matches(template: &str, path: &str) -> Option<usize> {
    let t: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut literals = 0;
    for (ts, ps) in t.iter().zip(&p) {
        if ts.starts_with('{') && ts.ends_with('}') {
            if ps.is_empty() {
                return None;
            }
        } else if ts == ps {
            literals += 1;
        } else {
            return None;
        }
    }
    Some(literals)
}

/// The scope a management request needs; `None` for paths outside the known families.
/// `path` is the request path without query string.
pub fn required_scope(method: &str, path: &str) -> Option<ScopeRequirement> {
    let method = method.to_ascii_uppercase();
    let best = ENDPOINT_SCOPES
        .iter()
        .filter(|(m, _, _)| *m == method)
        .filter_map(|(_, t, r)| template_matches(t, path).map(|lit| (lit, *r)))
        .max_by_key(|(lit, _)| *lit);
    if let Some((_, r)) = best {
        return Some(r);
    }
    FAMILIES.iter().find_map(|(prefix, read, manage)| {
        let rest = path.strip_prefix(prefix)?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        Some(ScopeRequirement::Scope(
            if method == "GET" || method == "HEAD" {
                read
            } else {
                manage
            },
        ))
    })
}

/// Whether a token holding `granted` may call an endpoint requiring `required`
/// (`x.manage` satisfies `x.read`).
pub fn scope_satisfies<S: AsRef<str>>(granted: &[S], required: &str) -> bool {
    let manage = required
        .strip_suffix(".read")
        .map(|base| format!("{base}.manage"));
    granted
        .iter()
        .any(|g| g.as_ref() == required || manage.as_deref() == Some(g.as_ref()))
}

/// Splits a space-separated `scope` parameter, dropping duplicates, keeping order.
pub fn parse_scope_param(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.split_ascii_whitespace() {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

/// Whether `scope` names an Okta API scope (`okta.<resource>[.<sub>].<action>`).
pub fn is_okta_scope(scope: &str) -> bool {
    let Some(rest) = scope.strip_prefix("okta.") else {
        return false;
    };
    let parts: Vec<&str> = rest.split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Whether `scope` is a `.self` scope (client credentials may not request them).
pub fn is_self_scope(scope: &str) -> bool {
    scope.ends_with(".self")
}

#[cfg(test)]
mod tests {
    use super::ScopeRequirement::{ApiTokenOnly, Scope};
    use super::*;

    #[test]
    fn use_case_endpoints_map_to_their_spec_scopes() {
        assert_eq!(
            required_scope("GET", "/api/v1/users"),
            Some(Scope("okta.users.read"))
        );
        assert_eq!(
            required_scope("post", "/api/v1/users/00u1/lifecycle/suspend"),
            Some(Scope("okta.users.manage"))
        );
        assert_eq!(
            required_scope("GET", "/api/v1/users/00u1/factors/catalog"),
            Some(Scope("okta.users.read"))
        );
        assert_eq!(
            required_scope("GET", "/api/v1/users/00u1/factors/questions"),
            Some(ApiTokenOnly)
        );
        assert_eq!(
            required_scope("GET", "/api/v1/groups/rules"),
            Some(Scope("okta.groups.read"))
        );
        assert_eq!(
            required_scope("POST", "/api/v1/groups/rules/0pr1/lifecycle/activate"),
            Some(Scope("okta.groups.manage"))
        );
        assert_eq!(
            required_scope("DELETE", "/api/v1/meta/types/user/oty1"),
            Some(Scope("okta.userTypes.manage"))
        );
        assert_eq!(
            required_scope("GET", "/idp/myaccount/organization"),
            Some(Scope("okta.myAccount.organization.read"))
        );
        assert_eq!(
            required_scope("PUT", "/acc1/api/v1/orgs/o1/status"),
            Some(Scope("okta.accounts.manage"))
        );
        assert_eq!(required_scope("GET", "/api/v1/usersx"), None);
        assert_eq!(required_scope("GET", "/oauth2/v1/keys"), None);
    }

    #[test]
    fn every_use_case_with_a_scope_is_covered_when_the_inventory_is_present() {
        let dir = std::env::var("SPINDLE_SHARED_DIR")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared").into());
        let path = std::path::Path::new(&dir).join("okta/use-cases.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            assert!(
                std::env::var("SPINDLE_NO_SKIP").as_deref() != Ok("1"),
                "missing {}: set SPINDLE_SHARED_DIR to the shared reference folder",
                path.display()
            );
            eprintln!(
                "skipped: {} not found (set SPINDLE_SHARED_DIR to the shared reference folder)",
                path.display()
            );
            return;
        };
        let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_default();
        assert!(!cases.is_empty());
        for c in cases {
            let method = c["method"].as_str().unwrap_or_default();
            let template = c["path"].as_str().unwrap_or_default();
            // Fill path parameters with sample values.
            let path: String = template
                .split('/')
                .map(|s| if s.starts_with('{') { "x1" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let want = c["oauth_scopes"].as_array().cloned().unwrap_or_default();
            let got = required_scope(method, &path);
            match (want.first().and_then(|v| v.as_str()), got) {
                (Some(scope), Some(Scope(s))) => assert_eq!(s, scope, "{method} {template}"),
                (None, Some(ApiTokenOnly)) => {}
                (w, g) => panic!("{method} {template}: want {w:?}, got {g:?}"),
            }
        }
    }

    #[test]
    fn manage_implies_read_but_not_the_reverse() {
        assert!(scope_satisfies(&["okta.users.manage"], "okta.users.read"));
        assert!(scope_satisfies(&["okta.users.read"], "okta.users.read"));
        assert!(!scope_satisfies(&["okta.users.read"], "okta.users.manage"));
        assert!(!scope_satisfies(&["okta.groups.manage"], "okta.users.read"));
        assert!(!scope_satisfies::<&str>(&[], "okta.users.read"));
    }

    #[test]
    fn scope_parameters_are_split_and_classified() {
        assert_eq!(
            parse_scope_param(" okta.users.read  okta.apps.read okta.users.read"),
            vec!["okta.users.read", "okta.apps.read"]
        );
        assert!(is_okta_scope("okta.myAccount.organization.read"));
        assert!(!is_okta_scope("openid"));
        assert!(!is_okta_scope("okta.users"));
        assert!(is_self_scope("okta.users.read.self"));
    }
}
