//! 分析研判报告 (issue #19 point 3): the report a county organization department files
//! each half-year and year, written from records — 基本情况 (members, orgs, structure,
//! coverage), 主要做法和成效 (the measures that score well), 存在的问题 (the weakest link
//! named with its contributions, weak orgs and their rectification, organizational life
//! not held as due, structure anomalies, figures without records), 下一步工作建议 (one
//! per problem found, each citing its figure) and the annexed tables, with two charts.
//!
//! Every figure comes from the org's scorecard of the period ([`scorecard::card`], the
//! same as `jiceng report scorecard --format json`) or from the reports of this module's
//! siblings as of the period's last day; a measure without records reads 暂无数据 with
//! what is missing, never 0. The result is a [`Paper`]: the web prints its blocks as a
//! page, `jiceng_io::docx` writes them as the Word document in the official layout.

use chrono::NaiveDate;
use jiceng_domain::period::Period as LifePeriod;
use jiceng_domain::scorecard::{Contribution, LevelGap, Measure, MeasureScore};
use jiceng_domain::{AnomalyRule, MeetingKind};
use jiceng_io::chart::{self, Bar, Reference};
use jiceng_io::docx::Block;

use crate::access::{Grant, InScope, ViewScorecard};
use crate::paper::{file_name, Paper};
use crate::reports::{compliance, coverage, members, rectification, structure, weak};
use crate::scorecard::{self, score_text, Card, Period};
use crate::{App, OrgRecord, Result};

/// At most this many orgs are named in one sentence (the annex lists them all).
const NAMED: usize = 10;
/// A measure at or above this score is counted among the achievements.
const GOOD: f64 = 60.0;
/// An indicator at or above this score is cited as an achievement.
const GOOD_INDICATOR: f64 = 80.0;

/// The analysis report of `org` for `period` (`2026`, `2026H1`, `2026H2`, `2026Q3`).
pub async fn analysis(
    app: &App,
    grant: &Grant<ViewScorecard>,
    org: &InScope<OrgRecord>,
    period: Period,
) -> Result<Paper> {
    analysis_with_limit(app, grant, org, period, compliance::LIST_MAX_ORGS).await
}

/// [`analysis`] with the size of a region (its orgs) above which its organizational life
/// is read from the stored summaries rather than judged branch by branch, and its weak
/// orgs counted as the period's build diagnosed them (tests, tuning).
pub async fn analysis_with_limit(
    app: &App,
    grant: &Grant<ViewScorecard>,
    org: &InScope<OrgRecord>,
    period: Period,
    list_max_orgs: i64,
) -> Result<Paper> {
    let card = scorecard::card(app, grant, org, period).await?;
    let day = card.as_of;
    let year = period.year();
    let large = !compliance::lists_fit_within(app, org, list_max_orgs).await?;
    let facts = Facts {
        members: members::run(app, org, day).await?,
        // The totals only: no unit is listed.
        coverage: coverage::run_limited(app, org, Some(0)).await?,
        // Counted in full, listed only as far as the report names them.
        structure: structure::run_limited(app, org, day, Some(NAMED + 1)).await?,
        // A large region's weak orgs as its build counted them (the live diagnosis of a
        // province's every org takes over half a minute), else diagnosed now.
        weak: if large {
            weak::summary_of_tally(org.org_ref(), year, card.as_of, &card.weak)
        } else {
            weak::summary(app, org, year).await?
        },
        rectification: rectification::run(app, org, year).await?,
        life: if large {
            Life::Summed(compliance::overview_stored(app, org, LifePeriod::Year(year)).await?)
        } else {
            Life::Listed(compliance::run_on(app, org, LifePeriod::Year(year), day).await?)
        },
    };
    Ok(write(&card, &facts))
}

/// What the report reads besides the card.
struct Facts {
    members: members::MembersReport,
    coverage: coverage::CoverageReport,
    structure: structure::StructureReport,
    weak: weak::WeakSummary,
    rectification: rectification::RectificationReport,
    life: Life,
}

