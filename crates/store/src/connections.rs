//! Connections: one per customer Okta org, holding its URL, how Spindle authenticates to it, and
//! the credentials for that, encrypted under the master key.
//!
//! Secrets are write-only: [`Connection`] never carries them; only
//! [`Connections::credentials`] decrypts them, for the code that is about to call Okta.

use secrecy::zeroize::{Zeroize, Zeroizing};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::conflict_or;
use crate::{ConnectionId, MasterKey, Store, StoreError, begin_write, millis_column, with_pool};

/// How Spindle authenticates to an org, without the secret part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthConfig {
    /// An `SSWS` API token.
    ApiToken,
    /// OAuth 2.0 client credentials with `private_key_jwt`.
    #[serde(rename = "oauth")]
    OAuth(OAuthSettings),
}

impl AuthConfig {
    /// The kind of authentication.
    pub fn kind(&self) -> AuthKind {
        match self {
            AuthConfig::ApiToken => AuthKind::ApiToken,
            AuthConfig::OAuth(_) => AuthKind::OAuth,
        }
    }
}

/// The kinds of authentication a connection can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthKind {
    /// An `SSWS` API token.
    ApiToken,
    /// OAuth 2.0 client credentials with `private_key_jwt`.
    #[serde(rename = "oauth")]
    OAuth,
}

impl AuthKind {
    fn as_str(self) -> &'static str {
        match self {
            AuthKind::ApiToken => "api_token",
            AuthKind::OAuth => "oauth",
        }
    }
}

/// The non-secret settings of an OAuth service app.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OAuthSettings {
    /// The service app's client id.
    pub client_id: String,
    /// The `kid` of the public key registered with the app, sent in the client assertion header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The scopes to request (`okta.users.read`, …).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Whether the org demands DPoP-bound tokens. (The DPoP key pair is ephemeral, made by the
    /// client at run time; nothing secret is stored for it.)
    #[serde(default)]
    pub dpop: bool,
}

impl OAuthSettings {
    /// Settings for `client_id` requesting `scopes`, without DPoP or a key id.
    pub fn new(client_id: impl Into<String>, scopes: Vec<String>) -> Self {
        OAuthSettings {
            client_id: client_id.into(),
            key_id: None,
            scopes,
            dpop: false,
        }
    }

    /// Sets the `kid` of the registered public key.
    pub fn key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }

    /// Sets whether DPoP is required.
    pub fn dpop(mut self, dpop: bool) -> Self {
        self.dpop = dpop;
        self
    }
}

/// The secret part of a connection's authentication. `Debug` redacts the secrets.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// The `SSWS` API token (for [`AuthConfig::ApiToken`]).
    ApiToken(SecretString),
    /// The private key signing the client assertion (for [`AuthConfig::OAuth`]): PEM (PKCS#8 or
    /// PKCS#1) or a JWK, as Okta's SDKs accept.
    PrivateKey(SecretString),
}

impl Credentials {
    /// The kind of authentication these credentials are for.
    pub fn kind(&self) -> AuthKind {
        match self {
            Credentials::ApiToken(_) => AuthKind::ApiToken,
            Credentials::PrivateKey(_) => AuthKind::OAuth,
        }
    }

    fn secret(&self) -> &SecretString {
        match self {
            Credentials::ApiToken(s) | Credentials::PrivateKey(s) => s,
        }
    }

    /// The plaintext that gets sealed: `{"kind":"api_token","secret":"…"}`.
    fn to_plaintext(&self) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        let repr = SealedCredentials {
            kind: self.kind(),
            secret: self.secret().expose_secret().to_owned(),
        };
        // Serializing a String field cannot fail; map anyway rather than panic.
        serde_json::to_vec(&repr)
            .map(Zeroizing::new)
            .map_err(|_| StoreError::Invalid {
                field: "credentials",
                reason: "cannot be serialized".into(),
            })
    }

    fn from_plaintext(connection: &str, bytes: &[u8]) -> Result<Credentials, StoreError> {
        let mut repr: SealedCredentials =
            serde_json::from_slice(bytes).map_err(|_| StoreError::Corrupt {
                table: "connections",
                reason: format!("decrypted credentials of {connection} are not readable"),
            })?;
        let secret = SecretString::from(std::mem::take(&mut repr.secret));
        Ok(match repr.kind {
            AuthKind::ApiToken => Credentials::ApiToken(secret),
            AuthKind::OAuth => Credentials::PrivateKey(secret),
        })
    }
}

