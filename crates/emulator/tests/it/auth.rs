//! SSWS authentication and request-wide headers.

use reqwest::Method;

use crate::support::*;

#[tokio::test]
async fn ssws_token_rules() {
    let org = start().await;
    let token = org.emu.token().to_owned();
    assert_eq!(
        org.raw(
            Method::GET,
            "/api/v1/users",
            Some(&format!("SSWS {token}")),
            None
        )
        .await
        .status,
        200
    );
    assert_eq!(
        org.raw(
            Method::GET,
            "/api/v1/users",
            Some(&format!("SSWS{token}")),
            None
        )
        .await
        .status,
        200,
        "Python SDK 3.4.6 sends no space"
    );
    let r = org
        .raw(Method::GET, "/api/v1/users", Some("SSWS wrong"), None)
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (401, "E0000011"));
    assert_eq!(r.body["errorSummary"], "Invalid token provided");
    let r = org.raw(Method::GET, "/api/v1/users", None, None).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "E0000005"));
    assert_eq!(r.body["errorSummary"], "Invalid session");
    let r = org
        .raw(
            Method::GET,
            "/api/v1/users",
            Some(&format!("Bearer {token}")),
            None,
        )
        .await;
    assert_eq!(
        r.status, 401,
        "an access token the org never issued is refused"
    );
    // 401s still carry rate-limit headers and a request id.
    assert!(r.header("x-rate-limit-limit").is_some());
    assert!(r.header("x-okta-request-id").is_some());
}

#[tokio::test]
async fn every_response_has_request_id_and_date() {
    let org = start().await;
    let a = org.get("/api/v1/users").await;
    let b = org.get("/api/v1/nope").await;
    assert_eq!((b.status.as_u16(), b.code()), (404, "E0000008"));
    let c = org.call(Method::PATCH, "/api/v1/users", None).await;
    assert_eq!((c.status.as_u16(), c.code()), (405, "E0000022"));
    for r in [&a, &b, &c] {
        assert!(
            r.header("x-okta-request-id")
                .is_some_and(|id| id.len() >= 20)
        );
        assert!(r.header("date").is_some_and(|d| d.ends_with(" GMT")));
        for h in [
            "x-rate-limit-limit",
            "x-rate-limit-remaining",
            "x-rate-limit-reset",
        ] {
            assert!(r.header(h).is_some_and(|v| v.parse::<i64>().is_ok()), "{h}");
        }
    }
    assert_ne!(a.header("x-okta-request-id"), b.header("x-okta-request-id"));
}
