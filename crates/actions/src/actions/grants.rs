//! OAuth 2.0 consent grants a user has given.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action;
use super::common::{NonEmpty, Page};
use crate::models::oauth::Grant;
use crate::models::results::Revoked;

/// Extra data a grant or token read can embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScopeExpand {
    /// Embed the details of the scope(s).
    Scope,
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
action!(ListUserGrants, "get_list_all_user_grants", Page<Grant>,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "expand": "scope", "limit": 20});

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
action!(GetUserGrant, "get_retrieve_a_user_grant", Grant,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "grantId": "oag3ih1zrm1cBFOiq0h6", "expand": "scope"});

/// Input of `delete_revoke_user_grant`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RevokeUserGrant {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// Okta id of the grant to revoke.
    pub grant_id: NonEmpty,
}
action!(RevokeUserGrant, "delete_revoke_user_grant", Revoked,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "grantId": "oag3ih1zrm1cBFOiq0h6"});

/// Input of `delete_revoke_all_user_grants`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RevokeUserGrants {
    /// Okta id of the user whose every consent grant is revoked.
    pub user_id: NonEmpty,
}
action!(RevokeUserGrants, "delete_revoke_all_user_grants", Revoked, {"userId": "00ub0oNGTSWTBKOLGLNR"});

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
action!(ListClientGrants, "get_list_all_grants_for_a_client", Page<Grant>,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "clientId": "0oabskvc6442nkvQO0h7"});

/// Input of `delete_revoke_all_grants_for_a_client`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RevokeClientGrants {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// The app's `client_id`; it must ask for consent again afterwards.
    pub client_id: NonEmpty,
}
action!(RevokeClientGrants, "delete_revoke_all_grants_for_a_client", Revoked,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "clientId": "0oabskvc6442nkvQO0h7"});
