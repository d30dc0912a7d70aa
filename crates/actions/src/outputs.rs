//! Results Spindle defines for Okta calls that answer without a body (204, 202 or `{}`), and for
//! calls whose body depends on an option (an email was sent, or a link was returned).
//!
//! Each result names the object acted on and states what is now true, so a caller never has to
//! interpret `null`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A group was deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupDeleted {
    /// Always `true`.
    pub deleted: bool,
    /// The deleted group.
    pub group_id: String,
}

/// What `DELETE /users/{id}` did: Okta deactivates a user that is not yet `DEPROVISIONED` and
/// deletes one that is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserDeleted {
    /// The user as given (id or login).
    pub user_id: String,
    /// `true` when the user is gone for good; `false` when this call deactivated them and a second
    /// call is needed to delete.
    pub deleted: bool,
    /// The user's status afterwards: `DEPROVISIONED`, or absent once deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A group rule was deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupRuleDeleted {
    /// Always `true`.
    pub deleted: bool,
    /// The deleted rule.
    pub group_rule_id: String,
    /// Whether the users the rule had added were removed from its groups.
    pub users_removed: bool,
}

/// A group rule changed status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupRuleStatusChanged {
    /// The rule.
    pub group_rule_id: String,
    /// Its status now: `ACTIVE` or `INACTIVE`.
    pub status: String,
}

/// A user's membership of a group changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    /// The group.
    pub group_id: String,
    /// The user.
    pub user_id: String,
    /// Whether the user is now a member.
    pub member: bool,
}

/// Something was revoked for a user: sessions, consent grants or refresh tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Revoked {
    /// Always `true`.
    pub revoked: bool,
    /// What was revoked: `sessions`, `grants`, `grant`, `refreshTokens` or `refreshToken`.
    pub what: String,
    /// The user.
    pub user_id: String,
    /// The client, when the revocation was limited to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The grant, when one grant was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    /// The token, when one token was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    /// For sessions: whether OAuth tokens were revoked too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_tokens: Option<bool>,
}

/// A factor was removed from a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FactorUnenrolled {
    /// Always `true`.
    pub unenrolled: bool,
    /// The user.
    pub user_id: String,
    /// The factor removed.
    pub factor_id: String,
}

/// A user type was deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserTypeDeleted {
    /// Always `true`.
    pub deleted: bool,
    /// The deleted type.
    pub type_id: String,
}

/// A linked-object value was set or cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkChanged {
    /// The (associated) user whose link changed.
    pub user_id_or_login: String,
    /// The relationship's name.
    pub relationship_name: String,
    /// The primary user now linked, or absent when the link was cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_user_id: Option<String>,
    /// Whether a link now exists.
    pub linked: bool,
}

/// A user's lifecycle status changed (deactivate, suspend, unsuspend, unlock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserStatusChanged {
    /// The user as given (id or login).
    pub user_id: String,
    /// The status the user has (or is transitioning to): `DEPROVISIONED`, `SUSPENDED` or `ACTIVE`.
    pub status: String,
}

/// All of a user's factors were reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FactorsReset {
    /// The user as given.
    pub user_id: String,
    /// Always `true`.
    pub factors_reset: bool,
}

/// A user (re)activation: either Okta emailed the user, or it returned the activation link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Activation {
    /// The user as given.
    pub user_id: String,
    /// Whether Okta emailed the activation link to the user.
    pub email_sent: bool,
    /// The activation link, when no email was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_url: Option<String>,
    /// The activation token, when no email was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_token: Option<String>,
}

/// A password reset or recovery: either Okta emailed the user, or it returned the reset link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PasswordReset {
    /// The user as given.
    pub user_id: String,
    /// Whether Okta emailed the link to the user.
    pub email_sent: bool,
    /// The one-time reset link, when no email was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_password_url: Option<String>,
}
