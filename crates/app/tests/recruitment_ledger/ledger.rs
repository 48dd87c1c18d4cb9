//! The ledger's people: 27 synthetic ways, by the book or with a planted violation, and
//! the row a county's ledger writes for each.

use chrono::{Days, Months, NaiveDate};

use super::common::*;

pub const HEADER: [&str; 32] = [
    "姓名",
    "身份证号",
    "民族",
    "学历",
    "工作岗位",
    "是否一线",
    "联系电话",
    "所在支部",
    "申请入党时间",
    "谈话日期",
    "列为积极分子时间",
    "培养联系人",
    "确定为发展对象时间",
    "入党介绍人",
    "政审日期",
    "集中培训学时",
    "支委会审查日期",
    "预审日期",
    "公示日期",
    "支部大会通过时间",
    "应到",
    "实到",
    "赞成",
    "反对",
    "弃权",
    "表决方式",
    "上级党委审批时间",
    "入党宣誓日期",
    "转正申请日期",
    "转正大会日期",
    "转正时间",
    "终止发展日期",
];

/// The dates and facts of one person's way as the ledger writes them.
#[derive(Clone, Default)]
pub struct Way {
    pub dates: [Option<NaiveDate>; 13],
    pub hours: Option<f64>,
    pub notice: Option<(NaiveDate, NaiveDate)>,
    pub counts: Option<[u32; 5]>,
    pub withdrawn: Option<NaiveDate>,
}

// Indexes into `Way::dates`.
pub const APPLY: usize = 0;
pub const TALK: usize = 1;
pub const ACTIVIST: usize = 2;
pub const CANDIDATE: usize = 3;
pub const REVIEW: usize = 4;
pub const COMMITTEE: usize = 5;
pub const PRE: usize = 6;
pub const VOTE: usize = 7;
pub const APPROVED: usize = 8;
pub const OATH: usize = 9;
pub const CONF_APPLIED: usize = 10;
pub const CONF_VOTE: usize = 11;
pub const CONFIRMED: usize = 12;

pub fn plus(day: NaiveDate, days: u64) -> NaiveDate {
    day + Days::new(days)
}

pub fn months(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_add_months(Months::new(n)).unwrap()
}

/// A way by the book from the application on `a` up to `level`: 0 applied, 1 talked to,
/// 2 activist, 3 candidate through 预审, 4 probationary through the oath, 5 confirmed.
pub fn clean(a: &str, level: u8) -> Way {
    let mut w = Way::default();
    let a = d(a);
    let activist = plus(a, 60);
    let candidate = months(activist, 13);
    let vote = plus(candidate, 80);
    let steps: [(usize, u8, NaiveDate); 13] = [
        (APPLY, 0, a),
        (TALK, 1, plus(a, 14)),
        (ACTIVIST, 2, activist),
        (CANDIDATE, 3, candidate),
        (REVIEW, 3, plus(candidate, 20)),
        (COMMITTEE, 3, plus(candidate, 50)),
        (PRE, 3, plus(candidate, 60)),
        (VOTE, 4, vote),
        (APPROVED, 4, plus(vote, 30)),
        (OATH, 4, plus(vote, 40)),
        (CONF_APPLIED, 5, months(vote, 12) - Days::new(5)),
        (CONF_VOTE, 5, plus(months(vote, 12), 5)),
        (CONFIRMED, 5, plus(months(vote, 12), 35)),
    ];
    for (i, at, on) in steps {
        if level >= at {
            w.dates[i] = Some(on);
        }
    }
    if level >= 3 {
        w.hours = Some(24.0);
    }
    if level >= 4 {
        w.notice = Some((vote - Days::new(14), vote - Days::new(2)));
        w.counts = Some([8, 8, 7, 1, 0]);
    }
    w
}

/// Who a row is about.
pub struct Who {
    pub name: &'static str,
    pub birth: &'static str,
    pub female: bool,
    pub edu: &'static str,
    pub front: bool,
    pub org: &'static str,
}

