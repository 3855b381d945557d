//! Statistics exports: the .xlsx (region sheet and 县级报表) and the CSV carry exactly the figures
//! `/api/v1/stats` serves; CSV text cells cannot start a formula.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::Datelike;
use kejiyun_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api_market_support::{SHORT_NEED_TITLE, publish_short_need};

pub const AMOUNT: i64 = 123_456;

/// A verified tech worker in 邻水县 quotes on a farmer's need; the farmer accepts and the tech
/// worker confirms: one confirmed deal of [`AMOUNT`] fen. Returns the deal id and its title.
pub async fn confirmed_deal(app: &TestApp) -> (i64, String) {
    let admin = app.admin("region_admin", Some("511600")).await;
    let (tw, tw_id) = app.applicant("王工", "511623").await;
    app.verify_tech_worker(&admin, tw_id).await;
    let farmer = app.user("周大伯", Some("511623")).await;
    let need_id = publish_short_need(app, &farmer, &admin).await;
    let deal_id =
        crate::api_market_support::confirmed_deal_on(app, need_id, &farmer, &tw, AMOUNT).await;
    (deal_id, SHORT_NEED_TITLE.to_owned())
}

/// The `content-type` of a download (a panic when there is none; empty when it is not text).
fn content_type(headers: &reqwest::header::HeaderMap) -> &str {
    headers[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap_or_default()
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn metric_labels(catalogue: &Value) -> Vec<(String, String, bool)> {
    catalogue["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["key"].as_str().unwrap_or_default().to_owned(),
                m["label"].as_str().unwrap_or_default().to_owned(),
                m["amount"].as_bool().unwrap_or_default(),
            )
        })
        .collect()
}

/// The API's figures of `region` by metric key, for the region itself or one of its children.
fn api_values(stats: &Value, code: &str) -> Value {
    if stats["region"]["code"] == code {
        return stats["metrics"].clone();
    }
    stats["by_child_region"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["key"] == code)
        .map(|g| g["values"].clone())
        .unwrap_or_else(|| json!({}))
}

#[tokio::test]
async fn xlsx_and_csv_equal_the_api() {
    let app = TestApp::spawn().await;
    confirmed_deal(&app).await;
    let stats = app.get("/api/v1/stats?region=511600", None).await;
    assert_eq!(stats.status, StatusCode::OK, "{:?}", stats.body);
    assert_eq!(stats.body["metrics"]["deal_amount"], AMOUNT);
    let catalogue = metric_labels(&app.get("/api/v1/stats/metrics", None).await.body);
    assert!(!catalogue.is_empty());

    // xlsx, sheet 1: one row per region (511600 and each child), one column per metric.
    let (status, headers, bytes) = app
        .get_bytes("/api/v1/stats/export.xlsx?region=511600", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type(&headers).contains("spreadsheetml"),
        "{headers:?}"
    );
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an xlsx");
    let sheet = wb.worksheet_range("地区汇总").expect("region sheet");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let head: Vec<String> = rows[0].iter().map(text).collect();
    let col = |label: &str| {
        head.iter()
            .position(|h| h == label)
            .unwrap_or_else(|| panic!("no column {label} in {head:?}"))
    };
    let mut regions_seen = 0;
    for row in rows.iter().skip(1) {
        let code = text(&row[0]);
        if code.len() != 6 {
            continue; // the period note below the table
        }
        regions_seen += 1;
        let api = api_values(&stats.body, &code);
        for (key, label, amount) in &catalogue {
            let expected = api[key].as_i64().unwrap_or(0);
            let c = if *amount {
                col(&format!("{label}（分）"))
            } else {
                col(label)
            };
            assert_eq!(num(&row[c]), expected as f64, "{code} {key}");
            if *amount {
                let wan = num(&row[col(&format!("{label}（万元）"))]);
                assert!(
                    (wan - (expected as f64 / 1_000_000.0)).abs() < 0.0051,
                    "{code} {key} {wan}"
                );
            }
        }
    }
    assert!(
        regions_seen >= 2,
        "the city and its counties: {regions_seen}"
    );
    assert_eq!(text(&rows[1][0]), "511600", "the region itself comes first");
    let linshui = rows
        .iter()
        .find(|r| text(&r[0]) == "511623")
        .expect("邻水县 row");
    assert_eq!(num(&linshui[col("交易金额（分）")]), AMOUNT as f64);

    // Sheet 县级报表: one row per metric; both ends open = this calendar year against the last.
    let county = wb.worksheet_range("县级报表").expect("county sheet");
    let year = app.services().now().shanghai_date().year();
    let this_year = app
        .get(
            &format!("/api/v1/stats?region=511600&from={year}-01-01&to={year}-12-31"),
            None,
        )
        .await;
    let mut metric_rows = 0;
    for row in county.rows() {
        let label = text(row.get(1).unwrap_or(&Data::Empty));
        let Some((key, _, amount)) = catalogue.iter().find(|(_, l, _)| *l == label) else {
            continue;
        };
        metric_rows += 1;
        let expected = this_year.body["metrics"][key].as_i64().unwrap_or(0);
        let this = num(&row[3]);
        let last = num(&row[4]);
        if *amount {
            assert!(
                (this - expected as f64 / 1_000_000.0).abs() < 0.0051,
                "{key}"
            );
        } else {
            assert_eq!(this, expected as f64, "{key}");
        }
        assert_eq!(last, 0.0, "nothing last year: {key}");
        assert!(
            (num(&row[5]) - (this - last)).abs() < 1e-9,
            "change of {key}"
        );
    }
    assert_eq!(metric_rows, catalogue.len(), "one row per metric");

    // CSV: BOM, the same numbers.
    let (status, headers, bytes) = app
        .get_bytes("/api/v1/stats/export.csv?region=511600", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type(&headers).starts_with("text/csv"));
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "UTF-8 BOM for Excel"
    );
    let csv = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let head = &lines[0];
    for line in lines.iter().skip(1) {
        let api = api_values(&stats.body, line[0]);
        for (key, label, amount) in &catalogue {
            let name = if *amount {
                format!("{label}（分）")
            } else {
                label.clone()
            };
            let c = head.iter().position(|h| *h == name).expect("column");
            assert_eq!(
                line[c].parse::<i64>().ok(),
                Some(api[key].as_i64().unwrap_or(0)),
                "{} {key}",
                line[0]
            );
        }
        for cell in line {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a cell that could run as a formula: {cell}"
            );
        }
    }
    assert_eq!(lines.len(), regions_seen + 1);

    // A period with nothing in it, and bad input.
    let past = app
        .get_bytes(
            "/api/v1/stats/export.csv?region=511600&from=2020-01-01&to=2020-12-31",
            None,
        )
        .await;
    assert_eq!(past.0, StatusCode::OK);
    let bad = app
        .get(
            "/api/v1/stats/export.xlsx?region=511600&from=2026-02-30",
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let outside = app
        .get("/api/v1/stats/export.csv?region=110000", None)
        .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    app.stop().await;
}
