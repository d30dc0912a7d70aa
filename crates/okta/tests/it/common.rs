//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// `../shared` next to the repository, or `SPINDLE_SHARED_DIR`.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("SPINDLE_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")))
}

/// Skips (returns true) when something the test needs is absent, unless
/// `SPINDLE_NO_SKIP=1`, in which case it fails.
pub fn skip(what: &str, how: &str) -> bool {
    let msg = format!("SKIPPED: {what} is missing; {how}");
    if std::env::var("SPINDLE_NO_SKIP").as_deref() == Ok("1") {
        panic!("{msg} (SPINDLE_NO_SKIP=1)");
    }
    eprintln!("{msg}");
    true
}

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use spindle_okta::{Client, Clock, Config, RetryPolicy};

/// A clock whose `sleep` returns at once and moves time forward, recording each wait.
#[derive(Debug, Default)]
pub struct TestClock {
    offset: Mutex<Duration>,
    sleeps: Mutex<Vec<Duration>>,
}

impl TestClock {
    /// The waits requested so far.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }
}

impl Clock for TestClock {
    fn now(&self) -> SystemTime {
        SystemTime::now() + *self.offset.lock().unwrap()
    }
    fn sleep(
        &self,
        d: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        self.sleeps.lock().unwrap().push(d);
        *self.offset.lock().unwrap() += d;
        Box::pin(tokio::task::yield_now())
    }
}

/// An SSWS client for `url` with fast retries and a test clock.
pub fn client(url: &str) -> (Client, Arc<TestClock>) {
    let clock = Arc::new(TestClock::default());
    let config = Config::with_api_token(url, "sekrit-token-123")
        .unwrap()
        .retry(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_backoff(Duration::from_millis(1), Duration::from_millis(10)),
        );
    let c = Client::with_clock(config, clock.clone()).unwrap();
    (c, clock)
}
