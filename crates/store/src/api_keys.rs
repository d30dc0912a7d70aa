//! The gateway's API keys.
//!
//! A key's secret is `spk_<ULID>_<43 base64url characters>`: the ULID is the public part of the
//! key's id (`key_<ULID>`), so a presented secret finds its row by primary key, and the 32 random
//! bytes after it are what makes it unguessable. Only SHA-256 of the whole secret is stored. A
//! slow password hash (argon2, bcrypt) buys nothing for 256 bits of randomness and would cost
//! every request; SHA-256 is the usual choice for random tokens. The stored and computed hashes
//! are compared in constant time.
//!
//! `last_used_at` is written at most once a minute per key ([`LAST_USED_GRANULARITY`]), so
//! authenticating is a single primary-key read on the hot path.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::OsRng;
use chacha20poly1305::aead::rand_core::RngCore;
use secrecy::SecretString;
use secrecy::zeroize::Zeroizing;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::{ApiKeyId, Store, StoreError, millis_column, with_pool};

/// How often (at most) `last_used_at` is written for one key.
pub const LAST_USED_GRANULARITY: std::time::Duration = std::time::Duration::from_secs(60);

const SECRET_PREFIX: &str = "spk_";
const ULID_LEN: usize = 26;
const RANDOM_LEN: usize = 43; // base64url of 32 bytes, unpadded

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ApiKeyScope {
    /// Read-only actions, listings and logs.
    ReadOnly,
    /// Everything, including writes to Okta and managing connections.
    Full,
}

impl ApiKeyScope {
    /// The stored form: `read_only` or `full`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKeyScope::ReadOnly => "read_only",
            ApiKeyScope::Full => "full",
        }
    }

    /// Whether a key with this scope may perform writes.
    pub fn allows_writes(self) -> bool {
        matches!(self, ApiKeyScope::Full)
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "read_only" => Some(ApiKeyScope::ReadOnly),
            "full" => Some(ApiKeyScope::Full),
            _ => None,
        }
    }
}

/// A stored API key, without its secret (which is never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    /// `key_…`
    pub id: ApiKeyId,
    /// A label chosen at creation (`ci`, `backend-prod`).
    pub name: String,
    /// What the key may do.
    pub scope: ApiKeyScope,
    /// When the key was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the key last authenticated a request (to within [`LAST_USED_GRANULARITY`]).
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// When the key was revoked; a revoked key authenticates nothing.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

impl ApiKey {
    /// Whether the key has been revoked.
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

#[derive(sqlx::FromRow)]
struct ApiKeyRow {
    id: String,
    name: String,
    scope: String,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl ApiKeyRow {
    fn into_key(self) -> Result<ApiKey, StoreError> {
        let opt =
            |col: &str, v: Option<i64>| v.map(|ms| millis_column("api_keys", col, ms)).transpose();
        Ok(ApiKey {
            scope: ApiKeyScope::parse(&self.scope).ok_or_else(|| StoreError::Corrupt {
                table: "api_keys",
                reason: format!("unknown scope {:?} for {}", self.scope, self.id),
            })?,
            created_at: millis_column("api_keys", "created_at", self.created_at)?,
            last_used_at: opt("last_used_at", self.last_used_at)?,
            revoked_at: opt("revoked_at", self.revoked_at)?,
            id: ApiKeyId::from_db(self.id),
            name: self.name,
        })
    }
}

const SELECT_COLUMNS: &str =
    "SELECT id, name, scope, created_at, last_used_at, revoked_at FROM api_keys";

fn hash_secret(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Splits `spk_<ULID>_<random>` into the key id; `None` for anything else.
fn key_id_of(secret: &str) -> Option<ApiKeyId> {
    let rest = secret.strip_prefix(SECRET_PREFIX)?;
    let (ulid, random) = (rest.get(..ULID_LEN)?, rest.get(ULID_LEN..)?);
    let random = random.strip_prefix('_')?;
    if random.len() != RANDOM_LEN {
        return None;
    }
    ulid::Ulid::from_string(ulid).ok().map(ApiKeyId::from_ulid)
}

/// The API keys table. Get one with [`Store::api_keys`].
#[derive(Debug, Clone, Copy)]
pub struct ApiKeys<'a> {
    store: &'a Store,
}

impl<'a> ApiKeys<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        ApiKeys { store }
    }

