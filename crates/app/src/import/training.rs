//! `import training`: 培训签到表 — one row per attendee: the training (name, organiser,
//! dates, hours, online or in person) and the member by ID number and name, with the hours
//! credited to them when not the training's. Rows of the same training (name and first day)
//! make one training of the import's org (`--org`), their common columns agreeing. Every
//! row is checked as the record form checks a training; nothing is written unless all are
//! valid, then every training, its attendees and the tallies of the orgs touched in one
//! transaction. A training already recorded (same org, first day and name) is unchanged.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use jiceng_domain::text::{self, TextField};
use jiceng_domain::training::{self as rule, Mode};
use jiceng_domain::IdNumber;
use jiceng_store::training as store;

use super::{columns, ErrorList, ImportOptions, ImportReport, Progress, RowCheck};
use crate::access::RecordTraining;
use crate::training::{check, Checked, TrainingInput};
use crate::{App, AppError, Result};

const LIMITS: [(usize, TextField); 3] = [
    (NAME, text::MEMBER_NAME),
    (TITLE, TextField::new("培训名称", 100)),
    (ORGANISER, TextField::new("主办单位", 100)),
];

columns! {
    TITLE = required("培训名称", ["培训班名称", "培训主题", "培训内容", "课程名称"]),
    ORGANISER = optional("主办单位", ["举办单位", "组织单位", "承办单位"]),
    STARTS = required("开始日期", ["培训日期", "日期", "开班日期"]),
    ENDS = optional("结束日期", ["结业日期"]),
    HOURS = required("学时", ["培训学时", "课时"]),
    MODE = optional("培训方式", ["方式", "培训形式", "形式"]),
    NAME = required("姓名", ["党员姓名", "学员姓名"]),
    ID = required("公民身份号码", ["身份证号", "身份证号码", "公民身份证号码"]),
    CREDITED = optional("本人学时", ["获得学时", "实得学时", "个人学时"]),
}

/// One training as its first row gave it, and the rows after it.
struct Group {
    first_row: usize,
    input: TrainingInput,
    /// Member id → their org, and the row that named them.
    members: HashMap<i64, (i64, usize)>,
    exists: bool,
}

