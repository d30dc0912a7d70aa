//! Factors: what a user has enrolled or may enroll, enrollment, activation, verification.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action;
use super::common::{NonEmpty, Page, Secret};
use crate::models::factor::{FactorResult, SecurityQuestion, SupportedFactor, UserFactor};
use crate::models::results::FactorUnenrolled;

/// Input of the factor reads that only need the user.
macro_rules! user_only {
    ($name:ident, $id:literal, $out:ty, $doc:literal) => {
        #[doc = concat!("Input of `", $id, "`.")]
        #[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        pub struct $name {
            #[doc = $doc]
            pub user_id: NonEmpty,
        }
        action!($name, $id, $out, {"userId": "00ub0oNGTSWTBKOLGLNR"});
    };
}

user_only!(
    ListFactors,
    "get_list_all_enrolled_factors",
    Page<UserFactor>,
    "Okta id of the user whose enrolled factors to list."
);
user_only!(
    ListSupportedFactors,
    "get_list_all_supported_factors",
    Page<SupportedFactor>,
    "Okta id of the user whose enrollable factors to list."
);
user_only!(
    ListSecurityQuestions,
    "get_list_all_supported_security_questions",
    Page<SecurityQuestion>,
    "Okta id of the user who would answer the question."
);

/// Input of `get_retrieve_a_factor`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetFactor {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// Okta id of the factor.
    pub factor_id: NonEmpty,
}
action!(GetFactor, "get_retrieve_a_factor", UserFactor,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "factorId": "mbl1nz9JHJGHWRKMTLHP"});

/// Input of `delete_unenroll_a_factor`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UnenrollFactor {
    /// Okta id of the user (who must not be deactivated).
    pub user_id: NonEmpty,
    /// Okta id of the factor to remove.
    pub factor_id: NonEmpty,
    /// For `sms` and `call` factors: also drop the phone number as a recovery method.
    #[serde(default)]
    pub remove_recovery_enrollment: bool,
}
action!(UnenrollFactor, "delete_unenroll_a_factor", FactorUnenrolled,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "factorId": "mbl1nz9JHJGHWRKMTLHP"});

/// Input of `get_factor_transaction_status`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetFactorTransaction {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// Okta id of the push factor being verified.
    pub factor_id: NonEmpty,
    /// Id of the verification transaction, from the `poll` link of the verify result.
    pub transaction_id: NonEmpty,
}
action!(GetFactorTransaction, "get_factor_transaction_status", FactorResult,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "factorId": "opf3hkfocI4JTLAju0g4", "transactionId": "v2mst.GldKV5VxTrifyeZmWSQguA"});

/// The phone number of an `sms` factor.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SmsProfile {
    /// Phone number in E.164 form, e.g. `+15555551234`.
    pub phone_number: NonEmpty,
}

/// The phone number of a `call` factor.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CallProfile {
    /// Phone number in E.164 form, e.g. `+15555551234`.
    pub phone_number: NonEmpty,
    /// Extension to dial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_extension: Option<String>,
}

/// The address of an `email` factor.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailProfile {
    /// A verified primary or secondary email address of the user.
    #[schemars(email)]
    pub email: String,
}

/// Okta's built-in security questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum SecurityQuestionKey {
    DislikedFood,
    NameOfFirstPlushToy,
    FirstAward,
    FavoriteSecurityQuestion,
    FavoriteToy,
    FirstComputerGame,
    FavoriteMovieQuote,
    FirstSportsTeamMascot,
    FirstMusicPurchase,
    FavoriteArtPiece,
    GrandmotherFavoriteDesert,
    FirstThingCooked,
    ChildhoodDreamJob,
    FirstKissLocation,
    PlaceWhereSignificantOtherWasMet,
    FavoriteVacationLocation,
    NewYearsTwoThousand,
    FavoriteSpeakerActor,
    FavoriteBookMovieCharacter,
    FavoriteSportsPlayer,
}

/// The question and answer of a `question` factor.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionProfile {
    /// Key of one of Okta's questions (see `get_list_all_supported_security_questions`).
    pub question: SecurityQuestionKey,
    /// The answer, at least 4 characters.
    #[schemars(length(min = 4))]
    pub answer: Secret,
}

