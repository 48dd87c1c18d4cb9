//! 党员教育培训学时 (SPEC C3, R; issue #15 point 5): trainings and the hours each member
//! owes in a calendar year by the rule set in force on its last day — 32 学时, 56 for
//! secretaries and committee members (from the positions they held in the year). Hours
//! are counted in tenths (`3.5` 学时 = 35) so sums stay exact.
//!
//! A year not over is never a failure: before 12-31 a member short of hours is shown the
//! hours still to do (还差N学时), after it 未达标. A subtree with no hours recorded at all in
//! the year is 暂无数据, not "nobody trained".

use serde::{Deserialize, Serialize};

use crate::rules::RuleBook;
use crate::{Date, PositionKind};

/// How a training was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mode {
    /// 线下（集中培训、面授）.
    InPerson,
    /// 线上（网络培训）.
    Online,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::InPerson, Mode::Online];

    pub fn code(self) -> &'static str {
        match self {
            Mode::InPerson => "in_person",
            Mode::Online => "online",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Mode::InPerson => "线下",
            Mode::Online => "线上",
        }
    }

    pub fn from_code(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.code() == s)
    }

    /// A code or what a sign-in list writes (线上, 网络, 线下, 面授, 集中 …).
    pub fn parse(s: &str) -> Option<Mode> {
        let s = s.trim();
        if let Some(m) = Mode::from_code(s) {
            return Some(m);
        }
        match s {
            "线上" | "网络" | "网络培训" | "在线" | "线上培训" => Some(Mode::Online),
            "线下" | "面授" | "集中" | "集中培训" | "现场" | "线下培训" => {
                Some(Mode::InPerson)
            }
            _ => None,
        }
    }
}

/// Hours as written ("3", "3.5", "2.25" is refused: tenths only) → tenths.
pub fn parse_hours(s: &str) -> Result<i64, String> {
    let t = s.trim().trim_end_matches("学时").trim();
    let bad = || format!("学时应为不超过一位小数的正数：{s}");
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t, ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac = frac.trim_end_matches('0');
    let tenth: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse().map_err(|_| bad())?,
        _ => return Err(bad()),
    };
    let tenths = whole.checked_mul(10).and_then(|w| w.checked_add(tenth));
    match tenths {
        Some(n) if n > 0 && n <= MAX_TENTHS => Ok(n),
        Some(n) if n > MAX_TENTHS => Err(format!("一次培训的学时不超过{}：{s}", MAX_TENTHS / 10)),
        _ => Err(bad()),
    }
}

/// The most hours one training may credit (a 30-day course of 8 a day, with room).
pub const MAX_TENTHS: i64 = 3000;

/// Tenths as written: 35 → "3.5", 320 → "32".
pub fn hours_text(tenths: i64) -> String {
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, (tenths % 10).abs())
    }
}

/// Whether a position makes its holder owe the secretaries' and committee members' hours
/// (书记、副书记、委员; a group leader owes a member's).
pub fn is_leading(kind: PositionKind) -> bool {
    !matches!(kind, PositionKind::GroupLeader)
}

fn year_end(year: i32) -> Date {
    Date::from_ymd_opt(year, 12, 31).expect("a calendar year")
}

/// The hours (tenths) a member owes in `year`: the rule set in force on 12-31 of it,
/// the secretaries' figure when `leading` (held a leading position in the year).
pub fn required_tenths(rules: &RuleBook, year: i32, leading: bool) -> i64 {
    let t = &rules.in_force(year_end(year)).training;
    let h = if leading {
        t.secretary_hours_per_year
    } else {
        t.member_hours_per_year
    };
    (h * 10.0).round() as i64
}

/// Whether a position held from `started` to `ended` was held on some day of `year`.
pub fn held_in(year: i32, started: Option<Date>, ended: Option<Date>) -> bool {
    let first = Date::from_ymd_opt(year, 1, 1).expect("a calendar year");
    started.is_none_or(|s| s <= year_end(year)) && ended.is_none_or(|e| e >= first)
}

/// Whether `year` is over on `today` (judged only then).
pub fn year_over(year: i32, today: Date) -> bool {
    today > year_end(year)
}

/// One member's hours in a year against what they owe, on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    /// The hours are done.
    Met,
    /// The year is running and hours are still to do (还差N学时): progress, not failure.
    ToDo { missing: i64 },
    /// The year is over and the hours were not done (未达标).
    Short { missing: i64 },
}

