//! 群众诉求 on SQLite and PostgreSQL: the township's committee receives four requests and
//! assigns them to its villages (one with the requester's name and phone), a branch notes
//! progress and another resolves; the lists open-first with their counts, the month and
//! status filters, the reminders of the branch and of the township, the requester kept
//! encrypted and out of lists and the audit log (and re-encrypted by a key rotation), and
//! 懒 of the diagnosis moving with the requests as the hand computation says.

mod common;

use common::*;
use jiceng_app::access::{Actor, RecordRequests, Role};
use jiceng_app::mass_requests::{self, NewRequest, Shown};
use jiceng_app::reminders::{self, ReminderKind};
use jiceng_app::{AppError, Crypto};
use jiceng_domain::mass_request::{
    Category, Channel, Feedback, RequestDraft, RequestStatus, ResolutionDraft,
};
use jiceng_domain::SignalState;
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

fn staff(org: &jiceng_app::OrgRecord, role: Role, name: &str) -> Actor {
    Actor::for_test(12, name, role).at(org.org.id, &org.path)
}

fn request(on: &str, category: Category, content: &str, to: &str) -> NewRequest {
    NewRequest {
        draft: RequestDraft {
            channel: Some(Channel::Visit),
            received_on: Some(d(on)),
            category: Some(category),
            content: content.into(),
            handler: "王村委".into(),
            requester_name: String::new(),
        },
        assign_to: to.into(),
        requester_phone: String::new(),
    }
}

fn field(e: &AppError) -> &'static str {
    match e {
        AppError::MemberLife(r) => r.field,
        other => panic!("not a refusal with a field: {other}"),
    }
}

async fn idleness(app: &jiceng_app::App, code: &str) -> (SignalState, String) {
    let org = sys_org(app, code).await;
    let d = jiceng_app::weak::diagnosis(app, &org, 2026).await.unwrap();
    let s = d
        .signals
        .into_iter()
        .find(|s| s.rule == "NoMassesActivity")
        .unwrap();
    (s.state, s.evidence)
}

