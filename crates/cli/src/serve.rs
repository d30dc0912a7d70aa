//! `spindle serve`: the gateway. `--demo` runs it over an in-process emulator org.

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use secrecy::ExposeSecret;
use spindle_server::{Gateway, Settings};
use spindle_store::{AerialSettings, ApiKeyScope, MasterKey, NewConnection, Store};

use crate::CliError;
use crate::store_args::{OrgPolicyArgs, StoreArgs};

/// Options of `spindle serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SPINDLE_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    store: StoreArgs,
    /// Run a demo: an in-process Okta emulator with a synthetic org, an in-memory store with a
    /// connection to it and a full API key, printed with ready-to-paste curl commands. Nothing is
    /// written to disk.
    #[arg(long)]
    demo: bool,
    /// Employees in the demo org.
    #[arg(long, default_value_t = 1000, requires = "demo")]
    demo_employees: usize,
    #[command(flatten)]
    policy: OrgPolicyArgs,
    /// How long the call log is kept (`30d`, `12h`, …), or `forever`.
    #[arg(long, env = "SPINDLE_LOG_RETENTION", default_value = "30d", value_parser = parse_retention)]
    log_retention: Retention,
    /// Longest time one request may take, Okta calls included.
    #[arg(long, default_value = "60s", value_parser = spindle_emulator::parse_duration)]
    request_timeout: Duration,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    body_limit: usize,
    /// How long a successful API key check is reused (`0s` checks the database every time); a
    /// revoked key stops working on every gateway within this time.
    #[arg(long, default_value = "5s", value_parser = spindle_emulator::parse_duration)]
    auth_cache_ttl: Duration,
    /// How long a connection's row is reused before checking for changes made through another
    /// gateway process (`0s`: every time). Changes through this process apply at once.
    #[arg(long, default_value = "2s", value_parser = spindle_emulator::parse_duration)]
    connection_cache_ttl: Duration,
    /// Do not run sync runs nor send webhooks in this process (a node that only serves the
    /// API; runs queued through it wait for a node with a sync worker).
    #[arg(long)]
    no_sync_worker: bool,
    /// How long a sync run stays with this process without renewal: when the process dies,
    /// another takes its runs over after this long.
    #[arg(long, default_value = "30s", value_parser = spindle_emulator::parse_duration)]
    sync_lease: Duration,
    /// Let webhooks be delivered to loopback, private and link-local addresses and over plain
    /// http (for receivers on this machine or network, in development). Without it, webhook
    /// URLs must be https on public addresses.
    #[arg(long)]
    allow_private_webhooks: bool,
    /// How long one delivery attempt may take before it counts as failed (the receiver must
    /// answer within it).
    #[arg(long, default_value = "15s", value_parser = spindle_emulator::parse_duration)]
    webhook_attempt_timeout: Duration,
    /// How long webhook deliveries claimed by this process stay with it: when the process dies,
    /// another sends them after this long. At least twice --webhook-attempt-timeout.
    #[arg(long, default_value = "60s", value_parser = spindle_emulator::parse_duration)]
    webhook_lease: Duration,
    /// A `Host` the MCP endpoint `/mcp/{connection}` accepts besides localhost, 127.0.0.1 and
    /// ::1 (`name` or `name:port`; repeatable): the name MCP clients reach the gateway by.
    /// Other hosts are refused (DNS-rebinding protection).
    #[arg(
        long,
        value_name = "HOST",
        env = "SPINDLE_MCP_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    mcp_allowed_host: Vec<String>,
    /// A browser origin the MCP endpoint accepts besides this machine's `http://localhost`,
    /// `127.0.0.1` and `[::1]` pages (`https://app.example.com:443`; repeatable). Requests
    /// carrying another `Origin` are refused.
    #[arg(long, value_name = "ORIGIN", value_delimiter = ',')]
    mcp_allowed_origin: Vec<String>,
}

/// The call log's retention: a duration, or forever.
#[derive(Debug, Clone, Copy)]
pub struct Retention(Option<Duration>);

fn parse_retention(text: &str) -> Result<Retention, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("forever") {
        return Ok(Retention(None));
    }
    if let Some(days) = text.strip_suffix('d') {
        let days: u64 = days
            .parse()
            .map_err(|_| format!("invalid retention `{text}` (examples: 30d, 12h, forever)"))?;
        return Ok(Retention(Some(Duration::from_secs(days * 24 * 3600))));
    }
    spindle_emulator::parse_duration(text).map(|d| Retention(Some(d)))
}

