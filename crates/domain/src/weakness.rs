//! Diagnosis of weak and lax orgs (软弱涣散, SPEC C5 and R): the eight weaknesses 瘫 乱 散
//! 软 懒 弱 穷 贪, the signals derived from records that suggest them, and each signal's
//! evidence. Pure: the facts are those rating reads ([`OrgYearFacts`]).
//!
//! Every rule gives one of four states. A rule whose record does not exist (satisfaction,
//! funding not entered, discipline cases not entered, 乱 not reported) says "暂无数据", never
//! "fine". A suspected weakness is only a suggestion: the organization department confirms
//! or dismisses it with a reason.

use serde::{Deserialize, Serialize};

use crate::evidence::{ymd, yuan};
use crate::history::SecretaryState;
use crate::rating::IndicatorSet;
use crate::rules::WeakSignalRules;
use crate::year_facts::{
    elects_secretary, is_rated, months_between, recruited_within, CommitteeWindow, OrgYearFacts,
    Recruitment, WindowCheck,
};
use crate::{Date, OrgKind, Period, RuleBook};

/// The eight weaknesses (GLOSSARY), in the order the regulations list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum WeaknessKind {
    /// 瘫: the leadership is paralysed (secretary long vacant, committee not meeting).
    Paralysis,
    /// 乱: disorder (petitions, public order, clan or religious interference).
    Disorder,
    /// 散: organizational life not held, the team divided.
    Disunity,
    /// 软: a weak team that cannot lead (low satisfaction).
    Softness,
    /// 懒: idle, out of touch with the masses.
    Idleness,
    /// 弱: function weakened (no new members, ageing).
    Ineffectiveness,
    /// 穷: no funding, a weak collective economy.
    Poverty,
    /// 贪: discipline and law violated.
    Graft,
}

impl WeaknessKind {
    pub const ALL: [WeaknessKind; 8] = [
        WeaknessKind::Paralysis,
        WeaknessKind::Disorder,
        WeaknessKind::Disunity,
        WeaknessKind::Softness,
        WeaknessKind::Idleness,
        WeaknessKind::Ineffectiveness,
        WeaknessKind::Poverty,
        WeaknessKind::Graft,
    ];

    pub fn code(self) -> &'static str {
        match self {
            WeaknessKind::Paralysis => "Paralysis",
            WeaknessKind::Disorder => "Disorder",
            WeaknessKind::Disunity => "Disunity",
            WeaknessKind::Softness => "Softness",
            WeaknessKind::Idleness => "Idleness",
            WeaknessKind::Ineffectiveness => "Ineffectiveness",
            WeaknessKind::Poverty => "Poverty",
            WeaknessKind::Graft => "Graft",
        }
    }

    /// The one character of the formula (瘫 乱 散 软 懒 弱 穷 贪).
    pub fn char(self) -> &'static str {
        match self {
            WeaknessKind::Paralysis => "瘫",
            WeaknessKind::Disorder => "乱",
            WeaknessKind::Disunity => "散",
            WeaknessKind::Softness => "软",
            WeaknessKind::Idleness => "懒",
            WeaknessKind::Ineffectiveness => "弱",
            WeaknessKind::Poverty => "穷",
            WeaknessKind::Graft => "贪",
        }
    }

    /// The Chinese name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            WeaknessKind::Paralysis => "瘫（班子瘫痪）",
            WeaknessKind::Disorder => "乱（秩序混乱）",
            WeaknessKind::Disunity => "散（组织涣散）",
            WeaknessKind::Softness => "软（班子软弱）",
            WeaknessKind::Idleness => "懒（作风懒散）",
            WeaknessKind::Ineffectiveness => "弱（功能弱化）",
            WeaknessKind::Poverty => "穷（经济薄弱）",
            WeaknessKind::Graft => "贪（违纪违法）",
        }
    }

    pub fn from_code(s: &str) -> Option<WeaknessKind> {
        WeaknessKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Accepts the code (`Paralysis`, any case), the character (瘫) or the label.
    pub fn parse(s: &str) -> Option<WeaknessKind> {
        let s = s.trim();
        WeaknessKind::ALL
            .into_iter()
            .find(|k| k.code().eq_ignore_ascii_case(s) || k.char() == s || k.label() == s)
    }
}

