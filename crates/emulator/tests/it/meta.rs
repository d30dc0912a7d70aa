//! Linked objects (definitions and values) and user types over raw HTTP.

use serde_json::{Value, json};

use crate::support::{PW, start};

fn def(primary: &str, associated: &str) -> Value {
    json!({
        "primary": {"name": primary, "title": "Manager", "description": "d", "type": "USER"},
        "associated": {"name": associated, "title": "Subordinate", "type": "USER"}
    })
}

const LO: &str = "/api/v1/meta/schemas/user/linkedObjects";

#[tokio::test]
async fn linked_object_definitions_and_values() {
    let org = start().await;
    let r = org.post(LO, def("manager", "subordinate")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["primary"]["name"], "manager");
    assert!(
        r.body["_links"]["self"]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with("/linkedObjects/manager"))
    );
    // Duplicate names: 409 E0000127.
    let dup = org.post(LO, def("manager", "other")).await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.code(), "E0000127");
    let dup = org.post(LO, def("boss", "subordinate")).await;
    assert_eq!(dup.status, 409);
    // Bad names.
    let bad = org.post(LO, def("1st", "x")).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.code(), "E0000001");

    // Get by either name; the self link uses the primary name.
    let g = org.get(&format!("{LO}/subordinate")).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body["primary"]["name"], "manager");
    assert_eq!(org.get(LO).await.body.as_array().map(Vec::len), Some(1));
    assert_eq!(org.get(&format!("{LO}/nope")).await.status, 404);

    let boss = org.user("boss@example.com", Some(PW), true).await;
    let emp = org.user("emp@example.com", Some(PW), true).await;
    let emp2 = org.user("emp2@example.com", Some(PW), true).await;
    let (b, e, e2) = (
        boss["id"].as_str().unwrap_or_default(),
        emp["id"].as_str().unwrap_or_default(),
        emp2["id"].as_str().unwrap_or_default(),
    );
    let p = org
        .put(
            &format!("/api/v1/users/{e}/linkedObjects/manager/{b}"),
            json!(null),
        )
        .await;
    assert_eq!(p.status, 204, "{}", p.body);
    // By login too.
    let p = org
        .put(
            &format!("/api/v1/users/emp2@example.com/linkedObjects/manager/{b}"),
            json!(null),
        )
        .await;
    assert_eq!(p.status, 204);
    let m = org
        .get(&format!("/api/v1/users/{e}/linkedObjects/manager"))
        .await;
    assert_eq!(m.status, 200);
    assert!(
        m.body[0]["_links"]["self"]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with(&format!("/api/v1/users/{b}")))
    );
    let subs = org
        .get(&format!("/api/v1/users/{b}/linkedObjects/subordinate"))
        .await;
    assert_eq!(subs.body.as_array().map(Vec::len), Some(2));

    // `me` with a user token is that user.
    let t = org
        .admin(
            reqwest::Method::POST,
            "/__emulator/oauth/tokens",
            Some(json!({"userId": e, "scopes": ["okta.users.read"]})),
        )
        .await;
    let bearer = format!(
        "Bearer {}",
        t.body["access_token"].as_str().unwrap_or_default()
    );
    let me = org
        .raw(
            reqwest::Method::GET,
            "/api/v1/users/me/linkedObjects/manager",
            Some(&bearer),
            None,
        )
        .await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert!(
        me.body[0]["_links"]["self"]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with(&format!("/api/v1/users/{b}")))
    );
    let d = org
        .delete(&format!("/api/v1/users/{e2}/linkedObjects/manager"))
        .await;
    assert_eq!(d.status, 204);
    let d = org
        .delete(&format!("/api/v1/users/{e2}/linkedObjects/manager"))
        .await;
    assert_eq!(d.status, 204);
    let subs = org
        .get(&format!("/api/v1/users/{b}/linkedObjects/subordinate"))
        .await;
    assert_eq!(subs.body.as_array().map(Vec::len), Some(1));
    let d = org
        .delete(&format!("/api/v1/users/{e2}/linkedObjects/unknown"))
        .await;
    assert_eq!(d.status, 404);

    let d = org.delete(&format!("{LO}/manager")).await;
    assert_eq!(d.status, 204);
    assert_eq!(org.get(LO).await.body, json!([]));
}

const UT: &str = "/api/v1/meta/types/user";

#[tokio::test]
async fn user_types_crud_and_rules() {
    let org = start().await;
    let l = org.get(UT).await;
    assert_eq!(l.status, 200);
    assert_eq!(l.body[0]["default"], true);
    let default_id = l.body[0]["id"].as_str().unwrap_or_default().to_owned();

    let c = org
        .post(
            UT,
            json!({"name": "contractor", "displayName": "Contractor", "description": "c"}),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.body["default"], false);
    let tid = c.body["id"].as_str().unwrap_or_default().to_owned();
    let dup = org
        .post(UT, json!({"name": "Contractor", "displayName": "X"}))
        .await;
    assert_eq!(dup.status, 400);
    let bad = org
        .post(UT, json!({"name": "has space", "displayName": "X"}))
        .await;
    assert_eq!(bad.status, 400);
    let nod = org.post(UT, json!({"name": "nodisplay"})).await;
    assert_eq!(nod.status, 400);

    // Partial update keeps the description; replace clears it; name is immutable.
    let u = org
        .post(
            &format!("{UT}/{tid}"),
            json!({"displayName": "Contractors"}),
        )
        .await;
    assert_eq!(u.status, 200);
    assert_eq!(u.body["displayName"], "Contractors");
    assert_eq!(u.body["description"], "c");
    let r = org
        .put(
            &format!("{UT}/{tid}"),
            json!({"name": "contractor", "displayName": "C2"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.get("description").is_none(), "{}", r.body);
    let r = org
        .put(
            &format!("{UT}/{tid}"),
            json!({"name": "renamed", "displayName": "C2"}),
        )
        .await;
    assert_eq!(r.status, 400);

    // At most 10 types.
    for i in 0..8 {
        let r = org
            .post(UT, json!({"name": format!("t{i}"), "displayName": "T"}))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let over = org
        .post(UT, json!({"name": "t9", "displayName": "T"}))
        .await;
    assert_eq!(over.status, 400);

    // The default type and a type in use can't be deleted.
    let d = org.delete(&format!("{UT}/{default_id}")).await;
    assert_eq!(d.status, 403);
    assert_eq!(d.code(), "E0000142");
    let user = org
        .post(
            "/api/v1/users?activate=false",
            json!({"profile": {"firstName": "C", "lastName": "T", "email": "ct@example.com", "login": "ct@example.com"}, "type": {"id": tid}}),
        )
        .await;
    assert_eq!(user.status, 200, "{}", user.body);
    let d = org.delete(&format!("{UT}/{tid}")).await;
    assert_eq!(d.status, 403);
    assert_eq!(d.code(), "E0000142");
    let uid = user.body["id"].as_str().unwrap_or_default().to_owned();
    org.delete(&format!("/api/v1/users/{uid}")).await;
    org.delete(&format!("/api/v1/users/{uid}")).await;
    let d = org.delete(&format!("{UT}/{tid}")).await;
    assert_eq!(d.status, 204);
    assert_eq!(org.get(&format!("{UT}/{tid}")).await.status, 404);
}
