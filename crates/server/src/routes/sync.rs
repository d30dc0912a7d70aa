//! Incremental sync over HTTP: a connection's sync settings and status, its runs, the synced
//! records and the ordered change feed.
//!
//! These routes only read and write the store. `POST …/sync/run` queues a run; a sync worker
//! (not part of this crate) claims it, reads Okta and commits batches, and signals the gateway's
//! [`FeedNotifier`](crate::state::FeedNotifier) after each one so that long-polls of
//! `GET …/changes?wait=…` in the same process wake at once (others poll the store every 250 ms).
//!
//! ```text
//! PUT  /v1/connections/{connection_id}/sync                 settings (full key)
//! GET  /v1/connections/{connection_id}/sync                 settings, status, current and last run
//! POST /v1/connections/{connection_id}/sync/run             queue a run, or join the queued one
//! GET  /v1/connections/{connection_id}/sync/runs            the latest runs
//! GET  /v1/connections/{connection_id}/sync/runs/{run_id}   one run
//! GET  /v1/connections/{connection_id}/records/{object}     synced employees, groups, memberships
//! GET  /v1/connections/{connection_id}/changes              the change feed (long-poll with wait)
//! ```

use std::time::Duration;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use spindle_store::{
    Change, ConnectionId, RecordQuery, RunState, StoreError, SyncObject, SyncRecord, SyncRun,
    SyncRunId, SyncSettings, SyncStatus, format_duration, parse_duration,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, JsonBody, JsonOrEmpty, Path, Problem};
use crate::state::AppState;

/// The longest `wait` of a change-feed long-poll.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// How often a long-poll re-reads the store when no in-process signal comes.
pub const POLL_EVERY: Duration = Duration::from_millis(250);

/// What a sync copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncObjectName {
    /// Users, as unified employees with the raw Okta user.
    Employees,
    /// Groups.
    Groups,
    /// Group memberships (need employees and groups).
    Memberships,
}

impl From<SyncObjectName> for SyncObject {
    fn from(o: SyncObjectName) -> Self {
        match o {
            SyncObjectName::Employees => SyncObject::Employees,
            SyncObjectName::Groups => SyncObject::Groups,
            SyncObjectName::Memberships => SyncObject::Memberships,
        }
    }
}

impl From<SyncObject> for SyncObjectName {
    fn from(o: SyncObject) -> Self {
        match o {
            SyncObject::Employees => SyncObjectName::Employees,
            SyncObject::Groups => SyncObjectName::Groups,
            SyncObject::Memberships => SyncObjectName::Memberships,
        }
    }
}

/// A connection's sync settings. `PUT` replaces them all: a field left out takes its default.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": true, "interval": "5m", "full_every": "24h",
    "objects": ["employees", "groups", "memberships"], "rate_share": 0.5}))]
pub struct SyncSettingsInput {
    /// Whether runs are scheduled every `interval` (default `true`).
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Time between the start of two scheduled runs: `30s`, `5m`, `1h30m`; at least `5s`
    /// (default `5m`).
    #[serde(default)]
    #[schema(example = "5m", pattern = r"^([0-9]+(ms|s|m|h|d))+$")]
    pub interval: Option<String>,
    /// Time between two full reconciliations; at least the interval (default `24h`).
    #[serde(default)]
    #[schema(example = "24h", pattern = r"^([0-9]+(ms|s|m|h|d))+$")]
    pub full_every: Option<String>,
    /// What is synced; memberships need employees and groups (default: all three).
    #[serde(default)]
    #[schema(min_items = 1)]
    pub objects: Option<Vec<SyncObjectName>>,
    /// The share of each of the org's rate-limit buckets the connection may use, greater than 0
    /// and at most 1 (default `0.5`).
    #[serde(default)]
    #[schema(exclusive_minimum = 0.0, maximum = 1.0, example = 0.5)]
    pub rate_share: Option<f64>,
}

impl SyncSettingsInput {
    fn into_settings(self) -> Result<SyncSettings, ApiError> {
        let defaults = SyncSettings::default();
        let duration = |field: &str, text: Option<String>, default: Duration| match text {
            None => Ok(default),
            Some(text) => parse_duration(&text).map_err(|e| ApiError::invalid_field(field, e)),
        };
        Ok(SyncSettings {
            enabled: self.enabled.unwrap_or(defaults.enabled),
            interval: duration("interval", self.interval, defaults.interval)?,
            full_every: duration("full_every", self.full_every, defaults.full_every)?,
            objects: match self.objects {
                Some(objects) => objects.into_iter().map(SyncObject::from).collect(),
                None => defaults.objects,
            },
            rate_share: self.rate_share.unwrap_or(defaults.rate_share),
        })
    }
}

