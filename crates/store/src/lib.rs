//! Persistence for the Spindle gateway: connections (one per customer Okta org) with their
//! credentials encrypted at rest, the gateway's own API keys, and the log of every Okta call.
//!
//! ```no_run
//! # async fn demo() -> Result<(), spindle_store::StoreError> {
//! use spindle_store::{ApiKeyScope, MasterKey, NewConnection, Store};
//!
//! let store = Store::connect("sqlite://spindle.db", MasterKey::from_env()?).await?;
//! let conn = store
//!     .connections()
//!     .create(NewConnection::api_token("acme", "https://acme.okta.com", "00abc".into()))
//!     .await?;
//! let (key, secret) = store.api_keys().create("ci", ApiKeyScope::ReadOnly).await?;
//! # let _ = (conn, key, secret);
//! # Ok(()) }
//! ```
//!
//! # Design: a backend enum, one SQL text where it is portable
//!
//! The store holds either a native `SqlitePool` or a native `PgPool` ([`Backend`]), and every
//! query is written once as SQL text that both engines accept (`$1` placeholders, which SQLite
//! reads as numbered parameters; `BIGINT`, `TEXT`, `BOOLEAN`; row-value comparisons; `RETURNING`)
//! and run on whichever pool is present through a small dispatch macro. We chose this over
//! `sqlx::Any` because:
//! - `Any` only speaks the types common to every driver and hides the native connect options we
//!   need (WAL, `foreign_keys`, `busy_timeout`, `create_if_missing` for SQLite);
//! - the scale-out features that come later are PostgreSQL-specific on purpose (the job queue's
//!   `FOR UPDATE SKIP LOCKED` leases, `LISTEN/NOTIFY` wake-ups): with native pools a query can be
//!   written per backend exactly where the engines differ, and nowhere else;
//! - write transactions on SQLite must start with `BEGIN IMMEDIATE` (a deferred transaction that
//!   later writes fails with `SQLITE_BUSY` instead of waiting), which needs the native pool.
//!
//! DDL differs (`BLOB` vs `BYTEA`), so each backend has its own migration directory
//! (`migrations/sqlite`, `migrations/postgres`), embedded at compile time and applied on
//! [`Store::connect`]. Migrations are numbered identically in both so the schemas stay in step.
//!
//! Timestamps are stored as `BIGINT` milliseconds since the Unix epoch in both engines: ordering
//! and range filters then behave identically (SQLite has no timestamp type, and its text
//! timestamps only sort correctly with a fixed format), and the API exposes
//! [`time::OffsetDateTime`].
//!
//! # Layout, and where later features go
//!
//! One module per table family, each reached through a handle borrowed from [`Store`]:
//! [`Store::connections`], [`Store::api_keys`], [`Store::calls`], [`Store::rate_budget`] (the
//! rate-limit budget the gateway processes share); master key rotation is
//! [`Store::rotate_master_key`]. Incremental syncs
//! (`sync_runs`, `employees`, `groups`, with a content hash per row for change detection), the
//! webhook outbox (`outbox`, rows deleted only after delivery) and the job queue (`jobs` with
//! `lease_owner`/`lease_expires_at`) become further modules and migrations `0002_…`; their rows
//! reference `connections(id)` with `ON DELETE CASCADE`. The call log deliberately has no
//! foreign key: it is history and outlives a deleted connection until retention prunes it.

mod api_keys;
mod calls;
mod connections;
mod crypto;
mod cursor;
mod error;
mod ids;
mod rate_budget;
mod rotation;
mod sync;
#[cfg(feature = "test-support")]
pub mod testing;
mod webhooks;

use std::str::FromStr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use time::OffsetDateTime;

pub use api_keys::{ApiKey, ApiKeyScope, ApiKeys, LAST_USED_GRANULARITY};
pub use calls::{
    BATCH_CHUNK_ROWS, CallFilter, CallLog, CallRecord, LoggedCall, MAX_PAGE_SIZE, Page,
};
pub use connections::{
    AerialSettings, AuthConfig, AuthKind, Connection, ConnectionUpdate, Connections, Credentials,
    NewConnection, OAuthSettings,
};
pub use crypto::{MASTER_KEY_ENV, MasterKey};
pub use error::StoreError;
pub use ids::{ApiKeyId, CallId, ConnectionId, DeliveryId, SyncRunId, WebhookId};
pub use rate_budget::{BudgetClaim, BudgetGrant, ProbeGrant, RateBudgets};
pub use secrecy::{ExposeSecret, SecretString};
pub use sync::{
    CHANGE_TYPES, Change, ChangeKind, Commit, DueSync, FEED_CURSOR_NOW, MAX_SYNC_PAGE,
    MIN_INTERVAL, Progress, RecordQuery, RecordWrite, RunState, SyncObject, SyncRecord, SyncRun,
    SyncSettings, SyncStatus, SyncStore, format_duration, membership_id, parse_duration,
};
pub use webhooks::{
    Attempt, AttemptOutcome, AttemptReport, Delivery, DeliveryState, DueDelivery, NewWebhook,
    SECRET_PREFIX, Webhook, WebhookUpdate, Webhooks,
};