/// The organizational life of the region's year: every branch judged, for a region whose
/// pages list them ([`compliance::LIST_MAX_ORGS`]: a county), else the stored summaries of
/// the region and its children (a city, a province: the branches are named a level down).
enum Life {
    Listed(compliance::ComplianceReport),
    Summed(compliance::Overview),
}

/// A share as a percentage to one decimal, or 暂无数据.
fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "暂无数据".into(), |x| format!("{:.1}%", x * 100.0))
}

/// When the card was built, in China Standard Time ("2026年12月7日 13:33"), or as stored.
fn built(card: &Card) -> String {
    china_time(&card.built_at)
}

/// A stored UTC instant in China Standard Time ("2026年12月7日 13:33"), or as stored.
fn china_time(at: &str) -> String {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    chrono::DateTime::parse_from_rfc3339(at).map_or_else(
        |_| at.to_string(),
        |t| {
            t.with_timezone(&cst)
                .format("%Y年%-m月%-d日 %H:%M")
                .to_string()
        },
    )
}

fn day(d: NaiveDate) -> String {
    crate::recruitment::documents::chinese_date(d)
}

/// "（一）" … "（十）".
fn ordinal(i: usize) -> String {
    const N: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    format!("（{}）", N.get(i).copied().unwrap_or("十"))
}

/// Names joined with 、, at most [`NAMED`], then "等N" with the unit counted (个, 处, 项).
fn names(items: &[String], unit: &str) -> String {
    names_of(items, items.len(), unit)
}

/// [`names`] of the first `items` of a list of `total` (read only as far as it is named).
fn names_of(items: &[String], total: usize, unit: &str) -> String {
    if total <= NAMED && items.len() >= total {
        items.join("、")
    } else {
        let head = &items[..items.len().min(NAMED)];
        format!("{}等{total}{unit}", head.join("、"))
    }
}

fn measure_phrase(m: Measure, s: &MeasureScore) -> String {
    match s.score {
        Some(v) => format!("{}{:.1}分", m.label(), v),
        None => format!("{}暂无数据（{}）", m.label(), s.missing.join("；")),
    }
}

/// The level a weakest-link list is of, in words.
fn level_words(level: &str) -> &'static str {
    if level == "children" {
        "下级党组织"
    } else {
        "基层党组织"
    }
}

impl Card {
    fn contributions(&self, list: &[Contribution]) -> Vec<String> {
        list.iter()
            .map(|c| {
                format!(
                    "{}（{:.1}分，拉低{:.2}分）",
                    self.name_of(c.org),
                    c.score,
                    c.contribution
                )
            })
            .collect()
    }
}

/// The report's blocks from the card and the facts (pure: what the tests read).
fn write(card: &Card, f: &Facts) -> Paper {
    let region = &card.org.name;
    let title = format!("{region}{}基层党建工作分析研判报告", card.period_label);
    let mut b = vec![Block::Title(title.clone()), Block::Blank];
    b.push(Block::Body(format!(
        "根据党员、党组织、组织生活、教育培训、任务督办、督查整改、群众诉求等台账记录，对{region}{}基层党建工作进行了分析研判。数字截至{}，检验标准“五个是否”评分于{}计算。现将有关情况报告如下。",
        card.period_label,
        day(card.as_of),
        built(card)
    )));

    basics(card, f, &mut b);
    let good = achievements(card, &mut b);
    let problems = problems(card, f, &mut b);
    suggestions(&problems, &mut b);
    if good == 0 && problems.is_empty() {
        b.push(Block::Body("本期各项记录不足以作出研判。".into()));
    }
    annexes(card, &mut b);
    b.push(Block::Blank);
    b.push(Block::Body(format!(
        "（本报告由系统根据台账记录生成，评分于{}计算；附件中的数字与检验标准评分卡相同。）",
        built(card)
    )));
    Paper {
        file_name: file_name(&title, "docx"),
        title,
        blocks: b,
    }
}

