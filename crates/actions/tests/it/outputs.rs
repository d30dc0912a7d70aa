//! What actions output for Okta's answers: always an object matching the output schema, Okta's
//! objects with every field they had, and errors (never panics) for answers of the wrong shape.
//! Okta is played by wiremock here, so that any answer can be given to any action.

use serde_json::{Value, json};
use spindle_actions::hris::EmployeeCursor;
use spindle_actions::{Clients, ExecuteError, catalog, execute, validate_input};
use wiremock::matchers::{any, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Runs action `id` with `input` against a server answering every request with `answer`.
async fn run_with(id: &str, input: Value, answer: ResponseTemplate) -> Result<Value, ExecuteError> {
    let okta = MockServer::start().await;
    Mock::given(any()).respond_with(answer).mount(&okta).await;
    let config = spindle_okta::Config::with_api_token(&okta.uri(), "00token")
        .expect("a config")
        .retry(spindle_okta::RetryPolicy::default().with_max_attempts(1));
    let client = spindle_okta::Client::new(config).expect("a client");
    let clients = Clients::new(client.clone()).aerial(client);
    execute(&clients, validate_input(id, &input).expect("a valid input")).await
}

/// Whether `output` holds everything Okta `sent`, with the same values (a model may add the
/// fields it always writes, such as an empty `profile`).
fn keeps(output: &Value, sent: &Value) -> bool {
    match (output, sent) {
        (Value::Object(out), Value::Object(sent)) => sent
            .iter()
            .all(|(k, v)| out.get(k).is_some_and(|o| keeps(o, v))),
        (Value::Array(out), Value::Array(sent)) => {
            out.len() == sent.len() && out.iter().zip(sent).all(|(o, s)| keeps(o, s))
        }
        (out, sent) => out == sent,
    }
}

fn json_answer(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// A list page with a `next` link holding the cursor `x2`.
fn page_answer(okta: &str, body: Value) -> ResponseTemplate {
    json_answer(body).insert_header(
        "link",
        format!("<{okta}/api/v1/next?after=x2&limit=2>; rel=\"next\""),
    )
}

#[tokio::test]
async fn every_action_outputs_an_object_that_matches_its_output_schema() {
    for action in catalog::all() {
        if action.id == "terminate_employee" {
            continue;
        }
        let schema = action.output_schema();
        let is_page = schema["properties"].get("items").is_some();
        let is_okta_object = schema["additionalProperties"] == true;
        // Lists that take a cursor hand Okta's on; the others are not paged by Okta.
        let takes_cursor = action.input_schema()["properties"]
            .as_object()
            .is_some_and(|p| p.contains_key("after") || p.contains_key("cursor"));
        let okta = MockServer::start().await;
        let (answer, body) = match (is_page, is_okta_object) {
            (true, _) if action.id == "list_all_employees" => {
                let body = json!([{"id": "00u1", "status": "ACTIVE", "profile": {"email": "a@example.com"}}]);
                (page_answer(&okta.uri(), body.clone()), body)
            }
            (true, _) if takes_cursor => {
                let body = json!([{"id": "x1"}, {"id": "x2"}]);
                (page_answer(&okta.uri(), body.clone()), body)
            }
            (true, _) => {
                let body = json!([{"id": "x1"}, {"id": "x2"}]);
                (json_answer(body.clone()), body)
            }
            (false, true) => {
                let body = json!({"id": "x1", "somethingNew": {"a": 1}});
                (json_answer(body.clone()), body)
            }
            // Okta answers these without a body (DELETE: 204) or with an empty object
            // (lifecycle POSTs: 200 `{}`); a read made first (the user's status before deleting
            // it) finds an active user.
            (false, false) => {
                Mock::given(method("GET"))
                    .respond_with(json_answer(json!({"id": "x1", "status": "ACTIVE"})))
                    .mount(&okta)
                    .await;
                Mock::given(method("DELETE"))
                    .respond_with(ResponseTemplate::new(204))
                    .mount(&okta)
                    .await;
                (json_answer(json!({})), Value::Null)
            }
        };
        Mock::given(any()).respond_with(answer).mount(&okta).await;
        let config =
            spindle_okta::Config::with_api_token(&okta.uri(), "00token").expect("a config");
        let client = spindle_okta::Client::new(config).expect("a client");
        let clients = Clients::new(client.clone()).aerial(client);
        let valid = validate_input(action.id, &action.example_input()).expect("a valid example");
        let out = execute(&clients, valid)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", action.id));
        assert!(out.is_object(), "{}: {out}", action.id);
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("schema compiles");
        let errors: Vec<String> = validator.iter_errors(&out).map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "{}: {out} does not match its schema: {errors:?}",
            action.id
        );
        if is_okta_object && !is_page {
            assert!(
                keeps(&out, &body),
                "{}: {out} lost some of {body}",
                action.id
            );
        }
        if is_page && action.id != "list_all_employees" {
            let items = &out["items"];
            assert!(
                keeps(items, &body),
                "{}: {out} lost some of {body}",
                action.id
            );
            let expected = if takes_cursor {
                json!("x2")
            } else {
                Value::Null
            };
            assert_eq!(
                out["next"], expected,
                "{}: the next page's cursor",
                action.id
            );
        }
    }
}

#[tokio::test]
async fn bodyless_calls_state_what_happened() {
    let deleted = run_with(
        "delete_a_group",
        json!({"groupId": "00g1"}),
        ResponseTemplate::new(204),
    )
    .await
    .unwrap();
    assert_eq!(deleted, json!({"deleted": true, "groupId": "00g1"}));

    let rule = run_with(
        "delete_group_rule",
        json!({"groupRuleId": "0pr1", "removeUsers": true}),
        ResponseTemplate::new(202),
    )
    .await
    .unwrap();
    assert_eq!(
        rule,
        json!({"deleted": true, "groupRuleId": "0pr1", "usersRemoved": true})
    );

    let sessions = run_with(
        "delete_revoke_all_user_sessions",
        json!({"userId": "00u1", "oauthTokens": true}),
        ResponseTemplate::new(204),
    )
    .await
    .unwrap();
    assert_eq!(
        sessions,
        json!({"revoked": true, "what": "sessions", "userId": "00u1", "oauthTokens": true})
    );
}

#[tokio::test]
async fn activation_and_reset_say_whether_an_email_went_out() {
    let link = json_answer(
        json!({"activationUrl": "https://example.okta.com/welcome/XE6wE17zmphl3KqAPFxO", "activationToken": "XE6wE17zmphl3KqAPFxO"}),
    );
    let out = run_with(
        "post_activate_user",
        json!({"id": "00u1", "sendEmail": false}),
        link,
    )
    .await
    .unwrap();
    assert_eq!(out["emailSent"], false);
    assert_eq!(out["activationToken"], "XE6wE17zmphl3KqAPFxO");
    let emailed = run_with(
        "post_activate_user",
        json!({"id": "00u1"}),
        json_answer(json!({})),
    )
    .await
    .unwrap();
    assert_eq!(emailed, json!({"userId": "00u1", "emailSent": true}));
    let reset = run_with(
        "post_generate_reset_password_token",
        json!({"id": "00u1", "sendEmail": false}),
        json_answer(json!({"resetPasswordUrl": "https://example.okta.com/reset_password/abc"})),
    )
    .await
    .unwrap();
    assert_eq!(
        reset["resetPasswordUrl"],
        "https://example.okta.com/reset_password/abc"
    );
    assert_eq!(reset["emailSent"], false);
}

#[tokio::test]
async fn employees_come_back_mapped_with_an_opaque_cursor() {
    let okta = MockServer::start().await;
    let body = json!([{"id": "00u1", "status": "DEPROVISIONED", "statusChanged": "2026-06-30T17:00:00.000Z", "profile": {"department": "Sales"}}]);
    let out = run_with(
        "list_all_employees",
        json!({}),
        page_answer(&okta.uri(), body),
    )
    .await
    .unwrap();
    assert_eq!(out["items"][0]["employment_status"], "terminated");
    assert_eq!(
        out["items"][0]["termination_date"],
        "2026-06-30T17:00:00.000Z"
    );
    let next = out["next"].as_str().unwrap();
    assert_eq!(EmployeeCursor::decode(next).unwrap().after, "x2");
    // The cursor is accepted as the next page's input.
    validate_input("list_all_employees", &json!({"cursor": next})).expect("cursor accepted");
}

#[tokio::test]
async fn malformed_okta_answers_are_errors_not_panics() {
    let bad_user = run_with(
        "get_retrieve_a_user",
        json!({"id": "00u1"}),
        json_answer(json!({"id": 5})),
    )
    .await;
    assert!(
        matches!(bad_user, Err(ExecuteError::Output(_))),
        "{bad_user:?}"
    );
    let nothing = run_with(
        "get_retrieve_a_group",
        json!({"groupId": "00g1"}),
        ResponseTemplate::new(204),
    )
    .await;
    assert!(
        matches!(nothing, Err(ExecuteError::Output(_))),
        "{nothing:?}"
    );
    let not_users = run_with(
        "list_all_employees",
        json!({}),
        json_answer(json!([{"name": "no id"}])),
    )
    .await;
    assert!(
        matches!(not_users, Err(ExecuteError::Output(_))),
        "{not_users:?}"
    );
    let not_a_list = run_with(
        "get_list_all_users",
        json!({}),
        json_answer(json!({"id": "x"})),
    )
    .await;
    assert!(
        matches!(not_a_list, Err(ExecuteError::Output(_))),
        "{not_a_list:?}"
    );
}

#[tokio::test]
async fn pages_stop_with_an_error_when_okta_repeats_a_cursor() {
    use futures::StreamExt;
    let okta = MockServer::start().await;
    let answer = page_answer(&okta.uri(), json!([{"id": "x1"}]));
    Mock::given(any()).respond_with(answer).mount(&okta).await;
    let config = spindle_okta::Config::with_api_token(&okta.uri(), "00token").expect("a config");
    let clients = Clients::new(spindle_okta::Client::new(config).expect("a client"));
    let input = validate_input("get_list_all_users", &json!({"limit": 1})).expect("valid");
    let outputs: Vec<_> = spindle_actions::pages(&clients, input).collect().await;
    // The first page hands out `x2`; the page at `x2` hands it out again: an error, and the end.
    assert_eq!(outputs.len(), 2, "{outputs:?}");
    assert!(outputs[0].is_ok());
    let error = outputs[1].as_ref().expect_err("a loop");
    assert!(error.to_string().contains("already followed"), "{error}");
}
