//! Groups and group rules.

use serde::{Deserialize, Serialize};

use super::{JsonMap, profile, string_enum};
use crate::ids::{GroupId, GroupRuleId};

string_enum! {
    /// Kind of group.
    GroupType {
        OktaGroup = "OKTA_GROUP",
        AppGroup = "APP_GROUP",
        BuiltIn = "BUILT_IN",
    }
}

profile! {
    /// A group profile (`name`, `description`, custom attributes).
    GroupProfile {
        name, set_name = "name";
        description, set_description = "description";
    }
}

/// An Okta group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Id (`00g...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<GroupId>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last profile update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    /// Last membership change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_membership_updated: Option<String>,
    /// Object classes (`okta:user_group`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_class: Option<Vec<String>>,
    /// Kind of group.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub group_type: Option<GroupType>,
    /// Profile.
    #[serde(default)]
    pub profile: GroupProfile,
    /// HAL links.
    #[serde(default, rename = "_links", skip_serializing_if = "Option::is_none")]
    pub links: Option<JsonMap>,
    /// Embedded resources (`expand=stats,app`).
    #[serde(default, rename = "_embedded", skip_serializing_if = "Option::is_none")]
    pub embedded: Option<JsonMap>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// Body of `POST /api/v1/groups` and `PUT /api/v1/groups/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct GroupBody {
    /// The profile (`name` required).
    pub profile: GroupProfile,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

impl GroupBody {
    /// A body with `name` and optional `description`.
    pub fn new(name: impl Into<String>, description: Option<String>) -> Self {
        let mut profile = GroupProfile::new();
        profile.set_name(name);
        if let Some(d) = description {
            profile.set_description(d);
        }
        Self {
            profile,
            extra: JsonMap::new(),
        }
    }
}

string_enum! {
    /// Status of a group rule.
    GroupRuleStatus {
        Active = "ACTIVE",
        Inactive = "INACTIVE",
        Invalid = "INVALID",
    }
}

/// A group rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GroupRule {
    /// Id (`0pr...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<GroupRuleId>,
    /// `group_rule`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub rule_type: Option<String>,
    /// Name (1–50 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Status (changed only through activate / deactivate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<GroupRuleStatus>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    /// Conditions (`people`, `expression`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<GroupRuleConditions>,
    /// Actions (`assignUserToGroups`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<GroupRuleActions>,
    /// Embedded resources (`expand=groupIdToGroupNameMap`).
    #[serde(default, rename = "_embedded", skip_serializing_if = "Option::is_none")]
    pub embedded: Option<JsonMap>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

impl GroupRule {
    /// A rule body: `name`, an Okta expression, and the groups to assign.
    pub fn new(
        name: impl Into<String>,
        expression: impl Into<String>,
        group_ids: Vec<String>,
    ) -> Self {
        Self {
            rule_type: Some("group_rule".into()),
            name: Some(name.into()),
            conditions: Some(GroupRuleConditions {
                people: None,
                expression: Some(GroupRuleExpression {
                    expression_type: Some("urn:okta:expression:1.0".into()),
                    value: Some(expression.into()),
                    extra: JsonMap::new(),
                }),
                extra: JsonMap::new(),
            }),
            actions: Some(GroupRuleActions {
                assign_user_to_groups: Some(AssignUserToGroups {
                    group_ids: Some(group_ids),
                    extra: JsonMap::new(),
                }),
                extra: JsonMap::new(),
            }),
            ..Self::default()
        }
    }
}

/// Conditions of a group rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct GroupRuleConditions {
    /// Excluded people (`users.exclude`, `groups.exclude`). Okta sends `"people": null` on
    /// rules without exclusions: `Some(None)` keeps that apart from an absent field, so a rule
    /// read and written back is unchanged.
    #[serde(
        default,
        deserialize_with = "super::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub people: Option<Option<JsonMap>>,
    /// The expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<GroupRuleExpression>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// A group rule expression.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct GroupRuleExpression {
    /// `urn:okta:expression:1.0`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub expression_type: Option<String>,
    /// The expression text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// Actions of a group rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct GroupRuleActions {
    /// Groups the rule assigns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign_user_to_groups: Option<AssignUserToGroups>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `assignUserToGroups`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AssignUserToGroups {
    /// Target group ids (absent in an empty `assignUserToGroups: {}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_ids: Option<Vec<String>>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}
