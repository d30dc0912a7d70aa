-- Rate-limit budgets shared by the gateway processes (postgres). Keep in step with
-- migrations/sqlite/0006_rate_budget.sql.
--
-- Quota leasing (docs/scale-out.md, "Rate limits across processes"): per connection and
-- rate-limit bucket (method and path template), the window Okta reported (X-Rate-Limit-Reset,
-- epoch seconds on Okta's clock: the same number in every process), its limit, and how many
-- requests of that window the processes have been granted or reported. A newer reset starts a
-- new window. `last_grant` is the grant of the latest claim (what RETURNING hands back).
-- `probe_reset`/`probe_until` (epoch milliseconds) record which process-wide probe of an ended
-- window is under way, so only one process probes it.
CREATE TABLE rate_budget (
    connection_id  TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    bucket         TEXT NOT NULL,
    reset_at       BIGINT NOT NULL,
    rate_limit     BIGINT NOT NULL,
    granted        BIGINT NOT NULL,
    last_grant     BIGINT NOT NULL DEFAULT 0,
    probe_reset    BIGINT,
    probe_until    BIGINT NOT NULL DEFAULT 0,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (connection_id, bucket)
);
