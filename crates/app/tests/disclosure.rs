//! 党务公开 and 结对共建 on SQLite and PostgreSQL. 东村's secretary publishes a notice and a
//! figure to the public and a decision to the members; the public page, reached by the
//! org's random key alone, shows exactly the published public items (newest first) and no
//! member's name; a withdrawn item is gone at once; an unknown key is not found; a figure
//! stays as it was computed when the records change; every publication and withdrawal is
//! audited. The township records two pairings of 东村 and ends one; the department's
//! counts by kind and the grassroots orgs without a pairing follow.

mod common;

use common::*;
use jiceng_app::access::{Actor, PublishDisclosure, RecordPairing, Role};
use jiceng_app::disclosure::{self, Publication};
use jiceng_app::pairing::{self, NewPairing};
use jiceng_app::AppError;
use jiceng_domain::disclosure::{Audience, Figure, FreeDraft, ItemKind, ItemState};
use jiceng_domain::pairing::{PairingDraft, PairingKind};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

fn staff(org: &jiceng_app::OrgRecord, role: Role, name: &str) -> Actor {
    Actor::for_test(12, name, role).at(org.org.id, &org.path)
}

fn field(e: &AppError) -> &'static str {
    match e {
        AppError::MemberLife(r) => r.field,
        other => panic!("not a refusal with a field: {other}"),
    }
}

fn free(kind: ItemKind, title: &str, body: &str, day: &str) -> Publication {
    Publication::Free(FreeDraft {
        kind: Some(kind),
        title: title.into(),
        body: body.into(),
        day: Some(d(day)),
    })
}

fn figure(f: Figure, year: i32) -> Publication {
    Publication::Figure {
        figure: Some(f),
        year: Some(year),
        survey: None,
    }
}

