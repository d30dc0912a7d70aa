//! A rate-limit budget shared by several clients (several processes) of one org: quota leasing.
//!
//! One [`Pacer`](super::pacer::Pacer) is exact for the requests of one process. When several
//! processes call the same org, each pacer learns the org's remaining budget only from its own
//! answers, so together they overshoot the share. A [`RateLedger`] holds, per bucket, the
//! window Okta reported (`X-Rate-Limit-Reset`, the same epoch second in every process since it
//! is the org's), the window's limit and how many requests of that window have been granted
//! cluster-wide. A pacer with a ledger ([`Config::rate_ledger`](crate::Config::rate_ledger)):
//!
//! - holds a **grant** before each request of a known window. It claims grants in small chunks
//!   ([`chunk_size`]) and spends them locally, so the ledger sees one claim per chunk, not one
//!   per request. A claim never takes the window's grants past `floor(limit × share)`; when the
//!   cluster's budget is spent every process waits for the reset.
//! - reports requests it sent *without* a grant of the window that counted them (the probe
//!   after a reset, requests sent before the bucket's limits were known, a request granted in
//!   one window that Okta counted in the next) with its next claim (`spent`), so the ledger's
//!   count follows Okta's.
//! - probes once per old window **for the whole cluster**: after the reset, the first process
//!   to [`claim_probe`](RateLedger::claim_probe) sends the probe; the others wait and ask again.
//!   The prober's first claim in the new window writes that window to the ledger, and the
//!   others learn it from there ([`ProbeClaim::NewWindow`]) without a probe of their own. So the
//!   cluster gets at most one 429 per window, as one process does.
//! - before its first request on a bucket it knows nothing of, asks the ledger for the window
//!   the others know (a claim of nothing for window 0), so a process that joins a busy cluster
//!   does not send its few unknown-bucket requests into a spent window.
//! - falls back to local pacing when the ledger fails (database down), with one warning, and
//!   tries the ledger again a few seconds later.
//!
//! The slack: grants claimed by a process and not spent when the window ends are lost (the
//! cluster then uses a little *less* than its budget: at most `chunk − 1` per process and
//! window); requests granted in one window that Okta counts in the next are reported when
//! their answers arrive, so a claim made between the two can over-grant the new window by the
//! requests in flight across the turn of the window (a few at most: the pacer stops sending at
//! the reset it was told).
//!
//! [`InMemoryLedger`] implements the ledger for clients of one process (tests, or several
//! clients of one org in one program); the gateway's store implements it in PostgreSQL.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

/// The future a [`RateLedger`] operation returns.
pub type LedgerFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, LedgerError>> + Send + 'a>>;

/// A ledger operation failed (the database is unreachable, …). The pacer falls back to local
/// pacing; the message is logged, so it must not hold secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rate ledger: {0}")]
pub struct LedgerError(pub String);

/// A claim of grants in one bucket's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimRequest<'a> {
    /// The bucket: method and path template (`GET /api/v1/users/{id}`).
    pub bucket: &'a str,
    /// The window the claimer knows: `X-Rate-Limit-Reset` (epoch seconds, Okta's clock).
    pub reset: u64,
    /// The window's `X-Rate-Limit-Limit`.
    pub limit: u32,
    /// Most requests the cluster may make in the window: `floor(limit × share)`.
    pub budget: u32,
    /// Grants wanted now.
    pub want: u32,
    /// Requests the claimer already sent in this window without a grant (recorded even past
    /// the budget: Okta counted them).
    pub spent: u32,
}

/// What a claim got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claimed {
    /// The ledger's window. Newer than the claim's when another process has seen a later
    /// window: then nothing was granted, and the claimer should adopt this window and claim in
    /// it.
    pub reset: u64,
    /// The limit of the ledger's window.
    pub limit: u32,
    /// Grants given (0 when the window's budget is spent).
    pub granted: u32,
}

/// The answer to [`RateLedger::claim_probe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeClaim {
    /// This claimer sends the one probe of the old window.
    Probe,
    /// Another process probes; ask again later (at the latest at `until_ms`, epoch
    /// milliseconds on Okta's clock, when its lease on the probe ends).
    Busy {
        /// End of the other process' probe lease.
        until_ms: u64,
    },
    /// Another process already learned the next window: adopt it, no probe needed.
    NewWindow {
        /// `X-Rate-Limit-Reset` of the new window.
        reset: u64,
        /// Its limit.
        limit: u32,
    },
}

