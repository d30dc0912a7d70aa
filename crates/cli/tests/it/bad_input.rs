//! Every action refuses a bad input before anything reaches Okta: a missing required field, a
//! field of the wrong type and an unknown field each exit 2 with a message naming the field, and
//! the emulator's request log stays empty.

use serde_json::{Map, Value, json};
use spindle_actions::catalog;

use crate::run::Org;

/// A value of another JSON type than `value` (or than the schema's `type`).
fn wrong_value(value: Option<&Value>, schema: &Value) -> Value {
    let kind = match value {
        Some(Value::String(_)) => "string",
        Some(Value::Number(_)) => "number",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
        _ => schema["type"].as_str().unwrap_or("string"),
    };
    match kind {
        "string" => json!([12345]),
        "array" | "boolean" | "number" | "integer" => json!({"not": "this type"}),
        _ => json!(["not", "an", "object"]),
    }
}

#[test]
fn every_action_refuses_bad_input_before_any_request() {
    let org = Org::start(0, 0);
    let mut checked = 0;
    for action in catalog::all() {
        let example = action.example_input();
        let schema = action.input_schema();
        let example = example.as_object().cloned().unwrap_or_default();
        let properties = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let required: Vec<String> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_owned))
            .collect();

        let mut cases: Vec<(String, String, Map<String, Value>)> = Vec::new();
        if let Some(field) = required.first() {
            let mut input = example.clone();
            input.remove(field);
            cases.push(("missing required".into(), field.clone(), input));
        }
        // The wrong type goes into a field of the example, else into any declared field.
        let typed_field = example
            .keys()
            .next()
            .or_else(|| properties.keys().next())
            .cloned();
        if let Some(field) = typed_field {
            let mut input = example.clone();
            let value = wrong_value(example.get(&field), &properties[&field]);
            input.insert(field.clone(), value);
            cases.push(("wrong type".into(), field, input));
        }
        let mut input = example.clone();
        input.insert("notAFieldOfThisAction".into(), json!(1));
        cases.push((
            "unknown field".into(),
            "notAFieldOfThisAction".into(),
            input,
        ));

        for (case, field, input) in cases {
            let outcome = org.run_with(action.id, &Value::Object(input.clone()), &[]);
            assert_eq!(
                outcome.code,
                2,
                "{} ({case} `{field}`, input {}) should exit 2: {}{}",
                action.id,
                Value::Object(input),
                outcome.stderr,
                outcome.stdout
            );
            assert!(
                outcome.stderr.contains(&field),
                "{} ({case}): the message should name `{field}`: {}",
                action.id,
                outcome.stderr
            );
            assert!(
                outcome.stdout.is_empty(),
                "{}: {}",
                action.id,
                outcome.stdout
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 2 * catalog::all().len(),
        "only {checked} cases ran"
    );
    let log = org.admin(reqwest::Method::GET, "requests?limit=1000", None);
    let reached: Vec<&Value> = log["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            !r["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/__emulator"))
        })
        .collect();
    assert!(
        log["requests"].is_array() && reached.is_empty(),
        "bad inputs reached the emulator: {log}"
    );
    // The log does record what reaches the emulator: one good request shows up in it.
    org.run_with(
        "get_retrieve_a_user",
        &json!({"id": "nobody@example.com"}),
        &[],
    );
    let log = org.admin(reqwest::Method::GET, "requests?limit=1000", None);
    assert!(
        log["requests"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/api/v1/users/"))),
        "the request log missed a good request: {log}"
    );
}

#[test]
fn a_body_field_at_the_top_level_and_a_misspelled_profile_key_get_hints() {
    let assert = crate::spindle()
        .args([
            "run",
            "post_create_a_group",
            "--input",
            r#"{"profile": {"name": "Sales"}}"#,
            "--org-url",
            "http://127.0.0.1:1",
            "--token",
            "00unused",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains(r#"did you mean {"body": {"profile": …}}?"#),
        "{stderr}"
    );
    let assert = crate::spindle()
        .args([
            "actions",
            "validate",
            "post_create_a_group",
            "--input",
            r#"{"body": {"profile": {"nmae": "Sales"}}}"#,
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("did you mean `name` instead of `nmae`?"),
        "{stderr}"
    );
}

#[test]
fn all_on_an_action_without_pages_is_an_error_that_says_so() {
    let assert = crate::spindle()
        .args([
            "run",
            "delete_a_group",
            "--input",
            r#"{"groupId": "00g1"}"#,
            "--all",
            "--org-url",
            "http://127.0.0.1:1",
            "--token",
            "00unused",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("it has no pages"), "{stderr}");
}
