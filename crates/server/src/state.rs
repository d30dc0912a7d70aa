//! The state every handler shares: the settings, the store, the metrics, the caches
//! ([`crate::cache`]) and the Okta clients of each connection.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use secrecy::ExposeSecret;
use spindle_okta::Client;
use spindle_store::{AuthConfig, Connection, ConnectionId, Credentials, Store};
use time::OffsetDateTime;

use crate::cache::{CONNECTION_CACHE_CAPACITY, ConnectionCache, KEY_CACHE_CAPACITY, KeyCache};
use crate::error::{ApiError, ErrorCode};
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
        }
    }
}

/// The clients of one connection, as of its `updated_at`.
#[derive(Debug, Clone)]
pub struct ConnectionClients {
    /// The connection they were built for.
    pub connection: Connection,
    /// The org's client.
    pub org: Client,
    /// The Aerial host's client: `Ok(None)` without Aerial settings (or token), `Err` when the
    /// settings cannot be used (a refused URL). Only Aerial actions look at it, so a bad Aerial
    /// setting never blocks the org's other actions.
    pub aerial: Result<Option<Client>, ApiError>,
}

struct Inner {
    store: Store,
    calls: crate::calllog::CallSink,
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
        AppState {
            inner: Arc::new(Inner {
                store,
                calls,
                metrics: Arc::new(Metrics::default()),
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

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
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
    /// policy; 500 when the credentials cannot be decrypted or used.
    pub async fn clients(&self, id_or_name: &str) -> Result<ConnectionClients, ApiError> {
        let connection = self.cached_connection(id_or_name).await?;
        if let Some((updated_at, clients)) = self.inner.clients.lock().get(&connection.id)
            && *updated_at == connection.updated_at
        {
            return Ok(clients.clone());
        }
        self.settings()
            .policy
            .admit_org_url(&connection.org_url)
            .await?;
        let credentials = self
            .store()
            .connections()
            .credentials(&connection.id)
            .await?;
        let org = self.build_client(&connection, &credentials)?;
        let aerial = match self.build_aerial_client(&connection).await {
            Ok(client) => Ok(client),
            Err(e) if e.code() == ErrorCode::OrgUrlRefused => Err(e),
            Err(e) => return Err(e),
        };
        let clients = ConnectionClients {
            connection: connection.clone(),
            org,
            aerial,
        };
        self.inner.clients.lock().insert(
            connection.id.clone(),
            (connection.updated_at, clients.clone()),
        );
        Ok(clients)
    }

    fn build_client(
        &self,
        connection: &Connection,
        credentials: &Credentials,
    ) -> Result<Client, ApiError> {
        let okta_credentials = match (&connection.auth, credentials) {
            (AuthConfig::OAuth(settings), Credentials::PrivateKey(pem)) => {
                let key = spindle_okta::SigningKey::parse(pem.expose_secret())
                    .map_err(|e| {
                        ApiError::new(
                            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                            ErrorCode::InvalidCredentials,
                            "The connection's credentials cannot be used",
                            format!(
                                "connection `{}`: the stored private key cannot be used ({e}); \
                                 replace it with PATCH /v1/connections/{}",
                                connection.name, connection.id
                            ),
                        )
                    })?
                    .with_kid(settings.key_id.clone());
                let mut auth = spindle_okta::PrivateKeyAuth::new(
                    settings.client_id.clone(),
                    settings.scopes.clone(),
                    key,
                );
                if settings.dpop {
                    auth = auth.dpop(spindle_okta::DpopMode::Always);
                }
                spindle_okta::Credentials::PrivateKey(Box::new(auth))
            }
            (_, Credentials::ApiToken(token)) => {
                spindle_okta::Credentials::ApiToken(token.expose_secret().to_owned().into())
            }
            (_, other) => {
                return Err(ApiError::internal(format!(
                    "connection {} holds {:?} credentials that do not match its auth settings",
                    connection.id,
                    other.kind()
                )));
            }
        };
        self.client(&connection.org_url, okta_credentials, connection)
    }

    /// A client for `url` with the gateway's settings: attempt timeout, the call-log observer,
    /// and (unless private destinations are allowed) a resolver that refuses non-public
    /// addresses at connect time, so a DNS answer that changes after the org URL was checked
    /// cannot point the gateway at its own network.
    fn client(
        &self,
        url: &str,
        credentials: spindle_okta::Credentials,
        connection: &Connection,
    ) -> Result<Client, ApiError> {
        let mut config = spindle_okta::Config::new(url, credentials)
            .map_err(ApiError::internal)?
            .attempt_timeout(self.settings().okta_attempt_timeout)
            .observer(self.recorder(connection));
        if !self.settings().policy.allow_private {
            config =
                config.address_filter(spindle_okta::AddressFilter::new(crate::ssrf::is_public));
        }
        Client::new(config).map_err(ApiError::internal)
    }

    /// A client of the connection's org that acts as an end user with `token` (for the MyAccount
    /// API, which only accepts a signed-in user's access token). Built per request; not cached.
    ///
    /// # Errors
    /// 500 when the client cannot be built.
    pub fn user_client(
        &self,
        connection: &Connection,
        token: &secrecy::SecretString,
    ) -> Result<Client, ApiError> {
        let credentials =
            spindle_okta::Credentials::AccessToken(token.expose_secret().to_owned().into());
        self.client(&connection.org_url, credentials, connection)
    }

    fn recorder(&self, connection: &Connection) -> Arc<dyn spindle_okta::CallObserver> {
        Arc::new(crate::calllog::Recorder::new(
            connection.id.clone(),
            self.inner.calls.clone(),
            Arc::clone(&self.inner.metrics),
        ))
    }

    /// The client for the connection's Aerial host, when it has Aerial settings and a token.
    async fn build_aerial_client(
        &self,
        connection: &Connection,
    ) -> Result<Option<Client>, ApiError> {
        let Some(aerial) = &connection.aerial else {
            return Ok(None);
        };
        self.settings().policy.admit_aerial_url(&aerial.url).await?;
        let Some(token) = self
            .store()
            .connections()
            .aerial_token(&connection.id)
            .await?
        else {
            return Ok(None);
        };
        let credentials =
            spindle_okta::Credentials::AccessToken(token.expose_secret().to_owned().into());
        self.client(&aerial.url, credentials, connection).map(Some)
    }
}
