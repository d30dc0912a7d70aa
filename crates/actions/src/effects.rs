//! What each action does to the org beyond its [`Operation`]: whether it destroys something and
//! whether repeating it changes anything more, and which toolset it belongs to.
//!
//! The catalog's `operation` follows the use-case list, which calls most removals `write`. Tools
//! for agents (MCP annotations, the confirmation a destructive call needs) need the truth per
//! action, so it is written here, once, in one table next to the catalog: every action that is not
//! a read has a row, and a test checks that the table and the catalog hold the same ids.
//!
//! - *destructive*: the call removes or overwrites something that cannot be had back by calling
//!   another action with what the caller knows (a deleted group, revoked sessions, a replaced
//!   profile, an expired password, a deactivated user's app assignments).
//! - *idempotent*: calling it again with the same input has no further effect on the org.
//!
//! Toolsets group the actions by the Okta resource their path names (`users`, `groups`,
//! `factors`, …), derived from the catalog's paths and entities rather than listed by hand.

use crate::catalog::{ActionSpec, Operation, Server, Spec};

/// The effects of an action, as MCP's tool annotations describe them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effects {
    /// Reads only and changes nothing.
    pub read_only: bool,
    /// May remove or overwrite data that cannot be had back (meaningless for a read).
    pub destructive: bool,
    /// Repeating the call with the same input changes nothing more.
    pub idempotent: bool,
}

impl Effects {
    const READ: Effects = Effects {
        read_only: true,
        destructive: false,
        idempotent: true,
    };
}

/// `(id, destructive, idempotent)` of every action that is not a read.
const WRITES: &[(&str, bool, bool)] = &[
    ("delete_a_group", true, true),
    // The first call deactivates, a second deletes for good: each call does more.
    ("delete_a_user", true, false),
    ("delete_group_rule", true, true),
    ("delete_linked_object", true, true),
    ("delete_revoke_all_grants_for_a_client", true, true),
    ("delete_revoke_all_refresh_tokens_for_a_client", true, true),
    ("delete_revoke_all_user_grants", true, true),
    ("delete_revoke_all_user_sessions", true, true),
    ("delete_revoke_token_for_client", true, true),
    ("delete_revoke_user_grant", true, true),
    ("delete_unassign_user", true, true),
    ("delete_unenroll_a_factor", true, true),
    ("delete_user_type", true, true),
    // A passcode is used up by the first call.
    ("post_activate_a_factor", false, false),
    ("post_activate_group_rule", false, true),
    // Each call issues a new activation token (or email).
    ("post_activate_user", false, false),
    ("post_add_org_to_account", false, false),
    // The old password stops working; the same input fails the second time.
    ("post_change_password", true, false),
    ("post_change_recovery_question", true, true),
    ("post_create_a_group", false, false),
    ("post_create_a_group_rule", false, false),
    ("post_create_a_user", false, false),
    ("post_create_user_type", false, false),
    ("post_deactivate_group_rule", true, true),
    ("post_deactivate_user", true, true),
    ("post_enroll_a_factor", false, false),
    ("post_expire_password", true, true),
    // A new temporary password each time.
    (
        "post_expire_password_and_set_temporary_password",
        true,
        false,
    ),
    // The current password stops working; a new token each time.
    ("post_generate_reset_password_token", true, false),
    ("post_initiate_forgot_password", false, false),
    ("post_reactivate_user", false, false),
    ("post_resend_factor_enrollment", false, false),
    ("post_reset_all_factors", true, true),
    ("post_reset_password_with_recovery_question", false, false),
    ("post_suspend_user", true, true),
    ("post_unlock_user", false, true),
    ("post_unsuspend_user", false, true),
    // A partial update: only the given fields change.
    ("post_update_a_user", false, true),
    ("post_update_user_type", false, true),
    ("post_verify_a_factor", false, false),
    ("put_assign_a_user_to_a_group", false, true),
    ("put_change_status_of_org", true, true),
    // Replacements drop whatever the input leaves out.
    ("put_replace_a_group", true, true),
    ("put_replace_a_group_rule", true, true),
    ("put_replace_a_user", true, true),
    ("put_replace_linked_object_value_for_primary", true, true),
    ("put_replace_user_type", true, true),
    ("put_update_enabled_products_for_an_org", true, true),
    // Terminating a terminated employee does nothing (see `hris::terminate`).
    ("terminate_employee", true, true),
];

/// The effects of `spec`'s action. A read is read-only (and idempotent); any other action has its
/// row in the table; an action missing from it (a test rules that out) counts as destructive and
/// not idempotent, the safe assumption.
pub fn effects(spec: &Spec) -> Effects {
    if spec.operation == Operation::Read {
        return Effects::READ;
    }
    let (destructive, idempotent) = WRITES
        .iter()
        .find(|(id, _, _)| *id == spec.id)
        .map_or((true, false), |(_, d, i)| (*d, *i));
    Effects {
        read_only: false,
        destructive,
        idempotent,
    }
}

