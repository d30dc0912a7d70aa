-- The surface a logged Okta call came through (postgres): NULL for the HTTP API and the sync,
-- 'mcp' for a tool call of the gateway's MCP endpoint. Keep in step with
-- migrations/sqlite/0005_call_via.sql.
ALTER TABLE call_log ADD COLUMN via TEXT;