/// Runs the same expression against whichever native pool the store holds.
macro_rules! with_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.inner.db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Which database engine a [`Store`] is backed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// A SQLite file (the embedded default: one process).
    Sqlite,
    /// A PostgreSQL server (scale-out: many gateway processes share it).
    Postgres,
}

pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

struct Inner {
    db: Db,
    key: RwLock<Arc<MasterKey>>,
}

/// Tuning for [`Store::connect_with`]. The defaults suit one gateway process.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoreOptions {
    /// Most connections the pool opens. Default: 8 for SQLite (one writer at a time anyway; the
    /// rest serve concurrent readers under WAL), 10 for PostgreSQL (per gateway node; mind the
    /// server's `max_connections` across nodes).
    pub max_connections: Option<u32>,
    /// How long to wait for a free connection before failing with a retryable error.
    pub acquire_timeout: Duration,
    /// How long SQLite waits on a locked database before failing (`busy_timeout`).
    pub sqlite_busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: None,
            acquire_timeout: Duration::from_secs(10),
            sqlite_busy_timeout: Duration::from_secs(5),
        }
    }
}

impl StoreOptions {
    /// Sets the pool's maximum number of connections.
    pub fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = Some(n.max(1));
        self
    }
}

/// The gateway's persistent state. Cheap to clone (clones share the pool and the master key).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .field("master_key_id", &self.master_key().id())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database at `database_url` and applies pending migrations.
    ///
    /// - `sqlite://path/to/file.db` (or `sqlite:file.db`): the file is created if missing, in WAL
    ///   mode with foreign keys on. `sqlite::memory:` gives a private in-memory database (one
    ///   connection; it disappears when the store is dropped) for tests.
    /// - `postgres://user@host:port/db` (or `postgresql://`): the database is created if missing
    ///   (when the role may); concurrent nodes may start together: migrations take an advisory
    ///   lock. TLS follows `sslmode` (`prefer` by default; `?sslmode=verify-full` to insist on
    ///   a certificate checked against the Web PKI roots).
    ///
    /// `master_key` encrypts and decrypts connection credentials.
    ///
    /// # Errors
    /// [`StoreError::InvalidDatabaseUrl`] for another scheme or an unparsable URL,
    /// [`StoreError::Database`] when the database cannot be reached or opened,
    /// [`StoreError::Migration`] when the schema cannot be brought up to date (for example a
    /// database written by a newer Spindle).
    pub async fn connect(database_url: &str, master_key: MasterKey) -> Result<Store, StoreError> {
        Self::connect_with(database_url, master_key, StoreOptions::default()).await
    }

    /// [`Store::connect`] with explicit pool options.
    ///
    /// # Errors
    /// As [`Store::connect`].
    pub async fn connect_with(
        database_url: &str,
        master_key: MasterKey,
        options: StoreOptions,
    ) -> Result<Store, StoreError> {
        let db = if database_url.starts_with("sqlite:") {
            let connect = SqliteConnectOptions::from_str(database_url)
                .map_err(|e| StoreError::InvalidDatabaseUrl {
                    reason: e.to_string(),
                })?
                .create_if_missing(true)
                .foreign_keys(true)
                .busy_timeout(options.sqlite_busy_timeout);
            let in_memory =
                database_url.contains(":memory:") || database_url.contains("mode=memory");
            let pool = if in_memory {
                // Every connection to `:memory:` is a separate database: keep exactly one,
                // forever.
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
            } else {
                SqlitePoolOptions::new().max_connections(options.max_connections.unwrap_or(8))
            };
            let connect = if in_memory {
                connect
            } else {
                connect
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
            };
            let pool = pool
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await?;
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
            Db::Sqlite(pool)
        } else if database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://")
        {
            let connect = PgConnectOptions::from_str(database_url)
                .map_err(|e| StoreError::InvalidDatabaseUrl {
                    reason: e.to_string(),
                })?
                .application_name("spindle");
            let pool_options = PgPoolOptions::new()
                .max_connections(options.max_connections.unwrap_or(10))
                .acquire_timeout(options.acquire_timeout);
            let pool = match pool_options.clone().connect_with(connect.clone()).await {
                Err(e) if has_code(&e, "3D000") => {
                    // The database does not exist: create it, as SQLite creates its file.
                    // Another node may win the race (42P04 duplicate_database); that is fine.
                    use sqlx::migrate::MigrateDatabase as _;
                    match sqlx::Postgres::create_database(database_url).await {
                        Err(e) if !has_code(&e, "42P04") => return Err(e.into()),
                        _ => {}
                    }
                    tracing::info!("created the PostgreSQL database");
                    pool_options.connect_with(connect).await?
                }
                other => other?,
            };
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Db::Postgres(pool)
        } else {
            let scheme = database_url.split(':').next().unwrap_or_default();
            return Err(StoreError::InvalidDatabaseUrl {
                reason: format!(
                    "unsupported scheme {scheme:?}; use sqlite://FILE or postgres://USER@HOST/DB"
                ),
            });
        };
        Ok(Store {
            inner: Arc::new(Inner {
                db,
                key: RwLock::new(Arc::new(master_key)),
            }),
        })
    }

    /// Which engine this store runs on.
    pub fn backend(&self) -> Backend {
        match self.inner.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Connections: Okta org URLs with their (encrypted) credentials.
    pub fn connections(&self) -> Connections<'_> {
        Connections::new(self)
    }

    /// The gateway's API keys (hashed; the secret is shown once at creation).
    pub fn api_keys(&self) -> ApiKeys<'_> {
        ApiKeys::new(self)
    }

    /// The log of Okta calls.
    pub fn calls(&self) -> CallLog<'_> {
        CallLog::new(self)
    }

    /// The rate-limit budgets the gateway processes share (quota leasing per connection and
    /// bucket).
    pub fn rate_budget(&self) -> RateBudgets<'_> {
        RateBudgets::new(self)
    }

    /// Checks that the database answers (for health endpoints).
    ///
    /// # Errors
    /// [`StoreError::Database`] when it does not.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Closes every pooled connection; later operations fail. Waits for checked-out connections
    /// to come back.
    pub async fn close(&self) {
        with_pool!(self, |pool| pool.close().await)
    }

    /// The master key in use (after a rotation, the new one).
    pub(crate) fn master_key(&self) -> Arc<MasterKey> {
        // A poisoned lock only means a panic happened while holding it; the Arc inside is
        // always whole.
        match self.inner.key.read() {
            Ok(k) => Arc::clone(&k),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub(crate) fn set_master_key(&self, key: MasterKey) {
        let mut guard = match self.inner.key.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(key);
    }
}

/// Whether `e` is a database error with this SQLSTATE code.
fn has_code(e: &sqlx::Error, code: &str) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == code)
}

