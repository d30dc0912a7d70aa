//! One-time passcodes: TOTP (RFC 6238) for `token:software:totp`, and the random codes Okta
//! sends by SMS, voice call and email.
//!
//! TOTP as Okta enrolls it (BEHAVIOR §9): HMAC-SHA1, 6 digits, 30 s steps, a base32 shared
//! secret (`activation.sharedSecret`, `encoding: base32`, `keyLength: 6`), and the previous or
//! next step accepted for clock skew. A code whose step was already used is refused with
//! `E0000082` (RFC 6238 §5.2: each code only once).
//!
//! Sent codes: 6 random digits. Lifetime: email `tokenLifetimeSeconds` (1–86400, default 300);
//! SMS/voice 300 s [unconfirmed: Okta documents no SMS lifetime; 5 minutes is what it shows
//! users].

use serde_json::{Value, json};
use totp_rs::{Algorithm, Builder, Secret};

use super::FactorError;

/// TOTP step (seconds).
pub const TOTP_STEP_SECS: u64 = 30;
/// TOTP code length.
pub const TOTP_DIGITS: u8 = 6;
/// Steps accepted before/after the current one.
pub const TOTP_SKEW: u16 = 1;
/// Default lifetime of a sent (SMS/voice/email) code, seconds.
pub const SENT_CODE_TTL_SECS: i64 = 300;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    if aws_lc_rs::rand::fill(&mut buf).is_err() {
        // The OS RNG is unavailable: fall back to std's randomly keyed SipHash.
        use std::hash::{BuildHasher as _, Hasher as _};
        let state = std::collections::hash_map::RandomState::new();
        for (i, b) in buf.iter_mut().enumerate() {
            let mut h = state.build_hasher();
            h.write_usize(i);
            *b = h.finish() as u8;
        }
    }
    buf
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A TOTP shared secret. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl TotpSecret {
    /// A fresh 160-bit secret (RFC 4226's recommended size).
    pub fn generate() -> Self {
        TotpSecret(random_bytes::<20>().to_vec())
    }

    /// From raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        TotpSecret(bytes.to_vec())
    }

    /// From Okta's base32 form (`sharedSecret`); `None` if it doesn't decode.
    pub fn from_base32(s: &str) -> Option<Self> {
        Secret::try_from_base32(s.trim_end_matches('='))
            .ok()
            .map(|s| TotpSecret(s.as_bytes().to_vec()))
    }

    /// The base32 form Okta returns as `sharedSecret` (no padding).
    pub fn base32(&self) -> String {
        Secret::from(self.0.clone())
            .to_base32()
            .trim_end_matches('=')
            .to_owned()
    }

    fn totp(&self, digits: u8) -> Option<totp_rs::Totp> {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(digits)
            .with_skew(TOTP_SKEW)
            .with_step_duration(TOTP_STEP_SECS)
            .with_secret(Secret::from(self.0.clone()))
            .build()
            .ok()
    }

    /// The code for Unix time `t` with `digits` digits (6 for Okta; 8 for RFC test vectors).
    pub fn code_at_with_digits(&self, t: u64, digits: u8) -> Option<String> {
        Some(self.totp(digits)?.generate(t).to_string())
    }

    /// The 6-digit code for Unix time `t` (what an authenticator app shows).
    pub fn code_at(&self, t: u64) -> Option<String> {
        self.code_at_with_digits(t, TOTP_DIGITS)
    }

    /// Checks `code` at `now`, allowing ±1 step; `last_used_step` is the step of the last code
    /// accepted for this factor.
    ///
    /// # Errors
    /// [`FactorError::InvalidPasscode`] for a wrong code, [`FactorError::PasscodeReplayed`] for
    /// a code whose step was already used. On success returns the matched step, to be stored as
    /// the new `last_used_step`.
    pub fn verify(
        &self,
        code: &str,
        now: u64,
        last_used_step: Option<u64>,
    ) -> Result<u64, FactorError> {
        let code = code.trim();
        if code.len() != usize::from(TOTP_DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FactorError::InvalidPasscode);
        }
        let totp = self.totp(TOTP_DIGITS).ok_or(FactorError::InvalidPasscode)?;
        let origin = now / TOTP_STEP_SECS;
        let window = origin.saturating_sub(u64::from(TOTP_SKEW))..=origin + u64::from(TOTP_SKEW);
        let matched = window.into_iter().find(|step| {
            let expected = totp.generate(step * TOTP_STEP_SECS).to_string();
            constant_time_eq(expected.as_bytes(), code.as_bytes())
        });
        match matched {
            None => Err(FactorError::InvalidPasscode),
            Some(step) if last_used_step.is_some_and(|last| step <= last) => {
                Err(FactorError::PasscodeReplayed)
            }
            Some(step) => Ok(step),
        }
    }

    /// The `_embedded.activation` object of a TOTP enrollment response (links added by the
    /// handler: `qrcode`).
    pub fn activation_json(&self) -> Value {
        json!({
            "timeStep": TOTP_STEP_SECS,
            "sharedSecret": self.base32(),
            "encoding": "base32",
            "keyLength": TOTP_DIGITS,
        })
    }
}

