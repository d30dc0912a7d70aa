//! Factors: what a user has enrolled or may enroll, enrollment, activation, verification.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spindle_okta::Client;
use spindle_okta::models::{SecurityQuestion, SupportedFactor, UserFactor, VerifyFactorResponse};

use super::common::{NonEmpty, Page, Secret, body};
use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;
use crate::outputs::FactorUnenrolled;

/// Input of the factor reads that only need the user.
macro_rules! user_only {
    ($name:ident, $id:literal, $doc:literal) => {
        #[doc = concat!("Input of `", $id, "`.")]
        #[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        pub struct $name {
            #[doc = $doc]
            pub user_id: NonEmpty,
        }
    };
}

user_only!(
    ListFactors,
    "get_list_all_enrolled_factors",
    "Okta id of the user whose enrolled factors to list."
);

// Okta answers the three factor lists in one piece (no `Link` header), so each output is a single
// page without `next`.
impl Action for ListFactors {
    const SPEC: Spec = Spec {
        id: "get_list_all_enrolled_factors",
        title: "List all enrolled Factors",
        operation: Operation::Read,
        entities: &["factor", "user", "profile"],
        summary: "Lists the MFA factors a user has enrolled, given `userId`. Only factors that belong to the highest-priority authenticator enrollment policy applying to the user are included. Each factor reports its `id`, `factorType` (for example `sms`, `push`, `token:software:totp`), `provider`, `status` and a type-specific profile such as a phone number or device name; an empty array means nothing is enrolled.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{userId}/factors",
        scopes: &["okta.users.read"],
    };
    type Output = Page<UserFactor>;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR"})
    }

    async fn run(self, client: &Client) -> Result<Page<UserFactor>, ExecuteError> {
        let items = client.factors().list(self.user_id.as_str()).await?;
        Ok(Page { items, next: None })
    }
}

user_only!(
    ListSupportedFactors,
    "get_list_all_supported_factors",
    "Okta id of the user whose enrollable factors to list."
);

impl Action for ListSupportedFactors {
    const SPEC: Spec = Spec {
        id: "get_list_all_supported_factors",
        title: "List all supported Factors",
        operation: Operation::Read,
        entities: &["factor", "provider", "user"],
        summary: "Lists the factors a user is allowed to enroll, as governed by the highest-priority authenticator enrollment policy for that user. Input is `userId`. Each entry names the `factorType`, `provider` and vendor, whether enrollment is `REQUIRED` or `OPTIONAL`, its current status for the user, and an enroll link. Use it to decide which factor body to send to the enroll action.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{userId}/factors/catalog",
        scopes: &["okta.users.read"],
    };
    type Output = Page<SupportedFactor>;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR"})
    }

    async fn run(self, client: &Client) -> Result<Page<SupportedFactor>, ExecuteError> {
        let items = client.factors().catalog(self.user_id.as_str()).await?;
        Ok(Page { items, next: None })
    }
}

user_only!(
    ListSecurityQuestions,
    "get_list_all_supported_security_questions",
    "Okta id of the user who would answer the question."
);

impl Action for ListSecurityQuestions {
    const SPEC: Spec = Spec {
        id: "get_list_all_supported_security_questions",
        title: "List all supported Security Questions",
        operation: Operation::Read,
        entities: &["factor", "question", "user"],
        summary: "Returns the catalog of security questions a user may choose when enrolling a `question` factor, given `userId`. Each entry pairs a machine key (such as `disliked_food`) with its readable `questionText`. Okta documents this endpoint for API-token (SSWS) authentication only, with no OAuth scope listed, so it may be unavailable on OAuth-only connections.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{userId}/factors/questions",
        scopes: &[],
    };
    type Output = Page<SecurityQuestion>;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR"})
    }

    async fn run(self, client: &Client) -> Result<Page<SecurityQuestion>, ExecuteError> {
        let items = client.factors().questions(self.user_id.as_str()).await?;
        Ok(Page { items, next: None })
    }
}

/// Input of `get_retrieve_a_factor`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GetFactor {
    /// Okta id of the user.
    pub user_id: NonEmpty,
    /// Okta id of the factor.
    pub factor_id: NonEmpty,
}

