//! Fixtures: a synthetic township written as real spreadsheets, the way another tool would.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use jiceng_app::access::{Actor, Role};
use jiceng_app::audit;
use jiceng_app::import::{self, ImportOptions, ImportReport, NoProgress};
use jiceng_app::users::{self, NewUser, UserInfo};
use jiceng_app::{App, Crypto};
use jiceng_domain::IdNumber;
use jiceng_store::testing::TestDb;
use jiceng_store::Scope;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The day the fixtures are judged on.
pub const TODAY: &str = "2026-12-15";

pub fn app(db: &TestDb) -> App {
    let mut app = App::new(db.store.clone(), Crypto::from_key(&[42u8; 32]));
    app.fixed_today = Some(d(TODAY));
    app
}

/// A cell to write.
#[derive(Clone)]
pub enum C {
    S(String),
    N(f64),
    D(u16, u8, u8),
    E,
}

pub fn s(v: &str) -> C {
    if v.is_empty() {
        C::E
    } else {
        C::S(v.to_string())
    }
}

mod dir;
pub use dir::Dir;

/// Writes a sheet: a merged title row, the header, then rows (a `None` row is left blank).
pub fn xlsx(path: &Path, title: &str, header: &[&str], rows: &[Option<Vec<C>>]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date_fmt = Format::new().set_num_format("yyyy年m月d日");
    ws.merge_range(
        0,
        0,
        0,
        header.len() as u16 - 1,
        title,
        &Format::new().set_bold(),
    )
    .unwrap();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let Some(row) = row else { continue };
        let r = r as u32 + 2;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                C::S(v) => {
                    ws.write_string(r, c, v).unwrap();
                }
                C::N(v) => {
                    ws.write_number(r, c, *v).unwrap();
                }
                C::D(y, m, dd) => {
                    let dt = ExcelDateTime::from_ymd(*y, *m, *dd).unwrap();
                    ws.write_datetime_with_format(r, c, &dt, &date_fmt).unwrap();
                }
                C::E => {}
            }
        }
    }
    wb.save(path).unwrap();
}

pub const ORG_HEADER: [&str; 9] = [
    "党组织名称",
    "党组织类别",
    "上级党组织",
    "所属领域",
    "区划代码",
    "成立时间",
    "换届时间",
    "是否设立支委会",
    "组织代码",
];

/// The township's org tree (spreadsheet rows 3 and 5–9; row 4 is blank).
pub fn org_rows() -> Vec<Option<Vec<C>>> {
    vec![
        Some(vec![
            s("测试镇党委"),
            s("党委"),
            s(""),
            s("乡镇"),
            s("370102001"),
            s("1990.5.1"),
            s("2023年6月1日"),
            s("是"),
            s("T001"),
        ]),
        None,
        Some(vec![
            s("东村党支部"),
            s("党支部"),
            s("测试镇党委"),
            s("农村"),
            s("370102001001"),
            s("2001/07/01"),
            s("2024-01-10"),
            s("否"),
            s("T002"),
        ]),
        Some(vec![
            s("西村党总支"),
            s("党总支"),
            s("T001"),
            s("农村"),
            s("370102001002"),
            C::D(1998, 3, 1),
            s("20200315"),
            s("是"),
            s("T003"),
        ]),
        Some(vec![
            s("西村第一党支部"),
            s("党支部"),
            s("西村党总支"),
            s("农村"),
            s(""),
            s("2010.1"),
            s("2019.12.1"),
            s("否"),
            s("T004"),
        ]),
        Some(vec![
            s("镇机关党支部"),
            s("党支部"),
            s("测试镇党委"),
            s("机关"),
            s(""),
            s(" 2005.1.1 "),
            C::N(45352.0),
            s("否"),
            s("T005"),
        ]),
        Some(vec![
            s("南村党支部"),
            s("党支部"),
            s("东村党支部"),
            s("农村"),
            s(""),
            s("2015.01.01"),
            s("2026.1.5"),
            s("否"),
            s("T006"),
        ]),
    ]
}

pub const MEMBER_HEADER: [&str; 14] = [
    "姓名",
    "性别",
    "民族",
    "出生年月",
    "身份证号码",
    "文化程度",
    "党员类别",
    "入党时间",
    "转正时间",
    "职业",
    "手机号码",
    "所在党支部",
    "职务",
    "任职时间",
];

