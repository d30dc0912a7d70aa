//! Work the org queues for later: the group-rule evaluations that changes queue (Okta applies
//! rules asynchronously, within seconds); and background churn (`--churn N/min`).

use std::sync::Arc;
use std::time::Duration;

use crate::state::Shared;
use crate::store::Org;

/// Delay between a change that queues a rule evaluation and the evaluation (Okta takes
/// seconds; the emulator is quicker so tests stay fast).
pub(crate) const RULE_EVAL_DELAY: Duration = Duration::from_millis(50);

/// After a change made under the write lock on `org`: when it queued rule evaluations, runs
/// the queue [`RULE_EVAL_DELAY`] later in a background task.
pub(crate) fn run_rules_later(s: &Arc<Shared>, org: &Org) {
    if !org.rules_queued() {
        return;
    }
    let s = s.clone();
    tokio::spawn(async move {
        tokio::time::sleep(RULE_EVAL_DELAY).await;
        s.org.write().run_rule_queue();
    });
}

/// Runs churn in the background: one random change every `60 / per_minute` seconds (seeds drawn
/// from `seed`), until `stop` fires or its sender is dropped.
pub(crate) fn spawn_churn(
    s: Arc<Shared>,
    per_minute: u32,
    seed: u64,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) -> tokio::task::JoinHandle<()> {
    let every = Duration::from_secs(60) / per_minute.max(1);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut n: u64 = 0;
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = tick.tick() => {}
            }
            n += 1;
            let mut org = s.org.write();
            org.churn(1, crate::util::mix(seed ^ n));
            run_rules_later(&s, &org);
        }
    })
}
