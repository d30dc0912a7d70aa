-- Incremental sync (postgres). Keep in step with migrations/sqlite/0003_sync.sql.
-- Timestamps are milliseconds since the Unix epoch.

-- One row per connection that has synced or has sync settings: its settings and the state that
-- outlives a run. `feed_seq` is the last change-feed sequence number handed out; the writer of
-- a batch updates this row first, so writers of one connection are serialized and sequence
-- numbers commit in order.
CREATE TABLE sync_configs (
    connection_id  TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    enabled        BOOLEAN NOT NULL,
    interval_ms    BIGINT NOT NULL,
    full_every_ms  BIGINT NOT NULL,
    objects        TEXT NOT NULL,
    rate_share     DOUBLE PRECISION NOT NULL,
    updated_at     BIGINT NOT NULL,
    log_next       TEXT,
    last_full_at   BIGINT,
    feed_seq       BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sync_runs (
    id               TEXT PRIMARY KEY,
    connection_id    TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    full_pass        BOOLEAN NOT NULL,
    trigger_kind     TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    queued_at        BIGINT NOT NULL,
    started_at       BIGINT,
    ended_at         BIGINT,
    pages            BIGINT NOT NULL DEFAULT 0,
    records          BIGINT NOT NULL DEFAULT 0,
    changes          BIGINT NOT NULL DEFAULT 0,
    calls            BIGINT NOT NULL DEFAULT 0,
    throttled        BIGINT NOT NULL DEFAULT 0,
    attempts         BIGINT NOT NULL DEFAULT 0,
    error            TEXT,
    checkpoint       TEXT,
    lease_owner      TEXT,
    lease_expires_at BIGINT
);
-- At most one queued or running run per connection.
CREATE UNIQUE INDEX sync_runs_active ON sync_runs (connection_id)
    WHERE state IN ('queued', 'running');
CREATE INDEX sync_runs_connection ON sync_runs (connection_id, queued_at DESC, id DESC);

-- The synced copy. `version` is the feed sequence number of the record's last change;
-- `seen_at` is when a read of Okta last found it (a reconciliation deletes what a complete pass
-- did not see); `terminal` marks a record in its end state (a deprovisioned user), so the
-- change into it can be told apart; memberships also keep their group and user ids for lookups.
CREATE TABLE sync_records (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    object        TEXT NOT NULL,
    id            TEXT NOT NULL,
    data          TEXT NOT NULL,
    hash          BYTEA NOT NULL,
    version       BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    seen_at       BIGINT NOT NULL,
    deleted_at    BIGINT,
    terminal      BOOLEAN NOT NULL DEFAULT FALSE,
    group_id      TEXT,
    user_id       TEXT,
    PRIMARY KEY (connection_id, object, id)
);
CREATE INDEX sync_records_updated ON sync_records (connection_id, object, updated_at);
CREATE INDEX sync_records_group ON sync_records (connection_id, group_id) WHERE group_id IS NOT NULL;
CREATE INDEX sync_records_user ON sync_records (connection_id, user_id) WHERE user_id IS NOT NULL;

-- The change feed: one row per change, numbered per connection.
CREATE TABLE sync_changes (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    seq           BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    object        TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    okta_at       BIGINT,
    seen_at       BIGINT NOT NULL,
    data          TEXT NOT NULL,
    changed       TEXT,
    PRIMARY KEY (connection_id, seq)
);
