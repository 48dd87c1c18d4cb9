//! The demo's orgs and accounts' second factors, read for the command line's `demo`
//! (which must not reach the store itself).

use jiceng_domain::{Domain, OrgKind};
use jiceng_store::Scope;

use crate::{App, AppError, OrgRecord, Result};

/// The orgs the demo accounts are bound to, and a member of the branch.
pub struct DemoOrgs {
    pub county: OrgRecord,
    pub township: OrgRecord,
    pub branch: OrgRecord,
    pub member_id: i64,
    pub member_name: String,
}

/// Picks the demo's township (a township committee under the county), its branch with
/// the most village members (up to 40) and a member of it.
pub async fn pick_orgs(app: &App, county_code: &str) -> Result<DemoOrgs> {
    let county = app.resolve_org(&Scope::All, county_code).await?;
    let mut conn = app.store.acquire().await?;
    let kids = jiceng_store::orgs::children(&mut conn, &Scope::All, county.org.id)
        .await
        .unwrap_or_default();
    let township: OrgRecord = kids
        .iter()
        .find(|o| o.org.kind == OrgKind::PrimaryCommittee && o.org.domain == Some(Domain::Township))
        .or_else(|| kids.iter().find(|o| o.org.kind.is_committee()))
        .cloned()
        .ok_or_else(|| AppError::Input("演示县下没有乡镇党委".into()))?;
    let orgs = jiceng_store::orgs::list(&mut conn, &Scope::subtree(&township.path)).await?;
    let branch = orgs
        .iter()
        .filter(|o| o.org.kind == OrgKind::Branch && o.org.dissolved_on.is_none())
        .max_by_key(|o| {
            (
                o.org.domain == Some(Domain::Village),
                o.facts.direct_members.min(40),
                std::cmp::Reverse(o.org.id),
            )
        })
        .cloned()
        .ok_or_else(|| AppError::Input("演示乡镇下没有党支部".into()))?;
    let (members, _) = jiceng_store::browse::members_page(
        &mut conn,
        &Scope::All,
        &jiceng_store::browse::MemberFilter {
            org_id: Some(branch.org.id),
            ..Default::default()
        },
        0,
        1,
        Some(0),
    )
    .await?;
    let member = members
        .first()
        .ok_or_else(|| AppError::Input("演示支部没有党员".into()))?;
    Ok(DemoOrgs {
        county,
        township,
        branch,
        member_id: member.id,
        member_name: member.name.clone(),
    })
}

/// The confirmed TOTP secret (base32) of a demo account, if it has one.
pub async fn confirmed_secret(app: &App, username: &str) -> Result<Option<String>> {
    let mut conn = app.store.acquire().await?;
    let user = jiceng_store::users::get_by_username(&mut conn, &Scope::All, username)
        .await?
        .ok_or_else(|| AppError::Input(format!("演示账号 {username} 不存在")))?;
    let stored = jiceng_store::totp::get(&mut conn, user.id).await?;
    drop(conn);
    match stored {
        Some(t) if t.confirmed => Ok(Some(crate::totp::stored_secret_base32(app, &t.secret)?)),
        _ => Ok(None),
    }
}

/// A few letters of 组织关系转接 around the demo branch, so that its 关系转接 page and its
/// 本月待办 show the workflow: one received last month, one waiting to be received, and one
/// sent four months ago and never received (overdue on both sides). Answers how many.
pub async fn seed_transfers(app: &App, county_code: &str) -> Result<usize> {
    use crate::access::{Actor, TransferMembers};
    use crate::transfer::{self, NewLetter};
    let d = pick_orgs(app, county_code).await?;
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let others: Vec<OrgRecord> =
        jiceng_store::orgs::list(&mut conn, &Scope::subtree(&d.county.path))
            .await?
            .into_iter()
            .filter(|o| {
                o.org.kind == OrgKind::Branch
                    && o.org.dissolved_on.is_none()
                    && !o.path.starts_with(&d.township.path)
                    && o.facts.direct_members >= 5
            })
            .take(3)
            .collect();
    // The second member listed of each org (the first is often its secretary).
    let mut pick = Vec::new();
    for org in others.iter().chain([&d.branch]) {
        let (members, _) = jiceng_store::browse::members_page(
            &mut conn,
            &Scope::All,
            &jiceng_store::browse::MemberFilter {
                org_id: Some(org.org.id),
                ..Default::default()
            },
            0,
            3,
            Some(0),
        )
        .await?;
        pick.push(
            members
                .iter()
                .filter(|m| m.id != d.member_id)
                .nth(1)
                .map(|m| m.id),
        );
    }
    drop(conn);
    let [Some(a), Some(b), Some(_), Some(mine)] = pick[..] else {
        return Ok(0);
    };
    let grant = Actor::system().grant::<TransferMembers>()?;
    let days = |n: u64| today - chrono::Days::new(n);
    let letter = |to: &OrgRecord, on, reason: &str| NewLetter {
        to: Some(to.org.id.to_string()),
        issued_on: on,
        reason: reason.into(),
        ..NewLetter::default()
    };
    let received =
        transfer::issue(app, &grant, a, &letter(&d.branch, days(40), "回村居住")).await?;
    transfer::receive(app, &grant, received, days(30)).await?;
    transfer::issue(app, &grant, b, &letter(&d.branch, days(6), "到本村务工")).await?;
    let four_months = today
        .checked_sub_months(chrono::Months::new(4))
        .unwrap_or(today);
    transfer::issue(
        app,
        &grant,
        mine,
        &letter(&others[2], four_months, "工作调动"),
    )
    .await?;
    Ok(3)
}

