//! Tests of the OAuth building blocks with keys generated at run time.

use jsonwebtoken::jwk::JwkSet;
use serde_json::{Map, Value, json};

use super::client_assertion::{AssertionContext, JWT_BEARER, verify_client_assertion};
use super::dpop::{self, DpopError, NonceManager, ProofContext, jwk_thumbprint, normalize_htu};
use super::replay::ReplayCache;
use super::scopes::ScopeRequirement;
use super::testkeys::TestKey;
use super::token_endpoint::{ClientRegistration, OrgAuthServer, TokenRequest};
use super::tokens::{ResourceRequest, authenticate};
use super::{OAuthError, sha256_b64url};

const ORG: &str = "https://acme.okta.com";
const TOKEN_URL: &str = "https://acme.okta.com/oauth2/v1/token";
const CLIENT: &str = "0oaSERVICE";
const NOW: i64 = 1_800_000_000;

fn jwks(keys: &[(&TestKey, &str)]) -> JwkSet {
    let keys: Vec<Value> = keys
        .iter()
        .map(|(k, kid)| k.public_jwk(Some(kid)))
        .collect();
    match serde_json::from_value(json!({ "keys": keys })) {
        Ok(s) => s,
        Err(e) => panic!("bad test JWKS: {e}"),
    }
}

fn assertion(key: &TestKey, kid: &str, claims: Value) -> String {
    key.sign(
        &json!({"alg": key.alg(), "kid": kid, "typ": "JWT"}),
        &claims,
    )
}

fn good_claims(jti: &str) -> Value {
    json!({"iss": CLIENT, "sub": CLIENT, "aud": TOKEN_URL, "exp": NOW + 300, "iat": NOW, "jti": jti})
}

fn check(jwt: &str, set: &JwkSet, replay: &mut ReplayCache) -> Result<(), OAuthError> {
    let ctx = AssertionContext {
        client_id: CLIENT,
        jwks: set,
        token_url: TOKEN_URL,
        now: NOW,
    };
    verify_client_assertion(jwt, &ctx, replay).map(|_| ())
}

fn desc(r: Result<(), OAuthError>) -> String {
    match r {
        Ok(()) => "ok".into(),
        Err(e) => {
            assert_eq!((e.status, e.error), (401, "invalid_client"));
            e.description
        }
    }
}

#[test]
fn client_assertions_signed_with_a_registered_rsa_or_ec_key_are_accepted() {
    let (rsa, ec) = (TestKey::shared_rsa(), TestKey::shared_ec());
    let set = jwks(&[(rsa, "r1"), (ec, "e1")]);
    let mut replay = ReplayCache::new(100);
    assert_eq!(
        desc(check(
            &assertion(rsa, "r1", good_claims("a")),
            &set,
            &mut replay
        )),
        "ok"
    );
    assert_eq!(
        desc(check(
            &assertion(ec, "e1", good_claims("b")),
            &set,
            &mut replay
        )),
        "ok"
    );
    // Without `kid` every key of the right type is tried.
    let no_kid = ec.sign(&json!({"alg": "ES256"}), &good_claims("c"));
    assert_eq!(desc(check(&no_kid, &set, &mut replay)), "ok");
}

