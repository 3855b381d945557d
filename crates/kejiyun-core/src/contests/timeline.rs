//! A contest's timeline: the entry window, the judging window and the public notice (公示)
//! period, in that order and not overlapping. Each window includes its start and excludes its
//! end. Between windows nothing is open: entries are checked before judging, awards are set
//! between judging and the notice. Once the notice period ends the awards are final.

use crate::DomainError;
use crate::time::Timestamp;
use crate::trainings::parse_time;

/// The timeline as entered: RFC 3339 or Beijing time (`2026-03-01 09:00`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimelineInput {
    pub entries_open: String,
    pub entries_close: String,
    pub judging_open: String,
    pub judging_close: String,
    pub notice_open: String,
    pub notice_close: String,
}

/// A validated timeline: each instant no earlier than the one before, each window non-empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeline {
    pub entries_open: Timestamp,
    pub entries_close: Timestamp,
    pub judging_open: Timestamp,
    pub judging_close: Timestamp,
    pub notice_open: Timestamp,
    pub notice_close: Timestamp,
}

/// Where a contest stands at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the entry window.
    NotOpen,
    Entries,
    /// Between the entry and judging windows, or between judging and the notice.
    BetweenRounds,
    Judging,
    Notice,
    /// The notice period is over: awards are final.
    Final,
}

impl Phase {
    pub fn at(timeline: &Timeline, now: Timestamp) -> Self {
        let t = timeline;
        if now < t.entries_open {
            Self::NotOpen
        } else if now < t.entries_close {
            Self::Entries
        } else if now < t.judging_open {
            Self::BetweenRounds
        } else if now < t.judging_close {
            Self::Judging
        } else if now < t.notice_open {
            Self::BetweenRounds
        } else if now < t.notice_close {
            Self::Notice
        } else {
            Self::Final
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::NotOpen => "报名未开始",
            Self::Entries => "报名中",
            Self::BetweenRounds => "审核与准备中",
            Self::Judging => "评审中",
            Self::Notice => "公示中",
            Self::Final => "结果已确定",
        }
    }
}

impl Timeline {
    pub fn parse(input: &TimelineInput) -> Result<Self, DomainError> {
        let t = Self {
            entries_open: parse_time("entries_open", &input.entries_open)?,
            entries_close: parse_time("entries_close", &input.entries_close)?,
            judging_open: parse_time("judging_open", &input.judging_open)?,
            judging_close: parse_time("judging_close", &input.judging_close)?,
            notice_open: parse_time("notice_open", &input.notice_open)?,
            notice_close: parse_time("notice_close", &input.notice_close)?,
        };
        t.check()?;
        Ok(t)
    }

    /// Windows non-empty, in order, not overlapping (one may start when the previous ends).
    pub fn check(&self) -> Result<(), DomainError> {
        let rules = [
            (
                self.entries_open < self.entries_close,
                "entries_close",
                "报名截止时间必须晚于报名开始时间",
            ),
            (
                self.entries_close <= self.judging_open,
                "judging_open",
                "评审开始时间不能早于报名截止时间",
            ),
            (
                self.judging_open < self.judging_close,
                "judging_close",
                "评审结束时间必须晚于评审开始时间",
            ),
            (
                self.judging_close <= self.notice_open,
                "notice_open",
                "公示开始时间不能早于评审结束时间",
            ),
            (
                self.notice_open < self.notice_close,
                "notice_close",
                "公示结束时间必须晚于公示开始时间",
            ),
        ];
        match rules.into_iter().find(|(ok, _, _)| !ok) {
            Some((_, field, message)) => Err(DomainError::invalid(field, message)),
            None => Ok(()),
        }
    }

    pub fn phase(&self, now: Timestamp) -> Phase {
        Phase::at(self, now)
    }

    /// Entries may be submitted (or resubmitted after being returned) only in the entry window.
    pub fn may_submit(&self, now: Timestamp) -> Result<(), DomainError> {
        if now < self.entries_open {
            Err(DomainError::Conflict(format!(
                "报名尚未开始，开始时间为 {}",
                self.entries_open.to_shanghai_display()
            )))
        } else if now >= self.entries_close {
            Err(DomainError::Conflict(format!(
                "报名已截止（截止时间 {}）",
                self.entries_close.to_shanghai_display()
            )))
        } else {
            Ok(())
        }
    }

    /// Judges may score, and revise their scores, only in the judging window.
    pub fn may_score(&self, now: Timestamp) -> Result<(), DomainError> {
        if now < self.judging_open {
            Err(DomainError::Conflict(format!(
                "评审尚未开始，开始时间为 {}",
                self.judging_open.to_shanghai_display()
            )))
        } else if now >= self.judging_close {
            Err(DomainError::Conflict("评审已结束，不能再修改评分".into()))
        } else {
            Ok(())
        }
    }

