//! The member structure report (SPEC C3): totals and the structure by gender, age,
//! ethnicity, education, occupation and party standing, for any subtree.
//!
//! On the day the stored facts were computed it is one lookup of the root's subtree
//! statistics; for another `--as-of` day it counts the subtree's members live (status,
//! age and standing on that day; members who joined after it are left out).

use chrono::NaiveDate;
use jiceng_domain::MemberStats;
use jiceng_io::{OutCell, Sheet};
use jiceng_store::{facts, members as member_store};
use serde::Serialize;

use super::OrgRef;
use crate::access::InScope;
use crate::{App, OrgRecord, Result};

#[derive(Debug, Clone, Serialize)]
pub struct MembersReport {
    pub org: OrgRef,
    pub as_of: NaiveDate,
    /// "stored" (from derived facts) or "live" (counted for a past or future day).
    pub source: &'static str,
    pub total: i64,
    pub full: i64,
    pub probationary: i64,
    pub female_rate: Option<f64>,
    pub minority_rate: Option<f64>,
    pub college_rate: Option<f64>,
    pub under_35_rate: Option<f64>,
    pub gender: std::collections::BTreeMap<String, i64>,
    pub age: std::collections::BTreeMap<String, i64>,
    pub ethnicity: std::collections::BTreeMap<String, i64>,
    pub education: std::collections::BTreeMap<String, i64>,
    pub occupation: std::collections::BTreeMap<String, i64>,
    pub standing: std::collections::BTreeMap<String, i64>,
}

/// The report for the subtree of `root` (resolved in the actor's scope) on `as_of`.
pub async fn run(app: &App, root: &InScope<OrgRecord>, as_of: NaiveDate) -> Result<MembersReport> {
    let mut conn = app.store.acquire().await?;
    let stored = facts::stats(&mut conn, root.org.id).await?;
    let (stats, source) = match stored {
        Some((s, _, day)) if day == as_of => (s, "stored"),
        _ => {
            let mut s = MemberStats::default();
            member_store::for_each_in_scope(&mut conn, &root.subtree(), |m| {
                if m.joined_on <= as_of && m.exited_on.map(|e| e > as_of).unwrap_or(true) {
                    s.add_profile(&jiceng_store::facts::profile(m), as_of);
                }
            })
            .await?;
            (s, "live")
        }
    };
    drop(conn);
    let share = |n: i64| {
        if stats.total > 0 {
            Some(((n as f64 / stats.total as f64) * 10_000.0).round() / 10_000.0)
        } else {
            None
        }
    };
    let female = *stats.gender.get("女").unwrap_or(&0);
    let han = *stats.ethnicity.get("汉族").unwrap_or(&0);
    let unknown_eth = *stats
        .ethnicity
        .get(jiceng_domain::member_stats::NOT_GIVEN)
        .unwrap_or(&0);
    let college: i64 = ["研究生", "大学本科", "大学专科"]
        .iter()
        .map(|k| *stats.education.get(*k).unwrap_or(&0))
        .sum();
    let young: i64 = ["30岁及以下", "31至35岁"]
        .iter()
        .map(|k| *stats.age.get(*k).unwrap_or(&0))
        .sum();
    Ok(MembersReport {
        org: OrgRef::of(&root.org),
        as_of,
        source,
        total: stats.total,
        full: stats.full,
        probationary: stats.probationary,
        female_rate: share(female),
        minority_rate: share(stats.total - han - unknown_eth),
        college_rate: share(college),
        under_35_rate: share(young),
        gender: stats.gender,
        age: stats.age,
        ethnicity: stats.ethnicity,
        education: stats.education,
        occupation: stats.occupation,
        standing: stats.standing,
    })
}

impl MembersReport {
    /// The dimensions in display order, each with its bands in order.
    pub fn dimensions(&self) -> Vec<(&'static str, Vec<(String, i64)>)> {
        let ordered =
            |map: &std::collections::BTreeMap<String, i64>, order: &[&str]| -> Vec<(String, i64)> {
                let mut out: Vec<(String, i64)> = order
                    .iter()
                    .filter_map(|k| map.get(*k).map(|v| (k.to_string(), *v)))
                    .collect();
                let mut rest: Vec<(String, i64)> = map
                    .iter()
                    .filter(|(k, _)| !order.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), *v))
                    .collect();
                rest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                out.extend(rest);
                out
            };
        let edu: Vec<&str> = jiceng_domain::Education::ALL
            .iter()
            .map(|e| e.label())
            .collect();
        vec![
            ("性别", ordered(&self.gender, &["男", "女"])),
            ("年龄", ordered(&self.age, MemberStats::age_bands())),
            ("民族", ordered(&self.ethnicity, &["汉族"])),
            ("学历", ordered(&self.education, &edu)),
            (
                "职业",
                ordered(&self.occupation, MemberStats::occupation_categories()),
            ),
            (
                "党龄(入党时间)",
                ordered(&self.standing, MemberStats::standing_bands()),
            ),
        ]
    }

    pub fn to_sheets(&self) -> Vec<Sheet> {
        let mut rows = vec![
            vec![
                OutCell::Text("总数".into()),
                OutCell::Text("党员总数".into()),
                OutCell::Int(self.total),
                OutCell::Empty,
            ],
            vec![
                OutCell::Text("类别".into()),
                OutCell::Text("正式党员".into()),
                OutCell::Int(self.full),
                pct(self.full, self.total),
            ],
            vec![
                OutCell::Text("类别".into()),
                OutCell::Text("预备党员".into()),
                OutCell::Int(self.probationary),
                pct(self.probationary, self.total),
            ],
        ];
        for (dim, bands) in self.dimensions() {
            for (band, n) in bands {
                rows.push(vec![
                    OutCell::Text(dim.into()),
                    OutCell::Text(band),
                    OutCell::Int(n),
                    pct(n, self.total),
                ]);
            }
        }
        vec![Sheet {
            name: "党员队伍结构".into(),
            title: format!("{} 党员队伍结构（截至{}）", self.org.name, self.as_of),
            headers: vec!["维度".into(), "类别".into(), "人数".into(), "占比".into()],
            rows,
        }]
    }
}

fn pct(n: i64, total: i64) -> OutCell {
    if total > 0 {
        OutCell::Percent(n as f64 / total as f64)
    } else {
        OutCell::Empty
    }
}
