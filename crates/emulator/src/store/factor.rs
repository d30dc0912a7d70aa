//! An enrolled factor as the org keeps it.

use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::util::now_secs;

/// An enrolled factor and its secret state.
#[derive(Debug, Clone)]
pub(crate) struct StoredFactor {
    pub id: String,
    pub user_id: String,
    pub kind: crate::factors::FactorKind,
    pub status: crate::factors::FactorStatus,
    pub created: i64,
    pub last_updated: i64,
    pub profile: Value,
    pub secrets: crate::factors::flow::FactorSecrets,
    /// `_embedded.activation` while pending (TOTP shared secret).
    pub activation: Option<Value>,
}

/// Factors the admin API enrolls, in order, to give a user `N` of them: `(type, profile)`.
const SEEDED_FACTORS: &[(&str, &str)] = &[
    (
        "question",
        r#"{"question":"disliked_food","answer":"seeded answer"}"#,
    ),
    ("email", r#"{"email":"seeded@example.com"}"#),
    ("sms", r#"{"phoneNumber":"+15555550100"}"#),
    ("call", r#"{"phoneNumber":"+15555550101"}"#),
];

impl super::Org {
    /// A factor of user `uid` by id.
    pub(crate) fn find_factor(&self, uid: &str, fid: &str) -> ApiResult<u64> {
        self.factors
            .iter()
            .find(|(_, f)| f.user_id == uid && f.id == fid)
            .map(|(s, _)| *s)
            .ok_or_else(|| ApiError::not_found(fid, "UserFactor"))
    }

    /// The outstanding sms/call/email code of a factor.
    pub(crate) fn outstanding_factor_code(
        &self,
        uid: &str,
        fid: &str,
    ) -> ApiResult<Option<String>> {
        let uid = self.find_user_id(uid)?;
        let seq = self.find_factor(&uid, fid)?;
        Ok(self
            .factors
            .get(&seq)
            .and_then(|f| crate::factors::flow::outstanding_code(&f.secrets, now_secs()))
            .map(str::to_owned))
    }

    /// Answers the user's newest waiting push (or `tx`). Returns the transaction id.
    pub(crate) fn answer_push(
        &mut self,
        uid: &str,
        tx: Option<&str>,
        approve: bool,
    ) -> ApiResult<String> {
        let uid = self.find_user_id(uid)?;
        let now = now_secs();
        let pushes = &mut self.pushes;
        let t = match tx {
            Some(id) => pushes.get_mut(id).filter(|t| t.user_id == uid),
            None => pushes.latest_waiting(&uid, now),
        };
        let Some(t) = t else {
            return Err(ApiError::not_found(tx.unwrap_or("push"), "PushTransaction"));
        };
        t.answer(approve, now)
            .map_err(|e| ApiError::from_factor(&e))?;
        Ok(t.id.clone())
    }

    /// Replaces a user's factors by `count` ACTIVE ones (security question, email, SMS, call,
    /// in that order; at most that many). Returns how many the user now has.
    pub(crate) fn set_active_factors(&mut self, user_id: &str, count: usize, now: i64) -> usize {
        self.remove_factors(user_id);
        let login = self
            .user_seq(user_id)
            .and_then(|s| self.user(s))
            .map(|u| u.login().to_owned())
            .unwrap_or_default();
        for (factor_type, profile) in SEEDED_FACTORS.iter().take(count) {
            let Some(kind) = crate::factors::find_kind(factor_type, None) else {
                continue;
            };
            let profile: Value = serde_json::from_str(profile).unwrap_or(Value::Null);
            let Ok(e) = crate::factors::flow::enroll(
                kind,
                &profile,
                None,
                true,
                &login,
                &mut self.factor_limits,
                now,
            ) else {
                continue;
            };
            let (seq, id) = self.next_id(kind.id_prefix);
            self.factors.insert(
                seq,
                StoredFactor {
                    id,
                    user_id: user_id.to_owned(),
                    kind: *kind,
                    status: crate::factors::FactorStatus::Active,
                    created: now,
                    last_updated: now,
                    profile: e.profile,
                    secrets: e.secrets,
                    activation: None,
                },
            );
        }
        self.factor_count(user_id)
    }
}
