//! MyAccount: what the signed-in user may read about their org.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action;
use crate::models::misc::Organization;

/// Input of `get_retrieve_the_org_details` (it takes no parameters; the org and user come from
/// the access token).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetOrgDetails {}
action!(
    GetOrgDetails,
    "get_retrieve_the_org_details",
    Organization,
    {}
);