fn basics(card: &Card, f: &Facts, b: &mut Vec<Block>) {
    let region = &card.org.name;
    b.push(Block::Heading("一、基本情况".into()));
    let m = &f.members;
    b.push(Block::Body(format!(
        "（一）党员队伍。截至{}，{region}共有党员{}名，其中正式党员{}名、预备党员{}名。女性党员占{}，少数民族党员占{}，大专及以上学历占{}，35岁以下占{}。",
        day(m.as_of),
        m.total,
        m.full,
        m.probationary,
        pct(m.female_rate),
        pct(m.minority_rate),
        pct(m.college_rate),
        pct(m.under_35_rate),
    )));
    let s = &f.structure;
    let anomalies: usize = s.counts.values().sum();
    b.push(Block::Body(format!(
        "（二）组织设置。共有党组织{}个（按组织设置规则检查），直属下级党组织{}个；发现组织设置异常{}处。",
        s.orgs,
        card.children.len(),
        anomalies
    )));
    let t = &f.coverage.total;
    let on = f
        .coverage
        .facts_on
        .map_or_else(String::new, |d| format!("截至{}，", day(d)));
    b.push(Block::Body(if t.operating > 0 {
        format!(
            "（三）覆盖情况。{on}正常经营的单位{}家，已建立党组织（含联合党组织）{}家，党组织覆盖率{}；党的工作覆盖率{}。",
            t.operating,
            t.org_covered,
            pct(t.org_rate),
            pct(t.work_rate)
        )
    } else {
        "（三）覆盖情况。暂无数据：尚未登记正常经营的单位。".into()
    }));
    let phrases: Vec<String> = card
        .card
        .measures
        .iter()
        .map(|(m, s)| measure_phrase(*m, s))
        .collect();
    b.push(Block::Body(format!(
        "（四）检验标准。按“五个是否”检验标准，{region}{}得分为：{}。",
        card.period_label,
        phrases.join("，")
    )));
    let weakest = card.weakest.measure;
    b.push(Block::Chart {
        caption: format!("图1　{region}“五个是否”检验标准得分（0–100分）"),
        chart: chart::bars(
            &card
                .card
                .measures
                .iter()
                .map(|(m, s)| Bar {
                    label: m.label().into(),
                    value: s.score,
                    accent: Some(*m) == weakest,
                })
                .collect::<Vec<_>>(),
            None,
        ),
    });
}

/// 二、主要做法和成效: the measures at or above [`GOOD`] other than the weakest, best
/// first, each with its indicators at or above [`GOOD_INDICATOR`]. The count written.
fn achievements(card: &Card, b: &mut Vec<Block>) -> usize {
    b.push(Block::Heading("二、主要做法和成效".into()));
    let mut good: Vec<(Measure, &MeasureScore, f64)> = card
        .card
        .measures
        .iter()
        .filter_map(|(m, s)| s.score.map(|v| (*m, s, v)))
        .filter(|(m, _, v)| *v >= GOOD && Some(*m) != card.weakest.measure)
        .collect();
    good.sort_by(|a, b| b.2.total_cmp(&a.2));
    if good.is_empty() {
        b.push(Block::Body(format!(
            "本期没有得分达到{GOOD:.0}分的检验标准，成效有待记录进一步体现。"
        )));
    }
    for (i, (m, s, v)) in good.iter().enumerate() {
        let cited: Vec<String> = s
            .indicators
            .iter()
            .filter(|x| x.score.is_some_and(|v| v >= GOOD_INDICATOR))
            .map(|x| format!("{}{}分（{}）", x.label, score_text(x.score), x.evidence))
            .collect();
        let detail = if cited.is_empty() {
            "各项指标均未达到80分，整体处于中等水平".to_string()
        } else {
            cited.join("；")
        };
        b.push(Block::Body(format!(
            "{}{}，得分{v:.1}分。{detail}。",
            ordinal(i),
            m.label()
        )));
    }
    good.len()
}

/// A problem found, with what the suggestion built from it cites.
enum Problem {
    Weakest {
        measure: Measure,
        score: f64,
        /// The measure's lowest indicator with records: label, score, evidence.
        lowest: Option<(String, f64, String)>,
        /// Names of those pulling it down most, their level and the what-if.
        pulling: Vec<String>,
        level: &'static str,
        target: Option<f64>,
        gain: Option<(f64, f64, f64)>,
    },
    Weak {
        weak: usize,
        confirmed: i64,
        suspected: i64,
        cases: usize,
        closed: usize,
        overdue: usize,
    },
    Life {
        short: usize,
        branches: usize,
        rate: Option<f64>,
        nothing: usize,
    },
    Structure {
        total: usize,
        worst: String,
    },
    NoData {
        measures: Vec<&'static str>,
        missing: Vec<String>,
    },
}