/// A connection's sync settings as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncSettingsView {
    /// Whether runs are scheduled every `interval`.
    pub enabled: bool,
    /// Time between the start of two scheduled runs.
    #[schema(example = "5m")]
    pub interval: String,
    /// Time between two full reconciliations.
    #[schema(example = "24h")]
    pub full_every: String,
    /// What is synced.
    pub objects: Vec<SyncObjectName>,
    /// The share of the org's rate limits the connection may use.
    #[schema(example = 0.5)]
    pub rate_share: f64,
}

impl From<&SyncSettings> for SyncSettingsView {
    fn from(s: &SyncSettings) -> Self {
        SyncSettingsView {
            enabled: s.enabled,
            interval: format_duration(s.interval),
            full_every: format_duration(s.full_every),
            objects: s
                .objects
                .iter()
                .copied()
                .map(SyncObjectName::from)
                .collect(),
            rate_share: s.rate_share,
        }
    }
}

/// A position in the change feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedPosition {
    /// The cursor to pass as `after` to `GET …/changes` to read what comes after this position.
    pub cursor: String,
    /// The sequence number of the last change.
    pub seq: i64,
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStateName {
    /// Waiting for a worker.
    Queued,
    /// Held by a worker.
    Running,
    /// Ended: everything it read is in the store.
    Succeeded,
    /// Ended with an error (`error` says which).
    Failed,
}

impl From<RunState> for RunStateName {
    fn from(s: RunState) -> Self {
        match s {
            RunState::Queued => RunStateName::Queued,
            RunState::Running => RunStateName::Running,
            RunState::Succeeded => RunStateName::Succeeded,
            RunState::Failed => RunStateName::Failed,
        }
    }
}

/// One sync run with its figures.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "run_01JQ2ZK8V6S4D1X3M9T0B7C5NA", "connection_id": "conn_01JQ2ZJ4W2E6Y8R0P3N5K7H9GB",
    "state": "running", "full": true, "trigger": "request",
    "queued_at": "2026-01-31T09:00:00Z", "started_at": "2026-01-31T09:00:01Z", "ended_at": null,
    "pages": 12, "records": 2400, "changes": 2400, "okta_calls": 13, "rate_limited": 0,
    "attempts": 1, "error": null}))]
pub struct RunView {
    /// `run_…`
    pub id: String,
    /// The connection it syncs.
    pub connection_id: String,
    /// Where it is.
    pub state: RunStateName,
    /// Whether it is a full reconciliation (a connection's first run always is).
    pub full: bool,
    /// `request` (asked for through the API) or `schedule`.
    pub trigger: String,
    /// When it was queued (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub queued_at: OffsetDateTime,
    /// When a worker first took it.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<OffsetDateTime>,
    /// When it ended.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
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
    /// Why it failed.
    pub error: Option<String>,
    /// Only in the answer to `POST …/sync/run`: whether the run was already queued or running
    /// (the request joined it) rather than queued by this request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined: Option<bool>,
}

impl From<SyncRun> for RunView {
    fn from(r: SyncRun) -> Self {
        RunView {
            id: r.id.to_string(),
            connection_id: r.connection_id.to_string(),
            state: r.state.into(),
            full: r.full,
            trigger: r.trigger,
            queued_at: r.queued_at,
            started_at: r.started_at,
            ended_at: r.ended_at,
            pages: r.pages,
            records: r.records,
            changes: r.changes,
            okta_calls: r.okta_calls,
            rate_limited: r.rate_limited,
            attempts: r.attempts,
            error: r.error,
            joined: None,
        }
    }
}

/// A connection's sync: its settings, its state and its runs.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncView {
    /// The settings (the defaults when `configured` is false).
    pub settings: SyncSettingsView,
    /// Whether settings were ever written (a connection without them syncs only on request).
    pub configured: bool,
    /// When a complete full pass last ended.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_full_at: Option<OffsetDateTime>,
    /// Whether the sync follows the org's System Log (after the first complete full pass).
    pub following_log: bool,
    /// The end of the change feed.
    pub feed: FeedPosition,
    /// The run queued or running, if any.
    pub current_run: Option<RunView>,
    /// The latest run that ended, if any.
    pub last_run: Option<RunView>,
}

