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
        // The process and build families go before the closing `# EOF`.
        let end = text.rfind("# EOF").unwrap_or(text.len());
        text.insert_str(end, &process_and_build());
        text
    }

    /// The metrics in the Prometheus text format 0.0.4 (`text/plain; version=0.0.4`), which
    /// every scraper reads: the OpenMetrics text without `# EOF`, a counter's `TYPE` and `HELP`
    /// named like its samples (`…_total`).
    pub fn render_prometheus(&self) -> String {
        to_prometheus_text(&self.render())
    }

    /// The metrics as JSON: one object per family with its samples (see [`MetricsJson`]).
    pub fn render_json(&self) -> MetricsJson {
        parse_families(&self.render())
    }
}

/// The metrics as JSON (`GET /metrics` with `Accept: application/json`).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MetricsJson {
    /// Every metric family, in exposition order.
    pub families: Vec<MetricFamily>,
}

/// One metric family.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MetricFamily {
    /// The family's name, e.g. `spindle_http_requests`.
    pub name: String,
    /// `counter`, `gauge`, `histogram`, `info` or `unknown`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What it measures.
    pub help: String,
    /// Its samples.
    pub samples: Vec<MetricSample>,
}

/// One sample of a family.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MetricSample {
    /// The sample's name, e.g. `spindle_http_requests_total` or `…_bucket`.
    pub name: String,
    /// Its labels.
    pub labels: std::collections::BTreeMap<String, String>,
    /// Its value; `null` for a value JSON cannot hold (NaN, ±Inf).
    pub value: Option<f64>,
}

/// The families every Prometheus client library exports about its process (resident memory,
/// CPU time, start time; read from `/proc`, so only on Linux) and `spindle_build_info`, in the
/// OpenMetrics text format.
fn process_and_build() -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    let mut family = |name: &str, kind: &str, help: &str, sample: String| {
        let _ = write!(
            text,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{sample}\n"
        );
    };
    if let Some(process) = ProcessStats::read() {
        family(
            "process_resident_memory_bytes",
            "gauge",
            "Resident memory size in bytes.",
            format!("process_resident_memory_bytes {}", process.resident_bytes),
        );
        family(
            "process_cpu_seconds",
            "counter",
            "Total user and system CPU time spent in seconds.",
            format!("process_cpu_seconds_total {}", process.cpu_seconds),
        );
        family(
            "process_start_time_seconds",
            "gauge",
            "Start time of the process since unix epoch in seconds.",
            format!("process_start_time_seconds {}", process.start_time_seconds),
        );
    }
    family(
        "spindle_build_info",
        "gauge",
        "The gateway's build: always 1, with the version, OS and architecture as labels.",
        format!(
            "spindle_build_info{{version=\"{}\",os=\"{}\",arch=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH
        ),
    );
    text
}

/// What `/proc` says of this process.
struct ProcessStats {
    resident_bytes: u64,
    cpu_seconds: f64,
    start_time_seconds: u64,
}

impl ProcessStats {
    /// `USER_HZ`: the unit of `/proc/self/stat`'s times, 100 on every Linux ABI.
    const TICKS_PER_SECOND: f64 = 100.0;

    fn read() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // The command name (field 2) may hold spaces and parentheses: count from the last `)`.
        let fields: Vec<&str> = stat
            .get(stat.rfind(')')? + 1..)?
            .split_whitespace()
            .collect();
        // Field n of proc(5) is fields[n - 3].
        let ticks = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
        let cpu_ticks = ticks(14)? + ticks(15)?;
        let start_ticks = ticks(22)?;
        let boot = std::fs::read_to_string("/proc/stat")
            .ok()?
            .lines()
            .find_map(|l| l.strip_prefix("btime ")?.trim().parse::<u64>().ok())?;
        let rss_kib = std::fs::read_to_string("/proc/self/status")
            .ok()?
            .lines()
            .find_map(|l| {
                l.strip_prefix("VmRSS:")?
                    .trim()
                    .strip_suffix("kB")?
                    .trim()
                    .parse::<u64>()
                    .ok()
            })?;
        #[allow(clippy::cast_precision_loss)] // CPU ticks stay far below 2^52
        let cpu_seconds = cpu_ticks as f64 / Self::TICKS_PER_SECOND;
        Some(Self {
            resident_bytes: rss_kib * 1024,
            cpu_seconds,
            start_time_seconds: boot + start_ticks / 100,
        })
    }
}

