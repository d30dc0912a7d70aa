//! Group rules: expressions that place users into groups.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action;
use super::common::{NonEmpty, Page};
use crate::models::group::GroupRule;
use crate::models::results::{GroupRuleDeleted, GroupRuleStatusChanged};

/// Extra data a group rule read can embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum GroupRuleExpand {
    /// Embed a map from each target group id to the group's name.
    #[serde(rename = "groupIdToGroupNameMap")]
    GroupIdToGroupNameMap,
}

/// Input of `get_list_all_group_rules`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListGroupRules {
    /// Rules per page (Okta's default is 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 200), extend("default" = 50))]
    pub limit: Option<u32>,
    /// Cursor from the previous page's `next`; leave out for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<NonEmpty>,
    /// Keyword to find rules by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// Embed the names of the rules' target groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expand: Option<GroupRuleExpand>,
}
action!(ListGroupRules, "get_list_all_group_rules", Page<GroupRule>,
    {"limit": 50, "search": "Engineering", "expand": "groupIdToGroupNameMap"});

/// Input of `get_retrieve_a_group_rule`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetGroupRule {
    /// Okta id of the rule (starts with `0pr`).
    pub group_rule_id: NonEmpty,
    /// Embed the names of the rule's target groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expand: Option<GroupRuleExpand>,
}
action!(GetGroupRule, "get_retrieve_a_group_rule", GroupRule,
    {"groupRuleId": "0pr3f7zMZZHPgUoWO0g4"});

/// The only rule type Okta has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum GroupRuleType {
    /// A group rule.
    #[default]
    #[serde(rename = "group_rule")]
    GroupRule,
}

/// The only expression language group rules use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum ExpressionType {
    /// Okta Expression Language 1.0.
    #[default]
    #[serde(rename = "urn:okta:expression:1.0")]
    OktaExpression,
}

/// The expression that selects users.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleExpression {
    /// The expression language.
    #[serde(default, rename = "type")]
    pub expression_type: ExpressionType,
    /// A boolean Okta expression over the user's profile, e.g. `user.department=="Engineering"`.
    pub value: NonEmpty,
}

/// Users the rule never adds.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleUserExclusions {
    /// Okta ids of users to leave out (at most 100).
    #[schemars(length(max = 100))]
    pub exclude: Vec<NonEmpty>,
}

/// Which people the rule considers.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulePeople {
    /// Users excluded from the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<RuleUserExclusions>,
}

/// When the rule applies.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleConditions {
    /// The expression users must satisfy.
    pub expression: RuleExpression,
    /// Users excluded from the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub people: Option<RulePeople>,
}

/// Where matching users go.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RuleGroupAssignment {
    /// Okta ids of the groups matching users are added to (1 to 100).
    #[schemars(length(min = 1, max = 100))]
    pub group_ids: Vec<NonEmpty>,
}

/// What the rule does.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RuleActions {
    /// The target groups.
    pub assign_user_to_groups: RuleGroupAssignment,
}

/// A group rule as sent to Okta.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRuleBody {
    /// Always `group_rule`.
    #[serde(default, rename = "type")]
    pub rule_type: GroupRuleType,
    /// Name of the rule.
    #[schemars(length(min = 1, max = 50))]
    pub name: String,
    /// When the rule applies.
    pub conditions: RuleConditions,
    /// What it does. Okta does not let a replace change the actions of an existing rule.
    pub actions: RuleActions,
}

/// Input of `post_create_a_group_rule`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGroupRule {
    /// The new rule; Okta creates it `INACTIVE`.
    pub body: GroupRuleBody,
}
action!(CreateGroupRule, "post_create_a_group_rule", GroupRule, {"body": {
    "type": "group_rule",
    "name": "Engineering department",
    "conditions": {"expression": {"type": "urn:okta:expression:1.0", "value": "user.department==\"Engineering\""}},
    "actions": {"assignUserToGroups": {"groupIds": ["00gjitX9HqABSoqTB0g3"]}}
}});

/// Input of `put_replace_a_group_rule`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplaceGroupRule {
    /// Okta id of the rule; it must be `INACTIVE`.
    pub group_rule_id: NonEmpty,
    /// The rule's new definition.
    pub body: GroupRuleBody,
}
action!(ReplaceGroupRule, "put_replace_a_group_rule", GroupRule, {"groupRuleId": "0pr3f7zMZZHPgUoWO0g4", "body": {
    "type": "group_rule",
    "name": "Engineering and Platform",
    "conditions": {
        "expression": {"type": "urn:okta:expression:1.0", "value": "user.department==\"Engineering\" OR user.department==\"Platform\""},
        "people": {"users": {"exclude": ["00u22w79JPMEeeuLr0g4"]}}
    },
    "actions": {"assignUserToGroups": {"groupIds": ["00gjitX9HqABSoqTB0g3"]}}
}});

/// Input of `delete_group_rule`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeleteGroupRule {
    /// Okta id of the rule to delete.
    pub group_rule_id: NonEmpty,
    /// Also remove the users the rule added from its groups; otherwise they stay as plain members.
    #[serde(default)]
    pub remove_users: bool,
}
action!(DeleteGroupRule, "delete_group_rule", GroupRuleDeleted,
    {"groupRuleId": "0pr3f7zMZZHPgUoWO0g4", "removeUsers": false});

/// Input of `post_activate_group_rule`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ActivateGroupRule {
    /// Okta id of the rule to activate; Okta then evaluates it for all users in the background.
    pub group_rule_id: NonEmpty,
}
action!(ActivateGroupRule, "post_activate_group_rule", GroupRuleStatusChanged,
    {"groupRuleId": "0pr3f7zMZZHPgUoWO0g4"});

/// Input of `post_deactivate_group_rule`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeactivateGroupRule {
    /// Okta id of the rule to deactivate; users it added keep their memberships.
    pub group_rule_id: NonEmpty,
}
action!(DeactivateGroupRule, "post_deactivate_group_rule", GroupRuleStatusChanged,
    {"groupRuleId": "0pr3f7zMZZHPgUoWO0g4"});
