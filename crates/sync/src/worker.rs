//! The worker: schedules due runs, claims queued ones under a lease, renews the lease while a
//! run goes, and ends it. Any number of workers (gateway processes) may share one database:
//! each run goes to one of them, and a dead worker's run is resumed by another once its lease
//! runs out.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use spindle_okta::Client;
use spindle_store::{ConnectionId, Store, SyncRun};
use time::OffsetDateTime;
use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::{SyncError, run_sync};

/// Gives the worker the Okta client of a connection: the same client (and so the same pacer)
/// as the connection's actions and passthrough, so the connection's `rate_share` holds for
/// everything it does.
pub trait ClientSource: Send + Sync + 'static {
    /// The client of `connection`, with the sync's `rate_share` applied, or why there is none
    /// (in words for the run's `error`).
    fn client<'a>(
        &'a self,
        connection: &'a ConnectionId,
    ) -> Pin<Box<dyn Future<Output = Result<Client, String>> + Send + 'a>>;
}

/// Tuning of a [`Worker`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WorkerOptions {
    /// The worker's name in leases (unique per process).
    pub owner: String,
    /// How long a claimed run is held without renewal; a worker that dies loses its runs to
    /// other workers after this long.
    pub lease: Duration,
    /// How often the worker looks for due and queued runs when nothing wakes it.
    pub poll: Duration,
    /// Runs executed at once by this worker.
    pub concurrency: usize,
    /// A run taken this many times without ending is failed (it keeps killing its workers).
    pub max_attempts: i64,
    /// Whether this worker queues scheduled runs (any number of workers may).
    pub schedule: bool,
}

impl WorkerOptions {
    /// Options for worker `owner`.
    pub fn new(owner: impl Into<String>) -> Self {
        WorkerOptions {
            owner: owner.into(),
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(2),
            concurrency: 4,
            max_attempts: 20,
            schedule: true,
        }
    }

    /// Sets the lease.
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Sets the poll interval.
    #[must_use]
    pub fn poll(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }
}

type OnCommit = Arc<dyn Fn(&ConnectionId) + Send + Sync>;

/// Runs syncs in the background of a gateway process.
#[derive(Clone)]
pub struct Worker {
    store: Store,
    source: Arc<dyn ClientSource>,
    options: WorkerOptions,
    wake: Arc<Notify>,
    stop: Arc<AtomicBool>,
    on_commit: OnCommit,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker over `store`, getting clients from `source`.
    pub fn new(store: Store, source: Arc<dyn ClientSource>, options: WorkerOptions) -> Self {
        Worker {
            store,
            source,
            options,
            wake: Arc::new(Notify::new()),
            stop: Arc::new(AtomicBool::new(false)),
            on_commit: Arc::new(|_| {}),
        }
    }

    /// Calls `f` after every batch that emitted changes (to wake change-feed readers).
    #[must_use]
    pub fn on_commit(mut self, f: impl Fn(&ConnectionId) + Send + Sync + 'static) -> Self {
        self.on_commit = Arc::new(f);
        self
    }

    /// Wakes the worker whenever `signal` is notified (`notify_one`), e.g. by the API that
    /// queued a run.
    #[must_use]
    pub fn wake_on(mut self, signal: Arc<Notify>) -> Self {
        self.wake = signal;
        self
    }

