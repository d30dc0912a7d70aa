//! What actions output for Okta's answers: always an object matching the output schema.

use serde_json::{Value, json};
use spindle_actions::catalog;
use spindle_actions::hris::EmployeeCursor;
use spindle_actions::response::{OktaResponse, OutputError};
use spindle_actions::validate_input;

fn output(id: &str, input: Value, response: OktaResponse) -> Result<Value, OutputError> {
    validate_input(id, &input)
        .expect("valid input")
        .output(response)
}

#[test]
fn every_action_outputs_an_object_that_matches_its_output_schema() {
    for action in catalog::all() {
        if action.id == "terminate_employee" {
            continue;
        }
        let schema = action.output_schema();
        let is_page = schema["properties"].get("items").is_some();
        let is_okta_object = schema["additionalProperties"] == true;
        let body = match (is_page, is_okta_object) {
            (true, _) if action.id == "list_all_employees" => {
                json!([{"id": "00u1", "status": "ACTIVE", "profile": {"email": "a@example.com"}}])
            }
            (true, _) => json!([{"id": "x1"}, {"id": "x2"}]),
            (false, true) => json!({"id": "x1", "somethingNew": {"a": 1}}),
            // Okta answers these without a body.
            (false, false) => Value::Null,
        };
        let response = OktaResponse {
            body: body.clone(),
            next: Some("x2".into()),
            status_before: None,
        };
        let out = output(action.id, action.example_input(), response)
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
            assert_eq!(out, body, "{}: Okta objects are output as sent", action.id);
        }
    }
}

#[test]
fn bodyless_calls_state_what_happened() {
    let deleted = output(
        "delete_a_group",
        json!({"groupId": "00g1"}),
        OktaResponse::default(),
    )
    .unwrap();
    assert_eq!(deleted, json!({"deleted": true, "groupId": "00g1"}));

    let first = output(
        "delete_a_user",
        json!({"id": "00u1"}),
        OktaResponse {
            status_before: Some("ACTIVE".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        first,
        json!({"userId": "00u1", "deleted": false, "status": "DEPROVISIONED"})
    );
    let second = output(
        "delete_a_user",
        json!({"id": "00u1"}),
        OktaResponse {
            status_before: Some("DEPROVISIONED".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(second, json!({"userId": "00u1", "deleted": true}));

    let rule = output(
        "delete_group_rule",
        json!({"groupRuleId": "0pr1", "removeUsers": true}),
        OktaResponse {
            body: json!({}),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        rule,
        json!({"deleted": true, "groupRuleId": "0pr1", "usersRemoved": true})
    );

    let sessions = output(
        "delete_revoke_all_user_sessions",
        json!({"userId": "00u1", "oauthTokens": true}),
        OktaResponse::default(),
    )
    .unwrap();
    assert_eq!(
        sessions,
        json!({"revoked": true, "what": "sessions", "userId": "00u1", "oauthTokens": true})
    );
}

#[test]
fn activation_and_reset_say_whether_an_email_went_out() {
    let link = OktaResponse {
        body: json!({"activationUrl": "https://example.okta.com/welcome/XE6wE17zmphl3KqAPFxO", "activationToken": "XE6wE17zmphl3KqAPFxO"}),
        ..Default::default()
    };
    let out = output(
        "post_activate_user",
        json!({"id": "00u1", "sendEmail": false}),
        link,
    )
    .unwrap();
    assert_eq!(out["emailSent"], false);
    assert_eq!(out["activationToken"], "XE6wE17zmphl3KqAPFxO");
    let emailed = output(
        "post_activate_user",
        json!({"id": "00u1"}),
        OktaResponse {
            body: json!({}),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(emailed, json!({"userId": "00u1", "emailSent": true}));
    let reset = output(
        "post_generate_reset_password_token",
        json!({"id": "00u1", "sendEmail": false}),
        OktaResponse {
            body: json!({"resetPasswordUrl": "https://example.okta.com/reset_password/abc"}),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        reset["resetPasswordUrl"],
        "https://example.okta.com/reset_password/abc"
    );
    assert_eq!(reset["emailSent"], false);
}

#[test]
fn employees_come_back_mapped_with_an_opaque_cursor() {
    let response = OktaResponse {
        body: json!([{"id": "00u1", "status": "DEPROVISIONED", "statusChanged": "2026-06-30T17:00:00.000Z", "profile": {"department": "Sales"}}]),
        next: Some("00u1".into()),
        status_before: None,
    };
    let out = output("list_all_employees", json!({}), response).unwrap();
    assert_eq!(out["items"][0]["employment_status"], "terminated");
    assert_eq!(
        out["items"][0]["termination_date"],
        "2026-06-30T17:00:00.000Z"
    );
    let next = out["next"].as_str().unwrap();
    assert_eq!(EmployeeCursor::decode(next).unwrap().after, "00u1");
    // The cursor is accepted as the next page's input.
    validate_input("list_all_employees", &json!({"cursor": next})).expect("cursor accepted");
}

#[test]
fn malformed_okta_answers_are_errors_not_panics() {
    let bad_user = OktaResponse {
        body: json!({"id": 5}),
        ..Default::default()
    };
    assert!(matches!(
        output("get_retrieve_a_user", json!({"id": "00u1"}), bad_user),
        Err(OutputError::Shape(_))
    ));
    let nothing = OktaResponse::default();
    assert!(matches!(
        output("get_retrieve_a_group", json!({"groupId": "00g1"}), nothing),
        Err(OutputError::Shape(_))
    ));
    let not_users = OktaResponse {
        body: json!([{"name": "no id"}]),
        ..Default::default()
    };
    assert!(matches!(
        output("list_all_employees", json!({}), not_users),
        Err(OutputError::Shape(_))
    ));
    let terminate = validate_input("terminate_employee", &json!({"employee_id": "00u1"})).unwrap();
    assert!(matches!(
        terminate.output(OktaResponse::default()),
        Err(OutputError::MultiStep(_))
    ));
}
