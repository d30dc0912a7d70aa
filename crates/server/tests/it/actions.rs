//! `/v1/actions`: the catalog, and running read and write actions against the org.

use reqwest::Method;
use serde_json::json;

use crate::common::{Key, TestDatabase, TestGateway, both_backends};

both_backends!(
    the_catalog_lists_every_action,
    one_action_comes_with_its_schemas,
    unknown_actions_are_404_with_a_suggestion,
    read_and_write_actions_run_against_the_org,
    the_read_only_key_runs_reads_but_not_writes,
    invalid_input_lists_every_problem_and_sends_nothing,
);

async fn the_catalog_lists_every_action(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    for key in [Key::Full, Key::ReadOnly] {
        let list = gw.send(Method::GET, "/v1/actions", key, None).await;
        let items = list.ok(200)["items"].as_array().expect("items").clone();
        assert_eq!(items.len(), 79);
        assert_eq!(items.len(), spindle_actions::catalog::all().len());
        let mut ids: Vec<&str> = items.iter().filter_map(|a| a["id"].as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 79, "ids are unique");
        for item in &items {
            for field in [
                "id",
                "title",
                "operation",
                "summary",
                "server",
                "method",
                "path",
            ] {
                assert!(item[field].is_string(), "{field} of {item}");
            }
            assert!(
                ["read", "write", "delete"].contains(&item["operation"].as_str().unwrap_or("")),
                "{item}"
            );
            assert!(item["entities"].is_array(), "{item}");
            assert!(item["scopes"].is_array(), "{item}");
            assert!(
                item.get("input_schema").is_none(),
                "the list is a summary: {item}"
            );
        }
    }
    gw.stop().await;
}

async fn one_action_comes_with_its_schemas(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let detail = gw.get("/v1/actions/get_retrieve_a_user").await;
    let action = detail.ok(200);
    assert_eq!(action["id"], "get_retrieve_a_user");
    assert_eq!(action["operation"], "read");
    assert_eq!(action["method"], "GET");
    assert_eq!(action["server"], "management");
    assert_eq!(action["input_schema"]["type"], "object");
    assert!(
        action["input_schema"]["properties"]["id"].is_object(),
        "{action}"
    );
    assert!(action["output_schema"].is_object(), "{action}");
    assert!(action["example_input"]["id"].is_string(), "{action}");
    // Every action has its schemas.
    for spec in spindle_actions::catalog::all() {
        let r = gw
            .send(
                Method::GET,
                &format!("/v1/actions/{}", spec.id),
                Key::ReadOnly,
                None,
            )
            .await;
        let a = r.ok(200);
        assert_eq!(a["id"], spec.id);
        assert!(a["input_schema"].is_object(), "{}", spec.id);
        assert!(a["output_schema"].is_object(), "{}", spec.id);
        assert!(a["example_input"].is_object(), "{}", spec.id);
    }
    gw.stop().await;
}

