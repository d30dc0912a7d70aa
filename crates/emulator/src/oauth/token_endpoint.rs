//! `POST /oauth2/v1/token` for the org authorization server: `client_credentials` with
//! `private_key_jwt`, optional DPoP binding. Checks run in this order (SVC, DPOP, OAERR):
//!
//! 1. `grant_type` (400 `invalid_request` if absent, `unsupported_grant_type` if not
//!    `client_credentials`) [unconfirmed texts];
//! 2. client authentication: a client secret instead of an assertion → 401 `invalid_client`
//!    "Client Credentials requests to the Org Authorization Server must use the private_key_jwt
//!    token_endpoint_auth_method."; unknown client → 401 "Invalid value for 'client_id'
//!    parameter."; non-service app → 401 "Only clients with 'application_type' of 'service' …";
//!    then the assertion itself ([`super::client_assertion`]);
//! 3. DPoP when the app requires it (`dpop_bound_access_tokens`): no proof → 400
//!    `invalid_dpop_proof` "The DPoP proof JWT header is missing."; no/old nonce → 400
//!    `use_dpop_nonce` + `DPoP-Nonce`; bad proof → 400 `invalid_dpop_proof`. A proof sent for an
//!    app that doesn't require DPoP is ignored and a Bearer token issued \[unconfirmed\];
//! 4. scopes: none → 400 `invalid_scope` "No scopes were requested."; a `.self` scope → 400
//!    `client_credentials_self_scope_requested`; a non-Okta scope → 400 `invalid_scope`; none of
//!    the requested scopes granted to the app → 400 `consent_required` "You are not allowed any of
//!    the requested scopes."; otherwise the granted subset is issued (the org AS returns any
//!    requested scope that is in the app's grants).

use jsonwebtoken::jwk::JwkSet;
use serde_json::{Value, json};

use super::OAuthError;
use super::client_assertion::{
    AssertionContext, JWT_BEARER, claimed_client_id, verify_client_assertion,
};
use super::dpop::{self, NonceManager, ProofContext};
use super::replay::ReplayCache;
use super::scopes::{is_okta_scope, is_self_scope, parse_scope_param};
use super::tokens::{ACCESS_TOKEN_TTL_SECS, TokenStore};

/// What the token endpoint needs to know about a registered OAuth app.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRegistration {
    /// `credentials.oauthClient.client_id`.
    pub client_id: String,
    /// `settings.oauthClient.application_type` (`service` for API service apps).
    pub application_type: String,
    /// `credentials.oauthClient.token_endpoint_auth_method`.
    pub token_endpoint_auth_method: String,
    /// `settings.oauthClient.jwks`.
    pub jwks: JwkSet,
    /// Okta API scopes granted to the app (`/api/v1/apps/{id}/grants`).
    pub granted_scopes: Vec<String>,
    /// `settings.oauthClient.dpop_bound_access_tokens`.
    pub dpop_bound_access_tokens: bool,
}

