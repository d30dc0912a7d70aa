//! Incremental sync: per connection, its settings, its runs, the synced copy of the org
//! (employees, groups, memberships) and the ordered change feed.
//!
//! The store knows nothing of Okta: the sync engine reads Okta and hands the store batches of
//! [`RecordWrite`]s. The store's part is exactness:
//!
//! - **One transaction per batch** ([`SyncStore::commit`]): the records, the changes they cause
//!   and the run's checkpoint are written together, so a process killed between two batches
//!   resumes from the last checkpoint with nothing lost and nothing emitted twice.
//! - **Changes only on change**: a record carries a hash of its content; writing the same content
//!   again changes nothing and emits nothing (a re-read after a crash, a full reconciliation of an
//!   unchanged org).
//! - **One order**: every change gets the connection's next sequence number. A batch first updates
//!   the connection's `sync_configs` row, which serializes the writers of one connection (a row
//!   lock on PostgreSQL, the database lock on SQLite), so sequence numbers commit in increasing
//!   order and a reader that saw `n` never later finds a new change below `n`.
//! - **Leases**: a batch is written only while its run is held by the writer
//!   ([`StoreError::LeaseLost`] otherwise), so two workers can never both write one run.

mod diff;
mod records;
mod runs;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use crate::{ConnectionId, Store, StoreError, from_millis, now_millis, with_pool};

pub use records::{
    Change, ChangeKind, Commit, FEED_CURSOR_NOW, Progress, RecordQuery, RecordWrite, SyncRecord,
    membership_id,
};
pub use runs::{RunState, SyncRun};

/// Every change type the feed emits (and webhooks subscribe to).
pub const CHANGE_TYPES: [&str; 9] = [
    "employee.created",
    "employee.updated",
    "employee.terminated",
    "employee.deleted",
    "group.created",
    "group.updated",
    "group.deleted",
    "membership.added",
    "membership.removed",
];

/// The most items one page of records or changes returns.
pub const MAX_SYNC_PAGE: u32 = 1000;
/// The shortest interval between two scheduled runs.
pub const MIN_INTERVAL: Duration = Duration::from_secs(5);

/// What a sync copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncObject {
    /// Users, as unified employees with the raw Okta user.
    Employees,
    /// Groups.
    Groups,
    /// Group memberships.
    Memberships,
}

impl SyncObject {
    /// Every object, in the order a full pass reads them.
    pub const ALL: [SyncObject; 3] = [
        SyncObject::Employees,
        SyncObject::Groups,
        SyncObject::Memberships,
    ];

    /// The name used in paths, settings and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncObject::Employees => "employees",
            SyncObject::Groups => "groups",
            SyncObject::Memberships => "memberships",
        }
    }

    /// The prefix of this object's change kinds (`employee.created`).
    pub fn singular(self) -> &'static str {
        match self {
            SyncObject::Employees => "employee",
            SyncObject::Groups => "group",
            SyncObject::Memberships => "membership",
        }
    }
}

impl fmt::Display for SyncObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SyncObject {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, StoreError> {
        SyncObject::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| StoreError::Invalid {
                field: "object",
                reason: format!("unknown object {s:?}; expected employees, groups or memberships"),
            })
    }
}

/// A connection's sync settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncSettings {
    /// Whether runs are scheduled every `interval`.
    pub enabled: bool,
    /// Time between the start of two scheduled runs (at least [`MIN_INTERVAL`]).
    #[serde(serialize_with = "serialize_duration")]
    pub interval: Duration,
    /// Time between two full reconciliations.
    #[serde(serialize_with = "serialize_duration")]
    pub full_every: Duration,
    /// What is synced (memberships need employees and groups).
    pub objects: Vec<SyncObject>,
    /// The share of each of the org's rate-limit buckets the connection may use, for its sync,
    /// actions and passthrough together (0 < share ≤ 1).
    pub rate_share: f64,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            enabled: true,
            interval: Duration::from_secs(300),
            full_every: Duration::from_secs(24 * 3600),
            objects: SyncObject::ALL.to_vec(),
            rate_share: 0.5,
        }
    }
}