/// Every toolset, in a stable order.
pub const TOOLSETS: &[&str] = &[
    "users",
    "employees",
    "groups",
    "group_rules",
    "factors",
    "grants",
    "tokens",
    "sessions",
    "linked_objects",
    "user_types",
    "org",
    "aerial",
];

/// The toolset of `spec`'s action: the unified HRIS actions are `employees`; otherwise the Okta
/// resource its path names (`/api/v1/users/{id}/factors/…` is `factors`, `/api/v1/groups/rules`
/// is `group_rules`), the Aerial API is `aerial` and the MyAccount organization is `org`.
pub fn toolset(spec: &Spec) -> &'static str {
    if spec.entities.iter().any(|e| e.starts_with("employee")) {
        return "employees";
    }
    match spec.server {
        Server::Aerial => return "aerial",
        Server::MyAccount => return "org",
        Server::Management => {}
    }
    let segments: Vec<&str> = spec
        .path
        .trim_start_matches("/api/v1/")
        .split('/')
        .filter(|s| !s.starts_with('{'))
        .collect();
    match segments.as_slice() {
        ["groups", "rules", ..] => "group_rules",
        ["groups", ..] => "groups",
        ["meta", "types", "user", ..] => "user_types",
        ["users", "factors", ..] => "factors",
        ["users", "grants", ..] | ["users", "clients", "grants", ..] => "grants",
        ["users", "clients", ..] => "tokens",
        ["users", "sessions", ..] => "sessions",
        ["users", "linkedObjects", ..] => "linked_objects",
        _ => "users",
    }
}

/// The actions of a toolset, in catalog order.
pub fn toolset_actions(name: &str) -> impl Iterator<Item = &'static ActionSpec> + use<'_> {
    crate::catalog::all()
        .iter()
        .filter(move |a| toolset(a) == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{all, get};
    use std::collections::HashSet;

    #[test]
    fn the_table_names_exactly_the_actions_that_are_not_reads() {
        let writes: HashSet<&str> = all()
            .iter()
            .filter(|a| a.operation != Operation::Read)
            .map(|a| a.id)
            .collect();
        let table: HashSet<&str> = WRITES.iter().map(|(id, _, _)| *id).collect();
        assert_eq!(table.len(), WRITES.len(), "an id is in the table twice");
        assert_eq!(writes, table);
    }

    #[test]
    fn effects_follow_what_each_action_does() {
        let e = |id| effects(get(id).unwrap());
        let read = e("get_list_all_users");
        assert!(read.read_only && !read.destructive);
        let delete = e("delete_a_group");
        assert!(!delete.read_only && delete.destructive && delete.idempotent);
        let revoke = e("delete_revoke_all_user_sessions");
        assert!(revoke.destructive && revoke.idempotent);
        let create = e("post_create_a_user");
        assert!(!create.read_only && !create.destructive && !create.idempotent);
        let deactivate = e("post_deactivate_user");
        assert!(deactivate.destructive && deactivate.idempotent);
        assert!(!e("delete_a_user").idempotent);
        // Every `delete` operation is destructive.
        for a in all().iter().filter(|a| a.operation == Operation::Delete) {
            assert!(effects(a).destructive, "{}", a.id);
        }
    }

    #[test]
    fn every_action_has_a_known_toolset_and_every_toolset_has_actions() {
        for a in all() {
            assert!(TOOLSETS.contains(&toolset(a)), "{}: {}", a.id, toolset(a));
        }
        for set in TOOLSETS {
            assert!(toolset_actions(set).next().is_some(), "{set} is empty");
        }
        let set = |id| toolset(get(id).unwrap());
        assert_eq!(set("delete_unenroll_a_factor"), "factors");
        assert_eq!(set("get_list_all_group_rules"), "group_rules");
        assert_eq!(set("delete_unassign_user"), "groups");
        assert_eq!(set("get_list_all_refresh_tokens_for_a_client"), "tokens");
        assert_eq!(set("get_list_all_grants_for_a_client"), "grants");
        assert_eq!(set("delete_revoke_all_user_sessions"), "sessions");
        assert_eq!(set("list_all_employees"), "employees");
        assert_eq!(set("terminate_employee"), "employees");
        assert_eq!(set("post_create_a_user"), "users");
        assert_eq!(set("get_retrieve_the_org_details"), "org");
        assert_eq!(set("get_list_all_orgs"), "aerial");
        assert_eq!(set("put_replace_user_type"), "user_types");
    }
}
