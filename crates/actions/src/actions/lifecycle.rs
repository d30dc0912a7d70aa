//! User lifecycle transitions: activate, reactivate, deactivate, suspend, unsuspend, unlock,
//! expire and reset passwords, reset factors.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action;
use super::common::{NonEmpty, yes};
use crate::models::results::{Activation, FactorsReset, PasswordReset, UserStatusChanged};
use crate::models::user::{TempPassword, User};

/// Input of `post_activate_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ActivateUser {
    /// The user (`STAGED` or `DEPROVISIONED`): Okta id, login, or an unambiguous login short name.
    pub id: NonEmpty,
    /// Email the activation link to the user; when false the link is returned instead.
    #[serde(default = "yes")]
    pub send_email: bool,
}
action!(ActivateUser, "post_activate_user", Activation, {"id": "00ub0oNGTSWTBKOLGLNR", "sendEmail": false});

/// Input of `post_reactivate_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReactivateUser {
    /// The user (`PROVISIONED` or `RECOVERY`) whose activation restarts.
    pub id: NonEmpty,
    /// Email the new activation link to the user; when false the link is returned instead.
    #[serde(default)]
    pub send_email: bool,
}
action!(ReactivateUser, "post_reactivate_user", Activation, {"id": "00ub0oNGTSWTBKOLGLNR", "sendEmail": false});

/// Input of `post_deactivate_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeactivateUser {
    /// The user to deactivate (any status but `DEPROVISIONED`). This signs them out and removes
    /// their app access.
    pub id: NonEmpty,
    /// Email the admins about the deactivation.
    #[serde(default)]
    pub send_email: bool,
}
action!(DeactivateUser, "post_deactivate_user", UserStatusChanged, {"id": "00ub0oNGTSWTBKOLGLNR"});

/// Input of `post_suspend_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendUser {
    /// The `ACTIVE` user to suspend; they cannot sign in until unsuspended.
    pub id: NonEmpty,
}
action!(SuspendUser, "post_suspend_user", UserStatusChanged, {"id": "00ub0oNGTSWTBKOLGLNR"});

/// Input of `post_unsuspend_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnsuspendUser {
    /// The `SUSPENDED` user to make `ACTIVE` again.
    pub id: NonEmpty,
}
action!(UnsuspendUser, "post_unsuspend_user", UserStatusChanged, {"id": "00ub0oNGTSWTBKOLGLNR"});

/// Input of `post_unlock_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockUser {
    /// The `LOCKED_OUT` user to unlock (Okta-mastered users only).
    pub id: NonEmpty,
}
action!(UnlockUser, "post_unlock_user", UserStatusChanged, {"id": "00ub0oNGTSWTBKOLGLNR"});

/// Input of `post_expire_password`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpirePassword {
    /// The user who must choose a new password at next sign-in.
    pub id: NonEmpty,
}
action!(ExpirePassword, "post_expire_password", User, {"id": "00ub0oNGTSWTBKOLGLNR"});

/// Input of `post_expire_password_and_set_temporary_password`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExpirePasswordWithTemp {
    /// The user who gets a one-time temporary password.
    pub id: NonEmpty,
    /// Also sign the user out everywhere.
    #[serde(default)]
    pub revoke_sessions: bool,
}
action!(ExpirePasswordWithTemp, "post_expire_password_and_set_temporary_password", TempPassword,
    {"id": "00ub0oNGTSWTBKOLGLNR", "revokeSessions": true});

/// Input of `post_generate_reset_password_token`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResetPassword {
    /// The user whose password is reset; they move to `RECOVERY`.
    pub id: NonEmpty,
    /// Email the reset link to the user (true) or return it (false). Okta requires a choice.
    pub send_email: bool,
    /// Also sign the user out of all other sessions.
    #[serde(default)]
    pub revoke_sessions: bool,
}
action!(ResetPassword, "post_generate_reset_password_token", PasswordReset,
    {"id": "00ub0oNGTSWTBKOLGLNR", "sendEmail": false});

/// Input of `post_reset_all_factors`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetFactors {
    /// The user whose enrolled factors are all removed.
    pub id: NonEmpty,
}
action!(ResetFactors, "post_reset_all_factors", FactorsReset, {"id": "00ub0oNGTSWTBKOLGLNR"});
