//! Okta Aerial settings of connections: stored beside the org settings, with a write-only
//! Bearer token sealed under the master key like the credentials.

use spindle_store::{
    AerialSettings, ConnectionUpdate, ExposeSecret, MasterKey, NewConnection, SecretString,
    StoreError,
};

use crate::harness::{TestDb, both_backends};

const ORG_TOKEN: &str = "00TOKEN-aerial-org-secret-0123456789";
const AERIAL_TOKEN: &str = "eyJAERIAL-bearer-very-secret-abcdef";
const OTHER_TOKEN: &str = "eyJAERIAL-second-bearer-secret-987654";

fn with_aerial(name: &str) -> NewConnection {
    NewConnection::api_token(name, "https://acme.okta.com", ORG_TOKEN.into()).aerial(
        AerialSettings::new("https://aerial-apac.okta.com/", " acc123 "),
        Some(AERIAL_TOKEN.into()),
    )
}

fn secret(s: Option<SecretString>) -> Option<String> {
    s.map(|s| s.expose_secret().to_owned())
}

async fn create_with_aerial_shows_settings_never_the_token(db: TestDb) {
    let conns = db.store.connections();
    let c = conns.create(with_aerial("acme")).await.expect("create");
    assert_eq!(
        c.aerial,
        Some(AerialSettings::new(
            "https://aerial-apac.okta.com",
            "acc123"
        )),
        "trailing slash and spaces dropped"
    );
    assert_eq!(c.aerial_token_key_id.as_deref(), Some(db.key.id()));
    for shown in [
        format!("{c:?}"),
        serde_json::to_string(&c).expect("json"),
        format!("{:?}", conns.list().await.expect("list")),
    ] {
        assert!(!shown.contains(AERIAL_TOKEN), "{shown}");
        assert!(!shown.contains(ORG_TOKEN), "{shown}");
    }
    assert_eq!(conns.get(&c.id).await.expect("get"), c);
    assert_eq!(
        secret(conns.aerial_token(&c.id).await.expect("token")).as_deref(),
        Some(AERIAL_TOKEN)
    );
    let blob = db
        .raw_bytes(&format!(
            "SELECT aerial_token FROM connections WHERE id = '{}'",
            c.id
        ))
        .await;
    assert!(
        !blob
            .windows(AERIAL_TOKEN.len())
            .any(|w| w == AERIAL_TOKEN.as_bytes()),
        "the token is stored sealed"
    );

    // The emulator's Aerial prefix on loopback http; settings without a token.
    let emu = conns
        .create(
            NewConnection::api_token("emu", "http://127.0.0.1:8080", ORG_TOKEN.into()).aerial(
                AerialSettings::new("http://127.0.0.1:8080/aerial/", "acc-1"),
                None,
            ),
        )
        .await
        .expect("create emu");
    assert_eq!(
        emu.aerial,
        Some(AerialSettings::new("http://127.0.0.1:8080/aerial", "acc-1"))
    );
    assert_eq!(emu.aerial_token_key_id, None);
    assert!(conns.aerial_token(&emu.id).await.expect("token").is_none());

    // No Aerial at all.
    let plain = conns
        .create(NewConnection::api_token(
            "plain",
            "https://acme.okta.com",
            ORG_TOKEN.into(),
        ))
        .await
        .expect("create plain");
    assert_eq!(plain.aerial, None);
    assert!(
        conns
            .aerial_token(&plain.id)
            .await
            .expect("token")
            .is_none()
    );
    conns.delete(&plain.id).await.expect("delete");
    assert!(matches!(
        conns.aerial_token(&plain.id).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn update_sets_keeps_replaces_and_removes_aerial(db: TestDb) {
    let conns = db.store.connections();
    let c = conns
        .create(NewConnection::api_token(
            "acme",
            "https://acme.okta.com",
            ORG_TOKEN.into(),
        ))
        .await
        .expect("create");

    // A token needs settings.
    let err = conns
        .update(
            &c.id,
            ConnectionUpdate::new().aerial_token(AERIAL_TOKEN.into()),
        )
        .await
        .expect_err("token without settings");
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                field: "aerial_token",
                ..
            }
        ),
        "{err:?}"
    );

    // Set settings and token together.
    let c2 = conns
        .update(
            &c.id,
            ConnectionUpdate::new()
                .aerial(AerialSettings::new("https://aerial-apac.okta.com", "acc1"))
                .aerial_token(AERIAL_TOKEN.into()),
        )
        .await
        .expect("set aerial");
    assert_eq!(
        c2.aerial,
        Some(AerialSettings::new("https://aerial-apac.okta.com", "acc1"))
    );
    assert_eq!(c2.aerial_token_key_id.as_deref(), Some(db.key.id()));
    assert_eq!(
        secret(conns.aerial_token(&c.id).await.expect("token")).as_deref(),
        Some(AERIAL_TOKEN)
    );

    // Unrelated changes (with and without new credentials) leave Aerial alone.
    let c3 = conns
        .update(&c.id, ConnectionUpdate::new().name("acme-prod"))
        .await
        .expect("rename");
    assert_eq!(c3.aerial, c2.aerial);
    let c4 = conns
        .update(
            &c.id,
            ConnectionUpdate::new().credentials(spindle_store::Credentials::ApiToken(
                "00NEW-org-token".into(),
            )),
        )
        .await
        .expect("new credentials");
    assert_eq!(c4.aerial, c2.aerial);
    assert_eq!(
        secret(conns.aerial_token(&c.id).await.expect("token")).as_deref(),
        Some(AERIAL_TOKEN)
    );

    // New settings keep the token; a new token keeps the settings.
    let c5 = conns
        .update(
            &c.id,
            ConnectionUpdate::new()
                .aerial(AerialSettings::new("https://aerial-us.okta.com", "acc2")),
        )
        .await
        .expect("new settings");
    assert_eq!(
        c5.aerial,
        Some(AerialSettings::new("https://aerial-us.okta.com", "acc2"))
    );
    assert_eq!(
        secret(conns.aerial_token(&c.id).await.expect("token")).as_deref(),
        Some(AERIAL_TOKEN)
    );
    let c6 = conns
        .update(
            &c.id,
            ConnectionUpdate::new().aerial_token(OTHER_TOKEN.into()),
        )
        .await
        .expect("new token");
    assert_eq!(c6.aerial, c5.aerial);
    assert_eq!(
        secret(conns.aerial_token(&c.id).await.expect("token")).as_deref(),
        Some(OTHER_TOKEN)
    );

    // Removing drops settings and token.
    let c7 = conns
        .update(&c.id, ConnectionUpdate::new().remove_aerial())
        .await
        .expect("remove");
    assert_eq!(c7.aerial, None);
    assert_eq!(c7.aerial_token_key_id, None);
    assert!(conns.aerial_token(&c.id).await.expect("token").is_none());
    // Settings set again without a token: none comes back.
    let c8 = conns
        .update(
            &c.id,
            ConnectionUpdate::new()
                .aerial(AerialSettings::new("https://aerial-us.okta.com", "acc2")),
        )
        .await
        .expect("set again");
    assert_eq!(c8.aerial_token_key_id, None);
    assert!(conns.aerial_token(&c.id).await.expect("token").is_none());
}