fn gap_of(card: &Card, m: Measure) -> (Option<&LevelGap>, Option<&LevelGap>) {
    card.weakest
        .by_measure
        .iter()
        .find(|g| g.measure == m)
        .map_or((None, None), |g| (g.children.as_ref(), g.orgs.as_ref()))
}

/// At most this many children are drawn in 图2 (the lowest; the annex lists them all).
const CHART_MAX: usize = 20;

/// 图2: the children with a score on `m`, lowest first (at most [`CHART_MAX`]), those
/// pulling it down in the accent colour, the target as a dashed line; the caption says
/// how many have no data. `None` without a child with a score.
fn children_chart(card: &Card, m: Measure, target: Option<f64>) -> Option<Block> {
    let mut scored: Vec<(&str, f64, i64)> = card
        .children
        .iter()
        .filter_map(|c| c.scores[m.index()].map(|v| (c.org.name.as_str(), v, c.org_id)))
        .collect();
    if scored.is_empty() {
        return None;
    }
    scored.sort_by(|a, b| a.1.total_cmp(&b.1));
    let with_data = scored.len();
    scored.truncate(CHART_MAX);
    let no_data = card.children.len() - with_data;
    let mut notes = Vec::new();
    if let Some(t) = target {
        notes.push(format!("虚线为基准{t:.1}分"));
    }
    if with_data > CHART_MAX {
        notes.push(format!("{with_data}个中得分最低的{CHART_MAX}个"));
    }
    if no_data > 0 {
        notes.push(format!("另有{no_data}个暂无数据"));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!("（{}）", notes.join("；"))
    };
    Some(Block::Chart {
        caption: format!("图2　各下级党组织“{}”得分{notes}", m.label()),
        chart: chart::bars(
            &scored
                .iter()
                .map(|(name, v, id)| Bar {
                    label: name.to_string(),
                    value: Some(*v),
                    accent: card.weakest.children.iter().any(|x| x.org == *id),
                })
                .collect::<Vec<_>>(),
            target
                .map(|value| Reference {
                    label: "基准".into(),
                    value,
                })
                .as_ref(),
        ),
    })
}

