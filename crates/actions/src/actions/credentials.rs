//! Credential operations on behalf of a user: change password or recovery question, forgot
//! password.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spindle_okta::Client;
use spindle_okta::models::{self as okta, UserCredentials};

use super::common::{NonEmpty, Secret, body, yes};
use super::users::{PasswordValue, RecoveryQuestion};
use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;
use crate::outputs::PasswordReset;

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
impl Action for ChangePassword {
    const SPEC: Spec = Spec {
        id: "post_change_password",
        title: "Change Password",
        operation: Operation::Write,
        entities: &["provider", "user", "password"],
        summary: "Changes a user's password after checking the current one, given `userId`, `oldPassword` and `newPassword`. Works for users in `STAGED`, `ACTIVE`, `PASSWORD_EXPIRED` or `RECOVERY` status that have a password credential; a successful change returns a `RECOVERY` user to `ACTIVE`. Optional `strict` enforces the minimum password age, and `revokeSessions` signs the user out elsewhere. Returns the credentials summary without any secret values.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{userId}/credentials/change_password",
        scopes: &["okta.users.manage"],
    };
    type Output = UserCredentials;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "body": {
            "oldPassword": {"value": "tlpWENT2m-correct-horse"},
            "newPassword": {"value": "uTVM,TPw55-battery-staple"}
        }})
    }

    async fn run(self, client: &Client) -> Result<UserCredentials, ExecuteError> {
        let request: okta::ChangePasswordBody = body(&self.body)?;
        let users = client.users();
        let credentials = users
            .change_password(self.user_id.as_str(), &request, Some(self.strict))
            .await?;
        Ok(credentials)
    }
}

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
impl Action for ChangeRecoveryQuestion {
    const SPEC: Spec = Spec {
        id: "post_change_recovery_question",
        title: "Change Recovery Question",
        operation: Operation::Write,
        entities: &["recovery question", "user", "password"],
        summary: "Replaces a user's recovery question and answer, verified by the user's current password. Inputs are `userId`, `password.value`, and the new `recovery_question` with its `question` and `answer`. The user's status must be `STAGED`, `ACTIVE` or `RECOVERY`, and they need an existing password credential. Returns the credentials summary showing the new question text; the answer is never echoed.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{userId}/credentials/change_recovery_question",
        scopes: &["okta.users.manage"],
    };
    type Output = UserCredentials;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "body": {
            "password": {"value": "tlpWENT2m-correct-horse"},
            "recovery_question": {"question": "Which city did I first work in?", "answer": "Wellington"}
        }})
    }

    async fn run(self, client: &Client) -> Result<UserCredentials, ExecuteError> {
        let request: UserCredentials = body(&self.body)?;
        let users = client.users();
        let credentials = users
            .change_recovery_question(self.user_id.as_str(), &request)
            .await?;
        Ok(credentials)
    }
}

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
impl Action for ForgotPassword {
    const SPEC: Spec = Spec {
        id: "post_initiate_forgot_password",
        title: "Initiate Forgot Password",
        operation: Operation::Write,
        entities: &["error", "user", "credential"],
        summary: "Starts the self-service forgot-password flow for an `ACTIVE` user who has a recovery question, given `userId`. With `sendEmail` true (the default) Okta emails the reset link; with false it returns `resetPasswordUrl`. The user answers their recovery question on that page before setting a new password, and their status does not change when the flow starts.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{userId}/credentials/forgot_password",
        scopes: &["okta.users.manage"],
    };
    type Output = PasswordReset;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "sendEmail": false})
    }

    async fn run(self, client: &Client) -> Result<PasswordReset, ExecuteError> {
        let users = client.users();
        let answer = users
            .forgot_password(self.user_id.as_str(), Some(self.send_email))
            .await?;
        Ok(PasswordReset {
            user_id: self.user_id.into(),
            email_sent: answer.reset_password_url.is_none(),
            reset_password_url: answer.reset_password_url,
        })
    }
}

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
impl Action for RecoverPassword {
    const SPEC: Spec = Spec {
        id: "post_reset_password_with_recovery_question",
        title: "Reset Password with Recovery Question",
        operation: Operation::Write,
        entities: &["recovery question", "user", "password"],
        summary: "Sets a new password for a user who correctly answers their recovery question, without needing the old password. Inputs are `userId` and a credentials body with `password.value` (the new password) and `recovery_question.answer`. A wrong answer is rejected and the password is unchanged. On success Okta returns the credentials summary, never the secret values.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{userId}/credentials/forgot_password_recovery_question",
        scopes: &["okta.users.manage"],
    };
    type Output = UserCredentials;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "body": {
            "password": {"value": "uTVM,TPw55-battery-staple"},
            "recovery_question": {"answer": "Wellington"}
        }})
    }

    async fn run(self, client: &Client) -> Result<UserCredentials, ExecuteError> {
        let request: UserCredentials = body(&self.body)?;
        let users = client.users();
        let credentials = users
            .forgot_password_set_new_password(
                self.user_id.as_str(),
                &request,
                Some(self.send_email),
            )
            .await?;
        Ok(credentials)
    }
}
