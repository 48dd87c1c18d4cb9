//! `init`/`migrate`, `demo` and `serve`: the commands that make a database or serve one.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use jiceng_app::crypto::Suite;
use jiceng_app::{clock, App};

use crate::args::{DemoArgs, ServeArgs};
use crate::open::{open, open_with, system_org, Opening};
use crate::{demo, progress, render};

/// `jiceng init` (`Opening::Create`) and `jiceng migrate` (`Opening::Existing`).
pub(crate) async fn init(
    db: &str,
    key_file: &Path,
    suite: Option<Suite>,
    opening: Opening,
) -> Result<ExitCode> {
    let app = open_with(db, key_file, suite, opening).await?;
    let suite = app.crypto.suite();
    println!(
        "数据库已就绪：{}（架构版本 {}，加密套件 {}：{}）",
        db,
        jiceng_app::admin::latest_migration(),
        suite.code(),
        suite.label()
    );
    if let Some(p) = jiceng_app::admin::cluster_placement(&app).await? {
        println!(
            "Citus 集群：{} 个工作节点；{} 张参照表（每个节点一份），{} 张分布表",
            p.workers, p.reference, p.distributed
        );
    }
    app.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `jiceng demo`: the demo county (built once), its reports and accounts, then the server.
pub(crate) async fn demo(db: &str, key_file: &Path, args: DemoArgs) -> Result<ExitCode> {
    let explicit = std::env::args().any(|a| a == "--db" || a.starts_with("--db="))
        || std::env::var("JICENG_DB").is_ok();
    let db = if explicit {
        db.to_string()
    } else {
        args.demo_db
    };
    let app = open_with(&db, key_file, None, Opening::Create).await?;
    if jiceng_app::admin::org_count(&app).await? == 0 {
        build_demo(&app).await?;
    }
    let root = demo_root(&app).await?;
    let today = clock::today();
    let top = system_org(&app, &root).await?;
    let st = jiceng_app::reports::structure::run(&app, &top, today).await?;
    print!("{}", render::structure(&st));
    let cov = jiceng_app::reports::coverage::run(&app, &top).await?;
    print!("{}", render::coverage(&cov));
    println!("\n数据库：{db}\n查看党员结构：jiceng --db {db} report members --org {root}");
    print_accounts(&demo::ensure_accounts(&app, &root).await?);
    if args.no_serve {
        app.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    let bind = args.bind;
    println!(
        "\n网页地址：http://{bind}/    （API：http://{bind}/api/v1/openapi.json；按 Ctrl+C 停止）"
    );
    if let Some(p) = jiceng_app::demo::disclosure_path(&app, &root).await? {
        println!("演示支部的党务公开页（无需登录）：http://{bind}{p}");
    }
    let lease = jiceng_app::lease::take(&app, &format!("jiceng demo {bind}")).await?;
    let store = app.clone();
    let served = jiceng_web::serve(app, &bind).await;
    lease.release().await;
    // Checkpoints the WAL: the `.db` alone holds what the server wrote.
    store.close().await;
    served.with_context(|| format!("无法在 {bind} 上启动网页服务"))?;
    Ok(ExitCode::SUCCESS)
}

/// Generates the demo county into the empty database, and rates its year.
async fn build_demo(app: &App) -> Result<()> {
    println!("正在生成演示县（真实区划名称，人员均为虚构）…");
    let s = jiceng_app::generate::run(
        app,
        jiceng_gen::Divisions::embedded_county(),
        1,
        &progress::Bar::new(),
    )
    .await?;
    println!(
        "已生成：{} 个党组织，{} 名党员，{} 个单位，近一年 {} 次组织生活（{:.1} 秒）",
        s.orgs, s.members, s.units, s.meetings, s.seconds
    );
    let root = demo_root(app).await?;
    let root = system_org(app, &root).await?;
    let letters = jiceng_app::demo::seed_transfers(app, &root.org.code).await?;
    println!("演示支部的组织关系转接：{letters} 封介绍信（已接收、待接收、逾期未接收各一）");
    let (assessed, paid) = jiceng_app::demo::seed_dues(app, &root.org.code).await?;
    println!("演示乡镇的党费：{assessed} 名党员已核定基数，登记交纳 {paid} 个月次（少数党员自4月起未交，已提示）");
    let tasks = jiceng_app::demo::seed_tasks(app, &root.org.code).await?;
    println!("任务督办：县委组织部和演示乡镇下达 {tasks} 项任务（部分已完成、部分逾期，演示乡镇的村党支部本月收到的任务超过减负上限）");
    let inspections = jiceng_app::demo::seed_inspections(app, &root.org.code).await?;
    println!(
        "督查：县委组织部督查演示乡镇的党支部 {inspections} 次（演示支部有一个问题逾期未整改）"
    );
    let duty = jiceng_app::demo::seed_duty(app, &root.org.code).await?;
    println!(
        "述职评议考核：演示乡镇党委听取党支部书记述职评议，登记 {duty} 条（含述职述廉和离任审计各一，有问题待整改）"
    );
    let requests = jiceng_app::demo::seed_requests(app, &root.org.code).await?;
    println!("群众诉求：演示乡镇党委受理 {requests} 件并交办各村（演示支部有一件逾期未办结）");
    let (records, below) = jiceng_app::demo::seed_funding(app, &root.org.code).await?;
    println!(
        "经费保障：演示乡镇党委登记本年度经费 {records} 条（{}运转经费低于标准）",
        below.join("、")
    );
    let (surveys, answers) = jiceng_app::demo::seed_surveys(app, &root.org.code).await?;
    println!("群众满意度测评：演示乡镇党委对 {surveys} 个党支部开展测评，各发放测评码 20 张，收回 {answers} 份（演示支部的测评已结束，满意率75.0%）");
    let (venues, named, paid) = jiceng_app::demo::seed_venues(app, &root.org.code).await?;
    println!("活动场所：演示乡镇登记 {venues} 处（{named} 次会议选择了场所；第二处第二季度无会议，铁将军把门），村书记报酬 {paid} 条（一条低于标准）");
    let public = jiceng_app::demo::seed_disclosure(app, &root.org.code).await?;
    println!("党务公开：演示支部公开本年度党费收缴情况和一则通知（向社会公开，无需登录：{public}），向党员公开一项决定；结对共建：县农业农村局机关包联演示支部");
    // This year's stars and suspected weaknesses, as the department would rate them, last:
    // so they read the tasks, duty reports, requests and surveys seeded above.
    let year = chrono::Datelike::year(&app.today());
    let grant = jiceng_app::access::Actor::system().grant::<jiceng_app::access::Rate>()?;
    let r = jiceng_app::rating::rate(app, &grant, &root, year).await?;
    println!(
        "已完成{year}年度星级评定：{} 个党组织评定，{} 个疑似软弱涣散（待组织部门确定或排除）",
        r.rated, r.suspected_orgs
    );
    Ok(())
}

fn print_accounts(accounts: &[demo::DemoAccount]) {
    println!("\n演示账号（密码仅用于演示数据库，切勿用于真实数据）：");
    for a in accounts {
        println!("  {:<16} 密码 {:<24} {}", a.username, a.password, a.note);
    }
    println!(
        "\n特权账号须使用动态验证码（TOTP，SHA-1，6位，30秒）。登录时输入密码后，再输入验证码："
    );
    for a in accounts.iter().filter(|a| a.totp_secret.is_some()) {
        println!(
            "  {:<16} 密钥 {}",
            a.username,
            a.totp_secret.as_deref().unwrap_or_default()
        );
    }
    println!("验证码可用任意身份验证器App（Google Authenticator、Microsoft Authenticator、FreeOTP…，\n“手动输入密钥”）计算，或在命令行：oathtool --totp -b <密钥>");
}

/// `jiceng serve`: the web application, holding the lease while it runs.
pub(crate) async fn serve(db: &str, key_file: &Path, args: ServeArgs) -> Result<ExitCode> {
    let mut app = open(db, key_file).await?;
    app.audit.anchor_every = std::time::Duration::from_secs(args.audit_anchor_minutes * 60);
    app.auth.max_session_minutes = args.session_max_hours * 60;
    let bind = args.bind.clone();
    println!(
        "网页地址：http://{bind}/    （数据库：{}；按 Ctrl+C 停止）",
        jiceng_app::admin::redact(db)
    );
    // The lease: key rotation and restore refuse while this server runs.
    let lease = jiceng_app::lease::take(&app, &format!("jiceng serve {bind}")).await?;
    let store = app.clone();
    let served = jiceng_web::serve_with(app, &bind, web_config(args)).await;
    lease.release().await;
    store.close().await;
    served.with_context(|| format!("无法在 {bind} 上启动网页服务"))?;
    Ok(ExitCode::SUCCESS)
}

fn web_config(args: ServeArgs) -> jiceng_web::WebConfig {
    jiceng_web::WebConfig {
        secure_cookies: args.secure_cookies,
        summary_refresh: Some(std::time::Duration::from_secs(
            args.summary_refresh_minutes * 60,
        )),
        touched_refresh: Some(std::time::Duration::from_secs(args.life_refresh_seconds)),
        import_max_bytes: Some(args.import_upload_mb.saturating_mul(1024 * 1024)),
        import_concurrency: Some(args.import_concurrency as usize),
        trusted_proxy: args.trusted_proxy,
        login_limits: jiceng_web::throttle::LoginLimits {
            per_address_per_minute: args.login_per_minute,
            address_burst: args.login_burst,
            global_per_second: args.login_global_per_second,
            global_burst: 2.0 * args.login_global_per_second,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The demo's county committee: the first LocalCommittee at county level.
async fn demo_root(app: &App) -> Result<String> {
    jiceng_app::admin::demo_county(app)
        .await?
        .context("演示数据库中没有地方党委")
}
