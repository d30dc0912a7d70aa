//! A bounded cache of seen token ids (`jti`) for replay detection.

use std::collections::HashMap;

/// Seen ids with the time until which each must be remembered.
///
/// Bounded: when full, expired entries are dropped first, then the entry that expires soonest
/// (a replay of an evicted id then goes unnoticed, which only happens under a flood of distinct
/// ids and is the usual trade-off of a bounded cache).
#[derive(Debug, Clone)]
pub struct ReplayCache {
    capacity: usize,
    seen: HashMap<String, i64>,
}

impl ReplayCache {
    /// A cache holding at most `capacity` ids (at least 1).
    pub fn new(capacity: usize) -> Self {
        ReplayCache {
            capacity: capacity.max(1),
            seen: HashMap::new(),
        }
    }

    /// Records `id` as used until `remember_until`; `false` if it was already recorded and is
    /// still remembered at `now` (a replay).
    pub fn check_and_insert(&mut self, id: &str, remember_until: i64, now: i64) -> bool {
        if self.seen.get(id).is_some_and(|&until| until >= now) {
            return false;
        }
        if self.seen.len() >= self.capacity && !self.seen.contains_key(id) {
            self.seen.retain(|_, until| *until >= now);
            if self.seen.len() >= self.capacity
                && let Some(oldest) = self
                    .seen
                    .iter()
                    .min_by_key(|(_, until)| **until)
                    .map(|(k, _)| k.clone())
            {
                self.seen.remove(&oldest);
            }
        }
        self.seen.insert(id.to_owned(), remember_until);
        true
    }

    /// Number of ids held.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether no id is held.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_use_within_the_window_is_a_replay() {
        let mut c = ReplayCache::new(10);
        assert!(c.check_and_insert("a", 100, 0));
        assert!(!c.check_and_insert("a", 100, 50));
        // Past its window the id may be used again (the token itself has expired by then).
        assert!(c.check_and_insert("a", 300, 101));
    }

    #[test]
    fn the_cache_stays_bounded_and_evicts_expired_entries_first() {
        let mut c = ReplayCache::new(3);
        assert!(c.check_and_insert("old", 10, 0));
        assert!(c.check_and_insert("b", 1000, 0));
        assert!(c.check_and_insert("c", 1000, 0));
        assert!(c.check_and_insert("d", 1000, 20));
        assert_eq!(c.len(), 3);
        assert!(
            !c.check_and_insert("b", 1000, 20),
            "live entries survive eviction"
        );
        for i in 0..100 {
            assert!(c.check_and_insert(&format!("x{i}"), 2000, 30));
        }
        assert_eq!(c.len(), 3);
    }
}
