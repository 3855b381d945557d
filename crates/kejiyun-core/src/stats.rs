//! Statistics that officials can trust: the metric catalogue of docs/product.md ("The figures") and, in one
//! place, each metric's definition — which records count, with which date and region.
//!
//! A counted record is described by a [`Counted`] snapshot; [`contributions`] says what it adds
//! to which (metric, day, region, category) cell. The store keeps served figures by applying
//! [`delta`]`(before, after)` in the same transaction as every change of a counted record, and
//! `kejiyun stats verify` recomputes the same cells from the base records with the same
//! function, so the two can only disagree if a write path forgot to report a change.

pub mod ports;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::DomainError;
use crate::market::categories::Category;
use crate::market::deals::DealStatus;
use crate::market::money::Fen;
use crate::market::postings::{CloseReason, PostingKind};
use crate::moderation::ModerationStatus;
use crate::orgs::OrgType;
use crate::regions::RegionCode;
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    ServicesPublished,
    NeedsPublished,
    Deals,
    DealAmount,
    AchievementsPublished,
    Transfers,
    TransferAmount,
    Bases,
    Resources,
    ResourceViews,
    TechWorkers,
    Agencies,
    ExpertStations,
    EnterpriseAssociations,
    Estations,
    Questions,
    QuestionsAnswered,
    Trainings,
    TrainingAttendance,
    Volunteers,
    Teams,
    Activities,
    PeopleServed,
    MaterialsDistributed,
    ServiceHours,
    ContestEntries,
    Awards,
}

impl Metric {
    /// Every metric that exists so far; later modules add theirs here.
    pub const ALL: [Self; 27] = [
        Self::ServicesPublished,
        Self::NeedsPublished,
        Self::Deals,
        Self::DealAmount,
        Self::AchievementsPublished,
        Self::Transfers,
        Self::TransferAmount,
        Self::Bases,
        Self::Resources,
        Self::ResourceViews,
        Self::TechWorkers,
        Self::Agencies,
        Self::ExpertStations,
        Self::EnterpriseAssociations,
        Self::Estations,
        Self::Questions,
        Self::QuestionsAnswered,
        Self::Trainings,
        Self::TrainingAttendance,
        Self::Volunteers,
        Self::Teams,
        Self::Activities,
        Self::PeopleServed,
        Self::MaterialsDistributed,
        Self::ServiceHours,
        Self::ContestEntries,
        Self::Awards,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::ServicesPublished => "services_published",
            Self::NeedsPublished => "needs_published",
            Self::Deals => "deals",
            Self::DealAmount => "deal_amount",
            Self::AchievementsPublished => "achievements_published",
            Self::Transfers => "transfers",
            Self::TransferAmount => "transfer_amount",
            Self::Bases => "bases",
            Self::Resources => "resources",
            Self::ResourceViews => "resource_views",
            Self::TechWorkers => "tech_workers",
            Self::Agencies => "agencies",
            Self::ExpertStations => "expert_stations",
            Self::EnterpriseAssociations => "enterprise_associations",
            Self::Estations => "estations",
            Self::Questions => "questions",
            Self::QuestionsAnswered => "questions_answered",
            Self::Trainings => "trainings",
            Self::TrainingAttendance => "training_attendance",
            Self::Volunteers => "volunteers",
            Self::Teams => "teams",
            Self::Activities => "activities",
            Self::PeopleServed => "people_served",
            Self::MaterialsDistributed => "materials_distributed",
            Self::ServiceHours => "service_hours",
            Self::ContestEntries => "contest_entries",
            Self::Awards => "awards",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|m| m.key() == s)
            .ok_or_else(|| DomainError::invalid("metric", "未知的统计指标"))
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::ServicesPublished => "发布科技服务",
            Self::NeedsPublished => "发布科技需求",
            Self::Deals => "达成交易",
            Self::DealAmount => "交易金额",
            Self::AchievementsPublished => "发布科技成果",
            Self::Transfers => "成果转化",
            Self::TransferAmount => "转化金额",
            Self::Bases => "科普共享基地",
            Self::Resources => "科普资源",
            Self::ResourceViews => "浏览量",
            Self::TechWorkers => "入驻科技工作者",
            Self::Agencies => "第三方服务机构",
            Self::ExpertStations => "院士专家工作站",
            Self::EnterpriseAssociations => "企业科协",
            Self::Estations => "科普e站",
            Self::Questions => "问题",
            Self::QuestionsAnswered => "解答问题",
            Self::Trainings => "举办培训",
            Self::TrainingAttendance => "培训人次",
            Self::Volunteers => "注册科技志愿者",
            Self::Teams => "志愿队伍",
            Self::Activities => "志愿服务活动",
            Self::PeopleServed => "服务群众人次",
            Self::MaterialsDistributed => "发放资料",
            Self::ServiceHours => "服务时长（分钟）",
            Self::ContestEntries => "参赛作品",
            Self::Awards => "获奖",
        }
    }

    /// Amounts are sums of fen; the rest are counts.
    pub fn is_amount(self) -> bool {
        matches!(self, Self::DealAmount | Self::TransferAmount)
    }

    /// Whether visitors see it on public dashboards (all of these are public figures).
    pub fn is_public(self) -> bool {
        true
    }
}

