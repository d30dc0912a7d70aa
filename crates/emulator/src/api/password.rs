//! Okta's default password policy (Okta Identity Engine): what a new password must satisfy.

use serde_json::{Map, Value};

use crate::error::ApiError;

/// Okta's default password policy message (Okta Identity Engine default policy).
pub(crate) const PASSWORD_REQUIREMENTS: &str = "Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username.";

/// Whether a password satisfies the default policy.
pub(crate) fn password_ok(pw: &str, profile: &Map<String, Value>) -> bool {
    let long = pw.chars().count() >= 8;
    let lower = pw.chars().any(char::is_lowercase);
    let upper = pw.chars().any(char::is_uppercase);
    let digit = pw.chars().any(|c| c.is_ascii_digit());
    let low = pw.to_lowercase();
    let parts_ok = ["login", "firstName", "lastName"].iter().all(|k| {
        let v = profile.get(*k).and_then(Value::as_str).unwrap_or("");
        let local = v.split('@').next().unwrap_or("").to_lowercase();
        local.chars().count() < 4 || !low.contains(&local)
    });
    long && lower && upper && digit && parts_ok
}

/// The validation error of a password the policy refuses.
pub(crate) fn password_error() -> ApiError {
    ApiError::validation("password", PASSWORD_REQUIREMENTS)
}
