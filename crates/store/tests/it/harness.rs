//! Runs one async test body against SQLite and PostgreSQL with an open store, on the test
//! databases of [`spindle_store::testing`].

use std::future::Future;

use spindle_store::testing::with_database;
use spindle_store::{Backend, MasterKey, Store};
use sqlx::Connection as _;

/// What a test body gets: an open store, the key it was opened with, and the URL (to open a
/// second store on the same database).
pub struct TestDb {
    pub store: Store,
    pub key: MasterKey,
    pub url: String,
    pub kind: Backend,
}

impl TestDb {
    /// Runs raw SQL against the database, bypassing the store (to tamper with rows).
    pub async fn raw_execute(&self, sql: &str) {
        match self.kind {
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.url)
                    .await
                    .expect("raw connect");
                sqlx::raw_sql(sql).execute(&mut c).await.expect("raw sql");
            }
            _ => {
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
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.url)
                    .await
                    .expect("raw connect");
                sqlx::query_scalar(sql)
                    .fetch_one(&mut c)
                    .await
                    .expect("raw query")
            }
            _ => {
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

/// Runs `test` with a store opened on a fresh database of `backend` (see
/// [`spindle_store::testing::with_database`]), closed afterwards.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    with_database(backend, |db| async move {
        let key = MasterKey::generate();
        let store = Store::connect(&db.url, key.clone())
            .await
            .expect("open the test store");
        test(TestDb {
            store: store.clone(),
            key,
            url: db.url,
            kind: db.backend,
        })
        .await;
        store.close().await;
    })
    .await;
}

/// Declares each listed `async fn name(db: TestDb)` of the enclosing module as two tests,
/// `sqlite::name` and `postgres::name`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        spindle_store::both_backends!($crate::harness::run; $($name),*);
    };
}
pub(crate) use both_backends;
