//! View counting for popular-science resources (科普资源浏览量), in memory.
//!
//! A view counts once per visitor per resource per window (30 minutes by default): the window
//! runs from the view that counted, so someone who keeps a page open and reloads it every few
//! minutes adds one view per window, not one per reload. A visitor is a [`VisitorKey`] the
//! caller derives from the user id, or for anonymous visitors from a salted keyed hash of the IP
//! and user agent (the raw address is never kept).
//!
//! Nothing is written per view: a counted view adds 1 to a pending delta keyed by (resource,
//! Asia/Shanghai day), and a periodic flush drains them with [`ViewCounter::take`] and adds them
//! to the database. If that write fails, [`ViewCounter::restore`] puts them back, so a failed
//! flush loses nothing. A process that stops loses what has not been flushed yet: that is the
//! trade for not writing per view.
//!
//! The state is split into shards chosen by (visitor, resource), each behind its own mutex held
//! only for a few hash-map operations (no await point), so request threads rarely meet.
//!
//! Memory is bounded twice: "seen" entries older than the window are dropped as time advances
//! (see `Shard` for how), and there is a hard cap on them ([`DEFAULT_MAX_SEEN`]); past it the
//! oldest generation is dropped early. Dropping a seen entry can only let a repeat view count
//! again; pending deltas are never dropped, so no counted view is lost.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::NaiveDate;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::time::Timestamp;

/// The default window in which a visitor's repeat views of a resource count once: 30 minutes.
pub const DEFAULT_WINDOW_SECS: i64 = 30 * 60;

/// The default hard cap on remembered (visitor, resource) pairs. An entry is 32 bytes plus
/// hash-table slack, so a flood of distinct visitors that fills it costs on the order of 100 MB;
/// normal traffic stays far below it, as entries live at most two windows.
pub const DEFAULT_MAX_SEEN: usize = 2_000_000;

/// A power of two, well above the core count, so two request threads rarely want one shard.
const SHARDS: usize = 32;

/// Domain separation: a user id and a client's address can never produce the same key.
const USER_DOMAIN: &[u8] = b"kejiyun/popsci-view/user/v1\0";
const CLIENT_DOMAIN: &[u8] = b"kejiyun/popsci-view/client/v1\0";

/// Who viewed: the first 16 bytes of HMAC-SHA256(salt, domain ‖ identity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VisitorKey([u8; 16]);

impl VisitorKey {
    /// A logged-in user: the same key on every device and address.
    pub fn of_user(user_id: i64, salt: &[u8; 32]) -> Self {
        let mut mac = keyed(salt);
        mac.update(USER_DOMAIN);
        mac.update(&user_id.to_be_bytes());
        Self::truncated(mac)
    }

    /// An anonymous client, by IP address and user agent (pass the address in one canonical
    /// form, e.g. `IpAddr::to_string()`, so one client always gets one key).
    pub fn of_client(ip: &str, user_agent: &str, salt: &[u8; 32]) -> Self {
        let mut mac = keyed(salt);
        mac.update(CLIENT_DOMAIN);
        // Length-prefixed, so ("1.2.3.4", "5x") and ("1.2.3.45", "x") differ.
        for part in [ip, user_agent] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        Self::truncated(mac)
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    fn truncated(mac: Hmac<Sha256>) -> Self {
        let full: [u8; 32] = mac.finalize().into_bytes().into();
        let [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, ..] = full;
        Self([a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p])
    }

    /// Eight bytes of the key: already uniformly distributed, being HMAC output.
    fn low64(&self) -> u64 {
        let [a, b, c, d, e, f, g, h, ..] = self.0;
        u64::from_le_bytes([a, b, c, d, e, f, g, h])
    }
}

/// HMAC pads a key shorter than the hash's block with zeros, so the salt zero-padded to the
/// 64-byte block is the same HMAC key; it goes through the infallible constructor, where
/// `new_from_slice` would return a `Result` that cannot fail.
fn keyed(salt: &[u8; 32]) -> Hmac<Sha256> {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(salt);
    <Hmac<Sha256> as KeyInit>::new(&block.into())
}

/// Views of one resource on one Asia/Shanghai day, not yet written to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewDelta {
    pub resource: i64,
    pub day: NaiveDate,
    pub views: i64,
}

type SeenKey = (VisitorKey, i64);

