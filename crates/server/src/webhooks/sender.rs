//! The webhook sender: claims due deliveries from the outbox, POSTs them signed, and records
//! each attempt.
//!
//! - Claims up to [`CLAIM_BATCH`] due deliveries under a lease
//!   ([`Settings::webhook_lease`](crate::Settings::webhook_lease)) and sends them concurrently
//!   (at most [`IN_FLIGHT`] at once). An attempt starts only while enough of the lease is left
//!   for it to end within it; a delivery whose lease ran short is given back unattempted, so a
//!   delivery another process took over is never sent late. The store hands out only the earliest pending delivery of
//!   each record and endpoint, so one record's changes arrive in order.
//! - Each attempt is `POST url` with `content-type: application/json`, the stored payload as the
//!   body byte for byte, and the Standard Webhooks headers: `webhook-id` (the delivery's id, the
//!   same on every attempt), `webhook-timestamp` (this attempt's Unix seconds) and
//!   `webhook-signature` (`v1,<base64 HMAC-SHA256>` for each secret that signs now: two during a
//!   rotation's overlap), made with the `standardwebhooks` crate.
//! - Redirects are not followed; an attempt gives up after
//!   [`Settings::webhook_attempt_timeout`](crate::Settings::webhook_attempt_timeout); unless
//!   private receivers are allowed, non-public addresses are refused when connecting.
//! - What follows an attempt is [`decide`]d: 2xx delivered; `410 Gone` disables the endpoint
//!   and dead-letters the delivery; anything else is retried after the schedule's next wait
//!   (±10 % jitter; a later `Retry-After` on 429 or 503 wins), and dead-lettered once the
//!   schedule is used up.
//! - It wakes at each sync commit in this process, and polls the store every
//!   [`Settings::webhook_poll`](crate::Settings::webhook_poll) for deliveries that came due or
//!   were written by other processes.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt as _;
use rand::Rng as _;
use secrecy::ExposeSecret as _;
use secrecy::SecretString;
use spindle_store::{AttemptOutcome, AttemptReport, DueDelivery, StoreError, WebhookId};
use time::OffsetDateTime;
use tokio::sync::Notify;

use crate::state::AppState;
use crate::webhooks::url_policy;

/// What must be left of a delivery's lease, beyond the attempt timeout, for an attempt to start.
pub const LEASE_MARGIN: Duration = Duration::from_millis(500);
/// How many deliveries one claim takes.
pub const CLAIM_BATCH: u32 = 32;
/// How many attempts of one claimed batch run at once.
pub const IN_FLIGHT: usize = 16;
/// How many claim-and-send loops one sender runs side by side. Two loops never hold deliveries
/// of one record at once (a claim skips a delivery while an earlier one of its record is
/// pending), so the order per record holds as it does across processes.
pub const LANES: usize = 4;
/// How much of a receiver's answer is kept with the attempt.
pub const SNIPPET_CHARS: usize = 256;
/// The reason an endpoint is disabled for when its receiver answers `410 Gone`.
pub const GONE_REASON: &str = "the receiver answered 410 Gone";

/// The Standard Webhooks retry schedule: the wait after attempt n (1-based) is the n-th entry;
/// after the attempt that follows the last entry, the delivery is dead-lettered (10 attempts).
pub fn standard_schedule() -> Vec<Duration> {
    [
        5,
        5 * 60,
        30 * 60,
        2 * 3600,
        5 * 3600,
        10 * 3600,
        14 * 3600,
        20 * 3600,
        24 * 3600,
    ]
    .into_iter()
    .map(Duration::from_secs)
    .collect()
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// 2xx: delivered.
    Delivered,
    /// Try again after this long.
    RetryIn(Duration),
    /// No attempt left: dead-lettered.
    Dead,
    /// `410 Gone`: the endpoint is disabled and the delivery dead-lettered.
    Gone,
}