/// The rules that derive signals (SPEC C5, R `weak_signals`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SignalRule {
    /// 瘫: the secretary's office vacant over `secretary_vacant_months`.
    SecretaryVacant,
    /// 瘫: a branch with a committee held no committee meeting in
    /// `no_committee_meeting_months`.
    NoCommitteeMeeting,
    /// 散: a whole quarter without organizational life, or less than
    /// `org_life_min_share` of the branch-level obligations met.
    OrgLifeNotHeld,
    /// 懒: no activity with the masses in a year (暂无数据 until such activity is
    /// recorded, SPEC C8).
    NoMassesActivity,
    /// 弱: a village that recruited nobody in `village_no_recruit_years`.
    NoRecruit,
    /// 软: satisfaction under `satisfaction_min_share` (no record yet).
    LowSatisfaction,
    /// 穷: operating funding below the standard of the indicator set.
    FundingBelowStandard,
    /// 穷: a village's collective income below the standard.
    CollectiveIncomeLow,
    /// 贪: discipline cases against the team (书记, 班子成员, 村干部) in the year.
    DisciplineCases,
    /// Any kind (乱 above all): reported by hand, with its source.
    ManualReport,
}

impl SignalRule {
    pub const ALL: [SignalRule; 10] = [
        SignalRule::SecretaryVacant,
        SignalRule::NoCommitteeMeeting,
        SignalRule::OrgLifeNotHeld,
        SignalRule::NoMassesActivity,
        SignalRule::NoRecruit,
        SignalRule::LowSatisfaction,
        SignalRule::FundingBelowStandard,
        SignalRule::CollectiveIncomeLow,
        SignalRule::DisciplineCases,
        SignalRule::ManualReport,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SignalRule::SecretaryVacant => "SecretaryVacant",
            SignalRule::NoCommitteeMeeting => "NoCommitteeMeeting",
            SignalRule::OrgLifeNotHeld => "OrgLifeNotHeld",
            SignalRule::NoMassesActivity => "NoMassesActivity",
            SignalRule::NoRecruit => "NoRecruit",
            SignalRule::LowSatisfaction => "LowSatisfaction",
            SignalRule::FundingBelowStandard => "FundingBelowStandard",
            SignalRule::CollectiveIncomeLow => "CollectiveIncomeLow",
            SignalRule::DisciplineCases => "DisciplineCases",
            SignalRule::ManualReport => "ManualReport",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SignalRule::SecretaryVacant => "书记空缺超过3个月",
            SignalRule::NoCommitteeMeeting => "6个月未召开支委会",
            SignalRule::OrgLifeNotHeld => "组织生活未按规定开展",
            SignalRule::NoMassesActivity => "一年内未开展联系服务群众活动",
            SignalRule::NoRecruit => "村党组织两年未发展党员",
            SignalRule::LowSatisfaction => "群众满意度低于60%",
            SignalRule::FundingBelowStandard => "运转经费低于标准",
            SignalRule::CollectiveIncomeLow => "村集体经济收入低于标准",
            SignalRule::DisciplineCases => "班子成员发生违纪违法案件",
            SignalRule::ManualReport => "人工报告",
        }
    }

    pub fn from_code(s: &str) -> Option<SignalRule> {
        SignalRule::ALL.into_iter().find(|r| r.code() == s)
    }

    /// The weakness a derived rule suggests (`None` for a manual report, which names it).
    pub fn kind(self) -> Option<WeaknessKind> {
        Some(match self {
            SignalRule::SecretaryVacant | SignalRule::NoCommitteeMeeting => WeaknessKind::Paralysis,
            SignalRule::OrgLifeNotHeld => WeaknessKind::Disunity,
            SignalRule::NoMassesActivity => WeaknessKind::Idleness,
            SignalRule::NoRecruit => WeaknessKind::Ineffectiveness,
            SignalRule::LowSatisfaction => WeaknessKind::Softness,
            SignalRule::FundingBelowStandard | SignalRule::CollectiveIncomeLow => {
                WeaknessKind::Poverty
            }
            SignalRule::DisciplineCases => WeaknessKind::Graft,
            SignalRule::ManualReport => return None,
        })
    }
}

/// What a rule found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalState {
    /// The signal fires: the weakness is suspected.
    Fired,
    /// Checked, and the record shows no problem.
    Clear,
    /// 暂无数据: the record the rule needs is missing.
    NoData,
    /// The rule does not apply to this org.
    NotApplicable,
}

impl SignalState {
    pub fn label(self) -> &'static str {
        match self {
            SignalState::Fired => "触发",
            SignalState::Clear => "正常",
            SignalState::NoData => "暂无数据",
            SignalState::NotApplicable => "不适用",
        }
    }
}

/// One rule's outcome for one org and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    pub rule: SignalRule,
    pub kind: WeaknessKind,
    pub state: SignalState,
    /// What the outcome rests on, in Chinese.
    pub evidence: String,
    /// Where a manual report comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// How the organization department decided a suspected weakness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Suspected,
    Confirmed,
    Dismissed,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Decision::Suspected => "suspected",
            Decision::Confirmed => "confirmed",
            Decision::Dismissed => "dismissed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Decision::Suspected => "疑似",
            Decision::Confirmed => "已确定",
            Decision::Dismissed => "已排除",
        }
    }

    pub fn from_code(s: &str) -> Option<Decision> {
        [
            Decision::Suspected,
            Decision::Confirmed,
            Decision::Dismissed,
        ]
        .into_iter()
        .find(|d| d.code() == s)
    }
}

