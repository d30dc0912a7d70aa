//! Webhook endpoints and their outbox of deliveries.
//!
//! Deliveries are written by [`crate::SyncStore::commit`] in the same transaction as the changes
//! they carry (an outbox): a process that dies between the two cannot lose one. A sender claims
//! due deliveries under a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), sends them, and records
//! each attempt fenced by its lease. A delivery is claimable only when no earlier delivery of the
//! same endpoint and record is still pending, so one record's changes reach an endpoint in order;
//! endpoints never wait for each other.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::OsRng;
use chacha20poly1305::aead::rand_core::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use time::OffsetDateTime;

use crate::{
    ConnectionId, Db, DeliveryId, Store, StoreError, WebhookId, from_millis, millis_column,
    now_millis, to_millis, with_pool,
};

/// The prefix of a signing secret (Standard Webhooks).
pub const SECRET_PREFIX: &str = "whsec_";

/// A new endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewWebhook {
    /// Where deliveries are POSTed (already checked against the gateway's URL policy).
    pub url: String,
    /// A note for people.
    pub description: String,
    /// The change types it receives (`employee.created`, …); empty for all.
    pub events: Vec<String>,
    /// The connections whose changes it receives; empty for all.
    pub connections: Vec<ConnectionId>,
}

/// Changes to an endpoint; `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookUpdate {
    /// A new URL.
    pub url: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// New event types (empty: all).
    pub events: Option<Vec<String>>,
    /// New connections (empty: all).
    pub connections: Option<Vec<ConnectionId>>,
    /// Enable or disable it (enabling clears the reason it was disabled).
    pub enabled: Option<bool>,
}

/// An endpoint as stored, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Webhook {
    /// `whk_…`
    pub id: WebhookId,
    /// Where deliveries go.
    pub url: String,
    /// A note for people.
    pub description: String,
    /// The change types it receives; empty for all.
    pub events: Vec<String>,
    /// The connections whose changes it receives; empty for all.
    pub connections: Vec<ConnectionId>,
    /// Whether deliveries are sent.
    pub enabled: bool,
    /// Why it was disabled (by its receiver's `410 Gone`, or by a caller).
    pub disabled_reason: Option<String>,
    /// Until when the previous secret still signs (during a rotation).
    #[serde(with = "time::serde::rfc3339::option")]
    pub previous_secret_until: Option<OffsetDateTime>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Webhook {
    /// Whether it receives a change of `kind` on `connection`.
    pub fn subscribes(&self, connection: &ConnectionId, kind: &str) -> bool {
        matches(&self.events, &self.connections, connection, kind)
    }
}

fn matches(events: &[String], connections: &[ConnectionId], c: &ConnectionId, kind: &str) -> bool {
    (events.is_empty() || events.iter().any(|e| e == kind))
        && (connections.is_empty() || connections.contains(c))
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its (next) attempt.
    Pending,
    /// The receiver answered 2xx.
    Succeeded,
    /// Every attempt failed (or the endpoint is gone): dead-lettered until replayed.
    Dead,
}

impl DeliveryState {
    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "pending" => DeliveryState::Pending,
            "succeeded" => DeliveryState::Succeeded,
            "dead" => DeliveryState::Dead,
            other => {
                return Err(StoreError::Corrupt {
                    table: "webhook_deliveries",
                    reason: format!("unknown state {other:?}"),
                });
            }
        })
    }
}

/// A delivery with its attempts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    /// `msg_…`, the `webhook-id` of every attempt.
    pub id: DeliveryId,
    /// The endpoint.
    pub endpoint_id: WebhookId,
    /// The connection whose change it carries.
    pub connection_id: ConnectionId,
    /// The change's sequence number in that connection's feed.
    pub seq: i64,
    /// The change type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where it is.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: i64,
    /// When the next attempt is due (pending deliveries).
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<OffsetDateTime>,
    /// When it was written (with its change).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the receiver accepted it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
    /// Each attempt, oldest first.
    pub attempt_log: Vec<Attempt>,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    /// 1 for the first.
    pub attempt: i64,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
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

/// A delivery claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    /// `msg_…`
    pub id: DeliveryId,
    /// The endpoint.
    pub endpoint_id: WebhookId,
    /// The endpoint's URL.
    pub url: String,
    /// The exact body to send.
    pub payload: String,
    /// Attempts made before this one.
    pub attempts: i64,
}

