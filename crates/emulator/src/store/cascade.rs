//! What follows from a change to a user, an app or a membership, applied by the org itself so
//! that a handler makes the change and its consequences under one write lock:
//! - a user deleted for good takes their sessions, factors, grants, refresh and access tokens,
//!   linked objects and rule-added memberships with them;
//! - a deactivated or suspended user's sign-in sessions end;
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
    /// deactivation and suspension end the sessions; (re)activation, unsuspension and unlocking
    /// queue a group-rule evaluation.
    pub(crate) fn user_status_changed(&mut self, seq: u64, old: Status) {
        let Some(u) = self.user(seq) else {
            return;
        };
        let (id, new) = (u.id.clone(), u.status);
        match new {
            Status::Deprovisioned | Status::Suspended if new != old => self.end_sessions(&id),
            Status::Active | Status::Provisioned => self.queue_rules_for_user(seq),
            _ => {}
        }
    }

    /// Permanently deletes a user, every relation and everything issued to them.
    pub(crate) fn delete_user(&mut self, seq: u64) {
        let Some(uid) = self.user(seq).map(|u| u.id.clone()) else {
            return;
        };
        self.remove_user(seq);
        self.end_sessions(&uid);
        self.remove_factors(&uid);
        self.user_grants.retain(|_, g| g.user_id != uid);
        self.revoke_user_tokens(&uid);
        self.linked_values
            .retain(|(_, assoc), primary| *assoc != uid && *primary != uid);
        for r in self.rules.values_mut() {
            r.added.retain(|(u, _)| *u != uid);
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
        let gone: Vec<String> = self
            .factors
            .values()
            .filter(|f| f.user_id == user_id)
            .map(|f| f.id.clone())
            .collect();
        self.factors.retain(|_, f| f.user_id != user_id);
        for fid in &gone {
            self.pushes.remove_factor(fid);
            self.factor_limits.clear_factor(fid);
        }
        gone.len()
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
        if changed && let Some(g) = self.groups.get_mut(&group) {
            g.last_membership_updated = now;
        }
        self.queue_rules_for_user(user);
        changed
    }
}
