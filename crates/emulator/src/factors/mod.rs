//! Factor (MFA) logic for `/api/v1/users/{userId}/factors`: the supported-factor catalog and
//! security questions ([`catalog`]), TOTP and sent codes ([`otp`]), rate limits ([`limits`]),
//! statuses, verify results and push transactions ([`lifecycle`]), plus the enrollment checks
//! and the Okta errors of all of them ([`FactorError`]).
//!
//! Pure types and functions: the HTTP handlers keep them in the store and supply `now`.

pub mod catalog;
pub mod flow;
#[cfg(test)]
mod flow_tests;
pub mod lifecycle;
pub mod limits;
pub mod otp;
pub mod render;
#[cfg(test)]
mod tests;

pub use catalog::{FACTOR_KINDS, FactorKind, SECURITY_QUESTIONS, find_kind};
pub use lifecycle::{FactorResult, FactorStatus, PushTransaction, PushTransactions};
pub use limits::{Channel, FactorLimits};
pub use otp::{SentCode, TotpSecret};
pub use render::{FactorView, factor_json};

/// Shortest security-question answer accepted (BEHAVIOR §9: "Question `answer` ≥4 chars").
pub const MIN_ANSWER_LEN: usize = 4;

/// Bounds of the email factor's `tokenLifetimeSeconds` (default 300).
pub const TOKEN_LIFETIME_RANGE: std::ops::RangeInclusive<i64> = 1..=86_400;

/// A failed factor operation, mapped to Okta's error by [`FactorError::okta`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FactorError {
    /// Wrong or expired passcode.
    #[error("invalid passcode")]
    InvalidPasscode,
    /// Wrong security-question answer.
    #[error("invalid answer")]
    InvalidAnswer,
    /// A TOTP code whose step was already used.
    #[error("passcode replayed")]
    PasscodeReplayed,
    /// Activation/resend limit (5 per 5 minutes per user).
    #[error("rate limited")]
    RateLimited,
    /// An SMS went to this number less than 30 s ago.
    #[error("sms recently sent")]
    SmsRecentlySent,
    /// A call went to this number less than 30 s ago.
    #[error("call recently made")]
    CallRecentlyMade,
    /// An email went to this address less than 5 s ago.
    #[error("email recently sent")]
    EmailRecentlySent,
    /// Verify on a factor that is not ACTIVE.
    #[error("factor not active")]
    NotActive,
    /// Activate on a factor that is not PENDING_ACTIVATION.
    #[error("factor not pending activation")]
    NotPendingActivation,
    /// The push transaction was already answered, cancelled or timed out.
    #[error("transaction not waiting")]
    TransactionNotWaiting,
    /// A second `sms` factor while one with a verified phone exists.
    #[error("existing verified phone number")]
    PhoneAlreadyEnrolled,
    /// A second factor of a kind that allows one per user (`call`, `question`, totp, …).
    #[error("factor already set up")]
    AlreadyEnrolled,
    /// `factorType`/`provider` not supported.
    #[error("unsupported factor")]
    UnsupportedFactor,
    /// A required enrollment field is missing or malformed (the field name).
    #[error("invalid field {0}")]
    InvalidField(&'static str),
    /// Security-question answer shorter than [`MIN_ANSWER_LEN`].
    #[error("answer too short")]
    AnswerTooShort,
    /// The email to enroll isn't the user's verified primary or secondary email.
    #[error("email not verified")]
    EmailNotVerified,
}

/// An Okta error response: HTTP status, `errorCode`, `errorSummary`, `errorCauses[].errorSummary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OktaError {
    /// HTTP status.
    pub status: u16,
    /// `errorCode`.
    pub code: &'static str,
    /// `errorSummary`.
    pub summary: String,
    /// `errorCauses[].errorSummary`.
    pub causes: Vec<String>,
}

fn err(status: u16, code: &'static str, summary: &str, causes: &[&str]) -> OktaError {
    OktaError {
        status,
        code,
        summary: summary.to_owned(),
        causes: causes.iter().map(|c| (*c).to_owned()).collect(),
    }
}

