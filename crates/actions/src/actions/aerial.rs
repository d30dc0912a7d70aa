//! Okta Aerial: orgs of a multi-org account and their products.
//!
//! These actions run with the client of the Aerial host (its org URL is e.g.
//! `https://aerial-apac.okta.com`); the input's `accountId` picks the account on it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spindle_okta::Client;
use spindle_okta::aerial::ListOrgs;
use spindle_okta::models::{AerialOrg, AerialProduct};

use super::after_cursor;
use super::common::{NonEmpty, Page, body};
use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;
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

impl Action for ListAerialOrgs {
    const SPEC: Spec = Spec {
        id: "get_list_all_orgs",
        title: "List all Orgs",
        operation: Operation::Read,
        entities: &["error", "account", "org"],
        summary: "Okta Aerial call listing the Okta orgs attached to an Aerial account, given `accountId`. Supports a SCIM-style `filter` (for example on `subdomain`, `status` or `aerialOrg eq true`), `limit` (default 25) and `after`/`before` cursors from the Link header. Requires an Aerial-org access token with `okta.accounts.read`. Each org record includes id, name, domain, cell, region, status and creation details.",
        server: Server::Aerial,
        method: HttpMethod::Get,
        path: "/{accountId}/api/v1/orgs",
        scopes: &["okta.accounts.read"],
    };
    type Output = Page<AerialOrg>;

    fn example() -> Value {
        json!({"accountId": "acc4b2rP4hVYwC5A40g4", "filter": "status eq \"ACTIVE\"", "limit": 25})
    }

    after_cursor!();

    async fn run(self, client: &Client) -> Result<Page<AerialOrg>, ExecuteError> {
        let query = ListOrgs {
            filter: self.filter,
            limit: self.limit,
            after: self.after.map(String::from),
            before: self.before.map(String::from),
        };
        let aerial = client.aerial_account(self.account_id.as_str());
        Ok(aerial.orgs_page(query).await?.into())
    }
}

/// Input of `get_retrieve_an_org_by_id`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetAerialOrg {
    /// Id of the Aerial account.
    pub account_id: NonEmpty,
    /// Okta id of the org (starts with `00o`).
    pub org_id: NonEmpty,
}

impl Action for GetAerialOrg {
    const SPEC: Spec = Spec {
        id: "get_retrieve_an_org_by_id",
        title: "Retrieve an Org by ID",
        operation: Operation::Read,
        entities: &["error", "account", "org"],
        summary: "Okta Aerial call that fetches one managed org within an Aerial account, given `accountId` and `orgId`. It runs on the Aerial host with an access token from the Aerial org carrying `okta.accounts.read`. Returns the org record: id, name, domain, cell, region, status (`ACTIVE` or `INACTIVE`), whether it is the Aerial org, and creation details.",
        server: Server::Aerial,
        method: HttpMethod::Get,
        path: "/{accountId}/api/v1/orgs/{orgId}",
        scopes: &["okta.accounts.read"],
    };
    type Output = AerialOrg;

    fn example() -> Value {
        json!({"accountId": "acc4b2rP4hVYwC5A40g4", "orgId": "00o16fjDHCgFqob8n0g4"})
    }

    async fn run(self, client: &Client) -> Result<AerialOrg, ExecuteError> {
        let aerial = client.aerial_account(self.account_id.as_str());
        Ok(aerial.get_org(self.org_id.as_str()).await?)
    }
}

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

impl Action for AddAerialOrg {
    const SPEC: Spec = Spec {
        id: "post_add_org_to_account",
        title: "Add an Org to the Account",
        operation: Operation::Write,
        entities: &["account", "org"],
        summary: "Okta Aerial call that brings an existing Okta org under management of an Aerial account. Inputs are `accountId` and a body with either `orgId` or `domain`, plus an optional `cell` (for example `OK1`) that speeds the lookup. The org must belong to the customer's contracts and must already have granted Aerial consent. Requires an Aerial-org token with `okta.accounts.manage` and returns the org record.",
        server: Server::Aerial,
        method: HttpMethod::Post,
        path: "/{accountId}/api/v1/orgs",
        scopes: &["okta.accounts.manage"],
    };
    type Output = AerialOrg;

    fn example() -> Value {
        json!({"accountId": "acc4b2rP4hVYwC5A40g4", "body": {"orgId": "00oy0itaI2Yi7XGGE0g3", "cell": "OK1"}})
    }

    fn check(&self) -> Vec<Problem> {
        match (&self.body.org_id, &self.body.domain) {
            (Some(_), Some(_)) => vec![Problem::new(
                "body",
                "give either `orgId` or `domain`, not both",
            )],
            (None, None) => vec![Problem::new("body", "give one of `orgId` and `domain`")],
            _ => Vec::new(),
        }
    }