impl ServeArgs {
    fn settings(&self) -> Settings {
        let mut settings = Settings::default();
        settings.policy = self.policy.policy();
        settings.policy.allow_private |= self.demo;
        settings.body_limit = self.body_limit;
        settings.request_timeout = self.request_timeout;
        settings.log_retention = self.log_retention.0;
        settings.auth_cache_ttl = self.auth_cache_ttl;
        settings.connection_cache_ttl = self.connection_cache_ttl;
        settings.sync_worker = !self.no_sync_worker;
        settings.sync_lease = self.sync_lease;
        settings.webhook_sender = !self.no_sync_worker;
        settings.allow_private_webhooks = self.allow_private_webhooks || self.demo;
        settings.webhook_attempt_timeout = self.webhook_attempt_timeout;
        settings.webhook_lease = self.webhook_lease;
        settings
            .mcp_allowed_hosts
            .extend(self.mcp_allowed_host.iter().cloned());
        settings
            .mcp_allowed_origins
            .extend(self.mcp_allowed_origin.iter().cloned());
        settings
    }
}

/// Runs `spindle serve`.
pub fn run(args: ServeArgs) -> Result<(), CliError> {
    crate::init_tracing("info,sqlx=warn");
    if args.webhook_attempt_timeout.is_zero() {
        return Err(CliError::BadInput(
            "--webhook-attempt-timeout: must be longer than zero".into(),
        ));
    }
    if args.webhook_lease < args.webhook_attempt_timeout * 2 {
        return Err(CliError::BadInput(format!(
            "--webhook-lease: must be at least twice --webhook-attempt-timeout ({} ms), so an \
             attempt always ends within its lease; got {} ms",
            args.webhook_attempt_timeout.as_millis(),
            args.webhook_lease.as_millis()
        )));
    }
    crate::runtime()?.block_on(async move {
        let settings = args.settings();
        // Signals first: a supervisor that signals right after start-up gets a clean stop.
        let shutdown = shutdown_signal()?;
        let (store, demo) = if args.demo {
            let (store, demo) = start_demo(args.demo_employees).await?;
            (store, Some(demo))
        } else {
            let key = args.store.master_key(true)?;
            (args.store.open(key).await?, None)
        };
        let listener = bind(args.addr, args.demo).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let gateway = Gateway::new(store, settings);
        match &demo {
            Some(demo) => print_demo(&url, demo)?,
            None => {
                let mut out = std::io::stdout().lock();
                writeln!(out, "url={url}")?;
                out.flush()?;
                eprintln!(
                    "spindle serve: gateway at {url} (API docs at {url}/docs, OpenAPI at \
                     {url}/openapi.json); database {}; Ctrl-C to stop",
                    redact_database_url(&args.store.database_url)
                );
            }
        }
        gateway.serve(listener, shutdown).await?;
        if let Some(demo) = demo {
            demo.emulator.shutdown().await;
        }
        eprintln!("spindle serve: stopped");
        Ok(())
    })
}

/// Binds `addr`; in the demo, falls back to a free port when it is taken.
async fn bind(addr: SocketAddr, demo: bool) -> Result<tokio::net::TcpListener, CliError> {
    match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => Ok(listener),
        Err(e) if demo && e.kind() == std::io::ErrorKind::AddrInUse => {
            eprintln!("spindle serve: {addr} is in use; the demo takes a free port instead");
            Ok(tokio::net::TcpListener::bind(SocketAddr::new(addr.ip(), 0)).await?)
        }
        Err(e) => Err(CliError::BadInput(format!(
            "cannot listen on {addr}: {e} (choose another with --addr)"
        ))),
    }
}

