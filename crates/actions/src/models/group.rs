//! Groups, group rules and applications.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::actions::common::{Extra, Hal};

/// An Okta group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Okta's id of the group (`00g...`).
    pub id: Option<String>,
    /// `OKTA_GROUP` (managed in Okta), `APP_GROUP` (imported from an app or directory) or
    /// `BUILT_IN` (Everyone).
    #[serde(rename = "type")]
    pub group_type: Option<String>,
    /// When the group was created.
    pub created: Option<String>,
    /// When the group's profile last changed.
    pub last_updated: Option<String>,
    /// When the group's membership last changed.
    pub last_membership_updated: Option<String>,
    /// Schema classes of the profile, e.g. `["okta:user_group"]`.
    pub object_class: Option<Vec<String>>,
    /// `name`, `description` and, for directory groups or custom schemas, more attributes.
    pub profile: Option<Extra>,
    /// Related resources (users, apps, logo, source).
    #[serde(rename = "_links")]
    pub links: Hal,
    /// Embedded resources when asked for with `expand`.
    #[serde(rename = "_embedded")]
    pub embedded: Hal,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A group rule: users matching an expression are added to groups.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupRule {
    /// Okta's id of the rule (`0pr...`).
    pub id: Option<String>,
    /// Always `group_rule`.
    #[serde(rename = "type")]
    pub rule_type: Option<String>,
    /// Name of the rule.
    pub name: Option<String>,
    /// `ACTIVE`, `INACTIVE` or `INVALID`.
    pub status: Option<String>,
    /// When the rule was created.
    pub created: Option<String>,
    /// When the rule was last updated.
    pub last_updated: Option<String>,
    /// The expression and excluded users.
    pub conditions: Option<serde_json::Value>,
    /// The groups users are assigned to.
    pub actions: Option<serde_json::Value>,
    /// `groupIdToGroupNameMap` when asked for with `expand`.
    #[serde(rename = "_embedded")]
    pub embedded: Hal,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An application (its settings vary with `signOnMode` and are kept as Okta sent them).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// Okta's id of the app (`0oa...`).
    pub id: Option<String>,
    /// Okta's key of the app integration, e.g. `bookmark`.
    pub name: Option<String>,
    /// Display name.
    pub label: Option<String>,
    /// `ACTIVE`, `INACTIVE` or `DELETED`.
    pub status: Option<String>,
    /// `SAML_2_0`, `OPENID_CONNECT`, `BOOKMARK`, ...
    pub sign_on_mode: Option<String>,
    /// When the app was created.
    pub created: Option<String>,
    /// When the app was last updated.
    pub last_updated: Option<String>,
    /// Related resources.
    #[serde(rename = "_links")]
    pub links: Hal,
    /// Fields Spindle does not type (settings, credentials, visibility, ...).
    #[serde(flatten)]
    pub extra: Extra,
}

/// An app link on a user's dashboard.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignedAppLink {
    /// Id of the link.
    pub id: Option<String>,
    /// Label shown to the user.
    pub label: Option<String>,
    /// Where the link goes.
    pub link_url: Option<String>,
    /// Logo of the app.
    pub logo_url: Option<String>,
    /// Okta's key of the app integration.
    pub app_name: Option<String>,
    /// Id of the app instance.
    pub app_instance_id: Option<String>,
    /// Id of the user's assignment to the app.
    pub app_assignment_id: Option<String>,
    /// Whether the user still has to set up credentials.
    pub credentials_setup: Option<bool>,
    /// Whether the link is hidden from the dashboard.
    pub hidden: Option<bool>,
    /// Position on the dashboard.
    pub sort_order: Option<i64>,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}