impl Action for GetFactor {
    const SPEC: Spec = Spec {
        id: "get_retrieve_a_factor",
        title: "Retrieve a Factor",
        operation: Operation::Read,
        entities: &["factor", "user", "profile"],
        summary: "Fetches a single enrolled factor for a user, given `userId` and `factorId`. The response includes the factor's `factorType`, `provider`, `vendorName`, status (for example `ACTIVE` or `PENDING_ACTIVATION`), timestamps, a profile whose fields depend on the type (phone number, email, question key, device details) and links to the verify or activate operations that currently apply.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{userId}/factors/{factorId}",
        scopes: &["okta.users.read"],
    };
    type Output = UserFactor;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "factorId": "mbl1nz9JHJGHWRKMTLHP"})
    }

    async fn run(self, client: &Client) -> Result<UserFactor, ExecuteError> {
        let factors = client.factors();
        Ok(factors
            .get(self.user_id.as_str(), self.factor_id.as_str())
            .await?)
    }
}

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

impl Action for UnenrollFactor {
    const SPEC: Spec = Spec {
        id: "delete_unenroll_a_factor",
        title: "Unenroll a Factor",
        operation: Operation::Write,
        entities: &["factor", "error", "user"],
        summary: "Unenrolls one MFA factor from a user, given `userId` and `factorId`, after which the user can enroll a replacement. For `sms` and `call` factors, `removeRecoveryEnrollment=true` also drops the phone number as a recovery method. Factors cannot be removed from a deactivated user, and removing a push factor can take related Okta Verify factors with it. Okta returns no body; Spindle reports the outcome as a structured result.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/users/{userId}/factors/{factorId}",
        scopes: &["okta.users.manage"],
    };
    type Output = FactorUnenrolled;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "factorId": "mbl1nz9JHJGHWRKMTLHP"})
    }

    async fn run(self, client: &Client) -> Result<FactorUnenrolled, ExecuteError> {
        client
            .factors()
            .unenroll(
                self.user_id.as_str(),
                self.factor_id.as_str(),
                Some(self.remove_recovery_enrollment),
            )
            .await?;
        Ok(FactorUnenrolled {
            unenrolled: true,
            user_id: self.user_id.into(),
            factor_id: self.factor_id.into(),
        })
    }
}

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

impl Action for GetFactorTransaction {
    const SPEC: Spec = Spec {
        id: "get_factor_transaction_status",
        title: "Retrieve a Factor Transaction Status",
        operation: Operation::Read,
        entities: &["factor", "transaction", "user"],
        summary: "Polls an in-flight Okta Verify push verification. Inputs are `userId`, `factorId` and the `transactionId` taken from the poll link returned by the verify action. The result carries `factorResult`: `WAITING` (with poll and cancel links, plus the expected number for number-matching challenges), then a final `SUCCESS`, `REJECTED` or `TIMEOUT`. Keep polling at a modest interval until a final state appears.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{userId}/factors/{factorId}/transactions/{transactionId}",
        scopes: &["okta.users.read"],
    };
    type Output = VerifyFactorResponse;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "factorId": "opf3hkfocI4JTLAju0g4", "transactionId": "v2mst.GldKV5VxTrifyeZmWSQguA"})
    }

    async fn run(self, client: &Client) -> Result<VerifyFactorResponse, ExecuteError> {
        let (user, factor) = (self.user_id.as_str(), self.factor_id.as_str());
        let transaction = self.transaction_id.as_str();
        Ok(client
            .factors()
            .transaction(user, factor, transaction)
            .await?)
    }
}

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

impl Action for EnrollFactor {
    const SPEC: Spec = Spec {
        id: "post_enroll_a_factor",
        title: "Enroll a Factor",
        operation: Operation::Write,
        entities: &["factor", "user", "profile"],
        summary: "Enrolls a new MFA factor for a user. The body names the `factorType` and `provider` plus a type-specific profile (phone number, email, question and answer, token credential). Options: `activate=true` skips the separate activation step for `sms`, `call`, `email` and HOTP factors, `updatePhone` replaces an existing phone, `templateId` picks an SMS template, and `tokenLifetimeSeconds` (default 300) bounds the OTP. Returns the factor, `ACTIVE` or `PENDING_ACTIVATION` with activation details.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{userId}/factors",
        scopes: &["okta.users.manage"],
    };
    type Output = UserFactor;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "body": {
            "factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": "+15555551234"}
        }})
    }

    async fn run(self, client: &Client) -> Result<UserFactor, ExecuteError> {
        let mut request = spindle_okta::factors::EnrollFactor::new(body(&self.body)?)
            .update_phone(self.update_phone)
            .activate(self.activate);
        if let Some(template) = self.template_id {
            request = request.template_id(template);
        }
        if let Some(seconds) = self.token_lifetime_seconds {
            request = request.token_lifetime_seconds(seconds);
        }
        Ok(client
            .factors()
            .enroll(self.user_id.as_str(), request)
            .await?)
    }
}

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