async fn unknown_actions_are_404_with_a_suggestion(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let id = gw.connect("acme").await;
    for r in [
        gw.get("/v1/actions/get_retrieve_a_usr").await,
        gw.run(&id, "get_retrieve_a_usr", json!({"id": "x"})).await,
    ] {
        let p = r.problem(404, "not_found");
        let detail = p["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("get_retrieve_a_usr"), "{detail}");
        assert!(detail.contains("did you mean"), "{detail}");
        assert!(detail.contains("get_retrieve_a_user"), "{detail}");
    }
    let r = gw.get("/v1/actions/zzzzzzzzzzzzzzzzzzzz").await;
    r.problem(404, "not_found");
    assert!(r.text.contains("GET /v1/actions"), "{}", r.text);
    assert!(gw.okta_requests().await.is_empty());
    gw.stop().await;
}

async fn read_and_write_actions_run_against_the_org(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).users(4).build().await;
    let conn = gw.connect("acme").await;
    // Read: a page of users, then one of them by id (and by connection name).
    let page = gw
        .run(&conn, "get_list_all_users", json!({"limit": 2}))
        .await;
    let page = page.ok(200).clone();
    let users = page["items"].as_array().expect("items");
    assert_eq!(users.len(), 2, "{page}");
    assert!(page["next"].is_string(), "{page}");
    let first = users[0].clone();
    let uid = first["id"].as_str().expect("a user id");
    let got = gw
        .run("acme", "get_retrieve_a_user", json!({"id": uid}))
        .await;
    assert_eq!(got.ok(200)["id"], uid);
    assert_eq!(got.json["profile"]["login"], first["profile"]["login"]);

    // Write: create a user, and see it in the org.
    let created = gw
        .run(
            &conn,
            "post_create_a_user",
            json!({"activate": false, "body": {"profile": {
                "login": "ada@example.com", "email": "ada@example.com",
                "firstName": "Ada", "lastName": "Lovelace", "department": "Engineering"}}}),
        )
        .await;
    let user = created.ok(200).clone();
    assert_eq!(user["status"], "STAGED", "{user}");
    assert_eq!(user["profile"]["login"], "ada@example.com");
    let new_id = user["id"].as_str().expect("an id");
    let again = gw
        .run(
            &conn,
            "get_retrieve_a_user",
            json!({"id": "ada@example.com"}),
        )
        .await;
    assert_eq!(again.ok(200)["id"], new_id);
    let group = gw
        .run(
            &conn,
            "post_create_a_group",
            json!({"body": {"profile": {"name": "Analysts", "description": "Engines"}}}),
        )
        .await;
    assert_eq!(group.ok(200)["profile"]["name"], "Analysts");
    let gid = group.json["id"].as_str().expect("a group id").to_owned();
    // A delete action answers its documented empty output.
    let deleted = gw
        .run(&conn, "delete_a_group", json!({"groupId": gid}))
        .await;
    deleted.ok(200);
    gw.run(&conn, "get_retrieve_a_group", json!({"groupId": gid}))
        .await
        .problem(404, "okta_error");
    gw.stop().await;
}

async fn the_read_only_key_runs_reads_but_not_writes(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).users(2).build().await;
    let conn = gw.connect("acme").await;
    let read = gw
        .send(
            Method::POST,
            &format!("/v1/connections/{conn}/actions/get_list_all_users"),
            Key::ReadOnly,
            Some(json!({})),
        )
        .await;
    assert_eq!(read.ok(200)["items"].as_array().map(Vec::len), Some(2));
    let before = gw.okta_requests().await.len();
    for (action, input) in [
        (
            "post_create_a_group",
            json!({"body": {"profile": {"name": "Nope"}}}),
        ),
        ("delete_a_group", json!({"groupId": "00g1"})),
    ] {
        let r = gw
            .send(
                Method::POST,
                &format!("/v1/connections/{conn}/actions/{action}"),
                Key::ReadOnly,
                Some(input),
            )
            .await;
        let p = r.problem(403, "forbidden");
        let detail = p["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(action), "{detail}");
        assert!(detail.contains("full"), "{detail}");
    }
    assert_eq!(gw.okta_requests().await.len(), before, "nothing was sent");
    gw.stop().await;
}

async fn invalid_input_lists_every_problem_and_sends_nothing(db: TestDatabase) {
    let gw = TestGateway::builder().database(&db).build().await;
    let conn = gw.connect("acme").await;
    let r = gw
        .run(
            &conn,
            "post_create_a_user",
            json!({"body": {"profile": {"login": "ann@example.com", "email": "ann"}},
                   "colour": 1, "activate": "yes"}),
        )
        .await;
    r.invalid(
        "invalid_input",
        &["activate", "body.profile.email", "colour"],
    );
    assert!(
        r.json["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("nothing was sent to Okta"),
        "{}",
        r.text
    );
    for p in r.json["problems"].as_array().expect("problems") {
        assert!(p["message"].as_str().is_some_and(|m| !m.is_empty()), "{p}");
    }
    // Missing required fields, each named.
    gw.run(&conn, "put_assign_a_user_to_a_group", json!({}))
        .await
        .invalid("invalid_input", &["groupId", "userId"]);
    gw.run(&conn, "get_list_all_users", json!({"limit": 201}))
        .await
        .invalid("invalid_input", &["limit"]);
    // A body that is JSON but not an object.
    gw.run(&conn, "delete_a_group", json!(["00g1"]))
        .await
        .invalid("invalid_input", &["body"]);
    let requests = gw.okta_requests().await;
    assert!(requests.is_empty(), "Okta got {requests:?}");
    gw.stop().await;
}
