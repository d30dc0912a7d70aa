//! The Okta request behind every validated input.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use spindle_actions::hris::EmployeeCursor;
use spindle_actions::{catalog, validate_input};

use crate::shared;

#[test]
fn every_example_becomes_a_request_to_the_catalogued_endpoint() {
    let reference: Option<Vec<Value>> =
        shared::read("okta/use-cases.json").map(|t| serde_json::from_str(&t).expect("JSON"));
    for action in catalog::all() {
        let valid = validate_input(action.id, &action.example_input()).expect("example is valid");
        let Some(request) = valid.okta_request() else {
            assert_eq!(
                action.id, "terminate_employee",
                "only termination is multi-step"
            );
            continue;
        };
        assert_eq!(request.method, action.method, "{}", action.id);
        assert_eq!(request.server, action.server, "{}", action.id);
        assert!(
            !request.path.contains('{'),
            "{}: {}",
            action.id,
            request.path
        );
        let template: Vec<&str> = action.path.split('/').collect();
        let actual: Vec<&str> = request.path.split('/').collect();
        assert_eq!(template.len(), actual.len(), "{}", action.id);
        for (t, a) in template.iter().zip(&actual) {
            if !t.starts_with('{') {
                assert_eq!(t, a, "{}", action.id);
            }
        }
        let Some(reference) = &reference else {
            continue;
        };
        let case = reference
            .iter()
            .find(|c| c["id"] == action.id)
            .expect("in reference");
        let okta_query: BTreeSet<&str> = case["query_params"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["name"].as_str())
            .collect();
        for (name, _) in &request.query {
            assert!(
                okta_query.contains(name.as_str()),
                "{}: {name} is not an Okta query parameter",
                action.id
            );
        }
        assert_eq!(
            request.body.is_some(),
            !case["request_body"].is_null(),
            "{}: body",
            action.id
        );
    }
}

#[test]
fn path_parameters_are_percent_encoded_and_the_rest_is_query_or_body() {
    let valid = validate_input(
        "delete_a_user",
        &json!({"id": "ann/o'neil@example.com", "sendEmail": true}),
    )
    .unwrap();
    let request = valid.okta_request().unwrap();
    assert_eq!(request.path, "/api/v1/users/ann%2Fo%27neil%40example.com");
    assert_eq!(request.query, [("sendEmail".to_owned(), "true".to_owned())]);
    assert_eq!(request.body, None);

    let valid = validate_input(
        "put_replace_a_group",
        &json!({"groupId": "00g1", "body": {"profile": {"name": "Sales"}}}),
    )
    .unwrap();
    let request = valid.okta_request().unwrap();
    assert_eq!(request.path, "/api/v1/groups/00g1");
    assert!(request.query.is_empty());
    assert_eq!(request.body, Some(json!({"profile": {"name": "Sales"}})));
}

#[test]
fn employees_are_listed_with_a_search_that_includes_terminated_users() {
    let cursor = EmployeeCursor {
        after: "00u3p62n11UKppeh31d7".into(),
    }
    .encode();
    let valid = validate_input(
        "list_all_employees",
        &json!({"cursor": cursor, "department": "Sales", "status": ["terminated"]}),
    )
    .unwrap();
    let request = valid.okta_request().unwrap();
    assert_eq!(request.path, "/api/v1/users");
    assert_eq!(
        request.query,
        [
            (
                "search".to_owned(),
                r#"status eq "DEPROVISIONED" and profile.department eq "Sales""#.to_owned()
            ),
            ("limit".to_owned(), "200".to_owned()),
            ("after".to_owned(), "00u3p62n11UKppeh31d7".to_owned()),
        ]
    );
}

#[test]
fn request_debug_output_never_shows_the_body() {
    let input = json!({"userId": "u", "body": {"oldPassword": {"value": "hunter2-old"}, "newPassword": {"value": "hunter2-new"}}});
    let request = validate_input("post_change_password", &input)
        .unwrap()
        .okta_request()
        .unwrap();
    assert_eq!(
        request.body.as_ref().unwrap()["newPassword"]["value"],
        "hunter2-new"
    );
    let debug = format!("{request:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(
        debug.contains("/api/v1/users/u/credentials/change_password"),
        "{debug}"
    );
}
