//! The roster import: a 100,000-row .xlsx of invented people written with rust_xlsxwriter,
//! parsed alone (read the grid, find the header) and imported whole (checks, ID-number
//! protection, one transaction with the derived facts) into a throwaway copy of the data
//! set.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use jiceng_app::import::{ImportOptions, Progress};
use jiceng_domain::IdNumber;
use rust_xlsxwriter::Workbook;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ImportFigures {
    pub rows: usize,
    pub parse_seconds: f64,
    pub import_seconds: f64,
    pub rows_per_second: f64,
    /// import time / parse time.
    pub ratio_to_parse: f64,
    pub written: usize,
    /// Seconds by stage of the import.
    pub stages: Vec<(String, f64)>,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "志强",
];

/// Writes the roster: `rows` invented members spread over `orgs` (their codes). ID numbers
/// use the region 379901, which no generated county has, so every row is a new member.
pub fn write(path: &Path, rows: usize, orgs: &[String]) -> Result<()> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "姓名",
        "性别",
        "民族",
        "出生日期",
        "公民身份号码",
        "学历",
        "人员类别",
        "入党日期",
        "转正日期",
        "工作岗位",
        "联系电话",
        "所在党组织",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    let base = NaiveDate::from_ymd_opt(1950, 1, 1).expect("valid date");
    for i in 0..rows {
        // (birth day, i / 18000) is unique: 7919 is prime to 18000.
        let birth = base + chrono::Duration::days(((i * 7919) % 18_000) as i64);
        let seq = ((i / 18_000) * 2 + (i % 2)) as u16;
        let id = IdNumber::synthesize("379901", birth, seq);
        let joined = birth
            .checked_add_months(chrono::Months::new(12 * 25))
            .expect("valid date");
        let full = joined
            .checked_add_months(chrono::Months::new(12))
            .expect("valid date");
        let r = (i + 1) as u32;
        let name = format!(
            "{}{}",
            SURNAMES[i % SURNAMES.len()],
            GIVEN[(i / SURNAMES.len()) % GIVEN.len()]
        );
        ws.write_string(r, 0, &name)?;
        ws.write_string(r, 1, id.gender().label())?;
        ws.write_string(r, 2, "汉族")?;
        ws.write_string(r, 3, birth.format("%Y-%m-%d").to_string())?;
        ws.write_string(r, 4, id.as_str())?;
        ws.write_string(r, 5, "大学本科")?;
        ws.write_string(r, 6, "正式党员")?;
        ws.write_string(r, 7, joined.format("%Y-%m-%d").to_string())?;
        ws.write_string(r, 8, full.format("%Y-%m-%d").to_string())?;
        ws.write_string(r, 9, "专业技术人员")?;
        ws.write_string(r, 10, format!("139{:08}", i))?;
        ws.write_string(r, 11, &orgs[i % orgs.len()])?;
    }
    wb.save(path)?;
    Ok(())
}

/// The roster file for `rows` rows over the given orgs (written once per data folder and
/// org set).
pub fn ensure_file(dir: &Path, rows: usize, county: &str, orgs: &[String]) -> Result<PathBuf> {
    let path = dir.join(format!("roster-{county}-{rows}.xlsx"));
    if !path.exists() {
        let tmp = dir.join(format!("roster-{county}-{rows}.tmp.xlsx"));
        write(&tmp, rows, orgs)?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(path)
}

/// Parse only: the grid and its header, what every import does first.
pub fn parse_seconds(path: &Path) -> Result<f64> {
    let t = Instant::now();
    let grid = jiceng_io::read_grid(path)?;
    let header = jiceng_io::locate_header(&grid, &jiceng_app::import::members::COLUMNS)?;
    std::hint::black_box((&grid, &header));
    Ok(t.elapsed().as_secs_f64())
}

/// Seconds of each stage the import reports (读取 reading, 检查 checking every row, 比对
/// matching with what is stored, 写入 the transaction), from one `start` to the next.
#[derive(Default)]
struct Stages(std::sync::Mutex<StageClock>);

/// The stage running since when, and the seconds of those done.
type StageClock = (Option<(String, Instant)>, Vec<(String, f64)>);

impl Progress for Stages {
    fn start(&self, stage: &str, _total: u64) {
        let mut s = self.0.lock().expect("stages");
        if let Some((name, at)) = s.0.take() {
            s.1.push((name, at.elapsed().as_secs_f64()));
        }
        if !stage.is_empty() {
            s.0 = Some((stage.to_string(), Instant::now()));
        }
    }
}

/// Imports the roster under `county` into the database at `url` and times it.
pub async fn import(
    url: &str,
    key_file: &Path,
    path: &Path,
    county: &str,
) -> Result<ImportFigures> {
    let store = jiceng_store::Store::open(url).await?;
    let mut app = jiceng_app::App::new(store, jiceng_app::Crypto::load(key_file)?);
    let mut conn = app.store().acquire().await?;
    let roots = jiceng_store::browse::roots(&mut conn).await?;
    drop(conn);
    app.fixed_today = roots.iter().filter_map(|r| r.facts.facts_on).max();
    let parse = parse_seconds(path)?;
    let opts = ImportOptions {
        org: Some(
            jiceng_app::access::resolve(
                &app,
                &jiceng_app::access::Actor::system(),
                &jiceng_app::access::OrgKey::parse(Some(county)),
            )
            .await?,
        ),
        dry_run: false,
        skip_invalid: false,
        actor: jiceng_app::access::Actor::system(),
    };
    let t = Instant::now();
    let stages = Stages::default();
    let report = jiceng_app::import::members::run(&app, path, &opts, &stages)
        .await
        .context("导入名册")?;
    let secs = t.elapsed().as_secs_f64();
    stages.start("", 0);
    app.store().close().await;
    if !report.ok() {
        bail!(
            "名册导入有 {} 个错误，例如：{:?}",
            report.errors.len(),
            report.errors.first()
        );
    }
    Ok(ImportFigures {
        rows: report.rows,
        parse_seconds: parse,
        import_seconds: secs,
        rows_per_second: report.rows as f64 / secs.max(1e-9),
        ratio_to_parse: secs / parse.max(1e-9),
        stages: stages.0.into_inner().expect("stages").1,
        written: report.written,
    })
}
