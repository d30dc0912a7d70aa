//! Webhook endpoints: where the changes of syncs are delivered, signed (Standard Webhooks), with
//! retries from an outbox; their deliveries with every attempt, and replays.
//!
//! ```text
//! POST   /v1/webhooks                            create (full key); the secret is shown once
//! GET    /v1/webhooks                            list
//! GET    /v1/webhooks/{webhook_id}               one
//! PATCH  /v1/webhooks/{webhook_id}               change, enable or disable (full key)
//! DELETE /v1/webhooks/{webhook_id}               delete with its deliveries (full key)
//! POST   /v1/webhooks/{webhook_id}/rotate        a new secret; the old one signs on for `overlap`
//! GET    /v1/webhooks/{webhook_id}/deliveries    the latest deliveries with their attempts
//! POST   /v1/webhooks/{webhook_id}/replay        send deliveries again (full key)
//! ```

use std::time::Duration;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use spindle_store::{
    Attempt, ConnectionId, Delivery, DeliveryId, DeliveryState, NewWebhook, StoreError, Webhook,
    WebhookId, WebhookUpdate, parse_duration,
};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, JsonBody, JsonOrEmpty, Path, Problem};
use crate::routes::sync::{parse_limit, query_pairs};
use crate::state::AppState;
use crate::webhooks::url_policy;

/// The default overlap of a rotation: how long the previous secret still signs.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(24 * 3600);
/// The longest overlap of a rotation.
pub const MAX_OVERLAP: Duration = Duration::from_secs(7 * 24 * 3600);

/// A webhook endpoint (its secret is never shown again after it was made).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "whk_01JQ2ZK8V6S4D1X3M9T0B7C5NA", "url": "https://hooks.example.com/spindle",
    "description": "HR sync", "events": ["employee.created", "employee.terminated"],
    "connections": [], "enabled": true, "disabled_reason": null, "previous_secret_until": null,
    "created_at": "2026-01-31T09:00:00Z", "updated_at": "2026-01-31T09:00:00Z"}))]
pub struct WebhookView {
    /// `whk_…`
    pub id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// A note for people.
    pub description: String,
    /// The change types it receives (`employee.created`, …); empty for all.
    pub events: Vec<String>,
    /// The ids of the connections whose changes it receives; empty for all.
    pub connections: Vec<String>,
    /// Whether deliveries are sent.
    pub enabled: bool,
    /// Why it was disabled (its receiver answered `410 Gone`, or a caller disabled it).
    pub disabled_reason: Option<String>,
    /// Until when the previous secret still signs deliveries (after a rotation).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub previous_secret_until: Option<OffsetDateTime>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl From<Webhook> for WebhookView {
    fn from(w: Webhook) -> Self {
        WebhookView {
            id: w.id.to_string(),
            url: w.url,
            description: w.description,
            events: w.events,
            connections: w.connections.iter().map(ToString::to_string).collect(),
            enabled: w.enabled,
            disabled_reason: w.disabled_reason,
            previous_secret_until: w.previous_secret_until,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// A webhook endpoint with its signing secret: the answer to creating one or rotating its
/// secret, the only time the secret is shown.
#[derive(Serialize, ToSchema)]
pub struct WebhookWithSecret {
    /// The endpoint.
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The signing secret (`whsec_…`): keep it; it is not shown again.
    #[schema(value_type = String, example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    #[serde(serialize_with = "expose")]
    pub secret: SecretString,
}

fn expose<S: serde::Serializer>(secret: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose_secret())
}

impl std::fmt::Debug for WebhookWithSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookWithSecret")
            .field("webhook", &self.webhook)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// Every webhook endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    /// Endpoints, oldest first.
    pub items: Vec<WebhookView>,
}

/// A new webhook endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://hooks.example.com/spindle", "description": "HR sync",
    "events": ["employee.created", "employee.terminated"], "connections": ["acme"]}))]
pub struct CreateWebhook {
    /// Where deliveries are POSTed: `https` on a public address (plain `http` and private
    /// addresses only when the gateway runs with `--allow-private-webhooks`).
    #[schema(example = "https://hooks.example.com/spindle")]
    pub url: String,
    /// A note for people.
    #[serde(default)]
    pub description: Option<String>,
    /// The change types it receives (`employee.created`, `employee.updated`,
    /// `employee.terminated`, `employee.deleted`, `group.…`, `membership.added`,
    /// `membership.removed`); left out or empty: all.
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// The connections (ids or names) whose changes it receives; left out or empty: all.
    #[serde(default)]
    pub connections: Option<Vec<String>>,
}

