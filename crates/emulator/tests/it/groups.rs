//! Groups: CRUD, type rules, membership, listing.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn okta_group_crud() {
    let org = start().await;
    let r = org
        .post(
            "/api/v1/groups",
            json!({ "profile": { "name": "Engineers" } }),
        )
        .await;
    assert_eq!(r.status, 200);
    let g = r.body;
    assert_eq!(g["type"], "OKTA_GROUP");
    assert_eq!(g["objectClass"], json!(["okta:user_group"]));
    assert_eq!(
        g["profile"]["description"],
        serde_json::Value::Null,
        "explicit null description"
    );
    let gid = g["id"].as_str().unwrap_or_default().to_owned();
    assert!(gid.starts_with("00g") && gid.len() == 20);
    assert!(
        g["_links"]["users"]["href"]
            .as_str()
            .unwrap_or("")
            .ends_with(&format!("/api/v1/groups/{gid}/users"))
    );
    assert_eq!(g["_links"]["logo"].as_array().map(Vec::len), Some(2));

    let r = org
        .post(
            "/api/v1/groups",
            json!({ "profile": { "name": "engineers" } }),
        )
        .await;
    assert_eq!(r.code(), "E0000001", "duplicate name");
    let r = org
        .post(
            "/api/v1/groups",
            json!({ "profile": { "description": "no name" } }),
        )
        .await;
    assert_eq!(r.body["errorSummary"], "Api validation failed: name");

    let r = org
        .put(
            &format!("/api/v1/groups/{gid}"),
            json!({ "profile": { "name": "Engineering", "description": "All eng" } }),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["profile"]["name"], "Engineering");
    assert_eq!(
        org.get(&format!("/api/v1/groups/{gid}")).await.body["profile"]["description"],
        "All eng"
    );

    assert_eq!(
        org.delete(&format!("/api/v1/groups/{gid}")).await.status,
        204
    );
    let r = org.get(&format!("/api/v1/groups/{gid}")).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body["errorSummary"],
        format!("Not found: Resource not found: {gid} (UserGroup)")
    );
}

#[tokio::test]
async fn builtin_and_app_groups_are_protected() {
    let org = start().await;
    let u = org.user("m@example.com", None, false).await;
    let uid = u["id"].as_str().unwrap_or_default();
    let everyone = org.get("/api/v1/groups?q=Every").await.body[0].clone();
    assert_eq!(everyone["type"], "BUILT_IN");
    let eid = everyone["id"].as_str().unwrap_or_default();
    let r = org
        .put(&format!("/api/v1/groups/{eid}/users/{uid}"), json!(null))
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (501, "E0000060"));
    assert_eq!(r.body["errorSummary"], "Unsupported operation.");
    assert_eq!(
        org.delete(&format!("/api/v1/groups/{eid}")).await.code(),
        "E0000006"
    );
    assert_eq!(
        org.put(
            &format!("/api/v1/groups/{eid}"),
            json!({ "profile": { "name": "All" } })
        )
        .await
        .code(),
        "E0000006"
    );
    // Everyone's members are all users.
    let members = org.get(&format!("/api/v1/groups/{eid}/users")).await.body;
    assert_eq!(members[0]["id"], uid);

    let app_group = org
        .admin(
            Method::POST,
            "/__emulator/groups",
            Some(json!({ "type": "APP_GROUP", "profile": { "name": "AD Admins" } })),
        )
        .await
        .body;
    let aid = app_group["id"].as_str().unwrap_or_default();
    let r = org
        .put(&format!("/api/v1/groups/{aid}/users/{uid}"), json!(null))
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "E0000006"));
    assert_eq!(
        org.put(
            &format!("/api/v1/groups/{aid}"),
            json!({ "profile": { "name": "x" } })
        )
        .await
        .code(),
        "E0000006"
    );
    assert_eq!(
        org.delete(&format!("/api/v1/groups/{aid}")).await.status,
        204,
        "APP_GROUPs can be deleted"
    );
}

#[tokio::test]
async fn membership_is_idempotent_and_listed() {
    let org = start().await;
    let g = org.group("Members").await;
    let gid = g["id"].as_str().unwrap_or_default();
    let mut ids = Vec::new();
    for i in 0..5 {
        let u = org.user(&format!("mem{i}@example.com"), None, false).await;
        ids.push(u["id"].as_str().unwrap_or_default().to_owned());
    }
    for id in &ids {
        assert_eq!(
            org.put(&format!("/api/v1/groups/{gid}/users/{id}"), json!(null))
                .await
                .status,
            204
        );
        assert_eq!(
            org.put(&format!("/api/v1/groups/{gid}/users/{id}"), json!(null))
                .await
                .status,
            204
        );
    }
    let walked = org
        .walk(&format!("/api/v1/groups/{gid}/users?limit=2"))
        .await;
    assert_eq!(walked, ids);
    let page = org.get(&format!("/api/v1/groups/{gid}/users")).await;
    assert_eq!(
        page.body[0]["_links"]
            .as_object()
            .map(|l| l.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["self".to_owned()])
    );
    assert!(
        page.links()[0].contains("limit=1000"),
        "default members limit echoed: {:?}",
        page.links()
    );
    assert_eq!(
        org.delete(&format!("/api/v1/groups/{gid}/users/{}", ids[0]))
            .await
            .status,
        204
    );
    assert_eq!(
        org.walk(&format!("/api/v1/groups/{gid}/users")).await.len(),
        4
    );
    assert_eq!(
        org.put(&format!("/api/v1/groups/{gid}/users/00unope"), json!(null))
            .await
            .status,
        404
    );
    let stats = org
        .get(&format!("/api/v1/groups/{gid}?expand=stats"))
        .await
        .body;
    assert_eq!(stats["_embedded"]["stats"]["usersCount"], 4);
}

#[tokio::test]
async fn group_listing_q_filter_search() {
    let org = start().await;
    for n in ["Sales EMEA", "Sales US", "Support", "Security"] {
        org.group(n).await;
    }
    let names = |v: &serde_json::Value| {
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|g| g["profile"]["name"].as_str().unwrap_or("").to_owned())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        names(&org.get("/api/v1/groups?q=sales").await.body),
        ["Sales EMEA", "Sales US"]
    );
    let all = org.get("/api/v1/groups").await;
    assert_eq!(names(&all.body).len(), 5);
    assert!(all.links()[0].contains("limit=10000"), "{:?}", all.links());
    let r = org
        .get("/api/v1/groups?filter=type%20eq%20%22BUILT_IN%22")
        .await;
    assert_eq!(names(&r.body), ["Everyone"]);
    let r = org
        .get(
            "/api/v1/groups?search=profile.name%20co%20%22ec%22&sortBy=profile.name&sortOrder=desc",
        )
        .await;
    assert_eq!(names(&r.body), ["Security"]);
    let r = org.get("/api/v1/groups?search=profile.name%20sw%20%22s%22&sortBy=profile.name&sortOrder=desc&limit=2").await;
    assert_eq!(names(&r.body), ["Support", "Security"]);
    let rest = org.get(&r.next().unwrap_or_default()).await;
    assert_eq!(names(&rest.body), ["Sales US", "Sales EMEA"]);
    let r = org
        .get("/api/v1/groups?filter=profile.name%20eq%20%22x%22")
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "E0000031"));
}