/// A synthetic ID number for the n-th invented person, born on `birth`, of a gender.
pub fn id(n: u16, birth: NaiveDate, female: bool) -> String {
    let seq = n * 2 + if female { 0 } else { 1 };
    IdNumber::synthesize("370102", birth, seq)
        .as_str()
        .to_string()
}

pub struct Person {
    pub name: &'static str,
    pub female: bool,
    pub birth: &'static str,
    pub org: &'static str,
    pub probationary: bool,
    pub position: &'static str,
}

/// 17 members: 东村 8 (7 full), 西村第一 2, 镇机关 3, 南村 3, 镇党委 1.
pub fn people() -> Vec<Person> {
    let p = |name, female, birth, org, probationary, position| Person {
        name,
        female,
        birth,
        org,
        probationary,
        position,
    };
    vec![
        p("赵一", false, "1970-03-12", "东村党支部", false, "书记"),
        p("钱二", true, "1975-06-01", "东村党支部", false, ""),
        p("孙三", false, "1960-01-20", "东村党支部", false, "组织委员"),
        p("李四", false, "1985-11-11", "东村党支部", false, ""),
        p("周五", true, "1990-02-02", "东村党支部", false, ""),
        p("吴六", false, "1955-08-08", "东村党支部", false, ""),
        p("郑七", false, "1968-12-30", "东村党支部", false, ""),
        p("王八", true, "2000-04-04", "东村党支部", true, ""),
        p("冯九", false, "1972-07-07", "西村第一党支部", false, ""),
        p("陈十", true, "1980-10-10", "西村第一党支部", false, ""),
        p("褚甲", false, "1978-05-05", "镇机关党支部", false, "书记"),
        p("卫乙", true, "1988-09-09", "镇机关党支部", false, ""),
        p("蒋丙", false, "1992-01-01", "镇机关党支部", false, ""),
        p("沈丁", false, "1965-03-03", "南村党支部", false, "书记"),
        p("韩戊", true, "1970-04-04", "南村党支部", false, ""),
        p("杨己", false, "1983-06-06", "南村党支部", false, ""),
        p("朱庚", false, "1969-02-02", "T001", false, "书记"),
    ]
}

pub fn member_row(i: usize, p: &Person) -> Vec<C> {
    let birth = d(p.birth);
    let mut idn = id(i as u16, birth, p.female);
    if i == 4 {
        // One number whose check character is X, written in lower case below.
        let mut k = i as u16;
        while !idn.ends_with('X') {
            k += 50;
            idn = id(k, birth, p.female);
        }
    }
    let joined = birth
        .checked_add_months(chrono::Months::new(12 * 25))
        .unwrap();
    let (status, joined, full) = if p.probationary {
        ("预备党员", d("2026-05-01"), C::E)
    } else {
        let f = joined.checked_add_months(chrono::Months::new(12)).unwrap();
        ("正式党员", joined, s(&f.format("%Y.%m.%d").to_string()))
    };
    // `match` rather than `i.is_multiple_of(2)`, which needs Rust 1.87.
    let birth_text = match i % 2 {
        0 => s(&birth.format("%Y年%m月%d日").to_string()),
        _ => s(&birth.format("%Y%m%d").to_string()),
    };
    vec![
        s(p.name),
        s(if p.female { "女" } else { "男" }),
        s(if i == 3 { "回族" } else { "汉族" }),
        birth_text,
        // Lower-case x, full-width digits and stray spaces, as rosters have them.
        s(&if i == 4 {
            format!(" {} ", idn.to_lowercase())
        } else {
            idn.clone()
        }),
        s(match i % 3 {
            0 => "大学本科",
            _ => "高中",
        }),
        s(status),
        C::D(
            joined.format("%Y").to_string().parse().unwrap(),
            joined.format("%m").to_string().parse().unwrap(),
            joined.format("%d").to_string().parse().unwrap(),
        ),
        full,
        s(match i % 2 {
            0 => "农民",
            _ => "公务员",
        }),
        s(if i == 1 {
            "１３８００００００１２"
        } else {
            ""
        }),
        s(p.org),
        s(p.position),
        s(if p.position.is_empty() {
            ""
        } else {
            "2024.1.1"
        }),
    ]
}

pub const UNIT_HEADER: [&str; 10] = [
    "单位名称",
    "统一社会信用代码",
    "单位类型",
    "行政区划代码",
    "经营状态",
    "从业人员数",
    "党员人数",
    "覆盖方式",
    "所属党组织",
    "党建工作指导员",
];

