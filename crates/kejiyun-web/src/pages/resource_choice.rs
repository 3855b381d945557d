//! Choosing published popular-science resources in a form (a base's linked resources, a
//! 科普e站 playlist's items, an emergency broadcast): the newest hundred as `<option>`s, read
//! once per page however many selects show them.

use kejiyun_core::DomainError;
use kejiyun_core::app::market::PostingQuery;
use kejiyun_core::paging::Page;

use super::common::Pg;
use super::widgets::Opt;

/// The newest hundred published resources, "title（kind）", none selected.
pub async fn newest_published(pg: &Pg<'_>) -> Result<Vec<Opt>, DomainError> {
    let page = Page {
        page: 1,
        per_page: 100,
    };
    let listed = pg
        .s()
        .resources()
        .list(None, PostingQuery::default(), page)
        .await?;
    Ok(listed
        .items
        .into_iter()
        .map(|(r, _)| Opt {
            value: r.id.0.to_string(),
            label: format!(
                "{}（{}）",
                r.draft.title,
                pg.t(&format!("res.kind.{}", r.draft.kind.code()))
            ),
            selected: false,
        })
        .collect())
}

/// `options` with `chosen` selected; a chosen resource older than the newest hundred stays
/// choosable (by its number).
pub fn with_chosen(options: &[Opt], chosen: &str) -> Vec<Opt> {
    let mut out: Vec<Opt> = options
        .iter()
        .map(|o| Opt {
            value: o.value.clone(),
            label: o.label.clone(),
            selected: !chosen.is_empty() && o.value == chosen,
        })
        .collect();
    if !chosen.is_empty() && !options.iter().any(|o| o.value == chosen) {
        out.push(Opt {
            value: chosen.to_owned(),
            label: format!("#{chosen}"),
            selected: true,
        });
    }
    out
}
