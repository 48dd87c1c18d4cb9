//! 党小组 membership on SQLite and PostgreSQL: members placed in a branch's groups by the
//! roster import's 所在党小组 and by the secretary's page, a 党小组会 recorded against its
//! group's members only, and a group that is dissolved leaving no roster behind.

mod common;

use common::*;
use jiceng_app::access::{Actor, RecordLife, Role, Write};
use jiceng_app::groups;
use jiceng_app::import::{self, ImportOptions, NoProgress};
use jiceng_app::meetings::{self, NewMeeting};
use jiceng_domain::{AttendanceStatus, MeetingKind};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};

/// Two groups under 东村 (T002): 东村第一党小组 (G1) and 东村第二党小组 (G2).
async fn with_groups(app: &jiceng_app::App, dir: &Dir) {
    load_township(app, dir, false).await;
    let p = dir.file("党小组.xlsx");
    let row = |name: &str, code: &str| {
        Some(vec![
            s(name),
            s("党小组"),
            s("T002"),
            s("农村"),
            s(""),
            s("2016.1.1"),
            s(""),
            s(""),
            s(code),
        ])
    };
    xlsx(
        &p,
        "党小组",
        &ORG_HEADER,
        &[row("东村第一党小组", "G1"), row("东村第二党小组", "G2")],
    );
    import_clean(app, Kind::Orgs, &p, &ImportOptions::default()).await;
}

/// A roster of 东村's members named, each with the 所在党小组 written.
fn roster_with_groups(dir: &Dir, rows: &[(&str, &str)]) -> std::path::PathBuf {
    let people = people();
    let mut header: Vec<&str> = MEMBER_HEADER.to_vec();
    header.push("所在党小组");
    let lines: Vec<Option<Vec<C>>> = rows
        .iter()
        .map(|(name, group)| {
            let (i, p) = people
                .iter()
                .enumerate()
                .find(|(_, p)| p.name == *name)
                .unwrap();
            let mut r = member_row(i, p);
            r.push(s(group));
            Some(r)
        })
        .collect();
    let p = dir.file("名册含党小组.xlsx");
    xlsx(&p, "东村党员花名册", &header, &lines);
    p
}

fn secretary(branch: &jiceng_app::OrgRecord) -> Actor {
    Actor::for_test(9, "secretary-T002", Role::Secretary).at(branch.org.id, &branch.path)
}

