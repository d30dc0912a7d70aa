//! User lifecycle transitions: activate, reactivate, deactivate, suspend, unsuspend, unlock,
//! expire and reset passwords, reset factors.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spindle_okta::Client;
use spindle_okta::models::{TempPassword, User, UserActivationToken};
use spindle_okta::users::DeactivateOptions;

use super::common::{NonEmpty, yes};
use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;
use crate::outputs::{Activation, FactorsReset, PasswordReset, UserStatusChanged};

/// The result of a (re)activation: Okta returns the link only when it did not email it.
fn activation(user_id: NonEmpty, token: UserActivationToken) -> Activation {
    Activation {
        user_id: user_id.into(),
        email_sent: token.activation_url.is_none(),
        activation_url: token.activation_url,
        activation_token: token.activation_token,
    }
}

fn status_changed(user_id: NonEmpty, status: &str) -> UserStatusChanged {
    UserStatusChanged {
        user_id: user_id.into(),
        status: status.to_owned(),
    }
}

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
impl Action for ActivateUser {
    const SPEC: Spec = Spec {
        id: "post_activate_user",
        title: "Activate a User",
        operation: Operation::Write,
        entities: &["activation token", "activation url", "user"],
        summary: "Activates a user in `STAGED` or `DEPROVISIONED` status, given the user `id`, login or short login. With `sendEmail` true (the default) Okta emails the activation link; with false it returns `activationUrl` and `activationToken` for your own delivery. Users who already have a password become `ACTIVE`; others stay `PROVISIONED` until they finish the link. Activation runs asynchronously and calling it on an active user fails.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{id}/lifecycle/activate",
        scopes: &["okta.users.manage"],
    };
    type Output = Activation;

    fn example() -> Value {
        json!({"id": "00ub0oNGTSWTBKOLGLNR", "sendEmail": false})
    }

    async fn run(self, client: &Client) -> Result<Activation, ExecuteError> {
        let token = client
            .users()
            .activate(self.id.as_str(), Some(self.send_email))
            .await?;
        Ok(activation(self.id, token))
    }
}

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
impl Action for ReactivateUser {
    const SPEC: Spec = Spec {
        id: "post_reactivate_user",
        title: "Reactivate a User",
        operation: Operation::Write,
        entities: &["user"],
        summary: "Restarts activation for a user who never finished it, given `id`, login or short login; the user must be in `PROVISIONED` or `RECOVERY` status, otherwise Okta rejects the call as not allowed in the current status. With `sendEmail` true Okta sends a fresh activation email; with false (the default) it returns `activationUrl` and `activationToken` for you to deliver through your own channel.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{id}/lifecycle/reactivate",
        scopes: &["okta.users.manage"],
    };
    type Output = Activation;

    fn example() -> Value {
        json!({"id": "00ub0oNGTSWTBKOLGLNR", "sendEmail": false})
    }

    async fn run(self, client: &Client) -> Result<Activation, ExecuteError> {
        let token = client
            .users()
            .reactivate(self.id.as_str(), Some(self.send_email))
            .await?;
        Ok(activation(self.id, token))
    }
}

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
impl Action for DeactivateUser {
    const SPEC: Spec = Spec {
        id: "post_deactivate_user",
        title: "Deactivate a User",
        operation: Operation::Write,
        entities: &["error", "user"],
        summary: "Deactivates a user in any status other than `DEPROVISIONED`, given `id`, login or short login, and moves them to `DEPROVISIONED`. This is destructive: the user can no longer sign in and app assignments are deprovisioned. Optional `sendEmail` (default false) emails admins, and `Prefer: respond-async` runs it in the background. Okta answers 200 with an empty object; Spindle reports the outcome as a structured result.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{id}/lifecycle/deactivate",
        scopes: &["okta.users.manage"],
    };
    type Output = UserStatusChanged;

    fn example() -> Value {
        json!({"id": "00ub0oNGTSWTBKOLGLNR"})
    }

