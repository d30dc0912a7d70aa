//! Terminating an employee: options, the plan of Okta calls, and the outcome.
//!
//! Termination is idempotent. The plan depends only on the user's current status (or its
//! absence), so `execute` reads the user, asks [`TerminationPlan::new`] what to do, runs the steps
//! in order and reports with [`TerminationPlan::outcome`]:
//!
//! | Current state | `deactivate` mode | `delete` mode |
//! |---|---|---|
//! | not `DEPROVISIONED` | revoke sessions (+ tokens), deactivate | revoke sessions (+ tokens), deactivate, delete |
//! | `DEPROVISIONED` | nothing: `already_terminated` | delete |
//! | not found (never existed or already deleted) | nothing: `not_found` | nothing: `not_found` |
//!
//! Sessions are not revoked for a deprovisioned user: deactivation already ended them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How far termination goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TerminationMode {
    /// Deactivate the user (`DEPROVISIONED`): no sign-in, app access removed, record kept and
    /// reversible by reactivation.
    #[default]
    Deactivate,
    /// Deactivate, then delete the user permanently. Cannot be undone.
    Delete,
}

/// The options of a termination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminationOptions {
    /// Revoke the user's Okta sessions first.
    pub revoke_sessions: bool,
    /// With the sessions, revoke the OAuth and OpenID Connect tokens issued to the user.
    pub revoke_oauth_tokens: bool,
    /// Deactivate only, or deactivate and delete.
    pub mode: TerminationMode,
    /// Email the admins about the deactivation.
    pub send_email: bool,
}

/// One Okta call of a termination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerminationStep {
    /// `DELETE /api/v1/users/{id}/sessions?oauthTokens=..`.
    RevokeSessions {
        /// Whether OAuth tokens are revoked too.
        oauth_tokens: bool,
    },
    /// `POST /api/v1/users/{id}/lifecycle/deactivate?sendEmail=..`.
    Deactivate {
        /// Whether admins are emailed.
        send_email: bool,
    },
    /// `DELETE /api/v1/users/{id}` on a deprovisioned user: permanent deletion.
    Delete,
}

/// What a termination will do, decided from the user's current status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminationPlan {
    /// The Okta calls to make, in order.
    pub steps: Vec<TerminationStep>,
    /// The user's Okta status before termination (`None` when not found).
    pub previous_status: Option<String>,
}

/// The overall result of a termination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TerminationOutcome {
    /// The user was deactivated by this call.
    Terminated,
    /// The user was deleted by this call (deactivated first if needed).
    Deleted,
    /// The user was already deactivated and nothing more was asked.
    AlreadyTerminated,
    /// No such user: never existed, or already deleted.
    NotFound,
}

/// What `terminate_employee` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Termination {
    /// The employee as given (Okta id or login).
    pub employee_id: String,
    /// The overall result.
    pub outcome: TerminationOutcome,
    /// The Okta status before this call, when the user existed.
    pub previous_status: Option<String>,
    /// Whether the user's sessions were revoked by this call.
    pub sessions_revoked: bool,
    /// Whether the user's OAuth tokens were revoked by this call.
    pub oauth_tokens_revoked: bool,
    /// Whether the user was deactivated by this call.
    pub deactivated: bool,
    /// Whether the user was deleted by this call.
    pub deleted: bool,
    /// Whether the user was already deactivated before this call.
    pub already_terminated: bool,
}

impl TerminationPlan {
    /// The plan for a user currently in Okta status `status` (`None`: the user was not found).
    pub fn new(status: Option<&str>, options: TerminationOptions) -> Self {
        let mut steps = Vec::new();
        match status {
            None => {}
            Some("DEPROVISIONED") if options.mode == TerminationMode::Delete => {
                steps.push(TerminationStep::Delete);
            }
            Some("DEPROVISIONED") => {}
            Some(_) => {
                if options.revoke_sessions {
                    steps.push(TerminationStep::RevokeSessions {
                        oauth_tokens: options.revoke_oauth_tokens,
                    });
                }
                steps.push(TerminationStep::Deactivate {
                    send_email: options.send_email,
                });
                if options.mode == TerminationMode::Delete {
                    steps.push(TerminationStep::Delete);
                }
            }
        }
        Self {
            steps,
            previous_status: status.map(str::to_owned),
        }
    }