fn month_label(p: Period) -> String {
    p.label()
}

fn window_text(w: &WindowCheck, as_of: Date) -> String {
    format!("{}至{}", month_label(w.from), ymd(as_of))
}

/// Every rule's outcome for one org and year, in the order of [`SignalRule::ALL`] (manual
/// reports last, one per report; 乱 with no report gives one "no data" outcome). Orgs that
/// are not rated (groups, local and working committees) get nothing.
pub fn diagnose(facts: &OrgYearFacts, set: &IndicatorSet, book: &RuleBook) -> Vec<Signal> {
    if !is_rated(facts.kind) {
        return vec![];
    }
    let is_branch = facts.kind == OrgKind::Branch;
    // Organizational life, committee meetings and masses work are judged at a standing
    // branch, or at the top org of a village (its branches' life summed); the branches
    // below a village top are judged there, the org a county rectifies.
    let j = Judged {
        facts,
        set,
        rules: &book.in_force(facts.as_of).weak_signals,
        as_of: facts.as_of,
        is_branch,
        life_judged: facts.village_top || (is_branch && !facts.under_village_top),
        not_here: if facts.under_village_top {
            "由所属村党组织统一研判（按全村统计）"
        } else {
            "组织生活按党支部统计"
        },
    };
    let mut out = Signals(Vec::new());
    secretary_vacant(&j, &mut out);
    no_committee_meeting(&j, &mut out);
    life_not_held(&j, &mut out);
    masses_work(&j, &mut out);
    no_recruit(&j, &mut out);
    // 软: satisfaction (no record exists yet).
    out.add(
        SignalRule::LowSatisfaction,
        SignalState::NoData,
        format!(
            "暂无数据：尚未开展群众满意度测评（标准：不低于{:.0}%）",
            j.rules.satisfaction_min_share * 100.0
        ),
    );
    operating_funding(&j, &mut out);
    collective_income(&j, &mut out);
    discipline_cases(&j, &mut out);
    manual_reports(facts, &mut out.0);
    out.0
}

/// Manual reports, one outcome each; 乱 is only ever reported by hand, so with no report
/// of it its outcome is "no data".
fn manual_reports(facts: &OrgYearFacts, out: &mut Vec<Signal>) {
    for m in &facts.manual_signals {
        out.push(Signal {
            rule: SignalRule::ManualReport,
            kind: m.kind,
            state: SignalState::Fired,
            evidence: m.evidence.clone(),
            source: Some(m.source.clone()),
        });
    }
    if !facts
        .manual_signals
        .iter()
        .any(|m| m.kind == WeaknessKind::Disorder)
    {
        out.push(Signal {
            rule: SignalRule::ManualReport,
            kind: WeaknessKind::Disorder,
            state: SignalState::NoData,
            evidence: "暂无数据：乱（信访矛盾、治安混乱、宗族宗教势力干扰等）须依据有关部门通报人工报告，尚无报告"
                .into(),
            source: None,
        });
    }
}

/// What every rule of one diagnosis reads.
#[derive(Clone, Copy)]
struct Judged<'a> {
    facts: &'a OrgYearFacts,
    set: &'a IndicatorSet,
    rules: &'a WeakSignalRules,
    as_of: Date,
    is_branch: bool,
    /// Organizational life is judged at this org (a standing branch, or a village's top).
    life_judged: bool,
    /// Why life is not judged here, when it is not.
    not_here: &'static str,
}

/// The outcomes of one diagnosis, in rule order.
struct Signals(Vec<Signal>);

impl Signals {
    fn add(&mut self, rule: SignalRule, state: SignalState, evidence: String) {
        self.0.push(Signal {
            rule,
            kind: rule.kind().expect("a derived rule"),
            state,
            evidence,
            source: None,
        });
    }
}

