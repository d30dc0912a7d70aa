//! The synced records and the change feed, written together in one transaction per batch.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::diff::changed_paths;
use super::{MAX_SYNC_PAGE, SyncObject, SyncStore};
use crate::calls::Page;
use crate::cursor::Cursor;
use crate::{
    ConnectionId, Db, StoreError, SyncRunId, begin_write, from_millis, millis_column, now_millis,
    to_millis, with_pool,
};

/// The `after` value that starts a change feed at its present end.
pub const FEED_CURSOR_NOW: &str = "now";

/// How many ids one `IN (…)` list holds (well under SQLite's bound-parameter limit).
const IN_CHUNK: usize = 500;

/// One write of a sync batch.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RecordWrite {
    /// The record as Okta has it now (a changed one is stored and emits a change; an unchanged
    /// one is only marked seen).
    Upsert {
        /// Its kind.
        object: SyncObject,
        /// Its id (`00u…`, `00g…`, `{group_id}:{user_id}` for memberships).
        id: String,
        /// Its content, as the feed and the records API show it.
        data: Value,
        /// Okta's time of the change (the event's `published`, or the object's `lastUpdated`).
        okta_at: Option<OffsetDateTime>,
        /// Whether this is the record's end state (a deprovisioned user): entering it emits
        /// `…terminated` instead of `…updated`.
        terminal: bool,
    },
    /// The record is gone from Okta.
    Delete {
        /// Its kind.
        object: SyncObject,
        /// Its id.
        id: String,
        /// Okta's time of the deletion, when known.
        okta_at: Option<OffsetDateTime>,
    },
    /// Every membership of this user is gone (the user was deleted).
    MembershipsOfUser {
        /// The user.
        user_id: String,
        /// Okta's time of the deletion, when known.
        okta_at: Option<OffsetDateTime>,
    },
    /// Every membership of this group is gone (the group was deleted).
    MembershipsOfGroup {
        /// The group.
        group_id: String,
        /// Okta's time of the deletion, when known.
        okta_at: Option<OffsetDateTime>,
    },
    /// Reconciliation: every live record of `object` that no read has seen since
    /// `unseen_since` is gone. Write this only at the end of a *complete* pass that started at
    /// `unseen_since`.
    Sweep {
        /// Its kind.
        object: SyncObject,
        /// The start of the pass.
        unseen_since: OffsetDateTime,
    },
}

impl RecordWrite {
    /// A membership as Okta has it now.
    pub fn membership(group_id: &str, user_id: &str, okta_at: Option<OffsetDateTime>) -> Self {
        RecordWrite::Upsert {
            object: SyncObject::Memberships,
            id: membership_id(group_id, user_id),
            data: serde_json::json!({"group_id": group_id, "user_id": user_id}),
            okta_at,
            terminal: false,
        }
    }
}

/// The record id of a membership.
pub fn membership_id(group_id: &str, user_id: &str) -> String {
    format!("{group_id}:{user_id}")
}

/// Figures a batch adds to its run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Pages read.
    pub pages: i64,
    /// Records read.
    pub records: i64,
    /// Okta calls made.
    pub okta_calls: i64,
    /// 429 answers met.
    pub rate_limited: i64,
}

/// One batch of a run: its writes and where the run stands after them, committed at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Commit {
    /// The run writing it.
    pub run: SyncRunId,
    /// The worker holding the run.
    pub owner: String,
    /// The writes, applied in order.
    pub writes: Vec<RecordWrite>,
    /// The run's new resume point (`None`: unchanged).
    pub checkpoint: Option<String>,
    /// The connection's new System Log position (`None`: unchanged).
    pub log_next: Option<String>,
    /// Whether this batch ends a complete full pass (sets the status' `last_full_at`).
    pub full_pass_ended: bool,
    /// Figures to add to the run.
    pub progress: Progress,
}

