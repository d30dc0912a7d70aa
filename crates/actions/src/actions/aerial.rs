//! Okta Aerial: orgs of a multi-org account and their products.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action;
use super::common::{NonEmpty, Page};
use crate::models::misc::{AerialOrg, Product};
use crate::validate::Problem;

/// Input of `get_list_all_orgs`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListAerialOrgs {
    /// Id of the Aerial account.
    pub account_id: NonEmpty,
    /// Cursor from the previous page's `next`; leave out for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<NonEmpty>,
    /// Cursor to page backwards from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<NonEmpty>,
    /// Orgs per page (Okta's default is 25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100), extend("default" = 25))]
    pub limit: Option<u32>,
    /// SCIM filter, e.g. `status eq "ACTIVE"` or `aerialOrg eq true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
}
action!(ListAerialOrgs, "get_list_all_orgs", Page<AerialOrg>,
    {"accountId": "acc4b2rP4hVYwC5A40g4", "filter": "status eq \"ACTIVE\"", "limit": 25});

/// Input of `get_retrieve_an_org_by_id`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetAerialOrg {
    /// Id of the Aerial account.
    pub account_id: NonEmpty,
    /// Okta id of the org (starts with `00o`).
    pub org_id: NonEmpty,
}
action!(GetAerialOrg, "get_retrieve_an_org_by_id", AerialOrg,
    {"accountId": "acc4b2rP4hVYwC5A40g4", "orgId": "00o16fjDHCgFqob8n0g4"});

/// The org to add: by id or by domain.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OrgToAdd {
    /// Okta id of the org. Give this or `domain`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<NonEmpty>,
    /// Domain of the org, e.g. `acme.okta.com`. Give this or `orgId`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<NonEmpty>,
    /// Cell of the org, e.g. `OK1`; speeds the lookup up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<NonEmpty>,
}

/// Input of `post_add_org_to_account`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AddAerialOrg {
    /// Id of the Aerial account.
    pub account_id: NonEmpty,
    /// The org, which must have granted Aerial consent.
    pub body: OrgToAdd,
}
action!(AddAerialOrg, "post_add_org_to_account", AerialOrg,
    {"accountId": "acc4b2rP4hVYwC5A40g4", "body": {"orgId": "00oy0itaI2Yi7XGGE0g3", "cell": "OK1"}},
    check = check_add);

fn check_add(input: &AddAerialOrg) -> Vec<Problem> {
    match (&input.body.org_id, &input.body.domain) {
        (Some(_), Some(_)) => vec![Problem::new(
            "body",
            "give either `orgId` or `domain`, not both",
        )],
        (None, None) => vec![Problem::new("body", "give one of `orgId` and `domain`")],
        _ => Vec::new(),
    }
}

/// Status of an Aerial-managed org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum OrgStatus {
    /// Users can sign in; the org is billed.
    Active,
    /// Users cannot sign in; the org is not billed.
    Inactive,
}

/// The new status.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgStatusBody {
    /// `ACTIVE` or `INACTIVE`.
    pub status: OrgStatus,
}

/// Input of `put_change_status_of_org`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetAerialOrgStatus {
    /// Id of the Aerial account.
    pub account_id: NonEmpty,
    /// Okta id of the org.
    pub org_id: NonEmpty,
    /// The new status.
    pub body: OrgStatusBody,
}
action!(SetAerialOrgStatus, "put_change_status_of_org", AerialOrg,
    {"accountId": "acc4b2rP4hVYwC5A40g4", "orgId": "00o16fjDHCgFqob8n0g4", "body": {"status": "INACTIVE"}});

/// Input of `get_enabled_products_for_org`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetOrgProducts {
    /// Id of the Aerial account.
    pub account_id: NonEmpty,
    /// Okta id of the org.
    pub org_id: NonEmpty,
}
action!(GetOrgProducts, "get_enabled_products_for_org", Page<Product>,
    {"accountId": "acc4b2rP4hVYwC5A40g4", "orgId": "00o16fjDHCgFqob8n0g4"});

/// A product to enable.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductRef {
    /// Product id, e.g. `P000052`.
    pub id: NonEmpty,
    /// Product name (ignored by Okta).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Input of `put_update_enabled_products_for_an_org`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetOrgProducts {
    /// Id of the Aerial account.
    pub account_id: NonEmpty,
    /// Okta id of the org.
    pub org_id: NonEmpty,
    /// Every product that should be enabled; products left out are disabled.
    pub body: Vec<ProductRef>,
}
action!(SetOrgProducts, "put_update_enabled_products_for_an_org", Page<Product>,
    {"accountId": "acc4b2rP4hVYwC5A40g4", "orgId": "00o16fjDHCgFqob8n0g4", "body": [{"id": "P000052", "name": "IT Products - SSO"}]});
