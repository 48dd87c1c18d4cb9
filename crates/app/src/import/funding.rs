//! `import funding`: 经费保障台账 — one row per org, year, kind and source: 组织名称或代码,
//! 年度, 经费类型 (运转经费, 服务群众专项经费, 党建工作经费, 党费返还, 其他, 村集体经济收入),
//! 来源 (财政, 党费, 集体经济, 企业, 其他), 金额（元）, 备注. Every row is checked as the
//! record form checks a record (`funding::checked`: the year, a standing org of the
//! import's subtree that is not a 党小组, collective income only for a village, the
//! amount, the note) and named once per (org, year, kind, source). Nothing is written
//! unless every row is valid; then every record in one transaction, with one `Import`
//! entry. A row equal to the stored record is unchanged; another replaces its amount.

use std::collections::HashMap;
use std::path::Path;

use jiceng_domain::funding::{self as domain, FundingKind, FundingSource};
use jiceng_store::funding::{self as store, FundingRecord};

use super::{columns, ErrorList, ImportOptions, ImportReport, OrgLookup, Progress};
use super::{RowCheck, Start};
use crate::access::RecordFunding;
use crate::funding::{checked, NewFunding};
use crate::{App, AppError, Result};

columns! {
    ORG = required("组织名称或代码", ["党组织", "组织名称", "组织代码", "党组织名称", "单位名称"]),
    YEAR = required("年度", ["年份", "经费年度"]),
    KIND = required("经费类型", ["类型", "经费类别", "项目"]),
    SOURCE = required("来源", ["经费来源", "资金来源"]),
    AMOUNT = required("金额（元）", ["金额", "金额(元)", "金额（万元）"]),
    NOTE = optional("备注", ["说明"]),
}

pub async fn run(
    app: &App,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    let grant = opts.actor.grant::<RecordFunding>()?;
    let (
        mut table,
        mut report,
        Start {
            scope,
            scope_org,
            orgs,
        },
    ) = super::open(app, file, opts, &COLUMNS).await?;
    let lookup = OrgLookup::of(&orgs);
    // A column titled in 万元 holds ten-thousands.
    let scale = if table.titles[AMOUNT].contains("万元") {
        10_000.0
    } else {
        1.0
    };
    let mut errors = ErrorList::default();
    let mut seen: HashMap<(i64, i32, FundingKind, FundingSource), usize> = HashMap::new();
    let mut rows: Vec<FundingRecord> = Vec::new();
    progress.start("检查", table.rows.len() as u64);
    for row in &table.rows {
        let mut c = RowCheck::new(row, &table.titles);
        let org = c
            .required(ORG)
            .and_then(|k| match lookup.find(k.trim(), "") {
                Ok(o) => Some(o),
                Err(m) => {
                    c.error(ORG, m);
                    None
                }
            });
        let year = c.required_as(YEAR, |s| {
            s.trim()
                .trim_end_matches('年')
                .parse::<i32>()
                .map_err(|_| format!("年度应为四位数字，如2026：{s}"))
        });
        let kind = c.required_label(KIND, FundingKind::parse, |s| {
            format!(
                "无法识别的经费类型“{s}”（应为{}）",
                FundingKind::ALL
                    .iter()
                    .map(|k| k.label())
                    .collect::<Vec<_>>()
                    .join("、")
            )
        });
        let source = c.required_label(SOURCE, FundingSource::parse, |s| {
            format!("无法识别的来源“{s}”（应为财政、党费、集体经济、企业或其他）")
        });
        let yuan = c.required_as(AMOUNT, |s| domain::parse_yuan(s).map(|v| v * scale));
        let note = c.text(NOTE).unwrap_or_default();
        if let (Some(o), Some(year), Some(kind), Some(source), Some(yuan)) =
            (org, year, kind, source, yuan)
        {
            let new = NewFunding {
                org: String::new(),
                year,
                kind,
                source,
                yuan,
                note,
            };
            match checked(app, o, &new, grant.actor().username()) {
                Err(AppError::MemberLife(r)) => {
                    let col = match r.field {
                        "year" => YEAR,
                        "kind" => KIND,
                        "amount" => AMOUNT,
                        "note" => NOTE,
                        _ => ORG,
                    };
                    c.error(col, r.message);
                }
                Err(e) => c.error(ORG, e.to_string()),
                Ok(rec) => {
                    match seen.get(&(o.org.id, year, kind, source)) {
                        Some(first) => c.error(
                            SOURCE,
                            format!(
                                "与第{first}行重复：同一党组织、年度、经费类型和来源只填一行（分次拨付的请合计，在备注中说明）"
                            ),
                        ),
                        None => {
                            seen.insert((o.org.id, year, kind, source), row.number);
                        }
                    }
                    if c.errors.is_empty() {
                        rows.push(rec);
                    }
                }
            }
        }
        errors.extend(c.errors);
        progress.inc(1);
    }
    progress.finish();
    table.rows = Vec::new();
    errors.finish(&mut report);
    // Unchanged: equal to what is stored.
    let mut years: Vec<i32> = rows.iter().map(|r| r.year).collect();
    years.sort_unstable();
    years.dedup();
    let mut conn = app.store.acquire().await?;
    let mut stored: HashMap<(i64, i32, FundingKind, FundingSource), FundingRecord> = HashMap::new();
    for y in years {
        for r in store::of_year(&mut conn, &scope, y).await? {
            stored.insert((r.org_id, r.year, r.kind, r.source), r);
        }
    }
    drop(conn);
    let (same, changed): (Vec<FundingRecord>, Vec<FundingRecord>) =
        rows.into_iter().partition(|r| {
            stored
                .get(&(r.org_id, r.year, r.kind, r.source))
                .is_some_and(|s| s.amount_fen == r.amount_fen && s.note == r.note)
        });
    report.unchanged = same.len();
    if report.ends_with_check(opts) {
        return Ok(report);
    }
    let written = changed.len();
    let (changed, report_ref, org_ref) = (&changed, &report, scope_org.as_ref());
    crate::audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::upsert_many(&mut tx, changed).await?;
        super::record_import(&mut tx, app, opts, "funding", report_ref, written, org_ref).await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    report.written = written;
    Ok(report)
}
