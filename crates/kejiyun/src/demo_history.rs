//! The months of activity `serve --demo` shows: a plan of who does what when in the 广安市
//! counties over the [`HISTORY_DAYS`] before now — registrations, tech workers and
//! organizations verified, needs, services and achievements posted and moderated, renewed or
//! left to expire, quotes, inquiries and deals — made from the phrase tables of
//! `demo_phrases.rs` with a fixed seed, so every start makes the same demo (dated back from its
//! own start). Nothing here writes: `demo_replay.rs` replays the plan through the use cases on
//! a clock set to each step's time, so records, audit entries and statistics carry their
//! historical dates.

use std::collections::HashSet;

use chrono::Duration;
use kejiyun_core::market::postings::{AchievementInput, NeedInput, PostingKind, ServiceInput};
use kejiyun_core::orgs::OrgInput;
use kejiyun_core::tech_workers::TechWorkerInput;
use kejiyun_core::time::Timestamp;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::demo::{ADMINS, FARMER, ORGS, WORKERS};
use crate::demo_market::REQUESTERS;
use crate::demo_phrases::{
    COUNTIES, COUNTY_ACTIVITY, FARM_ASKS, FARM_TITLES, FARM_WORRIES, FARMER_NAMES, FIRM_ASKS,
    FIRM_NAMES, FIRM_TITLES, FIRM_WORRIES, GIVEN_NAMES, REJECT_REASONS, REPLIES, SURNAMES, TOPICS,
    TOWNS,
};

/// The demo's seed: the same plan on every start.
pub const SEED: u64 = 18;
/// How far back the history goes (about seven months).
pub const HISTORY_DAYS: i64 = 210;

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
/// The end of today: what people plan is decided up to here whenever the demo starts (so
/// every start makes the same records); steps after the start are left out.
const HORIZON: i64 = (HISTORY_DAYS + 1) * DAY;

/// Generated people beside the named demo accounts.
const GENERATED_WORKERS: usize = 60;
const GENERATED_REQUESTERS: usize = 40;
const GENERATED_NEEDS: usize = 300;
const GENERATED_ACHIEVEMENTS: usize = 44;
const SERVICE_INQUIRIES: usize = 36;
const ACHIEVEMENT_INQUIRIES: usize = 8;
const OFFLINE_TRANSFERS: usize = 5;

/// Who acts: an index into [`Plan::people`].
pub type PersonIx = usize;

pub struct Person {
    pub login: String,
    pub name: String,
    /// A user's registered county ([`COUNTIES`] index); `None` for admins.
    pub county: Option<usize>,
    /// An admin's role and region.
    pub admin: Option<(&'static str, Option<&'static str>)>,
    /// Seconds after the history's start.
    pub registered: i64,
}

pub struct Application {
    pub person: PersonIx,
    pub input: TechWorkerInput,
    pub topic: Option<usize>,
    pub verified: Option<i64>,
}

pub struct PlannedOrg {
    pub owner: PersonIx,
    pub input: OrgInput,
    pub county: Option<usize>,
}

pub enum Content {
    Service(ServiceInput),
    Need(NeedInput),
    Achievement(AchievementInput),
}

impl Content {
    pub fn kind(&self) -> PostingKind {
        match self {
            Self::Service(_) => PostingKind::Service,
            Self::Need(_) => PostingKind::Need,
            Self::Achievement(_) => PostingKind::Achievement,
        }
    }
}

pub struct PlannedPosting {
    pub owner: PersonIx,
    pub content: Content,
    pub county: usize,
}

pub struct PlannedQuote {
    pub need: usize,
    pub provider: PersonIx,
    pub price_fen: i64,
    pub timeline_days: u32,
    pub method: String,
    /// One of the provider's published services the quote offers.
    pub service: Option<usize>,
}

pub struct PlannedInquiry {
    pub posting: usize,
    pub requester: PersonIx,
    pub body: String,
    pub reply: String,
}

pub enum DealSource {
    /// The need's owner accepts the quote (the deal is proposed with their confirmation).
    Quote(usize),
    /// The provider proposes a deal in the inquiry's thread.
    Inquiry(usize),
    /// The city association records an offline transfer of an achievement.
    Offline {
        achievement: usize,
        requester: PersonIx,
    },
}

pub struct PlannedDeal {
    pub source: DealSource,
    pub amount_fen: i64,
    pub note: Option<String>,
}

/// One thing that happens, at its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Apply(usize),
    VerifyWorker(usize),
    RegisterOrg(usize),
    VerifyOrg(usize),
    Create {
        posting: usize,
        submit: bool,
    },
    Approve(usize),
    Reject {
        posting: usize,
        reason: &'static str,
    },
    /// The owner confirms the posting is still current.
    Renew(usize),
    Close {
        posting: usize,
        reason: &'static str,
    },
    Quote(usize),
    /// The need's owner accepts the deal's quote.
    Accept(usize),
    Decline(usize),
    Ask(usize),
    Reply(usize),
    Propose(usize),
    Confirm {
        deal: usize,
        by: PersonIx,
    },
    RecordOffline(usize),
    /// The server's periodic work, daily in the history: expiry, then the notification copies
    /// (the day's digests).
    Sweep,
    /// The hand-written marketplace scenes of `demo_market.rs`.
    Showcase,
}

pub struct Plan {
    /// The history's day 0, 00:00 Asia/Shanghai.
    pub start: Timestamp,
    pub people: Vec<Person>,
    pub applications: Vec<Application>,
    pub orgs: Vec<PlannedOrg>,
    pub postings: Vec<PlannedPosting>,
    pub quotes: Vec<PlannedQuote>,
    pub inquiries: Vec<PlannedInquiry>,
    pub deals: Vec<PlannedDeal>,
    /// In time order (seconds after `start`); none later than a few minutes before now.
    pub steps: Vec<(i64, Step)>,
}

impl Plan {
    pub fn time(&self, t: i64) -> Timestamp {
        self.start.plus_seconds(t)
    }

    /// The admin who moderates a county's records: its own county admin where the demo has
    /// one, else the city's.
    pub fn moderator(&self, county: Option<usize>) -> PersonIx {
        let code = county.map(|c| COUNTIES[c].0);
        self.people
            .iter()
            .position(|p| matches!(p.admin, Some((_, Some(r))) if Some(r) == code))
            .unwrap_or(CITY_ADMIN)
    }