#[test]
fn each_client_assertion_failure_gets_oktas_description() {
    let rsa = TestKey::shared_rsa();
    let other = TestKey::shared_ec();
    let set = jwks(&[(rsa, "r1")]);
    let mut replay = ReplayCache::new(100);
    let with = |f: &dyn Fn(&mut Map<String, Value>)| {
        let mut c = good_claims("x");
        if let Some(m) = c.as_object_mut() {
            f(m);
        }
        c
    };
    let cases: Vec<(String, &str)> = vec![
        (
            assertion(other, "r1", good_claims("1")),
            "The client_assertion signature is invalid.",
        ),
        (
            assertion(
                rsa,
                "r1",
                with(&|m| {
                    m.insert(
                        "aud".into(),
                        json!("https://acme.okta.com/oauth2/default/v1/token"),
                    );
                }),
            ),
            "The audience claim for client_assertion must be the endpoint invoked for the request.",
        ),
        (
            assertion(
                rsa,
                "r1",
                with(&|m| {
                    m.insert("exp".into(), json!(NOW - 3600));
                }),
            ),
            "The client_assertion token is expired.",
        ),
        (
            assertion(
                rsa,
                "r1",
                with(&|m| {
                    m.insert("exp".into(), json!(NOW + 7200));
                }),
            ),
            "The client_assertion token has an expiration too far into the future.",
        ),
        (
            assertion(
                rsa,
                "r1",
                with(&|m| {
                    m.insert("sub".into(), json!("0oaOTHER"));
                }),
            ),
            "The 'iss' and 'sub' claims of the client_assertion must be the client_id.",
        ),
        (
            "not-a-jwt".into(),
            "The client_assertion token is malformed.",
        ),
    ];
    for (jwt, want) in cases {
        assert_eq!(desc(check(&jwt, &set, &mut replay)), want);
    }
    // A tampered payload fails the signature check.
    let good = assertion(rsa, "r1", good_claims("t"));
    let parts: Vec<&str> = good.split('.').collect();
    let forged_claims = json!({"iss": CLIENT, "sub": CLIENT, "aud": TOKEN_URL, "exp": NOW + 300, "jti": "t", "admin": true});
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            forged_claims.to_string()
        ),
        parts[2]
    );
    assert_eq!(
        desc(check(&forged, &set, &mut replay)),
        "The client_assertion signature is invalid."
    );
}

#[test]
fn a_client_assertion_cannot_be_replayed() {
    let rsa = TestKey::shared_rsa();
    let set = jwks(&[(rsa, "r1")]);
    let mut replay = ReplayCache::new(100);
    let jwt = assertion(rsa, "r1", good_claims("once"));
    assert_eq!(desc(check(&jwt, &set, &mut replay)), "ok");
    assert_eq!(
        desc(check(&jwt, &set, &mut replay)),
        "The client_assertion token has already been used."
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

fn proof(key: &TestKey, claims: Value) -> String {
    key.sign(
        &json!({"typ": "dpop+jwt", "alg": key.alg(), "jwk": key.public_jwk(None)}),
        &claims,
    )
}

fn registration(dpop: bool) -> ClientRegistration {
    let app = json!({
        "name": "oidc_client", "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"client_id": CLIENT, "token_endpoint_auth_method": "private_key_jwt"}},
        "settings": {"oauthClient": {
            "application_type": "service", "grant_types": ["client_credentials"],
            "dpop_bound_access_tokens": dpop,
            "jwks": {"keys": [TestKey::shared_rsa().public_jwk(Some("r1"))]}
        }}
    });
    match ClientRegistration::from_app_json(
        &app,
        vec!["okta.users.read".into(), "okta.groups.manage".into()],
    ) {
        Some(r) => r,
        None => panic!("registration did not parse"),
    }
}

fn token_request<'a>(
    jwt: &'a str,
    scope: &'a str,
    dpop: &'a [&'a str],
    now: i64,
) -> TokenRequest<'a> {
    TokenRequest {
        grant_type: Some("client_credentials"),
        scope: Some(scope),
        client_assertion_type: Some(JWT_BEARER),
        client_assertion: Some(jwt),
        client_id: None,
        has_client_secret: false,
        dpop,
        token_url: TOKEN_URL,
        now,
    }
}

