//! `spindle-okta`: a typed async client for Okta's Management, Aerial and MyAccount APIs.
//!
//! - One module per resource ([`users`], [`groups`], [`group_rules`], [`factors`],
//!   [`grants`], [`tokens`], [`sessions`], [`linked_objects`], [`logs`], [`user_types`], [`apps`],
//!   [`idps`], [`aerial`], [`myaccount`]); models in [`models`], which keep every field
//!   they do not know (`extra`) and every custom profile attribute, so a user read and
//!   written back loses nothing.
//! - Lists return a [`Page`] or a `Stream` following `Link: rel="next"` to the end.
//! - Authentication with an SSWS token, OAuth 2.0 `private_key_jwt` (with DPoP), or a
//!   ready-made bearer token; configuration as the official SDKs read it ([`Config`]).
//! - Proactive pacing per rate-limit bucket and retries decided by one pure classifier
//!   ([`transport::retry::classify`]); the share of the org's rate limit can be changed at
//!   run time ([`Client::set_rate_limit_share`]), and one caller can count its own calls
//!   ([`Client::with_stats`]). Clients of one org in several processes can share the budget
//!   through a [`RateLedger`] ([`Config::rate_ledger`]; see [`transport::ledger`]).
//!
//! ```no_run
//! # async fn run() -> spindle_okta::Result<()> {
//! use futures::TryStreamExt;
//! let client = spindle_okta::Client::new(spindle_okta::Config::from_sdk_sources()?)?;
//! let users: Vec<_> = client.users().list(Default::default()).try_collect().await?;
//! println!("{} users", users.len());
//! # Ok(()) }
//! ```

pub mod aerial;
pub mod apps;
pub mod auth;
pub mod config;
pub mod error;
pub mod factors;
pub mod grants;
pub mod group_rules;
pub mod groups;
pub mod idps;
pub mod ids;
pub mod linked_objects;
pub mod logs;
pub mod models;
pub mod myaccount;
pub mod observe;
pub mod page;
pub mod raw;
pub mod sessions;
pub mod tokens;
pub mod transport;
pub mod user_types;
pub mod users;

use std::sync::Arc;
use std::time::Duration;

use url::Url;

pub use auth::{Credentials, DpopMode, PrivateKeyAuth, SigningKey};
pub use config::Config;
pub use error::{Error, ErrorCause, OktaError, Result, with_causes};
pub use ids::*;
pub use observe::{CallEvent, CallKind, CallObserver, CallStats};
pub use page::{ExpandPageQuery, Page, PageQuery};
pub use raw::Raw;
pub use reqwest::Method;
pub use transport::clock::{Clock, SystemClock};
pub use transport::ledger::{InMemoryLedger, LedgerError, RateLedger};
pub use transport::pacer::BucketSnapshot;
pub use transport::resolve::{AddressFilter, FilteringResolver};
pub use transport::retry::RetryPolicy;
pub use transport::{Request, Response};

