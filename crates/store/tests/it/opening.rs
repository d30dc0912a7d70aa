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
    let Some((mut admin, admin_url)) = spindle_store::testing::postgres_admin().await else {
        return;
    };
    // A name no database has yet: connecting must create it.
    let name = spindle_store::testing::unique_database_name();
    let url = spindle_store::testing::database_url(&admin_url, &name);
    let result = Store::connect(&url, MasterKey::generate()).await;
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