fn problems(card: &Card, f: &Facts, b: &mut Vec<Block>) -> Vec<Problem> {
    b.push(Block::Heading("三、存在的问题".into()));
    let mut found = Vec::new();
    let mut n = 0;
    let mut next = || {
        let o = ordinal(n);
        n += 1;
        o
    };

    // The weakest link.
    match (card.weakest.measure, card.weakest.score) {
        (Some(m), Some(score)) => {
            let s = &card.card.measures[&m];
            let lowest = s
                .indicators
                .iter()
                .filter_map(|x| x.score.map(|v| (x, v)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(x, v)| (x.label.clone(), v, x.evidence.clone()));
            let mut text = format!(
                "{}短板在“{}”。该项得分{score:.1}分，为五项检验标准中最低。",
                next(),
                m.label()
            );
            if let Some((l, v, e)) = &lowest {
                text.push_str(&format!("其中{l}得分最低，为{v:.1}分（{e}）。"));
            }
            if !s.missing.is_empty() {
                text.push_str(&format!("暂无记录的指标：{}。", s.missing.join("；")));
            }
            let (kids, orgs) = gap_of(card, m);
            let children = card.contributions(&card.weakest.children);
            let leaves = card.contributions(&card.weakest.orgs);
            if let Some(g) = kids.filter(|_| !children.is_empty()) {
                text.push_str(&format!(
                    "以{}分为基准，{}个下级党组织低于基准，拉低最多的是{}。",
                    format_args!("{:.1}", g.target),
                    g.below,
                    names(&children, "个")
                ));
            }
            if let Some(g) = orgs.filter(|_| !leaves.is_empty()) {
                text.push_str(&format!(
                    "在基层党组织中，{}个低于{:.1}分，拉低最多的是{}。",
                    g.below,
                    g.target,
                    names(&leaves, "个")
                ));
            }
            let gain = card.weakest.what_if.as_ref().map(|w| {
                text.push_str(&format!(
                    "若低于{:.1}分的{}个{}都达到该分，{}的加权平均分将由{:.1}分提高到{:.1}分，提高{:.1}分。",
                    w.target,
                    w.raised,
                    level_words(&w.level),
                    card.org.name,
                    w.before,
                    w.after,
                    w.gain
                ));
                (w.before, w.after, w.gain)
            });
            b.push(Block::Body(text));
            let (level, pulling, target) = if !leaves.is_empty() {
                ("基层党组织", &card.weakest.orgs, orgs.map(|g| g.target))
            } else {
                ("下级党组织", &card.weakest.children, kids.map(|g| g.target))
            };
            if let Some(chart) = children_chart(card, m, kids.map(|g| g.target)) {
                b.push(chart);
            }
            found.push(Problem::Weakest {
                measure: m,
                score,
                lowest,
                pulling: pulling.iter().map(|c| card.name_of(c.org)).collect(),
                level,
                target,
                gain,
            });
        }
        _ => b.push(Block::Body(format!(
            "{}五项检验标准均暂无数据，无法判断短板。",
            next()
        ))),
    }

    // Weak orgs and their rectification.
    let w = &f.weak;
    let r = &f.rectification;
    let confirmed: i64 = w.by_kind.iter().map(|k| k.confirmed).sum();
    if w.weak_orgs > 0 || r.cases > 0 {
        let kinds: Vec<String> = w
            .by_kind
            .iter()
            .filter(|k| k.confirmed + k.suspected > 0)
            .map(|k| format!("{}{}项", k.label, k.confirmed + k.suspected))
            .collect();
        let suspected: i64 = w.by_kind.iter().map(|k| k.suspected).sum();
        let mut text = format!(
            "{}软弱涣散党组织整顿。{}年排查{}个党组织，{}个有软弱涣散情形（按类型计：已确定{}项、待确定{}项{}）。",
            next(),
            w.year,
            w.diagnosed,
            w.weak_orgs,
            confirmed,
            suspected,
            if kinds.is_empty() {
                String::new()
            } else {
                format!("；{}", kinds.join("、"))
            }
        );
        if r.cases > 0 {
            let open: Vec<String> = r
                .items
                .iter()
                .filter(|c| c.accepted_on.is_none())
                .map(|c| {
                    format!(
                        "{}（{}，措施完成{}/{}）",
                        c.org.name, c.stage_label, c.measures_done, c.measures
                    )
                })
                .collect();
            text.push_str(&format!(
                "已立案整顿{}个，验收销号{}个；逾期未完成的整改措施{}项，长期无进展的{}个。",
                r.cases, r.closed, r.overdue_measures, r.stalled_cases
            ));
            if !open.is_empty() {
                text.push_str(&format!("尚未销号的：{}。", names(&open, "个")));
            }
        } else {
            text.push_str("本年尚未立案整顿。");
        }
        b.push(Block::Body(text));
        found.push(Problem::Weak {
            weak: w.weak_orgs,
            confirmed,
            suspected,
            cases: r.cases,
            closed: r.closed,
            overdue: r.overdue_measures,
        });
    }

    // Organizational life not held as due.
    match &f.life {
        Life::Listed(l) => life_listed(l, &mut next, b, &mut found),
        Life::Summed(o) => life_summed(o, &mut next, b, &mut found),
    }

    // Structure anomalies.
    let s = &f.structure;
    let total: usize = s.counts.values().sum();
    if total > 0 {
        let mut by_rule: Vec<(String, usize)> = s
            .counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(rule, n)| {
                let label = AnomalyRule::from_code(rule).map_or(rule.as_str(), |r| r.label());
                (label.to_string(), *n)
            })
            .collect();
        by_rule.sort_by_key(|r| std::cmp::Reverse(r.1));
        let listed: Vec<String> = s
            .anomalies
            .iter()
            .map(|a| format!("{}（{}）", a.org.name, a.label))
            .collect();
        b.push(Block::Body(format!(
            "{}组织设置存在异常{}处：{}。涉及：{}。",
            next(),
            total,
            by_rule
                .iter()
                .map(|(l, n)| format!("{l}{n}处"))
                .collect::<Vec<_>>()
                .join("、"),
            names_of(&listed, total, "处")
        )));
        found.push(Problem::Structure {
            total,
            worst: by_rule
                .first()
                .map(|(l, n)| format!("{l}{n}处"))
                .unwrap_or_default(),
        });
    }

    // Figures without records.
    let empty: Vec<&'static str> = card
        .card
        .measures
        .iter()
        .filter(|(_, s)| s.score.is_none())
        .map(|(m, _)| m.label())
        .collect();
    let missing: Vec<String> = card
        .card
        .measures
        .values()
        .flat_map(|s| s.missing.iter().cloned())
        .collect();
    if !missing.is_empty() {
        b.push(Block::Body(format!(
            "{}部分台账尚未录入。{}以下指标暂无记录，未计入得分：{}。",
            next(),
            if empty.is_empty() {
                String::new()
            } else {
                format!("{}整项暂无数据；", empty.join("、"))
            },
            missing.join("；")
        )));
        found.push(Problem::NoData {
            measures: empty,
            missing,
        });
    }
    if found.is_empty() {
        b.push(Block::Body("本期记录中未发现突出问题。".into()));
    }
    found
}

