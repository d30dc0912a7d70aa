//! Group rules: expressions that place users into groups.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spindle_okta::models::GroupRule;
use spindle_okta::{Client, group_rules};

use super::after_cursor;
use super::common::{NonEmpty, Page, body};
use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;
use crate::outputs::{GroupRuleDeleted, GroupRuleStatusChanged};

/// Extra data a group rule read can embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum GroupRuleExpand {
    /// Embed a map from each target group id to the group's name.
    #[serde(rename = "groupIdToGroupNameMap")]
    GroupIdToGroupNameMap,
}

impl GroupRuleExpand {
    /// The value as Okta spells it in `expand`.
    fn as_str(self) -> &'static str {
        match self {
            Self::GroupIdToGroupNameMap => "groupIdToGroupNameMap",
        }
    }
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

impl Action for ListGroupRules {
    const SPEC: Spec = Spec {
        id: "get_list_all_group_rules",
        title: "List all Group Rules",
        operation: Operation::Read,
        entities: &["action", "condition", "group rule"],
        summary: "Lists the org's group rules, which automatically place users into groups based on an expression. Optional inputs: `search` keyword, `limit` (default 50, 1 to 200), the `after` cursor for the next page, and `expand=groupIdToGroupNameMap` to embed the names of target groups. Each rule includes its id, name, status (`ACTIVE`, `INACTIVE` or `INVALID`), condition expression, excluded users and target group ids.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/groups/rules",
        scopes: &["okta.groups.read"],
    };
    type Output = Page<GroupRule>;

    fn example() -> Value {
        json!({"limit": 50, "search": "Engineering", "expand": "groupIdToGroupNameMap"})
    }

    after_cursor!();

    async fn run(self, client: &Client) -> Result<Page<GroupRule>, ExecuteError> {
        let query = group_rules::ListGroupRules {
            search: self.search,
            expand: self.expand.map(|expand| expand.as_str().to_owned()),
            after: self.after.map(String::from),
            limit: self.limit,
        };
        Ok(client.group_rules().list_page(query).await?.into())
    }
}

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

impl Action for GetGroupRule {
    const SPEC: Spec = Spec {
        id: "get_retrieve_a_group_rule",
        title: "Retrieve a Group Rule",
        operation: Operation::Read,
        entities: &["user", "group", "group rule"],
        summary: "Fetches one group rule by `groupRuleId`. Optional `expand=groupIdToGroupNameMap` adds the names of the target groups alongside their ids. The rule object shows its name, status (`ACTIVE`, `INACTIVE` or `INVALID`), the Okta Expression Language condition, excluded users, the groups it assigns people to, and its created and last updated times.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/groups/rules/{groupRuleId}",
        scopes: &["okta.groups.read"],
    };
    type Output = GroupRule;

    fn example() -> Value {
        json!({"groupRuleId": "0pr3f7zMZZHPgUoWO0g4"})
    }

    async fn run(self, client: &Client) -> Result<GroupRule, ExecuteError> {
        let expand = self.expand.map(GroupRuleExpand::as_str);
        Ok(client
            .group_rules()
            .get(self.group_rule_id.as_str(), expand)
            .await?)
    }
}

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

impl Action for CreateGroupRule {
    const SPEC: Spec = Spec {
        id: "post_create_a_group_rule",
        title: "Create a Group Rule",
        operation: Operation::Write,
        entities: &["user", "group", "group rule"],
        summary: "Creates a group rule that assigns users to groups when they match a condition. Provide `type` `group_rule`, a `name` (up to 50 characters), `conditions.expression.value` in Okta Expression Language (for example `user.department==\"Sales\"`), optional excluded user ids, and `actions.assignUserToGroups.groupIds`. New rules always start `INACTIVE` and do nothing until activated. Returns the created rule.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/groups/rules",
        scopes: &["okta.groups.manage"],
    };
    type Output = GroupRule;

    fn example() -> Value {
        json!({"body": {
            "type": "group_rule",
            "name": "Engineering department",
            "conditions": {"expression": {"type": "urn:okta:expression:1.0", "value": "user.department==\"Engineering\""}},
            "actions": {"assignUserToGroups": {"groupIds": ["00gjitX9HqABSoqTB0g3"]}}
        }})
    }

    async fn run(self, client: &Client) -> Result<GroupRule, ExecuteError> {
        Ok(client.group_rules().create(&body(&self.body)?).await?)
    }
}

/// Input of `put_replace_a_group_rule`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplaceGroupRule {
    /// Okta id of the rule; it must be `INACTIVE`.
    pub group_rule_id: NonEmpty,
    /// The rule's new definition.
    pub body: GroupRuleBody,
}

impl Action for ReplaceGroupRule {
    const SPEC: Spec = Spec {
        id: "put_replace_a_group_rule",
        title: "Replace a Group Rule",
        operation: Operation::Write,
        entities: &["action", "condition", "group rule"],
        summary: "Replaces an existing group rule, given `groupRuleId` and the complete rule (type, name, conditions and actions). The rule must be `INACTIVE`, so deactivate it first and reactivate afterwards. The target groups under `actions` cannot be changed by this call, and status is only changed through the activate and deactivate actions. Returns the updated rule.",
        server: Server::Management,
        method: HttpMethod::Put,
        path: "/api/v1/groups/rules/{groupRuleId}",
        scopes: &["okta.groups.manage"],
    };
    type Output = GroupRule;