    async fn run(self, client: &Client) -> Result<UserStatusChanged, ExecuteError> {
        let options = DeactivateOptions {
            send_email: Some(self.send_email),
            ..DeactivateOptions::default()
        };
        client.users().deactivate(self.id.as_str(), options).await?;
        Ok(status_changed(self.id, "DEPROVISIONED"))
    }
}

/// Input of `post_suspend_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendUser {
    /// The `ACTIVE` user to suspend; they cannot sign in until unsuspended.
    pub id: NonEmpty,
}
impl Action for SuspendUser {
    const SPEC: Spec = Spec {
        id: "post_suspend_user",
        title: "Suspend a User",
        operation: Operation::Write,
        entities: &["error cause", "user"],
        summary: "Suspends an `ACTIVE` user, given `id`, login or short login, so they cannot sign in while keeping their group memberships and app assignments. A suspended user can only be unsuspended or deactivated afterward. Users in any other status are rejected with a validation error. Okta returns an empty object; Spindle reports the outcome as a structured result.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{id}/lifecycle/suspend",
        scopes: &["okta.users.manage"],
    };
    type Output = UserStatusChanged;

    fn example() -> Value {
        json!({"id": "00ub0oNGTSWTBKOLGLNR"})
    }

    async fn run(self, client: &Client) -> Result<UserStatusChanged, ExecuteError> {
        client.users().suspend(self.id.as_str()).await?;
        Ok(status_changed(self.id, "SUSPENDED"))
    }
}

/// Input of `post_unsuspend_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnsuspendUser {
    /// The `SUSPENDED` user to make `ACTIVE` again.
    pub id: NonEmpty,
}
impl Action for UnsuspendUser {
    const SPEC: Spec = Spec {
        id: "post_unsuspend_user",
        title: "Unsuspend a User",
        operation: Operation::Write,
        entities: &["error cause", "user"],
        summary: "Lifts a suspension, given `id`, login or short login, returning a `SUSPENDED` user to `ACTIVE` with their groups and app assignments intact. Calling it for a user in any other status is rejected with a validation error. Okta returns an empty object; Spindle reports the outcome as a structured result.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{id}/lifecycle/unsuspend",
        scopes: &["okta.users.manage"],
    };
    type Output = UserStatusChanged;

    fn example() -> Value {
        json!({"id": "00ub0oNGTSWTBKOLGLNR"})
    }

    async fn run(self, client: &Client) -> Result<UserStatusChanged, ExecuteError> {
        client.users().unsuspend(self.id.as_str()).await?;
        Ok(status_changed(self.id, "ACTIVE"))
    }
}

/// Input of `post_unlock_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockUser {
    /// The `LOCKED_OUT` user to unlock (Okta-mastered users only).
    pub id: NonEmpty,
}
impl Action for UnlockUser {
    const SPEC: Spec = Spec {
        id: "post_unlock_user",
        title: "Unlock a User",
        operation: Operation::Write,
        entities: &["permission", "error", "user"],
        summary: "Unlocks a user, given `id`, login or short login, who is `LOCKED_OUT` after too many failed sign-ins, or who is `ACTIVE` but blocked from unknown devices. The user returns to `ACTIVE` and can sign in with their existing password. Only Okta-sourced users qualify; Active Directory sourced accounts must be unlocked in the directory. Okta returns an empty object, reported by Spindle as a structured result.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{id}/lifecycle/unlock",
        scopes: &["okta.users.manage"],
    };
    type Output = UserStatusChanged;

    fn example() -> Value {
        json!({"id": "00ub0oNGTSWTBKOLGLNR"})
    }

    async fn run(self, client: &Client) -> Result<UserStatusChanged, ExecuteError> {
        client.users().unlock(self.id.as_str()).await?;
        Ok(status_changed(self.id, "ACTIVE"))
    }
}

/// Input of `post_expire_password`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpirePassword {
    /// The user who must choose a new password at next sign-in.
    pub id: NonEmpty,
}
impl Action for ExpirePassword {
    const SPEC: Spec = Spec {
        id: "post_expire_password",
        title: "Expire Password",
        operation: Operation::Write,
        entities: &["user", "profile", "credential"],
        summary: "Marks a user's password as expired, given `id`, login or short login, putting the user into `PASSWORD_EXPIRED` so they must choose a new password at their next sign-in; the current password still works for that sign-in. For orgs connected to Active Directory the password is expired in AD too. Returns the updated user object.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{id}/lifecycle/expire_password",
        scopes: &["okta.users.manage"],
    };
    type Output = User;

