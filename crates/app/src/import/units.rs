//! `import units`: the registry of units and how each is covered. Units are matched by
//! credit code, or (villages and communities without one) by name under the same org.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use jiceng_domain::{Coverage, CreditCode, Domain, OperatingStatus, RegionCode, Unit};
use jiceng_store::referral::ReferralKind;
use jiceng_store::units::{self as unit_store, StoredUnit};

use jiceng_domain::text::{self, TextField};

use super::{columns, ErrorList, ImportOptions, ImportReport, Progress, RowCheck};
use crate::{App, Result};

/// The text columns and their limits.
const LIMITS: [(usize, TextField); 3] = [
    (NAME, text::UNIT_NAME),
    (ORG, text::ORG_REF),
    (INSTRUCTOR, text::INSTRUCTOR),
];

columns! {
    NAME = required("单位名称", ["名称", "企业名称", "组织名称", "单位全称"]),
    CREDIT = optional("统一社会信用代码", ["信用代码", "社会信用代码", "统一代码", "组织机构代码"]),
    DOMAIN = required("单位类型", ["单位类别", "所属领域", "领域", "类型", "单位性质"]),
    REGION = optional("行政区划代码", ["区划代码", "所在地区划代码", "行政区划"]),
    STATUS = optional("经营状态", ["登记状态", "状态", "运营状态", "存续状态"]),
    EMPLOYEES = optional("从业人员数", ["从业人员", "职工人数", "员工人数", "从业人数", "职工数"]),
    FULL = optional("正式党员人数", ["党员人数", "正式党员数", "党员数"]),
    COVERAGE = required("覆盖方式", ["党组织覆盖方式", "组建方式", "覆盖情况", "党组织组建方式"]),
    // A unit with no party organization has none in a real register (issue 12 point 2):
    // blank is accepted for 未覆盖 and instructor-only units (per row).
    ORG = optional("所属党组织", ["党组织名称", "所在党组织", "隶属党组织", "覆盖党组织", "负责党组织", "联系党组织"]),
    INSTRUCTOR = optional("党建工作指导员", ["指导员", "党建指导员", "联络员", "党建联络员"]),
}

