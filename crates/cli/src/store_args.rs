//! Options shared by the commands that use the gateway's store (`serve`, `keys`, `connections`,
//! `run --connection`): where the store is, which master key opens it, and which org URLs its
//! connections may use.

use std::path::PathBuf;

use clap::Args;
use spindle_server::OrgUrlPolicy;
use spindle_store::{MASTER_KEY_ENV, MasterKey, Store};

use crate::CliError;

/// The default database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://spindle.db";
/// The default master key file, next to the default database.
pub const DEFAULT_KEY_FILE: &str = "spindle.key";

/// Options locating the store and its master key.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// The database: `sqlite://PATH` (created if missing) or `postgres://USER@HOST:PORT/DB`.
    /// Migrations run on start.
    #[arg(long, env = "SPINDLE_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,
    /// The file holding the master key that encrypts stored credentials (base64 of 32 bytes,
    /// mode 0600). `SPINDLE_MASTER_KEY` (the key itself) takes precedence. When neither exists,
    /// `spindle serve`, `keys create` and `connections add` create this file with a new key.
    #[arg(long, env = "SPINDLE_MASTER_KEY_FILE", default_value = DEFAULT_KEY_FILE)]
    pub master_key_file: PathBuf,
}

impl StoreArgs {
    /// The master key: `SPINDLE_MASTER_KEY`, else the key file; with `create`, a missing key file
    /// is created with a new key (and a note on stderr).
    pub fn master_key(&self, create: bool) -> Result<MasterKey, CliError> {
        if std::env::var_os(MASTER_KEY_ENV).is_some() {
            return MasterKey::from_env().map_err(|e| CliError::BadInput(e.to_string()));
        }
        let path = &self.master_key_file;
        if !path.exists() && create {
            let key = MasterKey::generate();
            key.write_new_file(path)
                .map_err(|e| CliError::BadInput(e.to_string()))?;
            eprintln!(
                "spindle: created master key file {} (key id {}); back it up: without it the \
                 stored credentials cannot be decrypted",
                path.display(),
                key.id()
            );
            return Ok(key);
        }
        MasterKey::from_file(path).map_err(|e| {
            CliError::BadInput(format!(
                "{e} (set {MASTER_KEY_ENV}, or --master-key-file to the key the store was written with)"
            ))
        })
    }

    /// Opens the store with `key`.
    pub async fn open(&self, key: MasterKey) -> Result<Store, CliError> {
        Store::connect(&self.database_url, key)
            .await
            .map_err(|e| CliError::BadInput(format!("cannot open the store: {e}")))
    }
}

/// Which org URLs connections may use: the gateway's SSRF guard and its two escapes.
#[derive(Debug, Args)]
pub struct OrgPolicyArgs {
    /// Accept connections whose org URL is plain http or resolves to loopback, private or
    /// link-local addresses (an emulator, a test org behind a proxy). Off by default: it would
    /// let whoever adds a connection make the gateway reach its own network.
    #[arg(long, env = "SPINDLE_ALLOW_PRIVATE_ORGS")]
    pub allow_private_orgs: bool,
    /// A custom Okta domain connections may use besides Okta's own (`login.example.com`, or
    /// `*.example.com` for its subdomains). Repeatable.
    #[arg(long = "allow-org-domain", value_name = "DOMAIN")]
    pub allow_org_domains: Vec<String>,
}

impl OrgPolicyArgs {
    /// The policy these options ask for.
    pub fn policy(&self) -> OrgUrlPolicy {
        OrgUrlPolicy {
            allow_private: self.allow_private_orgs,
            allowed_domains: self.allow_org_domains.clone(),
        }
    }
}
