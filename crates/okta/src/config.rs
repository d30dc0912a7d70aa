//! Client configuration: from code, from the official SDKs' environment variables, or from
//! `okta.yaml` files as the SDKs read them.
//!
//! Precedence (later wins), as in Okta's SDKs: `~/.okta/okta.yaml`, then `./.okta.yaml`,
//! then environment variables, then whatever the code sets on the returned [`Config`].
//!
//! | okta.yaml (`okta.client.*`) | environment | meaning |
//! |---|---|---|
//! | `orgUrl` | `OKTA_CLIENT_ORGURL` | `https://{yourOktaDomain}` |
//! | `token` | `OKTA_CLIENT_TOKEN` | SSWS API token |
//! | `authorizationMode` | `OKTA_CLIENT_AUTHORIZATIONMODE` | `SSWS` (default) or `PrivateKey` |
//! | `clientId` | `OKTA_CLIENT_CLIENTID` | service app client id |
//! | `scopes` (list or comma/space separated) | `OKTA_CLIENT_SCOPES` | OAuth scopes |
//! | `privateKey` (PEM, JWK or file path) | `OKTA_CLIENT_PRIVATEKEY` | signing key |
//! | `kid` / `keyId` / `privateKeyId` | `OKTA_CLIENT_KEYID` / `OKTA_CLIENT_PRIVATEKEYID` | key id |

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde_yaml_ng::Value as Yaml;
use url::Url;

use crate::auth::{Credentials, PrivateKeyAuth, SigningKey};
use crate::observe::CallObserver;
use crate::transport::retry::RetryPolicy;
use crate::{Error, Result};

/// Everything a [`Client`](crate::Client) needs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Base URL of the org, e.g. `https://example.okta.com`.
    pub org_url: Url,
    /// How to authenticate.
    pub credentials: Credentials,
    /// Share of each rate-limit bucket this client may use (0 < share ≤ 1; default 1).
    pub rate_limit_share: f64,
    /// Whether to pace requests from the rate-limit headers (default true).
    pub pacing: bool,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Timeout of one attempt.
    pub attempt_timeout: Duration,
    /// `User-Agent` header.
    pub user_agent: String,
    /// Told about every HTTP attempt (see [`crate::observe`]); none by default.
    pub observer: Option<Arc<dyn CallObserver>>,
    /// Which resolved addresses connections may go to; all by default.
    pub address_filter: Option<crate::AddressFilter>,
    /// The rate-limit budget shared with clients of the same org in other processes; none by
    /// default (this client's pacer is then exact for its own requests only).
    pub rate_ledger: Option<Arc<dyn crate::RateLedger>>,
}

impl Config {
    /// A configuration for `org_url` with `credentials` and defaults for everything else.
    ///
    /// # Errors
    /// [`Error::Config`] if `org_url` is not an absolute http(s) URL.
    pub fn new(org_url: &str, credentials: Credentials) -> Result<Self> {
        let org_url = Url::parse(org_url.trim_end_matches('/'))
            .map_err(|e| Error::Config(format!("orgUrl `{org_url}`: {e}")))?;
        if !matches!(org_url.scheme(), "https" | "http") || org_url.host().is_none() {
            return Err(Error::Config(format!(
                "orgUrl `{org_url}` must be an http(s) URL"
            )));
        }
        Ok(Self {
            org_url,
            credentials,
            rate_limit_share: 1.0,
            pacing: true,
            retry: RetryPolicy::default(),
            attempt_timeout: Duration::from_secs(60),
            user_agent: concat!("spindle-okta/", env!("CARGO_PKG_VERSION")).to_owned(),
            observer: None,
            address_filter: None,
            rate_ledger: None,
        })
    }

    /// A configuration with an SSWS API token.
    ///
    /// # Errors
    /// As [`Config::new`].
    pub fn with_api_token(org_url: &str, token: impl Into<String>) -> Result<Self> {
        Self::new(
            org_url,
            Credentials::ApiToken(SecretString::from(token.into())),
        )
    }

    /// Uses at most `share` (e.g. 0.5) of every rate-limit bucket.
    pub fn rate_limit_share(mut self, share: f64) -> Self {
        self.rate_limit_share = share;
        self
    }

