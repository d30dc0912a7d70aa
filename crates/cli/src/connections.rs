//! `spindle connections`: the gateway's connections, managed from the command line.
//!
//! There is one kind of connection: a row in the gateway's store, its credentials sealed under
//! the master key. `add` goes through the same checks as `POST /v1/connections` (the org URL
//! policy, the form of each secret) and `list` shows what `GET /v1/connections` shows, so a
//! connection added here is served by `spindle serve` on the same store, and one created over
//! the API runs with `spindle run --connection`. Secrets come from standard input, an
//! environment variable or a file, never from an argument, which other users could read in the
//! process list.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use spindle_server::ApiError;
use spindle_server::clients::{ClientFactory, ConnectionClients};
use spindle_server::routes::connections::{
    ConnectionList, ConnectionView, CreateConnection, create_connection,
};
use spindle_store::{Connection, ConnectionId, Store, StoreError};

use crate::store_args::{OrgPolicyArgs, StoreArgs};
use crate::{CliError, output};

/// The `connections` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConnectionsCommand {
    /// Add a connection to the store, checked as the gateway checks a new one.
    #[command(after_help = "Examples:\n  \
                            printf %s \"$TOKEN\" | spindle connections add prod --org-url https://example.okta.com --token-stdin\n  \
                            spindle connections add ci --org-url https://example.okta.com --token-env OKTA_TOKEN\n  \
                            spindle connections add svc --org-url https://example.okta.com --client-id 0oa1 \\\n    \
                            --private-key-file key.pem --key-id kid1 --scopes okta.users.read,okta.groups.read")]
    Add(Box<AddArgs>),
    /// List the connections (never their secrets), as JSON.
    ///
    /// The JSON of `GET /v1/connections`: from the store, or with --gateway (or SPINDLE_URL) from
    /// a running gateway.
    #[command(after_help = "Examples:\n  spindle connections list\n  \
                            spindle connections list --database-url postgres://spindle@db/spindle\n  \
                            spindle connections list --gateway http://127.0.0.1:8080 --key \"$KEY\"")]
    List {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten, next_help_heading = "From a running gateway")]
        gateway: crate::gateway::GatewayArgs,
    },
    /// Remove a connection and its stored credentials.
    ///
    /// From the store, or with --gateway (or SPINDLE_URL) through a running gateway
    /// (`DELETE /v1/connections/{id}`).
    #[command(after_help = "Examples:\n  spindle connections remove prod")]
    Remove {
        /// The connection's name (or id, `conn_…`).
        name: String,
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten, next_help_heading = "Through a running gateway")]
        gateway: crate::gateway::GatewayArgs,
    },
}

/// Options of `spindle connections add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The connection's name, unique in the store.
    name: String,
    /// The Okta org URL, e.g. `https://example.okta.com`.
    #[arg(long)]
    org_url: String,
    /// Read an API token (SSWS) from standard input.
    #[arg(long, conflicts_with_all = ["token_env", "client_id"])]
    token_stdin: bool,
    /// Read the API token from this environment variable; the token is stored (sealed), not the
    /// variable's name.
    #[arg(long, value_name = "VAR", conflicts_with = "client_id")]
    token_env: Option<String>,
    /// OAuth 2.0 service app: its client id (with --private-key-file and --scopes).
    #[arg(long, requires_all = ["private_key_file", "scopes"])]
    client_id: Option<String>,
    /// OAuth: the private key (PEM or JWK) file; the key is read and stored sealed, so the file
    /// is not needed afterwards.
    #[arg(long, requires = "client_id")]
    private_key_file: Option<PathBuf>,
    /// OAuth: the key id (`kid`) registered with the app.
    #[arg(long, requires = "client_id")]
    key_id: Option<String>,
    /// OAuth: the scopes to ask for, comma or space separated.
    #[arg(long, requires = "client_id")]
    scopes: Option<String>,
    /// OAuth: the app requires DPoP-bound tokens.
    #[arg(long, requires = "client_id")]
    dpop: bool,
    /// Okta Aerial base URL for the Aerial actions, e.g. `https://aerial-apac.okta.com`.
    #[arg(long, requires = "aerial_account_id")]
    aerial_url: Option<String>,
    /// The Aerial account id.
    #[arg(long, requires = "aerial_url")]
    aerial_account_id: Option<String>,
    /// Read the Aerial access token from this environment variable.
    #[arg(long, value_name = "VAR", requires = "aerial_url")]
    aerial_token_env: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    policy: OrgPolicyArgs,
    /// With --gateway (or SPINDLE_URL): the connection is created by a running gateway
    /// (`POST /v1/connections`), which checks it as it checks any new connection.
    #[command(flatten, next_help_heading = "Through a running gateway")]
    gateway: crate::gateway::GatewayArgs,
}

