//! Groups: read, create, replace, delete, and their members and apps.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spindle_okta::models::{Application, Group, User};
use spindle_okta::{Client, Raw};

use super::after_cursor;
use super::common::{Extra, NonEmpty, Page, body, page_query};
use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;
use crate::outputs::{GroupDeleted, Membership};

/// Input of `delete_a_group`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeleteGroup {
    /// Okta id of the group to delete (starts with `00g`).
    pub group_id: NonEmpty,
}

impl Action for DeleteGroup {
    const SPEC: Spec = Spec {
        id: "delete_a_group",
        title: "Delete a Group",
        operation: Operation::Write,
        entities: &["permission", "error", "group"],
        summary: "Removes a group from the Okta org by its `groupId`. Works for `OKTA_GROUP` groups and for imported `APP_GROUP` groups, except an `APP_GROUP` that is still referenced by a group push mapping; the built-in Everyone group cannot be removed. Okta answers 204 with no body, so Spindle returns a structured result confirming the deletion, and a later lookup of the same id yields not found.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/groups/{groupId}",
        scopes: &["okta.groups.manage"],
    };
    type Output = GroupDeleted;

    fn example() -> Value {
        json!({"groupId": "00g1emaKYZTWRYYRRTSK"})
    }

    async fn run(self, client: &Client) -> Result<GroupDeleted, ExecuteError> {
        client.groups().delete(self.group_id.as_str()).await?;
        Ok(GroupDeleted {
            deleted: true,
            group_id: self.group_id.into(),
        })
    }
}

/// Input of `get_retrieve_a_group`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetGroup {
    /// Okta id of the group (starts with `00g`).
    pub group_id: NonEmpty,
}

impl Action for GetGroup {
    const SPEC: Spec = Spec {
        id: "get_retrieve_a_group",
        title: "Retrieve a Group",
        operation: Operation::Read,
        entities: &["profile", "link", "group"],
        summary: "Fetches one group by `groupId`. Returns its `type` (`OKTA_GROUP`, `APP_GROUP` or `BUILT_IN`), profile name and description, creation, last update and last membership change timestamps, and links to its members, assigned apps and logo. An unknown or deleted id produces Okta's not-found error, which Spindle passes back as a structured error.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/groups/{groupId}",
        scopes: &["okta.groups.read"],
    };
    type Output = Group;

    fn example() -> Value {
        json!({"groupId": "00g1emaKYZTWRYYRRTSK"})
    }

    async fn run(self, client: &Client) -> Result<Group, ExecuteError> {
        Ok(client.groups().get(self.group_id.as_str()).await?)
    }
}

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

impl Action for CreateGroup {
    const SPEC: Spec = Spec {
        id: "post_create_a_group",
        title: "Create a Group",
        operation: Operation::Write,
        entities: &["profile", "link", "group"],
        summary: "Creates a new `OKTA_GROUP` in the org from a `profile` holding a `name` (up to 255 characters) and an optional `description`; imported `APP_GROUP` groups cannot be created this way. Custom group profile attributes must already exist in the group schema. Okta answers with HTTP 200 and the new group, including its generated `id`, type, profile, timestamps and links to members and apps.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/groups",
        scopes: &["okta.groups.manage"],
    };
    type Output = Group;

    fn example() -> Value {
        json!({"body": {"profile": {"name": "Sales EMEA", "description": "Everyone selling in Europe"}}})
    }

    async fn run(self, client: &Client) -> Result<Group, ExecuteError> {
        Ok(client.groups().create(&body(&self.body)?).await?)
    }
}

/// Input of `put_replace_a_group`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplaceGroup {
    /// Okta id of the group to replace; only `OKTA_GROUP` groups can be changed.
    pub group_id: NonEmpty,
    /// The group's new profile, replacing the old one entirely.
    pub body: GroupBody,
}

impl Action for ReplaceGroup {
    const SPEC: Spec = Spec {
        id: "put_replace_a_group",
        title: "Replace a Group",
        operation: Operation::Write,
        entities: &["profile", "link", "group"],
        summary: "Replaces the profile of an `OKTA_GROUP`, given `groupId` and a `profile` with `name` and `description`. This is a full replacement, so send every profile attribute you want to keep, since omitted ones are not carried over. Profiles of imported `APP_GROUP` groups are owned by their source and cannot be changed here. Returns the updated group with a fresh `lastUpdated` time.",
        server: Server::Management,
        method: HttpMethod::Put,
        path: "/api/v1/groups/{groupId}",
        scopes: &["okta.groups.manage"],
    };
    type Output = Group;

    fn example() -> Value {
        json!({"groupId": "00g1emaKYZTWRYYRRTSK", "body": {"profile": {"name": "Sales EMEA & APAC", "description": "Everyone selling outside the Americas"}}})
    }

    async fn run(self, client: &Client) -> Result<Group, ExecuteError> {
        let body = body(&self.body)?;
        Ok(client
            .groups()
            .replace(self.group_id.as_str(), &body)
            .await?)
    }
}

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

