//! The call observer: one event per HTTP attempt, retries and token requests included,
//! without secrets.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::TryStreamExt;
use p256::pkcs8::EncodePrivateKey;
use serde_json::json;
use spindle_okta::users::ListUsers;
use spindle_okta::{
    CallEvent, CallKind, CallObserver, Client, Config, Credentials, Method, PrivateKeyAuth,
    RetryPolicy, SigningKey,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestClock;

const TOKEN: &str = "sekrit-token-123";

#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<CallEvent>>);

impl CallObserver for Recorder {
    fn on_call(&self, call: &CallEvent) {
        self.0.lock().unwrap().push(call.clone());
    }
}

impl Recorder {
    fn events(&self) -> Vec<CallEvent> {
        self.0.lock().unwrap().clone()
    }
}

fn observed(config: Config) -> (Client, Arc<Recorder>) {
    let rec = Arc::new(Recorder::default());
    let config = config
        .retry(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_backoff(Duration::from_millis(1), Duration::from_millis(10)),
        )
        .observer(rec.clone());
    let client = Client::with_clock(config, Arc::new(TestClock::default())).unwrap();
    (client, rec)
}

fn ssws(url: &str) -> (Client, Arc<Recorder>) {
    observed(Config::with_api_token(url, TOKEN).unwrap())
}

fn host_of(uri: &str) -> String {
    uri.trim_start_matches("http://").to_owned()
}

fn user(id: &str) -> serde_json::Value {
    json!({"id": id, "status": "ACTIVE", "profile": {"login": "a@example.com"}})
}

#[tokio::test]
async fn success_and_okta_error_report_status_request_id_and_error_code() {
    let s = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-okta-request-id", "req-ok")
                .set_body_json(user("00u1")),
        )
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u404"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-okta-request-id", "req-404")
                .set_body_json(json!({
                    "errorCode": "E0000007",
                    "errorSummary": "Not found: Resource not found: 00u404 (User)",
                    "errorLink": "E0000007",
                    "errorId": "oae1",
                    "errorCauses": []
                })),
        )
        .mount(&s)
        .await;
    let (c, rec) = ssws(&s.uri());
    c.users().get("00u1", None).await.unwrap();
    let e = c.users().get("00u404", None).await.unwrap_err();
    assert_eq!(e.status(), Some(404));

    let ev = rec.events();
    assert_eq!(ev.len(), 2, "{ev:?}");
    let ok = &ev[0];
    assert_eq!(ok.kind, CallKind::Api);
    assert_eq!(ok.method, Method::GET);
    assert_eq!(ok.host, host_of(&s.uri()));
    assert_eq!(ok.path, "/api/v1/users/00u1");
    assert_eq!(ok.url_template.as_deref(), Some("/api/v1/users/{id}"));
    assert_eq!(ok.status, Some(200));
    assert_eq!(ok.request_id.as_deref(), Some("req-ok"));
    assert_eq!(ok.error_code, None);
    assert_eq!(ok.attempt, 1);
    assert!(ok.latency > Duration::ZERO);

    let nf = &ev[1];
    assert_eq!(nf.status, Some(404));
    assert_eq!(nf.request_id.as_deref(), Some("req-404"));
    assert_eq!(nf.error_code.as_deref(), Some("E0000007"));
    assert_eq!(nf.attempt, 1);
    for e in &ev {
        let dbg = format!("{e:?}");
        assert!(!dbg.contains(TOKEN), "{dbg}");
    }
}

#[tokio::test]
async fn query_string_stays_out_of_the_event() {
    let s = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([user("00u1")])))
        .mount(&s)
        .await;
    let (c, rec) = ssws(&s.uri());
    let users: Vec<_> = c
        .users()
        .list(ListUsers {
            search: Some("profile.email eq \"jane.doe@example.com\"".into()),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 1);
    let ev = rec.events();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0].path, "/api/v1/users");
    let dbg = format!("{:?}", ev[0]);
    assert!(!dbg.contains("jane"), "{dbg}");
    assert!(!dbg.contains('?'), "{dbg}");
}

#[tokio::test]
async fn retried_get_reports_each_attempt() {
    let s = MockServer::start().await;
    for (p, first) in [("/api/v1/users/00u1", 429), ("/api/v1/users/00u2", 503)] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(first).insert_header("x-okta-request-id", "req-1"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&s)
            .await;
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("x-okta-request-id", "req-2")
                    .set_body_json(user("00u1")),
            )
            .mount(&s)
            .await;
    }
    let (c, rec) = ssws(&s.uri());
    c.users().get("00u1", None).await.unwrap();
    c.users().get("00u2", None).await.unwrap();
    let ev = rec.events();
    let seen: Vec<_> = ev
        .iter()
        .map(|e| {
            (
                e.path.as_str(),
                e.attempt,
                e.status,
                e.request_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("/api/v1/users/00u1", 1, Some(429), Some("req-1")),
            ("/api/v1/users/00u1", 2, Some(200), Some("req-2")),
            ("/api/v1/users/00u2", 1, Some(503), Some("req-1")),
            ("/api/v1/users/00u2", 2, Some(200), Some("req-2")),
        ]
    );
}