/// 党费 for the demo township, so its 党费收缴 pages and the county's 收缴统计 have figures:
/// each member assessed from January (the category from the roster's occupation, a pay
/// from the member's id), each month paid up to the last one over — except every
/// eleventh member, who stopped paying in the spring (six months unpaid: flagged), and the
/// running month, which about half have paid. Answers (members assessed, months paid).
pub async fn seed_dues(app: &App, county_code: &str) -> Result<(usize, usize)> {
    use jiceng_domain::dues::{self as rule, DuesCategory};
    use jiceng_domain::Period;
    use jiceng_store::dues::{self as store, StoredBase, StoredPayment};
    let d = pick_orgs(app, county_code).await?;
    let today = app.today();
    let current = Period::month_of(today);
    let Period::Month(year, _) = current else {
        return Ok((0, 0));
    };
    let january = Period::Month(year, 1);
    let mut conn = app.store.acquire().await?;
    let orgs = jiceng_store::orgs::list(&mut conn, &Scope::subtree(&d.township.path)).await?;
    let ids: Vec<i64> = orgs.iter().map(|o| o.org.id).collect();
    let members = jiceng_store::members::of_orgs(&mut conn, &ids).await?;
    drop(conn);
    let first = app
        .store
        .reserve_ids("dues_base", members.len() as i64)
        .await?;
    let now = app.now().to_rfc3339();
    let (mut bases, mut payments) = (Vec::new(), Vec::new());
    for (i, m) in members.iter().enumerate() {
        let job = m.occupation.as_deref().unwrap_or("");
        let (category, amount) = if job.contains("退休") {
            (DuesCategory::Retired, Some(2500 + (m.id % 40) * 100))
        } else if job.contains("农") || job.contains("牧") || job.contains("渔") {
            (DuesCategory::Farmer, Some(50))
        } else if job.contains("学生") {
            (DuesCategory::Student, None)
        } else {
            (DuesCategory::Salaried, Some(2600 + (m.id % 90) * 100))
        };
        let from = january.max(Period::month_of(m.joined_on));
        let amount_fen = amount.map(|y| {
            if category == DuesCategory::Farmer {
                y
            } else {
                y * 100
            }
        });
        let monthly = rule::monthly(
            &app.rules,
            from.first_day(),
            category,
            amount_fen.map(|f| f as f64 / 100.0),
        )
        .unwrap_or(20);
        bases.push(StoredBase {
            id: first + i as i64,
            member_id: m.id,
            from_month: from.month_key().unwrap_or_default(),
            category: category.code().to_string(),
            base_fen: amount_fen,
            monthly_fen: monthly,
            recorded_by: "demo".into(),
            recorded_at: now.clone(),
        });
        let stopped = i % 11 == 5;
        for month in rule::months(from, current) {
            let paid = if month == current {
                i % 2 == 0 && !stopped
            } else {
                !stopped || month < Period::Month(year, 4)
            };
            if paid {
                let day = if month == current {
                    today
                } else {
                    month.last_day()
                };
                payments.push(StoredPayment {
                    member_id: m.id,
                    month: month.month_key().unwrap_or_default(),
                    org_id: m.org_id,
                    amount_fen: monthly,
                    paid_on: day.min(today),
                    recorded_by: "demo".into(),
                    recorded_at: now.clone(),
                });
            }
        }
    }
    let lapse = app.rules.in_force(today).membership.lapse_months;
    let mut tx = app.store.begin().await?;
    for b in &bases {
        store::set_base(&mut tx, b).await?;
    }
    for chunk in payments.chunks(2_000) {
        store::pay(&mut tx, chunk).await?;
    }
    for month in rule::months(january, current) {
        store::refresh(&mut tx, &ids, month, lapse).await?;
    }
    tx.commit().await?;
    Ok((bases.len(), payments.len()))
}

