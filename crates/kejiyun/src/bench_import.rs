//! `kejiyun bench import` (issue 21): how long a region admin's volunteers' sheet takes, the
//! whole way a real one goes — an .xlsx of `rows` generated people (valid ID numbers, new
//! phones) is read with calamine, checked row by row (the dry run), then imported in one
//! transaction (each phone gets an account, each number is sealed and indexed) — on a fresh
//! database (SQLite in a temporary directory unless one is given). Target: 10,000 rows in
//! under a minute. Results: docs/benchmarks.md.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use kejiyun_core::accounts::IdCardNumber;
use kejiyun_core::ids::UserId;
use kejiyun_core::permissions::{Actor, Grant};
use kejiyun_web::xlsx_import;
use rust_xlsxwriter::Workbook;

use crate::config::Config;

pub struct ImportOptions {
    pub rows: usize,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

pub struct ImportReport {
    pub rows: usize,
    pub backend: String,
    pub bytes: usize,
    pub read: Duration,
    pub dry_run: Duration,
    pub import: Duration,
}

/// A valid GB 11643 number for person `i` (born 1960–1999, a county of Guang'an).
fn id_number(i: usize) -> String {
    let year = 1960 + i % 40;
    let day = 1 + (i / 40) % 28;
    let body = format!("511623{year}01{day:02}{:03}", (i / 1120) % 1000);
    let check = IdCardNumber::check_digit(&body).unwrap_or('0');
    format!("{body}{check}")
}

fn sheet(rows: usize) -> anyhow::Result<Vec<u8>> {
    const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "黄", "周"];
    const GIVEN: [&str; 8] = [
        "建国", "秀英", "志强", "桂兰", "小明", "红梅", "德华", "春燕",
    ];
    const SKILLS: [&str; 4] = ["种养植", "畜牧兽医、法律", "营养健康", "科普讲解、应急救护"];
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in [
        "姓名",
        "身份证号",
        "手机号",
        "地区代码",
        "技能",
        "可服务时间",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, u16::try_from(c)?, *h)?;
    }
    for i in 0..rows {
        let r = u32::try_from(i + 1)?;
        let name = format!("{}{}", SURNAMES[i % 8], GIVEN[(i / 8) % 8]);
        ws.write_string(r, 0, name)?;
        ws.write_string(r, 1, id_number(i))?;
        ws.write_string(r, 2, format!("135{:08}", i))?;
        ws.write_string(r, 3, "511623")?;
        ws.write_string(r, 4, SKILLS[i % 4])?;
        ws.write_string(r, 5, "周末")?;
    }
    Ok(book.save_to_buffer()?)
}

pub async fn run(opts: &ImportOptions) -> anyhow::Result<ImportReport> {
    anyhow::ensure!(
        opts.rows <= 20_000,
        "at most 20,000 rows (the import's limit)"
    );
    let data_dir = match &opts.data_dir {
        Some(d) => d.clone(),
        None => crate::bench::default_data_dir()?,
    };
    let config = Config {
        data_dir,
        database_url: opts.database_url.clone().unwrap_or_default(),
        ..Config::default()
    };
    let (services, store) = crate::server::services(&config).await?;
    let backend = kejiyun_core::ports::HealthStore::backend_name(&store).to_string();
    // The province's system admin: the sheet's county is theirs.
    let admin = Actor {
        user_id: UserId(0),
        grants: vec![Grant::SystemAdmin],
    };
    eprintln!("generating a sheet of {} volunteers…", opts.rows);
    let bytes = sheet(opts.rows)?;

    let started = Instant::now();
    let parsed = xlsx_import::read_upload(&bytes).context("reading the sheet")?;
    let read = started.elapsed();

    let started = Instant::now();
    let (report, _) = services
        .volunteers()
        .import_volunteers(&admin, &parsed, false)
        .await?;
    let dry_run = started.elapsed();
    anyhow::ensure!(
        report.is_clean() && report.rows.len() == opts.rows,
        "the generated sheet has bad rows: {:?}",
        report.errors.first()
    );

    let started = Instant::now();
    let sheet = xlsx_import::read_upload(&bytes)?;
    let (_, imported) = services
        .volunteers()
        .import_volunteers(&admin, &sheet, true)
        .await?;
    let import = started.elapsed();
    anyhow::ensure!(
        imported == opts.rows,
        "imported {imported} of {}",
        opts.rows
    );
    Ok(ImportReport {
        rows: opts.rows,
        backend,
        bytes: bytes.len(),
        read,
        dry_run,
        import,
    })
}

impl ImportReport {
    pub fn markdown(&self) -> String {
        let secs = |d: Duration| format!("{:.2} s", d.as_secs_f64());
        let total = self.read + self.dry_run + self.import;
        let verdict = if total < Duration::from_secs(60) {
            "met"
        } else {
            "NOT met"
        };
        format!(
            "| step ({} rows, {} KB .xlsx, {}) | time |\n| --- | ---: |\n\
             | read the .xlsx (calamine) | {} |\n\
             | dry run: every row checked | {} |\n\
             | import: checked again, written in one transaction | {} |\n\
             | **total** (target < 60 s: {verdict}) | **{}** |\n",
            self.rows,
            self.bytes / 1024,
            self.backend,
            secs(self.read),
            secs(self.dry_run),
            secs(self.import),
            secs(total),
        )
    }
}