pub fn credit(serial: u64, kind: &str) -> String {
    jiceng_domain::CreditCode::synthesize(kind, "370102", serial)
        .as_str()
        .to_string()
}

pub fn unit_rows() -> Vec<Option<Vec<C>>> {
    vec![
        Some(vec![
            s("东村村委会"),
            s(""),
            s("农村"),
            s("370102001001"),
            s("存续"),
            C::N(12.0),
            C::N(7.0),
            s("单独组建"),
            s("东村党支部"),
            s(""),
        ]),
        Some(vec![
            s("西村村委会"),
            s(""),
            s("行政村"),
            s("370102001002"),
            s(""),
            s(""),
            s("2"),
            s("单独组建"),
            s("T003"),
            s(""),
        ]),
        Some(vec![
            s("甲公司"),
            s(&credit(1, "91")),
            s("非公有制企业"),
            s(""),
            s("在业"),
            s("50人"),
            C::N(4.0),
            s("联合组建"),
            s("东村党支部"),
            s(""),
        ]),
        Some(vec![
            s("乙公司"),
            s(&credit(2, "91")),
            s("民营企业"),
            s(""),
            s("存续"),
            C::N(8.0),
            C::N(1.0),
            s("联合组建"),
            s("东村党支部"),
            s(""),
        ]),
        Some(vec![
            s("丙公司"),
            s(&credit(3, "91")),
            s("非公有制企业"),
            s(""),
            s("存续"),
            C::N(30.0),
            C::N(0.0),
            s("党建工作指导员"),
            s("测试镇党委"),
            s("指导员甲"),
        ]),
        Some(vec![
            s("丁公司"),
            s(&credit(4, "91")),
            s("非公有制企业"),
            s(""),
            s("注销"),
            C::N(3.0),
            C::N(3.0),
            s("未覆盖"),
            s("测试镇党委"),
            s(""),
        ]),
        Some(vec![
            s("戊合作社"),
            s(&credit(5, "93")),
            s("农民合作社"),
            s(""),
            s("存续"),
            C::N(9.0),
            C::N(3.0),
            s("未覆盖"),
            s("测试镇党委"),
            s(""),
        ]),
        Some(vec![
            s("己协会"),
            s(&credit(6, "51")),
            s("社会团体"),
            s(""),
            s("存续"),
            C::N(5.0),
            C::N(0.0),
            s("未覆盖"),
            s("测试镇党委"),
            s(""),
        ]),
    ]
}

/// Writes the three files and returns their paths (orgs, members, units).
pub fn township(dir: &Dir) -> (PathBuf, PathBuf, PathBuf) {
    let orgs = dir.file("组织.xlsx");
    xlsx(&orgs, "测试镇党组织基本信息表", &ORG_HEADER, &org_rows());
    let members = dir.file("党员名册.xlsx");
    let rows: Vec<Option<Vec<C>>> = people()
        .iter()
        .enumerate()
        .map(|(i, p)| Some(member_row(i, p)))
        .collect();
    xlsx(&members, "测试镇党员花名册", &MEMBER_HEADER, &rows);
    let units = dir.file("单位.xlsx");
    xlsx(&units, "测试镇单位覆盖情况", &UNIT_HEADER, &unit_rows());
    (orgs, members, units)
}

/// An org key resolved for `actor` (what the front ends do at the edge), or the use
/// case's refusal.
#[allow(dead_code)]
pub async fn org(
    app: &App,
    actor: &jiceng_app::access::Actor,
    key: &str,
) -> jiceng_app::Result<jiceng_app::access::InScope<jiceng_app::OrgRecord>> {
    jiceng_app::access::resolve(app, actor, &jiceng_app::access::OrgKey::parse(Some(key))).await
}

/// The instant the session tests start at (10:00 in China on the fixtures' day).
pub fn t0() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-15T02:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// The same app with its clock stopped at `t`.
pub fn at(app: &App, t: chrono::DateTime<chrono::Utc>) -> App {
    let mut a = app.clone();
    a.fixed_now = Some(t);
    a
}

/// The same fixtures judged on another day.
pub fn on(db: &TestDb, today: &str) -> App {
    let mut a = app(db);
    a.fixed_today = Some(d(today));
    a
}

/// The county's organization department, over the whole tree.
pub fn dept() -> Actor {
    Actor::for_test(7, "zzb", Role::Department)
}