    async fn run(self, client: &Client) -> Result<AerialOrg, ExecuteError> {
        let org = body(&self.body)?;
        let aerial = client.aerial_account(self.account_id.as_str());
        Ok(aerial.add_org(&org).await?)
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

impl Action for SetAerialOrgStatus {
    const SPEC: Spec = Spec {
        id: "put_change_status_of_org",
        title: "Change the status of an Org",
        operation: Operation::Write,
        entities: &["account", "org"],
        summary: "Okta Aerial call that switches a managed org on or off, given `accountId`, `orgId` and a body `status` of `ACTIVE` or `INACTIVE`. While inactive the org is not billed and its users cannot sign in. Requires an Aerial-org access token with `okta.accounts.manage`. Returns the updated org record with id, name, domain, cell and the new status.",
        server: Server::Aerial,
        method: HttpMethod::Put,
        path: "/{accountId}/api/v1/orgs/{orgId}/status",
        scopes: &["okta.accounts.manage"],
    };
    type Output = AerialOrg;

    fn example() -> Value {
        json!({"accountId": "acc4b2rP4hVYwC5A40g4", "orgId": "00o16fjDHCgFqob8n0g4", "body": {"status": "INACTIVE"}})
    }

    async fn run(self, client: &Client) -> Result<AerialOrg, ExecuteError> {
        let status = match self.body.status {
            OrgStatus::Active => "ACTIVE",
            OrgStatus::Inactive => "INACTIVE",
        };
        let aerial = client.aerial_account(self.account_id.as_str());
        Ok(aerial.set_org_status(self.org_id.as_str(), status).await?)
    }
}

/// Input of `get_enabled_products_for_org`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetOrgProducts {
    /// Id of the Aerial account.
    pub account_id: NonEmpty,
    /// Okta id of the org.
    pub org_id: NonEmpty,
}

impl Action for GetOrgProducts {
    const SPEC: Spec = Spec {
        id: "get_enabled_products_for_org",
        title: "List all Enabled Products for an Org",
        operation: Operation::Read,
        entities: &["product", "account", "organization"],
        summary: "Okta Aerial call that shows which Okta products are currently switched on for one org managed by an Aerial account. Inputs are `accountId` and `orgId`; it runs against the Aerial host with an OAuth access token from the Aerial org (scope `okta.accounts.read`). Returns an array of product entries, each with an `id` such as `P000052` and a display `name`.",
        server: Server::Aerial,
        method: HttpMethod::Get,
        path: "/{accountId}/api/v1/orgs/{orgId}/products",
        scopes: &["okta.accounts.read"],
    };
    /// The enabled products in one page: Okta does not paginate them.
    type Output = Page<AerialProduct>;

    fn example() -> Value {
        json!({"accountId": "acc4b2rP4hVYwC5A40g4", "orgId": "00o16fjDHCgFqob8n0g4"})
    }

    async fn run(self, client: &Client) -> Result<Page<AerialProduct>, ExecuteError> {
        let aerial = client.aerial_account(self.account_id.as_str());
        let items = aerial.products(self.org_id.as_str()).await?;
        Ok(Page { items, next: None })
    }
}

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

impl Action for SetOrgProducts {
    const SPEC: Spec = Spec {
        id: "put_update_enabled_products_for_an_org",
        title: "Update Enabled Products for an Org",
        operation: Operation::Write,
        entities: &["product", "account", "organization"],
        summary: "Okta Aerial call that sets exactly which products are enabled for a managed org, given `accountId`, `orgId` and an array of product entries with `id` (a `name` may be included but is ignored). The array is the complete desired set: products left out are disabled. Requires an Aerial-org token with `okta.accounts.manage`, and returns the resulting list of enabled products.",
        server: Server::Aerial,
        method: HttpMethod::Put,
        path: "/{accountId}/api/v1/orgs/{orgId}/products",
        scopes: &["okta.accounts.manage"],
    };
    /// The products now enabled, in one page.
    type Output = Page<AerialProduct>;

    fn example() -> Value {
        json!({"accountId": "acc4b2rP4hVYwC5A40g4", "orgId": "00o16fjDHCgFqob8n0g4", "body": [{"id": "P000052", "name": "IT Products - SSO"}]})
    }

    async fn run(self, client: &Client) -> Result<Page<AerialProduct>, ExecuteError> {
        let products: Vec<AerialProduct> = body(&self.body)?;
        let aerial = client.aerial_account(self.account_id.as_str());
        let items = aerial.set_products(self.org_id.as_str(), &products).await?;
        Ok(Page { items, next: None })
    }
}