contract_test!(
    mass_requests_are_received_assigned_resolved_and_counted,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("mass-requests");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        let rec = committee.grant::<RecordRequests>().unwrap();

        // Nothing recorded: 懒 is 暂无数据, never "idle".
        let (s, e) = idleness(&app, "T002").await;
        assert_eq!(s, SignalState::NoData, "{e}");

        // ① 东村, 65 days open (overdue at 30), the requester's name and phone left.
        let first = mass_requests::record(
            &app,
            &rec,
            &home,
            &NewRequest {
                draft: RequestDraft {
                    requester_name: "张某某".into(),
                    ..request(
                        "2026-10-01",
                        Category::Infrastructure,
                        "村口路灯损坏",
                        "T002",
                    )
                    .draft
                },
                requester_phone: "138-0000-0012".into(),
                ..request(
                    "2026-10-01",
                    Category::Infrastructure,
                    "村口路灯损坏",
                    "T002",
                )
            },
        )
        .await
        .unwrap();
        // ② 西村第一, within its limit; ③ 西村第一, resolved in 10 days (满意); ④ 西村党总支
        // itself, resolved in 20 days (不满意).
        let second = mass_requests::record(
            &app,
            &rec,
            &home,
            &request("2026-11-20", Category::Elderly, "独居老人助餐", "T004"),
        )
        .await
        .unwrap();
        let third = mass_requests::record(
            &app,
            &rec,
            &home,
            &request("2026-11-01", Category::Environment, "河道垃圾清理", "T004"),
        )
        .await
        .unwrap();
        let fourth = mass_requests::record(
            &app,
            &rec,
            &home,
            &request(
                "2026-09-01",
                Category::Dispute,
                "宅基地边界纠纷",
                "西村党总支",
            ),
        )
        .await
        .unwrap();
        let t004 = org(&app, &committee, "T004").await.unwrap();
        mass_requests::resolve(
            &app,
            &rec,
            &t004,
            third,
            &ResolutionDraft {
                on: Some(d("2026-11-11")),
                result: "已组织党员志愿者清理".into(),
                feedback: Some(Feedback::Satisfied),
            },
        )
        .await
        .unwrap();
        mass_requests::resolve(
            &app,
            &rec,
            &home,
            fourth,
            &ResolutionDraft {
                on: Some(d("2026-09-21")),
                result: "调解达成协议".into(),
                feedback: Some(Feedback::Dissatisfied),
            },
        )
        .await
        .unwrap();

        // Refusals, each with its field.
        let future = request("2026-12-06", Category::Other, "x", "");
        let e = mass_requests::record(&app, &rec, &home, &future)
            .await
            .unwrap_err();
        assert_eq!(field(&e), "received_on", "{e}");
        let bad_phone = NewRequest {
            requester_phone: "12345".into(),
            ..request("2026-12-01", Category::Other, "x", "")
        };
        let e = mass_requests::record(&app, &rec, &home, &bad_phone)
            .await
            .unwrap_err();
        assert_eq!(field(&e), "requester_phone", "{e}");
        let dong = sys_org(&app, "T002").await;
        let sec = staff(&dong, Role::Secretary, "sec-T002");
        let sec_home = org(&app, &sec, "T002").await.unwrap();
        let sec_rec = sec.grant::<RecordRequests>().unwrap();
        let e = mass_requests::record(
            &app,
            &sec_rec,
            &sec_home,
            &request("2026-12-01", Category::Other, "x", "T004"),
        )
        .await
        .unwrap_err();
        assert_eq!(field(&e), "assign_to", "{e}");
        let inspector = staff(&township, Role::Inspector, "ducha");
        assert!(matches!(
            inspector.grant::<RecordRequests>(),
            Err(AppError::Forbidden)
        ));

        // The branch notes progress on its own request; another's is not found from it.
        mass_requests::progress(
            &app,
            &sec_rec,
            &sec_home,
            first,
            Some(d("2026-10-08")),
            "已报镇村建办，待采购灯具",
        )
        .await
        .unwrap();
        assert!(matches!(
            mass_requests::get(&app, &sec_home, second).await,
            Err(AppError::NotFound(_))
        ));
        let e = mass_requests::progress(&app, &rec, &home, third, Some(d("2026-11-20")), "x")
            .await
            .unwrap_err();
        assert_eq!(field(&e), "note", "resolved: no more progress: {e}");
        let again = ResolutionDraft {
            on: Some(d("2026-11-12")),
            result: "再办一次".into(),
            feedback: Some(Feedback::Satisfied),
        };
        assert!(mass_requests::resolve(&app, &rec, &home, third, &again)
            .await
            .is_err());

        // The request's own page: progress, the requester masked.
        let r = mass_requests::get(&app, &home, first).await.unwrap();
        assert_eq!(r.status, RequestStatus::Overdue);
        assert_eq!(r.days, 65);
        assert_eq!(r.requester.as_deref(), Some("张**"));
        assert_eq!(r.phone.as_deref(), Some("138****0012"));
        assert_eq!(r.progress.len(), 1);
        assert_eq!(r.org.code, "T002");

        // The township's list: open first, the oldest on top, then the resolved, latest
        // received first; no requester in a list.
        let l = mass_requests::list(&app, &home, Shown::All, None)
            .await
            .unwrap();
        assert_eq!(
            l.requests.iter().map(|r| r.id).collect::<Vec<_>>(),
            [first, second, third, fourth]
        );
        assert!(l
            .requests
            .iter()
            .all(|r| r.requester.is_none() && r.phone.is_none()));
        let c = l.counts;
        assert_eq!(
            (
                c.received,
                c.resolved,
                c.days,
                c.overdue,
                c.with_feedback,
                c.satisfied
            ),
            (4, 2, 30, 1, 2, 1)
        );
        assert_eq!(
            (l.rate_text(), l.average_text(), l.satisfied_text()),
            ("50.0%".into(), "15.0天".into(), "50.0%".into())
        );
        let sheets = l.to_sheets();
        assert_eq!(sheets[0].rows.len(), 4);
        assert!(!format!("{sheets:?}").contains("张某某"));
        // The month received and the status filters.
        let nov = mass_requests::list(&app, &home, Shown::All, Some((2026, 11)))
            .await
            .unwrap();
        assert_eq!(
            nov.requests.iter().map(|r| r.id).collect::<Vec<_>>(),
            [second, third]
        );
        assert_eq!((nov.counts.received, nov.counts.resolved), (2, 1));
        let late = mass_requests::list(&app, &home, Shown::Overdue, None)
            .await
            .unwrap();
        assert_eq!(
            late.requests.iter().map(|r| r.id).collect::<Vec<_>>(),
            [first]
        );
        let dong_resolved = mass_requests::list(&app, &sec_home, Shown::Resolved, None)
            .await
            .unwrap();
        assert!(dong_resolved.requests.is_empty());
        assert_eq!(
            dong_resolved.rate_text(),
            "0.0%",
            "one received, none resolved"
        );
        let organ = org(&app, &committee, "T005").await.unwrap();
        let none = mass_requests::list(&app, &organ, Shown::All, None)
            .await
            .unwrap();
        assert_eq!(
            (none.rate_text(), none.average_text(), none.satisfied_text()),
            ("暂无数据".into(), "暂无数据".into(), "暂无数据".into())
        );

        // Reminders: the branch's own, and the township's scope.
        let rem = reminders::of(&app, &sec, &sec_home).await.unwrap();
        let m = rem
            .iter()
            .find(|r| r.kind == ReminderKind::MassRequests)
            .expect("the branch's request");
        assert_eq!((m.count, m.overdue), (1, true), "{m:?}");
        assert_eq!(m.text, "群众诉求1件未办结（其中1件逾期未办结）");
        let rem = reminders::of(&app, &committee, &home).await.unwrap();
        let m = rem
            .iter()
            .find(|r| r.kind == ReminderKind::MassRequests)
            .unwrap();
        assert_eq!(m.text, "本范围群众诉求2件未办结（其中1件逾期未办结）");

        // 懒 by hand: 东村 has one request, unresolved and overdue → fired; 西村 (the
        // village's top, its branch's requests summed) resolved two → clear; 镇机关 none.
        let (s, e) = idleness(&app, "T002").await;
        assert_eq!(s, SignalState::Fired, "{e}");
        assert!(e.contains("1件逾期未办结"), "{e}");
        let (s, e) = idleness(&app, "T003").await;
        assert_eq!(s, SignalState::Clear, "{e}");
        assert!(e.contains("受理群众诉求3件，办结2件"), "{e}");
        let (s, _) = idleness(&app, "T004").await;
        assert_eq!(s, SignalState::NotApplicable, "judged at the village's top");
        let (s, e) = idleness(&app, "T005").await;
        assert_eq!(s, SignalState::NoData, "{e}");
        // 镇机关 holds a theme day with people from outside the party (群众参与): that is
        // work with the masses too.
        let jiguan = sys_org(&app, "T005").await;
        let sec5 = staff(&jiguan, Role::Secretary, "sec-T005");
        let theme = jiceng_app::meetings::NewMeeting {
            kind: Some(jiceng_domain::MeetingKind::ThemeDay),
            date: Some(d("2026-11-20")),
            topic: "入户走访困难群众".into(),
            expected: Some(3),
            present: Some(3),
            excused: Some(0),
            masses_present: Some(6),
            ..Default::default()
        };
        jiceng_app::meetings::record(&app, &sec5.grant().unwrap(), &jiguan, &theme)
            .await
            .unwrap();
        let (s, e) = idleness(&app, "T005").await;
        assert_eq!(s, SignalState::Clear, "{e}");
        assert!(e.contains("群众参与的组织生活1次"), "{e}");

        // The requester never reaches the audit log; the name is stored encrypted.
        let log = format!("{:?}", audit_log(&app).await);
        assert!(log.contains("mass_request_record") || log.contains("MassRequestRecord"));
        for secret in ["张某某", "13800000012"] {
            assert!(!log.contains(secret), "{secret} in the audit log");
        }
        let mut conn = app.store().acquire().await.unwrap();
        let stored = jiceng_store::requests::get(&mut conn, &jiceng_store::Scope::All, first)
            .await
            .unwrap()
            .unwrap();
        drop(conn);
        let cipher = stored.name_cipher.clone().unwrap();
        assert!(!cipher.contains("张"));
        assert_eq!(app.crypto.decrypt_text(&cipher).unwrap(), "张某某");

        // A key rotation encrypts it anew.
        let new = Crypto::with_suite(&[9u8; 32], app.crypto.suite());
        jiceng_app::privacy::rotate_key(&app, &Actor::system().grant().unwrap(), &new)
            .await
            .unwrap();
        let mut conn = app.store().acquire().await.unwrap();
        let stored = jiceng_store::requests::get(&mut conn, &jiceng_store::Scope::All, first)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            new.decrypt_text(stored.name_cipher.as_deref().unwrap())
                .unwrap(),
            "张某某"
        );
        assert_eq!(
            new.decrypt_text(stored.phone_cipher.as_deref().unwrap())
                .unwrap(),
            "13800000012"
        );
    }
);

contract_test!(
    progress_noted_at_once_gets_one_number_each,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("mass-requests-at-once");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        let rec = committee.grant::<RecordRequests>().unwrap();
        let id = mass_requests::record(
            &app,
            &rec,
            &home,
            &request("2026-12-01", Category::Education, "放学后托管", "T002"),
        )
        .await
        .unwrap();
        let note = |text: &'static str| {
            let (app, rec, home) = (app.clone(), rec.clone(), home.clone());
            tokio::spawn(async move {
                mass_requests::progress(&app, &rec, &home, id, Some(d("2026-12-02")), text).await
            })
        };
        let (a, b, c) = (note("甲"), note("乙"), note("丙"));
        let mut seqs = vec![
            a.await.unwrap().unwrap(),
            b.await.unwrap().unwrap(),
            c.await.unwrap().unwrap(),
        ];
        seqs.sort_unstable();
        assert_eq!(seqs, [1, 2, 3]);
        let r = mass_requests::get(&app, &home, id).await.unwrap();
        assert_eq!(r.progress.len(), 3);
    }
);
