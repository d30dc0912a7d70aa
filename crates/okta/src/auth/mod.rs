//! Credentials: SSWS API tokens, OAuth 2.0 client credentials with `private_key_jwt`
//! (token cached and renewed before expiry, one renewal shared by concurrent callers), and
//! DPoP-bound tokens (a fresh proof per request, server nonces remembered).
//!
//! Token requests follow the official SDKs: the first request is sent without a DPoP
//! proof unless DPoP is known to be required; an `invalid_dpop_proof` answer switches DPoP
//! on, and a `use_dpop_nonce` answer supplies the nonce for the next proof.

mod keys;

use std::sync::Mutex as StdMutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use reqwest::header::{HeaderMap, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Digest;
use url::Url;

pub use keys::SigningKey;
use keys::random_jti;

use crate::observe::{CallKind, CallObserver, Pending};
use crate::transport::clock::Clock;
use crate::{Error, Result};

/// Lifetime of a client assertion.
const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);
/// Renew a token this long before it expires (or at half its life if that is shorter).
const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// How the client authenticates.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// `Authorization: SSWS <token>`.
    ApiToken(SecretString),
    /// OAuth 2.0 client credentials with a signed client assertion (`private_key_jwt`).
    PrivateKey(Box<PrivateKeyAuth>),
    /// A ready-made access token sent as `Authorization: Bearer <token>` (for example an
    /// end user's token for the MyAccount API).
    AccessToken(SecretString),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::ApiToken(_) => f.write_str("ApiToken([REDACTED])"),
            Credentials::AccessToken(_) => f.write_str("AccessToken([REDACTED])"),
            Credentials::PrivateKey(p) => f.debug_tuple("PrivateKey").field(p).finish(),
        }
    }
}

/// When DPoP proofs are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DpopMode {
    /// Only when the authorization server demands it (`invalid_dpop_proof`).
    #[default]
    Auto,
    /// Always (the app is known to require DPoP-bound tokens).
    Always,
}

/// Settings of OAuth 2.0 client credentials with `private_key_jwt`.
#[derive(Clone, Debug)]
pub struct PrivateKeyAuth {
    /// The service app's client id.
    pub client_id: String,
    /// Requested scopes, e.g. `okta.users.read`.
    pub scopes: Vec<String>,
    /// The key whose public half is in the app's JWKS.
    pub key: SigningKey,
    /// Token endpoint; defaults to `{orgUrl}/oauth2/v1/token`.
    pub token_url: Option<Url>,
    /// When to use DPoP.
    pub dpop: DpopMode,
    /// Key for DPoP proofs; a fresh P-256 key is generated when absent.
    pub dpop_key: Option<SigningKey>,
}

impl PrivateKeyAuth {
    /// Client credentials for `client_id` with `scopes`, signing with `key`.
    pub fn new(client_id: impl Into<String>, scopes: Vec<String>, key: SigningKey) -> Self {
        Self {
            client_id: client_id.into(),
            scopes,
            key,
            token_url: None,
            dpop: DpopMode::Auto,
            dpop_key: None,
        }
    }
    /// Overrides the token endpoint (e.g. the Aerial org's).
    pub fn token_url(mut self, url: Url) -> Self {
        self.token_url = Some(url);
        self
    }
    /// Sets the DPoP mode.
    pub fn dpop(mut self, mode: DpopMode) -> Self {
        self.dpop = mode;
        self
    }
    /// Uses this key for DPoP proofs (RS256 or ES256).
    pub fn dpop_key(mut self, key: SigningKey) -> Self {
        self.dpop_key = Some(key);
        self
    }
}

struct CachedToken {
    token: SecretString,
    dpop: bool,
    renew_at: SystemTime,
}

pub(crate) struct OAuth {
    cfg: PrivateKeyAuth,
    token_url: Url,
    dpop_key: SigningKey,
    dpop_required: AtomicBool,
    nonce: StdMutex<Option<String>>,
    cache: tokio::sync::Mutex<Option<CachedToken>>,
    fetches: AtomicU64,
}

pub(crate) enum Auth {
    Ssws(SecretString),
    Static(SecretString),
    Oauth(Box<OAuth>),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Auth::Ssws(_) => "Auth::Ssws",
            Auth::Static(_) => "Auth::Bearer",
            Auth::Oauth(_) => "Auth::OAuth",
        })
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize, Default)]
struct OAuthError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn sensitive(v: String) -> Result<HeaderValue> {
    let mut h = HeaderValue::try_from(v)
        .map_err(|_| Error::Auth("credential contains invalid header characters".into()))?;
    h.set_sensitive(true);
    Ok(h)
}