/// Changes to a webhook endpoint; a field left out keeps its value.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": false}))]
pub struct UpdateWebhook {
    /// A new receiving URL (checked as on creation).
    #[serde(default)]
    pub url: Option<String>,
    /// A new description.
    #[serde(default)]
    pub description: Option<String>,
    /// New change types (empty: all).
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// New connections, ids or names (empty: all).
    #[serde(default)]
    pub connections: Option<Vec<String>>,
    /// `false` stops deliveries (they wait, pending); `true` resumes them and clears
    /// `disabled_reason`.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// What `POST …/rotate` asks for.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"overlap": "24h"}))]
pub struct RotateRequest {
    /// How long the previous secret still signs deliveries (each carries both signatures),
    /// `0s` to `7d` (default `24h`).
    #[serde(default)]
    #[schema(example = "24h", pattern = r"^([0-9]+(ms|s|m|h|d))+$")]
    pub overlap: Option<String>,
}

/// What `POST …/replay` asks for: one delivery by id, or every delivery of a connection from a
/// change on.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"delivery_id": "msg_01JQ2ZK8V6S4D1X3M9T0B7C5NA"}))]
pub struct ReplayRequest {
    /// The delivery to send again (`msg_…`).
    #[serde(default)]
    pub delivery_id: Option<String>,
    /// The connection (id or name) whose deliveries are sent again, with `from_seq`.
    #[serde(default)]
    pub connection: Option<String>,
    /// The change sequence number to replay from (inclusive), with `connection`.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub from_seq: Option<i64>,
}

/// How many deliveries a replay made pending again.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplayResult {
    /// Deliveries that will be sent again (with their original `webhook-id`).
    pub replayed: u64,
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStateName {
    /// Waiting for its (next) attempt.
    Pending,
    /// The receiver answered 2xx.
    Succeeded,
    /// Every attempt failed, or the endpoint answered 410: kept until replayed.
    Dead,
}

impl From<DeliveryState> for DeliveryStateName {
    fn from(s: DeliveryState) -> Self {
        match s {
            DeliveryState::Pending => DeliveryStateName::Pending,
            DeliveryState::Succeeded => DeliveryStateName::Succeeded,
            DeliveryState::Dead => DeliveryStateName::Dead,
        }
    }
}

/// One attempt of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    /// 1 for the first.
    pub attempt: i64,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Time to the answer (or the failure), in milliseconds.
    pub latency_ms: f64,
    /// The start of the answer's body (at most 256 characters).
    pub snippet: Option<String>,
    /// Why it failed without an answer (timeout, refused connection, refused address).
    pub error: Option<String>,
}

impl From<Attempt> for AttemptView {
    fn from(a: Attempt) -> Self {
        AttemptView {
            attempt: a.attempt,
            at: a.at,
            status: a.status,
            latency_ms: a.latency_ms,
            snippet: a.snippet,
            error: a.error,
        }
    }
}

/// A delivery of one change to one endpoint, with its attempts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// `msg_…`, the `webhook-id` header of every attempt.
    pub id: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// The connection whose change it carries.
    pub connection_id: String,
    /// The change's sequence number in that connection's feed.
    pub seq: i64,
    /// The change type.
    #[serde(rename = "type")]
    #[schema(example = "employee.created")]
    pub kind: String,
    /// Where it is.
    pub state: DeliveryStateName,
    /// Attempts made (since the last replay).
    pub attempts: i64,
    /// When the next attempt is due (pending deliveries).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<OffsetDateTime>,
    /// When it was written (with its change).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// When the receiver accepted it.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<OffsetDateTime>,
    /// Each attempt, oldest first.
    pub attempt_log: Vec<AttemptView>,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        DeliveryView {
            id: d.id.to_string(),
            endpoint_id: d.endpoint_id.to_string(),
            connection_id: d.connection_id.to_string(),
            seq: d.seq,
            kind: d.kind,
            state: d.state.into(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            attempt_log: d.attempt_log.into_iter().map(AttemptView::from).collect(),
        }
    }
}

/// The latest deliveries of an endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    /// Deliveries, newest first.
    pub items: Vec<DeliveryView>,
}