impl Action for ActivateFactor {
    const SPEC: Spec = Spec {
        id: "post_activate_a_factor",
        title: "Activate a Factor",
        operation: Operation::Write,
        entities: &["factor", "user", "activation"],
        summary: "Completes enrollment of a factor left in `PENDING_ACTIVATION`, given `userId` and `factorId`. Send the current `passCode` for `sms`, `call`, `email` and TOTP factors, or the attestation and client data for `u2f` and `webauthn`. A push factor answers `WAITING` with poll and QR code links until the device confirms. Okta allows five activation attempts per five minutes per user; success returns the now `ACTIVE` factor.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{userId}/factors/{factorId}/lifecycle/activate",
        scopes: &["okta.users.manage"],
    };
    /// The activated factor, or for `push` the factor with `factorResult` `WAITING` (or
    /// `TIMEOUT`) until the device confirms.
    type Output = UserFactor;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "factorId": "mbl1nz9JHJGHWRKMTLHP", "body": {"passCode": "123456"}})
    }

    async fn run(self, client: &Client) -> Result<UserFactor, ExecuteError> {
        let proof = self.body.as_ref().map(body).transpose()?;
        let factors = client.factors();
        Ok(factors
            .activate(self.user_id.as_str(), self.factor_id.as_str(), proof)
            .await?)
    }
}

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

impl Action for VerifyFactor {
    const SPEC: Spec = Spec {
        id: "post_verify_a_factor",
        title: "Verify a Factor",
        operation: Operation::Write,
        entities: &["factor", "user", "verification"],
        summary: "Verifies a user's enrolled factor, given `userId` and `factorId`. For `sms`, `call`, `email`, `push`, `u2f` and `webauthn`, a first call without a body issues the challenge; a second call carries the `passCode` (or `answer` for security questions, or the signed WebAuthn data). Push answers `WAITING` with a poll link for the transaction status action. Returns `factorResult`, for example `SUCCESS`, `CHALLENGE` or `REJECTED`.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{userId}/factors/{factorId}/verify",
        scopes: &["okta.users.manage"],
    };
    type Output = VerifyFactorResponse;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "factorId": "ostf1fmaMGJLMNGNLIVG", "body": {"passCode": "874163"}})
    }

    async fn run(self, client: &Client) -> Result<VerifyFactorResponse, ExecuteError> {
        let proof = self.body.as_ref().map(body).transpose()?;
        let mut request = spindle_okta::factors::VerifyFactor::new(proof);
        if let Some(template) = self.template_id {
            request = request.template_id(template);
        }
        if let Some(seconds) = self.token_lifetime_seconds {
            request = request.token_lifetime_seconds(seconds);
        }
        let factors = client.factors();
        Ok(factors
            .verify(self.user_id.as_str(), self.factor_id.as_str(), request)
            .await?)
    }
}

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

impl Action for ResendFactorEnrollment {
    const SPEC: Spec = Spec {
        id: "post_resend_factor_enrollment",
        title: "Resend a Factor Enrollment",
        operation: Operation::Write,
        entities: &["factor", "user", "profile"],
        summary: "Sends the enrollment code again for an `sms`, `call` or `email` factor that is still awaiting activation, given `userId` and `factorId`. The body repeats the `factorType`, `provider` and profile (phone number or email); `templateId` selects an SMS template. Okta throttles resends (one SMS or call per phone number every 30 seconds) and returns the factor.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{userId}/factors/{factorId}/resend",
        scopes: &["okta.users.manage"],
    };
    type Output = UserFactor;

    fn example() -> Value {
        json!({"userId": "00ub0oNGTSWTBKOLGLNR", "factorId": "mbl1nz9JHJGHWRKMTLHP", "body": {
            "factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": "+15555551234"}
        }})
    }

    async fn run(self, client: &Client) -> Result<UserFactor, ExecuteError> {
        let factor = body(&self.body)?;
        let template = self.template_id.map(String::from);
        let factors = client.factors();
        Ok(factors
            .resend(
                self.user_id.as_str(),
                self.factor_id.as_str(),
                &factor,
                template,
            )
            .await?)
    }
}
