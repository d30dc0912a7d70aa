//! The Spindle gateway: the action catalog over HTTP for many Okta connections.
//!
//! ```text
//! /v1/connections                                      create, list (full / any key)
//! /v1/connections/{connection_id}                      get, update, delete
//! /v1/actions, /v1/actions/{action_id}                 the catalog, with schemas
//! /v1/connections/{connection_id}/actions/{action_id}  run an action (input → output)
//! /v1/connections/{connection_id}/employees            the unified employee model, paged
//! /v1/connections/{connection_id}/passthrough          any org API call outside the catalog
//! /v1/connections/{connection_id}/sync                 sync settings and status; …/sync/run,
//!                                                      …/sync/runs[/{run_id}] its runs
//! /v1/connections/{connection_id}/records/{object}     the synced employees, groups, memberships
//! /v1/connections/{connection_id}/changes              the change feed (long-poll with `wait`)
//! /v1/webhooks, /v1/webhooks/{webhook_id}              signed deliveries of the changes; …/rotate,
//!                                                      …/deliveries, …/replay
//! /v1/logs                                             every Okta call the gateway made
//! /mcp/{connection_id}                                 the catalog as MCP tools (streamable HTTP)
//! /healthz, /readyz, /metrics                          operations (no key)
//! /openapi.json, /docs                                 this API's OpenAPI 3.1 document and docs
//! ```
//!
//! Callers authenticate with API keys ([`auth`]); every error is an RFC 9457 problem document
//! with a stable `code` ([`error`]); org URLs go through the SSRF guard ([`ssrf`]), again when a
//! connection's Okta clients are built ([`clients`]); every Okta call is logged without bodies
//! or secrets ([`calllog`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use spindle_server::{Gateway, Settings};
//! use spindle_store::{MasterKey, Store};
//!
//! let store = Store::connect("sqlite://spindle.db", MasterKey::from_env()?).await?;
//! let gateway = Gateway::new(store, Settings::default());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! gateway.serve(listener, std::future::pending()).await?;
//! # Ok(()) }
//! ```

pub mod auth;
pub mod cache;
pub mod calllog;
pub mod clients;
pub mod error;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod ssrf;
pub mod state;
pub mod webhooks;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use clients::{ClientFactory, ConnectionClients};
pub use error::{ApiError, ErrorCode, Problem};
pub use ssrf::OrgUrlPolicy;
pub use state::{AppState, FeedNotifier, Settings};

/// A gateway over a store: build the router, or serve it until shutdown.
#[derive(Debug)]
pub struct Gateway {
    state: AppState,
    log_writer: tokio::task::JoinHandle<()>,
}

impl Gateway {
    /// A gateway over `store` with `settings`. Starts the call-log writer (so it must be called
    /// inside a Tokio runtime).
    pub fn new(store: spindle_store::Store, settings: Settings) -> Self {
        let (sink, log_writer) = calllog::start(store.clone(), settings.log_retention);
        Gateway {
            state: AppState::new(store, settings, sink),
            log_writer,
        }
    }

    /// The shared state (for tests and embedding).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The HTTP router with every endpoint and middleware.
    pub fn router(&self) -> Router {
        router(self.state.clone())
    }

    /// Starts this process' sync worker (see [`spindle_sync::Worker`]): it schedules due runs,
    /// runs queued ones with the connections' own clients, and wakes change-feed long-polls.
    /// [`Gateway::serve`] starts it when [`Settings::sync_worker`] is on; tests may start it
    /// themselves. Stop it with [`spindle_sync::Worker::stop`].
    pub fn start_sync_worker(&self) -> (spindle_sync::Worker, tokio::task::JoinHandle<()>) {
        let state = self.state.clone();
        let owner = format!(
            "gw-{}-{}",
            std::process::id(),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
        );
        let feed = state.feed_notifier();
        let webhook_wake = state.webhook_wake();
        let worker = spindle_sync::Worker::new(
            state.store().clone(),
            Arc::new(SyncClients(state.clone())),
            spindle_sync::WorkerOptions::new(owner).lease(state.settings().sync_lease),
        )
        .wake_on(state.sync_wake())
        .on_commit(move |_| {
            feed.notify();
            // The commit may have written deliveries to the outbox.
            webhook_wake.notify_one();
        });
        let handle = tokio::spawn(worker.clone().run());
        (worker, handle)
    }

    /// Starts this process' webhook sender (see [`webhooks::WebhookSender`]): it claims due
    /// deliveries, sends them signed and records each attempt. [`Gateway::serve`] starts it
    /// when [`Settings::webhook_sender`] is on; tests may start it themselves. Stop it with
    /// [`webhooks::WebhookSender::stop`].
    ///
    /// # Panics
    /// When the HTTP client cannot be built (no TLS backend).
    pub fn start_webhook_sender(&self) -> (webhooks::WebhookSender, tokio::task::JoinHandle<()>) {
        let state = self.state.clone();
        let owner = format!(
            "whs-{}-{}",
            std::process::id(),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
        );
        let wake = state.webhook_wake();
        let sender = webhooks::WebhookSender::new(state, owner, wake)
            .expect("the webhook sender's HTTP client builds");
        let handle = tokio::spawn(sender.clone().run());
        (sender, handle)
    }