/// One shard's state.
///
/// The seen set is two generations of `(visitor, resource) → time of the counted view`, each
/// generation one window of time aligned to the Unix epoch: `current` holds generation
/// `generation`, `previous` the one before. Any view still inside its window happened at most one
/// window ago, so it is in one of the two; whatever is older is dropped by replacing a whole
/// map when time enters the next generation. That prunes in O(1), where a single map would need
/// a `retain` scan of every entry; the stored time keeps the answer exact (not "same
/// generation"), and the price is that an expired entry may linger for up to one more window.
#[derive(Debug, Default)]
struct Shard {
    generation: i64,
    current: HashMap<SeenKey, i64>,
    previous: HashMap<SeenKey, i64>,
    pending: HashMap<(i64, NaiveDate), i64>,
}

impl Shard {
    fn empty() -> Self {
        Self {
            // Below any real generation, so the first view starts one.
            generation: i64::MIN,
            ..Self::default()
        }
    }

    /// Moves to `generation`, dropping what is two or more generations old. Time that goes
    /// back (threads delivering slightly out-of-order timestamps) leaves the shard as it is.
    fn advance_to(&mut self, generation: i64) {
        if generation <= self.generation {
            return;
        }
        if generation == self.generation.saturating_add(1) {
            self.previous = std::mem::take(&mut self.current);
        } else {
            // Fresh maps rather than `clear`, so an idle shard gives its memory back.
            self.previous = HashMap::new();
            self.current = HashMap::new();
        }
        self.generation = generation;
    }

    /// Makes room so that the seen entries, the one about to be added included, stay at most
    /// `cap` (at least 1): drops the oldest generation early, and the current one too if that
    /// is not enough.
    fn make_room(&mut self, cap: usize) {
        if self.current.len() + self.previous.len() < cap {
            return;
        }
        self.previous = std::mem::take(&mut self.current);
        if self.previous.len() >= cap {
            self.previous = HashMap::new();
        }
    }

    fn add_pending(&mut self, resource: i64, day: NaiveDate, views: i64) {
        let slot = self.pending.entry((resource, day)).or_insert(0);
        *slot = slot.saturating_add(views);
    }
}

/// Padded to a cache line of its own, so two cores locking neighbouring shards do not contend
/// for one line.
#[derive(Debug)]
#[repr(align(64))]
struct Padded(Mutex<Shard>);

/// The view counter: one per process, shared by every request thread.
#[derive(Debug)]
pub struct ViewCounter {
    shards: Box<[Padded]>,
    window_micros: i64,
    /// Seen entries allowed per shard.
    shard_cap: usize,
    /// The latest generation any shard has reached: [`ViewCounter::take`] brings idle shards to
    /// it. Written only when a shard enters a new generation, so not once per view.
    latest_generation: AtomicI64,
}

impl Default for ViewCounter {
    fn default() -> Self {
        Self::new(DEFAULT_WINDOW_SECS, DEFAULT_MAX_SEEN)
    }
}

impl ViewCounter {
    /// A counter whose repeat window is `window_secs` (at least 1 second) and which remembers
    /// at most about `max_seen` (visitor, resource) pairs (at least one per shard).
    pub fn new(window_secs: i64, max_seen: usize) -> Self {
        Self {
            shards: (0..SHARDS)
                .map(|_| Padded(Mutex::new(Shard::empty())))
                .collect(),
            window_micros: window_secs.max(1).saturating_mul(1_000_000),
            shard_cap: (max_seen / SHARDS).max(1),
            latest_generation: AtomicI64::new(i64::MIN),
        }
    }

    /// Records a view of `resource` by `visitor` at `at`; true when it counted (the visitor's
    /// first view of it in the window), and then 1 is added to the pending views of `resource`
    /// on `at`'s Asia/Shanghai day.
    pub fn record(&self, visitor: VisitorKey, resource: i64, at: Timestamp) -> bool {
        let now = at.micros();
        let generation = now.div_euclid(self.window_micros);
        let key = (visitor, resource);
        let mut shard = self.lock(self.shard_of(&visitor, resource));
        if generation > shard.generation {
            shard.advance_to(generation);
            self.latest_generation
                .fetch_max(generation, Ordering::Relaxed);
        }
        // A time after `now` (out-of-order timestamps) is inside the window too.
        let within = |seen: &i64| now.saturating_sub(*seen) < self.window_micros;
        if shard.current.get(&key).is_some_and(within)
            || shard.previous.get(&key).is_some_and(within)
        {
            return false;
        }
        shard.make_room(self.shard_cap);
        shard.current.insert(key, now);
        shard.add_pending(resource, at.shanghai_date(), 1);
        true
    }