/// The facts of one counted record that its metrics depend on.
#[derive(Debug, Clone, PartialEq)]
pub enum Counted {
    Posting {
        kind: PostingKind,
        status: ModerationStatus,
        close_reason: Option<CloseReason>,
        first_published_at: Option<Timestamp>,
        region: RegionCode,
        category: Category,
    },
    Deal {
        status: DealStatus,
        transfer: bool,
        confirmed_at: Option<Timestamp>,
        amount: Fen,
        region: RegionCode,
        category: Option<Category>,
    },
    TechWorker {
        status: ModerationStatus,
        verified_at: Option<Timestamp>,
        region: RegionCode,
    },
    Org {
        status: ModerationStatus,
        org_type: OrgType,
        verified_at: Option<Timestamp>,
        region: RegionCode,
    },
    /// A question (专家问诊): a posting with its first answer's time.
    Question {
        status: ModerationStatus,
        close_reason: Option<CloseReason>,
        first_published_at: Option<Timestamp>,
        first_answered_at: Option<Timestamp>,
        region: RegionCode,
        category: Category,
    },
    /// A training (培训): counted on its first session's start.
    Training {
        starts_at: Timestamp,
        region: RegionCode,
    },
    /// One session of a training, with how many were present (person-times).
    TrainingSession {
        starts_at: Timestamp,
        region: RegionCode,
        present: i64,
    },
    /// A registered volunteer (科技志愿者), in their profile's region.
    Volunteer {
        registered_at: Timestamp,
        region: RegionCode,
    },
    /// A volunteer team (志愿队伍), in its region.
    VolunteerTeam {
        created_at: Timestamp,
        region: RegionCode,
    },
    /// A volunteer service activity: its report (if filed) and its approved service minutes.
    VolunteerActivity {
        starts_at: Timestamp,
        region: RegionCode,
        report: Option<ActivityFigures>,
        approved_minutes: i64,
    },
    /// The counted views of one resource on one day (科普资源浏览量), kept with the region and
    /// category the resource had when they were first counted that day.
    ResourceViews {
        day: NaiveDate,
        region: RegionCode,
        category: Category,
        views: i64,
    },
    /// A contest entry (参赛作品), in its region: the contest's, or for an entry nominated
    /// from a lower round, that round's. `awarded_at`: when the notice of its award was
    /// published (none while unpublished, without an award, or once withdrawn).
    ContestEntry {
        submitted_at: Timestamp,
        region: RegionCode,
        nominated: bool,
        awarded_at: Option<Timestamp>,
    },
}

/// What an activity's report adds to the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityFigures {
    pub people_served: i64,
    pub materials_distributed: i64,
}

/// One cell a record adds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    pub metric: Metric,
    /// Asia/Shanghai date.
    pub day: NaiveDate,
    pub region: RegionCode,
    /// Category code, or "" where the record has none.
    pub category: &'static str,
}

