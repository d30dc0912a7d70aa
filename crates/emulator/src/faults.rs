//! Fault injection: server errors, latency, dropped connections, truncated bodies, 429 bursts.
//!
//! Faults are set at start (`--faults SPEC`) and changed at run time (`PUT /__emulator/faults`).
//! They never apply to the admin API. Grammar of SPEC (comma-separated items, any order):
//!
//! | item | meaning |
//! |---|---|
//! | `500=P`, `502=P`, `503=P` | probability P (0..1) of answering that status with Okta's E0000009 body |
//! | `error=P` | probability P of a 5xx, spread evenly over 500/502/503 |
//! | `429=P` | probability P of a 429 E0000047 (rate-limit headers with Remaining 0) |
//! | `burst=N/M` | 429 for N consecutive requests at the start of every M requests (deterministic) |
//! | `latency=D` or `latency=D1..D2` | added latency (fixed, or uniform in the range); D like `200ms`, `1s` |
//! | `drop=P` | probability P of closing the connection without a complete response |
//! | `truncate=P` | probability P of cutting the body in half (Content-Length still announces the whole) |
//! | `path=PREFIX` | only requests whose path starts with PREFIX are affected |
//! | `seed=N` | seed of the fault RNG (default 0), for reproducible runs |
//!
//! `none` or the empty string means no faults. Example: `error=0.05,latency=50ms..200ms,burst=5/100`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use parking_lot::Mutex;

use crate::ratelimit::parse_duration;
use crate::util::Rng;

/// A parsed `--faults` specification. See the module docs for the grammar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultSpec {
    /// Probability of a 500.
    pub p500: f64,
    /// Probability of a 502.
    pub p502: f64,
    /// Probability of a 503.
    pub p503: f64,
    /// Probability of a 429.
    pub p429: f64,
    /// `burst=N/M`: N 429s at the start of every M requests.
    pub burst: Option<(u64, u64)>,
    /// Added latency range (min, max).
    pub latency: Option<(Duration, Duration)>,
    /// Probability of dropping the connection.
    pub drop: f64,
    /// Probability of truncating the body.
    pub truncate: f64,
    /// Only paths starting with this prefix are affected.
    pub path: Option<String>,
    /// Seed of the fault RNG.
    pub seed: u64,
}

impl FaultSpec {
    /// Whether this spec injects nothing.
    pub fn is_none(&self) -> bool {
        self.p500 == 0.0
            && self.p502 == 0.0
            && self.p503 == 0.0
            && self.p429 == 0.0
            && self.burst.is_none()
            && self.latency.is_none()
            && self.drop == 0.0
            && self.truncate == 0.0
    }
}

fn prob(key: &str, v: &str) -> Result<f64, String> {
    let p: f64 = v
        .parse()
        .map_err(|_| format!("`{key}` needs a probability between 0 and 1, got `{v}`"))?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!(
            "`{key}` needs a probability between 0 and 1, got `{v}`"
        ))
    }
}

impl FromStr for FaultSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut spec = FaultSpec::default();
        let s = s.trim();
        if s.is_empty() || s == "none" {
            return Ok(spec);
        }
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| format!("fault item `{item}` is not KEY=VALUE"))?;
            match key.trim() {
                "500" => spec.p500 = prob(key, value)?,
                "502" => spec.p502 = prob(key, value)?,
                "503" => spec.p503 = prob(key, value)?,
                "429" => spec.p429 = prob(key, value)?,
                "error" => {
                    let p = prob(key, value)? / 3.0;
                    (spec.p500, spec.p502, spec.p503) = (p, p, p);
                }
                "drop" => spec.drop = prob(key, value)?,
                "truncate" => spec.truncate = prob(key, value)?,
                "latency" => {
                    let (a, b) = match value.split_once("..") {
                        Some((a, b)) => (parse_duration(a)?, parse_duration(b)?),
                        None => {
                            let d = parse_duration(value)?;
                            (d, d)
                        }
                    };
                    if b < a {
                        return Err(format!(
                            "latency range `{value}` has its maximum below its minimum"
                        ));
                    }
                    spec.latency = Some((a, b));
                }
                "burst" => {
                    let (n, m) = value
                        .split_once('/')
                        .and_then(|(n, m)| Some((n.parse::<u64>().ok()?, m.parse::<u64>().ok()?)))
                        .filter(|(n, m)| *m > 0 && n <= m)
                        .ok_or_else(|| {
                            format!("`burst` needs N/M with 0 <= N <= M and M > 0, got `{value}`")
                        })?;
                    spec.burst = Some((n, m));
                }
                "path" => spec.path = Some(value.to_owned()),
                "seed" => {
                    spec.seed = value
                        .parse()
                        .map_err(|_| format!("`seed` needs an integer, got `{value}`"))?
                }
                other => {
                    return Err(format!(
                        "unknown fault `{other}` (known: 500, 502, 503, error, 429, burst, latency, drop, truncate, path, seed)"
                    ));
                }
            }
        }
        let total = spec.p500 + spec.p502 + spec.p503 + spec.p429 + spec.drop + spec.truncate;
        if total > 1.0 + 1e-9 {
            return Err(format!(
                "fault probabilities add up to {total}, more than 1"
            ));
        }
        Ok(spec)
    }
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items = Vec::new();
        for (k, p) in [
            ("500", self.p500),
            ("502", self.p502),
            ("503", self.p503),
            ("429", self.p429),
        ] {
            if p > 0.0 {
                items.push(format!("{k}={p}"));
            }
        }
        if let Some((n, m)) = self.burst {
            items.push(format!("burst={n}/{m}"));
        }
        if let Some((a, b)) = self.latency {
            if a == b {
                items.push(format!("latency={}ms", a.as_millis()));
            } else {
                items.push(format!("latency={}ms..{}ms", a.as_millis(), b.as_millis()));
            }
        }
        if self.drop > 0.0 {
            items.push(format!("drop={}", self.drop));
        }
        if self.truncate > 0.0 {
            items.push(format!("truncate={}", self.truncate));
        }
        if let Some(p) = &self.path {
            items.push(format!("path={p}"));
        }
        if self.seed != 0 {
            items.push(format!("seed={}", self.seed));
        }
        if items.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&items.join(","))
        }
    }
}

