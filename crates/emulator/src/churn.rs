//! Churn: random changes to users, groups and memberships (`POST /__emulator/churn`,
//! `--churn N/min`), for testing an incremental sync against a moving org.
//!
//! Design: every change goes through the org's domain methods, exactly as the API makes it
//! (status changes and their cascades, profile updates that queue group-rule evaluations,
//! memberships, group creation and deletion), so each leaves its System Log event. The changes
//! are drawn from a SplitMix64 stream of the seed, and every pick reads the org in a fixed order
//! (`BTreeMap`s, vectors), so the same seed on the same org makes the same changes. A change that
//! cannot apply (no SUSPENDED user to unsuspend, a membership that exists) is drawn again; after
//! a few misses a hire is made, which always applies, so a call makes exactly the changes asked.
//!
//! Department groups move people: the first churn on an org gives each department group of the
//! synthetic generator (an `OKTA_GROUP` named after a department) an ACTIVE rule
//! `user.department=="<name>"` that owns its current matching members, so `user.move` changes
//! memberships through the rule, as in a real org.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::el::rule::{RuleStatus, parse_rule_body};
use crate::store::{GroupType, Org, Status, StoredRule};
use crate::synth;
use crate::util::{Rng, mix, now_secs, okta_id};

/// The largest number of changes one call makes.
pub(crate) const MAX_CHANGES: u64 = 10_000;

/// Kinds and their weights (out of 100).
const KINDS: &[(&str, u64)] = &[
    ("user.create", 10),
    ("user.update", 14),
    ("user.rename", 5),
    ("user.move", 10),
    ("user.suspend", 5),
    ("user.unsuspend", 5),
    ("user.deactivate", 5),
    ("user.reactivate", 3),
    ("user.delete", 4),
    ("group.create", 4),
    ("group.rename", 4),
    ("group.delete", 3),
    ("membership.add", 14),
    ("membership.remove", 14),
];

/// Random tries to find a user or group a change applies to.
const TRIES: usize = 16;

/// One change made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub kind: &'static str,
    pub user_id: Option<String>,
    pub group_id: Option<String>,
}

impl Change {
    /// `{"kind": …, "user_id"?: …, "group_id"?: …}`
    pub(crate) fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("kind".into(), Value::from(self.kind));
        if let Some(u) = &self.user_id {
            m.insert("user_id".into(), Value::from(u.as_str()));
        }
        if let Some(g) = &self.group_id {
            m.insert("group_id".into(), Value::from(g.as_str()));
        }
        Value::Object(m)
    }
}

/// The state one churn call works with.
struct Run {
    rng: Rng,
    now: i64,
    /// `OKTA_GROUP`s no rule assigns to (rule-managed groups change through their rules only).
    groups: Vec<u64>,
    domain: String,
}

fn user_change(kind: &'static str, id: String) -> Option<Change> {
    Some(Change {
        kind,
        user_id: Some(id),
        group_id: None,
    })
}

fn group_change(kind: &'static str, id: String) -> Option<Change> {
    Some(Change {
        kind,
        user_id: None,
        group_id: Some(id),
    })
}

impl Org {
    /// Makes `n` random changes drawn from `seed` (see the module docs) and returns them.
    pub(crate) fn churn(&mut self, n: usize, seed: u64) -> Vec<Change> {
        let now = now_secs();
        self.ensure_department_rules(now);
        let targets: HashSet<String> = self
            .rules
            .values()
            .flat_map(|r| r.definition.target_group_ids.iter().cloned())
            .collect();
        let domain = self
            .users
            .values()
            .find_map(|u| u.login().split_once('@').map(|(_, d)| d.to_owned()))
            .unwrap_or_else(|| "example.com".to_owned());
        let mut run = Run {
            rng: Rng::new(mix(seed) ^ 0x6368_7572_6e00),
            now,
            groups: self
                .groups
                .values()
                .filter(|g| g.kind == GroupType::Okta && !targets.contains(&g.id))
                .map(|g| g.seq)
                .collect(),
            domain,
        };
        let mut out = Vec::with_capacity(n);
        let mut misses = 0;
        while out.len() < n {
            let kind = if misses >= 8 {
                "user.create"
            } else {
                pick_kind(&mut run.rng)
            };
            match self.churn_one(&mut run, kind) {
                Some(c) => {
                    out.push(c);
                    misses = 0;
                }
                None => misses += 1,
            }
        }
        out
    }

