//! Databases for tests: a fresh one per test on SQLite (a temp file) or PostgreSQL (a database
//! created for the test beside the one the admin URL names, dropped afterwards, also when the
//! test panics). Shared by the store's tests and the gateway's, behind the `test-support`
//! feature, so both crates create, name, skip and drop test databases the same way.
//!
//! PostgreSQL is found at `SPINDLE_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test` (any database the role may connect to). When it is
//! unreachable the PostgreSQL variant prints why and passes, unless `SPINDLE_NO_SKIP=1`, where it
//! fails: CI must not mistake a missing server for a passing suite.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU32, Ordering};

use futures::FutureExt as _;
use sqlx::Connection as _;

use crate::Backend;

/// The environment variable naming the PostgreSQL server tests use.
pub const POSTGRES_URL_ENV: &str = "SPINDLE_TEST_POSTGRES_URL";

/// The PostgreSQL server tests use when [`POSTGRES_URL_ENV`] is unset.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A database for one test, valid while the test body runs.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    /// Its URL, for [`crate::Store::connect`] or a raw `sqlx` connection.
    pub url: String,
    /// Its engine.
    pub backend: Backend,
}

/// Whether `SPINDLE_NO_SKIP=1` forbids a test to skip for want of a server or a tool.
pub fn no_skip() -> bool {
    std::env::var("SPINDLE_NO_SKIP").is_ok_and(|v| v == "1")
}

fn postgres_admin_url() -> String {
    std::env::var(POSTGRES_URL_ENV).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// Runs `test` with a fresh database of `backend`, removed afterwards (also when it panics).
///
/// # Panics
/// When the database cannot be created or dropped, when PostgreSQL is unreachable under
/// `SPINDLE_NO_SKIP=1`, and (re-raised) when `test` panics.
pub async fn with_database<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestDatabase) -> Fut,
    Fut: Future<Output = ()>,
{
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("spindle.db").display());
            test(TestDatabase { url, backend }).await;
        }
        Backend::Postgres => {
            let Some((mut admin, admin_url)) = postgres_admin().await else {
                return;
            };
            let name = unique_database_name();
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create test database");
            let database = TestDatabase {
                url: database_url(&admin_url, &name),
                backend,
            };
            let outcome = AssertUnwindSafe(test(database)).catch_unwind().await;
            // Drop even when the body panicked; FORCE ends connections the body left open.
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

/// A connection to the PostgreSQL server tests use, and its URL. `None`, after saying why on
/// stderr, when the server is unreachable.
///
/// # Panics
/// When the server is unreachable under `SPINDLE_NO_SKIP=1`.
pub async fn postgres_admin() -> Option<(sqlx::PgConnection, String)> {
    let admin_url = postgres_admin_url();
    match sqlx::PgConnection::connect(&admin_url).await {
        Ok(admin) => Some((admin, admin_url)),
        Err(e) => {
            let msg = format!(
                "PostgreSQL is not reachable at {admin_url} ({e}); start a server (trust auth \
                 for user postgres) or set {POSTGRES_URL_ENV}"
            );
            assert!(!no_skip(), "{msg} (SPINDLE_NO_SKIP=1)");
            eprintln!("SKIPPED (PostgreSQL variant): {msg}");
            None
        }
    }
}

/// The URL of database `name` on the server of `admin_url`.
///
/// # Panics
/// When `admin_url` is not a URL.
pub fn database_url(admin_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(admin_url).expect("postgres url");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// A database name no other test (of this or another process) uses.
pub fn unique_database_name() -> String {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "spindle_test_{}_{}_{}",
        std::process::id(),
        nanos,
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// Declares each listed `async fn name(db: T)` of the enclosing module as two tests,
/// `sqlite::name` and `postgres::name`, each run by `runner(backend, name)` (an
/// `async fn(Backend, impl FnOnce(T) -> Fut)` that usually wraps [`with_database`]).
///
/// ```ignore
/// spindle_store::both_backends!(crate::harness::run; creates_a_key, revokes_a_key);
/// ```
#[macro_export]
macro_rules! both_backends {
    ($runner:path; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $runner($crate::Backend::Sqlite, super::$name).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $runner($crate::Backend::Postgres, super::$name).await
                }
            )*
        }
    };
}
