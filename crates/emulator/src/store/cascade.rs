//! What follows from a change to a user, an app or a membership, applied by the org itself so
//! that a handler makes the change and its consequences under one write lock:
//! - a user deleted for good takes their sessions, factors, grants, refresh and access tokens,
//!   linked objects and rule-added memberships with them;
//! - a deactivated user's sign-in sessions end, their consent grants, refresh and access tokens
//!   are revoked (Okta: grants "stay valid until revoked or the user ... is deactivated") and
//!   their factors are reset (a reactivated user enrolls again \[unconfirmed\]: Okta documents
//!   no factor list for deprovisioned users; we take the reset admins report after reactivation);
//! - a suspended user's sign-in sessions end, and nothing else: suspension is reversible;
//! - resetting a user's factors unenrolls them (pending pushes and send limits included);
//! - a deleted app takes its scope grants, its users' grants and refresh tokens, and its access
//!   tokens; a deactivated app's access tokens are revoked (Okta revokes tokens of deactivated
//!   clients \[unconfirmed\]);
//! - a membership, profile or (re)activation change queues a group-rule evaluation for the user
//!   (rule expressions may test group membership, profile and status).

use super::{Org, Status};

impl Org {
    // ---- users ----

    /// Sets a user's status and applies what follows from the new one.
    pub(crate) fn set_user_status(&mut self, seq: u64, status: Status, now: i64) {
        let Some(u) = self.user_mut(seq) else {
            return;
        };
        let old = u.status;
        u.set_status(status, now);
        self.user_status_changed(seq, old);
    }

    /// Applies what follows from user `seq` leaving status `old` (the status is already set):
    /// deactivation ends the sessions and revokes grants, tokens and factors; suspension ends the
    /// sessions; (re)activation, unsuspension and unlocking queue a group-rule evaluation.
    pub(crate) fn user_status_changed(&mut self, seq: u64, old: Status) {
        let Some(u) = self.user(seq) else {
            return;
        };
        let (id, new) = (u.id.clone(), u.status);
        if let Some(event) = status_event(old, new) {
            self.log_user_event(event, seq);
        }
        match new {
            Status::Deprovisioned if new != old => {
                self.end_sessions(&id);
                self.user_grants.retain(|_, g| g.user_id != id);
                self.revoke_user_tokens(&id);
                self.remove_factors(&id);
            }
            Status::Suspended if new != old => self.end_sessions(&id),
            Status::Active | Status::Provisioned => self.queue_rules_for_user(seq),
            _ => {}
        }
    }

    /// Logs a change to a user's profile the caller made and queues a group-rule evaluation.
    pub(crate) fn user_profile_updated(&mut self, seq: u64) {
        self.log_user_event("user.account.update_profile", seq);
        self.queue_rules_for_user(seq);
    }

    /// Logs a change to a user's credentials (password, recovery question, provider, factors)
    /// or sign-in the caller made; `lastUpdated`/`passwordChanged` are the caller's to set.
    pub(crate) fn user_credentials_changed(&mut self, seq: u64, event_type: &'static str) {
        self.log_user_event(event_type, seq);
    }

