//! Groups: read, create, replace, delete, and their members and apps.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action;
use super::common::{Extra, NonEmpty, Page};
use crate::models::group::{Application, Group};
use crate::models::results::{GroupDeleted, Membership};
use crate::models::user::User;

/// Input of `delete_a_group`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeleteGroup {
    /// Okta id of the group to delete (starts with `00g`).
    pub group_id: NonEmpty,
}
action!(DeleteGroup, "delete_a_group", GroupDeleted, {"groupId": "00g1emaKYZTWRYYRRTSK"});

/// Input of `get_retrieve_a_group`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetGroup {
    /// Okta id of the group (starts with `00g`).
    pub group_id: NonEmpty,
}
action!(GetGroup, "get_retrieve_a_group", Group, {"groupId": "00g1emaKYZTWRYYRRTSK"});

/// The profile of an Okta-managed group. Custom group profile attributes defined in the org's
/// group schema are accepted next to `name` and `description`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupProfileInput {
    /// Name of the group, as people see it.
    #[schemars(length(min = 1, max = 255))]
    pub name: String,
    /// What the group is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    pub description: Option<String>,
    /// Custom group profile attributes.
    #[serde(flatten)]
    pub custom: Extra,
}

/// The body of creating or replacing a group.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupBody {
    /// The group's profile. Replacing a group replaces its whole profile.
    pub profile: GroupProfileInput,
}

/// Input of `post_create_a_group`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGroup {
    /// The new group. Okta creates it as an `OKTA_GROUP`; app groups only come from imports.
    pub body: GroupBody,
}
action!(CreateGroup, "post_create_a_group", Group,
    {"body": {"profile": {"name": "Sales EMEA", "description": "Everyone selling in Europe"}}});

/// Input of `put_replace_a_group`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplaceGroup {
    /// Okta id of the group to replace; only `OKTA_GROUP` groups can be changed.
    pub group_id: NonEmpty,
    /// The group's new profile, replacing the old one entirely.
    pub body: GroupBody,
}
action!(ReplaceGroup, "put_replace_a_group", Group,
    {"groupId": "00g1emaKYZTWRYYRRTSK", "body": {"profile": {"name": "Sales EMEA & APAC", "description": "Everyone selling outside the Americas"}}});

/// Input of `get_list_all_member_users`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListGroupMembers {
    /// Okta id of the group whose members to list.
    pub group_id: NonEmpty,
    /// Cursor from the previous page's `next`; leave out for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<NonEmpty>,
    /// Members per page. Okta's default is 1000; it recommends at most 200 and documents no
    /// maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1), extend("default" = 1000))]
    pub limit: Option<u32>,
}
action!(ListGroupMembers, "get_list_all_member_users", Page<User>,
    {"groupId": "00g1emaKYZTWRYYRRTSK", "limit": 200});

/// Input of `get_list_all_assigned_applications`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListGroupApps {
    /// Okta id of the group whose assigned apps to list.
    pub group_id: NonEmpty,
    /// Cursor from the previous page's `next`; leave out for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<NonEmpty>,
    /// Apps per page (Okta's default is 20; it documents no maximum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1), extend("default" = 20))]
    pub limit: Option<u32>,
}
action!(ListGroupApps, "get_list_all_assigned_applications", Page<Application>,
    {"groupId": "00g1emaKYZTWRYYRRTSK", "limit": 20});

/// Input of `put_assign_a_user_to_a_group`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AssignUserToGroup {
    /// Okta id of the group; only `OKTA_GROUP` memberships can be changed.
    pub group_id: NonEmpty,
    /// Okta id of the user to add.
    pub user_id: NonEmpty,
}
action!(AssignUserToGroup, "put_assign_a_user_to_a_group", Membership,
    {"groupId": "00g1emaKYZTWRYYRRTSK", "userId": "00ub0oNGTSWTBKOLGLNR"});

/// Input of `delete_unassign_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UnassignUserFromGroup {
    /// Okta id of the group; only `OKTA_GROUP` memberships can be changed.
    pub group_id: NonEmpty,
    /// Okta id of the user to remove.
    pub user_id: NonEmpty,
}
action!(UnassignUserFromGroup, "delete_unassign_user", Membership,
    {"groupId": "00g1emaKYZTWRYYRRTSK", "userId": "00ub0oNGTSWTBKOLGLNR"});
