//! `execute` against the emulator (a dev-dependency only): outputs built from Okta's answers,
//! errors classified for the CLI's exit codes, and `pages` following a list to its end.

use serde_json::{Value, json};
use spindle_actions::{Clients, ExecuteError, execute, validate_input};
use spindle_emulator::{Emulator, EmulatorConfig};

async fn org() -> (Emulator, spindle_okta::Client) {
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("the emulator starts");
    let config =
        spindle_okta::Config::with_api_token(&emulator.url(), emulator.token()).expect("a config");
    let client = spindle_okta::Client::new(config).expect("a client");
    (emulator, client)
}

async fn run(client: &spindle_okta::Client, id: &str, input: Value) -> Result<Value, ExecuteError> {
    let valid = validate_input(id, &input).expect("a valid input");
    execute(&Clients::new(client.clone()), valid).await
}

async fn user(client: &spindle_okta::Client, login: &str) -> String {
    let user = run(
        client,
        "post_create_a_user",
        json!({"body": {"profile": {"firstName": "K", "lastName": "J", "email": login, "login": login},
            "credentials": {"password": {"value": "tlpWENT2m-correct-horse"}}}}),
    )
    .await
    .expect("created");
    user["id"].as_str().expect("an id").to_owned()
}

#[tokio::test]
async fn a_missing_user_is_an_okta_error_with_its_code() {
    let (_emulator, client) = org().await;
    let error = run(&client, "get_retrieve_a_user", json!({"id": "nobody"}))
        .await
        .expect_err("no such user");
    assert!(error.is_okta_error() && !error.is_transport_error());
    let okta = error.okta_error().expect("the Okta error is kept");
    assert_eq!(okta.status(), Some(404));
    assert_eq!(okta.error_code(), Some("E0000007"));
    assert!(okta.request_id().is_some());
}

#[tokio::test]
async fn delete_a_user_reads_the_status_to_tell_deactivation_from_deletion() {
    let (_emulator, client) = org().await;
    let id = user(&client, "katherine@example.com").await;
    let first = run(&client, "delete_a_user", json!({"id": id}))
        .await
        .expect("deactivated");
    assert_eq!(
        first,
        json!({"userId": id, "deleted": false, "status": "DEPROVISIONED"})
    );
    let second = run(&client, "delete_a_user", json!({"id": id}))
        .await
        .expect("deleted");
    assert_eq!(second, json!({"userId": id, "deleted": true}));
}

#[tokio::test]
async fn terminating_concurrently_never_fails() {
    let (_emulator, client) = org().await;
    let id = user(&client, "dorothy@example.com").await;
    let input = json!({"employee_id": id, "mode": "delete"});
    let (a, b) = tokio::join!(
        run(&client, "terminate_employee", input.clone()),
        run(&client, "terminate_employee", input.clone())
    );
    let outcomes = [a, b].map(|r| r.map(|v| v["outcome"].clone()));
    for outcome in &outcomes {
        let outcome = outcome.as_ref().map_err(ToString::to_string);
        assert!(
            matches!(
                outcome.as_ref().map(|v| v.as_str()),
                Ok(Some("deleted" | "not_found" | "already_terminated"))
            ),
            "{outcome:?}"
        );
    }
    let after = run(&client, "terminate_employee", input)
        .await
        .expect("a no-op");
    assert_eq!(after["outcome"], "not_found");
}

#[tokio::test]
async fn aerial_actions_and_unreachable_orgs_are_classified() {
    let (_emulator, client) = org().await;
    let error = run(&client, "get_list_all_orgs", json!({"accountId": "acc1"}))
        .await
        .expect_err("no Aerial host");
    assert!(matches!(error, ExecuteError::Unsupported(_)), "{error}");
    assert!(error.to_string().contains("Aerial"));

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let config = spindle_okta::Config::with_api_token(&format!("http://127.0.0.1:{port}"), "00tok")
        .expect("a config")
        .retry(spindle_okta::RetryPolicy::default().with_max_attempts(1));
    let offline = spindle_okta::Client::new(config).expect("a client");
    let error = run(&offline, "get_retrieve_a_user", json!({"id": "a"}))
        .await
        .expect_err("nothing listens");
    assert!(
        error.is_transport_error() && !error.is_okta_error(),
        "{error}"
    );
}

#[tokio::test]
async fn pages_follow_a_list_to_its_end_and_stop_for_other_actions() {
    use futures::TryStreamExt;
    let (_emulator, client) = org().await;
    let group = run(
        &client,
        "post_create_a_group",
        json!({"body": {"profile": {"name": "Paged"}}}),
    )
    .await
    .expect("a group");
    let group_id = group["id"].as_str().expect("an id").to_owned();
    for login in ["p1@example.com", "p2@example.com", "p3@example.com"] {
        let user_id = user(&client, login).await;
        run(
            &client,
            "put_assign_a_user_to_a_group",
            json!({"groupId": group_id, "userId": user_id}),
        )
        .await
        .expect("a member");
    }
    let clients = Clients::new(client.clone());
    let list = validate_input(
        "get_list_all_member_users",
        &json!({"groupId": group_id, "limit": 2}),
    )
    .expect("a valid input");
    let pages: Vec<Value> = spindle_actions::pages(&clients, list)
        .try_collect()
        .await
        .expect("every page");
    let sizes: Vec<usize> = pages
        .iter()
        .map(|p| p["items"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, [2, 1], "{pages:?}");
    assert!(pages[1].get("next").is_none());

    let one = validate_input("get_retrieve_a_group", &json!({"groupId": group_id})).expect("valid");
    let outputs: Vec<Value> = spindle_actions::pages(&clients, one)
        .try_collect()
        .await
        .expect("the group");
    assert_eq!(outputs.len(), 1);
    assert_eq!(outputs[0]["id"], group_id.as_str());
}
