//! `jiceng report surveys`: the 群众满意度测评 of a subtree in a year or half-year — how many
//! surveys, tokens and answers, the response and satisfaction rates over all of them, the
//! closed surveys below the rule set's share (软), and each survey (capped). The totals
//! are the org's stored tally; the lists indexed reads of the surveys' stored figures.

use chrono::NaiveDate;
use jiceng_domain::survey::{self as domain, SurveyPeriod};
use jiceng_store::survey_report::{self as store, SurveyTotals, Within};
use jiceng_store::surveys::SurveyRow;
use serde::Serialize;

use super::{share_text, summary, SurveySummary, LIST_MAX};
use crate::access::InScope;
use crate::{App, OrgRecord, OrgRef, Result};

/// The totals as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub surveys: i64,
    pub open: i64,
    pub issued: i64,
    pub responses: i64,
    /// Responses over tokens issued (`None`: none issued).
    pub response_rate: Option<f64>,
    /// Satisfied ratings over all ratings of all responses (`None`: none).
    pub satisfaction: Option<f64>,
}

impl From<SurveyTotals> for Totals {
    fn from(t: SurveyTotals) -> Totals {
        Totals {
            surveys: t.surveys,
            open: t.open,
            issued: t.issued,
            responses: t.responses,
            response_rate: (t.issued > 0).then(|| t.responses as f64 / t.issued as f64),
            satisfaction: (t.ratings > 0).then(|| t.satisfied as f64 / t.ratings as f64),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyReport {
    pub org: OrgRef,
    /// `2026` or `2026H2`.
    pub period: String,
    pub period_label: String,
    pub today: NaiveDate,
    pub totals: Totals,
    /// The share below which a closed survey's satisfaction suggests 软 (rule set).
    pub min_share: f64,
    /// Closed surveys below `min_share`, the lowest first.
    pub below: Vec<SurveySummary>,
    /// The surveys (open first), at most [`LIST_MAX`].
    pub surveys: Vec<SurveySummary>,
    pub definition: &'static str,
}

impl SurveyReport {
    /// Whether the list stopped at its cap (the totals are of all).
    pub fn capped(&self) -> bool {
        self.surveys.len() as i64 >= LIST_MAX
    }

    /// The report's workbook: the totals, the surveys below, every survey listed.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let names = |h: &[&str]| h.iter().map(|s| s.to_string()).collect();
        let t = &self.totals;
        let totals = vec![
            vec![text("测评"), OutCell::Int(t.surveys)],
            vec![text("进行中"), OutCell::Int(t.open)],
            vec![text("发放测评码"), OutCell::Int(t.issued)],
            vec![text("收回答卷"), OutCell::Int(t.responses)],
            vec![text("参评率"), text(&share_text(t.response_rate))],
            vec![text("满意率"), text(&share_text(t.satisfaction))],
            vec![
                text(&format!("满意率低于{:.0}%的测评", self.min_share * 100.0)),
                OutCell::Int(self.below.len() as i64),
            ],
            vec![text("满意率口径"), text(self.definition)],
        ];
        let head = [
            "党组织",
            "组织代码",
            "测评期间",
            "开始日期",
            "结束日期",
            "发放",
            "收回",
            "参评率",
            "满意率",
        ];
        let rows = |list: &[SurveySummary]| {
            list.iter()
                .map(|s| {
                    vec![
                        text(&s.org.name),
                        text(&s.org.code),
                        text(&s.period_label),
                        OutCell::Date(s.opened_on),
                        s.closed_on.map_or(text("进行中"), OutCell::Date),
                        OutCell::Int(s.issued),
                        OutCell::Int(s.responses),
                        text(&s.response_rate_text()),
                        text(&s.satisfaction_text()),
                    ]
                })
                .collect()
        };
        let title = format!(
            "{}及以下群众满意度测评（{}，截至{}）",
            self.org.name, self.period_label, self.today
        );
        vec![
            Sheet {
                name: "汇总".into(),
                title: title.clone(),
                headers: names(&["项目", "数值"]),
                rows: totals,
            },
            Sheet {
                name: "满意率偏低".into(),
                title: format!(
                    "已结束且满意率低于{:.0}%的测评（软弱涣散“软”的参考）",
                    self.min_share * 100.0
                ),
                headers: names(&head),
                rows: rows(&self.below),
            },
            Sheet {
                name: "测评".into(),
                title,
                headers: names(&head),
                rows: rows(&self.surveys),
            },
        ]
    }
}

/// The surveys of `org`'s subtree in `period` (a year: every survey of the year, either
/// half included; a half-year: only those of that half).
pub async fn report(
    app: &App,
    org: &InScope<OrgRecord>,
    period: SurveyPeriod,
) -> Result<SurveyReport> {
    let code = period.code();
    let w = Within {
        year: period.year(),
        period: matches!(period, SurveyPeriod::Half(..)).then_some(code.as_str()),
    };
    let today = app.today();
    let min_share = app
        .rules
        .in_force(today)
        .weak_signals
        .satisfaction_min_share;
    let mut conn = app.store.acquire().await?;
    let totals = store::totals(&mut conn, &org.path, w).await?;
    let min_permille = (min_share * 1000.0).round() as i64;
    let below = store::below(&mut conn, &org.path, w, min_permille, LIST_MAX).await?;
    let listed = store::list(&mut conn, &org.path, w, LIST_MAX).await?;
    let below = named(&mut conn, &below).await?;
    let surveys = named(&mut conn, &listed).await?;
    Ok(SurveyReport {
        org: org.org_ref(),
        period: code,
        period_label: period.label(),
        today,
        totals: totals.into(),
        min_share,
        below,
        surveys,
        definition: domain::SATISFACTION_DEFINITION,
    })
}

/// The rows as summaries with their orgs' codes and current names.
pub(super) async fn named(
    conn: &mut jiceng_store::Conn,
    rows: &[SurveyRow],
) -> Result<Vec<SurveySummary>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.survey.org_id).collect();
    let orgs = OrgRef::by_ids(conn, &ids).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let o = orgs.get(&r.survey.org_id).cloned().unwrap_or(OrgRef {
                code: String::new(),
                name: r.survey.org_name.clone(),
            });
            summary(r, o)
        })
        .collect())
}
