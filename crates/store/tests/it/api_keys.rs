use sha2::{Digest, Sha256};
use spindle_store::{ApiKeyId, ApiKeyScope, ExposeSecret, StoreError};

use crate::harness::{TestDb, both_backends};

async fn create_authenticate_revoke(db: TestDb) {
    let keys = db.store.api_keys();
    let (key, secret) = keys
        .create("ci", ApiKeyScope::ReadOnly)
        .await
        .expect("create");
    let secret = secret.expose_secret().to_owned();
    let ulid = key.id.as_str().strip_prefix("key_").expect("key_ prefix");
    assert!(secret.starts_with(&format!("spk_{ulid}_")), "{secret}");
    assert_eq!(secret.len(), 4 + 26 + 1 + 43);
    assert_eq!(key.scope, ApiKeyScope::ReadOnly);
    assert!(key.last_used_at.is_none() && !key.is_revoked());

    let found = keys
        .authenticate(&secret)
        .await
        .expect("auth")
        .expect("valid key");
    assert_eq!(found.id, key.id);
    assert_eq!(found.scope, ApiKeyScope::ReadOnly);
    assert!(!found.scope.allows_writes());
    let first_use = keys.get(&key.id).await.expect("get").last_used_at;
    assert!(first_use.is_some(), "use recorded");
    assert_eq!(found.last_used_at, first_use);
    // Within a minute, using the key again does not write (cheap hot path).
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let again = keys
        .authenticate(&secret)
        .await
        .expect("auth")
        .expect("valid key");
    assert_eq!(again.last_used_at, first_use);
    assert_eq!(
        keys.get(&key.id).await.expect("get").last_used_at,
        first_use
    );

    // A wrong random part with the right id, and malformed secrets, authenticate nothing.
    let mut wrong = secret.clone();
    let last = wrong.pop().expect("non-empty");
    wrong.push(if last == 'A' { 'B' } else { 'A' });
    assert!(keys.authenticate(&wrong).await.expect("auth").is_none());
    for bad in [
        "",
        "spk_",
        "Bearer x",
        &secret[..secret.len() - 1],
        &format!("{secret}x"),
    ] {
        assert!(
            keys.authenticate(bad).await.expect("auth").is_none(),
            "{bad:?}"
        );
    }

    let (full, full_secret) = keys
        .create("admin", ApiKeyScope::Full)
        .await
        .expect("create full");
    assert!(full.scope.allows_writes());
    assert_ne!(full_secret.expose_secret(), secret, "secrets are random");

    let revoked = keys.revoke(&key.id).await.expect("revoke");
    assert!(revoked.is_revoked());
    assert!(
        keys.authenticate(&secret).await.expect("auth").is_none(),
        "revoked key rejected"
    );
    let again = keys.revoke(&key.id).await.expect("revoke twice");
    assert_eq!(
        again.revoked_at, revoked.revoked_at,
        "first revocation time kept"
    );
    assert!(
        keys.authenticate(full_secret.expose_secret())
            .await
            .expect("auth")
            .is_some()
    );

    let listed = keys.list().await.expect("list");
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id, full.id, "newest first");
    assert!(!format!("{listed:?}").contains(&secret));

    let missing: ApiKeyId = "key_01HZZZZZZZZZZZZZZZZZZZZZZZ".parse().expect("id");
    assert!(matches!(
        keys.revoke(&missing).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn only_a_hash_of_the_secret_is_stored(db: TestDb) {
    let (key, secret) = db
        .store
        .api_keys()
        .create("ci", ApiKeyScope::Full)
        .await
        .expect("create");
    let stored = db
        .raw_bytes(&format!(
            "SELECT secret_hash FROM api_keys WHERE id = '{}'",
            key.id
        ))
        .await;
    assert_eq!(
        stored,
        Sha256::digest(secret.expose_secret().as_bytes()).to_vec()
    );
}

both_backends!(
    create_authenticate_revoke,
    only_a_hash_of_the_secret_is_stored
);
