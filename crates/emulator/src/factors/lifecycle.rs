//! Factor statuses, verification results and push transactions.
//!
//! State machine (BEHAVIOR §9): enrollment yields `PENDING_ACTIVATION` or `ACTIVE`
//! ([`super::catalog::status_after_enroll`]); `lifecycle/activate` moves `PENDING_ACTIVATION` →
//! `ACTIVE`; unenroll deletes the factor; `reset_factors` deletes them all. Verification needs
//! `ACTIVE`. \[unconfirmed\] errors: activating a factor that is not pending → 400 `E0000001`
//! "Api validation failed: factor" / "Factor is not pending activation."; verifying a factor
//! that is not active → 423 `E0000180` "Factor id is currently not active.".
//!
//! Push (`push` verify → 201 WAITING with a transaction): the transaction is answered through
//! the emulator's admin API (approve/reject) or times out after [`PUSH_TTL_SECS`]
//! [unconfirmed: Okta shows "several minutes"; 5 used]. Polling shapes follow the spec
//! examples: WAITING carries `expiresAt` and `poll`/`cancel` links (and
//! `_embedded.challenge.correctAnswer` for number matching); REJECTED/TIMEOUT carry `verify` and
//! `factor` links; SUCCESS is just `{"factorResult":"SUCCESS"}`.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::FactorError;

/// Seconds a push transaction waits for an answer.
pub const PUSH_TTL_SECS: i64 = 300;

/// Most push transactions kept (oldest dropped first). \[emulator limit\]
pub const MAX_PUSH_TRANSACTIONS: usize = 10_000;

/// A factor's status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FactorStatus {
    /// `ACTIVE`.
    Active,
    /// `DISABLED`.
    Disabled,
    /// `ENROLLED`.
    Enrolled,
    /// `EXPIRED`.
    Expired,
    /// `INACTIVE`.
    Inactive,
    /// `NOT_SETUP` (catalog only).
    NotSetup,
    /// `PENDING_ACTIVATION`.
    PendingActivation,
    /// A value this emulator doesn't know.
    Unknown(String),
}

impl FactorStatus {
    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            FactorStatus::Active => "ACTIVE",
            FactorStatus::Disabled => "DISABLED",
            FactorStatus::Enrolled => "ENROLLED",
            FactorStatus::Expired => "EXPIRED",
            FactorStatus::Inactive => "INACTIVE",
            FactorStatus::NotSetup => "NOT_SETUP",
            FactorStatus::PendingActivation => "PENDING_ACTIVATION",
            FactorStatus::Unknown(s) => s,
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> FactorStatus {
        match s {
            "ACTIVE" => FactorStatus::Active,
            "DISABLED" => FactorStatus::Disabled,
            "ENROLLED" => FactorStatus::Enrolled,
            "EXPIRED" => FactorStatus::Expired,
            "INACTIVE" => FactorStatus::Inactive,
            "NOT_SETUP" => FactorStatus::NotSetup,
            "PENDING_ACTIVATION" => FactorStatus::PendingActivation,
            other => FactorStatus::Unknown(other.to_owned()),
        }
    }

    /// `lifecycle/activate`: the status after a successful activation.
    ///
    /// # Errors
    /// [`FactorError::NotPendingActivation`] unless the factor is `PENDING_ACTIVATION`.
    pub fn activate(&self) -> Result<FactorStatus, FactorError> {
        match self {
            FactorStatus::PendingActivation => Ok(FactorStatus::Active),
            _ => Err(FactorError::NotPendingActivation),
        }
    }

    /// Whether `verify` may be called.
    ///
    /// # Errors
    /// [`FactorError::NotActive`] unless the factor is `ACTIVE`.
    pub fn check_verifiable(&self) -> Result<(), FactorError> {
        match self {
            FactorStatus::Active => Ok(()),
            _ => Err(FactorError::NotActive),
        }
    }
}

/// `factorResult` values (SPEC `UserFactorResultType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorResult {
    /// `SUCCESS`.
    Success,
    /// `CHALLENGE`: a code was sent; post it to verify.
    Challenge,
    /// `WAITING`: a push awaits an answer.
    Waiting,
    /// `REJECTED`: the user rejected the push.
    Rejected,
    /// `TIMEOUT`: no answer in time.
    Timeout,
    /// `FAILED`.
    Failed,
    /// `ERROR`.
    Error,
    /// `EXPIRED`.
    Expired,
    /// `CANCELLED`.
    Cancelled,
    /// `PASSCODE_REPLAYED`.
    PasscodeReplayed,
    /// `TIME_WINDOW_EXCEEDED`.
    TimeWindowExceeded,
}

