//! The call log: one row per Okta call, for audit and debugging.
//!
//! A record holds when, which connection and action, the method and path, the status, the
//! latency, Okta's request id (`X-Okta-Request-Id`) and `errorCode`. There is no field for a body
//! or a header, so neither can be logged by accident. The path is stored as given: callers pass
//! the request path (with its query, if they choose), never a URL with credentials.
//!
//! Listing is newest first with keyset paging on `(at, id)` (see [`crate::cursor`]); retention is
//! [`CallLog::prune`], which the gateway runs periodically.

use std::ops::RangeInclusive;
use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::cursor::Cursor;
use crate::{CallId, ConnectionId, Store, StoreError, millis_column, to_millis, with_pool};

/// The most rows one page returns.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// One Okta call, as the gateway reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallRecord {
    /// When the call was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The connection it was made for (`None` for calls outside any connection).
    pub connection_id: Option<ConnectionId>,
    /// The catalog action that made it (`None` for passthrough calls).
    pub action: Option<String>,
    /// The HTTP method (`GET`, `POST`, …).
    pub method: String,
    /// The request path (`/api/v1/users/00u1`).
    pub path: String,
    /// The HTTP status, or `None` when no response arrived (timeout, connection reset).
    pub status: Option<u16>,
    /// Time from sending to the end of the response (serialized as `latency_ms`, a float).
    #[serde(rename = "latency_ms", serialize_with = "millis_f64")]
    pub latency: Duration,
    /// Okta's `X-Okta-Request-Id`.
    pub okta_request_id: Option<String>,
    /// Okta's `errorCode` (`E0000007`), for failed calls.
    pub error_code: Option<String>,
    /// The surface the call came through when it is not the HTTP API: `mcp` for a tool call of
    /// the gateway's MCP endpoint.
    pub via: Option<String>,
}

impl CallRecord {
    /// A record of a call made now; set the other fields directly.
    pub fn new(method: impl Into<String>, path: impl Into<String>) -> Self {
        CallRecord {
            at: OffsetDateTime::now_utc(),
            connection_id: None,
            action: None,
            method: method.into(),
            path: path.into(),
            status: None,
            latency: Duration::ZERO,
            okta_request_id: None,
            error_code: None,
            via: None,
        }
    }
}

fn millis_f64<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// A record as stored, with its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedCall {
    /// `call_…`
    pub id: CallId,
    /// What was recorded.
    #[serde(flatten)]
    pub record: CallRecord,
}

/// Which calls [`CallLog::list`] returns. Empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallFilter {
    /// Only calls of this connection.
    pub connection_id: Option<ConnectionId>,
    /// Only calls made by this action.
    pub action: Option<String>,
    /// Only calls whose status is in this range (calls without a status are excluded).
    pub status: Option<RangeInclusive<u16>>,
    /// Only calls at or after this time.
    pub since: Option<OffsetDateTime>,
}

impl CallFilter {
    /// A filter that matches every call.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only calls of this connection.
    pub fn connection(mut self, id: ConnectionId) -> Self {
        self.connection_id = Some(id);
        self
    }

    /// Only calls made by this action.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }

    /// Only calls whose status is in `range` (e.g. `400..=599` for failures).
    pub fn status(mut self, range: RangeInclusive<u16>) -> Self {
        self.status = Some(range);
        self
    }

    /// Only calls at or after `since`.
    pub fn since(mut self, since: OffsetDateTime) -> Self {
        self.since = Some(since);
        self
    }

    /// A short fingerprint that ties a cursor to the filter it was made with.
    fn fingerprint(&self) -> [u8; 4] {
        let mut h = Sha256::new();
        let mut field = |tag: &str, value: Option<String>| {
            h.update(tag.as_bytes());
            match value {
                Some(v) => {
                    h.update([1]);
                    h.update((v.len() as u64).to_be_bytes());
                    h.update(v.as_bytes());
                }
                None => h.update([0]),
            }
        };
        field(
            "connection",
            self.connection_id.as_ref().map(|c| c.to_string()),
        );
        field("action", self.action.clone());
        field(
            "status",
            self.status
                .as_ref()
                .map(|r| format!("{}-{}", r.start(), r.end())),
        );
        field("since", self.since.map(|t| to_millis(t).to_string()));
        let digest = h.finalize();
        [digest[0], digest[1], digest[2], digest[3]]
    }
}

/// One page of a listing, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// The cursor for the next page, `None` on the last page.
    pub next: Option<String>,
}

#[derive(sqlx::FromRow)]
struct CallRow {
    id: String,
    at: i64,
    connection_id: Option<String>,
    action: Option<String>,
    method: String,
    path: String,
    status: Option<i32>,
    latency_us: i64,
    okta_request_id: Option<String>,
    error_code: Option<String>,
    via: Option<String>,
}

