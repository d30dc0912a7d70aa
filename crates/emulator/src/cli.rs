//! Command-line arguments of `spindle emulator`.

use std::net::SocketAddr;

use clap::Args;

use crate::{EmulatorConfig, Error, FaultSpec, RateLimitMode, parse_duration};

/// Run a local Okta org in memory (the Spindle emulator).
///
/// Prints `org_url=<url> token=<token>` as the first line on stdout, then serves until
/// SIGINT/SIGTERM. Point an Okta SDK at that URL with that API token.
///
/// Example: `spindle emulator --users 10000 --groups 200 --seed 7 --rate-limit off`
/// (add `--consistency-lag 2s --churn 60/min` to test an incremental sync)
#[derive(Clone, Args)]
pub struct EmulatorArgs {
    /// Address to listen on (use 127.0.0.1:0 for any free port).
    #[arg(long, default_value = "127.0.0.1:8089", value_name = "IP:PORT")]
    pub addr: SocketAddr,

    /// SSWS API token clients must send (`Authorization: SSWS <token>`).
    /// Example: --token 00my-local-token
    #[arg(long, env = "SPINDLE_EMULATOR_TOKEN", default_value = crate::DEFAULT_TOKEN, hide_env_values = true)]
    pub token: String,

    /// Number of synthetic users to generate at start. Example: --users 100000
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub users: usize,

    /// Number of synthetic groups to generate at start (besides Everyone). Example: --groups 500
    #[arg(long, default_value_t = 0, value_name = "G")]
    pub groups: usize,

    /// Seed of the synthetic org: the same seed always generates the same org. Example: --seed 42
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,

    /// Rate limits: `okta` (Okta's per-endpoint defaults), `off`, or N requests per window for
    /// every bucket. Example: --rate-limit 100
    #[arg(long, default_value = "okta", value_name = "okta|off|N")]
    pub rate_limit: String,

    /// Length of a rate-limit window (Okta: 60s; shorter for tests). Example: --rate-limit-window 10s
    #[arg(long, default_value = "60s", value_name = "DURATION")]
    pub rate_limit_window: String,

    /// Faults to inject: comma-separated KEY=VALUE items — `500=P`, `502=P`, `503=P`, `error=P`
    /// (5xx spread evenly), `429=P`, `burst=N/M` (N 429s at the start of every M requests),
    /// `latency=D` or `latency=D1..D2`, `drop=P` (close the connection), `truncate=P` (cut the
    /// body), `path=PREFIX` (only matching paths), `seed=N`. P is a probability in 0..1.
    /// Example: --faults 'error=0.05,latency=20ms..100ms,burst=5/200'
    #[arg(long, default_value = "none", value_name = "SPEC")]
    pub faults: String,

    /// Okta's eventual consistency: the System Log shows events only this long after they
    /// happen, and `search=` on users and groups sees their state of this long ago (`off` or
    /// `0`: everything is immediate). Example: --consistency-lag 2s
    #[arg(long, default_value = "off", value_name = "DURATION")]
    pub consistency_lag: String,

    /// Random changes to make continuously in the background, as `N/min` (users hired, edited,
    /// moved, suspended, deactivated, deleted; groups created, renamed, deleted; memberships),
    /// like `POST /__emulator/churn`. `off` or `0`: none. Example: --churn 60/min
    #[arg(long, default_value = "off", value_name = "N/min")]
    pub churn: String,
}

/// `--churn`: `N/min` (or plain `N`), `off` or `0`; at most 60,000 a minute.
fn parse_churn(v: &str) -> Result<u32, String> {
    let v = v.trim();
    if v.eq_ignore_ascii_case("off") {
        return Ok(0);
    }
    let n = v.strip_suffix("/min").unwrap_or(v).trim();
    match n.parse::<u32>() {
        Ok(n) if n <= 60_000 => Ok(n),
        _ => Err(format!(
            "expected N/min with N from 0 to 60000 (e.g. 60/min) or off, got {v:?}"
        )),
    }
}