impl Commit {
    /// An empty batch of `run` held by `owner`.
    pub fn new(run: SyncRunId, owner: impl Into<String>) -> Self {
        Commit {
            run,
            owner: owner.into(),
            writes: Vec::new(),
            checkpoint: None,
            log_next: None,
            full_pass_ended: false,
            progress: Progress::default(),
        }
    }
}

/// What a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new record (memberships: `added`).
    Created,
    /// A changed record.
    Updated,
    /// A record that entered its end state (employees: `terminated`).
    Terminated,
    /// A record gone from Okta (memberships: `removed`).
    Deleted,
}

impl ChangeKind {
    fn name(self, object: SyncObject) -> String {
        let verb = match (self, object) {
            (ChangeKind::Created, SyncObject::Memberships) => "added",
            (ChangeKind::Deleted, SyncObject::Memberships) => "removed",
            (ChangeKind::Created, _) => "created",
            (ChangeKind::Updated, _) => "updated",
            (ChangeKind::Terminated, _) => "terminated",
            (ChangeKind::Deleted, _) => "deleted",
        };
        format!("{}.{verb}", object.singular())
    }
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The connection's sequence number of this change (the feed's order).
    pub seq: i64,
    /// `employee.created`, `membership.removed`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The record's kind.
    pub object: SyncObject,
    /// The record's id.
    pub record_id: String,
    /// Okta's time of the change, when known.
    #[serde(with = "time::serde::rfc3339::option")]
    pub okta_at: Option<OffsetDateTime>,
    /// When Spindle saw it.
    #[serde(with = "time::serde::rfc3339")]
    pub seen_at: OffsetDateTime,
    /// The record after the change (for a deletion: as it was last seen).
    pub data: Value,
    /// For updates: the dotted paths of the fields that changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_fields: Option<Vec<String>>,
}

/// One synced record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncRecord {
    /// Its kind.
    pub object: SyncObject,
    /// Its id.
    pub id: String,
    /// Its content.
    pub data: Value,
    /// The feed sequence number of its last change (changes only when its content does).
    pub version: i64,
    /// When Spindle last changed it.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// When it was found gone from Okta (`None` while it exists).
    #[serde(with = "time::serde::rfc3339::option")]
    pub deleted_at: Option<OffsetDateTime>,
}

/// Which records [`SyncStore::records`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// Page size (1..=1000; default 100).
    pub limit: Option<u32>,
    /// Only records Spindle changed after this time.
    pub updated_after: Option<OffsetDateTime>,
    /// Include records deleted from Okta.
    pub include_deleted: bool,
}

impl RecordQuery {
    fn fingerprint(&self, connection: &ConnectionId, object: SyncObject) -> [u8; 4] {
        let mut h = Sha256::new();
        h.update(connection.as_str().as_bytes());
        h.update([0]);
        h.update(object.as_str().as_bytes());
        h.update(
            self.updated_after
                .map(to_millis)
                .unwrap_or(i64::MIN)
                .to_be_bytes(),
        );
        h.update([u8::from(self.include_deleted)]);
        let d = h.finalize();
        [d[0], d[1], d[2], d[3]]
    }
}

fn feed_fingerprint(connection: &ConnectionId) -> [u8; 4] {
    let d = Sha256::digest(connection.as_str().as_bytes());
    [d[0], d[1], d[2], d[3]]
}

fn hash(data: &Value) -> Vec<u8> {
    Sha256::digest(data.to_string().as_bytes()).to_vec()
}

/// A stored record as a batch sees it.
#[derive(Debug, Clone)]
struct Existing {
    data: Value,
    hash: Vec<u8>,
    deleted: bool,
    terminal: bool,
}

/// A statement a batch executes, planned in memory first.
#[derive(Debug)]
enum Step {
    Touch {
        object: SyncObject,
        ids: Vec<String>,
    },
    Put {
        object: SyncObject,
        id: String,
        data: String,
        hash: Vec<u8>,
        version: i64,
        deleted: bool,
        terminal: bool,
    },
    Emit {
        seq: i64,
        kind: String,
        object: SyncObject,
        record_id: String,
        okta_at: Option<i64>,
        data: String,
        changed: Option<String>,
    },
}

