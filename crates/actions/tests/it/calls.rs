//! Spec and code cannot drift: every action's example runs against the emulator, and the Okta
//! call its [`Spec`](spindle_actions::Spec) names (method and path template, with the input's path
//! parameters in place) is one of the requests the emulator received. Whatever Okta answers (an
//! example's ids do not exist, so mostly 404), the request log shows what the client sent.

use std::collections::BTreeSet;

use percent_encoding::percent_decode_str;
use serde_json::{Value, json};
use spindle_actions::{Clients, Server, catalog, execute, validate_input};
use spindle_emulator::{Emulator, EmulatorConfig};

use crate::shared;

/// One request from the emulator's log.
#[derive(Debug)]
struct Logged {
    method: String,
    path: String,
    query: Vec<(String, String)>,
}

async fn admin(emulator: &Emulator, method: reqwest::Method, path: &str) -> Value {
    reqwest::Client::new()
        .request(method, format!("{}/__emulator/{path}", emulator.url()))
        .send()
        .await
        .expect("the admin API answers")
        .json()
        .await
        .unwrap_or(Value::Null)
}

async fn logged(emulator: &Emulator) -> Vec<Logged> {
    let log = admin(emulator, reqwest::Method::GET, "requests?limit=1000").await;
    log["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let path = r["path"].as_str()?;
            let query = url::form_urlencoded::parse(r["query"].as_str().unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            Some(Logged {
                method: r["method"].as_str()?.to_owned(),
                path: path.to_owned(),
                query,
            })
        })
        .filter(|r| !r.path.starts_with("/__emulator"))
        .collect()
}

/// Whether `path` is the template `template` with the input's path parameters in place.
fn matches_template(template: &str, path: &str, input: &Value) -> bool {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| {
            let decoded = percent_decode_str(p).decode_utf8_lossy();
            match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                // The HRIS actions name the user `employee_id`, not Okta's parameter.
                Some(param) => match input.get(param).or_else(|| input.get("employee_id")) {
                    Some(Value::String(value)) => decoded == value.as_str(),
                    _ => !decoded.is_empty(),
                },
                None => *t == decoded,
            }
        })
}

#[tokio::test]
async fn every_action_sends_the_okta_call_its_spec_names() {
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("the emulator starts");
    let org = spindle_okta::Client::new(
        spindle_okta::Config::with_api_token(&emulator.url(), emulator.token()).expect("a config"),
    )
    .expect("a client");
    // The emulator serves Aerial under `/aerial`; the token is refused, which is enough here.
    let aerial = spindle_okta::Client::new(
        spindle_okta::Config::new(
            &format!("{}/aerial", emulator.url()),
            spindle_okta::Credentials::AccessToken("aerial-token".to_owned().into()),
        )
        .expect("a config"),
    )
    .expect("a client");
    let clients = Clients::new(org.clone()).aerial(aerial);
    let reference: Option<Vec<Value>> =
        shared::read("okta/use-cases.json").map(|t| serde_json::from_str(&t).expect("JSON"));

    for action in catalog::all() {
        let mut input = action.example_input();
        if action.id == "terminate_employee" {
            // Only a termination that deletes an existing user reaches the spec's call.
            let login = "terminated@example.com";
            let profile = spindle_okta::models::UserProfile::new()
                .with("login", login)
                .with("email", login)
                .with("firstName", "Terry")
                .with("lastName", "Minated");
            let body = spindle_okta::models::CreateUserBody {
                profile,
                ..Default::default()
            };
            let user = org
                .users()
                .create(spindle_okta::users::CreateUser::new(body))
                .await
                .expect("a user to terminate");
            let id = user.id.expect("an id").to_string();
            input = json!({"employee_id": id, "mode": "delete"});
        }
        admin(&emulator, reqwest::Method::DELETE, "requests").await;
        let valid = validate_input(action.id, &input).expect("the example is valid");
        // Okta's answer does not matter here, only what was sent.
        let _ = execute(&clients, valid).await;
        let sent = logged(&emulator).await;
        let template = match action.server {
            Server::Aerial => format!("/aerial{}", action.path),
            Server::Management | Server::MyAccount => action.path.to_owned(),
        };
        let call = sent
            .iter()
            .find(|r| {
                r.method == action.method.as_str() && matches_template(&template, &r.path, &input)
            })
            .unwrap_or_else(|| {
                panic!(
                    "{}: its spec names {} {template}, but the client sent {sent:?}",
                    action.id, action.method
                )
            });
        let Some(reference) = &reference else {
            continue;
        };
        let case = reference
            .iter()
            .find(|c| c["id"] == action.id)
            .expect("in the reference");
        let documented: BTreeSet<&str> = case["query_params"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["name"].as_str())
            .collect();
        for (name, _) in &call.query {
            assert!(
                documented.contains(name.as_str()),
                "{}: `{name}` is not one of Okta's query parameters for {} {} ({documented:?})",
                action.id,
                action.method,
                action.path
            );
        }
    }
}

#[test]
fn templates_match_only_their_own_paths() {
    let input = json!({"groupId": "00g1", "userId": "ann@example.com"});
    let template = "/api/v1/groups/{groupId}/users/{userId}";
    assert!(matches_template(
        template,
        "/api/v1/groups/00g1/users/ann%40example.com",
        &input
    ));
    assert!(matches_template(
        template,
        "/api/v1/groups/00g1/users/ann@example.com",
        &input
    ));
    assert!(!matches_template(
        template,
        "/api/v1/groups/00g2/users/ann@example.com",
        &input
    ));
    assert!(!matches_template(
        template,
        "/api/v1/groups/00g1/users",
        &input
    ));
    assert!(!matches_template(
        template,
        "/api/v1/groups/00g1/apps/ann@example.com",
        &input
    ));
}
