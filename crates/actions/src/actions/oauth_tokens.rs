//! A user's OAuth clients, refresh tokens and sessions.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spindle_okta::models::{OAuth2Client, RefreshToken};
use spindle_okta::{Client, tokens};

use super::after_cursor;
use super::common::{NonEmpty, Page, yes};
use super::grants::{ScopeExpand, revoked};
use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;
use crate::outputs::Revoked;

/// Input of `get_list_all_clients`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListUserClients {
    /// Okta id of the user whose apps with grants or tokens to list.
    pub user_id: NonEmpty,
}

impl Action for ListUserClients {
    const SPEC: Spec = Spec {
        id: "get_list_all_clients",
        title: "List all Clients",
        operation: Operation::Read,
        entities: &["client", "link", "user"],
        summary: "Lists the OAuth 2.0 client applications for which a user currently holds consent grants or issued tokens, given `userId`. Each entry carries the `client_id`, `client_name`, optional `client_uri` and `logo_uri`, and links to the related grants and tokens. Useful as the first step before revoking a user's access for a particular app.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{userId}/clients",
        scopes: &["okta.users.read"],
    };
    type Output = Page<OAuth2Client>;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR"})
    }

    async fn run(self, client: &Client) -> Result<Page<OAuth2Client>, ExecuteError> {
        // Okta answers with the whole list at once: there is no further page.
        let items = client.grants().clients(self.user_id.as_str()).await?;
        Ok(Page { items, next: None })
    }
}

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

impl Action for ListClientRefreshTokens {
    const SPEC: Spec = Spec {
        id: "get_list_all_refresh_tokens_for_a_client",
        title: "List all Refresh Tokens for a Client",
        operation: Operation::Read,
        entities: &["client", "user", "token"],
        summary: "Lists the refresh tokens Okta has issued for one user to one client app. Inputs are `userId` and `clientId`; `expand=scope` embeds scope details, and results page with an opaque `after` cursor and `limit` (default 20, at most 200). Each token shows its id, status, issuer, granted scopes, creation and expiry times; token values themselves are never returned.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{userId}/clients/{clientId}/tokens",
        scopes: &["okta.users.read"],
    };
    type Output = Page<RefreshToken>;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "clientId": "0oabskvc6442nkvQO0h7", "limit": 20})
    }

    after_cursor!();

    async fn run(self, client: &Client) -> Result<Page<RefreshToken>, ExecuteError> {
        let query = tokens::ListRefreshTokens {
            expand: self.expand.map(|expand| expand.as_str().to_owned()),
            after: self.after.map(String::from),
            limit: self.limit,
        };
        let page = client
            .tokens()
            .list_page(self.user_id.as_str(), self.client_id.as_str(), query)
            .await?;
        Ok(page.into())
    }
}

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

impl Action for GetRefreshToken {
    const SPEC: Spec = Spec {
        id: "get_refresh_token_for_client",
        title: "Retrieve a Refresh Token for a Client",
        operation: Operation::Read,
        entities: &["client", "user", "token"],
        summary: "Retrieves one refresh token issued to a client app for a user, given `userId`, `clientId` and `tokenId`. Optional `expand=scope` embeds the details of the granted scopes. Returns the token's metadata, namely id, status, issuer, scopes, client and user ids, creation and expiry times, but never the token value itself.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}",
        scopes: &["okta.users.read"],
    };
    type Output = RefreshToken;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "clientId": "0oabskvc6442nkvQO0h7", "tokenId": "oar579Mcp7OUsNTlo0g3"})
    }

    async fn run(self, client: &Client) -> Result<RefreshToken, ExecuteError> {
        let expand = self.expand.map(ScopeExpand::as_str);
        let token = client
            .tokens()
            .get(
                self.user_id.as_str(),
                self.client_id.as_str(),
                self.token_id.as_str(),
                expand,
            )
            .await?;
        Ok(token)
    }
}

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