/// OpenMetrics text → Prometheus text 0.0.4.
fn to_prometheus_text(openmetrics: &str) -> String {
    let counters: std::collections::HashSet<&str> = openmetrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let renamed = ["# TYPE ", "# HELP "].iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let (name, tail) = rest.split_once(' ')?;
            counters
                .contains(name)
                .then(|| format!("{prefix}{name}_total {tail}"))
        });
        out.push_str(renamed.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

/// Parses the OpenMetrics text this module renders into families.
fn parse_families(text: &str) -> MetricsJson {
    let mut families: Vec<MetricFamily> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, "unknown"));
            match families.last_mut() {
                Some(f) if f.name == name => f.kind = kind.to_owned(),
                _ => families.push(MetricFamily {
                    name: name.to_owned(),
                    kind: kind.to_owned(),
                    help: String::new(),
                    samples: Vec::new(),
                }),
            }
        } else if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
            match families.last_mut() {
                Some(f) if f.name == name => f.help = help.to_owned(),
                _ => families.push(MetricFamily {
                    name: name.to_owned(),
                    kind: "unknown".to_owned(),
                    help: help.to_owned(),
                    samples: Vec::new(),
                }),
            }
        } else if !line.starts_with('#')
            && !line.is_empty()
            && let Some(sample) = parse_sample(line)
            && let Some(family) = families.last_mut()
        {
            family.samples.push(sample);
        }
    }
    MetricsJson { families }
}

/// `name{a="x",b="y"} 1.5` → a sample; `None` for a line that is not one.
fn parse_sample(line: &str) -> Option<MetricSample> {
    let (name, rest) = match line.find(['{', ' ']) {
        Some(i) => line.split_at(i),
        None => return None,
    };
    let mut labels = std::collections::BTreeMap::new();
    let rest = if let Some(body) = rest.strip_prefix('{') {
        let mut chars = body.char_indices();
        let mut end = None;
        loop {
            // A label: name="value" with \\, \" and \n escapes, then `,` or `}`.
            let mut key = String::new();
            let mut closed = false;
            for (i, c) in chars.by_ref() {
                match c {
                    '=' => break,
                    '}' => {
                        end = Some(i);
                        closed = true;
                        break;
                    }
                    ',' | ' ' => {}
                    c => key.push(c),
                }
            }
            if closed {
                break;
            }
            if chars.next().map(|(_, c)| c) != Some('"') {
                return None;
            }
            let mut value = String::new();
            loop {
                match chars.next()?.1 {
                    '\\' => match chars.next()?.1 {
                        'n' => value.push('\n'),
                        other => value.push(other),
                    },
                    '"' => break,
                    c => value.push(c),
                }
            }
            labels.insert(key, value);
        }
        body.get(end? + 1..)?
    } else {
        rest
    };
    let value = rest.split_whitespace().next()?;
    let value = match value {
        "+Inf" | "-Inf" | "NaN" => None,
        v => Some(v.parse::<f64>().ok()?),
    };
    Some(MetricSample {
        name: name.to_owned(),
        labels,
        value: value.filter(|v| v.is_finite()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_formats_hold_the_same_samples() {
        let metrics = Metrics::default();
        metrics.http_request(
            HttpLabels {
                method: "GET".into(),
                route: "/v1/connections/{connection_id}".into(),
                status: 200,
            },
            Duration::from_millis(3),
        );
        let open = metrics.render();
        assert!(open.ends_with("# EOF\n"), "{open}");
        assert!(open.contains("spindle_build_info{version=\""), "{open}");
        let text = metrics.render_prometheus();
        assert!(!text.contains("# EOF"));
        assert!(
            text.contains("# TYPE spindle_http_requests_total counter\n"),
            "{text}"
        );
        assert!(text.contains("spindle_http_requests_total{"), "{text}");
        let json = metrics.render_json();
        let family = |name: &str| json.families.iter().find(|f| f.name == name);
        let requests = family("spindle_http_requests").expect("the requests family");
        assert_eq!(requests.kind, "counter");
        assert_eq!(
            requests.samples[0].labels["route"],
            "/v1/connections/{connection_id}"
        );
        assert_eq!(requests.samples[0].value, Some(1.0));
        let build = family("spindle_build_info").expect("build info");
        assert_eq!(
            build.samples[0].labels["version"],
            env!("CARGO_PKG_VERSION")
        );
        if cfg!(target_os = "linux") {
            for name in [
                "process_resident_memory_bytes",
                "process_cpu_seconds",
                "process_start_time_seconds",
            ] {
                let f = family(name).unwrap_or_else(|| panic!("{name}"));
                // A test process may not have used a full CPU tick yet.
                let floor = if name == "process_cpu_seconds" {
                    0.0
                } else {
                    1.0
                };
                assert!(f.samples[0].value.is_some_and(|v| v >= floor), "{name}");
            }
            assert!(text.contains("process_cpu_seconds_total "), "{text}");
        }
    }

    #[test]
    fn a_malformed_sample_is_skipped_not_a_panic() {
        for line in [
            r#"x{a="1"#,
            "x{a=1} 2",
            "x",
            "x{} nope",
            "{",
            r#"x{a="\"} 1"#,
        ] {
            let _ = parse_sample(line);
        }
        assert_eq!(
            parse_sample(r#"x{a="1"} 2"#).map(|s| s.value),
            Some(Some(2.0))
        );
    }
}
