//! Who may do what, where. Every check the server makes goes through [`Actor`]; region scope is
//! the heart of it: a region admin acts on their region's subtree and nothing else.

use crate::accounts::Role;
use crate::ids::{OrgId, UserId};
use crate::regions::RegionCode;

/// A role granted to a user; region admins carry their region, org admins their org.
///
/// 三员分立 (separation of duties, 等保 2.0 level 3): the system administrator runs the
/// platform (every region's business), the security administrator decides who holds which
/// administrator role, the audit administrator reads the audit log. One account holds at most
/// one of the three, and none of them beside a region admin's grant ([`separation_conflict`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    SystemAdmin,
    SecurityAdmin,
    AuditAdmin,
    RegionAdmin(RegionCode),
    OrgAdmin(OrgId),
    TechWorker,
}

impl Grant {
    pub fn role(&self) -> Role {
        match self {
            Self::SystemAdmin => Role::SystemAdmin,
            Self::SecurityAdmin => Role::SecurityAdmin,
            Self::AuditAdmin => Role::AuditAdmin,
            Self::RegionAdmin(_) => Role::RegionAdmin,
            Self::OrgAdmin(_) => Role::OrgAdmin,
            Self::TechWorker => Role::TechWorker,
        }
    }

    /// An administrator's grant (the stricter password, session and second-factor rules).
    pub fn is_admin(&self) -> bool {
        matches!(
            self,
            Self::SystemAdmin | Self::SecurityAdmin | Self::AuditAdmin | Self::RegionAdmin(_)
        )
    }

    /// One of the three separated duties (三员).
    pub fn is_separated_duty(&self) -> bool {
        matches!(
            self,
            Self::SystemAdmin | Self::SecurityAdmin | Self::AuditAdmin
        )
    }
}

/// Why `new` may not join `existing` on one account, if it may not: the role it collides with.
/// A separated duty (system, security, audit) stands alone among administrator grants; region
/// admin grants (of several regions) may be combined with each other only.
pub fn separation_conflict(existing: &[Grant], new: Grant) -> Option<Role> {
    if !new.is_admin() {
        return None;
    }
    existing
        .iter()
        .find(|g| g.is_admin() && **g != new && (new.is_separated_duty() || g.is_separated_duty()))
        .map(Grant::role)
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

    /// Holds any administrator role (system, security, audit or region): the stricter rules
    /// for passwords, sessions and the second factor apply.
    pub fn is_admin(&self) -> bool {
        self.grants.iter().any(Grant::is_admin)
    }

    /// Runs regions' business (moderation, verification, deals…): a system admin or a region
    /// admin. Security and audit administrators do not.
    pub fn runs_regions(&self) -> bool {
        self.grants
            .iter()
            .any(|g| matches!(g, Grant::SystemAdmin | Grant::RegionAdmin(_)))
    }

    /// The security administrator (安全管理员): grants and revokes administrators.
    pub fn is_security_admin(&self) -> bool {
        self.grants.contains(&Grant::SecurityAdmin)
    }

    /// The audit administrator (审计管理员): reads the whole audit log, changes nothing.
    pub fn is_audit_admin(&self) -> bool {
        self.grants.contains(&Grant::AuditAdmin)
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

    /// 三员分立: each separated duty stands alone; region grants combine with each other only.
    #[test]
    fn separated_duties_do_not_combine() {
        let linshui = Grant::RegionAdmin(code("511623"));
        let yuechi = Grant::RegionAdmin(code("511621"));
        use Grant::{AuditAdmin, SecurityAdmin, SystemAdmin, TechWorker};
        for duty in [SystemAdmin, SecurityAdmin, AuditAdmin] {
            for other in [SystemAdmin, SecurityAdmin, AuditAdmin, linshui] {
                if other != duty {
                    assert_eq!(
                        separation_conflict(&[other], duty),
                        Some(other.role()),
                        "{duty:?} beside {other:?}"
                    );
                    assert_eq!(separation_conflict(&[duty], other), Some(duty.role()));
                }
            }
            // The same grant again is no conflict (it is already held), nor a non-admin one.
            assert_eq!(separation_conflict(&[duty], duty), None);
            assert_eq!(separation_conflict(&[duty, TechWorker], TechWorker), None);
            assert_eq!(separation_conflict(&[TechWorker], duty), None);
        }
        assert_eq!(separation_conflict(&[linshui], yuechi), None);
        let auditor = actor(vec![AuditAdmin]);
        let security = actor(vec![SecurityAdmin]);
        for a in [&auditor, &security] {
            assert!(a.is_admin() && !a.runs_regions());
            assert!(!a.administers(code("511623")));
            assert!(a.admin_scope().is_empty());
            assert!(!a.sees_personal_data(UserId(2), Some(code("511623"))));
        }
        assert!(auditor.is_audit_admin() && !auditor.is_security_admin());
        assert!(security.is_security_admin() && !security.is_audit_admin());
        assert!(actor(vec![linshui]).runs_regions());
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
