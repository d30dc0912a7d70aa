//! Proactive pacing per rate-limit bucket.
//!
//! Okta reports, on every answer, the state of the bucket the request was counted in:
//! `X-Rate-Limit-Limit` (requests per window), `X-Rate-Limit-Remaining` and
//! `X-Rate-Limit-Reset` (epoch seconds of the window's end, on the server's clock).
//! The pacer keeps that state per bucket and, before each request, decides whether it may
//! go now or must wait:
//!
//! - The usable budget is `limit × share` (the configured share of the org's capacity);
//!   the rest of the window is left to other clients of the org. The share can be changed
//!   while requests run ([`Pacer::set_share`]); the next decision uses the new value.
//! - Requests in flight are counted against the budget until their answer arrives, so many
//!   tasks sharing one client do not overshoot between two answers.
//! - Within a window the remaining budget is spread evenly over the time left, so the
//!   client slows down *before* Okta answers 429 instead of bursting and stalling.
//! - When the budget is spent, everyone waits for the reset. After the reset only **one**
//!   probe request is let through until an answer reports the new window: if the reset was
//!   estimated too early, at most that one request gets a 429.
//!
//! The server's reset time is converted to the local clock with the offset
//! `Date − local receive time`; as `Date` has one-second resolution, the largest offset
//! observed is used (it converges on the true offset from below).
//!
//! Buckets are keyed by the request's method and path template (e.g.
//! `GET /api/v1/users/{id}`). Okta's buckets are mostly per path (the notable exception,
//! `GET /api/v1/users/{id}` vs. writes to the same path, is also distinct here). Where two
//! templates share one Okta bucket, each learns the remaining count from its own answers,
//! which can overshoot slightly under heavy mixed load; the 429 handling then covers it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;

use super::clock::Clock;

/// Requests allowed in flight on a bucket before its first answer reports its limits.
const UNKNOWN_BUCKET_CONCURRENCY: u32 = 4;
/// How long a waiter sleeps at most before re-checking (it is woken earlier by answers).
const RECHECK: Duration = Duration::from_millis(250);
/// Safety margin after the estimated reset before the probe goes.
const RESET_MARGIN: Duration = Duration::from_millis(50);

/// Rate-limit headers of one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// `X-Rate-Limit-Limit`.
    pub limit: u32,
    /// `X-Rate-Limit-Remaining`.
    pub remaining: u32,
    /// `X-Rate-Limit-Reset` (epoch seconds, server clock).
    pub reset: u64,
}

/// What the pacer knows about one bucket.
#[derive(Debug, Clone, Default)]
pub struct BucketState {
    limit: Option<u32>,
    remaining: u32,
    reset_server: u64,
    reset_local: Option<SystemTime>,
    in_flight: u32,
    last_go: Option<SystemTime>,
    probe_for: Option<u64>,
    blocked_until: Option<SystemTime>,
}

/// Decision for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send now.
    Go,
    /// Check again after (at most) this long.
    Wait(Duration),
}

fn until(now: SystemTime, t: SystemTime) -> Duration {
    t.duration_since(now).unwrap_or(Duration::ZERO)
}

impl BucketState {
    /// Decides whether a request may go now, and records it if so. Pure given `now`.
    pub fn decide(&mut self, share: f64, now: SystemTime) -> Decision {
        if let Some(b) = self.blocked_until {
            if now < b {
                return Decision::Wait(until(now, b));
            }
            self.blocked_until = None;
        }
        let (Some(limit), Some(reset_local)) = (self.limit, self.reset_local) else {
            if self.in_flight < UNKNOWN_BUCKET_CONCURRENCY {
                return self.go(now);
            }
            return Decision::Wait(RECHECK);
        };
        if limit == 0 {
            // A concurrency 429 reports limit 0; the next answer will restore real values.
            return if self.in_flight == 0 {
                self.go(now)
            } else {
                Decision::Wait(RECHECK)
            };
        }
        if now >= reset_local + RESET_MARGIN {
            // The window should have reset: one probe until an answer reports the new one.
            if self.probe_for == Some(self.reset_server) {
                return Decision::Wait(RECHECK);
            }
            self.probe_for = Some(self.reset_server);
            return self.go(now);
        }
        let budget = ((f64::from(limit) * share).floor() as i64).max(1);
        let used = i64::from(limit) - i64::from(self.remaining);
        let available = budget - used - i64::from(self.in_flight);
        if available <= 0 {
            return Decision::Wait(until(now, reset_local) + RESET_MARGIN);
        }
        // Spread what is left evenly over the rest of the window.
        let left = until(now, reset_local);
        let interval = left / u32::try_from(available).unwrap_or(u32::MAX);
        if let Some(last) = self.last_go {
            let next = last + interval;
            if now < next {
                return Decision::Wait(until(now, next));
            }
        }
        self.go(now)
    }