/// 任务督办 for the demo: the county asks its village branches for a winter visit (one
/// figure the system holds, two new questions) and its townships for this year's
/// elections, which the demo township passes down to its branches; the township itself
/// sent its branches a records check three weeks ago (due five days ago: some reported,
/// some overdue) and three more this month — so its villages are over the monthly ceiling
/// of the burden ledger. Answers the tasks issued.
pub async fn seed_tasks(app: &App, county_code: &str) -> Result<usize> {
    use crate::access::{Actor, IssueTasks, Role};
    use crate::tasks::{self, Draft, Report, TargetFilter};
    use jiceng_domain::task::{AnswerKind, FieldDraft};
    let d = pick_orgs(app, county_code).await?;
    let today = app.today();
    let dept = Actor::for_demo(Role::Department, &d.county);
    let committee = Actor::for_demo(Role::Committee, &d.township);
    let county = crate::access::InScope::proven(d.county.clone());
    let township = crate::access::InScope::proven(d.township.clone());
    let asked = |label: &str, kind| FieldDraft {
        label: label.into(),
        kind: Some(kind),
        held: None,
        ask_anyway: false,
    };
    let draft = |title: &str, content: &str, days: i64, fields, kinds, domains| Draft {
        title: title.into(),
        content: content.into(),
        deadline: Some(today + chrono::Duration::days(days)),
        fields,
        filter: TargetFilter {
            kinds,
            domains,
            under: None,
            weak_only: false,
        },
    };
    let issue_dept = dept.grant::<IssueTasks>()?;
    let issue_town = committee.grant::<IssueTasks>()?;
    let mut issued = 0;
    // Three weeks ago, due five days ago: two of three branches reported.
    let mut past = app.clone();
    past.fixed_today = Some(today - chrono::Duration::days(21));
    let check = tasks::issue(
        &past,
        &issue_town,
        &township,
        &draft(
            "党员信息采集核对",
            "请各党支部对照名册核对党员信息，有变动的及时更新，并报告核对情况。",
            -5,
            vec![
                asked("正式党员人数", AnswerKind::Number),
                asked("信息有变动的党员人数", AnswerKind::Number),
            ],
            vec![OrgKind::Branch],
            vec![],
        ),
        None,
    )
    .await?;
    issued += 1;
    let mut conn = app.store.acquire().await?;
    let lines = jiceng_store::tasks::targets(&mut conn, check.id, &township.subtree()).await?;
    drop(conn);
    let mut reported_day = app.clone();
    reported_day.fixed_today = Some(today - chrono::Duration::days(9));
    for (i, l) in lines.iter().enumerate().filter(|(i, _)| i % 3 != 2) {
        let r = Report {
            done: true,
            progress: "已逐一核对".into(),
            answers: vec![String::new(), (i % 4).to_string()],
            evidence: "核对表存支部".into(),
        };
        report_as_secretary(&reported_day, l.org_id, check.id, &r).await?;
    }
    // This month: the county's winter visit to the villages.
    let visit = tasks::issue(
        app,
        &issue_dept,
        &county,
        &draft(
            "冬季走访慰问摸底",
            "请各村党支部开展冬季走访慰问，摸清困难党员和困难群众情况，报送走访情况。",
            10,
            vec![
                asked("正式党员人数", AnswerKind::Number),
                asked("走访困难党员和群众户数", AnswerKind::Number),
                asked("存在的困难和问题", AnswerKind::Text),
            ],
            vec![OrgKind::Branch],
            vec![Domain::Village],
        ),
        None,
    )
    .await?;
    issued += 1;
    // The townships' elections, passed down by the demo township.
    let elections = tasks::issue(
        app,
        &issue_dept,
        &county,
        &draft(
            "村（社区）党组织换届情况统计",
            "请各乡镇党委统计所属村（社区）党组织换届情况，年底前报县委组织部。",
            20,
            vec![asked("应换届的党组织数", AnswerKind::Number)],
            vec![OrgKind::PrimaryCommittee, OrgKind::WorkingCommittee],
            vec![Domain::Township, Domain::Street],
        ),
        None,
    )
    .await?;
    issued += 1;
    let (_, mut down) = tasks::pass_down_draft(app, &township, elections.id).await?;
    down.title = "党支部换届情况报告".into();
    down.content = "请各党支部报告本届支部委员会选举日期和下一次换届时间。".into();
    down.fields = vec![asked("下一次换届时间", AnswerKind::Text)];
    down.filter.kinds = vec![OrgKind::Branch];
    tasks::issue(app, &issue_town, &township, &down, Some(elections.id)).await?;
    issued += 1;
    // Three more of the township's own this month: its villages go over the ceiling. The
    // photos' task asks for the sign-in sheet as a file.
    let mut sheets_task = 0;
    for (title, content, fields) in [
        (
            "冬季安全生产检查",
            "请各党支部组织党员开展冬季安全生产隐患排查。",
            vec![],
        ),
        (
            "主题党日活动照片报送",
            "请各党支部报送本月主题党日活动照片和签到表。",
            vec![asked("主题党日签到表", AnswerKind::File)],
        ),
        (
            "年终党建工作总结",
            "请各党支部总结本年度党建工作，列明存在问题和明年打算。",
            vec![],
        ),
    ] {
        let asks_file = !fields.is_empty();
        let t = tasks::issue(
            app,
            &issue_town,
            &township,
            &draft(title, content, 7, fields, vec![OrgKind::Branch], vec![]),
            None,
        )
        .await?;
        if asks_file {
            sheets_task = t.id;
        }
        issued += 1;
    }
    // Two branches have uploaded their sign-in sheet (a workbook of their members).
    let mut conn = app.store.acquire().await?;
    let lines = jiceng_store::tasks::targets(&mut conn, sheets_task, &township.subtree()).await?;
    drop(conn);
    for l in lines.iter().take(2) {
        upload_sign_in_sheet(app, l.org_id, sheets_task).await?;
    }
    // A few villages have already answered the county.
    let mut conn = app.store.acquire().await?;
    let lines = jiceng_store::tasks::targets(&mut conn, visit.id, &township.subtree()).await?;
    drop(conn);
    for (i, l) in lines.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        let r = Report {
            done: true,
            progress: "已完成走访".into(),
            answers: vec![
                String::new(),
                (8 + i % 7).to_string(),
                "部分老党员行动不便，需送学上门".into(),
            ],
            evidence: String::new(),
        };
        report_as_secretary(app, l.org_id, visit.id, &r).await?;
    }
    Ok(issued)
}

