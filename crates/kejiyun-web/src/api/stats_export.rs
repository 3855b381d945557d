//! Statistics exports: the figures of a region and each of its child regions for a period as
//! CSV (UTF-8 with BOM, safe against formula injection) and as .xlsx, whose second sheet is the
//! county report (县级报表) in the shape associations file upward: one row per metric with this
//! period, the same period last year and the change.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, Months, NaiveDate};
use kejiyun_core::DomainError;
use kejiyun_core::app::stats::date_range;
use kejiyun_core::regions::RegionCode;
use kejiyun_core::stats::Metric;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::stats::StatsParams;
use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::session::Ctx;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One row of the region sheet: a region and every metric's value.
struct RegionRow {
    code: String,
    name: String,
    values: BTreeMap<Metric, i64>,
}

struct Export {
    region: RegionCode,
    period: String,
    rows: Vec<RegionRow>,
}

/// `fen` as 万元 rounded half up to two decimals (0.01 万元 = 10,000 fen).
fn wan(fen: i64) -> String {
    let hundreds = (fen + 5_000).div_euclid(10_000);
    format!(
        "{}.{:02}",
        hundreds.div_euclid(100),
        hundreds.rem_euclid(100)
    )
}

fn wan_number(fen: i64) -> f64 {
    wan(fen).parse().unwrap_or(0.0)
}

fn period_label(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    match (from, to) {
        (None, None) => "全部时间".to_owned(),
        (f, t) => format!(
            "{} 至 {}",
            f.map(|d| d.to_string()).unwrap_or_else(|| "开始".into()),
            t.map(|d| d.to_string()).unwrap_or_else(|| "今".into())
        ),
    }
}

/// The header of the region sheet and of the CSV: one column per metric, and a 万元 column
/// after each amount.
fn header() -> Vec<String> {
    let mut h = vec!["地区代码".to_owned(), "地区".to_owned()];
    for m in Metric::ALL {
        if m.is_amount() {
            h.push(format!("{}（分）", m.label_zh()));
            h.push(format!("{}（万元）", m.label_zh()));
        } else {
            h.push(m.label_zh().to_owned());
        }
    }
    h
}

async fn collect(state: &AppState, ctx: &Ctx, p: &StatsParams) -> ApiResult<Export> {
    let s = &state.services;
    let region = match p.region.as_deref() {
        Some(r) => RegionCode::parse(r)?,
        None => s.root,
    };
    let (from, to) = date_range(p.from.as_deref(), p.to.as_deref())?;
    let report = s.stats().stats(ctx.actor(), region, from, to).await?;
    let region = report.range.region;
    let name = |c: RegionCode| {
        s.regions
            .get(c)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| c.to_string())
    };
    let mut rows = vec![RegionRow {
        code: region.to_string(),
        name: name(region),
        values: report.totals.clone(),
    }];
    let by_child: BTreeMap<&str, &BTreeMap<Metric, i64>> = report
        .by_child
        .iter()
        .map(|g| (g.key.as_str(), &g.values))
        .collect();
    for child in s.regions.children(region) {
        let code = child.code.to_string();
        let values = Metric::ALL
            .iter()
            .map(|m| {
                let v = by_child
                    .get(code.as_str())
                    .and_then(|vals| vals.get(m))
                    .copied()
                    .unwrap_or(0);
                (*m, v)
            })
            .collect();
        rows.push(RegionRow {
            code,
            name: child.name.clone(),
            values,
        });
    }
    Ok(Export {
        region,
        period: period_label(from, to),
        rows,
    })
}

use crate::table_export::{attachment, csv_cell};

fn csv_body(e: &Export) -> String {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    out.push_str(&line(header().iter().map(|h| csv_cell(h)).collect()));
    for r in &e.rows {
        let mut cells = vec![csv_cell(&r.code), csv_cell(&r.name)];
        for m in Metric::ALL {
            let v = r.values.get(&m).copied().unwrap_or(0);
            cells.push(v.to_string());
            if m.is_amount() {
                cells.push(wan(v));
            }
        }
        out.push_str(&line(cells));
    }
    out
}

/// 导出统计表（CSV）
///
/// The figures of a region and each of its child regions for a period, as CSV (UTF-8 with BOM
/// for Excel): one row per region, one column per metric; amounts in fen, plus a 万元 column.
#[utoipa::path(get, path = "/api/v1/stats/export.csv", tag = "stats", operation_id = "export_stats_csv",
    params(StatsParams),
    responses(
        (status = 200, description = "CSV file", content_type = "text/csv", body = String),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 404, description = "Region outside this deployment", body = ErrorBody),
        (status = 422, description = "Bad region code or dates", body = ErrorBody),
    ))]
pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> ApiResult<Response> {
    let e = collect(&state, &ctx, &p).await?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        format!("kejiyun-stats-{}.csv", e.region),
        csv_body(&e).into_bytes(),
    ))
}

