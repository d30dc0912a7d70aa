//! Okta clients for a stored connection: the one place that turns a connection's row and sealed
//! credentials into clients, for the gateway and for `spindle run --connection` alike.
//!
//! Whoever builds a client from a stored connection gets the same guard: the org URL (and the
//! Aerial URL) is checked against the [`OrgUrlPolicy`] again at build time, not only when the
//! connection was written, and unless private destinations are allowed the client refuses
//! non-public addresses at connect time. A row written by one process (a gateway, the CLI) can
//! thus never make another reach a network its own policy forbids.
//!
//! On PostgreSQL (several gateway processes may call one org) the org's client also shares its
//! rate-limit budget with the other processes through the store ([`StoreLedger`], quota leasing:
//! docs/scale-out.md, "Rate limits across processes"). On SQLite there is one process, whose
//! pacer is exact on its own.

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use spindle_okta::Client;
use spindle_okta::transport::ledger::{
    ClaimRequest, Claimed, LedgerError, LedgerFuture, ProbeClaim, RateLedger,
};
use spindle_store::{
    AuthConfig, Backend, BudgetClaim, Connection, ConnectionId, Credentials, ProbeGrant, Store,
};

use crate::calllog::{CallSink, Recorder};
use crate::error::{ApiError, ErrorCode};
use crate::metrics::Metrics;
use crate::ssrf::OrgUrlPolicy;

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

/// Builds the Okta clients of stored connections with one set of rules: the org URL policy, an
/// attempt timeout, and (in the gateway) the call log.
#[derive(Debug, Clone)]
pub struct ClientFactory {
    policy: OrgUrlPolicy,
    attempt_timeout: Option<Duration>,
    call_log: Option<(CallSink, Arc<Metrics>)>,
}

impl ClientFactory {
    /// A factory whose clients go only where `policy` allows, with the client's default attempt
    /// timeout and no call log.
    pub fn new(policy: OrgUrlPolicy) -> Self {
        ClientFactory {
            policy,
            attempt_timeout: None,
            call_log: None,
        }
    }

    /// Gives up on one attempt of an Okta call after `timeout`.
    #[must_use]
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Records every Okta call of the clients built from now on in the call log and the
    /// metrics.
    #[must_use]
    pub(crate) fn call_log(mut self, sink: CallSink, metrics: Arc<Metrics>) -> Self {
        self.call_log = Some((sink, metrics));
        self
    }

    /// The policy org URLs are checked against.
    pub fn policy(&self) -> &OrgUrlPolicy {
        &self.policy
    }

    /// The Okta clients of `connection`, after checking its org URL against the policy again
    /// and reading its credentials from `store`.
    ///
    /// # Errors
    /// 422 `org_url_refused` when the URL no longer passes the policy; 422
    /// `invalid_credentials` when the stored private key cannot be used; the store's errors;
    /// 500 when the credentials do not match the connection's auth settings.
    pub async fn clients(
        &self,
        store: &Store,
        connection: Connection,
    ) -> Result<ConnectionClients, ApiError> {
        self.policy.admit_org_url(&connection.org_url).await?;
        let credentials = store.connections().credentials(&connection.id).await?;
        let ledger = (store.backend() == Backend::Postgres).then(|| {
            Arc::new(StoreLedger::new(store.clone(), connection.id.clone())) as Arc<dyn RateLedger>
        });
        let org = self.build_client(&connection, &credentials, ledger)?;
        let aerial = match self.build_aerial_client(store, &connection).await {
            Ok(client) => Ok(client),
            Err(e) if e.code() == ErrorCode::OrgUrlRefused => Err(e),
            Err(e) => return Err(e),
        };
        Ok(ConnectionClients {
            connection,
            org,
            aerial,
        })
    }

    fn build_client(
        &self,
        connection: &Connection,
        credentials: &Credentials,
        ledger: Option<Arc<dyn RateLedger>>,
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
        self.client(&connection.org_url, okta_credentials, connection, ledger)
    }

