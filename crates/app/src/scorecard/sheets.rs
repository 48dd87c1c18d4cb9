//! A card as a workbook: the measures, the indicators, the children's heat map and the
//! weakest link's ranked lists. A figure without records prints 暂无数据.

use jiceng_domain::scorecard::{Contribution, Measure};
use jiceng_io::{OutCell, Sheet};

use super::Card;

/// A score to one decimal, or 暂无数据.
pub fn score_text(s: Option<f64>) -> String {
    s.map_or_else(|| "暂无数据".to_string(), |v| format!("{v:.1}"))
}

fn text(s: &str) -> OutCell {
    OutCell::Text(s.to_string())
}

fn cell(s: Option<f64>) -> OutCell {
    s.map_or_else(
        || text("暂无数据"),
        |v| OutCell::Float((v * 10.0).round() / 10.0),
    )
}

fn names(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| s.to_string()).collect()
}

impl Card {
    /// The name of an id the card holds.
    pub fn name_of(&self, id: i64) -> String {
        self.names
            .get(&id)
            .map_or_else(|| format!("（id {id}）"), |o| o.name.clone())
    }

    fn ranked_rows(&self, list: &[Contribution], level: &str) -> Vec<Vec<OutCell>> {
        list.iter()
            .map(|c| {
                vec![
                    text(level),
                    text(&self.name_of(c.org)),
                    OutCell::Float((c.score * 10.0).round() / 10.0),
                    OutCell::Float(c.weight),
                    OutCell::Float((c.contribution * 100.0).round() / 100.0),
                ]
            })
            .collect()
    }

    pub fn to_sheets(&self) -> Vec<Sheet> {
        let title = format!(
            "{}检验标准（{}，{}）",
            self.org.name,
            self.period_label,
            self.freshness()
        );
        let mut measures = Vec::new();
        let mut indicators = Vec::new();
        for (m, s) in &self.card.measures {
            measures.push(vec![
                text(&s.label),
                cell(s.score),
                OutCell::Percent(s.weight_with_data),
                text(&s.missing.join("；")),
            ]);
            for i in &s.indicators {
                indicators.push(vec![
                    text(m.label()),
                    text(&i.label),
                    text(if i.manual {
                        "人工录入"
                    } else {
                        "系统统计"
                    }),
                    OutCell::Float(i.weight),
                    OutCell::Int(i.num),
                    OutCell::Int(i.den),
                    cell(i.score),
                    text(&i.evidence),
                ]);
            }
        }
        let mut heat_head = vec!["下级党组织", "组织代码", "党组织数"];
        heat_head.extend(Measure::ALL.iter().map(|m| m.label()));
        let heat = self
            .children
            .iter()
            .map(|c| {
                let mut row = vec![text(&c.org.name), text(&c.org.code), OutCell::Int(c.orgs)];
                row.extend(c.scores.iter().map(|s| cell(*s)));
                row
            })
            .collect();
        let w = &self.weakest;
        let mut weak = self.ranked_rows(&w.children, "下级");
        weak.extend(self.ranked_rows(&w.orgs, "基层党组织"));
        let weak_title = match w.measure {
            Some(m) => format!("最短板：{}（{}）", m.label(), score_text(w.score)),
            None => "最短板：暂无数据".to_string(),
        };
        vec![
            Sheet {
                name: "五个是否".into(),
                title: title.clone(),
                headers: names(&["检验标准", "得分", "有数据的权重", "暂无数据"]),
                rows: measures,
            },
            Sheet {
                name: "指标".into(),
                title: title.clone(),
                headers: names(&[
                    "检验标准",
                    "指标",
                    "来源",
                    "权重",
                    "分子",
                    "分母",
                    "得分",
                    "依据",
                ]),
                rows: indicators,
            },
            Sheet {
                name: "下级热力图".into(),
                title,
                headers: names(&heat_head),
                rows: heat,
            },
            Sheet {
                name: "木桶短板".into(),
                title: weak_title,
                headers: names(&["层级", "党组织", "得分", "权重", "拉低分值"]),
                rows: weak,
            },
        ]
    }
}
