//! OAuth 2.0 consent grants, clients and refresh tokens of a user.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::actions::common::{Extra, Hal};

/// A consent a user (or an admin) gave a client for one scope.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// Okta's id of the grant (`oag...`).
    pub id: Option<String>,
    /// `ACTIVE` or `REVOKED`.
    pub status: Option<String>,
    /// The client the consent was given to.
    pub client_id: Option<String>,
    /// The user who consented.
    pub user_id: Option<String>,
    /// The scope consented to, e.g. `okta.users.read`.
    pub scope_id: Option<String>,
    /// Authorization server issuer.
    pub issuer: Option<String>,
    /// `END_USER` or `ADMIN`.
    pub source: Option<String>,
    /// When the grant was created.
    pub created: Option<String>,
    /// When the grant was last updated.
    pub last_updated: Option<String>,
    /// The scope's details when asked for with `expand=scope`.
    #[serde(rename = "_embedded")]
    pub embedded: Hal,
    /// Related resources.
    #[serde(rename = "_links")]
    pub links: Hal,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A client application holding grants or tokens for a user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct OAuthClient {
    /// The app's `client_id`.
    pub client_id: Option<String>,
    /// The app's name.
    pub client_name: Option<String>,
    /// The app's home page.
    pub client_uri: Option<String>,
    /// The app's logo.
    pub logo_uri: Option<String>,
    /// The user's grants and tokens for this client.
    #[serde(rename = "_links")]
    pub links: Hal,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A refresh token issued to a client for a user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefreshToken {
    /// Okta's id of the token.
    pub id: Option<String>,
    /// `ACTIVE` or `REVOKED`.
    pub status: Option<String>,
    /// The client holding the token.
    pub client_id: Option<String>,
    /// The user the token acts for.
    pub user_id: Option<String>,
    /// Authorization server that issued the token.
    pub issuer: Option<String>,
    /// Scopes of the token.
    pub scopes: Option<Vec<String>>,
    /// When the token was issued.
    pub created: Option<String>,
    /// When the token was last updated.
    pub last_updated: Option<String>,
    /// When the token expires.
    pub expires_at: Option<String>,
    /// Scope details when asked for with `expand=scope`.
    #[serde(rename = "_embedded")]
    pub embedded: Hal,
    /// Related resources.
    #[serde(rename = "_links")]
    pub links: Hal,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}