    /// Permanently deletes a user, every relation and everything issued to them.
    pub(crate) fn delete_user(&mut self, seq: u64) {
        let Some(uid) = self.user(seq).map(|u| u.id.clone()) else {
            return;
        };
        let target = self.user_target(seq);
        if let Some(t) = &target {
            self.log_event("user.lifecycle.delete.initiated", vec![t.clone()]);
        }
        // The memberships go with the user: each is logged as removed and moves its group's
        // `lastMembershipUpdated` \[unconfirmed: Okta documents no membership event for a
        // deleted user]. Everyone loses a member too.
        let groups: Vec<u64> = self
            .user_groups
            .get(&seq)
            .map(|g| g.iter().copied().collect())
            .unwrap_or_default();
        for g in groups {
            self.remove_member(g, seq);
        }
        let everyone = self.everyone;
        self.membership_moved(everyone);
        if let Some(t) = target {
            self.log_event("user.lifecycle.delete.completed", vec![t]);
        }
        self.remove_user(seq);
        self.end_sessions(&uid);
        self.remove_factors(&uid);
        self.user_grants.retain(|_, g| g.user_id != uid);
        self.revoke_user_tokens(&uid);
        self.linked_values
            .retain(|(_, assoc), primary| *assoc != uid && *primary != uid);
        for r in self.rules.values_mut() {
            // `added` is ordered by user id first: the user's pairs are one range (a retain
            // would walk every pair of every rule on each deletion).
            let mine: Vec<(String, String)> = r
                .added
                .range((uid.clone(), String::new())..)
                .take_while(|(u, _)| *u == uid)
                .cloned()
                .collect();
            for pair in &mine {
                r.added.remove(pair);
            }
        }
    }

    /// Ends a user's sign-in sessions and voids their unused session tokens.
    pub(crate) fn end_sessions(&mut self, user_id: &str) {
        self.sessions.retain(|_, s| s.user_id != user_id);
        self.session_tokens.0.retain(|_, (u, _)| u != user_id);
    }

    /// How many live sessions a user has.
    pub(crate) fn live_session_count(&self, user_id: &str, now: i64) -> usize {
        self.sessions
            .values()
            .filter(|s| s.user_id == user_id && s.expires_at > now)
            .count()
    }

    /// `DELETE /users/{id}/sessions`: ends the user's sessions and, with `oauth_tokens`, revokes
    /// their refresh and access tokens.
    pub(crate) fn revoke_user_sessions(&mut self, seq: u64, oauth_tokens: bool) {
        let Some(u) = self.user_mut(seq) else {
            return;
        };
        u.sessions_revoked += 1;
        if oauth_tokens {
            u.oauth_tokens_revoked += 1;
        }
        let uid = u.id.clone();
        self.end_sessions(&uid);
        if oauth_tokens {
            self.revoke_user_tokens(&uid);
        }
    }

    /// Revokes the refresh tokens and access tokens issued for a user.
    pub(crate) fn revoke_user_tokens(&mut self, user_id: &str) {
        self.refresh_tokens.retain(|_, t| t.user_id != user_id);
        self.auth
            .tokens
            .revoke_where(|t| t.user_id.as_deref() == Some(user_id));
    }

    /// Unenrolls every factor of a user, with their pending pushes and send limits; returns how
    /// many there were.
    pub(crate) fn remove_factors(&mut self, user_id: &str) -> usize {
        let gone: Vec<u64> = self
            .factors
            .iter()
            .filter(|(_, f)| f.user_id == user_id)
            .map(|(seq, _)| *seq)
            .collect();
        for seq in &gone {
            self.remove_factor(*seq);
        }
        gone.len()
    }

    /// Unenrolls one factor, with its pending pushes and send limits.
    pub(crate) fn remove_factor(&mut self, seq: u64) {
        if let Some(f) = self.factors.remove(&seq) {
            self.pushes.remove_factor(&f.id);
            self.factor_limits.clear_factor(&f.id);
        }
    }

    /// How many factors a user has enrolled (pending activation included).
    pub(crate) fn factor_count(&self, user_id: &str) -> usize {
        self.factors
            .values()
            .filter(|f| f.user_id == user_id)
            .count()
    }

    // ---- apps ----

    /// Deletes an app with its assignments, scope grants, its users' grants and refresh tokens,
    /// and its access tokens.
    pub(crate) fn delete_app(&mut self, seq: u64) {
        let Some(aid) = self.apps.get(&seq).map(|a| a.id.clone()) else {
            return;
        };
        self.remove_app(seq);
        self.auth.tokens.revoke_where(|t| t.client_id == aid);
        self.app_grants.remove(&aid);
        self.user_grants.retain(|_, g| g.client_id != aid);
        self.refresh_tokens.retain(|_, t| t.client_id != aid);
    }