pub fn who(name: &'static str, org: &'static str) -> Who {
    Who {
        name,
        birth: "1995-01-01",
        female: false,
        edu: "高中",
        front: false,
        org,
    }
}

pub fn admitted(
    name: &'static str,
    org: &'static str,
    b: &'static str,
    f: bool,
    e: &'static str,
    front: bool,
) -> Who {
    Who {
        name,
        birth: b,
        female: f,
        edu: e,
        front,
        org,
    }
}

pub fn date_cell(on: Option<NaiveDate>) -> C {
    on.map_or(C::E, |d| s(&d.format("%Y.%m.%d").to_string()))
}

pub fn row(n: u16, p: &Who, w: &Way) -> Vec<C> {
    let sponsors = match p.org {
        "东村党支部" => "赵一、钱二",
        "西村第一党支部" => "冯九、陈十",
        _ => "褚甲、卫乙",
    };
    let has = |i: usize| w.dates[i].is_some();
    let number = |v: Option<f64>| v.map_or(C::E, C::N);
    let count = |i: usize| number(w.counts.map(|c| f64::from(c[i])));
    let idn = if p.name == "王八" {
        id(7, d(p.birth), true)
    } else {
        id(n, d(p.birth), p.female)
    };
    let [a, t, act, cand, rev, com, pre, vote, appr, oath, ca, cv, conf] = w.dates.map(date_cell);
    vec![
        s(p.name),
        s(&idn),
        s("汉族"),
        s(p.edu),
        s("农民"),
        s(if p.front { "是" } else { "否" }),
        C::E,
        s(p.org),
        a,
        t,
        act,
        s(if has(ACTIVIST) { "孙三" } else { "" }),
        cand,
        s(if has(CANDIDATE) { sponsors } else { "" }),
        rev,
        number(w.hours),
        com,
        pre,
        w.notice.map_or(C::E, |(f, t)| {
            s(&format!(
                "{}-{}",
                f.format("%Y.%-m.%-d"),
                t.format("%Y.%-m.%-d")
            ))
        }),
        vote,
        count(0),
        count(1),
        count(2),
        count(3),
        count(4),
        s(if w.counts.is_some() {
            "无记名投票"
        } else {
            ""
        }),
        appr,
        oath,
        ca,
        cv,
        conf,
        date_cell(w.withdrawn),
    ]
}

/// A person of the ledger: who, their way, the next due step expected.
pub type Person = (Who, Way, Option<(i64, Option<NaiveDate>)>);

/// The people of the ledger, each with their way and the next due step expected
/// (number and deadline; `None`: no step due).
pub fn people() -> Vec<Person> {
    let next = |w: &Way, level: u8| match level {
        0 => Some((2, Some(months(w.dates[APPLY].unwrap(), 1)))),
        1 => Some((3, None)),
        2 => Some((7, None)),
        3 => Some((15, None)),
        4 => Some((22, Some(months(w.dates[VOTE].unwrap(), 12)))),
        _ => None,
    };
    let mut out = Vec::new();
    let mut by_book = |p: Who, a: &str, level: u8| {
        let w = clean(a, level);
        let due = next(&w, level);
        out.push((p, w, due));
    };
    by_book(who("东申一", "东村党支部"), "2026-12-01", 0);
    by_book(who("东申二", "东村党支部"), "2026-07-01", 1);
    by_book(who("东积一", "东村党支部"), "2025-05-05", 2);
    by_book(who("东积二", "东村党支部"), "2026-06-01", 2);
    by_book(who("东发一", "东村党支部"), "2024-11-01", 3);
    by_book(
        admitted("东甲", "东村党支部", "1996-05-01", true, "大学本科", true),
        "2024-08-01",
        4,
    );
    by_book(
        admitted("东乙", "东村党支部", "1980-02-02", false, "高中", true),
        "2024-10-08",
        4,
    );
    by_book(who("东正", "东村党支部"), "2022-03-01", 5);
    by_book(who("西申", "西村第一党支部"), "2026-08-03", 1);
    by_book(who("西积", "西村第一党支部"), "2025-10-10", 2);
    by_book(who("西发", "西村第一党支部"), "2025-03-03", 3);
    by_book(
        admitted(
            "西甲",
            "西村第一党支部",
            "1999-09-09",
            false,
            "大学专科",
            false,
        ),
        "2025-01-06",
        4,
    );
    by_book(who("西正", "西村第一党支部"), "2023-01-10", 5);
    by_book(who("机申一", "镇机关党支部"), "2026-09-01", 1);
    by_book(who("机申二", "镇机关党支部"), "2026-11-02", 1);
    by_book(who("机积", "镇机关党支部"), "2026-03-02", 2);
    by_book(who("机发", "镇机关党支部"), "2025-06-02", 3);
    by_book(
        admitted("机甲", "镇机关党支部", "1994-01-01", true, "研究生", false),
        "2025-03-03",
        4,
    );
    by_book(who("机正", "镇机关党支部"), "2023-06-01", 5);
    out.extend(planted());
    out
}

