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
//!
//! With a shared [`RateLedger`] (several processes calling one org), the same decisions are
//! made locally and, in addition, each request of a known window needs a grant claimed from
//! the ledger, and the probe after a reset is claimed cluster-wide; see [`super::ledger`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;

use super::clock::Clock;
use super::ledger::{ClaimRequest, Claimed, ProbeClaim, RateLedger, chunk_size};

/// Requests allowed in flight on a bucket before its first answer reports its limits.
const UNKNOWN_BUCKET_CONCURRENCY: u32 = 4;
/// How long a waiter sleeps at most before re-checking (it is woken earlier by answers).
const RECHECK: Duration = Duration::from_millis(250);
/// Safety margin after the estimated reset before the probe goes.
const RESET_MARGIN: Duration = Duration::from_millis(50);
/// Longest wait for one ledger operation before pacing locally for a while.
const LEDGER_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the pacer paces locally after a ledger failure before trying the ledger again.
const LEDGER_RETRY: Duration = Duration::from_secs(5);
/// How long a process' claim on the cluster's probe of a window holds (a prober that died
/// gives the probe up after this long).
const PROBE_LEASE: Duration = Duration::from_secs(5);

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
    /// Shared ledger: grants left for window `grant_reset`.
    grants: u32,
    grant_reset: u64,
    /// Shared ledger: a task of this pacer is claiming from the ledger for this bucket.
    claiming: bool,
    /// Shared ledger: requests Okta counted in window `unclaimed_reset` that were sent without
    /// a grant of that window, not reported to the ledger yet.
    unclaimed: u32,
    unclaimed_reset: u64,
    /// Shared ledger: the cluster's budget of this window is spent.
    exhausted_for: Option<u64>,
    /// Shared ledger: this pacer holds the cluster's probe of this (old) window.
    probe_won: Option<u64>,
    /// Shared ledger: the window of the grant the last `Go` spent.
    last_grant: Option<u64>,
    /// Shared ledger: an answer to this pacer's probe reported a new window; the ledger should
    /// learn it at once (the other processes wait for it).
    publish: bool,
    /// Shared ledger: the ledger was asked for the window before any answer reported one.
    asked_ledger: bool,
}

/// Decision for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send now.
    Go,
    /// Check again after (at most) this long.
    Wait(Duration),
    /// Claim grants from the shared ledger first (the bucket is marked as claiming).
    Claim,
    /// Claim the cluster's probe of the ended window first (the bucket is marked as claiming).
    ClaimProbe,
    /// Ask the shared ledger for the window other processes know, before sending anything on
    /// a bucket this pacer knows nothing of (the bucket is marked as claiming).
    Learn,
}

/// Latest epoch second taken literally (about 34,000 years on): later values from a header or a
/// ledger are capped, so that time arithmetic on them cannot overflow.
const MAX_EPOCH_SECS: u64 = 1 << 40;

/// The time `secs` epoch seconds, capped at [`MAX_EPOCH_SECS`].
pub(crate) fn epoch(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs.min(MAX_EPOCH_SECS))
}

/// The time `ms` epoch milliseconds, capped at [`MAX_EPOCH_SECS`].
fn epoch_ms(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms.min(MAX_EPOCH_SECS * 1000))
}

/// Requests of a window of `limit` a share may use: `floor(limit × share)`, at least 1.
fn budget(limit: u32, share: f64) -> i64 {
    ((f64::from(limit) * share).floor() as i64).max(1)
}

fn until(now: SystemTime, t: SystemTime) -> Duration {
    t.duration_since(now).unwrap_or(Duration::ZERO)
}

impl BucketState {
    /// Decides whether a request may go now, and records it if so. Pure given `now`.
    pub fn decide(&mut self, share: f64, now: SystemTime) -> Decision {
        self.decide_shared(share, now, false)
    }