/// A date range: inclusive Asia/Shanghai days, `None` = open.
pub type Period = (Option<NaiveDate>, Option<NaiveDate>);

/// The comparison period of the county report: the same period one year earlier. An open end
/// is closed at today; with both ends open, this calendar year against the last.
pub fn report_periods(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> (Period, Period) {
    let back = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
    match (from, to) {
        (None, None) => {
            let y = today.year();
            let jan1 = |y| NaiveDate::from_ymd_opt(y, 1, 1);
            let dec31 = |y| NaiveDate::from_ymd_opt(y, 12, 31);
            ((jan1(y), dec31(y)), (jan1(y - 1), dec31(y - 1)))
        }
        (f, t) => {
            let t = t.unwrap_or(today);
            ((f, Some(t)), (f.map(back), Some(back(t))))
        }
    }
}

/// Groups of the 中国科协综合统计报表 and the metrics Kejiyun can fill in for each; the others
/// stay blank for staff to complete.
fn report_groups() -> Vec<(&'static str, Vec<Metric>)> {
    vec![
        (
            "组织建设",
            vec![
                Metric::EnterpriseAssociations,
                Metric::ExpertStations,
                Metric::Agencies,
            ],
        ),
        ("学术交流活动", vec![]),
        ("科技期刊", vec![]),
        (
            "科学技术普及活动",
            vec![
                Metric::Trainings,
                Metric::TrainingAttendance,
                Metric::Volunteers,
                Metric::Teams,
                Metric::Activities,
                Metric::PeopleServed,
                Metric::MaterialsDistributed,
                Metric::ServiceHours,
            ],
        ),
        ("青少年科技教育", vec![]),
        ("科普基础设施建设", vec![Metric::Bases, Metric::Estations]),
        ("科技传播", vec![Metric::Resources, Metric::ResourceViews]),
        ("科技开放与交流", vec![]),
        (
            "科技服务",
            vec![
                Metric::ServicesPublished,
                Metric::NeedsPublished,
                Metric::Deals,
                Metric::DealAmount,
                Metric::AchievementsPublished,
                Metric::Transfers,
                Metric::TransferAmount,
                Metric::Questions,
                Metric::QuestionsAnswered,
            ],
        ),
        ("为科技工作者服务", vec![Metric::TechWorkers]),
    ]
}

/// The unit a count is reported in: person-times (人次) for attendance and people served,
/// people, teams, copies and minutes for the volunteers' figures, items (项) otherwise.
fn count_unit(m: Metric) -> &'static str {
    match m {
        Metric::TrainingAttendance | Metric::PeopleServed => "人次",
        Metric::Volunteers => "人",
        Metric::Teams => "支",
        Metric::MaterialsDistributed => "份",
        Metric::ServiceHours => "分钟",
        Metric::Bases => "个",
        Metric::ResourceViews => "次",
        _ => "项",
    }
}

fn xlsx_error(e: XlsxError) -> ApiError {
    ApiError::from(DomainError::Internal(format!("xlsx: {e}")))
}

struct County<'a> {
    name: &'a str,
    this: (String, &'a BTreeMap<Metric, i64>),
    last: (String, &'a BTreeMap<Metric, i64>),
}

fn region_sheet(ws: &mut Worksheet, e: &Export, bold: &Format) -> Result<(), XlsxError> {
    ws.set_name("地区汇总")?;
    for (c, h) in header().iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, c, h, bold)?;
        ws.set_column_width(c, if c < 2 { 10 } else { 16 })?;
    }
    let wan_fmt = Format::new().set_num_format("0.00");
    for (i, r) in e.rows.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        ws.write_string(row, 0, &r.code)?;
        ws.write_string(row, 1, &r.name)?;
        let mut col: u16 = 2;
        for m in Metric::ALL {
            let v = r.values.get(&m).copied().unwrap_or(0);
            // Every figure fits an f64 exactly (amounts are far below 2^53 fen).
            ws.write_number(row, col, v as f64)?;
            col += 1;
            if m.is_amount() {
                ws.write_number_with_format(row, col, wan_number(v), &wan_fmt)?;
                col += 1;
            }
        }
    }
    let last = u32::try_from(e.rows.len() + 2).unwrap_or(u32::MAX);
    ws.write_string(last, 0, format!("统计期间：{}", e.period))?;
    Ok(())
}

