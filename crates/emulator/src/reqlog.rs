//! The request log: a bounded ring buffer of every request the emulator received.
//!
//! Tests use it to prove what reached the emulator — or that nothing did.

use std::collections::VecDeque;

use parking_lot::Mutex;
use serde::Serialize;

/// One logged request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Entry {
    /// Monotonic sequence number (never reused, even after a clear).
    pub seq: u64,
    /// When the request arrived (`YYYY-MM-DDTHH:mm:ss.000Z`).
    pub time: String,
    /// Arrival time in milliseconds since the epoch.
    pub time_ms: u128,
    pub method: String,
    pub path: String,
    /// Raw query string, `None` when absent.
    pub query: Option<String>,
    pub status: u16,
    pub duration_ms: f64,
    pub request_id: String,
    /// Fault injected, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

/// Ring buffer of [`Entry`].
#[derive(Debug)]
pub(crate) struct RequestLog {
    inner: Mutex<(VecDeque<Entry>, u64)>,
    capacity: usize,
}

impl RequestLog {
    pub(crate) fn new(capacity: usize) -> Self {
        RequestLog {
            inner: Mutex::new((VecDeque::new(), 0)),
            capacity: capacity.max(1),
        }
    }

    pub(crate) fn push(&self, mut e: Entry) {
        let mut g = self.inner.lock();
        g.1 += 1;
        e.seq = g.1;
        if g.0.len() >= self.capacity {
            g.0.pop_front();
        }
        g.0.push_back(e);
    }

    /// Entries with `seq > since`, oldest first, at most `limit` (the newest ones).
    pub(crate) fn list(&self, since: u64, limit: usize) -> Vec<Entry> {
        let g = self.inner.lock();
        let matching: Vec<&Entry> = g.0.iter().filter(|e| e.seq > since).collect();
        let skip = matching.len().saturating_sub(limit);
        matching.into_iter().skip(skip).cloned().collect()
    }

    pub(crate) fn clear(&self) {
        self.inner.lock().0.clear();
    }

    /// Sequence number of the last entry.
    pub(crate) fn last_seq(&self) -> u64 {
        self.inner.lock().1
    }
}