/// Decides what follows attempt `attempt` (1-based) that got `status` (`None`: no answer),
/// with the receiver's `Retry-After` (429 and 503 only), the retry `schedule` and a `jitter`
/// factor (from 0.9 to 1.1). Pure.
pub fn decide(
    attempt: i64,
    status: Option<u16>,
    retry_after: Option<Duration>,
    schedule: &[Duration],
    jitter: f64,
) -> RetryDecision {
    match status {
        Some(s) if (200..300).contains(&s) => return RetryDecision::Delivered,
        Some(410) => return RetryDecision::Gone,
        _ => {}
    }
    let index = usize::try_from(attempt.max(1) - 1).unwrap_or(usize::MAX);
    let Some(base) = schedule.get(index) else {
        return RetryDecision::Dead;
    };
    let mut wait = base.mul_f64(jitter.clamp(0.9, 1.1));
    if matches!(status, Some(429 | 503))
        && let Some(later) = retry_after
    {
        wait = wait.max(later);
    }
    RetryDecision::RetryIn(wait)
}

/// Reads a `Retry-After` value: delay seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

struct Inner {
    state: AppState,
    owner: String,
    http: reqwest::Client,
    wake: Arc<Notify>,
    stopping: AtomicBool,
    stop: Notify,
}

/// The webhook sender of one process; cheap to clone. Start it with
/// [`Gateway::start_webhook_sender`](crate::Gateway::start_webhook_sender).
#[derive(Clone)]
pub struct WebhookSender {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSender")
            .field("owner", &self.inner.owner)
            .finish_non_exhaustive()
    }
}

