//! The transport core: one generic request path used by every call (and by a passthrough).
//!
//! Each attempt: wait for the pacer, add credentials (a fresh DPoP proof every time), send,
//! read the answer, feed the rate-limit headers back to the pacer, then let the pure
//! [`retry::classify`] decide. The whole call is bounded by the policy's deadline.

pub mod clock;
pub mod ledger;
pub mod pacer;
pub mod resolve;
pub mod retry;

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::error::{decode, from_response};
use crate::observe::{CallKind, Pending};
use crate::{Client, Error, Result};
use pacer::RateLimitHeaders;
use retry::{Attempt, Outcome, RetryAction, classify};

/// Where a request goes.
#[derive(Debug, Clone)]
enum Target {
    /// A path (already percent-encoded) relative to the client's org URL.
    Path(String),
    /// An absolute URL (a `Link: rel="next"` target, an Aerial URL).
    Url(Url),
}

/// A request to Okta: owned, cloneable, and independent of any particular endpoint.
///
/// Typed calls build one of these; a passthrough can build its own and send it with
/// [`Client::send`].
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    template: Cow<'static, str>,
    target: Target,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Request {
    /// A request with `method` to `path` (percent-encoded, relative to the org URL).
    /// `template` is the path with placeholders (`/api/v1/users/{id}`): it names the
    /// rate-limit bucket and appears in traces instead of ids.
    pub fn new(
        method: Method,
        template: impl Into<Cow<'static, str>>,
        path: impl Into<String>,
    ) -> Self {
        Self {
            method,
            template: template.into(),
            target: Target::Path(path.into()),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// A request to an absolute URL (must be on the same origin as the org or be an
    /// explicitly configured API host such as Aerial's).
    pub fn to_url(method: Method, template: impl Into<Cow<'static, str>>, url: Url) -> Self {
        Self {
            method,
            template: template.into(),
            target: Target::Url(url),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.to_owned(), value.to_string()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt<V: ToString>(self, name: &str, value: Option<V>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// Adds a header (e.g. `Accept` for MyAccount, `If-Match`, `Prefer`).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Sets a JSON body.
    ///
    /// # Errors
    /// [`Error::Config`] if `body` cannot be serialized.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Config(format!("cannot serialize request body: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// Sets a raw JSON body.
    pub fn raw_body(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path template.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The same request sent to `url` (a next-page link), without its own query.
    pub(crate) fn follow(&self, url: Url) -> Self {
        Self {
            target: Target::Url(url),
            query: Vec::new(),
            ..self.clone()
        }
    }
}

/// A raw answer from Okta.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Response body.
    pub body: Vec<u8>,
}

impl Response {
    /// `X-Okta-Request-Id`.
    pub fn request_id(&self) -> Option<&str> {
        self.headers
            .get("x-okta-request-id")
            .and_then(|v| v.to_str().ok())
    }

    /// All values of a header.
    pub fn header_values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
    }

    /// Decodes the body as JSON.
    ///
    /// # Errors
    /// [`Error::Decode`] naming the JSON path that failed.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        decode(&self.body, self.request_id())
    }
}

fn header_u64(h: &HeaderMap, name: &str) -> Option<u64> {
    h.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// Rate-limit headers and server `Date` of an answer.
pub(crate) fn rate_limit(h: &HeaderMap) -> (Option<RateLimitHeaders>, Option<SystemTime>) {
    let rl = match (
        header_u64(h, "x-rate-limit-limit"),
        header_u64(h, "x-rate-limit-remaining"),
        header_u64(h, "x-rate-limit-reset"),
    ) {
        (Some(l), Some(r), Some(reset)) => Some(RateLimitHeaders {
            limit: u32::try_from(l).unwrap_or(u32::MAX),
            remaining: u32::try_from(r).unwrap_or(u32::MAX),
            reset,
        }),
        _ => None,
    };
    let date = h
        .get("date")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| httpdate::parse_http_date(s).ok());
    (rl, date)
}

/// Local time of the window reset: `now + (X-Rate-Limit-Reset − Date)`.
fn reset_at(h: &HeaderMap, now: SystemTime) -> Option<SystemTime> {
    let (_, date) = rate_limit(h);
    let reset = pacer::epoch(header_u64(h, "x-rate-limit-reset")?);
    let wait = reset.duration_since(date?).unwrap_or(Duration::ZERO);
    Some(now + wait)
}

impl Client {
    pub(crate) fn url_of(&self, req: &Request) -> Result<Url> {
        let mut url = match &req.target {
            Target::Url(u) => u.clone(),
            Target::Path(p) => {
                let mut u = self.inner.org_url.clone();
                let base = u.path().trim_end_matches('/').to_owned();
                u.set_path(&format!("{base}{p}"));
                u
            }
        };
        if !req.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(req.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        Ok(url)
    }

    /// Refuses absolute URLs on another origin than the org (or the Aerial host).
    pub(crate) fn check_same_origin(&self, url: &Url) -> Result<()> {
        let ok = url.origin() == self.inner.org_url.origin()
            || self.inner.extra_origins.iter().any(|o| *o == url.origin());
        if ok {
            Ok(())
        } else {
            Err(Error::Config(format!(
                "refusing to send credentials to {} (not the org's origin)",
                url.origin().ascii_serialization()
            )))
        }
    }

    /// Sends a request with pacing, retries and authentication, and returns the answer if
    /// its status is 2xx.
    ///
    /// # Errors
    /// [`Error::Api`] / [`Error::Http`] for non-2xx answers, [`Error::Transport`],
    /// [`Error::Auth`], [`Error::Deadline`], [`Error::RetriesExhausted`].
    pub async fn send(&self, request: Request) -> Result<Response> {
        let span = tracing::info_span!(
            "okta.request",
            method = %request.method,
            path = %request.template,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            attempt = tracing::field::Empty,
        );
        let deadline = self.inner.retry.deadline;
        match tokio::time::timeout(deadline, self.send_inner(request).instrument(span)).await {
            Ok(r) => r,
            Err(_) => Err(Error::Deadline(deadline)),
        }
    }

    async fn send_inner(&self, request: Request) -> Result<Response> {
        let inner = &self.inner;
        let url = self.url_of(&request)?;
        self.check_same_origin(&url)?;
        let key = format!("{} {}", request.method, request.template);
        let started = inner.clock.now();
        let mut number = 0u32;
        // Every HTTP attempt, re-sends with fresh credentials included (for observers).
        let mut tries = 0u32;
        let mut auth_retried = false;
        let mut retry_for: Option<String> = None;
        loop {
            number += 1;
            tracing::Span::current().record("attempt", number);
            let permit = if inner.pacing {
                Some(inner.pacer.acquire(&key).await)
            } else {
                None
            };
            let mut headers = HeaderMap::new();
            headers.insert("accept", HeaderValue::from_static("application/json"));
            if request.body.is_some() {
                headers.insert("content-type", HeaderValue::from_static("application/json"));
            }
            for (k, v) in &request.headers {
                let name = HeaderName::try_from(k.as_str())
                    .map_err(|_| Error::Config(format!("invalid header name `{k}`")))?;
                let value = HeaderValue::try_from(v.as_str())
                    .map_err(|_| Error::Config(format!("invalid value for header `{k}`")))?;
                headers.insert(name, value);
            }
            if let Some(id) = &retry_for
                && let Ok(v) = HeaderValue::try_from(id.as_str())
            {
                headers.insert("x-okta-retry-for", v);
                headers.insert("x-okta-retry-count", HeaderValue::from(number - 1));
            }
            inner
                .auth
                .apply(
                    &inner.http,
                    inner.clock.as_ref(),
                    inner.observer.as_deref(),
                    &request.method,
                    &url,
                    &mut headers,
                )
                .await?;
            if request.body.is_none() && matches!(request.method, Method::POST | Method::PUT) {
                // hyper sends no length for an empty body; Okta would answer 411.
                headers.insert("content-length", HeaderValue::from_static("0"));
            }
            let mut rb = inner
                .http
                .request(request.method.clone(), url.clone())
                .headers(headers)
                .timeout(inner.attempt_timeout);
            // Bodyless POST/PUT still send `Content-Length: 0` (Okta answers 411 otherwise).
            match &request.body {
                Some(b) => rb = rb.body(b.clone()),
                None if matches!(request.method, Method::POST | Method::PUT) => {
                    rb = rb.body(Vec::new())
                }
                None => {}
            }
            tries += 1;
            for stats in &inner.stats {
                stats.count_attempt(tries > 1);
            }
            let pending = Pending::start(
                inner.observer.as_deref(),
                CallKind::Api,
                &request.method,
                &url,
                Some(request.template.clone()),
                tries,
            );
            let result = match rb.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    match resp.bytes().await {
                        Ok(body) => Ok(Response {
                            status,
                            headers,
                            body: body.to_vec(),
                        }),
                        Err(e) => Err((e, true, Some((status, headers)))),
                    }
                }
                Err(e) => {
                    let maybe_sent = !(e.is_connect() || e.is_builder());
                    Err((e, maybe_sent, None))
                }
            };
            let now = inner.clock.now();
            let (outcome, failure) = match result {
                Ok(resp) => {
                    if resp.status == 429 {
                        for stats in &inner.stats {
                            stats.count_throttled();
                        }
                    }
                    let (rl, date) = rate_limit(&resp.headers);
                    if let Some(p) = permit {
                        p.finish(rl, date, Some(resp.status));
                    }
                    let span = tracing::Span::current();
                    span.record("status", resp.status);
                    if let Some(id) = resp.request_id() {
                        span.record("request_id", id);
                    }
                    let failure = (!(200..300).contains(&resp.status)).then(|| {
                        let www = resp
                            .headers
                            .get("www-authenticate")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned);
                        from_response(
                            resp.status,
                            &resp.body,
                            resp.request_id().map(str::to_owned),
                            www,
                        )
                    });
                    if let Some(p) = pending {
                        let code = match &failure {
                            Some(Error::Api { error, .. }) => Some(error.error_code.as_str()),
                            _ => None,
                        };
                        p.finish(Some(resp.status), resp.request_id(), code);
                    }
                    if inner.auth.on_response(resp.status, &resp.headers).await && !auth_retried {
                        auth_retried = true;
                        number -= 1;
                        continue;
                    }
                    let Some(err) = failure else {
                        tracing::debug!(status = resp.status, "okta answered");
                        return Ok(resp);
                    };
                    let outcome = Outcome::Status {
                        status: resp.status,
                        reset_at: reset_at(&resp.headers, now),
                    };
                    if resp.status == 429 {
                        retry_for = resp.request_id().map(str::to_owned);
                    }
                    (outcome, err)
                }
                Err((e, maybe_sent, answer)) => {
                    if let Some(p) = pending {
                        match &answer {
                            Some((status, h)) => p.finish(
                                Some(*status),
                                h.get("x-okta-request-id").and_then(|v| v.to_str().ok()),
                                None,
                            ),
                            None => p.finish(None, None, None),
                        }
                    }
                    if let Some(p) = permit {
                        match answer {
                            Some((_, h)) => {
                                let (rl, date) = rate_limit(&h);
                                p.finish(rl, date, None);
                            }
                            None => drop(p),
                        }
                    }
                    (
                        Outcome::Transport { maybe_sent },
                        Error::Transport {
                            maybe_sent,
                            source: e.without_url(),
                        },
                    )
                }
            };
            let action = classify(
                &inner.retry,
                Attempt {
                    method: &request.method,
                    number,
                    started,
                    now,
                    jitter: rand::random::<f64>(),
                },
                outcome,
            );
            tracing::debug!(?outcome, ?action, "attempt failed");
            match action {
                RetryAction::Return => return Err(failure),
                RetryAction::RetryAfter(wait) => inner.clock.sleep(wait).await,
                RetryAction::GiveUpBudget if number > 1 => {
                    return Err(Error::RetriesExhausted {
                        attempts: number,
                        last: Box::new(failure),
                    });
                }
                RetryAction::GiveUpBudget => return Err(failure),
                RetryAction::GiveUpDeadline => {
                    return Err(Error::RetriesExhausted {
                        attempts: number,
                        last: Box::new(failure),
                    });
                }
            }
        }
    }

    /// Sends a request and decodes a JSON answer.
    ///
    /// # Errors
    /// As [`Client::send`], plus [`Error::Decode`].
    pub async fn call<T: DeserializeOwned>(&self, request: Request) -> Result<T> {
        self.send(request).await?.json()
    }

    /// Sends a request whose answer body is ignored (204s, `{}` lifecycle answers).
    ///
    /// # Errors
    /// As [`Client::send`].
    pub async fn call_empty(&self, request: Request) -> Result<()> {
        self.send(request).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn reset_is_relative_to_server_date() {
        let mut h = HeaderMap::new();
        h.insert(
            "date",
            HeaderValue::from_static("Thu, 27 Aug 2020 18:19:24 GMT"),
        );
        h.insert("x-rate-limit-reset", HeaderValue::from_static("1598552374"));
        let now = UNIX_EPOCH + Duration::from_secs(5);
        assert_eq!(reset_at(&h, now), Some(now + Duration::from_secs(10)));
        h.remove("date");
        assert_eq!(reset_at(&h, now), None);
    }
}
