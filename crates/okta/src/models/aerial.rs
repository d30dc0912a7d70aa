//! Okta Aerial (multi-org management) objects.

use serde::{Deserialize, Serialize};

use super::{JsonMap, object};
use crate::ids::OrgId;

object! {
    /// An org linked to an Aerial account.
    AerialOrg {
        /// Org id.
        id: OrgId = "id",
        /// Account id.
        account_id: String = "accountId",
        /// Org name.
        name: String = "name",
        /// Region.
        region: String = "region",
        /// Cell.
        cell: String = "cell",
        /// Domain.
        domain: String = "domain",
        /// `ACTIVE` or `INACTIVE`.
        status: String = "status",
        /// Creation time.
        created_date: String = "createdDate",
        /// Creator.
        created_by: String = "createdBy",
    }
}

/// Body of `POST /{accountId}/api/v1/orgs`: an org by id or domain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AddOrgBody {
    /// Org id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Org domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// A product (`{"id": "P000052", "name": "IT Products - SSO"}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct AerialProduct {
    /// Product id.
    pub id: String,
    /// Name (ignored on writes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}
