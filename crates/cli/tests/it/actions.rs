//! `spindle actions list` and `spindle actions describe`.

use predicates::prelude::*;
use serde_json::Value;

use crate::spindle;

fn stdout_json(args: &[&str]) -> Value {
    let output = spindle()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&output).expect("stdout is JSON")
}

#[test]
fn list_json_is_the_whole_catalog() {
    let list = stdout_json(&["actions", "list", "--json"]);
    insta::assert_json_snapshot!("actions_list_json", list);

    let items = list.as_array().expect("an array");
    assert_eq!(items.len(), 79);
    for item in items {
        for key in [
            "id",
            "title",
            "operation",
            "entities",
            "server",
            "method",
            "path",
            "scopes",
        ] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
    }
}

#[test]
fn list_filters_by_server_and_operation() {
    let aerial = stdout_json(&["actions", "list", "--json", "--server", "aerial"]);
    let ids: Vec<&str> = aerial
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 6);
    assert!(ids.contains(&"get_list_all_orgs"));

    let deletes = stdout_json(&["actions", "list", "--json", "--operation", "delete"]);
    assert_eq!(
        deletes[0]["id"],
        "delete_revoke_all_refresh_tokens_for_a_client"
    );
    assert_eq!(deletes.as_array().unwrap().len(), 1);

    // The seed labels 12 of the 13 removals `write`; the effect says what the call does (14:
    // `terminate_employee` deactivates with a DELETE too).
    let deletes = stdout_json(&["actions", "list", "--json", "--effect", "delete"]);
    let deletes = deletes.as_array().unwrap();
    assert_eq!(deletes.len(), 14);
    assert!(
        deletes
            .iter()
            .all(|a| a["method"] == "DELETE" && a["effect"] == "delete")
    );
    assert!(
        deletes
            .iter()
            .any(|a| a["id"] == "delete_a_group" && a["operation"] == "write")
    );
}

#[test]
fn list_prints_a_table_with_one_row_per_action() {
    let assert = spindle().args(["actions", "list"]).assert().success();
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    for column in ["ID", "OPERATION", "SERVER", "METHOD", "PATH"] {
        assert!(header.contains(column), "header {header:?} lacks {column}");
    }
    let rows: Vec<&str> = lines.take_while(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 79);
    assert!(rows.iter().any(|r| r.starts_with("delete_a_group ")
        && r.contains("DELETE")
        && r.ends_with("/api/v1/groups/{groupId}")));
    assert!(text.contains("79 actions."));
}

#[test]
fn describe_shows_one_action() {
    spindle()
        .args(["actions", "describe", "put_assign_a_user_to_a_group"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("put_assign_a_user_to_a_group — Assign a User to a Group")
                .and(predicate::str::contains(
                    "PUT /api/v1/groups/{groupId}/users/{userId}  (management API)",
                ))
                .and(predicate::str::contains("parameters: groupId, userId"))
                .and(predicate::str::contains("scopes:     okta.groups.manage"))
                .and(predicate::str::contains(
                    "    groupId (path) (string, non-empty, required)",
                ))
                .and(predicate::str::contains(
                    "example:    spindle actions validate put_assign_a_user_to_a_group --input '{",
                )),
        );
}

#[test]
fn describe_tags_each_field_with_where_it_goes() {
    let assert = spindle()
        .args(["actions", "describe", "post_activate_user"])
        .assert()
        .success();
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(text.contains("    id (path) ("), "{text}");
    assert!(text.contains("    sendEmail (query) ("), "{text}");
    let assert = spindle()
        .args(["actions", "describe", "post_create_a_group"])
        .assert()
        .success();
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(text.contains("    body.profile.name (body) ("), "{text}");
    assert!(text.contains("effect:     write"), "{text}");
    let assert = spindle()
        .args(["actions", "describe", "post_create_a_user"])
        .assert()
        .success();
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(text.contains("string, exactly 2 chars"), "{text}");
    assert!(!text.contains("2–2 chars"), "{text}");
}

#[test]
fn validate_prints_the_input_with_defaults() {
    let valid = stdout_json(&[
        "actions",
        "validate",
        "delete_revoke_all_user_sessions",
        "--input",
        r#"{"userId": "00ub0oNGTSWTBKOLGLNR"}"#,
    ]);
    assert_eq!(
        valid,
        serde_json::json!({"userId": "00ub0oNGTSWTBKOLGLNR", "oauthTokens": false, "forgetDevices": true})
    );
}

#[test]
fn validate_reads_standard_input() {
    let assert = spindle()
        .args(["actions", "validate", "post_create_a_group", "--input", "-"])
        .write_stdin(r#"{"body": {"profile": {"name": "Sales"}}}"#)
        .assert()
        .success();
    let out: Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(out["body"]["profile"]["name"], "Sales");
}

#[test]
fn validate_lists_every_problem_and_exits_2() {
    spindle()
        .args([
            "actions",
            "validate",
            "get_list_all_users",
            "--input",
            r#"{"limit": "ten", "colour": 1}"#,
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains(r#"limit: expected an integer between 1 and 200, got "ten""#)
                .and(predicate::str::contains(
                    "colour: unknown field (expected one of: after,",
                )),
        );
    spindle()
        .args([
            "actions",
            "validate",
            "delete_a_group",
            "--input",
            "{groupId",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the input is not JSON"));
}

#[test]
fn describe_json_matches_the_list_entry() {
    let one = stdout_json(&["actions", "describe", "get_list_all_orgs", "--json"]);
    let list = stdout_json(&["actions", "list", "--json"]);
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "get_list_all_orgs")
        .unwrap();
    // Every key of the list entry, plus the schemas and an example.
    for (key, value) in entry.as_object().unwrap() {
        assert_eq!(&one[key], value, "{key}");
    }
    assert_eq!(one["input_schema"]["required"][0], "accountId");
    assert_eq!(one["output_schema"]["required"][0], "items");
    assert_eq!(one["example_input"]["accountId"], "acc4b2rP4hVYwC5A40g4");
    assert_eq!(one["server"], "aerial");
    assert_eq!(one["path"], "/{accountId}/api/v1/orgs");
}

#[test]
fn unknown_id_fails_and_suggests_the_closest_ids() {
    spindle()
        .args(["actions", "describe", "delete_a_grop"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("unknown action `delete_a_grop`")
                .and(predicate::str::contains("Did you mean: delete_a_group")),
        );
}

#[test]
fn unknown_id_without_a_close_match_points_to_the_list() {
    spindle()
        .args(["actions", "describe", "qqqqqqqqqq"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown action `qqqqqqqqqq`")
                .and(predicate::str::contains("Did you mean").not())
                .and(predicate::str::contains("spindle actions list")),
        );
}
