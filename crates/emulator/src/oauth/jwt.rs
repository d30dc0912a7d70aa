//! Compact JWS helpers shared by client assertions and DPoP proofs: split, decode the header and
//! claims without trusting them, verify the signature with a JWK.

use base64::Engine as _;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

/// Signature algorithms Okta accepts for client assertions and DPoP proofs
/// (`DPoP algs="RS256 RS384 RS512 ES256 ES384 ES512"`, BEHAVIOR §2/§12).
pub(crate) const ALGS: &[(&str, Algorithm)] = &[
    ("RS256", Algorithm::RS256),
    ("RS384", Algorithm::RS384),
    ("RS512", Algorithm::RS512),
    ("ES256", Algorithm::ES256),
    ("ES384", Algorithm::ES384),
];

/// A JWT split into its parts, header and claims decoded but not yet trusted.
#[derive(Debug, Clone)]
pub(crate) struct Unverified {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    pub alg: Option<Algorithm>,
}

fn b64_json(part: &str) -> Option<Map<String, Value>> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// Decodes header and claims; `None` when `token` is not a compact JWS with JSON objects.
pub(crate) fn decode_unverified(token: &str) -> Option<Unverified> {
    let mut parts = token.split('.');
    let (h, c, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || s.is_empty() {
        return None;
    }
    let header = b64_json(h)?;
    let claims = b64_json(c)?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .and_then(|a| ALGS.iter().find(|(n, _)| *n == a).map(|(_, alg)| *alg));
    Some(Unverified {
        header,
        claims,
        alg,
    })
}

/// Whether `token`'s signature verifies with `jwk` under `alg` (claims are checked by callers).
pub(crate) fn signature_ok(token: &str, jwk: &Jwk, alg: Algorithm) -> bool {
    let Ok(key) = DecodingKey::from_jwk(jwk) else {
        return false;
    };
    let mut v = Validation::new(alg);
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(token, &key, &v).is_ok()
}

/// A string claim.
pub(crate) fn str_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

/// A numeric date claim (seconds; fractional values truncated).
pub(crate) fn time_claim(claims: &Map<String, Value>, name: &str) -> Option<i64> {
    let v = claims.get(name)?;
    v.as_i64()
        .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
}
