//! The accounts' storage port: users, their profiles and their grants.

use async_trait::async_trait;

use crate::accounts::{Login, NewUser, ProfileUpdate, User};
use crate::audit::AuditRecord;
use crate::ids::UserId;
use crate::paging::{Page, Paged};
use crate::permissions::Grant;
use crate::ports::StoreResult;
use crate::time::Timestamp;

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn create_user(&self, user: NewUser, at: Timestamp) -> StoreResult<UserId>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_login(&self, login: &Login) -> StoreResult<Option<User>>;
    async fn update_profile(
        &self,
        id: UserId,
        update: ProfileUpdate,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Granted roles plus the derived ones (a published tech worker profile, orgs administered).
    async fn grants(&self, id: UserId) -> StoreResult<Vec<Grant>>;
    /// Adds a granted role with its audit entry; `Conflict` when the account holds a role the
    /// separation of duties keeps apart from it (`permissions::separation_conflict`), judged
    /// in the transaction; `Conflict` too for a role already held.
    async fn add_grant(&self, user: UserId, grant: Grant, audit: AuditRecord) -> StoreResult<()>;
    /// Takes a granted role away with its audit entry; `NotFound` if it is not held.
    async fn revoke_grant(&self, user: UserId, grant: Grant, audit: AuditRecord)
    -> StoreResult<()>;
    /// Users holding admin grants, with the grant.
    async fn list_admins(&self, page: Page) -> StoreResult<Paged<(User, Grant)>>;
}
