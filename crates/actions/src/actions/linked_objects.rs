//! Linked-object values: relationships between users, such as manager and report.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use serde_json::{Value, json};
use spindle_okta::Client;
use spindle_okta::models::LinkedObjectValue;

use super::common::{NonEmpty, Page};
use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;
use crate::outputs::LinkChanged;

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

impl Action for ListLinkedObjectValues {
    const SPEC: Spec = Spec {
        id: "get_primary_or_all_associated_linked_object_values",
        title: "List the primary or all of the associated Linked Object values",
        operation: Operation::Read,
        entities: &["linked object", "user", "relationship"],
        summary: "Reads linked-object values for a user. Given `userIdOrLogin` and a primary relationship name, it returns the user's single primary (for example their manager); given the associated name on a primary user, it returns everyone linked to them (for example their direct reports). Results are an array of objects holding only a link to each related user, and an empty array when no relationship exists.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{userIdOrLogin}/linkedObjects/{relationshipName}",
        scopes: &["okta.users.read"],
    };
    /// The linked users in one page: Okta does not paginate linked-object values.
    type Output = Page<LinkedObjectValue>;

    fn example() -> Value {
        json!({"userIdOrLogin": "00ub0oNGTSWTBKOLGLNR", "relationshipName": "manager"})
    }

    async fn run(self, client: &Client) -> Result<Page<LinkedObjectValue>, ExecuteError> {
        let links = client.linked_objects();
        let items = links
            .get(self.user_id_or_login.as_str(), &self.relationship_name)
            .await?;
        Ok(Page { items, next: None })
    }
}

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

impl Action for ClearLinkedObject {
    const SPEC: Spec = Spec {
        id: "delete_linked_object",
        title: "Delete a Linked Object",
        operation: Operation::Write,
        entities: &["linked object", "user", "relationship"],
        summary: "Clears a linked-object relationship for a user, for example removing whom an employee reports to. Inputs are `userIdOrLogin` (the associated user) and `relationshipName`, the primary name of the relationship definition. The call succeeds with 204 even when no link existed, but fails with not found when the relationship name is not defined in the org. No body is returned; Spindle reports the outcome as a structured result.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/users/{userIdOrLogin}/linkedObjects/{relationshipName}",
        scopes: &["okta.users.manage"],
    };
    type Output = LinkChanged;

    fn example() -> Value {
        json!({"userIdOrLogin": "00ub0oNGTSWTBKOLGLNR", "relationshipName": "manager"})
    }

    async fn run(self, client: &Client) -> Result<LinkChanged, ExecuteError> {
        let links = client.linked_objects();
        links
            .delete(self.user_id_or_login.as_str(), &self.relationship_name)
            .await?;
        Ok(LinkChanged {
            user_id_or_login: self.user_id_or_login.into(),
            relationship_name: self.relationship_name.into(),
            primary_user_id: None,
            linked: false,
        })
    }
}

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

impl Action for SetLinkedObject {
    const SPEC: Spec = Spec {
        id: "put_replace_linked_object_value_for_primary",
        title: "Replace the Linked Object value for primary",
        operation: Operation::Write,
        entities: &["linked object", "user", "relationship"],
        summary: "Sets the primary user of a linked-object relationship for an associated user, for example recording an employee's manager. Inputs are `userIdOrLogin` (the associated user), `primaryRelationshipName` and `primaryUserId`. An associated user has at most one primary per relationship, so any previous value is overwritten, and a user may even be their own primary. Okta returns no body; Spindle reports the outcome as a structured result.",
        server: Server::Management,
        method: HttpMethod::Put,
        path: "/api/v1/users/{userIdOrLogin}/linkedObjects/{primaryRelationshipName}/{primaryUserId}",
        scopes: &["okta.users.manage"],
    };
    type Output = LinkChanged;

    fn example() -> Value {
        json!({"userIdOrLogin": "00ub0oNGTSWTBKOLGLNR", "primaryRelationshipName": "manager", "primaryUserId": "00u5t60iloOHN9pBi0h7"})
    }

    async fn run(self, client: &Client) -> Result<LinkChanged, ExecuteError> {
        let links = client.linked_objects();
        links
            .set_primary(
                self.user_id_or_login.as_str(),
                &self.primary_relationship_name,
                self.primary_user_id.as_str(),
            )
            .await?;
        Ok(LinkChanged {
            user_id_or_login: self.user_id_or_login.into(),
            relationship_name: self.primary_relationship_name.into(),
            primary_user_id: Some(self.primary_user_id.into()),
            linked: true,
        })
    }
}
