//! Excel exports of every list and report, each recorded in the audit log (SPEC C11:
//! every export is recorded). ID numbers and phones stay masked in every export but one: the
//! department's audited roster with full ID numbers (`privacy::export_full_ids`).

use jiceng_io::{OutCell, Sheet};
use jiceng_store::orgs::StoredOrg;

use crate::access::Actor;
use crate::audit::{self, AuditAction};
use std::collections::HashMap;

use crate::browse::{MemberRow, OrgSummary, Place, UnitRow};
use crate::{App, AppError, Result};

/// The most rows an export writes; larger lists are narrowed by org or filter first.
pub const MAX_ROWS: i64 = 100_000;

/// Writes the workbook and records the export. `what` names the list (e.g. "members").
pub async fn workbook(
    app: &App,
    actor: &Actor,
    what: &str,
    org: Option<&StoredOrg>,
    sheets: &[Sheet],
) -> Result<Vec<u8>> {
    let bytes = jiceng_io::workbook_bytes(sheets).map_err(AppError::Input)?;
    let rows: usize = sheets.iter().map(|s| s.rows.len()).sum();
    let names: Vec<String> = sheets.iter().map(|s| s.name.clone()).collect();
    let after = serde_json::json!({ "rows": rows, "sheets": names });
    audit::Entry::new(actor, AuditAction::Export, what)
        .org(org)
        .after(after)
        .record_alone(app, chrono::Utc::now())
        .await?;
    Ok(bytes)
}

fn text(s: &str) -> OutCell {
    OutCell::Text(s.to_string())
}

fn opt(s: &Option<String>) -> OutCell {
    s.as_deref().map(text).unwrap_or(OutCell::Empty)
}

fn date(d: Option<chrono::NaiveDate>) -> OutCell {
    d.map(|d| OutCell::Text(d.to_string()))
        .unwrap_or(OutCell::Empty)
}

/// The place columns of a row of org `id`: 组织代码, 上级党组织, 上级组织代码.
fn place_cells(places: &HashMap<i64, Place>, id: i64) -> [OutCell; 3] {
    let p = places.get(&id).cloned().unwrap_or_default();
    [text(&p.code), text(&p.parent), text(&p.parent_code)]
}

const PLACE_HEADERS: [&str; 3] = ["组织代码", "上级党组织", "上级组织代码"];

pub fn members_sheet(title: &str, rows: &[MemberRow], places: &HashMap<i64, Place>) -> Sheet {
    Sheet {
        name: "党员名册".into(),
        title: format!("{title}（共{}人）", rows.len()),
        headers: [
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
            "所在党小组",
        ]
        .iter()
        .chain(PLACE_HEADERS.iter())
        .map(|s| s.to_string())
        .collect(),
        rows: rows
            .iter()
            .map(|m| {
                vec![
                    text(&m.name),
                    text(&m.gender),
                    text(&m.ethnicity),
                    date(Some(m.birth_date)),
                    text(&m.id_masked),
                    opt(&m.education),
                    text(&m.status),
                    date(Some(m.joined_on)),
                    date(m.full_on),
                    opt(&m.occupation),
                    opt(&m.phone_masked),
                    text(&m.org_name),
                    opt(&m.group_name),
                ]
                .into_iter()
                .chain(place_cells(places, m.org_id))
                .collect()
            })
            .collect(),
    }
}

pub fn units_sheet(title: &str, rows: &[UnitRow], places: &HashMap<i64, Place>) -> Sheet {
    Sheet {
        name: "单位".into(),
        title: format!("{title}（共{}个）", rows.len()),
        headers: [
            "单位名称",
            "统一社会信用代码",
            "单位类型",
            "经营状态",
            "从业人员",
            "正式党员人数",
            "覆盖方式",
            "所属党组织",
            "党建指导员",
        ]
        .iter()
        .chain(PLACE_HEADERS.iter())
        .map(|s| s.to_string())
        .collect(),
        rows: rows
            .iter()
            .map(|u| {
                vec![
                    text(&u.name),
                    opt(&u.credit_code),
                    text(&u.domain),
                    text(&u.status),
                    u.employees.map(OutCell::Int).unwrap_or(OutCell::Empty),
                    OutCell::Int(u.full_members),
                    text(&u.coverage),
                    text(&u.org_name),
                    opt(&u.instructor),
                ]
                .into_iter()
                .chain(place_cells(places, u.org_id))
                .collect()
            })
            .collect(),
    }
}

pub fn orgs_sheet(title: &str, rows: &[OrgSummary]) -> Sheet {
    Sheet {
        name: "党组织".into(),
        title: format!("{title}（共{}个）", rows.len()),
        headers: [
            "组织代码",
            "党组织名称",
            "组织类别",
            "党员数(含下级)",
            "直属党员",
            "下级组织数",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: rows
            .iter()
            .map(|o| {
                vec![
                    text(&o.code),
                    text(&o.name),
                    text(&o.kind_label),
                    OutCell::Int(o.members),
                    OutCell::Int(o.direct_members),
                    OutCell::Int(o.children),
                ]
            })
            .collect(),
    }
}

/// The errors of an import's dry run as a sheet (row, the person's name, column, reason).
pub fn import_errors_sheet(file: &str, errors: &[crate::import::RowError]) -> Sheet {
    Sheet {
        name: "错误".into(),
        title: format!("{file} 检查发现的问题（共{}条）", errors.len()),
        headers: vec!["行号".into(), "姓名".into(), "列".into(), "问题".into()],
        rows: errors
            .iter()
            .map(|e| {
                vec![
                    OutCell::Int(e.row as i64),
                    text(e.name.as_deref().unwrap_or("")),
                    text(&e.column),
                    text(&e.message),
                ]
            })
            .collect(),
    }
}