    /// [`BucketState::decide`], with a shared ledger when `shared`: then a request of a known
    /// window also needs a grant, and the probe after the reset is claimed cluster-wide.
    pub fn decide_shared(&mut self, share: f64, now: SystemTime, shared: bool) -> Decision {
        self.last_grant = None;
        if let Some(b) = self.blocked_until {
            if now < b {
                return Decision::Wait(until(now, b));
            }
            self.blocked_until = None;
        }
        let (Some(limit), Some(reset_local)) = (self.limit, self.reset_local) else {
            if shared && !self.asked_ledger {
                if self.claiming {
                    return Decision::Wait(RECHECK);
                }
                self.asked_ledger = true;
                self.claiming = true;
                return Decision::Learn;
            }
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
            if shared && self.probe_won != Some(self.reset_server) {
                // One probe for the whole cluster; or another process knows the new window.
                if self.claiming {
                    return Decision::Wait(RECHECK);
                }
                self.claiming = true;
                return Decision::ClaimProbe;
            }
            // The window should have reset: one probe until an answer reports the new one.
            if self.probe_for == Some(self.reset_server) {
                return Decision::Wait(RECHECK);
            }
            self.probe_for = Some(self.reset_server);
            return self.go(now);
        }
        let budget = budget(limit, share);
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
        if shared {
            if self.grant_reset != self.reset_server || self.grants == 0 {
                if self.exhausted_for == Some(self.reset_server) {
                    // The cluster's budget of this window is spent.
                    return Decision::Wait(until(now, reset_local) + RESET_MARGIN);
                }
                if self.claiming {
                    return Decision::Wait(RECHECK);
                }
                self.claiming = true;
                return Decision::Claim;
            }
            self.grants -= 1;
            self.last_grant = Some(self.reset_server);
        }
        self.go(now)
    }

    /// What to claim from the ledger for this bucket: `(reset, limit, budget, spent)`, or
    /// `None` before its limits are known.
    fn claim_plan(&self, share: f64) -> Option<(u64, u32, u32, u32)> {
        let limit = self.limit.filter(|l| *l > 0)?;
        let budget = u32::try_from(budget(limit, share)).unwrap_or(u32::MAX);
        let spent = if self.unclaimed_reset == self.reset_server {
            self.unclaimed
        } else {
            0
        };
        Some((self.reset_server, limit, budget, spent))
    }

    /// Applies the ledger's answer to a claim of `wanted` grants made for window `asked`
    /// reporting `spent`.
    fn claimed(&mut self, asked: u64, wanted: u32, spent: u32, claimed: Claimed, offset_ms: i64) {
        if self.unclaimed_reset == asked {
            self.unclaimed = self.unclaimed.saturating_sub(spent);
        }
        if claimed.reset > self.reset_server {
            self.adopt_window(claimed.reset, claimed.limit, offset_ms);
        } else if claimed.reset == self.reset_server {
            if self.grant_reset != self.reset_server {
                self.grant_reset = self.reset_server;
                self.grants = 0;
            }
            self.grants = self.grants.saturating_add(claimed.granted);
            if claimed.granted == 0 && wanted > 0 && claimed.reset == asked {
                self.exhausted_for = Some(self.reset_server);
            }
        }
    }

    /// Applies the ledger's answer to a probe claim for window `asked`.
    fn probe_claimed(&mut self, asked: u64, answer: ProbeClaim, now: SystemTime, offset_ms: i64) {
        match answer {
            ProbeClaim::Probe if asked == self.reset_server => self.probe_won = Some(asked),
            ProbeClaim::Probe => {}
            ProbeClaim::Busy { until_ms } => {
                // Ask again soon: the prober's answer may publish the new window any moment.
                let until_local = shift(epoch_ms(until_ms), offset_ms.saturating_neg());
                let wait = until(now, until_local).clamp(Duration::from_millis(20), RECHECK);
                self.blocked_until = Some(now + wait);
            }
            ProbeClaim::NewWindow { reset, limit } => {
                if reset > self.reset_server {
                    self.adopt_window(reset, limit, offset_ms);
                }
            }
        }
    }

    /// Takes on a window another process reported to the ledger.
    fn adopt_window(&mut self, reset: u64, limit: u32, offset_ms: i64) {
        self.limit = Some(limit);
        // What other processes used shows in the grants; Okta's answers refine it.
        self.remaining = limit;
        self.reset_server = reset;
        self.reset_local = Some(shift(epoch(reset), offset_ms.saturating_neg()));
        self.probe_for = None;
        self.probe_won = None;
        self.exhausted_for = None;
        self.grant_reset = reset;
        self.grants = 0;
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
        self.observe_shared(headers, status, offset, offset_negative, now, None, false);
    }

