//! Prometheus metrics of the gateway, served at `/metrics` in the text exposition format.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Labels of the gateway's own HTTP requests.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// The HTTP method.
    pub method: String,
    /// The route template (`/v1/connections/{connection_id}`), never the concrete path.
    pub route: String,
    /// The response status.
    pub status: u16,
}

/// Labels of the Okta calls the gateway makes.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OktaLabels {
    /// The HTTP method.
    pub method: String,
    /// The status class (`2xx`, `4xx`, `5xx`, or `none` when no answer came).
    pub status_class: String,
}

/// Labels of webhook delivery attempts.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WebhookLabels {
    /// What followed the attempt: `delivered`, `retry`, `dead` or `gone` (410: the endpoint was
    /// disabled).
    pub outcome: String,
}

/// The registry and the metrics in it.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<HttpLabels, Histogram, fn() -> Histogram>,
    okta_calls: Family<OktaLabels, Counter>,
    okta_duration: Family<OktaLabels, Histogram, fn() -> Histogram>,
    call_log_dropped: Counter,
    webhook_attempts: Family<WebhookLabels, Counter>,
    webhook_duration: Histogram,
    webhook_pending: Gauge,
    webhook_dead: Gauge,
}

fn latency_histogram() -> Histogram {
    Histogram::new([
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("spindle");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration: Family<HttpLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        let okta_calls = Family::<OktaLabels, Counter>::default();
        let okta_duration: Family<OktaLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_requests",
            "Requests the gateway answered",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time the gateway took to answer",
            http_duration.clone(),
        );
        registry.register(
            "okta_calls",
            "HTTP calls the gateway made to Okta (each attempt)",
            okta_calls.clone(),
        );
        registry.register(
            "okta_call_duration_seconds",
            "Latency of the gateway's calls to Okta",
            okta_duration.clone(),
        );
        let call_log_dropped = Counter::default();
        registry.register(
            "call_log_dropped",
            "Call-log records dropped because the writer fell behind",
            call_log_dropped.clone(),
        );
        let webhook_attempts = Family::<WebhookLabels, Counter>::default();
        registry.register(
            "webhook_attempts",
            "Webhook delivery attempts, by what followed them",
            webhook_attempts.clone(),
        );
        let webhook_duration = Histogram::new([
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0,
        ]);
        registry.register(
            "webhook_attempt_duration_seconds",
            "Time from sending a webhook attempt to its answer (or failure)",
            webhook_duration.clone(),
        );
        let webhook_pending = Gauge::default();
        registry.register(
            "webhook_deliveries_pending",
            "Webhook deliveries waiting for an attempt (as of the last scrape)",
            webhook_pending.clone(),
        );
        let webhook_dead = Gauge::default();
        registry.register(
            "webhook_deliveries_dead",
            "Webhook deliveries dead-lettered until replayed (as of the last scrape)",
            webhook_dead.clone(),
        );
        Metrics {
            registry,
            webhook_attempts,
            webhook_duration,
            webhook_pending,
            webhook_dead,
            call_log_dropped,
            http_requests,
            http_duration,
            okta_calls,
            okta_duration,
        }
    }
}

impl Metrics {
    /// Records one answered request.
    pub fn http_request(&self, labels: HttpLabels, elapsed: Duration) {
        self.http_requests.get_or_create(&labels).inc();
        self.http_duration
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Records one Okta call attempt.
    pub fn okta_call(&self, method: &str, status: Option<u16>, elapsed: Duration) {
        let labels = OktaLabels {
            method: method.to_owned(),
            status_class: status.map_or_else(|| "none".to_owned(), |s| format!("{}xx", s / 100)),
        };
        self.okta_calls.get_or_create(&labels).inc();
        self.okta_duration
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Counts a call-log record that was dropped.
    pub fn call_log_dropped(&self) {
        self.call_log_dropped.inc();
    }

    /// Records one webhook delivery attempt and what followed it.
    pub fn webhook_attempt(&self, outcome: &str, elapsed: Duration) {
        self.webhook_attempts
            .get_or_create(&WebhookLabels {
                outcome: outcome.to_owned(),
            })
            .inc();
        self.webhook_duration.observe(elapsed.as_secs_f64());
    }

    /// Sets the numbers of pending and dead deliveries (from the store).
    pub fn webhook_backlog(&self, pending: i64, dead: i64) {
        self.webhook_pending.set(pending);
        self.webhook_dead.set(dead);
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}
