//! Users: create, get, update, replace, delete, sub-resources.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn create_matrix_follows_okta() {
    let org = start().await;
    let staged = org.user("staged@example.com", Some(PW), false).await;
    assert_eq!(staged["status"], "STAGED");
    assert_eq!(staged["activated"], serde_json::Value::Null);
    assert_eq!(staged["statusChanged"], serde_json::Value::Null);
    assert!(staged["passwordChanged"].is_string());
    assert_eq!(
        staged["credentials"]["password"],
        json!({}),
        "password never echoed"
    );
    assert_eq!(
        staged["credentials"]["provider"],
        json!({ "type": "OKTA", "name": "OKTA" })
    );
    assert_eq!(staged["profile"]["mobilePhone"], serde_json::Value::Null);
    assert!(
        staged["_links"]["activate"]["href"]
            .as_str()
            .unwrap_or("")
            .ends_with("/lifecycle/activate")
    );
    assert_eq!(staged["_links"]["activate"]["method"], "POST");

    let active = org.user("active@example.com", Some(PW), true).await;
    assert_eq!(active["status"], "ACTIVE");
    assert!(
        active["activated"]
            .as_str()
            .unwrap_or("")
            .ends_with(".000Z")
    );
    for link in [
        "suspend",
        "deactivate",
        "resetPassword",
        "expirePassword",
        "changePassword",
        "self",
    ] {
        assert!(
            active["_links"][link]["href"].is_string(),
            "ACTIVE user has {link}: {}",
            active["_links"]
        );
    }
    let id = active["id"].as_str().unwrap_or_default();
    assert_eq!(id.len(), 20);
    assert!(id.starts_with("00u"));

    let provisioned = org.user("nopw@example.com", None, true).await;
    assert_eq!(provisioned["status"], "PROVISIONED");
    assert!(provisioned["credentials"].get("password").is_none());

    let r = org
        .post(
            "/api/v1/users?activate=true&provider=true",
            json!({ "profile": { "firstName": "F", "lastName": "L", "email": "fed@example.com", "login": "fed@example.com" },
                    "credentials": { "provider": { "type": "FEDERATION", "name": "FEDERATION" } } }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "ACTIVE");
    assert_eq!(r.body["credentials"]["provider"]["type"], "FEDERATION");

    let r = org
        .post(
            "/api/v1/users?activate=true&nextLogin=changePassword",
            json!({ "profile": { "firstName": "F", "lastName": "L", "email": "nl@example.com", "login": "nl@example.com" },
                    "credentials": { "password": { "value": PW } } }),
        )
        .await;
    assert_eq!(r.body["status"], "PASSWORD_EXPIRED");
}

#[tokio::test]
async fn create_errors_use_okta_codes() {
    let org = start().await;
    org.user("dup@example.com", Some(PW), true).await;
    // Logins are unique case- and diacritic-insensitively.
    let r = org
        .post("/api/v1/users", json!({ "profile": { "firstName": "A", "lastName": "B", "email": "dup@example.com", "login": "DÚP@example.com" } }))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.code(), "E0000001");
    assert_eq!(r.body["errorSummary"], "Api validation failed: login");
    assert_eq!(
        r.body["errorCauses"][0]["errorSummary"],
        "login: An object with this field already exists in the current organization"
    );
    assert_eq!(r.body["errorLink"], "E0000001");
    assert!(r.body["errorId"].as_str().unwrap_or("").starts_with("oae"));

    let r = org.post("/api/v1/users", json!({ "profile": { "firstName": "A", "lastName": "B", "email": "x@example.com", "login": "not-an-email" } })).await;
    assert_eq!(r.code(), "E0000001");
    assert!(
        r.body["errorCauses"]
            .to_string()
            .contains("Username must be in the form of an email address")
    );

    let mk = |login: &str| json!({ "profile": { "firstName": "A", "lastName": "B", "email": login, "login": login } });
    let r = org
        .post(
            "/api/v1/users?activate=true&nextLogin=changePassword",
            mk("np@example.com"),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "E0000124"));
    let r = org
        .post(
            "/api/v1/users?activate=false&nextLogin=changePassword",
            mk("np@example.com"),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "E0000125"));

    let mut weak = mk("weak@example.com");
    weak["credentials"] = json!({ "password": { "value": "short" } });
    let r = org.post("/api/v1/users", weak).await;
    assert_eq!(r.code(), "E0000001");
    assert_eq!(r.body["errorSummary"], "Api validation failed: password");

    let mut many = mk("groups@example.com");
    many["groupIds"] = json!((0..21).map(|i| format!("00g{i}")).collect::<Vec<_>>());
    let r = org.post("/api/v1/users", many).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "E0000093"));

    let r = org
        .raw(
            reqwest::Method::POST,
            "/api/v1/users",
            Some(&format!("SSWS {}", org.emu.token())),
            None,
        )
        .await;
    assert_eq!(r.code(), "E0000001", "no body: profile required");
    let bad = org
        .http
        .post(org.url("/api/v1/users"))
        .header("authorization", format!("SSWS {}", org.emu.token()))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await;
    let bad = bad.map(|r| r.status().as_u16()).unwrap_or(0);
    assert_eq!(bad, 400);
}