/// What one record adds to the figures: the definitions of every metric.
///
/// - services / needs / achievements published: ever published (counted from the first
///   publication, in the posting's region); a posting its owner *withdrew* stops counting;
///   one closed as solved or expired still counts.
/// - deals / deal_amount: confirmed deals that are not transfers, on their confirmation date,
///   in the need's region (else the service's); transfers / transfer_amount likewise for deals
///   on an achievement, in the achievement's region. A cancelled deal stops counting.
/// - tech_workers: verified (published) profiles, on their verification date, in their service
///   region; agencies, expert stations, enterprise associations, 科普e站 and sharing bases
///   (`bases`): verified organizations of that type, on their verification date, in their
///   region.
/// - resources: popular-science resources ever published, as the other postings;
///   resource_views: the views counted (once per visitor per resource per 30 minutes), on the
///   day they were counted, in the region the resource had then. Views stay counted when the
///   resource is later withdrawn: they happened.
/// - questions: published questions, on their first publication date, in the asker's region
///   (the question's); questions_answered: those with at least one answer, on the first
///   answer's date. A question its asker withdrew stops counting in both.
/// - trainings: trainings held, on their first session's start date, in the training's region;
///   training_attendance: person-times (人次), each person present at each session once, on
///   the session's start date, in the training's region.
/// - volunteers, teams: registered volunteers and teams, on their registration date, in the
///   profile's (team's) region.
/// - activities, people_served, materials_distributed: activities whose organizer filed the
///   after-activity report, and the report's figures, on the activity's start date, in its
///   region; service_hours: the minutes team leaders approved, on the same date and region
///   (declined or pending minutes do not count).
/// - contest_entries: contest entries (参赛作品) submitted, on their submission date, in the
///   entry's region (the contest's); an entry stays counted when later returned or withdrawn
///   (it was entered). An entry nominated to the parent contest is the same work entered
///   once: it does not count again.
/// - awards: awards given (获奖), on the date the contest's notice (公示) was published — the
///   awards are fixed from then on — in the entry's region (a nominated entry's is the round it
///   came from, so a county's winners at the city round count in the county). An award whose
///   entry is withdrawn afterwards stops counting.
pub fn contributions(c: &Counted) -> Vec<(Cell, i64)> {
    let cell = |metric, at: Timestamp, region, category| Cell {
        metric,
        day: at.shanghai_date(),
        region,
        category,
    };
    match *c {
        Counted::Posting {
            kind,
            status,
            close_reason,
            first_published_at: Some(at),
            region,
            category,
        } => {
            let withdrawn =
                status == ModerationStatus::Closed && close_reason == Some(CloseReason::Withdrawn);
            if withdrawn {
                return vec![];
            }
            let metric = match kind {
                PostingKind::Service => Metric::ServicesPublished,
                PostingKind::Need => Metric::NeedsPublished,
                PostingKind::Achievement => Metric::AchievementsPublished,
                PostingKind::Question => Metric::Questions,
                PostingKind::Resource => Metric::Resources,
            };
            vec![(cell(metric, at, region, category.code()), 1)]
        }
        Counted::Posting {
            first_published_at: None,
            ..
        } => vec![],
        Counted::Deal {
            status: DealStatus::Confirmed,
            transfer,
            confirmed_at: Some(at),
            amount,
            region,
            category,
        } => {
            let (count, sum) = if transfer {
                (Metric::Transfers, Metric::TransferAmount)
            } else {
                (Metric::Deals, Metric::DealAmount)
            };
            let cat = category.map_or("", Category::code);
            vec![
                (cell(count, at, region, cat), 1),
                (cell(sum, at, region, cat), amount.fen()),
            ]
        }
        Counted::Deal { .. } => vec![],
        Counted::TechWorker {
            status: ModerationStatus::Published,
            verified_at: Some(at),
            region,
        } => vec![(cell(Metric::TechWorkers, at, region, ""), 1)],
        Counted::TechWorker { .. } => vec![],
        Counted::Org {
            status: ModerationStatus::Published,
            org_type,
            verified_at: Some(at),
            region,
        } => {
            let metric = match org_type {
                OrgType::Agency => Metric::Agencies,
                OrgType::ExpertStation => Metric::ExpertStations,
                OrgType::EnterpriseAssociation => Metric::EnterpriseAssociations,
                OrgType::Estation => Metric::Estations,
                OrgType::Base => Metric::Bases,
                _ => return vec![],
            };
            vec![(cell(metric, at, region, ""), 1)]
        }
        Counted::Org { .. } => vec![],
        Counted::Question {
            status,
            close_reason,
            first_published_at: Some(asked),
            first_answered_at,
            region,
            category,
        } => {
            if status == ModerationStatus::Closed && close_reason == Some(CloseReason::Withdrawn) {
                return vec![];
            }
            let cat = category.code();
            let mut out = vec![(cell(Metric::Questions, asked, region, cat), 1)];
            if let Some(answered) = first_answered_at {
                out.push((cell(Metric::QuestionsAnswered, answered, region, cat), 1));
            }
            out
        }
        Counted::Question { .. } => vec![],
        Counted::Training { starts_at, region } => {
            vec![(cell(Metric::Trainings, starts_at, region, ""), 1)]
        }
        Counted::TrainingSession {
            starts_at,
            region,
            present,
        } if present > 0 => vec![(
            cell(Metric::TrainingAttendance, starts_at, region, ""),
            present,
        )],
        Counted::TrainingSession { .. } => vec![],
        Counted::Volunteer {
            registered_at,
            region,
        } => vec![(cell(Metric::Volunteers, registered_at, region, ""), 1)],
        Counted::VolunteerTeam { created_at, region } => {
            vec![(cell(Metric::Teams, created_at, region, ""), 1)]
        }
        Counted::VolunteerActivity {
            starts_at,
            region,
            report,
            approved_minutes,
        } => {
            let mut out = Vec::new();
            if let Some(r) = report {
                out.push((cell(Metric::Activities, starts_at, region, ""), 1));
                out.push((
                    cell(Metric::PeopleServed, starts_at, region, ""),
                    r.people_served,
                ));
                out.push((
                    cell(Metric::MaterialsDistributed, starts_at, region, ""),
                    r.materials_distributed,
                ));
            }
            if approved_minutes > 0 {
                out.push((
                    cell(Metric::ServiceHours, starts_at, region, ""),
                    approved_minutes,
                ));
            }
            out.retain(|(_, v)| *v != 0);
            out
        }
        Counted::ResourceViews {
            day,
            region,
            category,
            views,
        } if views != 0 => vec![(
            Cell {
                metric: Metric::ResourceViews,
                day,
                region,
                category: category.code(),
            },
            views,
        )],
        Counted::ResourceViews { .. } => vec![],
        Counted::ContestEntry {
            submitted_at,
            region,
            nominated,
            awarded_at,
        } => {
            let mut out = Vec::new();
            if !nominated {
                out.push((cell(Metric::ContestEntries, submitted_at, region, ""), 1));
            }
            if let Some(at) = awarded_at {
                out.push((cell(Metric::Awards, at, region, ""), 1));
            }
            out
        }
    }
}

