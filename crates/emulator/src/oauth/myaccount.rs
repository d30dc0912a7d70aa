//! MyAccount `GET /idp/myaccount/organization` pieces (BEHAVIOR §14, LSPEC idp).
//!
//! The request must send `Accept: application/json; okta-version=1.0.0` (else 406 `E0000149`
//! "The HTTP request is not acceptable", no final period) and a Bearer token of an end user
//! holding `okta.myAccount.organization.read` (check it with [`super::tokens::authenticate`] and
//! [`super::tokens::AccessToken::user_id`]). The 200 body is
//! `{name, url, helpLink, supportEmail, _links.self}` with content type
//! `application/json;okta-version=1.0.0`.

use serde_json::{Value, json};

/// The MyAccount API version the emulator serves.
pub const VERSION: &str = "1.0.0";

/// The scope the organization endpoint needs.
pub const ORGANIZATION_READ: &str = "okta.myAccount.organization.read";

/// The response content type.
pub const CONTENT_TYPE: &str = "application/json;okta-version=1.0.0";

/// Whether an `Accept` header asks for a MyAccount version this emulator serves: some media
/// range `application/json` (or `application/*`, `*/*`) with parameter `okta-version=1.0.0`.
pub fn accept_ok(accept: Option<&str>) -> bool {
    let Some(accept) = accept else {
        return false;
    };
    accept.split(',').any(|range| {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let json_like = matches!(media.as_str(), "application/json" | "application/*" | "*/*");
        json_like
            && parts.any(|p| {
                p.split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("okta-version")
                        && v.trim().trim_matches('"') == VERSION
                })
            })
    })
}

/// `(status, errorCode, errorSummary)` of the 406 answer.
pub const NOT_ACCEPTABLE: (u16, &str, &str) =
    (406, "E0000149", "The HTTP request is not acceptable");

/// The organization body.
pub fn organization_json(
    org_url: &str,
    name: &str,
    help_link: Option<&str>,
    support_email: Option<&str>,
) -> Value {
    json!({
        "name": name,
        "url": org_url,
        "helpLink": help_link,
        "supportEmail": support_email,
        "_links": {"self": {
            "href": format!("{org_url}/idp/myaccount/organization"),
            "hints": {"allow": ["GET"]}
        }}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_versioned_json_accept_header_is_acceptable() {
        assert!(accept_ok(Some("application/json; okta-version=1.0.0")));
        assert!(accept_ok(Some(
            "text/html, application/json;okta-version=\"1.0.0\""
        )));
        assert!(!accept_ok(Some("application/json")));
        assert!(!accept_ok(Some("application/json; okta-version=2.0.0")));
        assert!(!accept_ok(Some("text/plain; okta-version=1.0.0")));
        assert!(!accept_ok(None));
        assert_eq!(NOT_ACCEPTABLE.2, "The HTTP request is not acceptable");
    }

    #[test]
    fn the_organization_body_has_oktas_shape() {
        let b = organization_json(
            "https://example.okta.com",
            "TestOrg",
            Some("https://example.okta.com/helpLink"),
            None,
        );
        assert_eq!(b["name"], "TestOrg");
        assert_eq!(b["url"], "https://example.okta.com");
        assert_eq!(b["supportEmail"], Value::Null);
        assert_eq!(
            b["_links"]["self"]["href"],
            "https://example.okta.com/idp/myaccount/organization"
        );
    }
}