impl Action for ListGroupMembers {
    const SPEC: Spec = Spec {
        id: "get_list_all_member_users",
        title: "List all Member Users",
        operation: Operation::Read,
        entities: &["profile", "user", "group"],
        summary: "Lists the users who are members of a group, given `groupId`. Pagination uses the opaque `after` cursor and `limit`; Okta's default page size is a historical 1000, but pages of about 200 are recommended. Each entry is a complete user object (id, status, profile, credentials summary and timestamps). Spindle surfaces the next-page cursor from Okta's Link header.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/groups/{groupId}/users",
        scopes: &["okta.groups.read"],
    };
    type Output = Page<Raw<User>>;

    fn example() -> Value {
        json!({"groupId": "00g1emaKYZTWRYYRRTSK", "limit": 200})
    }

    after_cursor!();

    async fn run(self, client: &Client) -> Result<Page<Raw<User>>, ExecuteError> {
        let query = page_query(self.after, self.limit);
        let page = client
            .groups()
            .members_page_raw(self.group_id.as_str(), query)
            .await?;
        Ok(page.into())
    }
}

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

impl Action for ListGroupApps {
    const SPEC: Spec = Spec {
        id: "get_list_all_assigned_applications",
        title: "List all Assigned Applications",
        operation: Operation::Read,
        entities: &["application", "group"],
        summary: "Lists the applications assigned to a group, given `groupId`. Results are paginated with an opaque `after` cursor taken from the previous page and a `limit` that defaults to 20. Each item is a full Okta application object whose settings vary by sign-on mode (SAML, OIDC, bookmark and so on). Spindle follows Okta's Link header to expose the next cursor.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/groups/{groupId}/apps",
        scopes: &["okta.groups.read"],
    };
    type Output = Page<Application>;

    fn example() -> Value {
        json!({"groupId": "00g1emaKYZTWRYYRRTSK", "limit": 20})
    }

    after_cursor!();

    async fn run(self, client: &Client) -> Result<Page<Application>, ExecuteError> {
        let query = page_query(self.after, self.limit);
        let page = client
            .groups()
            .apps_page(self.group_id.as_str(), query)
            .await?;
        Ok(page.into())
    }
}

/// Input of `put_assign_a_user_to_a_group`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AssignUserToGroup {
    /// Okta id of the group; only `OKTA_GROUP` memberships can be changed.
    pub group_id: NonEmpty,
    /// Okta id of the user to add.
    pub user_id: NonEmpty,
}

impl Action for AssignUserToGroup {
    const SPEC: Spec = Spec {
        id: "put_assign_a_user_to_a_group",
        title: "Assign a User to a Group",
        operation: Operation::Write,
        entities: &["error", "user", "group"],
        summary: "Adds a user to a group, given `groupId` and `userId`. Only `OKTA_GROUP` groups accept direct membership changes; imported `APP_GROUP` memberships are managed by their source directory or app, and the built-in Everyone group is refused. Group-based app assignments follow the new membership. Okta returns 204 with no body; Spindle reports the outcome as a structured result.",
        server: Server::Management,
        method: HttpMethod::Put,
        path: "/api/v1/groups/{groupId}/users/{userId}",
        scopes: &["okta.groups.manage"],
    };
    type Output = Membership;

    fn example() -> Value {
        json!({"groupId": "00g1emaKYZTWRYYRRTSK", "userId": "00ub0oNGTSWTBKOLGLNR"})
    }

    async fn run(self, client: &Client) -> Result<Membership, ExecuteError> {
        let groups = client.groups();
        groups
            .add_user(self.group_id.as_str(), self.user_id.as_str())
            .await?;
        Ok(Membership {
            group_id: self.group_id.into(),
            user_id: self.user_id.into(),
            member: true,
        })
    }
}

/// Input of `delete_unassign_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UnassignUserFromGroup {
    /// Okta id of the group; only `OKTA_GROUP` memberships can be changed.
    pub group_id: NonEmpty,
    /// Okta id of the user to remove.
    pub user_id: NonEmpty,
}

impl Action for UnassignUserFromGroup {
    const SPEC: Spec = Spec {
        id: "delete_unassign_user",
        title: "Unassign a User",
        operation: Operation::Write,
        entities: &["user", "group"],
        summary: "Removes a user from a group, given `groupId` and `userId`. Only memberships of `OKTA_GROUP` groups can be changed this way; memberships of imported `APP_GROUP` groups (such as Active Directory) are owned by the import and are refused, and nobody can leave the built-in Everyone group. Okta returns 204 with no body; Spindle reports the outcome as a structured result.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/groups/{groupId}/users/{userId}",
        scopes: &["okta.groups.manage"],
    };
    type Output = Membership;

    fn example() -> Value {
        json!({"groupId": "00g1emaKYZTWRYYRRTSK", "userId": "00ub0oNGTSWTBKOLGLNR"})
    }

    async fn run(self, client: &Client) -> Result<Membership, ExecuteError> {
        let groups = client.groups();
        groups
            .remove_user(self.group_id.as_str(), self.user_id.as_str())
            .await?;
        Ok(Membership {
            group_id: self.group_id.into(),
            user_id: self.user_id.into(),
            member: false,
        })
    }
}
