//! Access tokens: the in-memory table and authentication of resource requests.
//!
//! Tokens are **opaque** random strings (43 base64url characters), not JWTs. Okta's org AS mints
//! JWTs, but for Okta-scoped tokens only Okta itself reads them (clients treat them as opaque and
//! cache them by `expires_in`), and an opaque token needs no signing key or JWKS endpoint.
//! Lifetime 3600 s, fixed (SVC).
//!
//! Resource-request failures (BEHAVIOR §2, §12; \[unconfirmed\] statuses/bodies noted inline):
//! - unknown or expired token → 401, `WWW-Authenticate: Bearer … error="invalid_token"` and an
//!   `E0000011` body (what SDKs parse);
//! - DPoP-bound token presented as `Bearer` → 400 `invalid_request` "The resource request must use
//!   the DPoP authentication scheme when using a DPoP bound token.";
//! - `DPoP` scheme without proof → 400 `invalid_request` "The resource request requires a DPoP
//!   proof."; bad proof → 400 `invalid_dpop_proof` (header `WWW-Authenticate: DPoP algs=…`);
//! - missing scope → 403, no body, `WWW-Authenticate: Bearer … error="insufficient_scope",
//!   error_description="The access token provided does not contain the required scopes."`.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::dpop::{self, DPOP_ALGS, DpopError, ProofContext};
use super::random_token;
use super::replay::ReplayCache;
use super::scopes::{ScopeRequirement, scope_satisfies};

/// Lifetime of an access token (seconds).
pub const ACCESS_TOKEN_TTL_SECS: i64 = 3600;

/// Most live tokens kept; beyond it the soonest-expiring are dropped. \[emulator limit\]
pub const MAX_TOKENS: usize = 100_000;

/// An issued access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The client (app) it was issued to.
    pub client_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Issue time, Unix seconds.
    pub issued_at: i64,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
    /// DPoP binding: thumbprint of the client's proof key (`cnf.jkt`).
    pub jkt: Option<String>,
    /// The end user, for user tokens (MyAccount); `None` for client-credentials tokens.
    pub user_id: Option<String>,
}

impl AccessToken {
    /// `DPoP` for bound tokens, else `Bearer`.
    pub fn token_type(&self) -> &'static str {
        if self.jkt.is_some() { "DPoP" } else { "Bearer" }
    }
}

/// The table of live access tokens. The token string itself is the key; [`AccessToken`]'s
/// `Debug` never shows it.
#[derive(Default)]
pub struct TokenStore {
    tokens: HashMap<String, AccessToken>,
}

impl std::fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenStore")
            .field("tokens", &self.tokens.len())
            .finish()
    }
}

impl TokenStore {
    /// An empty table.
    pub fn new() -> Self {
        TokenStore::default()
    }

    /// Mints a token; returns the token string and its record.
    pub fn issue(
        &mut self,
        client_id: &str,
        scopes: Vec<String>,
        jkt: Option<String>,
        user_id: Option<String>,
        now: i64,
    ) -> (String, AccessToken) {
        self.tokens.retain(|_, t| t.expires_at > now);
        if self.tokens.len() >= MAX_TOKENS
            && let Some(k) = self
                .tokens
                .iter()
                .min_by_key(|(_, t)| t.expires_at)
                .map(|(k, _)| k.clone())
        {
            self.tokens.remove(&k);
        }
        let token = random_token(32);
        let record = AccessToken {
            client_id: client_id.to_owned(),
            scopes,
            issued_at: now,
            expires_at: now + ACCESS_TOKEN_TTL_SECS,
            jkt,
            user_id,
        };
        self.tokens.insert(token.clone(), record.clone());
        (token, record)
    }

    /// The live token's record; `None` if unknown, revoked or expired.
    pub fn introspect(&self, token: &str, now: i64) -> Option<&AccessToken> {
        self.tokens.get(token).filter(|t| t.expires_at > now)
    }

    /// Revokes one token; `true` if it existed.
    pub fn revoke(&mut self, token: &str) -> bool {
        self.tokens.remove(token).is_some()
    }

    /// Revokes every token matching `pred` (e.g. a user's tokens on session revocation, an
    /// app's tokens on deactivation); returns how many.
    pub fn revoke_where(&mut self, mut pred: impl FnMut(&AccessToken) -> bool) -> usize {
        let before = self.tokens.len();
        self.tokens.retain(|_, t| !pred(t));
        before - self.tokens.len()
    }
}

/// A resource request to authenticate.
#[derive(Debug, Clone, Copy)]
pub struct ResourceRequest<'a> {
    /// The `Authorization` header value (`Bearer …` or `DPoP …`).
    pub authorization: &'a str,
    /// Every `DPoP` header value sent (more than one is an error).
    pub dpop: &'a [&'a str],
    /// Request method.
    pub method: &'a str,
    /// Full request URL (for `htu`).
    pub url: &'a str,
    /// Request path (for `resource=` in `WWW-Authenticate`).
    pub path: &'a str,
    /// The org's base URL, e.g. `https://example.okta.com`.
    pub org_url: &'a str,
    /// Current time, Unix seconds.
    pub now: i64,
}