/// The branches not holding organizational life as due, named, with the kinds they miss.
fn life_listed(
    l: &compliance::ComplianceReport,
    next: &mut impl FnMut() -> String,
    b: &mut Vec<Block>,
    found: &mut Vec<Problem>,
) {
    if l.noncompliant.is_empty() {
        return;
    }
    // The kinds most often short, and the branches named (the annex of the
    // organizational-life report lists what each missed).
    let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
    for o in &l.noncompliant {
        let mut seen: Vec<&str> = o.missing.iter().map(|x| x.kind).collect();
        seen.sort_unstable();
        seen.dedup();
        for k in seen {
            *kinds.entry(k).or_default() += 1;
        }
    }
    let mut kinds: Vec<(&str, usize)> = kinds.into_iter().collect();
    kinds.sort_by_key(|k| std::cmp::Reverse(k.1));
    let by_kind: Vec<String> = kinds
        .iter()
        .map(|(k, n)| {
            let label = MeetingKind::from_code(k).map_or(*k, |k| k.label());
            format!("{label}未达要求的{n}个")
        })
        .collect();
    let short: Vec<String> = l.noncompliant.iter().map(|o| o.org.name.clone()).collect();
    b.push(Block::Body(format!(
        "{}组织生活开展不规范。{}，应开展组织生活的党支部{}个，按规定开展的{}个（{}），未按规定开展的{}个（{}），如{}。其中本年未开展任何组织生活的{}个。",
        next(),
        l.judged_note,
        l.branches,
        l.compliant,
        pct(l.rate),
        l.noncompliant.len(),
        by_kind.join("、"),
        names(&short, "个"),
        l.held_nothing.len()
    )));
    found.push(Problem::Life {
        short: l.noncompliant.len(),
        branches: l.branches,
        rate: l.rate,
        nothing: l.held_nothing.len(),
    });
}