    /// Drains the pending views, sorted by resource then day so that flushes are
    /// deterministic. Also prunes every shard's seen entries up to the latest time recorded.
    pub fn take(&self) -> Vec<ViewDelta> {
        let generation = self.latest_generation.load(Ordering::Relaxed);
        let mut merged: BTreeMap<(i64, NaiveDate), i64> = BTreeMap::new();
        for index in 0..self.shards.len() {
            let mut shard = self.lock(index);
            shard.advance_to(generation);
            for (key, views) in shard.pending.drain() {
                let slot = merged.entry(key).or_insert(0);
                *slot = slot.saturating_add(views);
            }
        }
        merged
            .into_iter()
            .filter(|&(_, views)| views != 0)
            .map(|((resource, day), views)| ViewDelta {
                resource,
                day,
                views,
            })
            .collect()
    }

    /// Adds `deltas` back to the pending views (a flush that failed): the next
    /// [`ViewCounter::take`] returns them together with whatever was counted meanwhile.
    pub fn restore(&self, deltas: Vec<ViewDelta>) {
        for delta in deltas {
            // Spread by resource, so a large restore does not pile onto one shard.
            let index = Self::shard_index(delta.resource.cast_unsigned());
            self.lock(index)
                .add_pending(delta.resource, delta.day, delta.views);
        }
    }

    /// Drops the seen entries that `now` makes two or more windows old, in every shard (a flush
    /// task may call it with the clock's time; [`ViewCounter::take`] does it with the latest
    /// time recorded).
    pub fn prune(&self, now: Timestamp) {
        let generation = now.micros().div_euclid(self.window_micros);
        self.latest_generation
            .fetch_max(generation, Ordering::Relaxed);
        for index in 0..self.shards.len() {
            self.lock(index).advance_to(generation);
        }
    }

    /// The views counted and not yet taken.
    pub fn pending_views(&self) -> i64 {
        (0..self.shards.len())
            .map(|index| {
                let shard = self.lock(index);
                shard.pending.values().copied().fold(0, i64::saturating_add)
            })
            .fold(0, i64::saturating_add)
    }

    /// The (visitor, resource) pairs remembered now (for metrics and tests).
    pub fn seen_entries(&self) -> usize {
        (0..self.shards.len())
            .map(|index| {
                let shard = self.lock(index);
                shard.current.len() + shard.previous.len()
            })
            .sum()
    }

    fn shard_of(&self, visitor: &VisitorKey, resource: i64) -> usize {
        // Golden-ratio multiply so consecutive resource ids spread over the shards.
        Self::shard_index(
            visitor.low64() ^ resource.cast_unsigned().wrapping_mul(0x9E37_79B9_7F4A_7C15),
        )
    }

