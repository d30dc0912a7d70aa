//! Group rules around the expression: the request body, the status machine and the membership
//! changes an ACTIVE rule makes.
//!
//! Okta's rules (BEHAVIOR §8, KB-GRR, HELP-GR, SPEC GroupRule*):
//! - body: `type: "group_rule"`, `name` 1–50 characters, `conditions.expression` with
//!   `type: "urn:okta:expression:1.0"` and a valid `value`, `actions.assignUserToGroups.groupIds`
//!   (1–100 groups), `conditions.people.users.exclude` (≤100 users);
//! - created INACTIVE; `PUT` only while INACTIVE and `actions` can't change; `lifecycle/activate`
//!   and `lifecycle/deactivate` (204); a rule whose target group was deleted turns INVALID and
//!   can then only be read or deleted (terraform-provider-okta#250); ≤2000 rules per org;
//! - an ACTIVE rule adds every matching user (not excluded, not STAGED/PROVISIONED/DEPROVISIONED)
//!   to its groups and removes users it had added who no longer match; deactivation leaves
//!   members in place; deleting with `removeUsers=true` removes the members it added.
//!
//! \[unconfirmed\] error texts: every body problem is 400 `E0000001` `Api validation failed:
//! <field>` with cause `<field>: <message>`; PUT on a non-INACTIVE rule and activating an
//! INVALID rule are 400 `E0000001` too (Okta documents the restriction, not the error).

use serde_json::Value;

use super::{
    Ctx, EXPRESSION_TYPE, ElError, RuleExpression, rule_applies, validate_rule_expression,
};

/// Longest rule name.
pub const MAX_NAME_LEN: usize = 50;
/// Most target groups per rule.
pub const MAX_TARGET_GROUPS: usize = 100;
/// Most excluded users per rule.
pub const MAX_EXCLUDED_USERS: usize = 100;
/// Most rules per org.
pub const MAX_RULES_PER_ORG: usize = 2000;

/// A group rule's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleStatus {
    /// Evaluated against users.
    Active,
    /// Created or deactivated; editable.
    Inactive,
    /// A target group is gone; read or delete only.
    Invalid,
}

impl RuleStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleStatus::Active => "ACTIVE",
            RuleStatus::Inactive => "INACTIVE",
            RuleStatus::Invalid => "INVALID",
        }
    }

    /// `lifecycle/activate` (activating an ACTIVE rule is a no-op).
    ///
    /// # Errors
    /// [`RuleError::Invalid`] for an INVALID rule.
    pub fn activate(self) -> Result<RuleStatus, RuleError> {
        match self {
            RuleStatus::Invalid => Err(RuleError::Invalid),
            _ => Ok(RuleStatus::Active),
        }
    }

    /// `lifecycle/deactivate` (deactivating an INACTIVE rule is a no-op).
    ///
    /// # Errors
    /// [`RuleError::Invalid`] for an INVALID rule.
    pub fn deactivate(self) -> Result<RuleStatus, RuleError> {
        match self {
            RuleStatus::Invalid => Err(RuleError::Invalid),
            _ => Ok(RuleStatus::Inactive),
        }
    }
}

/// Why a rule request is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    /// A body field is missing or wrong.
    #[error("{field}: {message}")]
    Field {
        /// The field path, e.g. `name`.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The expression is not valid.
    #[error("{0}")]
    Expression(ElError),
    /// `PUT` on a rule that is not INACTIVE.
    #[error("status: Rules can only be updated when they are INACTIVE.")]
    NotInactive,
    /// `PUT` changing `actions`.
    #[error("actions: The actions of a rule cannot be changed.")]
    ActionsChanged,
    /// Activate/deactivate/replace on an INVALID rule.
    #[error("status: The rule is INVALID; it can only be read or deleted.")]
    Invalid,
    /// The org already has [`MAX_RULES_PER_ORG`] rules.
    #[error("The maximum number of group rules has been reached.")]
    TooManyRules,
}

