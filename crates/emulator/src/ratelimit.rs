//! Okta-style rate limiting: per-endpoint buckets over a rolling window, plus a concurrency limit.
//!
//! A bucket's window starts with the first request after the previous window ended (Okta's
//! windows are rolling, not aligned to wall-clock minutes). `X-Rate-Limit-Reset` is the window's
//! end in epoch seconds. Buckets and their default limits follow Okta's last published table for
//! Enterprise orgs (BEHAVIOR.md §4.4); the org-wide concurrency limit is 75 (§4.3).

use std::collections::HashMap;
use std::str::FromStr;
use std::time::{Duration, Instant};

use axum::http::Method;
use parking_lot::Mutex;

/// How the emulator limits request rates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateLimitMode {
    /// Okta's per-endpoint defaults (Enterprise column of Okta's table) and 75 concurrent requests.
    Okta,
    /// No limiting; headers still report a very large limit.
    Off,
    /// The same limit, in requests per window, for every bucket.
    PerWindow(u32),
}

impl FromStr for RateLimitMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "okta" => Ok(RateLimitMode::Okta),
            "off" => Ok(RateLimitMode::Off),
            n => n
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .map(RateLimitMode::PerWindow)
                .ok_or_else(|| {
                    format!("rate limit must be `okta`, `off` or a positive number, got `{s}`")
                }),
        }
    }
}

/// Default org-wide concurrency limit (Enterprise orgs).
pub const OKTA_CONCURRENCY: usize = 75;
const OFF_LIMIT: u32 = 10_000_000;

/// Which bucket a request falls in, and that bucket's default limit.
pub(crate) fn bucket(method: &Method, path: &str) -> (&'static str, u32) {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    match segs.as_slice() {
        ["api", "v1", "users"] => ("/api/v1/users", 600),
        ["api", "v1", "users", _] if method == Method::GET => {
            ("GET /api/v1/users/{idOrLogin}", 1000)
        }
        ["api", "v1", "users", _] => ("/api/v1/users/{id}", 600),
        ["api", "v1", "groups"] => ("/api/v1/groups", 600),
        ["api", "v1", "groups", _] => ("/api/v1/groups/{id}", 600),
        ["api", "v1", "apps", _] => ("/api/v1/apps/{id}", 600),
        ["api", "v1", "apps", ..] => ("/api/v1/apps*", 100),
        ["api", "v1", "logs", ..] => ("/api/v1/logs", 50),
        ["oauth2", "v1", "clients", ..] => ("/oauth2/v1/clients", 100),
        _ => ("/api/v1*", 600),
    }
}

#[derive(Debug)]
struct Window {
    start: Instant,
    start_epoch: i64,
    count: u32,
}

/// Outcome of admitting a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub limit: u32,
    pub remaining: u32,
    pub reset: i64,
    pub allowed: bool,
}

/// The limiter: mode, window length and per-bucket windows.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    mode: RateLimitMode,
    window: Duration,
    windows: HashMap<&'static str, Window>,
}

impl RateLimiter {
    pub(crate) fn new(mode: RateLimitMode, window: Duration) -> Self {
        RateLimiter {
            inner: Mutex::new(Inner {
                mode,
                window,
                windows: HashMap::new(),
            }),
        }
    }

    /// Changes the mode/window and clears all counters.
    pub(crate) fn reconfigure(&self, mode: RateLimitMode, window: Duration) {
        let mut g = self.inner.lock();
        g.mode = mode;
        g.window = window;
        g.windows.clear();
    }

    pub(crate) fn mode(&self) -> (RateLimitMode, Duration) {
        let g = self.inner.lock();
        (g.mode.clone(), g.window)
    }

    /// Whether the concurrency limit applies (`None` = no limit).
    pub(crate) fn concurrency_limit(&self) -> Option<usize> {
        match self.inner.lock().mode {
            RateLimitMode::Off => None,
            _ => Some(OKTA_CONCURRENCY),
        }
    }

