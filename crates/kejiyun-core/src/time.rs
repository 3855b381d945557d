//! Time is stored in UTC as microseconds since the Unix epoch (exact and identical on SQLite,
//! PostgreSQL and MariaDB) and shown in Asia/Shanghai. The wall clock is read only through
//! [`Clock`], so tests can pin it.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_micros(us: i64) -> Self {
        Self(us)
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    pub fn plus_seconds(self, s: i64) -> Self {
        Self(self.0.saturating_add(s.saturating_mul(1_000_000)))
    }

    pub fn to_utc(self) -> DateTime<Utc> {
        Utc.timestamp_micros(self.0).single().unwrap_or_default()
    }

    /// RFC 3339 in UTC, as the API returns it.
    pub fn to_rfc3339(self) -> String {
        self.to_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    /// The calendar date in Asia/Shanghai (statistics and contract dates use it).
    pub fn shanghai_date(self) -> chrono::NaiveDate {
        self.to_utc().with_timezone(&Shanghai).date_naive()
    }

    /// The first instant of `date` in Asia/Shanghai (no daylight saving there, so always one).
    pub fn shanghai_midnight(date: chrono::NaiveDate) -> Self {
        let local = date.and_time(chrono::NaiveTime::MIN);
        Shanghai
            .from_local_datetime(&local)
            .earliest()
            .map_or(Self(0), |t| Self::from(t.with_timezone(&Utc)))
    }

    /// `2026-11-29 15:04` in Asia/Shanghai, as pages show it.
    pub fn to_shanghai_display(self) -> String {
        self.to_utc()
            .with_timezone(&Shanghai)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Self {
        Self(t.timestamp_micros())
    }
}

/// The only way the application reads the time.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place that reads the wall clock"
    )]
    fn now(&self) -> Timestamp {
        Utc::now().into()
    }
}

/// A clock that reads what it was last set to: replaying history (the demo's months of
/// activity) through the real use cases, so every record carries its historical date.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(at: Timestamp) -> Self {
        Self(AtomicI64::new(at.0))
    }

    pub fn set(&self, at: Timestamp) {
        self.0.store(at.0, Ordering::Relaxed);
    }

    pub fn advance_seconds(&self, s: i64) {
        self.set(self.now().plus_seconds(s));
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_display_is_utc_plus_8() {
        let t: Timestamp = Utc
            .with_ymd_and_hms(2026, 11, 28, 16, 0, 0)
            .single()
            .expect("valid date")
            .into();
        assert_eq!(t.to_shanghai_display(), "2026-11-29 00:00");
        assert_eq!(t.to_rfc3339(), "2026-11-28T16:00:00Z");
    }

    #[test]
    fn manual_clock_reads_what_it_was_set_to() {
        let c = ManualClock::new(Timestamp::from_micros(1_000_000));
        assert_eq!(c.now(), Timestamp::from_micros(1_000_000));
        c.advance_seconds(60);
        assert_eq!(c.now(), Timestamp::from_micros(61_000_000));
        c.set(Timestamp::from_micros(5));
        assert_eq!(c.now(), Timestamp::from_micros(5), "it may go back too");
    }
}
