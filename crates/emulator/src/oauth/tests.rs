//! Tests of the OAuth building blocks with keys generated at run time.

use jsonwebtoken::jwk::JwkSet;
use serde_json::{Map, Value, json};

use super::OAuthError;
use super::client_assertion::{AssertionContext, JWT_BEARER, verify_client_assertion};
use super::replay::ReplayCache;
use super::scopes::ScopeRequirement;
use super::testkeys::TestKey;
use super::token_endpoint::{ClientRegistration, OrgAuthServer, TokenRequest};
use super::tokens::{ResourceRequest, authenticate};

pub(super) const ORG: &str = "https://acme.okta.com";
pub(super) const TOKEN_URL: &str = "https://acme.okta.com/oauth2/v1/token";
pub(super) const CLIENT: &str = "0oaSERVICE";
pub(super) const NOW: i64 = 1_800_000_000;

pub(super) fn jwks(keys: &[(&TestKey, &str)]) -> JwkSet {
    let keys: Vec<Value> = keys
        .iter()
        .map(|(k, kid)| k.public_jwk(Some(kid)))
        .collect();
    match serde_json::from_value(json!({ "keys": keys })) {
        Ok(s) => s,
        Err(e) => panic!("bad test JWKS: {e}"),
    }
}

pub(super) fn assertion(key: &TestKey, kid: &str, claims: Value) -> String {
    key.sign(
        &json!({"alg": key.alg(), "kid": kid, "typ": "JWT"}),
        &claims,
    )
}

pub(super) fn good_claims(jti: &str) -> Value {
    json!({"iss": CLIENT, "sub": CLIENT, "aud": TOKEN_URL, "exp": NOW + 300, "iat": NOW, "jti": jti})
}

pub(super) fn proof(key: &TestKey, claims: Value) -> String {
    key.sign(
        &json!({"typ": "dpop+jwt", "alg": key.alg(), "jwk": key.public_jwk(None)}),
        &claims,
    )
}

pub(super) fn registration(dpop: bool) -> ClientRegistration {
    let app = json!({
        "name": "oidc_client", "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"client_id": CLIENT, "token_endpoint_auth_method": "private_key_jwt"}},
        "settings": {"oauthClient": {
            "application_type": "service", "grant_types": ["client_credentials"],
            "dpop_bound_access_tokens": dpop,
            "jwks": {"keys": [
                TestKey::shared_rsa().public_jwk(Some("r1")),
                {"kty": "EC", "crv": "P-256", "kid": "old", "status": "INACTIVE", "id": "pks1",
                 "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
            ]}
        }}
    });
    let reg = match ClientRegistration::from_app_json(
        &app,
        vec!["okta.users.read".into(), "okta.groups.manage".into()],
    ) {
        Some(r) => r,
        None => panic!("registration did not parse"),
    };
    // The INACTIVE key is not used for verification.
    assert_eq!(reg.jwks.keys.len(), 1);
    reg
}

pub(super) fn token_request<'a>(
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
