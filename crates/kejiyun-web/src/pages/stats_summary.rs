//! 县域科技服务概况: the one-page summary of a region and range (`/stats/{code}/summary`,
//! printable on one A4 page) and the same as a PDF (`/stats/{code}/summary.pdf`). Both are
//! made by `Stats::summary` from the dashboard's own report, with the dashboard's visibility.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use kejiyun_core::DomainError;
use kejiyun_core::stats_summary::Summary;

use super::common::{Layout, OrPage, PageError, PageResult, Params, Pg, error_page, ok};
use super::stats::{Query, figure, metric_label, parse_region, qs, query, with_query};
use crate::AppState;
use crate::session::Ctx;
use crate::summary_pdf::{self, SummaryDoc};

pub struct Row {
    pub key: &'static str,
    pub label: String,
    /// The exact figure as the dashboard shows it, with its unit.
    pub figure: String,
    /// The figure's drill-down list.
    pub href: String,
}

pub struct Section {
    pub title: &'static str,
    pub rows: Vec<Row>,
}

struct View {
    code: String,
    summary: Summary,
    paragraph: String,
    computed: String,
    sections: Vec<Section>,
    back: String,
    pdf: String,
}

async fn view(pg: &Pg<'_>, raw: &str, q: &Query) -> Result<View, PageError> {
    let code = parse_region(pg, raw)?;
    let (report, summary, at) = pg
        .s()
        .stats()
        .summary(pg.actor(), code, q.from, q.to)
        .await
        .or_page(pg)?;
    let code = report.range.region.to_string();
    let (from, to) = (q.from_raw.as_str(), q.to_raw.as_str());
    let date_q = qs(&[("from", from), ("to", to)]);
    let sections = summary
        .sentences
        .iter()
        .map(|s| Section {
            title: s.title,
            rows: s
                .clauses
                .iter()
                .map(|c| Row {
                    key: c.metric.key(),
                    label: metric_label(pg, c.metric),
                    figure: if c.metric.is_amount() {
                        format!("{} {}", figure(c.metric, c.value), pg.t("stats.unit_wan"))
                    } else {
                        figure(c.metric, c.value)
                    },
                    href: with_query(
                        &format!("/stats/{code}/records"),
                        &qs(&[("metric", c.metric.key()), ("from", from), ("to", to)]),
                    ),
                })
                .collect(),
        })
        .collect();
    Ok(View {
        back: with_query(&format!("/stats/{code}"), &date_q),
        pdf: with_query(&format!("/stats/{code}/summary.pdf"), &date_q),
        code,
        paragraph: summary.to_text(),
        computed: at.to_shanghai_display(),
        sections,
        summary,
    })
}

#[derive(Template)]
#[template(path = "stats_summary.html", whitespace = "minimize")]
struct SummaryTpl {
    base: Layout,
    v: View,
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(rq): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let q = query(&Params::parse(rq.as_deref()));
    let v = view(&pg, &raw, &q).await?;
    let mut base = pg.layout_titled(v.summary.title.clone(), "stats");
    base.error = q.error.clone();
    ok(&SummaryTpl { base, v })
}

/// `attachment; filename*=UTF-8''%E9%82%BB…概况.pdf` (RFC 6266 / 5987).
fn attachment(name: &str) -> HeaderValue {
    let mut out = String::from("attachment; filename*=UTF-8''");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&out).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

pub async fn pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(rq): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let q = query(&Params::parse(rq.as_deref()));
    // The page shows a bad range as a notice over all-time figures; a file has no notice, so
    // it is refused instead of silently covering another period.
    if let Some(e) = &q.error {
        return Err(pg.fail(DomainError::invalid("from", e.clone())));
    }
    let v = view(&pg, &raw, &q).await?;
    let doc = SummaryDoc {
        title: v.summary.title.clone(),
        paragraph: v.paragraph.clone(),
        sections: v
            .summary
            .sentences
            .iter()
            .map(|s| {
                let rows = s
                    .clauses
                    .iter()
                    .map(|c| {
                        let unit = if c.metric.is_amount() { " 万元" } else { "" };
                        let value = figure(c.metric, c.value);
                        (c.metric.label_zh().to_owned(), format!("{value}{unit}"))
                    })
                    .collect();
                (s.title.to_owned(), rows)
            })
            .collect(),
        footer: vec![
            format!("数据计算时间：{}（北京时间）", v.computed),
            "数据来源：平台统计（与统计页、/api/v1/stats 同源；段落只写不为零的数字）".to_owned(),
        ],
    };
    let font = state.certificate_font.clone();
    let bytes = tokio::task::spawn_blocking(move || summary_pdf::render(&font, &doc))
        .await
        .map_err(|e| pg.fail(DomainError::Internal(e.to_string())))?
        .map_err(|e| {
            tracing::error!(error = %e, "summary PDF");
            PageError::new(error_page(
                &pg.ctx,
                Some(pg.root_name()),
                StatusCode::SERVICE_UNAVAILABLE,
                Some(e.to_string()),
            ))
        })?;
    let name = format!("{}科技服务概况.pdf", v.summary.region_name);
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
            (CONTENT_DISPOSITION, attachment(&name)),
            (CACHE_CONTROL, HeaderValue::from_static("private, no-cache")),
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_percent_encoded_utf8() {
        let h = attachment("邻水县科技服务概况.pdf");
        assert_eq!(
            h.to_str().unwrap_or_default(),
            "attachment; filename*=UTF-8''%E9%82%BB%E6%B0%B4%E5%8E%BF%E7%A7%91%E6%8A%80%E6%9C%8D%E5%8A%A1%E6%A6%82%E5%86%B5.pdf"
        );
    }
}
