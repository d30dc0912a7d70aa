//! The gateway's short-lived caches: one generic [`TtlCache`] with one eviction policy, used for
//! authenticated API keys and for connection rows.
//!
//! # Design: a small map with a TTL and a generation, not a cache crate
//!
//! Both caches hold few entries (one per API key or connection in use) for a few seconds, and the
//! one thing they need beyond a TTL is to refuse a value read from the store *before* an
//! invalidation made through this gateway: a request that read a connection row while another
//! request updated it must not put the old row back after the update forgot it. A [`Ticket`]
//! taken before the read carries the cache's generation, which every removal advances;
//! [`TtlCache::insert_read`] drops the value when the generation moved. General-purpose caches
//! (moka and the like) invalidate, but cannot tell a racing insert from a fresh one, and bring
//! background eviction machinery these sizes do not need.
//!
//! Eviction: an entry is served for `ttl` after the read that produced it. When the map is full a
//! new key first sweeps the expired entries, then, if it is still full, clears the map: every
//! entry is only a saved store read, so dropping all of them costs one read each and no
//! correctness, and bounds memory without per-entry bookkeeping.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use spindle_store::{ApiKey, Connection};

/// The most keys the authentication cache holds (only keys that authenticated get in, so this is
/// only reached by a deployment with that many keys in use at once).
pub const KEY_CACHE_CAPACITY: usize = 4096;

/// The most connection rows the connection cache holds (by the id or name they were asked for).
pub const CONNECTION_CACHE_CAPACITY: usize = 4096;

/// Recently authenticated API keys, by the SHA-256 of their secret
/// ([`crate::Settings::auth_cache_ttl`]).
pub type KeyCache = TtlCache<[u8; 32], ApiKey>;

/// Connection rows recently read for action calls, by the id or name they were asked for
/// ([`crate::Settings::connection_cache_ttl`]).
pub type ConnectionCache = TtlCache<String, Connection>;

/// A map whose entries expire `ttl` after they were read from their source. A zero `ttl` turns
/// it off: nothing is stored, every lookup misses.
pub struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    inner: Mutex<Entries<K, V>>,
}

struct Entries<K, V> {
    generation: u64,
    map: HashMap<K, (Instant, V)>,
}

/// When a value was read, and the cache's generation before the read (see
/// [`TtlCache::insert_read`]).
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    generation: u64,
    read_at: Instant,
}

impl<K, V> std::fmt::Debug for TtlCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TtlCache")
            .field("ttl", &self.ttl)
            .field("capacity", &self.capacity)
            .field("entries", &self.inner.lock().map.len())
            .finish()
    }
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// A cache of at most `capacity` entries that live `ttl` (zero: nothing is cached).
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        TtlCache {
            ttl,
            capacity,
            inner: Mutex::new(Entries {
                generation: 0,
                map: HashMap::new(),
            }),
        }
    }

    /// Whether anything is ever cached (`ttl` is not zero).
    pub fn is_enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// The value stored for `key`, if it was read less than `ttl` ago.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get_at(key, Instant::now())
    }

    fn get_at<Q>(&self, key: &Q, now: Instant) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if !self.is_enabled() {
            return None;
        }
        let entries = self.inner.lock();
        let (read_at, value) = entries.map.get(key)?;
        (now.saturating_duration_since(*read_at) < self.ttl).then(|| value.clone())
    }

    /// Take before reading a value from its source; pass to [`TtlCache::insert_read`].
    pub fn ticket(&self) -> Ticket {
        Ticket {
            generation: self.inner.lock().generation,
            read_at: Instant::now(),
        }
    }

    /// Stores `value`, read just now.
    pub fn insert(&self, key: K, value: V) {
        self.insert_read(self.ticket(), key, value);
    }

    /// Stores `value`, read after `ticket` was taken, unless an entry was removed since: the
    /// value may predate that change. Its age counts from the ticket.
    pub fn insert_read(&self, ticket: Ticket, key: K, value: V) {
        if !self.is_enabled() {
            return;
        }
        let mut entries = self.inner.lock();
        if entries.generation != ticket.generation {
            return;
        }
        if entries.map.len() >= self.capacity && !entries.map.contains_key(&key) {
            let (now, ttl) = (Instant::now(), self.ttl);
            entries
                .map
                .retain(|_, (read_at, _)| now.saturating_duration_since(*read_at) < ttl);
            if entries.map.len() >= self.capacity {
                entries.map.clear();
            }
        }
        entries.map.insert(key, (ticket.read_at, value));
    }

    /// Forgets `key`; reads that started before are not stored.
    pub fn remove<Q>(&self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.is_enabled() {
            let mut entries = self.inner.lock();
            entries.generation = entries.generation.wrapping_add(1);
            entries.map.remove(key);
        }
    }

    /// Forgets everything; reads that started before are not stored.
    pub fn clear(&self) {
        if self.is_enabled() {
            let mut entries = self.inner.lock();
            entries.generation = entries.generation.wrapping_add(1);
            entries.map.clear();
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(5);

    #[test]
    fn an_entry_is_served_until_its_ttl_has_passed() {
        let cache = TtlCache::new(TTL, 8);
        let ticket = cache.ticket();
        cache.insert_read(ticket, "a", 1);
        assert_eq!(cache.get_at("a", ticket.read_at), Some(1));
        assert_eq!(
            cache.get_at("a", ticket.read_at + TTL - Duration::from_millis(1)),
            Some(1)
        );
        assert_eq!(cache.get_at("a", ticket.read_at + TTL), None);
        assert_eq!(cache.get("b"), None);
    }

    #[test]
    fn a_zero_ttl_caches_nothing() {
        let cache = TtlCache::new(Duration::ZERO, 8);
        cache.insert("a", 1);
        assert_eq!(cache.get("a"), None);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn a_read_that_raced_with_a_removal_is_not_stored() {
        let cache = TtlCache::new(TTL, 8);
        let before_update = cache.ticket();
        cache.remove("a");
        cache.insert_read(before_update, "a", "old row");
        assert_eq!(cache.get("a"), None);
        let before_delete = cache.ticket();
        cache.clear();
        cache.insert_read(before_delete, "a", "old row");
        assert_eq!(cache.get("a"), None);
        cache.insert("a", "new row");
        assert_eq!(cache.get("a"), Some("new row"));
    }

    #[test]
    fn a_full_cache_makes_room_for_a_new_key() {
        let cache = TtlCache::new(TTL, 2);
        cache.insert(1, ());
        cache.insert(2, ());
        // An existing key is replaced in place.
        cache.insert(2, ());
        assert_eq!(cache.len(), 2);
        // A new key in a full cache of live entries clears it.
        cache.insert(3, ());
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get(&3), Some(()));
        assert_eq!(cache.get(&1), None);
    }

    #[test]
    fn a_full_cache_sweeps_expired_entries_first() {
        let cache = TtlCache::new(TTL, 2);
        let Some(long_ago) = Instant::now().checked_sub(TTL * 2) else {
            return; // a clock this close to its origin cannot express an expired entry
        };
        let stale = Ticket {
            generation: cache.ticket().generation,
            read_at: long_ago,
        };
        cache.insert_read(stale, 1, ());
        cache.insert(2, ());
        cache.insert(3, ());
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get(&2), Some(()));
        assert_eq!(cache.get(&3), Some(()));
    }
}