async fn bad_aerial_input_is_refused_before_writing(db: TestDb) {
    let conns = db.store.connections();
    let cases = [
        ("http://aerial-apac.okta.com", "acc1", "aerial.url"),
        ("not a url", "acc1", "aerial.url"),
        ("https://aerial-apac.okta.com?x=1", "acc1", "aerial.url"),
        ("https://user:pw@aerial-apac.okta.com", "acc1", "aerial.url"),
        ("https://aerial-apac.okta.com", "", "aerial.account_id"),
        ("https://aerial-apac.okta.com", "acc/1", "aerial.account_id"),
    ];
    for (url, account, field) in cases {
        let err = conns
            .create(
                NewConnection::api_token("x", "https://acme.okta.com", ORG_TOKEN.into())
                    .aerial(AerialSettings::new(url, account), None),
            )
            .await
            .expect_err(url);
        match err {
            StoreError::Invalid { field: f, .. } => assert_eq!(f, field, "{url} {account}"),
            other => panic!("{url}: {other:?}"),
        }
    }
    let mut token_only = NewConnection::api_token("x", "https://acme.okta.com", ORG_TOKEN.into());
    token_only.aerial_token = Some(AERIAL_TOKEN.into());
    let err = conns.create(token_only).await.expect_err("token only");
    assert!(err.to_string().contains("aerial_token"), "{err}");
    assert!(!err.to_string().contains(AERIAL_TOKEN), "{err}");
    let err = conns
        .create(
            NewConnection::api_token("x", "https://acme.okta.com", ORG_TOKEN.into()).aerial(
                AerialSettings::new("https://aerial-apac.okta.com", "acc1"),
                Some("has space".into()),
            ),
        )
        .await
        .expect_err("bad token");
    assert!(err.to_string().contains("aerial_token"), "{err}");
    assert!(!err.to_string().contains("has space"), "{err}");
    assert!(conns.list().await.expect("list").is_empty());
}

