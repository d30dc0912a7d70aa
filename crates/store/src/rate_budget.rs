//! Rate-limit budgets shared by gateway processes: quota leasing (see docs/scale-out.md, "Rate
//! limits across processes").
//!
//! One row per connection and rate-limit bucket holds the window Okta reported (its
//! `X-Rate-Limit-Reset`, epoch seconds on Okta's clock, the same number in every process), the
//! window's limit and how many requests of it have been granted. Each process claims grants in
//! small chunks with one atomic upsert ([`RateBudgets::claim`]) and spends them locally; the
//! grants of a window never pass the claimer's budget (`floor(limit × share)`), and a newer
//! reset starts a new window. [`RateBudgets::claim_probe`] lets one process probe an ended
//! window while the others wait and then learn the new window from the row.
//!
//! Both engines run the same SQL; the gateway uses it on PostgreSQL only (on SQLite there is
//! one process, whose pacer is exact on its own).

use std::time::Duration;

use crate::{ConnectionId, Store, StoreError, now_millis, with_pool};

/// A claim of grants in one bucket's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetClaim<'a> {
    /// The bucket (`GET /api/v1/users/{id}`).
    pub bucket: &'a str,
    /// The window the claimer knows (`X-Rate-Limit-Reset`, epoch seconds).
    pub reset: u64,
    /// The window's limit.
    pub limit: u32,
    /// Most requests the window may be granted (`floor(limit × share)`).
    pub budget: u32,
    /// Grants wanted.
    pub want: u32,
    /// Requests already sent in the window without a grant (recorded even past the budget).
    pub spent: u32,
}

/// What a claim got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetGrant {
    /// The row's window: newer than the claim's when another process saw a later one (then
    /// nothing was granted).
    pub reset: u64,
    /// The row's limit.
    pub limit: u32,
    /// Grants given.
    pub granted: u32,
}

/// The answer to [`RateBudgets::claim_probe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeGrant {
    /// The claimer probes the ended window.
    Probe,
    /// Another process probes until `until_ms` (epoch milliseconds) at the latest.
    Busy {
        /// End of that process' lease on the probe.
        until_ms: u64,
    },
    /// Another process already wrote the next window.
    NewWindow {
        /// Its reset.
        reset: u64,
        /// Its limit.
        limit: u32,
    },
}

/// The `rate_budget` table. Get one with [`Store::rate_budget`].
#[derive(Debug, Clone, Copy)]
pub struct RateBudgets<'a> {
    store: &'a Store,
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

/// One atomic upsert: a new row or a newer window starts over at `spent + grant`; the same
/// window adds `spent` and grants `min(want, budget − granted − spent)` (not below 0); an older
/// window changes nothing. `last_grant` carries this claim's grant to `RETURNING`.
const CLAIM: &str = "
INSERT INTO rate_budget
    (connection_id, bucket, reset_at, rate_limit, granted, last_grant, probe_reset, probe_until,
     updated_at)
VALUES ($1, $2, $3, $4, $5 + $9, $9, NULL, 0, $8)
ON CONFLICT (connection_id, bucket) DO UPDATE SET
    granted = CASE
        WHEN rate_budget.reset_at < excluded.reset_at THEN excluded.granted
        WHEN rate_budget.reset_at = excluded.reset_at THEN rate_budget.granted + $5 + (CASE
            WHEN $7 - rate_budget.granted - $5 <= 0 THEN 0
            WHEN $7 - rate_budget.granted - $5 < $6 THEN $7 - rate_budget.granted - $5
            ELSE $6 END)
        ELSE rate_budget.granted END,
    last_grant = CASE
        WHEN rate_budget.reset_at < excluded.reset_at THEN excluded.last_grant
        WHEN rate_budget.reset_at = excluded.reset_at THEN (CASE
            WHEN $7 - rate_budget.granted - $5 <= 0 THEN 0
            WHEN $7 - rate_budget.granted - $5 < $6 THEN $7 - rate_budget.granted - $5
            ELSE $6 END)
        ELSE 0 END,
    rate_limit = CASE
        WHEN rate_budget.reset_at <= excluded.reset_at THEN excluded.rate_limit
        ELSE rate_budget.rate_limit END,
    probe_reset = CASE
        WHEN rate_budget.reset_at < excluded.reset_at THEN NULL
        ELSE rate_budget.probe_reset END,
    probe_until = CASE
        WHEN rate_budget.reset_at < excluded.reset_at THEN 0
        ELSE rate_budget.probe_until END,
    reset_at = CASE
        WHEN rate_budget.reset_at < excluded.reset_at THEN excluded.reset_at
        ELSE rate_budget.reset_at END,
    updated_at = excluded.updated_at
RETURNING reset_at, rate_limit, last_grant";

/// Takes the probe of window `$3` when no other process holds an unexpired one (or the row is
/// of an older window, or absent); returns no row otherwise.
const CLAIM_PROBE: &str = "
INSERT INTO rate_budget
    (connection_id, bucket, reset_at, rate_limit, granted, last_grant, probe_reset, probe_until,
     updated_at)
