//! The harness: an in-process emulated Okta org and a gateway in front of it, on SQLite (a temp
//! file) or PostgreSQL (a fresh database, dropped afterwards), with a full and a read-only key.
//!
//! PostgreSQL is found at `SPINDLE_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test` (any database the role may connect to; the test
//! databases are created beside it). When it is unreachable the PostgreSQL variant prints why and
//! passes, unless `SPINDLE_NO_SKIP=1`, where it fails.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt as _;
use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};
use spindle_server::{Gateway, OrgUrlPolicy, Settings};
use spindle_store::{ApiKeyScope, MasterKey, Store};
use sqlx::Connection as _;

/// Which database the gateway stores into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database for one test: its URL, valid for the test's duration.
#[derive(Debug, Clone)]
pub struct Db {
    pub url: String,
}

fn no_skip() -> bool {
    std::env::var("SPINDLE_NO_SKIP").is_ok_and(|v| v == "1")
}

fn postgres_admin_url() -> String {
    std::env::var("SPINDLE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Runs `test` with a fresh database of `backend`, removed afterwards (also when it panics).
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("spindle.db").display());
            test(Db { url }).await;
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
                Ok(c) => c,
                Err(e) => {
                    let msg = format!(
                        "PostgreSQL is not reachable at {admin_url} ({e}); start a server \
                         (trust auth for user postgres) or set SPINDLE_TEST_POSTGRES_URL"
                    );
                    assert!(!no_skip(), "{msg} (SPINDLE_NO_SKIP=1)");
                    eprintln!("SKIPPED (PostgreSQL variant): {msg}");
                    return;
                }
            };
            static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            let name = format!(
                "spindle_gw_test_{}_{}_{}",
                std::process::id(),
                nanos,
                SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            );
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create test database");
            let mut url = url::Url::parse(&admin_url).expect("postgres url");
            url.set_path(&format!("/{name}"));
            let db = Db {
                url: url.to_string(),
            };
            let outcome = AssertUnwindSafe(test(db)).catch_unwind().await;
            // Drop even when the body panicked; FORCE ends connections the gateway left open.
            let dropped = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await;
            if let Err(panic) = outcome {
                std::panic::resume_unwind(panic);
            }
            dropped.expect("drop test database");
        }
    }
}

/// Declares each listed `async fn name(db: Db)` of the enclosing module as two tests,
/// `sqlite::name` and `postgres::name`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::support::run($crate::support::Backend::Sqlite, super::$name).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::support::run($crate::support::Backend::Postgres, super::$name).await
                }
            )*
        }
    };
}
pub(crate) use both_backends;

/// How to start a gateway.
#[derive(Debug, Clone)]
pub struct Options {
    /// Users the emulated org starts with.
    pub users: usize,
    /// Groups the emulated org starts with.
    pub groups: usize,
    /// The gateway's settings.
    pub settings: Settings,
    /// The emulator's rate-limit window (also the wait its injected 429s announce).
    pub rate_limit_window: std::time::Duration,
}

/// Settings that let connections reach the emulator on loopback.
pub fn dev_settings() -> Settings {
    let mut settings = Settings::default();
    settings.policy = OrgUrlPolicy {
        allow_private: true,
        ..OrgUrlPolicy::default()
    };
    settings
}

impl Default for Options {
    fn default() -> Self {
        Options {
            users: 0,
            groups: 0,
            settings: dev_settings(),
            rate_limit_window: std::time::Duration::from_secs(60),
        }
    }
}