#[tokio::test]
async fn transport_error_has_no_status() {
    // A port nobody listens on: every attempt fails to connect, and GETs are retried.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (c, rec) = ssws(&format!("http://127.0.0.1:{port}"));
    let e = c.users().get("00u1", None).await.unwrap_err();
    assert!(e.status().is_none(), "{e:?}");
    let ev = rec.events();
    let seen: Vec<_> = ev.iter().map(|e| (e.attempt, e.status)).collect();
    assert_eq!(seen, [(1, None), (2, None), (3, None)]);
    assert!(
        ev.iter()
            .all(|e| e.request_id.is_none() && e.error_code.is_none())
    );
    assert_eq!(ev[0].host, format!("127.0.0.1:{port}"));
}

fn oauth_config(uri: &str) -> Config {
    let key = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let pem = key.to_pkcs8_pem(Default::default()).unwrap();
    let creds = Credentials::PrivateKey(Box::new(PrivateKeyAuth::new(
        "0oaclient",
        vec!["okta.users.read".into()],
        SigningKey::parse(&pem).unwrap(),
    )));
    Config::new(uri, creds).unwrap().pacing(false)
}

#[tokio::test]
async fn token_requests_are_reported_as_token_calls_without_the_token() {
    let s = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-okta-request-id", "req-token")
                .set_body_json(json!({"token_type": "Bearer", "expires_in": 3600,
                    "access_token": "at-very-secret", "scope": "okta.users.read"})),
        )
        .expect(1)
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user("00u1")))
        .expect(2)
        .mount(&s)
        .await;
    let (c, rec) = observed(oauth_config(&s.uri()));
    c.users().get("00u1", None).await.unwrap();
    c.users().get("00u1", None).await.unwrap();
    let ev = rec.events();
    let seen: Vec<_> = ev
        .iter()
        .map(|e| (e.kind, e.method.as_str(), e.path.as_str(), e.status))
        .collect();
    assert_eq!(
        seen,
        [
            (CallKind::Token, "POST", "/oauth2/v1/token", Some(200)),
            (CallKind::Api, "GET", "/api/v1/users/00u1", Some(200)),
            (CallKind::Api, "GET", "/api/v1/users/00u1", Some(200)),
        ]
    );
    assert_eq!(ev[0].request_id.as_deref(), Some("req-token"));
    assert_eq!(ev[0].url_template, None);
    assert_eq!(ev[0].attempt, 1);
    let dbg = format!("{ev:?}");
    assert!(!dbg.contains("at-very-secret"), "{dbg}");
    assert!(!dbg.contains("client_assertion"), "{dbg}");
}

#[tokio::test]
async fn refused_token_request_reports_the_oauth_error() {
    let s = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"error": "invalid_client", "error_description": "The client is unknown."}),
        ))
        .mount(&s)
        .await;
    let (c, rec) = observed(oauth_config(&s.uri()));
    c.users().get("00u1", None).await.unwrap_err();
    let ev = rec.events();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0].kind, CallKind::Token);
    assert_eq!(ev[0].status, Some(401));
    assert_eq!(ev[0].error_code.as_deref(), Some("invalid_client"));
}

#[tokio::test]
async fn aerial_calls_report_through_the_same_observer_with_their_host() {
    let org = MockServer::start().await;
    let aerial = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/aerial/acc1/api/v1/orgs/00o1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-okta-request-id", "req-aerial")
                .set_body_json(json!({"id": "00o1", "accountId": "acc1", "name": "Org",
                    "region": "APAC", "cell": "OP1", "domain": "org.okta.com",
                    "status": "ACTIVE", "createdDate": "2024-01-01T00:00:00.000Z",
                    "createdBy": "00u1"})),
        )
        .expect(1)
        .mount(&aerial)
        .await;
    let (c, rec) = ssws(&org.uri());
    let a = c
        .aerial(&format!("{}/aerial", aerial.uri()), "acc1")
        .unwrap();
    a.get_org("00o1").await.unwrap();
    let ev = rec.events();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0].host, host_of(&aerial.uri()));
    assert_ne!(ev[0].host, host_of(&org.uri()));
    assert_eq!(ev[0].path, "/aerial/acc1/api/v1/orgs/00o1");
    assert_eq!(
        ev[0].url_template.as_deref(),
        Some("/{accountId}/api/v1/orgs/{orgId}")
    );
    assert_eq!(ev[0].request_id.as_deref(), Some("req-aerial"));
}

#[tokio::test]
async fn a_call_cancelled_by_its_deadline_is_still_reported() {
    let s = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(user("00u1"))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&s)
        .await;
    let rec = Arc::new(Recorder::default());
    let config = Config::with_api_token(&s.uri(), TOKEN)
        .unwrap()
        .retry(RetryPolicy::default().with_deadline(Duration::from_millis(200)))
        .observer(rec.clone());
    let c = Client::new(config).unwrap();
    let e = c.users().get("00u1", None).await.unwrap_err();
    assert!(matches!(e, spindle_okta::Error::Deadline(_)), "{e:?}");
    let ev = rec.events();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0].status, None);
}