    /// After the reset, an answer still reported the old window (or the probe failed).
    /// `X-Rate-Limit-Reset` has one-second resolution and may be rounded down (the emulator
    /// does; Okta's rounding is undocumented), so the window ends within a second after it:
    /// the next probe waits for that second to pass, and a window costs at most one 429.
    /// Whether the early probe was refused (429) or still counted in the old window (200,
    /// when only a share of the capacity is used), nothing more is sent in that window.
    fn probe_failed(&mut self, now: SystemTime) {
        self.probe_for = None;
        let later = self
            .reset_local
            .map_or(now, |r| r + Duration::from_millis(1050));
        self.blocked_until = Some(later.max(now + Duration::from_millis(50)));
    }

    fn go(&mut self, now: SystemTime) -> Decision {
        self.in_flight += 1;
        self.last_go = Some(now);
        Decision::Go
    }

    /// Records an answer (or a failed attempt when `headers` is None).
    ///
    /// `offset` is the estimated `server clock − local clock`.
    pub fn observe(
        &mut self,
        headers: Option<RateLimitHeaders>,
        status: Option<u16>,
        offset: Duration,
        offset_negative: bool,
        now: SystemTime,
    ) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let probing = self.probe_for.is_some();
        let Some(h) = headers else {
            // No headers: count the request against what we believed was left.
            self.remaining = self.remaining.saturating_sub(1);
            if status == Some(429) {
                self.blocked_until = Some(now + Duration::from_secs(1));
            }
            if probing {
                self.probe_failed(now);
            }
            return;
        };
        let server_reset = UNIX_EPOCH + Duration::from_secs(h.reset);
        let local_reset = if offset_negative {
            server_reset + offset
        } else {
            server_reset.checked_sub(offset).unwrap_or(server_reset)
        };
        if h.limit == 0 {
            // Concurrency limit hit.
            self.limit = Some(0);
            self.probe_for = None;
            self.blocked_until = Some(now + Duration::from_millis(500));
            return;
        }
        if self.limit.is_none() || self.limit == Some(0) || h.reset > self.reset_server {
            // A new window (or the first information about this bucket).
            self.limit = Some(h.limit);
            self.remaining = h.remaining;
            self.reset_server = h.reset;
            self.reset_local = Some(local_reset);
            self.probe_for = None;
        } else if h.reset == self.reset_server {
            self.limit = Some(h.limit);
            self.remaining = self.remaining.min(h.remaining);
            if status == Some(429) {
                self.remaining = 0;
            }
            if probing {
                // The probe (or a late answer) still reports the old window.
                self.probe_failed(now);
            }
        }
        // An answer from an older window (h.reset < reset_server) carries no news.
    }
}

/// Pacer shared by all requests of one client.
#[derive(Debug)]
pub struct Pacer {
    /// The share (an `f64`'s bits), changeable while requests run.
    share: AtomicU64,
    clock: Arc<dyn Clock>,
    state: Mutex<PacerState>,
    notify: Notify,
}

#[derive(Debug, Default)]
struct PacerState {
    buckets: HashMap<String, BucketState>,
    /// Largest observed `Date − local now`, in signed milliseconds.
    offset_ms: Option<i64>,
}

