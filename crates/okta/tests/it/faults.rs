//! wiremock tests for what the emulator cannot produce: broken bodies, missing headers,
//! pagination loops, 429s without headers, and retry / auth edge cases.

use std::time::Duration;

use futures::TryStreamExt;
use serde_json::json;
use spindle_okta::Error;
use spindle_okta::models::{CreateUserBody, UserProfile};
use spindle_okta::users::{CreateUser, ListUsers};
use wiremock::matchers::{header, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::client;

fn user(id: &str) -> serde_json::Value {
    json!({"id": id, "status": "ACTIVE", "activated": null, "profile": {"login": format!("{id}@example.com"), "costCenter": "X"}})
}

/// A server with a catch-all that fails the test on any request no mock expects.
async fn server() -> MockServer {
    let s = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(599).set_body_string("unexpected request"))
        .with_priority(u8::MAX)
        .expect(0)
        .named("catch-all: unexpected request")
        .mount(&s)
        .await;
    s
}

#[tokio::test]
async fn html_502_is_retried_for_get_and_keeps_status_and_snippet() {
    let s = server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(
            ResponseTemplate::new(502)
                .insert_header("content-type", "text/html")
                .set_body_string("<html><body><h1>502 Bad Gateway</h1></body></html>"),
        )
        .expect(3)
        .mount(&s)
        .await;
    let (c, _) = client(&s.uri());
    let e = c.users().get("00u1", None).await.unwrap_err();
    assert_eq!(e.status(), Some(502));
    let Error::RetriesExhausted { attempts, last } = e else {
        panic!("expected retries exhausted, got {e:?}")
    };
    assert_eq!(attempts, 3);
    let Error::Http { snippet, .. } = *last else {
        panic!("expected Http error")
    };
    assert!(snippet.contains("502 Bad Gateway"), "{snippet}");
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_naming_the_path() {
    let s = server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-okta-request-id", "req-trunc")
                .set_body_raw(
                    r#"{"id":"00u1","profile":{"login":"a@b.c","firstName":"Ja"#,
                    "application/json",
                ),
        )
        .expect(1)
        .mount(&s)
        .await;
    let (c, _) = client(&s.uri());
    match c.users().get("00u1", None).await {
        Err(Error::Decode {
            path, request_id, ..
        }) => {
            assert!(path.starts_with("profile"), "path was {path}");
            assert_eq!(request_id.as_deref(), Some("req-trunc"));
        }
        other => panic!("expected decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn lists_work_without_rate_limit_headers() {
    let s = server().await;
    let next = format!("{}/api/v1/users?after=00u2&limit=200", s.uri());
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(query_param("after", "00u2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([user("00u3")])))
        .with_priority(1)
        .expect(1)
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(query_param("limit", "200"))
        .respond_with(
            ResponseTemplate::new(200)
                .append_header(
                    "link",
                    format!("<{}/api/v1/users?limit=200>; rel=\"self\"", s.uri()),
                )
                .append_header("link", format!("<{next}>; rel=\"next\""))
                .set_body_json(json!([user("00u1"), user("00u2")])),
        )
        .with_priority(2)
        .expect(1)
        .mount(&s)
        .await;
    let (c, _) = client(&s.uri());
    let users: Vec<_> = c
        .users()
        .list(ListUsers::new())
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = users
        .iter()
        .filter_map(|u| u.id.as_ref().map(|i| i.0.clone()))
        .collect();
    assert_eq!(ids, ["00u1", "00u2", "00u3"]);
    // Custom attributes survive.
    assert_eq!(users[0].profile.get_str("costCenter"), Some("X"));
}

#[tokio::test]
async fn a_repeated_next_link_ends_the_stream_with_an_error() {
    let s = server().await;
    let loop_url = format!("{}/api/v1/users?after=00u2&limit=200", s.uri());
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .respond_with(
            ResponseTemplate::new(200)
                .append_header("link", format!("<{loop_url}>; rel=\"next\""))
                .set_body_json(json!([user("00u1")])),
        )
        .expect(2)
        .mount(&s)
        .await;
    let (c, _) = client(&s.uri());
    let mut stream = c.users().list(ListUsers::new());
    let mut seen = 0;
    let err = loop {
        match stream.try_next().await {
            Ok(Some(_)) => seen += 1,
            Ok(None) => panic!("stream ended without detecting the loop"),
            Err(e) => break e,
        }
    };
    assert_eq!(seen, 2);
    assert!(matches!(err, Error::PaginationLoop { .. }), "{err:?}");
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused() {
    let s = server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .respond_with(
            ResponseTemplate::new(200)
                .append_header(
                    "link",
                    "<https://evil.example.com/api/v1/users?after=x>; rel=\"next\"",
                )
                .set_body_json(json!([user("00u1")])),
        )
        .expect(1)
        .mount(&s)
        .await;
    let (c, _) = client(&s.uri());
    let r: Result<Vec<_>, _> = c.users().list(ListUsers::new()).try_collect().await;
    assert!(matches!(r, Err(Error::Config(m)) if m.contains("evil.example.com")));
}

#[tokio::test]
async fn a_429_without_headers_backs_off_then_retries() {
    let s = server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups/00g1"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests.",
            "errorLink": "E0000047", "errorId": "oae1", "errorCauses": []})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/groups/00g1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "00g1", "profile": {"name": "G"}})),
        )
        .expect(1)
        .mount(&s)
        .await;
    let (c, clock) = client(&s.uri());
    let g = c.groups().get("00g1").await.unwrap();
    assert_eq!(g.profile.name(), Some("G"));
    let waited: Duration = clock.sleeps().iter().sum();
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
}