pub async fn run(
    app: &App,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    let grant = opts.actor.grant::<RecordTraining>()?;
    let (
        mut table,
        mut report,
        super::Start {
            scope, scope_org, ..
        },
    ) = super::open(app, file, opts, &COLUMNS).await?;
    let org = scope_org.ok_or_else(|| {
        AppError::Input("请指明举办培训的党组织（导入范围；培训登记在该组织名下）".into())
    })?;
    // The members the file names, by ID-number hash, among the scope's current members.
    let members = super::members_named(app, &table, ID, &scope).await?;
    progress.start("检查", table.rows.len() as u64);
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<(String, NaiveDate), usize> = HashMap::new();
    let mut errors = ErrorList::default();
    let today = app.today();
    for row in &table.rows {
        let mut c = RowCheck::new(row, &table.titles);
        c.lengths(&LIMITS);
        let title = c.required(TITLE).map(|t| t.trim().to_string());
        let starts = c.required_date(STARTS);
        let ends = c.date(ENDS).or(starts);
        let hours = c.required_as(HOURS, rule::parse_hours);
        let mode = c.text_label(MODE, Mode::parse, |s| {
            format!("培训方式应为线上或线下：{s}")
        });
        let credited = c.text_as(CREDITED, rule::parse_hours);
        let name = c.required(NAME);
        let id = c.required_as(ID, IdNumber::parse);
        let member = id.and_then(|id| match members.get(&app.crypto.id_hash(&id)) {
            Some(m) if name.as_deref().is_none_or(|n| n.trim() == m.name) => Some(m.clone()),
            Some(m) => {
                c.error(NAME, format!("与身份证号对应的党员是“{}”", m.name));
                None
            }
            None => {
                c.error(ID, "本范围内的党员名册中没有这个身份证号");
                None
            }
        });
        if let (Some(title), Some(starts), Some(ends), Some(hours)) = (title, starts, ends, hours) {
            if let Err((field, message)) = rule::check(&title, starts, ends, hours, today) {
                let col = match field {
                    "ends_on" => ENDS,
                    "starts_on" => STARTS,
                    "hours" => HOURS,
                    _ => TITLE,
                };
                c.error(col, message);
            }
            let mode = mode.unwrap_or(Mode::InPerson);
            let organiser = c.text(ORGANISER).unwrap_or_default();
            let key = (title.clone(), starts);
            let g = match index.get(&key) {
                Some(&i) => {
                    let g = &groups[i];
                    let first = &g.input;
                    let same = first.ends_on == ends
                        && first.hours == rule::hours_text(hours)
                        && first.mode == mode.code()
                        && first.organiser.trim() == organiser.trim();
                    if !same {
                        c.error(
                            TITLE,
                            format!(
                                "与第{}行是同一培训，结束日期、学时、方式或主办单位不一致",
                                g.first_row
                            ),
                        );
                    }
                    i
                }
                None => {
                    let mut conn = app.store.acquire().await?;
                    let exists = store::find(&mut conn, org.org.id, starts, &title)
                        .await?
                        .is_some();
                    drop(conn);
                    groups.push(Group {
                        first_row: row.number,
                        input: TrainingInput {
                            title,
                            organiser,
                            starts_on: starts,
                            ends_on: ends,
                            hours: rule::hours_text(hours),
                            mode: mode.code().into(),
                            attendees: Vec::new(),
                            credited: HashMap::new(),
                        },
                        members: HashMap::new(),
                        exists,
                    });
                    index.insert(key, groups.len() - 1);
                    groups.len() - 1
                }
            };
            if let Some(m) = member {
                let g = &mut groups[g];
                if let Some((_, prev)) = g.members.get(&m.id) {
                    c.error(ID, format!("与第{prev}行是同一培训的同一名党员"));
                } else if c.errors.is_empty() {
                    g.members.insert(m.id, (m.org_id, row.number));
                    g.input.attendees.push(m.id);
                    if let Some(h) = credited {
                        g.input.credited.insert(m.id, rule::hours_text(h));
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
    let (old, new): (Vec<Group>, Vec<Group>) = groups.into_iter().partition(|g| g.exists);
    report.unchanged = old.iter().map(|g| g.members.len()).sum();
    if report.ends_with_check(opts) {
        return Ok(report);
    }
    let new: Vec<Group> = new
        .into_iter()
        .filter(|g| !g.input.attendees.is_empty())
        .collect();
    let first = app
        .store
        .reserve_ids("training", new.len().max(1) as i64)
        .await?;
    let mut rows: Vec<(Checked, Vec<i64>)> = Vec::with_capacity(new.len());
    for (n, g) in new.iter().enumerate() {
        let checked = check(
            app,
            &org,
            &g.input,
            (first + n as i64, grant.actor().username()),
        )?;
        let mut orgs: Vec<i64> = g.members.values().map(|(o, _)| *o).collect();
        orgs.sort_unstable();
        orgs.dedup();
        rows.push((checked, orgs));
    }
    let written: usize = rows.iter().map(|(c, _)| c.attendees.len()).sum();
    let (rows, report_ref, org_ref) = (&rows, &report, &org);
    crate::audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        let mut by_year: HashMap<i32, Vec<i64>> = HashMap::new();
        for (c, orgs) in rows {
            store::insert(&mut tx, &c.training, &c.attendees).await?;
            let touched = by_year.entry(c.training.year).or_default();
            touched.push(c.training.org_id);
            touched.extend(orgs);
        }
        for (year, mut touched) in by_year {
            touched.sort_unstable();
            touched.dedup();
            store::refresh(&mut tx, &app.rules, &touched, year).await?;
        }
        super::record_import(
            &mut tx,
            app,
            opts,
            "training",
            report_ref,
            written,
            Some(org_ref),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    report.written = written;
    Ok(report)
}
