//! Profile schemas over raw HTTP: the exchanges of Okta's recorded SDK tests
//! (`test_user_schema_it`, `test_group_schema_it`) and the checks every profile write gets.

use serde_json::{Value, json};

use crate::support::{Org, PW, start};

const USER: &str = "/api/v1/meta/schemas/user/default";
const GROUP: &str = "/api/v1/meta/schemas/group/default";

/// The custom property Okta's group schema test adds, as its request sends it.
fn recorded_group_attribute() -> Value {
    json!({"definitions": {"custom": {"id": "#custom", "type": "object", "properties": {
        "murihubopsckijpcffbx": {"title": "Test Custom Attribute", "description": "Custom attribute for testing purposes",
            "type": "string", "required": false, "minLength": 1, "maxLength": 20,
            "permissions": [{"principal": "SELF", "action": "READ_WRITE"}]}}}}})
}

fn custom(body: &Value) -> &Value {
    &body["definitions"]["custom"]["properties"]
}

#[tokio::test]
async fn group_schema_add_then_remove_a_custom_attribute_as_recorded() {
    let org = start().await;
    let r = org.get(GROUP).await;
    assert_eq!(r.status, 200);
    assert!(
        r.body["id"]
            .as_str()
            .is_some_and(|i| i.ends_with("/meta/schemas/group/default"))
    );
    assert_eq!(r.body["name"], "group");
    assert_eq!(r.body["title"], "Okta group");
    assert_eq!(r.body["definitions"]["base"]["required"], json!(["name"]));
    assert_eq!(
        r.body["definitions"]["base"]["properties"]["name"].to_string(),
        r#"{"title":"Name","description":"Name","type":"string","required":true,"mutability":"READ_WRITE","scope":"NONE","maxLength":255,"permissions":[{"principal":"SELF","action":"READ_WRITE"}],"master":{"type":"PROFILE_MASTER"}}"#
    );
    assert_eq!(
        r.body["properties"],
        json!({"profile": {"allOf": [{"$ref": "#/definitions/custom"}, {"$ref": "#/definitions/base"}]}})
    );

    // POST adds: 200 with the property as Okta renders it (defaults filled in, key order kept,
    // `required: false` not echoed).
    let r = org.post(GROUP, recorded_group_attribute()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        custom(&r.body)["murihubopsckijpcffbx"].to_string(),
        r#"{"title":"Test Custom Attribute","description":"Custom attribute for testing purposes","type":"string","mutability":"READ_WRITE","scope":"NONE","minLength":1,"maxLength":20,"permissions":[{"principal":"SELF","action":"READ_WRITE"}],"master":{"type":"PROFILE_MASTER"}}"#
    );
    assert_eq!(r.body["definitions"]["custom"]["required"], json!([]));

    // The whole schema sent back with a new title: the title changes (test_update_custom_attribute).
    let mut back = r.body.clone();
    back["definitions"]["custom"]["properties"]["murihubopsckijpcffbx"]["title"] =
        json!("New Title");
    let r = org.post(GROUP, back).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        custom(&r.body)["murihubopsckijpcffbx"]["title"],
        "New Title"
    );
    assert_eq!(custom(&r.body)["murihubopsckijpcffbx"]["maxLength"], 20);

    // `null` removes it.
    let r = org
        .post(GROUP, json!({"definitions": {"custom": {"id": "#custom", "type": "object", "properties": {"murihubopsckijpcffbx": null}}}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(custom(&r.body), &json!({}));
    assert_eq!(custom(&org.get(GROUP).await.body), &json!({}));
}

#[tokio::test]
async fn user_schema_read_update_and_remove_as_recorded() {
    let org = start().await;
    let r = org.get(USER).await;
    assert_eq!(r.status, 200);
    let schema = r.body;
    assert!(
        schema["id"]
            .as_str()
            .is_some_and(|i| i.ends_with("/meta/schemas/user/default"))
    );
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    assert_eq!(schema["title"], "User");
    let base = &schema["definitions"]["base"];
    assert_eq!(
        base["required"],
        json!(["login", "firstName", "lastName", "email"])
    );
    assert_eq!(
        base["properties"]["login"].to_string(),
        r#"{"title":"Username","type":"string","required":true,"mutability":"READ_WRITE","scope":"NONE","minLength":5,"maxLength":100,"permissions":[{"principal":"SELF","action":"READ_ONLY"}]}"#
    );
    assert_eq!(base["properties"]["email"]["format"], "email");
    assert_eq!(
        base["properties"]["city"]["permissions"][0]["action"],
        "HIDE"
    );
    assert_eq!(base["properties"].as_object().map(|m| m.len()), Some(31));
    // The self link names the schema by id; the type link names the default user type, whose
    // own `schema` link comes back here.
    let me = schema["_links"]["self"]["href"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(me.contains("/api/v1/meta/schemas/user/osc"), "{me}");
    let ty = org
        .get(
            schema["_links"]["type"]["href"]
                .as_str()
                .unwrap_or_default(),
        )
        .await;
    assert_eq!(ty.status, 200);
    assert_eq!(ty.body["_links"]["schema"]["href"], me.as_str());
    assert_eq!(org.get(&me).await.body, schema, "by id or by `default`");

    // The SDK test sends the whole schema back with one custom property added.
    let mut sent = schema.clone();
    sent["definitions"]["custom"]["properties"]["testCustomAttribute"] = json!({
        "description": "test custom user attribute", "maxLength": 20, "minLength": 1,
        "permissions": [{"action": "READ_WRITE", "principal": "SELF"}],
        "title": "Test Custom User Attribute", "type": "string"});
    let r = org.post(USER, sent.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        custom(&r.body)["testCustomAttribute"].to_string(),
        r#"{"title":"Test Custom User Attribute","description":"test custom user attribute","type":"string","mutability":"READ_WRITE","scope":"NONE","minLength":1,"maxLength":20,"permissions":[{"action":"READ_WRITE","principal":"SELF"}]}"#
    );
    assert_eq!(
        r.body["definitions"]["base"], schema["definitions"]["base"],
        "base unchanged"
    );

    // Then with it set to null: removed.
    sent["definitions"]["custom"]["properties"]["testCustomAttribute"] = Value::Null;
    let r = org.post(USER, sent).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(custom(&r.body), &json!({}));
}

#[tokio::test]
async fn base_properties_change_only_where_okta_allows() {
    let org = start().await;
    let base =
        |name: &str, def: Value| json!({"definitions": {"base": {"properties": {name: def}}}});
    let r = org.post(USER, base("login", Value::Null)).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "E0000001"),
        "{}",
        r.body
    );
    assert_eq!(r.body["errorSummary"], "Api validation failed: login");
    let r = org
        .post(USER, base("city", json!({"type": "integer"})))
        .await;
    assert_eq!(r.status, 400, "a base property's type can't change");
    let r = org.post(USER, base("nope", json!({"title": "x"}))).await;
    assert_eq!(r.status, 400, "no such base property");
    let r = org
        .post(
            USER,
            base(
                "city",
                json!({"permissions": [{"principal": "SELF", "action": "READ_WRITE"}]}),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "permissions change: {}", r.body);
    assert_eq!(
        r.body["definitions"]["base"]["properties"]["city"]["permissions"][0]["action"],
        "READ_WRITE"
    );
    // lastName made nullable: a user without one is accepted.
    let r = org
        .post(USER, base("lastName", json!({"required": false})))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["definitions"]["base"]["required"],
        json!(["login", "firstName", "email"])
    );
    let r = org
        .post("/api/v1/users?activate=false", json!({"profile": {"firstName": "Mono", "email": "mono@example.com", "login": "mono@example.com"}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = org
        .post(USER, base("login", json!({"required": false})))
        .await;
    assert_eq!(r.status, 400, "login stays required");
}

#[tokio::test]
async fn custom_property_definitions_are_checked() {
    let org = start().await;
    let add =
        |name: &str, def: Value| json!({"definitions": {"custom": {"properties": {name: def}}}});
    for (name, def, why) in [
        (
            "1st",
            json!({"title": "x", "type": "string"}),
            "name starts with a digit",
        ),
        (
            "a-b",
            json!({"title": "x", "type": "string"}),
            "name with a dash",
        ),
        (
            "email",
            json!({"title": "x", "type": "string"}),
            "a base property's name",
        ),
        ("x", json!({"type": "string"}), "no title"),
        ("x", json!({"title": "x", "type": "object"}), "object type"),
        (
            "x",
            json!({"title": "x", "type": "array"}),
            "array without items",
        ),
        (
            "x",
            json!({"title": "x", "type": "integer", "maxLength": 3}),
            "length on an integer",
        ),
        (
            "x",
            json!({"title": "x", "type": "string", "minLength": 5, "maxLength": 3}),
            "min over max",
        ),
        (
            "x",
            json!({"title": "x", "type": "string", "enum": [1, 2]}),
            "enum of the wrong type",
        ),
        (
            "x",
            json!({"title": "x", "type": "boolean", "unique": true}),
            "unique boolean",
        ),
    ] {
        let r = org.post(USER, add(name, def)).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (400, "E0000001"),
            "{why}: {}",
            r.body
        );
    }
    assert_eq!(
        custom(&org.get(USER).await.body),
        &json!({}),
        "nothing was added"
    );
    let r = org
        .post(
            USER,
            add("level", json!({"title": "Level", "type": "integer"})),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = org
        .post(
            USER,
            add("level", json!({"title": "Level", "type": "string"})),
        )
        .await;
    assert_eq!(r.status, 400, "a property's type can't change");
    let six: serde_json::Map<String, Value> = (0..6)
        .map(|i| {
            (
                format!("u{i}"),
                json!({"title": "U", "type": "string", "unique": true}),
            )
        })
        .collect();
    let r = org
        .post(
            USER,
            json!({"definitions": {"custom": {"properties": six}}}),
        )
        .await;
    assert_eq!(r.status, 400, "at most five unique properties");
}

async fn user_with(org: &Org, login: &str, extra: Value) -> crate::support::Resp {
    let mut profile = json!({"firstName": "T", "lastName": "U", "email": login, "login": login});
    if let (Some(p), Some(e)) = (profile.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    org.post("/api/v1/users?activate=false", json!({"profile": profile}))
        .await
}

fn causes(r: &crate::support::Resp) -> Vec<String> {
    r.body["errorCauses"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["errorSummary"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn every_user_profile_write_is_checked_against_the_schema() {
    let org = start().await;
    // An undefined property: 400 E0000001 naming it.
    let r = user_with(&org, "a@example.com", json!({"githubUsername": "ada"})).await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "E0000001"),
        "{}",
        r.body
    );
    assert_eq!(
        r.body["errorSummary"],
        "Api validation failed: githubUsername"
    );
    assert_eq!(
        causes(&r),
        ["Property name 'githubUsername' is not defined in profile"]
    );

    org.custom_user_properties(json!({
        "githubUsername": {"title": "GitHub", "type": "string", "maxLength": 39},
        "workerId": {"title": "Worker", "type": "string", "unique": true},
        "badgeNumber": {"title": "Badge", "type": "integer"},
        "tier": {"title": "Tier", "type": "string", "oneOf": [{"const": "gold", "title": "Gold"}, {"const": "silver", "title": "Silver"}]},
        "tags": {"title": "Tags", "type": "array", "items": {"type": "string"}, "enum": ["a", "b"]},
    }))
    .await;
    assert_eq!(
        org.get(USER).await.body["definitions"]["custom"]["properties"]["workerId"]["unique"],
        true
    );
    let r = user_with(&org, "a@example.com", json!({"githubUsername": "ada", "workerId": "W1", "badgeNumber": 7, "tier": "gold", "tags": ["a"]})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(r.body["profile"]["badgeNumber"], 7);

    for (extra, cause) in [
        (
            json!({"badgeNumber": "7"}),
            "badgeNumber: Does not match required type",
        ),
        (
            json!({"badgeNumber": 7.5}),
            "badgeNumber: Does not match required type",
        ),
        (
            json!({"githubUsername": "x".repeat(40)}),
            "githubUsername: The field cannot exceed 39 characters",
        ),
        (
            json!({"tier": "bronze"}),
            "tier: Does not match required enum values",
        ),
        (
            json!({"tags": ["a", "c"]}),
            "tags: Does not match required enum values",
        ),
        (json!({"tags": "a"}), "tags: Does not match required type"),
        (
            json!({"workerId": "W1"}),
            "workerId: An object with this field already exists in the current organization",
        ),
    ] {
        let r = user_with(&org, "b@example.com", extra.clone()).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (400, "E0000001"),
            "{extra}: {}",
            r.body
        );
        assert_eq!(causes(&r), [cause], "{extra}");
    }
    // Updates are checked too: partial (POST) and full (PUT); the user's own unique value is fine.
    let path = format!("/api/v1/users/{id}");
    let r = org
        .post(&path, json!({"profile": {"badgeNumber": "x"}}))
        .await;
    assert_eq!(r.status, 400);
    let r = org
        .post(
            &path,
            json!({"profile": {"workerId": "W1", "nickName": "A"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = org
        .put(&path, json!({"profile": {"firstName": "T", "lastName": "U", "email": "a@example.com", "login": "a@example.com", "color": "red"}}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errorSummary"], "Api validation failed: color");
    // Null values are "no value": accepted, and they don't take a unique value.
    let r = user_with(
        &org,
        "c@example.com",
        json!({"workerId": null, "badgeNumber": null}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = user_with(&org, "d@example.com", json!({"workerId": "W2"})).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // A required custom property: missing values are refused from then on.
    org.custom_user_properties(
        json!({"site": {"title": "Site", "type": "string", "required": true}}),
    )
    .await;
    let r = user_with(&org, "e@example.com", json!({})).await;
    assert_eq!(causes(&r), ["site: The field cannot be left blank"]);
    assert_eq!(
        org.get(USER).await.body["definitions"]["custom"]["required"],
        json!(["site"])
    );

    // Removing a property removes its values.
    let r = org
        .post(
            USER,
            json!({"definitions": {"custom": {"properties": {"badgeNumber": null, "site": null}}}}),
        )
        .await;
    assert_eq!(r.status, 200);
    let u = org.get(&path).await;
    assert!(u.body["profile"].get("badgeNumber").is_none(), "{}", u.body);
    assert_eq!(u.body["profile"]["githubUsername"], "ada");
}

#[tokio::test]
async fn making_a_property_unique_checks_the_values_already_held() {
    let org = start().await;
    org.custom_user_properties(json!({"desk": {"title": "Desk", "type": "string"}}))
        .await;
    for login in ["a@example.com", "b@example.com"] {
        assert_eq!(
            user_with(&org, login, json!({"desk": "D1"})).await.status,
            200
        );
    }
    // Duplicates: Okta's check fails and the property stays not unique.
    org.custom_user_properties(
        json!({"desk": {"title": "Desk", "type": "string", "unique": true}}),
    )
    .await;
    let desk = &org.get(USER).await.body["definitions"]["custom"]["properties"]["desk"];
    assert!(desk.get("unique").is_none(), "{desk}");
    assert_eq!(
        user_with(&org, "c@example.com", json!({"desk": "D1"}))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn each_user_type_has_its_own_schema_from_okta_template() {
    let org = start().await;
    org.custom_user_properties(json!({"githubUsername": {"title": "GitHub", "type": "string"}}))
        .await;
    let t = org
        .post(
            "/api/v1/meta/types/user",
            json!({"name": "contractor", "displayName": "Contractor"}),
        )
        .await;
    assert_eq!(t.status, 200, "{}", t.body);
    let type_id = t.body["id"].as_str().unwrap_or_default().to_owned();
    let schema_url = t.body["_links"]["schema"]["href"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let s = org.get(&schema_url).await;
    assert_eq!(s.status, 200, "{}", s.body);
    assert_eq!(
        custom(&s.body),
        &json!({}),
        "a new type starts from the template"
    );
    assert_eq!(
        s.body["_links"]["type"]["href"]
            .as_str()
            .map(|h| h.ends_with(&type_id)),
        Some(true)
    );
    let r = org.post(&schema_url, json!({"definitions": {"custom": {"properties": {"agency": {"title": "Agency", "type": "string"}}}}})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let make = |extra: Value| {
        json!({"profile": {"firstName": "C", "lastName": "T", "email": "ct@example.com", "login": "ct@example.com", "agency": "Acme"}, "type": {"id": type_id}})
            .as_object()
            .cloned()
            .map(|mut o| {
                if let Some(p) = o.get_mut("profile").and_then(Value::as_object_mut) {
                    p.extend(extra.as_object().cloned().unwrap_or_default());
                }
                Value::Object(o)
            })
            .unwrap_or_default()
    };
    let r = org
        .post(
            "/api/v1/users?activate=false",
            make(json!({"githubUsername": "x"})),
        )
        .await;
    assert_eq!(r.status, 400, "githubUsername is the default type's");
    let r = org
        .post("/api/v1/users?activate=false", make(json!({})))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body["_links"]["schema"]["href"].as_str() == Some(schema_url.as_str()),
        "{}",
        r.body
    );
    assert_eq!(
        user_with(&org, "d@example.com", json!({"agency": "Acme"}))
            .await
            .status,
        400
    );
    assert_eq!(
        org.get("/api/v1/meta/schemas/user/oscNope").await.status,
        404
    );
}

#[tokio::test]
async fn group_profiles_are_checked_against_the_group_schema() {
    let org = start().await;
    let r = org
        .post(
            "/api/v1/groups",
            json!({"profile": {"name": "G1", "costCode": 7}}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "E0000001"),
        "{}",
        r.body
    );
    let r = org
        .post(GROUP, json!({"definitions": {"custom": {"properties": {"costCode": {"title": "Cost code", "type": "integer", "unique": true}}}}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = org
        .post(
            "/api/v1/groups",
            json!({"profile": {"name": "G1", "costCode": 7}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    let r = org
        .post(
            "/api/v1/groups",
            json!({"profile": {"name": "G2", "costCode": 7}}),
        )
        .await;
    assert_eq!(r.status, 400, "unique: {}", r.body);
    let r = org
        .put(
            &format!("/api/v1/groups/{id}"),
            json!({"profile": {"name": "G1", "costCode": "7"}}),
        )
        .await;
    assert_eq!(r.status, 400, "type: {}", r.body);
    let r = org
        .put(
            &format!("/api/v1/groups/{id}"),
            json!({"profile": {"name": "G1b", "costCode": 7}}),
        )
        .await;
    assert_eq!(r.status, 200, "own value: {}", r.body);
}

#[tokio::test]
async fn a_put_with_only_a_password_keeps_the_profile() {
    // Recorded: PUT /api/v1/users/{id} with only credentials.password is 200, profile kept,
    // passwordChanged moves.
    let org = start().await;
    let u = org.user("pw@example.com", Some(PW), true).await;
    let id = u["id"].as_str().unwrap_or_default();
    let r = org
        .put(
            &format!("/api/v1/users/{id}"),
            json!({"credentials": {"password": {"value": "An0ther-Secret-Pass"}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["profile"], u["profile"]);
    assert!(r.body["credentials"]["password"] == json!({}));
    let r = org.put(&format!("/api/v1/users/{id}"), json!({})).await;
    assert_eq!(r.status, 400, "neither profile nor credentials");
}
