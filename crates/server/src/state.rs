//! The state every handler shares: the settings, the store, the metrics, the caches
//! ([`crate::cache`]) and the Okta clients of each connection.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use spindle_store::{Connection, ConnectionId, Store};
use time::OffsetDateTime;

use crate::cache::{CONNECTION_CACHE_CAPACITY, ConnectionCache, KEY_CACHE_CAPACITY, KeyCache};
use crate::clients::{ClientFactory, ConnectionClients};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::ssrf::OrgUrlPolicy;

/// Tuning of the gateway.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// Which org URLs connections may use.
    pub policy: OrgUrlPolicy,
    /// Largest request body accepted (bytes).
    pub body_limit: usize,
    /// Longest time one request may take, Okta calls included.
    pub request_timeout: Duration,
    /// How long call-log rows are kept (`None`: forever).
    pub log_retention: Option<Duration>,
    /// Timeout of one attempt of an Okta call.
    pub okta_attempt_timeout: Duration,
    /// How long a successful API key authentication is reused without asking the store
    /// (`Duration::ZERO`: every request asks). A revoked key keeps working on this gateway for
    /// at most this long.
    pub auth_cache_ttl: Duration,
    /// How long an action call reuses a connection's row without reading it again
    /// (`Duration::ZERO`: every call reads it). A change made through another gateway reaches
    /// this one within this time; a change made through this one applies at once.
    pub connection_cache_ttl: Duration,
    /// Whether this process runs sync runs (`spindle serve --no-sync-worker` turns it off for a
    /// node that only serves the API; queued runs wait for a node that runs them).
    pub sync_worker: bool,
    /// How long a sync run is held by a worker without renewal: after a process dies, another
    /// takes its runs over after this long.
    pub sync_lease: Duration,
    /// Whether webhooks may be delivered to loopback, private and link-local addresses and over
    /// plain `http` (`spindle serve --allow-private-webhooks`, for receivers on the developer's
    /// machine or network). Off: `https` and public addresses only.
    pub allow_private_webhooks: bool,
    /// Whether this process sends webhook deliveries (on with the sync worker, by default).
    pub webhook_sender: bool,
    /// The waits between a delivery's attempts: after attempt n (1-based) the n-th entry (with
    /// ±10 % jitter); after the attempt that follows the last entry the delivery is dead.
    /// Default: Standard Webhooks' 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h
    /// (10 attempts).
    pub webhook_retry_schedule: Vec<Duration>,
    /// Timeout of one delivery attempt.
    pub webhook_attempt_timeout: Duration,
    /// How long deliveries claimed by this process stay with it. An attempt is started only
    /// while at least one attempt timeout (plus a margin) of its lease is left, so a delivery
    /// is never sent by two processes at once and a taken-over delivery is never sent late
    /// (which would break the order per record). Must be at least twice
    /// `webhook_attempt_timeout`.
    pub webhook_lease: Duration,
    /// How often the webhook sender looks for due deliveries when nothing wakes it.
    pub webhook_poll: Duration,
    /// The `Host` values `/mcp/{connection_id}` accepts (`name` or `name:port`): a request for
    /// another host is refused, so a DNS name rebound to the gateway's address cannot reach it
    /// from a browser. Default: `localhost`, `127.0.0.1` and `::1`; add the gateway's public
    /// name when it serves MCP clients elsewhere.
    pub mcp_allowed_hosts: Vec<String>,
    /// The browser origins `/mcp/{connection_id}` accepts (`https://app.example.com:443`;
    /// `:*` for any port). Default: pages of this machine (`http://localhost:*`,
    /// `http://127.0.0.1:*`, `http://[::1]:*`); a request carrying another `Origin` is refused
    /// (MCP clients that are not browsers send none).
    pub mcp_allowed_origins: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            policy: OrgUrlPolicy::default(),
            body_limit: 1024 * 1024,
            request_timeout: Duration::from_secs(60),
            log_retention: Some(Duration::from_secs(30 * 24 * 3600)),
            okta_attempt_timeout: Duration::from_secs(30),
            auth_cache_ttl: Duration::from_secs(5),
            connection_cache_ttl: Duration::from_secs(2),
            sync_worker: true,
            sync_lease: Duration::from_secs(30),
            allow_private_webhooks: false,
            webhook_sender: true,
            webhook_retry_schedule: crate::webhooks::sender::standard_schedule(),
            webhook_attempt_timeout: Duration::from_secs(15),
            webhook_lease: Duration::from_secs(60),
            webhook_poll: Duration::from_millis(500),
            mcp_allowed_hosts: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            mcp_allowed_origins: vec![
                "http://localhost:*".into(),
                "http://127.0.0.1:*".into(),
                "http://[::1]:*".into(),
            ],
        }
    }
}

/// The in-process signal of new changes in the change feed: a sync worker running in the
/// gateway's process calls [`FeedNotifier::notify`] after each batch it commits, and every
/// long-poll of `GET /v1/connections/{id}/changes` waiting in this process re-reads the store at
/// once (without it, a waiting long-poll re-reads every 250 ms, which is also how changes
/// committed by other processes are found). Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct FeedNotifier(Arc<tokio::sync::Notify>);

impl FeedNotifier {
    /// Wakes every long-poll waiting now (of any connection: each re-reads its own feed).
    pub fn notify(&self) {
        self.0.notify_waiters();
    }

    /// A future that completes at the next [`FeedNotifier::notify`] (only those made before
    /// the call, so enable it before reading the store).
    pub fn notified(&self) -> tokio::sync::futures::Notified<'_> {
        self.0.notified()
    }
}

