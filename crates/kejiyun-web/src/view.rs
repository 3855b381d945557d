//! What a caller may see of personal data. One place for pages and API alike: phones are shown
//! in full to their owner and the admins of their region, masked to anyone else; ID-card numbers
//! in full to their owner only — an admin reads one through an audited reveal
//! (`tech_workers().id_card`, `volunteers().id_card`).

use kejiyun_core::accounts::{IdCardNumber, Phone};
use kejiyun_core::ids::UserId;
use kejiyun_core::permissions::{Actor, sees_personal_data};
use kejiyun_core::regions::RegionCode;

pub fn phone(
    actor: Option<&Actor>,
    owner: UserId,
    region: Option<RegionCode>,
    phone: &Phone,
) -> String {
    if sees_personal_data(actor, owner, region) {
        phone.as_str().to_owned()
    } else {
        phone.masked()
    }
}

pub fn id_card(actor: Option<&Actor>, owner: UserId, id: &IdCardNumber) -> String {
    if actor.is_some_and(|a| a.user_id == owner) {
        id.as_str().to_owned()
    } else {
        id.masked()
    }
}

#[cfg(test)]
mod tests {
    use kejiyun_core::permissions::Grant;

    use super::*;

    #[test]
    fn masks_for_everyone_but_owner_and_region_admins() {
        let p = Phone::parse("13800138000").expect("valid");
        let owner = UserId(5);
        let linshui = RegionCode::parse("511623").ok();
        let stranger = Actor {
            user_id: UserId(6),
            grants: vec![],
        };
        let other_admin = Actor {
            user_id: UserId(7),
            grants: vec![Grant::RegionAdmin(
                RegionCode::parse("511621").expect("valid"),
            )],
        };
        let city_admin = Actor {
            user_id: UserId(8),
            grants: vec![Grant::RegionAdmin(
                RegionCode::parse("511600").expect("valid"),
            )],
        };
        let me = Actor {
            user_id: owner,
            grants: vec![],
        };
        assert_eq!(phone(None, owner, linshui, &p), "138****8000");
        assert_eq!(phone(Some(&stranger), owner, linshui, &p), "138****8000");
        assert_eq!(phone(Some(&other_admin), owner, linshui, &p), "138****8000");
        assert_eq!(phone(Some(&city_admin), owner, linshui, &p), "13800138000");
        assert_eq!(phone(Some(&me), owner, linshui, &p), "13800138000");
    }
}
