//! Users.

use serde::{Deserialize, Serialize};

use super::{JsonMap, profile, string_enum};
use crate::ids::UserId;

string_enum! {
    /// A user's lifecycle status.
    UserStatus {
        Staged = "STAGED",
        Provisioned = "PROVISIONED",
        Active = "ACTIVE",
        Recovery = "RECOVERY",
        PasswordExpired = "PASSWORD_EXPIRED",
        LockedOut = "LOCKED_OUT",
        Suspended = "SUSPENDED",
        Deprovisioned = "DEPROVISIONED",
    }
}

profile! {
    /// A user profile: base attributes with accessors, custom attributes through
    /// [`get`](UserProfile::get) / [`set`](UserProfile::set).
    UserProfile {
        login, set_login = "login";
        email, set_email = "email";
        first_name, set_first_name = "firstName";
        last_name, set_last_name = "lastName";
        second_email, set_second_email = "secondEmail";
        mobile_phone, set_mobile_phone = "mobilePhone";
        primary_phone, set_primary_phone = "primaryPhone";
        display_name, set_display_name = "displayName";
        title, set_title = "title";
        department, set_department = "department";
        division, set_division = "division";
        cost_center, set_cost_center = "costCenter";
        organization, set_organization = "organization";
        manager, set_manager = "manager";
        manager_id, set_manager_id = "managerId";
        employee_number, set_employee_number = "employeeNumber";
        user_type, set_user_type = "userType";
        city, set_city = "city";
        country_code, set_country_code = "countryCode";
    }
}

/// An Okta user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Id (`00u...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<UserId>,
    /// Lifecycle status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<UserStatus>,
    /// Target status of an asynchronous transition in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transitioning_to_status: Option<UserStatus>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Activation time (`null` until activated).
    #[serde(default)]
    pub activated: Option<String>,
    /// Last status change (`null` until the first change).
    #[serde(default)]
    pub status_changed: Option<String>,
    /// Last sign-in (`null` if never).
    #[serde(default)]
    pub last_login: Option<String>,
    /// Last update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    /// Last password change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_changed: Option<String>,
    /// The user type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub user_type: Option<TypeRef>,
    /// Profile, custom attributes included.
    #[serde(default)]
    pub profile: UserProfile,
    /// Credentials (passwords are never returned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<UserCredentials>,
    /// HAL links.
    #[serde(default, rename = "_links", skip_serializing_if = "Option::is_none")]
    pub links: Option<JsonMap>,
    /// Embedded resources (`expand=...`).
    #[serde(default, rename = "_embedded", skip_serializing_if = "Option::is_none")]
    pub embedded: Option<JsonMap>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// A reference to a type by id (`"type": {"id": "oty..."}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TypeRef {
    /// The type id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// A user's credentials.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct UserCredentials {
    /// Password (`{}` on reads when set; `{"value": ...}` on writes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<PasswordCredential>,
    /// Recovery question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_question: Option<RecoveryQuestionCredential>,
    /// Authentication provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<JsonMap>,
    /// Fields not modelled above (`emails`, ...).
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// A password credential.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct PasswordCredential {
    /// The clear-text password (writes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Fields not modelled above (`hash`, `hook`).
    #[serde(flatten)]
    pub extra: JsonMap,
}

impl std::fmt::Debug for PasswordCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordCredential")
            .field("value", &self.value.as_ref().map(|_| "[REDACTED]"))
            .finish_non_exhaustive()
    }
}

impl PasswordCredential {
    /// A password with this value.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: Some(value.into()),
            extra: JsonMap::new(),
        }
    }
}

/// A recovery question credential.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RecoveryQuestionCredential {
    /// The question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The answer (writes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

impl std::fmt::Debug for RecoveryQuestionCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecoveryQuestionCredential")
            .field("question", &self.question)
            .field("answer", &self.answer.as_ref().map(|_| "[REDACTED]"))
            .finish_non_exhaustive()
    }
}

impl RecoveryQuestionCredential {
    /// A question with its answer.
    pub fn new(question: impl Into<String>, answer: impl Into<String>) -> Self {
        Self {
            question: Some(question.into()),
            answer: Some(answer.into()),
            extra: JsonMap::new(),
        }
    }
}

/// Body of `POST /api/v1/users`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreateUserBody {
    /// Profile (`login` and `email` at least).
    pub profile: UserProfile,
    /// Initial credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<UserCredentials>,
    /// Groups to add the user to (at most 20).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<String>,
    /// User type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub user_type: Option<TypeRef>,
    /// Fields not modelled above (`realmId`, ...).
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// Body of `POST`/`PUT /api/v1/users/{id}`: a partial (POST) or full (PUT) update.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserBody {
    /// Profile attributes to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<UserProfile>,
    /// Credentials to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<UserCredentials>,
    /// User type (PUT only).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub user_type: Option<TypeRef>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

impl From<User> for UpdateUserBody {
    /// A full-replace body from a user as read (read-only fields are left out).
    fn from(u: User) -> Self {
        Self {
            profile: Some(u.profile),
            credentials: u.credentials,
            user_type: u.user_type,
            extra: JsonMap::new(),
        }
    }
}

/// Answer of activate / reactivate: a token when `sendEmail=false`, otherwise empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserActivationToken {
    /// Activation URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_url: Option<String>,
    /// Activation token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_token: Option<String>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// Answer of `reset_password`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordToken {
    /// One-time reset URL (when `sendEmail=false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_password_url: Option<String>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// Answer of `expire_password_with_temp_password`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TempPassword {
    /// The generated temporary password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temp_password: Option<String>,
    /// Fields not modelled above (newer orgs also embed the user).
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// Answer of `forgot_password`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ForgotPasswordResponse {
    /// Reset URL (when `sendEmail=false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_password_url: Option<String>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// Body of `credentials/change_password`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordBody {
    /// Current password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_password: Option<PasswordCredential>,
    /// New password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_password: Option<PasswordCredential>,
    /// Whether to revoke other sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_sessions: Option<bool>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// A user block (`GET /users/{id}/blocks`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserBlock {
    /// `DEVICE_BASED`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub block_type: Option<String>,
    /// `ANY_DEVICES` or `UNKNOWN_DEVICES`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<String>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}