impl FactorError {
    /// Okta's response for this error (BEHAVIOR §3.2, §9; FACTORS-OLD). \[unconfirmed\] mappings:
    /// `NotActive`, `NotPendingActivation`, `TransactionNotWaiting`, `UnsupportedFactor`,
    /// `InvalidField`, `AnswerTooShort` texts.
    pub fn okta(&self) -> OktaError {
        const ENROLL: &str = "Api validation failed: factorEnrollRequest";
        match self {
            FactorError::InvalidPasscode => err(
                403,
                "E0000068",
                "Invalid Passcode/Answer",
                &["Your passcode doesn't match our records. Please try again."],
            ),
            FactorError::InvalidAnswer => err(
                403,
                "E0000068",
                "Invalid Passcode/Answer",
                &["Your answer doesn't match our records. Please try again."],
            ),
            FactorError::PasscodeReplayed => err(
                403,
                "E0000082",
                "Each code can only be used once. Please wait for a new code and try again.",
                &[],
            ),
            FactorError::RateLimited => err(
                429,
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
                &[],
            ),
            FactorError::SmsRecentlySent => err(
                429,
                "E0000109",
                "An SMS message was recently sent. Please wait 30 seconds before trying again.",
                &[],
            ),
            FactorError::CallRecentlyMade => err(
                429,
                "E0000133",
                "A phone call was recently made. Please wait 30 seconds before trying again.",
                &[],
            ),
            FactorError::EmailRecentlySent => err(
                429,
                "E0000118",
                "An email was recently sent. Please wait 5 seconds before trying again.",
                &[],
            ),
            FactorError::NotActive => {
                err(423, "E0000180", "Factor id is currently not active.", &[])
            }
            FactorError::NotPendingActivation => err(
                400,
                "E0000001",
                "Api validation failed: factor",
                &["factor: Factor is not pending activation."],
            ),
            FactorError::TransactionNotWaiting => err(
                400,
                "E0000001",
                "Api validation failed: transaction",
                &["transaction: The transaction is no longer waiting for a response."],
            ),
            FactorError::PhoneAlreadyEnrolled => err(
                400,
                "E0000001",
                ENROLL,
                &["There is an existing verified phone number."],
            ),
            FactorError::AlreadyEnrolled => err(
                400,
                "E0000001",
                ENROLL,
                &["A factor of this type is already set up."],
            ),
            FactorError::UnsupportedFactor => err(
                400,
                "E0000001",
                ENROLL,
                &["The factor type and provider combination is not supported."],
            ),
            FactorError::InvalidField(f) => OktaError {
                status: 400,
                code: "E0000001",
                summary: format!("Api validation failed: {f}"),
                causes: vec![format!("{f}: The field is missing or invalid.")],
            },
            FactorError::AnswerTooShort => err(
                400,
                "E0000001",
                "Api validation failed: answer",
                &["answer: The security question answer must be at least 4 characters in length"],
            ),
            FactorError::EmailNotVerified => err(
                400,
                "E0000001",
                "Api validation failed: Only verified primary or secondary email can be enrolled.",
                &[],
            ),
        }
    }
}

/// Checks a `question` enrollment profile: a built-in question key and an answer of at least
/// [`MIN_ANSWER_LEN`] characters.
///
/// # Errors
/// [`FactorError::InvalidField`] (`question`) or [`FactorError::AnswerTooShort`].
pub fn validate_question(question: &str, answer: &str) -> Result<(), FactorError> {
    if catalog::question_text(question).is_none() {
        return Err(FactorError::InvalidField("question"));
    }
    if answer.trim().chars().count() < MIN_ANSWER_LEN {
        return Err(FactorError::AnswerTooShort);
    }
    Ok(())
}

/// Whether a security-question answer matches the enrolled one: trimmed, case-insensitive
/// [unconfirmed for factors; Okta documents case-insensitive recovery answers].
pub fn answer_matches(enrolled: &str, given: &str) -> bool {
    enrolled.trim().to_lowercase() == given.trim().to_lowercase()
}

/// Checks an `sms`/`call` `phoneNumber`: E.164-like (`+` then 7–15 digits; spaces, dashes,
/// dots and parentheses ignored). \[unconfirmed\] Okta also accepts numbers it can normalise
/// with the user's country; the emulator wants the `+`.
///
/// # Errors
/// [`FactorError::InvalidField`] (`phoneNumber`).
pub fn validate_phone(phone: &str) -> Result<String, FactorError> {
    let digits: String = phone
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let ok = digits
        .strip_prefix('+')
        .is_some_and(|d| (7..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(digits)
    } else {
        Err(FactorError::InvalidField("phoneNumber"))
    }
}

/// The email factor's code lifetime from `tokenLifetimeSeconds` (default 300, 1–86400).
///
/// # Errors
/// [`FactorError::InvalidField`] (`tokenLifetimeSeconds`) outside the range.
pub fn token_lifetime(requested: Option<i64>) -> Result<i64, FactorError> {
    match requested {
        None => Ok(otp::SENT_CODE_TTL_SECS),
        Some(s) if TOKEN_LIFETIME_RANGE.contains(&s) => Ok(s),
        Some(_) => Err(FactorError::InvalidField("tokenLifetimeSeconds")),
    }
}

/// Whether the user may enroll one more factor of `kind`, given the kinds
/// `(factorType, provider)` already enrolled: one factor per type/provider, and one `sms`/`call`
/// phone per user (BEHAVIOR §9).
///
/// # Errors
/// [`FactorError::PhoneAlreadyEnrolled`] for a second `sms`, [`FactorError::AlreadyEnrolled`]
/// for any other duplicate.
pub fn check_not_enrolled(kind: &FactorKind, enrolled: &[(&str, &str)]) -> Result<(), FactorError> {
    let dup = enrolled
        .iter()
        .any(|(t, p)| *t == kind.factor_type && *p == kind.provider);
    match (dup, kind.factor_type) {
        (false, _) => Ok(()),
        (true, "sms") => Err(FactorError::PhoneAlreadyEnrolled),
        (true, _) => Err(FactorError::AlreadyEnrolled),
    }
}
