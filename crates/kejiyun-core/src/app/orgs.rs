//! Organizations' own use cases; the rest of their life cycle is the profile engine's
//! (`app/profiles.rs`).

use super::{Profiles, Services};
use crate::DomainResult;
use crate::ids::OrgId;
use crate::orgs::{Org, OrgInput};
use crate::permissions::Actor;

impl Services {
    /// Organizations: registration, pages, the directory.
    pub fn orgs(&self) -> Profiles<'_, Org> {
        self.profiles()
    }
}

impl Profiles<'_, Org> {
    /// Registers an organization; the registrant becomes its org admin, and the region's admins
    /// verify it.
    pub async fn register(&self, actor: &Actor, input: &OrgInput) -> DomainResult<OrgId> {
        let profile = self.parse(input)?;
        self.submit(actor, &profile).await
    }
}
