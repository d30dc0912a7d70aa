//! `spindle run` end to end for the actions beyond users and groups: group rules, grants / clients / refresh
//! tokens, sessions, factors, linked objects and user types.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use spindle_emulator::factors::otp::TotpSecret;

use crate::run::{Org, new_user};

/// Calls the Okta API of the emulator directly (SSWS), for set-up the actions don't cover.
pub(crate) fn api(org: &Org, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
    let url = format!("{}{path}", org.emulator.url());
    org.runtime.block_on(async {
        let response = reqwest::Client::new()
            .request(method, url)
            .header("Authorization", format!("SSWS {}", org.emulator.token()))
            .header("Accept", "application/json")
            .json(&body)
            .send()
            .await
            .expect("the emulator answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    })
}

fn new_group(org: &Org, name: &str) -> String {
    let group = org.ok(
        "post_create_a_group",
        json!({"body": {"profile": {"name": name, "description": "rule targets"}}}),
    );
    group["id"].as_str().expect("a group id").to_owned()
}

fn member_ids(org: &Org, gid: &str) -> Vec<String> {
    items(&org.ok("get_list_all_member_users", json!({"groupId": gid})))
        .iter()
        .filter_map(|u| u["id"].as_str().map(str::to_owned))
        .collect()
}

/// The items of a list output (`{"items": [...]}`, or a bare array).
fn items(list: &Value) -> &[Value] {
    list.get("items")
        .unwrap_or(list)
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn ids_of(list: &Value) -> Vec<String> {
    items(list)
        .iter()
        .filter_map(|v| v["id"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn group_rule_actions_round_trip() {
    let org = Org::start(0, 0);
    let gid = new_group(&org, "Engineering");
    let uid = new_user(&org, "ada@example.com");
    org.ok(
        "post_update_a_user",
        json!({"id": uid, "body": {"profile": {"department": "Eng"}}}),
    );

    let rule = org.ok(
        "post_create_a_group_rule",
        json!({"body": {"type": "group_rule", "name": "Engineers",
            "conditions": {"expression": {"type": "urn:okta:expression:1.0",
                "value": "user.department==\"Eng\""}},
            "actions": {"assignUserToGroups": {"groupIds": [gid]}}}}),
    );
    assert_eq!(rule["status"], "INACTIVE", "{rule}");
    let rid = rule["id"].as_str().expect("a rule id").to_owned();

    let got = org.ok("get_retrieve_a_group_rule", json!({"groupRuleId": rid}));
    assert_eq!(got["name"], "Engineers", "{got}");
    let list = org.ok("get_list_all_group_rules", json!({"search": "engin"}));
    assert_eq!(ids_of(&list), vec![rid.clone()], "{list}");

    let replaced = org.ok(
        "put_replace_a_group_rule",
        json!({"groupRuleId": rid, "body": {"type": "group_rule", "name": "Engineers (Eng)",
            "conditions": {"expression": {"type": "urn:okta:expression:1.0",
                "value": "user.department==\"Eng\""}},
            "actions": {"assignUserToGroups": {"groupIds": [gid]}}}}),
    );
    assert_eq!(replaced["name"], "Engineers (Eng)", "{replaced}");
    assert!(member_ids(&org, &gid).is_empty());

    let activated = org.run_with(
        "post_activate_group_rule",
        &json!({"groupRuleId": rid}),
        &[],
    );
    assert_eq!(
        activated.code, 0,
        "{}{}",
        activated.stderr, activated.stdout
    );
    let got = org.ok("get_retrieve_a_group_rule", json!({"groupRuleId": rid}));
    assert_eq!(got["status"], "ACTIVE", "{got}");
    // Rules apply asynchronously: poll the membership for a while.
    let mut members = Vec::new();
    for _ in 0..50 {
        members = member_ids(&org, &gid);
        if !members.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(members, vec![uid.clone()]);

    let deactivated = org.run_with(
        "post_deactivate_group_rule",
        &json!({"groupRuleId": rid}),
        &[],
    );
    assert_eq!(
        deactivated.code, 0,
        "{}{}",
        deactivated.stderr, deactivated.stdout
    );
    let got = org.ok("get_retrieve_a_group_rule", json!({"groupRuleId": rid}));
    assert_eq!(got["status"], "INACTIVE", "{got}");

    let deleted = org.run_with(
        "delete_group_rule",
        &json!({"groupRuleId": rid, "removeUsers": true}),
        &[],
    );
    assert_eq!(deleted.code, 0, "{}{}", deleted.stderr, deleted.stdout);
    let gone = org.run_with(
        "get_retrieve_a_group_rule",
        &json!({"groupRuleId": rid}),
        &[],
    );
    assert_eq!(gone.code, 3, "{}", gone.stdout);
    assert!(
        member_ids(&org, &gid).is_empty(),
        "removeUsers removed the rule's members"
    );
}

/// Creates an OIDC web app and returns its client id.
fn oidc_client(org: &Org, label: &str) -> String {
    let (status, app) = api(
        org,
        reqwest::Method::POST,
        "/api/v1/apps",
        json!({"name": "oidc_client", "label": label, "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {"oauthClient": {"grant_types": ["authorization_code", "refresh_token"],
                "redirect_uris": ["https://example.com/cb"], "response_types": ["code"],
                "application_type": "web"}}}),
    );
    assert!(status < 300, "app creation: {status} {app}");
    app["credentials"]["oauthClient"]["client_id"]
        .as_str()
        .or(app["id"].as_str())
        .expect("a client id")
        .to_owned()
}

#[test]
fn grant_client_and_refresh_token_actions() {
    let org = Org::start(0, 0);
    let uid = new_user(&org, "joan@example.com");
    let client = oidc_client(&org, "Portal");
    let granted = org.admin(
        reqwest::Method::POST,
        &format!("users/{uid}/grants"),
        Some(json!({"clientId": client, "scopes": ["okta.users.read", "okta.groups.read"]})),
    );
    let grant_ids: Vec<String> = granted["grantIds"]
        .as_array()
        .expect("grant ids")
        .iter()
        .filter_map(|g| g.as_str().map(str::to_owned))
        .collect();
    assert_eq!(grant_ids.len(), 2, "{granted}");

    let grants = org.ok("get_list_all_user_grants", json!({"userId": uid}));
    let mut listed = ids_of(&grants);
    listed.sort();
    let mut expected = grant_ids.clone();
    expected.sort();
    assert_eq!(listed, expected, "{grants}");
    let one = org.ok(
        "get_retrieve_a_user_grant",
        json!({"userId": uid, "grantId": grant_ids[0]}),
    );
    assert_eq!(one["id"], grant_ids[0].as_str(), "{one}");

    let clients = org.ok("get_list_all_clients", json!({"userId": uid}));
    let client_ids: Vec<&str> = items(&clients)
        .iter()
        .filter_map(|c| c["client_id"].as_str())
        .collect();
    assert_eq!(client_ids, vec![client.as_str()], "{clients}");
    let by_client = org.ok(
        "get_list_all_grants_for_a_client",
        json!({"userId": uid, "clientId": client}),
    );
    assert_eq!(ids_of(&by_client).len(), 2, "{by_client}");

    let revoked = org.run_with(
        "delete_revoke_user_grant",
        &json!({"userId": uid, "grantId": grant_ids[0]}),
        &[],
    );
    assert_eq!(revoked.code, 0, "{}{}", revoked.stderr, revoked.stdout);
    let grants = org.ok("get_list_all_user_grants", json!({"userId": uid}));
    assert_eq!(ids_of(&grants), vec![grant_ids[1].clone()], "{grants}");

    let all = org.run_with(
        "delete_revoke_all_grants_for_a_client",
        &json!({"userId": uid, "clientId": client}),
        &[],
    );
    assert_eq!(all.code, 0, "{}{}", all.stderr, all.stdout);
    let grants = org.ok("get_list_all_user_grants", json!({"userId": uid}));
    assert!(ids_of(&grants).is_empty(), "{grants}");

    // Grants again, then revoke every grant of the user.
    org.admin(
        reqwest::Method::POST,
        &format!("users/{uid}/grants"),
        Some(json!({"clientId": client, "scopes": ["okta.users.read"]})),
    );
    assert_eq!(
        ids_of(&org.ok("get_list_all_user_grants", json!({"userId": uid}))).len(),
        1
    );
    let all = org.run_with(
        "delete_revoke_all_user_grants",
        &json!({"userId": uid}),
        &[],
    );
    assert_eq!(all.code, 0, "{}{}", all.stderr, all.stdout);
    assert!(ids_of(&org.ok("get_list_all_user_grants", json!({"userId": uid}))).is_empty());

    // Refresh tokens.
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let minted = org.admin(
            reqwest::Method::POST,
            &format!("users/{uid}/tokens"),
            Some(json!({"clientId": client, "scopes": ["openid", "offline_access"]})),
        );
        tokens.push(
            minted["refreshTokenId"]
                .as_str()
                .unwrap_or_else(|| panic!("a refresh token id: {minted}"))
                .to_owned(),
        );
    }
    let listed = org.ok(
        "get_list_all_refresh_tokens_for_a_client",
        json!({"userId": uid, "clientId": client}),
    );
    let mut listed = ids_of(&listed);
    listed.sort();
    let mut expected = tokens.clone();
    expected.sort();
    assert_eq!(listed, expected);
    let one = org.ok(
        "get_refresh_token_for_client",
        json!({"userId": uid, "clientId": client, "tokenId": tokens[0]}),
    );
    assert_eq!(one["id"], tokens[0].as_str(), "{one}");
    assert_eq!(one["status"], "ACTIVE", "{one}");

    let revoked = org.run_with(
        "delete_revoke_token_for_client",
        &json!({"userId": uid, "clientId": client, "tokenId": tokens[0]}),
        &[],
    );
    assert_eq!(revoked.code, 0, "{}{}", revoked.stderr, revoked.stdout);
    let left = org.ok(
        "get_list_all_refresh_tokens_for_a_client",
        json!({"userId": uid, "clientId": client}),
    );
    assert_eq!(ids_of(&left).len(), 2, "{left}");
    let all = org.run_with(
        "delete_revoke_all_refresh_tokens_for_a_client",
        &json!({"userId": uid, "clientId": client}),
        &[],
    );
    assert_eq!(all.code, 0, "{}{}", all.stderr, all.stdout);
    let left = org.ok(
        "get_list_all_refresh_tokens_for_a_client",
        json!({"userId": uid, "clientId": client}),
    );
    assert!(ids_of(&left).is_empty(), "{left}");

    // Revoking the sessions with oauthTokens also revokes refresh tokens.
    org.admin(
        reqwest::Method::POST,
        &format!("users/{uid}/tokens"),
        Some(json!({"clientId": client, "scopes": ["openid", "offline_access"]})),
    );
    let sessions = org.ok(
        "delete_revoke_all_user_sessions",
        json!({"userId": uid, "oauthTokens": true}),
    );
    assert_eq!(sessions["revoked"], true, "{sessions}");
    let left = org.ok(
        "get_list_all_refresh_tokens_for_a_client",
        json!({"userId": uid, "clientId": client}),
    );
    assert!(ids_of(&left).is_empty(), "{left}");
}

fn code_of(org: &Org, uid: &str, fid: &str) -> String {
    let code = org.admin(
        reqwest::Method::GET,
        &format!("users/{uid}/factors/{fid}/code"),
        None,
    );
    code["code"]
        .as_str()
        .unwrap_or_else(|| panic!("a code was sent: {code}"))
        .to_owned()
}

#[test]
fn factor_actions_round_trip() {
    let org = Org::start(0, 0);
    let uid = new_user(&org, "hedy@example.com");

    let catalog = org.ok("get_list_all_supported_factors", json!({"userId": uid}));
    let kinds: Vec<&str> = items(&catalog)
        .iter()
        .filter_map(|f| f["factorType"].as_str())
        .collect();
    assert!(
        kinds.contains(&"sms") && kinds.contains(&"question"),
        "{catalog}"
    );
    let questions = org.ok(
        "get_list_all_supported_security_questions",
        json!({"userId": uid}),
    );
    assert!(
        items(&questions)
            .iter()
            .any(|q| q["question"] == "disliked_food"),
        "{questions}"
    );

    // SMS: enroll, resend, activate with the code sent, challenge and verify.
    let sms = org.ok(
        "post_enroll_a_factor",
        json!({"userId": uid, "body": {"factorType": "sms", "provider": "OKTA",
            "profile": {"phoneNumber": "+1-555-415-1337"}}}),
    );
    assert_eq!(sms["status"], "PENDING_ACTIVATION", "{sms}");
    let sms_id = sms["id"].as_str().expect("a factor id").to_owned();
    let activated = org.ok(
        "post_activate_a_factor",
        json!({"userId": uid, "factorId": sms_id, "body": {"passCode": code_of(&org, &uid, &sms_id)}}),
    );
    assert_eq!(activated["status"], "ACTIVE", "{activated}");

    // Question: active at once, verified with the answer.
    let question = org.ok(
        "post_enroll_a_factor",
        json!({"userId": uid, "body": {"factorType": "question", "provider": "OKTA",
            "profile": {"question": "disliked_food", "answer": "mayonnaise"}}}),
    );
    assert_eq!(question["status"], "ACTIVE", "{question}");
    let qid = question["id"].as_str().expect("a factor id").to_owned();
    let verified = org.ok(
        "post_verify_a_factor",
        json!({"userId": uid, "factorId": qid, "body": {"answer": "mayonnaise"}}),
    );
    assert_eq!(verified["factorResult"], "SUCCESS", "{verified}");
    let wrong = org.run_with(
        "post_verify_a_factor",
        &json!({"userId": uid, "factorId": qid, "body": {"answer": "ketchup"}}),
        &[],
    );
    assert_eq!(
        wrong.code, 3,
        "a wrong answer is an Okta error: {}",
        wrong.stdout
    );

    // TOTP: activated with the code computed from the shared secret.
    let totp = org.ok(
        "post_enroll_a_factor",
        json!({"userId": uid, "body": {"factorType": "token:software:totp", "provider": "GOOGLE"}}),
    );
    assert_eq!(totp["status"], "PENDING_ACTIVATION", "{totp}");
    let tid = totp["id"].as_str().expect("a factor id").to_owned();
    let secret = totp["_embedded"]["activation"]["sharedSecret"]
        .as_str()
        .and_then(TotpSecret::from_base32)
        .unwrap_or_else(|| panic!("a shared secret: {totp}"));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let code = secret.code_at(now).expect("a TOTP code");
    let activated = org.ok(
        "post_activate_a_factor",
        json!({"userId": uid, "factorId": tid, "body": {"passCode": code}}),
    );
    assert_eq!(activated["status"], "ACTIVE", "{activated}");

    let list = org.ok("get_list_all_enrolled_factors", json!({"userId": uid}));
    let mut listed = ids_of(&list);
    listed.sort();
    let mut expected = vec![sms_id.clone(), qid.clone(), tid.clone()];
    expected.sort();
    assert_eq!(listed, expected, "{list}");
    let got = org.ok(
        "get_retrieve_a_factor",
        json!({"userId": uid, "factorId": sms_id}),
    );
    assert_eq!(got["factorType"], "sms", "{got}");
    assert_eq!(got["status"], "ACTIVE", "{got}");

    let unenrolled = org.run_with(
        "delete_unenroll_a_factor",
        &json!({"userId": uid, "factorId": tid}),
        &[],
    );
    assert_eq!(
        unenrolled.code, 0,
        "{}{}",
        unenrolled.stderr, unenrolled.stdout
    );
    let gone = org.run_with(
        "get_retrieve_a_factor",
        &json!({"userId": uid, "factorId": tid}),
        &[],
    );
    assert_eq!(gone.code, 3, "{}", gone.stdout);
}

#[test]
fn resend_factor_enrollment_sends_a_new_code() {
    let org = Org::start(0, 0);
    let uid = new_user(&org, "emmy@example.com");
    let call = org.ok(
        "post_enroll_a_factor",
        json!({"userId": uid, "body": {"factorType": "email", "provider": "OKTA",
            "profile": {"email": "emmy@example.com"}}}),
    );
    assert_eq!(call["status"], "PENDING_ACTIVATION", "{call}");
    let fid = call["id"].as_str().expect("a factor id").to_owned();
    let first = code_of(&org, &uid, &fid);
    // Email codes are throttled for 5 s per address.
    std::thread::sleep(Duration::from_millis(5200));
    let resent = org.ok(
        "post_resend_factor_enrollment",
        json!({"userId": uid, "factorId": fid, "body": {"factorType": "email", "provider": "OKTA",
            "profile": {"email": "emmy@example.com"}}}),
    );
    assert_eq!(resent["id"], fid.as_str(), "{resent}");
    let second = code_of(&org, &uid, &fid);
    assert_ne!(first, second, "a new code was sent");
}

#[test]
fn push_transaction_status_follows_the_answer() {
    let org = Org::start(0, 0);
    let uid = new_user(&org, "katherine@example.com");
    let push = org.ok(
        "post_enroll_a_factor",
        json!({"userId": uid, "body": {"factorType": "push", "provider": "OKTA"}}),
    );
    assert_eq!(push["status"], "PENDING_ACTIVATION", "{push}");
    let fid = push["id"].as_str().expect("a factor id").to_owned();
    // The activation is a push transaction too: approve it to activate the factor.
    let started = org.ok(
        "post_activate_a_factor",
        json!({"userId": uid, "factorId": fid, "body": {}}),
    );
    let activation = started["_links"]["poll"]["href"]
        .as_str()
        .and_then(|h| h.rsplit('/').next())
        .unwrap_or_else(|| panic!("an activation poll link: {started}"))
        .to_owned();
    org.admin(
        reqwest::Method::POST,
        &format!("users/{uid}/push"),
        Some(json!({"approve": true, "transactionId": activation})),
    );
    // Polling an activation is POSTing activate again; the approved push activates the factor.
    let factor = org.ok(
        "post_activate_a_factor",
        json!({"userId": uid, "factorId": fid, "body": {}}),
    );
    assert_eq!(factor["status"], "ACTIVE", "{factor}");
    let challenge = org.ok(
        "post_verify_a_factor",
        json!({"userId": uid, "factorId": fid, "body": {}}),
    );
    assert_eq!(challenge["factorResult"], "WAITING", "{challenge}");
    let tx = challenge["_links"]["poll"]["href"]
        .as_str()
        .and_then(|h| h.rsplit('/').next())
        .unwrap_or_else(|| panic!("a poll link: {challenge}"))
        .to_owned();
    let waiting = org.ok(
        "get_factor_transaction_status",
        json!({"userId": uid, "factorId": fid, "transactionId": tx}),
    );
    assert_eq!(waiting["factorResult"], "WAITING", "{waiting}");
    org.admin(
        reqwest::Method::POST,
        &format!("users/{uid}/push"),
        Some(json!({"approve": true, "transactionId": tx})),
    );
    let done = org.ok(
        "get_factor_transaction_status",
        json!({"userId": uid, "factorId": fid, "transactionId": tx}),
    );
    assert_eq!(done["factorResult"], "SUCCESS", "{done}");
}

#[test]
fn linked_object_actions() {
    let org = Org::start(0, 0);
    let (status, def) = api(
        &org,
        reqwest::Method::POST,
        "/api/v1/meta/schemas/user/linkedObjects",
        json!({"primary": {"name": "manager", "title": "Manager", "type": "USER"},
            "associated": {"name": "subordinate", "title": "Subordinate", "type": "USER"}}),
    );
    assert_eq!(status, 201, "{def}");
    let boss = new_user(&org, "boss@example.com");
    let worker = new_user(&org, "worker@example.com");

    let put = org.run_with(
        "put_replace_linked_object_value_for_primary",
        &json!({"userIdOrLogin": worker, "primaryRelationshipName": "manager",
            "primaryUserId": boss}),
        &[],
    );
    assert_eq!(put.code, 0, "{}{}", put.stderr, put.stdout);
    let manager = org.ok(
        "get_primary_or_all_associated_linked_object_values",
        json!({"userIdOrLogin": worker, "relationshipName": "manager"}),
    );
    assert!(manager.to_string().contains(&boss), "{manager}");
    let subordinates = org.ok(
        "get_primary_or_all_associated_linked_object_values",
        json!({"userIdOrLogin": boss, "relationshipName": "subordinate"}),
    );
    assert!(subordinates.to_string().contains(&worker), "{subordinates}");

    let deleted = org.run_with(
        "delete_linked_object",
        &json!({"userIdOrLogin": worker, "relationshipName": "manager"}),
        &[],
    );
    assert_eq!(deleted.code, 0, "{}{}", deleted.stderr, deleted.stdout);
    let manager = org.ok(
        "get_primary_or_all_associated_linked_object_values",
        json!({"userIdOrLogin": worker, "relationshipName": "manager"}),
    );
    assert!(!manager.to_string().contains(&boss), "{manager}");
}

#[test]
fn user_type_actions_round_trip() {
    let org = Org::start(0, 0);
    let created = org.ok(
        "post_create_user_type",
        json!({"body": {"name": "contractor", "displayName": "Contractor",
            "description": "External staff"}}),
    );
    assert_eq!(created["name"], "contractor", "{created}");
    let tid = created["id"].as_str().expect("a type id").to_owned();

    let got = org.ok("get_retrieve_a_user_type", json!({"typeId": tid}));
    assert_eq!(got["displayName"], "Contractor", "{got}");
    let list = org.ok("get_list_all_user_types", json!({}));
    let names: Vec<&str> = items(&list)
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, vec!["user", "contractor"], "{list}");

    let updated = org.ok(
        "post_update_user_type",
        json!({"typeId": tid, "body": {"displayName": "Contractor (ext)"}}),
    );
    assert_eq!(updated["displayName"], "Contractor (ext)", "{updated}");
    assert_eq!(updated["description"], "External staff", "{updated}");
    let replaced = org.ok(
        "put_replace_user_type",
        json!({"typeId": tid, "body": {"name": "contractor", "displayName": "Vendor",
            "description": "Vendors"}}),
    );
    assert_eq!(replaced["displayName"], "Vendor", "{replaced}");
    assert_eq!(replaced["description"], "Vendors", "{replaced}");

    let deleted = org.run_with("delete_user_type", &json!({"typeId": tid}), &[]);
    assert_eq!(deleted.code, 0, "{}{}", deleted.stderr, deleted.stdout);
    let gone = org.run_with("get_retrieve_a_user_type", &json!({"typeId": tid}), &[]);
    assert_eq!(gone.code, 3, "{}", gone.stdout);
}

/// A throwaway P-256 test key (generated for this test only; it signs client assertions to the
/// in-process emulator and nothing else).
pub(crate) const TEST_KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVv6ZfwXffXuhxf/D
uMhy+UJx3t0Rz5Fdxcoi/xyrn2mhRANCAAQW5TxncDb3phLvc7FvfgTSs1IRLB9i
C5rGTuGfIvkDkZxiXSrPusxZpk2ga+b7IqdQQbXyEFLgWHgTNpoT7Zmr
-----END PRIVATE KEY-----
";

/// A private_key_jwt service app (its public key is [`TEST_KEY_PEM`]'s) granted `scope`; returns
/// its client id.
pub(crate) fn service_app(org: &Org, scope: &str) -> String {
    let (status, app) = api(
        org,
        reqwest::Method::POST,
        "/api/v1/apps",
        json!({"name": "oidc_client", "label": "Spindle service", "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "private_key_jwt"}},
            "settings": {"oauthClient": {"application_type": "service",
                "grant_types": ["client_credentials"], "response_types": ["token"],
                "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "kid": "k1",
                    "x": "FuU8Z3A296YS73Oxb34E0rNSESwfYguaxk7hnyL5A5E",
                    "y": "nGJdKs-6zFmmTaBr5vsip1BBtfIQUuBYeBM2mhPtmas"}]}}}}),
    );
    assert!(status < 300, "{status} {app}");
    let client = app["id"].as_str().expect("an app id").to_owned();
    org.admin(
        reqwest::Method::PUT,
        &format!("apps/{client}/grants"),
        Some(json!({"scopes": [scope]})),
    );
    client
}

#[test]
fn myaccount_org_details_with_a_private_key_service_app() {
    let org = Org::start(0, 0);
    // The emulator grants MyAccount scopes to a service app's client-credentials token; real Okta
    // wants an end user's token for MyAccount, which the SDK-style configuration cannot fetch.
    let scope = "okta.myAccount.organization.read";
    let client = service_app(&org, scope);
    let output = crate::spindle()
        .args(["run", "get_retrieve_the_org_details", "--input", "{}"])
        .env("OKTA_CLIENT_ORGURL", org.emulator.url())
        .env("OKTA_CLIENT_AUTHORIZATIONMODE", "PrivateKey")
        .env("OKTA_CLIENT_CLIENTID", &client)
        .env("OKTA_CLIENT_SCOPES", scope)
        .env("OKTA_CLIENT_PRIVATEKEY", TEST_KEY_PEM)
        .env("OKTA_CLIENT_KEYID", "k1")
        .env_remove("OKTA_CLIENT_TOKEN")
        .output()
        .expect("spindle runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let details: Value = serde_json::from_str(&stdout).expect("JSON output");
    assert_eq!(details["name"], "Spindle Emulator", "{details}");
    assert_eq!(details["url"], org.emulator.url(), "{details}");
}

#[test]
fn reset_password_with_the_recovery_answer() {
    let org = Org::start(0, 0);
    let id = new_user(&org, "lise@example.com");
    org.ok(
        "post_change_recovery_question",
        json!({"userId": id, "body": {"password": {"value": "tlpWENT2m-correct-horse"},
            "recovery_question": {"question": "First lab?", "answer": "Berlin"}}}),
    );
    let wrong = org.run_with(
        "post_reset_password_with_recovery_question",
        &json!({"userId": id, "body": {"password": {"value": "Xq7-new-horse-battery"},
            "recovery_question": {"answer": "Paris"}}}),
        &[],
    );
    assert_eq!(wrong.code, 3, "a wrong answer is refused: {}", wrong.stdout);
    let reset = org.ok(
        "post_reset_password_with_recovery_question",
        json!({"userId": id, "body": {"password": {"value": "Xq7-new-horse-battery"},
            "recovery_question": {"answer": "Berlin"}}}),
    );
    assert!(reset["password"].is_object(), "{reset}");
    assert_eq!(
        reset["recovery_question"]["question"], "First lab?",
        "{reset}"
    );
}
