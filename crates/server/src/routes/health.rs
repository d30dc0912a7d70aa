//! `/healthz` (the process is up), `/readyz` (it can serve: the database answers) and
//! `/metrics` (Prometheus). None of them needs an API key; none reveals data.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
}

/// Liveness: answers as long as the process serves HTTP.
#[utoipa::path(get, path = "/healthz", operation_id = "healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Readiness: answers 200 when the database answers, 503 otherwise.
#[utoipa::path(get, path = "/readyz", operation_id = "readyz", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.store().ping().await.map_err(|error| {
        tracing::warn!(%error, "readiness check failed");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::error::ErrorCode::NotReady,
            "Not ready",
            "the gateway's database does not answer",
        )
    })?;
    Ok(Json(Health { status: "ok" }))
}

/// The gateway's metrics (Prometheus text, OpenMetrics or JSON).
///
/// By content negotiation: the Prometheus text format 0.0.4 by default, OpenMetrics for
/// `Accept: application/openmetrics-text`, JSON for `Accept: application/json`. Besides the
/// gateway's own, the process's (resident memory, CPU time, start time) and
/// `spindle_build_info`.
#[utoipa::path(get, path = "/metrics", operation_id = "metrics", tag = "operations",
    responses((status = 200, description = "The metrics",
        content(
            (String = "text/plain; version=0.0.4"),
            (String = "application/openmetrics-text; version=1.0.0"),
            (crate::metrics::MetricsJson = "application/json"),
        ))))]
pub async fn metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    // The webhook backlog is read when scraped; a store that does not answer leaves the last
    // figures.
    match state.store().webhooks().counts().await {
        Ok(counts) => {
            let of = |wanted: spindle_store::DeliveryState| {
                counts
                    .iter()
                    .find(|(s, _)| *s == wanted)
                    .map_or(0, |(_, n)| *n)
            };
            state.metrics().webhook_backlog(
                of(spindle_store::DeliveryState::Pending),
                of(spindle_store::DeliveryState::Dead),
            );
        }
        Err(error) => tracing::warn!(%error, "the webhook backlog could not be read"),
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let metrics = state.metrics();
    if accept.contains("application/json") {
        Json(metrics.render_json()).into_response()
    } else if accept.contains("application/openmetrics-text") {
        (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            metrics.render(),
        )
            .into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            metrics.render_prometheus(),
        )
            .into_response()
    }
}