    /// A person by login (the named demo accounts).
    pub fn person(&self, login: &str) -> Option<PersonIx> {
        self.people.iter().position(|p| p.login == login)
    }
}

/// [`ADMINS`] come first in `people`; the city admin is the second.
pub const CITY_ADMIN: PersonIx = 1;

fn county_of(code: &str) -> Option<usize> {
    COUNTIES.iter().position(|(c, _)| *c == code)
}

fn topic_with(subject: &str) -> Option<usize> {
    TOPICS.iter().position(|t| t.subjects.contains(&subject))
}

fn fill(pattern: &str, subject: &str) -> String {
    pattern.replace("{s}", subject)
}

fn county_short(c: usize) -> &'static str {
    let name = COUNTIES[c].1;
    name.strip_suffix(['县', '区', '市']).unwrap_or(name)
}

/// What a company of a category calls its business.
fn business(category: &str) -> &'static str {
    match category {
        "manufacturing" => "机械制造",
        "electronics" => "电子科技",
        "agri_processing" => "食品",
        "ecommerce" => "电子商务",
        _ => "科技",
    }
}

/// An index drawn with probability proportional to its weight.
fn weighted(rng: &mut StdRng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len().saturating_sub(1)
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    items.choose(rng).unwrap_or(&items[0])
}

/// A round amount in 元 within `range`, as fen.
fn amount_fen(rng: &mut StdRng, (lo, hi): (u32, u32)) -> i64 {
    let step = if hi >= 50_000 { 1000 } else { 100 };
    let yuan = rng.random_range(lo..=hi) / step * step;
    i64::from(yuan.max(step)) * 100
}

/// Activity grows over the months as the platform catches on.
fn growing_day(rng: &mut StdRng, from: i64, to: i64) -> i64 {
    let to = to.max(from + 1);
    loop {
        let d = rng.random_range(from..to);
        let weight = 0.45 + 0.9 * d as f64 / HISTORY_DAYS as f64;
        if rng.random::<f64>() * 1.35 < weight {
            return d;
        }
    }
}

/// A time of day people are up and about (08:00–21:00 Asia/Shanghai).
fn daytime(rng: &mut StdRng, day: i64) -> i64 {
    day * DAY + rng.random_range(8 * HOUR..21 * HOUR)
}

/// Office hours, when admins moderate (09:00–17:30), on the day of `t` or the next.
fn office_after(rng: &mut StdRng, t: i64, min_hours: i64) -> i64 {
    let earliest = t + min_hours * HOUR;
    let mut day = earliest.div_euclid(DAY);
    let mut at = day * DAY + rng.random_range(9 * HOUR..17 * HOUR + 30 * MINUTE);
    while at < earliest {
        day += 1;
        at = day * DAY + rng.random_range(9 * HOUR..17 * HOUR + 30 * MINUTE);
    }
    at
}

fn unique_name(rng: &mut StdRng, used: &mut HashSet<String>, pattern: Option<&str>) -> String {
    loop {
        let sur = *pick(rng, SURNAMES);
        let name = match pattern {
            Some(p) => p.replace("{x}", sur),
            None => format!("{sur}{}", pick(rng, GIVEN_NAMES)),
        };
        if used.insert(name.clone()) {
            return name;
        }
    }
}

/// A posting's life after publication: the owner's renewals, and when it stops being live
/// (closed by its owner, or expired when not renewed in time).
struct Life {
    renewals: Vec<i64>,
    /// Closed by the owner at this time (`None`: the closing was pre-empted by expiry).
    closed: Option<i64>,
    /// Live until (`i64::MAX`: still live now).
    end: i64,
}

fn life(
    rng: &mut StdRng,
    published: i64,
    closing: Option<i64>,
    ttl: i64,
    renew_p: f64,
    horizon: i64,
) -> Life {
    let mut renewals = Vec::new();
    let mut expires = published + ttl;
    let stop = closing.unwrap_or(i64::MAX).min(horizon);
    loop {
        if expires >= stop {
            return Life {
                renewals,
                closed: closing.filter(|c| *c <= horizon),
                end: closing.unwrap_or(i64::MAX),
            };
        }
        let last = renewals.last().copied().unwrap_or(published);
        let at = expires - rng.random_range(DAY..(8 * DAY).min(ttl / 2).max(DAY + 1));
        if at > last && rng.random_bool(renew_p) {
            renewals.push(at);
            expires = at + ttl;
        } else {
            return Life {
                renewals,
                closed: None,
                end: expires,
            };
        }
    }
}

struct Builder {
    rng: StdRng,
    plan: Plan,
    cutoff: i64,
    ttl: i64,
    names: HashSet<String>,
    titles: HashSet<String>,
    /// Requesters: (person, topics, enterprise?, activity); their registration comes from
    /// their first activity.
    requesters: Vec<(PersonIx, Vec<usize>, bool, f64)>,
    first_activity: Vec<i64>,
    /// Per posting: (published, live until).
    windows: Vec<Option<(i64, i64)>>,
}

impl Plan {
    /// The plan for a demo started at `now`, with postings live for `ttl_days` unless renewed.
    pub fn new(now: Timestamp, ttl_days: i64) -> Self {
        let first_day = now.shanghai_date() - Duration::days(HISTORY_DAYS);
        let midnight = first_day.and_hms_opt(0, 0, 0).unwrap_or_default();
        // Asia/Shanghai is UTC+8 all year.
        let start =
            Timestamp::from_micros(midnight.and_utc().timestamp_micros()).plus_seconds(-8 * HOUR);
        let cutoff = (now.micros() - start.micros()) / 1_000_000 - 10 * MINUTE;
        let mut b = Builder {
            rng: StdRng::seed_from_u64(SEED),
            plan: Plan {
                start,
                people: Vec::new(),
                applications: Vec::new(),
                orgs: Vec::new(),
                postings: Vec::new(),
                quotes: Vec::new(),
                inquiries: Vec::new(),
                deals: Vec::new(),
                steps: Vec::new(),
            },
            cutoff,
            ttl: ttl_days.max(1) * DAY,
            names: HashSet::new(),
            titles: HashSet::new(),
            requesters: Vec::new(),
            first_activity: Vec::new(),
            windows: Vec::new(),
        };
        b.titles
            .extend(crate::demo_market::titles().map(str::to_owned));
        b.named_people();
        b.generated_workers();
        b.generated_requesters();
        b.orgs();
        b.services();
        b.achievements();
        b.needs();
        b.inquiries();
        b.offline_transfers();
        b.finish()
    }
}