/// A code sent by SMS, voice call or email. `Debug` never shows the code.
#[derive(Clone, PartialEq, Eq)]
pub struct SentCode {
    code: String,
    /// When it stops being accepted (Unix seconds).
    pub expires_at: i64,
}

impl std::fmt::Debug for SentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentCode")
            .field("code", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl SentCode {
    /// A fresh random 6-digit code valid for `ttl_secs` from `now`.
    pub fn new(now: i64, ttl_secs: i64) -> Self {
        // Rejection sampling keeps the digits uniform.
        const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000);
        let n = loop {
            let v = u32::from_le_bytes(random_bytes::<4>());
            if v < LIMIT {
                break v % 1_000_000;
            }
        };
        SentCode {
            code: format!("{n:06}"),
            expires_at: now.saturating_add(ttl_secs),
        }
    }

    /// The code, for the emulator's admin API (`/__emulator/…`) and tests only.
    pub fn reveal(&self) -> &str {
        &self.code
    }

    /// Whether `given` is this code and it hasn't expired at `now` (constant-time compare).
    pub fn matches(&self, given: &str, now: i64) -> bool {
        now < self.expires_at && constant_time_eq(self.code.as_bytes(), given.trim().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 rows (secret "12345678901234567890", 8 digits).
    #[test]
    fn rfc_6238_sha1_test_vectors() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890");
        for (t, want) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(
                secret.code_at_with_digits(t, 8).as_deref(),
                Some(want),
                "t={t}"
            );
        }
        // The 6-digit code is the last six digits (RFC 4226 truncation mod 10^6).
        assert_eq!(secret.code_at(59).as_deref(), Some("287082"));
    }

    #[test]
    fn verification_allows_one_step_of_skew_and_refuses_reuse() {
        let secret = TotpSecret::generate();
        let now = 1_700_000_015;
        let code = |t| secret.code_at(t).unwrap_or_default();
        let step = now / 30;
        assert_eq!(secret.verify(&code(now), now, None), Ok(step));
        assert_eq!(secret.verify(&code(now - 30), now, None), Ok(step - 1));
        assert_eq!(secret.verify(&code(now + 30), now, None), Ok(step + 1));
        assert_eq!(
            secret.verify(&code(now - 90), now, None),
            Err(FactorError::InvalidPasscode)
        );
        assert_eq!(
            secret.verify(&code(now), now, Some(step)),
            Err(FactorError::PasscodeReplayed)
        );
        assert_eq!(
            secret.verify("12ab56", now, None),
            Err(FactorError::InvalidPasscode)
        );
        assert_eq!(
            secret.verify("", now, None),
            Err(FactorError::InvalidPasscode)
        );
    }

    #[test]
    fn base32_secrets_round_trip_and_shape_the_activation_object() {
        let secret = TotpSecret::generate();
        let b32 = secret.base32();
        assert_eq!(b32.len(), 32);
        assert_eq!(TotpSecret::from_base32(&b32), Some(secret.clone()));
        let a = secret.activation_json();
        assert_eq!(a["timeStep"], 30);
        assert_eq!(a["encoding"], "base32");
        assert_eq!(a["keyLength"], 6);
        assert_eq!(a["sharedSecret"], b32.as_str());
        assert!(!format!("{secret:?}").contains(&b32));
        assert_eq!(TotpSecret::from_base32("not base32!"), None);
    }

    #[test]
    fn sent_codes_are_six_digits_single_valued_and_expire() {
        let c = SentCode::new(100, 300);
        assert_eq!(c.reveal().len(), 6);
        assert!(c.reveal().bytes().all(|b| b.is_ascii_digit()));
        assert!(c.matches(c.reveal(), 399));
        assert!(!c.matches(c.reveal(), 400));
        let wrong = if c.reveal() == "000000" {
            "000001"
        } else {
            "000000"
        };
        assert!(!c.matches(wrong, 101));
        assert!(!format!("{c:?}").contains(c.reveal()));
        // Not constant: 20 codes are not all equal.
        let codes: std::collections::HashSet<String> = (0..20)
            .map(|_| SentCode::new(0, 1).reveal().to_owned())
            .collect();
        assert!(codes.len() > 1);
    }

    proptest::proptest! {
        #[test]
        fn any_submitted_code_or_secret_is_handled_without_panicking(
            code in proptest::prelude::any::<String>(),
            b32 in proptest::prelude::any::<String>(),
            now in proptest::prelude::any::<u64>(),
        ) {
            let secret = TotpSecret::from_bytes(b"12345678901234567890");
            let _ = secret.verify(&code, now, None);
            if let Some(s) = TotpSecret::from_base32(&b32) {
                let _ = s.verify(&code, now, Some(now / 30));
            }
        }
    }
}
