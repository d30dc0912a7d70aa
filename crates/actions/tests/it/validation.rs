//! Input validation, for every action: examples pass, bad inputs are refused with messages that
//! name the field and what was expected.

use serde_json::{Value, json};
use spindle_actions::{InputError, catalog, validate_input};

fn problems(id: &str, input: &Value) -> Vec<String> {
    match validate_input(id, input) {
        Ok(_) => panic!("{id}: {input} was accepted"),
        Err(err) => err.problems().iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn every_example_validates_and_round_trips() {
    for action in catalog::all() {
        let example = action.example_input();
        let valid = validate_input(action.id, &example)
            .unwrap_or_else(|e| panic!("{}: example refused: {e}", action.id));
        assert_eq!(valid.action_id(), action.id);
        // The typed input, defaults filled in, is itself a valid input.
        validate_input(action.id, &valid.to_json())
            .unwrap_or_else(|e| panic!("{}: typed input refused: {e}", action.id));
    }
}

#[test]
fn every_action_rejects_an_unknown_field_and_lists_the_known_ones() {
    for action in catalog::all() {
        let mut input = action.example_input();
        input["colour"] = json!("blue");
        let found = problems(action.id, &input);
        let schema = action.input_schema();
        let mut known: Vec<&str> = schema["properties"]
            .as_object()
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        known.sort_unstable();
        let expected = if known.is_empty() {
            "colour: unknown field (this object takes no fields)".to_owned()
        } else {
            format!(
                "colour: unknown field (expected one of: {})",
                known.join(", ")
            )
        };
        assert_eq!(found, [expected], "{}", action.id);
    }
}

#[test]
fn every_action_reports_each_missing_required_field() {
    let mut checked = 0;
    for action in catalog::all() {
        let schema = action.input_schema();
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        // Every path parameter is required (terminate_employee names its user `employee_id`).
        for param in action
            .path_params()
            .filter(|_| action.id != "terminate_employee")
        {
            assert!(
                required.contains(&param),
                "{}: {param} not required",
                action.id
            );
        }
        for field in required {
            let mut input = action.example_input();
            input.as_object_mut().map(|o| o.remove(field));
            let found = problems(action.id, &input);
            assert_eq!(
                found,
                [format!("{field}: required field is missing")],
                "{}",
                action.id
            );
            checked += 1;
        }
    }
    assert!(checked > 79, "only {checked} required fields checked");
}

#[test]
fn every_action_reports_a_wrong_type_with_the_expectation() {
    for action in catalog::all() {
        let example = action.example_input();
        let Some(fields) = example.as_object() else {
            panic!("{}: example is not an object", action.id)
        };
        for (field, value) in fields {
            let wrong = if value.is_string() {
                json!(42)
            } else {
                json!("ten")
            };
            let mut input = example.clone();
            input[field] = wrong.clone();
            let found = problems(action.id, &input);
            assert_eq!(found.len(), 1, "{}.{field}: {found:?}", action.id);
            let expected_prefix = format!("{field}: expected ");
            assert!(
                found[0].starts_with(&expected_prefix)
                    && found[0].ends_with(&format!("got {wrong}")),
                "{}: {}",
                action.id,
                found[0]
            );
        }
    }
}

#[test]
fn an_input_that_is_not_an_object_is_refused() {
    assert_eq!(
        problems("delete_a_group", &json!("00g1")),
        [r#"input: expected an object, got "00g1""#]
    );
}

#[test]
fn messages_read_as_documented() {
    let create = json!({
        "body": {"profile": {"login": "ann@example.com", "email": "ann", "favouriteColour": "red"}},
        "colour": 1
    });
    assert_eq!(
        problems("post_create_a_user", &create),
        [
            "body.profile.email: expected an email address, got \"ann\"",
            "colour: unknown field (expected one of: activate, body, nextLogin, provider)",
        ]
    );
    assert_eq!(
        problems("get_list_all_users", &json!({"limit": "ten"})),
        [r#"limit: expected an integer between 1 and 200, got "ten""#]
    );
    assert_eq!(
        problems("get_list_all_users", &json!({"limit": 201})),
        ["limit: expected an integer between 1 and 200, got 201"]
    );
    assert_eq!(
        problems("delete_a_group", &json!({"groupId": ""})),
        [r#"groupId: expected a non-empty string, got """#]
    );
    assert_eq!(
        problems("get_list_all_group_rules", &json!({"expand": "groups"})),
        [r#"expand: expected exactly "groupIdToGroupNameMap", got "groups""#]
    );
    assert_eq!(
        problems(
            "put_update_enabled_products_for_an_org",
            &json!({"accountId": "a", "orgId": "o", "body": [{"id": "P1"}, {"name": "x"}]})
        ),
        ["body[1].id: required field is missing"]
    );
}

#[test]
fn custom_profile_attributes_are_kept_but_other_objects_refuse_extras() {
    let input =
        json!({"id": "00u1", "body": {"profile": {"favouriteColour": "red", "badgeNumber": 7}}});
    let valid = validate_input("post_update_a_user", &input).expect("custom attributes pass");
    assert_eq!(valid.to_json()["body"]["profile"]["badgeNumber"], 7);
    let input = json!({"id": "00u1", "body": {"profil": {}}});
    assert_eq!(
        problems("post_update_a_user", &input),
        [
            "body.profil: unknown field (expected one of: credentials, profile, realmId, type); \
          did you mean `profile`?"
        ]
    );
}

#[test]
fn a_body_field_given_at_the_top_level_points_at_the_body_wrapper() {
    let found = problems(
        "post_create_a_group",
        &json!({"profile": {"name": "Sales"}}),
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0], "body: required field is missing");
    assert!(
        found[1].starts_with("profile: unknown field (expected one of: body); did you mean {\"body\": {\"profile\": …}}?"),
        "{found:?}"
    );
}

#[test]
fn a_misspelled_profile_key_gets_a_did_you_mean() {
    let found = problems(
        "post_create_a_group",
        &json!({"body": {"profile": {"nmae": "x"}}}),
    );
    assert_eq!(
        found,
        ["body.profile.name: required field is missing (did you mean `name` instead of `nmae`?)"]
    );
    // A custom attribute that resembles nothing gets no hint.
    let found = problems(
        "post_create_a_group",
        &json!({"body": {"profile": {"costCentre": "x"}}}),
    );
    assert_eq!(found, ["body.profile.name: required field is missing"]);
}

#[test]
fn factor_bodies_are_checked_against_their_factor_type() {
    let unknown_type = json!({"userId": "u", "body": {"factorType": "smss", "provider": "OKTA"}});
    let found = problems("post_enroll_a_factor", &unknown_type);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(r#"body.factorType: expected one of: "sms", "call""#),
        "{found:?}"
    );
    assert!(found[0].contains(r#""token:software:totp""#) && found[0].ends_with(r#"got "smss""#));

    let wrong_provider =
        json!({"userId": "u", "body": {"factorType": "sms", "provider": "GOOGLE", "profile": {}}});
    assert_eq!(
        problems("post_enroll_a_factor", &wrong_provider),
        [
            "body.profile.phoneNumber: required field is missing",
            r#"body.provider: expected exactly "OKTA", got "GOOGLE""#,
        ]
    );
    let no_type = json!({"userId": "u", "body": {"provider": "OKTA"}});
    assert_eq!(
        problems("post_enroll_a_factor", &no_type),
        ["body.factorType: required field is missing"]
    );
    let totp =
        json!({"userId": "u", "body": {"factorType": "token:software:totp", "provider": "GOOGLE"}});
    validate_input("post_enroll_a_factor", &totp).expect("GOOGLE totp is valid");
}

#[test]
fn secrets_are_never_echoed() {
    let input = json!({"userId": "u", "body": {
        "oldPassword": {"value": ["hunter2-old"]},
        "newPassword": {"value": "hunter2-new"},
        "colour": 1
    }});
    let error = validate_input("post_change_password", &input)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("body.oldPassword.value: expected a non-empty string (value not shown)"),
        "{error}"
    );
    assert!(!error.contains("hunter2"), "{error}");

    let input = json!({"userId": "u", "body": {"oldPassword": {"value": "hunter2-old"}, "newPassword": {"value": "hunter2-new"}}});
    let valid = validate_input("post_change_password", &input).expect("valid");
    let debug = format!("{valid:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    // ...but the value still reaches Okta.
    assert_eq!(
        valid.to_json()["body"]["newPassword"]["value"],
        "hunter2-new"
    );
}

#[test]
fn cross_field_rules_are_enforced_after_the_schema() {
    assert_eq!(
        problems(
            "get_list_all_users",
            &json!({"search": "status eq \"ACTIVE\"", "filter": "status eq \"ACTIVE\""})
        ),
        ["filter: cannot be combined with `search` (Okta refuses both at once)"]
    );
    assert_eq!(
        problems(
            "post_create_a_user",
            &json!({"activate": false, "nextLogin": "changePassword",
            "body": {"profile": {"login": "ann@example.com", "email": "ann@example.com"}}})
        ),
        [
            "nextLogin: needs `activate` to be true (Okta refuses it otherwise)",
            "nextLogin: needs a password in body.credentials.password (Okta refuses it otherwise)",
        ]
    );
    assert_eq!(
        problems(
            "post_add_org_to_account",
            &json!({"accountId": "a", "body": {"orgId": "o", "domain": "d"}})
        ),
        ["body: give either `orgId` or `domain`, not both"]
    );
    assert_eq!(
        problems(
            "list_all_employees",
            &json!({"cursor": "00u3p62n11UKppeh31d7"})
        ),
        ["cursor: expected a cursor returned by list_all_employees (its `next` value)"]
    );
}

#[test]
fn defaults_are_filled_in_with_okta_values() {
    let valid = validate_input("delete_revoke_all_user_sessions", &json!({"userId": "u"})).unwrap();
    assert_eq!(
        valid.to_json(),
        json!({"userId": "u", "oauthTokens": false, "forgetDevices": true})
    );
    let valid = validate_input(
        "post_create_a_user",
        &json!({"body": {"profile": {"login": "ann@example.com", "email": "ann@example.com"}}}),
    )
    .unwrap();
    assert_eq!(valid.to_json()["activate"], true);
    assert_eq!(valid.to_json()["provider"], false);
    let schema = catalog::get("get_list_all_group_rules")
        .unwrap()
        .input_schema();
    assert_eq!(schema["properties"]["limit"]["default"], 50);
}

#[test]
fn unknown_actions_get_suggestions() {
    let error = validate_input("delete_a_grop", &json!({})).unwrap_err();
    assert!(
        matches!(&error, InputError::UnknownAction { suggestions, .. } if suggestions.first() == Some(&"delete_a_group"))
    );
    assert!(
        error
            .to_string()
            .starts_with("unknown action `delete_a_grop` (did you mean: delete_a_group, "),
        "{error}"
    );
}

#[test]
fn new_users_can_bring_a_password_hash_but_only_one_kind_of_password() {
    let profile = json!({"login": "ann@example.com", "email": "ann@example.com"});
    let hashed = json!({"body": {"profile": profile, "credentials": {"password": {"hash": {
        "algorithm": "BCRYPT", "workFactor": 10, "salt": "rwh3vH166HCH/NT9XV5FYu",
        "value": "qaMqvAPULkbiQzkTCWo5XDcvzpk8Tna"
    }}}}});
    validate_input("post_create_a_user", &hashed).expect("a BCRYPT import is valid");
    let both = json!({"body": {"profile": profile, "credentials": {"password": {
        "value": "tlpWENT2m-correct-horse", "hook": {"type": "default"}
    }}}});
    assert_eq!(
        problems("post_create_a_user", &both),
        ["body.credentials.password: give exactly one of `value`, `hash` and `hook`"]
    );
    let weak = json!({"body": {"profile": profile, "credentials": {"password": {"hash": {
        "algorithm": "PBKDF2", "value": "x", "iterationCount": 1000
    }}}}});
    assert_eq!(
        problems("post_create_a_user", &weak),
        [
            "body.credentials.password.hash.iterationCount: expected an integer of at least 4096, got 1000"
        ]
    );
}
