//! Factors (MFA enrollments) and their transactions.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::actions::common::{Extra, Hal};

/// A factor enrolled by a user (or being enrolled).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserFactor {
    /// Okta's id of the factor.
    pub id: Option<String>,
    /// `call`, `email`, `push`, `question`, `signed_nonce`, `sms`, `token`, `token:hardware`,
    /// `token:hotp`, `token:software:totp`, `u2f`, `web` or `webauthn`.
    pub factor_type: Option<String>,
    /// `OKTA`, `GOOGLE`, `RSA`, `SYMANTEC`, `YUBICO`, `CUSTOM`, `FIDO` or `DUO`.
    pub provider: Option<String>,
    /// Vendor name, usually the provider.
    pub vendor_name: Option<String>,
    /// `ACTIVE`, `PENDING_ACTIVATION`, `ENROLLED`, `INACTIVE`, `DISABLED`, `EXPIRED` or
    /// `NOT_SETUP`.
    pub status: Option<String>,
    /// When the factor was enrolled.
    pub created: Option<String>,
    /// When the factor was last updated.
    pub last_updated: Option<String>,
    /// Factor-specific details (phone number, email, question, credential id...).
    pub profile: Option<Extra>,
    /// Activation material (e.g. TOTP shared secret and QR code) while pending activation.
    #[serde(rename = "_embedded")]
    pub embedded: Hal,
    /// Next steps (activate, verify, poll, resend...).
    #[serde(rename = "_links")]
    pub links: Hal,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A factor the user may enroll.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SupportedFactor {
    /// The factor type.
    pub factor_type: Option<String>,
    /// The provider.
    pub provider: Option<String>,
    /// Vendor name.
    pub vendor_name: Option<String>,
    /// `REQUIRED` or `OPTIONAL` for this user.
    pub enrollment: Option<String>,
    /// Whether the user has it: `NOT_SETUP`, `ACTIVE`, ...
    pub status: Option<String>,
    /// How to enroll it.
    #[serde(rename = "_links")]
    pub links: Hal,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A security question offered for the `question` factor.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecurityQuestion {
    /// Key to send when enrolling, e.g. `disliked_food`.
    pub question: Option<String>,
    /// The question as shown to people.
    pub question_text: Option<String>,
    /// Fields Spindle does not type.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The result of verifying or activating a factor, or of polling a push transaction.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FactorResult {
    /// `SUCCESS`, `CHALLENGE`, `WAITING`, `REJECTED`, `TIMEOUT`, `FAILED`, `ERROR`, `EXPIRED`,
    /// `CANCELLED`, `PASSCODE_REPLAYED` or `TIME_WINDOW_EXCEEDED`. Absent when activation
    /// returned the activated factor itself.
    pub factor_result: Option<String>,
    /// Optional message to show.
    pub factor_message: Option<String>,
    /// When the challenge or transaction expires.
    pub expires_at: Option<String>,
    /// Factor details, e.g. the push credential id.
    pub profile: Option<Extra>,
    /// The number-matching challenge, when used.
    #[serde(rename = "_embedded")]
    pub embedded: Hal,
    /// Next steps: `poll` and `cancel` while waiting, `verify` after a rejection or timeout.
    #[serde(rename = "_links")]
    pub links: Hal,
    /// Fields Spindle does not type (an activated factor's `id`, `status`, ...).
    #[serde(flatten)]
    pub extra: Extra,
}
