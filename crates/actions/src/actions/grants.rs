//! OAuth 2.0 consent grants a user has given.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spindle_okta::models::ScopeConsentGrant;
use spindle_okta::{Client, grants};

use super::after_cursor;
use super::common::{NonEmpty, Page};
use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;
use crate::outputs::Revoked;

/// Extra data a grant or token read can embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScopeExpand {
    /// Embed the details of the scope(s).
    Scope,
}

impl ScopeExpand {
    /// The value as Okta spells it in `expand`.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Scope => "scope",
        }
    }
}

/// What Okta's bodyless answer to revoking `what` (`grants`, `refreshToken`, `sessions`, ...) of
/// `user_id` means; the caller adds the client, grant or token it was limited to.
pub(super) fn revoked(what: &str, user_id: NonEmpty) -> Revoked {
    Revoked {
        revoked: true,
        what: what.to_owned(),
        user_id: user_id.into(),
        client_id: None,
        grant_id: None,
        token_id: None,
        oauth_tokens: None,
    }
}

/// Input of `get_list_all_user_grants`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListUserGrants {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// Only grants for this scope, e.g. `okta.users.read`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_id: Option<NonEmpty>,
    /// Embed the scope's details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expand: Option<ScopeExpand>,
    /// Cursor from the previous page's `next`; leave out for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<NonEmpty>,
    /// Grants per page (Okta's default is 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 200), extend("default" = 20))]
    pub limit: Option<u32>,
}

impl Action for ListUserGrants {
    const SPEC: Spec = Spec {
        id: "get_list_all_user_grants",
        title: "List all User Grants",
        operation: Operation::Read,
        entities: &["grant", "user", "scope"],
        summary: "Lists all OAuth 2.0 consent grants a user has given, across apps. Input is `userId`; optional `scopeId` narrows to one scope, `expand=scope` embeds scope details, and paging uses an opaque `after` cursor with `limit` (default 20, 1 to 200). Each grant reports id, status, client, issuer, scope and timestamps, and can be revoked individually with the grant revoke action.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{userId}/grants",
        scopes: &["okta.users.read"],
    };
    type Output = Page<ScopeConsentGrant>;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "expand": "scope", "limit": 20})
    }

    after_cursor!();

    async fn run(self, client: &Client) -> Result<Page<ScopeConsentGrant>, ExecuteError> {
        let query = grants::ListGrants {
            scope_id: self.scope_id.map(String::from),
            expand: self.expand.map(|expand| expand.as_str().to_owned()),
            after: self.after.map(String::from),
            limit: self.limit,
        };
        let page = client
            .grants()
            .list_page(self.user_id.as_str(), query)
            .await?;
        Ok(page.into())
    }
}

/// Input of `get_retrieve_a_user_grant`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetUserGrant {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// Okta id of the grant (starts with `oag`).
    pub grant_id: NonEmpty,
    /// Embed the scope's details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expand: Option<ScopeExpand>,
}

impl Action for GetUserGrant {
    const SPEC: Spec = Spec {
        id: "get_retrieve_a_user_grant",
        title: "Retrieve a User Grant",
        operation: Operation::Read,
        entities: &["grant", "user", "scope"],
        summary: "Fetches one OAuth 2.0 consent grant of a user, given `userId` and `grantId`. Optional `expand=scope` embeds the scope definition. The result shows the grant's status (`ACTIVE`, `REVOKED` or `EXPIRED`), issuer, `clientId`, `scopeId`, who created it, and timestamps, together with links to the related app, scope and authorization server.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{userId}/grants/{grantId}",
        scopes: &["okta.users.read"],
    };
    type Output = ScopeConsentGrant;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "grantId": "oag3ih1zrm1cBFOiq0h6", "expand": "scope"})
    }

    async fn run(self, client: &Client) -> Result<ScopeConsentGrant, ExecuteError> {
        let expand = self.expand.map(ScopeExpand::as_str);
        let grant = client
            .grants()
            .get(self.user_id.as_str(), self.grant_id.as_str(), expand)
            .await?;
        Ok(grant)
    }
}

/// Input of `delete_revoke_user_grant`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RevokeUserGrant {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// Okta id of the grant to revoke.
    pub grant_id: NonEmpty,
}

