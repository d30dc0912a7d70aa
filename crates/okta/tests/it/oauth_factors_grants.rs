//! The client's calls beyond the directory (OAuth private_key_jwt and DPoP, group rules, grants, refresh
//! tokens, factors, linked objects, user types, sessions, MyAccount, Aerial) against the
//! in-process emulator. The emulator is driven only over HTTP (its management and
//! `/__emulator` admin API); no emulator code is shared with the client.

use futures::TryStreamExt;
use rsa::pkcs8::EncodePrivateKey as _;
use serde_json::{Value, json};
use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};
use spindle_okta::models::*;
use spindle_okta::{Client, Config, Credentials, DpopMode, Error, PrivateKeyAuth, SigningKey};

async fn start() -> Emulator {
    Emulator::start(EmulatorConfig {
        users: 0,
        groups: 0,
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await
    .unwrap()
}

fn ssws(emu: &Emulator) -> Client {
    Client::new(Config::with_api_token(&emu.url(), emu.token()).unwrap()).unwrap()
}

/// A raw call to the emulator with the SSWS token; returns (status, JSON body or Null).
async fn raw(
    emu: &Emulator,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = reqwest::Client::new()
        .request(method, format!("{}{path}", emu.url()))
        .header("authorization", format!("SSWS {}", emu.token()))
        .header("accept", "application/json");
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Registers a `private_key_jwt` service app holding `jwk` and grants it `scopes`.
async fn service_app(emu: &Emulator, jwk: Value, dpop: bool, scopes: &[&str]) -> String {
    let (st, app) = raw(
        emu,
        reqwest::Method::POST,
        "/api/v1/apps",
        Some(json!({
            "name": "oidc_client", "label": "Spindle service", "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "private_key_jwt"}},
            "settings": {"oauthClient": {
                "application_type": "service", "grant_types": ["client_credentials"],
                "response_types": ["token"],
                "dpop_bound_access_tokens": dpop,
                "jwks": {"keys": [jwk]}
            }}
        })),
    )
    .await;
    assert!(st == 200 || st == 201, "create app: {st} {app}");
    let id = app["id"].as_str().unwrap().to_owned();
    let (st, b) = raw(
        emu,
        reqwest::Method::PUT,
        &format!("/__emulator/apps/{id}/grants"),
        Some(json!({"scopes": scopes})),
    )
    .await;
    assert_eq!(st, 200, "grant scopes: {b}");
    id
}

fn jwk_with_kid(key: &SigningKey, kid: &str) -> Value {
    let mut j = key.public_jwk();
    j["kid"] = json!(kid);
    j["alg"] = json!(key.alg());
    j["use"] = json!("sig");
    j
}

fn oauth_client(
    emu: &Emulator,
    client_id: &str,
    scopes: &[&str],
    key: SigningKey,
    dpop: Option<DpopMode>,
) -> Client {
    let mut auth = PrivateKeyAuth::new(
        client_id,
        scopes.iter().map(|s| (*s).to_owned()).collect(),
        key,
    );
    if let Some(m) = dpop {
        auth = auth.dpop(m);
    }
    Client::new(Config::new(&emu.url(), Credentials::PrivateKey(Box::new(auth))).unwrap()).unwrap()
}

async fn requests(emu: &Emulator) -> Vec<Value> {
    let (_, log) = raw(
        emu,
        reqwest::Method::GET,
        "/__emulator/requests?limit=1000",
        None,
    )
    .await;
    log["requests"].as_array().cloned().unwrap_or_default()
}

async fn make_user(c: &Client, login: &str) -> String {
    let body = CreateUserBody {
        profile: UserProfile::new()
            .with("login", login)
            .with("email", login)
            .with("firstName", "Ada")
            .with("lastName", "Lovelace")
            .with("department", "Engineering")
            .with("mobilePhone", "+15555550100"),
        // A password makes the activated user ACTIVE (group rules skip PROVISIONED users).
        credentials: Some(UserCredentials {
            password: Some(PasswordCredential::new("Zq9!vbnm-Trwx")),
            ..Default::default()
        }),
        ..Default::default()
    };
    let u = c
        .users()
        .create(spindle_okta::users::CreateUser::new(body))
        .await
        .unwrap();
    u.id.map(|i| i.0).unwrap()
}

#[tokio::test]
async fn private_key_jwt_rs256_and_es256_clients_list_users_with_bearer_tokens() {
    let emu = start().await;
    make_user(&ssws(&emu), "ada@example.com").await;
    let rsa = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap();
    let rsa_pem = rsa.to_pkcs8_pem(Default::default()).unwrap();
    let ec = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let ec_pem = ec.to_pkcs8_pem(Default::default()).unwrap();
    for (pem, kid, alg) in [
        (rsa_pem.as_str(), "rsa-1", "RS256"),
        (ec_pem.as_str(), "ec-1", "ES256"),
    ] {
        let key = SigningKey::parse(pem).unwrap().with_kid(Some(kid.into()));
        assert_eq!(key.alg(), alg);
        let app = service_app(&emu, jwk_with_kid(&key, kid), false, &["okta.users.read"]).await;
        let c = oauth_client(&emu, &app, &["okta.users.read"], key, None);
        let users: Vec<User> = c
            .users()
            .list(Default::default())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(users.len(), 1, "{alg}");
        assert_eq!(c.token_fetches(), 1, "{alg}: one token for the walk");
        // The scope the token lacks: 403 with Okta's insufficient_scope challenge.
        let err = c
            .groups()
            .list(Default::default())
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(403), "{alg}: {err:?}");
        assert!(
            matches!(&err, Error::Http { www_authenticate: Some(w), .. } if w.contains("insufficient_scope")),
            "{alg}: {err:?}"
        );
    }
    let log = requests(&emu).await;
    let tokens: Vec<_> = log
        .iter()
        .filter(|r| r["path"] == "/oauth2/v1/token")
        .collect();
    assert_eq!(tokens.len(), 2);
    assert!(tokens.iter().all(|r| r["status"] == 200), "{tokens:?}");
}

#[tokio::test]
async fn token_request_for_only_ungranted_scopes_is_refused_with_consent_required() {
    let emu = start().await;
    let key = SigningKey::generate_es256().with_kid(Some("k".into()));
    let app = service_app(&emu, jwk_with_kid(&key, "k"), false, &["okta.users.read"]).await;
    // Okta issues a token for the granted subset of the requested scopes and refuses the
    // request only when none is granted (BEHAVIOR.md: consent_required).
    let c = oauth_client(&emu, &app, &["okta.groups.read"], key, None);
    let err = c.groups().get("00gnobody").await.unwrap_err();
    let text = format!("{err:?} {err}");
    assert!(text.contains("consent_required"), "{text}");
}

#[tokio::test]
async fn dpop_app_gets_through_the_nonce_challenge_and_calls_with_dpop_tokens() {
    let emu = start().await;
    let uid = make_user(&ssws(&emu), "ada@example.com").await;
    // Auto: a proof-less request (invalid_dpop_proof), a proof without nonce
    // (use_dpop_nonce), then the token. Always: straight to the nonce round.
    for (mode, expected) in [
        (DpopMode::Auto, vec![400, 400, 200]),
        (DpopMode::Always, vec![400, 200]),
    ] {
        let key = SigningKey::generate_es256().with_kid(Some("k".into()));
        let app = service_app(&emu, jwk_with_kid(&key, "k"), true, &["okta.users.read"]).await;
        raw(&emu, reqwest::Method::DELETE, "/__emulator/requests", None).await;
        let c = oauth_client(&emu, &app, &["okta.users.read"], key, Some(mode));
        for _ in 0..3 {
            let u = c.users().get(uid.as_str(), None).await.unwrap();
            assert_eq!(uid_of(&u), uid);
        }
        let log = requests(&emu).await;
        let token: Vec<u64> = log
            .iter()
            .filter(|r| r["path"] == "/oauth2/v1/token")
            .map(|r| r["status"].as_u64().unwrap_or(0))
            .collect();
        assert_eq!(token, expected);
        let resource: Vec<_> = log
            .iter()
            .filter(|r| {
                r["path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("/api/v1/users/"))
            })
            .collect();
        // A DPoP-bound token sent as `Bearer` is 400 invalid_request at the emulator (and a
        // missing or replayed proof 400 invalid_dpop_proof): three 200s mean every resource
        // call carried `Authorization: DPoP` with a fresh proof.
        assert_eq!(resource.len(), 3);
        assert!(resource.iter().all(|r| r["status"] == 200), "{resource:?}");
        assert_eq!(c.token_fetches(), 1);
    }
}

fn uid_of(u: &User) -> String {
    u.id.as_ref().map(|i| i.0.clone()).unwrap_or_default()
}

#[tokio::test]
async fn group_rule_lifecycle_assigns_matching_users_after_activation() {
    let emu = start().await;
    let c = ssws(&emu);
    let ada = make_user(&c, "ada@example.com").await;
    let g = c
        .groups()
        .create(&GroupBody::new("Engineers", None))
        .await
        .unwrap();
    let gid = g.id.map(|i| i.0).unwrap();
    let body = GroupRule::new(
        "Engineering dept",
        "user.department==\"Engineering\"",
        vec![gid.clone()],
    );
    let r = c.group_rules().create(&body).await.unwrap();
    assert_eq!(r.status, Some(GroupRuleStatus::Inactive));
    let rid = r.id.clone().unwrap();
    let listed: Vec<GroupRule> = c
        .group_rules()
        .list(Some("engineering".into()), None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let expanded = c
        .group_rules()
        .get(rid.clone(), Some("groupIdToGroupNameMap"))
        .await
        .unwrap();
    let names = expanded
        .embedded
        .as_ref()
        .and_then(|e| e.get("groupIdToGroupNameMap"))
        .cloned();
    assert_eq!(names, Some(json!({ gid.as_str(): "Engineers" })));
    assert_eq!(
        c.group_rules()
            .get(rid.clone(), None)
            .await
            .unwrap()
            .name
            .as_deref(),
        Some("Engineering dept")
    );
    let mut renamed = body.clone();
    renamed.name = Some("Engineering people".into());
    let r2 = c
        .group_rules()
        .replace(rid.clone(), &renamed)
        .await
        .unwrap();
    assert_eq!(r2.name.as_deref(), Some("Engineering people"));

    c.group_rules().activate(rid.clone()).await.unwrap();
    let mut members = Vec::new();
    for _ in 0..50 {
        members = c
            .groups()
            .members(gid.as_str())
            .try_collect::<Vec<User>>()
            .await
            .unwrap();
        if !members.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        members.iter().map(uid_of).collect::<Vec<_>>(),
        vec![ada.clone()]
    );
    assert_eq!(
        c.group_rules().get(rid.clone(), None).await.unwrap().status,
        Some(GroupRuleStatus::Active)
    );

    c.group_rules().deactivate(rid.clone()).await.unwrap();
    assert_eq!(
        c.group_rules().get(rid.clone(), None).await.unwrap().status,
        Some(GroupRuleStatus::Inactive)
    );
    c.group_rules()
        .delete(rid.clone(), Some(true))
        .await
        .unwrap();
    assert!(
        c.group_rules()
            .get(rid, None)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

/// An OIDC web app to hold a user's grants and refresh tokens.
async fn web_app(emu: &Emulator) -> String {
    let (st, app) = raw(
        emu,
        reqwest::Method::POST,
        "/api/v1/apps",
        Some(json!({
            "name": "oidc_client", "label": "Portal", "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {"oauthClient": {
                "application_type": "web", "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"], "redirect_uris": ["https://portal.example.com/cb"]
            }}
        })),
    )
    .await;
    assert!(st == 200 || st == 201, "{st} {app}");
    app["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn grants_clients_and_refresh_tokens_are_listed_read_and_revoked() {
    let emu = start().await;
    let c = ssws(&emu);
    let uid = make_user(&c, "ada@example.com").await;
    let app = web_app(&emu).await;
    let (st, b) = raw(
        &emu,
        reqwest::Method::POST,
        &format!("/__emulator/users/{uid}/grants"),
        Some(json!({"clientId": app, "scopes": ["openid", "okta.users.read.self"]})),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let (st, b) = raw(
        &emu,
        reqwest::Method::POST,
        &format!("/__emulator/users/{uid}/tokens"),
        Some(json!({"clientId": app, "scopes": ["openid", "offline_access"]})),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let rt = b["refreshTokenId"].as_str().unwrap().to_owned();

    let grants: Vec<ScopeConsentGrant> = c
        .grants()
        .list(uid.as_str(), None, None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(grants.len(), 2);
    let gid = grants[0].id.clone().unwrap();
    let one = c
        .grants()
        .get(uid.as_str(), gid.clone(), None)
        .await
        .unwrap();
    assert_eq!(one.client_id.as_deref(), Some(app.as_str()));
    let clients = c.grants().clients(uid.as_str()).await.unwrap();
    assert!(
        clients
            .iter()
            .any(|k| k.client_id.as_ref().map(|i| i.0.as_str()) == Some(app.as_str()))
    );
    let for_client: Vec<ScopeConsentGrant> = c
        .grants()
        .list_for_client(uid.as_str(), app.as_str(), None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(for_client.len(), 2);
    c.grants().revoke(uid.as_str(), gid.clone()).await.unwrap();
    let left: Vec<ScopeConsentGrant> = c
        .grants()
        .list(uid.as_str(), None, None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    c.grants()
        .revoke_for_client(uid.as_str(), app.as_str())
        .await
        .unwrap();
    let left: Vec<ScopeConsentGrant> = c
        .grants()
        .list(uid.as_str(), None, None)
        .try_collect()
        .await
        .unwrap();
    assert!(left.is_empty());

    let tokens: Vec<RefreshToken> = c
        .tokens()
        .list(uid.as_str(), app.as_str(), None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        tokens[0].id.as_ref().map(|i| i.0.as_str()),
        Some(rt.as_str())
    );
    let t = c
        .tokens()
        .get(uid.as_str(), app.as_str(), rt.as_str(), Some("scope"))
        .await
        .unwrap();
    assert_eq!(t.status.as_deref(), Some("ACTIVE"));
    c.tokens()
        .revoke(uid.as_str(), app.as_str(), rt.as_str())
        .await
        .unwrap();
    let tokens: Vec<RefreshToken> = c
        .tokens()
        .list(uid.as_str(), app.as_str(), None)
        .try_collect()
        .await
        .unwrap();
    assert!(
        tokens.iter().all(|t| t.status.as_deref() != Some("ACTIVE")),
        "{tokens:?}"
    );

    // Sessions revoke with oauthTokens=true drops the remaining refresh tokens.
    raw(
        &emu,
        reqwest::Method::POST,
        &format!("/__emulator/users/{uid}/tokens"),
        Some(json!({"clientId": app, "scopes": ["openid", "offline_access"]})),
    )
    .await;
    c.sessions()
        .revoke_all(uid.as_str(), Some(true), None)
        .await
        .unwrap();
    let tokens: Vec<RefreshToken> = c
        .tokens()
        .list(uid.as_str(), app.as_str(), None)
        .try_collect()
        .await
        .unwrap();
    assert!(
        tokens.iter().all(|t| t.status.as_deref() != Some("ACTIVE")),
        "{tokens:?}"
    );

    // revoke_all for the client and for all of the user's grants.
    raw(
        &emu,
        reqwest::Method::POST,
        &format!("/__emulator/users/{uid}/tokens"),
        Some(json!({"clientId": app, "scopes": ["openid", "offline_access"]})),
    )
    .await;
    let before: Vec<RefreshToken> = c
        .tokens()
        .list(uid.as_str(), app.as_str(), None)
        .try_collect()
        .await
        .unwrap();
    assert!(
        before.iter().any(|t| t.status.as_deref() == Some("ACTIVE")),
        "{before:?}"
    );
    c.tokens()
        .revoke_all(uid.as_str(), app.as_str())
        .await
        .unwrap();
    let tokens: Vec<RefreshToken> = c
        .tokens()
        .list(uid.as_str(), app.as_str(), None)
        .try_collect()
        .await
        .unwrap();
    assert!(
        tokens.iter().all(|t| t.status.as_deref() != Some("ACTIVE")),
        "{tokens:?}"
    );
    raw(
        &emu,
        reqwest::Method::POST,
        &format!("/__emulator/users/{uid}/grants"),
        Some(json!({"clientId": app, "scopes": ["openid"]})),
    )
    .await;
    assert_eq!(
        c.grants()
            .list(uid.as_str(), None, None)
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        1
    );
    c.grants().revoke_all(uid.as_str()).await.unwrap();
    assert!(
        c.grants()
            .list(uid.as_str(), None, None)
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn push_verification_is_polled_through_its_transaction() {
    let emu = start().await;
    let c = ssws(&emu);
    let uid = make_user(&c, "ada@example.com").await;
    let f = c
        .factors()
        .enroll(
            uid.as_str(),
            spindle_okta::factors::EnrollFactor::new(UserFactor::enroll(
                FactorType::Push,
                FactorProvider::Okta,
                None,
            )),
        )
        .await
        .unwrap();
    let fid = f.id.clone().unwrap();
    assert_eq!(f.status, Some(FactorStatus::PendingActivation));
    // Activation starts a push to the device; polling activate after the device's approval
    // finishes it.
    let waiting = c
        .factors()
        .activate(uid.as_str(), fid.clone(), None)
        .await
        .unwrap();
    assert_eq!(
        waiting.factor_result,
        Some(FactorResult::Waiting),
        "{waiting:?}"
    );
    let (st, b) = raw(
        &emu,
        reqwest::Method::POST,
        &format!("/__emulator/users/{uid}/push"),
        Some(json!({"approve": true})),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let active = c
        .factors()
        .activate(uid.as_str(), fid.clone(), None)
        .await
        .unwrap();
    assert_eq!(active.status, Some(FactorStatus::Active), "{active:?}");
    let w = c
        .factors()
        .verify(
            uid.as_str(),
            fid.clone(),
            spindle_okta::factors::VerifyFactor::new(None),
        )
        .await
        .unwrap();
    assert_eq!(w.factor_result, Some(FactorResult::Waiting));
    let (st, b) = raw(
        &emu,
        reqwest::Method::POST,
        &format!("/__emulator/users/{uid}/push"),
        Some(json!({"approve": true})),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let tx = b["transactionId"].as_str().unwrap().to_owned();
    let done = c
        .factors()
        .transaction(uid.as_str(), fid, tx.as_str())
        .await
        .unwrap();
    assert_eq!(done.factor_result, Some(FactorResult::Success));
}

#[tokio::test]
async fn factors_enroll_activate_with_the_sent_code_verify_resend_and_unenroll() {
    let emu = start().await;
    let c = ssws(&emu);
    let uid = make_user(&c, "ada@example.com").await;
    let catalog = c.factors().catalog(uid.as_str()).await.unwrap();
    assert!(
        catalog
            .iter()
            .any(|f| f.factor_type == Some(FactorType::Sms)),
        "{catalog:?}"
    );
    let questions = c.factors().questions(uid.as_str()).await.unwrap();
    assert!(
        questions
            .iter()
            .any(|q| q.question.is_some() && q.question_text.is_some())
    );

    let mut profile = JsonMap::new();
    profile.insert("phoneNumber".into(), json!("+1-555-415-1337"));
    let body = UserFactor::enroll(FactorType::Sms, FactorProvider::Okta, Some(profile));
    let f = c
        .factors()
        .enroll(
            uid.as_str(),
            spindle_okta::factors::EnrollFactor::new(body.clone()),
        )
        .await
        .unwrap();
    assert_eq!(f.status, Some(FactorStatus::PendingActivation));
    let fid = f.id.clone().unwrap();
    let code_path = format!("/__emulator/users/{uid}/factors/{}/code", fid.0);
    let (_, code) = raw(&emu, reqwest::Method::GET, &code_path, None).await;
    let code = code["code"].as_str().unwrap().to_owned();
    let f = c
        .factors()
        .activate(
            uid.as_str(),
            fid.clone(),
            Some(FactorPasscode::pass_code(code)),
        )
        .await
        .unwrap();
    assert_eq!(f.status, Some(FactorStatus::Active));

    let listed = c.factors().list(uid.as_str()).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .filter_map(|f| f.id.clone())
            .collect::<Vec<_>>(),
        vec![fid.clone()]
    );
    assert_eq!(
        c.factors()
            .get(uid.as_str(), fid.clone())
            .await
            .unwrap()
            .factor_type,
        Some(FactorType::Sms)
    );
    // Resend applies to factors pending activation only.
    let e = c
        .factors()
        .resend(uid.as_str(), fid.clone(), &body, None)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400), "{e:?}");

    // Verify (no send throttle involved): a security question, wrong then right answer.
    let mut q = JsonMap::new();
    q.insert(
        "question".into(),
        json!(questions[0].question.clone().unwrap_or_default()),
    );
    q.insert("answer".into(), json!("purple elephant"));
    let qf = c
        .factors()
        .enroll(
            uid.as_str(),
            spindle_okta::factors::EnrollFactor::new(UserFactor::enroll(
                FactorType::Question,
                FactorProvider::Okta,
                Some(q),
            )),
        )
        .await
        .unwrap();
    let qid = qf.id.clone().unwrap();
    let verify =
        |a: &str| spindle_okta::factors::VerifyFactor::new(Some(FactorPasscode::answer(a)));
    let wrong = c
        .factors()
        .verify(uid.as_str(), qid.clone(), verify("blue"))
        .await
        .unwrap_err();
    assert_eq!(wrong.error_code(), Some("E0000068"), "{wrong:?}");
    let ok = c
        .factors()
        .verify(uid.as_str(), qid.clone(), verify("purple elephant"))
        .await
        .unwrap();
    assert_eq!(ok.factor_result, Some(FactorResult::Success));

    // Resend of a pending email enrollment (email sends are throttled to one per 5 s).
    let mut e = JsonMap::new();
    e.insert("email".into(), json!("ada@example.com"));
    let ebody = UserFactor::enroll(FactorType::Email, FactorProvider::Okta, Some(e));
    let ef = c
        .factors()
        .enroll(
            uid.as_str(),
            spindle_okta::factors::EnrollFactor::new(ebody.clone()),
        )
        .await
        .unwrap();
    assert_eq!(ef.status, Some(FactorStatus::PendingActivation));
    tokio::time::sleep(std::time::Duration::from_millis(5100)).await;
    let re = c
        .factors()
        .resend(uid.as_str(), ef.id.clone().unwrap(), &ebody, None)
        .await
        .unwrap();
    assert_eq!(re.factor_type, Some(FactorType::Email));
    c.factors()
        .unenroll(uid.as_str(), ef.id.unwrap(), None)
        .await
        .unwrap();
    c.factors().unenroll(uid.as_str(), qid, None).await.unwrap();
    c.factors()
        .unenroll(uid.as_str(), fid.clone(), None)
        .await
        .unwrap();
    assert!(c.factors().list(uid.as_str()).await.unwrap().is_empty());
}

#[tokio::test]
async fn linked_object_definition_and_values_round_trip() {
    let emu = start().await;
    let c = ssws(&emu);
    let boss = make_user(&c, "boss@example.com").await;
    let ada = make_user(&c, "ada@example.com").await;
    let def = c
        .linked_objects()
        .create_definition(&LinkedObject::new("manager", "subordinate"))
        .await
        .unwrap();
    assert_eq!(def.primary.name, "manager");
    let defs = c.linked_objects().definitions().await.unwrap();
    assert_eq!(defs.len(), 1);
    c.linked_objects()
        .set_primary(ada.as_str(), "manager", boss.as_str())
        .await
        .unwrap();
    let m = c
        .linked_objects()
        .get(ada.as_str(), "manager")
        .await
        .unwrap();
    assert_eq!(
        m.iter()
            .filter_map(LinkedObjectValue::user_id)
            .collect::<Vec<_>>(),
        vec![boss.as_str()]
    );
    let subs = c
        .linked_objects()
        .get(boss.as_str(), "subordinate")
        .await
        .unwrap();
    assert_eq!(
        subs.iter()
            .filter_map(LinkedObjectValue::user_id)
            .collect::<Vec<_>>(),
        vec![ada.as_str()]
    );
    c.linked_objects()
        .delete(ada.as_str(), "manager")
        .await
        .unwrap();
    assert!(
        c.linked_objects()
            .get(ada.as_str(), "manager")
            .await
            .unwrap()
            .is_empty()
    );
    c.linked_objects()
        .delete_definition("manager")
        .await
        .unwrap();
    assert!(c.linked_objects().definitions().await.unwrap().is_empty());
}

#[tokio::test]
async fn user_types_crud_keeps_the_default_type_first() {
    let emu = start().await;
    let c = ssws(&emu);
    let t = c
        .user_types()
        .create(&UserType::new("contractor", "Contractor", None))
        .await
        .unwrap();
    let tid = t.id.clone().unwrap();
    let all = c.user_types().list().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].default, Some(true));
    assert_eq!(
        c.user_types()
            .get(tid.clone())
            .await
            .unwrap()
            .name
            .as_deref(),
        Some("contractor")
    );
    let patch = UserType {
        display_name: Some("Contract worker".into()),
        ..Default::default()
    };
    let u = c.user_types().update(tid.clone(), &patch).await.unwrap();
    assert_eq!(u.display_name.as_deref(), Some("Contract worker"));
    let r = c
        .user_types()
        .replace(
            tid.clone(),
            &UserType::new("contractor", "Contractor", Some("External".into())),
        )
        .await
        .unwrap();
    assert_eq!(r.description.as_deref(), Some("External"));
    c.user_types().delete(tid.clone()).await.unwrap();
    assert!(c.user_types().get(tid).await.unwrap_err().is_not_found());
    let default = all[0].id.clone().unwrap();
    let e = c.user_types().delete(default).await.unwrap_err();
    assert_eq!(e.error_code(), Some("E0000142"), "{e:?}");
}

#[tokio::test]
async fn myaccount_organization_with_an_end_user_token() {
    let emu = start().await;
    let uid = make_user(&ssws(&emu), "ada@example.com").await;
    let (st, t) = raw(
        &emu,
        reqwest::Method::POST,
        "/__emulator/oauth/tokens",
        Some(json!({"userId": uid, "scopes": ["okta.myAccount.organization.read"]})),
    )
    .await;
    assert_eq!(st, 200, "{t}");
    let token = t["access_token"].as_str().unwrap().to_owned();
    let c = Client::new(Config::new(&emu.url(), Credentials::AccessToken(token.into())).unwrap())
        .unwrap();
    let org = c.myaccount().organization().await.unwrap();
    assert_eq!(org.url.as_deref(), Some(emu.url().as_str()));
    assert!(org.name.is_some());
    // A user token without the MyAccount scope: 403 insufficient_scope.
    let (_, t) = raw(
        &emu,
        reqwest::Method::POST,
        "/__emulator/oauth/tokens",
        Some(json!({"userId": uid, "scopes": ["okta.myAccount.profile.read"]})),
    )
    .await;
    let token = t["access_token"].as_str().unwrap_or_default().to_owned();
    let weak =
        Client::new(Config::new(&emu.url(), Credentials::AccessToken(token.into())).unwrap())
            .unwrap();
    assert_eq!(
        weak.myaccount().organization().await.unwrap_err().status(),
        Some(403)
    );
    // The API token is refused.
    let e = ssws(&emu).myaccount().organization().await.unwrap_err();
    assert_eq!(e.status(), Some(401), "{e:?}");
}

#[tokio::test]
async fn aerial_orgs_and_products_through_the_aerial_prefix() {
    let emu = start().await;
    let (st, acct) = raw(
        &emu,
        reqwest::Method::POST,
        "/__emulator/aerial/accounts",
        Some(json!({})),
    )
    .await;
    assert_eq!(st, 200, "{acct}");
    let account = acct["accountId"].as_str().unwrap().to_owned();
    let token = acct["access_token"].as_str().unwrap().to_owned();
    let c = Client::new(Config::new(&emu.url(), Credentials::AccessToken(token.into())).unwrap())
        .unwrap();
    let a = c
        .aerial(&format!("{}/aerial", emu.url()), account.as_str())
        .unwrap();
    let added = a
        .add_org(&AddOrgBody {
            org_id: Some("00o1abcdefghijklmnop".into()),
            cell: Some("ok1".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let oid = added.id.clone().unwrap();
    let domain_org = a
        .add_org(&AddOrgBody {
            domain: Some("acme.okta.com".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(domain_org.domain.as_deref(), Some("acme.okta.com"));
    // Paging (limit 1 → two pages through Link headers).
    let paged: Vec<AerialOrg> = a
        .list_orgs(spindle_okta::aerial::ListOrgs {
            limit: Some(1),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(paged.len(), 2);
    let orgs: Vec<AerialOrg> = a.list_orgs(Default::default()).try_collect().await.unwrap();
    assert!(orgs.iter().any(|o| o.id.as_ref() == Some(&oid)), "{orgs:?}");
    assert_eq!(a.get_org(oid.clone()).await.unwrap().id, Some(oid.clone()));
    let o = a.set_org_status(oid.clone(), "INACTIVE").await.unwrap();
    assert_eq!(o.status.as_deref(), Some("INACTIVE"));
    let active: Vec<AerialOrg> = a
        .list_orgs(spindle_okta::aerial::ListOrgs {
            filter: Some("status eq \"ACTIVE\"".into()),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        active
            .iter()
            .filter_map(|o| o.id.clone())
            .collect::<Vec<_>>(),
        vec![domain_org.id.clone().unwrap()]
    );
    assert!(a.products(oid.clone()).await.unwrap().is_empty());
    let keep = vec![AerialProduct {
        id: "P000052".into(),
        ..Default::default()
    }];
    let set = a.set_products(oid.clone(), &keep).await.unwrap();
    assert_eq!(
        set.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        vec!["P000052"]
    );
    let now = a.products(oid.clone()).await.unwrap();
    assert_eq!(
        now.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        vec!["P000052"]
    );
    // Another account's id with this token: 403.
    let other = c
        .aerial(&format!("{}/aerial", emu.url()), "acc-other")
        .unwrap();
    assert_eq!(other.get_org(oid).await.unwrap_err().status(), Some(403));
}
