//! DPoP proofs (RFC 9449) as Okta checks them at the token endpoint and at resources.
//!
//! A proof is a JWT with header `typ: dpop+jwt`, an asymmetric `alg` and the public `jwk`, and
//! claims `htm`, `htu`, `iat`, `jti` (+ `nonce` at the token endpoint once the server asked for
//! one, + `ath` at resources). Okta (BEHAVIOR §12): proofs older than 5 minutes, reused `jti`,
//! wrong `htm`/`htu`/`iat`/`typ` → 400 `invalid_dpop_proof`; a token request without a valid
//! server nonce → 400 `use_dpop_nonce` "Authorization server requires nonce in DPoP proof." with
//! a `DPoP-Nonce` header; nonces rotate every 24 h and stay valid 3 days; resources don't need a
//! nonce. `htu` is compared without query and fragment, scheme and host case-insensitively.
//!
//! \[unconfirmed\] descriptions other than the missing-header, nonce and `htu` ones follow the
//! observed pattern `"'<claim>' claim in the DPoP proof JWT is invalid."`.

use jsonwebtoken::jwk::Jwk;
use serde_json::{Map, Value, json};

use super::OAuthError;
use super::jwt::{decode_unverified, signature_ok, str_claim, time_claim};
use super::replay::ReplayCache;
use super::{random_token, sha256_b64url};

/// The `algs` Okta advertises in `WWW-Authenticate: DPoP`.
pub const DPOP_ALGS: &str = "RS256 RS384 RS512 ES256 ES384 ES512";

/// Proofs whose `iat` is older than this are rejected (seconds; Okta: 5 minutes).
pub const MAX_PROOF_AGE_SECS: i64 = 300;

/// Tolerated clock skew for an `iat` in the future. \[unconfirmed\]
pub const FUTURE_SKEW_SECS: i64 = 60;

/// `error_description` when a token request carries no `DPoP` header.
pub const MISSING_PROOF: &str = "The DPoP proof JWT header is missing.";

/// `error_description` when a request carries more than one `DPoP` header.
pub const MULTIPLE_PROOFS: &str = "Multiple DPoP proof JWT headers were found in the request.";

/// `error_description` of `use_dpop_nonce`.
pub const NONCE_REQUIRED: &str = "Authorization server requires nonce in DPoP proof.";

/// Why a proof was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DpopError {
    /// `invalid_dpop_proof` with this description.
    Invalid(String),
    /// The proof lacks a current server nonce: answer `use_dpop_nonce` with a fresh one.
    UseNonce,
}

impl DpopError {
    fn claim(name: &str) -> Self {
        DpopError::Invalid(format!("'{name}' claim in the DPoP proof JWT is invalid."))
    }

    /// The token-endpoint response for this error (400; `use_dpop_nonce` carries
    /// `DPoP-Nonce: <current nonce>`).
    pub fn into_token_error(self, nonces: &mut NonceManager, now: i64) -> OAuthError {
        match self {
            DpopError::Invalid(d) => OAuthError::new(400, "invalid_dpop_proof", d),
            DpopError::UseNonce => OAuthError {
                dpop_nonce: Some(nonces.current(now)),
                ..OAuthError::new(400, "use_dpop_nonce", NONCE_REQUIRED)
            },
        }
    }
}

/// Server-issued DPoP nonces: a new one every `rotate_every` seconds, each accepted for
/// `valid_for` seconds after issue (Okta: 24 h and 3 days).
#[derive(Debug, Clone)]
pub struct NonceManager {
    issued: Vec<(String, i64)>,
    rotate_every: i64,
    valid_for: i64,
}

impl Default for NonceManager {
    fn default() -> Self {
        NonceManager::new(86_400, 3 * 86_400)
    }
}

impl NonceManager {
    /// A manager with the given periods (seconds).
    pub fn new(rotate_every: i64, valid_for: i64) -> Self {
        NonceManager {
            issued: Vec::new(),
            rotate_every: rotate_every.max(1),
            valid_for: valid_for.max(1),
        }
    }

    /// The nonce to hand out now (issuing a new one when the newest is due for rotation).
    pub fn current(&mut self, now: i64) -> String {
        let valid_for = self.valid_for;
        self.issued.retain(|(_, at)| now - at < valid_for);
        match self.issued.last() {
            Some((n, at)) if now - at < self.rotate_every => n.clone(),
            _ => {
                let n = random_token(24);
                self.issued.push((n.clone(), now));
                n
            }
        }
    }

    /// Whether `nonce` was issued and is still accepted at `now`.
    pub fn is_valid(&self, nonce: &str, now: i64) -> bool {
        self.issued
            .iter()
            .any(|(n, at)| n == nonce && now - at < self.valid_for && now >= *at)
    }
}

/// What a proof is checked against.
#[derive(Debug, Clone, Copy)]
pub struct ProofContext<'a> {
    /// The request method (`htm`).
    pub method: &'a str,
    /// The full request URL (`htu`; query and fragment are ignored).
    pub url: &'a str,
    /// Current time, Unix seconds.
    pub now: i64,
    /// At a resource: the access token, whose hash `ath` must carry.
    pub access_token: Option<&'a str>,
    /// At a resource: the token's `cnf.jkt`, which the proof key's thumbprint must equal.
    pub expected_jkt: Option<&'a str>,
    /// At the token endpoint: the nonces the proof's `nonce` must be one of.
    pub nonces: Option<&'a NonceManager>,
}