/// What to do to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Answer with this 5xx status.
    Error(u16),
    /// Answer 429.
    TooMany,
    /// Close the connection without a complete response.
    Drop,
    /// Send half the body.
    Truncate,
}

/// The decision for one request: latency plus at most one fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Decision {
    pub latency: Option<Duration>,
    pub fault: Option<Fault>,
}

/// Current faults and their RNG.
#[derive(Debug)]
pub(crate) struct Faults {
    inner: Mutex<(FaultSpec, Rng, u64)>,
}

impl Faults {
    pub(crate) fn new(spec: FaultSpec) -> Self {
        let rng = Rng::new(spec.seed);
        Faults {
            inner: Mutex::new((spec, rng, 0)),
        }
    }

    pub(crate) fn set(&self, spec: FaultSpec) {
        let rng = Rng::new(spec.seed);
        *self.inner.lock() = (spec, rng, 0);
    }

    pub(crate) fn get(&self) -> FaultSpec {
        self.inner.lock().0.clone()
    }

    /// Decides the fate of a request to `path`.
    pub(crate) fn decide(&self, path: &str) -> Decision {
        let mut g = self.inner.lock();
        let (spec, rng, counter) = &mut *g;
        if spec.is_none() || spec.path.as_deref().is_some_and(|p| !path.starts_with(p)) {
            return Decision::default();
        }
        let n = *counter;
        *counter += 1;
        let latency = spec.latency.map(|(a, b)| {
            if a == b {
                a
            } else {
                a + (b - a).mul_f64(rng.unit())
            }
        });
        if let Some((burst, every)) = spec.burst
            && n % every < burst
        {
            return Decision {
                latency,
                fault: Some(Fault::TooMany),
            };
        }
        let x = rng.unit();
        let mut acc = 0.0;
        let table = [
            (spec.p500, Fault::Error(500)),
            (spec.p502, Fault::Error(502)),
            (spec.p503, Fault::Error(503)),
            (spec.p429, Fault::TooMany),
            (spec.drop, Fault::Drop),
            (spec.truncate, Fault::Truncate),
        ];
        for (p, fault) in table {
            acc += p;
            if x < acc {
                return Decision {
                    latency,
                    fault: Some(fault),
                };
            }
        }
        Decision {
            latency,
            fault: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_specs() {
        let s: FaultSpec = "500=0.1,latency=10ms..20ms,burst=2/10,path=/api/v1/users,seed=3"
            .parse()
            .unwrap_or_default();
        assert_eq!(s.p500, 0.1);
        assert_eq!(s.burst, Some((2, 10)));
        assert_eq!(
            s.latency,
            Some((Duration::from_millis(10), Duration::from_millis(20)))
        );
        let again: FaultSpec = s.to_string().parse().unwrap_or_default();
        assert_eq!(again, s);
        assert!(
            "".parse::<FaultSpec>()
                .map(|s| s.is_none())
                .unwrap_or(false)
        );
        assert!("500=2".parse::<FaultSpec>().is_err());
        assert!("explode=1".parse::<FaultSpec>().is_err());
        assert!("500=0.6,drop=0.6".parse::<FaultSpec>().is_err());
    }

    #[test]
    fn burst_is_deterministic() {
        let f = Faults::new("burst=2/5".parse().unwrap_or_default());
        let got: Vec<bool> = (0..10)
            .map(|_| f.decide("/api/v1/users").fault == Some(Fault::TooMany))
            .collect();
        assert_eq!(
            got,
            [
                true, true, false, false, false, true, true, false, false, false
            ]
        );
    }

    #[test]
    fn probability_one_always_fires_and_path_filter_applies() {
        let f = Faults::new("503=1,path=/api/v1/groups".parse().unwrap_or_default());
        assert_eq!(f.decide("/api/v1/groups/x").fault, Some(Fault::Error(503)));
        assert_eq!(f.decide("/api/v1/users").fault, None);
    }
}
