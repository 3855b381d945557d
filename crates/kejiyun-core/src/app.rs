//! Use cases: the operations a handler or the CLI calls. Each checks permissions and rules,
//! then calls the store once, so a handler stays a thin translation of HTTP. They are grouped
//! by area, one struct per file, lent out by `Services`: `services.accounts().login(…)` is in
//! `app/accounts.rs`, `services.deals().confirm_deal(…)` in `app/market/deals.rs`, and each
//! calls its area's port (`AccountStore`, `DealStore`, …).

/// Declares an area's use cases: the struct `$name`, which `services.$accessor()` lends out, so
/// a call reads `services.deals().confirm_deal(…)` and names the file it is in
/// (`app/market/deals.rs`). The use cases read the shared services (store, clock, regions, …)
/// through `Deref`.
macro_rules! use_cases {
    ($name:ident, $accessor:ident, $doc:literal) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Reached by `services.", stringify!($accessor), "()`.")]
        #[derive(Clone, Copy)]
        pub struct $name<'a>(&'a $crate::app::Services);

        impl $crate::app::Services {
            pub fn $accessor(&self) -> $name<'_> {
                $name(self)
            }
        }

        impl std::ops::Deref for $name<'_> {
            type Target = $crate::app::Services;
            fn deref(&self) -> &$crate::app::Services {
                self.0
            }
        }
    };
}

mod accounts;
mod audit_chain;
mod bases;
mod certificates;
mod contests;
mod contests_judging;
mod estations;
pub mod market;
mod moderation;
mod notifications;
mod one_time_codes;
mod orgs;
mod passwords;
mod popsci;
mod profiles;
mod questions;
pub mod search;
mod second_factor;
pub mod stats;
mod tech_workers;
mod tokens;
mod trainings;
mod uploads;
mod volunteer_activities;
mod volunteers;

use std::sync::Arc;

pub use accounts::{Accounts, AdminSpec, LoginOutcome, RegisterInput};
pub use audit_chain::{AuditChain, MIN_AUDIT_RETENTION_DAYS};
pub use bases::{BasePage, Bases};
pub use certificates::Certificates;
pub use contests::Contests;
pub use contests_judging::ContestRanking;
pub use estations::{Estations, HeartbeatOutcome, Program, ProgramItem};
pub use moderation::{Decision, EXPIRING_WITHIN_DAYS, Moderation, Workbench};
pub use notifications::Notifications;
pub use one_time_codes::OneTimeCodes;
pub use passwords::{Lockout, Passwords, UnlockTarget, may_unlock};
pub use popsci::{ResourceView, Resources};
pub use profiles::{DirectoryQuery, Profiles};
pub use questions::{Questions, Thread};
pub use second_factor::{Challenge, Enrolment, SecondFactor, SignIn, may_reset};
pub use stats::Stats;
pub use tokens::Tokens;
pub use trainings::Trainings;
pub use uploads::Uploads;
pub use volunteer_activities::{VolunteerActivities, year_of, year_range};
pub use volunteers::{ImportedRow, Volunteers};

use crate::DomainError;
use crate::auth::LockoutPolicy;
use crate::auth::one_time_codes::CodePolicy;
use crate::banned_words::BannedWords;
use crate::notifications::delivery::Sender;
use crate::ports::Store;
use crate::regions::{Region, RegionCode, RegionDirectory};
use crate::search_ports::{SearchEngine, SearchFeed};
use crate::time::{Clock, Timestamp};

/// Everything a use case needs, built once at start.
#[derive(Clone)]
pub struct Services {
    /// The database: every area's storage port.
    pub store: Arc<dyn Store>,
    /// The search index (answers searches and matches).
    pub search: Arc<dyn SearchEngine>,
    /// The database as the search index sees it (the same database as `store`).
    pub search_feed: Arc<dyn SearchFeed>,
    pub clock: Arc<dyn Clock>,
    pub regions: Arc<RegionDirectory>,
    /// The deployment's root region (四川省 by default): everything lives below it.
    pub root: RegionCode,
    pub banned_words: Arc<BannedWords>,
    pub lockout: LockoutPolicy,
    /// One-time codes: their life, attempts and how often one is sent.
    pub codes: CodePolicy,
    /// Where e-mail/SMS messages go (one-time codes now; the sweeper's notification copies).
    pub sender: Arc<dyn Sender>,
    /// How long sessions last (absolute and idle limits).
    pub sessions: crate::auth::SessionPolicy,
    /// Administrators' password age and the password history.
    pub password_policy: crate::accounts::password_policy::PasswordPolicy,
    /// Whether administrators must pass a second factor (config `admin_second_factor`).
    pub admin_second_factor: crate::auth::second_factor::SecondFactorPolicy,
    /// A published posting expires unless its owner confirms it within this many days.
    pub posting_ttl_days: i64,
    /// How questions are routed to experts and when they count as long unanswered.
    pub qa: crate::questions::QaPolicy,
    /// Largest accepted upload (deal evidence), in bytes.
    pub upload_limit_bytes: usize,
    /// Uploaded files (the data directory) and their rows.
    pub files: Arc<dyn crate::uploads::ports::UploadStore>,
    /// What the upload engine accepts, and how large.
    pub upload_policy: crate::uploads::UploadPolicy,
    /// Seals and indexes personal data at rest (ID-card numbers); kept outside the database.
    pub personal_data: crate::personal_data::PersonalDataKey,
    /// Resource views counted since the last flush (in memory; the server flushes them).
    pub views: Arc<crate::popsci::views::ViewCounter>,
}

impl Services {
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn root_region(&self) -> Result<&Region, DomainError> {
        self.regions.require(self.root)
    }

    /// A region of this deployment: known and inside the root's subtree.
    pub fn deployment_region(
        &self,
        code: RegionCode,
        field: &'static str,
    ) -> Result<&Region, DomainError> {
        match self.regions.get(code) {
            Some(r) if self.root.contains(code) => Ok(r),
            _ => Err(DomainError::invalid(
                field,
                format!(
                    "地区 {code} 不在本平台（{}）的服务范围内",
                    self.regions.full_name(self.root)
                ),
            )),
        }
    }

    /// A region page/API lookup: unknown codes are 404, codes outside the deployment too.
    pub fn visible_region(&self, code: RegionCode) -> Result<&Region, DomainError> {
        let r = self.regions.require(code)?;
        if self.root.contains(code) || code.contains(self.root) {
            Ok(r)
        } else {
            Err(DomainError::NotFound(format!(
                "行政区划 {code} 不在本平台服务范围内"
            )))
        }
    }
}
