-- Spindle store, initial schema (PostgreSQL). Keep in step with migrations/sqlite/0001_initial.sql.
-- Timestamps are milliseconds since the Unix epoch.

CREATE TABLE connections (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    org_url            TEXT NOT NULL,
    auth_kind          TEXT NOT NULL CHECK (auth_kind IN ('api_token', 'oauth')),
    client_id          TEXT,
    key_id             TEXT,
    scopes             TEXT NOT NULL DEFAULT '',
    dpop               BOOLEAN NOT NULL DEFAULT FALSE,
    credentials_key_id TEXT NOT NULL,
    credentials        BYTEA NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('read_only', 'full')),
    secret_hash  BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

-- No foreign key to connections: the log is history and outlives a deleted connection.
CREATE TABLE call_log (
    id              TEXT PRIMARY KEY,
    at              BIGINT NOT NULL,
    connection_id   TEXT,
    action          TEXT,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    status          INTEGER,
    latency_us      BIGINT NOT NULL,
    okta_request_id TEXT,
    error_code      TEXT
);
CREATE INDEX call_log_at ON call_log (at DESC, id DESC);
CREATE INDEX call_log_connection_at ON call_log (connection_id, at DESC, id DESC);
CREATE INDEX call_log_action_at ON call_log (action, at DESC, id DESC);