    fn example() -> Value {
        json!({"groupRuleId": "0pr3f7zMZZHPgUoWO0g4", "body": {
            "type": "group_rule",
            "name": "Engineering and Platform",
            "conditions": {
                "expression": {"type": "urn:okta:expression:1.0", "value": "user.department==\"Engineering\" OR user.department==\"Platform\""},
                "people": {"users": {"exclude": ["00u22w79JPMEeeuLr0g4"]}}
            },
            "actions": {"assignUserToGroups": {"groupIds": ["00gjitX9HqABSoqTB0g3"]}}
        }})
    }

    async fn run(self, client: &Client) -> Result<GroupRule, ExecuteError> {
        let rule = body(&self.body)?;
        Ok(client
            .group_rules()
            .replace(self.group_rule_id.as_str(), &rule)
            .await?)
    }
}

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

impl Action for DeleteGroupRule {
    const SPEC: Spec = Spec {
        id: "delete_group_rule",
        title: "Delete a Group Rule",
        operation: Operation::Write,
        entities: &["rule", "user", "group"],
        summary: "Deletes a group rule by `groupRuleId`. The optional `removeUsers` flag (default false) decides whether users the rule placed into its target groups are taken out; when false they keep those memberships, which simply stop being rule-managed. Okta accepts the request with HTTP 202 and an empty payload, and Spindle returns a structured result confirming the rule was removed.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/groups/rules/{groupRuleId}",
        scopes: &["okta.groups.manage"],
    };
    type Output = GroupRuleDeleted;

    fn example() -> Value {
        json!({"groupRuleId": "0pr3f7zMZZHPgUoWO0g4", "removeUsers": false})
    }

    async fn run(self, client: &Client) -> Result<GroupRuleDeleted, ExecuteError> {
        let rules = client.group_rules();
        rules
            .delete(self.group_rule_id.as_str(), Some(self.remove_users))
            .await?;
        Ok(GroupRuleDeleted {
            deleted: true,
            group_rule_id: self.group_rule_id.into(),
            users_removed: self.remove_users,
        })
    }
}

/// Input of `post_activate_group_rule`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ActivateGroupRule {
    /// Okta id of the rule to activate; Okta then evaluates it for all users in the background.
    pub group_rule_id: NonEmpty,
}

impl Action for ActivateGroupRule {
    const SPEC: Spec = Spec {
        id: "post_activate_group_rule",
        title: "Activate a Group Rule",
        operation: Operation::Write,
        entities: &["error", "rule", "group"],
        summary: "Turns on an inactive group rule, given `groupRuleId`. Once active, Okta evaluates the rule against existing users in the background, so memberships appear over the following moments rather than immediately, and it keeps re-evaluating when relevant profile attributes or memberships change. An active rule can no longer be edited until it is deactivated. Okta returns 204 with no body; Spindle reports the outcome as a structured result.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/groups/rules/{groupRuleId}/lifecycle/activate",
        scopes: &["okta.groups.manage"],
    };
    type Output = GroupRuleStatusChanged;

    fn example() -> Value {
        json!({"groupRuleId": "0pr3f7zMZZHPgUoWO0g4"})
    }

    async fn run(self, client: &Client) -> Result<GroupRuleStatusChanged, ExecuteError> {
        client
            .group_rules()
            .activate(self.group_rule_id.as_str())
            .await?;
        Ok(GroupRuleStatusChanged {
            group_rule_id: self.group_rule_id.into(),
            status: "ACTIVE".into(),
        })
    }
}

/// Input of `post_deactivate_group_rule`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeactivateGroupRule {
    /// Okta id of the rule to deactivate; users it added keep their memberships.
    pub group_rule_id: NonEmpty,
}

impl Action for DeactivateGroupRule {
    const SPEC: Spec = Spec {
        id: "post_deactivate_group_rule",
        title: "Deactivate a Group Rule",
        operation: Operation::Write,
        entities: &["permission", "error", "group rule"],
        summary: "Pauses a group rule, given `groupRuleId`, moving it to `INACTIVE`. Users the rule already added stay in the target groups, but no further automatic assignments happen until it is reactivated. A rule must be inactive before it can be edited with the replace action. Okta returns 204 with no body; Spindle reports the outcome as a structured result.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/groups/rules/{groupRuleId}/lifecycle/deactivate",
        scopes: &["okta.groups.manage"],
    };
    type Output = GroupRuleStatusChanged;

    fn example() -> Value {
        json!({"groupRuleId": "0pr3f7zMZZHPgUoWO0g4"})
    }

    async fn run(self, client: &Client) -> Result<GroupRuleStatusChanged, ExecuteError> {
        client
            .group_rules()
            .deactivate(self.group_rule_id.as_str())
            .await?;
        Ok(GroupRuleStatusChanged {
            group_rule_id: self.group_rule_id.into(),
            status: "INACTIVE".into(),
        })
    }
}