    /// The result once every step has succeeded.
    pub fn outcome(&self, employee_id: &str) -> Termination {
        let has = |wanted: fn(&TerminationStep) -> bool| self.steps.iter().any(wanted);
        let deleted = has(|s| matches!(s, TerminationStep::Delete));
        let deactivated = has(|s| matches!(s, TerminationStep::Deactivate { .. }));
        let already_terminated = self.previous_status.as_deref() == Some("DEPROVISIONED");
        let outcome = match (&self.previous_status, deleted, deactivated) {
            (None, _, _) => TerminationOutcome::NotFound,
            (_, true, _) => TerminationOutcome::Deleted,
            (_, false, true) => TerminationOutcome::Terminated,
            (_, false, false) => TerminationOutcome::AlreadyTerminated,
        };
        Termination {
            employee_id: employee_id.to_owned(),
            outcome,
            previous_status: self.previous_status.clone(),
            sessions_revoked: has(|s| matches!(s, TerminationStep::RevokeSessions { .. })),
            oauth_tokens_revoked: has(|s| {
                matches!(s, TerminationStep::RevokeSessions { oauth_tokens: true })
            }),
            deactivated,
            deleted,
            already_terminated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: TerminationOptions = TerminationOptions {
        revoke_sessions: true,
        revoke_oauth_tokens: true,
        mode: TerminationMode::Delete,
        send_email: false,
    };

    #[test]
    fn an_active_user_is_signed_out_deactivated_and_deleted() {
        let plan = TerminationPlan::new(Some("ACTIVE"), ALL);
        assert_eq!(
            plan.steps,
            [
                TerminationStep::RevokeSessions { oauth_tokens: true },
                TerminationStep::Deactivate { send_email: false },
                TerminationStep::Delete
            ]
        );
        let done = plan.outcome("00u1");
        assert_eq!(done.outcome, TerminationOutcome::Deleted);
        assert!(
            done.sessions_revoked && done.oauth_tokens_revoked && done.deactivated && done.deleted
        );
        assert!(!done.already_terminated);
    }

    #[test]
    fn deactivate_only_keeps_the_record() {
        let options = TerminationOptions {
            mode: TerminationMode::Deactivate,
            revoke_oauth_tokens: false,
            ..ALL
        };
        let done = TerminationPlan::new(Some("SUSPENDED"), options).outcome("00u1");
        assert_eq!(done.outcome, TerminationOutcome::Terminated);
        assert!(done.sessions_revoked && !done.oauth_tokens_revoked && !done.deleted);
    }

    #[test]
    fn terminating_twice_is_a_clear_no_op() {
        let options = TerminationOptions {
            mode: TerminationMode::Deactivate,
            ..ALL
        };
        let plan = TerminationPlan::new(Some("DEPROVISIONED"), options);
        assert!(plan.steps.is_empty());
        let done = plan.outcome("00u1");
        assert_eq!(done.outcome, TerminationOutcome::AlreadyTerminated);
        assert!(done.already_terminated && !done.deactivated && !done.sessions_revoked);
    }

    #[test]
    fn a_deprovisioned_user_is_only_deleted_and_a_missing_one_is_not_found() {
        let plan = TerminationPlan::new(Some("DEPROVISIONED"), ALL);
        assert_eq!(plan.steps, [TerminationStep::Delete]);
        assert_eq!(plan.outcome("x").outcome, TerminationOutcome::Deleted);
        let gone = TerminationPlan::new(None, ALL);
        assert!(gone.steps.is_empty());
        assert_eq!(gone.outcome("x").outcome, TerminationOutcome::NotFound);
    }
}
