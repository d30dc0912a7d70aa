//! The in-memory org: users, groups, apps and their relations.
//!
//! Design: every object gets a `seq` from one monotonically increasing counter when it is
//! created; primary maps are `BTreeMap<seq, _>`, so listing in creation order is a range scan
//! from the cursor's `seq` (keyset pagination: no offset, no clone of the collection per page).
//! Rows created during a walk get larger `seq`s and appear at its end; deleted rows simply stop
//! matching — so a walk never repeats a row and never skips one that existed throughout.
//! Secondary indexes map ids and folded logins to `seq`. The whole org sits behind one
//! `parking_lot::RwLock` (see `Shared`): reads (listing) run in parallel, writes are short.

mod aerial;
mod cascade;
mod events;
mod factor;
mod grants;
mod group;
mod lag;
mod lookup;
mod rule;
mod schema;
mod session;
mod user;

use std::collections::{BTreeMap, BTreeSet, HashMap};

pub(crate) use aerial::{AerialAccount, AerialOrg, aerial_account_client};
pub(crate) use events::{EventLog, LogEvent, now_ms};
pub(crate) use factor::StoredFactor;
pub(crate) use grants::{AppGrant, RefreshToken, UserGrant};
pub(crate) use group::{App, AppGroupAssignment, AppUserAssignment, Group, GroupType};
pub(crate) use lag::{LagHistory, lagged};
pub(crate) use rule::{RuleQueue, StoredRule};
pub(crate) use schema::{LinkedDef, UserType};
pub(crate) use session::{SessionTokens, SignInSession};
pub(crate) use user::{Block, IdpLink, Status, User};

use crate::oauth::token_endpoint::OrgAuthServer;

use crate::util::{fold, okta_id};

/// The default user type id (every user has it; custom types are kept in `Org::user_types`).
pub(crate) const DEFAULT_USER_TYPE: &str = "oty1defaultusertype0";
/// The user schema id used in `_links.schema`.
pub(crate) const DEFAULT_USER_SCHEMA: &str = "osc1defaultuserschem";

/// The org state.
#[derive(Debug)]
pub(crate) struct Org {
    /// Salt mixed into ids, from the seed.
    pub salt: u64,
    next_seq: u64,
    pub users: BTreeMap<u64, User>,
    user_ids: HashMap<String, u64>,
    user_logins: HashMap<String, u64>,
    pub groups: BTreeMap<u64, Group>,
    group_ids: HashMap<String, u64>,
    /// seq of the `Everyone` group.
    pub everyone: u64,
    /// group seq -> member user seqs (Everyone's members are implicit: all users).
    pub members: HashMap<u64, BTreeSet<u64>>,
    /// user seq -> group seqs (without Everyone).
    pub user_groups: HashMap<u64, BTreeSet<u64>>,
    pub apps: BTreeMap<u64, App>,
    app_ids: HashMap<String, u64>,
    /// app seq -> group seq -> assignment.
    pub app_groups: HashMap<u64, BTreeMap<u64, AppGroupAssignment>>,
    /// app seq -> user seq -> assignment.
    pub app_users: HashMap<u64, BTreeMap<u64, AppUserAssignment>>,
    /// Tokens, replay caches and DPoP nonces of the org authorization server.
    pub auth: OrgAuthServer,
    /// App id → its scope grants.
    pub app_grants: BTreeMap<String, Vec<AppGrant>>,
    /// Group rules by seq (creation order).
    pub rules: BTreeMap<u64, StoredRule>,
    /// Next seq of a rule.
    pub next_rule: u64,
    /// Users waiting for the ACTIVE rules to be applied to them.
    pub rule_queue: RuleQueue,
    /// Highest user seq the group rules have seen (users created later are evaluated next).
    pub rules_user_watermark: u64,
    /// User consent grants by seq.
    pub user_grants: BTreeMap<u64, UserGrant>,
    /// Refresh tokens by seq.
    pub refresh_tokens: BTreeMap<u64, RefreshToken>,
    /// Factors by seq (enrollment order).
    pub factors: BTreeMap<u64, StoredFactor>,
    /// Factor activation/resend/send limits.
    pub factor_limits: crate::factors::FactorLimits,
    /// Push transactions.
    pub pushes: crate::factors::PushTransactions,
    /// Linked-object definitions, in creation order.
    pub linked_defs: Vec<LinkedDef>,
    /// `(primary name, associated user id)` → primary user id.
    pub linked_values: BTreeMap<(String, String), String>,
    /// Custom user types by seq (the default type is implicit).
    pub user_types: BTreeMap<u64, UserType>,
    /// Profile schemas of the user types, by type id (the default type's always present).
    pub user_schemas: BTreeMap<String, crate::schema::ProfileSchema>,
    /// The group profile schema.
    pub group_schema: crate::schema::ProfileSchema,
    /// Aerial accounts by id.
    pub aerial: BTreeMap<String, AerialAccount>,
    /// One-time session tokens from `/api/v1/authn`: token → (user id, expiry).
    pub session_tokens: SessionTokens,
    /// Sign-in sessions by id.
    pub sessions: BTreeMap<String, SignInSession>,
    /// The System Log.
    pub events: EventLog,
    /// With `--consistency-lag`: users' and groups' states before their recent changes, for
    /// `search=` (see `store/lag.rs`).
    pub user_lag: Option<LagHistory<User>>,
    pub group_lag: Option<LagHistory<Group>>,
}

