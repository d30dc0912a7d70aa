//! `/v1/connections`: the Okta orgs the gateway acts on. Secrets are write-only: they are
//! accepted on create and update, stored encrypted, and never returned.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use spindle_store::{
    AerialSettings, AuthConfig, Connection, ConnectionUpdate, Credentials, NewConnection,
    OAuthSettings, Store,
};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, JsonBody, Path, Problem};
use crate::ssrf::OrgUrlPolicy;
use crate::state::AppState;

/// A connection as the API shows it: never with its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionView {
    /// `conn_…`
    pub id: String,
    /// The unique name (usable wherever an id is).
    pub name: String,
    /// The org's base URL.
    pub org_url: String,
    /// How the gateway authenticates to the org (without the secret).
    pub auth: AuthView,
    /// The Okta Aerial account the Aerial actions use, if any (without its token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aerial: Option<AerialView>,
    /// When it was created (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: time::OffsetDateTime,
    /// When it or its credentials last changed (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: time::OffsetDateTime,
}

/// A connection's Okta Aerial settings, without the token.
#[derive(Debug, Serialize, ToSchema)]
pub struct AerialView {
    /// The Aerial base URL (`https://aerial-apac.okta.com`).
    pub url: String,
    /// The Aerial account id.
    pub account_id: String,
    /// Whether a token is stored (it is never shown).
    pub token_set: bool,
}

/// Okta Aerial settings with the token (write-only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AerialInput {
    /// The Aerial base URL (`https://aerial-apac.okta.com`; for the emulator
    /// `http://127.0.0.1:PORT/aerial`).
    #[schema(example = "https://aerial-apac.okta.com")]
    pub url: String,
    /// The Aerial account id.
    #[schema(min_length = 1, max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    pub account_id: String,
    /// A Bearer access token of the Aerial org with `okta.accounts.read`/`manage`. Write-only;
    /// on update, leave it out to keep the stored one.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Password, write_only, min_length = 1)]
    pub token: Option<SecretString>,
}

/// The non-secret part of a connection's authentication.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuthView {
    /// An `SSWS` API token (stored encrypted, never shown).
    ApiToken,
    /// An OAuth 2.0 service app with `private_key_jwt` (the private key is stored encrypted,
    /// never shown).
    #[serde(rename = "oauth")]
    OAuth {
        /// The service app's client id.
        client_id: String,
        /// The `kid` of the registered public key.
        #[serde(skip_serializing_if = "Option::is_none")]
        key_id: Option<String>,
        /// The scopes requested.
        scopes: Vec<String>,
        /// Whether DPoP-bound tokens are used.
        dpop: bool,
    },
}

