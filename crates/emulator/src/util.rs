//! Small helpers shared by every module: clock, timestamps, ids and a deterministic RNG.
//!
//! Timestamps are whole seconds since the Unix epoch: Okta always prints `.000` milliseconds, so
//! keeping seconds makes `lastUpdated gt "…"` comparisons behave like Okta's.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub(crate) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Epoch seconds that display as Okta's timestamps: `YYYY-MM-DDTHH:mm:ss.000Z`.
pub(crate) struct Iso(pub i64);

impl std::fmt::Display for Iso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let days = self.0.div_euclid(86_400);
        let rem = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
            rem / 3600,
            (rem / 60) % 60,
            rem % 60
        )
    }
}

/// Formats epoch seconds as Okta does: `YYYY-MM-DDTHH:mm:ss.000Z`.
pub(crate) fn fmt_ts(secs: i64) -> String {
    Iso(secs).to_string()
}

/// Formats epoch seconds as a calendar date `YYYY-MM-DD`.
pub(crate) fn fmt_date(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

// Howard Hinnant's days -> civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses an ISO-8601 / RFC 3339 timestamp (`2013-01-01T12:00:00.000-07:00`, `…Z`) or a bare
/// date (`2013-01-01`, taken as midnight UTC) into epoch seconds.
pub(crate) fn parse_ts(s: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    // Okta also accepts offsets without a colon (`-0700`) in examples.
    if s.len() > 5 {
        let (head, tail) = s.split_at(s.len() - 5);
        if (tail.starts_with('+') || tail.starts_with('-'))
            && tail[1..].bytes().all(|b| b.is_ascii_digit())
        {
            let fixed = format!("{head}{}:{}", &tail[..3], &tail[3..]);
            if let Ok(t) = time::OffsetDateTime::parse(&fixed, &Rfc3339) {
                return Some(t.unix_timestamp());
            }
        }
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt)
        .ok()
        .map(|d| d.midnight().assume_utc().unix_timestamp())
}

/// SplitMix64: a tiny, fast, deterministic generator. Its output does not depend on any crate
/// version, so a seed always produces the same synthetic org.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    /// Uniform in `0..n` (n > 0; returns 0 for n == 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
    /// Uniform float in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The SplitMix64 finaliser: a bijection on u64.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const B62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn push_b62(out: &mut String, mut v: u64, len: usize) {
    for _ in 0..len {
        out.push(B62[(v % 62) as usize] as char);
        v /= 62;
    }
}

/// An Okta-style 20-character id: 3-character type prefix (`00u`, `00g`, `0oa`), 11 characters
/// that encode a bijection of `seq` (so ids never collide), and 6 characters of org suffix.
pub(crate) fn okta_id(prefix: &str, salt: u64, seq: u64) -> String {
    let mut s = String::with_capacity(20);
    s.push_str(prefix);
    push_b62(&mut s, mix(seq ^ salt), 11);
    let rest = 20 - s.len();
    push_b62(&mut s, mix(salt ^ 0xA5A5), rest);
    s
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A random-looking token of `len` base62 characters (request ids, error ids, activation tokens).
pub(crate) fn token(len: usize) -> String {
    let base = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut rng = Rng::new(base ^ mix(COUNTER.fetch_add(1, Ordering::Relaxed)));
    let mut s = String::with_capacity(len);
    while s.len() < len {
        let n = (len - s.len()).min(10);
        push_b62(&mut s, rng.next_u64(), n);
    }
    s
}

/// Lower-cases and strips diacritics: Okta logins are unique case- and diacritic-insensitively.
pub(crate) fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_timestamps() {
        assert_eq!(fmt_ts(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(fmt_ts(1_598_552_364), "2020-08-27T18:19:24.000Z");
        assert_eq!(parse_ts("2020-08-27T18:19:24.000Z"), Some(1_598_552_364));
        assert_eq!(
            parse_ts("2013-01-01T12:00:00.000-07:00"),
            Some(1_357_066_800)
        );
        assert_eq!(
            parse_ts("2013-01-01T12:00:00.000-0700"),
            Some(1_357_066_800)
        );
        assert_eq!(parse_ts("2013-01-01"), Some(1_356_998_400));
        assert_eq!(parse_ts("yesterday"), None);
    }

    #[test]
    fn ids_have_okta_shape_and_do_not_collide() {
        let a = okta_id("00u", 7, 1);
        let b = okta_id("00u", 7, 2);
        assert_eq!(a.len(), 20);
        assert!(a.starts_with("00u"));
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn folding_ignores_case_and_diacritics() {
        assert_eq!(fold("Isáàc.Bröck@x.com"), fold("isaac.brock@X.com"));
    }
}