/// The credential of an RSA or Symantec token, or of a hardware token.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CredentialProfile {
    /// The token's credential id (usually the user's login or the token's serial).
    pub credential_id: NonEmpty,
}

/// A one-time passcode proving the token works.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TokenVerify {
    /// Code shown by the token now.
    pub pass_code: NonEmpty,
    /// Code of the next time window (Symantec only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_pass_code: Option<String>,
}

/// The shared secret of a custom HOTP factor.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HotpProfile {
    /// Shared secret of the token.
    pub shared_secret: Secret,
}

macro_rules! provider {
    ($name:ident: $($variant:ident = $value:literal),+) => {
        #[doc = concat!("Providers allowed for this factor type: ", $("`", $value, "` "),+)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
        pub enum $name {
            $(#[doc = concat!("`", $value, "`")] #[serde(rename = $value)] $variant,)+
        }
    };
}
provider!(OktaProvider: Okta = "OKTA");
provider!(TotpProvider: Okta = "OKTA", Google = "GOOGLE");
provider!(TokenProvider: Rsa = "RSA", Symantec = "SYMANTEC");
provider!(YubicoProvider: Yubico = "YUBICO");
provider!(CustomProvider: Custom = "CUSTOM");
provider!(FidoProvider: Fido = "FIDO");
provider!(DuoProvider: Duo = "DUO");

/// A factor to enroll; `factorType` decides which other fields apply.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "factorType", deny_unknown_fields, rename_all = "camelCase")]
pub enum FactorEnrollment {
    /// A code sent by text message.
    #[serde(rename = "sms")]
    Sms {
        /// Always `OKTA`.
        provider: OktaProvider,
        /// The phone to text.
        profile: SmsProfile,
    },
    /// A code read out in a phone call.
    #[serde(rename = "call")]
    Call {
        /// Always `OKTA`.
        provider: OktaProvider,
        /// The phone to call.
        profile: CallProfile,
    },
    /// A code sent by email.
    #[serde(rename = "email")]
    Email {
        /// Always `OKTA`.
        provider: OktaProvider,
        /// The address to email.
        profile: EmailProfile,
    },
    /// Okta Verify push notifications (activated by scanning a QR code).
    #[serde(rename = "push")]
    Push {
        /// Always `OKTA`.
        provider: OktaProvider,
    },
    /// A security question.
    #[serde(rename = "question")]
    Question {
        /// Always `OKTA`.
        provider: OktaProvider,
        /// The question and answer.
        profile: QuestionProfile,
    },
    /// A time-based code from Okta Verify or Google Authenticator.
    #[serde(rename = "token:software:totp")]
    SoftwareTotp {
        /// `OKTA` or `GOOGLE`.
        provider: TotpProvider,
    },
    /// An RSA SecurID or Symantec VIP token.
    #[serde(rename = "token")]
    Token {
        /// `RSA` or `SYMANTEC`.
        provider: TokenProvider,
        /// The token's credential.
        profile: CredentialProfile,
        /// A current code from the token.
        verify: TokenVerify,
    },
    /// A YubiKey.
    #[serde(rename = "token:hardware")]
    HardwareToken {
        /// Always `YUBICO`.
        provider: YubicoProvider,
        /// A code from the key.
        verify: TokenVerify,
    },
    /// A custom HOTP token.
    #[serde(rename = "token:hotp")]
    Hotp {
        /// Always `CUSTOM`.
        provider: CustomProvider,
        /// Id of the org's custom factor profile.
        #[serde(rename = "factorProfileId")]
        factor_profile_id: NonEmpty,
        /// The token's shared secret.
        profile: HotpProfile,
    },
    /// A U2F security key.
    #[serde(rename = "u2f")]
    U2f {
        /// Always `FIDO`.
        provider: FidoProvider,
    },
    /// A WebAuthn authenticator (security key or biometrics).
    #[serde(rename = "webauthn")]
    Webauthn {
        /// Always `FIDO`.
        provider: FidoProvider,
    },
    /// Duo Security.
    #[serde(rename = "web")]
    Web {
        /// Always `DUO`.
        provider: DuoProvider,
    },
}

/// Input of `post_enroll_a_factor`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnrollFactor {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// Replace the user's registered phone number (ignored if an active factor uses it).
    #[serde(default)]
    pub update_phone: bool,
    /// Id of a custom SMS template for the enrollment code (`sms` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<NonEmpty>,
    /// How long the enrollment code stays valid, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 86400), extend("default" = 300))]
    pub token_lifetime_seconds: Option<u32>,
    /// Activate the factor at once, without a code (`sms`, `call`, `email` and `token:hotp`).
    #[serde(default)]
    pub activate: bool,
    /// The factor.
    pub body: FactorEnrollment,
}
action!(EnrollFactor, "post_enroll_a_factor", UserFactor, {"userId": "00ub0oNGTSWTBKOLGLNR", "body": {
    "factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": "+15555551234"}
}});

