//! User types: named profile schemas.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spindle_okta::Client;
use spindle_okta::models::UserType;

use super::common::{NonEmpty, Page, body};
use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;
use crate::outputs::UserTypeDeleted;

/// Input of `get_list_all_user_types` (it takes no parameters).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListUserTypes {}

impl Action for ListUserTypes {
    const SPEC: Spec = Spec {
        id: "get_list_all_user_types",
        title: "List all User Types",
        operation: Operation::Read,
        entities: &["user type", "user", "schema"],
        summary: "Lists every user type defined in the org, including the automatically created default type (name `user`). Takes no inputs. Each type returns its `id`, immutable `name`, `displayName`, `description`, whether it is the `default`, who created and last updated it, timestamps, and a link to its profile schema. An org can hold at most ten types.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/meta/types/user",
        scopes: &["okta.userTypes.read"],
    };
    /// Every type in one page: an org has at most 10, and Okta does not paginate them.
    type Output = Page<UserType>;

    fn example() -> Value {
        json!({})
    }

    async fn run(self, client: &Client) -> Result<Page<UserType>, ExecuteError> {
        let items = client.user_types().list().await?;
        Ok(Page { items, next: None })
    }
}

/// Input of `get_retrieve_a_user_type`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetUserType {
    /// Okta id of the type (starts with `oty`), or `default` for the org's default type.
    pub type_id: NonEmpty,
}

impl Action for GetUserType {
    const SPEC: Spec = Spec {
        id: "get_retrieve_a_user_type",
        title: "Retrieve a User Type",
        operation: Operation::Read,
        entities: &["error cause", "link", "user type"],
        summary: "Fetches a single user type by `typeId`; pass `default` to get the org's default type. The response contains the type's `id`, immutable `name`, `displayName`, `description`, whether it is the default, created and last updated metadata including the acting users, and a link to the profile schema that governs users of this type.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/meta/types/user/{typeId}",
        scopes: &["okta.userTypes.read"],
    };
    type Output = UserType;

    fn example() -> Value {
        json!({"typeId": "default"})
    }

    async fn run(self, client: &Client) -> Result<UserType, ExecuteError> {
        Ok(client.user_types().get(self.type_id.as_str()).await?)
    }
}

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

impl Action for CreateUserType {
    const SPEC: Spec = Spec {
        id: "post_create_user_type",
        title: "Create a User Type",
        operation: Operation::Write,
        entities: &["link", "schema", "user type"],
        summary: "Creates a custom user type with a unique `name` (letters, digits and underscores, fixed once created), a `displayName` and an optional `description`. Besides the default type an org may have nine more. The new type's profile schema is copied from Okta's base default template, not from any edits made to the default type. Returns the created type with its `id` and schema link.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/meta/types/user",
        scopes: &["okta.userTypes.manage"],
    };
    type Output = UserType;

    fn example() -> Value {
        json!({"body": {"name": "contractor", "displayName": "Contractor", "description": "External contractors"}})
    }

    async fn run(self, client: &Client) -> Result<UserType, ExecuteError> {
        Ok(client.user_types().create(&body(&self.body)?).await?)
    }
}

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

impl Action for UpdateUserType {
    const SPEC: Spec = Spec {
        id: "post_update_user_type",
        title: "Update a User Type",
        operation: Operation::Write,
        entities: &["error", "link", "user type"],
        summary: "Partially updates a user type, given `typeId`: send only the `displayName` and/or `description` you want to change, and omitted fields keep their values. The type's `name` is fixed at creation and cannot be altered by this or any other call. Returns the updated user type with its timestamps and the identity of whoever last changed it.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/meta/types/user/{typeId}",
        scopes: &["okta.userTypes.manage"],
    };
    type Output = UserType;

    fn example() -> Value {
        json!({"typeId": "otyfnjfba4ye7pgjB0g4", "body": {"displayName": "Contractor (external)"}})
    }

    async fn run(self, client: &Client) -> Result<UserType, ExecuteError> {
        let change = body(&self.body)?;
        Ok(client
            .user_types()
            .update(self.type_id.as_str(), &change)
            .await?)
    }
}

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

impl Action for ReplaceUserType {
    const SPEC: Spec = Spec {
        id: "put_replace_user_type",
        title: "Replace a User Type",
        operation: Operation::Write,
        entities: &["error", "link", "user type"],
        summary: "Fully replaces a user type, given `typeId`. The body must contain `name`, `displayName` and `description`; `name` has to match the existing value since it can never change, so in effect only the display name and description are replaced. Returns the updated user type including its `id`, default flag, timestamps and schema link.",
        server: Server::Management,
        method: HttpMethod::Put,
        path: "/api/v1/meta/types/user/{typeId}",
        scopes: &["okta.userTypes.manage"],
    };
    type Output = UserType;

    fn example() -> Value {
        json!({"typeId": "otyfnjfba4ye7pgjB0g4", "body": {
            "name": "contractor", "displayName": "Contractor", "description": "External contractors and agencies"
        }})
    }

    async fn run(self, client: &Client) -> Result<UserType, ExecuteError> {
        let definition = body(&self.body)?;
        Ok(client
            .user_types()
            .replace(self.type_id.as_str(), &definition)
            .await?)
    }
}

/// Input of `delete_user_type`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeleteUserType {
    /// Okta id of the type; the default type and types still assigned to users cannot be deleted.
    pub type_id: NonEmpty,
}

impl Action for DeleteUserType {
    const SPEC: Spec = Spec {
        id: "delete_user_type",
        title: "Delete a User Type",
        operation: Operation::Write,
        entities: &["error cause", "user type"],
        summary: "Permanently deletes a custom user type identified by `typeId`. Okta refuses (403) to delete the org's default type or any type still assigned to users, so reassign those users first; a deleted type frees a slot in the limit of ten types per org. The response has no body, and Spindle returns a structured result confirming the deletion.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/meta/types/user/{typeId}",
        scopes: &["okta.userTypes.manage"],
    };
    type Output = UserTypeDeleted;

    fn example() -> Value {
        json!({"typeId": "otyfnjfba4ye7pgjB0g4"})
    }

    async fn run(self, client: &Client) -> Result<UserTypeDeleted, ExecuteError> {
        client.user_types().delete(self.type_id.as_str()).await?;
        Ok(UserTypeDeleted {
            deleted: true,
            type_id: self.type_id.into(),
        })
    }
}
