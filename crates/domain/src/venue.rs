//! 活动场所 (SPEC C7, issue #18 point 2): an org's venue, its facilities from a fixed list,
//! and the quarters in which no meeting was held there (铁将军把门) — judged only for
//! quarters that have ended and that the venue was in use for from their first day to
//! their last. 村（社区）书记报酬: the yearly standard a secretary's remuneration is read
//! against (dated rule data; the department may set its own).

use serde::{Deserialize, Serialize};

use crate::period::Period;
use crate::{Date, Domain};

pub const NAME_MAX: usize = 100;
pub const ADDRESS_MAX: usize = 200;
pub const SHARED_MAX: usize = 200;
pub const PAY_SOURCE_MAX: usize = 100;
/// The largest area taken (m²): beyond it is a typing slip.
pub const AREA_MAX: i64 = 100_000;
/// The largest yearly remuneration taken (元).
pub const PAY_MAX: i64 = 10_000_000;

/// The facilities a venue may list (the usual items of a 党群服务中心's checklist).
pub const FACILITIES: [(&str, &str); 8] = [
    ("activity_room", "党员活动室"),
    ("meeting_room", "会议室"),
    ("av_equipment", "电教设备"),
    ("library", "图书室"),
    ("service_hall", "便民服务大厅"),
    ("notice_board", "党务公开栏"),
    ("remote_education", "远程教育站点"),
    ("honor_wall", "党建文化墙"),
];

/// The label of a facility code.
pub fn facility_label(code: &str) -> Option<&'static str> {
    FACILITIES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// A facility as written: its code or its label.
pub fn facility_code(written: &str) -> Option<&'static str> {
    let w = written.trim();
    FACILITIES
        .iter()
        .find(|(c, l)| *c == w || *l == w)
        .map(|(c, _)| *c)
}

/// A refusal of a venue or a remuneration record: the field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueError {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> VenueError {
    VenueError {
        field,
        message: message.into(),
    }
}

/// A venue as entered, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VenueFields {
    pub name: String,
    pub address: String,
    /// m², when known.
    pub area: Option<i64>,
    /// Facility codes, in the list's order, each once.
    pub facilities: Vec<String>,
    pub shared_with: Option<String>,
    pub opened_on: Date,
}

/// Checks a venue as entered: a name and an address within their limits, an area in
/// whole m² (0 < area ≤ [`AREA_MAX`]), facilities from the list, the day it came into use
/// not after `today`.
pub fn check_venue(
    name: &str,
    address: &str,
    area: Option<i64>,
    facilities: &[String],
    shared_with: Option<&str>,
    opened_on: Date,
    today: Date,
) -> Result<VenueFields, VenueError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(refuse("name", "请填写场所名称"));
    }
    if name.chars().count() > NAME_MAX {
        return Err(refuse("name", format!("场所名称不超过{NAME_MAX}字")));
    }
    let address = address.trim();
    if address.is_empty() {
        return Err(refuse("address", "请填写地址"));
    }
    if address.chars().count() > ADDRESS_MAX {
        return Err(refuse("address", format!("地址不超过{ADDRESS_MAX}字")));
    }
    if let Some(a) = area {
        if a <= 0 || a > AREA_MAX {
            return Err(refuse(
                "area",
                format!("面积应为1至{AREA_MAX}之间的整数（平方米）"),
            ));
        }
    }
    let mut codes = Vec::new();
    for f in facilities.iter().filter(|f| !f.trim().is_empty()) {
        match facility_code(f) {
            Some(c) => codes.push(c),
            None => {
                let names: Vec<&str> = FACILITIES.iter().map(|(_, l)| *l).collect();
                return Err(refuse(
                    "facilities",
                    format!("无法识别的设施：{f}（应为{}）", names.join("、")),
                ));
            }
        }
    }
    let facilities = FACILITIES
        .iter()
        .filter(|(c, _)| codes.contains(c))
        .map(|(c, _)| c.to_string())
        .collect();
    let shared_with = shared_with
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if shared_with
        .as_ref()
        .is_some_and(|s| s.chars().count() > SHARED_MAX)
    {
        return Err(refuse(
            "shared_with",
            format!("共享情况不超过{SHARED_MAX}字"),
        ));
    }
    if opened_on > today {
        return Err(refuse("opened_on", "启用日期不能晚于今天"));
    }
    Ok(VenueFields {
        name: name.to_string(),
        address: address.to_string(),
        area,
        facilities,
        shared_with,
        opened_on,
    })
}

/// What a quarter says of a venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuarterState {
    /// Meetings were held there (how many).
    Used(i64),
    /// The quarter ended, the venue was in use all of it, and no meeting was held there:
    /// 铁将军把门.
    Idle,
    /// The running quarter without a meeting yet: not judged.
    Running,
    /// Not yet begun.
    Future,
    /// The venue was not in use for the whole quarter (opened or retired within it, or
    /// outside its life): not judged.
    NotInUse,
}

