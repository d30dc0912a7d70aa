//! The Aerial API under `/aerial/{accountId}` over raw HTTP, with account tokens from the
//! admin API.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Org, start};

async fn account(org: &Org, scopes: Option<Value>) -> (String, String) {
    let body = match scopes {
        Some(s) => json!({"scopes": s}),
        None => json!({}),
    };
    let r = org
        .admin(Method::POST, "/__emulator/aerial/accounts", Some(body))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    (
        r.body["accountId"].as_str().unwrap_or_default().to_owned(),
        format!(
            "Bearer {}",
            r.body["access_token"].as_str().unwrap_or_default()
        ),
    )
}

#[tokio::test]
async fn aerial_orgs_status_products_and_paging() {
    let org = start().await;
    let (acc, tok) = account(&org, None).await;
    let base = format!("/aerial/{acc}/api/v1/orgs");

    for i in 0..3 {
        let r = org
            .raw(
                Method::POST,
                &base,
                Some(&tok),
                Some(json!({"orgId": format!("00oorg{i}"), "cell": "OK7"})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["accountId"], acc.as_str());
        assert_eq!(r.body["status"], "ACTIVE");
    }
    // Link pagination.
    let p1 = org
        .raw(Method::GET, &format!("{base}?limit=2"), Some(&tok), None)
        .await;
    assert_eq!(p1.status, 200);
    assert_eq!(p1.body.as_array().map(Vec::len), Some(2));
    let next = p1.next().unwrap_or_else(|| panic!("no next link"));
    let p2 = org.raw(Method::GET, &next, Some(&tok), None).await;
    assert_eq!(p2.body.as_array().map(Vec::len), Some(1));
    assert_eq!(p2.body[0]["id"], "00oorg2");
    assert!(p2.next().is_none());

    let g = org
        .raw(Method::GET, &format!("{base}/00oorg1"), Some(&tok), None)
        .await;
    assert_eq!(g.body["cell"], "OK7");
    let st = org
        .raw(
            Method::PUT,
            &format!("{base}/00oorg1/status"),
            Some(&tok),
            Some(json!({"status": "INACTIVE"})),
        )
        .await;
    assert_eq!(st.status, 200);
    assert_eq!(st.body["status"], "INACTIVE");
    let bad = org
        .raw(
            Method::PUT,
            &format!("{base}/00oorg1/status"),
            Some(&tok),
            Some(json!({"status": "GONE"})),
        )
        .await;
    assert_eq!(bad.status, 400);

    let f = org
        .raw(
            Method::GET,
            &format!("{base}?filter=status%20eq%20%22INACTIVE%22"),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(f.status, 200);
    assert_eq!(f.body.as_array().map(Vec::len), Some(1));
    assert_eq!(f.body[0]["id"], "00oorg1");
    let f = org
        .raw(
            Method::GET,
            &format!("{base}?filter=name%20eq%20%22x%22"),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(f.status, 400);

    // Products: PUT replaces the whole set and echoes it.
    let set = json!([{"id": "P000052", "name": "IT Products - SSO"}, {"id": "P000001"}]);
    let p = org
        .raw(
            Method::PUT,
            &format!("{base}/00oorg1/products"),
            Some(&tok),
            Some(set.clone()),
        )
        .await;
    assert_eq!(p.status, 200);
    assert_eq!(p.body, set);
    let p = org
        .raw(
            Method::PUT,
            &format!("{base}/00oorg1/products"),
            Some(&tok),
            Some(json!([{"id": "P000001"}])),
        )
        .await;
    assert_eq!(p.body.as_array().map(Vec::len), Some(1));
    let g = org
        .raw(
            Method::GET,
            &format!("{base}/00oorg1/products"),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(g.body, json!([{"id": "P000001"}]));

    // Unknown org; SSWS; another account's token; read-only token writing.
    let nf = org
        .raw(Method::GET, &format!("{base}/00onope"), Some(&tok), None)
        .await;
    assert_eq!(nf.status, 404);
    assert_eq!(org.get(&base).await.status, 401);
    let (_, other) = account(&org, None).await;
    let r = org.raw(Method::GET, &base, Some(&other), None).await;
    assert_eq!(r.status, 403);
    let (acc_ro, ro) = account(&org, Some(json!(["okta.accounts.read"]))).await;
    let r = org
        .raw(
            Method::POST,
            &format!("/aerial/{acc_ro}/api/v1/orgs"),
            Some(&ro),
            Some(json!({"orgId": "00ox"})),
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(
        r.header("www-authenticate")
            .is_some_and(|w| w.contains("okta.accounts.manage"))
    );
}