#[tokio::test]
async fn a_429_waits_for_the_reset_and_says_what_it_retries() {
    let s = server().await;
    let now = std::time::SystemTime::now();
    let date = httpdate::fmt_http_date(now);
    let reset = now.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 7;
    Mock::given(method("POST"))
        .and(path("/api/v1/groups"))
        .and(header("x-okta-retry-for", "req-429"))
        .and(header("x-okta-retry-count", "1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "00g2", "profile": {"name": "New"}})),
        )
        .expect(1)
        .mount(&s)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/groups"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("date", date.as_str())
                .insert_header("x-okta-request-id", "req-429")
                .insert_header("x-rate-limit-limit", "600")
                .insert_header("x-rate-limit-remaining", "0")
                .insert_header("x-rate-limit-reset", reset.to_string().as_str())
                .set_body_json(
                    json!({"errorCode": "E0000047", "errorSummary": "x", "errorCauses": []}),
                ),
        )
        .with_priority(10)
        .expect(1)
        .mount(&s)
        .await;
    let (c, clock) = client(&s.uri());
    // A POST is retried after a 429: Okta did not act on it.
    let g = c
        .groups()
        .create(&spindle_okta::models::GroupBody::new("New", None))
        .await
        .unwrap();
    assert_eq!(g.profile.name(), Some("New"));
    let waited: Duration = clock.sleeps().iter().sum();
    assert!(
        waited >= Duration::from_secs(7) && waited <= Duration::from_secs(10),
        "waited {waited:?}"
    );
}

#[tokio::test]
async fn a_post_is_not_resent_after_a_500_but_a_get_is_after_a_503() {
    let s = server().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "errorCode": "E0000009", "errorSummary": "Internal Server Error", "errorId": "oae9",
            "errorCauses": []})))
        .expect(1)
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("00u1")))
        .expect(1)
        .mount(&s)
        .await;
    let (c, _) = client(&s.uri());
    let body = CreateUserBody {
        profile: UserProfile::new().with("login", "a@example.com"),
        ..Default::default()
    };
    let e = c.users().create(CreateUser::new(body)).await.unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(e.error_code(), Some("E0000009"));
    let Error::Api { error, .. } = &e else {
        panic!()
    };
    assert_eq!(error.error_id.as_deref(), Some("oae9"));
    let u = c.users().get("00u1", None).await.unwrap();
    assert_eq!(u.id.unwrap().0, "00u1");
}

#[tokio::test]
async fn bodyless_lifecycle_posts_send_content_length_zero_and_ssws() {
    let s = server().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users/00u1/lifecycle/suspend"))
        .and(header("content-length", "0"))
        .and(header("authorization", "SSWS sekrit-token-123"))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&s)
        .await;
    let (c, _) = client(&s.uri());
    c.users().suspend("00u1").await.unwrap();
}

#[tokio::test]
async fn logs_and_debug_output_never_contain_the_token() {
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let w = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || w.clone())
        .finish();
    let _g = tracing::subscriber::set_default(subscriber);

    let s = server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .and(header_exists("authorization"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-okta-request-id", "req-404")
                .set_body_json(json!({
            "errorCode": "E0000007", "errorSummary": "Not found: Resource not found: 00u1 (User)",
            "errorCauses": []})),
        )
        .expect(1)
        .mount(&s)
        .await;
    let (c, _) = client(&s.uri());
    let e = c.users().get("00u1", None).await.unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(e.request_id(), Some("req-404"));
    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/api/v1/users/{id}"),
        "span lacks the path template: {logs}"
    );
    assert!(
        logs.contains("req-404"),
        "span lacks the request id: {logs}"
    );
    for text in [logs, format!("{c:?}"), format!("{e:?}"), e.to_string()] {
        assert!(!text.contains("sekrit-token-123"), "secret leaked: {text}");
    }
}

#[tokio::test]
async fn okta_error_bodies_keep_every_field() {
    let s = server().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users"))
        .respond_with(ResponseTemplate::new(400).insert_header("x-okta-request-id", "r1").set_body_json(json!({
            "errorCode": "E0000001", "errorSummary": "Api validation failed: login", "errorLink": "E0000001",
            "errorId": "oaeX", "errorCauses": [{"errorSummary": "login: An object with this field already exists in the current organization"}]})))
        .expect(1)
        .mount(&s)
        .await;
    let (c, _) = client(&s.uri());
    let body = CreateUserBody {
        profile: UserProfile::new().with("login", "dup@example.com"),
        ..Default::default()
    };
    let e = c.users().create(CreateUser::new(body)).await.unwrap_err();
    let Error::Api {
        status,
        error,
        request_id,
    } = e
    else {
        panic!("{e:?}")
    };
    assert_eq!((status, request_id.as_deref()), (400, Some("r1")));
    assert_eq!(error.error_summary, "Api validation failed: login");
    assert_eq!(error.error_id.as_deref(), Some("oaeX"));
    assert!(error.error_causes[0].error_summary.starts_with("login:"));
}
