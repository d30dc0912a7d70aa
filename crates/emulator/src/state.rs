//! The state every request shares: the org behind its lock, and the request pipeline's
//! configuration, limiter, faults and log.

use std::fmt;
use std::sync::atomic::AtomicUsize;

use parking_lot::RwLock;

use crate::EmulatorConfig;
use crate::faults::Faults;
use crate::ratelimit::RateLimiter;
use crate::reqlog::RequestLog;
use crate::store::Org;

/// State shared by every request.
pub(crate) struct Shared {
    pub org: RwLock<Org>,
    pub token: String,
    /// The configuration the emulator started with (`/__emulator/reset` returns to it).
    pub config: EmulatorConfig,
    pub limiter: RateLimiter,
    pub faults: Faults,
    pub log: RequestLog,
    pub inflight: AtomicUsize,
    /// `http://ip:port` actually bound, used when a request has no `Host` header.
    pub bound_url: String,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("bound_url", &self.bound_url)
            .finish_non_exhaustive()
    }
}