impl SyncSettings {
    /// Checks the settings, naming the field at fault.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an interval under [`MIN_INTERVAL`], a `full_every` shorter
    /// than the interval, no objects, memberships without employees and groups, or a share
    /// outside (0, 1].
    pub fn validate(&self) -> Result<(), StoreError> {
        if self.interval < MIN_INTERVAL {
            return Err(StoreError::Invalid {
                field: "interval",
                reason: format!(
                    "{} is too short; expected at least 5s",
                    format_duration(self.interval)
                ),
            });
        }
        if self.full_every < self.interval {
            return Err(StoreError::Invalid {
                field: "full_every",
                reason: "expected at least the interval".into(),
            });
        }
        if self.objects.is_empty() {
            return Err(StoreError::Invalid {
                field: "objects",
                reason: "expected at least one of employees, groups, memberships".into(),
            });
        }
        if self.objects.contains(&SyncObject::Memberships)
            && !(self.objects.contains(&SyncObject::Employees)
                && self.objects.contains(&SyncObject::Groups))
        {
            return Err(StoreError::Invalid {
                field: "objects",
                reason: "memberships need employees and groups too".into(),
            });
        }
        if !(self.rate_share > 0.0 && self.rate_share <= 1.0) {
            return Err(StoreError::Invalid {
                field: "rate_share",
                reason: "expected a number greater than 0 and at most 1".into(),
            });
        }
        Ok(())
    }

    /// Whether `object` is synced.
    pub fn syncs(&self, object: SyncObject) -> bool {
        self.objects.contains(&object)
    }

    fn objects_text(&self) -> String {
        let mut objects = self.objects.clone();
        objects.sort();
        objects.dedup();
        objects
            .iter()
            .map(|o| o.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A duration in the form the API speaks: `30s`, `5m`, `24h`, `1h30m`.
pub fn format_duration(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return format!("{}ms", d.as_millis());
    }
    let mut out = String::new();
    for (unit, size) in [("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

/// Parses `30s`, `5m`, `24h`, `1d`, `1h30m`, `500ms`.
///
/// # Errors
/// A message saying what was expected.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let expected = || format!("{text:?} is not a duration; expected e.g. 30s, 5m, 24h or 1h30m");
    let text = text.trim();
    if text.is_empty() {
        return Err(expected());
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(expected)?;
        if digits == 0 {
            return Err(expected());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| expected())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.checked_mul(60).ok_or_else(expected)?),
            "h" => Duration::from_secs(n.checked_mul(3600).ok_or_else(expected)?),
            "d" => Duration::from_secs(n.checked_mul(86_400).ok_or_else(expected)?),
            _ => return Err(expected()),
        };
        total = total.checked_add(unit).ok_or_else(expected)?;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

fn serialize_duration<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_duration(*d))
}

/// A connection's sync settings and the state that outlives its runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncStatus {
    /// The settings (the defaults when `configured` is false).
    pub settings: SyncSettings,
    /// Whether settings were ever written (a connection without them is synced only on request).
    pub configured: bool,
    /// When a complete full pass last ended.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_full_at: Option<OffsetDateTime>,
    /// Whether the System Log position is known (after the first complete full pass).
    pub following_log: bool,
    /// The change feed's last sequence number.
    pub feed_seq: i64,
    /// The saved System Log polling link (internal: for the engine).
    #[serde(skip)]
    pub log_next: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ConfigRow {
    enabled: bool,
    interval_ms: i64,
    full_every_ms: i64,
    objects: String,
    rate_share: f64,
    log_next: Option<String>,
    last_full_at: Option<i64>,
    feed_seq: i64,
    updated_at: i64,
}

impl ConfigRow {
    fn into_status(self) -> Result<SyncStatus, StoreError> {
        let objects = self
            .objects
            .split(',')
            .filter(|s| !s.is_empty())
            .map(SyncObject::from_str)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Corrupt {
                table: "sync_configs",
                reason: e.to_string(),
            })?;
        Ok(SyncStatus {
            settings: SyncSettings {
                enabled: self.enabled,
                interval: Duration::from_millis(u64::try_from(self.interval_ms).unwrap_or(0)),
                full_every: Duration::from_millis(u64::try_from(self.full_every_ms).unwrap_or(0)),
                objects,
                rate_share: self.rate_share,
            },
            // A row made by `ensure_row` (a run before any settings) has `updated_at` 0.
            configured: self.updated_at != 0,
            last_full_at: self.last_full_at.and_then(from_millis),
            following_log: self.log_next.is_some(),
            feed_seq: self.feed_seq,
            log_next: self.log_next,
        })
    }
}

const CONFIG_COLUMNS: &str = "enabled, interval_ms, full_every_ms, objects, rate_share, log_next, \
     last_full_at, feed_seq, updated_at";

/// A connection due for a scheduled run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueSync {
    /// The connection.
    pub connection_id: ConnectionId,
    /// Whether the run should be a full reconciliation.
    pub full: bool,
}

/// The sync's tables, reached through [`Store::sync`].
#[derive(Debug, Clone, Copy)]
pub struct SyncStore<'a> {
    store: &'a Store,
}

impl Store {
    /// Sync settings, runs, records and the change feed.
    pub fn sync(&self) -> SyncStore<'_> {
        SyncStore { store: self }
    }
}

