//! What a user is linked to: app links, groups, identity providers, access blocks.
//!
//! Okta answers each of these lists in one response (none takes `after` or `limit`), so every
//! item is read and the page's `next` is always absent.

use futures::TryStreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spindle_okta::Client;
use spindle_okta::models::{AppLink, Group, IdentityProvider, UserBlock};

use super::common::{NonEmpty, Page};
use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;

macro_rules! by_user {
    ($name:ident, $id:literal, $doc:literal) => {
        #[doc = concat!("Input of `", $id, "`.")]
        #[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            #[doc = $doc]
            pub id: NonEmpty,
        }
    };
}

/// The input every action of this module shows.
fn user_example() -> Value {
    json!({"id": "00ub0oNGTSWTBKOLGLNR"})
}

/// A list Okta does not paginate, as a page.
fn whole<T>(items: Vec<T>) -> Page<T> {
    Page { items, next: None }
}

by_user!(
    ListUserAppLinks,
    "get_list_all_assigned_application_links",
    "The user whose dashboard links to list: Okta id, login, or an unambiguous login short name."
);

impl Action for ListUserAppLinks {
    const SPEC: Spec = Spec {
        id: "get_list_all_assigned_application_links",
        title: "List all Assigned Application Links",
        operation: Operation::Read,
        entities: &["app link", "application", "user"],
        summary: "Lists the application links shown on a user's Okta dashboard, covering apps assigned directly and those inherited through group membership. Input is the user `id`, login or unambiguous short login. Each entry includes the app label, `appName`, `linkUrl`, `logoUrl`, the app instance and assignment ids, whether the link is hidden, its sort order and whether credentials are set up.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{id}/appLinks",
        scopes: &["okta.users.read"],
    };
    type Output = Page<AppLink>;

    fn example() -> Value {
        user_example()
    }

    async fn run(self, client: &Client) -> Result<Page<AppLink>, ExecuteError> {
        Ok(whole(client.users().app_links(self.id.as_str()).await?))
    }
}

by_user!(
    ListUserGroups,
    "get_list_all_groups",
    "The user whose groups to list (Everyone included): Okta id, login, or an unambiguous login short name."
);

impl Action for ListUserGroups {
    const SPEC: Spec = Spec {
        id: "get_list_all_groups",
        title: "List all Groups",
        operation: Operation::Read,
        entities: &["user", "group"],
        summary: "Lists the groups a single user belongs to, given the user `id`, login or unambiguous short login; it does not list every group in the org. The result always includes the built-in Everyone group alongside `OKTA_GROUP` and imported `APP_GROUP` memberships. Each item is a full group object with id, type, profile name and description, and timestamps.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{id}/groups",
        scopes: &["okta.users.read"],
    };
    type Output = Page<Group>;

    fn example() -> Value {
        user_example()
    }

    async fn run(self, client: &Client) -> Result<Page<Group>, ExecuteError> {
        let groups = client
            .users()
            .groups(self.id.as_str())
            .try_collect()
            .await?;
        Ok(whole(groups))
    }
}

by_user!(
    ListUserIdps,
    "get_list_all_identity_providers",
    "The user whose linked identity providers to list: Okta id, login, or an unambiguous login short name."
);

impl Action for ListUserIdps {
    const SPEC: Spec = Spec {
        id: "get_list_all_identity_providers",
        title: "List all Identity Providers",
        operation: Operation::Read,
        entities: &["policy", "user", "identity provider"],
        summary: "Lists the external identity providers linked to a user, such as social or SAML IdPs through which the account was created or is federated. Input is the user `id`, login or unambiguous short login. Returns an array of identity provider objects (id, name, type, status, protocol and policy settings); an empty array means the user has no IdP links.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{id}/idps",
        scopes: &["okta.users.read"],
    };
    type Output = Page<IdentityProvider>;

    fn example() -> Value {
        user_example()
    }

    async fn run(self, client: &Client) -> Result<Page<IdentityProvider>, ExecuteError> {
        Ok(whole(client.idps().for_user(self.id.as_str()).await?))
    }
}

by_user!(
    ListUserBlocks,
    "get_list_all_user_blocks",
    "The user whose access blocks to list: Okta id, login, or an unambiguous login short name."
);

impl Action for ListUserBlocks {
    const SPEC: Spec = Spec {
        id: "get_list_all_user_blocks",
        title: "List all User Blocks",
        operation: Operation::Read,
        entities: &["block", "user"],
        summary: "Shows whether and how a user is blocked from signing in, given the user `id`, login or unambiguous short login. Each returned block has type `DEVICE_BASED` and an `appliesTo` value of `ANY_DEVICES` or `UNKNOWN_DEVICES`, the latter meaning only unfamiliar devices are locked out. An empty array means no block is in place; the unlock action clears these blocks.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{id}/blocks",
        scopes: &["okta.users.read"],
    };
    type Output = Page<UserBlock>;

    fn example() -> Value {
        user_example()
    }

    async fn run(self, client: &Client) -> Result<Page<UserBlock>, ExecuteError> {
        Ok(whole(client.users().blocks(self.id.as_str()).await?))
    }
}