/// Runs `spindle connections ...`.
pub fn run(command: ConnectionsCommand) -> Result<(), CliError> {
    match command {
        ConnectionsCommand::Add(args) => add(*args),
        ConnectionsCommand::List { gateway, .. } if gateway.gateway.is_some() => {
            let gateway = crate::gateway::Gateway::new(&gateway)?;
            crate::runtime()?.block_on(async move {
                let list = gateway
                    .call(reqwest::Method::GET, "/v1/connections", &[], None)
                    .await?;
                output::with_stdout(|out| output::json(out, &list))
            })
        }
        ConnectionsCommand::List { store, .. } => crate::runtime()?.block_on(async move {
            let db = store.open(store.master_key(false)?).await?;
            let listed = db.connections().list().await;
            db.close().await;
            let list = ConnectionList {
                items: listed
                    .map_err(store_failure)?
                    .into_iter()
                    .map(ConnectionView::from)
                    .collect(),
            };
            let value =
                serde_json::to_value(&list).map_err(|e| CliError::Execute(e.to_string()))?;
            output::with_stdout(|out| output::json(out, &value))
        }),
        ConnectionsCommand::Remove { name, gateway, .. } if gateway.gateway.is_some() => {
            let gateway = crate::gateway::Gateway::new(&gateway)?;
            let path = format!("/v1/connections/{}", crate::gateway::segment(&name));
            crate::runtime()?.block_on(gateway.call(reqwest::Method::DELETE, &path, &[], None))?;
            eprintln!(
                "spindle: the gateway at {} removed connection {name} and its credentials",
                gateway.base()
            );
            Ok(())
        }
        ConnectionsCommand::Remove { name, store, .. } => crate::runtime()?.block_on(async move {
            let db = store.open(store.master_key(false)?).await?;
            let removed = async {
                let connection = find(&db, &name).await?;
                db.connections()
                    .delete(&connection.id)
                    .await
                    .map_err(store_failure)?;
                Ok::<_, CliError>(connection)
            }
            .await;
            db.close().await;
            let connection = removed?;
            eprintln!(
                "spindle: removed connection {} ({}) and its credentials",
                connection.name, connection.id
            );
            Ok(())
        }),
    }
}

fn add(args: AddArgs) -> Result<(), CliError> {
    // Everything that can be refused without the store is, before the store is opened (or
    // created).
    if args.gateway.gateway.is_some() {
        let gateway = crate::gateway::Gateway::new(&args.gateway)?;
        let body = new_connection_json(&args)?;
        let created = crate::runtime()?.block_on(gateway.call(
            reqwest::Method::POST,
            "/v1/connections",
            &[],
            Some(body),
        ))?;
        eprintln!(
            "spindle: the gateway at {} added connection {} ({}) for {}",
            gateway.base(),
            created["name"].as_str().unwrap_or_default(),
            created["id"].as_str().unwrap_or_default(),
            created["org_url"].as_str().unwrap_or_default()
        );
        return output::with_stdout(|out| output::json(out, &created));
    }
    let body = new_connection(&args)?;
    crate::runtime()?.block_on(async move {
        let db = args.store.open(args.store.master_key(true)?).await?;
        let created = create_connection(&db, &args.policy.policy(), body).await;
        db.close().await;
        let connection = created.map_err(refused)?;
        eprintln!(
            "spindle: added connection {} ({}) for {}; its credentials are stored sealed under \
             the master key",
            connection.name, connection.id, connection.org_url
        );
        let value = serde_json::to_value(ConnectionView::from(connection))
            .map_err(|e| CliError::Execute(e.to_string()))?;
        output::with_stdout(|out| output::json(out, &value))
    })
}

/// The gateway's create request for `args`, secrets read from where the options say.
fn new_connection(args: &AddArgs) -> Result<CreateConnection, CliError> {
    // The JSON carries secrets: a decoding error is reported without its text, which could
    // quote them.
    serde_json::from_value(new_connection_json(args)?).map_err(|_| {
        CliError::Execute("the connection's settings do not make a valid request".to_owned())
    })
}

