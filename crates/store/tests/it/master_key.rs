use spindle_store::{Credentials, ExposeSecret, MasterKey, NewConnection, Store, StoreError};

use crate::harness::{TestDb, both_backends};

const TOKEN: &str = "00TOKEN-rotation-secret-abcdef";

fn token_of(c: Credentials) -> String {
    match c {
        Credentials::ApiToken(s) | Credentials::PrivateKey(s) => s.expose_secret().to_owned(),
        other => panic!("unexpected credentials {other:?}"),
    }
}

async fn rotation_reencrypts_and_old_key_stops_working(db: TestDb) {
    let conns = db.store.connections();
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        let c = conns
            .create(NewConnection::api_token(
                name,
                "https://acme.okta.com",
                format!("{TOKEN}-{name}").into(),
            ))
            .await
            .expect("create");
        ids.push(c.id);
    }
    let old = db.key.clone();
    let new = MasterKey::generate();
    assert_eq!(
        db.store
            .rotate_master_key(&old, &new)
            .await
            .expect("rotate"),
        3
    );

    // This store now uses the new key.
    for (id, name) in ids.iter().zip(["a", "b", "c"]) {
        assert_eq!(
            token_of(conns.credentials(id).await.expect("creds")),
            format!("{TOKEN}-{name}")
        );
        assert_eq!(
            conns.get(id).await.expect("get").credentials_key_id,
            new.id()
        );
    }
    // New connections are sealed with the new key.
    let d = conns
        .create(NewConnection::api_token(
            "d",
            "https://acme.okta.com",
            TOKEN.into(),
        ))
        .await
        .expect("create after rotation");
    assert_eq!(d.credentials_key_id, new.id());

    // A process still holding the old key gets a clear mismatch, never the secret.
    let stale = db.reopen(old.clone()).await;
    let err = stale
        .connections()
        .credentials(&ids[0])
        .await
        .expect_err("old key");
    let text = err.to_string();
    assert!(matches!(err, StoreError::KeyMismatch { .. }), "{err:?}");
    assert!(text.contains(ids[0].as_str()), "{text}");
    assert!(text.contains("master key does not match"), "{text}");
    assert!(text.contains(new.id()) && text.contains(old.id()), "{text}");
    assert!(!text.contains(TOKEN));
    stale.close().await;

    // A fresh process with the new key reads everything.
    let fresh = db.reopen(new.clone()).await;
    assert_eq!(
        token_of(fresh.connections().credentials(&d.id).await.expect("creds")),
        TOKEN
    );
    // Rotating again is a no-op.
    assert_eq!(fresh.rotate_master_key(&old, &new).await.expect("again"), 0);
    fresh.close().await;
}

async fn rotation_with_the_wrong_old_key_changes_nothing(db: TestDb) {
    let conns = db.store.connections();
    let c = conns
        .create(NewConnection::api_token(
            "a",
            "https://acme.okta.com",
            TOKEN.into(),
        ))
        .await
        .expect("create");
    let wrong = MasterKey::generate();
    let new = MasterKey::generate();
    let err = db
        .store
        .rotate_master_key(&wrong, &new)
        .await
        .expect_err("wrong old key");
    assert!(matches!(err, StoreError::KeyMismatch { .. }), "{err:?}");
    assert_eq!(
        conns.get(&c.id).await.expect("get").credentials_key_id,
        db.key.id()
    );
    assert_eq!(
        token_of(conns.credentials(&c.id).await.expect("still readable")),
        TOKEN
    );
}

both_backends!(
    rotation_reencrypts_and_old_key_stops_working,
    rotation_with_the_wrong_old_key_changes_nothing,
);

#[cfg(unix)]
#[test]
fn key_file_must_be_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("master.key");
    let key = MasterKey::generate();
    key.write_new_file(&path).expect("write");
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(MasterKey::from_file(&path).expect("read").id(), key.id());
    assert!(
        key.write_new_file(&path).is_err(),
        "an existing key file must never be overwritten"
    );

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let err = MasterKey::from_file(&path).expect_err("world-readable key file");
    let text = err.to_string();
    assert!(
        text.contains("chmod 600") && text.contains("0644"),
        "{text}"
    );
    assert!(!text.contains(key.to_base64().expose_secret()));
}