impl RuleError {
    /// `(errorSummary detail, cause)` for an `E0000001` response: the summary is
    /// `"Api validation failed: " + detail`.
    pub fn okta_parts(&self) -> (String, String) {
        match self {
            RuleError::Field { field, message } => {
                ((*field).to_owned(), format!("{field}: {message}"))
            }
            RuleError::Expression(e) => (
                e.okta_field().to_owned(),
                format!("{}: {e}", e.okta_field()),
            ),
            RuleError::NotInactive | RuleError::Invalid => ("status".to_owned(), self.to_string()),
            RuleError::ActionsChanged => ("actions".to_owned(), self.to_string()),
            RuleError::TooManyRules => ("groupRule".to_owned(), format!("groupRule: {self}")),
        }
    }
}

/// A rule body that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDefinition {
    /// `name`.
    pub name: String,
    /// `conditions.expression`, parsed.
    pub expression: RuleExpression,
    /// `actions.assignUserToGroups.groupIds`.
    pub target_group_ids: Vec<String>,
    /// `conditions.people.users.exclude`.
    pub excluded_user_ids: Vec<String>,
}

fn field(field: &'static str, message: &str) -> RuleError {
    RuleError::Field {
        field,
        message: message.to_owned(),
    }
}

fn string_list(v: Option<&Value>, name: &'static str) -> Result<Vec<String>, RuleError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| field(name, "must be an array of strings"))
            })
            .collect(),
        Some(_) => Err(field(name, "must be an array of strings")),
    }
}

