//! OAuth 2.0 private_key_jwt and DPoP against a wiremock authorization server.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::ecdsa::signature::Verifier;
use p256::pkcs8::EncodePrivateKey;
use serde_json::{Value, json};
use sha2::Digest;
use spindle_okta::{Client, Clock, Config, Credentials, PrivateKeyAuth, RetryPolicy, SigningKey};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common::TestClock;

fn jwt_parts(jwt: &str) -> (Value, Value, String, Vec<u8>) {
    let p: Vec<&str> = jwt.split('.').collect();
    assert_eq!(p.len(), 3, "not a JWS: {jwt}");
    let h = serde_json::from_slice(&B64.decode(p[0]).unwrap()).unwrap();
    let c = serde_json::from_slice(&B64.decode(p[1]).unwrap()).unwrap();
    (
        h,
        c,
        format!("{}.{}", p[0], p[1]),
        B64.decode(p[2]).unwrap(),
    )
}

fn form(req: &Request) -> std::collections::HashMap<String, String> {
    url::form_urlencoded::parse(&req.body)
        .into_owned()
        .collect()
}

fn setup(uri: &str, key: &p256::SecretKey) -> (Client, Arc<TestClock>) {
    let pem = key.to_pkcs8_pem(Default::default()).unwrap();
    let signing = SigningKey::parse(&pem)
        .unwrap()
        .with_kid(Some("kid-1".into()));
    let creds = Credentials::PrivateKey(Box::new(PrivateKeyAuth::new(
        "0oaclient",
        vec!["okta.users.read".into(), "okta.groups.read".into()],
        signing,
    )));
    // Pacing off: the test clock jumps forward on every pacer wait, which would age the
    // token artificially; this test is about token sharing and renewal.
    let config = Config::new(uri, creds).unwrap().pacing(false).retry(
        RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
    );
    let clock = Arc::new(TestClock::default());
    (Client::with_clock(config, clock.clone()).unwrap(), clock)
}

#[tokio::test]
async fn private_key_jwt_token_is_fetched_once_for_concurrent_callers_and_renewed_before_expiry() {
    let s = MockServer::start().await;
    let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let verifying = p256::ecdsa::VerifyingKey::from(key.public_key());
    let token_url = format!("{}/oauth2/v1/token", s.uri());
    let problems = Arc::new(Mutex::new(Vec::<String>::new()));
    let p = problems.clone();
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(move |req: &Request| {
            let f = form(req);
            let mut bad = Vec::new();
            if f.get("grant_type").map(String::as_str) != Some("client_credentials") {
                bad.push("grant_type".to_owned());
            }
            if f.get("scope").map(String::as_str) != Some("okta.users.read okta.groups.read") {
                bad.push(format!("scope {:?}", f.get("scope")));
            }
            if f.get("client_assertion_type").map(String::as_str)
                != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            {
                bad.push("client_assertion_type".to_owned());
            }
            let (h, c, input, sig) =
                jwt_parts(f.get("client_assertion").map_or("", String::as_str));
            if h["alg"] != "ES256" || h["kid"] != "kid-1" {
                bad.push(format!("header {h}"));
            }
            if c["iss"] != "0oaclient" || c["sub"] != "0oaclient" || c["aud"] != token_url.as_str()
            {
                bad.push(format!("claims {c}"));
            }
            let exp = c["exp"].as_u64().unwrap_or(0);
            let iat = c["iat"].as_u64().unwrap_or(0);
            if exp <= iat || exp - iat > 3600 || c["jti"].as_str().is_none() {
                bad.push(format!("times/jti {c}"));
            }
            let sig = p256::ecdsa::Signature::from_slice(&sig).unwrap();
            if verifying.verify(input.as_bytes(), &sig).is_err() {
                bad.push("signature".to_owned());
            }
            p.lock().unwrap().extend(bad);
            ResponseTemplate::new(200)
                .set_body_json(json!({"token_type": "Bearer", "expires_in": 600,
                    "access_token": "at-1", "scope": "okta.users.read okta.groups.read"}))
                .set_delay(Duration::from_millis(150))
        })
        .expect(2)
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .and(header("authorization", "Bearer at-1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "00u1", "profile": {}})),
        )
        .expect(17)
        .mount(&s)
        .await;
    let (c, clock) = setup(&s.uri(), &key);
    let calls = (0..16).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.users().get("00u1", None).await })
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap().unwrap();
    }
    assert_eq!(
        c.token_fetches(),
        1,
        "concurrent callers must share one token fetch"
    );
    // 600 s token: renewed once less than 5 minutes are left.
    clock.sleep(Duration::from_secs(301)).await;
    c.users().get("00u1", None).await.unwrap();
    assert_eq!(c.token_fetches(), 2);
    let problems = problems.lock().unwrap().clone();
    assert!(
        problems.is_empty(),
        "token requests were wrong: {problems:?}"
    );
}