/// 瘫: secretary vacant (the office on the day judged).
fn secretary_vacant(j: &Judged<'_>, out: &mut Signals) {
    let Judged {
        facts,
        rules,
        as_of,
        ..
    } = *j;
    let limit = rules.secretary_vacant_months;
    let r = SignalRule::SecretaryVacant;
    if !elects_secretary(facts.kind) {
        out.add(r, SignalState::NotApplicable, "不设书记".into());
    } else {
        match facts.secretary {
            SecretaryState::InOffice => out.add(r, SignalState::Clear, "书记在岗".into()),
            SecretaryState::Unknown => out.add(
                r,
                SignalState::NoData,
                "暂无数据：未记录书记任职情况（党员名册无党内职务，或未录入书记任职）".into(),
            ),
            SecretaryState::Vacant { since } => {
                let months = months_between(since, as_of);
                let over = u32::try_from(limit.max(0))
                    .ok()
                    .and_then(|m| since.checked_add_months(chrono::Months::new(m)))
                    .is_none_or(|until| until < as_of);
                let text = format!("书记自{}起空缺，已{}个月", ymd(since), months);
                if over {
                    out.add(r, SignalState::Fired, format!("{text}（超过{limit}个月）"));
                } else {
                    out.add(
                        r,
                        SignalState::Clear,
                        format!("{text}（未超过{limit}个月）"),
                    );
                }
            }
        }
    }
}

/// 瘫: no committee meeting.
fn no_committee_meeting(j: &Judged<'_>, out: &mut Signals) {
    let Judged {
        facts,
        rules,
        as_of,
        is_branch,
        life_judged,
        not_here,
        ..
    } = *j;
    let r = SignalRule::NoCommitteeMeeting;
    let months = rules.no_committee_meeting_months;
    let body = if is_branch {
        "支部委员会"
    } else {
        "委员会"
    };
    match (&facts.life, life_judged) {
        (_, false) => out.add(r, SignalState::NotApplicable, not_here.into()),
        (None, true) => out.add(r, SignalState::NoData, "暂无数据：无组织生活统计".into()),
        (Some(l), true) => match &l.committee {
            CommitteeWindow::Unknown => out.add(
                r,
                SignalState::NoData,
                "暂无数据：未记录是否设立委员会".into(),
            ),
            CommitteeWindow::NoCommittee => {
                out.add(r, SignalState::NotApplicable, format!("未设{body}"))
            }
            CommitteeWindow::Young { since } => out.add(
                r,
                SignalState::NotApplicable,
                format!(
                    "{body}自{}起设立（或组织成立），不满{months}个月",
                    ymd(*since)
                ),
            ),
            CommitteeWindow::Unrecorded { from: None } => out.add(
                r,
                SignalState::NoData,
                format!("暂无数据：{body}会议尚无记录"),
            ),
            CommitteeWindow::Unrecorded { from: Some(f) } => out.add(
                r,
                SignalState::NoData,
                format!("暂无数据：台账自{}起，不足{months}个月，无法判断", ymd(*f)),
            ),
            CommitteeWindow::Judged(w) if w.held == 0 => out.add(
                r,
                SignalState::Fired,
                format!(
                    "{}未召开{body}会议（{months}个月以上）",
                    window_text(w, as_of)
                ),
            ),
            CommitteeWindow::Judged(w) => out.add(
                r,
                SignalState::Clear,
                format!("{}召开{body}会议{}次", window_text(w, as_of), w.held),
            ),
        },
    }
}

/// 散: organizational life not held.
fn life_not_held(j: &Judged<'_>, out: &mut Signals) {
    let Judged {
        facts,
        rules,
        life_judged,
        not_here,
        ..
    } = *j;
    let r = SignalRule::OrgLifeNotHeld;
    let min_share = rules.org_life_min_share;
    match (&facts.life, life_judged) {
        (_, false) => out.add(r, SignalState::NotApplicable, not_here.into()),
        (None, true) => out.add(r, SignalState::NoData, "暂无数据：无组织生活统计".into()),
        (Some(l), true) if l.records_from.is_none() => out.add(
            r,
            SignalState::NoData,
            "暂无数据：组织生活台账尚无记录（未导入台账，也未登记任何会议）".into(),
        ),
        (Some(l), true) if l.periods.is_empty() => out.add(
            r,
            SignalState::NoData,
            format!("暂无数据：{}年尚无已结束的季度", facts.year),
        ),
        (Some(l), true) if l.due == 0 => out.add(
            r,
            SignalState::NoData,
            format!(
                "暂无数据：台账自{}起，统计期间内尚无完整的统计周期",
                l.records_from.map(ymd).unwrap_or_default()
            ),
        ),
        (Some(l), true) => {
            let share = l.met as f64 / l.due as f64;
            let mut text = String::new();
            if !l.held_nothing.is_empty() {
                let qs: Vec<String> = l.held_nothing.iter().map(|q| q.label()).collect();
                text.push_str(&format!("{}未开展任何组织生活；", qs.join("、")));
            }
            let first = l.periods.first().map(|p| p.first_day());
            let first = match (first, l.records_from) {
                (Some(a), Some(r)) => Some(a.max(r)),
                (a, _) => a,
            };
            let last = l.periods.last().map(|p| p.last_day());
            let span = match (first, last) {
                (Some(a), Some(b)) => format!("{}至{}", ymd(a), ymd(b)),
                _ => String::new(),
            };
            text.push_str(&format!(
                "{span}应开展组织生活{}项，按规定开展{}项（{:.1}%）",
                l.due,
                l.met,
                share * 100.0
            ));
            if !l.held_nothing.is_empty() || share < min_share {
                out.add(r, SignalState::Fired, text);
            } else {
                out.add(r, SignalState::Clear, text);
            }
        }
    }
}