fn county_sheet(ws: &mut Worksheet, c: &County<'_>, bold: &Format) -> Result<(), XlsxError> {
    ws.set_name("县级报表")?;
    ws.write_string_with_format(0, 0, format!("{} 科技工作统计报表", c.name), bold)?;
    ws.write_string(1, 0, format!("本期：{}；上年同期：{}", c.this.0, c.last.0))?;
    let heads = [
        "分组",
        "指标",
        "单位",
        "本期",
        "上年同期",
        "增减",
        "增减率（%）",
    ];
    for (i, h) in heads.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        ws.write_string_with_format(2, col, *h, bold)?;
        ws.set_column_width(col, if i < 2 { 18 } else { 12 })?;
    }
    let two = Format::new().set_num_format("0.00");
    let mut row: u32 = 3;
    for (group, metrics) in report_groups() {
        if metrics.is_empty() {
            ws.write_string(row, 0, group)?;
            ws.write_string(row, 1, "（本平台无此项数据，请填写）")?;
            row += 1;
            continue;
        }
        for m in metrics {
            let this = c.this.1.get(&m).copied().unwrap_or(0);
            let last = c.last.1.get(&m).copied().unwrap_or(0);
            ws.write_string(row, 0, group)?;
            ws.write_string(row, 1, m.label_zh())?;
            if m.is_amount() {
                ws.write_string(row, 2, "万元")?;
                ws.write_number_with_format(row, 3, wan_number(this), &two)?;
                ws.write_number_with_format(row, 4, wan_number(last), &two)?;
                ws.write_number_with_format(row, 5, wan_number(this) - wan_number(last), &two)?;
            } else {
                ws.write_string(row, 2, count_unit(m))?;
                ws.write_number(row, 3, this as f64)?;
                ws.write_number(row, 4, last as f64)?;
                ws.write_number(row, 5, (this - last) as f64)?;
            }
            if last != 0 {
                let pct = ((this - last) as f64 / last as f64 * 10_000.0).round() / 100.0;
                ws.write_number_with_format(row, 6, pct, &two)?;
            }
            row += 1;
        }
    }
    Ok(())
}

/// 导出统计表（Excel，含县级报表）
///
/// The same figures as .xlsx (sheet 地区汇总), plus the county report sheet 县级报表: one row
/// per metric in the groups of the 中国科协综合统计报表, with this period, the same period last
/// year (both open: this calendar year against the last) and the change; rows Kejiyun has no
/// records for stay blank.
#[utoipa::path(get, path = "/api/v1/stats/export.xlsx", tag = "stats", operation_id = "export_stats_xlsx",
    params(StatsParams),
    responses(
        (status = 200, description = "Excel workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 404, description = "Region outside this deployment", body = ErrorBody),
        (status = 422, description = "Bad region code or dates", body = ErrorBody),
    ))]
pub async fn export_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> ApiResult<Response> {
    let e = collect(&state, &ctx, &p).await?;
    let s = &state.services;
    let (from, to) = date_range(p.from.as_deref(), p.to.as_deref())?;
    let (this, last) = report_periods(from, to, s.now().shanghai_date());
    let this_r = s
        .stats()
        .stats(ctx.actor(), e.region, this.0, this.1)
        .await?;
    let last_r = s
        .stats()
        .stats(ctx.actor(), e.region, last.0, last.1)
        .await?;
    let name = e.rows.first().map(|r| r.name.clone()).unwrap_or_default();
    let county = County {
        name: &name,
        this: (period_label(this.0, this.1), &this_r.totals),
        last: (period_label(last.0, last.1), &last_r.totals),
    };
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    region_sheet(wb.add_worksheet(), &e, &bold).map_err(xlsx_error)?;
    county_sheet(wb.add_worksheet(), &county, &bold).map_err(xlsx_error)?;
    let bytes = wb.save_to_buffer().map_err(xlsx_error)?;
    Ok(attachment(
        XLSX,
        format!("kejiyun-stats-{}.xlsx", e.region),
        bytes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_never_start_a_formula() {
        for bad in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(
                csv_cell(bad).trim_start_matches('"').starts_with('\''),
                "{bad:?}"
            );
        }
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("邻水县"), "邻水县");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("123"), "123");
    }

    #[test]
    fn last_year_is_the_same_period_shifted() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let today = d("2026-11-29").unwrap_or_default();
        assert_eq!(
            report_periods(None, None, today),
            (
                (d("2026-01-01"), d("2026-12-31")),
                (d("2025-01-01"), d("2025-12-31"))
            )
        );
        assert_eq!(
            report_periods(d("2024-02-29"), d("2024-03-31"), today),
            (
                (d("2024-02-29"), d("2024-03-31")),
                (d("2023-02-28"), d("2023-03-31"))
            )
        );
        assert_eq!(
            report_periods(d("2026-03-01"), None, today),
            (
                (d("2026-03-01"), d("2026-11-29")),
                (d("2025-03-01"), d("2025-11-29"))
            )
        );
    }

    #[test]
    fn amounts_in_wan_yuan() {
        assert_eq!(wan(123_456), "0.12");
        assert_eq!(wan(6_579_206_000_000 / 100), "65792.06");
        assert!((wan_number(123_456) - 0.12).abs() < 1e-9);
    }
}