impl Auth {
    pub(crate) fn new(creds: Credentials, org_url: &Url) -> Result<Self> {
        Ok(match creds {
            Credentials::ApiToken(t) => Auth::Ssws(t),
            Credentials::AccessToken(t) => Auth::Static(t),
            Credentials::PrivateKey(cfg) => {
                let cfg = *cfg;
                let token_url = match &cfg.token_url {
                    Some(u) => u.clone(),
                    None => org_url
                        .join("/oauth2/v1/token")
                        .map_err(|e| Error::Config(format!("token URL: {e}")))?,
                };
                let dpop_key = cfg
                    .dpop_key
                    .clone()
                    .unwrap_or_else(SigningKey::generate_es256);
                Auth::Oauth(Box::new(OAuth {
                    dpop_required: AtomicBool::new(cfg.dpop == DpopMode::Always),
                    cfg,
                    token_url,
                    dpop_key,
                    nonce: StdMutex::new(None),
                    cache: tokio::sync::Mutex::new(None),
                    fetches: AtomicU64::new(0),
                }))
            }
        })
    }

    /// Number of access tokens fetched so far (OAuth only).
    pub(crate) fn token_fetches(&self) -> u64 {
        match self {
            Auth::Oauth(o) => o.fetches.load(Ordering::Relaxed),
            _ => 0,
        }
    }

    /// Adds `Authorization` (and `DPoP`) headers for one attempt of a request.
    pub(crate) async fn apply(
        &self,
        http: &reqwest::Client,
        clock: &dyn Clock,
        observer: Option<&dyn CallObserver>,
        method: &reqwest::Method,
        url: &Url,
        headers: &mut HeaderMap,
    ) -> Result<()> {
        match self {
            Auth::Ssws(t) => {
                headers.insert(
                    "authorization",
                    sensitive(format!("SSWS {}", t.expose_secret()))?,
                );
            }
            Auth::Static(t) => {
                headers.insert(
                    "authorization",
                    sensitive(format!("Bearer {}", t.expose_secret()))?,
                );
            }
            Auth::Oauth(o) => {
                let (token, dpop) = o.token(http, clock, observer).await?;
                if dpop {
                    let proof = o.proof(clock, method.as_str(), url, Some(&token));
                    headers.insert(
                        "authorization",
                        sensitive(format!("DPoP {}", token.expose_secret()))?,
                    );
                    headers.insert("dpop", sensitive(proof)?);
                } else {
                    headers.insert(
                        "authorization",
                        sensitive(format!("Bearer {}", token.expose_secret()))?,
                    );
                }
            }
        }
        Ok(())
    }

    /// Looks at an answer for auth-related news. Returns true when the request should be
    /// sent again with fresh credentials (a DPoP nonce was demanded, or the cached token
    /// was rejected).
    pub(crate) async fn on_response(&self, status: u16, headers: &HeaderMap) -> bool {
        let Auth::Oauth(o) = self else { return false };
        if let Some(n) = headers.get("dpop-nonce").and_then(|v| v.to_str().ok()) {
            *o.nonce.lock().unwrap_or_else(|e| e.into_inner()) = Some(n.to_owned());
        }
        if status != 401 {
            return false;
        }
        let www = headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if www.contains("use_dpop_nonce") {
            return true;
        }
        if www.contains("invalid_token") {
            *o.cache.lock().await = None;
            return true;
        }
        false
    }
}