contract_test!(
    published_items_reach_the_members_and_the_public_page_and_nothing_else,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("disclosure");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let dong_rec = sys_org(&app, "T002").await;
        let secretary = staff(&dong_rec, Role::Secretary, "dongshuji");
        let dong = org(&app, &secretary, "T002").await.unwrap();
        let grant = secretary.grant::<PublishDisclosure>().unwrap();
        // A member reads, never publishes.
        assert!(staff(&dong_rec, Role::Member, "m")
            .grant::<PublishDisclosure>()
            .is_err());

        // Refused on their fields.
        let notice = free(
            ItemKind::Notice,
            "关于开展主题党日活动的通知",
            "12月10日上午9时在村委会",
            "2026-12-01",
        );
        let e = disclosure::publish(&app, &grant, &dong, None, &notice)
            .await
            .unwrap_err();
        assert_eq!(field(&e), "audience");
        let ahead = free(ItemKind::Notice, "通知", "内容", "2026-12-06");
        let e = disclosure::publish(&app, &grant, &dong, Some(Audience::Public), &ahead)
            .await
            .unwrap_err();
        assert_eq!(field(&e), "day");
        let e = disclosure::publish(
            &app,
            &grant,
            &dong,
            Some(Audience::Public),
            &figure(Figure::DuesYear, 2027),
        )
        .await
        .unwrap_err();
        assert_eq!(field(&e), "year");
        let no_survey = Publication::Figure {
            figure: Some(Figure::SurveyResult),
            year: None,
            survey: None,
        };
        let e = disclosure::publish(&app, &grant, &dong, Some(Audience::Public), &no_survey)
            .await
            .unwrap_err();
        assert_eq!(field(&e), "survey");
        assert_eq!(
            disclosure::public_path(&app, dong.org.id).await.unwrap(),
            None,
            "no key before the first publication"
        );

        // Published: a notice and a figure to the public, a decision to the members.
        let n_id = disclosure::publish(&app, &grant, &dong, Some(Audience::Public), &notice)
            .await
            .unwrap();
        let f_id = disclosure::publish(
            &app,
            &grant,
            &dong,
            Some(Audience::Public),
            &figure(Figure::RequestsYear, 2026),
        )
        .await
        .unwrap();
        let decision = free(
            ItemKind::Decision,
            "关于确定发展对象的决定",
            "确定两名发展对象（内部）",
            "2026-12-04",
        );
        let m_id = disclosure::publish(&app, &grant, &dong, Some(Audience::Members), &decision)
            .await
            .unwrap();

        let b = disclosure::board(&app, &dong).await.unwrap();
        assert_eq!(b.items.len(), 3);
        let key = b.public_key.clone().expect("a key once published");
        assert_eq!(key.len(), 26);
        assert!(key != dong.org.id.to_string() && !key.contains("T002"));
        assert_eq!(
            disclosure::public_path(&app, dong.org.id).await.unwrap(),
            Some(format!("/p/{key}"))
        );
        // The figure: computed now, with today's day, said so.
        let fig = b.items.iter().find(|i| i.id == f_id).unwrap();
        assert_eq!(fig.kind, ItemKind::Figure);
        assert_eq!(fig.day, d("2026-12-05"));
        assert!(fig.body.contains("受理群众诉求0件"), "{}", fig.body);
        assert!(fig.frozen_note().contains("2026-12-05"));

        // The public page: exactly the two public items, newest first, and the org's name.
        let p = disclosure::public(&app, &key).await.unwrap();
        assert_eq!(p.org_name, "东村党支部");
        let titles: Vec<&str> = p.items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(
            titles,
            vec![
                "东村党支部2026年群众诉求办理情况",
                "关于开展主题党日活动的通知"
            ]
        );
        let shown = serde_json::to_string(&p).unwrap();
        assert!(
            !shown.contains("关于确定发展对象的决定"),
            "a members' item on the public page"
        );
        assert!(!shown.contains("dongshuji"), "who published is not shown");
        for person in people() {
            assert!(
                !shown.contains(person.name),
                "{} on the public page",
                person.name
            );
        }
        // Unknown keys are not found; so is the org's id or code in place of the key.
        for k in [
            "abcdefghijkmnpqrstuvwxyz23",
            "",
            "T002",
            &dong.org.id.to_string(),
        ] {
            assert!(
                matches!(
                    disclosure::public(&app, k).await,
                    Err(AppError::NotFound(_))
                ),
                "{k}"
            );
        }

        // The members see all three; a member of a branch below sees what the org above
        // publishes to its members.
        let seen = disclosure::for_member_of(&app, &dong.path).await.unwrap();
        assert_eq!(seen.len(), 3);
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        let cgrant = committee.grant::<PublishDisclosure>().unwrap();
        disclosure::publish(
            &app,
            &cgrant,
            &home,
            Some(Audience::Members),
            &free(ItemKind::Notice, "镇党委通知", "全镇党员", "2026-12-05"),
        )
        .await
        .unwrap();
        assert_eq!(
            disclosure::for_member_of(&app, &dong.path)
                .await
                .unwrap()
                .len(),
            4
        );
        assert_eq!(
            disclosure::public(&app, &key).await.unwrap().items.len(),
            2,
            "not another org's item"
        );

        // A figure stays as computed: a request received afterwards does not change it.
        let rgrant = committee
            .grant::<jiceng_app::access::RecordRequests>()
            .unwrap();
        let req = jiceng_app::mass_requests::NewRequest {
            draft: jiceng_domain::mass_request::RequestDraft {
                channel: Some(jiceng_domain::mass_request::Channel::Visit),
                received_on: Some(d("2026-12-05")),
                category: Some(jiceng_domain::mass_request::Category::Other),
                content: "修路".into(),
                handler: "赵一".into(),
                requester_name: String::new(),
            },
            assign_to: "T002".into(),
            requester_phone: String::new(),
        };
        jiceng_app::mass_requests::record(&app, &rgrant, &home, &req)
            .await
            .unwrap();
        let again = disclosure::board(&app, &dong).await.unwrap();
        assert!(again
            .items
            .iter()
            .find(|i| i.id == f_id)
            .unwrap()
            .body
            .contains("受理群众诉求0件"));

        // Another branch's secretary cannot withdraw 东村's item (not found in its scope).
        let xi_rec = sys_org(&app, "T005").await;
        let xi_sec = staff(&xi_rec, Role::Secretary, "xishuji");
        let xi = org(&app, &xi_sec, "T005").await.unwrap();
        let xgrant = xi_sec.grant::<PublishDisclosure>().unwrap();
        assert!(matches!(
            disclosure::withdraw(&app, &xgrant, &xi, n_id).await,
            Err(AppError::NotFound(_))
        ));

        // Withdrawn: gone from the public page at once; a second withdrawal is refused.
        disclosure::withdraw(&app, &grant, &dong, n_id)
            .await
            .unwrap();
        let p = disclosure::public(&app, &key).await.unwrap();
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.items[0].title, "东村党支部2026年群众诉求办理情况");
        let e = disclosure::withdraw(&app, &grant, &dong, n_id)
            .await
            .unwrap_err();
        assert_eq!(field(&e), "id");
        let b = disclosure::board(&app, &dong).await.unwrap();
        let n = b.items.iter().find(|i| i.id == n_id).unwrap();
        assert_eq!(n.state, ItemState::Withdrawn);
        assert_eq!(
            disclosure::for_member_of(&app, &dong.path)
                .await
                .unwrap()
                .len(),
            3
        );
        disclosure::withdraw(&app, &grant, &dong, m_id)
            .await
            .unwrap();
        assert!(!disclosure::for_member_of(&app, &dong.path)
            .await
            .unwrap()
            .iter()
            .any(|i| i.id == m_id));

        // Audited: four publications, two withdrawals.
        let log = audit_log(&app).await;
        assert_eq!(log.iter().filter(|e| e.code == 190).count(), 4);
        assert_eq!(log.iter().filter(|e| e.code == 191).count(), 2);
        assert!(log
            .iter()
            .any(|e| e.code == 191 && e.target == n_id.to_string()));
    }
);