/// What `POST …/sync/run` asks for.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"full": true}))]
pub struct RunRequest {
    /// A full reconciliation rather than an incremental run (default `false`; a connection's
    /// first run is always full). Joining a queued incremental run makes it full.
    #[serde(default)]
    pub full: Option<bool>,
}

/// The latest runs.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunList {
    /// Runs, newest first.
    pub items: Vec<RunView>,
}

/// The query parameters of the runs listing.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; they are read from the raw query.
pub struct RunsQuery {
    /// How many runs, 1 to 1000 (default 20).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// The query parameters of the records listing.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; they are read from the raw query.
pub struct RecordsQuery {
    /// The `next` cursor of the previous page (with the same filters).
    #[param(min_length = 1)]
    after: Option<String>,
    /// Deprecated: the old name of `after`, accepted for one release.
    #[param(min_length = 1)]
    #[deprecated]
    cursor: Option<String>,
    /// Records per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// Only records Spindle changed after this instant (RFC 3339).
    #[param(format = DateTime)]
    updated_after: Option<String>,
    /// Include records deleted from Okta (with `deleted_at` set); default `false`.
    include_deleted: Option<bool>,
}

/// A page of synced records.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [{"group_id": "00g1", "user_id": "00u1",
    "deleted_at": null, "version": 5}], "next": null}))]
pub struct RecordPage {
    /// Records by id: the record's content (employees: the unified employee with `id` and
    /// `raw`; groups: Okta's group; memberships: `group_id` and `user_id`), with `deleted_at`
    /// (RFC 3339, or null while it exists in Okta) and `version` (the feed sequence number of
    /// its last change) added.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
    /// The cursor of the next page; null on the last page.
    pub next: Option<String>,
}

/// The query parameters of the change feed.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; they are read from the raw query.
pub struct ChangesQuery {
    /// Where to read from: the `next` of the previous answer, or `now` for the present end of
    /// the feed. Left out: from the beginning.
    #[param(min_length = 1, example = "now")]
    after: Option<String>,
    /// Changes per answer, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// Long-poll: when there is no change yet, wait up to this long for one (`0s` to `60s`,
    /// default `0s`).
    #[param(example = "30s", pattern = r"^([0-9]+(ms|s|m|h|d))+$")]
    wait: Option<String>,
}

/// One change of the feed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"seq": 42, "type": "employee.updated", "object": "employees",
    "record_id": "00u1", "okta_at": "2026-01-31T09:00:00Z", "seen_at": "2026-01-31T09:00:02Z",
    "data": {"id": "00u1", "title": "Lead designer"}, "changed_fields": ["title"]}))]
#[allow(dead_code)] // The schema of the store's `Change`, which is what is serialized.
pub struct ChangeView {
    /// The connection's sequence number of this change (the feed's order).
    seq: i64,
    /// `employee.created`, `employee.updated`, `employee.terminated`, `employee.deleted`,
    /// `group.…`, `membership.added`, `membership.removed`.
    #[serde(rename = "type")]
    kind: String,
    /// The record's kind.
    object: SyncObjectName,
    /// The record's id (`{group_id}:{user_id}` for memberships).
    record_id: String,
    /// Okta's time of the change, when known (RFC 3339).
    #[schema(value_type = Option<String>, format = DateTime)]
    okta_at: Option<String>,
    /// When Spindle saw it (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    seen_at: String,
    /// The record after the change (for a deletion: as it was last seen).
    #[schema(value_type = Object)]
    data: Value,
    /// For updates: the dotted paths of the fields that changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    changed_fields: Option<Vec<String>>,
}

/// A page of the change feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    /// Changes in feed order.
    #[schema(value_type = Vec<ChangeView>)]
    pub items: Vec<Change>,
    /// The cursor after the last item (the same position when there was none): pass it as
    /// `after` to read on. Always present.
    pub next: String,
}

/// The query's pairs, each name among `known` (else a problem naming it) and not empty.
pub(crate) fn query_pairs(
    query: Option<&str>,
    known: &[&str],
) -> Result<Vec<(String, String)>, ApiError> {
    let mut pairs = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if !known.contains(&name.as_ref()) {
            return Err(ApiError::invalid_field(
                name.as_ref(),
                format!("unknown query parameter; expected {}", known.join(", ")),
            ));
        }
        if value.trim().is_empty() {
            return Err(ApiError::invalid_field(
                name.as_ref(),
                "must not be empty (leave the parameter out instead)",
            ));
        }
        pairs.push((name.into_owned(), value.into_owned()));
    }
    Ok(pairs)
}