impl OAuth {
    fn proof(
        &self,
        clock: &dyn Clock,
        method: &str,
        url: &Url,
        token: Option<&SecretString>,
    ) -> String {
        let mut htu = url.clone();
        htu.set_query(None);
        htu.set_fragment(None);
        let mut claims = json!({
            "jti": random_jti(),
            "htm": method,
            "htu": htu.as_str(),
            "iat": secs(clock.now()),
        });
        if let Some(n) = self.nonce.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            claims["nonce"] = Value::from(n);
        }
        if let Some(t) = token {
            let hash = sha2::Sha256::digest(t.expose_secret().as_bytes());
            claims["ath"] = Value::from(B64.encode(hash));
        }
        let mut header = serde_json::Map::new();
        header.insert("typ".into(), Value::from("dpop+jwt"));
        header.insert("jwk".into(), self.dpop_key.public_jwk());
        self.dpop_key.sign_jwt(header, &claims)
    }

    fn assertion(&self, clock: &dyn Clock) -> String {
        let now = secs(clock.now());
        let claims = json!({
            "aud": self.token_url.as_str(),
            "iss": self.cfg.client_id,
            "sub": self.cfg.client_id,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME.as_secs(),
            "jti": random_jti(),
        });
        let mut header = serde_json::Map::new();
        header.insert("typ".into(), Value::from("JWT"));
        if let Some(kid) = self.cfg.key.kid() {
            header.insert("kid".into(), Value::from(kid));
        }
        self.cfg.key.sign_jwt(header, &claims)
    }

    /// The cached token, renewed first when it is close to expiry. Concurrent callers
    /// wait on the same lock, so only one of them fetches.
    async fn token(
        &self,
        http: &reqwest::Client,
        clock: &dyn Clock,
        observer: Option<&dyn CallObserver>,
    ) -> Result<(SecretString, bool)> {
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref()
            && clock.now() < c.renew_at
        {
            return Ok((c.token.clone(), c.dpop));
        }
        let fresh = self.fetch(http, clock, observer).await?;
        let out = (fresh.token.clone(), fresh.dpop);
        *cache = Some(fresh);
        Ok(out)
    }

    async fn fetch(
        &self,
        http: &reqwest::Client,
        clock: &dyn Clock,
        observer: Option<&dyn CallObserver>,
    ) -> Result<CachedToken> {
        let span = tracing::debug_span!("okta.token", url = %self.token_url);
        let _e = span.enter();
        let scope = self.cfg.scopes.join(" ");
        let mut last = String::new();
        for attempt in 1..=4 {
            let dpop = self.dpop_required.load(Ordering::Relaxed);
            let form = [
                ("grant_type", "client_credentials".to_owned()),
                ("scope", scope.clone()),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
                ),
                ("client_assertion", self.assertion(clock)),
            ];
            let mut req = http
                .post(self.token_url.clone())
                .header("accept", "application/json")
                .form(&form);
            if dpop {
                req = req.header("dpop", self.proof(clock, "POST", &self.token_url, None));
            }
            let pending = Pending::start(
                observer,
                CallKind::Token,
                &reqwest::Method::POST,
                &self.token_url,
                None,
                attempt,
            );
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    if let Some(p) = pending {
                        p.finish(None, None, None);
                    }
                    return Err(Error::Auth(format!(
                        "token request failed: {}",
                        e.without_url()
                    )));
                }
            };
            let status = resp.status().as_u16();
            let request_id = resp
                .headers()
                .get("x-okta-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            if let Some(n) = resp
                .headers()
                .get("dpop-nonce")
                .and_then(|v| v.to_str().ok())
            {
                *self.nonce.lock().unwrap_or_else(|e| e.into_inner()) = Some(n.to_owned());
            }
            let body = match resp.bytes().await {
                Ok(b) => b,
                Err(e) => {
                    if let Some(p) = pending {
                        p.finish(Some(status), request_id.as_deref(), None);
                    }
                    return Err(Error::Auth(format!("token response unreadable: {e}")));
                }
            };
            if (200..300).contains(&status) {
                if let Some(p) = pending {
                    p.finish(Some(status), request_id.as_deref(), None);
                }
                let t: TokenResponse = serde_json::from_slice(&body)
                    .map_err(|e| Error::Auth(format!("token response not understood: {e}")))?;
                self.fetches.fetch_add(1, Ordering::Relaxed);
                let life = Duration::from_secs(t.expires_in.unwrap_or(3600));
                let margin = RENEW_BEFORE.min(life / 2);
                return Ok(CachedToken {
                    token: SecretString::from(t.access_token),
                    dpop: t.token_type.eq_ignore_ascii_case("dpop"),
                    renew_at: clock.now() + life - margin,
                });
            }
            let err: OAuthError = serde_json::from_slice(&body).unwrap_or_default();
            if let Some(p) = pending {
                p.finish(Some(status), request_id.as_deref(), Some(&err.error));
            }
            last = format!(
                "token endpoint answered {status}: {} {}",
                err.error, err.error_description
            );
            match err.error.as_str() {
                "invalid_dpop_proof" if !dpop => {
                    self.dpop_required.store(true, Ordering::Relaxed);
                }
                "use_dpop_nonce" => {
                    self.dpop_required.store(true, Ordering::Relaxed);
                }
                _ => break,
            }
        }
        Err(Error::Auth(last))
    }
}