/// The proof a factor needs: a passcode for most, an answer for `question`, signed data for
/// `u2f` and `webauthn`. Send only what the factor uses.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FactorProof {
    /// One-time code (`sms`, `call`, `email`, `token:software:totp`, `token`, `token:hotp`,
    /// `token:hardware`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_code: Option<NonEmpty>,
    /// Next code (Symantec `token` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_pass_code: Option<String>,
    /// Answer to the security question (`question`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Secret>,
    /// Ask for a number-matching push challenge (`push`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_number_matching_challenge: Option<bool>,
    /// Client data from the browser (`u2f`, `webauthn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_data: Option<String>,
    /// Registration data (`u2f` activation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_data: Option<String>,
    /// Attestation (`webauthn` activation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
    /// Signature (`u2f`, `webauthn` verification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_data: Option<String>,
    /// Authenticator data (`webauthn` verification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_data: Option<String>,
}

/// Input of `post_activate_a_factor`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ActivateFactor {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// Okta id of the factor pending activation.
    pub factor_id: NonEmpty,
    /// The proof; leave out for `push` to poll the activation. Okta allows 5 attempts per 5 minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<FactorProof>,
}
action!(ActivateFactor, "post_activate_a_factor", FactorResult,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "factorId": "mbl1nz9JHJGHWRKMTLHP", "body": {"passCode": "123456"}});

/// Input of `post_verify_a_factor`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VerifyFactor {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// Okta id of the factor to verify.
    pub factor_id: NonEmpty,
    /// Id of a custom SMS template for the challenge (`sms` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<NonEmpty>,
    /// How long the challenge code stays valid, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 86400), extend("default" = 300))]
    pub token_lifetime_seconds: Option<u32>,
    /// The proof. Leave out to send a challenge (`sms`, `call`, `email`, `push`, `u2f`,
    /// `webauthn`), then verify again with the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<FactorProof>,
}
action!(VerifyFactor, "post_verify_a_factor", FactorResult,
    {"userId": "00ub0oNGTSWTBKOLGLNR", "factorId": "ostf1fmaMGJLMNGNLIVG", "body": {"passCode": "874163"}});

/// A factor whose enrollment code to send again; `factorType` decides the fields.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "factorType", deny_unknown_fields)]
pub enum ResendFactor {
    /// Text the code again.
    #[serde(rename = "sms")]
    Sms {
        /// Always `OKTA`.
        provider: OktaProvider,
        /// The phone being enrolled.
        profile: SmsProfile,
    },
    /// Call again.
    #[serde(rename = "call")]
    Call {
        /// Always `OKTA`.
        provider: OktaProvider,
        /// The phone being enrolled.
        profile: CallProfile,
    },
    /// Email the code again.
    #[serde(rename = "email")]
    Email {
        /// Always `OKTA`.
        provider: OktaProvider,
        /// The address being enrolled.
        profile: EmailProfile,
    },
}

/// Input of `post_resend_factor_enrollment`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResendFactorEnrollment {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// Okta id of the factor pending activation.
    pub factor_id: NonEmpty,
    /// Id of a custom SMS template (`sms` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<NonEmpty>,
    /// The factor being enrolled.
    pub body: ResendFactor,
}
action!(ResendFactorEnrollment, "post_resend_factor_enrollment", UserFactor, {"userId": "00ub0oNGTSWTBKOLGLNR", "factorId": "mbl1nz9JHJGHWRKMTLHP", "body": {
    "factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": "+15555551234"}
}});
