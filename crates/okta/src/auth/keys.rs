//! Private keys (RSA and P-256, from PEM or JWK) and compact JWS signing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::ecdsa::signature::Signer;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

use crate::{Error, Result};

/// A private key that signs JWTs (client assertions and DPoP proofs).
#[derive(Clone)]
pub struct SigningKey {
    inner: KeyKind,
    kid: Option<String>,
}

#[derive(Clone)]
enum KeyKind {
    Rsa(
        Box<rsa::pkcs1v15::SigningKey<sha2::Sha256>>,
        rsa::RsaPublicKey,
    ),
    Ec(p256::ecdsa::SigningKey),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn b64_uint(s: &str, what: &str) -> Result<rsa::BigUint> {
    B64.decode(s.trim_end_matches('='))
        .map(|b| rsa::BigUint::from_bytes_be(&b))
        .map_err(|_| Error::Config(format!("JWK field `{what}` is not base64url")))
}

impl SigningKey {
    /// Parses a PEM (PKCS#1 or PKCS#8 RSA, SEC1 or PKCS#8 P-256) or a JWK (JSON) private key.
    ///
    /// # Errors
    /// [`Error::Config`] when the text is neither (the message never contains key material).
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.starts_with('{') {
            return Self::from_jwk(text);
        }
        let bad = |what: &str| Error::Config(format!("cannot read private key: {what}"));
        if text.contains("BEGIN RSA PRIVATE KEY") {
            let k =
                rsa::RsaPrivateKey::from_pkcs1_pem(text).map_err(|_| bad("bad PKCS#1 RSA PEM"))?;
            return Ok(Self::rsa(k));
        }
        if text.contains("BEGIN EC PRIVATE KEY") {
            let k = p256::SecretKey::from_sec1_pem(text)
                .map_err(|_| bad("bad SEC1 EC PEM (only P-256 is supported)"))?;
            return Ok(Self::ec(k));
        }
        if text.contains("BEGIN PRIVATE KEY") {
            if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_pem(text) {
                return Ok(Self::rsa(k));
            }
            if let Ok(k) = p256::SecretKey::from_pkcs8_pem(text) {
                return Ok(Self::ec(k));
            }
            return Err(bad("PKCS#8 key is neither RSA nor P-256"));
        }
        Err(bad("expected a PEM private key or a JWK"))
    }

    fn from_jwk(text: &str) -> Result<Self> {
        let v: Value = serde_json::from_str(text)
            .map_err(|_| Error::Config("private key JWK is not valid JSON".into()))?;
        let s = |k: &str| v.get(k).and_then(Value::as_str);
        let kid = s("kid").map(str::to_owned);
        let mut key = match s("kty") {
            Some("RSA") => {
                let get = |k: &str| {
                    s(k).ok_or_else(|| Error::Config(format!("RSA JWK lacks `{k}`")))
                        .and_then(|x| b64_uint(x, k))
                };
                let primes = match (s("p"), s("q")) {
                    (Some(p), Some(q)) => vec![b64_uint(p, "p")?, b64_uint(q, "q")?],
                    _ => vec![],
                };
                let k =
                    rsa::RsaPrivateKey::from_components(get("n")?, get("e")?, get("d")?, primes)
                        .map_err(|_| Error::Config("RSA JWK is inconsistent".into()))?;
                Self::rsa(k)
            }
            Some("EC") => {
                if s("crv") != Some("P-256") {
                    return Err(Error::Config("only P-256 EC keys are supported".into()));
                }
                let k = p256::SecretKey::from_jwk_str(text)
                    .map_err(|_| Error::Config("EC JWK is invalid".into()))?;
                Self::ec(k)
            }
            _ => return Err(Error::Config("JWK `kty` must be RSA or EC".into())),
        };
        key.kid = kid;
        Ok(key)
    }

