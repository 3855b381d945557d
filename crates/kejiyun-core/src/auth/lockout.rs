//! The login lockout (等保 2.0 level 3, 身份鉴别 b): failed logins per login name within a
//! window lock that name, and each lock after the first lasts twice as long as the one before
//! (15 minutes, 30, 60 … up to a cap) until a success, a password reset or an administrator
//! clears the name. The key is the normalised login whether or not an account exists, so the
//! lock reveals nothing.
//!
//! Every attempt is counted *before* its password is checked (and the count cleared by a
//! success), so parallel guesses cannot all be checked against the same stale count: the
//! n-th attempt in a window sees n, and only the first `max_failures` are checked.

use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    /// Failures count together within this window from the first one.
    pub window_secs: i64,
    /// The first lock's length; each next lock of the same name doubles it.
    pub lock_secs: i64,
    /// The longest lock.
    pub max_lock_secs: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_secs: 15 * 60,
            lock_secs: 15 * 60,
            max_lock_secs: 24 * 3600,
        }
    }
}

/// The attempts counted for one login name, and its lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginAttempts {
    /// In the current window, this attempt included.
    pub count: u64,
    /// When the window began (its first attempt).
    pub since: Timestamp,
    /// Locks this name has had since its last success: the next lasts `2^level` base locks.
    pub level: u32,
    /// While set and in the future, the name is locked.
    pub locked_until: Option<Timestamp>,
}

impl LoginAttempts {
    /// The first attempt of a window at `now`, after `level` locks.
    fn fresh(now: Timestamp, level: u32) -> Self {
        Self {
            count: 1,
            since: now,
            level,
            locked_until: None,
        }
    }

    /// The state after one more attempt at `now`. A lock still running stays (the attempt is
    /// refused); an ended lock or window starts a new window (the level kept); the attempt
    /// past `max_failures` locks the name for `policy.lock_length(level)`.
    pub fn next(stored: Option<Self>, now: Timestamp, policy: &LockoutPolicy) -> Self {
        let Some(s) = stored else {
            return Self::fresh(now, 0);
        };
        match s.locked_until {
            Some(until) if now < until => {
                return Self {
                    count: s.count.saturating_add(1),
                    ..s
                };
            }
            Some(_) => return Self::fresh(now, s.level),
            None => {}
        }
        if s.since <= policy.window_start(now) {
            return Self::fresh(now, s.level);
        }
        let count = s.count.saturating_add(1);
        if count > u64::from(policy.max_failures) {
            return Self {
                count,
                since: s.since,
                level: s.level.saturating_add(1),
                locked_until: Some(now.plus_seconds(policy.lock_length(s.level))),
            };
        }
        Self { count, ..s }
    }
}

impl LockoutPolicy {
    pub fn window_start(&self, now: Timestamp) -> Timestamp {
        now.plus_seconds(-self.window_secs)
    }

    /// Seconds the lock after `level` earlier ones lasts: doubled each time, capped.
    pub fn lock_length(&self, level: u32) -> i64 {
        let base = self.lock_secs.max(1);
        let cap = self.max_lock_secs.max(base);
        let factor = 1i64.checked_shl(level.min(62)).unwrap_or(i64::MAX);
        base.saturating_mul(factor).min(cap)
    }

    /// Whether the password of this attempt may be checked.
    pub fn admits(&self, attempts: LoginAttempts) -> bool {
        attempts.locked_until.is_none()
    }

    /// Whether the name is locked at `now`.
    pub fn locked(&self, attempts: LoginAttempts, now: Timestamp) -> bool {
        attempts.locked_until.is_some_and(|u| now < u)
    }

    /// Whole minutes until the lock of `attempts` is over (at least one).
    pub fn minutes_left(&self, attempts: LoginAttempts, now: Timestamp) -> u32 {
        let end = attempts.locked_until.unwrap_or(now);
        let left = end.micros().saturating_sub(now.micros()).max(1);
        let minutes = left.saturating_add(59_999_999) / 60_000_000;
        u32::try_from(minutes).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(a: Option<LoginAttempts>, now: Timestamp) -> LoginAttempts {
        LoginAttempts::next(a, now, &LockoutPolicy::default())
    }

    #[test]
    fn the_sixth_attempt_in_a_window_locks_the_name() {
        let p = LockoutPolicy::default();
        let start = Timestamp(900_000_000);
        let mut a = None;
        for n in 1..=6u64 {
            let next = attempt(a, start);
            assert_eq!(next.count, n);
            assert_eq!(p.admits(next), n <= 5, "attempt {n}");
            a = Some(next);
        }
        let locked = a.unwrap_or_else(|| panic!("counted"));
        assert_eq!(locked.level, 1);
        assert_eq!(locked.locked_until, Some(start.plus_seconds(15 * 60)));
        assert_eq!(p.minutes_left(locked, start), 15);
        assert_eq!(p.window_start(Timestamp(900_000_000)), Timestamp(0));
    }

    #[test]
    fn a_window_ends_and_the_count_starts_again() {
        let first = Timestamp(1_000_000_000);
        let counted = LoginAttempts {
            count: 4,
            since: first,
            level: 0,
            locked_until: None,
        };
        let now = first.plus_seconds(15 * 60 - 1);
        assert_eq!(attempt(Some(counted), now).count, 5);
        // Exactly at the end: a new window begins with this attempt.
        let now = first.plus_seconds(15 * 60);
        assert_eq!(attempt(Some(counted), now), LoginAttempts::fresh(now, 0));
    }

    #[test]
    fn each_next_lock_lasts_twice_as_long_up_to_the_cap() {
        let p = LockoutPolicy::default();
        assert_eq!(p.lock_length(0), 15 * 60);
        assert_eq!(p.lock_length(1), 30 * 60);
        assert_eq!(p.lock_length(2), 60 * 60);
        assert_eq!(p.lock_length(6), 16 * 3600);
        assert_eq!(p.lock_length(7), 24 * 3600, "capped");
        assert_eq!(p.lock_length(u32::MAX), 24 * 3600);

        // Two rounds: a locked name stays locked, then its next lock is twice as long.
        let mut now = Timestamp(1_000_000_000);
        let mut a = None;
        for round in 0..2u32 {
            for _ in 0..6 {
                a = Some(attempt(a, now));
            }
            let locked = a.unwrap_or_else(|| panic!("counted"));
            let length = p.lock_length(round);
            assert_eq!(locked.locked_until, Some(now.plus_seconds(length)));
            assert_eq!(locked.level, round + 1);
            // Still locked one second before the end, even for more attempts.
            let late = attempt(Some(locked), now.plus_seconds(length - 1));
            assert!(!p.admits(late));
            assert_eq!(late.locked_until, locked.locked_until);
            now = now.plus_seconds(length);
            // Ended: a fresh window, the level kept.
            let after = attempt(Some(late), now);
            assert!(p.admits(after));
            assert_eq!(after.count, 1);
            assert_eq!(after.level, round + 1);
            // The next round starts from the state after the lock.
            a = Some(LoginAttempts { count: 0, ..after });
        }
        assert_eq!(
            p.minutes_left(a.unwrap_or_else(|| panic!("counted")), now),
            1,
            "never zero"
        );
    }
}
