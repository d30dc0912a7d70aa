//! `spindle connections`: named Okta connections kept in a config directory.
//!
//! The directory is `$SPINDLE_CONFIG_DIR`, else the platform's config directory + `spindle`.
//! `connections.toml` holds what is not secret (org URL, client id, scopes, key file path, the
//! name of a token variable); secrets given on stdin go to `secrets.toml`, written with mode 0600
//! and refused when group or others can read it.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::{CliError, output};

/// The `connections` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConnectionsCommand {
    /// Add (or replace) a named connection.
    #[command(after_help = "Examples:\n  \
                            printf %s \"$TOKEN\" | spindle connections add prod --org-url https://example.okta.com --token-stdin\n  \
                            spindle connections add ci --org-url https://example.okta.com --token-env OKTA_TOKEN\n  \
                            spindle connections add svc --org-url https://example.okta.com --client-id 0oa1 \\\n    \
                            --private-key-file key.pem --key-id kid1 --scopes okta.users.read,okta.groups.read")]
    Add(AddArgs),
    /// List the named connections (never their secrets).
    List,
    /// Remove a named connection and its secret.
    Remove {
        /// The connection's name.
        name: String,
    },
}

/// Options of `spindle connections add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The connection's name.
    name: String,
    /// The Okta org URL, e.g. `https://example.okta.com`.
    #[arg(long)]
    org_url: String,
    /// Read an API token (SSWS) from standard input; it is stored in the secrets file (0600).
    #[arg(long, conflicts_with_all = ["token_env", "client_id"])]
    token_stdin: bool,
    /// Read the API token from this environment variable when the connection is used (only the
    /// variable's name is stored).
    #[arg(long, value_name = "VAR", conflicts_with = "client_id")]
    token_env: Option<String>,
    /// OAuth 2.0 service app: its client id (with --private-key-file and --scopes).
    #[arg(long, requires_all = ["private_key_file", "scopes"])]
    client_id: Option<String>,
    /// OAuth: the private key (PEM or JWK) file; only its path is stored.
    #[arg(long, requires = "client_id")]
    private_key_file: Option<PathBuf>,
    /// OAuth: the key id (`kid`) registered with the app.
    #[arg(long, requires = "client_id")]
    key_id: Option<String>,
    /// OAuth: the scopes to ask for, comma or space separated.
    #[arg(long, requires = "client_id")]
    scopes: Option<String>,
}

/// One named connection as stored in `connections.toml` (nothing secret).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Connection {
    org_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    private_key_file: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    scopes: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ConnectionsFile {
    #[serde(default)]
    connections: BTreeMap<String, Connection>,
}

#[derive(Default, Serialize, Deserialize)]
struct SecretsFile {
    #[serde(default)]
    tokens: BTreeMap<String, String>,
}

fn config_dir() -> Result<PathBuf, CliError> {
    if let Some(dir) = std::env::var_os("SPINDLE_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|d| d.join("spindle"))
        .ok_or_else(|| {
            CliError::Connection("no config directory: set SPINDLE_CONFIG_DIR".to_owned())
        })
}

fn read_toml<T: Default + for<'de> Deserialize<'de>>(path: &Path) -> Result<T, CliError> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text)
            .map_err(|e| CliError::Connection(format!("cannot read `{}`: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(CliError::Connection(format!(
            "cannot read `{}`: {e}",
            path.display()
        ))),
    }
}

fn read_secrets(dir: &Path) -> Result<SecretsFile, CliError> {
    let path = dir.join("secrets.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(&path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(CliError::Connection(format!(
                    "the secrets file `{}` is readable by others (mode {mode:o}); \
                     run `chmod 600` on it",
                    path.display()
                )));
            }
        }
    }
    // toml's error can quote the text: don't pass it on.
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map_err(|_| {
            CliError::Connection(format!("`{}` is not a valid secrets file", path.display()))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SecretsFile::default()),
        Err(e) => Err(CliError::Connection(format!(
            "cannot read `{}`: {e}",
            path.display()
        ))),
    }
}

