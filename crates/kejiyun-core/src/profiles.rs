//! Verifiable profiles: records a user submits about themselves (a tech worker's professional
//! profile, an organization's page) that the admins of the record's region verify. One engine
//! runs their life cycle for every kind: submitted as pending (or kept as a draft), edited back
//! to review, approved (verified once, `verified_at`) or rejected, with the queue, outbox,
//! audit entry, notification and statistics following each change. A kind brings only what is
//! its own, through [`ProfileKind`]: its fields and their validation, who edits it, its texts.
//! The use cases are `app::Profiles`, the port [`ports::ProfileStore`].

pub mod ports;

use crate::DomainResult;
use crate::ids::UserId;
use crate::moderation::{ModerationKind, ModerationStatus};
use crate::notifications::ProfileRef;
use crate::permissions::Actor;
use crate::ports::Store;
use crate::profiles::ports::ProfileStore;
use crate::regions::RegionCode;

/// What a kind of verifiable profile adds to the engine. It is implemented by the stored
/// record itself (`Org`, `TechWorker`), so `Profiles<Org>` reads as what it handles.
pub trait ProfileKind: Sized + Send + Sync + 'static {
    /// The record's typed id (`OrgId`, `TechWorkerId`).
    type Id: Copy + Send + Sync + From<i64> + Into<i64>;
    /// Unvalidated form/API input.
    type Input: Sync;
    /// The validated fields a submission or an edit stores.
    type Profile: Send + Sync;
    /// The kind's own list filter beside region, status and text (the organization type;
    /// nothing for tech workers).
    type Filter: Clone + std::fmt::Debug + PartialEq + Send + Sync;

    const KIND: ModerationKind;
    /// The input field a region outside the deployment is reported on.
    const REGION_FIELD: &'static str;
    /// The input field a banned word is reported on.
    const TEXT_FIELD: &'static str;
    /// Said for a record that does not exist or may not be seen.
    const NOT_FOUND: &'static str;
    /// Said to someone who may see the record but not edit it.
    const NOT_EDITOR: &'static str;

    /// The kind's port within the whole store.
    fn store(store: &dyn Store) -> &dyn ProfileStore<Self>;
    fn parse(input: &Self::Input) -> DomainResult<Self::Profile>;
    /// The region whose admins verify the record.
    fn region_of(profile: &Self::Profile) -> RegionCode;
    /// Text that the banned-word check reads.
    fn public_text(profile: &Self::Profile) -> Vec<&str>;

    fn id(&self) -> Self::Id;
    /// The user who submitted the record and is told of decisions on it.
    fn owner(&self) -> UserId;
    fn profile(&self) -> &Self::Profile;
    fn status(&self) -> ModerationStatus;
    /// The name the queue and the audit log show.
    fn label(&self) -> &str;
    /// The record as a decision's notification names it.
    fn notice_ref(&self) -> ProfileRef;
    /// Whether `actor` may edit the record (and so also see it unpublished).
    fn edited_by(&self, actor: &Actor) -> bool;
}

/// Published records are public; others only to their editors and the region's admins.
pub fn visible<K: ProfileKind>(record: &K, actor: Option<&Actor>) -> bool {
    record.status() == ModerationStatus::Published
        || actor
            .is_some_and(|a| record.edited_by(a) || a.administers(K::region_of(record.profile())))
}