#[tokio::test]
async fn dpop_is_negotiated_with_nonces_and_every_attempt_gets_a_fresh_proof() {
    let s = MockServer::start().await;
    let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let token_url = format!("{}/oauth2/v1/token", s.uri());
    let resource_url = format!("{}/api/v1/groups/00g1", s.uri());
    let problems = Arc::new(Mutex::new(Vec::<String>::new()));

    fn check_proof(
        proof: &str,
        htm: &str,
        htu: &str,
        nonce: Option<&str>,
        ath: Option<&str>,
        bad: &mut Vec<String>,
    ) -> Value {
        let (h, c, input, sig) = jwt_parts(proof);
        if h["typ"] != "dpop+jwt" || h["alg"] != "ES256" {
            bad.push(format!("proof header {h}"));
        }
        let jwk = h["jwk"].to_string();
        match p256::PublicKey::from_jwk_str(&jwk) {
            Ok(pk) => {
                let sig = p256::ecdsa::Signature::from_slice(&sig).unwrap();
                if p256::ecdsa::VerifyingKey::from(pk)
                    .verify(input.as_bytes(), &sig)
                    .is_err()
                {
                    bad.push("proof signature".into());
                }
            }
            Err(_) => bad.push(format!("proof jwk {jwk}")),
        }
        if c["htm"] != htm
            || c["htu"] != htu
            || c["iat"].as_u64().is_none()
            || c["jti"].as_str().is_none()
        {
            bad.push(format!("proof claims {c} (want {htm} {htu})"));
        }
        if c["nonce"].as_str() != nonce {
            bad.push(format!("nonce {:?} != {nonce:?}", c["nonce"]));
        }
        if c["ath"].as_str() != ath {
            bad.push(format!("ath {:?} != {ath:?}", c["ath"]));
        }
        c
    }

    let p = problems.clone();
    let tu = token_url.clone();
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(move |req: &Request| {
            let Some(proof) = req.headers.get("dpop").and_then(|v| v.to_str().ok()) else {
                return ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_dpop_proof",
                    "error_description": "The DPoP proof JWT header is missing."}));
            };
            let (_, c, _, _) = jwt_parts(proof);
            if c["nonce"].is_null() {
                return ResponseTemplate::new(400)
                    .insert_header("dpop-nonce", "n1")
                    .set_body_json(json!({"error": "use_dpop_nonce",
                        "error_description": "Authorization server requires nonce in DPoP proof."}));
            }
            let mut bad = Vec::new();
            check_proof(proof, "POST", &tu, Some("n1"), None, &mut bad);
            p.lock().unwrap().extend(bad);
            ResponseTemplate::new(200).set_body_json(
                json!({"token_type": "DPoP", "expires_in": 3600, "access_token": "dpop-at"}),
            )
        })
        .expect(3)
        .mount(&s)
        .await;

    let ath = B64.encode(sha2::Sha256::digest(b"dpop-at"));
    let attempts = Arc::new(Mutex::new(Vec::<String>::new()));
    let (p, a) = (problems.clone(), attempts.clone());
    Mock::given(method("GET"))
        .and(path("/api/v1/groups/00g1"))
        .respond_with(move |req: &Request| {
            let mut bad = Vec::new();
            if req.headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("DPoP dpop-at") {
                bad.push("authorization scheme".to_owned());
            }
            let proof = req.headers.get("dpop").and_then(|v| v.to_str().ok()).unwrap_or("");
            let n = a.lock().unwrap().len();
            // 1st attempt: the resource demands a nonce; 2nd: 503; 3rd: success.
            let nonce = if n == 0 { Some("n1") } else { Some("n2") };
            let c = check_proof(proof, "GET", &resource_url, nonce, Some(&ath), &mut bad);
            a.lock().unwrap().push(c["jti"].as_str().unwrap_or("").to_owned());
            p.lock().unwrap().extend(bad);
            match n {
                0 => ResponseTemplate::new(401)
                    .insert_header("dpop-nonce", "n2")
                    .insert_header("www-authenticate", "DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\""),
                1 => ResponseTemplate::new(503),
                _ => ResponseTemplate::new(200).set_body_json(json!({"id": "00g1", "profile": {"name": "G"}})),
            }
        })
        .expect(3)
        .mount(&s)
        .await;

    let (c, _) = setup(&s.uri(), &key);
    let g = c.groups().get("00g1").await.unwrap();
    assert_eq!(g.profile.name(), Some("G"));
    let jtis = attempts.lock().unwrap().clone();
    let unique: std::collections::HashSet<_> = jtis.iter().collect();
    assert_eq!(
        unique.len(),
        3,
        "each attempt needs a fresh proof: {jtis:?}"
    );
    let problems = problems.lock().unwrap().clone();
    assert!(problems.is_empty(), "{problems:?}");
}