impl Org {
    /// An empty org holding only the built-in `Everyone` group.
    pub(crate) fn new(seed: u64, created: i64) -> Self {
        let mut org = Org {
            salt: crate::util::mix(seed),
            next_seq: 1,
            users: BTreeMap::new(),
            user_ids: HashMap::new(),
            user_logins: HashMap::new(),
            groups: BTreeMap::new(),
            group_ids: HashMap::new(),
            everyone: 0,
            members: HashMap::new(),
            user_groups: HashMap::new(),
            apps: BTreeMap::new(),
            app_ids: HashMap::new(),
            app_groups: HashMap::new(),
            app_users: HashMap::new(),
            auth: OrgAuthServer::default(),
            app_grants: BTreeMap::new(),
            rules: BTreeMap::new(),
            next_rule: 0,
            rule_queue: RuleQueue::default(),
            rules_user_watermark: 0,
            user_grants: BTreeMap::new(),
            refresh_tokens: BTreeMap::new(),
            factors: BTreeMap::new(),
            factor_limits: Default::default(),
            pushes: Default::default(),
            linked_defs: Vec::new(),
            linked_values: BTreeMap::new(),
            user_types: BTreeMap::new(),
            user_schemas: BTreeMap::from([(
                DEFAULT_USER_TYPE.to_owned(),
                crate::schema::ProfileSchema::user_template(created),
            )]),
            group_schema: crate::schema::ProfileSchema::group_template(created),
            aerial: BTreeMap::new(),
            session_tokens: SessionTokens::default(),
            sessions: BTreeMap::new(),
            events: EventLog::default(),
            user_lag: None,
            group_lag: None,
        };
        let mut profile = serde_json::Map::new();
        profile.insert("name".into(), "Everyone".into());
        profile.insert(
            "description".into(),
            "All users in your organization".into(),
        );
        org.everyone = org.insert_group(GroupType::BuiltIn, profile, created, None);
        org
    }

    /// Next `seq` and its id with the given prefix.
    pub(crate) fn next_id(&mut self, prefix: &str) -> (u64, String) {
        let seq = self.next_seq;
        self.next_seq += 1;
        (seq, okta_id(prefix, self.salt, seq))
    }

    // ---- users ----

    /// Finds a user by id or login (case/diacritic-insensitive), as `GET /users/{idOrLogin}`.
    pub(crate) fn user_seq(&self, id_or_login: &str) -> Option<u64> {
        self.user_ids
            .get(id_or_login)
            .or_else(|| self.user_logins.get(&fold(id_or_login)))
            .copied()
            .or_else(|| self.short_login_owner(id_or_login))
    }

    /// The one user whose login before `@` is `short` (case/diacritic-insensitive); none when
    /// no user or several match (BEHAVIOR §6: "short-name login allowed when unambiguous").
    /// A scan, run only when no id or full login matched.
    fn short_login_owner(&self, short: &str) -> Option<u64> {
        if short.is_empty() || short.contains('@') {
            return None;
        }
        let want = fold(short);
        let mut found = None;
        for (seq, u) in &self.users {
            let Some((local, _)) = u.login().split_once('@') else {
                continue;
            };
            let same = if local.is_ascii() && want.is_ascii() {
                local.eq_ignore_ascii_case(&want)
            } else {
                fold(local) == want
            };
            if same {
                if found.is_some() {
                    return None;
                }
                found = Some(*seq);
            }
        }
        found
    }