    /// Sets an app's status (`ACTIVE`/`INACTIVE`); deactivation revokes its access tokens.
    pub(crate) fn set_app_status(&mut self, seq: u64, status: &str, now: i64) {
        let Some(app) = self.apps.get_mut(&seq) else {
            return;
        };
        app.status = status.into();
        app.last_updated = now;
        if status == "INACTIVE" {
            let aid = app.id.clone();
            self.auth.tokens.revoke_where(|t| t.client_id == aid);
        }
    }

    // ---- memberships ----

    /// Adds a user to a group through the API, or (`add` false) removes them; returns whether
    /// the membership changed. Queues a group-rule evaluation for the user either way.
    pub(crate) fn change_membership(&mut self, group: u64, user: u64, add: bool, now: i64) -> bool {
        let changed = if add {
            self.add_member(group, user)
        } else {
            self.remove_member(group, user)
        };
        if changed && let Some(g) = self.group_mut(group) {
            g.last_membership_updated = g.last_membership_updated.max(now);
        }
        self.queue_rules_for_user(user);
        changed
    }
}

/// The System Log event of a status change. Activating a deactivated user is logged as
/// `user.lifecycle.reactivate` \[unconfirmed: Okta's catalog describes it as reactivation of a
/// user, without naming the prior status]. The password-reset states log credential events in
/// Okta, not lifecycle ones; they log none here.
fn status_event(old: Status, new: Status) -> Option<&'static str> {
    use Status::*;
    Some(match (old, new) {
        _ if old == new => return None,
        (_, Deprovisioned) => "user.lifecycle.deactivate",
        (_, Suspended) => "user.lifecycle.suspend",
        (_, LockedOut) => "user.account.lock",
        (Suspended, Active) => "user.lifecycle.unsuspend",
        (LockedOut, Active) => "user.account.unlock",
        (Deprovisioned, Active | Provisioned | Staged) => "user.lifecycle.reactivate",
        (Staged, Active | Provisioned) => "user.lifecycle.activate",
        (Provisioned, Active) => "user.lifecycle.activate",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::el::rule::{RuleStatus, parse_rule_body};
    use crate::store::{App, Org, SignInSession, Status, StoredRule};
    use crate::util::now_secs;

    const ISSUER: &str = "http://org.example";

    /// A generated org with one ACTIVE user and one ACTIVE app: `(org, user seq, user id, app
    /// seq, app id)`.
    fn org() -> (Org, u64, String, u64, String) {
        let mut org = crate::synth::generate(3, 2, 7);
        let seq = *org.users.keys().next().expect("a user");
        let user = org.user_mut(seq).expect("the user");
        user.status = Status::Active;
        let uid = user.id.clone();
        let (aseq, aid) = org.next_id("0oa");
        org.insert_app(App {
            seq: aseq,
            id: aid.clone(),
            created: 0,
            last_updated: 0,
            status: "ACTIVE".into(),
            body: serde_json::Map::new(),
        });
        (org, seq, uid, aseq, aid)
    }

    /// Gives the user a session, a session token, a consent grant, a refresh token (and its
    /// access token), two factors and a linked object; returns the access token.
    fn give_everything(org: &mut Org, uid: &str, aid: &str) -> String {
        let now = now_secs();
        org.sessions.insert(
            "102session".into(),
            SignInSession {
                id: "102session".into(),
                user_id: uid.into(),
                login: "someone".into(),
                created: now,
                expires_at: now + 3600,
            },
        );
        org.session_tokens
            .0
            .insert("20111token".into(), (uid.into(), now + 60));
        org.grant_consent(uid, aid, &["okta.users.read".into()], ISSUER)
            .expect("consent");
        let (_, access) = org
            .issue_refresh_token(uid, aid, &["offline_access".into()], ISSUER)
            .expect("refresh token");
        assert_eq!(org.set_active_factors(uid, 2, now), 2);
        org.linked_values
            .insert(("manager".into(), uid.into()), "00uboss".into());
        access
    }

    fn has_session(org: &Org, uid: &str) -> bool {
        org.sessions.values().any(|s| s.user_id == uid)
            || org.session_tokens.0.values().any(|(u, _)| u == uid)
    }

    fn token_live(org: &Org, access: &str) -> bool {
        org.auth.tokens.introspect(access, now_secs()).is_some()
    }

    #[test]
    fn deleting_a_user_removes_sessions_grants_factors_tokens_and_links() {
        let (mut org, seq, uid, _, aid) = org();
        let access = give_everything(&mut org, &uid, &aid);
        org.delete_user(seq);
        assert!(org.user(seq).is_none());
        assert!(!has_session(&org, &uid));
        assert!(org.user_grants.values().all(|g| g.user_id != uid));
        assert!(org.refresh_tokens.values().all(|t| t.user_id != uid));
        assert_eq!(org.factor_count(&uid), 0);
        assert!(!token_live(&org, &access));
        assert!(org.linked_values.is_empty());
    }

    #[test]
    fn suspending_ends_sessions_and_keeps_the_rest() {
        let (mut org, seq, uid, _, aid) = org();
        let access = give_everything(&mut org, &uid, &aid);
        org.set_user_status(seq, Status::Suspended, now_secs());
        assert_eq!(org.user(seq).map(|u| u.status), Some(Status::Suspended));
        assert!(!has_session(&org, &uid), "suspension ends sessions");
        assert_eq!(org.factor_count(&uid), 2, "suspension keeps factors");
        assert!(token_live(&org, &access), "suspension keeps tokens");
        assert!(org.user_grants.values().any(|g| g.user_id == uid));
    }

    #[test]
    fn deactivating_ends_sessions_grants_tokens_and_factors_and_keeps_the_user() {
        let (mut org, seq, uid, _, aid) = org();
        let access = give_everything(&mut org, &uid, &aid);
        org.set_user_status(seq, Status::Deprovisioned, now_secs());
        assert_eq!(org.user(seq).map(|u| u.status), Some(Status::Deprovisioned));
        assert!(!has_session(&org, &uid));
        assert_eq!(org.factor_count(&uid), 0);
        assert!(!token_live(&org, &access));
        assert!(!org.user_grants.values().any(|g| g.user_id == uid));
        assert!(!org.refresh_tokens.values().any(|t| t.user_id == uid));
    }

    #[test]
    fn resetting_factors_removes_every_factor_of_that_user_only() {
        let (mut org, seq, uid, _, _) = org();
        let other = org
            .users
            .values()
            .find(|u| u.seq != seq)
            .map(|u| u.id.clone())
            .expect("another user");
        org.set_active_factors(&uid, 3, now_secs());
        org.set_active_factors(&other, 1, now_secs());
        assert_eq!(org.remove_factors(&uid), 3);
        assert_eq!(org.factor_count(&uid), 0);
        assert_eq!(org.factor_count(&other), 1);
    }

    #[test]
    fn revoking_sessions_revokes_oauth_tokens_only_when_asked() {
        let (mut org, seq, uid, _, aid) = org();
        let access = give_everything(&mut org, &uid, &aid);
        org.revoke_user_sessions(seq, false);
        assert!(!has_session(&org, &uid));
        assert!(token_live(&org, &access));
        assert_eq!(org.refresh_tokens.len(), 1);
        org.revoke_user_sessions(seq, true);
        assert!(!token_live(&org, &access));
        assert!(org.refresh_tokens.is_empty());
        let u = org.user(seq).expect("the user");
        assert_eq!((u.sessions_revoked, u.oauth_tokens_revoked), (2, 1));
    }

    #[test]
    fn deleting_an_app_revokes_its_grants_and_tokens() {
        let (mut org, _, uid, aseq, aid) = org();
        let access = give_everything(&mut org, &uid, &aid);
        org.add_app_grant(&aid, "okta.users.read", ISSUER);
        org.delete_app(aseq);
        assert!(!org.apps.contains_key(&aseq));
        assert!(!org.app_grants.contains_key(&aid));
        assert!(org.user_grants.is_empty());
        assert!(org.refresh_tokens.is_empty());
        assert!(!token_live(&org, &access));
        assert_eq!(org.factor_count(&uid), 2, "the user's factors stay");
    }

    #[test]
    fn deactivating_an_app_revokes_its_access_tokens_only() {
        let (mut org, _, uid, aseq, aid) = org();
        let access = give_everything(&mut org, &uid, &aid);
        org.set_app_status(aseq, "INACTIVE", now_secs());
        assert_eq!(
            org.apps.get(&aseq).map(|a| a.status.as_str()),
            Some("INACTIVE")
        );
        assert!(!token_live(&org, &access));
        assert_eq!(org.refresh_tokens.len(), 1);
        assert_eq!(org.user_grants.len(), 1);
    }

    #[test]
    fn membership_changes_queue_rule_evaluations_that_follow_them() {
        let (mut org, seq, _, _, _) = org();
        let groups: Vec<u64> = org
            .groups
            .keys()
            .copied()
            .filter(|g| *g != org.everyone)
            .collect();
        let (source, target) = (groups[0], groups[1]);
        let (source_id, target_id) = (
            org.groups[&source].id.clone(),
            org.groups[&target].id.clone(),
        );
        // No ACTIVE rule: nothing to queue.
        org.change_membership(source, seq, true, now_secs());
        assert!(!org.rules_queued());
        org.change_membership(source, seq, false, now_secs());

        let body = json!({
            "type": "group_rule",
            "name": "members of the source",
            "conditions": {"expression": {
                "value": format!("isMemberOfAnyGroup(\"{source_id}\")"),
                "type": "urn:okta:expression:1.0",
            }},
            "actions": {"assignUserToGroups": {"groupIds": [target_id]}},
        });
        let definition = parse_rule_body(&body).expect("a valid rule");
        org.rules.insert(
            1,
            StoredRule {
                id: "0pr1".into(),
                created: 0,
                last_updated: 0,
                status: RuleStatus::Active,
                definition,
                body,
                added: Default::default(),
            },
        );
        let in_target = |org: &Org| org.groups_of(seq).contains(&target);

        assert!(org.change_membership(source, seq, true, now_secs()));
        assert!(org.rules_queued());
        assert!(!in_target(&org), "rules apply later, not with the change");
        assert_eq!(org.run_rule_queue(), 1);
        assert!(in_target(&org));
        assert!(!org.rules_queued());

        assert!(org.change_membership(source, seq, false, now_secs()));
        assert_eq!(org.run_rule_queue(), 1);
        assert!(
            !in_target(&org),
            "the rule takes back the membership it added"
        );
    }

    #[test]
    fn deleting_a_user_forgets_the_memberships_rules_added() {
        let (mut org, seq, uid, _, _) = org();
        org.rules.insert(
            1,
            StoredRule {
                id: "0pr1".into(),
                created: 0,
                last_updated: 0,
                status: RuleStatus::Inactive,
                definition: parse_rule_body(&json!({
                    "type": "group_rule",
                    "name": "r",
                    "conditions": {"expression": {"value": "true", "type": "urn:okta:expression:1.0"}},
                    "actions": {"assignUserToGroups": {"groupIds": ["00gx"]}},
                }))
                .expect("a valid rule"),
                body: json!({}),
                added: [(uid.clone(), "00gx".to_owned())].into_iter().collect(),
            },
        );
        org.delete_user(seq);
        assert!(org.rules[&1].added.is_empty());
    }
}
