//! The public types of connections and the validation of what callers give.

use secrecy::zeroize::{Zeroize, Zeroizing};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{ConnectionId, StoreError};

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
    pub(crate) fn as_str(self) -> &'static str {
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
    pub(crate) fn to_plaintext(&self) -> Result<Zeroizing<Vec<u8>>, StoreError> {
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

    pub(crate) fn from_plaintext(
        connection: &str,
        bytes: &[u8],
    ) -> Result<Credentials, StoreError> {
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

/// Where a connection's Okta Aerial account lives (Aerial manages the orgs of an account from
/// its own host, with a Bearer token of the Aerial org). Not secret; the token is stored apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AerialSettings {
    /// The Aerial base URL: `https://aerial-apac.okta.com`, or for the local emulator
    /// `http://127.0.0.1:PORT/aerial`. Normalized without a trailing slash.
    pub url: String,
    /// The Aerial account id.
    pub account_id: String,
}

impl AerialSettings {
    /// Settings for account `account_id` at `url`.
    pub fn new(url: impl Into<String>, account_id: impl Into<String>) -> Self {
        AerialSettings {
            url: url.into(),
            account_id: account_id.into(),
        }
    }
}

/// Kind tag of a sealed Aerial token, so a blob cannot pass for the other secret column.
const AERIAL_TOKEN_KIND: &str = "aerial_token";

/// The plaintext that gets sealed for an Aerial token: `{"kind":"aerial_token","secret":"…"}`.
pub(crate) fn aerial_token_plaintext(
    token: &SecretString,
) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let repr = SealedAerialToken {
        kind: AERIAL_TOKEN_KIND.to_owned(),
        secret: token.expose_secret().to_owned(),
    };
    serde_json::to_vec(&repr)
        .map(Zeroizing::new)
        .map_err(|_| StoreError::Invalid {
            field: "aerial_token",
            reason: "cannot be serialized".into(),
        })
}

pub(crate) fn aerial_token_from_plaintext(
    connection: &str,
    bytes: &[u8],
) -> Result<SecretString, StoreError> {
    let corrupt = || StoreError::Corrupt {
        table: "connections",
        reason: format!("decrypted Aerial token of {connection} is not readable"),
    };
    let mut repr: SealedAerialToken = serde_json::from_slice(bytes).map_err(|_| corrupt())?;
    if repr.kind != AERIAL_TOKEN_KIND {
        return Err(corrupt());
    }
    Ok(SecretString::from(std::mem::take(&mut repr.secret)))
}

#[derive(Serialize, Deserialize)]
struct SealedAerialToken {
    kind: String,
    secret: String,
}

impl Drop for SealedAerialToken {
    fn drop(&mut self) {
        self.secret.zeroize();
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

/// What [`Connections::create`](crate::Connections::create) takes.
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
    /// Okta Aerial settings, for the Aerial actions (none by default).
    pub aerial: Option<AerialSettings>,
    /// The Aerial Bearer access token (write-only; requires `aerial`).
    pub aerial_token: Option<SecretString>,
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
            aerial: None,
            aerial_token: None,
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
            aerial: None,
            aerial_token: None,
        }
    }

    /// Adds Okta Aerial settings and, optionally, the Aerial Bearer token.
    pub fn aerial(mut self, settings: AerialSettings, token: Option<SecretString>) -> Self {
        self.aerial = Some(settings);
        self.aerial_token = token;
        self
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
    /// `None`: leave the Aerial settings; `Some(Some(_))`: set them (the stored Aerial token
    /// stays unless `aerial_token` replaces it); `Some(None)`: remove them and the token.
    pub aerial: Option<Option<AerialSettings>>,
    /// A new Aerial Bearer token (the connection must have Aerial settings, or get them in
    /// the same update).
    pub aerial_token: Option<SecretString>,
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

    /// Sets (or replaces) the Aerial settings.
    pub fn aerial(mut self, settings: AerialSettings) -> Self {
        self.aerial = Some(Some(settings));
        self
    }

    /// Removes the Aerial settings and the Aerial token.
    pub fn remove_aerial(mut self) -> Self {
        self.aerial = Some(None);
        self
    }

    /// Replaces the Aerial token.
    pub fn aerial_token(mut self, token: SecretString) -> Self {
        self.aerial_token = Some(token);
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
    /// Okta Aerial settings, when the connection has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aerial: Option<AerialSettings>,
    /// The id of the master key the Aerial token is encrypted under; `None` when no Aerial
    /// token is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aerial_token_key_id: Option<String>,
    /// When the connection was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the connection (or its credentials) last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// The non-secret auth columns: (kind, client_id, key_id, scopes, dpop).
pub(crate) type AuthColumns = (&'static str, Option<String>, Option<String>, String, bool);

pub(crate) fn auth_columns(auth: &AuthConfig) -> Result<AuthColumns, StoreError> {
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

pub(crate) fn check_kinds(auth: &AuthConfig, credentials: &Credentials) -> Result<(), StoreError> {
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

pub(crate) fn check_name(name: &str) -> Result<String, StoreError> {
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

/// Validates and normalizes Aerial settings: an http(s) URL (https except for loopback
/// hosts), a path allowed (`/aerial` for the emulator) but no query, and an account id.
pub(crate) fn normalize_aerial(settings: &AerialSettings) -> Result<AerialSettings, StoreError> {
    let invalid = |field: &'static str, reason: &str| StoreError::Invalid {
        field,
        reason: reason.to_owned(),
    };
    let expected = "expected https://aerial-REGION.okta.com";
    let url = url::Url::parse(settings.url.trim())
        .map_err(|e| invalid("aerial.url", &format!("not a URL ({e}); {expected}")))?;
    let host = url
        .host()
        .ok_or_else(|| invalid("aerial.url", &format!("has no host; {expected}")))?;
    let loopback = match &host {
        url::Host::Domain(d) => *d == "localhost",
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(invalid(
                "aerial.url",
                "must use https (http only for localhost)",
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("aerial.url", "must not contain credentials"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "aerial.url",
            &format!("must not have a query or fragment; {expected}"),
        ));
    }
    let mut out = format!("{}://{}", url.scheme(), host);
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(url.path().trim_end_matches('/'));
    let account_id = settings.account_id.trim();
    if account_id.is_empty()
        || account_id.len() > 100
        || !account_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(invalid(
            "aerial.account_id",
            "must be 1 to 100 letters, digits, '-' or '_'",
        ));
    }
    Ok(AerialSettings {
        url: out,
        account_id: account_id.to_owned(),
    })
}

pub(crate) fn check_aerial_token(token: &SecretString) -> Result<(), StoreError> {
    let t = token.expose_secret();
    if t.trim().is_empty() || t.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(StoreError::Invalid {
            field: "aerial_token",
            reason: "must be a non-empty token without spaces or control characters".into(),
        });
    }
    Ok(())
}
