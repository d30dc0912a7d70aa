//! Runs one async test body against SQLite (a temp file) and PostgreSQL (a freshly created
//! database, dropped afterwards).
//!
//! PostgreSQL is found at `SPINDLE_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test` (any database the role may connect to; the test
//! databases are created beside it). When it is unreachable the PostgreSQL variant prints why and
//! passes, unless `SPINDLE_NO_SKIP=1`, where it fails.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt as _;
use spindle_store::{MasterKey, Store};
use sqlx::Connection as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// What a test body gets: an open store, the key it was opened with, and the URL (to open a
/// second store on the same database).
pub struct TestDb {
    pub store: Store,
    pub key: MasterKey,
    pub url: String,
    pub kind: Kind,
}

impl TestDb {
    /// Runs raw SQL against the database, bypassing the store (to tamper with rows).
    pub async fn raw_execute(&self, sql: &str) {
        match self.kind {
            Kind::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.url)
                    .await
                    .expect("raw connect");
                sqlx::raw_sql(sql).execute(&mut c).await.expect("raw sql");
            }
            Kind::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.url)
                    .await
                    .expect("raw connect");
                sqlx::raw_sql(sql).execute(&mut c).await.expect("raw sql");
            }
        }
    }

    /// Reads one BLOB/BYTEA column of one row.
    pub async fn raw_bytes(&self, sql: &str) -> Vec<u8> {
        match self.kind {
            Kind::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.url)
                    .await
                    .expect("raw connect");
                sqlx::query_scalar(sql)
                    .fetch_one(&mut c)
                    .await
                    .expect("raw query")
            }
            Kind::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.url)
                    .await
                    .expect("raw connect");
                sqlx::query_scalar(sql)
                    .fetch_one(&mut c)
                    .await
                    .expect("raw query")
            }
        }
    }

    /// Opens another store on the same database with `key`.
    pub async fn reopen(&self, key: MasterKey) -> Store {
        Store::connect(&self.url, key).await.expect("reopen store")
    }
}

fn no_skip() -> bool {
    std::env::var("SPINDLE_NO_SKIP").is_ok_and(|v| v == "1")
}

fn postgres_admin_url() -> String {
    std::env::var("SPINDLE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

pub async fn run<F, Fut>(kind: Kind, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    match kind {
        Kind::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("spindle.db").display());
            let key = MasterKey::generate();
            let store = Store::connect(&url, key.clone())
                .await
                .expect("open sqlite store");
            test(TestDb {
                store: store.clone(),
                key,
                url,
                kind,
            })
            .await;
            store.close().await;
        }
        Kind::Postgres => {
            let admin_url = postgres_admin_url();
            let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
                Ok(c) => c,
                Err(e) => {
                    let msg = format!(
                        "PostgreSQL is not reachable at {admin_url} ({e}); start a server \
                         (trust auth for user postgres) or set SPINDLE_TEST_POSTGRES_URL"
                    );
                    if no_skip() {
                        panic!("{msg} (SPINDLE_NO_SKIP=1)");
                    }
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
                "spindle_test_{}_{}_{}",
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
            let url = url.to_string();
            let key = MasterKey::generate();
            let outcome = AssertUnwindSafe(async {
                let store = Store::connect(&url, key.clone())
                    .await
                    .expect("open postgres store");
                test(TestDb {
                    store: store.clone(),
                    key,
                    url: url.clone(),
                    kind,
                })
                .await;
                store.close().await;
            })
            .catch_unwind()
            .await;
            // Drop even when the body panicked; FORCE ends connections a failed body left open.
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

/// Declares each listed `async fn name(db: TestDb)` of the enclosing module as two tests,
/// `sqlite::name` and `postgres::name`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::harness::run($crate::harness::Kind::Sqlite, super::$name).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::harness::run($crate::harness::Kind::Postgres, super::$name).await
                }
            )*
        }
    };
}
pub(crate) use both_backends;
