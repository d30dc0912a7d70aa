//! Every action of the catalog, run through the gateway over HTTP against an in-process emulator:
//! a real input, the output checked (ids, statuses, fields), and at the end the set of actions
//! run compared with the catalog, so that a new action cannot be left out silently.

use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{Value, json};
use spindle_emulator::EmulatorConfig;
use spindle_emulator::factors::otp::TotpSecret;

mod common;

use common::TestGateway;

/// A throwaway P-256 test key (made for these tests only; it signs client assertions to the
/// in-process emulator and nothing else). Its public half is [`TEST_JWK`].
const TEST_KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVv6ZfwXffXuhxf/D
uMhy+UJx3t0Rz5Fdxcoi/xyrn2mhRANCAAQW5TxncDb3phLvc7FvfgTSs1IRLB9i
C5rGTuGfIvkDkZxiXSrPusxZpk2ga+b7IqdQQbXyEFLgWHgTNpoT7Zmr
-----END PRIVATE KEY-----
";

fn test_jwk() -> Value {
    json!({"kty": "EC", "crv": "P-256", "kid": "k1",
        "x": "FuU8Z3A296YS73Oxb34E0rNSESwfYguaxk7hnyL5A5E",
        "y": "nGJdKs-6zFmmTaBr5vsip1BBtfIQUuBYeBM2mhPtmas"})
}

const PASSWORD: &str = "tlpWENT2m-correct-horse";

/// The gateway in front of the emulator (the emulator's own defaults) and a connection to it,
/// made through the API; records which actions ran.
struct Harness {
    gw: TestGateway,
    connection: String,
    ran: BTreeSet<String>,
}

impl Harness {
    async fn start() -> Harness {
        let gw = TestGateway::builder()
            .emulator(EmulatorConfig::default())
            .build()
            .await;
        let mut harness = Harness {
            gw,
            connection: String::new(),
            ran: BTreeSet::new(),
        };
        let (status, created) = harness
            .v1(
                Method::POST,
                "/connections",
                Some(json!({"name": "emulator", "org_url": harness.gw.emu.url(),
                    "auth": {"kind": "api_token", "token": harness.gw.emu.token()}})),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["auth"]["kind"], "api_token", "{created}");
        assert!(
            !created.to_string().contains(harness.gw.emu.token()),
            "the token is never shown: {created}"
        );
        harness.connection = created["id"].as_str().expect("an id").to_owned();
        harness
    }

    async fn stop(self) {
        self.gw.stop().await;
    }

    /// A call to the gateway's `/v1` API with the full key.
    async fn v1(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.v1_with(method, path, body, &[]).await
    }

    /// [`Harness::v1`] with extra request headers.
    async fn v1_with(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut request = self
            .gw
            .http
            .request(method, format!("{}/v1{path}", self.gw.base))
            .bearer_auth(&self.gw.full);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the gateway answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        (status, body)
    }

    /// Runs an action on `connection` through the gateway; records it as run.
    async fn run_on(&mut self, connection: &str, id: &str, input: &Value) -> (u16, Value) {
        self.run_with(connection, id, input, &[]).await
    }

    /// [`Harness::run_on`] with extra request headers.
    async fn run_with(
        &mut self,
        connection: &str,
        id: &str,
        input: &Value,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        self.ran.insert(id.to_owned());
        self.v1_with(
            Method::POST,
            &format!("/connections/{connection}/actions/{id}"),
            Some(input.clone()),
            headers,
        )
        .await
    }

    /// Runs an action on the emulator connection.
    async fn run(&mut self, id: &str, input: Value) -> (u16, Value) {
        let connection = self.connection.clone();
        self.run_on(&connection, id, &input).await
    }

    /// Runs an action that must answer 200, and returns its output.
    async fn ok(&mut self, id: &str, input: Value) -> Value {
        let (status, output) = self.run(id, input.clone()).await;
        assert_eq!(status, 200, "{id} {input}: {output}");
        output
    }

    /// Runs an action that must fail with Okta's `status` (and Okta's error carried along).
    async fn okta_error(&mut self, id: &str, input: Value, status: u16) -> Value {
        let (got, problem) = self.run(id, input.clone()).await;
        assert_eq!(got, status, "{id} {input}: {problem}");
        assert_eq!(problem["code"], "okta_error", "{problem}");
        assert_eq!(problem["okta"]["status"], status, "{problem}");
        problem
    }