    /// [`BucketState::observe`], with a shared ledger when `shared`: `grant` is the window
    /// whose grant the request spent (`None`: sent without one). A request Okta counted in a
    /// window it held no grant of is reported with the next claim.
    #[allow(clippy::too_many_arguments, reason = "the inputs of one pure decision")]
    pub fn observe_shared(
        &mut self,
        headers: Option<RateLimitHeaders>,
        status: Option<u16>,
        offset: Duration,
        offset_negative: bool,
        now: SystemTime,
        grant: Option<u64>,
        shared: bool,
    ) {
        let before = self.reset_server;
        let probing_before = self.probe_for.is_some();
        self.observe_inner(headers, status, offset, offset_negative, now);
        let Some(h) = headers.filter(|h| shared && h.limit > 0) else {
            return;
        };
        if h.reset == self.reset_server && grant != Some(h.reset) && status != Some(429) {
            if self.unclaimed_reset != h.reset {
                self.unclaimed_reset = h.reset;
                self.unclaimed = 0;
            }
            self.unclaimed = self.unclaimed.saturating_add(1);
        }
        if self.reset_server > before && probing_before {
            self.publish = true;
        }
    }

    fn observe_inner(
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
        let server_reset = epoch(h.reset);
        let local_reset = if offset_negative {
            server_reset.checked_add(offset).unwrap_or(server_reset)
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
            self.probe_won = None;
            self.exhausted_for = None;
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
    /// The budget shared with other processes, if any.
    ledger: Option<Arc<dyn RateLedger>>,
}

#[derive(Debug, Default)]
struct PacerState {
    buckets: HashMap<String, BucketState>,
    /// Largest observed `Date − local now`, in signed milliseconds.
    offset_ms: Option<i64>,
    /// The ledger failed: pace locally until then.
    ledger_down_until: Option<SystemTime>,
    /// The ledger's failure was logged (once until it works again).
    ledger_warned: bool,
}

impl PacerState {
    fn ledger_up(&self, now: SystemTime) -> bool {
        self.ledger_down_until.is_none_or(|t| now >= t)
    }
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
    /// The window whose ledger grant this request spent.
    grant: Option<u64>,
}

/// Clears a bucket's `claiming` mark when a ledger claim ends (or is cancelled, or never
/// starts).
struct Claiming {
    pacer: Arc<Pacer>,
    key: String,
}

impl Drop for Claiming {
    fn drop(&mut self) {
        if let Some(b) = self.pacer.lock().buckets.get_mut(&self.key) {
            b.claiming = false;
        }
        self.pacer.notify.notify_waiters();
    }
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
        self.pacer
            .observe(&self.key, headers, server_date, status, self.grant);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.done {
            self.pacer.observe(&self.key, None, None, None, self.grant);
        }
    }
}

impl Pacer {
    /// A pacer that uses at most `share` (0 < share ≤ 1) of every bucket.
    pub fn new(share: f64, clock: Arc<dyn Clock>) -> Self {
        Self::with_ledger(share, clock, None)
    }