#[test]
fn key_file_forms_and_garbage() {
    let dir = tempfile::tempdir().expect("dir");
    let raw = dir.path().join("raw.key");
    write_private(&raw, &[9u8; 32]);
    assert_eq!(
        MasterKey::from_file(&raw).expect("raw bytes").id(),
        MasterKey::from_bytes([9u8; 32]).id()
    );
    let garbage = dir.path().join("garbage.key");
    write_private(&garbage, b"not a key at all\n");
    assert!(matches!(
        MasterKey::from_file(&garbage),
        Err(StoreError::MasterKey { .. })
    ));
    let missing = dir.path().join("missing.key");
    let err = MasterKey::from_file(&missing).expect_err("missing");
    assert!(err.to_string().contains("missing.key"), "{err}");
}

fn write_private(path: &std::path::Path, bytes: &[u8]) {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .expect("write key file");
}

#[test]
fn base64_keys_parse_and_errors_do_not_echo_input() {
    let key = MasterKey::generate();
    let text = key.to_base64();
    assert_eq!(
        MasterKey::from_base64(text.expose_secret())
            .expect("std")
            .id(),
        key.id()
    );
    assert_eq!(
        MasterKey::from_base64(&format!("  {}\n", text.expose_secret()))
            .expect("padded ws")
            .id(),
        key.id()
    );
    let url_safe = text.expose_secret().replace('+', "-").replace('/', "_");
    assert_eq!(
        MasterKey::from_base64(&url_safe).expect("url-safe").id(),
        key.id()
    );

    let short = "c2hvcnQtc2VjcmV0LXZhbHVl"; // "short-secret-value"
    let err = MasterKey::from_base64(short).expect_err("18 bytes");
    assert!(err.to_string().contains("18 bytes"), "{err}");
    assert!(!err.to_string().contains(short));
    let err = MasterKey::from_base64("!!not-base64-SECRETISH!!").expect_err("not base64");
    assert!(!err.to_string().contains("SECRETISH"), "{err}");
}

#[test]
fn key_id_is_the_sha256_prefix() {
    // SHA-256 of 32 zero bytes is 66687aad….
    assert_eq!(MasterKey::from_bytes([0u8; 32]).id(), "66687aad");
}

#[tokio::test]
async fn unsupported_database_urls_are_refused() {
    for url in ["mysql://root@localhost/db", "spindle.db", ""] {
        let err = Store::connect(url, MasterKey::generate())
            .await
            .expect_err(url);
        assert!(
            matches!(err, StoreError::InvalidDatabaseUrl { .. }),
            "{url}: {err:?}"
        );
    }
}

/// `MasterKey::from_env` is checked in a child process of this test binary, because changing the
/// environment of the running (multi-threaded) process is unsound.
#[test]
fn master_key_from_env() {
    const EXPECT: &str = "SPINDLE_STORE_TEST_EXPECT";
    if let Ok(expect) = std::env::var(EXPECT) {
        let result = MasterKey::from_env();
        match expect.strip_prefix("error:") {
            Some(fragment) => {
                let err = result.expect_err("from_env must fail");
                assert!(err.to_string().contains(fragment), "{err}");
            }
            None => assert_eq!(result.expect("from_env").id(), expect),
        }
        return;
    }
    let key = MasterKey::generate();
    let cases = [
        (
            Some(key.to_base64().expose_secret().to_owned()),
            key.id().to_owned(),
        ),
        (None, "error:SPINDLE_MASTER_KEY is not set".to_owned()),
        (
            Some("dG9vIHNob3J0".to_owned()),
            "error:SPINDLE_MASTER_KEY: decodes to 9 bytes".to_owned(),
        ),
    ];
    for (value, expect) in cases {
        let mut cmd = std::process::Command::new(std::env::current_exe().expect("test binary"));
        cmd.args(["--exact", "master_key::master_key_from_env", "--nocapture"])
            .env(EXPECT, &expect)
            .env_remove(spindle_store::MASTER_KEY_ENV);
        if let Some(v) = &value {
            cmd.env(spindle_store::MASTER_KEY_ENV, v);
        }
        let out = cmd.output().expect("run child");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{expect}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("1 passed"), "child ran the test: {stdout}");
    }
}