impl FactorResult {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            FactorResult::Success => "SUCCESS",
            FactorResult::Challenge => "CHALLENGE",
            FactorResult::Waiting => "WAITING",
            FactorResult::Rejected => "REJECTED",
            FactorResult::Timeout => "TIMEOUT",
            FactorResult::Failed => "FAILED",
            FactorResult::Error => "ERROR",
            FactorResult::Expired => "EXPIRED",
            FactorResult::Cancelled => "CANCELLED",
            FactorResult::PasscodeReplayed => "PASSCODE_REPLAYED",
            FactorResult::TimeWindowExceeded => "TIME_WINDOW_EXCEEDED",
        }
    }
}

fn link(href: String, allow: &[&str]) -> Value {
    json!({"href": href, "hints": {"allow": allow}})
}

/// `{org}/api/v1/users/{user}/factors/{factor}`.
pub fn factor_href(org_url: &str, user_id: &str, factor_id: &str) -> String {
    format!("{org_url}/api/v1/users/{user_id}/factors/{factor_id}")
}

/// The CHALLENGE response of an sms/call/email verify without a passcode (`profile` is the
/// factor's profile, e.g. `{"phoneNumber": …}`; email challenges carry none).
pub fn challenge_json(
    org_url: &str,
    user_id: &str,
    factor_id: &str,
    profile: Option<Value>,
) -> Value {
    let f = factor_href(org_url, user_id, factor_id);
    let mut v = json!({
        "factorResult": "CHALLENGE",
        "_links": {
            "verify": link(format!("{f}/verify"), &["POST"]),
            "factor": link(f, &["GET", "DELETE"]),
        }
    });
    if let (Some(p), Some(m)) = (profile, v.as_object_mut()) {
        m.insert("profile".into(), p);
    }
    v
}

/// ISO-8601 with milliseconds, as Okta writes dates.
pub fn okta_date(secs: i64) -> String {
    let fmt =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].000Z");
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

/// Where a push transaction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushState {
    /// Not answered yet.
    Waiting,
    /// Approved on the device (admin API).
    Approved,
    /// Rejected on the device (admin API).
    Rejected,
    /// Cancelled by the client (`DELETE` on the transaction).
    Cancelled,
}

/// A push verification awaiting an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushTransaction {
    /// Transaction id (`v2mst.…`, as in Okta's poll links).
    pub id: String,
    /// The user.
    pub user_id: String,
    /// The push factor.
    pub factor_id: String,
    /// Deadline for an answer (Unix seconds).
    pub expires_at: i64,
    /// The answer so far.
    pub state: PushState,
    /// Number-matching challenge (`useNumberMatchingChallenge`): the number to pick.
    pub correct_answer: Option<u8>,
}

impl PushTransaction {
    /// A new WAITING transaction.
    pub fn new(user_id: &str, factor_id: &str, now: i64, number_matching: bool) -> Self {
        let id = format!("v2mst.{}", crate::oauth::random_token(16));
        let correct_answer = number_matching.then(|| {
            let b = crate::oauth::random_token(3).into_bytes();
            // A two-digit number 10..=99, like Okta Verify shows.
            10 + (b
                .iter()
                .fold(0u32, |a, &x| a.wrapping_mul(31).wrapping_add(u32::from(x)))
                % 90) as u8
        });
        PushTransaction {
            id,
            user_id: user_id.to_owned(),
            factor_id: factor_id.to_owned(),
            expires_at: now + PUSH_TTL_SECS,
            state: PushState::Waiting,
            correct_answer,
        }
    }

    /// The `factorResult` at `now` (an unanswered transaction past its deadline is TIMEOUT).
    pub fn result(&self, now: i64) -> FactorResult {
        match self.state {
            PushState::Approved => FactorResult::Success,
            PushState::Rejected => FactorResult::Rejected,
            PushState::Cancelled => FactorResult::Cancelled,
            PushState::Waiting if now >= self.expires_at => FactorResult::Timeout,
            PushState::Waiting => FactorResult::Waiting,
        }
    }

