//! Group rules as the org keeps them, and their evaluation.
//!
//! Okta applies rules asynchronously: a change that may alter a rule's outcome (a user created,
//! updated, (re)activated, added to or removed from a group; a rule activated) only queues the
//! users concerned in [`RuleQueue`]; [`Org::run_rule_queue`] applies the rules to them later
//! (the server runs it in the background shortly after the change, see `crate::background`).

use std::collections::BTreeSet;

use serde_json::Value;

use super::Org;
use crate::el::rule::{MembershipChange, RuleDefinition, RuleStatus, plan_for_user};
use crate::el::{Ctx, UserView};
use crate::util::now_secs;

/// A stored group rule.
#[derive(Debug, Clone)]
pub(crate) struct StoredRule {
    pub id: String,
    pub created: i64,
    pub last_updated: i64,
    pub status: RuleStatus,
    pub definition: RuleDefinition,
    /// The body as sent (normalised), rendered back with server fields.
    pub body: Value,
    /// `(user id, group id)` memberships this rule added.
    pub added: BTreeSet<(String, String)>,
}

/// Users waiting for the ACTIVE rules to be applied to them.
#[derive(Debug, Default)]
pub(crate) struct RuleQueue {
    /// Every user (a rule was activated).
    all: bool,
    /// Users created since the last evaluation (keeps bulk creation linear).
    new: bool,
    /// Users whose profile, status or memberships changed, by seq.
    users: BTreeSet<u64>,
}

impl RuleQueue {
    /// Whether nothing waits.
    pub(crate) fn is_empty(&self) -> bool {
        !self.all && !self.new && self.users.is_empty()
    }
}

impl Org {
    /// Whether any rule is ACTIVE (only then do changes queue evaluations).
    pub(crate) fn has_active_rules(&self) -> bool {
        self.rules.values().any(|r| r.status == RuleStatus::Active)
    }

    /// Queues the evaluation of the ACTIVE rules for user `seq`.
    pub(crate) fn queue_rules_for_user(&mut self, seq: u64) {
        if self.has_active_rules() {
            self.rule_queue.users.insert(seq);
        }
    }

    /// Queues the evaluation of the ACTIVE rules for the users created since the last one.
    pub(crate) fn queue_rules_for_new_users(&mut self) {
        if self.has_active_rules() {
            self.rule_queue.new = true;
        }
    }

    /// Queues the evaluation of the ACTIVE rules for every user.
    pub(crate) fn queue_rules_for_all_users(&mut self) {
        if self.has_active_rules() {
            self.rule_queue.all = true;
        }
    }

    /// Whether evaluations wait in the queue.
    pub(crate) fn rules_queued(&self) -> bool {
        !self.rule_queue.is_empty()
    }

    /// Applies the ACTIVE rules to the queued users and empties the queue; returns the number of
    /// membership changes.
    pub(crate) fn run_rule_queue(&mut self) -> usize {
        let queue = std::mem::take(&mut self.rule_queue);
        if queue.is_empty() {
            return 0;
        }
        let mut users = queue.users;
        let from = if queue.all {
            Some(0)
        } else if queue.new {
            Some(self.rules_user_watermark + 1)
        } else {
            None
        };
        if let Some(from) = from {
            let range: Vec<u64> = self.users.range(from..).map(|(k, _)| *k).collect();
            if let Some(last) = range.last() {
                self.rules_user_watermark = self.rules_user_watermark.max(*last);
            }
            users.extend(range);
        }
        let users: Vec<u64> = users.into_iter().collect();
        self.evaluate_rules(&users)
    }

    /// Applies every ACTIVE rule to every user now; returns the number of membership changes.
    pub(crate) fn run_all_rules(&mut self) -> usize {
        let users: Vec<u64> = self.users.keys().copied().collect();
        if let Some(last) = users.last() {
            self.rules_user_watermark = self.rules_user_watermark.max(*last);
        }
        self.evaluate_rules(&users)
    }

    /// Removes the memberships a deleted rule added.
    pub(crate) fn remove_rule_memberships(&mut self, rule: &StoredRule, now: i64) {
        for (user_id, group_id) in &rule.added {
            if let (Some(u), Some(g)) = (self.user_seq(user_id), self.group_seq(group_id))
                && self.remove_member(g, u)
                && let Some(group) = self.group_mut(g)
            {
                group.last_membership_updated = now;
            }
        }
    }

    /// Applies every ACTIVE rule to `users`; returns the number of membership changes.
    fn evaluate_rules(&mut self, users: &[u64]) -> usize {
        let now = now_secs();
        self.invalidate_rules_without_targets(now);
        let active: Vec<u64> = self
            .rules
            .iter()
            .filter(|(_, r)| r.status == RuleStatus::Active)
            .map(|(s, _)| *s)
            .collect();
        let mut changes = 0;
        for &u in users {
            for &rseq in &active {
                for c in self.plan_rule(rseq, u) {
                    if self.apply_rule_change(rseq, &c, now) {
                        changes += 1;
                    }
                }
            }
        }
        changes
    }

    /// Rules whose target group is gone turn INVALID.
    pub(super) fn invalidate_rules_without_targets(&mut self, now: i64) {
        let invalid: Vec<u64> = self
            .rules
            .iter()
            .filter(|(_, r)| r.status == RuleStatus::Active)
            .filter(|(_, r)| {
                r.definition
                    .target_group_ids
                    .iter()
                    .any(|g| self.group_seq(g).is_none())
            })
            .map(|(s, _)| *s)
            .collect();
        for seq in invalid {
            if let Some(r) = self.rules.get_mut(&seq) {
                r.status = RuleStatus::Invalid;
                r.last_updated = now;
            }
        }
    }

    /// The membership changes rule `rseq` makes for user `u`.
    fn plan_rule(&self, rseq: u64, u: u64) -> Vec<MembershipChange> {
        let (Some(user), Some(rule)) = (self.user(u), self.rules.get(&rseq)) else {
            return Vec::new();
        };
        let groups: Vec<(String, String)> = self
            .groups_of(u)
            .into_iter()
            .filter_map(|g| self.groups.get(&g))
            .map(|g| (g.id.clone(), g.name().to_owned()))
            .collect();
        let ctx = Ctx {
            user: UserView {
                id: &user.id,
                status: user.status.as_str(),
                profile: &user.profile,
            },
            groups: &groups,
        };
        plan_for_user(
            &rule.definition,
            &ctx,
            |g| groups.iter().any(|(id, _)| id == g),
            |g| rule.added.contains(&(user.id.clone(), g.to_owned())),
        )
    }

    /// Applies one change of rule `rseq`; returns whether a membership changed.
    fn apply_rule_change(&mut self, rseq: u64, c: &MembershipChange, now: i64) -> bool {
        let (Some(us), Some(gs)) = (self.user_seq(&c.user_id), self.group_seq(&c.group_id)) else {
            return false;
        };
        let changed = if c.add {
            self.add_member(gs, us)
        } else {
            self.remove_member(gs, us)
        };
        if let Some(r) = self.rules.get_mut(&rseq) {
            let pair = (c.user_id.clone(), c.group_id.clone());
            if c.add {
                r.added.insert(pair);
            } else {
                r.added.remove(&pair);
            }
        }
        if changed && let Some(g) = self.group_mut(gs) {
            g.last_membership_updated = now;
        }
        changed
    }
}