VALUES ($1, $2, $3, $4, 0, 0, $3, $5, $6)
ON CONFLICT (connection_id, bucket) DO UPDATE SET
    granted = CASE
        WHEN rate_budget.reset_at < excluded.reset_at THEN 0
        ELSE rate_budget.granted END,
    rate_limit = CASE
        WHEN rate_budget.reset_at < excluded.reset_at THEN excluded.rate_limit
        ELSE rate_budget.rate_limit END,
    reset_at = excluded.reset_at,
    probe_reset = excluded.probe_reset,
    probe_until = excluded.probe_until,
    updated_at = excluded.updated_at
WHERE rate_budget.reset_at < excluded.reset_at
   OR (rate_budget.reset_at = excluded.reset_at
       AND (rate_budget.probe_reset IS NULL
            OR rate_budget.probe_reset < excluded.reset_at
            OR rate_budget.probe_until <= $7))
RETURNING reset_at";

const ROW: &str = "
SELECT reset_at, rate_limit, probe_until FROM rate_budget
WHERE connection_id = $1 AND bucket = $2";

impl<'a> RateBudgets<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        RateBudgets { store }
    }

    /// Claims grants of one bucket's window for `connection` (one atomic statement).
    ///
    /// # Errors
    /// [`StoreError::Database`] (a connection that does not exist: a foreign-key violation).
    pub async fn claim(
        &self,
        connection: &ConnectionId,
        claim: BudgetClaim<'_>,
    ) -> Result<BudgetGrant, StoreError> {
        let fresh = claim.want.min(claim.budget.saturating_sub(claim.spent));
        let (reset, limit, granted): (i64, i64, i64) = with_pool!(self.store, |pool| {
            sqlx::query_as(CLAIM)
                .bind(connection.as_str())
                .bind(claim.bucket)
                .bind(to_i64(claim.reset))
                .bind(i64::from(claim.limit))
                .bind(i64::from(claim.spent))
                .bind(i64::from(claim.want))
                .bind(i64::from(claim.budget))
                .bind(now_millis())
                .bind(i64::from(fresh))
                .fetch_one(pool)
                .await
        })?;
        Ok(BudgetGrant {
            reset: to_u64(reset),
            limit: to_u32(limit),
            granted: to_u32(granted),
        })
    }

    /// Asks to probe bucket `bucket`'s window `reset` (ended) for `connection`: at most one
    /// claimer gets [`ProbeGrant::Probe`] until its lease (`lease` from `now_ms`, epoch
    /// milliseconds on Okta's clock) ends.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn claim_probe(
        &self,
        connection: &ConnectionId,
        bucket: &str,
        reset: u64,
        limit: u32,
        now_ms: u64,
        lease: Duration,
    ) -> Result<ProbeGrant, StoreError> {
        let until = now_ms.saturating_add(u64::try_from(lease.as_millis()).unwrap_or(u64::MAX));
        let won: Option<i64> = with_pool!(self.store, |pool| {
            sqlx::query_scalar(CLAIM_PROBE)
                .bind(connection.as_str())
                .bind(bucket)
                .bind(to_i64(reset))
                .bind(i64::from(limit))
                .bind(to_i64(until))
                .bind(now_millis())
                .bind(to_i64(now_ms))
                .fetch_optional(pool)
                .await
        })?;
        if won.is_some() {
            return Ok(ProbeGrant::Probe);
        }
        let row: Option<(i64, i64, i64)> = with_pool!(self.store, |pool| {
            sqlx::query_as(ROW)
                .bind(connection.as_str())
                .bind(bucket)
                .fetch_optional(pool)
                .await
        })?;
        Ok(match row {
            Some((r, l, _)) if to_u64(r) > reset => ProbeGrant::NewWindow {
                reset: to_u64(r),
                limit: to_u32(l),
            },
            Some((_, _, until_ms)) => ProbeGrant::Busy {
                until_ms: to_u64(until_ms),
            },
            // Deleted in between (the connection went away): ask again shortly.
            None => ProbeGrant::Busy {
                until_ms: now_ms.saturating_add(250),
            },
        })
    }

    /// The row of `connection`'s `bucket`: `(reset, limit, granted)`, for tests and
    /// diagnostics.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn get(
        &self,
        connection: &ConnectionId,
        bucket: &str,
    ) -> Result<Option<(u64, u32, u32)>, StoreError> {
        let row: Option<(i64, i64, i64)> = with_pool!(self.store, |pool| {
            sqlx::query_as(
                "SELECT reset_at, rate_limit, granted FROM rate_budget \
                 WHERE connection_id = $1 AND bucket = $2",
            )
            .bind(connection.as_str())
            .bind(bucket)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(r, l, g)| (to_u64(r), to_u32(l), to_u32(g))))
    }
}
