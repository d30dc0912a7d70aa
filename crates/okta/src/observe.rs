//! Call observation: a hook told about every HTTP attempt the client makes.
//!
//! A [`CallObserver`] set with [`Config::observer`](crate::Config::observer) receives one
//! [`CallEvent`] per attempt: API calls, their retries (after a 429, a 5xx or a transport
//! error), re-sends with fresh credentials, and the OAuth token endpoint requests. A gateway
//! uses it to log every Okta call.
//!
//! Events carry no secrets: no header other than Okta's request id, no body, and the path
//! without its query string (query values such as search expressions can hold personal
//! data). Without an observer nothing is built.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use url::Url;

/// Receives one event per HTTP attempt. Called on the request's task, right after the
/// attempt ends: keep it quick (queue the event if there is work to do).
pub trait CallObserver: Send + Sync + fmt::Debug {
    /// One attempt ended (with an answer or without one).
    fn on_call(&self, call: &CallEvent);
}

/// Counters of one caller's Okta API attempts, filled by a client made with
/// [`Client::with_stats`](crate::Client::with_stats). Cheap, lock-free, and shared by every
/// clone of that client; the pacer, token cache and connections stay shared with the client it
/// was made from, so counting needs no second pacer.
///
/// OAuth token requests are not counted (they are shared by every user of the client).
#[derive(Debug, Default)]
pub struct CallStats {
    calls: AtomicU64,
    throttled: AtomicU64,
    retries: AtomicU64,
}

impl CallStats {
    /// Zeroed counters.
    pub fn new() -> Self {
        Self::default()
    }

    /// HTTP attempts sent to Okta's APIs (every retry and re-send with fresh credentials
    /// included).
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Attempts Okta answered with 429 (rate limit or concurrency limit).
    pub fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }

    /// Attempts that repeated an earlier attempt of the same call (after a 429, a 5xx, a
    /// transport error or a refreshed credential).
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    pub(crate) fn count_attempt(&self, retry: bool) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if retry {
            self.retries.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn count_throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }
}

/// What an attempt was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallKind {
    /// A Management, Aerial or MyAccount API request.
    Api,
    /// An OAuth 2.0 token request (client credentials).
    Token,
}

/// One HTTP attempt, without secrets.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CallEvent {
    /// API request or token request.
    pub kind: CallKind,
    /// HTTP method.
    pub method: Method,
    /// Host of the request URL, with its port when it is not the scheme's default
    /// (`example.okta.com`, `aerial-apac.okta.com`, `127.0.0.1:8080`).
    pub host: String,
    /// Path of the request URL (percent-encoded), without query string.
    pub path: String,
    /// Path template (`/api/v1/users/{id}`) for API requests; `None` for token requests.
    pub url_template: Option<Cow<'static, str>>,
    /// HTTP status; `None` when no answer arrived (transport error, timeout, cancelled).
    pub status: Option<u16>,
    /// Time from sending the request to the end of the answer's body (or the failure).
    pub latency: Duration,
    /// Okta's `X-Okta-Request-Id` answer header.
    pub request_id: Option<String>,
    /// For an error answer: Okta's `errorCode` (e.g. `E0000007`) of an API request, or the
    /// OAuth `error` (e.g. `invalid_client`) of a token request.
    pub error_code: Option<String>,
    /// 1-based number of this attempt within the call (or within one token fetch).
    pub attempt: u32,
}

/// An attempt in flight. Reports on [`Pending::finish`], or with no status when dropped
/// unfinished (the call's deadline cancelled it).
pub(crate) struct Pending<'a> {
    observer: &'a dyn CallObserver,
    event: Option<CallEvent>,
    started: Instant,
}

impl<'a> Pending<'a> {
    /// Starts timing an attempt on `url`, or returns `None` without an observer.
    pub(crate) fn start(
        observer: Option<&'a dyn CallObserver>,
        kind: CallKind,
        method: &Method,
        url: &Url,
        url_template: Option<Cow<'static, str>>,
        attempt: u32,
    ) -> Option<Self> {
        let observer = observer?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => String::new(),
        };
        Some(Self {
            observer,
            event: Some(CallEvent {
                kind,
                method: method.clone(),
                host,
                path: url.path().to_owned(),
                url_template,
                status: None,
                latency: Duration::ZERO,
                request_id: None,
                error_code: None,
                attempt,
            }),
            started: Instant::now(),
        })
    }

    /// Reports the attempt's outcome.
    pub(crate) fn finish(
        mut self,
        status: Option<u16>,
        request_id: Option<&str>,
        error_code: Option<&str>,
    ) {
        if let Some(mut e) = self.event.take() {
            e.status = status;
            e.request_id = request_id.map(str::to_owned);
            e.error_code = error_code.filter(|c| !c.is_empty()).map(str::to_owned);
            e.latency = self.started.elapsed();
            self.observer.on_call(&e);
        }
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if let Some(mut e) = self.event.take() {
            e.latency = self.started.elapsed();
            self.observer.on_call(&e);
        }
    }
}