impl CallRow {
    fn into_call(self) -> Result<LoggedCall, StoreError> {
        Ok(LoggedCall {
            record: CallRecord {
                at: millis_column("call_log", "at", self.at)?,
                connection_id: self.connection_id.map(ConnectionId::from_db),
                action: self.action,
                method: self.method,
                path: self.path,
                status: self.status.and_then(|s| u16::try_from(s).ok()),
                latency: Duration::from_micros(u64::try_from(self.latency_us).unwrap_or(0)),
                okta_request_id: self.okta_request_id,
                error_code: self.error_code,
                via: self.via,
            },
            id: CallId::from_db(self.id),
        })
    }
}

enum Arg {
    Int(i64),
    Text(String),
}

/// Cuts `s` to at most `max` bytes on a character boundary, dropping NUL characters (which
/// PostgreSQL text cannot hold).
fn clip(mut s: String, max: usize) -> String {
    if s.contains('\0') {
        s.retain(|c| c != '\0');
    }
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// The most rows one `INSERT` statement of [`CallLog::record_batch`] carries (11 bound values
/// each, so a statement stays under SQLite's historical limit of 999 variables).
pub const BATCH_CHUNK_ROWS: usize = 90;

/// One call-log row, ready to bind.
struct InsertRow {
    id: CallId,
    at: i64,
    connection_id: Option<String>,
    action: Option<String>,
    method: String,
    path: String,
    status: Option<i32>,
    latency_us: i64,
    okta_request_id: Option<String>,
    error_code: Option<String>,
    via: Option<String>,
}

impl InsertRow {
    fn new(record: CallRecord) -> Self {
        InsertRow {
            id: CallId::generate(),
            at: to_millis(record.at),
            connection_id: record.connection_id.map(|c| c.as_str().to_owned()),
            action: record.action.map(|a| clip(a, 128)),
            method: clip(record.method, 16),
            path: clip(record.path, 2048),
            status: record.status.map(i32::from),
            latency_us: i64::try_from(record.latency.as_micros()).unwrap_or(i64::MAX),
            okta_request_id: record.okta_request_id.map(|r| clip(r, 128)),
            error_code: record.error_code.map(|c| clip(c, 128)),
            via: record.via.map(|v| clip(v, 32)),
        }
    }
}

const INSERT_COLUMNS: usize = 11;

/// `INSERT INTO call_log (…) VALUES ($1, …, $11), ($12, …)` for `rows` rows.
fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO call_log (id, at, connection_id, action, method, path, status, \
         latency_us, okta_request_id, error_code, via) VALUES ",
    );
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..INSERT_COLUMNS {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", row * INSERT_COLUMNS + column + 1));
        }
        sql.push(')');
    }
    sql
}

/// Binds every row of `rows`, in the column order of [`insert_sql`].
fn bind_rows<'q, DB>(
    mut query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    rows: &'q [InsertRow],
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i32>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    for row in rows {
        query = query
            .bind(row.id.as_str())
            .bind(row.at)
            .bind(row.connection_id.as_deref())
            .bind(row.action.as_deref())
            .bind(row.method.as_str())
            .bind(row.path.as_str())
            .bind(row.status)
            .bind(row.latency_us)
            .bind(row.okta_request_id.as_deref())
            .bind(row.error_code.as_deref())
            .bind(row.via.as_deref());
    }
    query
}

/// The call log. Get one with [`Store::calls`].
#[derive(Debug, Clone, Copy)]
pub struct CallLog<'a> {
    store: &'a Store,
}

