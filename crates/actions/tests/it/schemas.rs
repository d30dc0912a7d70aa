//! The input and output schemas of every action: self-contained, valid draft 2020-12 documents,
//! pinned by snapshots.

use serde_json::{Value, json};
use spindle_actions::catalog;

fn contains_key(value: &Value, key: &str) -> bool {
    match value {
        Value::Object(map) => map.contains_key(key) || map.values().any(|v| contains_key(v, key)),
        Value::Array(items) => items.iter().any(|v| contains_key(v, key)),
        _ => false,
    }
}

#[test]
fn schemas_are_self_contained_draft_2020_12_documents() {
    let draft = "https://json-schema.org/draft/2020-12/schema";
    for action in catalog::all() {
        for (which, schema) in [
            ("input", action.input_schema()),
            ("output", action.output_schema()),
        ] {
            assert_eq!(schema["$schema"], draft, "{} {which}", action.id);
            assert!(
                !contains_key(&schema, "$ref"),
                "{} {which} has a $ref",
                action.id
            );
            assert!(
                !contains_key(&schema, "$defs"),
                "{} {which} has $defs",
                action.id
            );
            assert!(
                jsonschema::meta::is_valid(&schema),
                "{} {which} is not a valid JSON Schema",
                action.id
            );
            assert_eq!(
                schema["type"], "object",
                "{} {which} is not an object",
                action.id
            );
        }
    }
}

#[test]
fn outputs_keep_unknown_okta_fields_and_bodyless_calls_get_a_result_object() {
    let user = catalog::get("get_retrieve_a_user").unwrap().output_schema();
    assert_eq!(user["additionalProperties"], true);
    assert_eq!(user["properties"]["profile"]["additionalProperties"], true);
    let page = catalog::get("get_list_all_users").unwrap().output_schema();
    assert_eq!(page["required"], json!(["items"]));
    assert_eq!(
        page["properties"]["items"]["items"]["additionalProperties"],
        true
    );

    // Okta answers these with 204/202 or `{}`: Spindle outputs a structured result with
    // required fields instead.
    for id in [
        "delete_a_group",
        "delete_a_user",
        "delete_group_rule",
        "delete_linked_object",
        "delete_revoke_all_grants_for_a_client",
        "delete_revoke_all_refresh_tokens_for_a_client",
        "delete_revoke_all_user_grants",
        "delete_revoke_all_user_sessions",
        "delete_revoke_token_for_client",
        "delete_revoke_user_grant",
        "delete_unassign_user",
        "delete_unenroll_a_factor",
        "delete_user_type",
        "post_activate_group_rule",
        "post_deactivate_group_rule",
        "post_deactivate_user",
        "post_reset_all_factors",
        "post_suspend_user",
        "post_unlock_user",
        "post_unsuspend_user",
        "put_assign_a_user_to_a_group",
        "put_replace_linked_object_value_for_primary",
        "terminate_employee",
    ] {
        let schema = catalog::get(id).unwrap().output_schema();
        let required = schema["required"].as_array().map_or(0, Vec::len);
        assert!(
            required >= 2,
            "{id}: a result should state what happened: {schema}"
        );
        assert_ne!(schema["additionalProperties"], true, "{id}");
    }
}

#[test]
fn every_schema_is_pinned_by_a_snapshot() {
    for action in catalog::all() {
        let both = json!({"input": action.input_schema(), "output": action.output_schema()});
        insta::assert_json_snapshot!(action.id, both);
    }
}