/// A demo branch's secretary reports task `task` (a branch that is gone is skipped).
/// The branch's secretary uploads its sign-in sheet for the task: a workbook of its
/// members, each signed in.
async fn upload_sign_in_sheet(app: &App, org_id: i64, task: i64) -> Result<()> {
    use crate::access::{Actor, ReportTasks, Role};
    let mut conn = app.store.acquire().await?;
    let Some(org) = jiceng_store::orgs::get(&mut conn, &Scope::All, org_id).await? else {
        return Ok(());
    };
    let members = jiceng_store::members::of_orgs(&mut conn, &[org_id]).await?;
    drop(conn);
    let sheet = jiceng_io::Sheet {
        name: "签到表".into(),
        title: format!("{}主题党日签到表（{}）", org.org.name, app.today()),
        headers: vec!["序号".into(), "姓名".into(), "签到".into()],
        rows: members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                vec![
                    jiceng_io::OutCell::Int(i as i64 + 1),
                    jiceng_io::OutCell::Text(m.name.clone()),
                    jiceng_io::OutCell::Text("已签到".into()),
                ]
            })
            .collect(),
    };
    let bytes = jiceng_io::workbook_bytes(&[sheet]).map_err(AppError::Input)?;
    let sec = Actor::for_demo(Role::Secretary, &org);
    let org = crate::access::InScope::proven(org);
    let grant = sec.grant::<ReportTasks>()?;
    crate::tasks::files::upload(
        app,
        &grant,
        &org,
        task,
        Some(0),
        "主题党日签到表.xlsx",
        &bytes,
    )
    .await?;
    Ok(())
}

async fn report_as_secretary(
    app: &App,
    org_id: i64,
    task: i64,
    r: &crate::tasks::Report,
) -> Result<()> {
    use crate::access::{Actor, ReportTasks, Role};
    let mut conn = app.store.acquire().await?;
    let Some(org) = jiceng_store::orgs::get(&mut conn, &Scope::All, org_id).await? else {
        return Ok(());
    };
    drop(conn);
    let sec = Actor::for_demo(Role::Secretary, &org);
    let org = crate::access::InScope::proven(org);
    crate::tasks::report(app, &sec.grant::<ReportTasks>()?, &org, task, r).await
}

