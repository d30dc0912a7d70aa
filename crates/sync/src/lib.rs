//! Incremental sync of Okta orgs into the Spindle store.
//!
//! A run of one connection does, in order:
//!
//! 1. **A full pass** when it is the connection's first run, or a reconciliation is due or asked
//!    for: every group, then side by side (they count against different rate-limit buckets)
//!    every user (the default list, then the `DEPROVISIONED` ones it hides) and every group's
//!    members (one walk per group, never one call per user). Each page is
//!    one store batch with the run's checkpoint, so a run killed mid-pass resumes at the page it
//!    stopped at. At the end of a *complete* pass, what the pass did not see is a candidate for
//!    deletion; each candidate user or group is read once by id and deleted only on Okta's 404
//!    (a user who became `DEPROVISIONED` between the two user lists is not lost), and
//!    memberships the walks did not see are removed. A pass that fails deletes nothing.
//! 2. **The System Log**, from the polling `next` link saved by the last batch: events name the
//!    users and groups that changed; each is re-read **by id** (never by `search`, whose index
//!    lags), and deletions come from the 404 of that read. Membership events
//!    (`group.user_membership.add|remove`) name both the user and the group and are applied as
//!    they say; a group's members are re-walked only when its `lastMembershipUpdated` moved and
//!    no event of the page explains it. Okta's calls thus grow with the changes, not with the
//!    size of the groups they touch. One log page and everything it caused is one
//!    batch, saved with the next link, so the log is followed exactly once across crashes;
//!    events are also deduplicated on `uuid` across the page boundary.
//!
//! The store turns batches into records and the change feed (changes only on change, numbered
//! in order, in the same transaction); see `spindle_store::SyncStore`. The [`Worker`] claims
//! queued runs under a lease, schedules due ones, and resumes a dead worker's run.

mod checkpoint;
mod engine;
mod error;
mod worker;

pub use engine::{RunOutcome, run_sync};
pub use error::SyncError;
pub use worker::{ClientSource, Worker, WorkerOptions};