/// A verified proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// RFC 7638 thumbprint of the proof key (what `cnf.jkt` binds).
    pub jkt: String,
    /// The proof's `jti`.
    pub jti: String,
}

/// RFC 7638 JWK SHA-256 thumbprint (base64url) of a public EC or RSA JWK given as JSON.
pub fn jwk_thumbprint(jwk: &Map<String, Value>) -> Option<String> {
    let s = |k: &str| jwk.get(k).and_then(Value::as_str);
    // Members in lexicographic order; `serde_json` keeps insertion order here.
    let canonical = match s("kty")? {
        "EC" => json!({"crv": s("crv")?, "kty": "EC", "x": s("x")?, "y": s("y")?}),
        "RSA" => json!({"e": s("e")?, "kty": "RSA", "n": s("n")?}),
        _ => return None,
    };
    Some(sha256_b64url(canonical.to_string().as_bytes()))
}

/// Normalises an `htu`/request URL for comparison: no query or fragment, lower-case scheme and
/// host, default port dropped.
pub fn normalize_htu(url: &str) -> String {
    let base = url.split(['?', '#']).next().unwrap_or_default();
    let Some((scheme, rest)) = base.split_once("://") else {
        return base.to_owned();
    };
    let scheme = scheme.to_ascii_lowercase();
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut authority = authority.to_ascii_lowercase();
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    if let Some(stripped) = authority.strip_suffix(default_port) {
        authority = stripped.to_owned();
    }
    let path = if path.is_empty() { "/" } else { path };
    format!("{scheme}://{authority}{path}")
}

/// Verifies a DPoP proof, recording its `jti` in `replay`.
///
/// # Errors
/// [`DpopError::Invalid`] with Okta's description for the first failed check, or
/// [`DpopError::UseNonce`] when a nonce is required and the proof has no valid one.
pub fn verify_proof(
    proof: &str,
    ctx: &ProofContext<'_>,
    replay: &mut ReplayCache,
) -> Result<VerifiedProof, DpopError> {
    let Some(u) = decode_unverified(proof) else {
        return Err(DpopError::Invalid(
            "The DPoP proof JWT is malformed.".into(),
        ));
    };
    if u.header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
        return Err(DpopError::Invalid(
            "'typ' header in the DPoP proof JWT is invalid.".into(),
        ));
    }
    let Some(alg) = u.alg else {
        return Err(DpopError::Invalid(
            "'alg' header in the DPoP proof JWT is invalid.".into(),
        ));
    };
    let jwk_json = match u.header.get("jwk") {
        // A private key in the header is refused (RFC 9449 §4.3 check 7).
        Some(Value::Object(m)) if !m.contains_key("d") => m.clone(),
        _ => {
            return Err(DpopError::Invalid(
                "'jwk' header in the DPoP proof JWT is invalid.".into(),
            ));
        }
    };
    let jwk: Option<Jwk> = serde_json::from_value(Value::Object(jwk_json.clone())).ok();
    let (Some(jwk), Some(jkt)) = (jwk, jwk_thumbprint(&jwk_json)) else {
        return Err(DpopError::Invalid(
            "'jwk' header in the DPoP proof JWT is invalid.".into(),
        ));
    };
    if !signature_ok(proof, &jwk, alg) {
        return Err(DpopError::Invalid(
            "The DPoP proof JWT signature is invalid.".into(),
        ));
    }
    if str_claim(&u.claims, "htm") != Some(ctx.method) {
        return Err(DpopError::claim("htm"));
    }
    let htu_ok =
        str_claim(&u.claims, "htu").is_some_and(|h| normalize_htu(h) == normalize_htu(ctx.url));
    if !htu_ok {
        return Err(DpopError::claim("htu"));
    }
    let iat_ok = time_claim(&u.claims, "iat").is_some_and(|iat| {
        iat <= ctx.now.saturating_add(FUTURE_SKEW_SECS)
            && iat >= ctx.now.saturating_sub(MAX_PROOF_AGE_SECS)
    });
    if !iat_ok {
        return Err(DpopError::claim("iat"));
    }
    let Some(jti) = str_claim(&u.claims, "jti").filter(|j| !j.is_empty()) else {
        return Err(DpopError::claim("jti"));
    };
    if let Some(nonces) = ctx.nonces {
        let ok = str_claim(&u.claims, "nonce").is_some_and(|n| nonces.is_valid(n, ctx.now));
        if !ok {
            return Err(DpopError::UseNonce);
        }
    }
    if let Some(token) = ctx.access_token
        && str_claim(&u.claims, "ath") != Some(sha256_b64url(token.as_bytes()).as_str())
    {
        return Err(DpopError::claim("ath"));
    }
    if let Some(expected) = ctx.expected_jkt
        && expected != jkt
    {
        return Err(DpopError::Invalid(
            "The DPoP proof JWT key does not match the access token's key binding.".into(),
        ));
    }
    let key = format!("{jkt}\u{0}{jti}");
    let remember = ctx
        .now
        .saturating_add(MAX_PROOF_AGE_SECS + FUTURE_SKEW_SECS);
    if !replay.check_and_insert(&key, remember, ctx.now) {
        return Err(DpopError::Invalid(
            "The DPoP proof JWT has already been used.".into(),
        ));
    }
    Ok(VerifiedProof {
        jkt,
        jti: jti.to_owned(),
    })
}
