//! User types, identity providers, linked objects, Aerial orgs and products, MyAccount.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::actions::common::{Extra, Hal};

/// A user type: a named profile schema users are created with.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserType {
    /// Okta's id of the type (`oty...`).
    pub id: Option<String>,
    /// Immutable API name.
    pub name: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Whether this is the org's default type.
    pub default: Option<bool>,
    /// When the type was created.
    pub created: Option<String>,
    /// Who created it.
    pub created_by: Option<String>,
    /// When it was last updated.
    pub last_updated: Option<String>,
    /// Who last updated it.
    pub last_updated_by: Option<String>,
    /// The type's schema and itself.
    #[serde(rename = "_links")]
    pub links: Hal,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An identity provider a user is linked to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdentityProvider {
    /// Okta's id of the IdP (`0oa...`).
    pub id: Option<String>,
    /// Name of the IdP.
    pub name: Option<String>,
    /// `SAML2`, `OIDC`, `GOOGLE`, `MICROSOFT`, ...
    #[serde(rename = "type")]
    pub idp_type: Option<String>,
    /// `ACTIVE` or `INACTIVE`.
    pub status: Option<String>,
    /// When it was created.
    pub created: Option<String>,
    /// When it was last updated.
    pub last_updated: Option<String>,
    /// Related resources.
    #[serde(rename = "_links")]
    pub links: Hal,
    /// Fields Spindle does not type (protocol, policy, ...).
    #[serde(flatten)]
    pub extra: Extra,
}

/// One linked-object value: a link to the related user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct LinkedObjectValue {
    /// `{"self": {"href": ".../api/v1/users/<id>"}}` pointing at the related user.
    #[serde(rename = "_links")]
    pub links: Hal,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An org managed through Okta Aerial.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AerialOrg {
    /// Okta's id of the org (`00o...`).
    pub id: Option<String>,
    /// The Aerial account the org belongs to.
    pub account_id: Option<String>,
    /// Name of the org.
    pub name: Option<String>,
    /// Domain of the org, e.g. `acme.okta.com`.
    pub domain: Option<String>,
    /// Cell the org runs in, e.g. `OK1`.
    pub cell: Option<String>,
    /// `ACTIVE` or `INACTIVE`.
    pub status: Option<String>,
    /// Whether this org is the account's Aerial org.
    pub aerial_org: Option<bool>,
    /// When the org was added.
    pub created_date: Option<String>,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A product of an Aerial-managed org.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Product {
    /// Product id, e.g. `P000052`.
    pub id: Option<String>,
    /// Product name, e.g. `IT Products - SSO`.
    pub name: Option<String>,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The org as the MyAccount API describes it to its users.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// Name of the org.
    pub name: Option<String>,
    /// URL of the org.
    pub url: Option<String>,
    /// URL of the org's help pages.
    pub help_link: Option<String>,
    /// Email address of the org's support.
    pub support_email: Option<String>,
    /// Itself.
    #[serde(rename = "_links")]
    pub links: Hal,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}
