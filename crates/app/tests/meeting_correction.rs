//! A recorded meeting corrected (更正) or voided (作废) with a reason, on SQLite and
//! PostgreSQL (today 2026-12-15): 东村's theme day of December recorded with the wrong topic
//! and 郑七 marked absent is corrected — the month's facts count the new attendance, the old
//! record is gone and the audit keeps both and the reason; then voided — the month owes its
//! theme day again. Refused: no reason, a duplicate of another record, another branch's
//! record (not found), a correction that moves the meeting to another branch.

mod common;

use common::*;
use jiceng_app::access::{Actor, RecordLife, Role};
use jiceng_app::meetings::{self, NewMeeting, RecordError};
use jiceng_app::AppError;
use jiceng_domain::{AttendanceStatus as S, MeetingKind};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

async fn query_i64(app: &jiceng_app::App, sql: &str) -> i64 {
    let mut c = app.store().acquire().await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut *c).await.unwrap()
}

async fn query_text(app: &jiceng_app::App, sql: &str) -> String {
    let mut c = app.store().acquire().await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut *c).await.unwrap()
}

contract_test!(
    a_meeting_is_corrected_or_voided_with_a_reason_and_the_facts_follow,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("correction");
        load_township(&app, &dir, false).await;
        let dong = sys_org(&app, "T002").await;
        let sec = Actor::for_test(31, "sec-dong", Role::Secretary).at(dong.org.id, &dong.path);
        let grant = sec.grant::<RecordLife>().unwrap();
        let roster = meetings::record_context(&app, &dong).await.unwrap().roster;
        // 花名册 order: 书记, then the 委员, then the others (full before probationary),
        // not the code points of the names.
        let names: Vec<&str> = roster.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(&names[..2], ["赵一", "孙三"], "{names:?}");
        assert_eq!(
            names.last(),
            Some(&"王八"),
            "the probationary member last: {names:?}"
        );
        let theme_day = |topic: &str, absent: &[&str]| NewMeeting {
            kind: Some(MeetingKind::ThemeDay),
            date: Some(d("2026-12-05")),
            topic: topic.into(),
            attendees: roster
                .iter()
                .map(|m| {
                    let s = if absent.contains(&m.name.as_str()) {
                        S::Absent
                    } else {
                        S::Present
                    };
                    (m.id, s, None)
                })
                .collect(),
            ..Default::default()
        };
        let owes_theme_day = |due: &jiceng_app::meetings::Due| {
            due.items
                .iter()
                .any(|i| i.kind == "ThemeDay" && i.span_label.contains("12"))
        };
        let today = app.today();
        let first = meetings::record(&app, &grant, &dong, &theme_day("十二月主题党月", &["郑七"]))
            .await
            .unwrap();
        assert_eq!((first.expected, first.present), (8, 7));
        assert!(!owes_theme_day(
            &meetings::due(&app, &dong, today).await.unwrap()
        ));
        let other = meetings::record(&app, &grant, &dong, &theme_day("另一次学习", &[]))
            .await
            .unwrap();

        // Corrected: the topic and 郑七, who was there after all.
        let fixed = theme_day("十二月主题党日", &[]);
        let refused = meetings::correct(&app, &grant, &dong, first.id, &fixed, "  ").await;
        assert!(
            matches!(&refused, Err(AppError::Meeting(e)) if e.iter().any(|x| *x == RecordError::NoReason)),
            "{refused:?}"
        );
        let dup = meetings::correct(
            &app,
            &grant,
            &dong,
            first.id,
            &theme_day("另一次学习", &[]),
            "改题目",
        )
        .await;
        assert!(
            matches!(&dup, Err(AppError::Meeting(e)) if e.iter().any(|x| matches!(x, RecordError::Duplicate { .. }))),
            "{dup:?}"
        );
        let r = meetings::correct(
            &app,
            &grant,
            &dong,
            first.id,
            &fixed,
            "主题写错，郑七实际出席",
        )
        .await
        .unwrap();
        assert_eq!(
            (r.expected, r.present, r.topic.as_str()),
            (8, 8, "十二月主题党日")
        );
        assert!(matches!(
            meetings::get(&app, &sec, first.id).await,
            Err(AppError::NotFound(_))
        ));
        let v = meetings::get(&app, &sec, r.id).await.unwrap();
        assert!(v.attendees.iter().all(|a| a.status == "present"));
        // The month's stored facts count the corrected attendance: two theme days, 16 of 16.
        let month = query_i64(
            &app,
            &format!(
                "SELECT expected * 1000 + present FROM compliance_month WHERE branch_id = {} AND year_month = '2026-12'",
                dong.org.id
            ),
        )
        .await;
        assert_eq!(month, 16_016);
        // The audit keeps the record before, the one after and the reason.
        let entry = query_text(
            &app,
            "SELECT after FROM audit_event WHERE code = 124 ORDER BY seq DESC LIMIT 1",
        )
        .await;
        assert!(
            entry.contains("主题写错") && entry.contains("十二月主题党日"),
            "{entry}"
        );

        // Voided: the other record, then the corrected one — the month owes its theme day.
        meetings::void(&app, &grant, other.id, "重复录入")
            .await
            .unwrap();
        assert!(!owes_theme_day(
            &meetings::due(&app, &dong, today).await.unwrap()
        ));
        meetings::void(&app, &grant, r.id, "当天未召开")
            .await
            .unwrap();
        assert!(owes_theme_day(
            &meetings::due(&app, &dong, today).await.unwrap()
        ));
        assert_eq!(
            query_i64(
                &app,
                &format!(
                    "SELECT COUNT(*) FROM compliance_month WHERE branch_id = {} AND year_month = '2026-12' AND theme_days > 0",
                    dong.org.id
                ),
            )
            .await,
            0
        );
        assert!(matches!(
            meetings::void(&app, &grant, r.id, "再来一次").await,
            Err(AppError::NotFound(_))
        ));

        // Another branch's secretary: 东村's records are not found.
        let again = meetings::record(&app, &grant, &dong, &theme_day("十二月主题党日", &[]))
            .await
            .unwrap();
        let xi = sys_org(&app, "T004").await;
        let sec_xi = Actor::for_test(41, "sec-xi", Role::Secretary).at(xi.org.id, &xi.path);
        let xi_grant = sec_xi.grant::<RecordLife>().unwrap();
        assert!(matches!(
            meetings::void(&app, &xi_grant, again.id, "不是我们的").await,
            Err(AppError::NotFound(_))
        ));
        // The township corrects it into 西村第一's record: refused, the branch stays.
        let town = Actor::for_test(21, "town", Role::Committee).at(
            sys_org(&app, "T001").await.org.id,
            &sys_org(&app, "T001").await.path,
        );
        let town_grant = town.grant::<RecordLife>().unwrap();
        let moved = NewMeeting {
            attendees: vec![],
            expected: Some(2),
            present: Some(2),
            ..theme_day("十二月主题党日", &[])
        };
        let r = meetings::correct(&app, &town_grant, &xi, again.id, &moved, "改到西村").await;
        assert!(
            matches!(&r, Err(AppError::Meeting(e)) if e.iter().any(|x| matches!(x, RecordError::OtherBranch(_)))),
            "{r:?}"
        );
    }
);
