//! Caller authentication: `Authorization: Bearer spk_…` API keys, scoped read-only or full.
//!
//! A successful authentication is remembered for [`Settings::auth_cache_ttl`] (default 5 s; 0
//! turns the cache off), so a busy caller costs one store read per key per TTL rather than one
//! per request. The cache is keyed by the SHA-256 of the presented secret (the secret itself is
//! never kept), so only the exact secret that authenticated finds an entry; failures are never
//! cached. The price: revoking a key takes effect on a gateway within the TTL, and the key's
//! `last_used_at` (written by the store at most once a minute) may lag by the TTL as well.
//!
//! [`Settings::auth_cache_ttl`]: crate::Settings::auth_cache_ttl

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use parking_lot::Mutex;
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

/// The most keys the authentication cache holds (only keys that authenticated get in, so this is
/// only reached by a deployment with that many keys in use at once).
pub const KEY_CACHE_CAPACITY: usize = 4096;

/// Recently authenticated keys, by the SHA-256 of their secret.
pub(crate) struct KeyCache {
    ttl: Duration,
    entries: Mutex<HashMap<[u8; 32], (Instant, ApiKey)>>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache")
            .field("ttl", &self.ttl)
            .field("entries", &self.entries.lock().len())
            .finish()
    }
}

impl KeyCache {
    /// A cache whose entries live `ttl` (zero: nothing is cached).
    pub(crate) fn new(ttl: Duration) -> Self {
        KeyCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The key that authenticated with the secret of this digest less than `ttl` ago.
    fn get(&self, digest: &[u8; 32]) -> Option<ApiKey> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock();
        let (checked, key) = entries.get(digest)?;
        (checked.elapsed() < self.ttl).then(|| key.clone())
    }

    /// Remembers that the secret of this digest authenticated `key` just now.
    fn insert(&self, digest: [u8; 32], key: ApiKey) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock();
        if entries.len() >= KEY_CACHE_CAPACITY && !entries.contains_key(&digest) {
            entries.retain(|_, (checked, _)| checked.elapsed() < self.ttl);
            if entries.len() >= KEY_CACHE_CAPACITY {
                entries.clear();
            }
        }
        entries.insert(digest, (Instant::now(), key));
    }

    /// Forgets the secret of this digest (it failed to authenticate).
    fn remove(&self, digest: &[u8; 32]) {
        if !self.ttl.is_zero() {
            self.entries.lock().remove(digest);
        }
    }
}