/// Pacing state shared by the clients of one org (one connection) across processes.
///
/// Implementations must make each operation atomic with respect to the others on the same
/// bucket (one upsert, or a row lock).
pub trait RateLedger: Send + Sync + fmt::Debug {
    /// Claims grants: a newer `reset` than the ledger's starts a new window (its grants start
    /// at `spent`); the same window adds `spent` and grants up to `want` without the window's
    /// grants passing `budget`; an older one grants nothing and returns the ledger's window.
    fn claim<'a>(&'a self, request: ClaimRequest<'a>) -> LedgerFuture<'a, Claimed>;

    /// Asks to send the probe after the window `reset` ended. At most one claimer per window
    /// gets [`ProbeClaim::Probe`] until its lease (`lease`, counted from `now_ms`, epoch
    /// milliseconds on Okta's clock) ends.
    fn claim_probe<'a>(
        &'a self,
        bucket: &'a str,
        reset: u64,
        limit: u32,
        now_ms: u64,
        lease: Duration,
    ) -> LedgerFuture<'a, ProbeClaim>;
}

/// How many grants a pacer claims at once for a window of `budget` requests:
/// `clamp(budget / 20, 1, 10)`. Small enough that grants stranded in other processes at the
/// end of a window are a small part of the budget (at most 5 % per process), large enough that
/// a busy bucket costs the ledger one claim per ten requests.
pub fn chunk_size(budget: u32) -> u32 {
    (budget / 20).clamp(1, 10)
}

/// One bucket's row of a ledger, and the claim rules every implementation follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LedgerRow {
    /// The window (`X-Rate-Limit-Reset`).
    pub reset: u64,
    /// Its limit.
    pub limit: u32,
    /// Requests granted (or reported spent) in it.
    pub granted: u32,
    /// The old window a probe was claimed for, if any.
    pub probe_reset: Option<u64>,
    /// End of that probe's lease (epoch ms, Okta's clock).
    pub probe_until_ms: u64,
}

impl LedgerRow {
    /// Applies a claim to the row (`None`: no row yet) and returns the new row and the answer.
    pub fn claim(row: Option<LedgerRow>, req: &ClaimRequest<'_>) -> (LedgerRow, Claimed) {
        let grant = |granted: u32| req.want.min(req.budget.saturating_sub(granted));
        match row {
            Some(r) if r.reset > req.reset => (
                r,
                Claimed {
                    reset: r.reset,
                    limit: r.limit,
                    granted: 0,
                },
            ),
            Some(r) if r.reset == req.reset => {
                let before = r.granted.saturating_add(req.spent);
                let granted = grant(before);
                let row = LedgerRow {
                    limit: req.limit,
                    granted: before.saturating_add(granted),
                    ..r
                };
                (
                    row,
                    Claimed {
                        reset: r.reset,
                        limit: req.limit,
                        granted,
                    },
                )
            }
            _ => {
                let granted = grant(req.spent);
                let row = LedgerRow {
                    reset: req.reset,
                    limit: req.limit,
                    granted: req.spent.saturating_add(granted),
                    probe_reset: None,
                    probe_until_ms: 0,
                };
                (
                    row,
                    Claimed {
                        reset: req.reset,
                        limit: req.limit,
                        granted,
                    },
                )
            }
        }
    }

    /// Applies a probe claim (see [`RateLedger::claim_probe`]).
    pub fn claim_probe(
        row: Option<LedgerRow>,
        reset: u64,
        limit: u32,
        now_ms: u64,
        lease: Duration,
    ) -> (LedgerRow, ProbeClaim) {
        let until = now_ms.saturating_add(u64::try_from(lease.as_millis()).unwrap_or(u64::MAX));
        match row {
            Some(r) if r.reset > reset => (
                r,
                ProbeClaim::NewWindow {
                    reset: r.reset,
                    limit: r.limit,
                },
            ),
            Some(r) if r.probe_reset.is_some_and(|p| p >= reset) && r.probe_until_ms > now_ms => (
                r,
                ProbeClaim::Busy {
                    until_ms: r.probe_until_ms,
                },
            ),
            Some(r) if r.reset == reset => (
                LedgerRow {
                    probe_reset: Some(reset),
                    probe_until_ms: until,
                    ..r
                },
                ProbeClaim::Probe,
            ),
            // No row, or one of an older window than the claimer knows.
            _ => (
                LedgerRow {
                    reset,
                    limit,
                    granted: 0,
                    probe_reset: Some(reset),
                    probe_until_ms: until,
                },
                ProbeClaim::Probe,
            ),
        }
    }
}