/// Validates a create (`POST /api/v1/groups/rules`) or replace (`PUT`) body.
///
/// # Errors
/// The first [`RuleError`] found: type, name, expression, target groups, exclusions.
pub fn parse_rule_body(body: &Value) -> Result<RuleDefinition, RuleError> {
    match body.get("type").and_then(Value::as_str) {
        Some("group_rule") => {}
        _ => {
            return Err(field(
                "type",
                "The field is required and must be 'group_rule'.",
            ));
        }
    }
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    let len = name.chars().count();
    if len == 0 || len > MAX_NAME_LEN {
        return Err(field(
            "name",
            "The name must be between 1 and 50 characters.",
        ));
    }
    let expr = body.pointer("/conditions/expression");
    if let Some(t) = expr.and_then(|e| e.get("type")).and_then(Value::as_str)
        && t != EXPRESSION_TYPE
    {
        return Err(field(
            "conditions.expression.type",
            "The only supported expression type is urn:okta:expression:1.0.",
        ));
    }
    let value = expr
        .and_then(|e| e.get("value"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let expression = validate_rule_expression(value).map_err(RuleError::Expression)?;
    let targets = string_list(
        body.pointer("/actions/assignUserToGroups/groupIds"),
        "actions.assignUserToGroups.groupIds",
    )?;
    if targets.is_empty() {
        return Err(field(
            "actions.assignUserToGroups.groupIds",
            "At least one group must be assigned.",
        ));
    }
    if targets.len() > MAX_TARGET_GROUPS {
        return Err(field(
            "actions.assignUserToGroups.groupIds",
            "A rule can assign at most 100 groups.",
        ));
    }
    let excluded = string_list(
        body.pointer("/conditions/people/users/exclude"),
        "conditions.people.users.exclude",
    )?;
    if excluded.len() > MAX_EXCLUDED_USERS {
        return Err(field(
            "conditions.people.users.exclude",
            "A rule can exclude at most 100 users.",
        ));
    }
    Ok(RuleDefinition {
        name: name.to_owned(),
        expression,
        target_group_ids: targets,
        excluded_user_ids: excluded,
    })
}

/// Checks a `PUT` against the stored rule: INACTIVE only, same target groups.
///
/// # Errors
/// [`RuleError::Invalid`], [`RuleError::NotInactive`] or [`RuleError::ActionsChanged`].
pub fn check_replace(
    status: RuleStatus,
    current_targets: &[String],
    new: &RuleDefinition,
) -> Result<(), RuleError> {
    match status {
        RuleStatus::Invalid => return Err(RuleError::Invalid),
        RuleStatus::Active => return Err(RuleError::NotInactive),
        RuleStatus::Inactive => {}
    }
    let mut a = current_targets.to_vec();
    let mut b = new.target_group_ids.clone();
    a.sort();
    b.sort();
    if a != b {
        return Err(RuleError::ActionsChanged);
    }
    Ok(())
}

/// One membership change an ACTIVE rule makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipChange {
    /// The user.
    pub user_id: String,
    /// The target group.
    pub group_id: String,
    /// `true` to add, `false` to remove a member the rule had added.
    pub add: bool,
}

/// The changes an ACTIVE rule makes for one user: adds to target groups when the rule applies,
/// removes rule-added memberships when it no longer does. Users in Pending or Inactive states
/// are left alone. `is_member(group)` tells current membership; `added_by_rule(group)` whether
/// this rule made it.
pub fn plan_for_user(
    rule: &RuleDefinition,
    ctx: &Ctx<'_>,
    is_member: impl Fn(&str) -> bool,
    added_by_rule: impl Fn(&str) -> bool,
) -> Vec<MembershipChange> {
    if !super::status_eligible_for_rules(ctx.user.status) {
        return Vec::new();
    }
    let applies = rule_applies(&rule.expression, &rule.excluded_user_ids, ctx);
    rule.target_group_ids
        .iter()
        .filter_map(|g| {
            let add = if applies && !is_member(g) {
                true
            } else if !applies && added_by_rule(g) {
                false
            } else {
                return None;
            };
            Some(MembershipChange {
                user_id: ctx.user.id.to_owned(),
                group_id: g.clone(),
                add,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, json};

    use super::*;
    use crate::el::UserView;

    fn body() -> Value {
        json!({
            "type": "group_rule",
            "name": "Engineers",
            "conditions": {
                "people": {"users": {"exclude": ["00uEXCLUDED000000001"]}, "groups": {"exclude": []}},
                "expression": {"value": "user.role==\"Engineer\"", "type": "urn:okta:expression:1.0"}
            },
            "actions": {"assignUserToGroups": {"groupIds": ["00gENGINEERS00000001"]}}
        })
    }

    fn parsed() -> RuleDefinition {
        match parse_rule_body(&body()) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_complete_rule_body_is_accepted() {
        let r = parsed();
        assert_eq!(r.name, "Engineers");
        assert_eq!(r.target_group_ids, vec!["00gENGINEERS00000001"]);
        assert_eq!(r.excluded_user_ids, vec!["00uEXCLUDED000000001"]);
        assert_eq!(r.expression.source, "user.role==\"Engineer\"");
    }

    #[test]
    fn bad_bodies_name_the_offending_field() {
        let with = |ptr: &str, v: Value| {
            let mut b = body();
            if let Some(slot) = b.pointer_mut(ptr) {
                *slot = v;
            }
            parse_rule_body(&b).err().map(|e| e.okta_parts())
        };
        let field_of = |r: Option<(String, String)>| r.map(|(f, _)| f);
        assert_eq!(field_of(with("/name", json!(""))).as_deref(), Some("name"));
        assert_eq!(
            field_of(with("/name", json!("x".repeat(51)))).as_deref(),
            Some("name")
        );
        assert_eq!(
            field_of(with("/type", json!("rule"))).as_deref(),
            Some("type")
        );
        assert_eq!(
            field_of(with(
                "/conditions/expression/type",
                json!("urn:okta:expression:2.0")
            ))
            .as_deref(),
            Some("conditions.expression.type")
        );
        let expr = with(
            "/conditions/expression/value",
            json!("Convert.toInt(user.a) == 1"),
        );
        assert_eq!(
            expr,
            Some((
                "conditions.expression.value".to_owned(),
                "conditions.expression.value: Function Convert.toInt is not allowed in group rules."
                    .to_owned()
            ))
        );
        assert_eq!(
            field_of(with("/actions/assignUserToGroups/groupIds", json!([]))).as_deref(),
            Some("actions.assignUserToGroups.groupIds")
        );
        let many: Vec<String> = (0..101).map(|i| format!("00g{i}")).collect();
        assert!(with("/actions/assignUserToGroups/groupIds", json!(many)).is_some());
        assert!(with("/conditions/people/users/exclude", json!(many)).is_some());
        assert!(with("/conditions/people/users/exclude", json!([1, 2])).is_some());
    }

    #[test]
    fn replace_needs_an_inactive_rule_with_the_same_targets() {
        let r = parsed();
        let same = vec!["00gENGINEERS00000001".to_owned()];
        assert_eq!(check_replace(RuleStatus::Inactive, &same, &r), Ok(()));
        assert_eq!(
            check_replace(RuleStatus::Active, &same, &r),
            Err(RuleError::NotInactive)
        );
        assert_eq!(
            check_replace(RuleStatus::Invalid, &same, &r),
            Err(RuleError::Invalid)
        );
        assert_eq!(
            check_replace(RuleStatus::Inactive, &["00gOTHER".to_owned()], &r),
            Err(RuleError::ActionsChanged)
        );
    }

    #[test]
    fn lifecycle_moves_between_active_and_inactive_but_not_out_of_invalid() {
        assert_eq!(RuleStatus::Inactive.activate(), Ok(RuleStatus::Active));
        assert_eq!(RuleStatus::Active.activate(), Ok(RuleStatus::Active));
        assert_eq!(RuleStatus::Active.deactivate(), Ok(RuleStatus::Inactive));
        assert_eq!(RuleStatus::Invalid.activate(), Err(RuleError::Invalid));
        assert_eq!(RuleStatus::Invalid.as_str(), "INVALID");
    }

    #[test]
    fn an_active_rule_adds_matching_users_and_removes_those_it_added_that_no_longer_match() {
        let r = parsed();
        let g: Vec<(String, String)> = Vec::new();
        let engineer: Map<String, Value> = json!({"role": "Engineer"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let manager: Map<String, Value> = json!({"role": "Manager"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let ctx = |id, status, profile| Ctx {
            user: UserView {
                id,
                status,
                profile,
            },
            groups: &g,
        };
        let target = "00gENGINEERS00000001";
        let add = plan_for_user(&r, &ctx("00u1", "ACTIVE", &engineer), |_| false, |_| false);
        assert_eq!(
            add,
            vec![MembershipChange {
                user_id: "00u1".into(),
                group_id: target.into(),
                add: true
            }]
        );
        // Already a member: nothing to do.
        assert!(
            plan_for_user(&r, &ctx("00u1", "ACTIVE", &engineer), |_| true, |_| true).is_empty()
        );
        // No longer matches: removed only if the rule added them.
        let removed = plan_for_user(&r, &ctx("00u1", "ACTIVE", &manager), |_| true, |_| true);
        assert_eq!(removed.first().map(|c| c.add), Some(false));
        assert!(
            plan_for_user(&r, &ctx("00u1", "ACTIVE", &manager), |_| true, |_| false).is_empty()
        );
        // Excluded users and pending/deprovisioned users.
        assert!(
            plan_for_user(
                &r,
                &ctx("00uEXCLUDED000000001", "ACTIVE", &engineer),
                |_| false,
                |_| false
            )
            .is_empty()
        );
        assert!(
            plan_for_user(&r, &ctx("00u2", "STAGED", &engineer), |_| false, |_| false).is_empty()
        );
        assert!(
            plan_for_user(
                &r,
                &ctx("00u2", "DEPROVISIONED", &manager),
                |_| true,
                |_| true
            )
            .is_empty()
        );
    }
}
