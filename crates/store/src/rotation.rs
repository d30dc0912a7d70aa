//! Master key rotation: re-encrypting every connection's credentials and Aerial token, and every
//! webhook endpoint's signing secrets.

use crate::{MasterKey, Store, StoreError, begin_write, with_pool};

/// Each sealed secret column: how to read (id, key id, blob) and how to write it back.
const SECRET_COLUMNS: [(&str, &str); 4] = [
    (
        "SELECT id, credentials_key_id, credentials FROM connections ORDER BY id",
        "UPDATE connections SET credentials_key_id = $2, credentials = $3 WHERE id = $1",
    ),
    (
        "SELECT id, aerial_token_key_id, aerial_token FROM connections \
         WHERE aerial_token IS NOT NULL AND aerial_token_key_id IS NOT NULL ORDER BY id",
        "UPDATE connections SET aerial_token_key_id = $2, aerial_token = $3 WHERE id = $1",
    ),
    (
        "SELECT id, secret_key_id, secret FROM webhook_endpoints ORDER BY id",
        "UPDATE webhook_endpoints SET secret_key_id = $2, secret = $3 WHERE id = $1",
    ),
    (
        "SELECT id, previous_secret_key_id, previous_secret FROM webhook_endpoints \
         WHERE previous_secret IS NOT NULL AND previous_secret_key_id IS NOT NULL ORDER BY id",
        "UPDATE webhook_endpoints SET previous_secret_key_id = $2, previous_secret = $3 \
         WHERE id = $1",
    ),
];

impl Store {
    /// Re-encrypts every connection's credentials and Aerial token from `old` to `new` in one
    /// transaction, then makes `new` this store's master key. Returns how many secrets
    /// (credentials and Aerial tokens) were re-encrypted.
    ///
    /// Secrets already under `new` are left alone (after checking they decrypt), so running
    /// the rotation again is harmless. Other gateway processes that still hold `old` will get
    /// [`StoreError::KeyMismatch`] until restarted with `new`; a connection such a process
    /// writes meanwhile is sealed under `old`, and running the rotation again moves it to `new`.
    ///
    /// # Errors
    /// [`StoreError::KeyMismatch`] naming the first connection encrypted under neither key (the
    /// transaction is rolled back and nothing changes); [`StoreError::Crypto`];
    /// [`StoreError::Database`].
    pub async fn rotate_master_key(
        &self,
        old: &MasterKey,
        new: &MasterKey,
    ) -> Result<u64, StoreError> {
        let rotated = with_pool!(self, |pool| {
            let mut tx = begin_write(pool).await?;
            if self.backend() == crate::Backend::Postgres {
                // Hold off other nodes' writes to connections until the rotation commits, so no
                // row is written under the old key after it was read. Reads go on. (SQLite's
                // BEGIN IMMEDIATE already excludes other writers.)
                sqlx::query("LOCK TABLE connections IN EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await?;
            }
            let mut rotated = 0u64;
            for (select, update) in SECRET_COLUMNS {
                let rows: Vec<(String, String, Vec<u8>)> =
                    sqlx::query_as(select).fetch_all(&mut *tx).await?;
                for (id, key_id, blob) in rows {
                    if key_id == new.id() {
                        new.open(&id, &key_id, &blob)?;
                        continue;
                    }
                    let plaintext = old.open(&id, &key_id, &blob)?;
                    let sealed = new.seal(&id, &plaintext)?;
                    sqlx::query(update)
                        .bind(&id)
                        .bind(new.id())
                        .bind(&sealed)
                        .execute(&mut *tx)
                        .await?;
                    rotated += 1;
                }
            }
            tx.commit().await?;
            Ok::<u64, StoreError>(rotated)
        })?;
        self.set_master_key(new.clone());
        tracing::info!(
            rotated,
            old_key_id = old.id(),
            new_key_id = new.id(),
            "master key rotated"
        );
        Ok(rotated)
    }
}
