//! One page at a time: the page-level lists of group rules, consent grants and refresh tokens
//! against the in-process emulator. A short page ends with a cursor the next call continues
//! from, and the filters and expansions of the query reach Okta as given (nothing added).

use serde_json::{Value, json};
use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};
use spindle_okta::grants::{ListClientGrants, ListGrants};
use spindle_okta::group_rules::ListGroupRules;
use spindle_okta::models::*;
use spindle_okta::tokens::ListRefreshTokens;
use spindle_okta::users::CreateUser;
use spindle_okta::{Client, Config};

async fn start() -> (Emulator, Client) {
    let emu = Emulator::start(EmulatorConfig {
        users: 0,
        groups: 0,
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = Client::new(Config::with_api_token(&emu.url(), emu.token()).unwrap()).unwrap();
    (emu, client)
}

/// A call to the emulator's admin API with the SSWS token; returns the JSON answer.
async fn admin(emu: &Emulator, method: reqwest::Method, path: &str, body: Value) -> Value {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", emu.url()))
        .header("authorization", format!("SSWS {}", emu.token()));
    if !body.is_null() {
        request = request.json(&body);
    }
    let resp = request.send().await.unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap()
}

/// The query string of the last request the emulator received on `path`.
async fn last_query(emu: &Emulator, path: &str) -> Option<String> {
    let log = admin(
        emu,
        reqwest::Method::GET,
        "/__emulator/requests?limit=1000",
        Value::Null,
    )
    .await;
    let entry = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|r| r["path"] == path)
        .cloned()
        .unwrap_or_else(|| panic!("no request on {path}"));
    entry["query"].as_str().map(str::to_owned)
}

async fn user(c: &Client) -> String {
    let body = CreateUserBody {
        profile: UserProfile::new()
            .with("login", "ada@example.com")
            .with("email", "ada@example.com")
            .with("firstName", "Ada")
            .with("lastName", "Lovelace"),
        ..Default::default()
    };
    let u = c.users().create(CreateUser::new(body)).await.unwrap();
    u.id.unwrap().0
}

/// An OIDC web app that the user's grants and refresh tokens belong to.
async fn web_app(emu: &Emulator) -> String {
    let app = admin(
        emu,
        reqwest::Method::POST,
        "/api/v1/apps",
        json!({
            "name": "oidc_client", "label": "Portal", "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {"oauthClient": {
                "application_type": "web", "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"], "redirect_uris": ["https://portal.example.com/cb"]
            }}
        }),
    )
    .await;
    app["id"].as_str().unwrap().to_owned()
}

fn rule_names(rules: &[GroupRule]) -> Vec<&str> {
    rules.iter().filter_map(|r| r.name.as_deref()).collect()
}

#[tokio::test]
async fn group_rules_page_continues_from_its_cursor_with_search_and_expand() {
    let (emu, c) = start().await;
    let group = c
        .groups()
        .create(&GroupBody::new("Sellers", None))
        .await
        .unwrap();
    let gid = group.id.unwrap().0;
    for name in ["Sales EMEA", "Engineering", "Sales APAC"] {
        let rule = GroupRule::new(name, "user.department==\"Sales\"", vec![gid.clone()]);
        c.group_rules().create(&rule).await.unwrap();
    }

    let first = c
        .group_rules()
        .list_page(ListGroupRules::new().search("sales").limit(1))
        .await
        .unwrap();
    assert_eq!(rule_names(&first.items), ["Sales EMEA"]);
    let cursor = first.next_after().expect("a cursor after a full page");
    let rest = c
        .group_rules()
        .list_page(ListGroupRules::new().search("sales").after(cursor))
        .await
        .unwrap();
    assert_eq!(rule_names(&rest.items), ["Sales APAC"]);
    assert!(!rest.has_next());

    let all = c
        .group_rules()
        .list_page(ListGroupRules::new().expand("groupIdToGroupNameMap"))
        .await
        .unwrap();
    assert_eq!(all.items.len(), 3);
    for rule in &all.items {
        let names = rule.embedded.as_ref().map(|e| &e["groupIdToGroupNameMap"]);
        assert_eq!(names, Some(&json!({ gid.as_str(): "Sellers" })));
    }
    // Without a `limit` the query has none, so Okta's default page size applies.
    assert_eq!(
        last_query(&emu, "/api/v1/groups/rules").await.as_deref(),
        Some("expand=groupIdToGroupNameMap")
    );
}