impl QuarterState {
    pub fn label(self) -> String {
        match self {
            QuarterState::Used(n) => format!("{n}次"),
            QuarterState::Idle => "铁将军把门".into(),
            QuarterState::Running => "本季度进行中".into(),
            QuarterState::Future => "—".into(),
            QuarterState::NotInUse => "未启用".into(),
        }
    }

    pub fn is_idle(self) -> bool {
        self == QuarterState::Idle
    }
}

/// The four quarters of `year` for a venue in use from `opened_on` until `retired_on`
/// (exclusive), with `held[q-1]` meetings held there in quarter `q`, as of `today`.
///
/// Fidelity: a quarter is judged only once it has ended (the running quarter may still
/// have its meeting), and only when the venue was in use from its first day to its last
/// (a venue opened in the middle of a quarter had no full quarter to be used in).
pub fn quarters(
    year: i32,
    opened_on: Date,
    retired_on: Option<Date>,
    held: [i64; 4],
    today: Date,
) -> [QuarterState; 4] {
    let mut out = [QuarterState::Future; 4];
    for q in 1..=4u32 {
        let p = Period::Quarter(year, q);
        let (first, last) = (p.first_day(), p.last_day());
        let n = held[(q - 1) as usize];
        out[(q - 1) as usize] = if first > today {
            QuarterState::Future
        } else if n > 0 {
            QuarterState::Used(n)
        } else if last >= today {
            QuarterState::Running
        } else if opened_on > first || retired_on.is_some_and(|r| r <= last) {
            QuarterState::NotInUse
        } else {
            QuarterState::Idle
        };
    }
    out
}

/// The first quarter of `year` that would be 铁将军把门 once it ended: in use all of it
/// and no meeting held there; `None` when none would. Not a function of the day, so it
/// can be stored: [`quarters`] calls a venue idle on `today` exactly when this is at most
/// [`ended_quarters`]`(year, today)`.
pub fn first_idle(
    year: i32,
    opened_on: Date,
    retired_on: Option<Date>,
    held: [i64; 4],
) -> Option<u32> {
    (1..=4u32).find(|&q| {
        let p = Period::Quarter(year, q);
        held[(q - 1) as usize] == 0
            && opened_on <= p.first_day()
            && retired_on.is_none_or(|r| r > p.last_day())
    })
}

/// How many quarters of `year` have ended before `today` (0 to 4).
pub fn ended_quarters(year: i32, today: Date) -> u32 {
    (1..=4u32)
        .filter(|&q| Period::Quarter(year, q).last_day() < today)
        .count() as u32
}

/// The quarter of a day, 1 to 4.
pub fn quarter_of(day: Date) -> u32 {
    match Period::quarter_of(day) {
        Period::Quarter(_, q) => q,
        _ => unreachable!("quarter_of gives a quarter"),
    }
}

/// 村（社区）书记报酬: the least yearly remuneration (元) of a village's and of a
/// community's secretary. No national figure: the shipped one is a local example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretaryPayRules {
    pub village_min_yuan: i64,
    pub community_min_yuan: i64,
    pub source: String,
}

impl Default for SecretaryPayRules {
    fn default() -> SecretaryPayRules {
        SecretaryPayRules {
            village_min_yuan: 36_000,
            community_min_yuan: 48_000,
            source: "本地示例（中央组织部等要求建立村干部报酬待遇正常增长机制，村党组织书记基本报酬原则上不低于上年度当地农村居民人均可支配收入的2倍、社区党组织书记报酬参照当地上年度城镇单位就业人员平均工资确定；具体标准由各地组织部门会同财政部门设定）".into(),
        }
    }
}

impl SecretaryPayRules {
    /// The standard for the secretary of an org of `domain`; `None`: neither a village
    /// nor a community (no standard applies).
    pub fn standard(&self, domain: Option<Domain>) -> Option<i64> {
        match domain {
            Some(Domain::Village) => Some(self.village_min_yuan),
            Some(Domain::Community) => Some(self.community_min_yuan),
            _ => None,
        }
    }

    /// Both figures positive and within [`PAY_MAX`].
    pub fn check(&self) -> Result<(), VenueError> {
        for (v, what) in [
            (self.village_min_yuan, "村党组织书记"),
            (self.community_min_yuan, "社区党组织书记"),
        ] {
            if v <= 0 || v > PAY_MAX {
                return Err(refuse(
                    "standard",
                    format!("{what}报酬标准应为1至{PAY_MAX}之间的整数（元）"),
                ));
            }
        }
        Ok(())
    }

    pub fn describe(&self) -> String {
        format!(
            "村党组织书记年报酬不低于{}元，社区党组织书记年报酬不低于{}元",
            self.village_min_yuan, self.community_min_yuan
        )
    }
}