impl Action for RevokeRefreshToken {
    const SPEC: Spec = Spec {
        id: "delete_revoke_token_for_client",
        title: "Revoke a Token for a Client",
        operation: Operation::Write,
        entities: &["client", "user", "token"],
        summary: "Revokes one specific refresh token, together with the access tokens derived from it, that a client application holds for a user. Inputs are `userId`, `clientId` (the app's `client_id`) and `tokenId`. Other tokens for the same user and app stay valid. Okta replies 204 with no body; Spindle returns a structured result confirming the revocation.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}",
        scopes: &["okta.users.manage"],
    };
    type Output = Revoked;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "clientId": "0oabskvc6442nkvQO0h7", "tokenId": "oar579Mcp7OUsNTlo0g3"})
    }

    async fn run(self, client: &Client) -> Result<Revoked, ExecuteError> {
        client
            .tokens()
            .revoke(
                self.user_id.as_str(),
                self.client_id.as_str(),
                self.token_id.as_str(),
            )
            .await?;
        Ok(Revoked {
            client_id: Some(self.client_id.into()),
            token_id: Some(self.token_id.into()),
            ..revoked("refreshToken", self.user_id)
        })
    }
}

/// Input of `delete_revoke_all_refresh_tokens_for_a_client`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RevokeClientRefreshTokens {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// The app's `client_id`; tokens of other apps are untouched.
    pub client_id: NonEmpty,
}

impl Action for RevokeClientRefreshTokens {
    const SPEC: Spec = Spec {
        id: "delete_revoke_all_refresh_tokens_for_a_client",
        title: "Revoke all Refresh Tokens for a Client",
        operation: Operation::Delete,
        entities: &["client", "user", "token"],
        summary: "Revokes all refresh tokens that Okta has issued to one client application for a given user, forcing that app to re-authenticate the user before it can mint new access tokens. Inputs are `userId` and `clientId` (the app's `client_id`); tokens held by other apps are untouched. Okta returns 204 with no body; Spindle reports success as a structured result.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/users/{userId}/clients/{clientId}/tokens",
        scopes: &["okta.users.manage"],
    };
    type Output = Revoked;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "clientId": "0oabskvc6442nkvQO0h7"})
    }

    async fn run(self, client: &Client) -> Result<Revoked, ExecuteError> {
        let tokens = client.tokens();
        tokens
            .revoke_all(self.user_id.as_str(), self.client_id.as_str())
            .await?;
        Ok(Revoked {
            client_id: Some(self.client_id.into()),
            ..revoked("refreshTokens", self.user_id)
        })
    }
}

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

impl Action for RevokeUserSessions {
    const SPEC: Spec = Spec {
        id: "delete_revoke_all_user_sessions",
        title: "Revoke all User Sessions",
        operation: Operation::Write,
        entities: &["session", "user", "token"],
        summary: "Ends all of a user's Okta (identity provider) sessions so the next request requires a fresh sign-in. Input is `userId`; set `oauthTokens` (default false) to also revoke OIDC and OAuth access and refresh tokens issued to the user, and `forgetDevices` (default true on Identity Engine, false on Classic) to clear remembered factors. Sessions kept by the apps themselves are not affected. No body comes back; Spindle reports the outcome as a structured result.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/users/{userId}/sessions",
        scopes: &["okta.users.manage"],
    };
    type Output = Revoked;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "oauthTokens": true})
    }

    async fn run(self, client: &Client) -> Result<Revoked, ExecuteError> {
        // Both flags are always sent, so Okta's engine-dependent default of `forgetDevices`
        // never decides for the caller.
        client
            .sessions()
            .revoke_all(
                self.user_id.as_str(),
                Some(self.oauth_tokens),
                Some(self.forget_devices),
            )
            .await?;
        Ok(Revoked {
            oauth_tokens: Some(self.oauth_tokens),
            ..revoked("sessions", self.user_id)
        })
    }
}
