//! OAuth over raw HTTP: service app registration, app grants, `POST /oauth2/v1/token` with
//! `private_key_jwt` (+ DPoP nonce handshake), Bearer/DPoP on management endpoints with scope
//! enforcement, MyAccount.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair as _};
use base64::Engine as _;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Org, start};

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

struct Key(EcdsaKeyPair);

impl Key {
    fn new() -> Key {
        match EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING) {
            Ok(k) => Key(k),
            Err(e) => panic!("key generation: {e}"),
        }
    }
    fn jwk(&self) -> Value {
        let p = self.0.public_key().as_ref();
        json!({"kty": "EC", "crv": "P-256", "x": b64(&p[1..33]), "y": b64(&p[33..65])})
    }
    fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let sig = match self.0.sign(&SystemRandom::new(), input.as_bytes()) {
            Ok(s) => s,
            Err(e) => panic!("sign: {e}"),
        };
        format!("{input}.{}", b64(sig.as_ref()))
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn jti() -> String {
    format!("{}-{}", now(), rand_suffix())
}

fn rand_suffix() -> String {
    let mut b = [0u8; 12];
    let _ = aws_lc_rs::rand::fill(&mut b);
    b64(&b)
}

struct Client {
    id: String,
    key: Key,
}

impl Client {
    fn assertion(&self, org: &Org) -> String {
        self.key.sign(
            &json!({"alg": "ES256", "kid": "k1"}),
            &json!({"iss": self.id, "sub": self.id, "aud": org.url("/oauth2/v1/token"),
                    "exp": now() + 300, "iat": now(), "jti": jti()}),
        )
    }
}

