//! Linked-object values: relationships between users, such as manager and report.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action;
use super::common::{NonEmpty, Page};
use crate::models::misc::LinkedObjectValue;
use crate::models::results::LinkChanged;

/// Input of `get_primary_or_all_associated_linked_object_values`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListLinkedObjectValues {
    /// The user: Okta id or login (`me` for the caller).
    pub user_id_or_login: NonEmpty,
    /// A relationship name: the primary name (e.g. `manager`) gives the user's primary, the
    /// associated name (e.g. `subordinate`) gives everyone linked to the user.
    pub relationship_name: NonEmpty,
}
action!(ListLinkedObjectValues, "get_primary_or_all_associated_linked_object_values", Page<LinkedObjectValue>,
    {"userIdOrLogin": "00ub0oNGTSWTBKOLGLNR", "relationshipName": "manager"});

/// Input of `delete_linked_object`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClearLinkedObject {
    /// The associated user whose link is cleared: Okta id or login.
    pub user_id_or_login: NonEmpty,
    /// Primary name of the relationship, e.g. `manager`. Clearing a link that does not exist
    /// succeeds; an undefined relationship name is not found.
    pub relationship_name: NonEmpty,
}
action!(ClearLinkedObject, "delete_linked_object", LinkChanged,
    {"userIdOrLogin": "00ub0oNGTSWTBKOLGLNR", "relationshipName": "manager"});

/// Input of `put_replace_linked_object_value_for_primary`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetLinkedObject {
    /// The associated user (e.g. the report): Okta id or login.
    pub user_id_or_login: NonEmpty,
    /// Primary name of the relationship, e.g. `manager`.
    pub primary_relationship_name: NonEmpty,
    /// Okta id of the primary user (e.g. the manager); replaces any previous one.
    pub primary_user_id: NonEmpty,
}
action!(SetLinkedObject, "put_replace_linked_object_value_for_primary", LinkChanged,
    {"userIdOrLogin": "00ub0oNGTSWTBKOLGLNR", "primaryRelationshipName": "manager", "primaryUserId": "00u5t60iloOHN9pBi0h7"});