    fn rsa(k: rsa::RsaPrivateKey) -> Self {
        let public = k.to_public_key();
        Self {
            inner: KeyKind::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(k)), public),
            kid: None,
        }
    }

    fn ec(k: p256::SecretKey) -> Self {
        Self {
            inner: KeyKind::Ec(p256::ecdsa::SigningKey::from(k)),
            kid: None,
        }
    }

    /// A fresh random P-256 key (used for DPoP proofs).
    pub fn generate_es256() -> Self {
        Self::ec(p256::SecretKey::random(&mut rand::rngs::OsRng))
    }

    /// Sets the key id sent as `kid`.
    pub fn with_kid(mut self, kid: Option<String>) -> Self {
        if kid.is_some() {
            self.kid = kid;
        }
        self
    }

    /// The key id, if known.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `RS256` or `ES256`.
    pub fn alg(&self) -> &'static str {
        match self.inner {
            KeyKind::Rsa(..) => "RS256",
            KeyKind::Ec(_) => "ES256",
        }
    }

    /// The public half as a JWK (for DPoP's `jwk` header).
    pub fn public_jwk(&self) -> Value {
        match &self.inner {
            KeyKind::Rsa(_, public) => json!({
                "kty": "RSA",
                "e": B64.encode(public.e().to_bytes_be()),
                "n": B64.encode(public.n().to_bytes_be()),
            }),
            KeyKind::Ec(k) => {
                let point = k.verifying_key().to_encoded_point(false);
                json!({
                    "kty": "EC",
                    "crv": "P-256",
                    "x": point.x().map(|x| B64.encode(x)).unwrap_or_default(),
                    "y": point.y().map(|y| B64.encode(y)).unwrap_or_default(),
                })
            }
        }
    }

    /// Signs a JWT with the given header fields (plus `alg`) and claims.
    pub fn sign_jwt(&self, mut header: serde_json::Map<String, Value>, claims: &Value) -> String {
        header.insert("alg".into(), Value::from(self.alg()));
        let h = B64.encode(Value::Object(header).to_string());
        let c = B64.encode(claims.to_string());
        let input = format!("{h}.{c}");
        let sig = match &self.inner {
            KeyKind::Rsa(k, _) => {
                let s: rsa::pkcs1v15::Signature = k.sign(input.as_bytes());
                B64.encode(Box::<[u8]>::from(s))
            }
            KeyKind::Ec(k) => {
                let s: p256::ecdsa::Signature = k.sign(input.as_bytes());
                B64.encode(s.to_bytes())
            }
        };
        format!("{input}.{sig}")
    }
}

/// A random `jti`.
pub(crate) fn random_jti() -> String {
    use rand::RngCore;
    let mut b = [0u8; 18];
    rand::rngs::OsRng.fill_bytes(&mut b);
    B64.encode(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;
    use p256::pkcs8::EncodePrivateKey;

    fn parts(jwt: &str) -> (Value, Value, Vec<u8>) {
        let p: Vec<&str> = jwt.split('.').collect();
        assert_eq!(p.len(), 3);
        let h = serde_json::from_slice(&B64.decode(p[0]).unwrap()).unwrap();
        let c = serde_json::from_slice(&B64.decode(p[1]).unwrap()).unwrap();
        (h, c, B64.decode(p[2]).unwrap())
    }

    #[test]
    fn es256_from_pkcs8_pem_and_jwk_signs_verifiable_jwts() {
        let sk = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let pem = sk.to_pkcs8_pem(Default::default()).unwrap();
        let jwk = sk.to_jwk_string();
        for text in [pem.to_string(), jwk.to_string()] {
            let key = SigningKey::parse(&text)
                .unwrap()
                .with_kid(Some("k1".into()));
            let jwt = key.sign_jwt(Default::default(), &json!({"sub": "x"}));
            let (h, c, sig) = parts(&jwt);
            assert_eq!(h["alg"], "ES256");
            assert_eq!(c["sub"], "x");
            let input = jwt.rsplit_once('.').unwrap().0;
            let sig = p256::ecdsa::Signature::from_slice(&sig).unwrap();
            p256::ecdsa::VerifyingKey::from(sk.public_key())
                .verify(input.as_bytes(), &sig)
                .unwrap();
            assert_eq!(key.public_jwk()["crv"], "P-256");
        }
    }

    #[test]
    fn rs256_from_pem_and_jwk() {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::traits::PrivateKeyParts;
        let k = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).unwrap();
        let pem = k.to_pkcs1_pem(Default::default()).unwrap();
        let key = SigningKey::parse(&pem).unwrap();
        assert_eq!(key.alg(), "RS256");
        let n = B64.encode(k.n().to_bytes_be());
        let e = B64.encode(k.e().to_bytes_be());
        let d = B64.encode(k.d().to_bytes_be());
        let p = B64.encode(k.primes()[0].to_bytes_be());
        let q = B64.encode(k.primes()[1].to_bytes_be());
        let jwk = json!({"kty":"RSA","kid":"abc","n":n,"e":e,"d":d,"p":p,"q":q}).to_string();
        let key2 = SigningKey::parse(&jwk).unwrap();
        assert_eq!(key2.kid(), Some("abc"));
        assert_eq!(key2.public_jwk()["n"], Value::from(n));
        // Signatures are deterministic with PKCS#1 v1.5: both readings are the same key.
        let claims = json!({"a": 1});
        assert_eq!(
            key.sign_jwt(Default::default(), &claims),
            key2.sign_jwt(Default::default(), &claims)
        );
    }

    #[test]
    fn garbage_is_a_config_error_without_the_text() {
        let e = SigningKey::parse(
            "-----BEGIN PRIVATE KEY-----\nsecretstuff\n-----END PRIVATE KEY-----",
        )
        .unwrap_err();
        assert!(matches!(e, Error::Config(_)));
        assert!(!e.to_string().contains("secretstuff"));
    }
}