impl From<Connection> for ConnectionView {
    fn from(c: Connection) -> Self {
        let auth = match c.auth {
            AuthConfig::OAuth(s) => AuthView::OAuth {
                client_id: s.client_id,
                key_id: s.key_id,
                scopes: s.scopes,
                dpop: s.dpop,
            },
            _ => AuthView::ApiToken,
        };
        let token_set = c.aerial_token_key_id.is_some();
        ConnectionView {
            id: c.id.to_string(),
            name: c.name,
            org_url: c.org_url,
            auth,
            aerial: c.aerial.map(|a| AerialView {
                url: a.url,
                account_id: a.account_id,
                token_set,
            }),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// How the gateway authenticates to the org, with the secret (write-only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthInput {
    /// An `SSWS` API token.
    ApiToken {
        /// The API token. Write-only; on update, leave it out to keep the stored one.
        #[schema(value_type = Option<String>, format = Password, write_only, min_length = 1)]
        token: Option<SecretString>,
    },
    /// An OAuth 2.0 service app with `private_key_jwt`.
    #[serde(rename = "oauth")]
    OAuth {
        /// The service app's client id.
        #[schema(min_length = 1, pattern = r"\S")]
        client_id: String,
        /// The private key whose public half is registered with the app: PEM (PKCS#8 or
        /// PKCS#1) or a JWK. Write-only; on update, leave it out to keep the stored one.
        #[schema(value_type = Option<String>, format = Password, write_only, min_length = 1)]
        private_key: Option<SecretString>,
        /// The `kid` of the registered public key.
        #[serde(default)]
        key_id: Option<String>,
        /// The scopes to request (`okta.users.read`, …); at least one.
        #[schema(min_items = 1, value_type = Vec<String>)]
        scopes: Vec<String>,
        /// Whether the app requires DPoP-bound tokens.
        #[serde(default)]
        dpop: bool,
    },
}

/// The wire form of [`AuthInput`]: one object whose `kind` says which fields apply. It is read
/// field by field (not as an internally tagged enum, which loses track of where an error is) so
/// that every problem names its field (`auth.token`, `auth.kind`, …).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthFields {
    kind: AuthKind,
    #[serde(default)]
    token: Option<SecretString>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    private_key: Option<SecretString>,
    #[serde(default)]
    key_id: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    dpop: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
enum AuthKind {
    #[serde(rename = "api_token")]
    ApiToken,
    #[serde(rename = "oauth")]
    OAuth,
}

impl AuthFields {
    /// The input of its kind, or the problem naming a field that does not belong to the kind.
    fn into_input(self) -> Result<AuthInput, ApiError> {
        let misplaced = |field: &str, kind: &str| {
            ApiError::invalid_field(
                format!("auth.{field}"),
                format!("is not a field of kind `{kind}`"),
            )
        };
        match self.kind {
            AuthKind::ApiToken => {
                for (field, present) in [
                    ("client_id", self.client_id.is_some()),
                    ("private_key", self.private_key.is_some()),
                    ("key_id", self.key_id.is_some()),
                    ("scopes", self.scopes.is_some()),
                    ("dpop", self.dpop.is_some()),
                ] {
                    if present {
                        return Err(misplaced(field, "api_token"));
                    }
                }
                Ok(AuthInput::ApiToken { token: self.token })
            }
            AuthKind::OAuth => {
                if self.token.is_some() {
                    return Err(misplaced("token", "oauth"));
                }
                let client_id = self.client_id.ok_or_else(|| {
                    ApiError::invalid_field("auth.client_id", "is required for kind `oauth`")
                })?;
                Ok(AuthInput::OAuth {
                    client_id,
                    private_key: self.private_key,
                    key_id: self.key_id,
                    scopes: self.scopes.unwrap_or_default(),
                    dpop: self.dpop.unwrap_or(false),
                })
            }
        }
    }
}

/// A new connection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConnection {
    /// A unique name (`acme-prod`).
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
    /// The org's base URL, `https://{org}.okta.com` (or an allow-listed custom domain).
    #[schema(example = "https://acme.okta.com")]
    pub org_url: String,
    /// How to authenticate, with the secret.
    #[schema(value_type = AuthInput)]
    pub auth: AuthFields,
    /// Okta Aerial settings, for the Aerial actions.
    #[serde(default)]
    pub aerial: Option<AerialInput>,
}

/// A change to a connection; fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateConnection {
    /// A new unique name.
    #[serde(default)]
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: Option<String>,
    /// A new org URL.
    #[serde(default)]
    #[schema(example = "https://acme.okta.com")]
    pub org_url: Option<String>,
    /// New authentication settings; the secret may be left out to keep the stored one when the
    /// kind does not change.
    #[serde(default)]
    #[schema(value_type = Option<AuthInput>)]
    pub auth: Option<AuthFields>,
    /// New Okta Aerial settings (the token may be left out to keep the stored one), or `null`
    /// to remove them and their token.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<AerialInput>)]
    pub aerial: Option<Option<AerialInput>>,
}

/// Tells a field set to `null` (`Some(None)`) from one left out (`None`, by `default`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

async fn aerial_parts(
    policy: &OrgUrlPolicy,
    aerial: AerialInput,
) -> Result<(AerialSettings, Option<SecretString>), ApiError> {
    policy.admit_aerial_url(&aerial.url).await?;
    if let Some(token) = &aerial.token {
        check_secret("aerial.token", token)?;
    }
    Ok((
        AerialSettings::new(aerial.url.trim(), aerial.account_id.trim()),
        aerial.token,
    ))
}

/// A list of connections.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionList {
    /// The connections, by name.
    pub items: Vec<ConnectionView>,
}

