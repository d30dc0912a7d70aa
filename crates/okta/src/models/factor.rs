//! Factors.

use serde::{Deserialize, Serialize};

use super::{JsonMap, string_enum};
use crate::ids::FactorId;

string_enum! {
    /// Factor type.
    FactorType {
        Call = "call",
        Email = "email",
        Push = "push",
        Question = "question",
        SignedNonce = "signed_nonce",
        Sms = "sms",
        Token = "token",
        TokenHardware = "token:hardware",
        TokenHotp = "token:hotp",
        TokenSoftwareTotp = "token:software:totp",
        U2f = "u2f",
        Web = "web",
        Webauthn = "webauthn",
    }
}

string_enum! {
    /// Factor provider.
    FactorProvider {
        Custom = "CUSTOM",
        Duo = "DUO",
        Fido = "FIDO",
        Google = "GOOGLE",
        Okta = "OKTA",
        Rsa = "RSA",
        Symantec = "SYMANTEC",
        Yubico = "YUBICO",
    }
}

string_enum! {
    /// Factor status.
    FactorStatus {
        Active = "ACTIVE",
        Disabled = "DISABLED",
        Enrolled = "ENROLLED",
        Expired = "EXPIRED",
        Inactive = "INACTIVE",
        NotSetup = "NOT_SETUP",
        PendingActivation = "PENDING_ACTIVATION",
    }
}

string_enum! {
    /// Result of a verification or activation step.
    FactorResult {
        Success = "SUCCESS",
        Challenge = "CHALLENGE",
        Waiting = "WAITING",
        Rejected = "REJECTED",
        Timeout = "TIMEOUT",
        Failed = "FAILED",
        Error = "ERROR",
        Expired = "EXPIRED",
        Cancelled = "CANCELLED",
        PasscodeReplayed = "PASSCODE_REPLAYED",
        TimeWindowExceeded = "TIME_WINDOW_EXCEEDED",
    }
}

/// A user's factor (also the enroll body and, for push, the activation poll answer).
///
/// Its `Debug` hides the secrets an enrollment profile carries (see [`SECRET_PROFILE_KEYS`]).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserFactor {
    /// Id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FactorId>,
    /// Type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_type: Option<FactorType>,
    /// Provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<FactorProvider>,
    /// Vendor name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_name: Option<String>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FactorStatus>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    /// Factor profile (phone number, question, credential id, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<JsonMap>,
    /// Result of a push activation poll (`WAITING`, `TIMEOUT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_result: Option<FactorResult>,
    /// HAL links.
    #[serde(default, rename = "_links", skip_serializing_if = "Option::is_none")]
    pub links: Option<JsonMap>,
    /// Embedded resources (`activation` for TOTP/push).
    #[serde(default, rename = "_embedded", skip_serializing_if = "Option::is_none")]
    pub embedded: Option<JsonMap>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// The factor profile attributes that hold a secret: a security question's `answer` and a
/// custom HOTP token's `sharedSecret`.
pub const SECRET_PROFILE_KEYS: &[&str] = &["answer", "sharedSecret"];

impl std::fmt::Debug for UserFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let profile = self.profile.as_ref().map(|profile| {
            let mut shown = profile.clone();
            for key in SECRET_PROFILE_KEYS {
                if let Some(value) = shown.get_mut(*key) {
                    *value = "[REDACTED]".into();
                }
            }
            shown
        });
        f.debug_struct("UserFactor")
            .field("id", &self.id)
            .field("factor_type", &self.factor_type)
            .field("provider", &self.provider)
            .field("vendor_name", &self.vendor_name)
            .field("status", &self.status)
            .field("created", &self.created)
            .field("last_updated", &self.last_updated)
            .field("profile", &profile)
            .field("factor_result", &self.factor_result)
            .field("links", &self.links)
            .field("embedded", &self.embedded)
            .field("extra", &self.extra)
            .finish()
    }
}

impl UserFactor {
    /// An enrollment body for `factor_type` at `provider` with a factor profile.
    pub fn enroll(
        factor_type: FactorType,
        provider: FactorProvider,
        profile: Option<JsonMap>,
    ) -> Self {
        Self {
            factor_type: Some(factor_type),
            provider: Some(provider),
            profile,
            ..Self::default()
        }
    }
}

/// A factor the user may enroll (`/factors/catalog`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SupportedFactor {
    /// Type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_type: Option<FactorType>,
    /// Provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<FactorProvider>,
    /// `REQUIRED` or `OPTIONAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment: Option<String>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FactorStatus>,
    /// HAL links.
    #[serde(default, rename = "_links", skip_serializing_if = "Option::is_none")]
    pub links: Option<JsonMap>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// A security question (`/factors/questions`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SecurityQuestion {
    /// Key, e.g. `disliked_food`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// Display text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_text: Option<String>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// Body of `lifecycle/activate` and `verify`.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct FactorPasscode {
    /// OTP passcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_code: Option<String>,
    /// Answer of a security question (verify).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Next passcode (hardware tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_pass_code: Option<String>,
    /// Fields not modelled above (WebAuthn attestation, ...).
    #[serde(flatten)]
    pub extra: JsonMap,
}

impl std::fmt::Debug for FactorPasscode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FactorPasscode([REDACTED])")
    }
}

impl FactorPasscode {
    /// A body with a passcode.
    pub fn pass_code(code: impl Into<String>) -> Self {
        Self {
            pass_code: Some(code.into()),
            ..Self::default()
        }
    }
    /// A body with a security-question answer.
    pub fn answer(answer: impl Into<String>) -> Self {
        Self {
            answer: Some(answer.into()),
            ..Self::default()
        }
    }
}

/// Answer of `verify` and of a push transaction poll.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VerifyFactorResponse {
    /// Result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_result: Option<FactorResult>,
    /// Optional message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_result_message: Option<String>,
    /// Expiry of a challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// HAL links (`poll`, `cancel`, `verify`).
    #[serde(default, rename = "_links", skip_serializing_if = "Option::is_none")]
    pub links: Option<JsonMap>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}
