//! 导入模板: for each import, an .xlsx to fill — the first sheet holds the title and the
//! header row exactly as the import reads it (nothing else, so a filled template imports
//! as it is); the second, 填写说明, lists each column: required or not, the other names a
//! roster may use for it (the aliases the import also recognises), and how to write it.

use jiceng_domain::mass_request;
use jiceng_domain::{Domain, Education, MeetingKind, OrgKind, PositionKind};
use jiceng_io::{Choices, ColumnSpec, OutCell, Sheet};

use crate::{AppError, Result};

/// How to write a column, by what its name says.
fn hint(name: &str) -> &'static str {
    if name.contains("身份证") || name.contains("身份号码") {
        "18位公民身份号码（按国家标准校验，末位可为X）"
    } else if name.contains("时间") || name.contains("日期") || name.contains("年月") {
        "日期，如 2024-07-01（也可写 2024.7.1、2024年7月1日、20240701）"
    } else if name.contains("人数")
        || name.contains("学时")
        || name.contains("金额")
        || name.contains("基数")
    {
        "数字"
    } else if name == "年度" {
        "四位年份，如 2026"
    } else if name == "支持方" {
        "导入范围内党组织的组织代码或名称；系统外的部门、企业填写全称"
    } else if name == "编号" {
        "台账中该条的编号（同一编号再次导入不会重复登记）"
    } else if name == "办理结果" {
        "填写了办结日期的必填"
    } else if name.contains("组织") || name.contains("支部") {
        "党组织的组织代码或完整名称（在导入范围内查找）"
    } else if name.contains("是否") {
        "是 / 否"
    } else {
        ""
    }
}

/// The values a column takes, offered as a drop-down in the template (the import also
/// reads the other names it knows for them).
fn choices(name: &str) -> Option<Vec<&'static str>> {
    Some(match name {
        "组织类别" => OrgKind::ALL.iter().map(|k| k.label()).collect(),
        "所属领域" | "单位类型" => Domain::ALL.iter().map(|d| d.label()).collect(),
        "性别" => vec!["男", "女"],
        "学历" => Education::ALL.iter().map(|e| e.label()).collect(),
        "人员类别" => vec!["正式党员", "预备党员"],
        "党内职务" => PositionKind::ALL.iter().map(|p| p.label()).collect(),
        "会议类型" => MeetingKind::ALL.iter().map(|k| k.label()).collect(),
        "经费类型" => jiceng_domain::funding::FundingKind::ALL
            .iter()
            .map(|k| k.label())
            .collect(),
        "来源" => jiceng_domain::funding::FundingSource::ALL
            .iter()
            .map(|k| k.label())
            .collect(),
        "渠道" => mass_request::Channel::ALL
            .iter()
            .map(|k| k.label())
            .collect(),
        "类别" => mass_request::Category::ALL
            .iter()
            .map(|k| k.label())
            .collect(),
        "群众评价" => mass_request::Feedback::ALL
            .iter()
            .map(|k| k.label())
            .collect(),
        "结对类型" => jiceng_domain::pairing::PairingKind::ALL
            .iter()
            .map(|k| k.label())
            .collect(),
        n if n.starts_with("是否") => vec!["是", "否"],
        _ => return None,
    })
}

/// A column of a template as its 填写说明 describes it: what [`workbook`] reads from a
/// `ColumnSpec`, or given for a column named at run time (a task's items).
pub(crate) struct TemplateColumn {
    pub name: String,
    pub required: bool,
    pub aliases: String,
    pub hint: String,
    /// The values offered as a drop-down.
    pub choices: Option<Vec<String>>,
}

impl TemplateColumn {
    fn of(c: &ColumnSpec) -> TemplateColumn {
        let choices = choices(c.name).map(|v| v.into_iter().map(String::from).collect());
        TemplateColumn {
            name: c.name.into(),
            required: c.required,
            aliases: c.aliases.join("、"),
            hint: hint(c.name).into(),
            choices,
        }
    }
}

/// The template of an import whose columns are `columns`, titled `label`.
pub fn workbook(label: &str, columns: &[ColumnSpec]) -> Result<Vec<u8>> {
    let columns: Vec<TemplateColumn> = columns.iter().map(TemplateColumn::of).collect();
    workbook_of(label, &columns, Vec::new())
}

/// A template of `columns` titled `label`, its first sheet holding `rows` already (a
/// task's targets, for each to fill its own).
pub(crate) fn workbook_of(
    label: &str,
    columns: &[TemplateColumn],
    rows: Vec<Vec<OutCell>>,
) -> Result<Vec<u8>> {
    let form = Sheet {
        name: "模板".into(),
        title: format!("{label}（导入模板：从第3行起每行一条，列的顺序可以调整）"),
        headers: columns.iter().map(|c| c.name.clone()).collect(),
        rows,
    };
    let guide = Sheet {
        name: "填写说明".into(),
        title: format!("{label}：各列的填写说明（带“必填”的列每行都要填写）"),
        headers: vec![
            "列名".into(),
            "必填".into(),
            "也可识别的列名".into(),
            "填写方法".into(),
        ],
        rows: columns
            .iter()
            .map(|c| {
                vec![
                    OutCell::Text(c.name.clone()),
                    OutCell::Text(if c.required { "必填" } else { "可选" }.into()),
                    OutCell::Text(c.aliases.clone()),
                    OutCell::Text(match &c.choices {
                        Some(v) => format!("从下拉列表选择：{}", v.join("、")),
                        None => c.hint.clone(),
                    }),
                ]
            })
            .collect(),
    };
    let lists: Vec<Choices> = columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            Some(Choices {
                sheet: 0,
                column: i,
                values: c.choices.clone()?,
            })
        })
        .collect();
    jiceng_io::workbook_bytes_with_choices(&[form, guide], &lists).map_err(AppError::Input)
}
