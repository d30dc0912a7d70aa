//! Starting, serving and stopping an emulator.

use std::fmt;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use axum::response::IntoResponse;
use axum::serve::ListenerExt;
use parking_lot::RwLock;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::error::{self, ApiError};
use crate::faults::Faults;
use crate::ratelimit::RateLimiter;
use crate::reqlog::RequestLog;
use crate::state::Shared;
use crate::{EmulatorConfig, Error};

/// The whole service: the Okta API and the admin API behind the request pipeline, with Okta's
/// answers to unknown paths (404 `E0000008`) and methods (405 `E0000022`).
fn router(shared: Arc<Shared>) -> axum::Router {
    crate::api::routes()
        .merge(crate::admin::routes())
        .fallback(|| async { ApiError::new(error::E0000008).into_response() })
        .method_not_allowed_fallback(|| async { ApiError::new(error::E0000022).into_response() })
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            crate::pipeline::run,
        ))
        .with_state(shared)
}

/// A running emulator: an HTTP server in a background task.
pub struct Emulator {
    url: String,
    token: String,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    /// Background churn (`--churn`): its stop signal and task.
    churn: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("url", &self.url)
            .field("token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Binds `config.addr`, generates the synthetic org and serves it in a background task.
    ///
    /// # Errors
    /// [`Error::Bind`] when the address cannot be bound.
    pub async fn start(config: EmulatorConfig) -> Result<Emulator, Error> {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| Error::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr()?;
        let url = format!("http://{addr}");
        let mut org = crate::admin::generate_org(config.users, config.groups, config.seed).await;
        org.set_consistency_lag(config.consistency_lag);
        let shared = Arc::new(Shared {
            org: RwLock::new(org),
            token: config.token.clone(),
            limiter: RateLimiter::new(config.rate_limit.clone(), config.rate_limit_window),
            faults: Faults::new(config.faults.clone()),
            log: RequestLog::new(config.request_log_capacity),
            inflight: AtomicUsize::new(0),
            bound_url: url.clone(),
            config: config.clone(),
        });
        let churn = (config.churn_per_minute > 0).then(|| {
            let (stop, stopped) = oneshot::channel::<()>();
            let task = crate::background::spawn_churn(
                shared.clone(),
                config.churn_per_minute,
                config.seed,
                stopped,
            );
            (stop, task)
        });
        let app = router(shared);
        // Small responses must not wait for Nagle + delayed ACK (40 ms stalls on keep-alive).
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "emulator server stopped with an error");
            }
        });
        Ok(Emulator {
            url,
            token: config.token,
            addr,
            stop: Some(stop),
            task,
            churn,
        })
    }

    /// The org URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The SSWS API token the emulator accepts.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Stops accepting connections, lets in-flight requests finish and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some((stop, task)) = self.churn.take() {
            let _ = stop.send(());
            let _ = task.await;
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Starts an emulator, prints `org_url=<url> token=<token>` as the first stdout line, and serves
/// until SIGINT or SIGTERM.
///
/// # Errors
/// Start-up errors ([`Error::Bind`]) and failures to write stdout.
pub async fn run(config: EmulatorConfig) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let users = config.users;
    let emu = Emulator::start(config).await?;
    // Listen for the signals before announcing the URL: a caller that reads the first line and
    // signals at once must get a clean shutdown, not the default action of the signal.
    let signals = Signals::install()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "org_url={} token={}", emu.url(), emu.token())?;
        out.flush()?;
    }
    eprintln!(
        "spindle emulator: {} users served at {} (ready in {:.2?}); admin API at {}/__emulator/state; Ctrl-C to stop",
        users,
        emu.url(),
        started.elapsed(),
        emu.url()
    );
    signals.wait().await?;
    emu.shutdown().await;
    Ok(())
}

/// SIGINT and SIGTERM handlers, registered as soon as this is created.
#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn install() -> Result<Self, Error> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn wait(mut self) -> Result<(), Error> {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        Ok(())
    }
}

/// Ctrl-C, where there are no Unix signals.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> Result<Self, Error> {
        Ok(Signals)
    }

    async fn wait(self) -> Result<(), Error> {
        tokio::signal::ctrl_c().await?;
        Ok(())
    }
}