/// A [`RateLedger`] in memory: shares one budget between clients of one process.
#[derive(Debug, Default)]
pub struct InMemoryLedger {
    rows: Mutex<HashMap<String, LedgerRow>>,
}

impl InMemoryLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// The row of `bucket`, if any.
    pub fn row(&self, bucket: &str) -> Option<LedgerRow> {
        self.lock().get(bucket).copied()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, LedgerRow>> {
        self.rows.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl RateLedger for InMemoryLedger {
    fn claim<'a>(&'a self, request: ClaimRequest<'a>) -> LedgerFuture<'a, Claimed> {
        let mut rows = self.lock();
        let (row, claimed) = LedgerRow::claim(rows.get(request.bucket).copied(), &request);
        rows.insert(request.bucket.to_owned(), row);
        Box::pin(std::future::ready(Ok(claimed)))
    }

    fn claim_probe<'a>(
        &'a self,
        bucket: &'a str,
        reset: u64,
        limit: u32,
        now_ms: u64,
        lease: Duration,
    ) -> LedgerFuture<'a, ProbeClaim> {
        let mut rows = self.lock();
        let (row, answer) =
            LedgerRow::claim_probe(rows.get(bucket).copied(), reset, limit, now_ms, lease);
        rows.insert(bucket.to_owned(), row);
        Box::pin(std::future::ready(Ok(answer)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(reset: u64, want: u32, spent: u32) -> ClaimRequest<'static> {
        ClaimRequest {
            bucket: "GET /api/v1/users/{id}",
            reset,
            limit: 100,
            budget: 50,
            want,
            spent,
        }
    }

    #[test]
    fn claims_never_pass_the_budget_and_a_new_window_resets() {
        let (row, c) = LedgerRow::claim(None, &req(10, 20, 1));
        assert_eq!((c.granted, row.granted), (20, 21));
        let (row, c) = LedgerRow::claim(Some(row), &req(10, 20, 0));
        assert_eq!((c.granted, row.granted), (20, 41));
        let (row, c) = LedgerRow::claim(Some(row), &req(10, 20, 2));
        assert_eq!((c.granted, row.granted), (7, 50));
        // Spent requests are recorded past the budget; nothing more is granted.
        let (row, c) = LedgerRow::claim(Some(row), &req(10, 5, 3));
        assert_eq!((c.granted, row.granted), (0, 53));
        // An older window learns the newer one.
        let (row2, c) = LedgerRow::claim(Some(row), &req(9, 5, 0));
        assert_eq!((c.reset, c.granted), (10, 0));
        assert_eq!(row2, row);
        // A newer window starts over.
        let (row, c) = LedgerRow::claim(Some(row), &req(12, 5, 1));
        assert_eq!((c.reset, c.granted, row.granted), (12, 5, 6));
    }

    #[test]
    fn one_probe_per_window_until_its_lease_ends() {
        let lease = Duration::from_secs(5);
        let (row, _) = LedgerRow::claim(None, &req(10, 5, 0));
        let (row, a) = LedgerRow::claim_probe(Some(row), 10, 100, 10_100, lease);
        assert_eq!(a, ProbeClaim::Probe);
        let (row, b) = LedgerRow::claim_probe(Some(row), 10, 100, 10_200, lease);
        assert_eq!(b, ProbeClaim::Busy { until_ms: 15_100 });
        // The lease ended (the prober died): someone else probes.
        let (row, c) = LedgerRow::claim_probe(Some(row), 10, 100, 15_100, lease);
        assert_eq!(c, ProbeClaim::Probe);
        // The prober wrote the new window: the others adopt it.
        let (row, _) = LedgerRow::claim(Some(row), &req(12, 5, 1));
        let (_, d) = LedgerRow::claim_probe(Some(row), 10, 100, 15_200, lease);
        assert_eq!(
            d,
            ProbeClaim::NewWindow {
                reset: 12,
                limit: 100
            }
        );
    }
}
