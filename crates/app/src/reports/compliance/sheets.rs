//! The compliance report as an Excel workbook.

use super::*;

impl ComplianceReport {
    pub fn to_sheets(&self) -> Vec<Sheet> {
        let pct = |v: Option<f64>| v.map(OutCell::Percent).unwrap_or(OutCell::Empty);
        let mut summary = vec![vec![
            OutCell::Text(self.org.code.clone()),
            OutCell::Text(self.org.name.clone()),
            OutCell::Int(self.branches as i64),
            OutCell::Int(self.compliant as i64),
            pct(self.rate),
        ]];
        for l in &self.levels {
            summary.push(vec![
                OutCell::Text(l.org.code.clone()),
                OutCell::Text(l.org.name.clone()),
                OutCell::Int(l.branches as i64),
                OutCell::Int(l.compliant as i64),
                pct(l.rate),
            ]);
        }
        let mut missing = Vec::new();
        for n in &self.noncompliant {
            for m in &n.missing {
                let parent = n.parent.clone().unwrap_or_default();
                missing.push(vec![
                    OutCell::Text(n.org.code.clone()),
                    OutCell::Text(n.org.name.clone()),
                    OutCell::Text(parent.name),
                    OutCell::Text(parent.code),
                    OutCell::Text(label(m.kind).into()),
                    OutCell::Text(m.group.as_ref().map(|g| g.name.clone()).unwrap_or_default()),
                    OutCell::Int(m.due),
                    OutCell::Int(m.held),
                ]);
            }
        }
        let period = self.period.label();
        vec![
            Sheet {
                name: "汇总".into(),
                title: format!(
                    "{} {}组织生活开展情况（应开展支部{}个，达标{}个；参会率{}）",
                    self.org.name,
                    period,
                    self.branches,
                    self.compliant,
                    self.attendance
                        .rate
                        .map(|r| format!("{:.1}%", r * 100.0))
                        .unwrap_or_else(|| "—".into())
                ),
                headers: vec![
                    "组织代码".into(),
                    "党组织".into(),
                    "应开展支部数".into(),
                    "达标支部数".into(),
                    "达标率".into(),
                ],
                rows: summary,
            },
            Sheet {
                name: "未达标明细".into(),
                title: format!(
                    "{} {}组织生活未达标明细（{}个支部）",
                    self.org.name,
                    period,
                    self.noncompliant.len()
                ),
                headers: vec![
                    "组织代码".into(),
                    "党支部".into(),
                    "上级党组织".into(),
                    "上级组织代码".into(),
                    "缺项".into(),
                    "党小组".into(),
                    "应开展次数".into(),
                    "已开展次数".into(),
                ],
                rows: missing,
            },
            Sheet {
                name: "未开展组织生活".into(),
                title: format!(
                    "{} {}未开展任何组织生活的支部（{}个）",
                    self.org.name,
                    period,
                    self.held_nothing.len()
                ),
                headers: vec!["组织代码".into(), "党支部".into()],
                rows: self
                    .held_nothing
                    .iter()
                    .map(|o| vec![OutCell::Text(o.code.clone()), OutCell::Text(o.name.clone())])
                    .collect(),
            },
        ]
    }
}
