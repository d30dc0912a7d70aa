//! `spindle keys`: the gateway's API keys, and rotation of the master key.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use secrecy::ExposeSecret;
use spindle_store::{ApiKeyId, ApiKeyScope, MasterKey};

use crate::store_args::StoreArgs;
use crate::{CliError, output};

/// What a new key may do.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Scope {
    /// List, read connections and logs, run read actions.
    ReadOnly,
    /// Everything: writes to Okta, managing connections.
    Full,
}

/// `spindle keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an API key and print its secret (shown this once; only its hash is stored).
    #[command(
        after_help = "Examples:\n  spindle keys create backend --scope full\n  \
                            spindle keys create dashboard --scope read-only --database-url postgres://spindle@db/spindle"
    )]
    Create {
        /// A label for the key (`ci`, `backend-prod`).
        name: String,
        /// What the key may do.
        #[arg(long, value_enum, default_value = "read-only")]
        scope: Scope,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the API keys (never their secrets).
    #[command(after_help = "Examples:\n  spindle keys list\n  spindle keys list --json")]
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke an API key: it authenticates nothing from now on.
    #[command(after_help = "Examples:\n  spindle keys revoke key_01JB8Q3Z5W0000000000000000")]
    Revoke {
        /// The key's id (`key_…`).
        id: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Re-encrypt every stored credential under a new master key.
    ///
    /// The current key comes from SPINDLE_MASTER_KEY or --master-key-file; the new one from
    /// --new-key-file, which is created with a fresh key when it does not exist. Afterwards, start
    /// the gateway with the new key. Running it again is harmless.
    #[command(
        after_help = "Examples:\n  spindle keys rotate-master --new-key-file spindle.key.new\n  \
                            SPINDLE_MASTER_KEY=\"$OLD\" spindle keys rotate-master --new-key-file /etc/spindle/key.new --database-url postgres://spindle@db/spindle"
    )]
    RotateMaster {
        /// The file with the new key (created, mode 0600, when missing).
        #[arg(long)]
        new_key_file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Runs `spindle keys …`.
pub fn run(command: KeysCommand) -> Result<(), CliError> {
    crate::runtime()?.block_on(async move {
        match command {
            KeysCommand::Create { name, scope, store } => {
                let db = store.open(store.master_key(true)?).await?;
                let scope = match scope {
                    Scope::ReadOnly => ApiKeyScope::ReadOnly,
                    Scope::Full => ApiKeyScope::Full,
                };
                let (key, secret) = db
                    .api_keys()
                    .create(&name, scope)
                    .await
                    .map_err(|e| CliError::BadInput(e.to_string()))?;
                output::with_stdout(|out| writeln!(out, "{}", secret.expose_secret()))?;
                eprintln!(
                    "spindle: created {} key {} ({}); the secret above is shown only now",
                    key.scope.as_str(),
                    key.id,
                    key.name
                );
                db.close().await;
                Ok(())
            }
            KeysCommand::List { json, store } => {
                let db = store.open(store.master_key(false)?).await?;
                let keys = db
                    .api_keys()
                    .list()
                    .await
                    .map_err(|e| CliError::BadInput(e.to_string()))?;
                db.close().await;
                if json {
                    let value = serde_json::to_value(&keys)
                        .map_err(|e| CliError::Execute(e.to_string()))?;
                    return output::with_stdout(|out| output::json(out, &value));
                }
                output::with_stdout(|out| {
                    writeln!(
                        out,
                        "{:<30}  {:<9}  {:<20}  {:<20}  NAME",
                        "ID", "SCOPE", "CREATED", "STATUS"
                    )?;
                    for key in &keys {
                        let status = match (&key.revoked_at, &key.last_used_at) {
                            (Some(at), _) => format!("revoked {}", date(*at)),
                            (None, Some(at)) => format!("used {}", date(*at)),
                            (None, None) => "never used".to_owned(),
                        };
                        writeln!(
                            out,
                            "{:<30}  {:<9}  {:<20}  {:<20}  {}",
                            key.id,
                            key.scope.as_str(),
                            date(key.created_at),
                            status,
                            key.name
                        )?;
                    }
                    Ok(())
                })
            }
            KeysCommand::Revoke { id, store } => {
                let id: ApiKeyId = id
                    .parse()
                    .map_err(|e: spindle_store::StoreError| CliError::BadInput(e.to_string()))?;
                let db = store.open(store.master_key(false)?).await?;
                let key = db
                    .api_keys()
                    .revoke(&id)
                    .await
                    .map_err(|e| CliError::BadInput(e.to_string()))?;
                db.close().await;
                eprintln!("spindle: revoked key {} ({})", key.id, key.name);
                Ok(())
            }
            KeysCommand::RotateMaster {
                new_key_file,
                store,
            } => {
                let old = store.master_key(false)?;
                let new = if new_key_file.exists() {
                    MasterKey::from_file(&new_key_file)
                        .map_err(|e| CliError::BadInput(e.to_string()))?
                } else {
                    let key = MasterKey::generate();
                    key.write_new_file(&new_key_file)
                        .map_err(|e| CliError::BadInput(e.to_string()))?;
                    key
                };
                let db = store.open(old.clone()).await?;
                let rotated = db
                    .rotate_master_key(&old, &new)
                    .await
                    .map_err(|e| CliError::BadInput(e.to_string()))?;
                db.close().await;
                eprintln!(
                    "spindle: re-encrypted {rotated} secret(s) from key {} to key {}; start \
                     the gateway with --master-key-file {} (or SPINDLE_MASTER_KEY set to its \
                     contents) and keep the old key until every gateway has restarted",
                    old.id(),
                    new.id(),
                    new_key_file.display()
                );
                Ok(())
            }
        }
    })
}

fn date(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