impl std::fmt::Debug for EmulatorArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorArgs")
            .field("addr", &self.addr)
            .field("token", &"<redacted>")
            .field("users", &self.users)
            .field("groups", &self.groups)
            .field("seed", &self.seed)
            .field("rate_limit", &self.rate_limit)
            .field("rate_limit_window", &self.rate_limit_window)
            .field("faults", &self.faults)
            .field("consistency_lag", &self.consistency_lag)
            .field("churn", &self.churn)
            .finish()
    }
}

impl EmulatorArgs {
    /// Validates the arguments into an [`EmulatorConfig`].
    ///
    /// # Errors
    /// [`Error::Config`] naming the bad option and what was expected.
    pub fn into_config(self) -> Result<EmulatorConfig, Error> {
        let rate_limit: RateLimitMode = self
            .rate_limit
            .parse()
            .map_err(|e| Error::Config(format!("--rate-limit: {e}")))?;
        let rate_limit_window = parse_duration(&self.rate_limit_window)
            .map_err(|e| Error::Config(format!("--rate-limit-window: {e}")))?;
        if rate_limit_window.is_zero() {
            return Err(Error::Config(
                "--rate-limit-window: must be longer than zero".into(),
            ));
        }
        let faults: FaultSpec = self
            .faults
            .parse()
            .map_err(|e| Error::Config(format!("--faults: {e}")))?;
        let consistency_lag = if self.consistency_lag.trim().eq_ignore_ascii_case("off") {
            std::time::Duration::ZERO
        } else {
            parse_duration(&self.consistency_lag)
                .map_err(|e| Error::Config(format!("--consistency-lag: {e}")))?
        };
        let churn_per_minute =
            parse_churn(&self.churn).map_err(|e| Error::Config(format!("--churn: {e}")))?;
        if self.token.trim().is_empty() {
            return Err(Error::Config("--token: must not be empty".into()));
        }
        Ok(EmulatorConfig {
            addr: self.addr,
            token: self.token,
            users: self.users,
            groups: self.groups,
            seed: self.seed,
            rate_limit,
            rate_limit_window,
            faults,
            consistency_lag,
            churn_per_minute,
            ..EmulatorConfig::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        args: EmulatorArgs,
    }

    #[test]
    fn defaults_and_validation() {
        let cli = Cli::try_parse_from(["x"]).map_err(|e| e.to_string());
        let cfg = cli.map(|c| c.args.into_config().map_err(|e| e.to_string()));
        let cfg = match cfg {
            Ok(Ok(c)) => c,
            other => panic!("{other:?}"),
        };
        assert_eq!(cfg.addr.port(), 8089);
        assert_eq!(cfg.rate_limit, RateLimitMode::Okta);

        let with_token =
            Cli::try_parse_from(["x", "--token", "s3cr3t-token"]).map(|c| format!("{:?}", c.args));
        assert!(
            with_token.is_ok_and(|d| !d.contains("s3cr3t-token")),
            "token redacted in Debug"
        );

        let bad = Cli::try_parse_from(["x", "--faults", "500=7"]).map(|c| c.args.into_config());
        assert!(matches!(bad, Ok(Err(Error::Config(m))) if m.contains("--faults")));
        let bad = Cli::try_parse_from(["x", "--rate-limit", "lots"]).map(|c| c.args.into_config());
        assert!(matches!(bad, Ok(Err(Error::Config(m))) if m.contains("--rate-limit")));
        assert_eq!(cfg.consistency_lag, std::time::Duration::ZERO);
        assert_eq!(cfg.churn_per_minute, 0);

        let set = Cli::try_parse_from(["x", "--consistency-lag", "2s", "--churn", "120/min"])
            .map(|c| c.args.into_config().map_err(|e| e.to_string()));
        match set {
            Ok(Ok(c)) => {
                assert_eq!(c.consistency_lag, std::time::Duration::from_secs(2));
                assert_eq!(c.churn_per_minute, 120);
            }
            other => panic!("{other:?}"),
        }
        for (flag, value) in [("--consistency-lag", "soon"), ("--churn", "lots/min")] {
            let bad = Cli::try_parse_from(["x", flag, value]).map(|c| c.args.into_config());
            assert!(
                matches!(bad, Ok(Err(Error::Config(m))) if m.contains(flag)),
                "{flag}"
            );
        }
    }
}