/// What the pacer knows about one rate-limit bucket, as last reported by Okta.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BucketSnapshot {
    /// The bucket: method and path template (`GET /api/v1/logs`).
    pub bucket: String,
    /// `X-Rate-Limit-Limit` of the current window; `None` until an answer reported it.
    pub limit: Option<u32>,
    /// Requests left in the window (`X-Rate-Limit-Remaining` of the answers in it); `None`
    /// until an answer reported it.
    pub remaining: Option<u32>,
    /// When the window resets, on the local clock; `None` until an answer reported it.
    pub reset: Option<SystemTime>,
    /// Requests sent and not answered yet.
    pub in_flight: u32,
}

/// A share in (0, 1], or `None` if `share` is not a number above 0.
fn valid_share(share: f64) -> Option<f64> {
    (share.is_finite() && share > 0.0).then(|| share.min(1.0))
}

/// Releases a bucket slot when dropped without an answer (cancelled call).
#[derive(Debug)]
pub struct Permit {
    pacer: Arc<Pacer>,
    key: String,
    done: bool,
}

impl Permit {
    /// Records the answer's rate-limit headers and server date.
    pub fn finish(
        mut self,
        headers: Option<RateLimitHeaders>,
        server_date: Option<SystemTime>,
        status: Option<u16>,
    ) {
        self.done = true;
        self.pacer.observe(&self.key, headers, server_date, status);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.done {
            self.pacer.observe(&self.key, None, None, None);
        }
    }
}

impl Pacer {
    /// A pacer that uses at most `share` (0 < share ≤ 1) of every bucket.
    pub fn new(share: f64, clock: Arc<dyn Clock>) -> Self {
        let share = valid_share(share).unwrap_or(1.0);
        Self {
            share: AtomicU64::new(share.to_bits()),
            clock,
            state: Mutex::new(PacerState::default()),
            notify: Notify::new(),
        }
    }

    /// The share of every bucket requests may use.
    pub fn share(&self) -> f64 {
        f64::from_bits(self.share.load(Ordering::Relaxed))
    }

    /// Changes the share from the next decision on (above 1 is taken as 1). Returns false,
    /// changing nothing, if `share` is not a number above 0.
    pub fn set_share(&self, share: f64) -> bool {
        let Some(share) = valid_share(share) else {
            return false;
        };
        self.share.store(share.to_bits(), Ordering::Relaxed);
        // Waiters re-decide with the new share.
        self.notify.notify_waiters();
        true
    }