impl<'a> SyncStore<'a> {
    /// The settings and state of `connection`'s sync (defaults when never configured).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown connection; database errors.
    pub async fn status(&self, connection: &ConnectionId) -> Result<SyncStatus, StoreError> {
        let sql = format!("SELECT {CONFIG_COLUMNS} FROM sync_configs WHERE connection_id = $1");
        let row: Option<ConfigRow> = with_pool!(self.store, |pool| sqlx::query_as(&sql)
            .bind(connection.as_str())
            .fetch_optional(pool)
            .await)?;
        match row {
            Some(row) => row.into_status(),
            None => {
                // Tell an unknown connection from one that never synced.
                self.store.connections().get(connection).await?;
                Ok(SyncStatus {
                    settings: SyncSettings::default(),
                    configured: false,
                    last_full_at: None,
                    following_log: false,
                    feed_seq: 0,
                    log_next: None,
                })
            }
        }
    }

    /// Writes `connection`'s settings (validated first; nothing is written when they are bad).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] naming the bad field; [`StoreError::NotFound`] for an unknown
    /// connection; database errors.
    pub async fn configure(
        &self,
        connection: &ConnectionId,
        settings: &SyncSettings,
    ) -> Result<SyncStatus, StoreError> {
        settings.validate()?;
        self.store.connections().get(connection).await?;
        let objects = settings.objects_text();
        let now = now_millis();
        let interval = i64::try_from(settings.interval.as_millis()).unwrap_or(i64::MAX);
        let full_every = i64::try_from(settings.full_every.as_millis()).unwrap_or(i64::MAX);
        with_pool!(self.store, |pool| sqlx::query(
            "INSERT INTO sync_configs (connection_id, enabled, interval_ms, full_every_ms, \
             objects, rate_share, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (connection_id) DO UPDATE SET enabled = $2, interval_ms = $3, \
             full_every_ms = $4, objects = $5, rate_share = $6, updated_at = $7"
        )
        .bind(connection.as_str())
        .bind(settings.enabled)
        .bind(interval)
        .bind(full_every)
        .bind(&objects)
        .bind(settings.rate_share)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))?;
        self.status(connection).await
    }

    /// Makes sure `connection` has a settings row (the defaults, not enabled for scheduling,
    /// `updated_at` 0 to read as not configured), so a run requested before any configuration
    /// has a feed counter to write.
    pub(crate) async fn ensure_row(&self, connection: &ConnectionId) -> Result<(), StoreError> {
        let d = SyncSettings::default();
        let interval = i64::try_from(d.interval.as_millis()).unwrap_or(i64::MAX);
        let full_every = i64::try_from(d.full_every.as_millis()).unwrap_or(i64::MAX);
        with_pool!(self.store, |pool| sqlx::query(
            "INSERT INTO sync_configs (connection_id, enabled, interval_ms, full_every_ms, \
             objects, rate_share, updated_at) VALUES ($1, FALSE, $2, $3, $4, $5, 0) \
             ON CONFLICT (connection_id) DO NOTHING"
        )
        .bind(connection.as_str())
        .bind(interval)
        .bind(full_every)
        .bind(d.objects_text())
        .bind(d.rate_share)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The connections whose scheduled run is due at `now`: enabled, no run queued or running,
    /// and the last run queued at least `interval` ago (or none yet). A run is full when no
    /// complete full pass ever ended, or the last one ended at least `full_every` ago.
    ///
    /// # Errors
    /// Database errors.
    pub async fn due(&self, now: OffsetDateTime) -> Result<Vec<DueSync>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            connection_id: String,
            interval_ms: i64,
            full_every_ms: i64,
            last_full_at: Option<i64>,
            last_queued: Option<i64>,
            active: i64,
        }
        let rows: Vec<Row> = with_pool!(self.store, |pool| sqlx::query_as(
            "SELECT c.connection_id, c.interval_ms, c.full_every_ms, c.last_full_at, \
             (SELECT MAX(r.queued_at) FROM sync_runs r WHERE r.connection_id = c.connection_id) \
               AS last_queued, \
             (SELECT COUNT(*) FROM sync_runs r WHERE r.connection_id = c.connection_id \
               AND r.state IN ('queued', 'running')) AS active \
             FROM sync_configs c WHERE c.enabled"
        )
        .fetch_all(pool)
        .await)?;
        let now = crate::to_millis(now);
        Ok(rows
            .into_iter()
            .filter(|r| r.active == 0)
            .filter(|r| {
                r.last_queued
                    .is_none_or(|q| q.saturating_add(r.interval_ms) <= now)
            })
            .map(|r| DueSync {
                full: r
                    .last_full_at
                    .is_none_or(|t| t.saturating_add(r.full_every_ms) <= now),
                connection_id: ConnectionId::from_db(r.connection_id),
            })
            .collect())
    }
}