impl Standing {
    /// `hours` and `required` in tenths.
    pub fn of(hours: i64, required: i64, year: i32, today: Date) -> Standing {
        let missing = required - hours;
        if missing <= 0 {
            Standing::Met
        } else if year_over(year, today) {
            Standing::Short { missing }
        } else {
            Standing::ToDo { missing }
        }
    }

    /// What a page prints: 已达标, 还差N学时, 未达标（差N学时）.
    pub fn label(self) -> String {
        match self {
            Standing::Met => "已达标".into(),
            Standing::ToDo { missing } => format!("还差{}学时", hours_text(missing)),
            Standing::Short { missing } => format!("未达标（差{}学时）", hours_text(missing)),
        }
    }

    pub fn is_met(self) -> bool {
        self == Standing::Met
    }
}

/// One member as the tally counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberYear {
    /// Hours in the year, tenths.
    pub hours: i64,
    /// Held a leading position (书记、副书记、委员) in the year.
    pub leading: bool,
    /// Secretary of a branch (党支部书记) in the year.
    pub branch_secretary: bool,
}

/// An org's subtree in one year (stored per org and year, rolled up the tree): the
/// members counted, those whose hours are done and those not yet (or not) done, the same
/// for the leading members, the branch secretaries without any hours, the hours summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub members: i64,
    pub met: i64,
    /// Members whose hours are not done (还差 while the year runs; 未达标 after it).
    pub short: i64,
    pub leading: i64,
    pub leading_short: i64,
    pub branch_secretaries: i64,
    /// Branch secretaries with no hours at all in the year (a staffing check).
    pub secretaries_untrained: i64,
    /// Members with any hours recorded in the year (0: 暂无数据).
    pub attended: i64,
    /// Hours summed, tenths.
    pub hours: i64,
    /// Members of orgs that recorded no hours at all in the year (none of their members
    /// has any): 暂无数据, counted neither done nor short ([`Tally::unrecorded_if_empty`]).
    #[serde(default)]
    pub unrecorded: i64,
}

impl Tally {
    /// Counts one member owing `required` tenths.
    pub fn add(&mut self, m: &MemberYear, required: i64) {
        let met = m.hours >= required;
        self.members += 1;
        self.met += i64::from(met);
        self.short += i64::from(!met);
        if m.leading {
            self.leading += 1;
            self.leading_short += i64::from(!met);
        }
        if m.branch_secretary {
            self.branch_secretaries += 1;
            self.secretaries_untrained += i64::from(m.hours == 0);
        }
        self.attended += i64::from(m.hours > 0);
        self.hours += m.hours;
    }

    /// An org's own members (not its subtree's) when none of them has any hours in the
    /// year: nothing was recorded there, so they are 暂无数据 — not short, and its secretary
    /// is not "without training" — rather than failures.
    pub fn unrecorded_if_empty(&mut self) {
        if self.attended == 0 && self.members > 0 {
            self.unrecorded += self.members - self.met;
            self.short = 0;
            self.leading_short = 0;
            self.secretaries_untrained = 0;
        }
    }

    pub fn merge(&mut self, o: &Tally) {
        self.members += o.members;
        self.met += o.met;
        self.short += o.short;
        self.leading += o.leading;
        self.leading_short += o.leading_short;
        self.branch_secretaries += o.branch_secretaries;
        self.secretaries_untrained += o.secretaries_untrained;
        self.attended += o.attended;
        self.hours += o.hours;
        self.unrecorded += o.unrecorded;
    }

    /// Whether anything was recorded (else 暂无数据).
    pub fn recorded(&self) -> bool {
        self.attended > 0
    }

    /// The share of members whose hours are done, judged: `None` while the year runs on
    /// `today` or when nothing is recorded (暂无数据), never a failure.
    pub fn judged_share(&self, year: i32, today: Date) -> Option<f64> {
        let judged = self.members - self.unrecorded;
        (year_over(year, today) && self.recorded() && judged > 0)
            .then(|| self.met as f64 / judged as f64)
    }
}