    /// What is known about each bucket, sorted by bucket.
    pub fn snapshot(&self) -> Vec<BucketSnapshot> {
        let st = self.lock();
        let mut out: Vec<BucketSnapshot> = st
            .buckets
            .iter()
            .map(|(key, b)| BucketSnapshot {
                bucket: key.clone(),
                limit: b.limit,
                remaining: b.limit.map(|_| b.remaining),
                reset: b.reset_local,
                in_flight: b.in_flight,
            })
            .collect();
        out.sort_by(|a, b| a.bucket.cmp(&b.bucket));
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PacerState> {
        // A panic while holding this lock cannot leave the state invalid; keep going.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until a request on bucket `key` may be sent.
    pub async fn acquire(self: &Arc<Self>, key: &str) -> Permit {
        loop {
            let notified = self.notify.notified();
            let decision = {
                let mut st = self.lock();
                let now = self.clock.now();
                st.buckets
                    .entry(key.to_owned())
                    .or_default()
                    .decide(self.share(), now)
            };
            match decision {
                Decision::Go => {
                    return Permit {
                        pacer: Arc::clone(self),
                        key: key.to_owned(),
                        done: false,
                    };
                }
                Decision::Wait(d) => {
                    let d = d.min(RECHECK * 4).max(Duration::from_millis(1));
                    tokio::select! {
                        _ = notified => {},
                        _ = self.clock.sleep(d) => {},
                    }
                }
            }
        }
    }

    /// Local time of the bucket's reset as last reported (for diagnostics and 429 waits).
    pub fn server_to_local(&self, server: SystemTime) -> SystemTime {
        let off = self.lock().offset_ms.unwrap_or(0);
        shift(server, -off)
    }

    fn observe(
        &self,
        key: &str,
        headers: Option<RateLimitHeaders>,
        server_date: Option<SystemTime>,
        status: Option<u16>,
    ) {
        {
            let mut st = self.lock();
            let now = self.clock.now();
            if let Some(date) = server_date {
                let ms = signed_ms(date, now);
                st.offset_ms = Some(st.offset_ms.map_or(ms, |o| o.max(ms)));
            }
            let off = st.offset_ms.unwrap_or(0);
            let (abs, neg) = (Duration::from_millis(off.unsigned_abs()), off < 0);
            st.buckets
                .entry(key.to_owned())
                .or_default()
                .observe(headers, status, abs, neg, now);
        }
        self.notify.notify_waiters();
    }
}

fn signed_ms(a: SystemTime, b: SystemTime) -> i64 {
    match a.duration_since(b) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

fn shift(t: SystemTime, ms: i64) -> SystemTime {
    let d = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        t + d
    } else {
        t.checked_sub(d).unwrap_or(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(1_700_000_000_000 + ms)
    }
    const RESET: u64 = 1_700_000_060;

    fn obs(b: &mut BucketState, remaining: u32, status: u16, now: SystemTime) {
        b.observe(
            Some(RateLimitHeaders {
                limit: 600,
                remaining,
                reset: RESET,
            }),
            Some(status),
            Duration::ZERO,
            false,
            now,
        );
    }

    #[tokio::test]
    async fn a_changed_share_applies_to_the_next_request() {
        let pacer = Arc::new(Pacer::new(1.0, Arc::new(super::super::clock::SystemClock)));
        assert_eq!(pacer.share(), 1.0);
        let reset = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 60;
        let headers = RateLimitHeaders {
            limit: 600,
            remaining: 300,
            reset,
        };
        pacer.acquire("GET /api/v1/logs").await.finish(
            Some(headers),
            Some(SystemTime::now()),
            Some(200),
        );
        // Half the window is spent: a 50 % share leaves nothing until the reset.
        assert!(pacer.set_share(0.5));
        let waited = tokio::time::timeout(
            Duration::from_millis(300),
            pacer.acquire("GET /api/v1/logs"),
        )
        .await;
        assert!(waited.is_err(), "a 50 % share must hold the request back");
        // Back to the whole bucket: the request goes (after at most one paced interval).
        assert!(pacer.set_share(2.0));
        assert_eq!(pacer.share(), 1.0);
        let permit =
            tokio::time::timeout(Duration::from_secs(2), pacer.acquire("GET /api/v1/logs")).await;
        assert!(permit.is_ok());
        for bad in [0.0, -0.5, f64::NAN, f64::INFINITY] {
            assert!(!pacer.set_share(bad), "{bad}");
        }
        assert_eq!(pacer.share(), 1.0);
        let snap = pacer.snapshot();
        assert_eq!(snap.len(), 1);
        assert_eq!(snap[0].bucket, "GET /api/v1/logs");
        assert_eq!(snap[0].limit, Some(600));
        assert_eq!(snap[0].remaining, Some(300));
        assert_eq!(snap[0].in_flight, 1);
    }

    #[test]
    fn unknown_bucket_lets_a_few_requests_go() {
        let mut b = BucketState::default();
        for _ in 0..UNKNOWN_BUCKET_CONCURRENCY {
            assert_eq!(b.decide(1.0, t(0)), Decision::Go);
        }
        assert!(matches!(b.decide(1.0, t(0)), Decision::Wait(_)));
    }

    #[test]
    fn spreads_the_remaining_budget_over_the_window() {
        let mut b = BucketState::default();
        assert_eq!(b.decide(1.0, t(0)), Decision::Go);
        // 60 s left, 600 left: one request every 100 ms.
        obs(&mut b, 600, 200, t(0));
        assert!(matches!(b.decide(1.0, t(50)), Decision::Wait(_)));
        assert_eq!(b.decide(1.0, t(100)), Decision::Go);
        match b.decide(1.0, t(110)) {
            Decision::Wait(d) => assert!(d >= Duration::from_millis(80), "{d:?}"),
            Decision::Go => panic!("should pace"),
        }
    }

    #[test]
    fn share_reserves_the_rest_of_the_window() {
        let mut b = BucketState::default();
        b.decide(0.5, t(0));
        // 300 used of 600: with a 50 % share nothing is left until the reset.
        obs(&mut b, 300, 200, t(0));
        match b.decide(0.5, t(1000)) {
            Decision::Wait(d) => assert!(d >= Duration::from_secs(58), "{d:?}"),
            Decision::Go => panic!("share exceeded"),
        }
    }

    #[test]
    fn in_flight_requests_count_against_the_budget() {
        let mut b = BucketState::default();
        b.decide(1.0, t(0));
        obs(&mut b, 3, 200, t(0));
        // 3 left over 60 s: one every 20 s; each one in flight shrinks what is left.
        assert_eq!(b.decide(1.0, t(20_000)), Decision::Go);
        assert_eq!(b.decide(1.0, t(40_000)), Decision::Go);
        assert_eq!(b.decide(1.0, t(59_000)), Decision::Go);
        // All three still in flight: nothing left until the reset.
        match b.decide(1.0, t(59_500)) {
            Decision::Wait(d) => assert!(d >= Duration::from_millis(500), "{d:?}"),
            Decision::Go => panic!("budget exceeded"),
        }
    }

    #[test]
    fn after_the_reset_only_one_probe_goes() {
        let mut b = BucketState::default();
        b.decide(1.0, t(0));
        obs(&mut b, 0, 200, t(0));
        assert!(matches!(b.decide(1.0, t(30_000)), Decision::Wait(_)));
        assert_eq!(b.decide(1.0, t(61_000)), Decision::Go);
        assert!(matches!(b.decide(1.0, t(61_000)), Decision::Wait(_)));
        // The probe was too early (429 in the old window): another one, a bit later.
        obs(&mut b, 0, 429, t(61_010));
        assert!(matches!(b.decide(1.0, t(61_020)), Decision::Wait(_)));
        assert_eq!(b.decide(1.0, t(61_300)), Decision::Go);
        // The new window is reported: pacing resumes.
        b.observe(
            Some(RateLimitHeaders {
                limit: 600,
                remaining: 599,
                reset: RESET + 62,
            }),
            Some(200),
            Duration::ZERO,
            false,
            t(61_400),
        );
        assert_eq!(b.decide(1.0, t(61_500)), Decision::Go);
    }

    #[test]
    fn a_probe_answered_in_the_old_window_does_not_stall_the_bucket() {
        let mut b = BucketState::default();
        b.decide(0.5, t(0));
        obs(&mut b, 300, 200, t(0));
        assert!(matches!(b.decide(0.5, t(30_000)), Decision::Wait(_)));
        // Probe after the reported reset; the server's window (rounded down) is still open.
        assert_eq!(b.decide(0.5, t(60_100)), Decision::Go);
        obs(&mut b, 299, 200, t(60_110));
        assert!(matches!(b.decide(0.5, t(60_200)), Decision::Wait(_)));
        // A second after the reported reset the window is certainly over: probe again.
        assert_eq!(b.decide(0.5, t(61_100)), Decision::Go);
    }

    #[test]
    fn a_probe_that_fails_without_an_answer_does_not_stall_the_bucket() {
        let mut b = BucketState::default();
        b.decide(1.0, t(0));
        obs(&mut b, 0, 200, t(0));
        assert_eq!(b.decide(1.0, t(60_100)), Decision::Go);
        b.observe(None, None, Duration::ZERO, false, t(60_200));
        assert_eq!(b.decide(1.0, t(61_100)), Decision::Go);
    }

    #[test]
    fn answers_from_an_older_window_are_ignored() {
        let mut b = BucketState::default();
        b.decide(1.0, t(0));
        b.decide(1.0, t(0));
        b.observe(
            Some(RateLimitHeaders {
                limit: 600,
                remaining: 500,
                reset: RESET + 60,
            }),
            Some(200),
            Duration::ZERO,
            false,
            t(0),
        );
        obs(&mut b, 0, 200, t(0)); // stale
        assert_eq!(b.decide(1.0, t(1000)), Decision::Go);
    }
}
