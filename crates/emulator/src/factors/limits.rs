//! Factor rate limits (BEHAVIOR §4.5):
//! - activation attempts and enrollment resends: 5 per 5 minutes per user, then 429 `E0000047`;
//!   once a user has exceeded it, resend for that factor stays refused [unconfirmed: for how
//!   long Okta refuses is undocumented; the emulator refuses until the factor is activated,
//!   unenrolled or reset];
//! - SMS: 1 per phone number per 30 s (`E0000109`); voice call: 1 per phone number per 30 s
//!   (`E0000133`); email: 1 per address per 5 s (`E0000118`).
//!
//! Windows are sliding (each event expires `window` seconds after it happened).

use std::collections::{HashMap, HashSet, VecDeque};

use super::FactorError;

/// `limit` events per `window_secs` per key, sliding.
#[derive(Debug, Clone)]
pub struct WindowLimiter {
    limit: usize,
    window_secs: i64,
    events: HashMap<String, VecDeque<i64>>,
}

/// Keys held before empty entries are swept.
const SWEEP_AT: usize = 10_000;

impl WindowLimiter {
    /// A limiter allowing `limit` events per `window_secs` for each key.
    pub fn new(limit: usize, window_secs: i64) -> Self {
        WindowLimiter {
            limit: limit.max(1),
            window_secs: window_secs.max(1),
            events: HashMap::new(),
        }
    }

    fn prune(q: &mut VecDeque<i64>, now: i64, window: i64) {
        while q.front().is_some_and(|&t| now - t >= window) {
            q.pop_front();
        }
    }

    /// Records an event for `key` if allowed; `false` (nothing recorded) when over the limit.
    pub fn try_acquire(&mut self, key: &str, now: i64) -> bool {
        if self.events.len() >= SWEEP_AT {
            let window = self.window_secs;
            self.events.retain(|_, q| {
                Self::prune(q, now, window);
                !q.is_empty()
            });
        }
        let q = self.events.entry(key.to_owned()).or_default();
        Self::prune(q, now, self.window_secs);
        if q.len() >= self.limit {
            return false;
        }
        q.push_back(now);
        true
    }

    /// Forgets `key`'s events.
    pub fn reset(&mut self, key: &str) {
        self.events.remove(key);
    }
}

/// Channel a code is sent over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// SMS.
    Sms,
    /// Voice call.
    Call,
    /// Email.
    Email,
}

/// All factor limits of an org.
#[derive(Debug, Clone)]
pub struct FactorLimits {
    per_user: WindowLimiter,
    sms: WindowLimiter,
    call: WindowLimiter,
    email: WindowLimiter,
    resend_locked: HashSet<String>,
}

impl Default for FactorLimits {
    fn default() -> Self {
        FactorLimits {
            per_user: WindowLimiter::new(5, 300),
            sms: WindowLimiter::new(1, 30),
            call: WindowLimiter::new(1, 30),
            email: WindowLimiter::new(1, 5),
            resend_locked: HashSet::new(),
        }
    }
}

impl FactorLimits {
    /// Counts an activation attempt (`…/lifecycle/activate`) by `user_id` on `factor_id`.
    ///
    /// # Errors
    /// [`FactorError::RateLimited`] past 5 per 5 minutes; the factor's resend is then locked.
    pub fn activation_attempt(
        &mut self,
        user_id: &str,
        factor_id: &str,
        now: i64,
    ) -> Result<(), FactorError> {
        if self.per_user.try_acquire(user_id, now) {
            Ok(())
        } else {
            self.resend_locked.insert(factor_id.to_owned());
            Err(FactorError::RateLimited)
        }
    }

    /// Counts an enrollment resend (`…/resend`).
    ///
    /// # Errors
    /// [`FactorError::RateLimited`] past 5 per 5 minutes or once the factor's resend is locked.
    pub fn resend(&mut self, user_id: &str, factor_id: &str, now: i64) -> Result<(), FactorError> {
        if self.resend_locked.contains(factor_id) {
            return Err(FactorError::RateLimited);
        }
        self.activation_attempt(user_id, factor_id, now)
    }

    /// Counts a code sent to `destination` (phone number or email address).
    ///
    /// # Errors
    /// [`FactorError::SmsRecentlySent`], [`FactorError::CallRecentlyMade`] or
    /// [`FactorError::EmailRecentlySent`] inside the channel's window.
    pub fn send(
        &mut self,
        channel: Channel,
        destination: &str,
        now: i64,
    ) -> Result<(), FactorError> {
        let key = destination.trim().to_ascii_lowercase();
        let (limiter, err) = match channel {
            Channel::Sms => (&mut self.sms, FactorError::SmsRecentlySent),
            Channel::Call => (&mut self.call, FactorError::CallRecentlyMade),
            Channel::Email => (&mut self.email, FactorError::EmailRecentlySent),
        };
        if limiter.try_acquire(&key, now) {
            Ok(())
        } else {
            Err(err)
        }
    }

    /// Clears a factor's resend lock (after activation, unenrollment or reset).
    pub fn clear_factor(&mut self, factor_id: &str) {
        self.resend_locked.remove(factor_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_activation_attempts_per_five_minutes_then_429_and_resend_is_locked() {
        let mut l = FactorLimits::default();
        for i in 0..5 {
            assert_eq!(l.activation_attempt("00u1", "mbl1", i), Ok(()));
        }
        assert_eq!(
            l.activation_attempt("00u1", "mbl1", 10),
            Err(FactorError::RateLimited)
        );
        // Another user has their own budget.
        assert_eq!(l.activation_attempt("00u2", "mbl2", 10), Ok(()));
        // After the window the attempts are allowed again, but resend stays locked.
        assert_eq!(l.activation_attempt("00u1", "mbl1", 301), Ok(()));
        assert_eq!(l.resend("00u1", "mbl1", 302), Err(FactorError::RateLimited));
        l.clear_factor("mbl1");
        assert_eq!(l.resend("00u1", "mbl1", 303), Ok(()));
    }

    #[test]
    fn sends_are_throttled_per_destination_and_channel() {
        let mut l = FactorLimits::default();
        assert_eq!(l.send(Channel::Sms, "+14155550100", 0), Ok(()));
        assert_eq!(
            l.send(Channel::Sms, "+14155550100", 29),
            Err(FactorError::SmsRecentlySent)
        );
        assert_eq!(l.send(Channel::Sms, "+14155550101", 29), Ok(()));
        assert_eq!(l.send(Channel::Call, "+14155550100", 29), Ok(()));
        assert_eq!(
            l.send(Channel::Call, "+14155550100", 30),
            Err(FactorError::CallRecentlyMade)
        );
        assert_eq!(l.send(Channel::Sms, "+14155550100", 30), Ok(()));
        assert_eq!(l.send(Channel::Email, "A@x.com", 0), Ok(()));
        assert_eq!(
            l.send(Channel::Email, "a@x.com", 4),
            Err(FactorError::EmailRecentlySent)
        );
        assert_eq!(l.send(Channel::Email, "a@x.com", 5), Ok(()));
    }
}
