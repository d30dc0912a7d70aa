//! Connections: one per customer Okta org, holding its URL, how Spindle authenticates to it, and
//! the credentials for that, encrypted under the master key.
//!
//! Secrets are write-only: [`Connection`] never carries them; only
//! [`Connections::credentials`] (and [`Connections::aerial_token`] for the optional Okta Aerial
//! Bearer token) decrypt them, for the code that is about to call Okta.

mod model;

pub use model::{
    AerialSettings, AuthConfig, AuthKind, Connection, ConnectionUpdate, Credentials, NewConnection,
    OAuthSettings,
};
use model::{
    aerial_token_from_plaintext, aerial_token_plaintext, auth_columns, check_aerial_token,
    check_kinds, check_name, normalize_aerial, normalize_org_url,
};
use secrecy::SecretString;

use crate::error::conflict_or;
use crate::{ConnectionId, Store, StoreError, millis_column, with_pool};

#[derive(sqlx::FromRow)]
struct ConnectionRow {
    id: String,
    name: String,
    org_url: String,
    auth_kind: String,
    client_id: Option<String>,
    key_id: Option<String>,
    scopes: String,
    dpop: bool,
    credentials_key_id: String,
    aerial_url: Option<String>,
    aerial_account_id: Option<String>,
    aerial_token_key_id: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl ConnectionRow {
    fn into_connection(self) -> Result<Connection, StoreError> {
        let has_aerial = self.aerial_url.is_some() && self.aerial_account_id.is_some();
        let auth = match self.auth_kind.as_str() {
            "api_token" => AuthConfig::ApiToken,
            "oauth" => AuthConfig::OAuth(OAuthSettings {
                client_id: self.client_id.unwrap_or_default(),
                key_id: self.key_id,
                scopes: self.scopes.split_whitespace().map(str::to_owned).collect(),
                dpop: self.dpop,
            }),
            other => {
                return Err(StoreError::Corrupt {
                    table: "connections",
                    reason: format!("unknown auth_kind {other:?} for {}", self.id),
                });
            }
        };
        Ok(Connection {
            created_at: millis_column("connections", "created_at", self.created_at)?,
            updated_at: millis_column("connections", "updated_at", self.updated_at)?,
            id: ConnectionId::from_db(self.id),
            name: self.name,
            org_url: self.org_url,
            auth,
            credentials_key_id: self.credentials_key_id,
            aerial: match (self.aerial_url, self.aerial_account_id) {
                (Some(url), Some(account_id)) => Some(AerialSettings { url, account_id }),
                _ => None,
            },
            aerial_token_key_id: self.aerial_token_key_id.filter(|_| has_aerial),
        })
    }
}

const SELECT_COLUMNS: &str = "SELECT id, name, org_url, auth_kind, client_id, key_id, scopes, \
     dpop, credentials_key_id, aerial_url, aerial_account_id, aerial_token_key_id, created_at, \
     updated_at FROM connections";

/// The aerial part of an UPDATE's SET list, its parameters numbered from `$first`:
/// (set settings?, url, account id, set token?, token key id, sealed token).
fn aerial_assignments(first: usize) -> String {
    let p = |i: usize| format!("${}", first + i);
    format!(
        "aerial_url = CASE WHEN {s} THEN {url} ELSE aerial_url END, \
         aerial_account_id = CASE WHEN {s} THEN {acc} ELSE aerial_account_id END, \
         aerial_token_key_id = CASE WHEN {t} THEN {kid} ELSE aerial_token_key_id END, \
         aerial_token = CASE WHEN {t} THEN {tok} ELSE aerial_token END",
        s = p(0),
        url = p(1),
        acc = p(2),
        t = p(3),
        kid = p(4),
        tok = p(5),
    )
}

/// What an update writes to the aerial columns.
#[derive(Default)]
struct AerialWrite {
    set_settings: bool,
    url: Option<String>,
    account_id: Option<String>,
    set_token: bool,
    token_key_id: Option<String>,
    token: Option<Vec<u8>>,
}

/// The connections table. Get one with [`Store::connections`].
#[derive(Debug, Clone, Copy)]
pub struct Connections<'a> {
    store: &'a Store,
}

