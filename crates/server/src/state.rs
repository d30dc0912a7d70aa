//! The state every handler shares: the store, the org URL policy, the metrics and a cache of
//! Okta clients per connection.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use secrecy::ExposeSecret;
use spindle_okta::Client;
use spindle_store::{AuthConfig, Connection, ConnectionId, Credentials, Store};
use time::OffsetDateTime;

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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            policy: OrgUrlPolicy::default(),
            body_limit: 1024 * 1024,
            request_timeout: Duration::from_secs(60),
            log_retention: Some(Duration::from_secs(30 * 24 * 3600)),
            okta_attempt_timeout: Duration::from_secs(30),
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
    /// The Aerial host's client, when the connection has Aerial settings.
    pub aerial: Option<Client>,
}

struct Inner {
    store: Store,
    calls: crate::calllog::CallSink,
    settings: Settings,
    metrics: Arc<Metrics>,
    clients: Mutex<HashMap<ConnectionId, (OffsetDateTime, ConnectionClients)>>,
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
                settings,
                metrics: Arc::new(Metrics::default()),
                clients: Mutex::new(HashMap::new()),
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

    /// Where call-log records go.
    pub fn calls(&self) -> &crate::calllog::CallSink {
        &self.inner.calls
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

    /// Forgets the cached clients of a connection (after an update or a delete).
    pub fn forget_clients(&self, id: &ConnectionId) {
        self.inner.clients.lock().remove(id);
    }

    /// The Okta clients of a connection, built (and the org URL re-checked against the policy)
    /// when the connection is new or changed since they were built.
    ///
    /// # Errors
    /// 404 for an unknown connection; 422 `org_url_refused` when the URL no longer passes the
    /// policy; 500 when the credentials cannot be decrypted or used.
    pub async fn clients(&self, id_or_name: &str) -> Result<ConnectionClients, ApiError> {
        let connection = self.connection(id_or_name).await?;
        if let Some((updated_at, clients)) = self.inner.clients.lock().get(&connection.id)
            && *updated_at == connection.updated_at
        {
            return Ok(clients.clone());
        }
        self.settings()
            .policy
            .check(&connection.org_url)
            .await
            .map_err(|refused| crate::routes::connections::org_url_refused(&refused))?;
        let credentials = self
            .store()
            .connections()
            .credentials(&connection.id)
            .await?;
        let org = self.build_client(&connection, &credentials)?;
        let aerial = self.build_aerial_client(&connection).await?;
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
                            "invalid_credentials",
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
        self.settings()
            .policy
            .check_aerial(&aerial.url)
            .await
            .map_err(|refused| {
                ApiError::new(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "org_url_refused",
                    "The Aerial URL is not allowed",
                    format!("aerial.url: {refused}"),
                )
            })?;
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