    /// Serves on `listener` until `shutdown` completes, then stops accepting, lets requests in
    /// flight finish, and writes the call-log records still queued.
    ///
    /// # Errors
    /// The listener's I/O errors.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let worker = self
            .state
            .settings()
            .sync_worker
            .then(|| self.start_sync_worker());
        let sender = self
            .state
            .settings()
            .webhook_sender
            .then(|| self.start_webhook_sender());
        let Gateway { state, log_writer } = self;
        let app = router(state);
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await?;
        if let Some((worker, handle)) = worker {
            // Runs stop at their next page and keep their checkpoints; another process (or
            // this one after a restart) resumes them once their lease runs out.
            worker.stop();
            if tokio::time::timeout(Duration::from_secs(10), handle)
                .await
                .is_err()
            {
                tracing::warn!("the sync worker did not stop within 10 s");
            }
        }
        if let Some((sender, handle)) = sender {
            // Attempts in flight finish and are recorded; a delivery whose attempt is cut off
            // is sent again (same webhook-id) once its lease runs out.
            sender.stop();
            if tokio::time::timeout(WEBHOOK_STOP_GRACE, handle)
                .await
                .is_err()
            {
                tracing::warn!("the webhook sender did not stop within 20 s");
            }
        }
        // The router (and with it the state and every call-log sink) is gone: the writer drains
        // what is queued and stops.
        if tokio::time::timeout(Duration::from_secs(10), log_writer)
            .await
            .is_err()
        {
            tracing::warn!("the call log writer did not finish within 10 s; records may be lost");
        }
        Ok(())
    }
}

/// How long shutdown waits for webhook attempts in flight.
const WEBHOOK_STOP_GRACE: Duration = Duration::from_secs(20);

/// The sync worker's clients: the connection's own (cached) clients, so the sync shares their
/// pacer, call log and metrics with the connection's actions and passthrough.
struct SyncClients(AppState);

impl spindle_sync::ClientSource for SyncClients {
    fn client<'a>(
        &'a self,
        connection: &'a spindle_store::ConnectionId,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<spindle_okta::Client, String>> + Send + 'a>>
    {
        Box::pin(async move {
            self.0
                .clients(connection.as_str())
                .await
                .map(|c| c.org)
                .map_err(|e| e.problem().detail)
        })
    }
}

/// The router over `state`.
pub fn router(state: AppState) -> Router {
    use routes::{actions, connections, employees, health, logs, passthrough, sync, webhooks};
    let body_limit = state.settings().body_limit;
    let v1 = Router::new()
        .route(
            "/connections",
            get(connections::list).post(connections::create),
        )
        .route(
            "/connections/{connection_id}",
            get(connections::get)
                .patch(connections::update)
                .delete(connections::delete),
        )
        .route("/actions", get(actions::list))
        .route("/actions/{action_id}", get(actions::get))
        .route(
            "/connections/{connection_id}/actions/{action_id}",
            post(actions::run),
        )
        .route(
            "/connections/{connection_id}/employees",
            get(employees::list),
        )
        .route(
            "/connections/{connection_id}/passthrough",
            post(passthrough::passthrough),
        )
        .route(
            "/connections/{connection_id}/sync",
            get(sync::get).put(sync::put),
        )
        .route("/connections/{connection_id}/sync/run", post(sync::run))
        .route("/connections/{connection_id}/sync/runs", get(sync::runs))
        .route(
            "/connections/{connection_id}/sync/runs/{run_id}",
            get(sync::get_run),
        )
        .route(
            "/connections/{connection_id}/records/{object}",
            get(sync::records),
        )
        .route("/connections/{connection_id}/changes", get(sync::changes))
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route(
            "/webhooks/{webhook_id}",
            get(webhooks::get)
                .patch(webhooks::update)
                .delete(webhooks::delete),
        )
        .route("/webhooks/{webhook_id}/rotate", post(webhooks::rotate))
        .route(
            "/webhooks/{webhook_id}/deliveries",
            get(webhooks::deliveries),
        )
        .route("/webhooks/{webhook_id}/replay", post(webhooks::replay))
        .route("/logs", get(logs::list));
    let app = Router::new()
        .nest("/v1", v1)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .merge(openapi::routes())
        .merge(routes::mcp::routes(&state))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state);
    with_request_ids(app)
}