/// Registers an API service app with its public key; grants `scopes` through the Okta API.
async fn service_app(org: &Org, dpop: bool, scopes: &[&str]) -> Client {
    let key = Key::new();
    let mut jwk = key.jwk();
    jwk["kid"] = json!("k1");
    let r = org
        .post(
            "/api/v1/apps",
            json!({
                "name": "oidc_client", "label": "Spindle service", "signOnMode": "OPENID_CONNECT",
                "credentials": {"oauthClient": {"token_endpoint_auth_method": "private_key_jwt"}},
                "settings": {"oauthClient": {
                    "application_type": "service", "grant_types": ["client_credentials"],
                    "response_types": ["token"], "dpop_bound_access_tokens": dpop,
                    "jwks": {"keys": [jwk]}
                }}
            }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.body["credentials"]["oauthClient"]["client_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(id, r.body["id"].as_str().unwrap_or_default());
    for s in scopes {
        let g = org
            .post(
                &format!("/api/v1/apps/{id}/grants"),
                json!({"issuer": org.emu.url(), "scopeId": s}),
            )
            .await;
        assert_eq!(g.status, 201, "{}", g.body);
        assert_eq!(g.body["scopeId"], *s);
        assert_eq!(g.body["clientId"], id.as_str());
    }
    Client { id, key }
}

async fn token_request(
    org: &Org,
    form: &[(&str, &str)],
    dpop: Option<&str>,
) -> (u16, Value, Option<String>) {
    let body = form
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut req = org
        .http
        .post(org.url("/oauth2/v1/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(p) = dpop {
        req = req.header("DPoP", p);
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => panic!("token request: {e}"),
    };
    let status = resp.status().as_u16();
    let nonce = resp
        .headers()
        .get("dpop-nonce")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert_eq!(
        resp.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, body, nonce)
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn cc_form<'a>(assertion: &'a str, scope: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("scope", scope),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion),
    ]
}

async fn with_auth(
    org: &Org,
    method: Method,
    path: &str,
    auth: &str,
    dpop: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = org
        .http
        .request(method, org.url(path))
        .header("authorization", auth)
        .header("accept", "application/json");
    if let Some(p) = dpop {
        req = req.header("DPoP", p);
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => panic!("{path}: {e}"),
    };
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, headers, body)
}

#[tokio::test]
async fn client_credentials_bearer_token_calls_management_api_within_its_scopes() {
    let org = start().await;
    let client = service_app(&org, false, &["okta.users.read"]).await;
    let a = client.assertion(&org);
    let (status, body, _) =
        token_request(&org, &cc_form(&a, "okta.users.read okta.groups.read"), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    // Only the granted subset is issued.
    assert_eq!(body["scope"], "okta.users.read");
    let token = body["access_token"].as_str().unwrap_or_default().to_owned();
    let bearer = format!("Bearer {token}");

    let (s, _, users) = with_auth(&org, Method::GET, "/api/v1/users", &bearer, None).await;
    assert_eq!(s, 200);
    assert!(users.is_array());
    // Okta's Python SDK in OAuth mode sends `Bearer<token>` with no space: accepted.
    let glued = format!("Bearer{token}");
    let (s, _, users) = with_auth(&org, Method::GET, "/api/v1/users", &glued, None).await;
    assert_eq!(s, 200, "{users}");

    // Missing scope: 403, no body, WWW-Authenticate insufficient_scope naming the scope.
    let (s, h, body) = with_auth(&org, Method::GET, "/api/v1/groups", &bearer, None).await;
    assert_eq!(s, 403);
    assert_eq!(body, Value::Null);
    let www = h
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(www.contains("error=\"insufficient_scope\""), "{www}");
    assert!(www.contains("scope=\"okta.groups.read\""), "{www}");

    // read does not imply manage.
    let (s, _, _) = with_auth(
        &org,
        Method::POST,
        "/api/v1/users/nobody/lifecycle/suspend",
        &bearer,
        None,
    )
    .await;
    assert_eq!(s, 403);

    // Unknown token: 401 E0000011 + invalid_token challenge.
    let (s, h, body) = with_auth(&org, Method::GET, "/api/v1/users", "Bearer nope", None).await;
    assert_eq!(s, 401);
    assert_eq!(body["errorCode"], "E0000011");
    assert!(
        h.get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .contains("invalid_token")
    );
    // Parameters in the query string (Python SDK style) work too.
    let a = client.assertion(&org);
    let q = cc_form(&a, "okta.users.read")
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&");
    let resp = org
        .http
        .post(org.url(&format!("/oauth2/v1/token?{q}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), 200);
    // The assertion in the query string is not kept in the request log.
    let log = org
        .admin(Method::GET, "/__emulator/requests?limit=1000", None)
        .await;
    assert!(
        log.body["requests"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
    assert!(
        !log.body.to_string().contains(&a),
        "request log holds the assertion"
    );

    // The same assertion can't be used twice.
    let (status, body, _) = token_request(&org, &cc_form(&a, "okta.users.read"), None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(
        body["error_description"],
        "The client_assertion token has already been used."
    );
}

#[tokio::test]
async fn token_endpoint_errors_follow_okta() {
    let org = start().await;
    let client = service_app(&org, false, &["okta.users.read"]).await;

    let a = client.assertion(&org);
    let (s, body, _) = token_request(&org, &cc_form(&a, "okta.groups.manage"), None).await;
    assert_eq!((s, body["error"].as_str()), (400, Some("consent_required")));
    assert_eq!(
        body["error_description"],
        "You are not allowed any of the requested scopes."
    );

    let a = client.assertion(&org);
    let (s, body, _) = token_request(&org, &cc_form(&a, ""), None).await;
    assert_eq!((s, body["error"].as_str()), (400, Some("invalid_scope")));

    let a = client.assertion(&org);
    let (s, body, _) = token_request(&org, &cc_form(&a, "okta.users.read.self"), None).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (400, Some("client_credentials_self_scope_requested"))
    );

    // A client secret instead of an assertion.
    let (s, body, _) = token_request(
        &org,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "okta.users.read"),
            ("client_id", &client.id),
            ("client_secret", "x"),
        ],
        None,
    )
    .await;
    assert_eq!(s, 401);
    assert_eq!(
        body["error_description"],
        "Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method."
    );

    // Signed by another key.
    let other = Client {
        id: client.id.clone(),
        key: Key::new(),
    };
    let a = other.assertion(&org);
    let (s, body, _) = token_request(&org, &cc_form(&a, "okta.users.read"), None).await;
    assert_eq!(s, 401);
    assert_eq!(
        body["error_description"],
        "The client_assertion signature is invalid."
    );

    // Wrong audience.
    let a = client.key.sign(
        &json!({"alg": "ES256", "kid": "k1"}),
        &json!({"iss": client.id, "sub": client.id, "aud": "https://elsewhere/oauth2/v1/token",
                "exp": now() + 300, "jti": jti()}),
    );
    let (s, body, _) = token_request(&org, &cc_form(&a, "okta.users.read"), None).await;
    assert_eq!(s, 401);
    assert_eq!(
        body["error_description"],
        "The audience claim for client_assertion must be the endpoint invoked for the request."
    );

    let (s, body, _) = token_request(&org, &[("grant_type", "password")], None).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );

    // A revoked grant stops new tokens.
    let grants = org.get(&format!("/api/v1/apps/{}/grants", client.id)).await;
    assert_eq!(grants.status, 200);
    let gid = grants.body[0]["id"].as_str().unwrap_or_default().to_owned();
    let d = org
        .delete(&format!("/api/v1/apps/{}/grants/{gid}", client.id))
        .await;
    assert_eq!(d.status, 204);
    let a = client.assertion(&org);
    let (s, body, _) = token_request(&org, &cc_form(&a, "okta.users.read"), None).await;
    assert_eq!((s, body["error"].as_str()), (400, Some("consent_required")));
}

fn dpop_proof(
    key: &Key,
    method: &str,
    url: &str,
    nonce: Option<&str>,
    ath: Option<&str>,
) -> String {
    let mut claims = json!({"htm": method, "htu": url, "iat": now(), "jti": jti()});
    if let Some(n) = nonce {
        claims["nonce"] = json!(n);
    }
    if let Some(a) = ath {
        claims["ath"] = json!(a);
    }
    key.sign(
        &json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": key.jwk()}),
        &claims,
    )
}

#[tokio::test]
async fn dpop_app_needs_proof_then_nonce_and_its_token_needs_dpop_scheme() {
    let org = start().await;
    let client = service_app(&org, true, &["okta.users.read"]).await;
    let token_url = org.url("/oauth2/v1/token");
    let dkey = Key::new();

    // 1. No proof.
    let a = client.assertion(&org);
    let (s, body, _) = token_request(&org, &cc_form(&a, "okta.users.read"), None).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (400, Some("invalid_dpop_proof"))
    );
    assert_eq!(
        body["error_description"],
        "The DPoP proof JWT header is missing."
    );

    // 2. Proof without nonce → use_dpop_nonce + DPoP-Nonce header.
    let a = client.assertion(&org);
    let p = dpop_proof(&dkey, "POST", &token_url, None, None);
    let (s, body, nonce) = token_request(&org, &cc_form(&a, "okta.users.read"), Some(&p)).await;
    assert_eq!((s, body["error"].as_str()), (400, Some("use_dpop_nonce")));
    assert_eq!(
        body["error_description"],
        "Authorization server requires nonce in DPoP proof."
    );
    let nonce = nonce.unwrap_or_else(|| panic!("no dpop-nonce header"));

    // 3. Proof with the nonce → DPoP token.
    let a = client.assertion(&org);
    let p = dpop_proof(&dkey, "POST", &token_url, Some(&nonce), None);
    let (s, body, _) = token_request(&org, &cc_form(&a, "okta.users.read"), Some(&p)).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["token_type"], "DPoP");
    let token = body["access_token"].as_str().unwrap_or_default().to_owned();

    // As Bearer → 400 invalid_request.
    let (s, _, body) = with_auth(
        &org,
        Method::GET,
        "/api/v1/users",
        &format!("Bearer {token}"),
        None,
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(body["error"], "invalid_request");

    // DPoP scheme without a proof.
    let auth = format!("DPoP {token}");
    let (s, _, body) = with_auth(&org, Method::GET, "/api/v1/users", &auth, None).await;
    assert_eq!(s, 400);
    assert_eq!(
        body["error_description"],
        "The resource request requires a DPoP proof."
    );

    // With a proof bound to the token (ath) and the request URL → 200.
    let ath = {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
        b64(d.as_ref())
    };
    let url = org.url("/api/v1/users?limit=5");
    let p = dpop_proof(&dkey, "GET", &url, None, Some(&ath));
    let (s, _, body) = with_auth(&org, Method::GET, "/api/v1/users?limit=5", &auth, Some(&p)).await;
    assert_eq!(s, 200, "{body}");

    // Proof for another URL → invalid_dpop_proof with the htu text.
    let p = dpop_proof(&dkey, "GET", &org.url("/api/v1/groups"), None, Some(&ath));
    let (s, h, _) = with_auth(&org, Method::GET, "/api/v1/users", &auth, Some(&p)).await;
    assert_eq!(s, 400);
    let www = h
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(www.starts_with("DPoP "), "{www}");
    assert!(www.contains("invalid_dpop_proof"), "{www}");

    // A proof signed by another key than the bound one.
    let other = Key::new();
    let p = dpop_proof(&other, "GET", &org.url("/api/v1/users"), None, Some(&ath));
    let (s, _, _) = with_auth(&org, Method::GET, "/api/v1/users", &auth, Some(&p)).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn admin_api_sets_grants_and_mints_user_tokens_for_myaccount() {
    let org = start().await;
    let client = service_app(&org, false, &[]).await;
    let r = org
        .admin(
            Method::PUT,
            &format!("/__emulator/apps/{}/grants", client.id),
            Some(json!({"scopes": ["okta.groups.read"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let a = client.assertion(&org);
    let (s, body, _) = token_request(&org, &cc_form(&a, "okta.groups.read"), None).await;
    assert_eq!(s, 200, "{body}");

    let user = org.user("me@example.com", None, true).await;
    let r = org
        .admin(
            Method::POST,
            "/__emulator/oauth/tokens",
            Some(json!({"userId": user["id"], "scopes": ["okta.myAccount.organization.read"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let bearer = format!(
        "Bearer {}",
        r.body["access_token"].as_str().unwrap_or_default()
    );

    // Without the versioned Accept header: 406 E0000149.
    let (s, _, body) = with_auth(
        &org,
        Method::GET,
        "/idp/myaccount/organization",
        &bearer,
        None,
    )
    .await;
    assert_eq!(s, 406);
    assert_eq!(body["errorCode"], "E0000149");

    let resp = org
        .http
        .get(org.url("/idp/myaccount/organization"))
        .header("authorization", &bearer)
        .header("accept", "application/json; okta-version=1.0.0")
        .send()
        .await;
    let resp = resp.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json;okta-version=1.0.0")
    );
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    assert_eq!(body["url"], org.emu.url().as_str());
    assert!(body["name"].is_string());
    assert!(body["_links"]["self"]["href"].is_string());

    // A management token lacks the MyAccount scope.
    let t = org
        .admin(
            Method::POST,
            "/__emulator/oauth/tokens",
            Some(json!({"scopes": ["okta.users.read"]})),
        )
        .await;
    let bearer = format!(
        "Bearer {}",
        t.body["access_token"].as_str().unwrap_or_default()
    );
    let (s, _, _) = with_auth(
        &org,
        Method::GET,
        "/idp/myaccount/organization",
        &bearer,
        None,
    )
    .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn a_dpop_proof_refused_with_429_cannot_be_replayed() {
    let org = crate::support::start_with(spindle_emulator::EmulatorConfig {
        rate_limit: spindle_emulator::RateLimitMode::PerWindow(3),
        rate_limit_window: std::time::Duration::from_secs(1),
        ..Default::default()
    })
    .await;
    let client = service_app(&org, true, &["okta.users.read"]).await;
    let token_url = org.url("/oauth2/v1/token");
    let dkey = Key::new();
    let a = client.assertion(&org);
    let p = dpop_proof(&dkey, "POST", &token_url, None, None);
    let (_, _, nonce) = token_request(&org, &cc_form(&a, "okta.users.read"), Some(&p)).await;
    let nonce = nonce.unwrap_or_default();
    let a = client.assertion(&org);
    let p = dpop_proof(&dkey, "POST", &token_url, Some(&nonce), None);
    let (s, body, _) = token_request(&org, &cc_form(&a, "okta.users.read"), Some(&p)).await;
    assert_eq!(s, 200, "{body}");
    let token = body["access_token"].as_str().unwrap_or_default().to_owned();
    let ath = b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes()).as_ref());
    let auth = format!("DPoP {token}");
    let url = org.url("/api/v1/users");
    // Exhaust the users bucket, keep one proof that got a 429.
    let mut refused = None;
    for _ in 0..10 {
        let p = dpop_proof(&dkey, "GET", &url, None, Some(&ath));
        let (s, _, _) = with_auth(&org, Method::GET, "/api/v1/users", &auth, Some(&p)).await;
        if s == 429 {
            refused = Some(p);
            break;
        }
    }
    let refused = refused.unwrap_or_else(|| panic!("never rate limited"));
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (s, h, _) = with_auth(&org, Method::GET, "/api/v1/users", &auth, Some(&refused)).await;
    assert_eq!(s, 400);
    let www = h
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(www.contains("has already been used"), "{www}");
    let fresh = dpop_proof(&dkey, "GET", &url, None, Some(&ath));
    let (s, _, _) = with_auth(&org, Method::GET, "/api/v1/users", &auth, Some(&fresh)).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn the_system_log_needs_the_logs_read_scope() {
    let org = start().await;
    let client = service_app(&org, false, &["okta.users.read", "okta.logs.read"]).await;
    let a = client.assertion(&org);
    let (status, body, _) = token_request(&org, &cc_form(&a, "okta.users.read"), None).await;
    assert_eq!(status, 200, "{body}");
    let users_only = format!(
        "Bearer {}",
        body["access_token"].as_str().unwrap_or_default()
    );
    let (s, h, _) = with_auth(&org, Method::GET, "/api/v1/logs", &users_only, None).await;
    assert_eq!(s, 403);
    let www = h
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(www.contains("scope=\"okta.logs.read\""), "{www}");

    let a = client.assertion(&org);
    let (status, body, _) = token_request(&org, &cc_form(&a, "okta.logs.read"), None).await;
    assert_eq!(status, 200, "{body}");
    let logs = format!(
        "Bearer {}",
        body["access_token"].as_str().unwrap_or_default()
    );
    let (s, _, events) = with_auth(&org, Method::GET, "/api/v1/logs", &logs, None).await;
    assert_eq!(s, 200);
    assert!(events.is_array());
}