impl WebhookSender {
    /// A sender for `state`'s store, claiming as `owner`, woken by `wake`.
    ///
    /// # Errors
    /// The HTTP client cannot be built (no TLS roots).
    pub fn new(state: AppState, owner: String, wake: Arc<Notify>) -> Result<Self, reqwest::Error> {
        let settings = state.settings();
        let mut http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.webhook_attempt_timeout)
            .connect_timeout(settings.webhook_attempt_timeout)
            .user_agent(concat!("Spindle-Webhooks/", env!("CARGO_PKG_VERSION")));
        if !settings.allow_private_webhooks {
            // The Okta clients' resolver, with the same public-address rule: a DNS answer that
            // changes after the URL was checked cannot point the sender at the gateway's own
            // network.
            http = http.dns_resolver(Arc::new(spindle_okta::FilteringResolver::new(
                spindle_okta::AddressFilter::new(crate::ssrf::is_public),
            )));
        }
        Ok(WebhookSender {
            inner: Arc::new(Inner {
                owner,
                http: http.build()?,
                wake,
                stopping: AtomicBool::new(false),
                stop: Notify::new(),
                state,
            }),
        })
    }

    /// Asks the sender to stop: attempts in flight finish (and are recorded), no new claim is
    /// made, and [`WebhookSender::run`] returns.
    pub fn stop(&self) {
        self.inner.stopping.store(true, Ordering::SeqCst);
        self.inner.stop.notify_waiters();
    }

    fn stopping(&self) -> bool {
        self.inner.stopping.load(Ordering::SeqCst)
    }

    /// Claims and sends deliveries until [`WebhookSender::stop`]: [`LANES`] claim-and-send loops
    /// side by side, so one batch's slowest receiver or its store writes do not idle the others.
    pub async fn run(self) {
        futures::future::join_all((0..LANES).map(|_| self.clone().lane())).await;
        tracing::debug!(owner = %self.inner.owner, "webhook sender stopped");
    }

    async fn lane(self) {
        let poll = self.inner.state.settings().webhook_poll;
        while !self.stopping() {
            let stop = self.inner.stop.notified();
            tokio::pin!(stop);
            stop.as_mut().enable();
            if self.stopping() {
                break;
            }
            match self.send_due().await {
                // A full batch: there may be more due at once.
                Ok(n) if n >= CLAIM_BATCH as usize => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "webhook sender: claiming deliveries failed"),
            }
            tokio::select! {
                () = self.inner.wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
                () = &mut stop => {}
            }
        }
    }

    /// Claims one batch of due deliveries and sends them; returns how many were claimed.
    ///
    /// # Errors
    /// The store's, when claiming fails.
    pub async fn send_due(&self) -> Result<usize, StoreError> {
        let settings = self.inner.state.settings();
        let claimed = Instant::now();
        let due = self
            .inner
            .state
            .store()
            .webhooks()
            .claim(&self.inner.owner, settings.webhook_lease, CLAIM_BATCH)
            .await?;
        let n = due.len();
        // The last moment an attempt may start and still end (timeout included) in its lease.
        let start_by = (claimed + settings.webhook_lease)
            .checked_sub(settings.webhook_attempt_timeout + LEASE_MARGIN)
            .unwrap_or(claimed);
        // Each endpoint's secrets are read (and unsealed) once per batch, not per delivery.
        let mut secrets: HashMap<WebhookId, Arc<Result<Vec<SecretString>, String>>> =
            HashMap::new();
        for delivery in &due {
            if !secrets.contains_key(&delivery.endpoint_id) {
                let read = self
                    .inner
                    .state
                    .store()
                    .webhooks()
                    .secrets(&delivery.endpoint_id)
                    .await
                    .map_err(|e| format!("the endpoint's secrets could not be read: {e}"));
                secrets.insert(delivery.endpoint_id.clone(), Arc::new(read));
            }
        }
        futures::stream::iter(due)
            .for_each_concurrent(IN_FLIGHT, |delivery| {
                let secrets = Arc::clone(&secrets[&delivery.endpoint_id]);
                self.attempt(delivery, secrets, start_by)
            })
            .await;
        Ok(n)
    }

    async fn attempt(
        &self,
        delivery: DueDelivery,
        secrets: Arc<Result<Vec<SecretString>, String>>,
        start_by: Instant,
    ) {
        if Instant::now() > start_by {
            // Too little of the lease is left: another process may take the delivery over
            // while this attempt runs. Given back unattempted: any sender claims it again.
            tracing::debug!(delivery = %delivery.id, "webhook attempt not started: its lease runs short");
            if let Err(error) = self
                .inner
                .state
                .store()
                .webhooks()
                .release(&delivery.id, &self.inner.owner)
                .await
            {
                tracing::warn!(delivery = %delivery.id, %error, "an unattempted delivery could not be given back; it is claimed again after its lease");
            }
            return;
        }
        let state = &self.inner.state;
        let webhooks = state.store().webhooks();
        let number = delivery.attempts + 1;
        let started = Instant::now();
        let (report, retry_after) = match self.post(&delivery, &secrets).await {
            Ok(seen) => seen,
            Err(error) => (
                AttemptReport {
                    status: None,
                    latency: started.elapsed(),
                    snippet: None,
                    error: Some(error),
                },
                None,
            ),
        };
        let jitter = rand::thread_rng().gen_range(0.9..=1.1);
        let decision = decide(
            number,
            report.status,
            retry_after,
            &state.settings().webhook_retry_schedule,
            jitter,
        );
        let outcome = match decision {
            RetryDecision::Delivered => AttemptOutcome::Delivered,
            RetryDecision::RetryIn(wait) => AttemptOutcome::RetryAt(
                OffsetDateTime::now_utc() + time::Duration::try_from(wait).unwrap_or_default(),
            ),
            RetryDecision::Dead | RetryDecision::Gone => AttemptOutcome::Dead,
        };
        state.metrics().webhook_attempt(
            match decision {
                RetryDecision::Delivered => "delivered",
                RetryDecision::RetryIn(_) => "retry",
                RetryDecision::Dead => "dead",
                RetryDecision::Gone => "gone",
            },
            report.latency,
        );
        tracing::debug!(
            delivery = %delivery.id,
            webhook = %delivery.endpoint_id,
            attempt = number,
            status = report.status,
            error = report.error.as_deref(),
            ?decision,
            "webhook attempt"
        );
        match webhooks
            .record_attempt(&delivery.id, &self.inner.owner, &report, &outcome)
            .await
        {
            Ok(()) => {}
            Err(StoreError::LeaseLost { .. }) => {
                tracing::warn!(delivery = %delivery.id, "webhook attempt not recorded: the lease was taken over");
            }
            Err(error) => {
                tracing::warn!(delivery = %delivery.id, %error, "webhook attempt not recorded");
            }
        }
        // After the delivery is recorded dead, so whoever sees the endpoint disabled sees why.
        if decision == RetryDecision::Gone
            && let Err(error) = webhooks.disable(&delivery.endpoint_id, GONE_REASON).await
        {
            tracing::warn!(webhook = %delivery.endpoint_id, %error, "could not disable the endpoint");
        }
    }

    /// Sends one attempt; `Err` is the text of a failure without an answer.
    async fn post(
        &self,
        delivery: &DueDelivery,
        secrets: &Result<Vec<SecretString>, String>,
    ) -> Result<(AttemptReport, Option<Duration>), String> {
        let settings = self.inner.state.settings();
        // Literal addresses skip the resolver: check them (and the form) here.
        let url = url_policy::check_form(&delivery.url, settings.allow_private_webhooks)
            .map_err(|refused| format!("refused destination: {refused}"))?;
        let secrets = secrets.as_ref().map_err(Clone::clone)?;
        let id = delivery.id.as_str();
        let timestamp = OffsetDateTime::now_utc().unix_timestamp();
        let body = delivery.payload.as_bytes();
        let mut signatures = Vec::with_capacity(secrets.len());
        for secret in secrets {
            let signer = standardwebhooks::Webhook::new(secret.expose_secret())
                // The error never carries the secret ("invalid secret").
                .map_err(|e| format!("the endpoint's secret cannot sign: {e}"))?;
            signatures.push(
                signer
                    .sign(id, timestamp, body)
                    .map_err(|e| format!("the delivery cannot be signed: {e}"))?,
            );
        }
        let started = Instant::now();
        let response = self
            .inner
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signatures.join(" "))
            .body(delivery.payload.clone())
            .send()
            .await
            .map_err(|e| describe(&e, settings.webhook_attempt_timeout))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let snippet = read_snippet(response).await;
        Ok((
            AttemptReport {
                status: Some(status),
                latency: started.elapsed(),
                snippet,
                error: None,
            },
            retry_after,
        ))
    }
}