    /// Turns proactive pacing on or off (429s are still retried).
    pub fn pacing(mut self, on: bool) -> Self {
        self.pacing = on;
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the timeout of one attempt.
    pub fn attempt_timeout(mut self, t: Duration) -> Self {
        self.attempt_timeout = t;
        self
    }

    /// Connects only to resolved addresses `filter` allows (against DNS rebinding: the check
    /// happens on the addresses actually connected to). IP-literal hosts are not resolved and not
    /// filtered: check those before building the client.
    pub fn address_filter(mut self, filter: crate::AddressFilter) -> Self {
        self.address_filter = Some(filter);
        self
    }

    /// Shares every bucket's budget (`limit × share` per window) with the other clients of the
    /// org attached to `ledger`, in this process or others: each request then holds a grant
    /// claimed from the ledger, and the probe after a reset is sent once for all of them (see
    /// [`crate::transport::ledger`]). When the ledger fails the client paces on its own.
    pub fn rate_ledger(mut self, ledger: Arc<dyn crate::RateLedger>) -> Self {
        self.rate_ledger = Some(ledger);
        self
    }

    /// Reports every HTTP attempt (API calls, retries, token requests) to `observer`.
    pub fn observer(mut self, observer: Arc<dyn CallObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Loads the configuration as the official SDKs do: `~/.okta/okta.yaml`, then
    /// `./.okta.yaml`, then `OKTA_CLIENT_*` environment variables.
    ///
    /// # Errors
    /// [`Error::Config`] when a file is unreadable or the result is incomplete.
    pub fn from_sdk_sources() -> Result<Self> {
        let mut s = Settings::default();
        if let Some(home) = std::env::var_os("HOME") {
            s.merge_yaml_file(&Path::new(&home).join(".okta").join("okta.yaml"))?;
        }
        s.merge_yaml_file(Path::new(".okta.yaml"))?;
        s.merge_env(|k| std::env::var(k).ok());
        s.into_config()
    }

    /// Reads `OKTA_CLIENT_*` environment variables only.
    ///
    /// # Errors
    /// [`Error::Config`] when a required variable is missing or invalid.
    pub fn from_env() -> Result<Self> {
        let mut s = Settings::default();
        s.merge_env(|k| std::env::var(k).ok());
        s.into_config()
    }

    /// Reads an `okta.yaml` document.
    ///
    /// # Errors
    /// [`Error::Config`] when the YAML is invalid or incomplete.
    pub fn from_yaml_str(yaml: &str) -> Result<Self> {
        let mut s = Settings::default();
        s.merge_yaml(yaml)?;
        s.into_config()
    }
}

/// Raw settings before validation (one source merged over another).
#[derive(Debug, Default, Clone)]
pub(crate) struct Settings {
    org_url: Option<String>,
    token: Option<SecretString>,
    mode: Option<String>,
    client_id: Option<String>,
    scopes: Option<Vec<String>>,
    private_key: Option<SecretString>,
    key_id: Option<String>,
}

fn split_scopes(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Settings {
    fn merge_yaml_file(&mut self, path: &Path) -> Result<()> {
        match std::fs::read_to_string(path) {
            Ok(text) => self
                .merge_yaml(&text)
                .map_err(|e| Error::Config(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::Config(format!("{}: {e}", path.display()))),
        }
    }

    pub(crate) fn merge_yaml(&mut self, text: &str) -> Result<()> {
        let doc: Yaml = serde_yaml_ng::from_str(text)
            .map_err(|e| Error::Config(format!("invalid okta.yaml: {e}")))?;
        let client = &doc["okta"]["client"];
        let s = |k: &str| match &client[k] {
            Yaml::String(s) => Some(s.clone()),
            Yaml::Number(n) => Some(n.to_string()),
            _ => None,
        };
        if let Some(v) = s("orgUrl") {
            self.org_url = Some(v);
        }
        if let Some(v) = s("token") {
            self.token = Some(SecretString::from(v));
        }
        if let Some(v) = s("authorizationMode") {
            self.mode = Some(v);
        }
        if let Some(v) = s("clientId") {
            self.client_id = Some(v);
        }
        match &client["scopes"] {
            Yaml::Sequence(seq) => {
                self.scopes = Some(
                    seq.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                );
            }
            Yaml::String(v) => self.scopes = Some(split_scopes(v)),
            _ => {}
        }
        if let Some(v) = s("privateKey") {
            self.private_key = Some(SecretString::from(v));
        }
        if let Some(v) = s("kid")
            .or_else(|| s("keyId"))
            .or_else(|| s("privateKeyId"))
        {
            self.key_id = Some(v);
        }
        Ok(())
    }

    pub(crate) fn merge_env(&mut self, get: impl Fn(&str) -> Option<String>) {
        let get = |k: &str| get(k).filter(|v| !v.is_empty());
        if let Some(v) = get("OKTA_CLIENT_ORGURL") {
            self.org_url = Some(v);
        }
        if let Some(v) = get("OKTA_CLIENT_TOKEN") {
            self.token = Some(SecretString::from(v));
        }
        if let Some(v) = get("OKTA_CLIENT_AUTHORIZATIONMODE") {
            self.mode = Some(v);
        }
        if let Some(v) = get("OKTA_CLIENT_CLIENTID") {
            self.client_id = Some(v);
        }
        if let Some(v) = get("OKTA_CLIENT_SCOPES") {
            self.scopes = Some(split_scopes(&v));
        }
        if let Some(v) = get("OKTA_CLIENT_PRIVATEKEY") {
            self.private_key = Some(SecretString::from(v));
        }
        if let Some(v) = get("OKTA_CLIENT_KEYID").or_else(|| get("OKTA_CLIENT_PRIVATEKEYID")) {
            self.key_id = Some(v);
        }
    }

    pub(crate) fn into_config(self) -> Result<Config> {
        use secrecy::ExposeSecret;
        let org = self
            .org_url
            .ok_or_else(|| Error::Config("orgUrl / OKTA_CLIENT_ORGURL is not set".into()))?;
        let mode = self.mode.unwrap_or_else(|| "SSWS".into());
        let creds = if mode.eq_ignore_ascii_case("SSWS") {
            let t = self
                .token
                .ok_or_else(|| Error::Config("token / OKTA_CLIENT_TOKEN is not set".into()))?;
            Credentials::ApiToken(t)
        } else if mode.eq_ignore_ascii_case("PrivateKey") {
            let client_id = self.client_id.ok_or_else(|| {
                Error::Config("clientId / OKTA_CLIENT_CLIENTID is required for PrivateKey".into())
            })?;
            let scopes = self.scopes.filter(|s| !s.is_empty()).ok_or_else(|| {
                Error::Config("scopes / OKTA_CLIENT_SCOPES is required for PrivateKey".into())
            })?;
            let key = self.private_key.ok_or_else(|| {
                Error::Config(
                    "privateKey / OKTA_CLIENT_PRIVATEKEY is required for PrivateKey".into(),
                )
            })?;
            let text = key.expose_secret();
            let trimmed = text.trim();
            let key_text = if trimmed.starts_with("-----") || trimmed.starts_with('{') {
                SecretString::from(trimmed.to_owned())
            } else {
                // A path to a key file, as the SDKs accept.
                let content = std::fs::read_to_string(trimmed).map_err(|e| {
                    Error::Config(format!(
                        "privateKey is neither a key nor a readable file: {e}"
                    ))
                })?;
                SecretString::from(content)
            };
            let key = SigningKey::parse(key_text.expose_secret())?.with_kid(self.key_id);
            Credentials::PrivateKey(Box::new(PrivateKeyAuth::new(client_id, scopes, key)))
        } else {
            return Err(Error::Config(format!(
                "authorizationMode `{mode}` is not supported (SSWS or PrivateKey)"
            )));
        };
        Config::new(&org, creds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::pkcs8::EncodePrivateKey;

    #[test]
    fn env_overrides_yaml_and_ssws_is_default() {
        let mut s = Settings::default();
        s.merge_yaml("okta:\n  client:\n    orgUrl: https://a.okta.com\n    token: fromyaml\n")
            .unwrap();
        s.merge_env(|k| (k == "OKTA_CLIENT_ORGURL").then(|| "https://b.okta.com".to_owned()));
        let c = s.into_config().unwrap();
        assert_eq!(c.org_url.as_str(), "https://b.okta.com/");
        assert!(matches!(c.credentials, Credentials::ApiToken(_)));
        assert!(!format!("{c:?}").contains("fromyaml"));
    }

    #[test]
    fn private_key_mode_from_yaml() {
        let sk = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let pem = sk.to_pkcs8_pem(Default::default()).unwrap().to_string();
        let indented = pem.replace('\n', "\n      ");
        let yaml = format!(
            "okta:\n  client:\n    orgUrl: https://a.okta.com\n    authorizationMode: PrivateKey\n    clientId: 0oa1\n    scopes:\n      - okta.users.read\n      - okta.groups.read\n    kid: key-1\n    privateKey: |\n      {indented}\n"
        );
        let c = Config::from_yaml_str(&yaml).unwrap();
        let Credentials::PrivateKey(p) = c.credentials else {
            panic!("expected private key auth")
        };
        assert_eq!(p.client_id, "0oa1");
        assert_eq!(p.scopes, ["okta.users.read", "okta.groups.read"]);
        assert_eq!(p.key.kid(), Some("key-1"));
        assert_eq!(p.key.alg(), "ES256");
    }

    #[test]
    fn env_scopes_and_missing_values() {
        let mut s = Settings::default();
        s.merge_env(|k| match k {
            "OKTA_CLIENT_ORGURL" => Some("https://a.okta.com".into()),
            "OKTA_CLIENT_AUTHORIZATIONMODE" => Some("PrivateKey".into()),
            "OKTA_CLIENT_CLIENTID" => Some("0oa1".into()),
            "OKTA_CLIENT_SCOPES" => Some("okta.users.read,okta.users.manage".into()),
            _ => None,
        });
        let e = s.clone().into_config().unwrap_err();
        assert!(e.to_string().contains("OKTA_CLIENT_PRIVATEKEY"), "{e}");
        assert_eq!(
            s.scopes.as_deref(),
            Some(&["okta.users.read".to_owned(), "okta.users.manage".to_owned()][..])
        );
        let e = Settings::default().into_config().unwrap_err();
        assert!(e.to_string().contains("OKTA_CLIENT_ORGURL"));
        assert!(Config::with_api_token("not a url", "t").is_err());
    }
}