/// A large region's organizational life from the stored summaries: the counts, and the
/// children with the lowest rates named (each child's report names its branches).
fn life_summed(
    o: &compliance::Overview,
    next: &mut impl FnMut() -> String,
    b: &mut Vec<Block>,
    found: &mut Vec<Problem>,
) {
    let r = &o.org;
    let short = (r.branches - r.compliant).max(0) as usize;
    if short == 0 {
        return;
    }
    let mut kids: Vec<&compliance::OverviewRow> = o
        .children
        .iter()
        .filter(|c| c.branches > c.compliant)
        .collect();
    kids.sort_by(|a, b| {
        a.rate
            .unwrap_or(1.0)
            .total_cmp(&b.rate.unwrap_or(1.0))
            .then(a.org.code.cmp(&b.org.code))
    });
    let lowest: Vec<String> = kids
        .iter()
        .map(|c| {
            format!(
                "{}（{}，未按规定开展{}个）",
                c.org.name,
                pct(c.rate),
                c.branches - c.compliant
            )
        })
        .collect();
    let when = o
        .computed_at
        .as_deref()
        .map_or_else(String::new, |t| format!("（{}汇总）", china_time(t)));
    b.push(Block::Body(format!(
        "{}组织生活开展不规范。{}{when}，应开展组织生活的党支部{}个，按规定开展的{}个（{}），未按规定开展的{}个，其中本年未开展任何组织生活的{}个。达标率较低的下级党组织：{}。各党支部的情况见下级党组织的组织生活报告。",
        next(),
        o.judged_note,
        r.branches,
        r.compliant,
        pct(r.rate),
        short,
        r.held_nothing,
        names(&lowest, "个")
    )));
    found.push(Problem::Life {
        short,
        branches: r.branches as usize,
        rate: r.rate,
        nothing: r.held_nothing as usize,
    });
}

/// 四、下一步工作建议: one per problem, each citing the figure it comes from.
fn suggestions(problems: &[Problem], b: &mut Vec<Block>) {
    b.push(Block::Heading("四、下一步工作建议".into()));
    if problems.is_empty() {
        b.push(Block::Body(
            "保持现有工作力度，继续按时录入各项台账，下期再作比较。".into(),
        ));
    }
    for (i, p) in problems.iter().enumerate() {
        let text = match p {
            Problem::Weakest {
                measure,
                score,
                lowest,
                pulling,
                level,
                target,
                gain,
            } => {
                let mut t = format!(
                    "补齐“{}”短板。该项得分{score:.1}分，为五项最低",
                    measure.label()
                );
                if let Some((l, v, e)) = lowest {
                    t.push_str(&format!("，应首先抓{l}（{v:.1}分，{e}）"));
                }
                t.push('。');
                if !pulling.is_empty() {
                    t.push_str(&format!(
                        "对拉低该项最多的{}个{level}（{}）逐一分析原因、派员指导",
                        pulling.len(),
                        names(pulling, "个")
                    ));
                    if let Some(tg) = target {
                        t.push_str(&format!("，使其达到{tg:.1}分"));
                    }
                    if let Some((before, after, g)) = gain {
                        t.push_str(&format!(
                            "，预计可使加权平均分由{before:.1}分提高到{after:.1}分（提高{g:.1}分）"
                        ));
                    }
                    t.push('。');
                }
                t
            }
            Problem::Weak {
                weak,
                confirmed,
                suspected,
                cases,
                closed,
                overdue,
            } => {
                let mut t = format!("抓好软弱涣散党组织整顿。对有软弱涣散情形的{weak}个党组织，");
                if *suspected > 0 {
                    t.push_str(&format!("抓紧对待确定的{suspected}项逐一核实确定或排除；"));
                }
                if *cases > 0 {
                    t.push_str(&format!(
                        "已立案的{cases}个中尚有{}个未验收销号，逐一落实包联领导和帮扶部门{}。",
                        cases.saturating_sub(*closed),
                        if *overdue > 0 {
                            format!("，{overdue}项逾期整改措施限期完成")
                        } else {
                            String::new()
                        }
                    ));
                } else if *confirmed > 0 {
                    t.push_str(&format!("对已确定的{confirmed}项尽快立案整顿，落实包联领导和帮扶部门。"));
                } else {
                    t.push_str("确定后及时立案整顿。");
                }
                t
            }
            Problem::Life {
                short,
                branches,
                rate,
                nothing,
            } => format!(
                "规范组织生活。按规定开展率为{}，对未按规定开展的{short}个党支部（共{branches}个）逐一提醒、跟踪补课{}。",
                pct(*rate),
                if *nothing > 0 {
                    format!("，其中{nothing}个本年未开展任何组织生活的列为重点督查对象")
                } else {
                    String::new()
                }
            ),
            Problem::Structure { total, worst } => format!(
                "规范组织设置。对{total}处组织设置异常逐一核实整改，重点是{worst}，按期完成换届、配齐书记。"
            ),
            Problem::NoData { measures, missing } => format!(
                "补录基础台账。{}共{}项指标暂无记录（{}），录入后方能完整评价{}。",
                if measures.is_empty() {
                    String::new()
                } else {
                    format!("{}整项暂无数据，", measures.join("、"))
                },
                missing.len(),
                names(missing, "项"),
                if measures.is_empty() {
                    "各项检验标准".to_string()
                } else {
                    measures.join("、")
                }
            ),
        };
        b.push(Block::Body(format!("{}{text}", ordinal(i))));
    }
}

