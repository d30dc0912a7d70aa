//! Sync runs: queued on request or by the scheduler, claimed by one worker under a lease,
//! resumed from their checkpoint by another worker when the lease runs out.

use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use super::SyncStore;
use crate::{
    ConnectionId, Db, StoreError, SyncRunId, from_millis, millis_column, now_millis, to_millis,
    with_pool,
};

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Waiting for a worker.
    Queued,
    /// Held by a worker.
    Running,
    /// Ended: everything it read is in the store.
    Succeeded,
    /// Ended with an error (what it wrote before the error stays; a full pass that failed
    /// deleted nothing).
    Failed,
}

impl RunState {
    fn parse(s: &str) -> Result<RunState, StoreError> {
        Ok(match s {
            "queued" => RunState::Queued,
            "running" => RunState::Running,
            "succeeded" => RunState::Succeeded,
            "failed" => RunState::Failed,
            other => {
                return Err(StoreError::Corrupt {
                    table: "sync_runs",
                    reason: format!("unknown state {other:?}"),
                });
            }
        })
    }

    /// Whether the run has ended.
    pub fn is_final(self) -> bool {
        matches!(self, RunState::Succeeded | RunState::Failed)
    }
}

/// One sync run with its figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncRun {
    /// `run_…`
    pub id: SyncRunId,
    /// The connection it syncs.
    pub connection_id: ConnectionId,
    /// Whether it is a full reconciliation (the first run of a connection always is).
    pub full: bool,
    /// `request` (asked for through the API) or `schedule`.
    pub trigger: String,
    /// Where it is.
    pub state: RunState,
    /// When it was queued.
    #[serde(with = "time::serde::rfc3339")]
    pub queued_at: OffsetDateTime,
    /// When a worker first took it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    /// When it ended.
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    /// Pages read from Okta.
    pub pages: i64,
    /// Records read from Okta.
    pub records: i64,
    /// Changes it emitted to the feed.
    pub changes: i64,
    /// Okta calls made (retries included).
    pub okta_calls: i64,
    /// 429 answers met.
    pub rate_limited: i64,
    /// How many times a worker took it (more than 1 after a worker died mid-run).
    pub attempts: i64,
    /// Why it failed, in words a person can act on.
    pub error: Option<String>,
    /// The engine's resume point (opaque to the store).
    #[serde(skip)]
    pub checkpoint: Option<String>,
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: String,
    connection_id: String,
    full_pass: bool,
    trigger_kind: String,
    state: String,
    queued_at: i64,
    started_at: Option<i64>,
    ended_at: Option<i64>,
    pages: i64,
    records: i64,
    changes: i64,
    calls: i64,
    throttled: i64,
    attempts: i64,
    error: Option<String>,
    checkpoint: Option<String>,
}

const RUN_COLUMNS: &str = "id, connection_id, full_pass, trigger_kind, state, queued_at, \
    started_at, ended_at, pages, records, changes, calls, throttled, attempts, error, checkpoint";

impl RunRow {
    fn into_run(self) -> Result<SyncRun, StoreError> {
        Ok(SyncRun {
            id: SyncRunId::from_db(self.id),
            connection_id: ConnectionId::from_db(self.connection_id),
            full: self.full_pass,
            trigger: self.trigger_kind,
            state: RunState::parse(&self.state)?,
            queued_at: millis_column("sync_runs", "queued_at", self.queued_at)?,
            started_at: self.started_at.and_then(from_millis),
            ended_at: self.ended_at.and_then(from_millis),
            pages: self.pages,
            records: self.records,
            changes: self.changes,
            okta_calls: self.calls,
            rate_limited: self.throttled,
            attempts: self.attempts,
            error: self.error,
            checkpoint: self.checkpoint,
        })
    }
}

fn lease_until(lease: Duration) -> i64 {
    now_millis().saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2))
}