#[derive(Serialize, Deserialize)]
struct SealedCredentials {
    kind: AuthKind,
    secret: String,
}

impl Drop for SealedCredentials {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// What [`Connections::create`] takes.
#[derive(Debug, Clone)]
pub struct NewConnection {
    /// A unique, human-chosen name (`acme-prod`).
    pub name: String,
    /// The org's base URL (`https://acme.okta.com`); normalized to scheme, host and port.
    pub org_url: String,
    /// How to authenticate.
    pub auth: AuthConfig,
    /// The secret matching `auth`.
    pub credentials: Credentials,
}

impl NewConnection {
    /// A connection that authenticates with an `SSWS` API token.
    pub fn api_token(
        name: impl Into<String>,
        org_url: impl Into<String>,
        token: SecretString,
    ) -> Self {
        NewConnection {
            name: name.into(),
            org_url: org_url.into(),
            auth: AuthConfig::ApiToken,
            credentials: Credentials::ApiToken(token),
        }
    }

    /// A connection that authenticates as an OAuth service app with `private_key_jwt`.
    pub fn oauth(
        name: impl Into<String>,
        org_url: impl Into<String>,
        settings: OAuthSettings,
        private_key: SecretString,
    ) -> Self {
        NewConnection {
            name: name.into(),
            org_url: org_url.into(),
            auth: AuthConfig::OAuth(settings),
            credentials: Credentials::PrivateKey(private_key),
        }
    }
}

/// A change to a connection: `None` fields are left as they are. Changing the auth kind requires
/// new credentials; changing only non-secret fields keeps the stored credentials.
#[derive(Debug, Clone, Default)]
pub struct ConnectionUpdate {
    /// A new unique name.
    pub name: Option<String>,
    /// A new org URL.
    pub org_url: Option<String>,
    /// New auth settings (client id, scopes, DPoP, …, or a different kind).
    pub auth: Option<AuthConfig>,
    /// New credentials (replacing the stored secret).
    pub credentials: Option<Credentials>,
}

impl ConnectionUpdate {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Renames the connection.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Points the connection at another org URL.
    pub fn org_url(mut self, org_url: impl Into<String>) -> Self {
        self.org_url = Some(org_url.into());
        self
    }

    /// Replaces the auth settings.
    pub fn auth(mut self, auth: AuthConfig) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Replaces the credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }
}

/// A stored connection, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    /// `conn_…`
    pub id: ConnectionId,
    /// The unique name.
    pub name: String,
    /// The normalized org URL (`https://acme.okta.com`, no trailing slash).
    pub org_url: String,
    /// How Spindle authenticates to the org.
    pub auth: AuthConfig,
    /// The id of the master key the credentials are encrypted under.
    pub credentials_key_id: String,
    /// When the connection was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the connection (or its credentials) last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

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
    created_at: i64,
    updated_at: i64,
}

impl ConnectionRow {
    fn into_connection(self) -> Result<Connection, StoreError> {
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
        })
    }
}

const SELECT_COLUMNS: &str = "SELECT id, name, org_url, auth_kind, client_id, key_id, scopes, \
     dpop, credentials_key_id, created_at, updated_at FROM connections";

/// The non-secret auth columns: (kind, client_id, key_id, scopes, dpop).
type AuthColumns = (&'static str, Option<String>, Option<String>, String, bool);

fn auth_columns(auth: &AuthConfig) -> Result<AuthColumns, StoreError> {
    Ok(match auth {
        AuthConfig::ApiToken => ("api_token", None, None, String::new(), false),
        AuthConfig::OAuth(s) => {
            let client_id = s.client_id.trim();
            if client_id.is_empty() {
                return Err(StoreError::Invalid {
                    field: "client_id",
                    reason: "must not be empty for OAuth".into(),
                });
            }
            if let Some(scope) = s
                .scopes
                .iter()
                .find(|sc| sc.is_empty() || sc.chars().any(char::is_whitespace))
            {
                return Err(StoreError::Invalid {
                    field: "scopes",
                    reason: format!("scope {scope:?} is empty or contains whitespace"),
                });
            }
            (
                "oauth",
                Some(client_id.to_owned()),
                s.key_id.clone().filter(|k| !k.trim().is_empty()),
                s.scopes.join(" "),
                s.dpop,
            )
        }
    })
}

fn check_kinds(auth: &AuthConfig, credentials: &Credentials) -> Result<(), StoreError> {
    if auth.kind() == credentials.kind() {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            field: "credentials",
            reason: format!(
                "{} credentials given for a connection that authenticates with {}",
                credentials.kind().as_str(),
                auth.kind().as_str()
            ),
        })
    }
}

