//! Work the org queues for later: the group-rule evaluations that changes queue (Okta applies
//! rules asynchronously, within seconds).

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