/// What a training must satisfy to be recorded: a title, dates in one calendar year not
/// after `today`, positive hours.
pub fn check(
    title: &str,
    starts_on: Date,
    ends_on: Date,
    hours: i64,
    today: Date,
) -> Result<(), (&'static str, String)> {
    if title.trim().is_empty() {
        return Err(("title", "请填写培训名称".into()));
    }
    if ends_on < starts_on {
        return Err((
            "ends_on",
            format!("结束日期{ends_on}早于开始日期{starts_on}"),
        ));
    }
    if chrono::Datelike::year(&ends_on) != chrono::Datelike::year(&starts_on) {
        return Err((
            "ends_on",
            "跨年度的培训请按年度分开登记（学时按自然年度计算）".into(),
        ));
    }
    if starts_on > today {
        return Err(("starts_on", format!("开始日期晚于今天：{starts_on}")));
    }
    if hours <= 0 || hours > MAX_TENTHS {
        return Err(("hours", "学时应为正数".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn hours_are_tenths() {
        assert_eq!(parse_hours("3"), Ok(30));
        assert_eq!(parse_hours("3.5"), Ok(35));
        assert_eq!(parse_hours(" 4.0学时"), Ok(40));
        assert_eq!(parse_hours(".5"), Ok(5));
        assert!(parse_hours("2.25").is_err());
        assert!(parse_hours("0").is_err());
        assert!(parse_hours("-3").is_err());
        assert!(parse_hours("三").is_err());
        assert!(parse_hours("301").is_err());
        assert_eq!(hours_text(35), "3.5");
        assert_eq!(hours_text(320), "32");
    }

    #[test]
    fn the_required_hours_come_from_the_rules_of_the_year() {
        let rules = RuleBook::shipped();
        assert_eq!(required_tenths(&rules, 2026, false), 320);
        assert_eq!(required_tenths(&rules, 2026, true), 560);
    }

    #[test]
    fn a_running_year_is_progress_not_failure() {
        let st = Standing::of(300, 320, 2026, d("2026-12-15"));
        assert_eq!(st, Standing::ToDo { missing: 20 });
        assert_eq!(st.label(), "还差2学时");
        let st = Standing::of(300, 320, 2026, d("2027-01-01"));
        assert_eq!(st.label(), "未达标（差2学时）");
        assert!(Standing::of(320, 320, 2026, d("2027-01-01")).is_met());
    }

    #[test]
    fn a_secretary_with_40_is_short_and_a_member_with_32_is_not() {
        let mut t = Tally::default();
        let sec = MemberYear {
            hours: 400,
            leading: true,
            branch_secretary: true,
        };
        let member = MemberYear {
            hours: 320,
            leading: false,
            branch_secretary: false,
        };
        t.add(&sec, 560);
        t.add(&member, 320);
        assert_eq!((t.members, t.met, t.short), (2, 1, 1));
        assert_eq!((t.leading, t.leading_short), (1, 1));
        assert_eq!((t.branch_secretaries, t.secretaries_untrained), (1, 0));
        assert_eq!(t.hours, 720);
        assert_eq!(t.judged_share(2026, d("2026-12-15")), None);
        assert_eq!(t.judged_share(2026, d("2027-01-02")), Some(0.5));
        assert_eq!(Tally::default().judged_share(2026, d("2027-01-02")), None);
        // An org that recorded nothing: its members are 暂无数据, not short; merged into a
        // parent they are left out of its share.
        let mut silent = Tally::default();
        silent.add(&sec, 560);
        silent.add(&member, 320);
        silent.hours = 0;
        silent.attended = 0;
        silent.met = 0;
        silent.short = 2;
        silent.unrecorded_if_empty();
        assert_eq!(
            (
                silent.short,
                silent.unrecorded,
                silent.secretaries_untrained
            ),
            (0, 2, 0)
        );
        t.merge(&silent);
        assert_eq!((t.members, t.short, t.unrecorded), (4, 1, 2));
        assert_eq!(t.judged_share(2026, d("2027-01-02")), Some(0.5));
    }

    #[test]
    fn positions_held_in_the_year() {
        assert!(held_in(2026, Some(d("2024-01-01")), None));
        assert!(!held_in(2026, Some(d("2024-01-01")), Some(d("2025-12-31"))));
        assert!(!held_in(2026, Some(d("2027-01-01")), None));
        assert!(held_in(2026, None, None));
    }

    #[test]
    fn a_training_is_within_one_year_and_not_in_the_future() {
        let today = d("2026-12-15");
        assert!(check("党史学习", d("2026-03-01"), d("2026-03-02"), 80, today).is_ok());
        assert_eq!(
            check("x", d("2026-12-30"), d("2027-01-02"), 80, d("2027-02-01"))
                .unwrap_err()
                .0,
            "ends_on"
        );
        assert_eq!(
            check("x", d("2026-12-20"), d("2026-12-20"), 80, today)
                .unwrap_err()
                .0,
            "starts_on"
        );
        assert_eq!(
            check(" ", d("2026-03-01"), d("2026-03-01"), 80, today)
                .unwrap_err()
                .0,
            "title"
        );
    }
}