    /// A client for `url` with the factory's settings: attempt timeout, the call-log observer,
    /// and (unless private destinations are allowed) a resolver that refuses non-public
    /// addresses at connect time, so a DNS answer that changes after the org URL was checked
    /// cannot point the client at the gateway's own network.
    fn client(
        &self,
        url: &str,
        credentials: spindle_okta::Credentials,
        connection: &Connection,
        ledger: Option<Arc<dyn RateLedger>>,
    ) -> Result<Client, ApiError> {
        let mut config = spindle_okta::Config::new(url, credentials).map_err(ApiError::internal)?;
        if let Some(ledger) = ledger {
            config = config.rate_ledger(ledger);
        }
        if let Some(timeout) = self.attempt_timeout {
            config = config.attempt_timeout(timeout);
        }
        if let Some(recorder) = self.recorder(connection) {
            config = config.observer(recorder);
        }
        if !self.policy.allow_private {
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
        token: &SecretString,
    ) -> Result<Client, ApiError> {
        let credentials =
            spindle_okta::Credentials::AccessToken(token.expose_secret().to_owned().into());
        self.client(&connection.org_url, credentials, connection, None)
    }

    fn recorder(&self, connection: &Connection) -> Option<Arc<dyn spindle_okta::CallObserver>> {
        let (sink, metrics) = self.call_log.as_ref()?;
        Some(Arc::new(Recorder::new(
            connection.id.clone(),
            sink.clone(),
            Arc::clone(metrics),
        )))
    }

    /// The client for the connection's Aerial host, when it has Aerial settings and a token.
    async fn build_aerial_client(
        &self,
        store: &Store,
        connection: &Connection,
    ) -> Result<Option<Client>, ApiError> {
        let Some(aerial) = &connection.aerial else {
            return Ok(None);
        };
        self.policy.admit_aerial_url(&aerial.url).await?;
        let Some(token) = store.connections().aerial_token(&connection.id).await? else {
            return Ok(None);
        };
        let credentials =
            spindle_okta::Credentials::AccessToken(token.expose_secret().to_owned().into());
        self.client(&aerial.url, credentials, connection, None)
            .map(Some)
    }
}

/// The rate-limit budget of one connection, shared with the other gateway processes through the
/// store's `rate_budget` table (one atomic upsert per claim).
#[derive(Debug, Clone)]
pub struct StoreLedger {
    store: Store,
    connection: ConnectionId,
}

impl StoreLedger {
    /// The ledger of `connection` in `store`.
    pub fn new(store: Store, connection: ConnectionId) -> Self {
        StoreLedger { store, connection }
    }
}

fn ledger_error(e: &spindle_store::StoreError) -> LedgerError {
    LedgerError(e.to_string())
}

impl RateLedger for StoreLedger {
    fn claim<'a>(&'a self, request: ClaimRequest<'a>) -> LedgerFuture<'a, Claimed> {
        Box::pin(async move {
            let grant = self
                .store
                .rate_budget()
                .claim(
                    &self.connection,
                    BudgetClaim {
                        bucket: request.bucket,
                        reset: request.reset,
                        limit: request.limit,
                        budget: request.budget,
                        want: request.want,
                        spent: request.spent,
                    },
                )
                .await
                .map_err(|e| ledger_error(&e))?;
            Ok(Claimed {
                reset: grant.reset,
                limit: grant.limit,
                granted: grant.granted,
            })
        })
    }

    fn claim_probe<'a>(
        &'a self,
        bucket: &'a str,
        reset: u64,
        limit: u32,
        now_ms: u64,
        lease: Duration,
    ) -> LedgerFuture<'a, ProbeClaim> {
        Box::pin(async move {
            let answer = self
                .store
                .rate_budget()
                .claim_probe(&self.connection, bucket, reset, limit, now_ms, lease)
                .await
                .map_err(|e| ledger_error(&e))?;
            Ok(match answer {
                ProbeGrant::Probe => ProbeClaim::Probe,
                ProbeGrant::Busy { until_ms } => ProbeClaim::Busy { until_ms },
                ProbeGrant::NewWindow { reset, limit } => ProbeClaim::NewWindow { reset, limit },
            })
        })
    }
}
