//! OAuth 2.0 for the org authorization server (`/oauth2/v1/token`) and for resource requests
//! that carry `Authorization: Bearer|DPoP` instead of `SSWS`.
//!
//! Pure building blocks; the HTTP handlers own the locking and the app registry:
//! - [`client_assertion`]: `private_key_jwt` client assertions (RS256/ES256 and friends).
//! - [`dpop`]: DPoP proofs (RFC 9449), server nonces, JWK thumbprints.
//! - [`scopes`]: scope names, the manage-implies-read rule, and the scope each management
//!   endpoint requires.
//! - [`tokens`]: the access-token table and resource-request authentication.
//! - [`token_endpoint`]: the `client_credentials` grant, checks in Okta's order.
//! - [`myaccount`]: the versioned `Accept` check and body of `GET /idp/myaccount/organization`.
//!
//! [`gate`] is where these meet the request pipeline: it holds the org's lock to authenticate
//! `Bearer`/`DPoP` requests and record DPoP proofs, so the pipeline needs no handler.
//!
//! Errors at the token endpoint are [`OAuthError`]: `{"error", "error_description"}` with the
//! status and, for `use_dpop_nonce`, the `DPoP-Nonce` header (BEHAVIOR §12, OAERR).
//!
//! Time is always passed in (`now`, Unix seconds) so tests don't sleep; only [`gate`] reads the
//! clock.

pub mod client_assertion;
pub mod dpop;
#[cfg(test)]
mod dpop_tests;
pub(crate) mod gate;
mod jwt;
pub mod myaccount;
pub mod replay;
pub mod scopes;
#[cfg(test)]
pub(crate) mod testkeys;
#[cfg(test)]
mod tests;
pub mod token_endpoint;
pub mod tokens;

use serde_json::json;

/// An OAuth error response of the token endpoint (or a DPoP/resource failure shaped the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// HTTP status (400 or 401).
    pub status: u16,
    /// The `error` code, e.g. `invalid_client`.
    pub error: &'static str,
    /// The `error_description`.
    pub description: String,
    /// A `DPoP-Nonce` response header to send (with `use_dpop_nonce`).
    pub dpop_nonce: Option<String>,
}

impl OAuthError {
    /// An error without extra headers.
    pub fn new(status: u16, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
            dpop_nonce: None,
        }
    }

    /// 401 `invalid_client` with `description`.
    pub fn invalid_client(description: impl Into<String>) -> Self {
        OAuthError::new(401, "invalid_client", description)
    }

    /// The JSON body `{"error": …, "error_description": …}`.
    pub fn body(&self) -> serde_json::Value {
        json!({ "error": self.error, "error_description": self.description })
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.description)
    }
}

impl std::error::Error for OAuthError {}

/// `len` random bytes from the system CSPRNG, base64url-encoded without padding.
pub fn random_token(len: usize) -> String {
    use base64::Engine as _;
    let mut buf = vec![0u8; len];
    // `fill` only fails if the OS RNG is unavailable; fall back to std's randomly keyed
    // SipHash rather than an all-zero (guessable) buffer.
    if aws_lc_rs::rand::fill(&mut buf).is_err() {
        use std::hash::{BuildHasher as _, Hasher as _};
        let state = std::collections::hash_map::RandomState::new();
        for (i, b) in buf.iter_mut().enumerate() {
            let mut h = state.build_hasher();
            h.write_usize(i);
            *b = h.finish() as u8;
        }
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// base64url (no padding) of SHA-256 of `data` — DPoP `ath`, JWK thumbprints.
pub fn sha256_b64url(data: &[u8]) -> String {
    use base64::Engine as _;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}
