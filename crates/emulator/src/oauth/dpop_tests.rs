//! DPoP tests: thumbprints, `htu` normalisation, the token-endpoint nonce handshake and proofs
//! at resources.

use serde_json::{Map, json};

use super::dpop::{self, DpopError, NonceManager, ProofContext, jwk_thumbprint, normalize_htu};
use super::replay::ReplayCache;
use super::scopes::ScopeRequirement;
use super::sha256_b64url;
use super::testkeys::TestKey;
use super::tests::{
    NOW, ORG, TOKEN_URL, assertion, good_claims, proof, registration, token_request,
};
use super::token_endpoint::OrgAuthServer;
use super::tokens::{ResourceRequest, authenticate};

#[test]
fn htu_comparison_ignores_query_fragment_case_and_default_port() {
    assert_eq!(
        normalize_htu("HTTPS://Acme.Okta.com:443/api/v1/users?limit=2#x"),
        "https://acme.okta.com/api/v1/users"
    );
    assert_ne!(
        normalize_htu("https://acme.okta.com/api/v1/Users"),
        normalize_htu("https://acme.okta.com/api/v1/users")
    );
}

#[test]
fn jwk_thumbprint_matches_the_rfc_7638_example() {
    let jwk = json!({
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"
    });
    let m = jwk.as_object().cloned().unwrap_or_default();
    assert_eq!(
        jwk_thumbprint(&m).as_deref(),
        Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    );
}

#[test]
fn dpop_bound_tokens_need_the_nonce_dance_and_a_matching_proof_at_the_resource() {
    let mut server = OrgAuthServer::default();
    let reg = registration(true);
    let dkey = TestKey::ec();
    let lookup = |_: &str| Some(reg.clone());

    // 1. No proof: the Go SDK's first attempt.
    let jwt = assertion(TestKey::shared_rsa(), "r1", good_claims("d1"));
    let e = server.token(&token_request(&jwt, "okta.users.read", &[], NOW), lookup);
    assert!(
        matches!(&e, Err(e) if e.error == "invalid_dpop_proof" && e.description == "The DPoP proof JWT header is missing.")
    );

    // 2. Proof without nonce: use_dpop_nonce with a DPoP-Nonce header.
    let p1 = proof(
        &dkey,
        json!({"htm": "POST", "htu": TOKEN_URL, "iat": NOW, "jti": "p1"}),
    );
    let jwt = assertion(TestKey::shared_rsa(), "r1", good_claims("d2"));
    let e = server.token(&token_request(&jwt, "okta.users.read", &[&p1], NOW), lookup);
    let Err(e) = e else {
        panic!("accepted without nonce")
    };
    assert_eq!(
        (e.status, e.error, e.description.as_str()),
        (400, "use_dpop_nonce", dpop::NONCE_REQUIRED)
    );
    let Some(nonce) = e.dpop_nonce else {
        panic!("no DPoP-Nonce")
    };

    // 3. Proof with nonce: a DPoP token.
    let p2 = proof(
        &dkey,
        json!({"htm": "POST", "htu": TOKEN_URL, "iat": NOW, "jti": "p2", "nonce": nonce}),
    );
    let jwt = assertion(TestKey::shared_rsa(), "r1", good_claims("d3"));
    let ok = server.token(&token_request(&jwt, "okta.users.read", &[&p2], NOW), lookup);
    let Ok(tok) = ok else { panic!("{ok:?}") };
    assert_eq!(tok.token_type, "DPoP");
    let record = server.tokens.introspect(&tok.access_token, NOW).cloned();
    let jkt = jwk_thumbprint(dkey.public_jwk(None).as_object().unwrap_or(&Map::new()));
    assert_eq!(record.and_then(|r| r.jkt), jkt);

    // 4. At the resource.
    let url = "https://acme.okta.com/api/v1/users?limit=1";
    let ath = sha256_b64url(tok.access_token.as_bytes());
    let good = proof(
        &dkey,
        json!({"htm": "GET", "htu": url, "iat": NOW, "jti": "r1", "ath": ath}),
    );
    let dpop_auth = format!("DPoP {}", tok.access_token);
    let bearer_auth = format!("Bearer {}", tok.access_token);
    let rr = ResourceRequest {
        authorization: &dpop_auth,
        dpop: &[],
        method: "GET",
        url,
        path: "/api/v1/users",
        org_url: ORG,
        now: NOW + 5,
    };
    let need = ScopeRequirement::Scope("okta.users.read");
    let mut replay = ReplayCache::new(100);
    let status = |r: Result<&super::tokens::AccessToken, super::tokens::ResourceAuthError>| match r
    {
        Ok(_) => (200, String::new()),
        Err(e) => (
            e.status,
            e.body
                .map(|b| {
                    b["error_description"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned()
                })
                .unwrap_or_default(),
        ),
    };
    let single = [good.as_str()];
    assert_eq!(
        status(authenticate(
            &server.tokens,
            &mut replay,
            &ResourceRequest {
                dpop: &single,
                ..rr
            },
            need
        ))
        .0,
        200
    );
    // Replayed proof.
    assert_eq!(
        status(authenticate(
            &server.tokens,
            &mut replay,
            &ResourceRequest {
                dpop: &single,
                ..rr
            },
            need
        )),
        (400, "The DPoP proof JWT has already been used.".into())
    );
    // Bearer scheme with a bound token; DPoP scheme without proof.
    assert_eq!(
        status(authenticate(
            &server.tokens,
            &mut replay,
            &ResourceRequest {
                authorization: &bearer_auth,
                ..rr
            },
            need
        ))
        .1,
        "The resource request must use the DPoP authentication scheme when using a DPoP bound token."
    );
    assert_eq!(
        status(authenticate(&server.tokens, &mut replay, &rr, need)).1,
        "The resource request requires a DPoP proof."
    );
    // Wrong ath, wrong htu (Okta's typo), another key.
    let bad_ath = proof(
        &dkey,
        json!({"htm": "GET", "htu": url, "iat": NOW, "jti": "r2", "ath": "xyz"}),
    );
    let bad_htu = proof(
        &dkey,
        json!({"htm": "GET", "htu": "https://acme.okta.com/api/v1/groups", "iat": NOW, "jti": "r3", "ath": ath}),
    );
    let other_key = proof(
        TestKey::shared_ec(),
        json!({"htm": "GET", "htu": url, "iat": NOW, "jti": "r4", "ath": ath}),
    );
    let stale = proof(
        &dkey,
        json!({"htm": "GET", "htu": url, "iat": NOW - 600, "jti": "r5", "ath": ath}),
    );
    for (p, want) in [
        (bad_ath, "'ath' claim in the DPoP proof JWT is invalid."),
        (bad_htu, "'htu' claim in th e DPoP proof JWT is invalid."),
        (
            other_key,
            "The DPoP proof JWT key does not match the access token's key binding.",
        ),
        (stale, "'iat' claim in the DPoP proof JWT is invalid."),
    ] {
        let one = [p.as_str()];
        assert_eq!(
            status(authenticate(
                &server.tokens,
                &mut replay,
                &ResourceRequest { dpop: &one, ..rr },
                need
            )),
            (400, want.to_owned())
        );
    }
}

#[test]
fn proofs_with_a_wrong_type_or_a_private_key_are_refused() {
    let key = TestKey::shared_ec();
    let mut jwk = key.public_jwk(None);
    jwk["d"] = json!("AAAA");
    let claims = json!({"htm": "POST", "htu": TOKEN_URL, "iat": NOW, "jti": "z"});
    let with_private = key.sign(
        &json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk}),
        &claims,
    );
    let wrong_typ = key.sign(
        &json!({"typ": "JWT", "alg": "ES256", "jwk": key.public_jwk(None)}),
        &claims,
    );
    let ctx = ProofContext {
        method: "POST",
        url: TOKEN_URL,
        now: NOW,
        access_token: None,
        expected_jkt: None,
        nonces: None,
    };
    let mut replay = ReplayCache::new(10);
    assert!(
        matches!(dpop::verify_proof(&with_private, &ctx, &mut replay), Err(DpopError::Invalid(d)) if d.contains("'jwk'"))
    );
    assert!(
        matches!(dpop::verify_proof(&wrong_typ, &ctx, &mut replay), Err(DpopError::Invalid(d)) if d.contains("'typ'"))
    );
    let wrong_method = ProofContext {
        method: "GET",
        ..ctx
    };
    let ok = proof(key, claims);
    assert!(
        matches!(dpop::verify_proof(&ok, &wrong_method, &mut replay), Err(DpopError::Invalid(d)) if d.contains("'htm'"))
    );
}