    fn churn_one(&mut self, run: &mut Run, kind: &'static str) -> Option<Change> {
        let now = run.now;
        match kind {
            "user.create" => self.churn_hire(run),
            "user.update" => {
                let seq = self.pick_user(run, |s| s != Status::Deprovisioned)?;
                let phone = format!(
                    "+1-555-{:03}-{:04}",
                    run.rng.below(1000),
                    run.rng.below(10_000)
                );
                let title = self
                    .user(seq)?
                    .profile
                    .get("department")
                    .and_then(Value::as_str)
                    .and_then(synth::department)
                    .map(|(_, titles)| *run.rng.pick(titles));
                let u = self.user_mut(seq)?;
                u.profile.insert("mobilePhone".into(), Value::from(phone));
                if let Some(t) = title {
                    u.profile.insert("title".into(), Value::from(t));
                }
                u.last_updated = now;
                let id = u.id.clone();
                self.user_profile_updated(seq);
                user_change(kind, id)
            }
            "user.rename" => {
                let seq = self.pick_user(run, |s| s != Status::Deprovisioned)?;
                let last = synth::last_name(&mut run.rng);
                let u = self.user(seq)?;
                let first = u
                    .profile
                    .get("firstName")
                    .and_then(Value::as_str)
                    .unwrap_or("user")
                    .to_owned();
                let old_login = u.login().to_owned();
                let domain = old_login
                    .split_once('@')
                    .map_or(run.domain.as_str(), |(_, d)| d)
                    .to_owned();
                let login = format!("{}.{}{seq}@{domain}", ascii(&first), ascii(last));
                if login == old_login || self.login_owner(&login).is_some() {
                    return None;
                }
                let u = self.user_mut(seq)?;
                u.profile.insert("lastName".into(), Value::from(last));
                u.profile
                    .insert("displayName".into(), Value::from(format!("{first} {last}")));
                u.profile.insert("login".into(), Value::from(login.clone()));
                u.profile.insert("email".into(), Value::from(login));
                u.last_updated = now;
                let id = u.id.clone();
                self.reindex_login(seq, &old_login);
                self.user_profile_updated(seq);
                user_change(kind, id)
            }
            "user.move" => {
                let seq = self.pick_user(run, |s| s != Status::Deprovisioned)?;
                let depts: Vec<&str> = synth::departments().collect();
                let to = *run.rng.pick(&depts);
                let (division, titles) = synth::department(to)?;
                let title = *run.rng.pick(titles);
                let u = self.user_mut(seq)?;
                if u.profile.get("department").and_then(Value::as_str) == Some(to) {
                    return None;
                }
                u.profile.insert("department".into(), Value::from(to));
                u.profile.insert("division".into(), Value::from(division));
                u.profile.insert("title".into(), Value::from(title));
                u.last_updated = now;
                let id = u.id.clone();
                self.user_profile_updated(seq);
                user_change(kind, id)
            }
            "user.suspend" => self.churn_status(run, kind, Status::Active, Status::Suspended),
            "user.unsuspend" => self.churn_status(run, kind, Status::Suspended, Status::Active),
            "user.deactivate" => {
                let seq = self.pick_user(run, |s| s != Status::Deprovisioned)?;
                self.set_user_status(seq, Status::Deprovisioned, now);
                user_change(kind, self.user(seq)?.id.clone())
            }
            "user.reactivate" => {
                let seq = self.pick_user(run, |s| s == Status::Deprovisioned)?;
                let u = self.user(seq)?;
                let to = if u.has_password() || !u.is_okta_sourced() {
                    Status::Active
                } else {
                    Status::Provisioned
                };
                self.set_user_status(seq, to, now);
                user_change(kind, self.user(seq)?.id.clone())
            }
            "user.delete" => {
                // Okta deletes only DEPROVISIONED users: deactivate first when none is drawn.
                let seq = self
                    .pick_user(run, |s| s == Status::Deprovisioned)
                    .or_else(|| self.pick_user(run, |_| true))?;
                let id = self.user(seq)?.id.clone();
                self.set_user_status(seq, Status::Deprovisioned, now);
                self.delete_user(seq);
                user_change(kind, id)
            }
            "group.create" => {
                let n = run.rng.below(1_000_000);
                let name = synth::team_name(&mut run.rng, n);
                if self.group_name_taken(&name, None) {
                    return None;
                }
                let mut profile = serde_json::Map::new();
                profile.insert("name".into(), Value::from(name.clone()));
                profile.insert(
                    "description".into(),
                    Value::from(format!("Project team ({name})")),
                );
                let seq = self.create_group(GroupType::Okta, profile, now, None);
                run.groups.push(seq);
                group_change(kind, self.groups.get(&seq)?.id.clone())
            }
            "group.rename" => {
                let (_, seq) = pick(&mut run.rng, &run.groups)?;
                let n = run.rng.below(1_000_000);
                let name = synth::team_name(&mut run.rng, n);
                if self.group_name_taken(&name, None) {
                    return None;
                }
                let g = self.group_mut(seq)?;
                g.profile.insert("name".into(), Value::from(name));
                g.last_updated = now;
                let id = g.id.clone();
                self.group_profile_updated(seq);
                group_change(kind, id)
            }
            "group.delete" => {
                let (ix, seq) = pick(&mut run.rng, &run.groups)?;
                let id = self.groups.get(&seq)?.id.clone();
                self.remove_group(seq);
                run.groups.swap_remove(ix);
                group_change(kind, id)
            }
            "membership.add" => {
                let user = self.pick_user(run, |s| s != Status::Deprovisioned)?;
                let (_, group) = pick(&mut run.rng, &run.groups)?;
                if !self.change_membership(group, user, true, now) {
                    return None;
                }
                self.membership_change(kind, user, group)
            }
            "membership.remove" => {
                for _ in 0..TRIES {
                    let user = self.pick_user(run, |_| true)?;
                    let mine: Vec<u64> = self
                        .user_groups
                        .get(&user)
                        .into_iter()
                        .flatten()
                        .copied()
                        .filter(|g| run.groups.contains(g))
                        .collect();
                    if let Some((_, group)) = pick(&mut run.rng, &mine) {
                        self.change_membership(group, user, false, now);
                        return self.membership_change(kind, user, group);
                    }
                }
                None
            }
            _ => None,
        }
    }