/// 懒: activity with the masses (志愿服务, 入户走访, 为民办实事) has no record of its
/// own yet (SPEC C8). Non-members at 三会一课, an optional ledger column, are not it.
fn masses_work(j: &Judged<'_>, out: &mut Signals) {
    let Judged {
        life_judged,
        not_here,
        ..
    } = *j;
    let r = SignalRule::NoMassesActivity;
    if life_judged {
        out.add(
            r,
            SignalState::NoData,
            "暂无数据：联系服务群众活动尚无记录".into(),
        );
    } else {
        out.add(r, SignalState::NotApplicable, not_here.into());
    }
}

/// 弱: no recruit in a village.
fn no_recruit(j: &Judged<'_>, out: &mut Signals) {
    let Judged {
        facts,
        rules,
        as_of,
        ..
    } = *j;
    let r = SignalRule::NoRecruit;
    let years = rules.village_no_recruit_years;
    match facts.recruitment {
        Recruitment::NotApplicable => out.add(r, SignalState::NotApplicable, "不是村党组织".into()),
        Recruitment::Unknown => out.add(
            r,
            SignalState::NoData,
            "暂无数据：入党日期汇总尚未计算（请运行 jiceng refresh）".into(),
        ),
        Recruitment::NoMembers => out.add(
            r,
            SignalState::NoData,
            "暂无数据：党员名册尚无记录（未导入本村党员）".into(),
        ),
        Recruitment::LastJoined(None) => out.add(
            r,
            SignalState::Fired,
            "没有本村发展党员的记录（在册党员均为转入）".into(),
        ),
        Recruitment::LastJoined(Some(d)) if recruited_within(d, as_of, years) => out.add(
            r,
            SignalState::Clear,
            format!("近{years}年发展了党员（最近入党日期{}）", ymd(d)),
        ),
        Recruitment::LastJoined(Some(d)) => out.add(
            r,
            SignalState::Fired,
            format!("近{years}年未发展党员（最近一名党员入党日期{}）", ymd(d)),
        ),
    }
}

/// 穷: operating funding.
fn operating_funding(j: &Judged<'_>, out: &mut Signals) {
    let Judged { facts, set, .. } = *j;
    let r = SignalRule::FundingBelowStandard;
    match (
        set.standards.operating_funding_yuan,
        facts.funding.operating_yuan,
    ) {
        (None, _) => out.add(r, SignalState::NotApplicable, "未设运转经费标准".into()),
        (Some(_), _) if facts.under_village_top => out.add(
            r,
            SignalState::NotApplicable,
            "村党组织的经费按村统计".into(),
        ),
        (Some(_), None) => out.add(
            r,
            SignalState::NoData,
            format!("暂无数据：未录入{}年度运转经费", facts.year),
        ),
        (Some(std), Some(v)) if v <= 0.0 => out.add(
            r,
            SignalState::Fired,
            format!("{}年度无运转经费（标准{}）", facts.year, yuan(std)),
        ),
        (Some(std), Some(v)) if v < std => out.add(
            r,
            SignalState::Fired,
            format!(
                "{}年度运转经费{}，低于标准{}",
                facts.year,
                yuan(v),
                yuan(std)
            ),
        ),
        (Some(std), Some(v)) => out.add(
            r,
            SignalState::Clear,
            format!("{}年度运转经费{}（标准{}）", facts.year, yuan(v), yuan(std)),
        ),
    }
}

/// 穷: collective income of a village.
fn collective_income(j: &Judged<'_>, out: &mut Signals) {
    let Judged { facts, set, .. } = *j;
    let r = SignalRule::CollectiveIncomeLow;
    match (
        facts.village_top,
        set.standards.collective_income_yuan,
        facts.funding.collective_income_yuan,
    ) {
        (false, _, _) => out.add(r, SignalState::NotApplicable, "不是村党组织".into()),
        (true, None, _) => out.add(
            r,
            SignalState::NotApplicable,
            "未设村集体经济收入标准".into(),
        ),
        (true, Some(_), None) => out.add(
            r,
            SignalState::NoData,
            format!("暂无数据：未录入{}年度村集体经济收入", facts.year),
        ),
        (true, Some(std), Some(v)) if v < std => out.add(
            r,
            SignalState::Fired,
            format!(
                "{}年度村集体经济收入{}，低于标准{}",
                facts.year,
                yuan(v),
                yuan(std)
            ),
        ),
        (true, Some(std), Some(v)) => out.add(
            r,
            SignalState::Clear,
            format!(
                "{}年度村集体经济收入{}（标准{}）",
                facts.year,
                yuan(v),
                yuan(std)
            ),
        ),
    }
}