struct Inner {
    store: Store,
    sync_wake: Arc<tokio::sync::Notify>,
    webhook_wake: Arc<tokio::sync::Notify>,
    feed: FeedNotifier,
    factory: ClientFactory,
    settings: Settings,
    metrics: Arc<Metrics>,
    clients: Mutex<HashMap<ConnectionId, (OffsetDateTime, ConnectionClients)>>,
    keys: KeyCache,
    connections: ConnectionCache,
}

/// Shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.inner.store)
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State over `store` with `settings`.
    pub fn new(store: Store, settings: Settings, calls: crate::calllog::CallSink) -> Self {
        let metrics = Arc::new(Metrics::default());
        let factory = ClientFactory::new(settings.policy.clone())
            .attempt_timeout(settings.okta_attempt_timeout)
            .call_log(calls, Arc::clone(&metrics));
        AppState {
            inner: Arc::new(Inner {
                store,
                sync_wake: Arc::new(tokio::sync::Notify::new()),
                webhook_wake: Arc::new(tokio::sync::Notify::new()),
                feed: FeedNotifier::default(),
                factory,
                metrics,
                clients: Mutex::new(HashMap::new()),
                keys: KeyCache::new(settings.auth_cache_ttl, KEY_CACHE_CAPACITY),
                connections: ConnectionCache::new(
                    settings.connection_cache_ttl,
                    CONNECTION_CACHE_CAPACITY,
                ),
                settings,
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The signal a sync worker in this process gives after each commit, so the change feed's
    /// long-polls wake at once.
    pub fn feed_notifier(&self) -> FeedNotifier {
        self.inner.feed.clone()
    }

    /// Wakes this process' sync worker (a run was queued), so it starts without waiting for
    /// its next poll.
    pub fn wake_sync_worker(&self) {
        self.inner.sync_wake.notify_one();
    }

    /// The signal [`AppState::wake_sync_worker`] gives.
    pub(crate) fn sync_wake(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.inner.sync_wake)
    }

    /// Wakes this process' webhook sender (deliveries were written or replayed), so it sends
    /// them without waiting for its next poll.
    pub fn wake_webhook_sender(&self) {
        self.inner.webhook_wake.notify_one();
    }

    /// The signal [`AppState::wake_webhook_sender`] gives.
    pub(crate) fn webhook_wake(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.inner.webhook_wake)
    }

    /// Applies a connection's sync `rate_share` to its cached clients (clones share the pacer,
    /// so a running sync, actions and passthrough all slow down together).
    pub fn apply_rate_share(&self, id: &ConnectionId, share: f64) {
        if let Some((_, clients)) = self.inner.clients.lock().get(id) {
            let _ = clients.org.set_rate_limit_share(share);
        }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The factory of the connections' Okta clients, with the gateway's policy, timeout and
    /// call log.
    pub fn client_factory(&self) -> &ClientFactory {
        &self.inner.factory
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Finds a connection by id (`conn_…`) or by name.
    ///
    /// # Errors
    /// 404 when there is none.
    pub async fn connection(&self, id_or_name: &str) -> Result<Connection, ApiError> {
        let connections = self.store().connections();
        let found = match id_or_name.parse::<ConnectionId>() {
            Ok(id) => connections.get(&id).await,
            Err(_) => connections.get_by_name(id_or_name).await,
        };
        found.map_err(|e| match e {
            spindle_store::StoreError::NotFound { .. } => ApiError::not_found(format!(
                "no connection with id or name `{id_or_name}` (GET /v1/connections lists them)"
            )),
            other => other.into(),
        })
    }

    /// The cache of recently authenticated API keys.
    pub(crate) fn key_cache(&self) -> &KeyCache {
        &self.inner.keys
    }

    /// Forgets the cached clients of a connection and every cached connection row (after a
    /// create, an update or a delete), so the change applies to the next call.
    pub fn forget_clients(&self, id: &ConnectionId) {
        self.inner.connections.clear();
        self.inner.clients.lock().remove(id);
    }

    /// [`AppState::connection`], reusing a row read less than
    /// [`Settings::connection_cache_ttl`] ago.
    async fn cached_connection(&self, id_or_name: &str) -> Result<Connection, ApiError> {
        let cache = &self.inner.connections;
        if let Some(connection) = cache.get(id_or_name) {
            return Ok(connection);
        }
        let ticket = cache.ticket();
        let connection = self.connection(id_or_name).await?;
        cache.insert_read(ticket, id_or_name.to_owned(), connection.clone());
        Ok(connection)
    }

    /// The Okta clients of a connection, built (and the org URL re-checked against the policy)
    /// when the connection is new or changed since they were built. The connection's row is
    /// read again at most every [`Settings::connection_cache_ttl`].
    ///
    /// # Errors
    /// 404 for an unknown connection; 422 `org_url_refused` when the URL no longer passes the
    /// policy; the other errors of [`ClientFactory::clients`].
    pub async fn clients(&self, id_or_name: &str) -> Result<ConnectionClients, ApiError> {
        let connection = self.cached_connection(id_or_name).await?;
        if let Some((updated_at, clients)) = self.inner.clients.lock().get(&connection.id)
            && *updated_at == connection.updated_at
        {
            return Ok(clients.clone());
        }
        let clients = self
            .inner
            .factory
            .clients(self.store(), connection.clone())
            .await?;
        // The connection's share of the org's rate limits, once its sync is configured (until
        // then it may use all of it, as before the sync existed).
        let sync = self.store().sync().status(&connection.id).await?;
        if sync.configured {
            let _ = clients.org.set_rate_limit_share(sync.settings.rate_share);
        }
        self.inner.clients.lock().insert(
            connection.id.clone(),
            (connection.updated_at, clients.clone()),
        );
        Ok(clients)
    }
}