impl<'a> Connections<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Connections { store }
    }

    /// Creates a connection, encrypting its credentials under the current master key.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a bad name or org URL, or credentials of the wrong kind;
    /// [`StoreError::Conflict`] when the name is taken; [`StoreError::Database`].
    pub async fn create(&self, new: NewConnection) -> Result<Connection, StoreError> {
        let name = check_name(&new.name)?;
        let org_url = normalize_org_url(&new.org_url)?;
        check_kinds(&new.auth, &new.credentials)?;
        let (kind, client_id, key_id, scopes, dpop) = auth_columns(&new.auth)?;
        let aerial = new.aerial.as_ref().map(normalize_aerial).transpose()?;
        if let Some(t) = &new.aerial_token {
            check_aerial_token(t)?;
            if aerial.is_none() {
                return Err(aerial_token_without_settings());
            }
        }
        let id = ConnectionId::generate();
        let key = self.store.master_key();
        let blob = key.seal(id.as_str(), &new.credentials.to_plaintext()?)?;
        let aerial_blob = new
            .aerial_token
            .as_ref()
            .map(|t| key.seal(id.as_str(), &aerial_token_plaintext(t)?))
            .transpose()?;
        let aerial_key_id = aerial_blob.as_ref().map(|_| key.id().to_owned());
        let (aerial_url, aerial_account) = match aerial {
            Some(a) => (Some(a.url), Some(a.account_id)),
            None => (None, None),
        };
        let now = crate::now_millis();
        let sql = "INSERT INTO connections (id, name, org_url, auth_kind, client_id, key_id, \
                   scopes, dpop, credentials_key_id, credentials, created_at, updated_at, \
                   aerial_url, aerial_account_id, aerial_token_key_id, aerial_token) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15)";
        with_pool!(self.store, |pool| {
            sqlx::query(sql)
                .bind(id.as_str())
                .bind(&name)
                .bind(&org_url)
                .bind(kind)
                .bind(&client_id)
                .bind(&key_id)
                .bind(&scopes)
                .bind(dpop)
                .bind(key.id())
                .bind(&blob)
                .bind(now)
                .bind(&aerial_url)
                .bind(&aerial_account)
                .bind(&aerial_key_id)
                .bind(&aerial_blob)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(|e| conflict_or(e, "connection", &name))?;
        tracing::info!(connection = %id, name = %name, "connection created");
        self.get(&id).await
    }

    /// All connections, ordered by name.
    ///
    /// # Errors
    /// [`StoreError::Database`]; [`StoreError::Corrupt`] for an unreadable row.
    pub async fn list(&self) -> Result<Vec<Connection>, StoreError> {
        let sql = format!("{SELECT_COLUMNS} ORDER BY name");
        let rows: Vec<ConnectionRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(&sql).fetch_all(pool).await
        })?;
        rows.into_iter()
            .map(ConnectionRow::into_connection)
            .collect()
    }

    /// The connection with this id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Database`].
    pub async fn get(&self, id: &ConnectionId) -> Result<Connection, StoreError> {
        let sql = format!("{SELECT_COLUMNS} WHERE id = $1");
        let row: Option<ConnectionRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(&sql)
                .bind(id.as_str())
                .fetch_optional(pool)
                .await
        })?;
        row.ok_or_else(|| not_found(id.as_str()))?.into_connection()
    }

    /// The connection with this name.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Database`].
    pub async fn get_by_name(&self, name: &str) -> Result<Connection, StoreError> {
        let sql = format!("{SELECT_COLUMNS} WHERE name = $1");
        let row: Option<ConnectionRow> = with_pool!(self.store, |pool| {
            sqlx::query_as(&sql)
                .bind(name.trim())
                .fetch_optional(pool)
                .await
        })?;
        row.ok_or_else(|| not_found(name))?.into_connection()
    }

    /// Applies `update`. Credentials are re-encrypted only when new ones are given.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Invalid`] (bad values, or an auth kind change
    /// without matching credentials); [`StoreError::Conflict`] for a taken name;
    /// [`StoreError::Database`].
    pub async fn update(
        &self,
        id: &ConnectionId,
        update: ConnectionUpdate,
    ) -> Result<Connection, StoreError> {
        let name = update.name.as_deref().map(check_name).transpose()?;
        let org_url = update
            .org_url
            .as_deref()
            .map(normalize_org_url)
            .transpose()?;
        let aerial_settings = match &update.aerial {
            Some(Some(a)) => Some(Some(normalize_aerial(a)?)),
            Some(None) => Some(None),
            None => None,
        };
        if let Some(t) = &update.aerial_token {
            check_aerial_token(t)?;
        }
        let current = self.get(id).await?;
        let has_aerial = current.aerial.is_some();
        // create/update keep the auth_kind column and the sealed credentials' kind in step.
        let current_kind = current.auth.kind();
        let auth = update.auth.unwrap_or(current.auth);
        match &update.credentials {
            Some(c) => check_kinds(&auth, c)?,
            None if auth.kind() != current_kind => {
                return Err(StoreError::Invalid {
                    field: "credentials",
                    reason: format!(
                        "changing the auth kind to {} requires new credentials",
                        auth.kind().as_str()
                    ),
                });
            }
            None => {}
        }
        let (kind, client_id, key_id, scopes, dpop) = auth_columns(&auth)?;
        let name = name.unwrap_or(current.name);
        let org_url = org_url.unwrap_or(current.org_url);
        let sealed = match &update.credentials {
            Some(c) => {
                let key = self.store.master_key();
                Some((
                    key.id().to_owned(),
                    key.seal(id.as_str(), &c.to_plaintext()?)?,
                ))
            }
            None => None,
        };
        let aerial = self.aerial_write(
            id,
            has_aerial,
            aerial_settings,
            update.aerial_token.as_ref(),
        )?;
        let with_credentials = format!(
            "UPDATE connections SET name = $2, org_url = $3, auth_kind = $4, \
             client_id = $5, key_id = $6, scopes = $7, dpop = $8, \
             credentials_key_id = $9, credentials = $10, updated_at = $11, {} \
             WHERE id = $1",
            aerial_assignments(12)
        );
        let without_credentials = format!(
            "UPDATE connections SET name = $2, org_url = $3, auth_kind = $4, \
             client_id = $5, key_id = $6, scopes = $7, dpop = $8, updated_at = $9, {} \
             WHERE id = $1 AND auth_kind = $10",
            aerial_assignments(11)
        );
        let now = crate::now_millis();
        let result = with_pool!(self.store, |pool| {
            match &sealed {
                Some((key_id_col, blob)) => sqlx::query(&with_credentials)
                    .bind(id.as_str())
                    .bind(&name)
                    .bind(&org_url)
                    .bind(kind)
                    .bind(&client_id)
                    .bind(&key_id)
                    .bind(&scopes)
                    .bind(dpop)
                    .bind(key_id_col)
                    .bind(blob)
                    .bind(now)
                    .bind(aerial.set_settings)
                    .bind(&aerial.url)
                    .bind(&aerial.account_id)
                    .bind(aerial.set_token)
                    .bind(&aerial.token_key_id)
                    .bind(&aerial.token)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected()),
                None => sqlx::query(&without_credentials)
                    .bind(id.as_str())
                    .bind(&name)
                    .bind(&org_url)
                    .bind(kind)
                    .bind(&client_id)
                    .bind(&key_id)
                    .bind(&scopes)
                    .bind(dpop)
                    .bind(now)
                    .bind(current_kind.as_str())
                    .bind(aerial.set_settings)
                    .bind(&aerial.url)
                    .bind(&aerial.account_id)
                    .bind(aerial.set_token)
                    .bind(&aerial.token_key_id)
                    .bind(&aerial.token)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected()),
            }
        })
        .map_err(|e| conflict_or(e, "connection", &name))?;
        if result == 0 {
            // Deleted, or its auth kind changed concurrently (the stored credentials would no
            // longer match the settings being written).
            self.get(id).await?;
            return Err(StoreError::Invalid {
                field: "auth",
                reason: "the connection's auth kind changed concurrently; retry".into(),
            });
        }
        tracing::info!(
            connection = %id,
            credentials_replaced = sealed.is_some(),
            aerial_changed = aerial.set_settings,
            aerial_token_replaced = aerial.token.is_some(),
            "connection updated"
        );
        self.get(id).await
    }

    /// Deletes the connection and its credentials. Its call log stays until pruned.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Database`].
    pub async fn delete(&self, id: &ConnectionId) -> Result<(), StoreError> {
        let result = with_pool!(self.store, |pool| {
            sqlx::query("DELETE FROM connections WHERE id = $1")
                .bind(id.as_str())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        if result == 0 {
            return Err(not_found(id.as_str()));
        }
        tracing::info!(connection = %id, "connection deleted");
        Ok(())
    }

    /// Decrypts the connection's credentials.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::KeyMismatch`] when they were encrypted under
    /// another master key; [`StoreError::Crypto`] when the ciphertext was altered or moved from
    /// another row; [`StoreError::Database`].
    pub async fn credentials(&self, id: &ConnectionId) -> Result<Credentials, StoreError> {
        let row: Option<(String, Vec<u8>)> = with_pool!(self.store, |pool| {
            sqlx::query_as("SELECT credentials_key_id, credentials FROM connections WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(pool)
                .await
        })?;
        let (key_id, blob) = row.ok_or_else(|| not_found(id.as_str()))?;
        let plaintext = self.store.master_key().open(id.as_str(), &key_id, &blob)?;
        Credentials::from_plaintext(id.as_str(), &plaintext)
    }
}

impl Connections<'_> {
    /// Decides what an update writes to the aerial columns (sealing a new token).
    fn aerial_write(
        &self,
        id: &ConnectionId,
        has_aerial: bool,
        settings: Option<Option<AerialSettings>>,
        token: Option<&SecretString>,
    ) -> Result<AerialWrite, StoreError> {
        let mut w = AerialWrite::default();
        let will_have_settings = match &settings {
            Some(s) => s.is_some(),
            None => has_aerial,
        };
        if let Some(s) = settings {
            w.set_settings = true;
            match s {
                Some(a) => {
                    w.url = Some(a.url);
                    w.account_id = Some(a.account_id);
                }
                None => w.set_token = true, // removing the settings drops the token
            }
        }
        if let Some(t) = token {
            if !will_have_settings {
                return Err(aerial_token_without_settings());
            }
            let key = self.store.master_key();
            w.set_token = true;
            w.token_key_id = Some(key.id().to_owned());
            w.token = Some(key.seal(id.as_str(), &aerial_token_plaintext(t)?)?);
        }
        Ok(w)
    }

    /// Decrypts the connection's Okta Aerial Bearer token; `None` when it has no Aerial
    /// settings or no token.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::KeyMismatch`] when it was encrypted under
    /// another master key; [`StoreError::Crypto`] when the ciphertext was altered or moved from
    /// another row; [`StoreError::Database`].
    pub async fn aerial_token(
        &self,
        id: &ConnectionId,
    ) -> Result<Option<SecretString>, StoreError> {
        type Row = (Option<String>, Option<String>, Option<Vec<u8>>);
        let row: Option<Row> = with_pool!(self.store, |pool| {
            sqlx::query_as(
                "SELECT aerial_url, aerial_token_key_id, aerial_token FROM connections \
                 WHERE id = $1",
            )
            .bind(id.as_str())
            .fetch_optional(pool)
            .await
        })?;
        let (url, key_id, blob) = row.ok_or_else(|| not_found(id.as_str()))?;
        let (Some(_), Some(key_id), Some(blob)) = (url, key_id, blob) else {
            return Ok(None);
        };
        let plaintext = self.store.master_key().open(id.as_str(), &key_id, &blob)?;
        aerial_token_from_plaintext(id.as_str(), &plaintext).map(Some)
    }
}

fn aerial_token_without_settings() -> StoreError {
    StoreError::Invalid {
        field: "aerial_token",
        reason: "needs Aerial settings (url and account_id) on the connection".into(),
    }
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        kind: "connection",
        id: id.to_owned(),
    }
}
