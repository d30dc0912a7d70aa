//! The retry classifier: one pure function decides whether and when a request is tried again.
//!
//! Rules (pinned by the table test below):
//! - 429 → retry for every method (Okta rejected the request without acting on it), after
//!   the rate-limit reset time; without usable headers, after a capped exponential backoff.
//! - 500/502/503/504 and transport errors → capped exponential backoff with jitter, but only
//!   for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE). A POST is re-sent only when
//!   the transport failed before the request could have left the machine (connect error).
//! - Every retry spends one unit of the budget (`max_attempts`) and must fit within the
//!   call's overall deadline; otherwise the classifier gives up.

use std::time::{Duration, SystemTime};

use reqwest::Method;

/// How retries are bounded and spaced.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Maximum attempts per call, the first one included.
    pub max_attempts: u32,
    /// Backoff before the first retry (doubled per attempt).
    pub base_delay: Duration,
    /// Largest backoff between two attempts.
    pub max_delay: Duration,
    /// Overall deadline of one call, from the first attempt to the last answer,
    /// waits for rate limits included.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
            deadline: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// Sets the maximum number of attempts (1 disables retries).
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
    /// Sets the base and maximum backoff.
    pub fn with_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max;
        self
    }
    /// Sets the overall deadline per call.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }
}

/// What happened on one attempt, as far as the classifier needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP answer arrived.
    Status {
        /// Its status code.
        status: u16,
        /// Local time at which the rate-limit window resets, from `X-Rate-Limit-Reset`
        /// and `Date` (None when either header was missing or unparsable).
        reset_at: Option<SystemTime>,
    },
    /// No answer: the transport failed.
    Transport {
        /// Whether the request may have reached the server.
        maybe_sent: bool,
    },
}

/// The classifier's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAction {
    /// Return the outcome to the caller (success, or an error not worth retrying).
    Return,
    /// Try again after this wait.
    RetryAfter(Duration),
    /// It would be worth retrying, but the budget is spent.
    GiveUpBudget,
    /// It would be worth retrying, but the wait does not fit in the deadline.
    GiveUpDeadline,
}

/// Context of the attempt being classified.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// HTTP method of the request.
    pub method: &'a Method,
    /// 1-based number of the attempt that just finished.
    pub number: u32,
    /// When the call started.
    pub started: SystemTime,
    /// Now.
    pub now: SystemTime,
    /// A random number in `[0, 1)` for jitter (passed in so the function stays pure).
    pub jitter: f64,
}

/// Margin added after a rate-limit reset, because `X-Rate-Limit-Reset` and `Date` have
/// one-second resolution.
pub const RESET_MARGIN: Duration = Duration::from_millis(1000);

fn idempotent(m: &Method) -> bool {
    matches!(
        *m,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
    )
}

/// Exponential backoff for attempt `n` (1-based) with "equal jitter": half fixed, half random.
pub fn backoff(policy: &RetryPolicy, n: u32, jitter: f64) -> Duration {
    let exp = policy.base_delay.saturating_mul(
        1u32.checked_shl(n.saturating_sub(1).min(20))
            .unwrap_or(u32::MAX),
    );
    let capped = exp.min(policy.max_delay);
    let jitter = jitter.clamp(0.0, 1.0);
    capped.mul_f64(0.5 + jitter / 2.0)
}

