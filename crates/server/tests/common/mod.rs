//! The one harness of the gateway's tests, included by every test binary of this crate: a
//! [`TestGateway`] (an in-process emulated Okta org, and a gateway in front of it serving on
//! `127.0.0.1:0` over a store, with a full and a read-only key), made by
//! [`TestGateway::builder`], and the requests tests send it.
//!
//! The database is a fresh SQLite file by default, or the test database given to
//! [`TestGatewayBuilder::database`]: [`both_backends!`] runs a test body on SQLite and on
//! PostgreSQL with the store's shared test databases ([`spindle_store::testing`]).

// Each test binary uses a part of it.
#![allow(dead_code, unused_imports, unused_macros)]

use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};
use spindle_server::{Gateway, OrgUrlPolicy, Settings};
use spindle_store::{ApiKeyScope, Connection, MasterKey, NewConnection, Store};

pub use spindle_store::Backend;
pub use spindle_store::testing::{TestDatabase, with_database};

/// Declares each listed `async fn name(db: TestDatabase)` of the enclosing module as two tests,
/// `sqlite::name` and `postgres::name`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        spindle_store::both_backends!(spindle_store::testing::with_database; $($name),*);
    };
}
pub(crate) use both_backends;

/// Settings that let connections reach the emulator on loopback.
pub fn dev_settings() -> Settings {
    let mut settings = Settings::default();
    settings.policy = OrgUrlPolicy {
        allow_private: true,
        ..OrgUrlPolicy::default()
    };
    settings
}

/// How to start a [`TestGateway`].
#[derive(Debug)]
pub struct TestGatewayBuilder {
    database: Option<String>,
    emulator: EmulatorConfig,
    settings: Settings,
    connection: Option<String>,
}

impl TestGatewayBuilder {
    /// Stores into `db` (default: a fresh SQLite file the gateway owns).
    pub fn database(mut self, db: &TestDatabase) -> Self {
        self.database = Some(db.url.clone());
        self
    }

    /// Starts the emulated org with `config` (default: empty, rate limits off, a 60 s window).
    pub fn emulator(mut self, config: EmulatorConfig) -> Self {
        self.emulator = config;
        self
    }

    /// Users the emulated org starts with.
    pub fn users(mut self, users: usize) -> Self {
        self.emulator.users = users;
        self
    }

    /// Groups the emulated org starts with.
    pub fn groups(mut self, groups: usize) -> Self {
        self.emulator.groups = groups;
        self
    }

    /// The gateway's settings (default: [`dev_settings`]).
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Creates an API-token connection `name` to the emulator in the store before the gateway
    /// starts ([`TestGateway::connection`]).
    pub fn connection(mut self, name: &str) -> Self {
        self.connection = Some(name.to_owned());
        self
    }

    /// Starts the emulator and the gateway.
    pub async fn build(self) -> TestGateway {
        let emu = Emulator::start(self.emulator)
            .await
            .expect("the emulator starts");
        let (url, dir) = match self.database {
            Some(url) => (url, None),
            None => {
                let dir = tempfile::tempdir().expect("a temp dir");
                let url = format!("sqlite://{}", dir.path().join("gateway.db").display());
                (url, Some(dir))
            }
        };
        let store = Store::connect(&url, MasterKey::generate())
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
        let connection = match self.connection {
            Some(name) => Some(
                store
                    .connections()
                    .create(NewConnection::api_token(
                        &name,
                        emu.url(),
                        emu.token().to_owned().into(),
                    ))
                    .await
                    .expect("a connection"),
            ),
            None => None,
        };
        let gateway = Gateway::new(store.clone(), self.settings);
        let feed = gateway.state().feed_notifier();
        let state = gateway.state().clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(gateway.serve(listener, async move {
            let _ = rx.await;
        }));
        TestGateway {
            base,
            full: full.expose_secret().to_owned(),
            read_only: read_only.expose_secret().to_owned(),
            emu,
            store,
            http: reqwest::Client::new(),
            connection,
            feed,
            state: Some(state),
            _dir: dir,
            shutdown: Some(tx),
            server: Some(server),
        }
    }
}

/// A running gateway in front of an emulated org.
pub struct TestGateway {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    /// A `full` key's secret.
    pub full: String,
    /// A `read_only` key's secret.
    pub read_only: String,
    /// The emulated org.
    pub emu: Emulator,
    /// The gateway's store (to revoke keys, read the call log, …).
    pub store: Store,
    /// The HTTP client.
    pub http: reqwest::Client,
    connection: Option<Connection>,
    /// The gateway's change-feed signal (what an in-process sync worker calls after a commit).
    pub feed: spindle_server::FeedNotifier,
    /// The gateway's shared state (its cached clients, …); let go at shutdown, as it holds the
    /// call log's sink, which the gateway waits to see closed.
    state: Option<spindle_server::AppState>,
    _dir: Option<tempfile::TempDir>,
    /// Dropping it (with the harness, when a test fails) shuts the gateway down too.
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
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
    /// Reads an answer.
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

impl TestGateway {
    /// A builder: an empty org, the development policy, a fresh SQLite store.
    pub fn builder() -> TestGatewayBuilder {
        TestGatewayBuilder {
            database: None,
            emulator: EmulatorConfig {
                rate_limit: RateLimitMode::Off,
                rate_limit_window: std::time::Duration::from_secs(60),
                ..EmulatorConfig::default()
            },
            settings: dev_settings(),
            connection: None,
        }
    }

    /// The connection made by [`TestGatewayBuilder::connection`].
    #[track_caller]
    pub fn connection(&self) -> &Connection {
        self.connection
            .as_ref()
            .expect("the builder was asked for a connection")
    }

    /// Starts the gateway's shutdown: it stops accepting, lets requests in flight finish, writes
    /// the queued call-log records, and then the returned task ends. The store stays open.
    pub fn shut_down(&mut self) -> tokio::task::JoinHandle<std::io::Result<()>> {
        self.state = None;
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.server
            .take()
            .expect("the gateway was not shut down yet")
    }

    /// The gateway's shared state (its cached clients, …).
    ///
    /// # Panics
    /// After the gateway was shut down.
    pub fn state(&self) -> &spindle_server::AppState {
        self.state.as_ref().expect("the gateway is running")
    }

    /// Stops the gateway (waiting for queued call-log records to be written), the store and the
    /// emulator.
    pub async fn stop(mut self) {
        if self.server.is_some() {
            self.shut_down()
                .await
                .expect("the gateway task")
                .expect("the gateway serves");
        }
        self.store.close().await;
        self.emu.shutdown().await;
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

    /// PUT JSON with the full key.
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PUT, path, Key::Full, Some(body)).await
    }

    /// PATCH JSON with the full key.
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PATCH, path, Key::Full, Some(body)).await
    }

    /// Creates an API-token connection named `name` to the emulator through the API; returns
    /// its id.
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