/// What an import file holds.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Orgs,
    Members,
    Units,
    Meetings,
}

/// Imports `file` as `kind`, asserting that no row was refused.
pub async fn import_clean(
    app: &App,
    kind: Kind,
    file: &Path,
    opts: &ImportOptions,
) -> ImportReport {
    let r = match kind {
        Kind::Orgs => import::orgs::run(app, file, opts, &NoProgress).await,
        Kind::Members => import::members::run(app, file, opts, &NoProgress).await,
        Kind::Units => import::units::run(app, file, opts, &NoProgress).await,
        Kind::Meetings => import::meetings::run(app, file, opts, &NoProgress).await,
    }
    .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    r
}

/// Writes the township and imports its orgs and members (and its units with `units`).
pub async fn load_township(app: &App, dir: &Dir, units: bool) {
    let (orgs, members, unit_file) = township(dir);
    let opts = ImportOptions::default();
    import_clean(app, Kind::Orgs, &orgs, &opts).await;
    import_clean(app, Kind::Members, &members, &opts).await;
    if units {
        import_clean(app, Kind::Units, &unit_file, &opts).await;
    }
}

/// The org `id` resolved for `actor` (not found when it lies outside the actor's scope).
pub async fn by_id(
    app: &App,
    actor: &Actor,
    id: i64,
) -> jiceng_app::Result<jiceng_app::access::InScope<jiceng_app::OrgRecord>> {
    jiceng_app::access::resolve(app, actor, &jiceng_app::access::OrgKey::Id(id)).await
}

/// Edits the org `id` as the front ends do: `actor`'s `Write` grant, the org resolved for
/// it, then `org_admin::edit`.
pub async fn edit_org(
    app: &App,
    actor: &Actor,
    id: i64,
    fields: &jiceng_app::org_admin::OrgFields,
    reason: &str,
) -> jiceng_app::Result<()> {
    let grant = actor.grant()?;
    jiceng_app::org_admin::edit(app, &grant, &by_id(app, actor, id).await?, fields, reason).await
}

/// Records a dated event of the org `id` as the front ends do: `actor`'s `Write` grant, the
/// org resolved for it, then `org_admin::record_event`.
pub async fn record_event(
    app: &App,
    actor: &Actor,
    id: i64,
    event: &jiceng_app::org_admin::EventInput,
    reason: &str,
) -> jiceng_app::Result<()> {
    let grant = actor.grant()?;
    let org = by_id(app, actor, id).await?;
    jiceng_app::org_admin::record_event(app, &grant, &org, event, reason).await
}

/// A discipline case the county's 纪委监委 reported, decided on `day` against `subject`
/// (`team`: a member of the org's team).
pub fn county_case(
    day: &str,
    subject: &str,
    summary: &str,
    sanction: Option<&str>,
    team: bool,
) -> jiceng_app::weak::NewCase {
    jiceng_app::weak::NewCase {
        decided_on: d(day),
        subject: subject.into(),
        summary: summary.into(),
        sanction: sanction.map(Into::into),
        source: "县纪委监委通报".into(),
        team,
    }
}

/// Creates an org below `parent` as the front ends do: `actor`'s `Write` grant, the parent
/// resolved for it, then `org_admin::create`; the new org's id.
pub async fn create_org(
    app: &App,
    actor: &Actor,
    parent: i64,
    fields: &jiceng_app::org_admin::OrgFields,
    reason: &str,
) -> jiceng_app::Result<i64> {
    let grant = actor.grant()?;
    jiceng_app::org_admin::create(
        app,
        &grant,
        &by_id(app, actor, parent).await?,
        fields,
        reason,
    )
    .await
}

/// The compliance report of the org `key`, resolved for `actor`, for `period`.
pub async fn compliance_of(
    app: &App,
    actor: &Actor,
    key: &str,
    period: jiceng_domain::Period,
) -> jiceng_app::reports::compliance::ComplianceReport {
    let org = org(app, actor, key).await.unwrap();
    jiceng_app::reports::compliance::run(app, &org, period)
        .await
        .unwrap()
}

/// An org key resolved as the command line resolves it (the whole tree).
pub async fn sys_org(app: &App, key: &str) -> jiceng_app::access::InScope<jiceng_app::OrgRecord> {
    org(app, &Actor::system(), key).await.unwrap()
}

/// The id of the org with `code`.
pub async fn org_id(app: &App, code: &str) -> i64 {
    app.resolve_org(&Scope::All, code).await.unwrap().org.id
}

