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

/// A subtree's weak orgs of a year, counted as the weak-org report counts them (each org
/// diagnosed, its weaknesses suspected from its signals or as decided): stored with each
/// org's scorecard by its build, so a province's report reads the counts instead of
/// diagnosing 300 thousand orgs. The counts add up the tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeakTally {
    /// Orgs diagnosed (rated orgs).
    pub diagnosed: i64,
    /// Orgs with a weakness not dismissed.
    pub weak_orgs: i64,
    /// Per kind of [`WeaknessKind::ALL`]: suspected, confirmed, dismissed.
    pub by_kind: [[i64; 3]; 8],
}

impl WeakTally {
    /// One org diagnosed, with its weaknesses (kind and status; none when sound).
    pub fn org(weaknesses: &[(WeaknessKind, Decision)]) -> WeakTally {
        let mut t = WeakTally {
            diagnosed: 1,
            weak_orgs: i64::from(weaknesses.iter().any(|w| w.1 != Decision::Dismissed)),
            ..Default::default()
        };
        for (kind, status) in weaknesses {
            let k = WeaknessKind::ALL
                .iter()
                .position(|x| x == kind)
                .unwrap_or(0);
            let s = match status {
                Decision::Suspected => 0,
                Decision::Confirmed => 1,
                Decision::Dismissed => 2,
            };
            t.by_kind[k][s] += 1;
        }
        t
    }

    pub fn add(&mut self, o: &WeakTally) {
        self.diagnosed += o.diagnosed;
        self.weak_orgs += o.weak_orgs;
        for (a, b) in self.by_kind.iter_mut().zip(o.by_kind) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
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
    low_satisfaction(&j, &mut out);
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

/// 懒: activity with the masses over the rule set's `masses_window_months` before the day.
/// The records of it are the 群众诉求 assigned to the org's subtree (SPEC C8) and the
/// meetings of the subtree recorded with people from outside the party (群众参与): a
/// request resolved or such a meeting held in the window clears it; neither while requests
/// lie open past the limit fires it; no record at all (or only requests still within
/// their limit) is 暂无数据 — registers not being used are not proof of idleness.
fn masses_work(j: &Judged<'_>, out: &mut Signals) {
    let Judged {
        facts,
        rules,
        life_judged,
        not_here,
        ..
    } = *j;
    let r = SignalRule::NoMassesActivity;
    if !life_judged {
        out.add(r, SignalState::NotApplicable, not_here.into());
        return;
    }
    let months = rules.masses_window_months;
    match facts
        .masses
        .filter(|m| m.received > 0 || m.overdue > 0 || m.meetings > 0)
    {
        None => out.add(
            r,
            SignalState::NoData,
            format!(
                "暂无数据：近{months}个月没有受理或交办的群众诉求记录，也没有记录群众参与的组织生活"
            ),
        ),
        Some(m) if m.resolved > 0 || m.meetings > 0 => {
            let mut said = Vec::new();
            if m.meetings > 0 {
                said.push(format!("群众参与的组织生活{}次", m.meetings));
            }
            if m.received > 0 || m.resolved > 0 {
                said.push(format!(
                    "受理群众诉求{}件，办结{}件",
                    m.received, m.resolved
                ));
            }
            if m.overdue > 0 {
                said.push(format!("{}件逾期未办结", m.overdue));
            }
            out.add(
                r,
                SignalState::Clear,
                format!("近{months}个月{}", said.join("，")),
            )
        }
        Some(m) if m.overdue > 0 => out.add(
            r,
            SignalState::Fired,
            format!(
                "近{months}个月没有办结的群众诉求，{}件逾期未办结（近{months}个月受理{}件）",
                m.overdue, m.received
            ),
        ),
        Some(m) => out.add(
            r,
            SignalState::NoData,
            format!(
                "暂无数据：近{months}个月受理的{}件群众诉求均在办理时限内",
                m.received
            ),
        ),
    }
}

/// 软: the org's latest 群众满意度测评 of the year closed by the day, against the rule
/// set's `satisfaction_min_share`; none closed, or none answered: 暂无数据, never 0.
fn low_satisfaction(j: &Judged<'_>, out: &mut Signals) {
    let r = SignalRule::LowSatisfaction;
    let min = j.rules.satisfaction_min_share;
    let standard = format!("标准：不低于{:.0}%", min * 100.0);
    match &j.facts.satisfaction {
        None => out.add(
            r,
            SignalState::NoData,
            format!("暂无数据：尚未开展群众满意度测评（{standard}）"),
        ),
        Some(s) => match s.rate() {
            None => out.add(
                r,
                SignalState::NoData,
                format!("暂无数据：{}（{standard}）", s.describe()),
            ),
            Some(rate) if rate < min => out.add(
                r,
                SignalState::Fired,
                format!("{}，低于{:.0}%", s.describe(), min * 100.0),
            ),
            Some(_) => out.add(
                r,
                SignalState::Clear,
                format!("{}（{standard}）", s.describe()),
            ),
        },
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
        facts
            .funding
            .operating_standard(set.standards.operating_funding_yuan),
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
        facts
            .funding
            .collective_standard(set.standards.collective_income_yuan),
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
mod tests;