/// The query parameters of the deliveries listing.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; they are read from the raw query.
pub struct DeliveriesQuery {
    /// Only deliveries in this state.
    state: Option<DeliveryStateName>,
    /// How many, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

fn webhook_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!(
        "no webhook with id `{id}` (GET /v1/webhooks lists them)"
    ))
}

/// The endpoint's id, or 404.
async fn find(state: &AppState, id: &str) -> Result<WebhookId, ApiError> {
    let parsed: WebhookId = id.parse().map_err(|_| webhook_not_found(id))?;
    match state.store().webhooks().get(&parsed).await {
        Ok(_) => Ok(parsed),
        Err(StoreError::NotFound { .. }) => Err(webhook_not_found(id)),
        Err(e) => Err(e.into()),
    }
}

/// Connection ids or names as ids; an unknown one is a problem naming `field`.
async fn connection_ids(
    state: &AppState,
    field: &str,
    names: &[String],
) -> Result<Vec<ConnectionId>, ApiError> {
    let mut ids = Vec::with_capacity(names.len());
    for name in names {
        let connection = state.connection(name).await.map_err(|e| {
            if e.status() == StatusCode::NOT_FOUND {
                ApiError::invalid_field(
                    field,
                    format!(
                        "no connection with id or name `{name}` (GET /v1/connections lists them)"
                    ),
                )
            } else {
                e
            }
        })?;
        if !ids.contains(&connection.id) {
            ids.push(connection.id);
        }
    }
    Ok(ids)
}