    /// Answers the push (admin API).
    ///
    /// # Errors
    /// [`FactorError::TransactionNotWaiting`] once answered, cancelled or timed out.
    pub fn answer(&mut self, approve: bool, now: i64) -> Result<(), FactorError> {
        if self.result(now) != FactorResult::Waiting {
            return Err(FactorError::TransactionNotWaiting);
        }
        self.state = if approve {
            PushState::Approved
        } else {
            PushState::Rejected
        };
        Ok(())
    }

    /// Cancels a waiting transaction.
    pub fn cancel(&mut self, now: i64) {
        if self.result(now) == FactorResult::Waiting {
            self.state = PushState::Cancelled;
        }
    }

    /// The body of the verify response (201) and of each poll (200), per the spec examples.
    /// `credential_id` is the user's login (Okta's `profile.credentialId`).
    pub fn poll_json(&self, org_url: &str, credential_id: &str, now: i64) -> Value {
        let f = factor_href(org_url, &self.user_id, &self.factor_id);
        let result = self.result(now);
        match result {
            FactorResult::Success => json!({"factorResult": "SUCCESS"}),
            FactorResult::Waiting => {
                let tx = format!("{f}/transactions/{}", self.id);
                let mut v = json!({
                    "expiresAt": okta_date(self.expires_at),
                    "factorResult": "WAITING",
                    "profile": {"credentialId": credential_id},
                    "_links": {
                        "poll": link(tx.clone(), &["GET"]),
                        "cancel": link(tx, &["DELETE"]),
                    }
                });
                if let (Some(n), Some(m)) = (self.correct_answer, v.as_object_mut()) {
                    m.insert(
                        "_embedded".into(),
                        json!({"challenge": {"correctAnswer": n}}),
                    );
                }
                v
            }
            other => json!({
                "factorResult": other.as_str(),
                "profile": {"credentialId": credential_id},
                "_links": {
                    "verify": link(format!("{f}/verify"), &["POST"]),
                    "factor": link(f, &["GET", "DELETE"]),
                }
            }),
        }
    }
}

/// The org's push transactions by id.
#[derive(Debug, Clone, Default)]
pub struct PushTransactions {
    by_id: HashMap<String, PushTransaction>,
}

impl PushTransactions {
    /// An empty table.
    pub fn new() -> Self {
        PushTransactions::default()
    }

    /// Starts a transaction; returns a copy of it.
    pub fn start(
        &mut self,
        user_id: &str,
        factor_id: &str,
        now: i64,
        number_matching: bool,
    ) -> PushTransaction {
        // Drop transactions finished long ago, then the oldest if still full.
        self.by_id.retain(|_, t| now - t.expires_at < PUSH_TTL_SECS);
        if self.by_id.len() >= MAX_PUSH_TRANSACTIONS
            && let Some(oldest) = self
                .by_id
                .values()
                .min_by_key(|t| t.expires_at)
                .map(|t| t.id.clone())
        {
            self.by_id.remove(&oldest);
        }
        let tx = PushTransaction::new(user_id, factor_id, now, number_matching);
        self.by_id.insert(tx.id.clone(), tx.clone());
        tx
    }

    /// A transaction of this user and factor.
    pub fn get(&self, user_id: &str, factor_id: &str, tx_id: &str) -> Option<&PushTransaction> {
        self.by_id
            .get(tx_id)
            .filter(|t| t.user_id == user_id && t.factor_id == factor_id)
    }

    /// Mutable access, for answering or cancelling.
    pub fn get_mut(&mut self, tx_id: &str) -> Option<&mut PushTransaction> {
        self.by_id.get_mut(tx_id)
    }

    /// The newest waiting transaction of a user (what the admin API answers by default).
    pub fn latest_waiting(&mut self, user_id: &str, now: i64) -> Option<&mut PushTransaction> {
        self.by_id
            .values_mut()
            .filter(|t| t.user_id == user_id && t.result(now) == FactorResult::Waiting)
            .max_by_key(|t| t.expires_at)
    }

    /// Forgets a factor's transactions (unenroll / reset).
    pub fn remove_factor(&mut self, factor_id: &str) {
        self.by_id.retain(|_, t| t.factor_id != factor_id);
    }
}