/// 贪: discipline cases against the team (书记, 班子成员, 村干部). An empty register
/// is "no data", not "clean": the absence of a record does not show that nothing
/// happened. A member's own case does not mark the organization.
fn discipline_cases(j: &Judged<'_>, out: &mut Signals) {
    let Judged { facts, .. } = *j;
    let r = SignalRule::DisciplineCases;
    let team: Vec<String> = facts
        .discipline_cases
        .iter()
        .filter(|c| c.team)
        .map(|c| format!("{} {}", ymd(c.decided_on), c.summary))
        .collect();
    if facts.discipline_cases.is_empty() {
        out.add(
            r,
            SignalState::NoData,
            format!("暂无数据：未录入{}年度违纪违法案件", facts.year),
        );
    } else if team.is_empty() {
        out.add(
            r,
            SignalState::Clear,
            format!(
                "{}年度记录违纪违法案件{}起，均不涉及班子成员",
                facts.year,
                facts.discipline_cases.len()
            ),
        );
    } else {
        out.add(
            r,
            SignalState::Fired,
            format!(
                "{}年度记录涉及班子成员的违纪违法案件{}起：{}",
                facts.year,
                team.len(),
                team.join("；")
            ),
        );
    }
}

/// The weaknesses suggested by the fired signals, in kind order, each with its signals.
pub fn suspected(signals: &[Signal]) -> Vec<(WeaknessKind, Vec<&Signal>)> {
    let mut out: Vec<(WeaknessKind, Vec<&Signal>)> = Vec::new();
    for kind in WeaknessKind::ALL {
        let fired: Vec<&Signal> = signals
            .iter()
            .filter(|s| s.kind == kind && s.state == SignalState::Fired)
            .collect();
        if !fired.is_empty() {
            out.push((kind, fired));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rating::{
        CaseNote, FundingFacts, IndicatorBook, LifeSummary, LifeTotals, ManualSignal,
    };
    use crate::Domain;
    use std::collections::BTreeMap;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn set() -> IndicatorSet {
        IndicatorBook::shipped()
            .for_domain(Some(Domain::Village), d("2026-01-01"))
            .unwrap()
            .clone()
    }

    /// The rating tests' healthy village branch, judged on 2026-12-15 with three
    /// quarters of meetings and its committee meeting judged.
    fn healthy() -> OrgYearFacts {
        OrgYearFacts {
            as_of: d("2026-12-15"),
            life: Some(LifeSummary {
                periods: vec![
                    Period::Quarter(2026, 1),
                    Period::Quarter(2026, 2),
                    Period::Quarter(2026, 3),
                ],
                records_from: Some(d("2020-01-01")),
                due: 30,
                met: 30,
                quarters: vec![
                    Period::Quarter(2026, 1),
                    Period::Quarter(2026, 2),
                    Period::Quarter(2026, 3),
                ],
                held_nothing: vec![],
                committee: CommitteeWindow::Judged(WindowCheck {
                    from: Period::Month(2026, 6),
                    to: Period::Month(2026, 12),
                    held: 6,
                }),
                expected: 100,
                present: 90,
            }),
            subtree_life: LifeTotals::default(),
            manual_scores: BTreeMap::new(),
            ..crate::rating::tests::facts()
        }
    }

    fn state(f: &OrgYearFacts, rule: SignalRule) -> (SignalState, String) {
        let s = diagnose(f, &set(), &RuleBook::shipped());
        let x = s.iter().find(|s| s.rule == rule).unwrap();
        (x.state, x.evidence.clone())
    }

    #[test]
    fn codes_parse_and_every_rule_has_a_kind_or_is_manual() {
        for k in WeaknessKind::ALL {
            assert_eq!(WeaknessKind::from_code(k.code()), Some(k));
            assert_eq!(WeaknessKind::parse(k.char()), Some(k));
            assert_eq!(WeaknessKind::parse(&k.code().to_lowercase()), Some(k));
        }
        let chars: String = WeaknessKind::ALL.iter().map(|k| k.char()).collect();
        assert_eq!(chars, "瘫乱散软懒弱穷贪");
        for r in SignalRule::ALL {
            assert_eq!(SignalRule::from_code(r.code()), Some(r));
            assert_eq!(r.kind().is_none(), r == SignalRule::ManualReport);
        }
        assert_eq!(Decision::from_code("confirmed"), Some(Decision::Confirmed));
    }

    #[test]
    fn healthy_org_fires_nothing_and_missing_records_say_no_data() {
        let s = diagnose(&healthy(), &set(), &RuleBook::shipped());
        assert!(suspected(&s).is_empty(), "{s:?}");
        let no_data: Vec<SignalRule> = s
            .iter()
            .filter(|x| x.state == SignalState::NoData)
            .map(|x| x.rule)
            .collect();
        // 懒 is "no data" until activity with the masses is recorded (review error 3).
        assert_eq!(
            no_data,
            vec![
                SignalRule::NoMassesActivity,
                SignalRule::LowSatisfaction,
                SignalRule::DisciplineCases,
                SignalRule::ManualReport
            ]
        );
        for x in s.iter().filter(|x| x.state == SignalState::NoData) {
            assert!(x.evidence.starts_with("暂无数据"), "{}", x.evidence);
        }
        // Every derived rule answers once, plus 乱's "no data".
        assert_eq!(s.len(), SignalRule::ALL.len());
    }

    #[test]
    fn secretary_vacant_over_three_months() {
        let mut f = healthy();
        let vacant = |s: &str| SecretaryState::Vacant { since: d(s) };
        f.secretary = vacant("2026-08-15");
        let (st, ev) = state(&f, SignalRule::SecretaryVacant);
        assert_eq!(st, SignalState::Fired);
        assert_eq!(ev, "书记自2026-08-15起空缺，已4个月（超过3个月）");
        f.secretary = vacant("2026-09-15");
        assert_eq!(state(&f, SignalRule::SecretaryVacant).0, SignalState::Clear);
        // Exactly three months is not over three months.
        f.secretary = vacant("2026-09-14");
        assert_eq!(state(&f, SignalRule::SecretaryVacant).0, SignalState::Fired);
        // S2: nobody ever recorded is "no data", never vacant.
        f.secretary = SecretaryState::Unknown;
        assert_eq!(
            state(&f, SignalRule::SecretaryVacant).0,
            SignalState::NoData
        );
    }

    #[test]
    fn life_signals() {
        let mut f = healthy();
        let l = f.life.as_mut().unwrap();
        if let CommitteeWindow::Judged(w) = &mut l.committee {
            w.held = 0;
        }
        l.held_nothing = vec![Period::Quarter(2026, 2), Period::Quarter(2026, 3)];
        l.met = 10;
        let s = diagnose(&f, &set(), &RuleBook::shipped());
        let kinds: Vec<WeaknessKind> = suspected(&s).iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, vec![WeaknessKind::Paralysis, WeaknessKind::Disunity]);
        let (_, ev) = state(&f, SignalRule::OrgLifeNotHeld);
        assert_eq!(
            ev,
            "2026年第2季度、2026年第3季度未开展任何组织生活；2026-01-01至2026-09-30应开展组织生活30项，按规定开展10项（33.3%）"
        );
        let (_, ev) = state(&f, SignalRule::NoCommitteeMeeting);
        assert_eq!(ev, "2026年6月至2026-12-15未召开支部委员会会议（6个月以上）");
        // A low share alone fires too; a high one with no empty quarter does not.
        let mut g = healthy();
        g.life.as_mut().unwrap().met = 17;
        assert_eq!(state(&g, SignalRule::OrgLifeNotHeld).0, SignalState::Fired);
        g.life.as_mut().unwrap().met = 18;
        assert_eq!(state(&g, SignalRule::OrgLifeNotHeld).0, SignalState::Clear);
        // In the first quarter nothing is judged yet.
        g.life.as_mut().unwrap().periods.clear();
        assert_eq!(state(&g, SignalRule::OrgLifeNotHeld).0, SignalState::NoData);
        // Nothing recorded at all: no data, not "held nothing".
        let mut u = healthy();
        u.life.as_mut().unwrap().records_from = None;
        assert_eq!(state(&u, SignalRule::OrgLifeNotHeld).0, SignalState::NoData);
        // A committee of unknown existence, a young one, records too short: no verdict.
        let mut c = healthy();
        c.life.as_mut().unwrap().committee = CommitteeWindow::Unknown;
        assert_eq!(
            state(&c, SignalRule::NoCommitteeMeeting).0,
            SignalState::NoData
        );
        c.life.as_mut().unwrap().committee = CommitteeWindow::Young {
            since: d("2026-11-20"),
        };
        assert_eq!(
            state(&c, SignalRule::NoCommitteeMeeting).0,
            SignalState::NotApplicable
        );
        c.life.as_mut().unwrap().committee = CommitteeWindow::Unrecorded {
            from: Some(d("2026-10-01")),
        };
        assert_eq!(
            state(&c, SignalRule::NoCommitteeMeeting).0,
            SignalState::NoData
        );
        // A branch below a village top: judged at the top.
        let mut s = healthy();
        s.village_top = false;
        s.under_village_top = true;
        for r in [
            SignalRule::NoCommitteeMeeting,
            SignalRule::OrgLifeNotHeld,
            SignalRule::NoMassesActivity,
            SignalRule::FundingBelowStandard,
        ] {
            assert_eq!(state(&s, r).0, SignalState::NotApplicable, "{r:?}");
        }
        // A village general branch is judged on its branches' life (S14).
        let mut v = healthy();
        v.kind = OrgKind::GeneralBranch;
        v.life.as_mut().unwrap().held_nothing = vec![Period::Quarter(2026, 2)];
        assert_eq!(state(&v, SignalRule::OrgLifeNotHeld).0, SignalState::Fired);
        // Not a branch and not a village top: not applicable.
        let mut h = healthy();
        h.kind = OrgKind::GeneralBranch;
        h.village_top = false;
        h.life = None;
        for r in [
            SignalRule::NoCommitteeMeeting,
            SignalRule::OrgLifeNotHeld,
            SignalRule::NoMassesActivity,
        ] {
            assert_eq!(state(&h, r).0, SignalState::NotApplicable, "{r:?}");
        }
    }

    #[test]
    fn recruitment_funding_cases_and_manual_reports() {
        let mut f = healthy();
        f.recruitment = Recruitment::LastJoined(Some(d("2023-12-01")));
        let (st, ev) = state(&f, SignalRule::NoRecruit);
        assert_eq!(st, SignalState::Fired);
        assert_eq!(ev, "近2年未发展党员（最近一名党员入党日期2023-12-01）");
        f.recruitment = Recruitment::LastJoined(Some(d("2024-12-16")));
        assert_eq!(state(&f, SignalRule::NoRecruit).0, SignalState::Clear);
        f.recruitment = Recruitment::Unknown;
        assert_eq!(state(&f, SignalRule::NoRecruit).0, SignalState::NoData);
        // S24: a village whose roster is not loaded is "no data", not 弱.
        f.recruitment = Recruitment::NoMembers;
        assert_eq!(state(&f, SignalRule::NoRecruit).0, SignalState::NoData);

        f.funding.operating_yuan = Some(60_000.0);
        f.funding.collective_income_yuan = Some(30_000.0);
        assert_eq!(
            state(&f, SignalRule::FundingBelowStandard).1,
            "2026年度运转经费6.00万元，低于标准10.00万元"
        );
        assert_eq!(
            state(&f, SignalRule::CollectiveIncomeLow).0,
            SignalState::Fired
        );
        f.funding = FundingFacts::default();
        assert_eq!(
            state(&f, SignalRule::FundingBelowStandard).0,
            SignalState::NoData
        );
        f.village_top = false;
        assert_eq!(
            state(&f, SignalRule::CollectiveIncomeLow).0,
            SignalState::NotApplicable
        );

        // S15: a retired member's own case does not mark the organization 贪.
        f.discipline_cases.push(CaseNote {
            decided_on: d("2026-05-01"),
            summary: "党员：违规操办婚宴".into(),
            team: false,
        });
        let (st, ev) = state(&f, SignalRule::DisciplineCases);
        assert_eq!(st, SignalState::Clear);
        assert_eq!(ev, "2026年度记录违纪违法案件1起，均不涉及班子成员");
        f.discipline_cases.push(CaseNote {
            decided_on: d("2026-06-01"),
            summary: "村干部优亲厚友".into(),
            team: true,
        });
        assert_eq!(
            state(&f, SignalRule::DisciplineCases).1,
            "2026年度记录涉及班子成员的违纪违法案件1起：2026-06-01 村干部优亲厚友"
        );
        f.manual_signals.push(ManualSignal {
            kind: WeaknessKind::Disorder,
            evidence: "半年内群体性上访3次".into(),
            source: "县信访局通报".into(),
        });
        let s = diagnose(&f, &set(), &RuleBook::shipped());
        let sus = suspected(&s);
        let kinds: Vec<WeaknessKind> = sus.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, vec![WeaknessKind::Disorder, WeaknessKind::Graft]);
        assert_eq!(sus[0].1[0].source.as_deref(), Some("县信访局通报"));
        // No "no data" 乱 once a report exists.
        assert_eq!(
            s.iter()
                .filter(|x| x.kind == WeaknessKind::Disorder)
                .count(),
            1
        );
    }

    #[test]
    fn groups_and_local_committees_are_not_diagnosed() {
        let mut f = healthy();
        f.kind = OrgKind::Group;
        assert!(diagnose(&f, &set(), &RuleBook::shipped()).is_empty());
        f.kind = OrgKind::LocalCommittee;
        assert!(diagnose(&f, &set(), &RuleBook::shipped()).is_empty());
    }
}