/// The six planted violations, the person withdrawn and the one already on the roster.
pub fn planted() -> Vec<Person> {
    let at = |w: &mut Way, i: usize, on: &str| w.dates[i] = Some(d(on));
    let mut talk = clean("2026-03-02", 0);
    at(&mut talk, TALK, "2026-04-06");
    let mut early = clean("2024-12-01", 2);
    at(&mut early, CANDIDATE, "2025-12-10");
    let mut short = clean("2024-03-01", 3);
    short.dates[PRE] = None;
    short.hours = Some(16.0);
    let mut half = clean("2023-11-01", 4);
    half.counts = Some([8, 8, 4, 4, 0]);
    let mut late = clean("2022-09-01", 5);
    late.dates[CONFIRMED] = Some(months(late.dates[CONF_VOTE].unwrap(), 4) + Days::new(5));
    let mut notice = clean("2024-12-02", 4);
    notice.notice = Some((d("2026-05-11"), d("2026-05-13")));
    let mut gone = clean("2025-07-01", 2);
    gone.withdrawn = Some(d("2026-05-01"));
    let mut wang = clean("2024-03-01", 3);
    at(&mut wang, VOTE, "2026-05-01");
    at(&mut wang, APPROVED, "2026-05-20");
    wang.notice = Some((d("2026-04-17"), d("2026-04-29")));
    wang.counts = Some([8, 8, 7, 1, 0]);
    let half_due = Some((22, Some(months(half.dates[VOTE].unwrap(), 12))));
    let notice_due = Some((22, Some(months(notice.dates[VOTE].unwrap(), 12))));
    vec![
        (who("东谈话", "东村党支部"), talk, Some((3, None))),
        (who("西提前", "西村第一党支部"), early, Some((10, None))),
        (who("机培训", "镇机关党支部"), short, Some((13, None))),
        (who("东半数", "东村党支部"), half, half_due),
        (who("机迟批", "镇机关党支部"), late, None),
        (
            admitted("西公示", "西村第一党支部", "1990-06-15", true, "中专", true),
            notice,
            notice_due,
        ),
        (who("西终止", "西村第一党支部"), gone, None),
        (
            admitted("王八", "东村党支部", "2000-04-04", true, "高中", false),
            wang,
            Some((20, None)),
        ),
    ]
}

/// The violations planted: (person, rule, step).
pub const PLANTED: [(&str, &str, i64); 6] = [
    ("东谈话", "talk_within_months", 2),
    ("西提前", "activist_min_years_before_candidate", 7),
    ("机培训", "candidate_training_min_hours", 11),
    ("东半数", "vote_majority", 15),
    ("机迟批", "confirmation_within_months", 24),
    ("西公示", "notice_min_working_days", 15),
];

pub fn write_ledger(dir: &Dir) -> std::path::PathBuf {
    let rows: Vec<Option<Vec<C>>> = people()
        .iter()
        .enumerate()
        .map(|(i, (p, w, _))| Some(row(200 + i as u16, p, w)))
        .collect();
    let path = dir.file("发展党员台账.xlsx");
    xlsx(&path, "测试镇发展党员工作台账", &HEADER, &rows);
    path
}