    /// The admin sets the awards after judging and before the notice is out.
    pub fn may_set_awards(&self, now: Timestamp) -> Result<(), DomainError> {
        if now < self.judging_close {
            Err(DomainError::Conflict("评审尚未结束，暂不能评定奖项".into()))
        } else if now >= self.notice_open {
            Err(DomainError::Conflict("公示已开始，奖项不能再修改".into()))
        } else {
            Ok(())
        }
    }

    /// Awards are final once the notice period is over.
    pub fn awards_final(&self, now: Timestamp) -> Result<(), DomainError> {
        if now >= self.notice_close {
            Ok(())
        } else {
            Err(DomainError::Conflict(format!(
                "公示期至 {} 结束，奖项尚未最终确定",
                self.notice_close.to_shanghai_display()
            )))
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn input() -> TimelineInput {
        TimelineInput {
            entries_open: "2026-03-01 00:00".into(),
            entries_close: "2026-03-31 00:00".into(),
            judging_open: "2026-04-05 00:00".into(),
            judging_close: "2026-04-15 00:00".into(),
            notice_open: "2026-04-20 00:00".into(),
            notice_close: "2026-04-27 00:00".into(),
        }
    }

    pub(crate) fn at(raw: &str) -> Timestamp {
        parse_time("t", raw).expect("time")
    }

    pub(crate) fn timeline() -> Timeline {
        Timeline::parse(&input()).expect("valid")
    }

    fn message(r: Result<(), DomainError>) -> String {
        r.expect_err("refused").to_string()
    }

    #[test]
    fn contests_phases_follow_the_windows() {
        let t = timeline();
        let cases = [
            ("2026-02-28 23:59", Phase::NotOpen),
            ("2026-03-01 00:00", Phase::Entries),
            ("2026-03-31 00:00", Phase::BetweenRounds),
            ("2026-04-05 00:00", Phase::Judging),
            ("2026-04-16 00:00", Phase::BetweenRounds),
            ("2026-04-20 00:00", Phase::Notice),
            ("2026-04-27 00:00", Phase::Final),
        ];
        for (now, phase) in cases {
            assert_eq!(Phase::at(&t, at(now)), phase, "{now}");
        }
    }

    #[test]
    fn contests_entry_after_the_window_is_refused() {
        let t = timeline();
        assert!(t.may_submit(at("2026-03-30 23:59")).is_ok());
        assert!(message(t.may_submit(at("2026-03-31 00:00"))).starts_with("报名已截止"));
        assert!(message(t.may_submit(at("2026-02-01 08:00"))).starts_with("报名尚未开始"));
    }

    #[test]
    fn contests_scoring_only_in_the_judging_window() {
        let t = timeline();
        assert!(message(t.may_score(at("2026-04-01 00:00"))).starts_with("评审尚未开始"));
        assert!(t.may_score(at("2026-04-14 23:59")).is_ok());
        assert_eq!(
            message(t.may_score(at("2026-04-15 00:00"))),
            "评审已结束，不能再修改评分"
        );
        assert!(t.may_set_awards(at("2026-04-14 00:00")).is_err());
        assert!(t.may_set_awards(at("2026-04-16 00:00")).is_ok());
        assert!(t.may_set_awards(at("2026-04-21 00:00")).is_err());
        assert!(message(t.awards_final(at("2026-04-26 00:00"))).contains("尚未最终确定"));
        assert!(t.awards_final(at("2026-04-27 00:00")).is_ok());
    }

    #[test]
    fn contests_timeline_must_be_ordered_and_not_overlap() {
        let field = |i: TimelineInput| match Timeline::parse(&i) {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("expected invalid, got {other:?}"),
        };
        let mut i = input();
        i.entries_close = i.entries_open.clone();
        assert_eq!(field(i), "entries_close");
        let mut i = input();
        i.judging_open = "2026-03-30 00:00".into();
        assert_eq!(field(i), "judging_open");
        let mut i = input();
        i.judging_close = "2026-04-04 00:00".into();
        assert_eq!(field(i), "judging_close");
        let mut i = input();
        i.notice_open = "2026-04-14 00:00".into();
        assert_eq!(field(i), "notice_open");
        let mut i = input();
        i.notice_close = "2026-04-20 00:00".into();
        assert_eq!(field(i), "notice_close");
        let mut i = input();
        i.judging_open = i.entries_close.clone();
        i.notice_open = i.judging_close.clone();
        assert!(Timeline::parse(&i).is_ok(), "back-to-back windows");
        let mut i = input();
        i.notice_close = "下周".into();
        assert_eq!(field(i), "notice_close");
    }
}
