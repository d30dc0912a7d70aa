//! A user's OAuth clients, refresh tokens and sessions.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action;
use super::common::{NonEmpty, Page, yes};
use super::grants::ScopeExpand;
use crate::models::oauth::{OAuthClient, RefreshToken};
use crate::models::results::Revoked;

/// Input of `get_list_all_clients`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListUserClients {
    /// Okta id of the user whose apps with grants or tokens to list.
    pub user_id: NonEmpty,
}
action!(ListUserClients, "get_list_all_clients", Page<OAuthClient>, {"userId": "00ub0oNGTSWTBKOLGLNR"});

/// Input of `get_list_all_refresh_tokens_for_a_client`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListClientRefreshTokens {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// The app's `client_id`.
    pub client_id: NonEmpty,
    /// Embed the details of the tokens' scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expand: Option<ScopeExpand>,
    /// Cursor from the previous page's `next`; leave out for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<NonEmpty>,
    /// Tokens per page (Okta's default is 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 200), extend("default" = 20))]
    pub limit: Option<u32>,
}
action!(ListClientRefreshTokens, "get_list_all_refresh_tokens_for_a_client", Page<RefreshToken>,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "clientId": "0oabskvc6442nkvQO0h7", "limit": 20});

/// Input of `get_refresh_token_for_client`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetRefreshToken {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// The app's `client_id`.
    pub client_id: NonEmpty,
    /// Okta id of the refresh token.
    pub token_id: NonEmpty,
    /// Embed the details of the token's scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expand: Option<ScopeExpand>,
}
action!(GetRefreshToken, "get_refresh_token_for_client", RefreshToken,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "clientId": "0oabskvc6442nkvQO0h7", "tokenId": "oar579Mcp7OUsNTlo0g3"});

/// Input of `delete_revoke_token_for_client`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RevokeRefreshToken {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// The app's `client_id`.
    pub client_id: NonEmpty,
    /// Okta id of the refresh token to revoke (its access tokens go with it).
    pub token_id: NonEmpty,
}
action!(RevokeRefreshToken, "delete_revoke_token_for_client", Revoked,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "clientId": "0oabskvc6442nkvQO0h7", "tokenId": "oar579Mcp7OUsNTlo0g3"});

/// Input of `delete_revoke_all_refresh_tokens_for_a_client`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RevokeClientRefreshTokens {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// The app's `client_id`; tokens of other apps are untouched.
    pub client_id: NonEmpty,
}
action!(RevokeClientRefreshTokens, "delete_revoke_all_refresh_tokens_for_a_client", Revoked,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "clientId": "0oabskvc6442nkvQO0h7"});

/// Input of `delete_revoke_all_user_sessions`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RevokeUserSessions {
    /// Okta id of the user to sign out everywhere.
    pub user_id: NonEmpty,
    /// Also revoke the OpenID Connect and OAuth access and refresh tokens issued to the user.
    #[serde(default)]
    pub oauth_tokens: bool,
    /// Forget the devices the user chose to remember (Okta's default in Identity Engine orgs;
    /// Classic Engine defaults to false).
    #[serde(default = "yes")]
    pub forget_devices: bool,
}
action!(RevokeUserSessions, "delete_revoke_all_user_sessions", Revoked,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "oauthTokens": true});
