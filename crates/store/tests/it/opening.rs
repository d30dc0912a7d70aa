//! Opening stores: what concerns one backend only (files, in-memory, database creation).

use spindle_store::{Backend, MasterKey, NewConnection, Store};

#[tokio::test]
async fn file_is_created_in_wal_mode_and_survives_reopening() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("nested-not-yet.db");
    let url = format!("sqlite://{}", path.display());
    let key = MasterKey::generate();
    let store = Store::connect(&url, key.clone()).await.expect("connect");
    assert_eq!(store.backend(), Backend::Sqlite);
    assert!(path.exists(), "database file created");
    let c = store
        .connections()
        .create(NewConnection::api_token(
            "acme",
            "https://acme.okta.com",
            "00t".into(),
        ))
        .await
        .expect("create");
    store.close().await;

    let mut raw = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .expect("raw");
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut raw)
        .await
        .expect("pragma");
    assert_eq!(mode, "wal");

    // Migrations on start are idempotent; data persists.
    let again = Store::connect(&url, key).await.expect("reopen");
    assert_eq!(
        again.connections().get(&c.id).await.expect("get").name,
        "acme"
    );
    again.close().await;
}

#[tokio::test]
async fn in_memory_database_works_for_tests() {
    let store = Store::connect("sqlite::memory:", MasterKey::generate())
        .await
        .expect("connect");
    store
        .connections()
        .create(NewConnection::api_token(
            "acme",
            "https://acme.okta.com",
            "00t".into(),
        ))
        .await
        .expect("create");
    assert_eq!(store.connections().list().await.expect("list").len(), 1);
    store.ping().await.expect("healthy");
    store.close().await;
    assert!(store.ping().await.is_err(), "a closed store is not healthy");
}

#[tokio::test]
async fn a_missing_postgres_database_is_created() {
    let admin_url = std::env::var("SPINDLE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let mut admin = match <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url).await {
        Ok(c) => c,
        Err(e) => {
            let msg = format!("PostgreSQL is not reachable at {admin_url} ({e})");
            assert!(
                std::env::var("SPINDLE_NO_SKIP").as_deref() != Ok("1"),
                "{msg}"
            );
            eprintln!("SKIPPED: {msg}; set SPINDLE_TEST_POSTGRES_URL");
            return;
        }
    };
    let name = format!("spindle_test_autocreate_{}", std::process::id());
    let mut url = url::Url::parse(&admin_url).expect("url");
    url.set_path(&format!("/{name}"));
    let result = Store::connect(url.as_str(), MasterKey::generate()).await;
    if let Ok(store) = &result {
        assert_eq!(store.backend(), Backend::Postgres);
        assert!(
            store
                .connections()
                .list()
                .await
                .expect("migrated")
                .is_empty()
        );
        store.close().await;
    }
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drop");
    result.expect("connect creates the database");
}
