//! `jiceng bench tasks` (issue #17, point 6): a task to a province's village branches. A
//! synthetic tree of the province's shape — 16 cities, 10 counties each, 10 townships each,
//! and as many village branches under the townships as asked (90,000 by default) — is
//! written to a fresh database (SQLite, or PostgreSQL with `--postgres`); then the use
//! cases are timed as the pages call them: the preview, issuing, a village's report, the
//! completion at the root, at a city and at a county, the root's burden ledger, a village's
//! 待办.

use std::time::Instant;

use anyhow::{Context, Result};
use jiceng_app::access::{Actor, IssueTasks, OrgKey, ReportTasks, Role};
use jiceng_app::crypto::Crypto;
use jiceng_app::tasks::{self, burden, Draft, Report, TargetFilter};
use jiceng_app::App;
use jiceng_domain::task::{AnswerKind, FieldDraft};
use jiceng_domain::{Domain, Org, OrgKind};
use jiceng_store::testing::TestDb;

/// `jiceng bench tasks`.
#[derive(Debug, Clone, clap::Args)]
pub struct TasksArgs {
    /// Village branches the task goes to.
    #[arg(long, default_value_t = 90_000)]
    pub villages: usize,
    /// On PostgreSQL (127.0.0.1:5432, a database made and dropped) instead of SQLite.
    #[arg(long)]
    pub postgres: bool,
}

fn org(id: i64, parent: Option<i64>, kind: OrgKind, domain: Domain, name: String) -> Org {
    Org {
        id,
        code: format!("B{id}"),
        name,
        kind,
        domain: Some(domain),
        region_code: None,
        parent_id: parent,
        founded_on: None,
        last_election_on: None,
        committee: None,
        term_years: None,
        temporary: false,
        approving_org: None,
        dissolved_on: None,
    }
}