pub async fn run(
    app: &App,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    // The per-user limit of real imports comes first: a refused import costs nothing.
    if !opts.dry_run {
        crate::referral::check_import_rate(app, &opts.actor).await?;
    }
    let today = app.today();
    let (
        mut table,
        mut report,
        super::Start {
            scope,
            scope_org,
            orgs,
        },
    ) = super::open(app, file, opts, &COLUMNS).await?;
    let lookup = super::OrgLookup::of(&orgs);

    progress.start("检查", table.rows.len() as u64);
    let mut parsed: Vec<(usize, StoredUnit)> = Vec::new();
    let mut errors = ErrorList::default();
    let mut seen_credit: HashMap<String, usize> = HashMap::new();
    let mut seen_name: HashMap<(i64, String), usize> = HashMap::new();
    for row in &table.rows {
        let mut c = RowCheck::new(row, &table.titles);
        c.lengths(&LIMITS);
        let name = c.required(NAME);
        let credit = c.text_as(CREDIT, CreditCode::parse);
        let domain = c.required_label(DOMAIN, Domain::parse_label, |d| {
            format!("无法识别的单位类型：{d}")
        });
        let region = c.text_as(REGION, RegionCode::parse);
        let status = match c.text(STATUS) {
            None => Some(OperatingStatus::Operating),
            Some(_) => c.text_label(STATUS, OperatingStatus::parse_label, |s| {
                format!("无法识别的经营状态：{s}（如 存续、在业、注销、吊销）")
            }),
        };
        let employees = c.count(EMPLOYEES);
        let full = c.count(FULL).unwrap_or(0);
        if let Some(e) = employees.filter(|e| full > *e && *e > 0) {
            c.error(FULL, format!("正式党员人数（{full}）多于从业人员数（{e}）"));
        }
        let coverage = c.required_label(COVERAGE, Coverage::parse_label, |s| {
            format!("无法识别的覆盖方式：{s}（应为单独组建、联合组建、党建工作指导员或未覆盖）")
        });
        let instructor = c.text(INSTRUCTOR);
        let org = match c.text(ORG) {
            Some(key) => match lookup.find(&key, "") {
                Ok(o) => Some(o),
                Err(e) => {
                    c.error(ORG, e);
                    None
                }
            },
            // No party organization of its own: an uncovered or instructor-only unit is
            // filed under the import's org (--org); any other needs its org named.
            None => match (coverage, scope_org.as_ref()) {
                (Some(Coverage::Uncovered | Coverage::Instructor), Some(o)) => Some(o),
                (Some(Coverage::Uncovered | Coverage::Instructor), None) => {
                    c.error(
                        ORG,
                        "未填写所属党组织：未覆盖或仅选派党建指导员的单位可以不填，但需指定导入到的党组织（导入范围）",
                    );
                    None
                }
                (Some(cv), _) => {
                    c.error(
                        ORG,
                        format!("覆盖方式为“{}”的单位必须填写所属党组织", cv.label()),
                    );
                    None
                }
                (None, _) => {
                    c.error(ORG, "必填项为空（覆盖方式无法识别时须填写所属党组织）");
                    None
                }
            },
        };
        if let Some(cc) = &credit {
            if let Some(prev) = seen_credit.insert(cc.as_str().to_string(), row.number) {
                c.error(CREDIT, format!("统一社会信用代码与第{prev}行重复"));
            }
        } else if let (Some(n), Some(o)) = (&name, org) {
            if let Some(prev) = seen_name.insert((o.org.id, n.clone()), row.number) {
                c.error(
                    NAME,
                    format!("与第{prev}行重复（同一党组织下同名且无信用代码）"),
                );
            }
        }
        if c.errors.is_empty() {
            let (Some(name), Some(domain), Some(status), Some(coverage), Some(org)) =
                (name, domain, status, coverage, org)
            else {
                unreachable!("required cells were checked")
            };
            parsed.push((
                row.number,
                StoredUnit {
                    unit: Unit {
                        id: 0,
                        name,
                        credit_code: credit,
                        domain,
                        region_code: region.or(org.org.region_code.clone()),
                        status,
                        employees,
                        full_members: full,
                        coverage,
                        org_id: org.org.id,
                        instructor,
                    },
                    org_path: org.path.clone(),
                },
            ));
        }
        errors.extend(c.errors);
        progress.inc(1);
    }
    progress.finish();
    // Every row is parsed: its cells are not needed while writing.
    table.rows = Vec::new();

    // A unit on record under another subtree is not re-filed by this import: the check
    // answers its row as a new one (no oracle), a real import refers it (`referral`).
    let mut conn = app.store.acquire().await?;
    let codes: Vec<String> = parsed
        .iter()
        .filter_map(|(_, u)| u.unit.credit_code.as_ref().map(|c| c.as_str().to_string()))
        .collect();
    let mut by_credit: HashMap<String, StoredUnit> = unit_store::by_credit_codes(&mut conn, &codes)
        .await?
        .into_iter()
        .filter_map(|u| {
            u.unit
                .credit_code
                .clone()
                .map(|c| (c.as_str().to_string(), u))
        })
        .collect();
    drop(conn);
    let outside: HashMap<String, StoredUnit> = by_credit
        .iter()
        .filter(|(_, u)| !scope.contains(&u.org_path))
        .map(|(c, u)| (c.clone(), u.clone()))
        .collect();
    by_credit.retain(|c, _| !outside.contains_key(c));
    let outside_of = |u: &StoredUnit| {
        u.unit
            .credit_code
            .as_ref()
            .and_then(|c| outside.get(c.as_str()))
    };
    let matches = parsed
        .iter()
        .filter(|(_, u)| outside_of(u).is_some())
        .count();
    errors.finish(&mut report);
    if super::ends_with_check(app, opts, "units", &report, scope_org.as_ref(), || matches).await? {
        return Ok(report);
    }
    let mut pending = Vec::new();
    parsed.retain(|(row, u)| {
        let Some(old) = outside_of(u) else {
            return true;
        };
        pending.push(crate::referral::Pending {
            kind: ReferralKind::Unit,
            row: Some(*row),
            from_org_id: Some(u.unit.org_id),
            from_path: Some(u.org_path.clone()),
            existing_id: old.unit.id,
            existing_org_id: old.unit.org_id,
            existing_path: old.org_path.clone(),
            data: serde_json::json!({
                "name": u.unit.name,
                "credit_code": u.unit.credit_code.as_ref().map(|c| c.as_str().to_string()),
                "domain": u.unit.domain.label(),
                "status": u.unit.status.label(),
                "employees": u.unit.employees,
                "full_members": u.unit.full_members,
                "coverage": u.unit.coverage.label(),
                "org_id": u.unit.org_id,
                "instructor": u.unit.instructor,
            }),
            key: u
                .unit
                .credit_code
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        });
        report.referred.push(super::RowError {
            row: *row,
            column: table.titles[CREDIT].clone(),
            message: crate::referral::REFERRED.into(),
            name: None,
        });
        false
    });
    let referrals =
        crate::referral::prepare(app, &opts.actor, "units", &report.file, pending).await?;

    let mut conn = app.store.acquire().await?;
    let org_ids: Vec<i64> = parsed
        .iter()
        .map(|(_, u)| u.unit.org_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let by_org_name: HashMap<(i64, String), StoredUnit> = unit_store::of_orgs(&mut conn, &org_ids)
        .await?
        .into_iter()
        .filter(|u| u.unit.credit_code.is_none())
        .map(|u| ((u.unit.org_id, u.unit.name.clone()), u))
        .collect();
    drop(conn);
    let mut inserts = Vec::new();
    let mut updates = Vec::new();
    let mut touched = Vec::new();
    for (_, u) in parsed {
        let old = match &u.unit.credit_code {
            Some(c) => by_credit.get(c.as_str()),
            None => by_org_name.get(&(u.unit.org_id, u.unit.name.clone())),
        };
        match old {
            Some(old) => {
                let mut new = u.clone();
                new.unit.id = old.unit.id;
                new.unit.employees = new.unit.employees.or(old.unit.employees);
                new.unit.instructor = new.unit.instructor.or(old.unit.instructor.clone());
                if new != *old {
                    touched.push(old.unit.org_id);
                    touched.push(new.unit.org_id);
                    updates.push(new);
                } else {
                    report.unchanged += 1;
                }
            }
            None => {
                touched.push(u.unit.org_id);
                inserts.push(u);
            }
        }
    }
    let first = app.store.reserve_ids("unit", inserts.len() as i64).await?;
    for (k, u) in inserts.iter_mut().enumerate() {
        u.unit.id = first + k as i64;
    }
    touched.sort_unstable();
    touched.dedup();
    progress.start("写入", (inserts.len() + updates.len()) as u64);
    let written = inserts.len() + updates.len();
    let (inserts, updates, touched) = (&inserts, &updates, &touched);
    let (report_ref, org_ref, referrals) = (&report, scope_org.as_ref(), &referrals);
    crate::audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        crate::referral::write(&mut tx, app, &opts.actor, org_ref, referrals).await?;
        unit_store::insert(&mut tx, inserts).await?;
        for u in updates {
            unit_store::update(&mut tx, u).await?;
        }
        jiceng_store::facts::refresh(&mut tx, &app.rules, touched, today).await?;
        super::record_import(&mut tx, app, opts, "units", report_ref, written, org_ref).await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    progress.finish();
    report.written = written;
    Ok(report)
}
