//! The storage port of volunteers and teams. Every method is one transaction, with the
//! statistics of the change (`volunteers` when a profile is registered, `teams` when a team is).

use async_trait::async_trait;

use super::{Membership, MembershipStatus, Skill, Team, TeamDraft, Volunteer};
use crate::audit::AuditRecord;
use crate::ids::{TeamId, UserId, VolunteerId};
use crate::paging::{Page, Paged};
use crate::permissions::RegionScope;
use crate::ports::StoreResult;
use crate::regions::RegionCode;
use crate::time::Timestamp;

/// A profile to store: the ID-card number sealed, its blind index and masked form beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVolunteer {
    pub name: String,
    pub id_cipher: String,
    pub id_blind: String,
    pub id_masked: String,
    pub phone: String,
    pub region: RegionCode,
    pub skills: Vec<Skill>,
    pub availability: String,
}

/// Who a profile is for: an existing account, or (an admin's import) the account of this
/// phone number, created without a password if there is none — its owner logs in by code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolunteerAccount {
    User(UserId),
    Phone,
}

/// A team to store under its parent (checked by the use case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTeam {
    pub draft: TeamDraft,
    pub created_by: UserId,
}

/// Which volunteers a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolunteerFilter {
    pub scope: RegionScope,
    pub skill: Option<Skill>,
}

#[async_trait]
pub trait VolunteerStore: Send + Sync {
    /// Registers profiles in one transaction, all or none (an import calls it with the whole
    /// sheet): conflict if an ID-card number (its blind index) or an account is registered
    /// already.
    async fn register_volunteers(
        &self,
        rows: &[(VolunteerAccount, NewVolunteer)],
        at: Timestamp,
    ) -> StoreResult<Vec<VolunteerId>>;
    async fn volunteer(&self, id: VolunteerId) -> StoreResult<Option<Volunteer>>;
    async fn volunteer_of(&self, user: UserId) -> StoreResult<Option<Volunteer>>;
    /// The sealed ID-card number of a profile (what `Volunteers::id_card` opens), with the
    /// audit entry of the reading written first in the same transaction: nobody reads a
    /// full number without a trace.
    async fn reveal_id_card(
        &self,
        id: VolunteerId,
        audit: AuditRecord,
    ) -> StoreResult<Option<String>>;
    /// Which of these blind indexes are registered already.
    async fn registered_id_blinds(&self, blinds: &[String]) -> StoreResult<Vec<String>>;
    /// Newest first.
    async fn volunteers(
        &self,
        filter: &VolunteerFilter,
        page: Page,
    ) -> StoreResult<Paged<Volunteer>>;
    /// Every volunteer of the scope, oldest first (what an export writes).
    async fn all_volunteers(&self, scope: &RegionScope) -> StoreResult<Vec<Volunteer>>;

    /// Creates teams in one transaction, all or none; a team's parent may be one created
    /// earlier in the same call, named by its index in `teams` (`Err(index)`), or a stored one.
    async fn create_teams(
        &self,
        teams: &[(NewTeam, Option<Result<TeamId, usize>>)],
        at: Timestamp,
    ) -> StoreResult<Vec<TeamId>>;
    async fn team(&self, id: TeamId) -> StoreResult<Option<Team>>;
    /// A region's teams (with its subtree), by level then name.
    async fn teams(&self, scope: &RegionScope, page: Page) -> StoreResult<Paged<Team>>;
    /// Teams whose name is one of `names` (what an import's parent column refers to).
    async fn teams_named(&self, names: &[String]) -> StoreResult<Vec<Team>>;
    async fn sub_teams(&self, id: TeamId) -> StoreResult<Vec<Team>>;
    async fn change_leader(
        &self,
        id: TeamId,
        leader: UserId,
        audit: AuditRecord,
    ) -> StoreResult<()>;

    /// A request to join: conflict if the user asked already (pending or approved).
    async fn request_membership(
        &self,
        team: TeamId,
        user: UserId,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Decides a pending request, with its audit entry (a later request reopens the row; the
    /// decision stays in the audit log); conflict if it is not pending.
    async fn decide_membership(
        &self,
        team: TeamId,
        user: UserId,
        status: MembershipStatus,
        reason: Option<String>,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// A team's requests and members, pending first, then by request time.
    async fn memberships(&self, team: TeamId) -> StoreResult<Vec<Membership>>;
    /// A user's teams and requests.
    async fn memberships_of(&self, user: UserId) -> StoreResult<Vec<Membership>>;
}