    fn membership_change(&self, kind: &'static str, user: u64, group: u64) -> Option<Change> {
        Some(Change {
            kind,
            user_id: Some(self.user(user)?.id.clone()),
            group_id: Some(self.groups.get(&group)?.id.clone()),
        })
    }

    fn churn_status(
        &mut self,
        run: &mut Run,
        kind: &'static str,
        from: Status,
        to: Status,
    ) -> Option<Change> {
        let seq = self.pick_user(run, |s| s == from)?;
        self.set_user_status(seq, to, run.now);
        user_change(kind, self.user(seq)?.id.clone())
    }

    /// A hire: a generated-like profile, ACTIVE, reporting to a random ACTIVE user; department
    /// rules place them.
    fn churn_hire(&mut self, run: &mut Run) -> Option<Change> {
        let manager = self
            .pick_user(run, |s| s == Status::Active)
            .and_then(|m| self.user(m))
            .map(|m| {
                let name = m
                    .profile
                    .get("displayName")
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| m.login())
                    .to_owned();
                (m.id.clone(), name)
            });
        let user_seed = run.rng.next_u64();
        let (seq, _) = self.next_id("00u");
        let user = synth::hire(self.salt, user_seed, seq, &run.domain, manager, run.now);
        if self.login_owner(user.login()).is_some() {
            return None;
        }
        let id = user.id.clone();
        self.insert_user(user);
        self.queue_rules_for_new_users();
        user_change("user.create", id)
    }

    /// A random user whose status passes `ok`, in a few tries: the first user at or after a
    /// random seq between the first and the last user's (O(log n), no list of users to keep;
    /// users after a gap in the seqs are a little likelier).
    fn pick_user(&self, run: &mut Run, ok: impl Fn(Status) -> bool) -> Option<u64> {
        let (&lo, _) = self.users.first_key_value()?;
        let (&hi, _) = self.users.last_key_value()?;
        for _ in 0..TRIES {
            let x = lo + run.rng.below(hi - lo + 1);
            let (&seq, u) = self.users.range(x..).next()?;
            if ok(u.status) {
                return Some(seq);
            }
        }
        None
    }

    /// Gives each department group without a rule an ACTIVE rule `user.department=="<name>"`
    /// owning its current matching members.
    fn ensure_department_rules(&mut self, now: i64) {
        let targeted: HashSet<String> = self
            .rules
            .values()
            .flat_map(|r| r.definition.target_group_ids.iter().cloned())
            .collect();
        let depts: Vec<&str> = synth::departments().collect();
        let todo: Vec<(u64, String, String)> = self
            .groups
            .values()
            .filter(|g| g.kind == GroupType::Okta && !targeted.contains(&g.id))
            .filter(|g| depts.contains(&g.name()))
            .map(|g| (g.seq, g.id.clone(), g.name().to_owned()))
            .collect();
        for (gseq, gid, name) in todo {
            let body = json!({
                "type": "group_rule",
                "name": format!("Department: {name}"),
                "conditions": { "expression": {
                    "value": format!("user.department==\"{name}\""),
                    "type": "urn:okta:expression:1.0",
                } },
                "actions": { "assignUserToGroups": { "groupIds": [gid] } },
            });
            let Ok(definition) = parse_rule_body(&body) else {
                continue;
            };
            let added = self
                .members
                .get(&gseq)
                .into_iter()
                .flatten()
                .filter_map(|u| self.user(*u))
                .filter(|u| u.profile.get("department").and_then(Value::as_str) == Some(&name))
                .map(|u| (u.id.clone(), gid.clone()))
                .collect();
            self.next_rule += 1;
            let seq = self.next_rule;
            self.rules.insert(
                seq,
                StoredRule {
                    id: okta_id("0pr", self.salt, seq),
                    created: now,
                    last_updated: now,
                    status: RuleStatus::Active,
                    definition,
                    body,
                    added,
                },
            );
        }
    }
}

