//! Okta's eventual consistency for `search=` (`--consistency-lag`).
//!
//! Design: with a lag `L`, `search=` sees each record as it was `L` ago. Rather than keep a
//! second copy of the org, the org keeps, for each record changed within the last `L`, the state
//! it had just before each of those changes (`None`: it did not exist yet). The state as of
//! `now - L` is the state before the first change made after `now - L`, or the current one when
//! there is none; a record deleted within `L` is found in the history alone. Every change to a
//! user or group goes through [`super::Org::user_mut`]/[`super::Org::group_mut`] (or creation and
//! deletion), which record the prior state; spurious records (a `*_mut` call that changed nothing)
//! are harmless, since the state before them is the state at that time. Entries older than `L`
//! are dropped on every write, so memory is bounded by the changes of the last `L`.
//!
//! \[unconfirmed] Okta documents search as eventually consistent (index delay usually under a
//! second) without a number or a model; an exact, fixed lag — deleted records still found, new
//! ones not yet — is the emulator's model of it.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use super::events::now_ms;

/// States of records before their changes of the last `lag`.
#[derive(Debug)]
pub(crate) struct LagHistory<T> {
    lag_ms: i64,
    /// Record seq → (time of a change in ms, the record just before it), oldest first.
    before: HashMap<u64, VecDeque<(i64, Option<T>)>>,
    /// `(time, seq)` of every entry of `before`, oldest first (for pruning).
    order: VecDeque<(i64, u64)>,
    last_ms: i64,
}

impl<T: Clone> LagHistory<T> {
    pub(crate) fn new(lag: Duration) -> Self {
        LagHistory {
            lag_ms: i64::try_from(lag.as_millis()).unwrap_or(i64::MAX),
            before: HashMap::new(),
            order: VecDeque::new(),
            last_ms: 0,
        }
    }

    /// Records that record `seq`, now `prior` (`None`: it does not exist yet), is about to change.
    pub(crate) fn changing(&mut self, seq: u64, prior: Option<&T>) {
        self.changing_at(seq, prior, now_ms());
    }

    fn changing_at(&mut self, seq: u64, prior: Option<&T>, now: i64) {
        let now = now.max(self.last_ms);
        self.last_ms = now;
        self.prune(now);
        let h = self.before.entry(seq).or_default();
        // A second change within the same millisecond: the state before the first one stands.
        if h.back().is_some_and(|(t, _)| *t >= now) {
            return;
        }
        h.push_back((now, prior.cloned()));
        self.order.push_back((now, seq));
    }

    fn prune(&mut self, now: i64) {
        let horizon = now.saturating_sub(self.lag_ms);
        while let Some(&(t, seq)) = self.order.front() {
            if t > horizon {
                break;
            }
            self.order.pop_front();
            if let Some(h) = self.before.get_mut(&seq) {
                h.pop_front();
                if h.is_empty() {
                    self.before.remove(&seq);
                }
            }
        }
    }

    /// Record `seq` as of `lag` before `now`: `Some(state)` when it changed since (`Some(None)`:
    /// it did not exist then), `None` when it has not changed (the current state is the answer).
    pub(crate) fn as_of(&self, seq: u64, now: i64) -> Option<Option<&T>> {
        let horizon = now.saturating_sub(self.lag_ms);
        self.before
            .get(&seq)?
            .iter()
            .find(|(t, _)| *t > horizon)
            .map(|(_, v)| v.as_ref())
    }

    /// Seqs of the records with a history (changed within about `lag`).
    pub(crate) fn changed(&self) -> impl Iterator<Item = u64> + '_ {
        self.before.keys().copied()
    }

    #[cfg(test)]
    fn entries(&self) -> usize {
        self.order.len()
    }
}

/// Current records seen `lag` ago: `current` (in seq order) mapped through `history`, with the
/// records deleted within `lag` merged in.
pub(crate) fn lagged<'a, T: Clone>(
    history: &'a LagHistory<T>,
    current: impl Iterator<Item = (u64, &'a T)>,
    exists: impl Fn(u64) -> bool,
    now: i64,
) -> Vec<(u64, &'a T)> {
    let mut out: Vec<(u64, &T)> = current
        .filter_map(|(seq, t)| match history.as_of(seq, now) {
            None => Some((seq, t)),
            Some(prior) => prior.map(|p| (seq, p)),
        })
        .collect();
    let mut gone: Vec<(u64, &T)> = history
        .changed()
        .filter(|seq| !exists(*seq))
        .filter_map(|seq| history.as_of(seq, now).flatten().map(|t| (seq, t)))
        .collect();
    if !gone.is_empty() {
        out.append(&mut gone);
        out.sort_by_key(|(seq, _)| *seq);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sees_the_state_before_the_first_change_within_the_lag_and_prunes_older_ones() {
        let mut h: LagHistory<&str> = LagHistory::new(Duration::from_millis(100));
        h.changing_at(1, None, 1_000); // created at 1000 as "a"
        h.changing_at(1, Some(&"a"), 1_050); // "a" → "b"
        h.changing_at(1, Some(&"a"), 1_050); // same millisecond: ignored
        assert_eq!(h.entries(), 2);
        assert_eq!(
            h.as_of(1, 1_050),
            Some(None),
            "created within the lag: absent"
        );
        assert_eq!(
            h.as_of(1, 1_120),
            Some(Some(&"a")),
            "changed within the lag"
        );
        assert_eq!(
            h.as_of(1, 1_200),
            None,
            "both changes are older than the lag"
        );
        h.changing_at(2, Some(&"x"), 1_300);
        assert_eq!(h.entries(), 1, "older entries pruned on write");
        assert_eq!(h.changed().collect::<Vec<_>>(), [2]);
        let current = [(1, &"b")];
        let seen = lagged(&h, current.into_iter(), |s| s == 1, 1_350);
        assert_eq!(
            seen,
            [(1, &"b"), (2, &"x")],
            "a deleted record is still seen"
        );
    }
}