async fn rotation_reencrypts_the_aerial_token(db: TestDb) {
    let conns = db.store.connections();
    let a = conns.create(with_aerial("a")).await.expect("create a");
    let b = conns
        .create(NewConnection::api_token(
            "b",
            "https://acme.okta.com",
            ORG_TOKEN.into(),
        ))
        .await
        .expect("create b");
    let old = db.key.clone();
    let new = MasterKey::generate();
    // a: credentials + Aerial token; b: credentials.
    assert_eq!(
        db.store
            .rotate_master_key(&old, &new)
            .await
            .expect("rotate"),
        3
    );
    let a2 = conns.get(&a.id).await.expect("get");
    assert_eq!(a2.aerial_token_key_id.as_deref(), Some(new.id()));
    assert_eq!(
        secret(conns.aerial_token(&a.id).await.expect("token")).as_deref(),
        Some(AERIAL_TOKEN)
    );
    assert_eq!(
        conns.get(&b.id).await.expect("get b").aerial_token_key_id,
        None
    );

    let stale = db.reopen(old.clone()).await;
    let err = stale
        .connections()
        .aerial_token(&a.id)
        .await
        .expect_err("old key");
    assert!(matches!(err, StoreError::KeyMismatch { .. }), "{err:?}");
    assert!(!err.to_string().contains(AERIAL_TOKEN));
    stale.close().await;

    let fresh = db.reopen(new.clone()).await;
    assert_eq!(
        secret(
            fresh
                .connections()
                .aerial_token(&a.id)
                .await
                .expect("token")
        )
        .as_deref(),
        Some(AERIAL_TOKEN)
    );
    assert_eq!(fresh.rotate_master_key(&old, &new).await.expect("again"), 0);
    fresh.close().await;
}

async fn credentials_blob_cannot_pass_for_the_aerial_token(db: TestDb) {
    let conns = db.store.connections();
    let c = conns.create(with_aerial("acme")).await.expect("create");
    db.raw_execute(&format!(
        "UPDATE connections SET aerial_token = credentials WHERE id = '{}'",
        c.id
    ))
    .await;
    let err = conns.aerial_token(&c.id).await.expect_err("swapped");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(!err.to_string().contains(ORG_TOKEN), "{err}");
}

both_backends!(
    create_with_aerial_shows_settings_never_the_token,
    update_sets_keeps_replaces_and_removes_aerial,
    bad_aerial_input_is_refused_before_writing,
    rotation_reencrypts_the_aerial_token,
    credentials_blob_cannot_pass_for_the_aerial_token,
);

#[test]
fn debug_redacts_the_aerial_token() {
    let new = with_aerial("acme");
    let update = ConnectionUpdate::new()
        .aerial(AerialSettings::new("https://aerial-apac.okta.com", "acc1"))
        .aerial_token(AERIAL_TOKEN.into());
    for shown in [format!("{new:?}"), format!("{update:?}")] {
        assert!(!shown.contains(AERIAL_TOKEN), "{shown}");
        assert!(shown.contains("acc"), "settings are shown: {shown}");
    }
}
