//! Response bodies of app grants, group rules, user grants/clients/refresh tokens,
//! factors, linked objects, user types) validated against the official OpenAPI document.

use reqwest::Method;
use serde_json::{Value, json};
use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};

use crate::spec_schema::Spec;
use crate::support::{shared_dir, skip, ssws_call};

struct Run {
    emu: Emulator,
    http: reqwest::Client,
    spec: Spec,
    problems: Vec<String>,
    checked: usize,
}

impl Run {
    async fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, body) = ssws_call(&self.http, &self.emu, method.clone(), path, body).await;
        assert!(status < 300, "{method} {path}: {status} {body}");
        if body != Value::Null {
            match self.spec.validate(method.as_str(), path, status, &body) {
                Ok(Some(v)) => {
                    self.checked += 1;
                    // The document types a factor's `_links.resend` as an object; real Okta
                    // sends an array of `{name, href, hints}` (recordings/okta-sdk-python/
                    // test_factors_it: test_enroll_sms_factor, test_get_factor), as the
                    // emulator does.
                    self.problems.extend(
                        v.into_iter()
                            .map(|v| v.message)
                            .filter(|m| !m.ends_with("/_links/resend")),
                    );
                }
                Ok(None) => {}
                Err(e) => self.problems.push(e),
            }
        }
        body
    }

    async fn admin(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}{path}", self.emu.url()))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        resp.json().await.unwrap_or(Value::Null)
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn grant_rule_factor_link_and_type_bodies_match_the_official_schema() {
    let Some(shared) = shared_dir() else {
        return skip(
            "../shared/okta/spec (the official document) is missing; set SPINDLE_SHARED_DIR",
        );
    };
    let spec = Spec::load(&shared.join("okta/spec/2026.06.3/management-minimal.yaml"))
        .unwrap_or_else(|e| panic!("official document: {e}"));
    let emu = Emulator::start(EmulatorConfig {
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("start: {e}"));
    let mut r = Run {
        emu,
        http: reqwest::Client::new(),
        spec,
        problems: Vec::new(),
        checked: 0,
    };
    use Method as M;

    let user = r
        .call(
            M::POST,
            "/api/v1/users?activate=true",
            Some(json!({"profile": {"firstName": "A", "lastName": "B", "email": "c@example.com", "login": "c@example.com", "department": "Eng"},
                        "credentials": {"password": {"value": "Sup3r-Secret-Pass"}}})),
        )
        .await;
    let uid = id(&user);
    let group = r
        .call(
            M::POST,
            "/api/v1/groups",
            Some(json!({"profile": {"name": "Eng"}})),
        )
        .await;
    let gid = id(&group);
    let app = r
        .call(
            M::POST,
            "/api/v1/apps",
            Some(json!({"name": "oidc_client", "label": "Svc", "signOnMode": "OPENID_CONNECT",
                        "credentials": {"oauthClient": {"token_endpoint_auth_method": "private_key_jwt"}},
                        "settings": {"oauthClient": {"application_type": "service", "grant_types": ["client_credentials"], "response_types": ["token"]}}})),
        )
        .await;
    let aid = id(&app);

    // App grants.
    let g = r
        .call(
            M::POST,
            &format!("/api/v1/apps/{aid}/grants"),
            Some(json!({"issuer": r.emu.url(), "scopeId": "okta.users.read"})),
        )
        .await;
    r.call(M::GET, &format!("/api/v1/apps/{aid}/grants"), None)
        .await;
    r.call(
        M::GET,
        &format!("/api/v1/apps/{aid}/grants/{}", id(&g)),
        None,
    )
    .await;

    // Group rules.
    let rule = r
        .call(
            M::POST,
            "/api/v1/groups/rules",
            Some(json!({"type": "group_rule", "name": "eng",
                        "conditions": {"expression": {"value": "user.department==\"Eng\"", "type": "urn:okta:expression:1.0"}},
                        "actions": {"assignUserToGroups": {"groupIds": [gid]}}})),
        )
        .await;
    let rid = id(&rule);
    r.call(
        M::GET,
        "/api/v1/groups/rules?expand=groupIdToGroupNameMap",
        None,
    )
    .await;
    r.call(M::GET, &format!("/api/v1/groups/rules/{rid}"), None)
        .await;

    // User grants, clients, refresh tokens.
    r.admin(
        &format!("/__emulator/users/{uid}/grants"),
        json!({"clientId": aid, "scopes": ["openid"]}),
    )
    .await;
    let t = r
        .admin(
            &format!("/__emulator/users/{uid}/tokens"),
            json!({"clientId": aid, "scopes": ["openid", "offline_access"]}),
        )
        .await;
    let tid = t["refreshTokenId"].as_str().unwrap_or_default().to_owned();
    let grants = r
        .call(
            M::GET,
            &format!("/api/v1/users/{uid}/grants?expand=scope"),
            None,
        )
        .await;
    r.call(
        M::GET,
        &format!("/api/v1/users/{uid}/grants/{}", id(&grants[0])),
        None,
    )
    .await;
    r.call(M::GET, &format!("/api/v1/users/{uid}/clients"), None)
        .await;
    r.call(
        M::GET,
        &format!("/api/v1/users/{uid}/clients/{aid}/grants"),
        None,
    )
    .await;
    r.call(
        M::GET,
        &format!("/api/v1/users/{uid}/clients/{aid}/tokens?expand=scope"),
        None,
    )
    .await;
    r.call(
        M::GET,
        &format!("/api/v1/users/{uid}/clients/{aid}/tokens/{tid}"),
        None,
    )
    .await;

    // Factors.
    let base = format!("/api/v1/users/{uid}/factors");
    r.call(M::GET, &format!("{base}/catalog"), None).await;
    r.call(M::GET, &format!("{base}/questions"), None).await;
    let sms = r
        .call(
            M::POST,
            &base,
            Some(json!({"factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": "+14155550100"}})),
        )
        .await;
    let totp = r
        .call(
            M::POST,
            &base,
            Some(json!({"factorType": "token:software:totp", "provider": "OKTA"})),
        )
        .await;
    let q = r
        .call(
            M::POST,
            &base,
            Some(json!({"factorType": "question", "provider": "OKTA", "profile": {"question": "disliked_food", "answer": "mayonnaise"}})),
        )
        .await;
    r.call(
        M::POST,
        &format!("{base}/{}/verify", id(&q)),
        Some(json!({"answer": "mayonnaise"})),
    )
    .await;
    let push = r
        .call(
            M::POST,
            &base,
            Some(json!({"factorType": "push", "provider": "OKTA"})),
        )
        .await;
    r.call(M::GET, &base, None).await;
    r.call(M::GET, &format!("{base}/{}", id(&sms)), None).await;
    r.call(M::GET, &format!("{base}/{}", id(&totp)), None).await;
    r.call(M::GET, &format!("{base}/{}", id(&push)), None).await;

    // Linked objects and user types.
    r.call(
        M::POST,
        "/api/v1/meta/schemas/user/linkedObjects",
        Some(
            json!({"primary": {"name": "manager", "title": "Manager", "type": "USER"},
                    "associated": {"name": "subordinate", "title": "Subordinate", "type": "USER"}}),
        ),
    )
    .await;
    r.call(M::GET, "/api/v1/meta/schemas/user/linkedObjects", None)
        .await;
    r.call(
        M::GET,
        "/api/v1/meta/schemas/user/linkedObjects/manager",
        None,
    )
    .await;
    let ut = r
        .call(
            M::POST,
            "/api/v1/meta/types/user",
            Some(json!({"name": "contractor", "displayName": "Contractor"})),
        )
        .await;
    r.call(M::GET, "/api/v1/meta/types/user", None).await;
    r.call(
        M::GET,
        &format!("/api/v1/meta/types/user/{}", id(&ut)),
        None,
    )
    .await;

    eprintln!(
        "{} grant, rule, factor, link and type bodies checked against the official schema",
        r.checked
    );
    assert!(r.checked >= 20, "only {} bodies had a schema", r.checked);
    assert!(
        r.problems.is_empty(),
        "{} violations:\n{}",
        r.problems.len(),
        r.problems.join("\n")
    );
}