/// The header carrying a request's id: the caller's when it sends one, else a new UUID; the
/// response carries it back.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Gives every request an id and runs it in a tracing span `request` that carries it (with the
/// method and path), so every log line of the request, its access line and any internal error
/// included, can be found from the id the caller got back.
fn with_request_ids(app: Router) -> Router {
    use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
    let header = axum::http::HeaderName::from_static(REQUEST_ID_HEADER);
    // Added last, runs first: the id is set before the span opens, and copied to the response.
    app.layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(request_span)
                // The access line (`observe`) and `ApiError` log what matters; these would repeat
                // it.
                .on_request(())
                .on_response(())
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::new(header, MakeRequestUuid))
}

fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}

async fn not_found(request: Request) -> ApiError {
    ApiError::not_found(format!(
        "no endpoint at {}; /openapi.json lists them",
        request.uri().path()
    ))
}

async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "Method not allowed",
        format!(
            "{} is not allowed on {}; /openapi.json lists the methods",
            request.method(),
            request.uri().path()
        ),
    )
}

/// Applies the request timeout and records the request's metrics and trace.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let timeout = state.settings().request_timeout;
    let response = match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            ErrorCode::Timeout,
            "The request took too long",
            format!(
                "the gateway gave up after {} s; for a long list, ask for smaller pages",
                timeout.as_secs()
            ),
        )
        .into_response(),
    };
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    tracing::info!(
        target: "spindle_server::access",
        %method,
        %route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    state.metrics().http_request(
        metrics::HttpLabels {
            method,
            route,
            status,
        },
        elapsed,
    );
    response
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::body::Body;
    use axum::http::Request;
    use secrecy::ExposeSecret as _;
    use spindle_store::{ApiKeyScope, MasterKey, Store};
    use sqlx::Connection as _;
    use tower::ServiceExt as _;

    use super::{Gateway, REQUEST_ID_HEADER, Settings};

    /// Log output, captured.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .expect("the log buffer")
                .extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
        type Writer = Captured;

        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().expect("the log buffer")).into_owned()
        }
    }

    /// A gateway whose `connections` table is gone, so listing connections fails inside the
    /// gateway (a 500), and a full key for it.
    async fn broken_gateway(dir: &tempfile::TempDir) -> (Gateway, String) {
        let url = format!("sqlite://{}", dir.path().join("gateway.db").display());
        let store = Store::connect(&url, MasterKey::generate())
            .await
            .expect("the store opens");
        let (_, secret) = store
            .api_keys()
            .create("logs", ApiKeyScope::Full)
            .await
            .expect("a key");
        let mut raw = sqlx::SqliteConnection::connect(&url)
            .await
            .expect("a raw connection");
        sqlx::raw_sql("DROP TABLE connections")
            .execute(&mut raw)
            .await
            .expect("the table is dropped");
        (
            Gateway::new(store, Settings::default()),
            secret.expose_secret().to_owned(),
        )
    }

    async fn list_connections(gateway: &Gateway, key: &str, request_id: Option<&str>) -> String {
        let mut request =
            Request::get("/v1/connections").header("authorization", format!("Bearer {key}"));
        if let Some(id) = request_id {
            request = request.header(REQUEST_ID_HEADER, id);
        }
        let response = gateway
            .router()
            .oneshot(request.body(Body::empty()).expect("a request"))
            .await
            .expect("an answer");
        assert_eq!(response.status(), 500);
        let id = response.headers()[REQUEST_ID_HEADER]
            .to_str()
            .expect("a text id")
            .to_owned();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("a body");
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains("\"code\":\"internal\""), "{body}");
        assert!(
            !body.contains("no such table"),
            "the detail is not shown: {body}"
        );
        id
    }

    /// The log line of an internal error carries the id of the request it failed (the caller's
    /// or one the gateway made and answered with), and the detail the caller does not see.
    #[tokio::test]
    async fn an_internal_error_is_logged_with_its_request_id() {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_ansi(false)
            .finish();
        // The test's runtime has one thread, so everything the gateway logs reaches this.
        let _guard = tracing::subscriber::set_default(subscriber);
        let dir = tempfile::tempdir().expect("a temp dir");
        let (gateway, key) = broken_gateway(&dir).await;

        let given = list_connections(&gateway, &key, Some("req-4711")).await;
        assert_eq!(given, "req-4711");
        let made = list_connections(&gateway, &key, None).await;
        assert!(!made.is_empty() && made != given, "{made}");

        let logs = captured.text();
        for id in [given, made] {
            let line = logs
                .lines()
                .find(|line| {
                    line.contains(&format!("request_id={id}")) && line.contains("internal error")
                })
                .unwrap_or_else(|| panic!("no internal error logged for request {id}:\n{logs}"));
            assert!(line.contains("no such table"), "{line}");
            assert!(line.contains("ERROR"), "{line}");
        }
    }
}