#[test]
fn nonces_rotate_daily_and_stay_valid_for_three_days() {
    let mut n = NonceManager::default();
    let first = n.current(0);
    assert_eq!(n.current(3600), first);
    let second = n.current(86_400);
    assert_ne!(first, second);
    assert!(n.is_valid(&first, 2 * 86_400));
    assert!(!n.is_valid(&first, 3 * 86_400));
    assert!(!n.is_valid("made-up", 10));
}

mod never_panics {
    use base64::Engine as _;
    use jsonwebtoken::jwk::JwkSet;
    use proptest::prelude::*;

    use super::super::client_assertion::{AssertionContext, verify_client_assertion};
    use super::super::dpop::{self, NonceManager, ProofContext, normalize_htu};
    use super::super::myaccount::accept_ok;
    use super::super::replay::ReplayCache;
    use super::super::scopes::{parse_scope_param, required_scope};

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    }

    /// JWT-shaped strings whose header/claims are arbitrary JSON-ish text.
    fn jwtish() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            (any::<String>(), any::<String>(), "[A-Za-z0-9_-]{0,40}")
                .prop_map(|(h, c, s)| format!("{}.{}.{s}", b64(&h), b64(&c))),
            (
                prop::sample::select(vec![
                    r#"{"alg":"RS256"}"#,
                    r#"{"alg":"ES256","typ":"dpop+jwt","jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}}"#,
                    r#"{"alg":"RS256","typ":"dpop+jwt","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"}}"#,
                    r#"{"alg":"none"}"#,
                ]),
                any::<String>()
            )
                .prop_map(|(h, c)| format!("{}.{}.c2ln", b64(h), b64(&c))),
        ]
    }

    proptest! {
        #[test]
        fn verifiers_reject_garbage_without_panicking(token in jwtish()) {
            let empty = JwkSet { keys: Vec::new() };
            let ctx = AssertionContext { client_id: "0oa1", jwks: &empty, token_url: "https://o/oauth2/v1/token", now: 0 };
            let mut replay = ReplayCache::new(4);
            prop_assert!(verify_client_assertion(&token, &ctx, &mut replay).is_err());
            let nonces = NonceManager::default();
            let pctx = ProofContext { method: "POST", url: "https://o/oauth2/v1/token", now: 0, access_token: Some("t"), expected_jkt: None, nonces: Some(&nonces) };
            prop_assert!(dpop::verify_proof(&token, &pctx, &mut replay).is_err());
        }

        #[test]
        fn header_and_path_helpers_accept_any_text(s in any::<String>(), m in "[A-Za-z]{0,8}") {
            let _ = normalize_htu(&s);
            let _ = accept_ok(Some(&s));
            let _ = parse_scope_param(&s);
            let _ = required_scope(&m, &s);
        }
    }
}