/// The URL without its password, for messages.
fn redact_database_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("****"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// What the demo set up.
struct Demo {
    emulator: spindle_emulator::Emulator,
    employees: usize,
    key: secrecy::SecretString,
}

async fn start_demo(employees: usize) -> Result<(Store, Demo), CliError> {
    let emulator = spindle_emulator::Emulator::start(spindle_emulator::EmulatorConfig {
        users: employees,
        groups: (employees / 50).clamp(5, 200),
        ..Default::default()
    })
    .await?;
    let store = Store::connect("sqlite::memory:", MasterKey::generate())
        .await
        .map_err(|e| CliError::Execute(format!("cannot open the demo store: {e}")))?;
    let fail = |e: spindle_store::StoreError| CliError::Execute(format!("demo set-up: {e}"));
    // An Aerial account on the emulator, so the Aerial actions work on the demo connection too.
    let account: serde_json::Value = async {
        reqwest::Client::new()
            .post(format!("{}/__emulator/aerial/accounts", emulator.url()))
            .json(&serde_json::json!({}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    }
    .await
    .map_err(|e| CliError::Execute(format!("demo set-up: Aerial account: {e}")))?;
    let (Some(account_id), Some(token)) = (
        account["accountId"].as_str(),
        account["access_token"].as_str(),
    ) else {
        return Err(CliError::Execute(
            "demo set-up: the emulator's Aerial account has no id or token".to_owned(),
        ));
    };
    let connection = store
        .connections()
        .create(
            NewConnection::api_token("demo", emulator.url(), emulator.token().to_owned().into())
                .aerial(
                    AerialSettings::new(format!("{}/aerial", emulator.url()), account_id),
                    Some(token.to_owned().into()),
                ),
        )
        .await
        .map_err(fail)?;
    // The demo connection syncs: its first run starts with the gateway.
    store
        .sync()
        .configure(&connection.id, &spindle_store::SyncSettings::default())
        .await
        .map_err(fail)?;
    let (_, key) = store
        .api_keys()
        .create("demo", ApiKeyScope::Full)
        .await
        .map_err(fail)?;
    Ok((
        store,
        Demo {
            emulator,
            employees,
            key,
        },
    ))
}

fn print_demo(url: &str, demo: &Demo) -> Result<(), CliError> {
    let key = demo.key.expose_secret();
    let mut out = std::io::stdout().lock();
    writeln!(out, "url={url} key={key}")?;
    writeln!(
        out,
        "\nSpindle gateway (demo) at {url}\n\
         \x20 API key (full scope): {key}\n\
         \x20 connection `demo`:    an in-process Okta emulator at {} with {} employees,\n\
         \x20                       synced every 5 minutes (the first sync starts now)\n\
         \x20 API reference:        {url}/docs  (OpenAPI: {url}/openapi.json)\n\
         \nTry:\n\
         \x20 export SPINDLE_URL={url} SPINDLE_KEY={key}\n\
         \x20 curl -s -H \"Authorization: Bearer $SPINDLE_KEY\" \"$SPINDLE_URL/v1/connections/demo/employees?limit=3\"\n\
         \x20 curl -s -H \"Authorization: Bearer $SPINDLE_KEY\" \"$SPINDLE_URL/v1/actions\"\n\
         \x20 curl -s -H \"Authorization: Bearer $SPINDLE_KEY\" -H 'Content-Type: application/json' \\\n\
         \x20      -d '{{\"search\": \"profile.department eq \\\"Engineering\\\"\", \"limit\": 2}}' \\\n\
         \x20      \"$SPINDLE_URL/v1/connections/demo/actions/get_list_all_users\"\n\
         \x20 curl -s -H \"Authorization: Bearer $SPINDLE_KEY\" -H 'Content-Type: application/json' \\\n\
         \x20      -d '{{\"method\": \"GET\", \"path\": \"/api/v1/groups\", \"query\": {{\"limit\": 2}}}}' \\\n\
         \x20      \"$SPINDLE_URL/v1/connections/demo/passthrough\"\n\
         \x20 curl -s -H \"Authorization: Bearer $SPINDLE_KEY\" \"$SPINDLE_URL/v1/logs?limit=5\"\n\
         \x20 spindle sync status demo                         # the sync: settings, state, runs\n\
         \x20 curl -s -H \"Authorization: Bearer $SPINDLE_KEY\" \"$SPINDLE_URL/v1/connections/demo/records/employees?limit=3\"\n\
         \x20 spindle sync changes demo --after now --follow   # the change feed, live\n\
         \nThe store is in memory: everything is gone when the demo stops (Ctrl-C).",
        demo.emulator.url(),
        demo.employees
    )?;
    out.flush()?;
    Ok(())
}

/// Completes on SIGINT or SIGTERM (Ctrl-C elsewhere). The handlers are installed now.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()> + Send + 'static, CliError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            eprintln!("spindle serve: stopping: finishing requests in flight");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async move {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_forms() {
        assert_eq!(parse_retention("forever").expect("ok").0, None);
        assert_eq!(
            parse_retention("30d").expect("ok").0,
            Some(Duration::from_secs(30 * 86400))
        );
        assert_eq!(
            parse_retention("12h").expect("ok").0,
            Some(Duration::from_secs(12 * 3600))
        );
        assert!(parse_retention("soon").is_err());
    }

    #[test]
    fn database_passwords_are_hidden() {
        assert_eq!(
            redact_database_url("postgres://app:hunter2@db:5432/spindle"),
            "postgres://app:****@db:5432/spindle"
        );
        assert_eq!(
            redact_database_url("sqlite://spindle.db"),
            "sqlite://spindle.db"
        );
    }
}