    fn shard_index(hash: u64) -> usize {
        // The top bits of a multiplicative hash are the well-mixed ones.
        let mixed = hash.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> (u64::BITS - SHARDS.trailing_zeros())) as usize
    }

    /// A shard's lock. A thread that panicked while holding it left the maps valid (every
    /// update is a single insert or add), so a poisoned lock is used as it is.
    fn lock(&self, index: usize) -> MutexGuard<'_, Shard> {
        self.shards[index % self.shards.len()]
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALT: [u8; 32] = [7; 32];
    const MINUTE: i64 = 60;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    /// Noon, Beijing time, on 2026-03-01.
    fn noon() -> Timestamp {
        Timestamp::shanghai_midnight(date(2026, 3, 1)).plus_seconds(12 * 3600)
    }

    fn user(id: i64) -> VisitorKey {
        VisitorKey::of_user(id, &SALT)
    }

    fn total(deltas: &[ViewDelta]) -> i64 {
        deltas.iter().map(|d| d.views).sum()
    }

    #[test]
    fn a_repeat_within_the_window_does_not_count_and_counts_again_after_it() {
        let c = ViewCounter::default();
        let t0 = noon();
        assert!(c.record(user(1), 10, t0));
        assert!(!c.record(user(1), 10, t0.plus_seconds(10 * MINUTE)));
        assert!(!c.record(user(1), 10, t0.plus_seconds(30 * MINUTE - 1)));
        // The window runs from the view that counted, not from the latest repeat.
        assert!(c.record(user(1), 10, t0.plus_seconds(30 * MINUTE)));
        assert!(!c.record(user(1), 10, t0.plus_seconds(59 * MINUTE)));
        assert!(c.record(user(1), 10, t0.plus_seconds(61 * MINUTE)));
        assert_eq!(c.pending_views(), 3);
    }

    #[test]
    fn the_window_is_a_parameter() {
        let c = ViewCounter::new(5 * MINUTE, DEFAULT_MAX_SEEN);
        let t0 = noon();
        assert!(c.record(user(1), 10, t0));
        assert!(!c.record(user(1), 10, t0.plus_seconds(4 * MINUTE)));
        assert!(c.record(user(1), 10, t0.plus_seconds(5 * MINUTE)));
    }

    #[test]
    fn an_earlier_timestamp_after_a_later_one_is_a_repeat() {
        let c = ViewCounter::default();
        let t0 = noon();
        assert!(c.record(user(1), 10, t0.plus_seconds(MINUTE)));
        assert!(!c.record(user(1), 10, t0));
    }

    #[test]
    fn two_visitors_count_twice_and_one_visitor_counts_per_resource() {
        let c = ViewCounter::default();
        let t0 = noon();
        assert!(c.record(user(1), 10, t0));
        assert!(c.record(user(2), 10, t0));
        assert!(c.record(user(1), 11, t0));
        assert!(!c.record(user(2), 10, t0.plus_seconds(1)));
        assert_eq!(
            c.take(),
            vec![
                ViewDelta {
                    resource: 10,
                    day: date(2026, 3, 1),
                    views: 2
                },
                ViewDelta {
                    resource: 11,
                    day: date(2026, 3, 1),
                    views: 1
                },
            ]
        );
    }

    #[test]
    fn days_split_at_shanghai_midnight() {
        let c = ViewCounter::default();
        let midnight = Timestamp::shanghai_midnight(date(2026, 3, 2));
        // 23:59 and 00:01 Beijing time (15:59 and 16:01 UTC, one UTC day).
        assert!(c.record(user(1), 10, midnight.plus_seconds(-MINUTE)));
        assert!(c.record(user(2), 10, midnight.plus_seconds(MINUTE)));
        // The same visitor two minutes later is a repeat, midnight or not.
        assert!(!c.record(user(1), 10, midnight.plus_seconds(MINUTE)));
        assert!(c.record(user(3), 9, midnight.plus_seconds(2 * MINUTE)));
        assert_eq!(
            c.take(),
            vec![
                ViewDelta {
                    resource: 9,
                    day: date(2026, 3, 2),
                    views: 1
                },
                ViewDelta {
                    resource: 10,
                    day: date(2026, 3, 1),
                    views: 1
                },
                ViewDelta {
                    resource: 10,
                    day: date(2026, 3, 2),
                    views: 1
                },
            ]
        );
    }

    #[test]
    fn take_drains_and_restore_adds_back() {
        let c = ViewCounter::default();
        let t0 = noon();
        for id in 0..3 {
            assert!(c.record(user(id), 10, t0));
        }
        let taken = c.take();
        assert_eq!(total(&taken), 3);
        assert_eq!(c.pending_views(), 0);
        assert!(c.take().is_empty(), "a second take finds nothing");

        // The flush failed: put them back; views counted meanwhile add up with them.
        c.restore(taken);
        assert_eq!(c.pending_views(), 3);
        for id in 3..5 {
            assert!(c.record(user(id), 10, t0.plus_seconds(MINUTE)));
        }
        assert!(
            !c.record(user(0), 10, t0.plus_seconds(MINUTE)),
            "taking does not forget who was seen"
        );
        assert_eq!(c.pending_views(), 5);
        assert_eq!(
            c.take(),
            vec![ViewDelta {
                resource: 10,
                day: date(2026, 3, 1),
                views: 5
            }]
        );
    }

    #[test]
    fn concurrent_threads_give_the_exact_total() {
        const THREADS: i64 = 8;
        const PER_THREAD: i64 = 2_000;
        let c = ViewCounter::default();
        let t0 = noon();
        std::thread::scope(|s| {
            for thread in 0..THREADS {
                let c = &c;
                s.spawn(move || {
                    for i in 0..PER_THREAD {
                        let visitor = user(thread * PER_THREAD + i);
                        let resource = i % 7;
                        let at = t0.plus_seconds(i % 60);
                        assert!(c.record(visitor, resource, at));
                        assert!(!c.record(visitor, resource, at.plus_seconds(1)));
                    }
                });
            }
        });
        assert_eq!(c.pending_views(), THREADS * PER_THREAD);
        let taken = c.take();
        assert_eq!(taken.len(), 7);
        assert_eq!(total(&taken), THREADS * PER_THREAD);
    }

    #[test]
    fn user_and_client_keys_differ_for_the_same_input() {
        assert_ne!(
            VisitorKey::of_user(42, &SALT),
            VisitorKey::of_client("42", "", &SALT)
        );
        assert_eq!(user(42), user(42), "deterministic");
        assert_ne!(user(42), VisitorKey::of_user(42, &[8; 32]), "salted");
        assert_ne!(
            VisitorKey::of_client("1.2.3.4", "5x", &SALT),
            VisitorKey::of_client("1.2.3.45", "x", &SALT)
        );
        assert_eq!(
            VisitorKey::of_client("1.2.3.4", "Mozilla/5.0", &SALT),
            VisitorKey::of_client("1.2.3.4", "Mozilla/5.0", &SALT)
        );
    }

    #[test]
    fn keys_are_standard_hmac_sha256_truncated() {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&SALT).expect("any key length");
        mac.update(USER_DOMAIN);
        mac.update(&42i64.to_be_bytes());
        let full = mac.finalize().into_bytes();
        assert_eq!(user(42).as_bytes()[..], full[..16]);
    }

    #[test]
    fn pruning_keeps_memory_bounded() {
        let c = ViewCounter::default();
        let t0 = noon();
        for id in 0..500 {
            c.record(user(id), 10, t0);
        }
        assert_eq!(c.seen_entries(), 500);

        // Still inside the window: nothing that is needed is dropped.
        assert!(c.record(user(1_000), 10, t0.plus_seconds(10 * MINUTE)));
        c.prune(t0.plus_seconds(10 * MINUTE));
        assert_eq!(c.seen_entries(), 501);
        assert!(!c.record(user(0), 10, t0.plus_seconds(29 * MINUTE)));

        // Two windows later the old entries are gone, in idle shards too (take prunes).
        assert!(c.record(
            user(2_000),
            10,
            t0.plus_seconds(2 * 30 * MINUTE + 10 * MINUTE)
        ));
        assert!(
            c.seen_entries() > 1,
            "only the recording shard has moved on"
        );
        assert_eq!(c.take().len(), 1);
        assert_eq!(c.seen_entries(), 1);

        // An explicit prune a long while later empties it.
        c.prune(t0.plus_seconds(24 * 3600));
        assert_eq!(c.seen_entries(), 0);
        assert_eq!(c.pending_views(), 0);
    }

    #[test]
    fn the_hard_cap_bounds_memory_and_never_loses_a_view() {
        const CAP: usize = 64;
        let c = ViewCounter::new(DEFAULT_WINDOW_SECS, CAP);
        let t0 = noon();
        assert!(c.record(user(-1), 10, t0));
        for id in 0..5_000 {
            assert!(c.record(user(id), 10, t0));
            assert!(c.seen_entries() <= CAP);
        }
        assert_eq!(c.pending_views(), 5_001, "every counted view is pending");
        // The cap forgot the first visitor: its repeat counts again (the only cost).
        assert!(c.record(user(-1), 10, t0.plus_seconds(1)));
    }

    #[test]
    fn a_poisoned_shard_is_recovered() {
        let c = ViewCounter::default();
        let t0 = noon();
        let index = c.shard_of(&user(1), 10);
        let panicked = std::thread::scope(|s| {
            s.spawn(|| {
                let _guard = c.lock(index);
                panic!("a request thread panics while holding the shard");
            })
            .join()
            .is_err()
        });
        assert!(panicked);
        assert!(c.shards[index].0.is_poisoned());
        assert!(c.record(user(1), 10, t0));
        assert!(!c.record(user(1), 10, t0));
        assert_eq!(total(&c.take()), 1);
    }
}