/// A failed resource-request authentication, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceAuthError {
    /// HTTP status.
    pub status: u16,
    /// The `WWW-Authenticate` header value, when Okta sends one.
    pub www_authenticate: Option<String>,
    /// The JSON body, when Okta sends one.
    pub body: Option<Value>,
}

fn okta_error(code: &str, summary: &str) -> Value {
    json!({
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": format!("oae{}", random_token(16).replace(['-', '_'], "x")),
        "errorCauses": [],
    })
}

fn challenge(
    scheme: &str,
    req: &ResourceRequest<'_>,
    scope: &str,
    error: &str,
    desc: &str,
) -> String {
    let algs = if scheme == "DPoP" {
        format!("algs=\"{DPOP_ALGS}\", ")
    } else {
        String::new()
    };
    format!(
        "{scheme} {algs}authorization_uri=\"{org}/oauth2/v1/authorize\", realm=\"{org}\", \
         scope=\"{scope}\", error=\"{error}\", error_description=\"{desc}\", resource=\"{path}\"",
        org = req.org_url,
        path = req.path,
    )
}

/// Authenticates `req` against the token table and checks `required`.
///
/// # Errors
/// A [`ResourceAuthError`] shaped as described in the module docs.
pub fn authenticate<'s>(
    store: &'s TokenStore,
    dpop_replay: &mut ReplayCache,
    req: &ResourceRequest<'_>,
    required: ScopeRequirement,
) -> Result<&'s AccessToken, ResourceAuthError> {
    let scope_name = match required {
        ScopeRequirement::Scope(s) => s,
        ScopeRequirement::ApiTokenOnly => "",
    };
    let (scheme, token) = match req.authorization.split_once(' ') {
        Some((s, t)) if s.eq_ignore_ascii_case("Bearer") => ("Bearer", t.trim()),
        Some((s, t)) if s.eq_ignore_ascii_case("DPoP") => ("DPoP", t.trim()),
        _ => ("Bearer", ""),
    };
    let invalid = |desc: &str| ResourceAuthError {
        status: 401,
        www_authenticate: Some(challenge(scheme, req, scope_name, "invalid_token", desc)),
        body: Some(okta_error("E0000011", "Invalid token provided")),
    };
    let bad_request = |error: &str, desc: &str| ResourceAuthError {
        status: 400,
        www_authenticate: Some(challenge("DPoP", req, scope_name, error, desc)),
        body: Some(json!({"error": error, "error_description": desc})),
    };
    let Some(record) = store.tokens.get(token).filter(|_| !token.is_empty()) else {
        return Err(invalid("The access token is invalid."));
    };
    if record.expires_at <= req.now {
        return Err(invalid("The token has expired."));
    }
    match (scheme, &record.jkt) {
        ("Bearer", Some(_)) => {
            return Err(bad_request(
                "invalid_request",
                "The resource request must use the DPoP authentication scheme when using a DPoP bound token.",
            ));
        }
        ("DPoP", None) => return Err(invalid("The access token is invalid.")),
        ("DPoP", Some(jkt)) => {
            let proof = match req.dpop {
                [] => {
                    return Err(bad_request(
                        "invalid_request",
                        "The resource request requires a DPoP proof.",
                    ));
                }
                [one] => *one,
                _ => return Err(bad_request("invalid_dpop_proof", dpop::MULTIPLE_PROOFS)),
            };
            let ctx = ProofContext {
                method: req.method,
                url: req.url,
                now: req.now,
                access_token: Some(token),
                expected_jkt: Some(jkt),
                nonces: None,
            };
            if let Err(e) = dpop::verify_proof(proof, &ctx, dpop_replay) {
                let desc = match e {
                    // Okta's resource server words this one with a typo (GH okta-sdk-nodejs#453).
                    DpopError::Invalid(d) if d.starts_with("'htu'") => {
                        "'htu' claim in th e DPoP proof JWT is invalid.".to_owned()
                    }
                    DpopError::Invalid(d) => d,
                    DpopError::UseNonce => dpop::NONCE_REQUIRED.to_owned(),
                };
                return Err(bad_request("invalid_dpop_proof", &desc));
            }
        }
        _ => {}
    }
    match required {
        ScopeRequirement::ApiTokenOnly => Err(ResourceAuthError {
            status: 403,
            www_authenticate: None,
            body: Some(okta_error(
                "E0000006",
                "You do not have permission to perform the requested action",
            )),
        }),
        ScopeRequirement::Scope(s) if !scope_satisfies(&record.scopes, s) => {
            Err(ResourceAuthError {
                status: 403,
                www_authenticate: Some(challenge(
                    "Bearer",
                    req,
                    s,
                    "insufficient_scope",
                    "The access token provided does not contain the required scopes.",
                )),
                body: None,
            })
        }
        ScopeRequirement::Scope(_) => Ok(record),
    }
}
