//! Verifying Spindle's webhooks in a Rust receiver (Standard Webhooks, through the
//! `standardwebhooks` crate).
//!
//! Pass the endpoint's secret (`whsec_…`, shown once when the webhook was created or its secret
//! rotated), the request's headers and its raw body, before parsing it. During a rotation's
//! overlap each delivery carries one signature per secret, so a receiver holding either one
//! accepts it. The timestamp must be within five minutes of the receiver's clock (replays of old
//! requests are refused).
//!
//! ```
//! use spindle_server::webhooks::verify::verify;
//! use axum::http::HeaderMap;
//!
//! let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
//! let body = br#"{"type":"employee.created","timestamp":"2026-01-31T09:00:00Z","data":{}}"#;
//! # let now = time::OffsetDateTime::now_utc().unix_timestamp();
//! # let signature = standardwebhooks::Webhook::new(secret).unwrap().sign("msg_1", now, body).unwrap();
//! let mut headers = HeaderMap::new();
//! headers.insert("webhook-id", "msg_1".parse().unwrap());
//! headers.insert("webhook-timestamp", now.to_string().parse().unwrap());
//! headers.insert("webhook-signature", signature.parse().unwrap());
//! assert!(verify(secret, &headers, body).is_ok());
//! assert!(verify(secret, &headers, b"{}").is_err());
//! ```

use axum::http::HeaderMap;

/// Why a delivery was not accepted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The secret is not a `whsec_` base64 secret.
    #[error("the secret is not a webhook signing secret (whsec_…)")]
    InvalidSecret,
    /// A header is missing or malformed, the timestamp is out of tolerance, or no signature
    /// matches.
    #[error("the webhook does not verify: {0}")]
    Rejected(String),
}

/// Checks a delivery's `webhook-id`, `webhook-timestamp` and `webhook-signature` headers against
/// its raw `body` and the endpoint's `secret`.
///
/// # Errors
/// [`VerifyError::InvalidSecret`] for a malformed secret; [`VerifyError::Rejected`] when the
/// delivery was not signed with that secret, was changed, or is too old or too new.
pub fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), VerifyError> {
    let webhook = standardwebhooks::Webhook::new(secret).map_err(|_| VerifyError::InvalidSecret)?;
    webhook
        .verify(body, headers)
        .map_err(|e| VerifyError::Rejected(e.to_string()))
}