/// What an attempt ended in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// 2xx: done.
    Delivered,
    /// Try again at this time.
    RetryAt(OffsetDateTime),
    /// No more attempts: dead-lettered.
    Dead,
}

/// What one attempt saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptReport {
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    /// Time to the answer.
    pub latency: Duration,
    /// The start of the answer's body.
    pub snippet: Option<String>,
    /// Why it failed without an answer.
    pub error: Option<String>,
}

/// Webhook endpoints and deliveries, reached through [`Store::webhooks`].
#[derive(Debug, Clone, Copy)]
pub struct Webhooks<'a> {
    store: &'a Store,
}

impl Store {
    /// Webhook endpoints, their outbox and attempts.
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks { store: self }
    }
}

#[derive(sqlx::FromRow)]
struct EndpointRow {
    id: String,
    url: String,
    description: String,
    events: String,
    connections: String,
    enabled: bool,
    disabled_reason: Option<String>,
    previous_secret_until: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

const ENDPOINT_COLUMNS: &str = "id, url, description, events, connections, enabled, \
    disabled_reason, previous_secret_until, created_at, updated_at";

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl EndpointRow {
    fn into_webhook(self) -> Result<Webhook, StoreError> {
        Ok(Webhook {
            id: WebhookId::from_db(self.id),
            url: self.url,
            description: self.description,
            events: split_list(&self.events),
            connections: split_list(&self.connections)
                .into_iter()
                .map(ConnectionId::from_db)
                .collect(),
            enabled: self.enabled,
            disabled_reason: self.disabled_reason,
            previous_secret_until: self.previous_secret_until.and_then(from_millis),
            created_at: millis_column("webhook_endpoints", "created_at", self.created_at)?,
            updated_at: millis_column("webhook_endpoints", "updated_at", self.updated_at)?,
        })
    }
}

fn new_secret() -> SecretString {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    SecretString::from(format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes)))
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        kind: "webhook",
        id: id.to_owned(),
    }
}

fn validate_events(events: &[String]) -> Result<(), StoreError> {
    for e in events {
        if !crate::sync::CHANGE_TYPES.contains(&e.as_str()) {
            return Err(StoreError::Invalid {
                field: "events",
                reason: format!(
                    "unknown change type {e:?}; expected one of {}",
                    crate::sync::CHANGE_TYPES.join(", ")
                ),
            });
        }
    }
    Ok(())
}

fn join_ids(ids: &[ConnectionId]) -> String {
    ids.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",")
}

