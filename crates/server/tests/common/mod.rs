//! Set-up shared by the single-file test binaries: an emulated org with a connection to it in a
//! fresh SQLite store, and a full API key.

// Each test binary uses a part of it.
#![allow(dead_code)]

use secrecy::SecretString;
use spindle_emulator::{Emulator, EmulatorConfig};
use spindle_server::{OrgUrlPolicy, Settings};
use spindle_store::{ApiKeyScope, Connection, MasterKey, NewConnection, Store};

/// An emulator, a store holding a connection to it, and a full key.
pub struct Org {
    pub emulator: Emulator,
    pub store: Store,
    pub connection: Connection,
    pub key: SecretString,
    /// Holds the SQLite file; dropped with the set-up.
    pub dir: tempfile::TempDir,
}

/// Starts an emulator from `config` and a store with connection `name` to it.
pub async fn org(config: EmulatorConfig, name: &str) -> Org {
    let emulator = Emulator::start(config).await.expect("the emulator starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let database = format!("sqlite://{}", dir.path().join("gateway.db").display());
    let store = Store::connect(&database, MasterKey::generate())
        .await
        .expect("the store opens");
    let connection = store
        .connections()
        .create(NewConnection::api_token(
            name,
            emulator.url(),
            emulator.token().to_owned().into(),
        ))
        .await
        .expect("a connection");
    let (_, key) = store
        .api_keys()
        .create("test", ApiKeyScope::Full)
        .await
        .expect("a key");
    Org {
        emulator,
        store,
        connection,
        key,
        dir,
    }
}

/// Default settings that accept the emulator on loopback.
pub fn dev_settings() -> Settings {
    let mut settings = Settings::default();
    settings.policy = OrgUrlPolicy {
        allow_private: true,
        allowed_domains: Vec::new(),
    };
    settings
}