    /// Creates a key and returns it with its secret. The secret is shown this once: only its hash
    /// is kept.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an empty name; [`StoreError::Database`].
    pub async fn create(
        &self,
        name: &str,
        scope: ApiKeyScope,
    ) -> Result<(ApiKey, SecretString), StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(StoreError::Invalid {
                field: "name",
                reason: "must be 1 to 200 characters without control characters".into(),
            });
        }
        let ulid = crate::ids::new_ulid();
        let id = ApiKeyId::from_ulid(ulid);
        let mut random = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(random.as_mut());
        let secret = Zeroizing::new(format!(
            "{SECRET_PREFIX}{ulid}_{}",
            URL_SAFE_NO_PAD.encode(random.as_ref())
        ));
        let hash = hash_secret(&secret);
        let now = crate::now_millis();
        with_pool!(self.store, |pool| {
            sqlx::query(
                "INSERT INTO api_keys (id, name, scope, secret_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.as_str())
            .bind(name)
            .bind(scope.as_str())
            .bind(hash.as_slice())
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        tracing::info!(api_key = %id, scope = scope.as_str(), "api key created");
        let key = self.get(&id).await?;
        Ok((key, SecretString::from(secret.as_str())))
    }

    /// Every key, revoked ones included, newest first.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn list(&self) -> Result<Vec<ApiKey>, StoreError> {
        let sql = format!("{SELECT_COLUMNS} ORDER BY id DESC");
        let rows: Vec<ApiKeyRow> = with_pool!(self.store, |pool| sqlx::query_as(&sql)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(ApiKeyRow::into_key).collect()
    }

    /// The key with this id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Database`].
    pub async fn get(&self, id: &ApiKeyId) -> Result<ApiKey, StoreError> {
        let sql = format!("{SELECT_COLUMNS} WHERE id = $1");
        let row: Option<ApiKeyRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(&sql)
                .bind(id.as_str())
                .fetch_optional(pool)
                .await
        })?;
        row.ok_or_else(|| not_found(id))?.into_key()
    }

    /// Revokes the key: it authenticates nothing from now on. Revoking a revoked key keeps the
    /// first revocation time.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Database`].
    pub async fn revoke(&self, id: &ApiKeyId) -> Result<ApiKey, StoreError> {
        let now = crate::now_millis();
        with_pool!(self.store, |pool| {
            sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id.as_str())
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        let key = self.get(id).await?;
        tracing::info!(api_key = %id, "api key revoked");
        Ok(key)
    }

    /// The key a presented secret belongs to, or `None` when the secret is malformed, unknown,
    /// wrong or revoked. Records the use in `last_used_at` (at most once a minute).
    ///
    /// # Errors
    /// Only [`StoreError::Database`] (and [`StoreError::Corrupt`]); a bad secret is `Ok(None)`.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<ApiKey>, StoreError> {
        let Some(id) = key_id_of(secret) else {
            return Ok(None);
        };
        let row: Option<(Vec<u8>, ApiKeyRow)> = with_pool!(self.store, |pool| {
            sqlx::query_as::<_, ApiKeyRowWithHash>(
                "SELECT id, name, scope, created_at, last_used_at, revoked_at, secret_hash \
                 FROM api_keys WHERE id = $1",
            )
            .bind(id.as_str())
            .fetch_optional(pool)
            .await
        })?
        .map(ApiKeyRowWithHash::split);
        let Some((stored_hash, row)) = row else {
            return Ok(None);
        };
        let presented = hash_secret(secret);
        if !bool::from(presented.as_slice().ct_eq(stored_hash.as_slice())) {
            return Ok(None);
        }
        let mut key = row.into_key()?;
        if key.is_revoked() {
            return Ok(None);
        }
        let now = OffsetDateTime::now_utc();
        let stale = key
            .last_used_at
            .is_none_or(|t| now - t >= LAST_USED_GRANULARITY);
        if stale {
            let now_ms = crate::to_millis(now);
            with_pool!(self.store, |pool| {
                sqlx::query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1")
                    .bind(id.as_str())
                    .bind(now_ms)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected())
            })?;
            key.last_used_at = crate::from_millis(now_ms);
        }
        Ok(Some(key))
    }
}

#[derive(sqlx::FromRow)]
struct ApiKeyRowWithHash {
    #[sqlx(flatten)]
    row: ApiKeyRow,
    secret_hash: Vec<u8>,
}

impl ApiKeyRowWithHash {
    fn split(self) -> (Vec<u8>, ApiKeyRow) {
        (self.secret_hash, self.row)
    }
}

fn not_found(id: &ApiKeyId) -> StoreError {
    StoreError::NotFound {
        kind: "api key",
        id: id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_id_is_read_from_well_formed_secrets_only() {
        let ulid = crate::ids::new_ulid();
        let random = URL_SAFE_NO_PAD.encode([7u8; 32]);
        let good = format!("spk_{ulid}_{random}");
        assert_eq!(key_id_of(&good), Some(ApiKeyId::from_ulid(ulid)));
        // base64url may itself contain '_' and '-'.
        let underscores = format!("spk_{ulid}_{}", "_-".repeat(21) + "a");
        assert_eq!(key_id_of(&underscores), Some(ApiKeyId::from_ulid(ulid)));
        for bad in [
            "",
            "spk_",
            &format!("spk_{ulid}"),
            &format!("spk_{ulid}_short"),
            &format!("sk_{ulid}_{random}"),
            &format!("spk_{ulid}-{random}"),
            "spk_ééééééééééééééééééééééééééé_x",
        ] {
            assert_eq!(key_id_of(bad), None, "{bad:?}");
        }
    }
}