impl Builder {
    fn at(&mut self, t: i64, step: Step) {
        if t <= self.cutoff {
            self.plan.steps.push((t, step));
        }
    }

    fn person(&mut self, p: Person) -> PersonIx {
        self.names.insert(p.name.clone());
        self.plan.people.push(p);
        self.first_activity.push(i64::MAX);
        self.plan.people.len() - 1
    }

    fn touch(&mut self, p: PersonIx, t: i64) {
        self.first_activity[p] = self.first_activity[p].min(t);
    }

    fn named_people(&mut self) {
        for (i, (login, role, region, name)) in ADMINS.iter().enumerate() {
            self.person(Person {
                login: (*login).into(),
                name: (*name).into(),
                county: None,
                admin: Some((*role, *region)),
                registered: 9 * HOUR + i as i64 * 5 * MINUTE,
            });
        }
        for w in WORKERS {
            let p = self.person(Person {
                login: w.phone.into(),
                name: w.name.into(),
                county: county_of(w.region),
                admin: None,
                registered: i64::MAX,
            });
            // The one left unverified applied days ago and waits in the queue.
            let applied = if w.verify {
                daytime(&mut self.rng, 0)
            } else {
                self.cutoff - 2 * DAY
            };
            self.touch(p, applied);
            let verified = w.verify.then(|| office_after(&mut self.rng, applied, 2));
            let ix = self.plan.applications.len();
            self.plan.applications.push(Application {
                person: p,
                input: TechWorkerInput {
                    field: w.field.into(),
                    title: Some(w.title.into()),
                    employer: w.employer.into(),
                    expertise: vec![w.tags.into()],
                    service_region: w.region.into(),
                    bio: Some(w.bio.into()),
                    id_card: None,
                },
                topic: w.topic.and_then(topic_with),
                verified,
            });
            self.at(applied, Step::Apply(ix));
            if let Some(v) = verified {
                self.at(v, Step::VerifyWorker(ix));
            }
        }
        for (phone, name, region, subject) in std::iter::once(&FARMER).chain(REQUESTERS) {
            let county = county_of(region);
            let p = self.person(Person {
                login: (*phone).into(),
                name: (*name).into(),
                county,
                admin: None,
                registered: i64::MAX,
            });
            let topic = topic_with(subject).into_iter().collect::<Vec<_>>();
            let firm = topic.iter().any(|t| !TOPICS[*t].farm);
            let at = daytime(&mut self.rng, 1);
            self.touch(p, at);
            self.requesters.push((p, topic, firm, 1.5));
        }
    }

    fn generated_workers(&mut self) {
        // Every subject has someone to ask; the rest follow where the subject is big.
        let weight: Vec<f64> = TOPICS
            .iter()
            .map(|t| t.counties.iter().map(|c| f64::from(*c)).sum())
            .collect();
        for i in 0..GENERATED_WORKERS {
            let topic = if i < TOPICS.len() {
                i
            } else {
                weighted(&mut self.rng, &weight)
            };
            let t = &TOPICS[topic];
            let county_w: Vec<f64> = (0..COUNTIES.len())
                .map(|c| f64::from(t.counties[c]) * (0.4 + COUNTY_ACTIVITY[c]) + 0.3)
                .collect();
            let county = weighted(&mut self.rng, &county_w);
            let name = unique_name(&mut self.rng, &mut self.names, None);
            let late = i >= GENERATED_WORKERS - 3;
            let day = if late {
                HISTORY_DAYS - self.rng.random_range(1..4)
            } else if self.rng.random_bool(0.7) {
                // Most joined in the first months, when the association signed them up.
                let u: f64 = self.rng.random();
                ((1.0 - u.sqrt()) * 190.0) as i64
            } else {
                self.rng.random_range(0..200)
            };
            let registered = daytime(&mut self.rng, day);
            let p = self.person(Person {
                login: format!("1390001{:04}", i + 1),
                name,
                county: Some(county),
                admin: None,
                registered: i64::MAX,
            });
            self.touch(p, registered);
            let applied = registered + self.rng.random_range(10 * MINUTE..3 * HOUR);
            let verified = (!late).then(|| office_after(&mut self.rng, applied, 4));
            let c = COUNTIES[county].1;
            let mut tags: Vec<&str> = t.tags.choose_multiple(&mut self.rng, 3).copied().collect();
            tags.sort_unstable();
            let field = *pick(&mut self.rng, t.fields);
            let years = self.rng.random_range(5..30);
            let input = TechWorkerInput {
                field: field.into(),
                title: Some((*pick(&mut self.rng, t.titles)).into()),
                employer: pick(&mut self.rng, t.employers).replace("{c}", c),
                expertise: vec![tags.join(",")],
                service_region: COUNTIES[county].0.into(),
                bio: Some(format!(
                    "从事{field}工作 {years} 年，常年在{c}乡镇一线服务，擅长{}。",
                    tags.join("、")
                )),
                id_card: None,
            };
            let ix = self.plan.applications.len();
            self.plan.applications.push(Application {
                person: p,
                input,
                topic: Some(topic),
                verified,
            });
            self.at(applied, Step::Apply(ix));
            if let Some(v) = verified {
                self.at(v, Step::VerifyWorker(ix));
            }
        }
    }

