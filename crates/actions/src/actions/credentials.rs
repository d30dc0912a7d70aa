//! Credential operations on behalf of a user: change password or recovery question, forgot
//! password.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action;
use super::common::{NonEmpty, Secret, yes};
use super::users::{PasswordValue, RecoveryQuestion};
use crate::models::results::PasswordReset;
use crate::models::user::UserCredentials;

/// The body of a password change.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChangePasswordBody {
    /// The current password.
    pub old_password: PasswordValue,
    /// The new password.
    pub new_password: PasswordValue,
    /// Sign the user out of all other sessions.
    #[serde(default)]
    pub revoke_sessions: bool,
}

/// Input of `post_change_password`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChangePassword {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// Check the new password against the password policy's minimum age.
    #[serde(default)]
    pub strict: bool,
    /// The current and the new password.
    pub body: ChangePasswordBody,
}
action!(ChangePassword, "post_change_password", UserCredentials, {"userId": "00ub0oNGTSWTBKOLGLNR", "body": {
    "oldPassword": {"value": "tlpWENT2m-correct-horse"},
    "newPassword": {"value": "uTVM,TPw55-battery-staple"}
}});

/// The body of a recovery-question change.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRecoveryQuestionBody {
    /// The user's current password, proving it is them.
    pub password: PasswordValue,
    /// The new question and answer.
    pub recovery_question: RecoveryQuestion,
}

/// Input of `post_change_recovery_question`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChangeRecoveryQuestion {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// The current password and the new question.
    pub body: ChangeRecoveryQuestionBody,
}
action!(ChangeRecoveryQuestion, "post_change_recovery_question", UserCredentials, {"userId": "00ub0oNGTSWTBKOLGLNR", "body": {
    "password": {"value": "tlpWENT2m-correct-horse"},
    "recovery_question": {"question": "Which city did I first work in?", "answer": "Wellington"}
}});

/// Input of `post_initiate_forgot_password`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ForgotPassword {
    /// Okta id of an `ACTIVE` user with a recovery question.
    pub user_id: NonEmpty,
    /// Email the reset link to the user; when false the link is returned instead.
    #[serde(default = "yes")]
    pub send_email: bool,
}
action!(ForgotPassword, "post_initiate_forgot_password", PasswordReset,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "sendEmail": false});

/// The answer to the user's recovery question.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryAnswer {
    /// The answer (compared without regard to case).
    pub answer: Secret,
}

/// The body of a password reset by recovery question.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverPasswordBody {
    /// The new password.
    pub password: PasswordValue,
    /// The answer proving it is the user.
    pub recovery_question: RecoveryAnswer,
}

/// Input of `post_reset_password_with_recovery_question`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RecoverPassword {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// Email the user that their password changed.
    #[serde(default = "yes")]
    pub send_email: bool,
    /// The new password and the recovery answer.
    pub body: RecoverPasswordBody,
}
action!(RecoverPassword, "post_reset_password_with_recovery_question", UserCredentials, {"userId": "00ub0oNGTSWTBKOLGLNR", "body": {
    "password": {"value": "uTVM,TPw55-battery-staple"},
    "recovery_question": {"answer": "Wellington"}
}});
