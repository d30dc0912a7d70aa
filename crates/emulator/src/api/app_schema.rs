//! Types of the writable properties of an OIDC application (from Okta's official OpenAPI
//! document), checked on create: a wrongly typed value is 400 E0000001 naming the property,
//! instead of being stored and echoed in every later read.

use serde_json::Value;

use crate::error::{self, ApiError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    Bool,
    Int,
    Obj,
    StrArray,
    ObjArray,
    /// An object whose values are all booleans (`visibility.appLinks`).
    BoolMap,
}

const RULES: &[(&str, Kind)] = &[
    ("accessibility.errorRedirectUrl", Kind::Str),
    ("accessibility.loginRedirectUrl", Kind::Str),
    ("accessibility.selfService", Kind::Bool),
    ("licensing.seatCount", Kind::Int),
    ("visibility.appLinks", Kind::BoolMap),
    ("visibility.autoLaunch", Kind::Bool),
    ("visibility.autoSubmitToolbar", Kind::Bool),
    ("visibility.hide", Kind::Obj),
    ("visibility.hide.iOS", Kind::Bool),
    ("visibility.hide.web", Kind::Bool),
    ("credentials.signing", Kind::Obj),
    ("credentials.signing.kid", Kind::Str),
    ("credentials.signing.rotationMode", Kind::Str),
    ("credentials.signing.use", Kind::Str),
    ("credentials.userNameTemplate", Kind::Obj),
    ("credentials.userNameTemplate.pushStatus", Kind::Str),
    ("credentials.userNameTemplate.template", Kind::Str),
    ("credentials.userNameTemplate.type", Kind::Str),
    ("credentials.userNameTemplate.userSuffix", Kind::Str),
    ("credentials.oauthClient", Kind::Obj),
    ("credentials.oauthClient.autoKeyRotation", Kind::Bool),
    ("credentials.oauthClient.client_id", Kind::Str),
    ("credentials.oauthClient.client_secret", Kind::Str),
    ("credentials.oauthClient.pkce_required", Kind::Bool),
    (
        "credentials.oauthClient.token_endpoint_auth_method",
        Kind::Str,
    ),
    ("settings.identityStoreId", Kind::Str),
    ("settings.implicitAssignment", Kind::Bool),
    ("settings.inlineHookId", Kind::Str),
    ("settings.notes", Kind::Obj),
    ("settings.notes.admin", Kind::Str),
    ("settings.notes.enduser", Kind::Str),
    ("settings.notifications", Kind::Obj),
    ("settings.notifications.vpn", Kind::Obj),
    ("settings.notifications.vpn.helpUrl", Kind::Str),
    ("settings.notifications.vpn.message", Kind::Str),
    ("settings.notifications.vpn.network", Kind::Obj),
    ("settings.app", Kind::Obj),
    ("settings.oauthClient", Kind::Obj),
    ("settings.oauthClient.application_type", Kind::Str),
    (
        "settings.oauthClient.backchannel_authentication_request_signing_alg",
        Kind::Str,
    ),
    (
        "settings.oauthClient.backchannel_custom_authenticator_id",
        Kind::Str,
    ),
    (
        "settings.oauthClient.backchannel_token_delivery_mode",
        Kind::Str,
    ),
    ("settings.oauthClient.client_uri", Kind::Str),
    ("settings.oauthClient.consent_method", Kind::Str),
    ("settings.oauthClient.dpop_bound_access_tokens", Kind::Bool),
    (
        "settings.oauthClient.frontchannel_logout_session_required",
        Kind::Bool,
    ),
    ("settings.oauthClient.frontchannel_logout_uri", Kind::Str),
    ("settings.oauthClient.grant_types", Kind::StrArray),
    (
        "settings.oauthClient.id_token_encrypted_response_alg",
        Kind::Str,
    ),
    ("settings.oauthClient.idp_initiated_login", Kind::Obj),
    (
        "settings.oauthClient.idp_initiated_login.default_scope",
        Kind::StrArray,
    ),
    ("settings.oauthClient.idp_initiated_login.mode", Kind::Str),
    ("settings.oauthClient.initiate_login_uri", Kind::Str),
    ("settings.oauthClient.issuer_mode", Kind::Str),
    ("settings.oauthClient.jwks", Kind::Obj),
    ("settings.oauthClient.jwks.keys", Kind::ObjArray),
    ("settings.oauthClient.jwks_uri", Kind::Str),
    ("settings.oauthClient.logo_uri", Kind::Str),
    ("settings.oauthClient.network", Kind::Obj),
    ("settings.oauthClient.network.connection", Kind::Str),
    ("settings.oauthClient.network.exclude", Kind::StrArray),
    ("settings.oauthClient.network.include", Kind::StrArray),
    ("settings.oauthClient.participate_slo", Kind::Bool),
    ("settings.oauthClient.policy_uri", Kind::Str),
    (
        "settings.oauthClient.post_logout_redirect_uris",
        Kind::StrArray,
    ),
    ("settings.oauthClient.redirect_uris", Kind::StrArray),
    ("settings.oauthClient.refresh_token", Kind::Obj),
    ("settings.oauthClient.refresh_token.leeway", Kind::Int),
    (
        "settings.oauthClient.refresh_token.rotation_type",
        Kind::Str,
    ),
    ("settings.oauthClient.request_object_signing_alg", Kind::Str),
    ("settings.oauthClient.response_types", Kind::StrArray),
    ("settings.oauthClient.sector_identifier_uri", Kind::Str),
    ("settings.oauthClient.subject_type", Kind::Str),
    ("settings.oauthClient.tos_uri", Kind::Str),
    ("settings.oauthClient.wildcard_redirect", Kind::Str),
];

fn fits(v: &Value, kind: Kind) -> bool {
    match kind {
        Kind::Str => v.is_string(),
        Kind::Bool => v.is_boolean(),
        Kind::Int => v.is_i64() || v.is_u64(),
        Kind::Obj => v.is_object(),
        Kind::StrArray => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        Kind::ObjArray => v.as_array().is_some_and(|a| a.iter().all(Value::is_object)),
        Kind::BoolMap => v
            .as_object()
            .is_some_and(|o| o.values().all(Value::is_boolean)),
    }
}

fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |cur, key| cur.get(key))
}

/// Checks the documented writable properties of an app body.
///
/// # Errors
/// 400 E0000001 `Api validation failed: <top-level property>` with a cause naming the path.
pub(crate) fn check(body: &Value) -> Result<(), ApiError> {
    for (path, kind) in RULES {
        if let Some(v) = at(body, path)
            && !v.is_null()
            && !fits(v, *kind)
        {
            let top = path.split('.').next().unwrap_or(path);
            return Err(ApiError::with_detail(error::E0000001, top)
                .cause(format!("{path}: Does not match required type")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_types_are_checked() {
        assert!(check(&json!({ "visibility": { "hide": { "iOS": true, "web": false } } })).is_ok());
        let e = check(&json!({ "visibility": { "hide": { "iOS": -3.4e16 } } }))
            .err()
            .map(|e| e.summary);
        assert_eq!(e.as_deref(), Some("Api validation failed: visibility"));
        assert!(
            check(&json!({ "settings": { "oauthClient": { "redirect_uris": [1] } } })).is_err()
        );
        assert!(
            check(&json!({ "settings": { "oauthClient": { "redirect_uris": ["http://x"] } } }))
                .is_ok()
        );
    }
}