fn annexes(card: &Card, b: &mut Vec<Block>) {
    b.push(Block::Blank);
    b.push(Block::Heading("附件1　检验标准得分及指标".into()));
    let mut rows = Vec::new();
    for (m, s) in &card.card.measures {
        rows.push(vec![
            m.label().to_string(),
            "（合计）".into(),
            String::new(),
            String::new(),
            score_text(s.score),
            if s.missing.is_empty() {
                format!("有数据的权重{:.0}%", s.weight_with_data * 100.0)
            } else {
                format!("暂无数据：{}", s.missing.join("；"))
            },
        ]);
        for x in &s.indicators {
            rows.push(vec![
                String::new(),
                format!("{}{}", x.label, if x.manual { "（人工）" } else { "" }),
                x.num.to_string(),
                x.den.to_string(),
                score_text(x.score),
                x.evidence.clone(),
            ]);
        }
    }
    b.push(Block::Table {
        widths: vec![4, 6, 3, 3, 3, 8],
        header: ["检验标准", "指标", "分子", "分母", "得分", "依据"]
            .map(String::from)
            .to_vec(),
        rows,
    });
    if !card.children.is_empty() {
        b.push(Block::Blank);
        b.push(Block::Heading("附件2　下级党组织检验标准得分".into()));
        let mut header = vec!["党组织".to_string(), "组织数".into()];
        header.extend(Measure::ALL.iter().map(|m| m.label().to_string()));
        b.push(Block::Table {
            widths: vec![6, 3, 3, 3, 3, 3, 3],
            header,
            rows: card
                .children
                .iter()
                .map(|c| {
                    let mut r = vec![c.org.name.clone(), c.orgs.to_string()];
                    r.extend(c.scores.iter().map(|s| score_text(*s)));
                    r
                })
                .collect(),
        });
    }
    let ranked = [
        ("下级党组织", &card.weakest.children),
        ("基层党组织", &card.weakest.orgs),
    ];
    if let Some(m) = card.weakest.measure {
        let rows: Vec<Vec<String>> = ranked
            .iter()
            .flat_map(|(level, list)| {
                list.iter().map(move |c| {
                    vec![
                        level.to_string(),
                        card.name_of(c.org),
                        format!("{:.1}", c.score),
                        format!("{:.2}", c.contribution),
                    ]
                })
            })
            .collect();
        if !rows.is_empty() {
            b.push(Block::Blank);
            b.push(Block::Heading(format!(
                "附件3　拉低“{}”的党组织（木桶短板）",
                m.label()
            )));
            b.push(Block::Table {
                widths: vec![3, 8, 2, 3],
                header: ["层级", "党组织", "得分", "拉低分值"]
                    .map(String::from)
                    .to_vec(),
                rows,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_read_only_as_far_as_it_is_named_is_counted_in_full() {
        let items: Vec<String> = (1..=11).map(|i| format!("支部{i}")).collect();
        let ten = items[..10].join("、");
        assert_eq!(names_of(&items, 25, "处"), format!("{ten}等25处"));
        assert_eq!(names(&items, "个"), format!("{ten}等11个"));
        assert_eq!(names_of(&items[..3], 3, "处"), "支部1、支部2、支部3");
        // A list cut shorter than its count still says how many there are.
        assert_eq!(names_of(&items[..3], 5, "处"), "支部1、支部2、支部3等5处");
    }
}