fn write_file(path: &Path, text: &str, private: bool) -> Result<(), CliError> {
    let fail =
        |e: std::io::Error| CliError::Connection(format!("cannot write `{}`: {e}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(fail)?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
    }
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(fail)
}

fn save_connections(dir: &Path, file: &ConnectionsFile) -> Result<(), CliError> {
    let text = toml::to_string(file)
        .map_err(|e| CliError::Connection(format!("cannot write the connections: {e}")))?;
    write_file(&dir.join("connections.toml"), &text, false)
}

fn save_secrets(dir: &Path, file: &SecretsFile) -> Result<(), CliError> {
    let text = toml::to_string(file)
        .map_err(|_| CliError::Connection("cannot write the secrets".to_owned()))?;
    write_file(&dir.join("secrets.toml"), &text, true)
}

/// Runs `spindle connections ...`.
pub fn run(command: ConnectionsCommand) -> Result<(), CliError> {
    let dir = config_dir()?;
    let path = dir.join("connections.toml");
    let mut file: ConnectionsFile = read_toml(&path)?;
    match command {
        ConnectionsCommand::Add(args) => {
            spindle_okta::Config::with_api_token(&args.org_url, "x")
                .map_err(|e| CliError::BadInput(e.to_string()))?;
            if !args.token_stdin && args.token_env.is_none() && args.client_id.is_none() {
                return Err(CliError::BadInput(
                    "give --token-stdin, --token-env VAR or --client-id (OAuth)".to_owned(),
                ));
            }
            // The key file is stored by its absolute path: the connection is used from anywhere.
            let private_key_file = match args.private_key_file {
                Some(path) => Some(std::fs::canonicalize(&path).map_err(|e| {
                    CliError::BadInput(format!("cannot read `{}`: {e}", path.display()))
                })?),
                None => None,
            };
            let connection = Connection {
                org_url: args.org_url,
                token_env: args.token_env,
                client_id: args.client_id,
                private_key_file,
                key_id: args.key_id,
                scopes: args
                    .scopes
                    .unwrap_or_default()
                    .split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            };
            std::fs::create_dir_all(&dir).map_err(|e| {
                CliError::Connection(format!("cannot create `{}`: {e}", dir.display()))
            })?;
            let mut secrets = read_secrets(&dir)?;
            let had_secret = secrets.tokens.remove(&args.name).is_some();
            if args.token_stdin {
                let mut token = String::new();
                std::io::stdin()
                    .read_to_string(&mut token)
                    .map_err(|e| CliError::BadInput(format!("cannot read the token: {e}")))?;
                let token = token.trim();
                if token.is_empty() {
                    return Err(CliError::BadInput("the token on stdin is empty".to_owned()));
                }
                secrets.tokens.insert(args.name.clone(), token.to_owned());
            }
            if args.token_stdin || had_secret {
                save_secrets(&dir, &secrets)?;
            }
            file.connections.insert(args.name, connection);
            save_connections(&dir, &file)
        }
        ConnectionsCommand::List => {
            let list: Vec<serde_json::Value> = file
                .connections
                .iter()
                .map(|(name, c)| {
                    let auth = if c.client_id.is_some() {
                        "private_key"
                    } else if c.token_env.is_some() {
                        "token_env"
                    } else {
                        "token"
                    };
                    serde_json::json!({
                        "name": name,
                        "orgUrl": c.org_url,
                        "auth": auth,
                        "tokenEnv": c.token_env,
                        "clientId": c.client_id,
                        "scopes": c.scopes,
                    })
                })
                .collect();
            output::with_stdout(|out| {
                output::json(out, &serde_json::json!({ "connections": list }))
            })?;
            Ok(())
        }
        ConnectionsCommand::Remove { name } => {
            if file.connections.remove(&name).is_none() {
                return Err(CliError::BadInput(format!("no connection named `{name}`")));
            }
            save_connections(&dir, &file)?;
            let mut secrets = read_secrets(&dir)?;
            if secrets.tokens.remove(&name).is_some() {
                save_secrets(&dir, &secrets)?;
            }
            Ok(())
        }
    }
}

/// The client configuration of the named connection.
pub fn config(name: &str) -> Result<spindle_okta::Config, CliError> {
    let dir = config_dir()?;
    let file: ConnectionsFile = read_toml(&dir.join("connections.toml"))?;
    let Some(c) = file.connections.get(name) else {
        return Err(CliError::BadInput(format!(
            "no connection named `{name}` (see `spindle connections list`)"
        )));
    };
    let conn = |e: spindle_okta::Error| CliError::Connection(e.to_string());
    if let Some(client_id) = &c.client_id {
        let path = c.private_key_file.as_deref().unwrap_or(Path::new(""));
        let text = std::fs::read_to_string(path)
            .map(SecretString::from)
            .map_err(|e| {
                CliError::Connection(format!(
                    "cannot read the private key `{}`: {e}",
                    path.display()
                ))
            })?;
        let key = spindle_okta::SigningKey::parse(text.expose_secret())
            .map_err(conn)?
            .with_kid(c.key_id.clone());
        let auth = spindle_okta::PrivateKeyAuth::new(client_id.clone(), c.scopes.clone(), key);
        return spindle_okta::Config::new(
            &c.org_url,
            spindle_okta::Credentials::PrivateKey(Box::new(auth)),
        )
        .map_err(conn);
    }
    let token = if let Some(var) = &c.token_env {
        std::env::var(var).map_err(|_| {
            CliError::Connection(format!(
                "connection `{name}` reads its token from ${var}, which is not set"
            ))
        })?
    } else {
        read_secrets(&dir)?.tokens.remove(name).ok_or_else(|| {
            CliError::Connection(format!("connection `{name}` has no stored token"))
        })?
    };
    spindle_okta::Config::with_api_token(&c.org_url, token).map_err(conn)
}