impl ClientRegistration {
    /// Reads the registration from an app object as `POST /api/v1/apps` takes it:
    /// `credentials.oauthClient.{client_id, token_endpoint_auth_method}` and
    /// `settings.oauthClient.{application_type, jwks.keys, dpop_bound_access_tokens}` (keys that
    /// don't parse as JWKs, or whose `status` isn't ACTIVE, are skipped). `granted_scopes` comes
    /// from the app's grants. The spec marks `dpop_bound_access_tokens` TOMBSTONE and says it
    /// excludes `client_credentials`; real API service apps created since 2024 require DPoP for
    /// exactly that grant (BEHAVIOR §12), which is what the emulator follows.
    pub fn from_app_json(app: &Value, granted_scopes: Vec<String>) -> Option<Self> {
        let creds = app.pointer("/credentials/oauthClient")?;
        let settings = app.pointer("/settings/oauthClient");
        let s = |v: Option<&Value>, k: &str| {
            v.and_then(|v| v.get(k))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let keys = settings
            .and_then(|s| s.pointer("/jwks/keys"))
            .and_then(Value::as_array)
            .map(|keys| {
                keys.iter()
                    // Keys added through `/credentials/jwks` carry `id` and `status`; only
                    // ACTIVE (or status-less) keys verify assertions.
                    .filter(|k| {
                        k.get("status")
                            .and_then(Value::as_str)
                            .is_none_or(|s| s == "ACTIVE")
                    })
                    .filter_map(|k| serde_json::from_value(k.clone()).ok())
                    .collect()
            })
            .unwrap_or_default();
        Some(ClientRegistration {
            client_id: s(Some(creds), "client_id"),
            application_type: s(settings, "application_type"),
            token_endpoint_auth_method: s(Some(creds), "token_endpoint_auth_method"),
            jwks: JwkSet { keys },
            granted_scopes,
            dpop_bound_access_tokens: settings
                .and_then(|s| s.get("dpop_bound_access_tokens"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }
}

/// The token request, from the form body and headers.
#[derive(Debug, Clone, Copy)]
pub struct TokenRequest<'a> {
    /// `grant_type`.
    pub grant_type: Option<&'a str>,
    /// `scope` (space-separated).
    pub scope: Option<&'a str>,
    /// `client_assertion_type`.
    pub client_assertion_type: Option<&'a str>,
    /// `client_assertion`.
    pub client_assertion: Option<&'a str>,
    /// `client_id`, if sent.
    pub client_id: Option<&'a str>,
    /// Whether a `client_secret` (or Basic auth) was sent.
    pub has_client_secret: bool,
    /// Every `DPoP` header value.
    pub dpop: &'a [&'a str],
    /// Full URL of the token endpoint invoked.
    pub token_url: &'a str,
    /// Current time, Unix seconds.
    pub now: i64,
}

/// A successful token response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// `Bearer` or `DPoP`.
    pub token_type: &'static str,
    /// Seconds until expiry (3600).
    pub expires_in: i64,
    /// Granted scopes, space-separated.
    pub scope: String,
}

impl TokenResponse {
    /// The JSON body.
    pub fn body(&self) -> Value {
        json!({
            "token_type": self.token_type,
            "expires_in": self.expires_in,
            "access_token": self.access_token,
            "scope": self.scope,
        })
    }
}

/// The org authorization server's state: tokens, replay caches and DPoP nonces.
#[derive(Debug)]
pub struct OrgAuthServer {
    /// Issued access tokens.
    pub tokens: TokenStore,
    /// Seen client-assertion `jti`s.
    pub assertion_replay: ReplayCache,
    /// Seen DPoP proof `jti`s.
    pub dpop_replay: ReplayCache,
    /// DPoP nonces.
    pub nonces: NonceManager,
}

impl Default for OrgAuthServer {
    fn default() -> Self {
        OrgAuthServer {
            tokens: TokenStore::new(),
            assertion_replay: ReplayCache::new(100_000),
            dpop_replay: ReplayCache::new(100_000),
            nonces: NonceManager::default(),
        }
    }
}

impl OrgAuthServer {
    /// Handles a token request; `lookup` finds a registered app by client id.
    ///
    /// # Errors
    /// The [`OAuthError`] Okta answers, per the module docs.
    pub fn token(
        &mut self,
        req: &TokenRequest<'_>,
        lookup: impl FnOnce(&str) -> Option<ClientRegistration>,
    ) -> Result<TokenResponse, OAuthError> {
        match req.grant_type {
            None | Some("") => {
                return Err(OAuthError::new(
                    400,
                    "invalid_request",
                    "The 'grant_type' parameter is required.",
                ));
            }
            Some("client_credentials") => {}
            Some(_) => {
                return Err(OAuthError::new(
                    400,
                    "unsupported_grant_type",
                    "The authorization grant type is not supported by the authorization server.",
                ));
            }
        }
        let private_key_jwt_only = "Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.";
        let Some(assertion) = req.client_assertion.filter(|a| !a.is_empty()) else {
            return Err(OAuthError::invalid_client(if req.has_client_secret {
                private_key_jwt_only
            } else {
                "Client authentication failed. Either the client or the client credentials are invalid."
            }));
        };
        if req.client_assertion_type != Some(JWT_BEARER) {
            return Err(OAuthError::invalid_client(
                "The client_assertion_type parameter is invalid.",
            ));
        }
        let claimed = claimed_client_id(assertion).unwrap_or_default();
        if req.client_id.is_some_and(|c| c != claimed) {
            return Err(OAuthError::invalid_client(
                "Invalid value for 'client_id' parameter.",
            ));
        }
        let Some(client) = (!claimed.is_empty()).then(|| lookup(&claimed)).flatten() else {
            return Err(OAuthError::invalid_client(
                "Invalid value for 'client_id' parameter.",
            ));
        };
        if client.token_endpoint_auth_method != "private_key_jwt" {
            return Err(OAuthError::invalid_client(private_key_jwt_only));
        }
        if client.application_type != "service" {
            return Err(OAuthError::invalid_client(
                "Only clients with 'application_type' of 'service' may use the client_credentials 'grant_type' with the Org Authorization Server.",
            ));
        }
        let ctx = AssertionContext {
            client_id: &client.client_id,
            jwks: &client.jwks,
            token_url: req.token_url,
            now: req.now,
        };
        verify_client_assertion(assertion, &ctx, &mut self.assertion_replay)?;

        let jkt = if client.dpop_bound_access_tokens {
            let proof = match req.dpop {
                [] => {
                    return Err(OAuthError::new(
                        400,
                        "invalid_dpop_proof",
                        dpop::MISSING_PROOF,
                    ));
                }
                [one] => *one,
                _ => {
                    return Err(OAuthError::new(
                        400,
                        "invalid_dpop_proof",
                        dpop::MULTIPLE_PROOFS,
                    ));
                }
            };
            let ctx = ProofContext {
                method: "POST",
                url: req.token_url,
                now: req.now,
                access_token: None,
                expected_jkt: None,
                nonces: Some(&self.nonces),
            };
            match dpop::verify_proof(proof, &ctx, &mut self.dpop_replay) {
                Ok(p) => Some(p.jkt),
                Err(e) => return Err(e.into_token_error(&mut self.nonces, req.now)),
            }
        } else {
            None
        };

        let requested = parse_scope_param(req.scope.unwrap_or_default());
        if requested.is_empty() {
            return Err(OAuthError::new(
                400,
                "invalid_scope",
                "No scopes were requested.",
            ));
        }
        if requested.iter().any(|s| is_self_scope(s)) {
            return Err(OAuthError::new(
                400,
                "client_credentials_self_scope_requested",
                "Client Credentials requests cannot request '.self' scopes.",
            ));
        }
        if requested.iter().any(|s| !is_okta_scope(s)) {
            return Err(OAuthError::new(
                400,
                "invalid_scope",
                "One or more scopes are not configured for the authorization server resource.",
            ));
        }
        let granted: Vec<String> = requested
            .into_iter()
            .filter(|s| client.granted_scopes.contains(s))
            .collect();
        if granted.is_empty() {
            return Err(OAuthError::new(
                400,
                "consent_required",
                "You are not allowed any of the requested scopes.",
            ));
        }
        let scope = granted.join(" ");
        let (access_token, record) =
            self.tokens
                .issue(&client.client_id, granted, jkt, None, req.now);
        Ok(TokenResponse {
            access_token,
            token_type: record.token_type(),
            expires_in: ACCESS_TOKEN_TTL_SECS,
            scope,
        })
    }
}
