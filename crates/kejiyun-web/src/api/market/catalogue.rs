//! `GET /api/v1/categories`: the category catalogue and the marketplace's vocabularies, so a
//! client can build its forms and filters from the server's codes and Chinese labels.

use kejiyun_core::DomainError;
use kejiyun_core::market::categories::{
    Category, ContactPref, Industry, IpType, Maturity, Scope, TransferMode,
};
use kejiyun_core::market::deals::{DealOrigin, DealStatus};
use kejiyun_core::market::money::{Fen, Price};
use kejiyun_core::market::postings::CloseReason;
use kejiyun_core::market::quotes::{DeclineReason, QuoteStatus};
use kejiyun_core::market::tickets::{FollowUpKind, TicketOutcome};
use kejiyun_core::moderation::ModerationStatus;

use super::dto::{CatalogueDto, CatalogueParams, CategoryDto, Vocab};
use super::postings::param;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};

/// 分类目录和各项取值
///
/// The category catalogue (optionally one group) and every vocabulary: scopes, industries,
/// maturities, IP types, transfer modes, contact preferences, price kinds, close reasons,
/// decline reasons, follow-up kinds, ticket outcomes and the status codes.
#[utoipa::path(get, path = "/api/v1/categories", tag = "categories", operation_id = "get_catalogue",
    params(CatalogueParams),
    responses(
        (status = 200, description = "Catalogue and vocabularies", body = CatalogueDto),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 422, description = "Unknown group", body = ErrorBody),
    ))]
pub async fn catalogue(ApiQuery(p): ApiQuery<CatalogueParams>) -> ApiResult<ApiJson<CatalogueDto>> {
    let group = param(&p.group);
    if let Some(g) = group
        && !Category::all().any(|c| c.group() == g)
    {
        return Err(DomainError::invalid("group", "未知的分类组").into());
    }
    let v = |code: &str, label: &str| Vocab::new(code, label);
    Ok(ApiJson(CatalogueDto {
        categories: Category::all()
            .filter(|c| group.is_none_or(|g| c.group() == g))
            .map(CategoryDto::from)
            .collect(),
        scopes: Scope::ALL
            .iter()
            .map(|x| v(x.code(), x.label_zh()))
            .collect(),
        industries: Industry::ALL
            .iter()
            .map(|x| v(x.code(), x.label_zh()))
            .collect(),
        maturities: Maturity::ALL
            .iter()
            .map(|x| v(x.code(), x.label_zh()))
            .collect(),
        ip_types: IpType::ALL
            .iter()
            .map(|x| v(x.code(), x.label_zh()))
            .collect(),
        transfer_modes: TransferMode::ALL
            .iter()
            .map(|x| v(x.code(), x.label_zh()))
            .collect(),
        contact_prefs: ContactPref::ALL
            .iter()
            .map(|x| v(x.code(), x.label_zh()))
            .collect(),
        price_kinds: [Price::Free, Price::Negotiable, Price::Amount(Fen::ZERO)]
            .into_iter()
            .map(|x| {
                let label = match x {
                    Price::Amount(_) => "按金额".to_owned(),
                    other => other.label_zh(),
                };
                v(x.kind(), &label)
            })
            .collect(),
        close_reasons: CloseReason::ALL
            .iter()
            .map(|x| v(x.code(), x.label_zh()))
            .collect(),
        decline_reasons: DeclineReason::ALL
            .iter()
            .map(|x| v(x.code(), x.label_zh()))
            .collect(),
        follow_up_kinds: FollowUpKind::ALL
            .iter()
            .map(|x| v(x.code(), x.label_zh()))
            .collect(),
        ticket_outcomes: TicketOutcome::ALL
            .iter()
            .map(|x| v(x.code(), x.label_zh()))
            .collect(),
        posting_statuses: ModerationStatus::ALL
            .iter()
            .map(|x| v(x.as_str(), x.label_zh()))
            .collect(),
        quote_statuses: QuoteStatus::ALL
            .iter()
            .map(|x| v(x.code(), x.label_zh()))
            .collect(),
        deal_statuses: DealStatus::ALL
            .iter()
            .map(|x| v(x.code(), x.label_zh()))
            .collect(),
        deal_origins: DealOrigin::ALL
            .iter()
            .map(|x| v(x.code(), x.label_zh()))
            .collect(),
    }))
}
