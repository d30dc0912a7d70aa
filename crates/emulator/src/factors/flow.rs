//! The enroll / activate / verify / resend flows of one factor, as pure state transitions.
//!
//! The store keeps a [`FactorSecrets`] next to each factor record; the handlers call these
//! functions and render the outcome. Semantics (BEHAVIOR §9, SPEC:enrollFactor, activateFactor,
//! verifyFactor, resendEnrollFactor):
//! - `sms`/`call`/`email`: enrollment (when not `?activate=true`) sends a code; activation posts
//!   it; verify without `passCode` sends a new code and answers CHALLENGE, verify with the code
//!   answers SUCCESS (each sent code works once); resend sends a new code while pending. Sends
//!   obey the per-destination throttles, activations and resends the per-user limit.
//! - `token:software:totp`: activation and verify check the code against the enrolled secret
//!   (±1 step, each step once).
//! - `question`: verify compares the answer (trimmed, case-insensitive).
//! - `push`: activation and verify start a [`PushTransaction`] answered through the admin API.
//! - Emulator choices \[unconfirmed\]: RSA/Symantec `token` and YubiKey `token:hardware` accept
//!   any non-empty `passCode` (there is no real token to check); `u2f`/`webauthn` answer
//!   CHALLENGE with a nonce and accept any non-empty `clientData` + `signatureData` (activation:
//!   `registrationData`/`attestation`) without checking signatures; a missing `passCode` where
//!   one is required is `E0000068`.

use serde_json::{Value, json};

use super::catalog::{Activation, FactorKind};
use super::limits::Channel;
use super::{
    FactorError, FactorLimits, FactorStatus, PushTransaction, PushTransactions, SentCode,
    TotpSecret, answer_matches, catalog, token_lifetime, validate_phone, validate_question,
};

/// A string whose `Debug` is redacted (security answers).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The per-factor secret state kept beside the factor record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FactorSecrets {
    /// TOTP: the shared secret and the last accepted step.
    Totp {
        /// Shared secret.
        secret: TotpSecret,
        /// Step of the last accepted code.
        last_step: Option<u64>,
    },
    /// SMS / call / email: where codes go and the outstanding code.
    Sent {
        /// Channel.
        channel: Channel,
        /// Phone number or email address.
        destination: String,
        /// Lifetime of each code (seconds).
        ttl_secs: i64,
        /// The code sent last, until used or replaced.
        pending: Option<SentCode>,
    },
    /// Security question.
    Question {
        /// The enrolled answer.
        answer: Secret,
    },
    /// Push: the transaction of a running activation.
    Push {
        /// Id of the activation transaction, while one runs.
        activation_tx: Option<String>,
    },
    /// Hardware/software tokens whose codes the emulator can't check.
    Token,
    /// `u2f` / `webauthn`.
    Attestation,
}

/// The validated enrollment: the factor's profile as Okta returns it and its secrets.
#[derive(Debug, Clone, PartialEq)]
pub struct Enrollment {
    /// `profile` of the factor.
    pub profile: Value,
    /// Secret state.
    pub secrets: FactorSecrets,
    /// Status after enrollment.
    pub status: FactorStatus,
}

/// The request body fields the flows read.
#[derive(Debug, Clone, Copy, Default)]
pub struct FactorInput<'a> {
    /// `passCode`.
    pub pass_code: Option<&'a str>,
    /// `answer` (question).
    pub answer: Option<&'a str>,
    /// `clientData` (u2f/webauthn verify).
    pub client_data: Option<&'a str>,
    /// `signatureData` (u2f/webauthn verify).
    pub signature_data: Option<&'a str>,
    /// `registrationData` / `attestation` (u2f/webauthn activation).
    pub attestation: Option<&'a str>,
    /// `useNumberMatchingChallenge` (push).
    pub number_matching: bool,
}

/// The org state and identity a flow call works with.
#[derive(Debug)]
pub struct FlowCtx<'a> {
    /// The user.
    pub user_id: &'a str,
    /// The factor.
    pub factor_id: &'a str,
    /// The org's factor limits.
    pub limits: &'a mut FactorLimits,
    /// The org's push transactions.
    pub pushes: &'a mut PushTransactions,
    /// Current time, Unix seconds.
    pub now: i64,
}

/// What a verify or activate call produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done: `factorResult: SUCCESS` (verify) or the factor is now ACTIVE (activate).
    Success,
    /// A code was sent (sms/call/email) or a nonce issued (u2f/webauthn): CHALLENGE.
    Challenge {
        /// The nonce for u2f/webauthn challenges.
        nonce: Option<String>,
    },
    /// A push is waiting: answer 201 (verify) / 200 (activate) with the transaction's body.
    Waiting(PushTransaction),
    /// A push activation timed out or was rejected: `factorResult` TIMEOUT (with an
    /// `activate` link to restart).
    Timeout,
}

