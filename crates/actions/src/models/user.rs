//! Users.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::actions::common::{Extra, Hal};

/// An Okta user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Okta's id of the user (`00u...`).
    pub id: Option<String>,
    /// Lifecycle status: `STAGED`, `PROVISIONED`, `ACTIVE`, `RECOVERY`, `PASSWORD_EXPIRED`,
    /// `LOCKED_OUT`, `SUSPENDED` or `DEPROVISIONED`.
    pub status: Option<String>,
    /// Target status of an asynchronous transition in progress, if any.
    pub transitioning_to_status: Option<String>,
    /// When the user was created.
    pub created: Option<String>,
    /// When the user last became `ACTIVE`.
    pub activated: Option<String>,
    /// When the status last changed.
    pub status_changed: Option<String>,
    /// When the user last signed in.
    pub last_login: Option<String>,
    /// When the user was last updated.
    pub last_updated: Option<String>,
    /// When the password last changed.
    pub password_changed: Option<String>,
    /// The user type, `{"id": "oty..."}`.
    #[serde(rename = "type")]
    pub user_type: Option<serde_json::Value>,
    /// The realm the user lives in, if the org uses realms.
    pub realm_id: Option<String>,
    /// Standard and custom profile attributes.
    pub profile: Option<UserProfileOut>,
    /// Credential metadata (passwords are never returned).
    pub credentials: Option<serde_json::Value>,
    /// Lifecycle operations valid for the user's current status, and related resources.
    #[serde(rename = "_links")]
    pub links: Hal,
    /// Embedded resources when asked for with `expand`.
    #[serde(rename = "_embedded")]
    pub embedded: Hal,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user's profile as Okta returns it: the common attributes typed, every other standard or
/// custom attribute kept.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserProfileOut {
    /// Sign-in name, usually an email address.
    pub login: Option<String>,
    /// Primary email address.
    pub email: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Every other standard and custom attribute.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An access block on a user account.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserBlock {
    /// Kind of block: `DEVICE_BASED`.
    #[serde(rename = "type")]
    pub block_type: Option<String>,
    /// Which devices are blocked: `ANY_DEVICES` or `UNKNOWN_DEVICES`.
    pub applies_to: Option<String>,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user's credentials as Okta echoes them after a credential operation (secrets never
/// included).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct UserCredentials {
    /// Present (and empty) when the user has a password.
    pub password: Option<serde_json::Value>,
    /// The recovery question, without its answer.
    pub recovery_question: Option<serde_json::Value>,
    /// The authentication provider, e.g. `{"type": "OKTA", "name": "OKTA"}`.
    pub provider: Option<serde_json::Value>,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A temporary password from expiring a password with a temporary one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TempPassword {
    /// The temporary password the user signs in with once.
    pub temp_password: Option<String>,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}