/// Starts a transaction that will write. On SQLite this is `BEGIN IMMEDIATE`, so the write lock
/// is taken (waiting up to `busy_timeout`) before anything is read, rather than failing with
/// `SQLITE_BUSY` when a read transaction tries to upgrade.
pub(crate) async fn begin_write<DB: sqlx::Database>(
    pool: &sqlx::Pool<DB>,
) -> Result<sqlx::Transaction<'static, DB>, sqlx::Error> {
    if DB::NAME == "SQLite" {
        pool.begin_with("BEGIN IMMEDIATE").await
    } else {
        pool.begin().await
    }
}

/// Milliseconds since the Unix epoch, the storage form of every timestamp.
pub(crate) fn to_millis(t: OffsetDateTime) -> i64 {
    let ms = t.unix_timestamp_nanos().div_euclid(1_000_000);
    i64::try_from(ms).unwrap_or(if ms < 0 { i64::MIN } else { i64::MAX })
}

/// The inverse of [`to_millis`]; `None` when out of `time`'s range (a corrupt row).
pub(crate) fn from_millis(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

pub(crate) fn now_millis() -> i64 {
    to_millis(OffsetDateTime::now_utc())
}

pub(crate) fn millis_column(
    table: &'static str,
    column: &str,
    ms: i64,
) -> Result<OffsetDateTime, StoreError> {
    from_millis(ms).ok_or_else(|| StoreError::Corrupt {
        table,
        reason: format!("{column} {ms} is not a valid timestamp"),
    })
}

/// Compile-time check: every operation's future is `Send`, so the gateway can await it inside
/// axum handlers and spawned tasks.
#[allow(dead_code, reason = "only type-checked")]
fn futures_are_send(store: &Store, id: &ConnectionId, key: &ApiKeyId, key2: &MasterKey) {
    fn send<T: Send>(_: T) {}
    fn shared<T: Send + Sync + Clone + 'static>() {}
    shared::<Store>();
    send(Store::connect("", MasterKey::generate()));
    send(
        store
            .connections()
            .create(NewConnection::api_token("", "", "".into())),
    );
    send(store.connections().list());
    send(store.connections().get(id));
    send(store.connections().update(id, ConnectionUpdate::new()));
    send(store.connections().delete(id));
    send(store.connections().credentials(id));
    send(store.api_keys().create("", ApiKeyScope::Full));
    send(store.api_keys().authenticate(""));
    send(store.api_keys().revoke(key));
    send(store.api_keys().list());
    send(store.calls().record(CallRecord::new("GET", "/")));
    send(store.calls().list(&CallFilter::new(), None, 1));
    send(store.calls().prune(OffsetDateTime::now_utc()));
    send(store.rotate_master_key(key2, key2));
    send(store.rate_budget().claim(
        id,
        BudgetClaim {
            bucket: "",
            reset: 0,
            limit: 0,
            budget: 0,
            want: 0,
            spent: 0,
        },
    ));
    send(
        store
            .rate_budget()
            .claim_probe(id, "", 0, 0, 0, Duration::ZERO),
    );
    send(store.ping());
    send(store.close());
}
