//! The call log: every Okta call the gateway makes, with its connection and action, written to
//! the store in the background.
//!
//! The Okta client reports each HTTP attempt to an observer (method, path, status, latency,
//! request id, error code; never headers or bodies). The observer knows its connection (one
//! client per connection) and reads the action from a task-local set around the action's
//! execution ([`scope`]). Records go through a bounded channel to one writer task, so a slow
//! database never slows an Okta call down; the writer stores what is waiting in one transaction
//! (one commit for many calls under load). When the channel is full the record is dropped and
//! counted (`spindle_call_log_dropped`), which the operator sees in `/metrics`.
//!
//! Bodies and query strings are never logged: they carry personal data (and, for some calls,
//! secrets such as passwords or recovery answers).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use spindle_okta::{CallEvent, CallObserver};
use spindle_store::{CallRecord, ConnectionId, Store};
use tokio::sync::mpsc;

use crate::metrics::Metrics;

/// How many records may wait for the writer before new ones are dropped.
pub const QUEUE: usize = 10_000;

/// The most records the writer stores in one transaction.
pub const BATCH: usize = 500;

tokio::task_local! {
    static ACTION: Option<&'static str>;
    static VIA: &'static str;
}

/// Runs `future` with `action` recorded on every Okta call it makes (`None`: calls outside the
/// catalog, such as a passthrough). The connection is known to each client's [`Recorder`].
pub async fn scope<F: Future>(action: Option<&'static str>, future: F) -> F::Output {
    ACTION.scope(action, future).await
}

/// Runs `future` with `via` (the surface, e.g. `mcp`) recorded on every Okta call it makes,
/// around [`scope`] or inside it. Calls outside it are the HTTP API's (or the sync's).
pub async fn via<F: Future>(via: &'static str, future: F) -> F::Output {
    VIA.scope(via, future).await
}

/// The action of the calls being made now, if inside [`scope`].
pub fn current_action() -> Option<&'static str> {
    ACTION.try_with(|a| *a).ok().flatten()
}

/// The surface of the calls being made now, if inside [`via`].
pub fn current_via() -> Option<&'static str> {
    VIA.try_with(|v| *v).ok()
}

/// The observer given to the Okta clients of one connection: each attempt becomes a call-log
/// record and a metric.
#[derive(Debug)]
pub struct Recorder {
    connection: ConnectionId,
    sink: CallSink,
    metrics: Arc<Metrics>,
}

impl Recorder {
    /// A recorder for `connection`'s calls.
    pub fn new(connection: ConnectionId, sink: CallSink, metrics: Arc<Metrics>) -> Self {
        Recorder {
            connection,
            sink,
            metrics,
        }
    }
}

impl CallObserver for Recorder {
    fn on_call(&self, call: &CallEvent) {
        let method = call.method.as_str();
        self.metrics.okta_call(method, call.status, call.latency);
        let mut record = CallRecord::new(method, call.path.clone());
        record.at = time::OffsetDateTime::now_utc() - call.latency;
        record.connection_id = Some(self.connection.clone());
        record.action = current_action().map(str::to_owned);
        record.via = current_via().map(str::to_owned);
        record.status = call.status;
        record.latency = call.latency;
        record.okta_request_id = call.request_id.clone();
        record.error_code = call.error_code.clone();
        if !self.sink.push(record) {
            self.metrics.call_log_dropped();
        }
    }
}

/// The sending half: cheap to clone, never blocks.
#[derive(Debug, Clone)]
pub struct CallSink {
    tx: mpsc::Sender<CallRecord>,
}

impl CallSink {
    /// Queues a record; `false` when the queue is full (the record is dropped).
    pub fn push(&self, record: CallRecord) -> bool {
        self.tx.try_send(record).is_ok()
    }
}

/// Starts the writer task: it stores every queued record (what is waiting, up to [`BATCH`]
/// records, in one transaction), and prunes records older than `retention` at start and every
/// hour. It ends when every [`CallSink`] is dropped, after writing what was queued.
pub fn start(store: Store, retention: Option<Duration>) -> (CallSink, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::channel::<CallRecord>(QUEUE);
    let handle = tokio::spawn(async move {
        let mut prune = tokio::time::interval(Duration::from_secs(3600));
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            tokio::select! {
                // Whatever is queued (up to BATCH records) goes in one transaction; 0 means
                // every sink is dropped and the queue is empty.
                received = rx.recv_many(&mut batch, BATCH) => {
                    if received == 0 {
                        break;
                    }
                    let records = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if let Err(error) = store.calls().record_batch(records).await {
                        tracing::warn!(%error, records = received, "could not write call log records");
                    }
                }
                _ = prune.tick() => {
                    if let Some(retention) = retention {
                        let cutoff = time::OffsetDateTime::now_utc() - retention;
                        match store.calls().prune(cutoff).await {
                            Ok(0) => {}
                            Ok(n) => tracing::info!(pruned = n, "call log pruned"),
                            Err(error) => tracing::warn!(%error, "could not prune the call log"),
                        }
                    }
                }
            }
        }
    });
    (CallSink { tx }, handle)
}