    /// A pacer that also keeps every bucket within the budget shared through `ledger` with
    /// other pacers (other processes) of the same org.
    pub fn with_ledger(
        share: f64,
        clock: Arc<dyn Clock>,
        ledger: Option<Arc<dyn RateLedger>>,
    ) -> Self {
        let share = valid_share(share).unwrap_or(1.0);
        Self {
            share: AtomicU64::new(share.to_bits()),
            clock,
            state: Mutex::new(PacerState::default()),
            notify: Notify::new(),
            ledger,
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
            let (decision, grant) = {
                let mut st = self.lock();
                let now = self.clock.now();
                let shared = self.ledger.is_some() && st.ledger_up(now);
                let bucket = st.buckets.entry(key.to_owned()).or_default();
                let decision = bucket.decide_shared(self.share(), now, shared);
                (decision, bucket.last_grant.take())
            };
            match decision {
                Decision::Go => {
                    return Permit {
                        pacer: Arc::clone(self),
                        key: key.to_owned(),
                        done: false,
                        grant,
                    };
                }
                Decision::Claim => self.claim(key, None).await,
                Decision::ClaimProbe => self.claim_probe(key).await,
                Decision::Learn => self.learn(key).await,
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
        shift(server, off.saturating_neg())
    }

    /// Claims grants of bucket `key` from the ledger (`want`: a chunk unless given) and records
    /// the answer. The bucket must have been marked as claiming.
    async fn claim(self: &Arc<Self>, key: &str, want: Option<u32>) {
        let _claiming = Claiming {
            pacer: Arc::clone(self),
            key: key.to_owned(),
        };
        let Some(ledger) = &self.ledger else { return };
        let plan = self
            .lock()
            .buckets
            .get(key)
            .and_then(|b| b.claim_plan(self.share()));
        let Some((reset, limit, budget, spent)) = plan else {
            // Nothing to claim for (cannot happen after `Decision::Claim`): do not spin.
            self.clock.sleep(Duration::from_millis(10)).await;
            return;
        };
        let want = want.unwrap_or_else(|| chunk_size(budget));
        let request = ClaimRequest {
            bucket: key,
            reset,
            limit,
            budget,
            want,
            spent,
        };
        let answer = tokio::time::timeout(LEDGER_TIMEOUT, ledger.claim(request)).await;
        let mut st = self.lock();
        let now = self.clock.now();
        match answer {
            Ok(Ok(claimed)) => {
                ledger_works(&mut st);
                let off = st.offset_ms.unwrap_or(0);
                if let Some(b) = st.buckets.get_mut(key) {
                    b.claimed(reset, want, spent, claimed, off);
                }
            }
            Ok(Err(e)) => ledger_failed(&mut st, now, &e.to_string()),
            Err(_) => ledger_failed(&mut st, now, "a claim timed out"),
        }
    }

    /// Asks the ledger which window of bucket `key` the other processes know (a claim of
    /// nothing for window 0, which any known window is newer than) and takes it on. The bucket
    /// must have been marked as claiming.
    async fn learn(self: &Arc<Self>, key: &str) {
        let _claiming = Claiming {
            pacer: Arc::clone(self),
            key: key.to_owned(),
        };
        let Some(ledger) = &self.ledger else { return };
        let request = ClaimRequest {
            bucket: key,
            reset: 0,
            limit: 0,
            budget: 0,
            want: 0,
            spent: 0,
        };
        let answer = tokio::time::timeout(LEDGER_TIMEOUT, ledger.claim(request)).await;
        let mut st = self.lock();
        let now = self.clock.now();
        match answer {
            Ok(Ok(known)) => {
                ledger_works(&mut st);
                let off = st.offset_ms.unwrap_or(0);
                if let Some(b) = st.buckets.get_mut(key)
                    && b.limit.is_none()
                    && known.reset > 0
                    && known.limit > 0
                {
                    b.adopt_window(known.reset, known.limit, off);
                }
            }
            Ok(Err(e)) => ledger_failed(&mut st, now, &e.to_string()),
            Err(_) => ledger_failed(&mut st, now, "a claim timed out"),
        }
    }

    /// Claims the cluster's probe of bucket `key`'s ended window and records the answer. The
    /// bucket must have been marked as claiming.
    async fn claim_probe(self: &Arc<Self>, key: &str) {
        let _claiming = Claiming {
            pacer: Arc::clone(self),
            key: key.to_owned(),
        };
        let Some(ledger) = &self.ledger else { return };
        let (plan, off) = {
            let st = self.lock();
            let plan = st
                .buckets
                .get(key)
                .and_then(|b| Some((b.reset_server, b.limit?)));
            (plan, st.offset_ms.unwrap_or(0))
        };
        let Some((reset, limit)) = plan else {
            self.clock.sleep(Duration::from_millis(10)).await;
            return;
        };
        let server_now = shift(self.clock.now(), off);
        let now_ms = server_now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let answer = tokio::time::timeout(
            LEDGER_TIMEOUT,
            ledger.claim_probe(key, reset, limit, now_ms, PROBE_LEASE),
        )
        .await;
        let mut st = self.lock();
        let now = self.clock.now();
        match answer {
            Ok(Ok(answer)) => {
                ledger_works(&mut st);
                let off = st.offset_ms.unwrap_or(0);
                if let Some(b) = st.buckets.get_mut(key) {
                    b.probe_claimed(reset, answer, now, off);
                }
            }
            Ok(Err(e)) => ledger_failed(&mut st, now, &e.to_string()),
            Err(_) => ledger_failed(&mut st, now, "a probe claim timed out"),
        }
    }

    fn observe(
        self: &Arc<Self>,
        key: &str,
        headers: Option<RateLimitHeaders>,
        server_date: Option<SystemTime>,
        status: Option<u16>,
        grant: Option<u64>,
    ) {
        let mut publish = false;
        {
            let mut st = self.lock();
            let now = self.clock.now();
            if let Some(date) = server_date {
                let ms = signed_ms(date, now);
                st.offset_ms = Some(st.offset_ms.map_or(ms, |o| o.max(ms)));
            }
            let off = st.offset_ms.unwrap_or(0);
            let (abs, neg) = (Duration::from_millis(off.unsigned_abs()), off < 0);
            let shared = self.ledger.is_some();
            let bucket = st.buckets.entry(key.to_owned()).or_default();
            bucket.observe_shared(headers, status, abs, neg, now, grant, shared);
            if bucket.publish && !bucket.claiming {
                // This pacer's probe found the new window: tell the ledger now, so the other
                // processes stop waiting for it.
                bucket.publish = false;
                bucket.claiming = true;
                publish = true;
            }
        }
        if publish {
            // Clears the mark even if the task never runs.
            let marked = Claiming {
                pacer: Arc::clone(self),
                key: key.to_owned(),
            };
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                handle.spawn(async move {
                    marked.pacer.claim(&marked.key, Some(0)).await;
                    drop(marked);
                });
            }
        }
        self.notify.notify_waiters();
    }
}

/// The ledger answered: shared pacing again (said once after a failure).
fn ledger_works(st: &mut PacerState) {
    st.ledger_down_until = None;
    if st.ledger_warned {
        st.ledger_warned = false;
        tracing::info!("the shared rate-limit ledger answers again; pacing with it");
    }
}

/// The ledger failed: pace locally for a while (said once until it works again).
fn ledger_failed(st: &mut PacerState, now: SystemTime, error: &str) {
    st.ledger_down_until = Some(now + LEDGER_RETRY);
    if !st.ledger_warned {
        st.ledger_warned = true;
        tracing::warn!(
            error,
            "the shared rate-limit ledger failed; pacing this process' calls on its own until it \
             answers again"
        );
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
        t.checked_add(d).unwrap_or(t)
    } else {
        t.checked_sub(d).unwrap_or(t)
    }
}

#[cfg(test)]
mod tests {
    use super::super::ledger::InMemoryLedger;
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
            other => panic!("should pace: {other:?}"),
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
            other => panic!("share exceeded: {other:?}"),
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
            other => panic!("budget exceeded: {other:?}"),
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