/// 督查 for the demo: the county inspected the demo branch twelve days ago about the
/// township's records check (two problems: one fixed, one past its deadline) and another
/// branch of the township last week (nothing to fix). Answers the inspections recorded.
pub async fn seed_inspections(app: &App, county_code: &str) -> Result<usize> {
    use crate::access::{Actor, RecordInspections, ReportTasks, Role};
    use jiceng_domain::inspection::{InspectionDraft, Method, ProblemDraft};
    let d = pick_orgs(app, county_code).await?;
    let today = app.today();
    let inspector = Actor::for_demo(Role::Inspector, &d.county);
    let grant = inspector.grant::<RecordInspections>()?;
    let branch = crate::access::InScope::proven(d.branch.clone());
    let mut conn = app.store.acquire().await?;
    let check = jiceng_store::tasks::received(&mut conn, d.branch.org.id, 10)
        .await?
        .into_iter()
        .find(|(t, _)| t.title == "党员信息采集核对")
        .map(|(t, _)| t.id);
    let other = jiceng_store::orgs::list(&mut conn, &Scope::subtree(&d.township.path))
        .await?
        .into_iter()
        .find(|o| {
            o.org.kind == OrgKind::Branch
                && o.org.id != d.branch.org.id
                && o.org.dissolved_on.is_none()
        });
    drop(conn);
    let mut past = app.clone();
    past.fixed_today = Some(today - chrono::Duration::days(12));
    let held = today - chrono::Duration::days(12);
    let first = crate::inspections::record(
        &past,
        &grant,
        &branch,
        check,
        &InspectionDraft {
            on: Some(held),
            inspectors: "县委组织部督查组王某、李某".into(),
            methods: vec![Method::Records, Method::Interviews],
            findings: "党员名册与实际基本一致；三会一课记录中支委会记录不全，个别党员反映主题党日通知不及时。".into(),
            problems: vec![
                ProblemDraft {
                    description: "支委会会议记录缺少两个月".into(),
                    owner: "支部书记".into(),
                    deadline: Some(held + chrono::Duration::days(7)),
                },
                ProblemDraft {
                    description: "主题党日提前通知全体党员（含流动党员）".into(),
                    owner: "支部组织委员".into(),
                    deadline: Some(held + chrono::Duration::days(10)),
                },
            ],
        },
    )
    .await?;
    let sec = Actor::for_demo(Role::Secretary, &d.branch);
    let mut fixed_day = app.clone();
    fixed_day.fixed_today = Some(held + chrono::Duration::days(5));
    crate::inspections::fix(
        &fixed_day,
        &sec.grant::<ReportTasks>()?,
        &branch,
        first,
        1,
        Some(held + chrono::Duration::days(5)),
        "已补齐会议记录并经支委会确认",
    )
    .await?;
    let mut n = 1;
    if let Some(o) = other {
        let mut week = app.clone();
        week.fixed_today = Some(today - chrono::Duration::days(5));
        crate::inspections::record(
            &week,
            &grant,
            &crate::access::InScope::proven(o),
            None,
            &InspectionDraft {
                on: Some(today - chrono::Duration::days(5)),
                inspectors: "县委组织部督查组王某".into(),
                methods: vec![Method::OnSite],
                findings: "活动场所开放正常，党务公开栏内容已更新。".into(),
                problems: vec![],
            },
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

/// A round of 述职评议考核 of the demo township's branch secretaries, heard three weeks ago
/// by the township committee, with grades that vary; the demo branch's report names two
/// problems (one fixed, one due next month) and another branch's one already overdue; an
/// integrity report of the demo branch and a departure audit of a former village director.
/// Returns the records written.
pub async fn seed_duty(app: &App, county_code: &str) -> Result<usize> {
    use crate::access::{Actor, RecordDuty, ReportTasks, Role};
    use chrono::Datelike;
    use jiceng_domain::duty::{DutyDraft, DutyKind, Votes};
    use jiceng_domain::inspection::ProblemDraft;
    let d = pick_orgs(app, county_code).await?;
    let today = app.today();
    let held = today - chrono::Duration::days(21);
    // A year's reports are heard in its last weeks or early the next year.
    let year = held.year() - i32::from(held.month() <= 3);
    let committee = Actor::for_demo(Role::Committee, &d.township);
    let grant = committee.grant::<RecordDuty>()?;
    let mut conn = app.store.acquire().await?;
    let mut branches: Vec<OrgRecord> =
        jiceng_store::orgs::list(&mut conn, &Scope::subtree(&d.township.path))
            .await?
            .into_iter()
            .filter(|o| o.org.kind == OrgKind::Branch && o.org.dissolved_on.is_none())
            .collect();
    drop(conn);
    branches.sort_by_key(|o| (o.org.id != d.branch.org.id, o.org.id));
    branches.truncate(8);
    let mut past = app.clone();
    past.fixed_today = Some(held);
    let problem = |text: &str, owner: &str, days: i64| ProblemDraft {
        description: text.into(),
        owner: owner.into(),
        deadline: Some(held + chrono::Duration::days(days)),
    };
    let mut n = 0;
    let mut first = None;
    for (i, b) in branches.iter().enumerate() {
        // 30 evaluators; the grades spread from 好 to 一般 across the branches.
        let good = [22, 18, 12, 25, 9, 16, 20, 14][i % 8];
        let fair = (30 - good) * 2 / 3;
        let votes = Votes {
            good,
            fairly_good: fair,
            average: 30 - good - fair,
            poor: 0,
        };
        let problems = match i {
            0 => vec![
                problem("发展党员工作滞后，近两年未发展青年党员", "支部书记", 14),
                problem("党员活动室开放时间未公示", "支部组织委员", 45),
            ],
            1 => vec![problem("主题党日内容单一，流于形式", "支部书记", 10)],
            _ => vec![],
        };
        let id = crate::duties::record(
            &past,
            &grant,
            &crate::access::InScope::proven(b.clone()),
            &DutyDraft {
                year: Some(year),
                person: format!("{}书记", b.org.name.trim_end_matches("党支部")),
                position: "党支部书记".into(),
                on: Some(held),
                meeting: format!("{}抓基层党建工作述职评议会", d.township.org.name),
                report: "一年来，支部按规定开展“三会一课”和主题党日，完成党员信息采集核对；组织党员开展志愿服务。存在的不足：发展党员和青年党员教育还需加强。".into(),
                votes,
                problems,
                ..DutyDraft::new(DutyKind::Duty)
            },
        )
        .await?;
        first.get_or_insert(id);
        n += 1;
    }
    let branch = crate::access::InScope::proven(d.branch.clone());
    if let Some(id) = first {
        let sec = Actor::for_demo(Role::Secretary, &d.branch);
        let mut fixed_day = app.clone();
        fixed_day.fixed_today = Some(held + chrono::Duration::days(9));
        crate::duties::fix(
            &fixed_day,
            &sec.grant::<ReportTasks>()?,
            &branch,
            id,
            1,
            Some(held + chrono::Duration::days(9)),
            "已确定入党积极分子2名（均为35岁以下），列入明年发展计划",
        )
        .await?;
    }
    crate::duties::record(
        &past,
        &grant,
        &branch,
        &DutyDraft {
            kind: DutyKind::Integrity,
            year: Some(year),
            person: format!("{}书记", d.branch.org.name.trim_end_matches("党支部")),
            position: "党支部书记".into(),
            on: Some(held),
            meeting: "村党员大会".into(),
            report: "严格执行中央八项规定精神，村级小微权力事项按清单运行，无违规收受礼金情况。"
                .into(),
            ..DutyDraft::new(DutyKind::Integrity)
        },
    )
    .await?;
    crate::duties::record(
        &past,
        &grant,
        &branch,
        &DutyDraft {
            person: "原村委会主任（演示）".into(),
            position: "村委会主任".into(),
            on: Some(held),
            meeting: "县审计局、县农业农村局联合审计组".into(),
            from: Some(held - chrono::Duration::days(5 * 365)),
            to: Some(held - chrono::Duration::days(30)),
            report: "村集体资金收支基本规范；一笔道路养护补助未及时在村务公开栏公示。".into(),
            problems: vec![problem("补充公示道路养护补助收支", "村务监督委员会", 40)],
            ..DutyDraft::new(DutyKind::Departure)
        },
    )
    .await?;
    Ok(n + 2)
}

/// 群众诉求 in the demo township: its committee receives a handful of requests (synthetic;
/// one requester left a name and phone) and assigns them to its branches — the demo branch
/// gets one past the limit, one in progress and one resolved; others are resolved with the
/// requesters' feedback. Returns how many were received.
pub async fn seed_requests(app: &App, county_code: &str) -> Result<usize> {
    use crate::access::{Actor, RecordRequests, Role};
    use crate::mass_requests::{self, NewRequest};
    use jiceng_domain::mass_request::{Category, Channel, Feedback, RequestDraft, ResolutionDraft};
    let d = pick_orgs(app, county_code).await?;
    let today = app.today();
    let ago = |n: i64| today - chrono::Duration::days(n);
    let committee = Actor::for_demo(Role::Committee, &d.township);
    let grant = committee.grant::<RecordRequests>()?;
    let township = crate::access::InScope::proven(d.township.clone());
    let mut conn = app.store.acquire().await?;
    let others: Vec<OrgRecord> =
        jiceng_store::orgs::list(&mut conn, &Scope::subtree(&d.township.path))
            .await?
            .into_iter()
            .filter(|o| {
                o.org.kind == OrgKind::Branch
                    && o.org.dissolved_on.is_none()
                    && o.org.id != d.branch.org.id
            })
            .take(3)
            .collect();
    drop(conn);
    // By id: the use case resolves an id, a code or a name.
    let branch_code = d.branch.org.id.to_string();
    let other = |i: usize| {
        others
            .get(i % others.len().max(1))
            .map_or(branch_code.clone(), |o| o.org.id.to_string())
    };
    // The day received (days ago), the channel, the category, what was asked, the org it
    // goes to, and when resolved: the days it took and the feedback.
    type Case<'a> = (
        i64,
        Channel,
        Category,
        &'a str,
        String,
        Option<(i64, Feedback)>,
    );
    let cases: Vec<Case> = vec![
        (
            45,
            Channel::Visit,
            Category::Infrastructure,
            "村东组道路破损，雨天积水，群众出行不便，希望尽快修补",
            branch_code.clone(),
            None,
        ),
        (
            6,
            Channel::ReceptionDay,
            Category::Elderly,
            "独居老人吃饭难，希望村里开办老年助餐点",
            branch_code.clone(),
            None,
        ),
        (
            30,
            Channel::Phone,
            Category::Environment,
            "村口垃圾收集点清运不及时",
            branch_code.clone(),
            Some((5, Feedback::Satisfied)),
        ),
        (
            60,
            Channel::Letter,
            Category::Dispute,
            "两户村民宅基地边界纠纷，请求调解",
            other(0),
            Some((18, Feedback::BasicallySatisfied)),
        ),
        (
            20,
            Channel::Online,
            Category::Employment,
            "返乡青年希望得到电商创业培训",
            other(1),
            Some((12, Feedback::NoFeedback)),
        ),
        (
            40,
            Channel::Visit,
            Category::Medical,
            "村卫生室缺少常用药品",
            other(2),
            Some((25, Feedback::Dissatisfied)),
        ),
    ];
    let mut n = 0;
    for (i, (days, channel, category, content, to, done)) in cases.into_iter().enumerate() {
        let new = NewRequest {
            draft: RequestDraft {
                channel: Some(channel),
                received_on: Some(ago(days)),
                category: Some(category),
                content: content.into(),
                handler: "村党组织书记".into(),
                // Synthetic, as every person in the demo.
                requester_name: if i == 0 {
                    "演示群众甲".into()
                } else {
                    String::new()
                },
            },
            assign_to: to,
            requester_phone: if i == 0 {
                "13800001234".into()
            } else {
                String::new()
            },
        };
        let id = mass_requests::record(app, &grant, &township, &new).await?;
        if i == 1 {
            mass_requests::progress(
                app,
                &grant,
                &township,
                id,
                Some(ago(days - 2)),
                "已摸排独居老人12名，正协调村集体闲置用房",
            )
            .await?;
        }
        if let Some((after, feedback)) = done {
            mass_requests::resolve(
                app,
                &grant,
                &township,
                id,
                &ResolutionDraft {
                    on: Some(ago(days - after)),
                    result: "已办结，党员志愿者回访".into(),
                    feedback: Some(feedback),
                },
            )
            .await?;
        }
        n += 1;
    }
    Ok(n)
}

/// 群众满意度测评 in the demo township: its committee surveys the demo branch and two other
/// branches for the year, issues a batch of 20 tokens to each, and a few synthetic
/// respondents answer (the tokens are used by the seed itself, never printed); the demo
/// branch's survey is closed, so its satisfaction rate (75.0 % of 36 ratings) reaches the
/// rating and 软 once they are computed again. Returns (surveys, responses).
pub async fn seed_surveys(app: &App, county_code: &str) -> Result<(usize, usize)> {
    use crate::access::{Actor, Role, RunSurveys};
    use crate::surveys;
    let d = pick_orgs(app, county_code).await?;
    let year = chrono::Datelike::year(&app.today());
    let committee = Actor::for_demo(Role::Committee, &d.township);
    let grant = committee.grant::<RunSurveys>()?;
    let mut conn = app.store.acquire().await?;
    let others: Vec<OrgRecord> =
        jiceng_store::orgs::list(&mut conn, &Scope::subtree(&d.township.path))
            .await?
            .into_iter()
            .filter(|o| {
                o.org.kind == OrgKind::Branch
                    && o.org.dissolved_on.is_none()
                    && o.org.id != d.branch.org.id
            })
            .take(2)
            .collect();
    drop(conn);
    // Synthetic answers (工作, 书记, 服务), cycled: 9 of 12 ratings satisfied.
    let patterns: [([&str; 3], &str); 4] = [
        (["5", "4", "4"], "希望村里多组织农技培训"),
        (["4", "2", "3"], ""),
        (["3", "4", "2"], "村务公开栏更新不及时"),
        (["2", "5", "4"], ""),
    ];
    let mut orgs = vec![d.branch.clone()];
    orgs.extend(others);
    let (mut surveys_n, mut answered) = (0, 0);
    for (k, org) in orgs.into_iter().enumerate() {
        let target = crate::access::InScope::proven(org);
        let id = surveys::open(app, &grant, &target, &year.to_string()).await?;
        let batch = surveys::issue(app, &grant, &target, id, Some(20)).await?;
        let n = if k == 0 { 12 } else { 5 };
        for (i, code) in batch.codes.iter().take(n).enumerate() {
            let (scores, comment) = patterns[i % patterns.len()];
            let by = |q: &str| {
                ["work", "secretary", "service"]
                    .iter()
                    .position(|c| *c == q)
                    .map(|j| scores[j].to_string())
            };
            // A comment once per pattern, not repeated.
            let comment = if i < patterns.len() { comment } else { "" };
            if surveys::answer(app, code, by, comment).await? == surveys::Answered::Recorded {
                answered += 1;
            }
        }
        if k == 0 {
            surveys::close(app, &grant, &target, id).await?;
        }
        surveys_n += 1;
    }
    Ok((surveys_n, answered))
}

/// 经费保障 in the demo township: its committee records this year's funding of its
/// villages (synthetic amounts) — the first two villages' 运转经费 below the standard of
/// their domain, the others at it, some with a 党费返还 or a 服务群众专项经费, each village's
/// collective income — and the township's own 党建工作经费. Returns the records made and
/// the names of the villages below standard.
pub async fn seed_funding(app: &App, county_code: &str) -> Result<(usize, Vec<String>)> {
    use crate::access::{Actor, RecordFunding, Role};
    use crate::funding::{self, NewFunding};
    use jiceng_domain::funding::{FundingKind as K, FundingSource as S};
    let d = pick_orgs(app, county_code).await?;
    let year = chrono::Datelike::year(&app.today());
    let committee = Actor::for_demo(Role::Committee, &d.township);
    let grant = committee.grant::<RecordFunding>()?;
    let township = crate::access::InScope::proven(d.township.clone());
    let mut conn = app.store.acquire().await?;
    let villages: Vec<OrgRecord> =
        jiceng_store::orgs::children(&mut conn, &Scope::All, d.township.org.id)
            .await?
            .into_iter()
            .filter(|o| {
                o.org.domain == Some(Domain::Village)
                    && o.org.dissolved_on.is_none()
                    && jiceng_domain::rating::is_rated(o.org.kind)
            })
            .take(5)
            .collect();
    drop(conn);
    let mut n = 0;
    let mut record = |org: String, kind: K, source: S, yuan: f64, note: &str| {
        n += 1;
        NewFunding {
            org,
            year,
            kind,
            source,
            yuan,
            note: note.into(),
        }
    };
    let mut all = vec![record(
        String::new(),
        K::PartyWork,
        S::Finance,
        80_000.0,
        "县财政预算安排",
    )];
    let mut below = Vec::new();
    for (i, v) in villages.iter().enumerate() {
        let id = v.org.id.to_string();
        let (finance, income) = match i {
            0 => (60_000.0, 32_000.0),
            1 => (45_000.0, 18_500.0),
            _ => (
                100_000.0 + 5_000.0 * i as f64,
                80_000.0 + 10_000.0 * i as f64,
            ),
        };
        if i < 2 {
            below.push(v.org.name.clone());
        }
        all.push(record(
            id.clone(),
            K::Operating,
            S::Finance,
            finance,
            "县乡财政分两次拨付",
        ));
        all.push(record(
            id.clone(),
            K::CollectiveIncome,
            S::Collective,
            income,
            "",
        ));
        if i % 2 == 0 {
            all.push(record(
                id.clone(),
                K::DuesReturn,
                S::Dues,
                3_000.0,
                "县委组织部下拨",
            ));
        }
        if i == 2 {
            all.push(record(
                id,
                K::ServiceMasses,
                S::Finance,
                50_000.0,
                "服务群众专项经费",
            ));
        }
    }
    for new in &all {
        funding::record(app, &grant, &township, new).await?;
    }
    Ok((n, below))
}

/// 活动场所 and 村（社区）书记报酬 of the demo township: the demo branch's 党群服务中心 (named
/// by its meetings this year) and a second branch's 党员活动室, whose meetings of the second
/// quarter name no venue — so it stands empty that quarter (铁将军把门); last year's
/// remuneration of the two villages' secretaries, one below the standard. Answers the
/// venues recorded, the meetings naming one, and the remuneration records.
pub async fn seed_venues(app: &App, county_code: &str) -> Result<(usize, usize, usize)> {
    use crate::access::{Actor, RecordPay, RecordVenues, Role};
    use crate::venues::{self, VenueForm};
    use chrono::Datelike;
    let d = pick_orgs(app, county_code).await?;
    let today = app.today();
    let year = today.year();
    let committee = Actor::for_demo(Role::Committee, &d.township);
    let grant = committee.grant::<RecordVenues>()?;
    let mut conn = app.store.acquire().await?;
    let other: Option<OrgRecord> =
        jiceng_store::orgs::list(&mut conn, &Scope::subtree(&d.township.path))
            .await?
            .into_iter()
            .find(|o| {
                o.org.kind == OrgKind::Branch
                    && o.org.dissolved_on.is_none()
                    && o.org.id != d.branch.org.id
            });
    drop(conn);
    let opened = chrono::NaiveDate::from_ymd_opt(year - 1, 1, 1).expect("a day");
    let first = chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("a day");
    let mut places = vec![(
        d.branch.clone(),
        VenueForm {
            name: format!(
                "{}党群服务中心",
                d.branch.org.name.trim_end_matches("党支部")
            ),
            address: "村委会大院（合成地址）".into(),
            area: Some(320),
            facilities: vec![
                "activity_room".into(),
                "meeting_room".into(),
                "av_equipment".into(),
                "library".into(),
            ],
            shared_with: Some("村民议事、新时代文明实践站".into()),
            opened_on: Some(opened),
            users: vec![],
        },
        None,
    )];
    if let Some(o) = other {
        places.push((
            o.clone(),
            VenueForm {
                name: format!("{}党员活动室", o.org.name.trim_end_matches("党支部")),
                address: "村部二楼（合成地址）".into(),
                area: Some(90),
                facilities: vec!["activity_room".into(), "notice_board".into()],
                shared_with: None,
                opened_on: Some(opened),
                users: vec![],
            },
            // Its meetings of the second quarter name no venue.
            Some(2u32),
        ));
    }
    let (mut recorded, mut named) = (0, 0);
    let mut pays = vec![];
    for (org, form, skipped) in places {
        let at = crate::access::InScope::proven(org.clone());
        let id = venues::record(app, &grant, &at, &form).await?;
        recorded += 1;
        let mut conn = app.store.acquire().await?;
        let held = jiceng_store::venues::meetings_of(&mut conn, org.org.id, first, today).await?;
        let pairs: Vec<(i64, i64)> = held
            .into_iter()
            .filter(|(_, day)| Some(jiceng_domain::venue::quarter_of(*day)) != skipped)
            .map(|(m, _)| (m, id))
            .collect();
        let mut tx = app.store.begin().await?;
        jiceng_store::venues::set_meeting_venues(&mut tx, &pairs).await?;
        tx.commit().await?;
        drop(conn);
        named += pairs.len();
        pays.push(at);
    }
    let pay = committee.grant::<RecordPay>()?;
    let mut paid = 0;
    for (at, amount) in pays.iter().zip([30_000, 42_000]) {
        // Villages and communities only: another kind of branch is skipped.
        if venues::record_pay(app, &pay, at, Some(year - 1), Some(amount), "县乡财政补贴")
            .await
            .is_ok()
        {
            paid += 1;
        }
    }
    Ok((recorded, named, paid))
}

/// 党务公开 and 结对共建 of the demo township: the demo branch publishes its year's dues
/// (a figure) and a notice on its public page and a decision to its members; the county's
/// agriculture bureau supports the branch (部门包村). Synthetic text only. Returns the
/// branch's public page address (`/p/{key}`).
pub async fn seed_disclosure(app: &App, county_code: &str) -> Result<String> {
    use crate::access::{Actor, PublishDisclosure, RecordPairing, Role};
    use crate::disclosure::{self, Publication};
    use crate::pairing::{self, NewPairing};
    use jiceng_domain::disclosure::{Audience, Figure, FreeDraft, ItemKind};
    use jiceng_domain::pairing::{PairingDraft, PairingKind};
    let d = pick_orgs(app, county_code).await?;
    let today = app.today();
    let year = chrono::Datelike::year(&today);
    let secretary = Actor::for_demo(Role::Secretary, &d.branch);
    let grant = secretary.grant::<PublishDisclosure>()?;
    let branch = crate::access::InScope::proven(d.branch.clone());
    disclosure::publish(
        app,
        &grant,
        &branch,
        Some(Audience::Public),
        &Publication::Figure {
            figure: Some(Figure::DuesYear),
            year: Some(year),
            survey: None,
        },
    )
    .await?;
    disclosure::publish(
        app,
        &grant,
        &branch,
        Some(Audience::Public),
        &Publication::Free(FreeDraft {
            kind: Some(ItemKind::Notice),
            title: "关于开展冬季村庄环境整治志愿服务的通知".into(),
            body: "本周六上午8时在村委会门前集合，党员带头、群众自愿参加，清理村内主干道和沟渠。"
                .into(),
            day: Some(today),
        }),
    )
    .await?;
    disclosure::publish(
        app,
        &grant,
        &branch,
        Some(Audience::Members),
        &Publication::Free(FreeDraft {
            kind: Some(ItemKind::Decision),
            title: "关于确定本年度发展对象人选的决定".into(),
            body: "经支部委员会研究，确定两名入党积极分子为发展对象，报乡镇党委预审。".into(),
            day: Some(today),
        }),
    )
    .await?;
    let committee = Actor::for_demo(Role::Committee, &d.township);
    let pgrant = committee.grant::<RecordPairing>()?;
    let township = crate::access::InScope::proven(d.township.clone());
    pairing::record(
        app,
        &pgrant,
        &township,
        &NewPairing {
            draft: PairingDraft {
                kind: Some(PairingKind::DepartmentVillage),
                partner_name: "县农业农村局机关".into(),
                content: "帮助发展特色种植，每季度开展一次农技培训".into(),
                since: chrono::NaiveDate::from_ymd_opt(year, 1, 1),
                until: None,
            },
            supported: d.branch.org.id.to_string(),
            partner_org: String::new(),
        },
    )
    .await?;
    Ok(disclosure::public_path(app, d.branch.org.id)
        .await?
        .unwrap_or_default())
}

/// The demo branch's public page address (`/p/{key}`), once the demo has published.
pub async fn disclosure_path(app: &App, county_code: &str) -> Result<Option<String>> {
    let d = pick_orgs(app, county_code).await?;
    crate::disclosure::public_path(app, d.branch.org.id).await
}