impl<'a> CallLog<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        CallLog { store }
    }

    /// Appends a record. Over-long text fields are cut (path at 2048 bytes, others at 128) and
    /// NUL characters dropped, so a strange path never costs the log entry.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn record(&self, record: CallRecord) -> Result<CallId, StoreError> {
        let mut ids = self.record_batch(vec![record]).await?;
        ids.pop().ok_or_else(|| StoreError::Corrupt {
            table: "call_log",
            reason: "a one-record batch returned no id".into(),
        })
    }

    /// Appends `records` in one transaction (multi-row `INSERT`s of at most
    /// [`BATCH_CHUNK_ROWS`] rows each) and returns their ids in order: either every record is
    /// written or none. Text fields are cut as in [`CallLog::record`]. An empty batch writes
    /// nothing.
    ///
    /// # Errors
    /// [`StoreError::Database`] (nothing of the batch is kept then).
    pub async fn record_batch(&self, records: Vec<CallRecord>) -> Result<Vec<CallId>, StoreError> {
        let rows: Vec<InsertRow> = records.into_iter().map(InsertRow::new).collect();
        let ids: Vec<CallId> = rows.iter().map(|r| r.id.clone()).collect();
        if rows.is_empty() {
            return Ok(ids);
        }
        let chunks: Vec<(String, &[InsertRow])> = rows
            .chunks(BATCH_CHUNK_ROWS)
            .map(|chunk| (insert_sql(chunk.len()), chunk))
            .collect();
        with_pool!(self.store, |pool| {
            if let [(sql, chunk)] = chunks.as_slice() {
                // One statement is atomic by itself: no BEGIN/COMMIT round trips.
                bind_rows(sqlx::query(sql), chunk)
                    .execute(pool)
                    .await
                    .map(|_| ())
            } else {
                async {
                    let mut tx = pool.begin().await?;
                    for (sql, chunk) in &chunks {
                        bind_rows(sqlx::query(sql), chunk).execute(&mut *tx).await?;
                    }
                    tx.commit().await
                }
                .await
            }
        })?;
        Ok(ids)
    }

    /// A page of calls matching `filter`, newest first. Pass `None` for the first page, then the
    /// previous page's `next` with the same filter. `limit` is clamped to 1..=1000.
    ///
    /// # Errors
    /// [`StoreError::InvalidCursor`] for a cursor not made by this method or made with another
    /// filter; [`StoreError::Database`].
    pub async fn list(
        &self,
        filter: &CallFilter,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<LoggedCall>, StoreError> {
        let fingerprint = filter.fingerprint();
        let after = cursor.map(Cursor::decode).transpose()?;
        if after.as_ref().is_some_and(|c| c.filter != fingerprint) {
            return Err(StoreError::InvalidCursor {
                reason: "the cursor was made for a different filter",
            });
        }
        let limit = limit.clamp(1, MAX_PAGE_SIZE);

        let mut sql = String::from(
            "SELECT id, at, connection_id, action, method, path, status, latency_us, \
             okta_request_id, error_code, via FROM call_log WHERE 1 = 1",
        );
        let mut args = Vec::new();
        let mut push = |sql: &mut String, clause: &str, arg: Arg| {
            args.push(arg);
            sql.push_str(&clause.replace('?', &format!("${}", args.len())));
        };
        if let Some(c) = &filter.connection_id {
            push(&mut sql, " AND connection_id = ?", Arg::Text(c.to_string()));
        }
        if let Some(a) = &filter.action {
            push(&mut sql, " AND action = ?", Arg::Text(a.clone()));
        }
        if let Some(r) = &filter.status {
            push(
                &mut sql,
                " AND status >= ?",
                Arg::Int(i64::from(*r.start())),
            );
            push(&mut sql, " AND status <= ?", Arg::Int(i64::from(*r.end())));
        }
        if let Some(t) = filter.since {
            push(&mut sql, " AND at >= ?", Arg::Int(to_millis(t)));
        }
        if let Some(c) = &after {
            push(&mut sql, " AND (at < ?", Arg::Int(c.at));
            // `(at, id) < (a, i)` spelled out: both engines plan it onto the (at, id) index.
            push(&mut sql, " OR (at = ?", Arg::Int(c.at));
            push(&mut sql, " AND id < ?))", Arg::Text(c.id.clone()));
        }
        push(
            &mut sql,
            " ORDER BY at DESC, id DESC LIMIT ?",
            Arg::Int(i64::from(limit) + 1),
        );

        let rows: Vec<CallRow> = with_pool!(self.store, |pool| {
            let mut q = sqlx::query_as(&sql);
            for arg in args {
                q = match arg {
                    Arg::Int(v) => q.bind(v),
                    Arg::Text(v) => q.bind(v),
                };
            }
            q.fetch_all(pool).await
        })?;
        let has_more = rows.len() > limit as usize;
        let items = rows
            .into_iter()
            .take(limit as usize)
            .map(CallRow::into_call)
            .collect::<Result<Vec<_>, _>>()?;
        let next = match items.last() {
            Some(last) if has_more => Some(
                Cursor {
                    filter: fingerprint,
                    at: to_millis(last.record.at),
                    id: last.id.to_string(),
                }
                .encode(),
            ),
            _ => None,
        };
        Ok(Page { items, next })
    }

    /// Deletes every record older than `older_than` (strictly before it) and returns how many.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn prune(&self, older_than: OffsetDateTime) -> Result<u64, StoreError> {
        let cutoff = to_millis(older_than);
        let result = with_pool!(self.store, |pool| {
            sqlx::query("DELETE FROM call_log WHERE at < $1")
                .bind(cutoff)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        tracing::debug!(deleted = result, "call log pruned");
        Ok(result)
    }
}