impl Action for RevokeUserGrant {
    const SPEC: Spec = Spec {
        id: "delete_revoke_user_grant",
        title: "Revoke a User Grant",
        operation: Operation::Write,
        entities: &["error", "grant", "user"],
        summary: "Revokes a single OAuth 2.0 consent grant of a user, identified by `userId` and `grantId`. Other grants of the same user are left in place, and the affected app needs renewed consent for that scope. Okta returns 204 with no body; Spindle reports the outcome as a structured result. Use the grant listing actions to discover grant ids.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/users/{userId}/grants/{grantId}",
        scopes: &["okta.users.manage"],
    };
    type Output = Revoked;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "grantId": "oag3ih1zrm1cBFOiq0h6"})
    }

    async fn run(self, client: &Client) -> Result<Revoked, ExecuteError> {
        let grants = client.grants();
        grants
            .revoke(self.user_id.as_str(), self.grant_id.as_str())
            .await?;
        Ok(Revoked {
            grant_id: Some(self.grant_id.into()),
            ..revoked("grant", self.user_id)
        })
    }
}

/// Input of `delete_revoke_all_user_grants`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RevokeUserGrants {
    /// Okta id of the user whose every consent grant is revoked.
    pub user_id: NonEmpty,
}

impl Action for RevokeUserGrants {
    const SPEC: Spec = Spec {
        id: "delete_revoke_all_user_grants",
        title: "Revoke all User Grants",
        operation: Operation::Write,
        entities: &["error", "grant", "user"],
        summary: "Revokes all OAuth 2.0 consent grants a user has given, across every client application and authorization server. The only input is `userId`. Apps relying on those grants will have to ask the user for consent again. Okta answers 204 without a body, so Spindle returns a structured result stating that the grants were revoked.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/users/{userId}/grants",
        scopes: &["okta.users.manage"],
    };
    type Output = Revoked;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR"})
    }

    async fn run(self, client: &Client) -> Result<Revoked, ExecuteError> {
        client.grants().revoke_all(self.user_id.as_str()).await?;
        Ok(revoked("grants", self.user_id))
    }
}

/// Input of `get_list_all_grants_for_a_client`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListClientGrants {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// The app's `client_id`.
    pub client_id: NonEmpty,
    /// Embed the scope's details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expand: Option<ScopeExpand>,
    /// Cursor from the previous page's `next`; leave out for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<NonEmpty>,
    /// Grants per page (Okta's default is 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 200), extend("default" = 20))]
    pub limit: Option<u32>,
}

impl Action for ListClientGrants {
    const SPEC: Spec = Spec {
        id: "get_list_all_grants_for_a_client",
        title: "List all Grants for a Client",
        operation: Operation::Read,
        entities: &["client", "grant", "user"],
        summary: "Lists the OAuth 2.0 consent grants a user has given to one client app. Inputs are `userId` and `clientId`; optional `expand=scope` embeds scope details, and pagination uses an opaque `after` cursor with `limit` (default 20, range 1 to 200). Each grant shows its id, status (`ACTIVE`, `REVOKED` or `EXPIRED`), issuer, `scopeId` and timestamps.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{userId}/clients/{clientId}/grants",
        scopes: &["okta.users.read"],
    };
    type Output = Page<ScopeConsentGrant>;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "clientId": "0oabskvc6442nkvQO0h7"})
    }

    after_cursor!();

    async fn run(self, client: &Client) -> Result<Page<ScopeConsentGrant>, ExecuteError> {
        let query = grants::ListClientGrants {
            expand: self.expand.map(|expand| expand.as_str().to_owned()),
            after: self.after.map(String::from),
            limit: self.limit,
        };
        let page = client
            .grants()
            .list_for_client_page(self.user_id.as_str(), self.client_id.as_str(), query)
            .await?;
        Ok(page.into())
    }
}

/// Input of `delete_revoke_all_grants_for_a_client`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RevokeClientGrants {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// The app's `client_id`; it must ask for consent again afterwards.
    pub client_id: NonEmpty,
}

impl Action for RevokeClientGrants {
    const SPEC: Spec = Spec {
        id: "delete_revoke_all_grants_for_a_client",
        title: "Revoke all Grants for a Client",
        operation: Operation::Write,
        entities: &["client", "grant", "user"],
        summary: "Revokes every OAuth 2.0 consent grant that a user has given to one client application. Inputs are `userId` and `clientId` (the app's `client_id`). After revocation the app must obtain consent again before it can request those scopes on the user's behalf. Okta replies 204 with no body, and Spindle returns a structured result confirming the revocation.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/users/{userId}/clients/{clientId}/grants",
        scopes: &["okta.users.manage"],
    };
    type Output = Revoked;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "clientId": "0oabskvc6442nkvQO0h7"})
    }

    async fn run(self, client: &Client) -> Result<Revoked, ExecuteError> {
        let grants = client.grants();
        grants
            .revoke_for_client(self.user_id.as_str(), self.client_id.as_str())
            .await?;
        Ok(Revoked {
            client_id: Some(self.client_id.into()),
            ..revoked("grants", self.user_id)
        })
    }
}