    /// Finds a user by id only.
    #[cfg(test)]
    pub(crate) fn user_seq_by_id(&self, id: &str) -> Option<u64> {
        self.user_ids.get(id).copied()
    }

    pub(crate) fn user(&self, seq: u64) -> Option<&User> {
        self.users.get(&seq)
    }

    /// A user to change (with a consistency lag, its current state is kept for `search=`).
    pub(crate) fn user_mut(&mut self, seq: u64) -> Option<&mut User> {
        if let Some(lag) = &mut self.user_lag
            && let Some(u) = self.users.get(&seq)
        {
            lag.changing(seq, Some(u));
        }
        self.users.get_mut(&seq)
    }

    /// A group to change (with a consistency lag, its current state is kept for `search=`).
    pub(crate) fn group_mut(&mut self, seq: u64) -> Option<&mut Group> {
        if let Some(lag) = &mut self.group_lag
            && let Some(g) = self.groups.get(&seq)
        {
            lag.changing(seq, Some(g));
        }
        self.groups.get_mut(&seq)
    }

    /// Turns on (non-zero) or off Okta's eventual consistency for `search=`.
    pub(crate) fn set_consistency_lag(&mut self, lag: std::time::Duration) {
        if lag.is_zero() {
            self.user_lag = None;
            self.group_lag = None;
        } else {
            self.user_lag = Some(LagHistory::new(lag));
            self.group_lag = Some(LagHistory::new(lag));
        }
    }

    /// Users as `search=` sees them, in seq order: `None` without a consistency lag (read
    /// `users`), else the state of the lag ago.
    pub(crate) fn searched_users(&self) -> Option<Vec<&User>> {
        let lag = self.user_lag.as_ref()?;
        let now = events::now_ms();
        let seen = lagged(
            lag,
            self.users.iter().map(|(s, u)| (*s, u)),
            |s| self.users.contains_key(&s),
            now,
        );
        Some(seen.into_iter().map(|(_, u)| u).collect())
    }

    /// Groups as `search=` sees them (see [`Org::searched_users`]).
    pub(crate) fn searched_groups(&self) -> Option<Vec<&Group>> {
        let lag = self.group_lag.as_ref()?;
        let now = events::now_ms();
        let seen = lagged(
            lag,
            self.groups.iter().map(|(s, g)| (*s, g)),
            |s| self.groups.contains_key(&s),
            now,
        );
        Some(seen.into_iter().map(|(_, g)| g).collect())
    }

    /// Seq of the user holding this login, if any.
    pub(crate) fn login_owner(&self, login: &str) -> Option<u64> {
        self.user_logins.get(&fold(login)).copied()
    }

    /// Inserts a user (the caller checked login uniqueness) and logs its creation.
    pub(crate) fn insert_user(&mut self, user: User) {
        let folded = fold(user.login());
        let (seq, status) = (user.seq, user.status);
        if let Some(lag) = &mut self.user_lag {
            lag.changing(seq, None);
        }
        self.insert_user_folded(user, folded);
        self.log_user_event("user.lifecycle.create", seq);
        // Every user joins the built-in Everyone group.
        let everyone = self.everyone;
        self.membership_moved(everyone);
        // Created with `activate=true`: Okta logs the activation too [unconfirmed].
        if matches!(status, Status::Active | Status::Provisioned) {
            self.log_user_event("user.lifecycle.activate", seq);
        }
    }

    /// Inserts a user whose folded login the caller computed (bulk generation).
    pub(crate) fn insert_user_folded(&mut self, user: User, folded_login: String) {
        self.user_ids.insert(user.id.clone(), user.seq);
        self.user_logins.insert(folded_login, user.seq);
        self.users.insert(user.seq, user);
    }

    /// Reserves `n` consecutive `seq`s and returns the first.
    pub(crate) fn reserve(&mut self, n: u64) -> u64 {
        let first = self.next_seq;
        self.next_seq += n;
        first
    }