/// The Okta client. Cheap to clone (an `Arc` inside); share one per org between tasks so
/// they share the rate-limit pacer and the OAuth token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    org_url: Url,
    extra_origins: Vec<url::Origin>,
    auth: Arc<auth::Auth>,
    pacer: Arc<transport::pacer::Pacer>,
    pacing: bool,
    retry: RetryPolicy,
    attempt_timeout: Duration,
    clock: Arc<dyn Clock>,
    observer: Option<Arc<dyn CallObserver>>,
    /// Counters this client (and its clones) add its attempts to.
    stats: Vec<Arc<CallStats>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("org_url", &self.inner.org_url.as_str())
            .field("auth", &self.inner.auth)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client from a configuration.
    ///
    /// # Errors
    /// [`Error::Config`] if the HTTP client cannot be built.
    ///
    /// ```no_run
    /// # fn f() -> spindle_okta::Result<()> {
    /// let config = spindle_okta::Config::with_api_token("https://example.okta.com", "00abc")?
    ///     .rate_limit_share(0.5);
    /// let client = spindle_okta::Client::new(config)?;
    /// # Ok(()) }
    /// ```
    pub fn new(config: Config) -> Result<Self> {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// A client from the official SDKs' sources (okta.yaml files and `OKTA_CLIENT_*`).
    ///
    /// # Errors
    /// As [`Config::from_sdk_sources`].
    pub fn from_env() -> Result<Self> {
        Self::new(Config::from_sdk_sources()?)
    }

    /// A client with an injected clock (tests use a manual clock so nothing sleeps).
    ///
    /// # Errors
    /// [`Error::Config`] if the HTTP client cannot be built.
    pub fn with_clock(config: Config, clock: Arc<dyn Clock>) -> Result<Self> {
        let mut http = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(60));
        if let Some(filter) = &config.address_filter {
            http = http.dns_resolver(Arc::new(FilteringResolver::new(filter.clone())));
        }
        let http = http
            .build()
            .map_err(|e| Error::Config(format!("cannot build HTTP client: {e}")))?;
        let auth = Arc::new(auth::Auth::new(
            config.credentials.clone(),
            &config.org_url,
        )?);
        let pacer = Arc::new(transport::pacer::Pacer::with_ledger(
            config.rate_limit_share,
            Arc::clone(&clock),
            config.rate_ledger.clone(),
        ));
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                org_url: config.org_url,
                extra_origins: Vec::new(),
                auth,
                pacer,
                pacing: config.pacing,
                retry: config.retry,
                attempt_timeout: config.attempt_timeout,
                clock,
                observer: config.observer,
                stats: Vec::new(),
            }),
        })
    }

    /// The org URL.
    pub fn org_url(&self) -> &Url {
        &self.inner.org_url
    }

    /// How many OAuth access tokens this client has fetched (0 for SSWS).
    pub fn token_fetches(&self) -> u64 {
        self.inner.auth.token_fetches()
    }

    /// A clone of this client that also counts its own Okta API attempts into `stats`.
    ///
    /// Everything else is shared with `self`: the rate-limit pacer (so both together stay within
    /// the configured share), the OAuth token, the observer and the connection pool. Attempts
    /// made through `self` or other clones are not counted in `stats`; attempts made through
    /// the returned client still count in any `CallStats` `self` already counts into.
    ///
    /// ```no_run
    /// # async fn run(client: spindle_okta::Client) -> spindle_okta::Result<()> {
    /// use std::sync::Arc;
    /// let stats = Arc::new(spindle_okta::CallStats::new());
    /// let sync = client.with_stats(Arc::clone(&stats));
    /// sync.groups().get("00g1").await?;
    /// println!("{} calls, {} throttled", stats.calls(), stats.throttled());
    /// # Ok(()) }
    /// ```
    pub fn with_stats(&self, stats: Arc<CallStats>) -> Client {
        let inner = &self.inner;
        let mut all = inner.stats.clone();
        all.push(stats);
        Client {
            inner: Arc::new(Inner {
                http: inner.http.clone(),
                org_url: inner.org_url.clone(),
                extra_origins: inner.extra_origins.clone(),
                auth: Arc::clone(&inner.auth),
                pacer: Arc::clone(&inner.pacer),
                pacing: inner.pacing,
                retry: inner.retry.clone(),
                attempt_timeout: inner.attempt_timeout,
                clock: Arc::clone(&inner.clock),
                observer: inner.observer.clone(),
                stats: all,
            }),
        }
    }

    /// Changes the share of every rate-limit bucket this client may use, from the next
    /// request on, for every clone of this client (and every client made from it with
    /// [`with_stats`](Self::with_stats)). A share above 1 is taken as 1.
    ///
    /// # Errors
    /// [`Error::Config`] (and no change) if `share` is not a number above 0.
    pub fn set_rate_limit_share(&self, share: f64) -> Result<()> {
        if self.inner.pacer.set_share(share) {
            Ok(())
        } else {
            Err(Error::Config(format!(
                "rate-limit share must be above 0 and at most 1, not {share}"
            )))
        }
    }

    /// The share of every rate-limit bucket this client may use (0 < share ≤ 1).
    pub fn rate_limit_share(&self) -> f64 {
        self.inner.pacer.share()
    }

    /// What the pacer knows about each rate-limit bucket this client has used (as last
    /// reported by Okta), sorted by bucket.
    pub fn rate_limits(&self) -> Vec<BucketSnapshot> {
        self.inner.pacer.snapshot()
    }

    /// A request builder for `method` on an org-relative path.
    pub fn request(
        &self,
        method: Method,
        template: impl Into<std::borrow::Cow<'static, str>>,
        path: impl Into<String>,
    ) -> Request {
        Request::new(method, template, path)
    }
}

impl Inner {
    fn clone_for_origin(&self, origin: url::Origin) -> Inner {
        let mut extra_origins = self.extra_origins.clone();
        extra_origins.push(origin);
        Inner {
            http: self.http.clone(),
            org_url: self.org_url.clone(),
            extra_origins,
            auth: Arc::clone(&self.auth),
            pacer: Arc::clone(&self.pacer),
            pacing: self.pacing,
            retry: self.retry.clone(),
            attempt_timeout: self.attempt_timeout,
            clock: Arc::clone(&self.clock),
            observer: self.observer.clone(),
            stats: self.stats.clone(),
        }
    }
}

/// Percent-encodes one path segment.
pub(crate) fn seg(s: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'@')
        .remove(b'+');
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Builds a request for a path template, encoding each `{}` argument as a path segment.
macro_rules! req {
    ($method:ident, $template:literal, $fmt:literal $(, $arg:expr)* $(,)?) => {
        $crate::transport::Request::new(
            $crate::Method::$method,
            $template,
            format!($fmt $(, $crate::seg(::core::convert::AsRef::<str>::as_ref(&$arg)))*),
        )
    };
}
pub(crate) use req;