/// Plans the writes of a batch against the records they touch (`existing`, updated as the plan
/// goes, so later writes of the batch see earlier ones).
fn plan(
    writes: Vec<RecordWrite>,
    existing: &mut HashMap<(SyncObject, String), Existing>,
    mut seq: i64,
) -> (Vec<Step>, i64) {
    let mut steps = Vec::new();
    let mut touched: HashMap<SyncObject, Vec<String>> = HashMap::new();
    let emit = |steps: &mut Vec<Step>,
                seq: &mut i64,
                kind: ChangeKind,
                object: SyncObject,
                id: &str,
                okta_at: Option<OffsetDateTime>,
                data: &Value,
                changed: Option<Vec<String>>| {
        *seq += 1;
        steps.push(Step::Emit {
            seq: *seq,
            kind: kind.name(object),
            object,
            record_id: id.to_owned(),
            okta_at: okta_at.map(to_millis),
            data: data.to_string(),
            changed: changed.map(|c| Value::from(c).to_string()),
        });
    };
    for write in writes {
        match write {
            RecordWrite::Upsert {
                object,
                id,
                data,
                okta_at,
                terminal,
            } => {
                let h = hash(&data);
                let key = (object, id);
                let kind = match existing.get(&key) {
                    Some(e) if !e.deleted && e.hash == h => {
                        touched.entry(object).or_default().push(key.1);
                        continue;
                    }
                    Some(e) if !e.deleted => {
                        let changed = changed_paths(&e.data, &data);
                        if terminal && !e.terminal {
                            (ChangeKind::Terminated, Some(changed))
                        } else {
                            (ChangeKind::Updated, Some(changed))
                        }
                    }
                    _ => (ChangeKind::Created, None),
                };
                emit(
                    &mut steps, &mut seq, kind.0, object, &key.1, okta_at, &data, kind.1,
                );
                steps.push(Step::Put {
                    object,
                    id: key.1.clone(),
                    data: data.to_string(),
                    hash: h.clone(),
                    version: seq,
                    deleted: false,
                    terminal,
                });
                existing.insert(
                    key,
                    Existing {
                        data,
                        hash: h,
                        deleted: false,
                        terminal,
                    },
                );
            }
            RecordWrite::Delete {
                object,
                id,
                okta_at,
            } => {
                let key = (object, id);
                let Some(e) = existing.get_mut(&key) else {
                    continue;
                };
                if e.deleted {
                    continue;
                }
                e.deleted = true;
                emit(
                    &mut steps,
                    &mut seq,
                    ChangeKind::Deleted,
                    object,
                    &key.1,
                    okta_at,
                    &e.data,
                    None,
                );
                steps.push(Step::Put {
                    object,
                    id: key.1.clone(),
                    data: e.data.to_string(),
                    hash: e.hash.clone(),
                    version: seq,
                    deleted: true,
                    terminal: e.terminal,
                });
            }
            // Expanded into deletes before planning.
            RecordWrite::MembershipsOfUser { .. }
            | RecordWrite::MembershipsOfGroup { .. }
            | RecordWrite::Sweep { .. } => {}
        }
    }
    for (object, ids) in touched {
        steps.push(Step::Touch { object, ids });
    }
    (steps, seq)
}

#[derive(sqlx::FromRow)]
struct ExistingRow {
    object: String,
    id: String,
    data: String,
    hash: Vec<u8>,
    deleted_at: Option<i64>,
    terminal: bool,
}