/// Runs one SQL statement on the app's database (what no use case does: planting data).
pub async fn exec(app: &App, sql: &str) {
    let mut c = app.store().acquire().await.unwrap();
    sqlx::query(sql).execute(&mut *c).await.unwrap();
}

/// Adds an account as the command line does (`jiceng user add`).
pub async fn add_user(
    app: &App,
    username: &str,
    password: &str,
    role: Role,
    org: Option<&str>,
) -> jiceng_app::Result<UserInfo> {
    users::add_user(
        app,
        &Actor::system(),
        NewUser {
            username: username.into(),
            password: password.into(),
            role,
            org: org.map(str::to_string),
            member_id: None,
            display_name: None,
            must_change: false,
        },
    )
    .await
}

/// The audit log (its first 500 entries), as the command line reads it.
pub async fn audit_log(app: &App) -> Vec<audit::AuditEntry> {
    let grant = Actor::system().grant().unwrap();
    audit::list(app, &grant, 1, 500).await.unwrap().0
}

/// The columns of a meeting ledger (三会一课台账) as the townships keep it.
pub const LEDGER_HEADER: [&str; 11] = [
    "党组织",
    "会议类型",
    "会议日期",
    "会议主题",
    "应到人数",
    "实到人数",
    "请假人数",
    "主持人",
    "会议地点",
    "参加群众人数",
    "是否表决",
];

/// One ledger row under `LEDGER_HEADER`: `[expected, present, excused]` members, the
/// masses present and whether (and how) it voted.
pub fn ledger_row(
    org: &str,
    kind: &str,
    date: C,
    topic: &str,
    [expected, present, excused]: [f64; 3],
    masses: f64,
    votes: &str,
) -> Vec<C> {
    vec![
        s(org),
        s(kind),
        date,
        s(topic),
        C::N(expected),
        C::N(present),
        C::N(excused),
        s("书记"),
        s("党员活动室"),
        C::N(masses),
        s(votes),
    ]
}

/// The township (orgs, members, units) loaded into an app whose clock stands at `t0`.
pub async fn township_at_t0(db: &TestDb, label: &str) -> (App, Dir) {
    let app = at(&app(db), t0());
    let dir = Dir::new(label);
    load_township(&app, &dir, true).await;
    (app, dir)
}

/// Asserts where an import's errors are (row and column, in order) and, for each
/// `(i, words)` of `says`, that error `i` says `words`.
pub fn assert_errors(r: &ImportReport, at: &[(usize, &str)], says: &[(usize, &str)]) {
    let got: Vec<(usize, &str)> = r
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect();
    assert_eq!(got, at, "{:#?}", r.errors);
    for &(i, words) in says {
        let message = &r.errors[i].message;
        assert!(message.contains(words), "{i}: {message}");
    }
}

/// The id of the member named `name` (the fixtures' names are unique).
#[allow(dead_code)]
pub async fn member_named(app: &App, name: &str) -> i64 {
    let mut c = app.store().acquire().await.unwrap();
    sqlx::query_scalar("SELECT id FROM member WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *c)
        .await
        .expect("on the roster")
}

/// One 群众诉求 planted for `org`, received on 2026-03-01: resolved five days later with
/// `feedback`, or left open (the scorecard's and the analysis report's tests).
pub async fn request(
    app: &App,
    id: i64,
    org: &str,
    feedback: Option<jiceng_domain::mass_request::Feedback>,
) {
    let o = app
        .resolve_org(&jiceng_store::Scope::All, org)
        .await
        .unwrap();
    let (resolved, fb, days) = match feedback {
        Some(f) => ("'2026-03-06'".to_string(), format!("'{}'", f.code()), "5"),
        None => ("NULL".to_string(), "NULL".to_string(), "NULL"),
    };
    exec(
        app,
        &format!(
            "INSERT INTO mass_request (id, org_id, org_path, by_org_id, by_org_name, channel, \
             received_on, category, content, handler, resolved_on, result, feedback, \
             resolve_days, recorded_by, recorded_at) VALUES ({id}, {}, '{}', {}, '测试镇党委', \
             'Visit', '2026-03-01', 'Other', '道路', '张三', {resolved}, NULL, {fb}, {days}, \
             'zzb', '2026-03-01T00:00:00Z')",
            o.org.id, o.path, o.org.id
        ),
    )
    .await;
}