    /// Wakes the worker now (a run was queued).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Asks the worker and its runs to stop; runs stop at their next page, keeping their
    /// checkpoint, and are resumed by a worker after their lease.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.wake.notify_waiters();
        self.wake.notify_one();
    }

    /// Runs until [`Worker::stop`]: schedules, claims and executes runs.
    pub async fn run(self) {
        let mut running: JoinSet<()> = JoinSet::new();
        while !self.stop.load(Ordering::Relaxed) {
            if self.options.schedule
                && let Err(e) = self.schedule().await
            {
                tracing::warn!(error = %e, "sync: scheduling failed");
            }
            while running.len() < self.options.concurrency.max(1) {
                match self
                    .store
                    .sync()
                    .claim(&self.options.owner, self.options.lease)
                    .await
                {
                    Ok(Some(run)) => {
                        let worker = self.clone();
                        running.spawn(async move { worker.execute(run).await });
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "sync: claiming a run failed");
                        break;
                    }
                }
            }
            while running.try_join_next().is_some() {}
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.options.poll) => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
            }
        }
        while running.join_next().await.is_some() {}
    }

    /// Queues a run for every connection that is due.
    async fn schedule(&self) -> Result<(), spindle_store::StoreError> {
        for due in self.store.sync().due(OffsetDateTime::now_utc()).await? {
            self.store
                .sync()
                .request_run(&due.connection_id, due.full, "schedule")
                .await?;
        }
        Ok(())
    }

    /// Claims and executes at most one run now (for tests and `spindle sync` without a
    /// gateway). Returns the run it executed.
    ///
    /// # Errors
    /// The store's errors while claiming.
    pub async fn run_one(&self) -> Result<Option<SyncRun>, spindle_store::StoreError> {
        let Some(run) = self
            .store
            .sync()
            .claim(&self.options.owner, self.options.lease)
            .await?
        else {
            return Ok(None);
        };
        let (connection, id) = (run.connection_id.clone(), run.id.clone());
        self.execute(run).await;
        Ok(Some(self.store.sync().run(&connection, &id).await?))
    }

    /// Executes a claimed run to its end, renewing its lease meanwhile.
    async fn execute(&self, run: SyncRun) {
        let owner = self.options.owner.clone();
        let sync = self.store.sync();
        if run.attempts > self.options.max_attempts {
            let error = format!(
                "gave up after {} attempts: each worker that took the run stopped before its end",
                run.attempts - 1
            );
            let _ = sync.finish(&run.id, &owner, Some(&error)).await;
            return;
        }
        let client = match self.source.client(&run.connection_id).await {
            Ok(client) => client,
            Err(e) => {
                let _ = sync.finish(&run.id, &owner, Some(&e)).await;
                return;
            }
        };
        // The lease is renewed beside the run; when it is lost the run stops at its next page
        // (its next batch would be refused anyway). The run is never dropped mid-batch, so no
        // transaction is left open behind it.
        let lost = Arc::new(AtomicBool::new(false));
        let renew = AbortOnDrop({
            let (store, id, owner, lease, lost) = (
                self.store.clone(),
                run.id.clone(),
                owner.clone(),
                self.options.lease,
                Arc::clone(&lost),
            );
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(lease / 3).await;
                    if let Err(spindle_store::StoreError::LeaseLost { .. }) =
                        store.sync().renew(&id, &owner, lease).await
                    {
                        lost.store(true, Ordering::Relaxed);
                        return;
                    }
                }
            })
        });
        let stop = || self.stop.load(Ordering::Relaxed) || lost.load(Ordering::Relaxed);
        let result = run_sync(&self.store, &client, &run, &owner, &stop, &*self.on_commit).await;
        drop(renew);
        let result = match result {
            Err(SyncError::Stopped) if lost.load(Ordering::Relaxed) => Err(SyncError::LeaseLost),
            other => other,
        };
        match result {
            Ok(outcome) => {
                tracing::info!(run = %run.id, changes = outcome.changes, "sync run succeeded");
                let _ = sync.finish(&run.id, &owner, None).await;
            }
            Err(e) if e.is_lease_lost() => {
                tracing::warn!(run = %run.id, "sync run taken over by another worker");
            }
            Err(SyncError::Stopped) => {
                // Back to the queue: another worker resumes it from its checkpoint at once.
                let _ = sync.release(&run.id, &owner).await;
                tracing::info!(run = %run.id, "sync run stopped; it resumes from its checkpoint");
            }
            Err(e) => {
                tracing::warn!(run = %run.id, error = %e, "sync run failed");
                let _ = sync.finish(&run.id, &owner, Some(&e.to_string())).await;
            }
        }
    }
}

/// Aborts the task when dropped (also when the run's future is dropped).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
