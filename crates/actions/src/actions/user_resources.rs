//! What a user is linked to: app links, groups, identity providers, access blocks.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action;
use super::common::{NonEmpty, Page};
use crate::models::group::{AssignedAppLink, Group};
use crate::models::misc::IdentityProvider;
use crate::models::user::UserBlock;

macro_rules! by_user {
    ($name:ident, $id:literal, $out:ty, $doc:literal) => {
        #[doc = concat!("Input of `", $id, "`.")]
        #[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            #[doc = $doc]
            pub id: NonEmpty,
        }
        action!($name, $id, $out, {"id": "00ub0oNGTSWTBKOLGLNR"});
    };
}

by_user!(
    ListUserAppLinks,
    "get_list_all_assigned_application_links",
    Page<AssignedAppLink>,
    "The user whose dashboard links to list: Okta id, login, or an unambiguous login short name."
);
by_user!(
    ListUserGroups,
    "get_list_all_groups",
    Page<Group>,
    "The user whose groups to list (Everyone included): Okta id, login, or an unambiguous login short name."
);
by_user!(
    ListUserIdps,
    "get_list_all_identity_providers",
    Page<IdentityProvider>,
    "The user whose linked identity providers to list: Okta id, login, or an unambiguous login short name."
);
by_user!(
    ListUserBlocks,
    "get_list_all_user_blocks",
    Page<UserBlock>,
    "The user whose access blocks to list: Okta id, login, or an unambiguous login short name."
);
