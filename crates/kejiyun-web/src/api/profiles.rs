//! What the verifiable profiles' endpoints (`/api/v1/tech-workers`, `/api/v1/orgs`) share; each
//! kind's file keeps its routes, their documentation and its JSON form.

use kejiyun_core::app::{DirectoryQuery, Services};
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::permissions::Actor;
use kejiyun_core::profiles::ProfileKind;
use kejiyun_core::regions::RegionCode;

use super::dto::DirectoryParams;
use crate::error::ApiResult;
use crate::extract::ApiJson;

/// A kind's JSON form of a record, as `actor` may see it (`OrgDto::new`, `TechWorkerDto::new`).
pub(super) type ToDto<K, D> = fn(&Services, Option<&Actor>, K) -> D;

pub(super) fn directory_query(p: &DirectoryParams) -> ApiResult<DirectoryQuery> {
    Ok(DirectoryQuery {
        region: p.region.as_deref().map(RegionCode::parse).transpose()?,
        status: p
            .status
            .as_deref()
            .map(ModerationStatus::parse)
            .transpose()?,
        query: p.q.clone(),
    })
}

/// One record, if `actor` may see it.
pub(super) async fn one<K: ProfileKind, D>(
    s: &Services,
    actor: Option<&Actor>,
    id: i64,
    dto: ToDto<K, D>,
) -> ApiResult<ApiJson<D>> {
    let record = s.profiles::<K>().get(actor, K::Id::from(id)).await?;
    Ok(ApiJson(dto(s, actor, record)))
}

/// An editor's change; the record goes back to review.
pub(super) async fn edit<K: ProfileKind, D>(
    s: &Services,
    actor: &Actor,
    id: i64,
    input: &K::Input,
    dto: ToDto<K, D>,
) -> ApiResult<ApiJson<D>> {
    let record = s
        .profiles::<K>()
        .edit(actor, K::Id::from(id), input)
        .await?;
    Ok(ApiJson(dto(s, Some(actor), record)))
}