/// The body of `POST /v1/connections` for `args` (it holds the secrets).
fn new_connection_json(args: &AddArgs) -> Result<Value, CliError> {
    let auth = if let Some(client_id) = &args.client_id {
        let path = args
            .private_key_file
            .as_deref()
            .unwrap_or(std::path::Path::new(""));
        let key = std::fs::read_to_string(path).map_err(|e| {
            CliError::BadInput(format!(
                "--private-key-file: cannot read `{}`: {e}",
                path.display()
            ))
        })?;
        let scopes: Vec<&str> = args
            .scopes
            .as_deref()
            .unwrap_or_default()
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .collect();
        let mut auth = json!({
            "kind": "oauth",
            "client_id": client_id,
            "private_key": key,
            "scopes": scopes,
            "dpop": args.dpop,
        });
        if let Some(kid) = &args.key_id {
            auth["key_id"] = json!(kid);
        }
        auth
    } else if args.token_stdin {
        let mut token = String::new();
        std::io::stdin()
            .read_to_string(&mut token)
            .map_err(|e| CliError::BadInput(format!("cannot read the token: {e}")))?;
        let token = SecretString::from(token);
        json!({"kind": "api_token", "token": token.expose_secret().trim()})
    } else if let Some(var) = &args.token_env {
        let token = secret_from_env("--token-env", var)?;
        json!({"kind": "api_token", "token": token.expose_secret().trim()})
    } else {
        return Err(CliError::BadInput(
            "give the connection a credential: --token-stdin, --token-env VAR, or --client-id \
             with --private-key-file and --scopes"
                .to_owned(),
        ));
    };
    let mut body = json!({"name": args.name, "org_url": args.org_url, "auth": auth});
    if let (Some(url), Some(account_id)) = (&args.aerial_url, &args.aerial_account_id) {
        let mut aerial = json!({"url": url, "account_id": account_id});
        if let Some(var) = &args.aerial_token_env {
            aerial["token"] = json!(secret_from_env("--aerial-token-env", var)?.expose_secret());
        }
        body["aerial"] = aerial;
    }
    Ok(body)
}

fn secret_from_env(option: &str, var: &str) -> Result<SecretString, CliError> {
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Ok(value.into()),
        Ok(_) => Err(CliError::BadInput(format!(
            "{option}: the environment variable {var} is empty"
        ))),
        Err(_) => Err(CliError::BadInput(format!(
            "{option}: the environment variable {var} is not set"
        ))),
    }
}

/// The command-line option a field of the gateway's create request comes from.
fn option_of(field: &str) -> &'static str {
    match field {
        "name" => "NAME",
        "org_url" => "--org-url",
        "auth.token" => "the API token (--token-stdin, --token-env)",
        "auth.client_id" => "--client-id",
        "auth.private_key" => "--private-key-file",
        "auth.key_id" => "--key-id",
        "auth.scopes" => "--scopes",
        "aerial.url" => "--aerial-url",
        "aerial.account_id" => "--aerial-account-id",
        "aerial.token" => "--aerial-token-env",
        _ => "",
    }
}

/// The gateway's refusal of a new connection, in terms of the command's options.
fn refused(error: ApiError) -> CliError {
    let problem = error.problem();
    if problem.status >= 500 {
        let why = error.internal_detail().unwrap_or(&problem.detail);
        return CliError::Execute(format!("the connection could not be stored: {why}"));
    }
    if problem.status == 409 {
        return CliError::BadInput(format!(
            "{}; remove it first (`spindle connections remove NAME`), or change it with \
             PATCH /v1/connections/NAME on the gateway",
            problem.detail
        ));
    }
    if problem.problems.is_empty() {
        return CliError::BadInput(problem.detail);
    }
    let lines: Vec<String> = problem
        .problems
        .iter()
        .map(|p| match option_of(&p.path) {
            "" => format!("{}: {}", p.path, p.message),
            option => format!("{option}: {}", p.message),
        })
        .collect();
    CliError::BadInput(format!(
        "the connection was not added:\n  {}",
        lines.join("\n  ")
    ))
}

fn store_failure(error: StoreError) -> CliError {
    CliError::Execute(format!("the store failed: {error}"))
}

/// The stored connection named (or with the id) `name`.
async fn find(store: &Store, name: &str) -> Result<Connection, CliError> {
    let connections = store.connections();
    let found = match name.parse::<ConnectionId>() {
        Ok(id) => connections.get(&id).await,
        Err(_) => connections.get_by_name(name).await,
    };
    found.map_err(|e| match e {
        StoreError::NotFound { .. } => CliError::BadInput(format!(
            "no connection named `{name}` in the store (see `spindle connections list`)"
        )),
        other => store_failure(other),
    })
}

/// The Okta clients of the stored connection `name`, built by the gateway's factory with the
/// given org URL policy.
pub async fn clients(
    name: &str,
    store: &StoreArgs,
    policy: &OrgPolicyArgs,
) -> Result<ConnectionClients, CliError> {
    let db = store.open(store.master_key(false)?).await?;
    let built = async {
        let connection = find(&db, name).await?;
        ClientFactory::new(policy.policy())
            .clients(&db, connection)
            .await
            .map_err(|e| unusable(name, &e))
    }
    .await;
    db.close().await;
    built
}

/// Why a stored connection's clients could not be built.
pub fn unusable(name: &str, error: &ApiError) -> CliError {
    let problem = error.problem();
    if problem.status >= 500 {
        // The operator running the CLI reads the server side's detail too.
        let why = error.internal_detail().unwrap_or(&problem.detail);
        CliError::Execute(format!("connection `{name}` cannot be used: {why}"))
    } else {
        CliError::Connection(format!("connection `{name}`: {}", problem.detail))
    }
}
