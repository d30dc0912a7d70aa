//! Caller authentication: `Authorization: Bearer spk_…` API keys, scoped read-only or full.
//!
//! A successful authentication is remembered for [`Settings::auth_cache_ttl`] (default 5 s; 0
//! turns the cache off), so a busy caller costs one store read per key per TTL rather than one
//! per request. The cache is keyed by the SHA-256 of the presented secret (the secret itself is
//! never kept), so only the exact secret that authenticated finds an entry; failures are never
//! cached. The price: revoking a key takes effect on a gateway within the TTL, and the key's
//! `last_used_at` (written by the store at most once a minute) may lag by the TTL as well. The
//! cache is a [`crate::cache::TtlCache`].
//!
//! [`Settings::auth_cache_ttl`]: crate::Settings::auth_cache_ttl

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use spindle_store::ApiKey;

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller of a `/v1` endpoint.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The API key that authenticated the request.
    pub key: ApiKey,
}

impl Caller {
    /// Refuses callers whose key may not write (read-only keys), naming what they tried.
    ///
    /// # Errors
    /// 403 `forbidden`.
    pub fn require_write(&self, what: &str) -> Result<(), ApiError> {
        if self.key.scope.allows_writes() {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "API key {} is read-only; {what} needs a key with the `full` scope",
                self.key.id
            )))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::unauthorized(
                "send an API key as `Authorization: Bearer spk_…` (create one with \
                 `spindle keys create`)",
            ));
        };
        let value = value.to_str().unwrap_or_default().trim();
        let secret = match value.split_once(' ') {
            Some((scheme, secret)) if scheme.eq_ignore_ascii_case("bearer") => secret.trim(),
            _ => {
                return Err(ApiError::unauthorized(
                    "the Authorization header must be `Bearer <api key>`",
                ));
            }
        };
        let cache = state.key_cache();
        let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        if let Some(key) = cache.get(&digest) {
            return Ok(Caller { key });
        }
        match state.store().api_keys().authenticate(secret).await? {
            Some(key) => {
                cache.insert(digest, key.clone());
                Ok(Caller { key })
            }
            None => {
                cache.remove(&digest);
                Err(ApiError::unauthorized(
                    "the API key is unknown, malformed or revoked",
                ))
            }
        }
    }
}