impl SyncStore<'_> {
    /// Queues a run of `connection`, or joins the one already queued or running. Asking for a
    /// full run while an incremental one is still queued makes it full. Returns the run and
    /// whether it was already there.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown connection; database errors.
    pub async fn request_run(
        &self,
        connection: &ConnectionId,
        full: bool,
        trigger: &str,
    ) -> Result<(SyncRun, bool), StoreError> {
        self.store.connections().get(connection).await?;
        self.ensure_row(connection).await?;
        for _ in 0..3 {
            if let Some(run) = self.active_run(connection).await? {
                if full && !run.full && run.state == RunState::Queued {
                    with_pool!(self.store, |pool| sqlx::query(
                        "UPDATE sync_runs SET full_pass = TRUE WHERE id = $1 AND state = 'queued'"
                    )
                    .bind(run.id.as_str())
                    .execute(pool)
                    .await
                    .map(|_| ()))?;
                    return Ok((self.run(connection, &run.id).await?, true));
                }
                return Ok((run, true));
            }
            // The first run of a connection is always full.
            let status = self.status(connection).await?;
            let full = full || status.last_full_at.is_none();
            let id = SyncRunId::generate();
            let inserted = with_pool!(self.store, |pool| sqlx::query(
                "INSERT INTO sync_runs (id, connection_id, full_pass, trigger_kind, state, \
                 queued_at) VALUES ($1, $2, $3, $4, 'queued', $5)"
            )
            .bind(id.as_str())
            .bind(connection.as_str())
            .bind(full)
            .bind(trigger)
            .bind(now_millis())
            .execute(pool)
            .await
            .map(|_| ()));
            match inserted {
                Ok(_) => return Ok((self.run(connection, &id).await?, false)),
                // Another request queued one between our read and our insert: join it.
                Err(e) if crate::has_code(&e, "23505") || crate::has_code(&e, "2067") => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict {
            kind: "sync run",
            name: connection.to_string(),
        })
    }

    /// The run queued or running for `connection`, if any.
    ///
    /// # Errors
    /// Database errors.
    pub async fn active_run(
        &self,
        connection: &ConnectionId,
    ) -> Result<Option<SyncRun>, StoreError> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE connection_id = $1 \
             AND state IN ('queued', 'running')"
        );
        let row: Option<RunRow> = with_pool!(self.store, |pool| sqlx::query_as(&sql)
            .bind(connection.as_str())
            .fetch_optional(pool)
            .await)?;
        row.map(RunRow::into_run).transpose()
    }

    /// One run of `connection`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when `connection` has no such run; database errors.
    pub async fn run(
        &self,
        connection: &ConnectionId,
        id: &SyncRunId,
    ) -> Result<SyncRun, StoreError> {
        let sql =
            format!("SELECT {RUN_COLUMNS} FROM sync_runs WHERE id = $1 AND connection_id = $2");
        let row: Option<RunRow> = with_pool!(self.store, |pool| sqlx::query_as(&sql)
            .bind(id.as_str())
            .bind(connection.as_str())
            .fetch_optional(pool)
            .await)?;
        row.ok_or_else(|| StoreError::NotFound {
            kind: "sync run",
            id: id.to_string(),
        })?
        .into_run()
    }

    /// The latest `limit` runs of `connection`, newest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn runs(
        &self,
        connection: &ConnectionId,
        limit: u32,
    ) -> Result<Vec<SyncRun>, StoreError> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE connection_id = $1 \
             ORDER BY queued_at DESC, id DESC LIMIT $2"
        );
        let rows: Vec<RunRow> = with_pool!(self.store, |pool| sqlx::query_as(&sql)
            .bind(connection.as_str())
            .bind(i64::from(limit.clamp(1, 1000)))
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(RunRow::into_run).collect()
    }

    /// Takes the oldest run that is queued, or running under an expired lease (its worker
    /// died), for `owner` until `lease` from now. Many workers may call this at once: each run
    /// goes to one of them (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer).
    ///
    /// # Errors
    /// Database errors.
    pub async fn claim(&self, owner: &str, lease: Duration) -> Result<Option<SyncRun>, StoreError> {
        let now = now_millis();
        let until = lease_until(lease);
        let pick = "SELECT id FROM sync_runs WHERE state = 'queued' \
                    OR (state = 'running' AND lease_expires_at < $3) \
                    ORDER BY queued_at, id LIMIT 1";
        let sql = match &self.store.inner.db {
            Db::Sqlite(_) => format!(
                "UPDATE sync_runs SET state = 'running', lease_owner = $1, lease_expires_at = $2, \
                 started_at = COALESCE(started_at, $3), attempts = attempts + 1 \
                 WHERE id = ({pick}) RETURNING {RUN_COLUMNS}"
            ),
            Db::Postgres(_) => format!(
                "UPDATE sync_runs SET state = 'running', lease_owner = $1, lease_expires_at = $2, \
                 started_at = COALESCE(started_at, $3), attempts = attempts + 1 \
                 WHERE id = ({pick} FOR UPDATE SKIP LOCKED) RETURNING {RUN_COLUMNS}"
            ),
        };
        let row: Option<RunRow> = with_pool!(self.store, |pool| sqlx::query_as(&sql)
            .bind(owner)
            .bind(until)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        row.map(RunRow::into_run).transpose()
    }

    /// Extends `owner`'s lease on `run`.
    ///
    /// # Errors
    /// [`StoreError::LeaseLost`] when another worker holds it now, or it ended.
    pub async fn renew(
        &self,
        run: &SyncRunId,
        owner: &str,
        lease: Duration,
    ) -> Result<(), StoreError> {
        let n = with_pool!(self.store, |pool| sqlx::query(
            "UPDATE sync_runs SET lease_expires_at = $3 \
             WHERE id = $1 AND lease_owner = $2 AND state = 'running'"
        )
        .bind(run.as_str())
        .bind(owner)
        .bind(lease_until(lease))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::LeaseLost {
                run: run.to_string(),
            });
        }
        Ok(())
    }

    /// Ends `run`: succeeded, or failed with `error`.
    ///
    /// # Errors
    /// [`StoreError::LeaseLost`] when `owner` no longer holds it.
    pub async fn finish(
        &self,
        run: &SyncRunId,
        owner: &str,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let state = if error.is_some() {
            "failed"
        } else {
            "succeeded"
        };
        let n = with_pool!(self.store, |pool| sqlx::query(
            "UPDATE sync_runs SET state = $3, error = $4, ended_at = $5, lease_owner = NULL, \
             lease_expires_at = NULL, checkpoint = NULL \
             WHERE id = $1 AND lease_owner = $2 AND state = 'running'"
        )
        .bind(run.as_str())
        .bind(owner)
        .bind(state)
        .bind(error)
        .bind(now_millis())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::LeaseLost {
                run: run.to_string(),
            });
        }
        Ok(())
    }

    /// Gives `run` back to the queue (a worker stopping gracefully): any worker may take it at
    /// once and resume it from its checkpoint, without waiting for the lease to run out.
    ///
    /// # Errors
    /// [`StoreError::LeaseLost`] when `owner` no longer holds it.
    pub async fn release(&self, run: &SyncRunId, owner: &str) -> Result<(), StoreError> {
        let n = with_pool!(self.store, |pool| {
            sqlx::query(
            "UPDATE sync_runs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL \
             WHERE id = $1 AND lease_owner = $2 AND state = 'running'"
        )
        .bind(run.as_str())
        .bind(owner)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            return Err(StoreError::LeaseLost {
                run: run.to_string(),
            });
        }
        Ok(())
    }

    /// Ends every queued or running run of `connection` as failed with `reason` (for
    /// operators and tests; a live worker's next batch then fails with `LeaseLost`).
    ///
    /// # Errors
    /// Database errors.
    pub async fn abandon(
        &self,
        connection: &ConnectionId,
        reason: &str,
    ) -> Result<u64, StoreError> {
        Ok(with_pool!(self.store, |pool| sqlx::query(
            "UPDATE sync_runs SET state = 'failed', error = $2, ended_at = $3, \
             lease_owner = NULL, lease_expires_at = NULL \
             WHERE connection_id = $1 AND state IN ('queued', 'running')"
        )
        .bind(connection.as_str())
        .bind(reason)
        .bind(to_millis(OffsetDateTime::now_utc()))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?)
    }
}