/// The first [`SNIPPET_CHARS`] characters of an answer's body (reading no more than needed).
async fn read_snippet(mut response: reqwest::Response) -> Option<String> {
    let mut bytes = Vec::new();
    while bytes.len() < SNIPPET_CHARS * 4 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let text: String = String::from_utf8_lossy(&bytes)
        .chars()
        .take(SNIPPET_CHARS)
        .collect();
    (!text.is_empty()).then_some(text)
}

/// A transport failure as text, without the URL (it may carry a token in its query).
fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        return format!("timed out after {} ms", timeout.as_millis());
    }
    let mut text = if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn two_hundreds_deliver_and_410_is_gone() {
        let schedule = standard_schedule();
        for status in [200, 201, 204, 299] {
            assert_eq!(
                decide(1, Some(status), None, &schedule, 1.0),
                RetryDecision::Delivered
            );
        }
        assert_eq!(
            decide(3, Some(410), None, &schedule, 1.0),
            RetryDecision::Gone
        );
    }

    #[test]
    fn failures_follow_the_standard_schedule_then_die() {
        let schedule = standard_schedule();
        let waits: Vec<u64> = (1..=9)
            .map(|n| match decide(n, Some(500), None, &schedule, 1.0) {
                RetryDecision::RetryIn(d) => d.as_secs(),
                other => panic!("attempt {n}: {other:?}"),
            })
            .collect();
        assert_eq!(
            waits,
            [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
        );
        assert_eq!(decide(10, None, None, &schedule, 1.0), RetryDecision::Dead);
        assert_eq!(
            decide(10, Some(503), Some(s(1)), &schedule, 1.0),
            RetryDecision::Dead
        );
    }

    #[test]
    fn jitter_is_ten_percent_at_most() {
        let schedule = standard_schedule();
        assert_eq!(
            decide(2, None, None, &schedule, 0.9),
            RetryDecision::RetryIn(s(270))
        );
        assert_eq!(
            decide(2, None, None, &schedule, 1.5),
            RetryDecision::RetryIn(s(330))
        );
    }

    #[test]
    fn retry_after_wins_on_429_and_503_when_later() {
        let schedule = standard_schedule();
        assert_eq!(
            decide(1, Some(429), Some(s(60)), &schedule, 1.0),
            RetryDecision::RetryIn(s(60))
        );
        assert_eq!(
            decide(2, Some(503), Some(s(60)), &schedule, 1.0),
            RetryDecision::RetryIn(s(300))
        );
        // Only 429 and 503 are asked to wait.
        assert_eq!(
            decide(1, Some(500), Some(s(60)), &schedule, 1.0),
            RetryDecision::RetryIn(s(5))
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + s(1_700_000_000);
        assert_eq!(parse_retry_after("120", now), Some(s(120)));
        let later = httpdate::fmt_http_date(now + s(90));
        assert_eq!(parse_retry_after(&later, now), Some(s(90)));
        let earlier = httpdate::fmt_http_date(now - s(90));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
