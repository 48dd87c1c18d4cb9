//! A few seconds of the load harness of `jiceng bench concurrency` and `soak` against the
//! web application in this process, on SQLite and PostgreSQL: two connections mix reads
//! and meeting writes, every read answers 200, and every write acknowledged is in the
//! database under the id the server answered. Nothing is timed here: the figures come from
//! the benches themselves (docs/PERFORMANCE.md).

use std::time::Duration;

use jiceng_app::access::{Actor, Role};
use jiceng_app::import::{self, ImportOptions, NoProgress};
use jiceng_app::users::{self, NewUser};
use jiceng_app::{App, Crypto};
use jiceng_bench::load::{self, Plan};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};

const ORGS: &str = "\
党组织名称,党组织类别,上级党组织,所属领域,区划代码,成立时间,换届时间,是否设立支委会,组织代码
测试县委,地方党委,,,370830,2000-01-01,2022-01-01,是,C001
甲镇党委,党委,C001,乡镇,370830101,2001-01-01,2023-01-01,是,T001
甲村党支部,党支部,T001,农村,370830101201,2005-01-01,2024-01-01,否,B001
乙村党支部,党支部,T001,农村,370830101202,2005-01-01,2024-01-01,否,B002
";

contract_test!(
    the_load_harness_finds_every_write_it_was_told_of,
    |db: TestDb| async move {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let mut app = App::new(db.store.clone(), Crypto::from_key(&[7u8; 32]));
        app.fixed_today = Some(today);
        let dir = std::env::temp_dir().join(format!("jiceng-bench-harness-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let orgs = dir.join(format!("orgs-{}.csv", db.url.len()));
        std::fs::write(&orgs, ORGS).unwrap();
        let r = import::orgs::run(&app, &orgs, &ImportOptions::default(), &NoProgress)
            .await
            .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let _ = std::fs::remove_file(&orgs);
        // A committee user at the county: it may record meetings and needs no second factor.
        users::add_user(
            &app,
            &Actor::system(),
            NewUser {
                username: "load".into(),
                password: "Bench#Writer-2026".into(),
                role: Role::Committee,
                org: Some("C001".into()),
                member_id: None,
                display_name: None,
                must_change: false,
            },
        )
        .await
        .unwrap();
        let token = jiceng_app::auth::login(&app, "load", "Bench#Writer-2026")
            .await
            .unwrap()
            .token;
        let mut conn = app.store().acquire().await.unwrap();
        let branches: Vec<i64> = jiceng_store::orgs::list(&mut conn, &Scope::All)
            .await
            .unwrap()
            .into_iter()
            .filter(|o| o.org.kind == jiceng_domain::OrgKind::Branch)
            .map(|o| o.org.id)
            .collect();
        drop(conn);
        assert_eq!(branches.len(), 2);

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = tokio::spawn(jiceng_web::serve_on(
            listener,
            app.clone(),
            jiceng_web::WebConfig::default(),
        ));
        let plan = Plan {
            addr,
            token,
            branches,
            today,
            write_share: 0.5,
            prefix: "smoke".into(),
        };
        let (tally, _) = load::run(&plan, 2, Duration::from_secs(2)).await.unwrap();
        server.abort();

        let reads: u64 = tally.reads_by_status.values().sum();
        assert!(reads > 0 && !tally.acked.is_empty(), "{tally:?}");
        assert_eq!(
            tally.reads_by_status.keys().copied().collect::<Vec<_>>(),
            vec![200],
            "{tally:?}"
        );
        assert!(tally.no_answer.is_empty(), "{tally:?}");
        let stored = jiceng_bench::concurrency::stored_topics(&db.url, "smoke")
            .await
            .unwrap();
        for (topic, id) in &tally.acked {
            assert_eq!(stored.get(topic), Some(id), "{topic} acknowledged as {id}");
        }
        // On SQLite two writers may meet "database is locked" until the store retries
        // (issue 21): failed writes are counted, not stored.
        assert_eq!(
            stored.len() as u64,
            tally.writes_by_status.get(&201).copied().unwrap_or(0)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
);