    fn generated_requesters(&mut self) {
        let total: f64 = COUNTY_ACTIVITY.iter().sum();
        let mut n = 0;
        for (c, activity) in COUNTY_ACTIVITY.iter().enumerate() {
            let here = ((GENERATED_REQUESTERS as f64 * activity / total).round() as usize).max(2);
            let firm_share = [0.45, 0.5, 0.2, 0.15, 0.2, 0.35][c];
            for _ in 0..here {
                n += 1;
                let firm = self.rng.random_bool(firm_share);
                let fits: Vec<usize> = (0..TOPICS.len())
                    .filter(|t| TOPICS[*t].farm != firm && TOPICS[*t].counties[c] > 0)
                    .collect();
                let w: Vec<f64> = fits
                    .iter()
                    .map(|t| f64::from(TOPICS[*t].counties[c]))
                    .collect();
                let mut topics = vec![fits[weighted(&mut self.rng, &w)]];
                if self.rng.random_bool(0.4) {
                    let second = fits[weighted(&mut self.rng, &w)];
                    if second != topics[0] {
                        topics.push(second);
                    }
                }
                let name = if firm {
                    let trade = *pick(&mut self.rng, FIRM_NAMES);
                    let what = business(TOPICS[topics[0]].category);
                    let x = *pick(&mut self.rng, SURNAMES);
                    format!("{x}经理（{}{trade}{what}）", county_short(c))
                } else if self.rng.random_bool(0.3) {
                    let town = *pick(&mut self.rng, TOWNS[c]);
                    let x = unique_name(&mut self.rng, &mut self.names, None);
                    let what = TOPICS[topics[0]].subjects[0];
                    format!("{x}（{town}{what}合作社）")
                } else {
                    {
                        let pattern = *pick(&mut self.rng, FARMER_NAMES);
                        unique_name(&mut self.rng, &mut self.names, Some(pattern))
                    }
                };
                let p = self.person(Person {
                    login: format!("1390002{n:04}"),
                    name,
                    county: Some(c),
                    admin: None,
                    registered: i64::MAX,
                });
                let activity = self.rng.random_range(0.4..2.0);
                self.requesters.push((p, topics, firm, activity));
            }
        }
    }

    fn orgs(&mut self) {
        for (i, o) in ORGS.iter().enumerate() {
            let owner = self.plan.person(o.owner).unwrap_or(CITY_ADMIN);
            let registered = if o.verify {
                daytime(&mut self.rng, 3 + i as i64 * 2)
            } else {
                self.cutoff - 20 * HOUR
            };
            self.touch(owner, registered);
            let county = county_of(o.region);
            self.org(
                owner,
                registered,
                o.verify,
                county,
                OrgInput {
                    name: o.name.into(),
                    org_type: o.org_type.into(),
                    region: o.region.into(),
                    credit_code: None,
                    address: Some(o.address.into()),
                    description: Some(o.description.into()),
                    contact_phone: None,
                },
            );
        }
        // (type, owned by a requester?, how many)
        let kinds: [(&str, bool, usize); 7] = [
            ("cooperative", true, 4),
            ("enterprise", true, 2),
            ("enterprise_association", true, 2),
            ("agency", false, 2),
            ("expert_station", false, 2),
            ("estation", false, 4),
            ("rural_association", false, 2),
        ];
        let mut n = 0;
        for (kind, by_requester, count) in kinds {
            for _ in 0..count {
                n += 1;
                let (owner, county, topic) = if by_requester {
                    let firm = kind != "cooperative";
                    let candidates: Vec<_> = self
                        .requesters
                        .iter()
                        .filter(|r| r.2 == firm)
                        .filter_map(|r| Some((r.0, *r.1.first()?)))
                        .collect();
                    let Some(&(p, t)) = candidates.choose(&mut self.rng) else {
                        continue;
                    };
                    (p, self.plan.people[p].county.unwrap_or(0), t)
                } else {
                    let verified: Vec<_> = self
                        .plan
                        .applications
                        .iter()
                        .filter(|a| a.verified.is_some() && a.topic.is_some())
                        .filter(|a| kind != "agency" || !TOPICS[a.topic.unwrap_or(0)].farm)
                        .map(|a| (a.person, a.topic.unwrap_or(0)))
                        .collect();
                    let Some(&(p, t)) = verified.choose(&mut self.rng) else {
                        continue;
                    };
                    (p, self.plan.people[p].county.unwrap_or(0), t)
                };
                let c = COUNTIES[county].1;
                let town = *pick(&mut self.rng, TOWNS[county]);
                let trade = *pick(&mut self.rng, FIRM_NAMES);
                let subject = TOPICS[topic].subjects[0];
                let business = business(TOPICS[topic].category);
                let (name, description) = match kind {
                    "cooperative" => (
                        format!("{c}{town}镇{subject}专业合作社"),
                        format!(
                            "由本镇{}户种养户组成，统一技术、统一品牌、统一销售，带动周边农户增收。",
                            self.rng.random_range(20..150)
                        ),
                    ),
                    "enterprise" => (
                        format!("广安{trade}{business}有限公司"),
                        format!("位于{c}的{business}企业，重视技术改造和产学研合作。"),
                    ),
                    "enterprise_association" => (
                        format!("广安{trade}{business}有限公司科学技术协会"),
                        "企业科协，组织企业科技人员开展技术攻关、技能培训和科普活动。".to_owned(),
                    ),
                    "agency" => (
                        format!("广安{trade}科技服务有限公司"),
                        format!("第三方科技服务机构，为企业提供{subject}等咨询和代理服务。"),
                    ),
                    "expert_station" => (
                        format!("{c}{subject}专家工作站"),
                        format!(
                            "围绕本地{subject}产业，引进省内外专家团队开展技术攻关和人才培养。"
                        ),
                    ),
                    "estation" => (
                        format!("{c}{town}镇科普e站"),
                        "设在镇便民服务中心，开展科普展示、农技培训和科普志愿服务。".to_owned(),
                    ),
                    _ => (
                        format!("{c}{subject}农村专业技术协会"),
                        format!("联合{subject}种养大户和技术人员，推广良种良法，开展技术培训。"),
                    ),
                };
                let chosen = daytime(&mut self.rng, 8 + n * 190 / 18);
                // A tech worker registers an organization once they have been on board a day.
                let registered = match self.first_activity[owner] {
                    i64::MAX => chosen,
                    first => chosen.max(first + DAY),
                };
                self.touch(owner, registered);
                // The last one registered still waits for the county's decision.
                let verify = n < 18;
                self.org(
                    owner,
                    registered,
                    verify,
                    Some(county),
                    OrgInput {
                        name,
                        org_type: kind.into(),
                        region: COUNTIES[county].0.into(),
                        credit_code: None,
                        address: Some(format!("{c}{town}镇")),
                        description: Some(description),
                        contact_phone: None,
                    },
                );
            }
        }
    }

    fn org(
        &mut self,
        owner: PersonIx,
        at: i64,
        verify: bool,
        county: Option<usize>,
        input: OrgInput,
    ) {
        let ix = self.plan.orgs.len();
        self.plan.orgs.push(PlannedOrg {
            owner,
            input,
            county,
        });
        self.at(at, Step::RegisterOrg(ix));
        if verify {
            let v = office_after(&mut self.rng, at, 3);
            self.at(v, Step::VerifyOrg(ix));
        }
    }

