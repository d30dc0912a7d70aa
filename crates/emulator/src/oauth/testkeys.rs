//! Test-only signing keys, generated at run time (no private key is committed).

use std::sync::OnceLock;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair as _};
use base64::Engine as _;
use serde_json::{Value, json};

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// A generated key pair that signs JWTs.
pub(crate) enum TestKey {
    Rsa(aws_lc_rs::rsa::KeyPair),
    Ec(EcdsaKeyPair),
}

impl TestKey {
    /// A fresh RSA-2048 key.
    pub(crate) fn rsa() -> TestKey {
        match aws_lc_rs::rsa::KeyPair::generate(KeySize::Rsa2048) {
            Ok(k) => TestKey::Rsa(k),
            Err(e) => panic!("RSA key generation failed: {e}"),
        }
    }

    /// A fresh P-256 key.
    pub(crate) fn ec() -> TestKey {
        match EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING) {
            Ok(k) => TestKey::Ec(k),
            Err(e) => panic!("EC key generation failed: {e}"),
        }
    }

    /// A shared RSA key (generation is the slow part of these tests).
    pub(crate) fn shared_rsa() -> &'static TestKey {
        static K: OnceLock<TestKey> = OnceLock::new();
        K.get_or_init(TestKey::rsa)
    }

    /// A shared P-256 key.
    pub(crate) fn shared_ec() -> &'static TestKey {
        static K: OnceLock<TestKey> = OnceLock::new();
        K.get_or_init(TestKey::ec)
    }

    /// The JWS `alg`.
    pub(crate) fn alg(&self) -> &'static str {
        match self {
            TestKey::Rsa(_) => "RS256",
            TestKey::Ec(_) => "ES256",
        }
    }

    /// The public JWK.
    pub(crate) fn public_jwk(&self, kid: Option<&str>) -> Value {
        let mut jwk = match self {
            TestKey::Rsa(k) => {
                let c = PublicKeyComponents::<Vec<u8>>::from(k.public_key());
                json!({"kty": "RSA", "n": b64(&c.n), "e": b64(&c.e)})
            }
            TestKey::Ec(k) => {
                let point = k.public_key().as_ref();
                let (x, y) = (point.get(1..33), point.get(33..65));
                json!({"kty": "EC", "crv": "P-256", "x": b64(x.unwrap_or_default()), "y": b64(y.unwrap_or_default())})
            }
        };
        if let (Some(kid), Some(m)) = (kid, jwk.as_object_mut()) {
            m.insert("kid".into(), json!(kid));
        }
        jwk
    }

    /// Signs `claims` under `header` (whose `alg` should match [`TestKey::alg`]).
    pub(crate) fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let rng = SystemRandom::new();
        let sig = match self {
            TestKey::Rsa(k) => {
                let mut sig = vec![0u8; k.public_modulus_len()];
                if let Err(e) = k.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &rng,
                    input.as_bytes(),
                    &mut sig,
                ) {
                    panic!("RSA signing failed: {e}");
                }
                sig
            }
            TestKey::Ec(k) => match k.sign(&rng, input.as_bytes()) {
                Ok(s) => s.as_ref().to_vec(),
                Err(e) => panic!("EC signing failed: {e}"),
            },
        };
        format!("{input}.{}", b64(&sig))
    }
}
