//! The opaque cursor of `list_all_employees`.
//!
//! The cursor wraps Okta's `after` value in a versioned, base64url-encoded JSON envelope
//! (`e1.` + base64url(`{"after": ...}`)). Callers must treat it as opaque; the version prefix lets
//! Spindle change what it carries (e.g. add a sync watermark) without breaking cursors held by
//! callers of the old form, which are then refused with a clear message rather than misread.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

const PREFIX: &str = "e1.";

/// Where the next page of employees starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeCursor {
    /// Okta's `after` value for the next page of users.
    pub after: String,
}

impl EmployeeCursor {
    /// The opaque string handed to callers.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(json))
    }

    /// Reads a cursor handed out by [`EmployeeCursor::encode`], or `None` when `text` is not one.
    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text.strip_prefix(PREFIX)?).ok()?;
        let cursor: Self = serde_json::from_slice(&bytes).ok()?;
        (!cursor.after.is_empty()).then_some(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_foreign_strings() {
        let cursor = EmployeeCursor {
            after: "00u3p62n11UKppeh31d7".into(),
        };
        let text = cursor.encode();
        assert!(text.starts_with("e1."));
        assert!(!text.contains("00u3p62n11UKppeh31d7"), "opaque: {text}");
        assert_eq!(EmployeeCursor::decode(&text), Some(cursor));
        assert_eq!(EmployeeCursor::decode("00u3p62n11UKppeh31d7"), None);
        assert_eq!(EmployeeCursor::decode("e1.!!!"), None);
        assert_eq!(EmployeeCursor::decode("e2.eyJhZnRlciI6IngifQ"), None);
    }
}