contract_test!(
    pairings_are_shown_on_both_sides_and_counted_by_the_department,
    |db: TestDb| async move {
        let app = on(&db, "2026-12-05");
        let dir = Dir::new("pairing");
        load_township(&app, &dir, false).await;
        let township = sys_org(&app, "T001").await;
        let committee = staff(&township, Role::Committee, "zuzhi");
        let home = org(&app, &committee, "T001").await.unwrap();
        let grant = committee.grant::<RecordPairing>().unwrap();
        assert!(staff(&township, Role::Secretary, "s")
            .grant::<RecordPairing>()
            .is_err());

        let before = pairing::overview(&app, &home, None).await.unwrap();
        assert_eq!(before.total, 0);
        assert!(before.unpaired_total >= 4, "{:?}", before.unpaired);

        let draft = |kind, name: &str, since: &str| PairingDraft {
            kind,
            partner_name: name.into(),
            content: "帮建活动场所，开展农技培训".into(),
            since: Some(d(since)),
            until: None,
        };
        let new = |kind, name: &str, partner: &str| NewPairing {
            draft: draft(kind, name, "2026-03-01"),
            supported: "T002".into(),
            partner_org: partner.into(),
        };
        // Refused on their fields.
        let e = pairing::record(&app, &grant, &home, &new(None, "县农业农村局", ""))
            .await
            .unwrap_err();
        assert_eq!(field(&e), "kind");
        let e = pairing::record(
            &app,
            &grant,
            &home,
            &new(Some(PairingKind::DepartmentVillage), "", ""),
        )
        .await
        .unwrap_err();
        assert_eq!(field(&e), "partner_name");
        let e = pairing::record(
            &app,
            &grant,
            &home,
            &new(Some(PairingKind::OrganBranch), "", "T002"),
        )
        .await
        .unwrap_err();
        assert_eq!(field(&e), "partner_org");
        let mut ahead = new(Some(PairingKind::DepartmentVillage), "县农业农村局", "");
        ahead.draft.since = Some(d("2026-12-06"));
        assert_eq!(
            field(
                &pairing::record(&app, &grant, &home, &ahead)
                    .await
                    .unwrap_err()
            ),
            "since"
        );

        let a = pairing::record(
            &app,
            &grant,
            &home,
            &new(Some(PairingKind::DepartmentVillage), "县农业农村局", ""),
        )
        .await
        .unwrap();
        let b = pairing::record(
            &app,
            &grant,
            &home,
            &new(Some(PairingKind::OrganBranch), "", "T005"),
        )
        .await
        .unwrap();

        // Both sides.
        let dong = pairing::of_org(&app, org_id(&app, "T002").await)
            .await
            .unwrap();
        assert_eq!(dong.supported_by.len(), 2);
        assert!(dong.supports.is_empty());
        let jiguan = pairing::of_org(&app, org_id(&app, "T005").await)
            .await
            .unwrap();
        assert_eq!(jiguan.supports.len(), 1);
        assert_eq!(jiguan.supports[0].org.code, "T002");
        assert_eq!(jiguan.supports[0].partner_name, "镇机关党支部");

        // Counted: by kind, 东村 covered, the rest unpaired.
        let o = pairing::overview(&app, &home, None).await.unwrap();
        let count = |k: PairingKind| o.by_kind.iter().find(|(x, _)| *x == k).unwrap().1;
        assert_eq!(count(PairingKind::DepartmentVillage), 1);
        assert_eq!(count(PairingKind::OrganBranch), 1);
        assert_eq!(o.total, 2);
        assert_eq!(o.covered, 1);
        assert_eq!(o.unpaired_total, before.unpaired_total - 1);
        assert!(!o.unpaired.iter().any(|u| u.code == "T002"));
        // Before the pairings began, none held.
        let early = pairing::overview(&app, &home, Some(d("2026-02-01")))
            .await
            .unwrap();
        assert_eq!(early.total, 0);

        // Ended: no longer counted after the day.
        let e = pairing::end(&app, &grant, &home, a, Some(d("2026-01-01")))
            .await
            .unwrap_err();
        assert_eq!(field(&e), "until");
        pairing::end(&app, &grant, &home, a, Some(d("2026-11-30")))
            .await
            .unwrap();
        let o = pairing::overview(&app, &home, None).await.unwrap();
        assert_eq!(o.total, 1);
        assert_eq!(o.covered, 1);
        assert_eq!(o.pairings[0].id, b);

        // The workbook: counts, pairings, the unpaired.
        let sheets = o.to_sheets();
        assert_eq!(sheets.len(), 3);
        assert_eq!(sheets[1].rows.len(), 1);

        let log = audit_log(&app).await;
        assert_eq!(log.iter().filter(|e| e.code == 192).count(), 2);
        assert_eq!(log.iter().filter(|e| e.code == 193).count(), 1);
    }
);