/// A running gateway in front of an emulated org.
pub struct Gw {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    /// A `full` key's secret.
    pub full: String,
    /// A `read_only` key's secret.
    pub read_only: String,
    /// The emulated org.
    pub emu: Emulator,
    /// The gateway's store (to revoke keys, …).
    pub store: Store,
    /// The HTTP client.
    pub http: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// An answer of the gateway.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Resp {
    /// A header's value, `""` when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Asserts a success status and returns the JSON body.
    #[track_caller]
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "{}", self.text);
        &self.json
    }

    /// Asserts a problem document with `status` and `code`; returns it.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(
            self.header("content-type"),
            "application/problem+json",
            "{}",
            self.text
        );
        assert_eq!(self.json["code"], code, "{}", self.text);
        assert_eq!(self.json["status"], status, "{}", self.text);
        assert_eq!(
            self.json["type"],
            format!("urn:spindle:problem:{code}"),
            "{}",
            self.text
        );
        assert!(
            self.json["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{}",
            self.text
        );
        assert!(
            self.json["detail"].as_str().is_some_and(|t| !t.is_empty()),
            "{}",
            self.text
        );
        &self.json
    }

    /// The `path` of every entry of `problems`.
    pub fn problem_paths(&self) -> Vec<String> {
        self.json["problems"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p["path"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts a 422 `code` problem naming exactly the fields `paths` (in any order).
    #[track_caller]
    pub fn invalid(&self, code: &str, paths: &[&str]) {
        self.problem(422, code);
        let mut got = self.problem_paths();
        got.sort();
        let mut want: Vec<String> = paths.iter().map(|p| (*p).to_owned()).collect();
        want.sort();
        assert_eq!(got, want, "{}", self.text);
    }
}

/// Which key a request carries.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    Full,
    ReadOnly,
    None,
    /// A raw `Authorization` header value.
    Raw(&'a str),
}

impl Gw {
    /// A gateway with the development policy, over an empty org.
    pub async fn start(db: &Db) -> Gw {
        Gw::start_with(db, Options::default()).await
    }

    /// A gateway with `options`.
    pub async fn start_with(db: &Db, options: Options) -> Gw {
        let emu = Emulator::start(EmulatorConfig {
            users: options.users,
            groups: options.groups,
            rate_limit: RateLimitMode::Off,
            rate_limit_window: options.rate_limit_window,
            ..Default::default()
        })
        .await
        .expect("the emulator starts");
        let store = Store::connect(&db.url, MasterKey::generate())
            .await
            .expect("the store opens");
        let (_, full) = store
            .api_keys()
            .create("tests full", ApiKeyScope::Full)
            .await
            .expect("a full key");
        let (_, read_only) = store
            .api_keys()
            .create("tests read-only", ApiKeyScope::ReadOnly)
            .await
            .expect("a read-only key");
        let gateway = Gateway::new(store.clone(), options.settings);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            gateway
                .serve(listener, async move {
                    let _ = rx.await;
                })
                .await
                .expect("the gateway serves");
        });
        Gw {
            base,
            full: full.expose_secret().to_owned(),
            read_only: read_only.expose_secret().to_owned(),
            emu,
            store,
            http: reqwest::Client::new(),
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    /// Stops the gateway (waiting for queued call-log records to be written).
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.store.close().await;
    }

    /// Sends a request; `body` is sent as JSON.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        key: Key<'_>,
        body: Option<Value>,
    ) -> Resp {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        request = match key {
            Key::Full => request.bearer_auth(&self.full),
            Key::ReadOnly => request.bearer_auth(&self.read_only),
            Key::None => request,
            Key::Raw(value) => request.header("authorization", value),
        };
        if let Some(body) = body {
            request = request.json(&body);
        }
        Resp::of(request.send().await.expect("the gateway answers")).await
    }

    /// Sends raw bytes with a content type, with the full key.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Resp {
        let request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.full)
            .header("content-type", content_type)
            .body(body);
        Resp::of(request.send().await.expect("the gateway answers")).await
    }

    /// GET with the full key.
    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, Key::Full, None).await
    }

    /// POST JSON with the full key.
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(Method::POST, path, Key::Full, Some(body)).await
    }

    /// PATCH JSON with the full key.
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PATCH, path, Key::Full, Some(body)).await
    }

    /// Creates an API-token connection named `name` to the emulator; returns its id.
    pub async fn connect(&self, name: &str) -> String {
        let created = self
            .post(
                "/v1/connections",
                json!({"name": name, "org_url": self.emu.url(),
                       "auth": {"kind": "api_token", "token": self.emu.token()}}),
            )
            .await;
        created.ok(201)["id"]
            .as_str()
            .expect("a connection id")
            .to_owned()
    }

    /// Runs an action for a connection with the full key.
    pub async fn run(&self, connection: &str, action: &str, input: Value) -> Resp {
        self.post(
            &format!("/v1/connections/{connection}/actions/{action}"),
            input,
        )
        .await
    }

    /// Calls the emulator's admin API.
    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}/__emulator/{path}", self.emu.url()));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the admin API answers");
        response.json().await.unwrap_or(Value::Null)
    }

    /// The requests the emulator received for `/api/...` and `/oauth2/...`.
    pub async fn okta_requests(&self) -> Vec<Value> {
        let log = self.admin(Method::GET, "requests?limit=1000", None).await;
        log["requests"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| {
                !r["path"]
                    .as_str()
                    .unwrap_or("/__emulator")
                    .starts_with("/__emulator")
            })
            .collect()
    }
}

impl Resp {
    pub async fn of(response: reqwest::Response) -> Resp {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            text,
            json,
        }
    }
}

impl Drop for Gw {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
