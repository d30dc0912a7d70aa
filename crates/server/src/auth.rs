//! Caller authentication: `Authorization: Bearer spk_…` API keys, scoped read-only or full.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use spindle_store::{ApiKey, ApiKeyScope};

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

    /// The key's scope.
    pub fn scope(&self) -> ApiKeyScope {
        self.key.scope
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
        match state.store().api_keys().authenticate(secret).await? {
            Some(key) => Ok(Caller { key }),
            None => Err(ApiError::unauthorized(
                "the API key is unknown, malformed or revoked",
            )),
        }
    }
}