#[tokio::test]
async fn get_by_id_or_login_and_404_wording() {
    let org = start().await;
    let u = org.user("Someone@Example.com", Some(PW), true).await;
    let id = u["id"].as_str().unwrap_or_default();
    assert_eq!(org.get(&format!("/api/v1/users/{id}")).await.body["id"], id);
    assert_eq!(
        org.get("/api/v1/users/someone@example.com").await.body["id"],
        id
    );
    let r = org.get("/api/v1/users/00unknown").await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body["errorSummary"],
        "Not found: Resource not found: 00unknown (User)"
    );
    assert_eq!(r.body["errorCauses"], json!([]));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let ok = org.get(&format!("/api/v1/users/{id}")).await;
    assert_eq!(
        ok.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
}

#[tokio::test]
async fn partial_update_merges_and_replace_replaces() {
    let org = start().await;
    let u = org.user("upd@example.com", Some(PW), true).await;
    let id = u["id"].as_str().unwrap_or_default();
    org.custom_user_properties(json!({
        "favoriteColors": {"title": "Colors", "type": "array", "items": {"type": "string"}}
    }))
    .await;
    let r = org
        .post(
            &format!("/api/v1/users/{id}"),
            json!({ "profile": { "nickName": "Upd", "favoriteColors": ["red", "blue"] } }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["profile"]["firstName"], "Test",
        "partial keeps other attributes"
    );
    assert_eq!(
        r.body["profile"]["favoriteColors"],
        json!(["red", "blue"]),
        "custom attributes stored as given"
    );

    let r = org
        .put(&format!("/api/v1/users/{id}"), json!({ "profile": { "firstName": "New", "lastName": "Name", "email": "upd@example.com", "login": "upd@example.com" } }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body["profile"].get("nickName").is_none(),
        "replace drops omitted attributes"
    );
    assert_eq!(r.body["profile"]["firstName"], "New");

    let r = org
        .put(
            &format!("/api/v1/users/{id}"),
            json!({ "profile": { "firstName": "Only" } }),
        )
        .await;
    assert_eq!(
        r.code(),
        "E0000001",
        "replace needs the required attributes"
    );

    // strict=true refuses re-using the current password.
    let r = org
        .post(
            &format!("/api/v1/users/{id}?strict=true"),
            json!({ "credentials": { "password": { "value": PW } } }),
        )
        .await;
    assert_eq!(r.code(), "E0000001");
    let r = org
        .post(
            &format!("/api/v1/users/{id}?strict=true"),
            json!({ "credentials": { "password": { "value": "An0ther-Passw0rd" } } }),
        )
        .await;
    assert_eq!(r.status, 200);

    // Changing the login to another user's login is refused.
    org.user("taken@example.com", None, false).await;
    let r = org
        .post(
            &format!("/api/v1/users/{id}"),
            json!({ "profile": { "login": "taken@example.com" } }),
        )
        .await;
    assert_eq!(r.code(), "E0000001");
}

#[tokio::test]
async fn delete_is_two_step() {
    let org = start().await;
    let u = org.user("del@example.com", Some(PW), true).await;
    let id = u["id"].as_str().unwrap_or_default();
    assert_eq!(org.delete(&format!("/api/v1/users/{id}")).await.status, 204);
    let r = org.get(&format!("/api/v1/users/{id}")).await;
    assert_eq!(
        r.body["status"], "DEPROVISIONED",
        "first delete deactivates"
    );
    assert_eq!(org.delete(&format!("/api/v1/users/{id}")).await.status, 204);
    assert_eq!(
        org.get(&format!("/api/v1/users/{id}")).await.status,
        404,
        "second delete removes"
    );
    assert_eq!(org.delete(&format!("/api/v1/users/{id}")).await.status, 404);
    // The login is free again.
    org.user("del@example.com", None, false).await;
}

#[tokio::test]
async fn groups_applinks_idps_blocks_and_sessions() {
    let org = start().await;
    let u = org.user("rel@example.com", Some(PW), true).await;
    let uid = u["id"].as_str().unwrap_or_default().to_owned();
    let g = org.group("Rel Group").await;
    let gid = g["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        org.put(&format!("/api/v1/groups/{gid}/users/{uid}"), json!(null))
            .await
            .status,
        204
    );

    let groups = org.get(&format!("/api/v1/users/{uid}/groups")).await.body;
    let names: Vec<_> = groups
        .as_array()
        .map(|a| a.iter().map(|g| g["profile"]["name"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(names, vec![json!("Everyone"), json!("Rel Group")]);
    assert_eq!(groups[0]["type"], "BUILT_IN");

    let app = org.post("/api/v1/apps", json!({ "label": "Direct", "signOnMode": "OPENID_CONNECT", "name": "oidc_client",
        "settings": { "oauthClient": { "redirect_uris": ["http://localhost/cb"], "response_types": ["code"], "grant_types": ["authorization_code"], "application_type": "web" } },
        "credentials": { "oauthClient": { "token_endpoint_auth_method": "client_secret_basic" } } })).await;
    assert_eq!(app.status, 200, "{}", app.body);
    assert!(app.body["id"].as_str().unwrap_or("").starts_with("0oa"));
    assert_eq!(
        app.body["credentials"]["oauthClient"]["client_id"],
        app.body["id"]
    );
    let direct = app.body["id"].as_str().unwrap_or_default().to_owned();
    let via_group = org
        .post(
            "/api/v1/apps",
            json!({ "label": "Via Group", "signOnMode": "OPENID_CONNECT", "name": "oidc_client" }),
        )
        .await
        .body;
    let via_group = via_group["id"].as_str().unwrap_or_default().to_owned();
    let r = org
        .put(&format!("/api/v1/apps/{direct}/users/{uid}"), json!({}))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["id"].as_str()),
        (200, Some(uid.as_str()))
    );
    let r = org
        .put(&format!("/api/v1/apps/{via_group}/groups/{gid}"), json!({}))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["id"].as_str()),
        (200, Some(gid.as_str()))
    );

    let links = org.get(&format!("/api/v1/users/{uid}/appLinks")).await.body;
    let labels: Vec<_> = links
        .as_array()
        .map(|a| a.iter().map(|l| l["label"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(labels, vec![json!("Direct"), json!("Via Group")]);
    let group_apps = org.get(&format!("/api/v1/groups/{gid}/apps")).await.body;
    assert_eq!(group_apps.as_array().map(Vec::len), Some(1));
    assert_eq!(group_apps[0]["id"], via_group);

    assert_eq!(
        org.get(&format!("/api/v1/users/{uid}/idps")).await.body,
        json!([])
    );
    assert_eq!(
        org.get(&format!("/api/v1/users/{uid}/blocks")).await.body,
        json!([])
    );
    org.admin(
        reqwest::Method::POST,
        &format!("/__emulator/users/{uid}/idps"),
        Some(json!({ "name": "Corp AD", "type": "OIDC" })),
    )
    .await;
    org.admin(
        reqwest::Method::POST,
        &format!("/__emulator/users/{uid}/blocks"),
        Some(json!({ "appliesTo": "UNKNOWN_DEVICES" })),
    )
    .await;
    assert_eq!(
        org.get(&format!("/api/v1/users/{uid}/idps")).await.body[0]["name"],
        "Corp AD"
    );
    assert_eq!(
        org.get(&format!("/api/v1/users/{uid}/blocks")).await.body,
        json!([{ "type": "DEVICE_BASED", "appliesTo": "UNKNOWN_DEVICES" }])
    );
    let expanded = org
        .get(&format!("/api/v1/users/{uid}?expand=blocks"))
        .await
        .body;
    assert_eq!(
        expanded["_embedded"]["blocks"][0]["appliesTo"],
        "UNKNOWN_DEVICES"
    );

    assert_eq!(
        org.delete(&format!("/api/v1/users/{uid}/sessions?oauthTokens=true"))
            .await
            .status,
        204
    );
    let inner = org
        .admin(
            reqwest::Method::GET,
            &format!("/__emulator/users/{uid}"),
            None,
        )
        .await
        .body;
    assert_eq!(
        (
            inner["sessionsRevoked"].as_u64(),
            inner["oauthTokensRevoked"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        org.delete("/api/v1/users/00unope/sessions").await.status,
        404
    );
}

#[tokio::test]
async fn profile_types_and_unknown_groups_are_validated() {
    let org = start().await;
    let u = org.user("typed@example.com", None, false).await;
    let id = u["id"].as_str().unwrap_or_default();
    assert!(
        u["credentials"]["emails"][0]["value"] == "typed@example.com",
        "user objects carry credentials.emails"
    );
    let r = org
        .post(
            &format!("/api/v1/users/{id}"),
            json!({ "profile": { "managerId": 6.6e16, "manager": [1] } }),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (400, "E0000001"),
        "{}",
        r.body
    );
    assert!(r.body["errorCauses"].to_string().contains("managerId"));
    let r = org
        .post(
            &format!("/api/v1/users/{id}"),
            json!({ "profile": { "countryCode": "USA" } }),
        )
        .await;
    assert_eq!(r.code(), "E0000001", "countryCode is at most 2 characters");
    org.custom_user_properties(json!({
        "customNumber": {"title": "N", "type": "integer"},
        "customList": {"title": "L", "type": "array", "items": {"type": "integer"}}
    }))
    .await;
    let r = org
        .post(
            &format!("/api/v1/users/{id}"),
            json!({ "profile": { "customNumber": 42, "customList": [1, 2] } }),
        )
        .await;
    assert_eq!(
        r.status, 200,
        "custom attributes the schema defines are stored as given"
    );
    assert_eq!(r.body["profile"]["customNumber"], 42);
    let r = org
        .post("/api/v1/users", json!({ "profile": { "firstName": "A", "lastName": "B", "email": "g@example.com", "login": "g@example.com" }, "groupIds": ["00g1emaKYZTWRYYRRTSK"] }))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["errorSummary"].as_str()),
        (400, Some("Api validation failed: groupIds"))
    );
}

#[tokio::test]
async fn apps_keep_writable_fields_and_follow_status() {
    let org = start().await;
    let r = org
        .post("/api/v1/apps", json!({ "label": "Portal", "signOnMode": "OPENID_CONNECT", "universalLogout": [[1]], "id": "0oaMINE", "created": "x",
            "credentials": { "oauthClient": { "token_endpoint_auth_method": "client_secret_post" } },
            "settings": { "oauthClient": { "redirect_uris": ["http://localhost/cb"] } } }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let app = r.body;
    assert!(
        app.get("universalLogout").is_none(),
        "read-only properties ignored"
    );
    assert_ne!(app["id"], "0oaMINE");
    assert_eq!(app["features"], json!([]));
    assert_eq!(
        app["credentials"]["userNameTemplate"]["template"],
        "${source.login}"
    );
    assert_eq!(
        app["credentials"]["signing"]["kid"].as_str().map(str::len),
        Some(43)
    );
    let secret = app["credentials"]["oauthClient"]["client_secret"].clone();
    assert!(secret.as_str().is_some_and(|s| s.len() >= 40));
    let id = app["id"].as_str().unwrap_or_default();
    assert!(app["_links"]["deactivate"].is_object() && app["_links"].get("self").is_none());
    let fetched = org.get(&format!("/api/v1/apps/{id}")).await.body;
    assert!(
        fetched["credentials"]["oauthClient"]
            .get("client_secret")
            .is_none(),
        "secret only on create"
    );
    assert_eq!(fetched["credentials"]["oauthClient"]["client_id"], id);
    let r = org
        .post(
            "/api/v1/apps",
            json!({ "label": "Typed", "signOnMode": "BOOKMARK", "visibility": { "hide": { "iOS": 3 } } }),
        )
        .await;
    assert_eq!(r.body["errorSummary"], "Api validation failed: visibility");
    let r = org.delete(&format!("/api/v1/apps/{id}")).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "E0000056"));
    assert_eq!(
        org.call(
            reqwest::Method::POST,
            &format!("/api/v1/apps/{id}/lifecycle/deactivate"),
            None
        )
        .await
        .status,
        200
    );
    let listed = org
        .get("/api/v1/apps?filter=status%20eq%20%22INACTIVE%22")
        .await
        .body;
    assert_eq!(listed[0]["id"], id);
    assert!(
        listed[0]["_links"]["activate"].is_object()
            && listed[0]["_links"].get("deactivate").is_none()
    );
    assert_eq!(org.delete(&format!("/api/v1/apps/{id}")).await.status, 204);
    let r = org
        .post(
            "/api/v1/apps",
            json!({ "label": "Bad", "signOnMode": "__not_in_enum__" }),
        )
        .await;
    assert_eq!(r.body["errorSummary"], "Api validation failed: signOnMode");
    let r = org
        .post("/api/v1/apps", json!({ "label": "No mode" }))
        .await;
    assert_eq!(r.body["errorSummary"], "Api validation failed: signOnMode");
    let r = org
        .post(
            "/api/v1/apps",
            json!({ "label": "Bad", "signOnMode": "BOOKMARK", "settings": "nope" }),
        )
        .await;
    assert_eq!(r.code(), "E0000001");
}

#[tokio::test]
async fn etag_and_if_match() {
    let org = start().await;
    let u = org.user("etag@example.com", None, false).await;
    let id = u["id"].as_str().unwrap_or_default();
    let got = org.get(&format!("/api/v1/users/{id}")).await;
    let tag = got.header("etag").unwrap_or_default().to_owned();
    assert!(tag.starts_with("W/\""), "{tag}");
    let send = |tag: String| {
        org.http
            .post(org.url(&format!("/api/v1/users/{id}")))
            .header("authorization", format!("SSWS {}", org.emu.token()))
            .header("if-match", tag)
            .json(&json!({ "profile": { "nickName": "E" } }))
            .send()
    };
    let ok = send(tag.clone())
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    assert_eq!(ok, 200);
    let stale = send(tag).await.map(|r| r.status().as_u16()).unwrap_or(0);
    assert_eq!(stale, 412, "the previous ETag no longer matches (E0000231)");
    let bad = send("nonsense".into())
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    assert_eq!(bad, 400, "malformed ETag (E0000242)");
}

#[tokio::test]
async fn a_user_is_found_by_the_short_form_of_the_login_when_unambiguous() {
    // BEHAVIOR §6: GET /users/{idOrLogin} accepts id, login, or an unambiguous short login.
    let org = start().await;
    let ada = org.user("ada.lovelace@example.com", None, false).await;
    org.user("grace@example.com", None, false).await;
    org.user("grace@example.org", None, false).await;
    let r = org.get("/api/v1/users/ada.lovelace").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["id"], ada["id"]);
    assert_eq!(
        org.get("/api/v1/users/Ada.Lovelace").await.body["id"],
        ada["id"],
        "case-insensitive"
    );
    let r = org.get("/api/v1/users/grace").await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (404, "E0000007"),
        "two users match: {}",
        r.body
    );
    let r = org.get("/api/v1/users/nobody").await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "E0000007"));
    assert_eq!(
        r.body["errorSummary"],
        "Not found: Resource not found: nobody (User)"
    );
}

#[tokio::test]
async fn an_apps_password_is_never_echoed() {
    // Recorded: an app created with `credentials.password.value` answers `"password": {}`.
    let org = start().await;
    let app = org
        .post(
            "/api/v1/apps",
            json!({"name": "template_basic_auth", "label": "Basic", "signOnMode": "BASIC_AUTH",
                   "settings": {"app": {"url": "https://example.com/login", "authURL": "https://example.com/auth"}},
                   "credentials": {"scheme": "SHARED_USERNAME_AND_PASSWORD",
                                   "userName": "shared", "password": {"value": "Sh4red-Secret"}}}),
        )
        .await;
    assert_eq!(app.status, 200, "{}", app.body);
    assert_eq!(app.body["credentials"]["password"], json!({}));
    let id = app.body["id"].as_str().unwrap_or_default().to_owned();
    let again = org.get(&format!("/api/v1/apps/{id}")).await;
    assert!(
        !again.body.to_string().contains("Sh4red-Secret"),
        "{}",
        again.body
    );
}