impl Webhooks<'_> {
    /// Creates an endpoint and its signing secret (returned once; stored sealed).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an unknown event type or connection; database errors.
    pub async fn create(&self, new: NewWebhook) -> Result<(Webhook, SecretString), StoreError> {
        validate_events(&new.events)?;
        for c in &new.connections {
            self.store
                .connections()
                .get(c)
                .await
                .map_err(|_| StoreError::Invalid {
                    field: "connections",
                    reason: format!("no connection {c}"),
                })?;
        }
        let id = WebhookId::generate();
        let secret = new_secret();
        let key = self.store.master_key();
        let sealed = key.seal(id.as_str(), secret.expose_secret().as_bytes())?;
        let now = now_millis();
        with_pool!(self.store, |pool| sqlx::query(
            "INSERT INTO webhook_endpoints (id, url, description, events, connections, enabled, \
             secret_key_id, secret, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $8, $8)"
        )
        .bind(id.as_str())
        .bind(&new.url)
        .bind(&new.description)
        .bind(new.events.join(","))
        .bind(join_ids(&new.connections))
        .bind(key.id())
        .bind(&sealed)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))?;
        tracing::info!(webhook = %id, "webhook endpoint created");
        Ok((self.get(&id).await?, secret))
    }

    /// Every endpoint, oldest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list(&self) -> Result<Vec<Webhook>, StoreError> {
        let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY id");
        let rows: Vec<EndpointRow> = with_pool!(self.store, |pool| sqlx::query_as(&sql)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(EndpointRow::into_webhook).collect()
    }

    /// One endpoint.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; database errors.
    pub async fn get(&self, id: &WebhookId) -> Result<Webhook, StoreError> {
        let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1");
        let row: Option<EndpointRow> = with_pool!(self.store, |pool| sqlx::query_as(&sql)
            .bind(id.as_str())
            .fetch_optional(pool)
            .await)?;
        row.ok_or_else(|| not_found(id.as_str()))?.into_webhook()
    }

    /// Changes an endpoint.
    ///
    /// # Errors
    /// As [`Webhooks::create`]; [`StoreError::NotFound`].
    pub async fn update(
        &self,
        id: &WebhookId,
        update: WebhookUpdate,
    ) -> Result<Webhook, StoreError> {
        let current = self.get(id).await?;
        if let Some(events) = &update.events {
            validate_events(events)?;
        }
        if let Some(connections) = &update.connections {
            for c in connections {
                self.store
                    .connections()
                    .get(c)
                    .await
                    .map_err(|_| StoreError::Invalid {
                        field: "connections",
                        reason: format!("no connection {c}"),
                    })?;
            }
        }
        let enabled = update.enabled.unwrap_or(current.enabled);
        let reason = if update.enabled == Some(true) {
            None
        } else if update.enabled == Some(false) {
            Some("disabled through the API".to_owned())
        } else {
            current.disabled_reason.clone()
        };
        with_pool!(self.store, |pool| sqlx::query(
            "UPDATE webhook_endpoints SET url = $2, description = $3, events = $4, \
             connections = $5, enabled = $6, disabled_reason = $7, updated_at = $8 WHERE id = $1"
        )
        .bind(id.as_str())
        .bind(update.url.as_deref().unwrap_or(&current.url))
        .bind(
            update
                .description
                .as_deref()
                .unwrap_or(&current.description)
        )
        .bind(update.events.as_ref().unwrap_or(&current.events).join(","))
        .bind(join_ids(
            update.connections.as_ref().unwrap_or(&current.connections)
        ))
        .bind(enabled)
        .bind(reason)
        .bind(now_millis())
        .execute(pool)
        .await
        .map(|_| ()))?;
        self.get(id).await
    }

    /// Disables an endpoint for `reason` (its receiver answered `410 Gone`).
    ///
    /// # Errors
    /// Database errors.
    pub async fn disable(&self, id: &WebhookId, reason: &str) -> Result<(), StoreError> {
        with_pool!(self.store, |pool| sqlx::query(
            "UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = $2, updated_at = $3 \
             WHERE id = $1"
        )
        .bind(id.as_str())
        .bind(reason)
        .bind(now_millis())
        .execute(pool)
        .await
        .map(|_| ()))?;
        tracing::warn!(webhook = %id, reason, "webhook endpoint disabled");
        Ok(())
    }

    /// Deletes an endpoint with its deliveries.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; database errors.
    pub async fn delete(&self, id: &WebhookId) -> Result<(), StoreError> {
        let n = with_pool!(self.store, |pool| sqlx::query(
            "DELETE FROM webhook_endpoints WHERE id = $1"
        )
        .bind(id.as_str())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(not_found(id.as_str()));
        }
        Ok(())
    }

    /// Replaces the signing secret; the previous one keeps signing (beside the new one) for
    /// `overlap`. Returns the new secret (shown once).
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; the master key's and the database's errors.
    pub async fn rotate(
        &self,
        id: &WebhookId,
        overlap: Duration,
    ) -> Result<(Webhook, SecretString), StoreError> {
        let current = self.current_secret(id).await?;
        let key = self.store.master_key();
        let secret = new_secret();
        let sealed = key.seal(id.as_str(), secret.expose_secret().as_bytes())?;
        let old = key.seal(id.as_str(), current.expose_secret().as_bytes())?;
        let until = now_millis().saturating_add(i64::try_from(overlap.as_millis()).unwrap_or(0));
        with_pool!(self.store, |pool| sqlx::query(
            "UPDATE webhook_endpoints SET secret_key_id = $2, secret = $3, \
             previous_secret_key_id = $2, previous_secret = $4, previous_secret_until = $5, \
             updated_at = $6 WHERE id = $1"
        )
        .bind(id.as_str())
        .bind(key.id())
        .bind(&sealed)
        .bind(&old)
        .bind(until)
        .bind(now_millis())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok((self.get(id).await?, secret))
    }

    async fn current_secret(&self, id: &WebhookId) -> Result<SecretString, StoreError> {
        self.secrets(id)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| not_found(id.as_str()))
    }

    /// The secrets that sign a delivery now: the current one, then the previous one while its
    /// rotation overlap lasts.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; the master key's and the database's errors.
    pub async fn secrets(&self, id: &WebhookId) -> Result<Vec<SecretString>, StoreError> {
        type Row = (
            String,
            Vec<u8>,
            Option<String>,
            Option<Vec<u8>>,
            Option<i64>,
        );
        let row: Option<Row> = with_pool!(self.store, |pool| sqlx::query_as(
            "SELECT secret_key_id, secret, previous_secret_key_id, previous_secret, \
             previous_secret_until FROM webhook_endpoints WHERE id = $1"
        )
        .bind(id.as_str())
        .fetch_optional(pool)
        .await)?;
        let (key_id, blob, prev_key, prev_blob, until) =
            row.ok_or_else(|| not_found(id.as_str()))?;
        let key = self.store.master_key();
        let open = |key_id: &str, blob: &[u8]| -> Result<SecretString, StoreError> {
            let plain = key.open(id.as_str(), key_id, blob)?;
            String::from_utf8(plain.to_vec())
                .map(SecretString::from)
                .map_err(|_| StoreError::Corrupt {
                    table: "webhook_endpoints",
                    reason: format!("the secret of {id} is not text"),
                })
        };
        let mut out = vec![open(&key_id, &blob)?];
        if let (Some(k), Some(b), Some(until)) = (prev_key, prev_blob, until)
            && until > now_millis()
        {
            out.push(open(&k, &b)?);
        }
        Ok(out)
    }

    /// Claims up to `limit` due deliveries for `owner` until `lease` from now: pending, due,
    /// of an enabled endpoint, not leased by a live sender, and with no earlier pending delivery
    /// of the same endpoint and record.
    ///
    /// # Errors
    /// Database errors.
    pub async fn claim(
        &self,
        owner: &str,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let now = now_millis();
        let until = now.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2));
        let pick = "SELECT d.id FROM webhook_deliveries d \
             JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.enabled \
             WHERE d.state = 'pending' AND d.next_attempt_at <= $3 \
             AND (d.lease_expires_at IS NULL OR d.lease_expires_at < $3) \
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.endpoint_id = d.endpoint_id \
               AND e.record_key = d.record_key AND e.seq < d.seq AND e.state = 'pending') \
             ORDER BY d.next_attempt_at, d.seq LIMIT $4";
        let lock = match &self.store.inner.db {
            Db::Sqlite(_) => "",
            Db::Postgres(_) => " FOR UPDATE OF d SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE webhook_deliveries SET lease_owner = $1, lease_expires_at = $2 \
             WHERE id IN ({pick}{lock}) \
             RETURNING id, endpoint_id, payload, attempts"
        );
        type Row = (String, String, String, i32);
        let rows: Vec<Row> = with_pool!(self.store, |pool| sqlx::query_as(&sql)
            .bind(owner)
            .bind(until)
            .bind(now)
            .bind(i64::from(limit.max(1)))
            .fetch_all(pool)
            .await)?;
        let mut out = Vec::with_capacity(rows.len());
        let mut urls: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        for (id, endpoint, payload, attempts) in rows {
            let url = match urls.get(&endpoint) {
                Some(url) => url.clone(),
                None => {
                    let url = self.get(&WebhookId::from_db(endpoint.clone())).await?.url;
                    urls.insert(endpoint.clone(), url.clone());
                    url
                }
            };
            let endpoint = WebhookId::from_db(endpoint);
            out.push(DueDelivery {
                id: DeliveryId::from_db(id),
                endpoint_id: endpoint,
                url,
                payload,
                attempts: i64::from(attempts),
            });
        }
        Ok(out)
    }

    /// Gives back a claimed delivery that was not attempted, so any sender may claim it at once.
    /// A no-op when `owner` no longer holds it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn release(&self, id: &DeliveryId, owner: &str) -> Result<(), StoreError> {
        with_pool!(self.store, |pool| sqlx::query(
            "UPDATE webhook_deliveries SET lease_owner = NULL, lease_expires_at = NULL \
             WHERE id = $1 AND lease_owner = $2"
        )
        .bind(id.as_str())
        .bind(owner)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Records an attempt of a claimed delivery and what follows from it, fenced by `owner`'s
    /// lease.
    ///
    /// # Errors
    /// [`StoreError::LeaseLost`] when another sender holds it now (nothing written); database
    /// errors.
    pub async fn record_attempt(
        &self,
        id: &DeliveryId,
        owner: &str,
        report: &AttemptReport,
        outcome: &AttemptOutcome,
    ) -> Result<(), StoreError> {
        let now = now_millis();
        let (state, next, delivered) = match outcome {
            AttemptOutcome::Delivered => ("succeeded", now, Some(now)),
            AttemptOutcome::RetryAt(t) => ("pending", to_millis(*t), None),
            AttemptOutcome::Dead => ("dead", now, None),
        };
        let snippet = report
            .snippet
            .as_ref()
            .map(|s| s.chars().take(256).collect::<String>());
        let latency = i64::try_from(report.latency.as_micros()).unwrap_or(i64::MAX);
        let result: Result<(), StoreError> = with_pool!(self.store, |pool| {
            async {
                let mut tx = crate::begin_write(pool).await?;
                let attempt: Option<i32> = sqlx::query_scalar(
                    "UPDATE webhook_deliveries SET attempts = attempts + 1, state = $3, \
                     next_attempt_at = $4, delivered_at = $5, last_status = $6, last_error = $7, \
                     lease_owner = NULL, lease_expires_at = NULL \
                     WHERE id = $1 AND lease_owner = $2 RETURNING attempts",
                )
                .bind(id.as_str())
                .bind(owner)
                .bind(state)
                .bind(next)
                .bind(delivered)
                .bind(report.status.map(i32::from))
                .bind(&report.error)
                .fetch_optional(&mut *tx)
                .await?;
                if attempt.is_none() {
                    return Err(StoreError::LeaseLost {
                        run: id.to_string(),
                    });
                }
                // The log numbers attempts over the delivery's whole life: a replay starts the
                // retry schedule (`attempts`) again, not the log.
                sqlx::query(
                    "INSERT INTO webhook_attempts (delivery_id, attempt, at, status, latency_us, \
                     snippet, error) SELECT $1, COALESCE(MAX(attempt), 0) + 1, $2, $3, $4, $5, $6 \
                     FROM webhook_attempts WHERE delivery_id = $1",
                )
                .bind(id.as_str())
                .bind(now)
                .bind(report.status.map(i32::from))
                .bind(latency)
                .bind(&snippet)
                .bind(&report.error)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }
            .await
        });
        result
    }

    /// The latest `limit` deliveries of an endpoint with their attempts, newest first.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; database errors.
    pub async fn deliveries(
        &self,
        endpoint: &WebhookId,
        state: Option<DeliveryState>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.get(endpoint).await?;
        type Row = (
            String,
            String,
            i64,
            String,
            String,
            i32,
            i64,
            i64,
            Option<i64>,
        );
        let state_text = state.map(|s| match s {
            DeliveryState::Pending => "pending",
            DeliveryState::Succeeded => "succeeded",
            DeliveryState::Dead => "dead",
        });
        let rows: Vec<Row> = with_pool!(self.store, |pool| {
            sqlx::query_as(
            "SELECT id, connection_id, seq, kind, state, attempts, next_attempt_at, created_at, \
             delivered_at FROM webhook_deliveries WHERE endpoint_id = $1 \
             AND ($2 IS NULL OR state = $2) ORDER BY created_at DESC, id DESC LIMIT $3"
        )
        .bind(endpoint.as_str())
        .bind(state_text)
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(pool)
        .await
        })?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, connection, seq, kind, state, attempts, next, created, delivered) in rows {
            type A = (i32, i64, Option<i32>, i64, Option<String>, Option<String>);
            let attempts_rows: Vec<A> = with_pool!(self.store, |pool| sqlx::query_as(
                "SELECT attempt, at, status, latency_us, snippet, error FROM webhook_attempts \
                 WHERE delivery_id = $1 ORDER BY attempt"
            )
            .bind(&id)
            .fetch_all(pool)
            .await)?;
            let state = DeliveryState::parse(&state)?;
            out.push(Delivery {
                id: DeliveryId::from_db(id),
                endpoint_id: endpoint.clone(),
                connection_id: ConnectionId::from_db(connection),
                seq,
                kind,
                state,
                attempts: i64::from(attempts),
                next_attempt_at: (state == DeliveryState::Pending)
                    .then(|| from_millis(next))
                    .flatten(),
                created_at: millis_column("webhook_deliveries", "created_at", created)?,
                delivered_at: delivered.and_then(from_millis),
                attempt_log: attempts_rows
                    .into_iter()
                    .map(|(attempt, at, status, latency, snippet, error)| {
                        Ok(Attempt {
                            attempt: i64::from(attempt),
                            at: millis_column("webhook_attempts", "at", at)?,
                            status: status.and_then(|s| u16::try_from(s).ok()),
                            latency_ms: latency as f64 / 1000.0,
                            snippet,
                            error,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?,
            });
        }
        Ok(out)
    }

    /// Sends deliveries of `endpoint` again, now: one (by id), or every one of `connection`
    /// from change `from_seq` on. Dead and delivered ones become pending with a fresh count of
    /// attempts (the same `webhook-id`: receivers that already processed it may skip it).
    /// Returns how many.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown endpoint or delivery; database errors.
    pub async fn replay(
        &self,
        endpoint: &WebhookId,
        delivery: Option<&DeliveryId>,
        from: Option<(&ConnectionId, i64)>,
    ) -> Result<u64, StoreError> {
        self.get(endpoint).await?;
        let now = now_millis();
        let n = with_pool!(self.store, |pool| {
            sqlx::query(
            "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = $2, \
             lease_owner = NULL, lease_expires_at = NULL, delivered_at = NULL \
             WHERE endpoint_id = $1 AND state <> 'pending' \
             AND ($3 IS NULL OR id = $3) \
             AND ($4 IS NULL OR (connection_id = $4 AND seq >= $5))"
        )
        .bind(endpoint.as_str())
        .bind(now)
        .bind(delivery.map(|d| d.as_str()))
        .bind(from.map(|(c, _)| c.as_str()))
        .bind(from.map_or(0, |(_, s)| s))
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n == 0
            && let Some(d) = delivery
        {
            return Err(StoreError::NotFound {
                kind: "delivery to replay",
                id: d.to_string(),
            });
        }
        Ok(n)
    }

    /// How many deliveries are in each state (for metrics).
    ///
    /// # Errors
    /// Database errors.
    pub async fn counts(&self) -> Result<Vec<(DeliveryState, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = with_pool!(self.store, |pool| sqlx::query_as(
            "SELECT state, COUNT(*) FROM webhook_deliveries GROUP BY state"
        )
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|(s, n)| Ok((DeliveryState::parse(&s)?, n)))
            .collect()
    }
}

/// The subscriptions the outbox needs, read inside a sync batch's transaction.
#[derive(Debug, Clone)]
pub(crate) struct Subscription {
    pub id: String,
    pub events: Vec<String>,
    pub connections: Vec<ConnectionId>,
}

impl Subscription {
    pub(crate) fn wants(&self, connection: &ConnectionId, kind: &str) -> bool {
        matches(&self.events, &self.connections, connection, kind)
    }
}

pub(crate) fn subscriptions(rows: Vec<(String, String, String)>) -> Vec<Subscription> {
    rows.into_iter()
        .map(|(id, events, connections)| Subscription {
            id,
            events: split_list(&events),
            connections: split_list(&connections)
                .into_iter()
                .map(ConnectionId::from_db)
                .collect(),
        })
        .collect()
}

/// The body of a delivery (Standard Webhooks: `type`, `timestamp`, `data`): the change with the
/// full record after it, so no fetch is needed afterwards.
#[allow(clippy::too_many_arguments, reason = "the fields of one change")]
pub(crate) fn payload(
    connection: &ConnectionId,
    seq: i64,
    kind: &str,
    object: &str,
    record_id: &str,
    okta_at: Option<i64>,
    seen_at: i64,
    record: &str,
    changed: Option<&str>,
) -> String {
    let rfc = |ms: i64| {
        from_millis(ms).and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
    };
    let record: serde_json::Value = serde_json::from_str(record).unwrap_or_default();
    let mut data = serde_json::json!({
        "connection_id": connection.as_str(),
        "seq": seq,
        "object": object,
        "record_id": record_id,
        "okta_at": okta_at.and_then(rfc),
        "seen_at": rfc(seen_at),
        "record": record,
    });
    if let Some(changed) = changed.and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok()) {
        data["changed_fields"] = changed;
    }
    serde_json::json!({"type": kind, "timestamp": rfc(seen_at), "data": data}).to_string()
}
