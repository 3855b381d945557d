//! Organizations' rows; their life cycle is the profile engine's (`profiles.rs`).

use kejiyun_core::accounts::Phone;
use kejiyun_core::ids::{OrgId, UserId};
use kejiyun_core::orgs::{CreditCode, Org, OrgProfile, OrgType};
use kejiyun_core::ports::StoreResult;
use kejiyun_core::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, ExprTrait};

use super::profiles::{Row, StoredProfile};
use super::sealing::Sealing;
use super::stats::Counter;
use super::{contains_pattern, corrupt, parse_region, region_parts, status_of};
use crate::entities::orgs;

fn to_domain(m: orgs::Model) -> StoreResult<Org> {
    Ok(Org {
        id: OrgId(m.id),
        admin_user_id: UserId(m.admin_user_id),
        profile: OrgProfile {
            name: m.name,
            org_type: OrgType::parse(&m.org_type).map_err(|_| corrupt("org type", &m.org_type))?,
            region: parse_region(&m.region)?,
            credit_code: m
                .credit_code
                .as_deref()
                .map(|c| CreditCode::parse(c).map_err(|_| corrupt("credit code", c)))
                .transpose()?,
            address: m.address,
            description: m.description,
            contact_phone: m
                .contact_phone
                .as_deref()
                .map(|p| Phone::parse(p).map_err(|_| corrupt("contact phone", p)))
                .transpose()?,
        },
        status: status_of(&m.status)?,
        reject_reason: m.reject_reason,
        created_at: Timestamp(m.created_at),
        updated_at: Timestamp(m.updated_at),
        verified_at: m.verified_at.map(Timestamp),
    })
}

impl StoredProfile for Org {
    type Entity = orgs::Entity;

    const OWNER: orgs::Column = orgs::Column::AdminUserId;
    const COUNTER: fn(i64) -> Counter = Counter::Org;

    fn profile_columns(p: &OrgProfile, _: &Sealing) -> StoreResult<orgs::ActiveModel> {
        let (region, city, province) = region_parts(p.region);
        Ok(orgs::ActiveModel {
            name: Set(p.name.clone()),
            org_type: Set(p.org_type.as_str().to_owned()),
            region: Set(region),
            region_city: Set(city),
            region_province: Set(province),
            credit_code: Set(p.credit_code.as_ref().map(|c| c.as_str().to_owned())),
            address: Set(p.address.clone()),
            description: Set(p.description.clone()),
            contact_phone: Set(p.contact_phone.as_ref().map(|c| c.as_str().to_owned())),
            ..Default::default()
        })
    }

    async fn records<C: ConnectionTrait>(
        _: &C,
        _: &Sealing,
        rows: Vec<Row<Self>>,
    ) -> StoreResult<Vec<Org>> {
        rows.into_iter().map(to_domain).collect()
    }

    fn own_condition(org_type: &Option<OrgType>) -> Option<Condition> {
        org_type.map(|t| Condition::all().add(orgs::Column::OrgType.eq(t.as_str())))
    }

    async fn matching<C: ConnectionTrait>(_: &C, term: &str) -> StoreResult<Condition> {
        Ok(Condition::any()
            .add(Expr::col(orgs::Column::Name).like(contains_pattern(term)))
            .add(Expr::col(orgs::Column::Description).like(contains_pattern(term))))
    }
}