fn check_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(StoreError::Invalid {
            field: "name",
            reason: "must be 1 to 200 characters without control characters".into(),
        });
    }
    Ok(name.to_owned())
}

/// Validates and normalizes an org URL to `scheme://host[:port]`.
///
/// `https` is required, except for loopback hosts (`localhost`, `127.0.0.1`, `[::1]`), where
/// `http` is accepted so a connection can point at the local emulator.
pub(crate) fn normalize_org_url(raw: &str) -> Result<String, StoreError> {
    let invalid = |reason: &str| StoreError::Invalid {
        field: "org_url",
        reason: reason.to_owned(),
    };
    let url = url::Url::parse(raw.trim())
        .map_err(|e| invalid(&format!("not a URL ({e}); expected https://ORG.okta.com")))?;
    let host = url
        .host()
        .ok_or_else(|| invalid("has no host; expected https://ORG.okta.com"))?;
    let loopback = match &host {
        url::Host::Domain(d) => *d == "localhost",
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(invalid("must use https (http only for localhost)")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not contain credentials"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "must be the org's base URL without a path or query (https://ORG.okta.com)",
        ));
    }
    let mut out = format!("{}://{}", url.scheme(), host);
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    Ok(out)
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
        let id = ConnectionId::generate();
        let key = self.store.master_key();
        let blob = key.seal(id.as_str(), &new.credentials.to_plaintext()?)?;
        let now = crate::now_millis();
        let sql = "INSERT INTO connections (id, name, org_url, auth_kind, client_id, key_id, \
                   scopes, dpop, credentials_key_id, credentials, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)";
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
        let current = self.get(id).await?;
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
        let now = crate::now_millis();
        let result = with_pool!(self.store, |pool| {
            match &sealed {
                Some((key_id_col, blob)) => sqlx::query(
                    "UPDATE connections SET name = $2, org_url = $3, auth_kind = $4, \
                         client_id = $5, key_id = $6, scopes = $7, dpop = $8, \
                         credentials_key_id = $9, credentials = $10, updated_at = $11 \
                         WHERE id = $1",
                )
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
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
                None => sqlx::query(
                    "UPDATE connections SET name = $2, org_url = $3, auth_kind = $4, \
                         client_id = $5, key_id = $6, scopes = $7, dpop = $8, updated_at = $9 \
                         WHERE id = $1 AND auth_kind = $10",
                )
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
        tracing::info!(connection = %id, credentials_replaced = sealed.is_some(), "connection updated");
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

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        kind: "connection",
        id: id.to_owned(),
    }
}

impl Store {
    /// Re-encrypts every connection's credentials from `old` to `new` in one transaction, then
    /// makes `new` this store's master key. Returns how many credentials were re-encrypted.
    ///
    /// Credentials already under `new` are left alone (after checking they decrypt), so running
    /// the rotation again is harmless. Other gateway processes that still hold `old` will get
    /// [`StoreError::KeyMismatch`] until restarted with `new`.
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
            let rows: Vec<(String, String, Vec<u8>)> = sqlx::query_as(
                "SELECT id, credentials_key_id, credentials FROM connections ORDER BY id",
            )
            .fetch_all(&mut *tx)
            .await?;
            let mut rotated = 0u64;
            for (id, key_id, blob) in rows {
                if key_id == new.id() {
                    new.open(&id, &key_id, &blob)?;
                    continue;
                }
                let plaintext = old.open(&id, &key_id, &blob)?;
                let sealed = new.seal(&id, &plaintext)?;
                sqlx::query(
                    "UPDATE connections SET credentials_key_id = $2, credentials = $3 \
                     WHERE id = $1",
                )
                .bind(&id)
                .bind(new.id())
                .bind(&sealed)
                .execute(&mut *tx)
                .await?;
                rotated += 1;
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