#[test]
fn client_credentials_issue_a_bearer_token_with_the_granted_subset_of_scopes() {
    let mut server = OrgAuthServer::default();
    let reg = registration(false);
    let jwt = assertion(TestKey::shared_rsa(), "r1", good_claims("cc1"));
    let resp = server.token(
        &token_request(&jwt, "okta.users.read okta.apps.read", &[], NOW),
        |id| (id == CLIENT).then(|| reg.clone()),
    );
    let resp = match resp {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(resp.token_type, "Bearer");
    assert_eq!(resp.expires_in, 3600);
    assert_eq!(resp.scope, "okta.users.read");
    assert_eq!(resp.body()["token_type"], "Bearer");

    let auth = format!("Bearer {}", resp.access_token);
    let rr = ResourceRequest {
        authorization: &auth,
        dpop: &[],
        method: "GET",
        url: "https://acme.okta.com/api/v1/users",
        path: "/api/v1/users",
        org_url: ORG,
        now: NOW + 10,
    };
    let mut replay = ReplayCache::new(10);
    assert!(
        authenticate(
            &server.tokens,
            &mut replay,
            &rr,
            ScopeRequirement::Scope("okta.users.read")
        )
        .is_ok()
    );
    // Missing scope: 403, no body, Okta's challenge.
    let denied = authenticate(
        &server.tokens,
        &mut replay,
        &rr,
        ScopeRequirement::Scope("okta.users.manage"),
    );
    let Err(denied) = denied else {
        panic!("manage allowed with read")
    };
    assert_eq!(denied.status, 403);
    assert!(denied.body.is_none());
    let h = denied.www_authenticate.unwrap_or_default();
    assert!(
        h.contains("error=\"insufficient_scope\"")
            && h.contains("scope=\"okta.users.manage\"")
            && h.contains("resource=\"/api/v1/users\""),
        "{h}"
    );
    // Expired after an hour.
    let later = ResourceRequest {
        now: NOW + 3600,
        ..rr
    };
    let expired = authenticate(
        &server.tokens,
        &mut replay,
        &later,
        ScopeRequirement::Scope("okta.users.read"),
    );
    assert!(
        matches!(expired, Err(e) if e.status == 401 && e.body.as_ref().is_some_and(|b| b["errorCode"] == "E0000011"))
    );
}

#[test]
fn token_endpoint_errors_follow_oktas_order_and_texts() {
    let mut server = OrgAuthServer::default();
    let reg = registration(false);
    let jwt = assertion(TestKey::shared_rsa(), "r1", good_claims("e1"));
    let run = |server: &mut OrgAuthServer, req: TokenRequest<'_>| match server
        .token(&req, |_| Some(reg.clone()))
    {
        Ok(_) => ("ok", 200, String::new()),
        Err(e) => (e.error, e.status, e.description),
    };
    let base = token_request(&jwt, "okta.users.read", &[], NOW);
    let secret = TokenRequest {
        client_assertion: None,
        has_client_secret: true,
        ..base
    };
    assert_eq!(run(&mut server, secret).0, "invalid_client");
    assert!(
        run(&mut server, secret)
            .2
            .contains("must use the private_key_jwt")
    );
    let implicit = TokenRequest {
        grant_type: Some("implicit"),
        ..base
    };
    assert_eq!(run(&mut server, implicit).0, "unsupported_grant_type");
    assert_eq!(
        run(
            &mut server,
            TokenRequest {
                scope: None,
                ..base
            }
        ),
        ("invalid_scope", 400, "No scopes were requested.".into())
    );
    let jwt2 = assertion(TestKey::shared_rsa(), "r1", good_claims("e2"));
    let req2 = token_request(&jwt2, "okta.apps.manage", &[], NOW);
    assert_eq!(
        run(&mut server, req2),
        (
            "consent_required",
            400,
            "You are not allowed any of the requested scopes.".into()
        )
    );
    let jwt3 = assertion(TestKey::shared_rsa(), "r1", good_claims("e3"));
    let req3 = token_request(&jwt3, "okta.users.read.self", &[], NOW);
    assert_eq!(
        run(&mut server, req3).0,
        "client_credentials_self_scope_requested"
    );
    // Unknown client.
    let mut other = json!(good_claims("e4"));
    other["iss"] = json!("0oaUNKNOWN");
    other["sub"] = json!("0oaUNKNOWN");
    let jwt4 = assertion(TestKey::shared_rsa(), "r1", other);
    let err = server.token(&token_request(&jwt4, "okta.users.read", &[], NOW), |id| {
        (id == CLIENT).then(|| reg.clone())
    });
    assert!(
        matches!(err, Err(e) if e.status == 401 && e.description == "Invalid value for 'client_id' parameter.")
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