fn check_secret(field: &str, secret: &SecretString) -> Result<(), ApiError> {
    let text = secret.expose_secret();
    if text.trim().is_empty() {
        return Err(ApiError::invalid_field(field, "must not be empty"));
    }
    Ok(())
}

/// Splits an auth input into the store's settings and (when given) credentials, checking the
/// secret's form without ever echoing it.
fn auth_parts(auth: AuthInput) -> Result<(AuthConfig, Option<Credentials>), ApiError> {
    match auth {
        AuthInput::ApiToken { token } => {
            if let Some(token) = &token {
                check_secret("auth.token", token)?;
                if token
                    .expose_secret()
                    .trim()
                    .chars()
                    .any(char::is_whitespace)
                {
                    return Err(ApiError::invalid_field(
                        "auth.token",
                        "must be the API token alone, without spaces or the `SSWS` prefix",
                    ));
                }
            }
            Ok((AuthConfig::ApiToken, token.map(Credentials::ApiToken)))
        }
        AuthInput::OAuth {
            client_id,
            private_key,
            key_id,
            scopes,
            dpop,
        } => {
            if client_id.trim().is_empty() {
                return Err(ApiError::invalid_field(
                    "auth.client_id",
                    "must not be empty",
                ));
            }
            if scopes.is_empty() {
                return Err(ApiError::invalid_field(
                    "auth.scopes",
                    "must list at least one scope the app was granted, e.g. okta.users.read",
                ));
            }
            if let Some(key) = &private_key {
                check_secret("auth.private_key", key)?;
                spindle_okta::SigningKey::parse(key.expose_secret()).map_err(|_| {
                    ApiError::invalid_field(
                        "auth.private_key",
                        "must be an RSA or EC P-256 private key as PEM (PKCS#8 or PKCS#1) or a \
                         private JWK",
                    )
                })?;
            }
            let mut settings = OAuthSettings::new(client_id.trim(), scopes).dpop(dpop);
            if let Some(kid) = key_id.filter(|k| !k.trim().is_empty()) {
                settings = settings.key_id(kid);
            }
            Ok((
                AuthConfig::OAuth(settings),
                private_key.map(Credentials::PrivateKey),
            ))
        }
    }
}