    /// The emulator's admin API.
    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .gw
            .http
            .request(method, format!("{}/__emulator/{path}", self.gw.emu.url()));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the admin API answers");
        assert!(
            response.status().is_success(),
            "admin {path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    /// The emulator's Okta API called directly (SSWS), for set-up no action covers.
    async fn okta(&self, method: Method, path: &str, body: Value) -> Value {
        let response = self
            .gw
            .http
            .request(method, format!("{}{path}", self.gw.emu.url()))
            .header("Authorization", format!("SSWS {}", self.gw.emu.token()))
            .json(&body)
            .send()
            .await
            .expect("the emulator answers");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// The actions named in the gateway's call log (every page).
    async fn logged_actions(&self) -> BTreeSet<String> {
        let mut logged = BTreeSet::new();
        let mut path = "/logs?limit=1000".to_owned();
        loop {
            let (status, page) = self.v1(Method::GET, &path, None).await;
            assert_eq!(status, 200, "{page}");
            for call in items(&page) {
                assert!(call["status"].is_u64(), "{call}");
                assert!(
                    call["path"].as_str().is_some_and(|p| !p.contains('?')),
                    "{call}"
                );
                if let Some(action) = call["action"].as_str() {
                    logged.insert(action.to_owned());
                }
            }
            match page["next"].as_str() {
                Some(next) => path = format!("/logs?limit=1000&cursor={next}"),
                None => return logged,
            }
        }
    }

    async fn new_user(&mut self, login: &str) -> String {
        let user = self
            .ok(
                "post_create_a_user",
                json!({"activate": true, "body": {"profile": {
                "firstName": "Ada", "lastName": "Lovelace", "email": login, "login": login},
                "credentials": {"password": {"value": PASSWORD}}}}),
            )
            .await;
        assert_eq!(user["profile"]["login"], login, "{user}");
        assert_eq!(user["status"], "ACTIVE", "{user}");
        id_of(&user)
    }

    async fn new_group(&mut self, name: &str) -> String {
        let group = self
            .ok(
                "post_create_a_group",
                json!({"body": {"profile": {"name": name, "description": "all actions"}}}),
            )
            .await;
        assert_eq!(group["profile"]["name"], name, "{group}");
        id_of(&group)
    }

    /// An OIDC web app; returns its client id.
    async fn oidc_client(&self, label: &str) -> String {
        let app = self
            .okta(
                Method::POST,
                "/api/v1/apps",
                json!({"name": "oidc_client", "label": label, "signOnMode": "OPENID_CONNECT",
                "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
                "settings": {"oauthClient": {"grant_types": ["authorization_code", "refresh_token"],
                    "redirect_uris": ["https://example.com/cb"], "response_types": ["code"],
                    "application_type": "web"}}}),
            )
            .await;
        app["credentials"]["oauthClient"]["client_id"]
            .as_str()
            .or(app["id"].as_str())
            .expect("a client id")
            .to_owned()
    }

    async fn factor_code(&self, uid: &str, fid: &str) -> String {
        let code = self
            .admin(
                Method::GET,
                &format!("users/{uid}/factors/{fid}/code"),
                None,
            )
            .await;
        code["code"]
            .as_str()
            .unwrap_or_else(|| panic!("a code was sent: {code}"))
            .to_owned()
    }
}

fn id_of(value: &Value) -> String {
    value["id"]
        .as_str()
        .unwrap_or_else(|| panic!("an id: {value}"))
        .to_owned()
}

/// The items of a list output.
fn items(list: &Value) -> &[Value] {
    list["items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_else(|| panic!("a list output: {list}"))
}

fn sorted_ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> = items(list).iter().map(id_of).collect();
    ids.sort();
    ids
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalog_action_runs_through_the_gateway() {
    let mut h = Harness::start().await;
    users_and_lifecycle(&mut h).await;
    credentials(&mut h).await;
    groups(&mut h).await;
    group_rules(&mut h).await;
    grants_and_tokens(&mut h).await;
    factors(&mut h).await;
    linked_objects(&mut h).await;
    user_types(&mut h).await;
    employees(&mut h).await;
    myaccount(&mut h).await;
    aerial(&mut h).await;

    let catalog: BTreeSet<String> = spindle_actions::catalog::all()
        .iter()
        .map(|spec| spec.id.to_owned())
        .collect();
    let missing: Vec<_> = catalog.difference(&h.ran).collect();
    let unknown: Vec<_> = h.ran.difference(&catalog).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "not run through the gateway: {missing:?}; not in the catalog: {unknown:?}"
    );
    assert_eq!(h.ran.len(), 79);

    // Every action reached Okta and is in the gateway's call log (written in the background).
    let deadline = Instant::now() + Duration::from_secs(10);
    let logged = loop {
        let logged = h.logged_actions().await;
        if logged.is_superset(&catalog) || Instant::now() > deadline {
            break logged;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let unlogged: Vec<_> = catalog.difference(&logged).collect();
    assert!(unlogged.is_empty(), "not in the call log: {unlogged:?}");
    h.stop().await;
}

async fn users_and_lifecycle(h: &mut Harness) {
    let id = h.new_user("ada@example.com").await;

    let got = h
        .ok("get_retrieve_a_user", json!({"id": "ada@example.com"}))
        .await;
    assert_eq!(got["id"], id.as_str());
    assert_eq!(got["profile"]["email"], "ada@example.com");

    let list = h
        .ok(
            "get_list_all_users",
            json!({"filter": "profile.login eq \"ada@example.com\"", "limit": 5}),
        )
        .await;
    assert_eq!(sorted_ids(&list), vec![id.clone()], "{list}");

    let updated = h
        .ok(
            "post_update_a_user",
            json!({"id": id, "body": {"profile": {"title": "Countess"}}}),
        )
        .await;
    assert_eq!(updated["profile"]["title"], "Countess");
    assert_eq!(updated["profile"]["firstName"], "Ada");

    let replaced = h
        .ok(
            "put_replace_a_user",
            json!({"id": id, "body": {"profile": {"login": "ada@example.com",
            "email": "ada@example.com", "firstName": "Augusta", "lastName": "King"}}}),
        )
        .await;
    assert_eq!(replaced["profile"]["firstName"], "Augusta");
    assert!(replaced["profile"]["title"].is_null(), "{replaced}");

    let suspended = h.ok("post_suspend_user", json!({"id": id})).await;
    assert_eq!(suspended, json!({"userId": id, "status": "SUSPENDED"}));
    let unsuspended = h.ok("post_unsuspend_user", json!({"id": id})).await;
    assert_eq!(unsuspended, json!({"userId": id, "status": "ACTIVE"}));

    h.admin(Method::POST, &format!("users/{id}/lockout"), None)
        .await;
    let unlocked = h.ok("post_unlock_user", json!({"id": id})).await;
    assert_eq!(unlocked, json!({"userId": id, "status": "ACTIVE"}));

    let expired = h.ok("post_expire_password", json!({"id": id})).await;
    assert_eq!(expired["id"], id.as_str());
    assert_eq!(expired["status"], "PASSWORD_EXPIRED", "{expired}");

    let reset = h
        .ok(
            "post_generate_reset_password_token",
            json!({"id": id, "sendEmail": false}),
        )
        .await;
    assert!(
        reset["resetPasswordUrl"]
            .as_str()
            .is_some_and(|u| u.starts_with(&h.gw.emu.url())),
        "{reset}"
    );

    // The user's resources.
    let groups = h.ok("get_list_all_groups", json!({"id": id})).await;
    assert!(
        items(&groups)
            .iter()
            .any(|g| g["profile"]["name"] == "Everyone"),
        "{groups}"
    );
    let app = h
        .okta(
            Method::POST,
            "/api/v1/apps",
            json!({"name": "bookmark", "label": "Wiki", "signOnMode": "BOOKMARK",
                "settings": {"app": {"url": "https://wiki.example.com", "requestIntegration": false}}}),
        )
        .await;
    let app_id = id_of(&app);
    h.okta(
        Method::POST,
        &format!("/api/v1/apps/{app_id}/users"),
        json!({"id": id}),
    )
    .await;
    let links = h
        .ok("get_list_all_assigned_application_links", json!({"id": id}))
        .await;
    assert_eq!(items(&links).len(), 1, "{links}");
    assert_eq!(items(&links)[0]["label"], "Wiki", "{links}");
    assert_eq!(
        items(&links)[0]["appInstanceId"],
        app_id.as_str(),
        "{links}"
    );

    h.admin(
        Method::POST,
        &format!("users/{id}/blocks"),
        Some(json!({"appliesTo": "ANY_DEVICES"})),
    )
    .await;
    let blocks = h.ok("get_list_all_user_blocks", json!({"id": id})).await;
    assert_eq!(items(&blocks).len(), 1, "{blocks}");
    assert_eq!(items(&blocks)[0]["appliesTo"], "ANY_DEVICES", "{blocks}");

    h.admin(
        Method::POST,
        &format!("users/{id}/idps"),
        Some(json!({"name": "Corporate SAML", "type": "SAML2"})),
    )
    .await;
    let idps = h
        .ok("get_list_all_identity_providers", json!({"id": id}))
        .await;
    assert_eq!(items(&idps).len(), 1, "{idps}");
    assert_eq!(items(&idps)[0]["name"], "Corporate SAML", "{idps}");
    assert_eq!(items(&idps)[0]["type"], "SAML2", "{idps}");

    let revoked = h
        .ok(
            "delete_revoke_all_user_sessions",
            json!({"userId": id, "oauthTokens": true}),
        )
        .await;
    assert_eq!(
        revoked,
        json!({"revoked": true, "what": "sessions", "userId": id, "oauthTokens": true})
    );

    let deactivated = h.ok("post_deactivate_user", json!({"id": id})).await;
    assert_eq!(
        deactivated,
        json!({"userId": id, "status": "DEPROVISIONED"})
    );
    let deleted = h.ok("delete_a_user", json!({"id": id})).await;
    assert_eq!(deleted["deleted"], true, "{deleted}");
    assert_eq!(deleted["userId"], id.as_str(), "{deleted}");
    let gone = h
        .okta_error("get_retrieve_a_user", json!({"id": id}), 404)
        .await;
    assert_eq!(gone["okta"]["errorCode"], "E0000007", "{gone}");

    // A staged user: activated, then reactivated.
    let staged = h
        .ok(
            "post_create_a_user",
            json!({"activate": false, "body": {"profile": {"firstName": "Mary",
            "lastName": "Jackson", "email": "mary@example.com", "login": "mary@example.com"}}}),
        )
        .await;
    assert_eq!(staged["status"], "STAGED", "{staged}");
    let mary = id_of(&staged);
    let activated = h
        .ok(
            "post_activate_user",
            json!({"id": mary, "sendEmail": false}),
        )
        .await;
    assert_eq!(activated["userId"], mary.as_str(), "{activated}");
    assert!(activated["activationToken"].is_string(), "{activated}");
    let again = h
        .ok(
            "post_reactivate_user",
            json!({"id": mary, "sendEmail": false}),
        )
        .await;
    assert_eq!(again["userId"], mary.as_str(), "{again}");
    assert!(again["activationUrl"].is_string(), "{again}");
    let got = h.ok("get_retrieve_a_user", json!({"id": mary})).await;
    assert_eq!(got["status"], "PROVISIONED", "{got}");
}

async fn credentials(h: &mut Harness) {
    let id = h.new_user("hedy@example.com").await;
    let changed = h
        .ok(
            "post_change_password",
            json!({"userId": id, "body": {"oldPassword": {"value": PASSWORD},
            "newPassword": {"value": "uTVM,TPw55-battery-staple"}}}),
        )
        .await;
    assert_eq!(changed["provider"]["type"], "OKTA", "{changed}");
    let wrong = h
        .okta_error(
            "post_change_password",
            json!({"userId": id, "body": {"oldPassword": {"value": PASSWORD},
            "newPassword": {"value": "another-Long-passw0rd"}}}),
            403,
        )
        .await;
    assert_eq!(wrong["okta"]["errorCode"], "E0000014", "{wrong}");

    let question = h
        .ok(
            "post_change_recovery_question",
            json!({"userId": id, "body": {"password": {"value": "uTVM,TPw55-battery-staple"},
            "recovery_question": {"question": "First lab?", "answer": "Berlin"}}}),
        )
        .await;
    assert_eq!(
        question["recovery_question"]["question"], "First lab?",
        "{question}"
    );
    let forgot = h
        .ok(
            "post_initiate_forgot_password",
            json!({"userId": id, "sendEmail": false}),
        )
        .await;
    assert!(forgot["resetPasswordUrl"].is_string(), "{forgot}");
    let reset = h
        .ok(
            "post_reset_password_with_recovery_question",
            json!({"userId": id, "body": {"password": {"value": "Xq7-new-horse-battery"},
            "recovery_question": {"answer": "Berlin"}}}),
        )
        .await;
    assert!(reset["password"].is_object(), "{reset}");
    assert_eq!(reset["recovery_question"]["question"], "First lab?");

    let factors = h.ok("post_reset_all_factors", json!({"id": id})).await;
    assert_eq!(factors, json!({"userId": id, "factorsReset": true}));
    let temp = h
        .ok(
            "post_expire_password_and_set_temporary_password",
            json!({"id": id, "revokeSessions": true}),
        )
        .await;
    assert!(
        temp["tempPassword"].as_str().is_some_and(|p| !p.is_empty()),
        "{temp}"
    );
    let user = h.ok("get_retrieve_a_user", json!({"id": id})).await;
    assert_eq!(user["status"], "PASSWORD_EXPIRED", "{user}");
}

async fn groups(h: &mut Harness) {
    let user = h.new_user("alan@example.com").await;
    let gid = h.new_group("Codebreakers").await;
    let got = h.ok("get_retrieve_a_group", json!({"groupId": gid})).await;
    assert_eq!(got["id"], gid.as_str());
    assert_eq!(got["profile"]["description"], "all actions");
    let replaced = h
        .ok(
            "put_replace_a_group",
            json!({"groupId": gid, "body": {"profile": {"name": "Bletchley", "description": "Park"}}}),
        )
        .await;
    assert_eq!(replaced["profile"]["name"], "Bletchley");

    let member = h
        .ok(
            "put_assign_a_user_to_a_group",
            json!({"groupId": gid, "userId": user}),
        )
        .await;
    assert_eq!(
        member,
        json!({"groupId": gid, "userId": user, "member": true})
    );
    let members = h
        .ok("get_list_all_member_users", json!({"groupId": gid}))
        .await;
    assert_eq!(sorted_ids(&members), vec![user.clone()], "{members}");

    let app = h
        .okta(
            Method::POST,
            "/api/v1/apps",
            json!({"name": "bookmark", "label": "Intranet", "signOnMode": "BOOKMARK",
                "settings": {"app": {"url": "https://intranet.example.com", "requestIntegration": false}}}),
        )
        .await;
    let app_id = id_of(&app);
    h.okta(
        Method::PUT,
        &format!("/api/v1/apps/{app_id}/groups/{gid}"),
        json!({}),
    )
    .await;
    let apps = h
        .ok(
            "get_list_all_assigned_applications",
            json!({"groupId": gid}),
        )
        .await;
    assert_eq!(sorted_ids(&apps), vec![app_id], "{apps}");

    let unassigned = h
        .ok(
            "delete_unassign_user",
            json!({"groupId": gid, "userId": user}),
        )
        .await;
    assert_eq!(
        unassigned,
        json!({"groupId": gid, "userId": user, "member": false})
    );
    let members = h
        .ok("get_list_all_member_users", json!({"groupId": gid}))
        .await;
    assert!(items(&members).is_empty(), "{members}");

    let deleted = h.ok("delete_a_group", json!({"groupId": gid})).await;
    assert_eq!(deleted, json!({"deleted": true, "groupId": gid}));
    h.okta_error("get_retrieve_a_group", json!({"groupId": gid}), 404)
        .await;
}

async fn group_rules(h: &mut Harness) {
    let gid = h.new_group("Engineering").await;
    let uid = h.new_user("grace@example.com").await;
    h.ok(
        "post_update_a_user",
        json!({"id": uid, "body": {"profile": {"department": "Eng"}}}),
    )
    .await;
    let rule_body = |name: &str| {
        json!({"type": "group_rule", "name": name,
            "conditions": {"expression": {"type": "urn:okta:expression:1.0",
                "value": "user.department==\"Eng\""}},
            "actions": {"assignUserToGroups": {"groupIds": [gid]}}})
    };
    let rule = h
        .ok(
            "post_create_a_group_rule",
            json!({"body": rule_body("Engineers")}),
        )
        .await;
    assert_eq!(rule["status"], "INACTIVE", "{rule}");
    let rid = id_of(&rule);
    let got = h
        .ok("get_retrieve_a_group_rule", json!({"groupRuleId": rid}))
        .await;
    assert_eq!(got["name"], "Engineers", "{got}");
    let list = h
        .ok("get_list_all_group_rules", json!({"search": "engin"}))
        .await;
    assert_eq!(sorted_ids(&list), vec![rid.clone()], "{list}");
    let replaced = h
        .ok(
            "put_replace_a_group_rule",
            json!({"groupRuleId": rid, "body": rule_body("Engineers (Eng)")}),
        )
        .await;
    assert_eq!(replaced["name"], "Engineers (Eng)", "{replaced}");

    let activated = h
        .ok("post_activate_group_rule", json!({"groupRuleId": rid}))
        .await;
    assert_eq!(activated, json!({"groupRuleId": rid, "status": "ACTIVE"}));
    h.admin(Method::POST, "groups/rules/run", None).await;
    let members = h
        .ok("get_list_all_member_users", json!({"groupId": gid}))
        .await;
    assert_eq!(sorted_ids(&members), vec![uid.clone()], "{members}");

    let deactivated = h
        .ok("post_deactivate_group_rule", json!({"groupRuleId": rid}))
        .await;
    assert_eq!(
        deactivated,
        json!({"groupRuleId": rid, "status": "INACTIVE"})
    );
    let deleted = h
        .ok(
            "delete_group_rule",
            json!({"groupRuleId": rid, "removeUsers": true}),
        )
        .await;
    assert_eq!(deleted["deleted"], true, "{deleted}");
    assert_eq!(deleted["groupRuleId"], rid.as_str(), "{deleted}");
    assert_eq!(deleted["usersRemoved"], true, "{deleted}");
    h.okta_error(
        "get_retrieve_a_group_rule",
        json!({"groupRuleId": rid}),
        404,
    )
    .await;
    let members = h
        .ok("get_list_all_member_users", json!({"groupId": gid}))
        .await;
    assert!(items(&members).is_empty(), "{members}");
}

async fn grants_and_tokens(h: &mut Harness) {
    let uid = h.new_user("joan@example.com").await;
    let client = h.oidc_client("Portal").await;
    let granted = h
        .admin(
            Method::POST,
            &format!("users/{uid}/grants"),
            Some(json!({"clientId": client, "scopes": ["okta.users.read", "okta.groups.read"]})),
        )
        .await;
    let grant_ids: Vec<String> = granted["grantIds"]
        .as_array()
        .expect("grant ids")
        .iter()
        .filter_map(|g| g.as_str().map(str::to_owned))
        .collect();
    assert_eq!(grant_ids.len(), 2, "{granted}");

    let grants = h
        .ok("get_list_all_user_grants", json!({"userId": uid}))
        .await;
    assert_eq!(sorted_ids(&grants), sorted(grant_ids.clone()), "{grants}");
    let one = h
        .ok(
            "get_retrieve_a_user_grant",
            json!({"userId": uid, "grantId": grant_ids[0]}),
        )
        .await;
    assert_eq!(one["id"], grant_ids[0].as_str(), "{one}");
    assert_eq!(one["clientId"], client.as_str(), "{one}");

    let clients = h.ok("get_list_all_clients", json!({"userId": uid})).await;
    let client_ids: Vec<&str> = items(&clients)
        .iter()
        .filter_map(|c| c["client_id"].as_str())
        .collect();
    assert_eq!(client_ids, vec![client.as_str()], "{clients}");
    let by_client = h
        .ok(
            "get_list_all_grants_for_a_client",
            json!({"userId": uid, "clientId": client}),
        )
        .await;
    assert_eq!(sorted_ids(&by_client), sorted(grant_ids.clone()));

    let revoked = h
        .ok(
            "delete_revoke_user_grant",
            json!({"userId": uid, "grantId": grant_ids[0]}),
        )
        .await;
    assert_eq!(
        revoked,
        json!({"revoked": true, "what": "grant", "userId": uid, "grantId": grant_ids[0]})
    );
    let grants = h
        .ok("get_list_all_user_grants", json!({"userId": uid}))
        .await;
    assert_eq!(sorted_ids(&grants), vec![grant_ids[1].clone()]);
    let all = h
        .ok(
            "delete_revoke_all_grants_for_a_client",
            json!({"userId": uid, "clientId": client}),
        )
        .await;
    assert_eq!(
        all,
        json!({"revoked": true, "what": "grants", "userId": uid, "clientId": client})
    );
    let grants = h
        .ok("get_list_all_user_grants", json!({"userId": uid}))
        .await;
    assert!(items(&grants).is_empty(), "{grants}");

    h.admin(
        Method::POST,
        &format!("users/{uid}/grants"),
        Some(json!({"clientId": client, "scopes": ["okta.users.read"]})),
    )
    .await;
    let all = h
        .ok("delete_revoke_all_user_grants", json!({"userId": uid}))
        .await;
    assert_eq!(
        all,
        json!({"revoked": true, "what": "grants", "userId": uid})
    );
    let grants = h
        .ok("get_list_all_user_grants", json!({"userId": uid}))
        .await;
    assert!(items(&grants).is_empty(), "{grants}");

    let mut tokens = Vec::new();
    for _ in 0..3 {
        let minted = h
            .admin(
                Method::POST,
                &format!("users/{uid}/tokens"),
                Some(json!({"clientId": client, "scopes": ["openid", "offline_access"]})),
            )
            .await;
        tokens.push(
            minted["refreshTokenId"]
                .as_str()
                .unwrap_or_else(|| panic!("a refresh token id: {minted}"))
                .to_owned(),
        );
    }
    let listed = h
        .ok(
            "get_list_all_refresh_tokens_for_a_client",
            json!({"userId": uid, "clientId": client}),
        )
        .await;
    assert_eq!(sorted_ids(&listed), sorted(tokens.clone()), "{listed}");
    let one = h
        .ok(
            "get_refresh_token_for_client",
            json!({"userId": uid, "clientId": client, "tokenId": tokens[0]}),
        )
        .await;
    assert_eq!(one["id"], tokens[0].as_str(), "{one}");
    assert_eq!(one["status"], "ACTIVE", "{one}");
    let revoked = h
        .ok(
            "delete_revoke_token_for_client",
            json!({"userId": uid, "clientId": client, "tokenId": tokens[0]}),
        )
        .await;
    assert_eq!(
        revoked,
        json!({"revoked": true, "what": "refreshToken", "userId": uid,
            "clientId": client, "tokenId": tokens[0]})
    );
    let left = h
        .ok(
            "get_list_all_refresh_tokens_for_a_client",
            json!({"userId": uid, "clientId": client}),
        )
        .await;
    assert_eq!(sorted_ids(&left), sorted(tokens[1..].to_vec()), "{left}");
    let all = h
        .ok(
            "delete_revoke_all_refresh_tokens_for_a_client",
            json!({"userId": uid, "clientId": client}),
        )
        .await;
    assert_eq!(
        all,
        json!({"revoked": true, "what": "refreshTokens", "userId": uid, "clientId": client})
    );
    let left = h
        .ok(
            "get_list_all_refresh_tokens_for_a_client",
            json!({"userId": uid, "clientId": client}),
        )
        .await;
    assert!(items(&left).is_empty(), "{left}");
}

async fn factors(h: &mut Harness) {
    let uid = h.new_user("katherine@example.com").await;

    // Email: enrolled first, its enrollment resent at the end (codes are throttled for 5 s).
    let email = h
        .ok(
            "post_enroll_a_factor",
            json!({"userId": uid, "body": {"factorType": "email", "provider": "OKTA",
            "profile": {"email": "katherine@example.com"}}}),
        )
        .await;
    assert_eq!(email["status"], "PENDING_ACTIVATION", "{email}");
    let email_id = id_of(&email);
    let email_sent = Instant::now();
    let first_code = h.factor_code(&uid, &email_id).await;

    let supported = h
        .ok("get_list_all_supported_factors", json!({"userId": uid}))
        .await;
    let kinds: Vec<&str> = items(&supported)
        .iter()
        .filter_map(|f| f["factorType"].as_str())
        .collect();
    assert!(
        kinds.contains(&"sms") && kinds.contains(&"question"),
        "{supported}"
    );
    let questions = h
        .ok(
            "get_list_all_supported_security_questions",
            json!({"userId": uid}),
        )
        .await;
    assert!(
        items(&questions)
            .iter()
            .any(|q| q["question"] == "disliked_food"),
        "{questions}"
    );

    // SMS: activated with the code sent.
    let sms = h
        .ok(
            "post_enroll_a_factor",
            json!({"userId": uid, "body": {"factorType": "sms", "provider": "OKTA",
            "profile": {"phoneNumber": "+1-555-415-1337"}}}),
        )
        .await;
    assert_eq!(sms["status"], "PENDING_ACTIVATION", "{sms}");
    let sms_id = id_of(&sms);
    let code = h.factor_code(&uid, &sms_id).await;
    let activated = h
        .ok(
            "post_activate_a_factor",
            json!({"userId": uid, "factorId": sms_id, "body": {"passCode": code}}),
        )
        .await;
    assert_eq!(activated["status"], "ACTIVE", "{activated}");

    // Question: verified with the answer, refused with another.
    let question = h
        .ok(
            "post_enroll_a_factor",
            json!({"userId": uid, "body": {"factorType": "question", "provider": "OKTA",
            "profile": {"question": "disliked_food", "answer": "mayonnaise"}}}),
        )
        .await;
    assert_eq!(question["status"], "ACTIVE", "{question}");
    let qid = id_of(&question);
    let verified = h
        .ok(
            "post_verify_a_factor",
            json!({"userId": uid, "factorId": qid, "body": {"answer": "mayonnaise"}}),
        )
        .await;
    assert_eq!(verified["factorResult"], "SUCCESS", "{verified}");
    h.okta_error(
        "post_verify_a_factor",
        json!({"userId": uid, "factorId": qid, "body": {"answer": "ketchup"}}),
        403,
    )
    .await;

    // TOTP: activated with the code computed from the shared secret.
    let totp = h
        .ok(
            "post_enroll_a_factor",
            json!({"userId": uid, "body": {"factorType": "token:software:totp", "provider": "GOOGLE"}}),
        )
        .await;
    let tid = id_of(&totp);
    let secret = totp["_embedded"]["activation"]["sharedSecret"]
        .as_str()
        .and_then(TotpSecret::from_base32)
        .unwrap_or_else(|| panic!("a shared secret: {totp}"));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let activated = h
        .ok(
            "post_activate_a_factor",
            json!({"userId": uid, "factorId": tid,
                "body": {"passCode": secret.code_at(now).expect("a TOTP code")}}),
        )
        .await;
    assert_eq!(activated["status"], "ACTIVE", "{activated}");

    // Push: the activation and the challenge are transactions answered on the device.
    let push = h
        .ok(
            "post_enroll_a_factor",
            json!({"userId": uid, "body": {"factorType": "push", "provider": "OKTA"}}),
        )
        .await;
    let pid = id_of(&push);
    let started = h
        .ok(
            "post_activate_a_factor",
            json!({"userId": uid, "factorId": pid, "body": {}}),
        )
        .await;
    let activation = poll_id(&started);
    h.admin(
        Method::POST,
        &format!("users/{uid}/push"),
        Some(json!({"approve": true, "transactionId": activation})),
    )
    .await;
    let factor = h
        .ok(
            "post_activate_a_factor",
            json!({"userId": uid, "factorId": pid, "body": {}}),
        )
        .await;
    assert_eq!(factor["status"], "ACTIVE", "{factor}");
    let challenge = h
        .ok(
            "post_verify_a_factor",
            json!({"userId": uid, "factorId": pid, "body": {}}),
        )
        .await;
    assert_eq!(challenge["factorResult"], "WAITING", "{challenge}");
    let tx = poll_id(&challenge);
    let waiting = h
        .ok(
            "get_factor_transaction_status",
            json!({"userId": uid, "factorId": pid, "transactionId": tx}),
        )
        .await;
    assert_eq!(waiting["factorResult"], "WAITING", "{waiting}");
    h.admin(
        Method::POST,
        &format!("users/{uid}/push"),
        Some(json!({"approve": true, "transactionId": tx})),
    )
    .await;
    let done = h
        .ok(
            "get_factor_transaction_status",
            json!({"userId": uid, "factorId": pid, "transactionId": tx}),
        )
        .await;
    assert_eq!(done["factorResult"], "SUCCESS", "{done}");

    let list = h
        .ok("get_list_all_enrolled_factors", json!({"userId": uid}))
        .await;
    assert_eq!(
        sorted_ids(&list),
        sorted(vec![
            email_id.clone(),
            sms_id.clone(),
            qid,
            tid.clone(),
            pid
        ]),
        "{list}"
    );
    let got = h
        .ok(
            "get_retrieve_a_factor",
            json!({"userId": uid, "factorId": sms_id}),
        )
        .await;
    assert_eq!(got["factorType"], "sms", "{got}");
    assert_eq!(got["status"], "ACTIVE", "{got}");

    let unenrolled = h
        .ok(
            "delete_unenroll_a_factor",
            json!({"userId": uid, "factorId": tid}),
        )
        .await;
    assert_eq!(
        unenrolled,
        json!({"unenrolled": true, "userId": uid, "factorId": tid})
    );
    h.okta_error(
        "get_retrieve_a_factor",
        json!({"userId": uid, "factorId": tid}),
        404,
    )
    .await;

    // The email enrollment, resent once the throttle has passed: a new code.
    let throttle = Duration::from_millis(5200);
    if let Some(left) = throttle.checked_sub(email_sent.elapsed()) {
        tokio::time::sleep(left).await;
    }
    let resent = h
        .ok(
            "post_resend_factor_enrollment",
            json!({"userId": uid, "factorId": email_id, "body": {"factorType": "email",
            "provider": "OKTA", "profile": {"email": "katherine@example.com"}}}),
        )
        .await;
    assert_eq!(resent["id"], email_id.as_str(), "{resent}");
    assert_ne!(h.factor_code(&uid, &email_id).await, first_code);
}

/// The transaction id at the end of a factor answer's poll link.
fn poll_id(answer: &Value) -> String {
    answer["_links"]["poll"]["href"]
        .as_str()
        .and_then(|h| h.rsplit('/').next())
        .unwrap_or_else(|| panic!("a poll link: {answer}"))
        .to_owned()
}

async fn linked_objects(h: &mut Harness) {
    h.okta(
        Method::POST,
        "/api/v1/meta/schemas/user/linkedObjects",
        json!({"primary": {"name": "manager", "title": "Manager", "type": "USER"},
            "associated": {"name": "subordinate", "title": "Subordinate", "type": "USER"}}),
    )
    .await;
    let boss = h.new_user("boss@example.com").await;
    let worker = h.new_user("worker@example.com").await;
    let linked = h
        .ok(
            "put_replace_linked_object_value_for_primary",
            json!({"userIdOrLogin": worker, "primaryRelationshipName": "manager",
            "primaryUserId": boss}),
        )
        .await;
    assert_eq!(linked["linked"], true, "{linked}");
    assert_eq!(linked["primaryUserId"], boss.as_str(), "{linked}");
    let manager = h
        .ok(
            "get_primary_or_all_associated_linked_object_values",
            json!({"userIdOrLogin": worker, "relationshipName": "manager"}),
        )
        .await;
    assert!(manager.to_string().contains(&boss), "{manager}");
    let subordinates = h
        .ok(
            "get_primary_or_all_associated_linked_object_values",
            json!({"userIdOrLogin": boss, "relationshipName": "subordinate"}),
        )
        .await;
    assert!(subordinates.to_string().contains(&worker), "{subordinates}");
    let cleared = h
        .ok(
            "delete_linked_object",
            json!({"userIdOrLogin": worker, "relationshipName": "manager"}),
        )
        .await;
    assert_eq!(cleared["linked"], false, "{cleared}");
    let manager = h
        .ok(
            "get_primary_or_all_associated_linked_object_values",
            json!({"userIdOrLogin": worker, "relationshipName": "manager"}),
        )
        .await;
    assert!(!manager.to_string().contains(&boss), "{manager}");
}

async fn user_types(h: &mut Harness) {
    let created = h
        .ok(
            "post_create_user_type",
            json!({"body": {"name": "contractor", "displayName": "Contractor",
            "description": "External staff"}}),
        )
        .await;
    assert_eq!(created["name"], "contractor", "{created}");
    let tid = id_of(&created);
    let got = h
        .ok("get_retrieve_a_user_type", json!({"typeId": tid}))
        .await;
    assert_eq!(got["displayName"], "Contractor", "{got}");
    let list = h.ok("get_list_all_user_types", json!({})).await;
    let names: Vec<&str> = items(&list)
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, vec!["user", "contractor"], "{list}");
    let updated = h
        .ok(
            "post_update_user_type",
            json!({"typeId": tid, "body": {"displayName": "Contractor (ext)"}}),
        )
        .await;
    assert_eq!(updated["displayName"], "Contractor (ext)", "{updated}");
    assert_eq!(updated["description"], "External staff", "{updated}");
    let replaced = h
        .ok(
            "put_replace_user_type",
            json!({"typeId": tid, "body": {"name": "contractor", "displayName": "Vendor",
            "description": "Vendors"}}),
        )
        .await;
    assert_eq!(replaced["displayName"], "Vendor", "{replaced}");
    let deleted = h.ok("delete_user_type", json!({"typeId": tid})).await;
    assert_eq!(deleted, json!({"deleted": true, "typeId": tid}));
    h.okta_error("get_retrieve_a_user_type", json!({"typeId": tid}), 404)
        .await;
}

async fn employees(h: &mut Harness) {
    let kept = h.new_user("kept@example.com").await;
    let page = h
        .ok(
            "list_all_employees",
            json!({"status": ["active"], "limit": 200}),
        )
        .await;
    let emails: Vec<&str> = items(&page)
        .iter()
        .filter_map(|e| e["work_email"].as_str())
        .collect();
    assert!(emails.contains(&"kept@example.com"), "{page}");
    let done = h
        .ok("terminate_employee", json!({"employee_id": kept}))
        .await;
    assert_eq!(done["outcome"], "terminated", "{done}");
    assert_eq!(done["previous_status"], "ACTIVE", "{done}");
    assert_eq!(done["deactivated"], true, "{done}");
    assert_eq!(done["deleted"], false, "{done}");
    let again = h
        .ok("terminate_employee", json!({"employee_id": kept}))
        .await;
    assert_eq!(again["outcome"], "already_terminated", "{again}");
}

/// The MyAccount action needs an OAuth access token: a second connection authenticates as a
/// `private_key_jwt` service app granted `okta.myAccount.organization.read` (the emulator grants
/// MyAccount scopes to service apps; real Okta wants an end user's token for MyAccount).
async fn myaccount(h: &mut Harness) {
    let scope = "okta.myAccount.organization.read";
    // The SSWS connection: MyAccount takes only OAuth tokens, so the gateway refuses before
    // sending anything and names the header to use.
    let (status, refused) = h.run("get_retrieve_the_org_details", json!({})).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["code"], "invalid_input", "{refused}");
    assert_eq!(
        refused["problems"][0]["path"], "x-okta-user-token",
        "{refused}"
    );

    let app = h
        .okta(
            Method::POST,
            "/api/v1/apps",
            json!({"name": "oidc_client", "label": "Spindle service", "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "private_key_jwt"}},
            "settings": {"oauthClient": {"application_type": "service",
                "grant_types": ["client_credentials"], "response_types": ["token"],
                "jwks": {"keys": [test_jwk()]}}}}),
        )
        .await;
    let client = id_of(&app);
    h.admin(
        Method::PUT,
        &format!("apps/{client}/grants"),
        Some(json!({"scopes": [scope]})),
    )
    .await;
    let (status, created) = h
        .v1(
            Method::POST,
            "/connections",
            Some(json!({"name": "emulator-oauth", "org_url": h.gw.emu.url(),
                "auth": {"kind": "oauth", "client_id": client, "private_key": TEST_KEY_PEM,
                    "key_id": "k1", "scopes": [scope]}})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert!(!created.to_string().contains("PRIVATE KEY"), "{created}");
    let (status, details) = h
        .run_on("emulator-oauth", "get_retrieve_the_org_details", &json!({}))
        .await;
    assert_eq!(status, 200, "{details}");
    assert_eq!(details["name"], "Spindle Emulator", "{details}");
    assert_eq!(details["url"], h.gw.emu.url(), "{details}");

    // As an end user: the user's own access token in `X-Okta-User-Token`, on the SSWS connection.
    let uid = h.new_user("margaret@example.com").await;
    let minted = h
        .admin(
            Method::POST,
            "oauth/tokens",
            Some(json!({"userId": uid, "scopes": [scope]})),
        )
        .await;
    let user_token = minted["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("a user token: {minted}"))
        .to_owned();
    let connection = h.connection.clone();
    let (status, details) = h
        .run_with(
            &connection,
            "get_retrieve_the_org_details",
            &json!({}),
            &[("X-Okta-User-Token", &user_token)],
        )
        .await;
    assert_eq!(status, 200, "{details}");
    assert_eq!(details["name"], "Spindle Emulator", "{details}");
    // The header is for MyAccount actions only.
    let (status, refused) = h
        .run_with(
            &connection,
            "get_retrieve_a_user",
            &json!({"id": uid}),
            &[("X-Okta-User-Token", &user_token)],
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(!refused.to_string().contains(&user_token), "{refused}");
}

/// The Aerial actions need the connection's Aerial settings: refused without them, then run
/// against the emulator's Aerial host once the connection has an Aerial URL, account and token.
async fn aerial(h: &mut Harness) {
    let (status, problem) = h
        .run(
            "get_list_all_orgs",
            json!({"accountId": "acc1", "limit": 1}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "aerial_not_configured", "{problem}");

    let created = h
        .admin(Method::POST, "aerial/accounts", Some(json!({})))
        .await;
    let account = created["accountId"]
        .as_str()
        .expect("an account")
        .to_owned();
    let token = created["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let aerial_url = format!("{}/aerial", h.gw.emu.url());
    let path = format!("/connections/{}", h.connection);
    let (status, updated) = h
        .v1(
            Method::PATCH,
            &path,
            Some(json!({"aerial": {"url": aerial_url, "account_id": account, "token": token}})),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        updated["aerial"]["account_id"],
        account.as_str(),
        "{updated}"
    );
    assert_eq!(updated["aerial"]["token_set"], true, "{updated}");
    assert!(!updated.to_string().contains(&token), "{updated}");

    let added = h
        .ok(
            "post_add_org_to_account",
            json!({"accountId": account,
                "body": {"orgId": "00o1abcdefghijklmnop", "cell": "ok1"}}),
        )
        .await;
    let org_id = id_of(&added);
    let other = h
        .ok(
            "post_add_org_to_account",
            json!({"accountId": account, "body": {"domain": "acme.okta.com"}}),
        )
        .await;
    assert_eq!(other["domain"], "acme.okta.com", "{other}");

    let got = h
        .ok(
            "get_retrieve_an_org_by_id",
            json!({"accountId": account, "orgId": org_id}),
        )
        .await;
    assert_eq!(got["id"], org_id.as_str(), "{got}");
    let page = h
        .ok(
            "get_list_all_orgs",
            json!({"accountId": account, "limit": 1}),
        )
        .await;
    assert_eq!(items(&page).len(), 1, "{page}");
    assert!(page["next"].is_string(), "a second page: {page}");

    let inactive = h
        .ok(
            "put_change_status_of_org",
            json!({"accountId": account, "orgId": org_id, "body": {"status": "INACTIVE"}}),
        )
        .await;
    assert_eq!(inactive["status"], "INACTIVE", "{inactive}");
    let active = h
        .ok(
            "get_list_all_orgs",
            json!({"accountId": account, "filter": "status eq \"ACTIVE\""}),
        )
        .await;
    assert_eq!(items(&active).len(), 1, "{active}");
    assert_eq!(items(&active)[0]["domain"], "acme.okta.com", "{active}");

    let products = h
        .ok(
            "get_enabled_products_for_org",
            json!({"accountId": account, "orgId": org_id}),
        )
        .await;
    assert!(items(&products).is_empty(), "{products}");
    let set = h
        .ok(
            "put_update_enabled_products_for_an_org",
            json!({"accountId": account, "orgId": org_id, "body": [{"id": "P000052"}]}),
        )
        .await;
    assert!(set.to_string().contains("P000052"), "{set}");
    let now = h
        .ok(
            "get_enabled_products_for_org",
            json!({"accountId": account, "orgId": org_id}),
        )
        .await;
    assert!(items(&now).iter().any(|p| p["id"] == "P000052"), "{now}");

    // Another account's id with this token: Okta's 403, the token not echoed.
    let problem = h
        .okta_error(
            "get_retrieve_an_org_by_id",
            json!({"accountId": "acc-other", "orgId": org_id}),
            403,
        )
        .await;
    assert!(!problem.to_string().contains(&token), "{problem}");
}
