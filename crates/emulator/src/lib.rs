//! `spindle-emulator`: an Okta org held in memory and served over HTTP.
//!
//! It answers the Management API calls of Spindle's use cases the way Okta does — status codes,
//! error bodies, lifecycle state machines, `Link` pagination with opaque cursors, `q`/`filter`/
//! `search`, rate-limit headers and 429s, SSWS authentication — so that Okta's official SDKs
//! cannot tell it from Okta. It also generates deterministic synthetic orgs, injects faults, and
//! offers an admin API under `/__emulator/`. See `docs/emulator.md`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), spindle_emulator::Error> {
//! use spindle_emulator::{Emulator, EmulatorConfig};
//! let emu = Emulator::start(EmulatorConfig { users: 100, groups: 10, ..Default::default() }).await?;
//! println!("org_url={} token={}", emu.url(), emu.token());
//! emu.shutdown().await;
//! # Ok(()) }
//! ```

mod admin;
mod api;
mod background;
mod churn;
pub mod cli;
pub mod el;
mod error;
pub mod factors;
mod faults;
mod http;
pub mod oauth;
mod pipeline;
mod query;
mod ratelimit;
mod render;
mod reqlog;
mod schema;
mod server;
mod state;
mod store;
mod synth;
mod util;

pub use error::Error;
pub use faults::FaultSpec;
pub use ratelimit::{RateLimitMode, parse_duration};
pub use server::{Emulator, run};

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// The API token accepted when none is configured.
pub const DEFAULT_TOKEN: &str = "00spindle-emulator-dev-token";

/// Configuration of an emulator instance.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Address to listen on (default `127.0.0.1:0`: a free port).
    pub addr: SocketAddr,
    /// The SSWS API token clients must present (default [`DEFAULT_TOKEN`]).
    pub token: String,
    /// Number of synthetic users generated at start.
    pub users: usize,
    /// Number of synthetic groups generated at start (besides `Everyone`).
    pub groups: usize,
    /// Seed of the synthetic org generator (same seed, same org).
    pub seed: u64,
    /// Rate limiting mode.
    pub rate_limit: RateLimitMode,
    /// Length of a rate-limit window (Okta: 60 s; shorter in tests).
    pub rate_limit_window: Duration,
    /// Faults injected from the start.
    pub faults: FaultSpec,
    /// Capacity of the request log ring buffer.
    pub request_log_capacity: usize,
    /// Okta's eventual consistency (zero: off). With a lag `L`, `GET /api/v1/logs` shows only
    /// events published at least `L` ago, and `search=` on users and groups sees their state of
    /// `L` ago. Reads by id, `filter=` and plain lists are immediate.
    pub consistency_lag: Duration,
    /// Background churn: random changes per minute (0: off), see `POST /__emulator/churn`.
    pub churn_per_minute: u32,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            token: DEFAULT_TOKEN.to_owned(),
            users: 0,
            groups: 0,
            seed: 1,
            rate_limit: RateLimitMode::Okta,
            rate_limit_window: Duration::from_secs(60),
            faults: FaultSpec::default(),
            request_log_capacity: 10_000,
            consistency_lag: Duration::ZERO,
            churn_per_minute: 0,
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("addr", &self.addr)
            .field("token", &"<redacted>")
            .field("users", &self.users)
            .field("groups", &self.groups)
            .field("seed", &self.seed)
            .field("rate_limit", &self.rate_limit)
            .field("rate_limit_window", &self.rate_limit_window)
            .field("faults", &self.faults)
            .field("request_log_capacity", &self.request_log_capacity)
            .field("consistency_lag", &self.consistency_lag)
            .field("churn_per_minute", &self.churn_per_minute)
            .finish()
    }
}