pub(crate) fn parse_limit(value: &str) -> Result<u32, ApiError> {
    value
        .parse()
        .ok()
        .filter(|l| (1..=1000).contains(l))
        .ok_or_else(|| {
            ApiError::invalid_field(
                "limit",
                format!("expected an integer from 1 to 1000, got `{value}`"),
            )
        })
}

/// The latest ended run of `connection`.
async fn last_ended_run(
    state: &AppState,
    connection: &ConnectionId,
) -> Result<Option<SyncRun>, ApiError> {
    // At most one run is queued or running, so the newest two hold the latest ended one.
    Ok(state
        .store()
        .sync()
        .runs(connection, 2)
        .await?
        .into_iter()
        .find(|r| r.state.is_final()))
}

async fn sync_view(
    state: &AppState,
    connection: &ConnectionId,
    status: SyncStatus,
) -> Result<SyncView, ApiError> {
    let sync = state.store().sync();
    let current_run = sync.active_run(connection).await?.map(RunView::from);
    let last_run = last_ended_run(state, connection).await?.map(RunView::from);
    Ok(SyncView {
        settings: SyncSettingsView::from(&status.settings),
        configured: status.configured,
        last_full_at: status.last_full_at,
        following_log: status.following_log,
        feed: FeedPosition {
            cursor: sync.feed_cursor(connection, status.feed_seq),
            seq: status.feed_seq,
        },
        current_run,
        last_run,
    })
}

