-- The webhook sender's claim (sqlite). Keep in step with the other engine's 0007_webhook_claim.sql.
--
-- A claim takes the earliest due pending deliveries in (next_attempt_at, seq) order. With only
-- (state, next_attempt_at) indexed, every claim sorted all due deliveries by seq (and checked the
-- order-per-record condition for each of them): a backlog of 25,000 deliveries cost every claim of
-- 32 a pass over all of them. This index is walked in claim order and the walk stops at the limit.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_attempt_at, seq)
    WHERE state = 'pending';