contract_test!(
    a_group_meeting_is_recorded_against_its_groups_members,
    |db: TestDb| async move {
        let app = app(&db);
        let dir = Dir::new("groups");
        with_groups(&app, &dir).await;
        let dongcun = app.resolve_org(&Scope::All, "T002").await.unwrap();
        let sec = secretary(&dongcun);
        let (g1, g2) = (org_id(&app, "G1").await, org_id(&app, "G2").await);

        // The import: a group by the end of its name, another by its code; a name that is
        // no group of the branch is refused with the groups there are, nothing written.
        let bad = roster_with_groups(&dir, &[("赵一", "第一党小组"), ("钱二", "第三党小组")]);
        let r = import::members::run(&app, &bad, &ImportOptions::default(), &NoProgress)
            .await
            .unwrap();
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
        assert_eq!(r.errors[0].column, "所在党小组");
        assert!(
            r.errors[0]
                .message
                .contains("东村第一党小组、东村第二党小组"),
            "{}",
            r.errors[0].message
        );
        assert_eq!(r.written, 0);
        let good = roster_with_groups(
            &dir,
            &[
                ("赵一", "第一党小组"),
                ("钱二", "第一党小组"),
                ("孙三", "G2"),
            ],
        );
        import_clean(&app, Kind::Members, &good, &ImportOptions::default()).await;
        let home = common::org(&app, &sec, "T002").await.unwrap();
        let page = groups::of_branch(&app, &home).await.unwrap();
        let count = |g: i64| page.groups.iter().find(|c| c.id == g).unwrap().members;
        assert_eq!((count(g1), count(g2), page.unassigned), (2, 1, 5));
        // The same roster without the column keeps the groups.
        load_township(&app, &dir, false).await;
        let page = groups::of_branch(&app, &home).await.unwrap();
        assert_eq!(page.unassigned, 5);

        // The secretary's page: 李四 and 周五 into the first group, 钱二 out of it.
        let write = sec.grant::<Write>().unwrap();
        let (li, zhou, qian) = (
            member_named(&app, "李四").await,
            member_named(&app, "周五").await,
            member_named(&app, "钱二").await,
        );
        let done = groups::assign(
            &app,
            &write,
            &home,
            &[(li, Some(g1)), (zhou, Some(g1)), (qian, None)],
        )
        .await
        .unwrap();
        assert_eq!(done.changed, 3);
        let page = groups::of_branch(&app, &home).await.unwrap();
        assert_eq!((count_of(&page, g1), page.unassigned), (3, 4));
        let entry = audit_log(&app).await;
        let last = entry.iter().find(|e| e.action == "group_members").unwrap();
        assert_eq!(last.label, "调整党小组成员");
        let after = last.after.clone().unwrap().to_string();
        assert!(after.contains("李四"), "{after}");
        // A member of another branch, or a group of another branch: refused, nothing kept.
        let feng = member_named(&app, "冯九").await;
        let err = groups::assign(&app, &write, &home, &[(zhou, None), (feng, Some(g1))])
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("不是“东村党支部”的现有党员"),
            "{err}"
        );
        let page = groups::of_branch(&app, &home).await.unwrap();
        assert_eq!(count_of(&page, g1), 3);

        // The record form's roster for the first group's meeting: its three members.
        let group1 = common::org(&app, &sec, "G1").await.unwrap();
        let ctx = meetings::record_context(&app, &group1).await.unwrap();
        let day = d("2026-12-10");
        let expected: Vec<&str> = ctx
            .expected(Some(MeetingKind::GroupMeeting), Some(g1), Some(day))
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(expected.len(), 3, "{expected:?}");
        assert!(expected.contains(&"李四") && !expected.contains(&"钱二"));
        // The whole roster for a theme day.
        assert_eq!(
            ctx.expected(Some(MeetingKind::ThemeDay), Some(g1), Some(day))
                .len(),
            8
        );

        // Recorded against the group: someone outside it is refused by name.
        let grant = sec.grant::<RecordLife>().unwrap();
        let mut meeting = NewMeeting {
            kind: Some(MeetingKind::GroupMeeting),
            date: Some(day),
            topic: "学习党章".into(),
            attendees: vec![
                (li, AttendanceStatus::Present, None),
                (qian, AttendanceStatus::Present, None),
            ],
            ..Default::default()
        };
        let err = meetings::record(&app, &grant, &group1, &meeting)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("“钱二”不是“东村第一党小组”的成员"),
            "{err}"
        );
        meeting.attendees = ctx
            .expected(Some(MeetingKind::GroupMeeting), Some(g1), Some(day))
            .iter()
            .map(|m| (m.id, AttendanceStatus::Present, None))
            .collect();
        let rec = meetings::record(&app, &grant, &group1, &meeting)
            .await
            .unwrap();
        assert_eq!((rec.expected, rec.present), (3, 3));

        // The member page names the group.
        let view = jiceng_app::browse::member_view(&app, &sec, li)
            .await
            .unwrap();
        assert_eq!(
            view.group.map(|g| g.name).as_deref(),
            Some("东村第一党小组")
        );

        // The first group dissolved: its members sit in no group, and a 党小组会 of the
        // second group (no members on record yet) still offers the whole roster.
        exec(
            &app,
            &format!("UPDATE org SET dissolved_on = '2026-12-12' WHERE id = {g1}"),
        )
        .await;
        let page = groups::of_branch(&app, &home).await.unwrap();
        assert_eq!((page.groups.len(), page.unassigned), (1, 7));
        let view = jiceng_app::browse::member_view(&app, &sec, li)
            .await
            .unwrap();
        assert!(view.group.is_none());
        let group2 = common::org(&app, &sec, "G2").await.unwrap();
        let ctx = meetings::record_context(&app, &group2).await.unwrap();
        assert_eq!(
            ctx.expected(Some(MeetingKind::GroupMeeting), Some(g2), Some(day))
                .len(),
            1
        );
        let ctx_empty = ctx.expected(Some(MeetingKind::GroupMeeting), Some(g1), Some(day));
        assert_eq!(
            ctx_empty.len(),
            8,
            "a group with nobody on record: the roster"
        );
    }
);

fn count_of(page: &groups::BranchGroups, g: i64) -> usize {
    page.groups.iter().find(|c| c.id == g).unwrap().members
}