/// Gets a connection's sync settings and status, with its current and last run.
///
/// `feed.cursor` is the position of the change feed's end: pass it as `after` to
/// `GET /v1/connections/{connection_id}/changes` to read only what comes next.
#[utoipa::path(get, path = "/v1/connections/{connection_id}/sync", operation_id = "getSync", tag = "sync",
    params(("connection_id" = String, Path, description = "The connection's id (`conn_…`) or name")),
    responses((status = 200, body = SyncView),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn get(
    State(state): State<AppState>,
    _caller: Caller,
    Path(connection_id): Path<String>,
) -> Result<Json<SyncView>, ApiError> {
    let connection = state.connection(&connection_id).await?;
    let status = state.store().sync().status(&connection.id).await?;
    Ok(Json(sync_view(&state, &connection.id, status).await?))
}

/// Sets a connection's sync settings. Needs a `full` key.
///
/// The body replaces the settings: a field left out takes its default (`enabled: true`,
/// `interval: 5m`, `full_every: 24h`, all objects, `rate_share: 0.5`). Durations are written
/// `30s`, `5m`, `24h`, `1h30m`; the interval is at least `5s`.
#[utoipa::path(put, path = "/v1/connections/{connection_id}/sync", operation_id = "putSync", tag = "sync",
    request_body = SyncSettingsInput,
    params(("connection_id" = String, Path, description = "The connection's id (`conn_…`) or name")),
    responses((status = 200, body = SyncView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(connection_id): Path<String>,
    JsonBody(body): JsonBody<SyncSettingsInput>,
) -> Result<Json<SyncView>, ApiError> {
    caller.require_write("changing a connection's sync settings")?;
    let connection = state.connection(&connection_id).await?;
    let settings = body.into_settings()?;
    let status = state
        .store()
        .sync()
        .configure(&connection.id, &settings)
        .await?;
    // The share holds at once for everything the connection does (its clients share one
    // pacer).
    state.apply_rate_share(&connection.id, status.settings.rate_share);
    Ok(Json(sync_view(&state, &connection.id, status).await?))
}

/// Queues a sync run of a connection. Needs a `full` key.
///
/// Answers 202 with the new run (`joined: false`) and its URL in `Location`. When a run is
/// already queued or running, answers 200 with that run (`joined: true`) instead of queuing a
/// second one; asking for a full run while an incremental one is still queued makes it full.
/// A sync worker picks the run up; follow it with `GET …/sync/runs/{run_id}`.
#[utoipa::path(post, path = "/v1/connections/{connection_id}/sync/run", operation_id = "runSync", tag = "sync",
    request_body(content = Option<RunRequest>, description = "Optional: `{\"full\": true}` for a full reconciliation"),
    params(("connection_id" = String, Path, description = "The connection's id (`conn_…`) or name")),
    responses(
        (status = 202, body = RunView, description = "A run was queued",
            headers(("Location" = String, description = "The run's URL"))),
        (status = 200, body = RunView, description = "A run was already queued or running; this is it (`joined: true`)",
            headers(("Location" = String, description = "The run's URL"))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn run(
    State(state): State<AppState>,
    caller: Caller,
    Path(connection_id): Path<String>,
    JsonOrEmpty(body): JsonOrEmpty<RunRequest>,
) -> Result<(StatusCode, HeaderMap, Json<RunView>), ApiError> {
    caller.require_write("starting a sync run")?;
    let connection = state.connection(&connection_id).await?;
    let (run, joined) = state
        .store()
        .sync()
        .request_run(&connection.id, body.full.unwrap_or(false), "request")
        .await?;
    state.wake_sync_worker();
    let mut headers = HeaderMap::new();
    let location = format!("/v1/connections/{}/sync/runs/{}", connection.id, run.id);
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, value);
    }
    let mut view = RunView::from(run);
    view.joined = Some(joined);
    let status = if joined {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, headers, Json(view)))
}

/// Lists a connection's latest sync runs, newest first.
#[utoipa::path(get, path = "/v1/connections/{connection_id}/sync/runs", operation_id = "listSyncRuns", tag = "sync",
    params(("connection_id" = String, Path, description = "The connection's id (`conn_…`) or name"), RunsQuery),
    responses((status = 200, body = RunList),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn runs(
    State(state): State<AppState>,
    _caller: Caller,
    Path(connection_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<RunList>, ApiError> {
    let mut limit = 20;
    for (_, value) in query_pairs(query.as_deref(), &["limit"])? {
        limit = parse_limit(&value)?;
    }
    let connection = state.connection(&connection_id).await?;
    let runs = state.store().sync().runs(&connection.id, limit).await?;
    Ok(Json(RunList {
        items: runs.into_iter().map(RunView::from).collect(),
    }))
}

/// Gets one sync run of a connection.
#[utoipa::path(get, path = "/v1/connections/{connection_id}/sync/runs/{run_id}", operation_id = "getSyncRun", tag = "sync",
    params(("connection_id" = String, Path, description = "The connection's id (`conn_…`) or name"),
        ("run_id" = String, Path, description = "The run's id (`run_…`)")),
    responses((status = 200, body = RunView),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn get_run(
    State(state): State<AppState>,
    _caller: Caller,
    Path((connection_id, run_id)): Path<(String, String)>,
) -> Result<Json<RunView>, ApiError> {
    let connection = state.connection(&connection_id).await?;
    let not_found = || {
        ApiError::not_found(format!(
            "connection `{connection_id}` has no sync run `{run_id}` \
             (GET /v1/connections/{connection_id}/sync/runs lists them)"
        ))
    };
    let id: SyncRunId = run_id.parse().map_err(|_| not_found())?;
    match state.store().sync().run(&connection.id, &id).await {
        Ok(run) => Ok(Json(run.into())),
        Err(StoreError::NotFound { .. }) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}

/// A record as the API shows it: its content with `deleted_at` and `version`.
pub(crate) fn record_item(record: SyncRecord) -> Value {
    let deleted_at = record
        .deleted_at
        .and_then(|t| t.format(&Rfc3339).ok())
        .map_or(Value::Null, Value::String);
    let mut data = match record.data {
        Value::Object(map) => map,
        other => {
            let mut map = serde_json::Map::new();
            map.insert("id".into(), Value::String(record.id.clone()));
            map.insert("data".into(), other);
            map
        }
    };
    data.insert("deleted_at".into(), deleted_at);
    data.insert("version".into(), Value::from(record.version));
    Value::Object(data)
}

/// Lists a connection's synced records of one kind, by id, page by page.
///
/// This is the synced copy in the gateway's store, as fresh as the last sync run; it makes no
/// Okta call. (`GET /v1/connections/{connection_id}/employees` reads live from Okta instead.)
#[utoipa::path(get, path = "/v1/connections/{connection_id}/records/{object}", operation_id = "listSyncedRecords", tag = "sync",
    params(("connection_id" = String, Path, description = "The connection's id (`conn_…`) or name"),
        ("object" = SyncObjectName, Path, description = "`employees`, `groups` or `memberships`"),
        RecordsQuery),
    responses((status = 200, body = RecordPage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn records(
    State(state): State<AppState>,
    _caller: Caller,
    Path((connection_id, object)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Json<RecordPage>, ApiError> {
    let object: SyncObject = object.parse()?;
    let mut q = RecordQuery::default();
    for (name, value) in query_pairs(
        query.as_deref(),
        &[
            "after",
            "cursor",
            "limit",
            "updated_after",
            "include_deleted",
        ],
    )? {
        match name.as_str() {
            // `cursor` is the deprecated name of `after`.
            "after" | "cursor" => q.cursor = Some(value),
            "limit" => q.limit = Some(parse_limit(&value)?),
            "updated_after" => {
                q.updated_after = Some(OffsetDateTime::parse(&value, &Rfc3339).map_err(|_| {
                    ApiError::invalid_field(
                        "updated_after",
                        format!(
                            "expected an RFC 3339 instant (2026-01-31T00:00:00Z), got `{value}`"
                        ),
                    )
                })?);
            }
            _ => {
                q.include_deleted = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(ApiError::invalid_field(
                            "include_deleted",
                            format!("expected true or false, got `{value}`"),
                        ));
                    }
                };
            }
        }
    }
    let connection = state.connection(&connection_id).await?;
    let page = state
        .store()
        .sync()
        .records(&connection.id, object, &q)
        .await?;
    Ok(Json(RecordPage {
        items: page.items.into_iter().map(record_item).collect(),
        next: page.next,
    }))
}

/// Reads a connection's change feed, in order, optionally waiting for the next change.
///
/// Every answer has `next`, the cursor after its last change (or the same position when there
/// was none): pass it as `after` to read on, so a client can poll forever without losing or
/// repeating a change. `after=now` starts at the feed's present end; without `after` the feed
/// is read from its beginning. With `wait`, an answer that would be empty is held until a
/// change arrives or the wait is over (capped a little under the gateway's request timeout).
#[utoipa::path(get, path = "/v1/connections/{connection_id}/changes", operation_id = "listChanges", tag = "sync",
    params(("connection_id" = String, Path, description = "The connection's id (`conn_…`) or name"),
        ChangesQuery),
    responses((status = 200, body = ChangePage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn changes(
    State(state): State<AppState>,
    _caller: Caller,
    Path(connection_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<ChangePage>, ApiError> {
    let (mut after, mut limit, mut wait) = (None, 100, Duration::ZERO);
    for (name, value) in query_pairs(query.as_deref(), &["after", "limit", "wait"])? {
        match name.as_str() {
            "after" => after = Some(value),
            "limit" => limit = parse_limit(&value)?,
            _ => {
                wait = parse_duration(&value)
                    .ok()
                    .filter(|w| *w <= MAX_WAIT)
                    .ok_or_else(|| {
                        ApiError::invalid_field(
                            "wait",
                            format!(
                                "expected a duration from 0s to 60s (30s, 500ms), got `{value}`"
                            ),
                        )
                    })?;
            }
        }
    }
    let connection = state.connection(&connection_id).await?;
    let sync = state.store().sync();
    let position = match &after {
        None => 0,
        Some(text) => match sync.feed_position(&connection.id, text).await {
            Ok(seq) => seq,
            Err(StoreError::InvalidCursor { reason }) => {
                return Err(ApiError::invalid_field(
                    "after",
                    format!(
                        "not a cursor of this connection's change feed ({reason}); pass the \
                         `next` of a previous answer, or `now`"
                    ),
                ));
            }
            Err(e) => return Err(e.into()),
        },
    };
    // Stay clear of the request timeout, which would answer 504 instead of an empty page.
    let wait = wait.min(
        state
            .settings()
            .request_timeout
            .saturating_sub(Duration::from_secs(2)),
    );
    let deadline = tokio::time::Instant::now() + wait;
    let notifier = state.feed_notifier();
    let items = loop {
        // Registered before the read, so a commit signalled between the read and the wait
        // still wakes it.
        let notified = notifier.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let items = sync.changes(&connection.id, position, limit).await?;
        let now = tokio::time::Instant::now();
        if !items.is_empty() || now >= deadline {
            break items;
        }
        let nap = POLL_EVERY.min(deadline - now);
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep(nap) => {}
        }
    };
    let last = items.last().map_or(position, |c| c.seq);
    Ok(Json(ChangePage {
        next: sync.feed_cursor(&connection.id, last),
        items,
    }))
}
