//! Who may do what, where. Every check the server makes goes through [`Actor`]; region scope is
//! the heart of it: a region admin acts on their region's subtree and nothing else.

use crate::accounts::Role;
use crate::ids::{OrgId, UserId};
use crate::regions::RegionCode;

/// A role granted to a user; region admins carry their region, org admins their org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    SystemAdmin,
    RegionAdmin(RegionCode),
    OrgAdmin(OrgId),
    TechWorker,
}

impl Grant {
    pub fn role(&self) -> Role {
        match self {
            Self::SystemAdmin => Role::SystemAdmin,
            Self::RegionAdmin(_) => Role::RegionAdmin,
            Self::OrgAdmin(_) => Role::OrgAdmin,
            Self::TechWorker => Role::TechWorker,
        }
    }
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub grants: Vec<Grant>,
}

/// Which regions a listing may show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionScope {
    All,
    /// The union of these subtrees (empty: nothing).
    Within(Vec<RegionCode>),
}

impl RegionScope {
    pub fn allows(&self, code: RegionCode) -> bool {
        match self {
            Self::All => true,
            Self::Within(roots) => roots.iter().any(|r| r.contains(code)),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Within(v) if v.is_empty())
    }

    /// Narrows this scope to one subtree (a filter a user picked).
    pub fn narrow(&self, to: RegionCode) -> RegionScope {
        match self {
            Self::All => Self::Within(vec![to]),
            Self::Within(roots) => {
                let mut out = Vec::new();
                for r in roots {
                    if r.contains(to) {
                        out.push(to);
                    } else if to.contains(*r) {
                        out.push(*r);
                    }
                }
                out.dedup();
                Self::Within(out)
            }
        }
    }
}

impl Actor {
    pub fn roles(&self) -> Vec<Role> {
        let mut roles = vec![Role::User];
        for g in &self.grants {
            let r = g.role();
            if !roles.contains(&r) {
                roles.push(r);
            }
        }
        roles
    }

    pub fn is_system_admin(&self) -> bool {
        self.grants.contains(&Grant::SystemAdmin)
    }

    pub fn is_admin(&self) -> bool {
        self.grants
            .iter()
            .any(|g| matches!(g, Grant::SystemAdmin | Grant::RegionAdmin(_)))
    }

    /// Whether this actor may administer (verify, moderate, see personal data in) `region`.
    pub fn administers(&self, region: RegionCode) -> bool {
        self.grants.iter().any(|g| match g {
            Grant::SystemAdmin => true,
            Grant::RegionAdmin(r) => r.contains(region),
            _ => false,
        })
    }

    /// The first of `regions` this actor does not administer: an admin acting for others may
    /// touch only records of their own regions — every record a write binds, not just the one
    /// it is filed under.
    pub fn first_not_administered(
        &self,
        regions: impl IntoIterator<Item = RegionCode>,
    ) -> Option<RegionCode> {
        regions.into_iter().find(|r| !self.administers(*r))
    }

    /// The regions this actor administers, for listing queues and audit entries.
    pub fn admin_scope(&self) -> RegionScope {
        if self.is_system_admin() {
            return RegionScope::All;
        }
        RegionScope::Within(
            self.grants
                .iter()
                .filter_map(|g| match g {
                    Grant::RegionAdmin(r) => Some(*r),
                    _ => None,
                })
                .collect(),
        )
    }

    pub fn manages_org(&self, org: OrgId) -> bool {
        self.grants.contains(&Grant::OrgAdmin(org))
    }

    /// Phone and ID numbers are shown in full only to their owner and the admins of the
    /// region the data belongs to; everyone else sees them masked.
    pub fn sees_personal_data(&self, owner: UserId, owner_region: Option<RegionCode>) -> bool {
        self.user_id == owner
            || self.is_system_admin()
            || owner_region.is_some_and(|r| self.administers(r))
    }
}

/// The same rule for a caller who may be anonymous.
pub fn sees_personal_data(
    actor: Option<&Actor>,
    owner: UserId,
    owner_region: Option<RegionCode>,
) -> bool {
    actor.is_some_and(|a| a.sees_personal_data(owner, owner_region))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("valid")
    }

    fn actor(grants: Vec<Grant>) -> Actor {
        Actor {
            user_id: UserId(1),
            grants,
        }
    }

    /// The permission matrix: role × own region / other region / parent region.
    #[test]
    fn region_admin_matrix() {
        let linshui = code("511623");
        let yuechi = code("511621");
        let guangan = code("511600");
        let sichuan = code("510000");

        let county = actor(vec![Grant::RegionAdmin(linshui)]);
        assert!(county.administers(linshui));
        assert!(!county.administers(yuechi));
        assert!(!county.administers(guangan));

        assert_eq!(county.first_not_administered([linshui, linshui]), None);
        assert_eq!(
            county.first_not_administered([linshui, yuechi, guangan]),
            Some(yuechi),
            "every record a write touches is checked"
        );

        let city = actor(vec![Grant::RegionAdmin(guangan)]);
        assert!(city.administers(linshui) && city.administers(yuechi) && city.administers(guangan));
        assert_eq!(city.first_not_administered([linshui, yuechi]), None);
        assert!(!city.administers(sichuan));
        assert!(!city.administers(code("510100")));

        let sys = actor(vec![Grant::SystemAdmin]);
        assert!(sys.administers(linshui) && sys.administers(code("110101")));

        for plain in [
            actor(vec![]),
            actor(vec![Grant::TechWorker]),
            actor(vec![Grant::OrgAdmin(crate::ids::OrgId(1))]),
        ] {
            assert!(!plain.administers(linshui));
            assert!(plain.admin_scope().is_empty());
        }
    }

    #[test]
    fn personal_data_visibility() {
        let owner = UserId(7);
        let linshui = code("511623");
        assert!(actor(vec![]).sees_personal_data(UserId(1), None));
        assert!(!actor(vec![]).sees_personal_data(owner, Some(linshui)));
        assert!(
            actor(vec![Grant::RegionAdmin(code("511600"))])
                .sees_personal_data(owner, Some(linshui))
        );
        assert!(
            !actor(vec![Grant::RegionAdmin(code("511621"))])
                .sees_personal_data(owner, Some(linshui))
        );
        assert!(!actor(vec![Grant::RegionAdmin(code("511621"))]).sees_personal_data(owner, None));
        assert!(!sees_personal_data(None, owner, Some(linshui)));
    }

    #[test]
    fn scope_narrowing() {
        let city = RegionScope::Within(vec![code("511600")]);
        assert_eq!(
            city.narrow(code("511623")),
            RegionScope::Within(vec![code("511623")])
        );
        assert_eq!(
            city.narrow(code("510000")),
            RegionScope::Within(vec![code("511600")])
        );
        assert!(city.narrow(code("510100")).is_empty());
        assert_eq!(
            RegionScope::All.narrow(code("511623")),
            RegionScope::Within(vec![code("511623")])
        );
    }
}