#[tokio::test]
async fn grant_pages_continue_from_their_cursor_with_scope_filter_and_expand() {
    let (emu, c) = start().await;
    let uid = user(&c).await;
    let app = web_app(&emu).await;
    admin(
        &emu,
        reqwest::Method::POST,
        &format!("/__emulator/users/{uid}/grants"),
        json!({"clientId": app, "scopes": ["openid", "profile", "email"]}),
    )
    .await;

    let first = c
        .grants()
        .list_page(uid.as_str(), ListGrants::new().limit(1))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 1);
    assert_eq!(first.items[0].scope_id.as_deref(), Some("openid"));
    let cursor = first.next_after().expect("a cursor after a full page");
    let rest = c
        .grants()
        .list_page(uid.as_str(), ListGrants::new().after(cursor))
        .await
        .unwrap();
    let scopes: Vec<_> = rest
        .items
        .iter()
        .filter_map(|g| g.scope_id.as_deref())
        .collect();
    assert_eq!(scopes, ["profile", "email"]);
    assert!(!rest.has_next());

    let profile = c
        .grants()
        .list_page(
            uid.as_str(),
            ListGrants::new().scope_id("profile").expand("scope"),
        )
        .await
        .unwrap();
    assert_eq!(profile.items.len(), 1);
    assert_eq!(profile.items[0].scope_id.as_deref(), Some("profile"));
    let embedded = profile.items[0]
        .embedded
        .as_ref()
        .map(|e| &e["scope"]["id"]);
    assert_eq!(embedded, Some(&json!("profile")));
    assert_eq!(
        last_query(&emu, &format!("/api/v1/users/{uid}/grants"))
            .await
            .as_deref(),
        Some("scopeId=profile&expand=scope")
    );

    let path = format!("/api/v1/users/{uid}/clients/{app}/grants");
    let first = c
        .grants()
        .list_for_client_page(uid.as_str(), app.as_str(), ListClientGrants::new().limit(2))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 2);
    assert_eq!(last_query(&emu, &path).await.as_deref(), Some("limit=2"));
    let cursor = first.next_after().expect("a cursor after a full page");
    let rest = c
        .grants()
        .list_for_client_page(
            uid.as_str(),
            app.as_str(),
            ListClientGrants::new().expand("scope").after(cursor),
        )
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].scope_id.as_deref(), Some("email"));
    assert!(rest.items[0].embedded.is_some());
    assert!(!rest.has_next());
}

#[tokio::test]
async fn refresh_token_page_continues_from_its_cursor_with_expand() {
    let (emu, c) = start().await;
    let uid = user(&c).await;
    let app = web_app(&emu).await;
    let mut minted = Vec::new();
    for _ in 0..2 {
        let t = admin(
            &emu,
            reqwest::Method::POST,
            &format!("/__emulator/users/{uid}/tokens"),
            json!({"clientId": app, "scopes": ["openid", "offline_access"]}),
        )
        .await;
        minted.push(t["refreshTokenId"].as_str().unwrap().to_owned());
    }

    let first = c
        .tokens()
        .list_page(
            uid.as_str(),
            app.as_str(),
            ListRefreshTokens::new().limit(1),
        )
        .await
        .unwrap();
    let ids = |page: &spindle_okta::Page<RefreshToken>| -> Vec<String> {
        page.items
            .iter()
            .filter_map(|t| t.id.as_ref().map(|i| i.0.clone()))
            .collect()
    };
    assert_eq!(ids(&first), minted[..1]);
    let cursor = first.next_after().expect("a cursor after a full page");
    let rest = c
        .tokens()
        .list_page(
            uid.as_str(),
            app.as_str(),
            ListRefreshTokens::new().expand("scope").after(cursor),
        )
        .await
        .unwrap();
    assert_eq!(ids(&rest), minted[1..]);
    assert!(!rest.has_next());
    let scopes = rest.items[0]
        .embedded
        .as_ref()
        .map(|e| e["scopes"].as_array().unwrap().len());
    assert_eq!(scopes, Some(2));
}
