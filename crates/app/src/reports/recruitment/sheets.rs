//! The recruitment report as an Excel workbook: 按阶段, 待办, 违规, 计划完成.

use jiceng_io::{OutCell, Sheet};

use super::{rule_label, step_title, RecruitmentReport};
use crate::recruitment::plan::{Fulfilment, TARGETS};

fn text(s: impl Into<String>) -> OutCell {
    OutCell::Text(s.into())
}

fn opt(n: Option<i64>) -> OutCell {
    n.map_or(OutCell::Empty, OutCell::Int)
}

impl RecruitmentReport {
    pub fn to_sheets(&self) -> Vec<Sheet> {
        let head = format!("{} {}年", self.org.name, self.year);
        vec![
            Sheet {
                name: "按阶段".into(),
                title: format!("{head}发展党员各阶段人数（截至{}）", self.as_of),
                headers: vec!["阶段".into(), "人数".into()],
                rows: self
                    .by_stage
                    .rows()
                    .iter()
                    .map(|(l, n)| vec![text(*l), OutCell::Int(*n)])
                    .collect(),
            },
            Sheet {
                name: "待办".into(),
                title: format!("{head}发展党员待办步骤（{}人）", self.due.len()),
                headers: [
                    "姓名",
                    "公民身份号码",
                    "组织代码",
                    "党组织",
                    "下一步骤",
                    "截止日期",
                ]
                .map(String::from)
                .to_vec(),
                rows: self
                    .due
                    .iter()
                    .map(|d| {
                        vec![
                            text(&d.person.name),
                            text(&d.person.id_masked),
                            text(&d.org.code),
                            text(&d.org.name),
                            text(step_title(d.step)),
                            d.deadline.map_or(OutCell::Empty, OutCell::Date),
                        ]
                    })
                    .collect(),
            },
            Sheet {
                name: "违规".into(),
                title: format!("{head}发展党员时限违规（{}项）", self.violations.len()),
                headers: [
                    "姓名",
                    "公民身份号码",
                    "组织代码",
                    "党组织",
                    "步骤",
                    "规则",
                    "情况",
                ]
                .map(String::from)
                .to_vec(),
                rows: self
                    .violations
                    .iter()
                    .map(|v| {
                        vec![
                            text(&v.person.name),
                            text(&v.person.id_masked),
                            text(&v.org.code),
                            text(&v.org.name),
                            text(step_title(v.step)),
                            text(rule_label(v.rule)),
                            text(&v.detail),
                        ]
                    })
                    .collect(),
            },
            self.plan_sheet(&head),
        ]
    }

    fn plan_sheet(&self, head: &str) -> Sheet {
        let mut headers: Vec<String> = ["组织代码", "党组织", "计划数", "已发展", "差额"]
            .map(String::from)
            .to_vec();
        for (_, label) in TARGETS {
            headers.push(format!("{label}计划"));
            headers.push(format!("{label}实际"));
        }
        Sheet {
            name: "计划完成".into(),
            title: format!("{head}发展党员计划完成情况"),
            headers,
            rows: self.levels.iter().map(plan_row).collect(),
        }
    }
}

fn plan_row(f: &Fulfilment) -> Vec<OutCell> {
    let mut row = vec![
        text(&f.org.code),
        text(&f.org.name),
        opt(f.target),
        OutCell::Int(f.admitted),
        opt(f.gap),
    ];
    for (key, _) in TARGETS {
        let t = f.structure.get(key);
        row.push(opt(t.and_then(|t| t.target)));
        row.push(OutCell::Int(t.map_or(0, |t| t.actual)));
    }
    row
}
