//! `GET /v1/logs`: every Okta call the gateway made, newest first.

use axum::Json;
use axum::extract::{RawQuery, State};
use serde::Serialize;
use spindle_store::{CallFilter, LoggedCall};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The query parameters of the call log.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; they are read from the raw query.
pub struct LogsQuery {
    /// Only calls of this connection: its id (also once deleted) or its name.
    #[param(min_length = 1)]
    connection_id: Option<String>,
    /// Only calls made by this action.
    #[param(min_length = 1)]
    action: Option<String>,
    /// Only these statuses: `404`, `4xx`, or a range `400-499`.
    #[param(pattern = r"^([1-5]xx|[1-5][0-9]{2}(-[1-5][0-9]{2})?)$")]
    status: Option<String>,
    /// Only calls at or after this instant (RFC 3339).
    #[param(format = DateTime)]
    since: Option<String>,
    /// Calls per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// The `next` cursor of the previous page (with the same filters).
    #[param(min_length = 1)]
    after: Option<String>,
    /// Deprecated: the old name of `after`, accepted for one release.
    #[param(min_length = 1)]
    #[deprecated]
    cursor: Option<String>,
}

/// One logged Okta call.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntry {
    /// `call_…`
    pub id: String,
    /// When the call was sent (RFC 3339).
    pub at: String,
    /// The connection it was made for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// The action that made it (absent for passthrough calls).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The HTTP method.
    pub method: String,
    /// The request path (never the query string or the body).
    pub path: String,
    /// Okta's status; absent when no answer came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Time from sending to the end of the answer, in milliseconds.
    pub latency_ms: f64,
    /// Okta's `X-Okta-Request-Id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub okta_request_id: Option<String>,
    /// Okta's `errorCode`, for failed calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The surface the call came through when not this HTTP API: `mcp` for a tool call of
    /// `/mcp/{connection_id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

impl From<LoggedCall> for LogEntry {
    fn from(call: LoggedCall) -> Self {
        let r = call.record;
        LogEntry {
            id: call.id.to_string(),
            at: r
                .at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            connection_id: r.connection_id.map(|c| c.to_string()),
            action: r.action,
            method: r.method,
            path: r.path,
            status: r.status,
            latency_ms: r.latency.as_secs_f64() * 1000.0,
            okta_request_id: r.okta_request_id,
            error_code: r.error_code,
            via: r.via,
        }
    }
}

/// A page of the call log.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogPage {
    /// Calls, newest first.
    pub items: Vec<LogEntry>,
    /// The cursor of the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

fn status_range(text: &str) -> Option<std::ops::RangeInclusive<u16>> {
    let text = text.trim().to_ascii_lowercase();
    if let Some(class) = text.strip_suffix("xx") {
        let c: u16 = class.parse().ok().filter(|c| (1..=5).contains(c))?;
        return Some(c * 100..=c * 100 + 99);
    }
    if let Some((from, to)) = text.split_once('-') {
        let (from, to): (u16, u16) = (from.parse().ok()?, to.parse().ok()?);
        return (100..=599)
            .contains(&from)
            .then_some(from..=to)
            .filter(|r| r.start() <= r.end() && *r.end() <= 599);
    }
    let s: u16 = text.parse().ok().filter(|s| (100..=599).contains(s))?;
    Some(s..=s)
}

const KNOWN: &[&str] = &[
    "connection_id",
    "action",
    "status",
    "since",
    "limit",
    "after",
    "cursor",
];

/// Lists the Okta calls the gateway made, newest first.
///
/// Each entry has the time, connection, action, method, path, status, latency, Okta request id
/// and error code. Bodies, query strings and secrets are never logged.
#[utoipa::path(get, path = "/v1/logs", operation_id = "listLogs", tag = "logs", params(LogsQuery),
    responses((status = 200, body = LogPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<LogPage>, ApiError> {
    let mut filter = CallFilter::new();
    let (mut cursor, mut limit) = (None, 100u32);
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if value.trim().is_empty() && KNOWN.contains(&name.as_ref()) {
            return Err(ApiError::invalid_field(
                name.as_ref(),
                "must not be empty (leave the parameter out instead)",
            ));
        }
        match name.as_ref() {
            "connection_id" => {
                // An id filters as is, so the calls of a deleted connection stay reachable; a
                // name must name an existing connection.
                let id = match value.parse::<spindle_store::ConnectionId>() {
                    Ok(id) => id,
                    Err(_) => {
                        state
                            .connection(&value)
                            .await
                            .map_err(|e| {
                                if e.status() == axum::http::StatusCode::NOT_FOUND {
                                    ApiError::invalid_field(
                                        "connection_id",
                                        format!("no connection with id or name `{value}`"),
                                    )
                                } else {
                                    e
                                }
                            })?
                            .id
                    }
                };
                filter = filter.connection(id);
            }
            "action" => filter = filter.action(value.into_owned()),
            "status" => {
                let range = status_range(&value).ok_or_else(|| {
                    ApiError::invalid_field(
                        "status",
                        format!("expected a status (404), a class (4xx) or a range (400-499), got `{value}`"),
                    )
                })?;
                filter = filter.status(range);
            }
            "since" => {
                let since = time::OffsetDateTime::parse(
                    &value,
                    &time::format_description::well_known::Rfc3339,
                )
                .map_err(|_| {
                    ApiError::invalid_field(
                        "since",
                        format!(
                            "expected an RFC 3339 instant (2026-01-31T00:00:00Z), got `{value}`"
                        ),
                    )
                })?;
                filter = filter.since(since);
            }
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|l| (1..=1000).contains(l))
                    .ok_or_else(|| {
                        ApiError::invalid_field(
                            "limit",
                            format!("expected an integer from 1 to 1000, got `{value}`"),
                        )
                    })?;
            }
            // `cursor` is the deprecated name of `after`.
            "after" | "cursor" => cursor = Some(value.into_owned()),
            other => {
                return Err(ApiError::invalid_field(
                    other,
                    "unknown query parameter; expected connection_id, action, status, since, limit or after",
                ));
            }
        }
    }
    let page = state
        .store()
        .calls()
        .list(&filter, cursor.as_deref(), limit)
        .await?;
    Ok(Json(LogPage {
        items: page.items.into_iter().map(LogEntry::from).collect(),
        next: page.next,
    }))
}

#[cfg(test)]
mod tests {
    use super::status_range;

    #[test]
    fn status_filters() {
        assert_eq!(status_range("404"), Some(404..=404));
        assert_eq!(status_range("4xx"), Some(400..=499));
        assert_eq!(status_range("500-599"), Some(500..=599));
        for bad in ["", "4", "6xx", "abc", "599-400", "100-700", "42"] {
            assert_eq!(status_range(bad), None, "{bad}");
        }
    }
}