fn check_events(events: &[String]) -> Result<(), ApiError> {
    for e in events {
        if !spindle_store::CHANGE_TYPES.contains(&e.as_str()) {
            return Err(ApiError::invalid_field(
                "events",
                format!(
                    "unknown change type `{e}`; expected one of {}",
                    spindle_store::CHANGE_TYPES.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Lists the webhook endpoints.
#[utoipa::path(get, path = "/v1/webhooks", operation_id = "listWebhooks", tag = "webhooks",
    responses((status = 200, body = WebhookList)),
    security(("api_key" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<WebhookList>, ApiError> {
    let items = state.store().webhooks().list().await?;
    Ok(Json(WebhookList {
        items: items.into_iter().map(WebhookView::from).collect(),
    }))
}

/// Creates a webhook endpoint. Needs a `full` key.
///
/// Answers 201 with the endpoint and its signing secret (`whsec_…`), which is shown only this
/// once: receivers verify each delivery's `webhook-signature` with it (Standard Webhooks).
/// From now on every change of the subscribed connections and types is delivered to `url`.
#[utoipa::path(post, path = "/v1/webhooks", operation_id = "createWebhook", tag = "webhooks",
    request_body = CreateWebhook,
    responses((status = 201, body = WebhookWithSecret),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<CreateWebhook>,
) -> Result<(StatusCode, Json<WebhookWithSecret>), ApiError> {
    caller.require_write("creating a webhook")?;
    let url = url_policy::admit(&body.url, state.settings().allow_private_webhooks).await?;
    let events = body.events.unwrap_or_default();
    check_events(&events)?;
    let connections =
        connection_ids(&state, "connections", &body.connections.unwrap_or_default()).await?;
    let (webhook, secret) = state
        .store()
        .webhooks()
        .create(NewWebhook {
            url: url.to_string(),
            description: body.description.unwrap_or_default(),
            events,
            connections,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(WebhookWithSecret {
            webhook: webhook.into(),
            secret,
        }),
    ))
}

/// Gets a webhook endpoint (without its secret).
#[utoipa::path(get, path = "/v1/webhooks/{webhook_id}", operation_id = "getWebhook", tag = "webhooks",
    params(("webhook_id" = String, Path, description = "The webhook's id (`whk_…`)")),
    responses((status = 200, body = WebhookView),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn get(
    State(state): State<AppState>,
    _caller: Caller,
    Path(webhook_id): Path<String>,
) -> Result<Json<WebhookView>, ApiError> {
    let id = find(&state, &webhook_id).await?;
    Ok(Json(state.store().webhooks().get(&id).await?.into()))
}

/// Changes a webhook endpoint, or enables or disables it. Needs a `full` key.
///
/// A disabled endpoint's deliveries are still written and wait, pending, until it is enabled
/// again.
#[utoipa::path(patch, path = "/v1/webhooks/{webhook_id}", operation_id = "updateWebhook", tag = "webhooks",
    request_body = UpdateWebhook,
    params(("webhook_id" = String, Path, description = "The webhook's id (`whk_…`)")),
    responses((status = 200, body = WebhookView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(webhook_id): Path<String>,
    JsonBody(body): JsonBody<UpdateWebhook>,
) -> Result<Json<WebhookView>, ApiError> {
    caller.require_write("changing a webhook")?;
    let id = find(&state, &webhook_id).await?;
    let url = match &body.url {
        Some(url) => Some(
            url_policy::admit(url, state.settings().allow_private_webhooks)
                .await?
                .to_string(),
        ),
        None => None,
    };
    if let Some(events) = &body.events {
        check_events(events)?;
    }
    let connections = match &body.connections {
        Some(names) => Some(connection_ids(&state, "connections", names).await?),
        None => None,
    };
    let webhook = state
        .store()
        .webhooks()
        .update(
            &id,
            WebhookUpdate {
                url,
                description: body.description,
                events: body.events,
                connections,
                enabled: body.enabled,
            },
        )
        .await?;
    if webhook.enabled {
        state.wake_webhook_sender();
    }
    Ok(Json(webhook.into()))
}

/// Deletes a webhook endpoint with its deliveries. Needs a `full` key.
#[utoipa::path(delete, path = "/v1/webhooks/{webhook_id}", operation_id = "deleteWebhook", tag = "webhooks",
    params(("webhook_id" = String, Path, description = "The webhook's id (`whk_…`)")),
    responses((status = 204, description = "Deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(webhook_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_write("deleting a webhook")?;
    let id = find(&state, &webhook_id).await?;
    state.store().webhooks().delete(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rotates a webhook endpoint's signing secret. Needs a `full` key.
///
/// Answers with the endpoint and its new secret, shown only this once. For `overlap` (default
/// `24h`, at most `7d`) every delivery carries two signatures, one per secret, so receivers can
/// switch to the new secret without missing a delivery.
#[utoipa::path(post, path = "/v1/webhooks/{webhook_id}/rotate", operation_id = "rotateWebhookSecret", tag = "webhooks",
    request_body(content = Option<RotateRequest>, description = "Optional: `{\"overlap\": \"24h\"}`"),
    params(("webhook_id" = String, Path, description = "The webhook's id (`whk_…`)")),
    responses((status = 200, body = WebhookWithSecret),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn rotate(
    State(state): State<AppState>,
    caller: Caller,
    Path(webhook_id): Path<String>,
    JsonOrEmpty(body): JsonOrEmpty<RotateRequest>,
) -> Result<Json<WebhookWithSecret>, ApiError> {
    caller.require_write("rotating a webhook's secret")?;
    let overlap = match &body.overlap {
        None => DEFAULT_OVERLAP,
        Some(text) => parse_duration(text)
            .ok()
            .filter(|d| *d <= MAX_OVERLAP)
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "overlap",
                    format!("expected a duration from 0s to 7d (24h, 90m), got `{text}`"),
                )
            })?,
    };
    let id = find(&state, &webhook_id).await?;
    let (webhook, secret) = state.store().webhooks().rotate(&id, overlap).await?;
    Ok(Json(WebhookWithSecret {
        webhook: webhook.into(),
        secret,
    }))
}

/// Lists a webhook endpoint's latest deliveries with their attempts, newest first.
#[utoipa::path(get, path = "/v1/webhooks/{webhook_id}/deliveries", operation_id = "listWebhookDeliveries", tag = "webhooks",
    params(("webhook_id" = String, Path, description = "The webhook's id (`whk_…`)"), DeliveriesQuery),
    responses((status = 200, body = DeliveryList),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn deliveries(
    State(state): State<AppState>,
    _caller: Caller,
    Path(webhook_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<DeliveryList>, ApiError> {
    let (mut wanted, mut limit) = (None, 50);
    for (name, value) in query_pairs(query.as_deref(), &["state", "limit"])? {
        if name == "limit" {
            limit = parse_limit(&value)?;
        } else {
            wanted = Some(match value.as_str() {
                "pending" => DeliveryState::Pending,
                "succeeded" => DeliveryState::Succeeded,
                "dead" => DeliveryState::Dead,
                _ => {
                    return Err(ApiError::invalid_field(
                        "state",
                        format!("expected pending, succeeded or dead, got `{value}`"),
                    ));
                }
            });
        }
    }
    let id = find(&state, &webhook_id).await?;
    let items = state
        .store()
        .webhooks()
        .deliveries(&id, wanted, limit)
        .await?;
    Ok(Json(DeliveryList {
        items: items.into_iter().map(DeliveryView::from).collect(),
    }))
}

/// Sends deliveries of a webhook endpoint again, now. Needs a `full` key.
///
/// Either one delivery, `{"delivery_id": "msg_…"}`, or every delivery of a connection from a
/// change on, `{"connection": "acme", "from_seq": 120}`. Delivered and dead deliveries become
/// pending with a fresh count of attempts and keep their `webhook-id`, so a receiver that
/// already processed one may skip it.
#[utoipa::path(post, path = "/v1/webhooks/{webhook_id}/replay", operation_id = "replayWebhookDeliveries", tag = "webhooks",
    request_body = ReplayRequest,
    params(("webhook_id" = String, Path, description = "The webhook's id (`whk_…`)")),
    responses((status = 200, body = ReplayResult),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn replay(
    State(state): State<AppState>,
    caller: Caller,
    Path(webhook_id): Path<String>,
    JsonBody(body): JsonBody<ReplayRequest>,
) -> Result<Json<ReplayResult>, ApiError> {
    caller.require_write("replaying webhook deliveries")?;
    let id = find(&state, &webhook_id).await?;
    let webhooks = state.store().webhooks();
    let replayed = match (body.delivery_id, body.connection, body.from_seq) {
        (Some(delivery), None, None) => {
            let not_found = || {
                ApiError::not_found(format!(
                    "webhook `{webhook_id}` has no delivery `{delivery}` to replay (GET \
                     /v1/webhooks/{webhook_id}/deliveries lists them; a pending one is sent \
                     anyway)"
                ))
            };
            let parsed: DeliveryId = delivery.parse().map_err(|_| not_found())?;
            match webhooks.replay(&id, Some(&parsed), None).await {
                Ok(n) => n,
                Err(StoreError::NotFound { .. }) => return Err(not_found()),
                Err(e) => return Err(e.into()),
            }
        }
        (None, Some(connection), Some(from_seq)) => {
            if from_seq < 0 {
                return Err(ApiError::invalid_field(
                    "from_seq",
                    "expected a change sequence number, 0 or more",
                ));
            }
            let connection = connection_ids(&state, "connection", &[connection])
                .await
                .map_err(|e| {
                    if e.status() == StatusCode::UNPROCESSABLE_ENTITY {
                        ApiError::invalid_field(
                            "connection",
                            "no such connection (GET /v1/connections lists them)",
                        )
                    } else {
                        e
                    }
                })?;
            webhooks
                .replay(&id, None, Some((&connection[0], from_seq)))
                .await?
        }
        (None, Some(_), None) => {
            return Err(ApiError::invalid_field(
                "from_seq",
                "required with `connection`: the change sequence number to replay from",
            ));
        }
        (None, None, Some(_)) => {
            return Err(ApiError::invalid_field(
                "connection",
                "required with `from_seq`: the connection (id or name) whose deliveries to replay",
            ));
        }
        (Some(_), _, _) => {
            return Err(ApiError::invalid_field(
                "delivery_id",
                "give either `delivery_id` or `connection` with `from_seq`, not both",
            ));
        }
        (None, None, None) => {
            return Err(ApiError::invalid_field(
                "delivery_id",
                "give `delivery_id`, or `connection` with `from_seq`",
            ));
        }
    };
    if replayed > 0 {
        state.wake_webhook_sender();
    }
    Ok(Json(ReplayResult { replayed }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_serialized_once_and_never_debugged() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let now = OffsetDateTime::now_utc();
        let answer = WebhookWithSecret {
            webhook: WebhookView {
                id: "whk_1".into(),
                url: "https://hooks.example.com".into(),
                description: String::new(),
                events: Vec::new(),
                connections: Vec::new(),
                enabled: true,
                disabled_reason: None,
                previous_secret_until: None,
                created_at: now,
                updated_at: now,
            },
            secret: SecretString::from(secret),
        };
        let json = serde_json::to_value(&answer).expect("JSON");
        assert_eq!(json["secret"], secret);
        assert_eq!(json["id"], "whk_1");
        assert!(!format!("{answer:?}").contains("whsec_"));
    }
}