/// The province's tree: root 1, cities, counties, townships, then the villages dealt to
/// the townships in turn. Answers (a city, a county, a village) ids.
async fn build(app: &App, villages: usize) -> Result<(i64, i64, i64)> {
    let mut orgs = vec![org(
        1,
        None,
        OrgKind::LocalCommittee,
        Domain::Organ,
        "某省委".into(),
    )];
    let mut next = 2;
    let mut townships = Vec::new();
    let (mut a_city, mut a_county) = (0, 0);
    for c in 0..16 {
        let city = next;
        next += 1;
        orgs.push(org(
            city,
            Some(1),
            OrgKind::LocalCommittee,
            Domain::Organ,
            format!("第{c}市委"),
        ));
        a_city = if a_city == 0 { city } else { a_city };
        for k in 0..10 {
            let county = next;
            next += 1;
            orgs.push(org(
                county,
                Some(city),
                OrgKind::LocalCommittee,
                Domain::Organ,
                format!("第{c}市第{k}县委"),
            ));
            a_county = if a_county == 0 { county } else { a_county };
            for t in 0..10 {
                let town = next;
                next += 1;
                orgs.push(org(
                    town,
                    Some(county),
                    OrgKind::PrimaryCommittee,
                    Domain::Township,
                    format!("第{c}市第{k}县第{t}镇党委"),
                ));
                townships.push(town);
            }
        }
    }
    let first_village = next;
    for v in 0..villages {
        let town = townships[v % townships.len()];
        orgs.push(org(
            next,
            Some(town),
            OrgKind::Branch,
            Domain::Village,
            format!("第{v}村党支部"),
        ));
        next += 1;
    }
    let mut tx = app.store().begin().await?;
    for chunk in orgs.chunks(20_000) {
        jiceng_store::orgs::insert(&mut tx, chunk).await?;
    }
    tx.commit().await?;
    Ok((a_city, a_county, first_village))
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Builds the tree and times the use cases; prints each figure.
pub async fn run(args: &TasksArgs) -> Result<()> {
    let db = if args.postgres {
        TestDb::postgres()
            .await
            .context("PostgreSQL 127.0.0.1:5432 没有应答")?
    } else {
        TestDb::sqlite().await
    };
    let app = App::new(db.store.clone(), Crypto::from_key(&[7u8; 32]));
    let backend = if args.postgres {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "jiceng bench tasks — {backend}, {} village branches",
        args.villages
    );
    let t = Instant::now();
    let (city, county, village) = build(&app, args.villages).await?;
    println!("tree written: {:.1} s", t.elapsed().as_secs_f64());
    let dept = Actor::for_test(1, "bench", Role::Department);
    let root = jiceng_app::access::resolve(&app, &dept, &OrgKey::Id(1)).await?;
    let draft = Draft {
        title: "冬季走访摸底".into(),
        content: "请各村党支部报送走访情况。".into(),
        deadline: Some(app.today() + chrono::Duration::days(10)),
        fields: vec![
            FieldDraft {
                label: "正式党员人数".into(),
                kind: Some(AnswerKind::Number),
                held: None,
                ask_anyway: false,
            },
            FieldDraft {
                label: "走访户数".into(),
                kind: Some(AnswerKind::Number),
                held: None,
                ask_anyway: false,
            },
        ],
        filter: TargetFilter {
            kinds: vec![OrgKind::Branch],
            domains: vec![Domain::Village],
            ..TargetFilter::default()
        },
    };
    let grant = dept.grant::<IssueTasks>()?;
    let t = Instant::now();
    let p = tasks::preview(&app, &grant, &root, &draft).await?;
    println!("preview at the root ({} targets): {:.0} ms", p.count, ms(t));
    let t = Instant::now();
    let issued = tasks::issue(&app, &grant, &root, &draft, None).await?;
    println!("issue to {} targets: {:.0} ms", issued.targets, ms(t));
    let v_org = jiceng_app::access::resolve(&app, &dept, &OrgKey::Id(village)).await?;
    let sec = Actor::for_test(2, "sec", Role::Secretary);
    let r = Report {
        done: true,
        progress: "已完成".into(),
        answers: vec![String::new(), "12".into()],
        evidence: String::new(),
    };
    let t = Instant::now();
    tasks::report(&app, &sec.grant::<ReportTasks>()?, &v_org, issued.id, &r).await?;
    println!("a village's report: {:.1} ms", ms(t));
    for (label, id) in [("root", 1), ("city", city), ("county", county)] {
        let at = jiceng_app::access::resolve(&app, &dept, &OrgKey::Id(id)).await?;
        let mut runs = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            let v = tasks::view(&app, &dept, issued.id, &at, false).await?;
            runs.push(ms(t));
            assert_eq!(
                v.counts.done,
                if id == 1 || id == city || id == county {
                    1
                } else {
                    0
                }
            );
        }
        println!(
            "completion at the {label}: {:.1} / {:.1} / {:.1} ms",
            runs[0], runs[1], runs[2]
        );
    }
    let month = burden::month_key(app.today());
    let mut runs = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let l = burden::ledger(&app, &root, &month).await?;
        runs.push(ms(t));
        assert_eq!(l.totals.items as usize, issued.targets);
    }
    println!(
        "burden ledger at the root: {:.0} / {:.0} / {:.0} ms",
        runs[0], runs[1], runs[2]
    );
    // An extension of every open target: the counts up the tree are counted again.
    let t = Instant::now();
    let moved = tasks::extend(
        &app,
        &grant,
        &root,
        issued.id,
        None,
        app.today() + chrono::Duration::days(20),
    )
    .await?;
    println!(
        "extend {} open targets (the counts up the tree rebuilt): {:.0} ms",
        moved.done,
        ms(t)
    );
    let other = jiceng_app::access::resolve(&app, &dept, &OrgKey::Id(village + 1)).await?;
    let t = Instant::now();
    let open = tasks::open_of(&app, &other).await?;
    println!("a village's 待办 ({} open): {:.1} ms", open.0, ms(t));
    Ok(())
}