fn pick_kind(rng: &mut Rng) -> &'static str {
    let total: u64 = KINDS.iter().map(|(_, w)| w).sum();
    let mut x = rng.below(total);
    for (k, w) in KINDS {
        if x < *w {
            return k;
        }
        x -= w;
    }
    "user.create"
}

/// A random element and its index.
fn pick(rng: &mut Rng, items: &[u64]) -> Option<(usize, u64)> {
    if items.is_empty() {
        return None;
    }
    let ix = rng.below(items.len() as u64) as usize;
    Some((ix, items[ix]))
}

/// Lower-case ASCII letters and digits of a name, for logins.
fn ascii(s: &str) -> String {
    crate::util::fold(s)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_org_same_changes_and_every_kind_happens() {
        let mut a = crate::synth::generate(300, 30, 4);
        let mut b = crate::synth::generate(300, 30, 4);
        let ca = a.churn(500, 11);
        let cb = b.churn(500, 11);
        assert_eq!(ca.len(), 500);
        assert_eq!(ca, cb);
        for (kind, _) in KINDS {
            assert!(ca.iter().any(|c| c.kind == *kind), "{kind} never happened");
        }
        assert_ne!(a.churn(20, 12), a.churn(20, 13));
        // The department rules exist and are ACTIVE.
        assert!(
            a.rules
                .values()
                .any(|r| r.status == RuleStatus::Active
                    && r.body["name"] == "Department: Engineering")
        );
    }

    #[test]
    fn churn_on_an_empty_org_still_makes_every_change_asked() {
        let mut org = Org::new(1, 0);
        let c = org.churn(50, 1);
        assert_eq!(c.len(), 50);
        assert!(c.iter().any(|c| c.kind == "user.create"));
    }
}
