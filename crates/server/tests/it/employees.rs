//! `GET /v1/connections/{id}/employees`: the unified employee model, paged with `limit` and
//! `cursor`, filtered by status, department and update time.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use crate::common::{Key, TestDatabase, TestGateway, both_backends};

both_backends!(
    every_page_in_turn_gives_every_employee_once,
    filters_narrow_the_list,
    bad_query_parameters_are_named,
);

async fn start(db: &TestDatabase) -> TestGateway {
    TestGateway::builder().database(db).users(11).build().await
}

/// Every employee, following `next` from `query` (with `limit` 4); also checks each page's size.
async fn all_pages(gw: &TestGateway, key: Key<'_>, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let mut path = format!("/v1/connections/acme/employees?limit=4{query}");
        if let Some(c) = &cursor {
            path.push_str("&after=");
            path.push_str(&url::form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>());
        }
        let page = gw.send(Method::GET, &path, key, None).await;
        let page = page.ok(200).clone();
        let got = page["items"].as_array().expect("items").clone();
        assert!(got.len() <= 4, "{page}");
        items.extend(got);
        match page.get("next") {
            Some(Value::String(next)) => cursor = Some(next.clone()),
            None => return items,
            Some(other) => panic!("next is {other}"),
        }
    }
    panic!("more than 50 pages");
}

async fn every_page_in_turn_gives_every_employee_once(db: TestDatabase) {
    let gw = start(&db).await;
    gw.connect("acme").await;
    let everyone = gw.get("/v1/connections/acme/employees?limit=200").await;
    let everyone = everyone.ok(200).clone();
    assert!(everyone.get("next").is_none(), "{everyone}");
    let all = everyone["items"].as_array().expect("items");
    assert_eq!(all.len(), 11, "{everyone}");
    // Paged with the read-only key (a read action), in pages of 4.
    let paged = all_pages(&gw, Key::ReadOnly, "").await;
    assert_eq!(paged.len(), 11);
    let ids: BTreeSet<&str> = paged.iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids.len(), 11, "no employee twice");
    let all_ids: BTreeSet<&str> = all.iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids, all_ids);
    // The unified fields.
    for e in &paged {
        assert!(
            e["id"].as_str().is_some_and(|id| id.starts_with("00u")),
            "{e}"
        );
        assert!(
            ["active", "pending", "inactive", "terminated"]
                .contains(&e["employment_status"].as_str().unwrap_or("")),
            "{e}"
        );
        for field in [
            "okta_status",
            "username",
            "first_name",
            "last_name",
            "work_email",
        ] {
            assert!(e[field].is_string(), "{field} of {e}");
        }
        assert!(e["phones"].is_array(), "{e}");
        assert!(e["raw"]["profile"].is_object(), "the raw user: {e}");
        assert!(e.get("profile").is_none(), "not an Okta user: {e}");
    }
    gw.stop().await;
}

async fn filters_narrow_the_list(db: TestDatabase) {
    let gw = start(&db).await;
    gw.connect("acme").await;
    let all = gw
        .get("/v1/connections/acme/employees?limit=200")
        .await
        .ok(200)["items"]
        .as_array()
        .expect("items")
        .clone();
    // Department, compared without regard to case.
    let department = all
        .iter()
        .find_map(|e| e["department"].as_str())
        .expect("a department")
        .to_owned();
    let expected = all
        .iter()
        .filter(|e| {
            e["department"]
                .as_str()
                .is_some_and(|d| d.eq_ignore_ascii_case(&department))
        })
        .count();
    let query = format!(
        "&department={}",
        url::form_urlencoded::byte_serialize(department.to_uppercase().as_bytes())
            .collect::<String>()
    );
    let in_department = all_pages(&gw, Key::Full, &query).await;
    assert_eq!(in_department.len(), expected);
    assert!(
        in_department
            .iter()
            .all(|e| e["department"] == department.as_str())
    );
    // Status.
    for status in ["active", "pending", "inactive", "terminated"] {
        let expected = all
            .iter()
            .filter(|e| e["employment_status"] == status)
            .count();
        let got = all_pages(&gw, Key::Full, &format!("&status={status}")).await;
        assert_eq!(got.len(), expected, "{status}");
        assert!(got.iter().all(|e| e["employment_status"] == status));
    }
    let two = all_pages(&gw, Key::Full, "&status=active,terminated").await;
    assert_eq!(
        two.len(),
        all.iter()
            .filter(|e| e["employment_status"] == "active"
                || e["employment_status"] == "terminated")
            .count()
    );
    // Updated since: far future → none; far past → all.
    assert!(
        all_pages(&gw, Key::Full, "&updated_since=2999-01-01T00:00:00Z")
            .await
            .is_empty()
    );
    assert_eq!(
        all_pages(&gw, Key::Full, "&updated_since=2000-01-01T00:00:00Z")
            .await
            .len(),
        all.len()
    );
    gw.stop().await;
}

async fn bad_query_parameters_are_named(db: TestDatabase) {
    let gw = start(&db).await;
    gw.connect("acme").await;
    for (query, field) in [
        ("dept=Sales", "dept"),
        ("limit=ten", "limit"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("status=fired", "status[0]"),
        ("updated_since=yesterday", "updated_since"),
        ("cursor=garbage", "cursor"),
    ] {
        let r = gw
            .get(&format!("/v1/connections/acme/employees?{query}"))
            .await;
        r.problem(422, "invalid_input");
        let paths = r.problem_paths();
        assert!(
            paths.iter().any(|p| p == field || p.starts_with(field)),
            "{query}: {}",
            r.text
        );
    }
    gw.get("/v1/connections/nope/employees")
        .await
        .problem(404, "not_found");
    gw.stop().await;
}