/// A yearly remuneration as entered, checked: the amount in whole 元 (0 < amount ≤
/// [`PAY_MAX`]) and its source (财政补贴, 集体经济…) within its limit.
pub fn check_pay(amount: Option<i64>, source: &str) -> Result<(i64, String), VenueError> {
    let amount = amount.ok_or_else(|| refuse("amount", "请填写年报酬（元）"))?;
    if amount <= 0 || amount > PAY_MAX {
        return Err(refuse(
            "amount",
            format!("年报酬应为1至{PAY_MAX}之间的整数（元）"),
        ));
    }
    let source = source.trim();
    if source.is_empty() {
        return Err(refuse("source", "请填写报酬来源（如财政补贴、集体经济）"));
    }
    if source.chars().count() > PAY_SOURCE_MAX {
        return Err(refuse(
            "source",
            format!("报酬来源不超过{PAY_SOURCE_MAX}字"),
        ));
    }
    Ok((amount, source.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn an_unused_quarter_that_ended_is_flagged_the_running_one_is_not() {
        let q = quarters(2026, d("2025-06-01"), None, [2, 0, 0, 0], d("2026-08-15"));
        assert_eq!(
            q,
            [
                QuarterState::Used(2),
                QuarterState::Idle,
                QuarterState::Running,
                QuarterState::Future
            ]
        );
    }

    #[test]
    fn a_quarter_the_venue_was_not_in_use_for_wholly_is_not_judged() {
        // Opened on 2 April: the second quarter is not judged; retired in the third.
        let q = quarters(
            2026,
            d("2026-04-02"),
            Some(d("2026-09-01")),
            [0, 0, 0, 0],
            d("2026-12-06"),
        );
        assert_eq!(q[0], QuarterState::NotInUse);
        assert_eq!(q[1], QuarterState::NotInUse);
        assert_eq!(q[2], QuarterState::NotInUse);
        // Opened on the first day of the quarter: judged.
        let q = quarters(2026, d("2026-04-01"), None, [0; 4], d("2026-12-06"));
        assert_eq!(q[1], QuarterState::Idle);
        assert_eq!(q[3], QuarterState::Running);
    }

    #[test]
    fn the_last_day_of_a_quarter_is_still_running() {
        let q = quarters(2026, d("2020-01-01"), None, [0; 4], d("2026-03-31"));
        assert_eq!(q[0], QuarterState::Running);
        let q = quarters(2026, d("2020-01-01"), None, [0; 4], d("2026-04-01"));
        assert_eq!(q[0], QuarterState::Idle);
    }

    #[test]
    fn a_venue_is_checked() {
        let today = d("2026-12-06");
        let ok = check_venue(
            " 村党群服务中心 ",
            "某村1号",
            Some(300),
            &["图书室".into(), "activity_room".into()],
            Some(""),
            d("2020-01-01"),
            today,
        )
        .unwrap();
        assert_eq!(ok.name, "村党群服务中心");
        assert_eq!(ok.facilities, vec!["activity_room", "library"]);
        assert_eq!(ok.shared_with, None);
        let bad = |area, f: &str| {
            check_venue("a", "b", area, &[f.to_string()], None, today, today)
                .unwrap_err()
                .field
        };
        assert_eq!(bad(Some(0), ""), "area");
        assert_eq!(bad(None, "游泳池"), "facilities");
        assert_eq!(
            check_venue("", "b", None, &[], None, today, today)
                .unwrap_err()
                .field,
            "name"
        );
    }

    #[test]
    fn the_standard_reads_the_domain() {
        let r = SecretaryPayRules::default();
        assert_eq!(r.standard(Some(Domain::Village)), Some(36_000));
        assert_eq!(r.standard(Some(Domain::Community)), Some(48_000));
        assert_eq!(r.standard(Some(Domain::Organ)), None);
        assert_eq!(check_pay(Some(0), "财政").unwrap_err().field, "amount");
        assert_eq!(check_pay(Some(30_000), " ").unwrap_err().field, "source");
    }

    #[test]
    fn the_stored_first_idle_quarter_says_what_the_quarters_say_on_every_day() {
        let d = |s: &str| Date::parse_from_str(s, "%Y-%m-%d").unwrap();
        let opened = [
            d("2025-06-01"),
            d("2026-01-01"),
            d("2026-02-10"),
            d("2026-07-01"),
        ];
        let retired = [
            None,
            Some(d("2026-05-01")),
            Some(d("2026-09-30")),
            Some(d("2027-01-01")),
        ];
        let helds = [
            [0, 0, 0, 0],
            [1, 0, 2, 0],
            [3, 1, 1, 1],
            [0, 5, 0, 0],
            [2, 2, 0, 1],
        ];
        let mut idle_seen = 0;
        for o in opened {
            for r in retired {
                for h in helds {
                    let first = first_idle(2026, o, r, h);
                    let mut day = d("2025-12-20");
                    while day <= d("2027-01-10") {
                        let idle = quarters(2026, o, r, h, day).iter().any(|q| q.is_idle());
                        let stored = first.is_some_and(|f| f <= ended_quarters(2026, day));
                        assert_eq!(idle, stored, "{o} {r:?} {h:?} on {day}");
                        idle_seen += usize::from(idle);
                        day = day.succ_opt().unwrap();
                    }
                }
            }
        }
        assert!(idle_seen > 0, "some venue is idle on some day");
    }
}