async fn checked_org_url(policy: &OrgUrlPolicy, org_url: &str) -> Result<String, ApiError> {
    let url = policy.admit_org_url(org_url).await?;
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Lists the connections.
#[utoipa::path(get, path = "/v1/connections", operation_id = "listConnections", tag = "connections",
    responses((status = 200, body = ConnectionList), (status = 401, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn list(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<ConnectionList>, ApiError> {
    let items = state.store().connections().list().await?;
    Ok(Json(ConnectionList {
        items: items.into_iter().map(ConnectionView::from).collect(),
    }))
}

/// Creates a connection. Needs a `full` key. The org URL must pass the SSRF policy.
#[utoipa::path(post, path = "/v1/connections", operation_id = "createConnection", tag = "connections", request_body = CreateConnection,
    responses((status = 201, body = ConnectionView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<CreateConnection>,
) -> Result<(StatusCode, Json<ConnectionView>), ApiError> {
    caller.require_write("creating a connection")?;
    let connection = create_connection(state.store(), &state.settings().policy, body).await?;
    // A cached lookup of this name (a connection deleted through another gateway) must not
    // outlive the create.
    state.forget_clients(&connection.id);
    Ok((StatusCode::CREATED, Json(connection.into())))
}

/// Checks a new connection as `POST /v1/connections` does (the org and Aerial URLs against
/// `policy`, the form of each secret, a credential for the kind of auth) and stores it. The
/// command line adds connections through it too, so both refuse exactly the same ones.
///
/// # Errors
/// 422 `invalid_input` naming the field, 422 `org_url_refused`, 409 `conflict` for a name in
/// use, and the store's errors.
pub async fn create_connection(
    store: &Store,
    policy: &OrgUrlPolicy,
    body: CreateConnection,
) -> Result<Connection, ApiError> {
    if body.name.trim().is_empty() {
        return Err(ApiError::invalid_field("name", "must not be empty"));
    }
    let (auth, credentials) = auth_parts(body.auth.into_input()?)?;
    let Some(credentials) = credentials else {
        let field = match auth {
            AuthConfig::OAuth(_) => "auth.private_key",
            _ => "auth.token",
        };
        return Err(ApiError::invalid_field(
            field,
            "is required when creating a connection",
        ));
    };
    let org_url = checked_org_url(policy, &body.org_url).await?;
    let aerial = match body.aerial {
        Some(aerial) => Some(aerial_parts(policy, aerial).await?),
        None => None,
    };
    let mut new = match (auth, credentials) {
        (AuthConfig::OAuth(settings), Credentials::PrivateKey(key)) => {
            NewConnection::oauth(body.name.trim(), org_url, settings, key)
        }
        (_, Credentials::ApiToken(token)) => {
            NewConnection::api_token(body.name.trim(), org_url, token)
        }
        _ => return Err(ApiError::internal("auth settings and credentials disagree")),
    };
    if let Some((settings, token)) = aerial {
        new = new.aerial(settings, token);
    }
    Ok(store.connections().create(new).await?)
}

/// Gets a connection by id or name.
#[utoipa::path(get, path = "/v1/connections/{connection_id}", operation_id = "getConnection", tag = "connections",
    params(("connection_id" = String, Path, description = "The connection's id (`conn_…`) or name")),
    responses((status = 200, body = ConnectionView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn get(
    State(state): State<AppState>,
    _caller: Caller,
    Path(connection_id): Path<String>,
) -> Result<Json<ConnectionView>, ApiError> {
    Ok(Json(state.connection(&connection_id).await?.into()))
}

/// Changes a connection's name, org URL or authentication. Needs a `full` key.
#[utoipa::path(patch, path = "/v1/connections/{connection_id}", operation_id = "updateConnection", tag = "connections",
    request_body = UpdateConnection,
    params(("connection_id" = String, Path, description = "The connection's id (`conn_…`) or name")),
    responses((status = 200, body = ConnectionView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(connection_id): Path<String>,
    JsonBody(body): JsonBody<UpdateConnection>,
) -> Result<Json<ConnectionView>, ApiError> {
    caller.require_write("changing a connection")?;
    let current = state.connection(&connection_id).await?;
    let mut update = ConnectionUpdate::new();
    if let Some(name) = body.name {
        if name.trim().is_empty() {
            return Err(ApiError::invalid_field("name", "must not be empty"));
        }
        update = update.name(name.trim());
    }
    if let Some(org_url) = body.org_url {
        update = update.org_url(checked_org_url(&state.settings().policy, &org_url).await?);
    }
    if let Some(auth) = body.auth {
        let (auth, credentials) = auth_parts(auth.into_input()?)?;
        if credentials.is_none() && auth.kind() != current.auth.kind() {
            return Err(ApiError::invalid_field(
                if matches!(auth, AuthConfig::OAuth(_)) {
                    "auth.private_key"
                } else {
                    "auth.token"
                },
                "is required when changing the kind of authentication",
            ));
        }
        update = update.auth(auth);
        if let Some(credentials) = credentials {
            update = update.credentials(credentials);
        }
    }
    match body.aerial {
        Some(Some(aerial)) => {
            let (settings, token) = aerial_parts(&state.settings().policy, aerial).await?;
            update = update.aerial(settings);
            if let Some(token) = token {
                update = update.aerial_token(token);
            }
        }
        Some(None) => update = update.remove_aerial(),
        None => {}
    }
    let updated = state
        .store()
        .connections()
        .update(&current.id, update)
        .await?;
    state.forget_clients(&current.id);
    Ok(Json(updated.into()))
}

/// Deletes a connection and its stored credentials. Needs a `full` key.
#[utoipa::path(delete, path = "/v1/connections/{connection_id}", operation_id = "deleteConnection", tag = "connections",
    params(("connection_id" = String, Path, description = "The connection's id (`conn_…`) or name")),
    responses((status = 204, description = "Deleted"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(connection_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_write("deleting a connection")?;
    let current = state.connection(&connection_id).await?;
    state.store().connections().delete(&current.id).await?;
    state.forget_clients(&current.id);
    Ok(StatusCode::NO_CONTENT)
}
