-- Optional Okta Aerial settings per connection (PostgreSQL). Keep in step with
-- migrations/sqlite/0002_aerial.sql. The Aerial token is sealed like `credentials`; it is
-- NULL when the connection has no Aerial settings or no token.
ALTER TABLE connections ADD COLUMN aerial_url TEXT;
ALTER TABLE connections ADD COLUMN aerial_account_id TEXT;
ALTER TABLE connections ADD COLUMN aerial_token_key_id TEXT;
ALTER TABLE connections ADD COLUMN aerial_token BYTEA;