    fn example() -> Value {
        json!({"id": "00ub0oNGTSWTBKOLGLNR"})
    }

    async fn run(self, client: &Client) -> Result<User, ExecuteError> {
        Ok(client.users().expire_password(self.id.as_str()).await?)
    }
}

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
impl Action for ExpirePasswordWithTemp {
    const SPEC: Spec = Spec {
        id: "post_expire_password_and_set_temporary_password",
        title: "Expire Password and Set Temporary Password",
        operation: Operation::Write,
        entities: &["session", "user", "password"],
        summary: "Replaces a user's password with a one-time temporary password that Okta generates, then expires it so the user lands in `PASSWORD_EXPIRED` and must pick a new password at next sign-in. Input is the user `id`, login or short login; `revokeSessions` (default false) also ends their current sessions. Returns the generated `tempPassword`, which should reach the user over a secure channel.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{id}/lifecycle/expire_password_with_temp_password",
        scopes: &["okta.users.manage"],
    };
    type Output = TempPassword;

    fn example() -> Value {
        json!({"id": "00ub0oNGTSWTBKOLGLNR", "revokeSessions": true})
    }

    async fn run(self, client: &Client) -> Result<TempPassword, ExecuteError> {
        let users = client.users();
        let temp = users
            .expire_password_with_temp_password(self.id.as_str(), Some(self.revoke_sessions))
            .await?;
        Ok(temp)
    }
}

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
impl Action for ResetPassword {
    const SPEC: Spec = Spec {
        id: "post_generate_reset_password_token",
        title: "Generate a Reset Password Token",
        operation: Operation::Write,
        entities: &["session", "user", "token"],
        summary: "Starts an admin-initiated password reset, given the user `id`, login or short login, placing the user in `RECOVERY` until they complete it. `sendEmail` is required: true emails the one-time reset link to the user, false returns `resetPasswordUrl` for delivery through your own channel. `revokeSessions` (default false) also ends the user's other sessions. The link is single-use.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{id}/lifecycle/reset_password",
        scopes: &["okta.users.manage"],
    };
    type Output = PasswordReset;

    fn example() -> Value {
        json!({"id": "00ub0oNGTSWTBKOLGLNR", "sendEmail": false})
    }

    async fn run(self, client: &Client) -> Result<PasswordReset, ExecuteError> {
        let users = client.users();
        let token = users
            .reset_password(
                self.id.as_str(),
                self.send_email,
                Some(self.revoke_sessions),
            )
            .await?;
        Ok(PasswordReset {
            user_id: self.id.into(),
            email_sent: token.reset_password_url.is_none(),
            reset_password_url: token.reset_password_url,
        })
    }
}

/// Input of `post_reset_all_factors`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetFactors {
    /// The user whose enrolled factors are all removed.
    pub id: NonEmpty,
}
impl Action for ResetFactors {
    const SPEC: Spec = Spec {
        id: "post_reset_all_factors",
        title: "Reset all Factors",
        operation: Operation::Write,
        entities: &["factor", "error", "user"],
        summary: "Unenrolls every MFA factor of a user at once, given `id`, login or short login, so they must enroll again at their next sign-in or when policy requires. The user's status is unchanged. Typically used when someone loses their phone or security key. Okta returns an empty object; Spindle reports the outcome as a structured result.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{id}/lifecycle/reset_factors",
        scopes: &["okta.users.manage"],
    };
    type Output = FactorsReset;

    fn example() -> Value {
        json!({"id": "00ub0oNGTSWTBKOLGLNR"})
    }

    async fn run(self, client: &Client) -> Result<FactorsReset, ExecuteError> {
        client.users().reset_factors(self.id.as_str()).await?;
        Ok(FactorsReset {
            user_id: self.id.into(),
            factors_reset: true,
        })
    }
}