    /// Re-indexes a user's login after a profile change.
    pub(crate) fn reindex_login(&mut self, seq: u64, old_login: &str) {
        let old = fold(old_login);
        if self.user_logins.get(&old) == Some(&seq) {
            self.user_logins.remove(&old);
        }
        if let Some(u) = self.users.get(&seq) {
            self.user_logins.insert(fold(u.login()), seq);
        }
    }

    /// Removes a user from the user tables, memberships and app assignments
    /// ([`Org::delete_user`] also removes what was issued to them).
    fn remove_user(&mut self, seq: u64) {
        if let Some(u) = self.users.remove(&seq) {
            if let Some(lag) = &mut self.user_lag {
                lag.changing(seq, Some(&u));
            }
            self.user_ids.remove(&u.id);
            let login = fold(u.login());
            if self.user_logins.get(&login) == Some(&seq) {
                self.user_logins.remove(&login);
            }
        }
        if let Some(groups) = self.user_groups.remove(&seq) {
            for g in groups {
                if let Some(m) = self.members.get_mut(&g) {
                    m.remove(&seq);
                }
            }
        }
        for users in self.app_users.values_mut() {
            users.remove(&seq);
        }
    }

    // ---- groups ----

    pub(crate) fn insert_group(
        &mut self,
        kind: GroupType,
        profile: serde_json::Map<String, serde_json::Value>,
        now: i64,
        source_app: Option<String>,
    ) -> u64 {
        let (seq, id) = self.next_id("00g");
        if let Some(lag) = &mut self.group_lag {
            lag.changing(seq, None);
        }
        self.group_ids.insert(id.clone(), seq);
        self.groups.insert(
            seq,
            Group {
                seq,
                id,
                kind,
                created: now,
                last_updated: now,
                last_membership_updated: now,
                profile,
                source_app,
            },
        );
        seq
    }

    pub(crate) fn group_seq(&self, id: &str) -> Option<u64> {
        self.group_ids.get(id).copied()
    }

    /// Whether another group already has this name (case-insensitive).
    pub(crate) fn group_name_taken(&self, name: &str, except: Option<u64>) -> bool {
        let n = fold(name);
        self.groups
            .values()
            .any(|g| Some(g.seq) != except && fold(g.name()) == n)
    }

    /// Creates a group through the API or the admin API and logs it (generation and the
    /// built-in group use [`Org::insert_group`], which logs nothing).
    pub(crate) fn create_group(
        &mut self,
        kind: GroupType,
        profile: serde_json::Map<String, serde_json::Value>,
        now: i64,
        source_app: Option<String>,
    ) -> u64 {
        let seq = self.insert_group(kind, profile, now, source_app);
        self.log_group_event("group.lifecycle.create", seq);
        seq
    }

    /// Logs a change to a group's profile the caller made.
    pub(crate) fn group_profile_updated(&mut self, seq: u64) {
        self.log_group_event("group.profile.update", seq);
    }

    /// Deletes a group with its memberships and app assignments, and logs it.
    ///
    /// Its members' memberships are logged as removed first (`group.user_membership.remove`,
    /// \[unconfirmed]: Okta documents no event for them), so a reader of the log who tracks a
    /// user's groups sees them go.
    pub(crate) fn remove_group(&mut self, seq: u64) {
        let members: Vec<u64> = self
            .members
            .get(&seq)
            .map(|m| m.iter().copied().collect())
            .unwrap_or_default();
        for u in members {
            self.remove_member(seq, u);
        }
        self.log_group_event("group.lifecycle.delete", seq);
        if let Some(g) = self.groups.remove(&seq) {
            if let Some(lag) = &mut self.group_lag {
                lag.changing(seq, Some(&g));
            }
            self.group_ids.remove(&g.id);
        }
        if let Some(members) = self.members.remove(&seq) {
            for u in members {
                if let Some(gs) = self.user_groups.get_mut(&u) {
                    gs.remove(&seq);
                }
            }
        }
        for groups in self.app_groups.values_mut() {
            groups.remove(&seq);
        }
        // Okta marks a rule whose target group is deleted INVALID at once.
        self.invalidate_rules_without_targets(crate::util::now_secs());
    }

    /// Adds a membership without logging it or moving `lastMembershipUpdated` (bulk
    /// generation: the generated baseline is not a change); returns false if it already existed.
    pub(crate) fn insert_member(&mut self, group: u64, user: u64) -> bool {
        let added = self.members.entry(group).or_default().insert(user);
        self.user_groups.entry(user).or_default().insert(group);
        added
    }

