//! `private_key_jwt` client assertions (RFC 7523) as the org authorization server checks them.
//!
//! Order of checks and texts (SVC, OAERR; all 401 `invalid_client`): assertion type, JWT shape,
//! `alg`, key lookup and signature ("The client_assertion signature is invalid."), `iss`/`sub`,
//! `aud` ("The audience claim for client_assertion must be the endpoint invoked for the
//! request."), `exp` ("The client_assertion token is expired." / "…has an expiration too far into
//! the future."), `jti` replay ("The client_assertion token has already been used.").
//! \[unconfirmed\] texts: malformed JWT, unsupported `alg`, `iss`/`sub` mismatch, missing `exp`
//! (worded in Okta's style). Okta also accepts ES512; the emulator's JWT library does not.

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};
use serde_json::Value;

use super::OAuthError;
use super::jwt::{decode_unverified, signature_ok, str_claim, time_claim};
use super::replay::ReplayCache;

/// The only `client_assertion_type` accepted.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Clock skew tolerated on `exp` (seconds). \[unconfirmed\] Okta documents none; 60 s is common.
pub const LEEWAY_SECS: i64 = 60;

/// Longest lifetime an assertion may claim: `exp` at most one hour ahead (SVC).
pub const MAX_LIFETIME_SECS: i64 = 3600;

/// What an assertion is checked against.
#[derive(Debug, Clone, Copy)]
pub struct AssertionContext<'a> {
    /// The registered app's client id.
    pub client_id: &'a str,
    /// The app's public keys (`credentials.oauthClient` / `jwks`).
    pub jwks: &'a JwkSet,
    /// The full URL of the token endpoint invoked, e.g. `https://org/oauth2/v1/token`.
    pub token_url: &'a str,
    /// Current time, Unix seconds.
    pub now: i64,
}

/// The verified parts of an assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAssertion {
    /// `iss` = `sub` = client id.
    pub client_id: String,
    /// `jti`, when present.
    pub jti: Option<String>,
    /// `exp`.
    pub exp: i64,
}

/// The `iss` of an assertion without verifying anything, to find the app it claims to be.
pub fn claimed_client_id(assertion: &str) -> Option<String> {
    let u = decode_unverified(assertion)?;
    str_claim(&u.claims, "iss")
        .or_else(|| str_claim(&u.claims, "sub"))
        .map(str::to_owned)
}

fn key_matches_alg(jwk: &Jwk, alg: jsonwebtoken::Algorithm) -> bool {
    use jsonwebtoken::Algorithm as A;
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => matches!(alg, A::RS256 | A::RS384 | A::RS512),
        AlgorithmParameters::EllipticCurve(_) => matches!(alg, A::ES256 | A::ES384),
        _ => false,
    }
}

/// Verifies `assertion` for the app in `ctx`, recording its `jti` in `replay`.
///
/// # Errors
/// 401 `invalid_client` [`OAuthError`] with Okta's description for the first failed check.
pub fn verify_client_assertion(
    assertion: &str,
    ctx: &AssertionContext<'_>,
    replay: &mut ReplayCache,
) -> Result<VerifiedAssertion, OAuthError> {
    let Some(u) = decode_unverified(assertion) else {
        return Err(OAuthError::invalid_client(
            "The client_assertion token is malformed.",
        ));
    };
    let Some(alg) = u.alg else {
        return Err(OAuthError::invalid_client(
            "The client_assertion token has an unsupported 'alg' header.",
        ));
    };
    let kid = u.header.get("kid").and_then(Value::as_str);
    let candidates: Vec<&Jwk> = ctx
        .jwks
        .keys
        .iter()
        .filter(|k| key_matches_alg(k, alg))
        .filter(|k| kid.is_none() || k.common.key_id.as_deref() == kid)
        .collect();
    if !candidates.iter().any(|k| signature_ok(assertion, k, alg)) {
        return Err(OAuthError::invalid_client(
            "The client_assertion signature is invalid.",
        ));
    }
    let iss = str_claim(&u.claims, "iss");
    let sub = str_claim(&u.claims, "sub");
    if iss != Some(ctx.client_id) || sub != Some(ctx.client_id) {
        return Err(OAuthError::invalid_client(
            "The 'iss' and 'sub' claims of the client_assertion must be the client_id.",
        ));
    }
    let aud_ok = match u.claims.get("aud") {
        Some(Value::String(a)) => a == ctx.token_url,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(ctx.token_url)),
        _ => false,
    };
    if !aud_ok {
        return Err(OAuthError::invalid_client(
            "The audience claim for client_assertion must be the endpoint invoked for the request.",
        ));
    }
    let Some(exp) = time_claim(&u.claims, "exp") else {
        return Err(OAuthError::invalid_client(
            "The client_assertion token must contain an 'exp' claim.",
        ));
    };
    if exp.saturating_add(LEEWAY_SECS) < ctx.now {
        return Err(OAuthError::invalid_client(
            "The client_assertion token is expired.",
        ));
    }
    if exp > ctx.now.saturating_add(MAX_LIFETIME_SECS + LEEWAY_SECS) {
        return Err(OAuthError::invalid_client(
            "The client_assertion token has an expiration too far into the future.",
        ));
    }
    let jti = str_claim(&u.claims, "jti").map(str::to_owned);
    if let Some(jti) = &jti {
        let key = format!("{}\u{0}{jti}", ctx.client_id);
        if !replay.check_and_insert(&key, exp.saturating_add(LEEWAY_SECS), ctx.now) {
            return Err(OAuthError::invalid_client(
                "The client_assertion token has already been used.",
            ));
        }
    }
    Ok(VerifiedAssertion {
        client_id: ctx.client_id.to_owned(),
        jti,
        exp,
    })
}