/// Decides what to do after one attempt. Pure: no I/O, no clock, no randomness of its own.
pub fn classify(policy: &RetryPolicy, attempt: Attempt<'_>, outcome: Outcome) -> RetryAction {
    let wait = match outcome {
        Outcome::Status {
            status: 429,
            reset_at,
        } => match reset_at {
            Some(at) => at
                .duration_since(attempt.now)
                .unwrap_or(Duration::ZERO)
                .saturating_add(RESET_MARGIN),
            // No usable headers: Okta's windows are a minute; back off, at least a second.
            None => backoff(policy, attempt.number, attempt.jitter).max(Duration::from_secs(1)),
        },
        Outcome::Status {
            status: 500 | 502 | 503 | 504,
            ..
        } => {
            if !idempotent(attempt.method) {
                return RetryAction::Return;
            }
            backoff(policy, attempt.number, attempt.jitter)
        }
        Outcome::Status { .. } => return RetryAction::Return,
        Outcome::Transport { maybe_sent } => {
            if maybe_sent && !idempotent(attempt.method) {
                return RetryAction::Return;
            }
            backoff(policy, attempt.number, attempt.jitter)
        }
    };
    if attempt.number >= policy.max_attempts {
        return RetryAction::GiveUpBudget;
    }
    let elapsed = attempt
        .now
        .duration_since(attempt.started)
        .unwrap_or(Duration::ZERO);
    if elapsed.saturating_add(wait) > policy.deadline {
        return RetryAction::GiveUpDeadline;
    }
    RetryAction::RetryAfter(wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use RetryAction::*;

    fn t(s: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + s)
    }

    fn st(status: u16) -> Outcome {
        Outcome::Status {
            status,
            reset_at: None,
        }
    }

    #[test]
    fn classification_table() {
        let policy = RetryPolicy::default()
            .with_max_attempts(4)
            .with_backoff(Duration::from_millis(100), Duration::from_secs(2))
            .with_deadline(Duration::from_secs(60));
        let reset_in_10s = Outcome::Status {
            status: 429,
            reset_at: Some(t(10)),
        };
        let ms = Duration::from_millis;
        // (method, attempt number, seconds since start, outcome, jitter, expected)
        let table: Vec<(Method, u32, u64, Outcome, f64, RetryAction)> = vec![
            // success and client errors are returned as they are
            (Method::GET, 1, 0, st(200), 0.0, Return),
            (Method::POST, 1, 0, st(201), 0.0, Return),
            (Method::GET, 1, 0, st(400), 0.0, Return),
            (Method::GET, 1, 0, st(401), 0.0, Return),
            (Method::DELETE, 1, 0, st(404), 0.0, Return),
            (Method::GET, 1, 0, st(501), 0.0, Return),
            // 429: wait until the reset (+ margin), for every method
            (Method::GET, 1, 0, reset_in_10s, 0.0, RetryAfter(ms(11_000))),
            (
                Method::POST,
                1,
                0,
                reset_in_10s,
                0.9,
                RetryAfter(ms(11_000)),
            ),
            // 429 whose reset already passed: just the margin
            (Method::GET, 1, 20, reset_in_10s, 0.0, RetryAfter(ms(1000))),
            // 429 without headers: backoff, at least a second
            (Method::GET, 1, 0, st(429), 0.0, RetryAfter(ms(1000))),
            // 429 whose reset does not fit in the deadline
            (
                Method::GET,
                1,
                0,
                Outcome::Status {
                    status: 429,
                    reset_at: Some(t(100)),
                },
                0.0,
                GiveUpDeadline,
            ),
            // 5xx: jittered exponential backoff for idempotent methods
            (Method::GET, 1, 0, st(500), 0.0, RetryAfter(ms(50))),
            (Method::GET, 1, 0, st(502), 1.0, RetryAfter(ms(100))),
            (Method::PUT, 2, 0, st(503), 0.0, RetryAfter(ms(100))),
            (Method::DELETE, 3, 0, st(504), 1.0, RetryAfter(ms(400))),
            // ... capped
            (Method::GET, 3, 0, st(503), 1.0, RetryAfter(ms(400))),
            // POST is never re-sent after a 5xx: Okta may have acted on it
            (Method::POST, 1, 0, st(500), 0.0, Return),
            (Method::POST, 1, 0, st(503), 0.0, Return),
            // transport errors
            (
                Method::GET,
                1,
                0,
                Outcome::Transport { maybe_sent: true },
                0.0,
                RetryAfter(ms(50)),
            ),
            (
                Method::POST,
                1,
                0,
                Outcome::Transport { maybe_sent: true },
                0.0,
                Return,
            ),
            (
                Method::POST,
                1,
                0,
                Outcome::Transport { maybe_sent: false },
                0.0,
                RetryAfter(ms(50)),
            ),
            // budget: attempt 4 of 4 was the last
            (Method::GET, 4, 0, st(503), 0.0, GiveUpBudget),
            (Method::GET, 4, 0, reset_in_10s, 0.0, GiveUpBudget),
            // deadline: 59.99 s elapsed, no room for another wait
            (Method::GET, 2, 60, st(503), 0.0, GiveUpDeadline),
        ];
        for (i, (method, number, elapsed, outcome, jitter, expected)) in
            table.into_iter().enumerate()
        {
            let got = classify(
                &policy,
                Attempt {
                    method: &method,
                    number,
                    started: t(0),
                    now: t(elapsed),
                    jitter,
                },
                outcome,
            );
            assert_eq!(got, expected, "row {i}: {method} #{number} {outcome:?}");
        }
    }

    #[test]
    fn backoff_is_capped_for_huge_attempt_numbers() {
        let p = RetryPolicy::default();
        assert_eq!(backoff(&p, u32::MAX, 1.0), p.max_delay);
    }
}