/// Shown in public drill-down lists for a counted posting with no approved title (published
/// before approved titles were kept, and edited since).
pub const TITLE_IN_REVIEW: &str = "（内容审核中）";

/// The title public views show for a counted record: the one moderation last approved (a
/// posting stays counted while an edit of it waits for review, but the edit is not public).
pub fn public_title(approved: Option<String>) -> String {
    approved.unwrap_or_else(|| TITLE_IN_REVIEW.to_owned())
}

/// The change to the figures when a record goes from `before` to `after` (`None`: absent).
/// Cells whose net change is zero are left out.
pub fn delta(before: Option<&Counted>, after: Option<&Counted>) -> Vec<(Cell, i64)> {
    let mut net: BTreeMap<Cell, i64> = BTreeMap::new();
    for (cell, v) in before.map(contributions).unwrap_or_default() {
        *net.entry(cell).or_default() -= v;
    }
    for (cell, v) in after.map(contributions).unwrap_or_default() {
        *net.entry(cell).or_default() += v;
    }
    net.into_iter().filter(|(_, v)| *v != 0).collect()
}

/// Adds up contributions into cells (what `verify` and `rebuild` do over all records).
pub fn tally<'a>(records: impl IntoIterator<Item = &'a Counted>) -> BTreeMap<Cell, i64> {
    let mut out: BTreeMap<Cell, i64> = BTreeMap::new();
    for r in records {
        for (cell, v) in contributions(r) {
            *out.entry(cell).or_default() += v;
        }
    }
    out.retain(|_, v| *v != 0);
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Asia::Shanghai;

    #[test]
    fn public_titles_are_approved_ones_or_a_neutral_label() {
        assert_eq!(
            public_title(Some("脐橙黄龙病防治".into())),
            "脐橙黄龙病防治"
        );
        assert_eq!(public_title(None), "（内容审核中）");
    }

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> Timestamp {
        Shanghai
            .with_ymd_and_hms(y, m, d, h, min, s)
            .single()
            .map(|t| Timestamp::from(t.with_timezone(&chrono::Utc)))
            .expect("valid time")
    }

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("valid")
    }

    fn need(
        status: ModerationStatus,
        close: Option<CloseReason>,
        published: Option<Timestamp>,
        region: &str,
    ) -> Counted {
        Counted::Posting {
            kind: PostingKind::Need,
            status,
            close_reason: close,
            first_published_at: published,
            region: code(region),
            category: Category::parse("fruit").expect("known"),
        }
    }

    fn deal(status: DealStatus, confirmed: Option<Timestamp>, fen: i64, transfer: bool) -> Counted {
        Counted::Deal {
            status,
            transfer,
            confirmed_at: confirmed,
            amount: Fen::new("a", fen).expect("valid"),
            region: code("511623"),
            category: None,
        }
    }

    #[test]
    fn postings_count_from_first_publication_until_withdrawn() {
        let t = at(2026, 3, 1, 9, 0, 0);
        assert!(contributions(&need(ModerationStatus::Pending, None, None, "511623")).is_empty());
        let c = contributions(&need(ModerationStatus::Published, None, Some(t), "511623"));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].0.metric, Metric::NeedsPublished);
        assert_eq!(c[0].0.category, "fruit");
        // Edited back to pending, solved or expired: still counted; withdrawn: not.
        assert_eq!(
            contributions(&need(ModerationStatus::Pending, None, Some(t), "511623")).len(),
            1
        );
        assert_eq!(
            contributions(&need(
                ModerationStatus::Closed,
                Some(CloseReason::SolvedHere),
                Some(t),
                "511623"
            ))
            .len(),
            1
        );
        assert_eq!(
            contributions(&need(
                ModerationStatus::Closed,
                Some(CloseReason::Expired),
                Some(t),
                "511623"
            ))
            .len(),
            1
        );
        assert!(
            contributions(&need(
                ModerationStatus::Closed,
                Some(CloseReason::Withdrawn),
                Some(t),
                "511623"
            ))
            .is_empty()
        );
    }

    #[test]
    fn deals_count_confirmed_with_amount_on_the_shanghai_day() {
        let late = at(2026, 11, 28, 23, 59, 59);
        let midnight = at(2026, 11, 29, 0, 0, 0);
        let a = contributions(&deal(DealStatus::Confirmed, Some(late), 123_456, false));
        assert_eq!(a.len(), 2);
        assert_eq!(
            a[0].0.day,
            NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
        );
        assert_eq!(
            a[1],
            (
                Cell {
                    metric: Metric::DealAmount,
                    ..a[1].0
                },
                123_456
            )
        );
        let b = contributions(&deal(DealStatus::Confirmed, Some(midnight), 1, true));
        assert_eq!(b[0].0.metric, Metric::Transfers);
        assert_eq!(
            b[0].0.day,
            NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")
        );
        assert!(contributions(&deal(DealStatus::Proposed, None, 5, false)).is_empty());
        assert!(contributions(&deal(DealStatus::Cancelled, Some(late), 5, false)).is_empty());
    }

    #[test]
    fn delta_moves_figures_with_region_and_nets_out_edits() {
        let t = at(2026, 5, 5, 10, 0, 0);
        let before = need(ModerationStatus::Published, None, Some(t), "511623");
        let moved = need(ModerationStatus::Pending, None, Some(t), "511621");
        let d = delta(Some(&before), Some(&moved));
        assert_eq!(d.len(), 2);
        assert!(
            d.iter()
                .any(|(c, v)| c.region == code("511623") && *v == -1)
        );
        assert!(d.iter().any(|(c, v)| c.region == code("511621") && *v == 1));
        assert!(
            delta(Some(&before), Some(&before)).is_empty(),
            "an edit that moves nothing"
        );
        assert_eq!(delta(None, Some(&before)).len(), 1);
        assert_eq!(delta(Some(&before), None)[0].1, -1, "deletion");
    }

    #[test]
    fn orgs_by_type() {
        let t = at(2026, 1, 1, 8, 0, 0);
        let org = |org_type| Counted::Org {
            status: ModerationStatus::Published,
            org_type,
            verified_at: Some(t),
            region: code("511600"),
        };
        assert_eq!(
            contributions(&org(OrgType::Agency))[0].0.metric,
            Metric::Agencies
        );
        assert_eq!(
            contributions(&org(OrgType::Estation))[0].0.metric,
            Metric::Estations
        );
        assert!(contributions(&org(OrgType::School)).is_empty());
        let tally = tally([&org(OrgType::Agency), &org(OrgType::Agency)]);
        assert_eq!(tally.values().copied().collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn questions_count_when_asked_and_when_first_answered_until_withdrawn() {
        let asked = at(2026, 6, 1, 9, 0, 0);
        let answered = at(2026, 6, 3, 23, 30, 0);
        let q = |status, close, published, first_answer| Counted::Question {
            status,
            close_reason: close,
            first_published_at: published,
            first_answered_at: first_answer,
            region: code("511623"),
            category: Category::parse("fruit").expect("known"),
        };
        assert!(contributions(&q(ModerationStatus::Pending, None, None, None)).is_empty());
        let open = contributions(&q(ModerationStatus::Published, None, Some(asked), None));
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].0.metric, Metric::Questions);
        let done = contributions(&q(
            ModerationStatus::Published,
            None,
            Some(asked),
            Some(answered),
        ));
        assert_eq!(done.len(), 2);
        assert_eq!(done[1].0.metric, Metric::QuestionsAnswered);
        assert_eq!(
            done[1].0.day,
            NaiveDate::from_ymd_opt(2026, 6, 3).expect("date")
        );
        assert!(
            contributions(&q(
                ModerationStatus::Closed,
                Some(CloseReason::Withdrawn),
                Some(asked),
                Some(answered)
            ))
            .is_empty()
        );
        let d = delta(
            Some(&q(ModerationStatus::Published, None, Some(asked), None)),
            Some(&q(
                ModerationStatus::Published,
                None,
                Some(asked),
                Some(answered),
            )),
        );
        assert_eq!(d.len(), 1, "the first answer adds one answered question");
        assert_eq!(d[0].0.metric, Metric::QuestionsAnswered);
    }

    #[test]
    fn activities_count_when_reported_and_hours_when_approved() {
        let at = at(2026, 5, 1, 9, 0, 0);
        let region = code("511623");
        let planned = Counted::VolunteerActivity {
            starts_at: at,
            region,
            report: None,
            approved_minutes: 0,
        };
        assert!(contributions(&planned).is_empty());
        let reported = Counted::VolunteerActivity {
            starts_at: at,
            region,
            report: Some(ActivityFigures {
                people_served: 120,
                materials_distributed: 0,
            }),
            approved_minutes: 90,
        };
        let d = delta(Some(&planned), Some(&reported));
        let got: Vec<(Metric, i64)> = d.iter().map(|(c, v)| (c.metric, *v)).collect();
        assert_eq!(
            got,
            vec![
                (Metric::Activities, 1),
                (Metric::PeopleServed, 120),
                (Metric::ServiceHours, 90)
            ]
        );
        let v = contributions(&Counted::Volunteer {
            registered_at: at,
            region,
        });
        assert_eq!((v[0].0.metric, v[0].1), (Metric::Volunteers, 1));
    }

    #[test]
    fn trainings_count_once_and_sessions_by_person_times() {
        let start = at(2026, 12, 10, 0, 30, 0);
        let t = contributions(&Counted::Training {
            starts_at: start,
            region: code("511623"),
        });
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].0.metric, t[0].1), (Metric::Trainings, 1));
        assert_eq!(
            t[0].0.day,
            NaiveDate::from_ymd_opt(2026, 12, 10).expect("date"),
            "the Beijing date"
        );
        let s = |present| Counted::TrainingSession {
            starts_at: start,
            region: code("511623"),
            present,
        };
        assert!(contributions(&s(0)).is_empty());
        let d = delta(Some(&s(2)), Some(&s(3)));
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].0.metric, d[0].1), (Metric::TrainingAttendance, 1));
    }

    #[test]
    fn contest_entries_count_on_submission_and_awards_on_the_notice() {
        let submitted = at(2026, 3, 5, 10, 0, 0);
        let published = at(2026, 5, 20, 9, 0, 0);
        let entry = |nominated, awarded_at| Counted::ContestEntry {
            submitted_at: submitted,
            region: code("511623"),
            nominated,
            awarded_at,
        };
        let c = contributions(&entry(false, None));
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].0.metric, c[0].1), (Metric::ContestEntries, 1));
        let d = delta(
            Some(&entry(false, None)),
            Some(&entry(false, Some(published))),
        );
        assert_eq!(d.len(), 1, "publishing the notice adds the award only");
        assert_eq!((d[0].0.metric, d[0].1), (Metric::Awards, 1));
        assert_eq!(
            d[0].0.day,
            NaiveDate::from_ymd_opt(2026, 5, 20).expect("date")
        );
        let nominated = contributions(&entry(true, Some(published)));
        assert_eq!(nominated.len(), 1, "a nomination is not a new entry");
        assert_eq!(nominated[0].0.metric, Metric::Awards);
        assert!(contributions(&entry(true, None)).is_empty());
    }

    #[test]
    fn keys_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.key()), Ok(m));
        }
    }
}
