//! Paging: a page number beyond the end (up to `i64::MAX`) is the last page, never an
//! overflow, on SQLite and PostgreSQL.

mod common;

use common::*;
use jiceng_app::access::Actor;
use jiceng_app::browse::{self, MemberQuery};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;

contract_test!(a_page_beyond_the_end_is_the_last, |db: TestDb| async move {
    let app = app(&db);
    let dir = Dir::new("paging");
    load_township(&app, &dir, true).await;
    for org in [None, Some(sys_org(&app, "T001").await)] {
        let q = |page| MemberQuery {
            org: org.clone(),
            kind: None,
            gender: None,
            page,
            page_size: 5,
            ..Default::default()
        };
        let last = browse::members(&app, &Actor::system(), &q(4))
            .await
            .unwrap();
        assert_eq!((last.total, last.items.len()), (17, 2));
        for page in [5, 1_000, i64::MAX] {
            let p = browse::members(&app, &Actor::system(), &q(page))
                .await
                .unwrap();
            assert_eq!(p.page, 4, "page {page}");
            assert_eq!(p.items.len(), 2);
            assert_eq!(p.items[0].id, last.items[0].id);
        }
        let first = browse::members(&app, &Actor::system(), &q(i64::MIN))
            .await
            .unwrap();
        assert_eq!((first.page, first.items.len()), (1, 5));
    }
    let units = |page| browse::UnitQuery {
        page,
        page_size: 2,
        ..Default::default()
    };
    let all = browse::units(&app, &Actor::system(), &units(1))
        .await
        .unwrap();
    let pages = (all.total + 1) / 2;
    assert!(pages > 1);
    let p = browse::units(&app, &Actor::system(), &units(i64::MAX))
        .await
        .unwrap();
    assert_eq!(p.page, pages);
    assert!(!p.items.is_empty());
});