    /// An Okta bucket with one-second windows aligned on the second, as a function of the
    /// local clock: counts what it accepts and refuses per window.
    #[derive(Debug)]
    struct SimBucket {
        limit: u32,
        /// Length of a window.
        window_ms: u64,
        /// Windows start this long after a multiple of `window_ms`, and the reset reported is
        /// their end rounded down to the second (as the emulator does): that early.
        phase_ms: u64,
        /// window (epoch second) → (accepted, refused)
        windows: Mutex<HashMap<u64, (u32, u32)>>,
    }

    impl SimBucket {
        fn call(&self) -> (RateLimitHeaders, u16) {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
            let w = (u64::try_from(now.as_millis()).unwrap() - self.phase_ms) / self.window_ms;
            let mut g = self.windows.lock().unwrap();
            let e = g.entry(w).or_default();
            let status = if e.0 >= self.limit {
                e.1 += 1;
                429
            } else {
                e.0 += 1;
                200
            };
            let h = RateLimitHeaders {
                limit: self.limit,
                remaining: self.limit - e.0,
                reset: ((w + 1) * self.window_ms + self.phase_ms) / 1000,
            };
            (h, status)
        }
    }

    /// Three pacers (three processes) with four tasks each hammer one bucket through one
    /// ledger for a few windows; returns the sim's windows (first and last partial ones
    /// dropped) and the ledger.
    async fn three_pacers(
        share: f64,
        limit: u32,
        window_ms: u64,
        phase_ms: u64,
    ) -> (Vec<(u64, (u32, u32))>, Arc<InMemoryLedger>) {
        let ledger = Arc::new(InMemoryLedger::new());
        let sim = Arc::new(SimBucket {
            limit,
            window_ms,
            phase_ms,
            windows: Mutex::new(HashMap::new()),
        });
        let stop = SystemTime::now() + Duration::from_millis(window_ms * 4 + 200);
        let mut tasks = Vec::new();
        for _ in 0..3 {
            let ledger: Arc<dyn RateLedger> = ledger.clone();
            let pacer = Arc::new(Pacer::with_ledger(
                share,
                Arc::new(super::super::clock::SystemClock),
                Some(ledger),
            ));
            for _ in 0..4 {
                let (pacer, sim) = (Arc::clone(&pacer), Arc::clone(&sim));
                tasks.push(tokio::spawn(async move {
                    while SystemTime::now() < stop {
                        let permit = pacer.acquire("GET /api/v1/users/{id}").await;
                        // 20 ms to Okta and 20 ms back: other processes' requests in
                        // flight are what one pacer cannot see in Okta's headers.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        let (h, status) = sim.call();
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        permit.finish(Some(h), Some(SystemTime::now()), Some(status));
                    }
                }));
            }
        }
        for t in tasks {
            t.await.unwrap();
        }
        let mut windows: Vec<_> = sim.windows.lock().unwrap().clone().into_iter().collect();
        windows.sort_unstable();
        let n = windows.len();
        (windows[1..n - 1].to_vec(), ledger)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn three_pacers_sharing_a_ledger_stay_within_the_share() {
        let (windows, ledger) = three_pacers(0.5, 60, 1000, 0).await;
        eprintln!("share 0.5, limit 60: (accepted, refused) per window {windows:?}");
        assert!(windows.len() >= 2, "{windows:?}");
        for (w, (accepted, refused)) in &windows {
            // Budget 30; the slack is a request or two granted in one window and counted in
            // the next.
            assert!(
                *accepted <= 32,
                "window {w}: {accepted} > 30 + 2 ({windows:?})"
            );
            assert!(
                *accepted >= 15,
                "window {w}: only {accepted} of 30 ({windows:?})"
            );
            assert_eq!(*refused, 0, "window {w} ({windows:?})");
        }
        let row = ledger.row("GET /api/v1/users/{id}").unwrap();
        assert!(row.granted <= 32, "{row:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn three_pacers_with_the_whole_limit_get_at_most_one_429_per_window() {
        let (windows, _) = three_pacers(1.0, 40, 1000, 0).await;
        eprintln!("share 1.0, limit 40: (accepted, refused) per window {windows:?}");
        assert!(windows.len() >= 2, "{windows:?}");
        for (w, (accepted, refused)) in &windows {
            assert!(*accepted <= 40, "window {w} ({windows:?})");
            assert!(
                *accepted >= 20,
                "window {w}: only {accepted} of 40 ({windows:?})"
            );
            assert!(*refused <= 1, "window {w}: {refused} 429s ({windows:?})");
        }
    }

    #[tokio::test]
    async fn a_failing_ledger_falls_back_to_local_pacing() {
        #[derive(Debug)]
        struct Down;
        impl RateLedger for Down {
            fn claim<'a>(
                &'a self,
                _: ClaimRequest<'a>,
            ) -> super::super::ledger::LedgerFuture<'a, Claimed> {
                Box::pin(async { Err(super::super::ledger::LedgerError("down".into())) })
            }
            fn claim_probe<'a>(
                &'a self,
                _: &'a str,
                _: u64,
                _: u32,
                _: u64,
                _: Duration,
            ) -> super::super::ledger::LedgerFuture<'a, ProbeClaim> {
                Box::pin(async { Err(super::super::ledger::LedgerError("down".into())) })
            }
        }
        let pacer = Arc::new(Pacer::with_ledger(
            1.0,
            Arc::new(super::super::clock::SystemClock),
            Some(Arc::new(Down)),
        ));
        let reset = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 60;
        let h = RateLimitHeaders {
            limit: 600,
            remaining: 599,
            reset,
        };
        for _ in 0..5 {
            let permit = tokio::time::timeout(
                Duration::from_secs(2),
                pacer.acquire("GET /api/v1/users/{id}"),
            )
            .await
            .expect("a ledger error must not stop requests");
            permit.finish(Some(h), Some(SystemTime::now()), Some(200));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_early_reset_costs_the_cluster_one_probe_and_one_429_per_window() {
        // The reset is reported 600 ms before the window really ends: the probe 50 ms after it
        // is refused. Only one of the three pacers probes; the others wait for the window it
        // then finds (without the shared ledger every pacer probes, and retries: 5 429s per
        // window when this was measured).
        let (windows, ledger) = three_pacers(1.0, 40, 2000, 600).await;
        eprintln!("share 1.0, limit 40, early reset: (accepted, refused) per window {windows:?}");
        assert!(windows.len() >= 2, "{windows:?}");
        for (w, (accepted, refused)) in &windows {
            assert!(*accepted <= 40, "window {w} ({windows:?})");
            assert!(*accepted >= 10, "window {w}: only {accepted} ({windows:?})");
            assert!(*refused <= 1, "window {w}: {refused} 429s ({windows:?})");
        }
        assert!(ledger.row("GET /api/v1/users/{id}").is_some());
    }

    #[test]
    fn absurd_headers_do_not_panic() {
        for reset in [0, 1, u64::MAX / 2, u64::MAX] {
            let mut b = BucketState::default();
            b.decide_shared(1.0, t(0), true);
            b.observe_shared(
                Some(RateLimitHeaders {
                    limit: u32::MAX,
                    remaining: u32::MAX,
                    reset,
                }),
                Some(200),
                Duration::from_secs(u64::MAX / 4),
                true,
                t(0),
                None,
                true,
            );
            let _ = b.decide_shared(1.0, t(10), true);
            let _ = b.decide(1.0, t(10));
            b.claimed(
                reset,
                5,
                3,
                Claimed {
                    reset: u64::MAX,
                    limit: u32::MAX,
                    granted: u32::MAX,
                },
                i64::MIN,
            );
            b.probe_claimed(
                reset,
                ProbeClaim::Busy { until_ms: u64::MAX },
                t(20),
                i64::MAX,
            );
            let _ = b.decide_shared(1.0, t(30), true);
        }
    }

    #[tokio::test]
    async fn a_pacer_joining_the_cluster_learns_the_window_from_the_ledger() {
        let ledger = Arc::new(InMemoryLedger::new());
        let reset = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 60;
        let key = "GET /api/v1/users/{id}";
        // Another process knows the window and has spent the budget.
        ledger
            .claim(ClaimRequest {
                bucket: key,
                reset,
                limit: 600,
                budget: 300,
                want: 300,
                spent: 0,
            })
            .await
            .unwrap();
        let pacer = Arc::new(Pacer::with_ledger(
            0.5,
            Arc::new(super::super::clock::SystemClock),
            Some(ledger.clone()),
        ));
        // Nothing goes: the window is known (from the ledger) and its budget is spent.
        let waited = tokio::time::timeout(Duration::from_millis(300), pacer.acquire(key)).await;
        assert!(waited.is_err(), "the cluster's budget is spent");
        let snap = pacer.snapshot();
        assert_eq!(snap[0].limit, Some(600));
        assert_eq!(snap[0].in_flight, 0);
        // A bucket nobody knows: the few unknown-bucket requests go.
        let other = pacer.acquire("GET /api/v1/groups").await;
        drop(other);
    }
}