fn profile_str<'a>(profile: &'a Value, key: &str) -> Option<&'a str> {
    profile
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn present(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Validates an enrollment request for `kind`: `profile` is the request's `profile`,
/// `token_lifetime_seconds` the email `tokenLifetimeSeconds`, `activate` the query parameter,
/// `credential_id` the user's login. Sends the first code for pending sms/call/email.
///
/// # Errors
/// [`FactorError::InvalidField`], [`FactorError::AnswerTooShort`], or a send throttle.
pub fn enroll(
    kind: &FactorKind,
    profile: &Value,
    token_lifetime_seconds: Option<i64>,
    activate: bool,
    credential_id: &str,
    limits: &mut FactorLimits,
    now: i64,
) -> Result<Enrollment, FactorError> {
    let status = catalog::status_after_enroll(kind, activate);
    let pending = status == FactorStatus::PendingActivation;
    let (profile, secrets) = match kind.factor_type {
        "sms" | "call" => {
            let phone = validate_phone(profile_str(profile, "phoneNumber").unwrap_or_default())?;
            let channel = if kind.factor_type == "sms" {
                Channel::Sms
            } else {
                Channel::Call
            };
            let mut p = json!({ "phoneNumber": phone });
            if let Some(ext) = profile_str(profile, "phoneExtension") {
                p["phoneExtension"] = json!(ext);
            }
            (p, sent(channel, phone, 300))
        }
        "email" => {
            let email = profile_str(profile, "email").ok_or(FactorError::InvalidField("email"))?;
            let ttl = token_lifetime(token_lifetime_seconds)?;
            (
                json!({ "email": email }),
                sent(Channel::Email, email.to_owned(), ttl),
            )
        }
        "question" => {
            let q = profile_str(profile, "question").unwrap_or_default();
            let a = profile_str(profile, "answer").unwrap_or_default();
            validate_question(q, a)?;
            let text = catalog::question_text(q).unwrap_or_default();
            (
                json!({ "question": q, "questionText": text }),
                FactorSecrets::Question {
                    answer: Secret(a.to_owned()),
                },
            )
        }
        "token:software:totp" => (
            json!({ "credentialId": credential_id }),
            FactorSecrets::Totp {
                secret: TotpSecret::generate(),
                last_step: None,
            },
        ),
        "push" => (
            json!({ "credentialId": credential_id }),
            FactorSecrets::Push {
                activation_tx: None,
            },
        ),
        "u2f" | "webauthn" => (json!({}), FactorSecrets::Attestation),
        _ => (
            json!({ "credentialId": profile_str(profile, "credentialId").unwrap_or(credential_id) }),
            FactorSecrets::Token,
        ),
    };
    let mut secrets = secrets;
    if pending {
        send_code(&mut secrets, limits, now)?;
    }
    Ok(Enrollment {
        profile,
        secrets,
        status,
    })
}

fn sent(channel: Channel, destination: String, ttl_secs: i64) -> FactorSecrets {
    FactorSecrets::Sent {
        channel,
        destination,
        ttl_secs,
        pending: None,
    }
}

/// Sends a new code for a sms/call/email factor (no-op for other kinds).
fn send_code(
    secrets: &mut FactorSecrets,
    limits: &mut FactorLimits,
    now: i64,
) -> Result<(), FactorError> {
    if let FactorSecrets::Sent {
        channel,
        destination,
        ttl_secs,
        pending,
    } = secrets
    {
        limits.send(*channel, destination, now)?;
        *pending = Some(SentCode::new(now, *ttl_secs));
    }
    Ok(())
}

fn check_sent(
    pending: &mut Option<SentCode>,
    code: Option<&str>,
    now: i64,
) -> Result<(), FactorError> {
    let code = present(code).ok_or(FactorError::InvalidPasscode)?;
    match pending {
        Some(c) if c.matches(code, now) => {
            *pending = None;
            Ok(())
        }
        _ => Err(FactorError::InvalidPasscode),
    }
}

/// `POST …/lifecycle/activate` for a PENDING_ACTIVATION factor. On [`Outcome::Success`] the
/// caller sets the status to ACTIVE (see [`FactorStatus::activate`]).
///
/// # Errors
/// The rate limit, [`FactorError::NotPendingActivation`], or a wrong code.
pub fn activate(
    kind: &FactorKind,
    status: &FactorStatus,
    secrets: &mut FactorSecrets,
    input: &FactorInput<'_>,
    ctx: &mut FlowCtx<'_>,
) -> Result<Outcome, FactorError> {
    let (user_id, factor_id, now) = (ctx.user_id, ctx.factor_id, ctx.now);
    let (limits, pushes) = (&mut *ctx.limits, &mut *ctx.pushes);
    status.activate()?;
    // Only passcode attempts count: polling a push activation (re-POSTing activate) must not
    // exhaust the 5-per-5-minutes budget.
    if matches!(
        secrets,
        FactorSecrets::Sent { .. } | FactorSecrets::Totp { .. }
    ) {
        limits.activation_attempt(user_id, factor_id, now)?;
    }
    let outcome = match (kind.activation, secrets) {
        (_, FactorSecrets::Sent { pending, .. }) => {
            check_sent(pending, input.pass_code, now)?;
            Outcome::Success
        }
        (_, FactorSecrets::Totp { secret, last_step }) => {
            let code = present(input.pass_code).ok_or(FactorError::InvalidPasscode)?;
            *last_step = Some(secret.verify(code, now.max(0) as u64, *last_step)?);
            Outcome::Success
        }
        (_, FactorSecrets::Push { activation_tx }) => {
            let running = activation_tx
                .as_deref()
                .and_then(|id| pushes.get(user_id, factor_id, id));
            match running.map(|t| (t.result(now), t.clone())) {
                Some((super::FactorResult::Success, _)) => {
                    *activation_tx = None;
                    Outcome::Success
                }
                Some((super::FactorResult::Waiting, tx)) => Outcome::Waiting(tx),
                Some(_) => {
                    *activation_tx = None;
                    Outcome::Timeout
                }
                None => {
                    let tx = pushes.start(user_id, factor_id, now, false);
                    *activation_tx = Some(tx.id.clone());
                    Outcome::Waiting(tx)
                }
            }
        }
        (Activation::Attestation, _) => {
            present(input.attestation).ok_or(FactorError::InvalidField("attestation"))?;
            Outcome::Success
        }
        _ => Outcome::Success,
    };
    if outcome == Outcome::Success {
        limits.clear_factor(factor_id);
    }
    Ok(outcome)
}

/// `POST …/verify` on an ACTIVE factor.
///
/// # Errors
/// [`FactorError::NotActive`], a send throttle, or a wrong code/answer.
pub fn verify(
    status: &FactorStatus,
    secrets: &mut FactorSecrets,
    input: &FactorInput<'_>,
    ctx: &mut FlowCtx<'_>,
) -> Result<Outcome, FactorError> {
    let (user_id, factor_id, now) = (ctx.user_id, ctx.factor_id, ctx.now);
    let (limits, pushes) = (&mut *ctx.limits, &mut *ctx.pushes);
    status.check_verifiable()?;
    match secrets {
        FactorSecrets::Sent { pending, .. } => {
            if present(input.pass_code).is_none() {
                send_code(secrets, limits, now)?;
                return Ok(Outcome::Challenge { nonce: None });
            }
            check_sent(pending, input.pass_code, now)?;
            Ok(Outcome::Success)
        }
        FactorSecrets::Totp { secret, last_step } => {
            let code = present(input.pass_code).ok_or(FactorError::InvalidPasscode)?;
            *last_step = Some(secret.verify(code, now.max(0) as u64, *last_step)?);
            Ok(Outcome::Success)
        }
        FactorSecrets::Question { answer } => match present(input.answer) {
            Some(a) if answer_matches(&answer.0, a) => Ok(Outcome::Success),
            _ => Err(FactorError::InvalidAnswer),
        },
        FactorSecrets::Push { .. } => Ok(Outcome::Waiting(pushes.start(
            user_id,
            factor_id,
            now,
            input.number_matching,
        ))),
        FactorSecrets::Attestation => {
            if present(input.client_data).is_some() && present(input.signature_data).is_some() {
                Ok(Outcome::Success)
            } else {
                Ok(Outcome::Challenge {
                    nonce: Some(crate::oauth::random_token(15)),
                })
            }
        }
        FactorSecrets::Token => {
            present(input.pass_code).ok_or(FactorError::InvalidPasscode)?;
            Ok(Outcome::Success)
        }
    }
}

/// `POST …/resend` for a PENDING_ACTIVATION sms/call/email factor.
///
/// # Errors
/// [`FactorError::NotPendingActivation`], the per-user limit or a send throttle; other kinds
/// answer [`FactorError::UnsupportedFactor`].
pub fn resend(
    status: &FactorStatus,
    secrets: &mut FactorSecrets,
    ctx: &mut FlowCtx<'_>,
) -> Result<(), FactorError> {
    status.activate()?;
    if !matches!(secrets, FactorSecrets::Sent { .. }) {
        return Err(FactorError::UnsupportedFactor);
    }
    ctx.limits.resend(ctx.user_id, ctx.factor_id, ctx.now)?;
    send_code(secrets, ctx.limits, ctx.now)
}

/// The code outstanding for a sms/call/email factor, for the emulator's admin API.
pub fn outstanding_code(secrets: &FactorSecrets, now: i64) -> Option<&str> {
    match secrets {
        FactorSecrets::Sent {
            pending: Some(c), ..
        } if now < c.expires_at => Some(c.reveal()),
        _ => None,
    }
}
