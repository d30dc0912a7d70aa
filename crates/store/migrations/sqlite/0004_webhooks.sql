-- Webhooks (sqlite). Keep in step with migrations/postgres/0004_webhooks.sql.
-- Timestamps are milliseconds since the Unix epoch.

-- Endpoints: the signing secret is sealed under the master key (with the endpoint id as
-- associated data), like connection credentials; during a rotation the previous secret stays
-- until `previous_secret_until`. `events` and `connections` are comma-separated lists, empty
-- for all.
CREATE TABLE webhook_endpoints (
    id                      TEXT PRIMARY KEY,
    url                     TEXT NOT NULL,
    description             TEXT NOT NULL DEFAULT '',
    events                  TEXT NOT NULL DEFAULT '',
    connections             TEXT NOT NULL DEFAULT '',
    enabled                 BOOLEAN NOT NULL,
    disabled_reason         TEXT,
    secret_key_id           TEXT NOT NULL,
    secret                  BLOB NOT NULL,
    previous_secret_key_id  TEXT,
    previous_secret         BLOB,
    previous_secret_until   BIGINT,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);

-- The outbox: one delivery per change and subscribed endpoint, written in the same transaction as
-- the change. Its id is the `webhook-id` of every attempt; `payload` is the exact body, so
-- retries send the same bytes. `record_key` orders deliveries per record: one is attempted only
-- when no earlier one of the same endpoint and record is still pending.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    connection_id    TEXT NOT NULL,
    seq              BIGINT NOT NULL,
    record_key       TEXT NOT NULL,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    lease_owner      TEXT,
    lease_expires_at BIGINT,
    created_at       BIGINT NOT NULL,
    last_status      INTEGER,
    last_error       TEXT,
    delivered_at     BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint_id, record_key, seq);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);

-- Every attempt of a delivery, for `GET /v1/webhooks/{id}/deliveries`.
CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    at           BIGINT NOT NULL,
    status       INTEGER,
    latency_us   BIGINT NOT NULL,
    snippet      TEXT,
    error        TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
