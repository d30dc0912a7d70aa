use spindle_store::{
    AuthConfig, AuthKind, ConnectionId, ConnectionUpdate, Credentials, ExposeSecret, NewConnection,
    OAuthSettings, StoreError,
};

use crate::harness::{TestDb, both_backends};

const TOKEN: &str = "00TOKEN-acme-very-secret-0123456789";
const PEM: &str =
    "-----BEGIN PRIVATE KEY-----\nMIIEvSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n";

fn token_of(c: Credentials) -> String {
    match c {
        Credentials::ApiToken(s) | Credentials::PrivateKey(s) => s.expose_secret().to_owned(),
        other => panic!("unexpected credentials {other:?}"),
    }
}

fn oauth() -> NewConnection {
    NewConnection::oauth(
        "globex",
        "https://globex.oktapreview.com/",
        OAuthSettings::new(
            "0oa1client",
            vec!["okta.users.read".into(), "okta.groups.manage".into()],
        )
        .key_id("kid-1")
        .dpop(true),
        PEM.into(),
    )
}

async fn create_get_list_delete(db: TestDb) {
    let conns = db.store.connections();
    let acme = conns
        .create(NewConnection::api_token(
            "acme",
            "https://acme.okta.com",
            TOKEN.into(),
        ))
        .await
        .expect("create acme");
    assert!(acme.id.as_str().starts_with("conn_"));
    assert_eq!(acme.org_url, "https://acme.okta.com");
    assert_eq!(acme.auth, AuthConfig::ApiToken);
    assert_eq!(acme.credentials_key_id, db.key.id());

    let globex = conns.create(oauth()).await.expect("create globex");
    assert_eq!(
        globex.org_url, "https://globex.oktapreview.com",
        "trailing slash dropped"
    );
    let AuthConfig::OAuth(settings) = &globex.auth else {
        panic!("oauth expected, got {:?}", globex.auth)
    };
    assert_eq!(settings.client_id, "0oa1client");
    assert_eq!(settings.key_id.as_deref(), Some("kid-1"));
    assert_eq!(settings.scopes, ["okta.users.read", "okta.groups.manage"]);
    assert!(settings.dpop);

    assert_eq!(conns.get(&acme.id).await.expect("get"), acme);
    assert_eq!(conns.get_by_name("globex").await.expect("by name"), globex);
    let names: Vec<_> = conns
        .list()
        .await
        .expect("list")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["acme", "globex"]);

    assert_eq!(
        token_of(conns.credentials(&acme.id).await.expect("creds")),
        TOKEN
    );
    let creds = conns.credentials(&globex.id).await.expect("creds");
    assert_eq!(creds.kind(), AuthKind::OAuth);
    assert_eq!(token_of(creds), PEM);

    conns.delete(&acme.id).await.expect("delete");
    assert!(matches!(
        conns.get(&acme.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        conns.credentials(&acme.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        conns.delete(&acme.id).await,
        Err(StoreError::NotFound { .. })
    ));
    let unknown: ConnectionId = "conn_01HZZZZZZZZZZZZZZZZZZZZZZZ".parse().expect("id");
    assert!(matches!(
        conns.get(&unknown).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(conns.list().await.expect("list").len(), 1);
}

async fn duplicate_name_is_a_conflict(db: TestDb) {
    let conns = db.store.connections();
    conns
        .create(NewConnection::api_token(
            "acme",
            "https://acme.okta.com",
            TOKEN.into(),
        ))
        .await
        .expect("create");
    let err = conns
        .create(NewConnection::api_token(
            "acme",
            "https://other.okta.com",
            "x".into(),
        ))
        .await
        .expect_err("duplicate");
    assert!(
        matches!(&err, StoreError::Conflict { name, .. } if name == "acme"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "connection named \"acme\" already exists");

    let other = conns.create(oauth()).await.expect("create second");
    let err = conns
        .update(&other.id, ConnectionUpdate::new().name("acme"))
        .await
        .expect_err("rename onto taken name");
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(
        conns.get(&other.id).await.expect("get").name,
        "globex",
        "unchanged"
    );
}

async fn update_non_secret_fields_keeps_credentials(db: TestDb) {
    let conns = db.store.connections();
    let created = conns.create(oauth()).await.expect("create");
    let updated = conns
        .update(
            &created.id,
            ConnectionUpdate::new()
                .name("globex-prod")
                .org_url("https://globex.okta.com")
                .auth(AuthConfig::OAuth(OAuthSettings::new(
                    "0oa2",
                    vec!["okta.users.manage".into()],
                ))),
        )
        .await
        .expect("update");
    assert_eq!(updated.name, "globex-prod");
    assert_eq!(updated.org_url, "https://globex.okta.com");
    assert_eq!(
        updated.auth,
        AuthConfig::OAuth(OAuthSettings::new("0oa2", vec!["okta.users.manage".into()]))
    );
    assert_eq!(updated.created_at, created.created_at);
    assert!(updated.updated_at >= created.updated_at);
    assert_eq!(
        token_of(conns.credentials(&created.id).await.expect("creds")),
        PEM
    );

    // Replace only the secret.
    conns
        .update(
            &created.id,
            ConnectionUpdate::new().credentials(Credentials::PrivateKey("NEWPEM".into())),
        )
        .await
        .expect("replace credentials");
    assert_eq!(
        token_of(conns.credentials(&created.id).await.expect("creds")),
        "NEWPEM"
    );
    assert_eq!(
        conns.get(&created.id).await.expect("get").name,
        "globex-prod"
    );

    // Switching kind needs matching credentials.
    let err = conns
        .update(
            &created.id,
            ConnectionUpdate::new().auth(AuthConfig::ApiToken),
        )
        .await
        .expect_err("kind change without credentials");
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                field: "credentials",
                ..
            }
        ),
        "{err:?}"
    );
    let err = conns
        .update(
            &created.id,
            ConnectionUpdate::new().credentials(Credentials::ApiToken(TOKEN.into())),
        )
        .await
        .expect_err("token for an oauth connection");
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                field: "credentials",
                ..
            }
        ),
        "{err:?}"
    );
    let switched = conns
        .update(
            &created.id,
            ConnectionUpdate::new()
                .auth(AuthConfig::ApiToken)
                .credentials(Credentials::ApiToken(TOKEN.into())),
        )
        .await
        .expect("kind change with credentials");
    assert_eq!(switched.auth, AuthConfig::ApiToken);
    assert_eq!(
        token_of(conns.credentials(&created.id).await.expect("creds")),
        TOKEN
    );

    let missing: ConnectionId = "conn_01HZZZZZZZZZZZZZZZZZZZZZZZ".parse().expect("id");
    assert!(matches!(
        conns
            .update(&missing, ConnectionUpdate::new().name("x"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn bad_input_is_refused_before_writing(db: TestDb) {
    let conns = db.store.connections();
    for url in [
        "http://acme.okta.com",
        "https://acme.okta.com/api/v1",
        "https://acme.okta.com/?x=1",
        "https://user:pw@acme.okta.com",
        "acme.okta.com",
        "ftp://acme.okta.com",
        "",
    ] {
        let err = conns
            .create(NewConnection::api_token("acme", url, TOKEN.into()))
            .await
            .expect_err(url);
        assert!(
            matches!(
                err,
                StoreError::Invalid {
                    field: "org_url",
                    ..
                }
            ),
            "{url}: {err:?}"
        );
    }
    for name in ["", "   ", "a\nb"] {
        let err = conns
            .create(NewConnection::api_token(
                name,
                "https://acme.okta.com",
                TOKEN.into(),
            ))
            .await
            .expect_err(name);
        assert!(
            matches!(err, StoreError::Invalid { field: "name", .. }),
            "{err:?}"
        );
    }
    let mismatched = NewConnection {
        credentials: Credentials::ApiToken(TOKEN.into()),
        ..oauth()
    };
    assert!(matches!(
        conns.create(mismatched).await,
        Err(StoreError::Invalid {
            field: "credentials",
            ..
        })
    ));
    assert!(conns.list().await.expect("list").is_empty());

    // The local emulator over plain http is allowed.
    let local = conns
        .create(NewConnection::api_token(
            "local",
            "http://127.0.0.1:8123/",
            TOKEN.into(),
        ))
        .await
        .expect("loopback http");
    assert_eq!(local.org_url, "http://127.0.0.1:8123");
}

async fn ciphertext_moved_to_another_row_fails(db: TestDb) {
    let conns = db.store.connections();
    let a = conns
        .create(NewConnection::api_token(
            "a",
            "https://a.okta.com",
            TOKEN.into(),
        ))
        .await
        .expect("a");
    let b = conns
        .create(NewConnection::api_token(
            "b",
            "https://b.okta.com",
            "00other".into(),
        ))
        .await
        .expect("b");
    db.raw_execute(&format!(
        "UPDATE connections SET credentials = (SELECT credentials FROM connections WHERE id = '{a}') \
         WHERE id = '{b}'",
        a = a.id,
        b = b.id
    ))
    .await;
    let err = conns
        .credentials(&b.id)
        .await
        .expect_err("moved blob must not decrypt");
    assert!(
        matches!(&err, StoreError::Crypto { connection } if *connection == b.id.to_string()),
        "{err:?}"
    );
    assert!(!err.to_string().contains(TOKEN));
    // The original row still decrypts.
    assert_eq!(
        token_of(conns.credentials(&a.id).await.expect("a creds")),
        TOKEN
    );

    // A flipped byte is caught too.
    let blob = db
        .raw_bytes(&format!(
            "SELECT credentials FROM connections WHERE id = '{}'",
            a.id
        ))
        .await;
    let last = blob.len() - 1;
    let hex: String = blob
        .iter()
        .enumerate()
        .map(|(i, b)| format!("{:02x}", if i == last { b ^ 1 } else { *b }))
        .collect();
    let literal = match db.kind {
        spindle_store::Backend::Sqlite => format!("X'{hex}'"),
        _ => format!("'\\x{hex}'::bytea"),
    };
    db.raw_execute(&format!(
        "UPDATE connections SET credentials = {literal} WHERE id = '{}'",
        a.id
    ))
    .await;
    assert!(matches!(
        conns.credentials(&a.id).await,
        Err(StoreError::Crypto { .. })
    ));
}

async fn concurrent_writers_do_not_fail(db: TestDb) {
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            let c = store
                .connections()
                .create(NewConnection::api_token(
                    format!("org{i}"),
                    "https://acme.okta.com",
                    TOKEN.into(),
                ))
                .await?;
            store
                .connections()
                .update(
                    &c.id,
                    ConnectionUpdate::new().credentials(Credentials::ApiToken("t2".into())),
                )
                .await?;
            store
                .calls()
                .record(spindle_store::CallRecord::new("GET", "/api/v1/users"))
                .await?;
            Ok::<_, StoreError>(())
        }));
    }
    for t in tasks {
        t.await.expect("task").expect("no busy/locked errors");
    }
    assert_eq!(db.store.connections().list().await.expect("list").len(), 16);
}

both_backends!(
    create_get_list_delete,
    duplicate_name_is_a_conflict,
    update_non_secret_fields_keeps_credentials,
    bad_input_is_refused_before_writing,
    ciphertext_moved_to_another_row_fails,
    concurrent_writers_do_not_fail,
);