    /// The limit of the bucket `method path` falls in, under the current mode.
    pub(crate) fn limit_for(&self, method: &Method, path: &str) -> u32 {
        let default = bucket(method, path).1;
        match self.inner.lock().mode {
            RateLimitMode::Okta => default,
            RateLimitMode::Off => OFF_LIMIT,
            RateLimitMode::PerWindow(n) => n,
        }
    }

    /// Counts one request against its bucket.
    pub(crate) fn admit(&self, method: &Method, path: &str) -> Verdict {
        let (name, default) = bucket(method, path);
        let now = Instant::now();
        let now_epoch = crate::util::now_secs();
        let mut g = self.inner.lock();
        let limit = match g.mode {
            RateLimitMode::Okta => default,
            RateLimitMode::Off => OFF_LIMIT,
            RateLimitMode::PerWindow(n) => n,
        };
        let window = g.window;
        let off = g.mode == RateLimitMode::Off;
        let w = g.windows.entry(name).or_insert(Window {
            start: now,
            start_epoch: now_epoch,
            count: 0,
        });
        if now.duration_since(w.start) >= window {
            *w = Window {
                start: now,
                start_epoch: now_epoch,
                count: 0,
            };
        }
        let reset = w.start_epoch + window.as_secs().max(1) as i64;
        if w.count >= limit && !off {
            return Verdict {
                limit,
                remaining: 0,
                reset,
                allowed: false,
            };
        }
        w.count = w.count.saturating_add(1);
        Verdict {
            limit,
            remaining: limit.saturating_sub(w.count),
            reset,
            allowed: true,
        }
    }
}

/// Parses durations such as `10s`, `500ms`, `2m`, `1h` (a bare number is seconds).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration `{s}` (examples: 10s, 500ms, 2m)"))?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => {
            return Err(format!(
                "invalid duration unit in `{s}` (use ms, s, m or h)"
            ));
        }
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("invalid duration `{s}`"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_follow_okta_table() {
        assert_eq!(bucket(&Method::GET, "/api/v1/users").1, 600);
        assert_eq!(bucket(&Method::GET, "/api/v1/users/00u1").1, 1000);
        assert_eq!(bucket(&Method::POST, "/api/v1/users/00u1").1, 600);
        assert_eq!(
            bucket(&Method::POST, "/api/v1/users/00u1/lifecycle/activate").0,
            "/api/v1*"
        );
        assert_eq!(bucket(&Method::GET, "/api/v1/apps").1, 100);
        assert_eq!(bucket(&Method::GET, "/api/v1/apps/0oa1/users").1, 100);
        assert_eq!(bucket(&Method::GET, "/api/v1/apps/0oa1").1, 600);
        assert_eq!(
            bucket(&Method::GET, "/api/v1/groups/00g1").0,
            "/api/v1/groups/{id}"
        );
        // The System Log is its own bucket, 50 a minute (BEHAVIOR.md §4.4, Enterprise column
        // like the other buckets).
        assert_eq!(bucket(&Method::GET, "/api/v1/logs"), ("/api/v1/logs", 50));
    }

    #[test]
    fn window_counts_down_then_refuses() {
        let rl = RateLimiter::new(RateLimitMode::PerWindow(2), Duration::from_secs(60));
        let a = rl.admit(&Method::GET, "/api/v1/users");
        let b = rl.admit(&Method::GET, "/api/v1/users");
        let c = rl.admit(&Method::GET, "/api/v1/users");
        assert_eq!((a.remaining, b.remaining, c.remaining), (1, 0, 0));
        assert!(a.allowed && b.allowed && !c.allowed);
        // another bucket is independent
        assert!(rl.admit(&Method::GET, "/api/v1/groups").allowed);
    }

    #[test]
    fn parses_modes_and_durations() {
        assert_eq!("okta".parse::<RateLimitMode>(), Ok(RateLimitMode::Okta));
        assert_eq!("off".parse::<RateLimitMode>(), Ok(RateLimitMode::Off));
        assert_eq!(
            "120".parse::<RateLimitMode>(),
            Ok(RateLimitMode::PerWindow(120))
        );
        assert!("0".parse::<RateLimitMode>().is_err());
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("soon").is_err());
    }
}