    /// Adds a membership, logs it and moves the group's `lastMembershipUpdated`; returns false
    /// if it already existed.
    pub(crate) fn add_member(&mut self, group: u64, user: u64) -> bool {
        let added = self.insert_member(group, user);
        if added {
            self.membership_moved(group);
            self.log_membership("group.user_membership.add", group, user);
        }
        added
    }

    /// Removes a membership, logs it and moves the group's `lastMembershipUpdated`; returns
    /// false if there was none.
    pub(crate) fn remove_member(&mut self, group: u64, user: u64) -> bool {
        let removed = self
            .members
            .get_mut(&group)
            .is_some_and(|m| m.remove(&user));
        if let Some(gs) = self.user_groups.get_mut(&user) {
            gs.remove(&group);
        }
        if removed {
            self.membership_moved(group);
            self.log_membership("group.user_membership.remove", group, user);
        }
        removed
    }

    /// Moves a group's `lastMembershipUpdated` to now (never backwards).
    pub(crate) fn membership_moved(&mut self, group: u64) {
        let now = crate::util::now_secs();
        if let Some(g) = self.group_mut(group) {
            g.last_membership_updated = g.last_membership_updated.max(now);
        }
    }

    /// The user's groups in creation order, `Everyone` first.
    pub(crate) fn groups_of(&self, user: u64) -> Vec<u64> {
        let mut out = vec![self.everyone];
        if let Some(gs) = self.user_groups.get(&user) {
            out.extend(gs.iter().copied().filter(|g| *g != self.everyone));
        }
        out
    }

    /// Number of members of a group (Everyone: all users).
    pub(crate) fn member_count(&self, group: u64) -> usize {
        if group == self.everyone {
            self.users.len()
        } else {
            self.members.get(&group).map_or(0, BTreeSet::len)
        }
    }

    // ---- apps ----

    pub(crate) fn insert_app(&mut self, app: App) {
        self.app_ids.insert(app.id.clone(), app.seq);
        self.apps.insert(app.seq, app);
    }

    pub(crate) fn app_seq(&self, id: &str) -> Option<u64> {
        self.app_ids.get(id).copied()
    }

    /// Removes an app and its assignments ([`Org::delete_app`] also revokes what it was granted).
    fn remove_app(&mut self, seq: u64) {
        if let Some(a) = self.apps.remove(&seq) {
            self.app_ids.remove(&a.id);
        }
        self.app_groups.remove(&seq);
        self.app_users.remove(&seq);
    }

    /// Apps a user reaches directly or through a group, in app creation order.
    pub(crate) fn apps_of_user(&self, user: u64) -> Vec<u64> {
        let groups: BTreeSet<u64> = self.groups_of(user).into_iter().collect();
        self.apps
            .keys()
            .copied()
            .filter(|a| {
                self.app_users.get(a).is_some_and(|u| u.contains_key(&user))
                    || self
                        .app_groups
                        .get(a)
                        .is_some_and(|gs| gs.keys().any(|g| groups.contains(g)))
            })
            .collect()
    }

    /// Apps assigned to a group, in app creation order.
    pub(crate) fn apps_of_group(&self, group: u64) -> Vec<u64> {
        self.apps
            .keys()
            .copied()
            .filter(|a| {
                self.app_groups
                    .get(a)
                    .is_some_and(|gs| gs.contains_key(&group))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_secrets() {
        let org = crate::synth::generate(3, 0, 1);
        let dump = format!("{org:?}");
        assert!(dump.contains("<redacted>"));
        assert!(!dump.contains("Synthetic-"), "passwords never in Debug");
        assert!(
            !dump.contains("broccoli"),
            "recovery answers never in Debug"
        );
    }

    #[test]
    fn new_org_has_everyone_and_ids_resolve() {
        let mut org = Org::new(42, 1_000);
        assert_eq!(org.groups.len(), 1);
        let g = &org.groups[&org.everyone];
        assert_eq!(g.kind, GroupType::BuiltIn);
        assert_eq!(g.name(), "Everyone");
        assert_eq!(org.group_seq(&g.id.clone()), Some(org.everyone));
        let (a, ida) = org.next_id("00u");
        let (b, idb) = org.next_id("00u");
        assert!(b > a);
        assert_ne!(ida, idb);
    }
}
