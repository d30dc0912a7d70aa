//! Secrets never appear in `Debug` output, error text or serialized views.

use spindle_store::{
    ApiKeyScope, ConnectionUpdate, Credentials, ExposeSecret, MasterKey, NewConnection,
    OAuthSettings,
};

use crate::harness::{TestDb, both_backends};

const TOKEN: &str = "00SECRET-token-must-never-leak";
const PEM: &str = "-----BEGIN PRIVATE KEY-----SECRETPEM-----END PRIVATE KEY-----";

fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{what} leaks a secret: {text}");
    }
}

async fn secrets_never_leak(db: TestDb) {
    let key_b64 = db.key.to_base64().expose_secret().to_owned();
    let new = NewConnection::api_token("acme", "https://acme.okta.com", TOKEN.into());
    let oauth = NewConnection::oauth(
        "globex",
        "https://globex.okta.com",
        OAuthSettings::new("0oa1", vec![]),
        PEM.into(),
    );
    let mut texts = vec![
        ("NewConnection", format!("{new:?}")),
        ("NewConnection oauth", format!("{oauth:?}")),
        (
            "ConnectionUpdate",
            format!(
                "{:?}",
                ConnectionUpdate::new().credentials(Credentials::ApiToken(TOKEN.into()))
            ),
        ),
        ("MasterKey", format!("{:?}", db.key)),
        ("Store", format!("{:?}", db.store)),
    ];
    let conn = db.store.connections().create(new).await.expect("create");
    let oauth = db.store.connections().create(oauth).await.expect("create");
    let creds = db
        .store
        .connections()
        .credentials(&conn.id)
        .await
        .expect("creds");
    let pem = db
        .store
        .connections()
        .credentials(&oauth.id)
        .await
        .expect("creds");
    texts.push(("Credentials", format!("{creds:?} {pem:?}")));
    texts.push(("Connection", format!("{conn:?} {oauth:?}")));
    texts.push((
        "Connection JSON",
        serde_json::to_string(&conn).expect("json"),
    ));
    let (api_key, secret) = db
        .store
        .api_keys()
        .create("ci", ApiKeyScope::Full)
        .await
        .expect("key");
    texts.push(("ApiKey + secret", format!("{api_key:?} {secret:?}")));
    texts.push((
        "ApiKey JSON",
        serde_json::to_string(&api_key).expect("json"),
    ));

    // Errors on the paths that handle secrets.
    let other = db.reopen(MasterKey::generate()).await;
    let err = other
        .connections()
        .credentials(&conn.id)
        .await
        .expect_err("mismatch");
    texts.push(("KeyMismatch", format!("{err} {err:?}")));
    other.close().await;
    let err = db
        .store
        .connections()
        .create(NewConnection::api_token(
            "acme",
            "https://acme.okta.com",
            TOKEN.into(),
        ))
        .await
        .expect_err("conflict");
    texts.push(("Conflict", format!("{err} {err:?}")));
    let err = db
        .store
        .connections()
        .create(NewConnection::api_token(
            "x",
            "http://acme.okta.com",
            TOKEN.into(),
        ))
        .await
        .expect_err("invalid url");
    texts.push(("Invalid", format!("{err} {err:?}")));

    let secrets = [
        TOKEN,
        PEM,
        "SECRETPEM",
        key_b64.as_str(),
        secret.expose_secret(),
    ];
    for (what, text) in &texts {
        assert_clean(what, text, &secrets);
    }
    // The secrets are still reachable where they are meant to be.
    match creds {
        Credentials::ApiToken(t) => assert_eq!(t.expose_secret(), TOKEN),
        other => panic!("{other:?}"),
    }
}

both_backends!(secrets_never_leak);