    /// A posting created at `t`, submitted and (mostly) approved; returns its index and its
    /// publication time if it is published.
    fn post(
        &mut self,
        owner: PersonIx,
        county: usize,
        content: Content,
        t: i64,
    ) -> (usize, Option<i64>) {
        let ix = self.plan.postings.len();
        self.plan.postings.push(PlannedPosting {
            owner,
            content,
            county,
        });
        self.windows.push(None);
        self.touch(owner, t);
        let need = matches!(self.plan.postings[ix].content, Content::Need(_));
        if need && self.rng.random_bool(0.02) {
            // Saved as a draft and never sent.
            self.at(
                t,
                Step::Create {
                    posting: ix,
                    submit: false,
                },
            );
            return (ix, None);
        }
        self.at(
            t,
            Step::Create {
                posting: ix,
                submit: true,
            },
        );
        let decided = office_after(&mut self.rng, t, 1);
        if need && self.rng.random_bool(0.03) {
            let reason = *pick(&mut self.rng, REJECT_REASONS);
            self.at(
                decided,
                Step::Reject {
                    posting: ix,
                    reason,
                },
            );
            return (ix, None);
        }
        self.at(decided, Step::Approve(ix));
        (ix, Some(decided))
    }

    /// Renewals, the owner's closing and expiry of a published posting.
    fn live(
        &mut self,
        ix: usize,
        published: i64,
        closing: Option<(i64, &'static str)>,
        renew_p: f64,
    ) -> i64 {
        let l = life(
            &mut self.rng,
            published,
            closing.map(|c| c.0),
            self.ttl,
            renew_p,
            HORIZON,
        );
        for r in &l.renewals {
            self.at(*r, Step::Renew(ix));
        }
        if let (Some(at), Some((_, reason))) = (l.closed, closing) {
            self.at(
                at,
                Step::Close {
                    posting: ix,
                    reason,
                },
            );
        }
        self.windows[ix] = Some((published, l.end));
        l.end
    }

    /// A title no other posting has (tried a few times; what `make` returns beside the title
    /// is what the text is then written about).
    fn unique_title<T>(&mut self, mut make: impl FnMut(&mut StdRng) -> (String, T)) -> (String, T) {
        let mut made = make(&mut self.rng);
        for _ in 0..20 {
            if self.titles.insert(made.0.clone()) {
                break;
            }
            made = make(&mut self.rng);
        }
        made
    }

    fn services(&mut self) {
        let workers: Vec<(PersonIx, usize, i64, bool)> = self
            .plan
            .applications
            .iter()
            .filter_map(|a| {
                Some((
                    a.person,
                    a.topic?,
                    a.verified?,
                    a.person < ADMINS.len() + WORKERS.len(),
                ))
            })
            .collect();
        for (person, topic, verified, named) in workers {
            let county = self.plan.people[person].county.unwrap_or(0);
            let count = if named {
                self.rng.random_range(0..2)
            } else {
                *pick(&mut self.rng, &[1, 2, 2, 3, 3, 4, 5])
            };
            let from = verified / DAY + 1;
            if from >= HISTORY_DAYS {
                continue;
            }
            for _ in 0..count {
                let t_ = &TOPICS[topic];
                let (title, (offer, subject)) = self.unique_title(|rng| {
                    let offer = pick(rng, t_.offers);
                    let subject = *pick(rng, t_.subjects);
                    (fill(offer.title, subject), (offer, subject))
                });
                let (price_kind, price_fen) = match offer.price_yuan {
                    Some(range) if !(t_.farm && self.rng.random_bool(0.1)) => {
                        ("amount", Some(amount_fen(&mut self.rng, range)))
                    }
                    Some(_) => ("free", None),
                    None => ("negotiable", None),
                };
                let scope = if t_.farm {
                    *pick(
                        &mut self.rng,
                        &["county", "county", "city", "city", "province"],
                    )
                } else {
                    *pick(&mut self.rng, &["city", "province", "province", "national"])
                };
                let mut tags: Vec<&str> =
                    t_.tags.choose_multiple(&mut self.rng, 2).copied().collect();
                tags.sort_unstable();
                let input = ServiceInput {
                    title,
                    description: fill(offer.body, subject),
                    category: t_.category.into(),
                    tags: vec![tags.join(",")],
                    region: COUNTIES[county].0.into(),
                    scope: scope.into(),
                    price_kind: price_kind.into(),
                    price_fen,
                    contact: (*pick(&mut self.rng, &["both", "message", "phone"])).into(),
                    org_id: None,
                };
                let day = growing_day(&mut self.rng, from, HISTORY_DAYS + 1);
                let t = daytime(&mut self.rng, day);
                if let (ix, Some(published)) = self.post(person, county, Content::Service(input), t)
                {
                    let closing = self.rng.random_bool(0.04).then(|| {
                        (
                            published + self.rng.random_range(20 * DAY..120 * DAY),
                            "withdrawn",
                        )
                    });
                    self.live(ix, published, closing, 0.8);
                }
            }
        }
    }

    fn achievements(&mut self) {
        let authors: Vec<(PersonIx, usize, i64, String)> = self
            .plan
            .applications
            .iter()
            .filter_map(|a| {
                let t = a.topic?;
                (!TOPICS[t].findings.is_empty()).then_some((
                    a.person,
                    t,
                    a.verified?,
                    a.input.employer.clone(),
                ))
            })
            .collect();
        for i in 0..GENERATED_ACHIEVEMENTS {
            let Some((person, topic, verified, employer)) = authors.choose(&mut self.rng).cloned()
            else {
                break;
            };
            let from = verified / DAY + 2;
            if from >= HISTORY_DAYS {
                continue;
            }
            let t_ = &TOPICS[topic];
            let finding = pick(&mut self.rng, t_.findings);
            let subject = *pick(&mut self.rng, t_.subjects);
            let title = fill(finding.title, subject);
            if !self.titles.insert(title.clone()) {
                continue;
            }
            let kind_digit = match finding.ip_type {
                "invention_patent" => Some(1),
                "utility_patent" => Some(2),
                _ => None,
            };
            let ip_number = kind_digit.map(|k| {
                format!(
                    "ZL{}{k}{:07}.{}",
                    self.rng.random_range(2019..2026),
                    1_000_000 + i * 7919,
                    i % 10
                )
            });
            let n_modes = self.rng.random_range(1..3);
            let mut modes: Vec<&str> = ["transfer", "license", "equity", "co_develop"]
                .choose_multiple(&mut self.rng, n_modes)
                .copied()
                .collect();
            modes.sort_unstable();
            let (price_kind, price_fen) = if self.rng.random_bool(0.5) {
                (
                    "amount",
                    Some(amount_fen(&mut self.rng, (50_000, 1_000_000))),
                )
            } else {
                ("negotiable", None)
            };
            let county = self.plan.people[person].county.unwrap_or(0);
            let holders = if self.rng.random_bool(0.5) {
                employer
            } else {
                format!("{}团队", self.plan.people[person].name)
            };
            let input = AchievementInput {
                title,
                summary: fill(finding.summary, subject),
                category: t_.category.into(),
                maturity: finding.maturity.into(),
                ip_type: finding.ip_type.into(),
                ip_number,
                holders,
                transfer_modes: modes.iter().map(|m| (*m).to_owned()).collect(),
                price_kind: price_kind.into(),
                price_fen,
                region: COUNTIES[county].0.into(),
                org_id: None,
            };
            let day = growing_day(&mut self.rng, from, HISTORY_DAYS + 1);
            let t = daytime(&mut self.rng, day);
            if let (ix, Some(published)) = self.post(person, county, Content::Achievement(input), t)
            {
                self.live(ix, published, None, 0.9);
            }
        }
    }

    fn need_input(&mut self, topic: usize, county: usize, t: i64) -> NeedInput {
        let tp = &TOPICS[topic];
        let patterns = if tp.farm { FARM_TITLES } else { FIRM_TITLES };
        let (title, (subject, trouble)) = self.unique_title(|rng| {
            let subject = *pick(rng, tp.subjects);
            let trouble = pick(rng, tp.troubles);
            let title = pick(rng, patterns)
                .replace("{s}", subject)
                .replace("{t}", trouble.short);
            (title, (subject, trouble))
        });
        let n = self.rng.random_range(tp.scale.0..=tp.scale.1);
        let opening = pick(&mut self.rng, tp.openings)
            .replace("{n}", &n.to_string())
            .replace("{s}", subject);
        let worry = *pick(
            &mut self.rng,
            if tp.farm { FARM_WORRIES } else { FIRM_WORRIES },
        );
        let budget_fen = if tp.farm {
            self.rng
                .random_bool(0.6)
                .then(|| *pick(&mut self.rng, &[2000, 3000, 5000, 8000, 10_000, 20_000]) * 100)
        } else {
            self.rng
                .random_bool(0.5)
                .then(|| *pick(&mut self.rng, &[20_000, 50_000, 100_000, 200_000, 500_000]) * 100)
        };
        let deadline = self.rng.random_bool(0.2).then(|| {
            let due = self.plan.time(t + self.rng.random_range(30..120) * DAY);
            due.shanghai_date().to_string()
        });
        NeedInput {
            title,
            problem: format!("{opening}{}。{worry}", fill(trouble.detail, subject)),
            current_practice: Some((*pick(&mut self.rng, tp.practices)).into()),
            target: Some(fill(trouble.target, subject)),
            budget_fen,
            deadline,
            industry: tp.industry.into(),
            category: tp.category.into(),
            region: COUNTIES[county].0.into(),
        }
    }

    fn needs(&mut self) {
        let county_w: Vec<f64> = COUNTY_ACTIVITY.to_vec();
        for _ in 0..GENERATED_NEEDS {
            let county = weighted(&mut self.rng, &county_w);
            let here: Vec<_> = self
                .requesters
                .iter()
                .filter(|r| self.plan.people[r.0].county == Some(county))
                .cloned()
                .collect();
            let w: Vec<f64> = here.iter().map(|r| r.3).collect();
            let (owner, topics, _, _) = here[weighted(&mut self.rng, &w)].clone();
            let topic = *pick(&mut self.rng, &topics);
            let day = growing_day(&mut self.rng, 2, HISTORY_DAYS + 1);
            let t = daytime(&mut self.rng, day);
            let input = self.need_input(topic, county, t);
            let (ix, published) = self.post(owner, county, Content::Need(input), t);
            if let Some(published) = published {
                self.need_market(ix, owner, topic, county, published);
            }
        }
    }

    /// Quotes on a published need, perhaps a deal and the owner closing it.
    fn need_market(
        &mut self,
        need: usize,
        owner: PersonIx,
        topic: usize,
        county: usize,
        published: i64,
    ) {
        let mut closing = None;
        let first_end = published + self.ttl;
        if self.rng.random_bool(0.26) {
            let n = *pick(&mut self.rng, &[1, 1, 1, 2, 2, 3]);
            let mut times: Vec<i64> = (0..n)
                .map(|_| published + self.rng.random_range(6 * HOUR..12 * DAY))
                .filter(|t| *t < first_end)
                .collect();
            times.sort_unstable();
            let mut quotes = Vec::new();
            let mut used = HashSet::new();
            for t in times {
                let Some(provider) = self.provider(topic, county, owner, t, &used) else {
                    continue;
                };
                used.insert(provider);
                let tp = &TOPICS[topic];
                let service = self.service_of(provider, t);
                let q = self.plan.quotes.len();
                self.plan.quotes.push(PlannedQuote {
                    need,
                    provider,
                    price_fen: amount_fen(&mut self.rng, tp.price_yuan),
                    timeline_days: self.rng.random_range(7..90),
                    method: (*pick(&mut self.rng, tp.methods)).into(),
                    service,
                });
                self.at(t, Step::Quote(q));
                quotes.push((q, t, provider));
            }
            if let Some(&(_, last, _)) = quotes.last()
                && self.rng.random_bool(0.62)
            {
                let accepted = self.rng.random_range(0..quotes.len());
                let at = last + self.rng.random_range(2 * HOUR..6 * DAY);
                if at < first_end {
                    let (q, _, provider) = quotes[accepted];
                    let d = self.plan.deals.len();
                    self.plan.deals.push(PlannedDeal {
                        source: DealSource::Quote(q),
                        amount_fen: self.plan.quotes[q].price_fen,
                        note: None,
                    });
                    self.at(at, Step::Accept(d));
                    for (other, _, _) in quotes.iter().filter(|o| o.0 != q) {
                        self.at(at + 10 * MINUTE, Step::Decline(*other));
                    }
                    if self.rng.random_bool(0.92) {
                        let confirmed = at + self.rng.random_range(3 * HOUR..3 * DAY);
                        self.at(
                            confirmed,
                            Step::Confirm {
                                deal: d,
                                by: provider,
                            },
                        );
                        if self.rng.random_bool(0.7) {
                            closing = Some((
                                confirmed + self.rng.random_range(DAY..10 * DAY),
                                "solved_here",
                            ));
                        }
                    }
                }
            }
        }
        if closing.is_none() && self.rng.random_bool(0.12) {
            let reason = *pick(
                &mut self.rng,
                &[
                    "solved_elsewhere",
                    "solved_elsewhere",
                    "no_answer",
                    "withdrawn",
                ],
            );
            closing = Some((
                published + self.rng.random_range(20 * DAY..80 * DAY),
                reason,
            ));
        }
        self.live(need, published, closing, 0.5);
    }

    /// A verified tech worker of the topic (other than `owner`) by time `t`, preferring the
    /// need's county.
    fn provider(
        &mut self,
        topic: usize,
        county: usize,
        owner: PersonIx,
        t: i64,
        used: &HashSet<PersonIx>,
    ) -> Option<PersonIx> {
        let fits: Vec<(PersonIx, f64)> = self
            .plan
            .applications
            .iter()
            .filter(|a| a.topic == Some(topic) && a.verified.is_some_and(|v| v < t))
            .filter(|a| a.person != owner && !used.contains(&a.person))
            .map(|a| {
                (
                    a.person,
                    if self.plan.people[a.person].county == Some(county) {
                        3.0
                    } else {
                        1.0
                    },
                )
            })
            .collect();
        if fits.is_empty() {
            return None;
        }
        let w: Vec<f64> = fits.iter().map(|f| f.1).collect();
        Some(fits[weighted(&mut self.rng, &w)].0)
    }

    /// One of `provider`'s services live at `t`, sometimes.
    fn service_of(&mut self, provider: PersonIx, t: i64) -> Option<usize> {
        if !self.rng.random_bool(0.5) {
            return None;
        }
        let live: Vec<usize> = self
            .live_postings(PostingKind::Service, t, 0)
            .into_iter()
            .filter(|ix| self.plan.postings[*ix].owner == provider)
            .collect();
        live.choose(&mut self.rng).copied()
    }

    /// Postings of `kind` published before `t` and live until at least `t + margin`.
    fn live_postings(&self, kind: PostingKind, t: i64, margin: i64) -> Vec<usize> {
        self.plan
            .postings
            .iter()
            .enumerate()
            .filter(|(ix, p)| {
                p.content.kind() == kind
                    && self.windows[*ix].is_some_and(|(from, to)| from < t && t + margin < to)
            })
            .map(|(ix, _)| ix)
            .collect()
    }

    fn inquiries(&mut self) {
        for i in 0..SERVICE_INQUIRIES + ACHIEVEMENT_INQUIRIES {
            let kind = if i < SERVICE_INQUIRIES {
                PostingKind::Service
            } else {
                PostingKind::Achievement
            };
            let day = growing_day(&mut self.rng, 20, HISTORY_DAYS + 1);
            let t = daytime(&mut self.rng, day);
            let live = self.live_postings(kind, t, 10 * DAY);
            let Some(&posting) = live.choose(&mut self.rng) else {
                continue;
            };
            let p = &self.plan.postings[posting];
            let (owner, county) = (p.owner, p.county);
            let topic = self.posting_topic(posting);
            let farm = topic.is_some_and(|t| TOPICS[t].farm) && kind == PostingKind::Service;
            let w: Vec<f64> = self
                .requesters
                .iter()
                .map(|r| {
                    let mut w = if r.2 != farm { 1.0 } else { 0.05 };
                    if self.plan.people[r.0].county == Some(county) {
                        w *= 3.0;
                    }
                    if topic.is_some_and(|t| r.1.contains(&t)) {
                        w *= 4.0;
                    }
                    if r.0 == owner { 0.0 } else { w }
                })
                .collect();
            let requester = self.requesters[weighted(&mut self.rng, &w)].0;
            let rc = self.plan.people[requester].county.unwrap_or(0);
            let subject = topic.map_or("技术", |t| TOPICS[t].subjects[0]);
            let town = *pick(&mut self.rng, TOWNS[rc]);
            let body = pick(&mut self.rng, if farm { FARM_ASKS } else { FIRM_ASKS })
                .replace("{c}", COUNTIES[rc].1)
                .replace("{w}", town)
                .replace("{s}", subject);
            let q = self.plan.inquiries.len();
            self.plan.inquiries.push(PlannedInquiry {
                posting,
                requester,
                body,
                reply: (*pick(&mut self.rng, REPLIES)).into(),
            });
            self.touch(requester, t);
            self.at(t, Step::Ask(q));
            let replied = t + self.rng.random_range(HOUR..20 * HOUR);
            self.at(replied, Step::Reply(q));
            if self.rng.random_bool(if kind == PostingKind::Service {
                0.4
            } else {
                0.5
            }) {
                let proposed = replied + self.rng.random_range(DAY..5 * DAY);
                let range = match (kind, topic) {
                    (PostingKind::Achievement, _) => (80_000, 600_000),
                    (_, Some(t)) => TOPICS[t].price_yuan,
                    (_, None) => (2000, 20_000),
                };
                let d = self.plan.deals.len();
                self.plan.deals.push(PlannedDeal {
                    source: DealSource::Inquiry(q),
                    amount_fen: amount_fen(&mut self.rng, range),
                    note: Some(
                        if kind == PostingKind::Service {
                            "按留言约定上门服务"
                        } else {
                            "技术许可，分期支付"
                        }
                        .into(),
                    ),
                });
                self.at(proposed, Step::Propose(d));
                if self.rng.random_bool(0.9) {
                    let confirmed = proposed + self.rng.random_range(2 * HOUR..2 * DAY);
                    self.at(
                        confirmed,
                        Step::Confirm {
                            deal: d,
                            by: requester,
                        },
                    );
                }
            }
        }
    }

    fn posting_topic(&self, posting: usize) -> Option<usize> {
        let category = match &self.plan.postings[posting].content {
            Content::Service(s) => &s.category,
            Content::Need(n) => &n.category,
            Content::Achievement(a) => &a.category,
        };
        let owner = self.plan.postings[posting].owner;
        self.plan
            .applications
            .iter()
            .find(|a| a.person == owner)
            .and_then(|a| a.topic)
            .filter(|t| TOPICS[*t].category == category)
    }

    fn offline_transfers(&mut self) {
        let firms: Vec<PersonIx> = self
            .requesters
            .iter()
            .filter(|r| r.2)
            .map(|r| r.0)
            .collect();
        for _ in 0..OFFLINE_TRANSFERS {
            let day = growing_day(&mut self.rng, 40, HISTORY_DAYS + 1);
            let t = daytime(&mut self.rng, day);
            let t = office_after(&mut self.rng, t, 0);
            let live = self.live_postings(PostingKind::Achievement, t, 0);
            let Some(&achievement) = live.choose(&mut self.rng) else {
                continue;
            };
            let Some(&requester) = firms.choose(&mut self.rng) else {
                break;
            };
            let d = self.plan.deals.len();
            self.plan.deals.push(PlannedDeal {
                source: DealSource::Offline {
                    achievement,
                    requester,
                },
                amount_fen: amount_fen(&mut self.rng, (100_000, 800_000)),
                note: Some("线下签订技术转让（许可）合同，由市科协登记".into()),
            });
            self.touch(requester, t);
            self.at(t, Step::RecordOffline(d));
        }
    }

    fn finish(mut self) -> Plan {
        for (p, first) in self.first_activity.iter().enumerate() {
            if self.plan.people[p].admin.is_some() {
                continue;
            }
            // Registered a little before the first thing they did (or some day, if nothing).
            let registered = match *first {
                i64::MAX => {
                    let day = self.rng.random_range(0..HISTORY_DAYS);
                    daytime(&mut self.rng, day)
                }
                first => first - self.rng.random_range(20 * MINUTE..3 * DAY),
            };
            self.plan.people[p].registered = registered
                .max(7 * HOUR + p as i64 * 20)
                .min(self.cutoff - HOUR);
        }
        // Just after the 08:00 digest hour.
        let sweep = 8 * HOUR + 5 * MINUTE;
        let mut day = 0;
        while day * DAY + sweep <= self.cutoff {
            self.plan.steps.push((day * DAY + sweep, Step::Sweep));
            day += 1;
        }
        let showcase = (HISTORY_DAYS - 5) * DAY + 9 * HOUR;
        self.at(showcase.min(self.cutoff), Step::Showcase);
        self.plan.steps.sort_by_key(|s| s.0);
        self.plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        // 2026-12-06 12:00 UTC.
        Timestamp::from_micros(1_796_558_400_000_000)
    }

    fn plan() -> Plan {
        Plan::new(now(), 90)
    }

    fn titles(p: &Plan) -> Vec<String> {
        p.postings
            .iter()
            .map(|x| match &x.content {
                Content::Service(s) => s.title.clone(),
                Content::Need(n) => n.title.clone(),
                Content::Achievement(a) => a.title.clone(),
            })
            .collect()
    }

    #[test]
    fn the_same_plan_every_time() {
        let (a, b) = (plan(), plan());
        assert_eq!(a.steps, b.steps);
        // Started in the morning of the same day: the same records, fewer of today's steps.
        let morning = Plan::new(now().plus_seconds(-11 * HOUR), 90);
        assert!(morning.steps.len() < a.steps.len());
        assert_eq!(titles(&morning), titles(&a));
        assert_eq!(titles(&a), titles(&b));
    }

    #[test]
    fn sizes_look_like_a_working_city() {
        let p = plan();
        let kind = |k| p.postings.iter().filter(|x| x.content.kind() == k).count();
        let (services, needs, achievements) = (
            kind(PostingKind::Service),
            kind(PostingKind::Need),
            kind(PostingKind::Achievement),
        );
        assert!((120..=260).contains(&services), "{services} services");
        assert!((250..=360).contains(&needs), "{needs} needs");
        assert!(
            (20..=45).contains(&achievements),
            "{achievements} achievements"
        );
        let workers = p.applications.len();
        assert!((50..=100).contains(&workers), "{workers} tech workers");
        assert!((15..=30).contains(&p.orgs.len()), "{} orgs", p.orgs.len());
        let confirmed = p
            .steps
            .iter()
            .filter(|s| matches!(s.1, Step::Confirm { .. } | Step::RecordOffline(_)))
            .count();
        assert!(
            (25..=80).contains(&confirmed),
            "{confirmed} confirmed deals"
        );
        assert!(p.quotes.len() >= 30 && p.inquiries.len() >= 30);
    }

    #[test]
    fn every_county_posts_one_leads_and_one_lags() {
        let p = plan();
        let mut needs = [0usize; 6];
        for x in &p.postings {
            if let Content::Need(_) = x.content {
                needs[x.county] += 1;
            }
        }
        assert!(needs.iter().all(|n| *n > 0), "{needs:?}");
        let max = needs.iter().copied().max().unwrap_or(0);
        let min = needs.iter().copied().min().unwrap_or(0);
        assert_eq!(needs[2], max, "岳池县 leads: {needs:?}");
        assert_eq!(needs[1], min, "前锋区 lags: {needs:?}");
        assert!(min * 4 < max, "{needs:?}");
    }

    #[test]
    fn steps_are_in_time_order_within_the_history() {
        let p = plan();
        assert!(p.steps.windows(2).all(|w| w[0].0 <= w[1].0));
        let last = p.steps.last().map_or(0, |s| s.0);
        assert!(p.time(last) < now(), "nothing after now");
        // Every month of the history has new needs.
        let mut months = HashSet::new();
        for (t, s) in &p.steps {
            if let Step::Create { posting, .. } = s
                && p.postings[*posting].content.kind() == PostingKind::Need
            {
                months.insert(p.time(*t).shanghai_date().format("%Y-%m").to_string());
            }
        }
        assert!(months.len() >= 7, "{months:?}");
    }

    #[test]
    fn people_register_before_they_act() {
        let p = plan();
        for (t, s) in &p.steps {
            let who = match *s {
                Step::Apply(a) => p.applications[a].person,
                Step::Create { posting, .. } => p.postings[posting].owner,
                Step::Quote(q) => p.quotes[q].provider,
                Step::Ask(q) => p.inquiries[q].requester,
                Step::RegisterOrg(o) => p.orgs[o].owner,
                _ => continue,
            };
            assert!(p.people[who].registered < *t, "{s:?}");
        }
    }
}