impl ExistingRow {
    fn into_entry(self) -> Result<((SyncObject, String), Existing), StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            table: "sync_records",
            reason,
        };
        let object: SyncObject = self
            .object
            .parse()
            .map_err(|e: StoreError| corrupt(e.to_string()))?;
        let data = serde_json::from_str(&self.data)
            .map_err(|e| corrupt(format!("record {} is not JSON: {e}", self.id)))?;
        Ok((
            (object, self.id),
            Existing {
                data,
                hash: self.hash,
                deleted: self.deleted_at.is_some(),
                terminal: self.terminal,
            },
        ))
    }
}

const EXISTING_COLUMNS: &str = "object, id, data, hash, deleted_at, terminal";

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl SyncStore<'_> {
    /// Writes one batch of `connection`'s run in one transaction: the records, the changes they
    /// cause (numbered in order), the run's checkpoint and figures, and the System Log position.
    /// Returns how many changes it emitted.
    ///
    /// # Errors
    /// [`StoreError::LeaseLost`] (nothing written) when `commit.owner` no longer holds the run;
    /// database errors (nothing written).
    pub async fn commit(
        &self,
        connection: &ConnectionId,
        commit: Commit,
    ) -> Result<u64, StoreError> {
        let lock_sql = match &self.store.inner.db {
            Db::Sqlite(_) => "SELECT feed_seq FROM sync_configs WHERE connection_id = $1",
            Db::Postgres(_) => {
                "SELECT feed_seq FROM sync_configs WHERE connection_id = $1 FOR UPDATE"
            }
        };
        let now = now_millis();
        let Commit {
            run,
            owner,
            writes,
            checkpoint,
            log_next,
            full_pass_ended,
            progress,
        } = commit;
        let result: Result<u64, StoreError> = with_pool!(self.store, |pool| {
            async {
                let mut tx = begin_write(pool).await?;
                let held = sqlx::query(
                    "UPDATE sync_runs SET pages = pages + $3, records = records + $4, \
                     calls = calls + $5, throttled = throttled + $6, \
                     checkpoint = COALESCE($7, checkpoint) \
                     WHERE id = $1 AND lease_owner = $2 AND state = 'running' \
                     AND connection_id = $8",
                )
                .bind(run.as_str())
                .bind(&owner)
                .bind(progress.pages)
                .bind(progress.records)
                .bind(progress.okta_calls)
                .bind(progress.rate_limited)
                .bind(&checkpoint)
                .bind(connection.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if held == 0 {
                    return Err(StoreError::LeaseLost {
                        run: run.to_string(),
                    });
                }
                let seq: i64 = sqlx::query_scalar(lock_sql)
                    .bind(connection.as_str())
                    .fetch_one(&mut *tx)
                    .await?;

                // Load what the writes touch; expand the set-wise deletes into single ones.
                let mut existing: HashMap<(SyncObject, String), Existing> = HashMap::new();
                let mut by_object: HashMap<SyncObject, Vec<String>> = HashMap::new();
                let mut flat = Vec::with_capacity(writes.len());
                for write in writes {
                    let (sql, arg, okta_at, object) = match &write {
                        RecordWrite::Upsert { object, id, .. }
                        | RecordWrite::Delete { object, id, .. } => {
                            by_object.entry(*object).or_default().push(id.clone());
                            flat.push(write);
                            continue;
                        }
                        RecordWrite::MembershipsOfUser { user_id, okta_at } => (
                            format!(
                                "SELECT {EXISTING_COLUMNS} FROM sync_records WHERE \
                                 connection_id = $1 AND user_id = $2 AND object = 'memberships' \
                                 AND deleted_at IS NULL"
                            ),
                            user_id.clone(),
                            *okta_at,
                            SyncObject::Memberships,
                        ),
                        RecordWrite::MembershipsOfGroup { group_id, okta_at } => (
                            format!(
                                "SELECT {EXISTING_COLUMNS} FROM sync_records WHERE \
                                 connection_id = $1 AND group_id = $2 AND object = 'memberships' \
                                 AND deleted_at IS NULL"
                            ),
                            group_id.clone(),
                            *okta_at,
                            SyncObject::Memberships,
                        ),
                        RecordWrite::Sweep {
                            object,
                            unseen_since,
                        } => (
                            format!(
                                "SELECT {EXISTING_COLUMNS} FROM sync_records WHERE \
                                 connection_id = $1 AND object = '{object}' \
                                 AND deleted_at IS NULL AND seen_at < $2 ORDER BY id"
                            ),
                            to_millis(*unseen_since).to_string(),
                            None,
                            *object,
                        ),
                    };
                    // The user's or group's memberships come without `ORDER BY id` and are
                    // sorted here: with it, SQLite walks the primary key (connection, object,
                    // id) over every membership of the connection instead of the user or group
                    // index (a full scan per deleted user or group).
                    let mut rows: Vec<ExistingRow> = match &write {
                        RecordWrite::Sweep { unseen_since, .. } => {
                            sqlx::query_as(&sql)
                                .bind(connection.as_str())
                                .bind(to_millis(*unseen_since))
                                .fetch_all(&mut *tx)
                                .await?
                        }
                        _ => {
                            sqlx::query_as(&sql)
                                .bind(connection.as_str())
                                .bind(&arg)
                                .fetch_all(&mut *tx)
                                .await?
                        }
                    };
                    rows.sort_by(|a, b| a.id.cmp(&b.id));
                    for row in rows {
                        let (key, entry) = row.into_entry()?;
                        flat.push(RecordWrite::Delete {
                            object,
                            id: key.1.clone(),
                            okta_at,
                        });
                        existing.insert(key, entry);
                    }
                }
                for (object, ids) in &by_object {
                    for chunk in ids.chunks(IN_CHUNK) {
                        let sql = format!(
                            "SELECT {EXISTING_COLUMNS} FROM sync_records WHERE \
                             connection_id = $1 AND object = $2 AND id IN ({})",
                            placeholders(3, chunk.len())
                        );
                        let mut q = sqlx::query_as::<_, ExistingRow>(&sql)
                            .bind(connection.as_str())
                            .bind(object.as_str());
                        for id in chunk {
                            q = q.bind(id);
                        }
                        for row in q.fetch_all(&mut *tx).await? {
                            let (key, entry) = row.into_entry()?;
                            existing.entry(key).or_insert(entry);
                        }
                    }
                }

                let (steps, last_seq) = plan(flat, &mut existing, seq);
                let emitted = u64::try_from(last_seq - seq).unwrap_or(0);
                // The outbox: the endpoints subscribed now, read in this transaction.
                let subscriptions = if emitted > 0 {
                    let rows: Vec<(String, String, String)> = sqlx::query_as(
                        "SELECT id, events, connections FROM webhook_endpoints WHERE enabled",
                    )
                    .fetch_all(&mut *tx)
                    .await?;
                    crate::webhooks::subscriptions(rows)
                } else {
                    Vec::new()
                };
                for step in steps {
                    match step {
                        Step::Touch { object, ids } => {
                            for chunk in ids.chunks(IN_CHUNK) {
                                let sql = format!(
                                    "UPDATE sync_records SET seen_at = $3 WHERE \
                                     connection_id = $1 AND object = $2 AND id IN ({})",
                                    placeholders(4, chunk.len())
                                );
                                let mut q = sqlx::query(&sql)
                                    .bind(connection.as_str())
                                    .bind(object.as_str())
                                    .bind(now);
                                for id in chunk {
                                    q = q.bind(id);
                                }
                                q.execute(&mut *tx).await?;
                            }
                        }
                        Step::Put {
                            object,
                            id,
                            data,
                            hash,
                            version,
                            deleted,
                            terminal,
                        } => {
                            let (group_id, user_id) = match object {
                                SyncObject::Memberships => match id.split_once(':') {
                                    Some((g, u)) => (Some(g.to_owned()), Some(u.to_owned())),
                                    None => (None, None),
                                },
                                _ => (None, None),
                            };
                            let deleted_at = deleted.then_some(now);
                            sqlx::query(
                                "INSERT INTO sync_records (connection_id, object, id, data, \
                                 hash, version, updated_at, seen_at, deleted_at, terminal, \
                                 group_id, user_id) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11) \
                                 ON CONFLICT (connection_id, object, id) DO UPDATE SET \
                                 data = $4, hash = $5, version = $6, updated_at = $7, \
                                 seen_at = CASE WHEN $8 IS NULL THEN $7 \
                                 ELSE sync_records.seen_at END, \
                                 deleted_at = $8, terminal = $9",
                            )
                            .bind(connection.as_str())
                            .bind(object.as_str())
                            .bind(&id)
                            .bind(&data)
                            .bind(&hash)
                            .bind(version)
                            .bind(now)
                            .bind(deleted_at)
                            .bind(terminal)
                            .bind(group_id)
                            .bind(user_id)
                            .execute(&mut *tx)
                            .await?;
                        }
                        Step::Emit {
                            seq,
                            kind,
                            object,
                            record_id,
                            okta_at,
                            data,
                            changed,
                        } => {
                            sqlx::query(
                                "INSERT INTO sync_changes (connection_id, seq, kind, object, \
                                 record_id, okta_at, seen_at, data, changed) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                            )
                            .bind(connection.as_str())
                            .bind(seq)
                            .bind(&kind)
                            .bind(object.as_str())
                            .bind(&record_id)
                            .bind(okta_at)
                            .bind(now)
                            .bind(&data)
                            .bind(&changed)
                            .execute(&mut *tx)
                            .await?;
                            for sub in subscriptions.iter().filter(|s| s.wants(connection, &kind)) {
                                let body = crate::webhooks::payload(
                                    connection,
                                    seq,
                                    &kind,
                                    object.as_str(),
                                    &record_id,
                                    okta_at,
                                    now,
                                    &data,
                                    changed.as_deref(),
                                );
                                sqlx::query(
                                    "INSERT INTO webhook_deliveries (id, endpoint_id, \
                                     connection_id, seq, record_key, kind, payload, state, \
                                     next_attempt_at, created_at) \
                                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)",
                                )
                                .bind(crate::DeliveryId::generate().as_str())
                                .bind(&sub.id)
                                .bind(connection.as_str())
                                .bind(seq)
                                .bind(format!("{connection}/{object}/{record_id}"))
                                .bind(&kind)
                                .bind(&body)
                                .bind(now)
                                .execute(&mut *tx)
                                .await?;
                            }
                        }
                    }
                }
                sqlx::query(
                    "UPDATE sync_configs SET feed_seq = $2, log_next = COALESCE($3, log_next), \
                     last_full_at = CASE WHEN $4 THEN $5 ELSE last_full_at END \
                     WHERE connection_id = $1",
                )
                .bind(connection.as_str())
                .bind(last_seq)
                .bind(&log_next)
                .bind(full_pass_ended)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if emitted > 0 {
                    sqlx::query("UPDATE sync_runs SET changes = changes + $2 WHERE id = $1")
                        .bind(run.as_str())
                        .bind(i64::try_from(emitted).unwrap_or(i64::MAX))
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(emitted)
            }
            .await
        });
        result
    }

    /// One record of `connection`, deleted or not.
    ///
    /// # Errors
    /// Database errors.
    pub async fn record(
        &self,
        connection: &ConnectionId,
        object: SyncObject,
        id: &str,
    ) -> Result<Option<SyncRecord>, StoreError> {
        let row: Option<RecordRow> = with_pool!(self.store, |pool| sqlx::query_as(
            "SELECT object, id, data, version, updated_at, deleted_at FROM sync_records \
             WHERE connection_id = $1 AND object = $2 AND id = $3"
        )
        .bind(connection.as_str())
        .bind(object.as_str())
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        row.map(RecordRow::into_record).transpose()
    }

    /// The ids of the users `connection`'s store holds as members of `group_id`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn members(
        &self,
        connection: &ConnectionId,
        group_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let ids: Vec<Option<String>> = with_pool!(self.store, |pool| sqlx::query_scalar(
            "SELECT user_id FROM sync_records WHERE connection_id = $1 AND group_id = $2 \
             AND object = 'memberships' AND deleted_at IS NULL ORDER BY user_id"
        )
        .bind(connection.as_str())
        .bind(group_id)
        .fetch_all(pool)
        .await)?;
        Ok(ids.into_iter().flatten().collect())
    }

    /// The ids of `connection`'s live records of `object` that no read has seen since `since`
    /// (the candidates for deletion at the end of a complete pass that started at `since`).
    ///
    /// # Errors
    /// Database errors.
    pub async fn unseen(
        &self,
        connection: &ConnectionId,
        object: SyncObject,
        since: OffsetDateTime,
    ) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(self.store, |pool| sqlx::query_scalar(
            "SELECT id FROM sync_records WHERE connection_id = $1 AND object = $2 \
             AND deleted_at IS NULL AND seen_at < $3 ORDER BY id"
        )
        .bind(connection.as_str())
        .bind(object.as_str())
        .bind(to_millis(since))
        .fetch_all(pool)
        .await)?)
    }

    /// The id of `connection`'s first live record of `object` after `after` (the first one
    /// when `None`), in id order: one indexed read, for walking records one by one.
    ///
    /// # Errors
    /// Database errors.
    pub async fn next_id(
        &self,
        connection: &ConnectionId,
        object: SyncObject,
        after: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        Ok(with_pool!(self.store, |pool| sqlx::query_scalar(
            "SELECT id FROM sync_records WHERE connection_id = $1 AND object = $2 AND id > $3 \
             AND deleted_at IS NULL ORDER BY id LIMIT 1"
        )
        .bind(connection.as_str())
        .bind(object.as_str())
        .bind(after.unwrap_or(""))
        .fetch_optional(pool)
        .await)?)
    }

    /// A page of `connection`'s records of `object`, by id.
    ///
    /// # Errors
    /// [`StoreError::InvalidCursor`] for a cursor of another listing; [`StoreError::Invalid`]
    /// for a limit out of range; database errors.
    pub async fn records(
        &self,
        connection: &ConnectionId,
        object: SyncObject,
        query: &RecordQuery,
    ) -> Result<Page<SyncRecord>, StoreError> {
        let limit = page_limit(query.limit)?;
        let fingerprint = query.fingerprint(connection, object);
        let after = match &query.cursor {
            Some(text) => {
                let c = Cursor::decode(text)?;
                if c.filter != fingerprint {
                    return Err(StoreError::InvalidCursor {
                        reason: "made for another listing (connection, object or filters)",
                    });
                }
                c.id
            }
            None => String::new(),
        };
        let mut sql = String::from(
            "SELECT object, id, data, version, updated_at, deleted_at FROM sync_records \
             WHERE connection_id = $1 AND object = $2 AND id > $3 AND updated_at > $4",
        );
        if !query.include_deleted {
            sql.push_str(" AND deleted_at IS NULL");
        }
        sql.push_str(" ORDER BY id LIMIT $5");
        let rows: Vec<RecordRow> = with_pool!(self.store, |pool| sqlx::query_as(&sql)
            .bind(connection.as_str())
            .bind(object.as_str())
            .bind(&after)
            .bind(query.updated_after.map(to_millis).unwrap_or(i64::MIN))
            .bind(i64::from(limit) + 1)
            .fetch_all(pool)
            .await)?;
        let mut items = rows
            .into_iter()
            .map(RecordRow::into_record)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|r| {
                Cursor {
                    filter: fingerprint,
                    at: 0,
                    id: r.id.clone(),
                }
                .encode()
            })
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// The feed position of `after`: a cursor this connection's feed handed out, or
    /// [`FEED_CURSOR_NOW`] for its present end.
    ///
    /// # Errors
    /// [`StoreError::InvalidCursor`] for text that is not such a cursor, or one of another
    /// connection's feed.
    pub async fn feed_position(
        &self,
        connection: &ConnectionId,
        after: &str,
    ) -> Result<i64, StoreError> {
        if after == FEED_CURSOR_NOW {
            return Ok(self.status(connection).await?.feed_seq);
        }
        let c = Cursor::decode(after)?;
        if c.id != "feed" {
            return Err(StoreError::InvalidCursor {
                reason: "not a change-feed cursor",
            });
        }
        if c.filter != feed_fingerprint(connection) {
            return Err(StoreError::InvalidCursor {
                reason: "a cursor of another connection's feed",
            });
        }
        if c.at < 0 {
            return Err(StoreError::InvalidCursor {
                reason: "corrupt cursor",
            });
        }
        Ok(c.at)
    }

    /// The cursor naming feed position `seq` of `connection`.
    pub fn feed_cursor(&self, connection: &ConnectionId, seq: i64) -> String {
        Cursor {
            filter: feed_fingerprint(connection),
            at: seq,
            id: "feed".into(),
        }
        .encode()
    }

    /// The changes of `connection` after position `after`, in order, at most `limit`
    /// (1..=1000).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a limit out of range; database errors.
    pub async fn changes(
        &self,
        connection: &ConnectionId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Change>, StoreError> {
        let limit = page_limit(Some(limit))?;
        let rows: Vec<ChangeRow> = with_pool!(self.store, |pool| sqlx::query_as(
            "SELECT seq, kind, object, record_id, okta_at, seen_at, data, changed \
             FROM sync_changes WHERE connection_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
        )
        .bind(connection.as_str())
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(ChangeRow::into_change).collect()
    }
}

fn page_limit(limit: Option<u32>) -> Result<u32, StoreError> {
    match limit {
        None => Ok(100),
        Some(n) if (1..=MAX_SYNC_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(StoreError::Invalid {
            field: "limit",
            reason: format!("expected 1 to {MAX_SYNC_PAGE}"),
        }),
    }
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    object: String,
    id: String,
    data: String,
    version: i64,
    updated_at: i64,
    deleted_at: Option<i64>,
}

impl RecordRow {
    fn into_record(self) -> Result<SyncRecord, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            table: "sync_records",
            reason,
        };
        Ok(SyncRecord {
            object: self
                .object
                .parse()
                .map_err(|e: StoreError| corrupt(e.to_string()))?,
            data: serde_json::from_str(&self.data)
                .map_err(|e| corrupt(format!("record {} is not JSON: {e}", self.id)))?,
            id: self.id,
            version: self.version,
            updated_at: millis_column("sync_records", "updated_at", self.updated_at)?,
            deleted_at: self.deleted_at.and_then(from_millis),
        })
    }
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    seq: i64,
    kind: String,
    object: String,
    record_id: String,
    okta_at: Option<i64>,
    seen_at: i64,
    data: String,
    changed: Option<String>,
}

impl ChangeRow {
    fn into_change(self) -> Result<Change, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            table: "sync_changes",
            reason,
        };
        Ok(Change {
            seq: self.seq,
            kind: self.kind,
            object: self
                .object
                .parse()
                .map_err(|e: StoreError| corrupt(e.to_string()))?,
            record_id: self.record_id,
            okta_at: self.okta_at.and_then(from_millis),
            seen_at: millis_column("sync_changes", "seen_at", self.seen_at)?,
            data: serde_json::from_str(&self.data)
                .map_err(|e| corrupt(format!("change {} is not JSON: {e}", self.seq)))?,
            changed_fields: self
                .changed
                .map(|c| serde_json::from_str(&c))
                .transpose()
                .map_err(|e| corrupt(format!("change {}: {e}", self.seq)))?,
        })
    }
}
