//! User types: named profile schemas.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action;
use super::common::{NonEmpty, Page};
use crate::models::misc::UserType;
use crate::models::results::UserTypeDeleted;

/// Input of `get_list_all_user_types` (it takes no parameters).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListUserTypes {}
action!(ListUserTypes, "get_list_all_user_types", Page<UserType>, {});

/// Input of `get_retrieve_a_user_type`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetUserType {
    /// Okta id of the type (starts with `oty`), or `default` for the org's default type.
    pub type_id: NonEmpty,
}
action!(GetUserType, "get_retrieve_a_user_type", UserType, {"typeId": "default"});

/// A new user type.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewUserType {
    /// API name: starts with a letter, then letters, digits or `_`. It cannot change later.
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_]*$"))]
    pub name: String,
    /// Name shown to admins.
    pub display_name: NonEmpty,
    /// What the type is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Input of `post_create_user_type`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserType {
    /// The new type (an org has at most 10, the default included).
    pub body: NewUserType,
}
action!(CreateUserType, "post_create_user_type", UserType,
    {"body": {"name": "contractor", "displayName": "Contractor", "description": "External contractors"}});

/// A partial change to a user type.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserTypeChange {
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<NonEmpty>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Input of `post_update_user_type`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateUserType {
    /// Okta id of the type.
    pub type_id: NonEmpty,
    /// The fields to change; others keep their value.
    pub body: UserTypeChange,
}
action!(UpdateUserType, "post_update_user_type", UserType,
    {"typeId": "otyfnjfba4ye7pgjB0g4", "body": {"displayName": "Contractor (external)"}});

/// A user type's full definition.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserTypeDefinition {
    /// The type's current API name (it cannot change, but Okta wants it).
    pub name: NonEmpty,
    /// Display name.
    pub display_name: NonEmpty,
    /// Description.
    pub description: String,
}

/// Input of `put_replace_user_type`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplaceUserType {
    /// Okta id of the type.
    pub type_id: NonEmpty,
    /// The full definition.
    pub body: UserTypeDefinition,
}
action!(ReplaceUserType, "put_replace_user_type", UserType, {"typeId": "otyfnjfba4ye7pgjB0g4", "body": {
    "name": "contractor", "displayName": "Contractor", "description": "External contractors and agencies"
}});

/// Input of `delete_user_type`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeleteUserType {
    /// Okta id of the type; the default type and types still assigned to users cannot be deleted.
    pub type_id: NonEmpty,
}
action!(DeleteUserType, "delete_user_type", UserTypeDeleted, {"typeId": "otyfnjfba4ye7pgjB0g4"});
