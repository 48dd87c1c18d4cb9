//! Personal data at rest, on SQLite and PostgreSQL: phones encrypted with a masked copy
//! (never in clear in any column), the 国密 suite end to end, a database refusing another
//! suite, rotation covering phones, the upgrade of clear phones and key file modes.

mod common;

use common::*;
use jiceng_app::access::{Actor, Role};
use jiceng_app::audit::{self, AuditAction};
use jiceng_app::browse::{self, MemberQuery};
use jiceng_app::crypto::Suite;
use jiceng_app::import::{self, ImportOptions, NoProgress};
use jiceng_app::{privacy, App, AppError, Crypto};
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};

/// The one phone of the township roster (钱二's, written in full-width digits).
const PHONE: &str = "13800000012";

/// A department official over the whole tree: may see a full ID number.
fn department() -> Actor {
    Actor::system().with_role(Role::Department)
}

async fn member(app: &App, name: &str) -> jiceng_store::members::StoredMember {
    let mut c = app.store().acquire().await.unwrap();
    let (mut list, _) = jiceng_store::members::search(&mut c, &Scope::All, Some(name), 0, 5)
        .await
        .unwrap();
    assert_eq!(list.len(), 1, "{name}");
    list.remove(0)
}

/// Every value of every column of `member`, as text: what a reader of the raw rows sees.
async fn raw_member_cells(app: &App) -> Vec<String> {
    let mut c = app.store().acquire().await.unwrap();
    let columns: Vec<String> = match app.store().backend() {
        jiceng_store::Backend::Sqlite => {
            sqlx::query_scalar("SELECT name FROM pragma_table_info('member')")
                .fetch_all(&mut *c)
                .await
                .unwrap()
        }
        jiceng_store::Backend::Postgres => sqlx::query_scalar(
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = 'member'",
        )
        .fetch_all(&mut *c)
        .await
        .unwrap(),
    };
    assert!(columns.len() > 15, "{columns:?}");
    let mut out = Vec::new();
    for col in &columns {
        let vals: Vec<Option<String>> =
            sqlx::query_scalar(&format!("SELECT CAST({col} AS TEXT) FROM member"))
                .fetch_all(&mut *c)
                .await
                .unwrap();
        out.extend(vals.into_iter().flatten());
    }
    out
}

async fn has_column(app: &App, name: &str) -> bool {
    let mut c = app.store().acquire().await.unwrap();
    let sql = match app.store().backend() {
        jiceng_store::Backend::Sqlite => {
            "SELECT COUNT(*) FROM pragma_table_info('member') WHERE name = $1"
        }
        jiceng_store::Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() \
             AND table_name = 'member' AND column_name = $1"
        }
    };
    let n: i64 = sqlx::query_scalar(sql)
        .bind(name)
        .fetch_one(&mut *c)
        .await
        .unwrap();
    n > 0
}

contract_test!(phones_are_never_stored_in_clear, |db: TestDb| async move {
    let app = app(&db);
    privacy::check_key(&app).await.unwrap();
    assert!(!has_column(&app, "phone").await, "the clear column is gone");
    let dir = Dir::new("phones");
    load_township(&app, &dir, true).await;
    let m = member(&app, "钱二").await;
    assert_eq!(m.phone_masked.as_deref(), Some("138****0012"));
    let cipher = m.phone_cipher.clone().expect("encrypted");
    assert_eq!(app.crypto.decrypt_text(&cipher).unwrap(), PHONE);
    let cells = raw_member_cells(&app).await;
    assert!(cells.iter().any(|v| v == "138****0012"));
    assert!(
        !cells.iter().any(|v| v.contains(PHONE)),
        "a phone in clear in the member table"
    );
    // The same roster again: the same phone keeps its ciphertext, nothing changes.
    let (_, members, _) = township(&dir);
    let r = import::members::run(&app, &members, &ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    assert_eq!((r.written, r.unchanged), (0, 17));
    assert_eq!(member(&app, "钱二").await.phone_cipher, Some(cipher));
    // The list shows the masked copy.
    let page = browse::members(
        &app,
        &Actor::system(),
        &MemberQuery {
            q: Some("钱二".into()),
            kind: None,
            gender: None,
            page: 1,
            page_size: 20,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.items[0].phone_masked.as_deref(), Some("138****0012"));
});

contract_test!(
    clear_phones_of_an_older_schema_are_protected_once,
    |db: TestDb| async move {
        // A database as migration 11 leaves one made before it: the clear column still there,
        // phones in it, nothing in the new columns.
        let app = app(&db);
        let dir = Dir::new("upgrade");
        load_township(&app, &dir, true).await;
        assert!(has_column(&app, "phone").await);
        {
            let mut c = app.store().acquire().await.unwrap();
            sqlx::query(
                "UPDATE member SET phone = $1, phone_cipher = NULL, phone_masked = NULL \
             WHERE name IN ('钱二', '孙三')",
            )
            .bind(PHONE)
            .execute(&mut *c)
            .await
            .unwrap();
            sqlx::query("UPDATE member SET phone = '053188886666' WHERE name = '赵一'")
                .execute(&mut *c)
                .await
                .unwrap();
        }
        assert!(raw_member_cells(&app).await.iter().any(|v| v == PHONE));
        let before = audit::verify(&app).await.unwrap().entries;
        privacy::check_key(&app).await.unwrap();
        assert!(!has_column(&app, "phone").await);
        let cells = raw_member_cells(&app).await;
        assert!(!cells
            .iter()
            .any(|v| v.contains(PHONE) || v.contains("053188886666")));
        for (name, phone, masked) in [
            ("钱二", PHONE, "138****0012"),
            ("孙三", PHONE, "138****0012"),
            ("赵一", "053188886666", "053*****6666"),
        ] {
            let m = member(&app, name).await;
            assert_eq!(m.phone_masked.as_deref(), Some(masked), "{name}");
            assert_eq!(
                app.crypto
                    .decrypt_text(m.phone_cipher.as_deref().unwrap())
                    .unwrap(),
                phone
            );
        }
        let r = audit::verify(&app).await.unwrap();
        assert!(r.ok, "{:?}", r.problems);
        assert_eq!(r.entries, before + 1, "one audited protection");
        // Idempotent: a second start does nothing.
        assert_eq!(privacy::protect_phones(&app).await.unwrap(), 0);
        privacy::check_key(&app).await.unwrap();
        assert_eq!(audit::verify(&app).await.unwrap().entries, before + 1);
        let _ = AuditAction::CryptoSuiteSet;
    }
);

/// `app` with `key` instead of its own key; the database must accept it.
async fn holding(app: &App, key: &Crypto) -> App {
    let mut other = app.clone();
    other.crypto = key.clone();
    privacy::check_key(&other).await.unwrap();
    other
}

/// The full ID number of member `id`, revealed to the department.
async fn revealed(app: &App, id: i64) -> String {
    async { privacy::reveal_id_number(app, &department().grant()?, id).await }
        .await
        .unwrap()
}

contract_test!(sm_suite_end_to_end_with_rotation, |db: TestDb| async move {
    let app = holding(&app(&db), &Crypto::with_suite(&[42u8; 32], Suite::Sm)).await;
    assert_eq!(
        privacy::database_suite(app.store()).await.unwrap(),
        Some(Suite::Sm)
    );
    let dir = Dir::new("sm");
    load_township(&app, &dir, true).await;
    let zhao = member(&app, "赵一").await;
    // The stored hash and ciphertext are the SM suite's, not AES's.
    let aes = Crypto::with_suite(&[42u8; 32], Suite::Aes);
    let number = app.crypto.decrypt(&zhao.id_cipher).unwrap();
    assert!(aes.decrypt(&zhao.id_cipher).is_err());
    assert_eq!(zhao.id_hash, app.crypto.id_hash(&number));
    assert_ne!(zhao.id_hash, aes.id_hash(&number));
    // Reports, reveal (audited), the masked phone.
    let report = jiceng_app::reports::members::run(&app, &sys_org(&app, "T001").await, d(TODAY))
        .await
        .unwrap();
    assert_eq!(report.total, 17);
    let full = revealed(&app, zhao.id).await;
    assert_eq!(full, number.as_str());
    let qian = member(&app, "钱二").await;
    assert_eq!(
        app.crypto
            .decrypt_text(qian.phone_cipher.as_deref().unwrap())
            .unwrap(),
        PHONE
    );
    // Rotate to a new SM key: every ID number and phone rewritten in one transaction.
    let new = Crypto::with_suite(&[43u8; 32], Suite::Sm);
    assert_eq!(
        async { privacy::rotate_key(&app, &Actor::system().grant()?, &new).await }
            .await
            .unwrap(),
        17
    );
    assert!(privacy::check_key(&app).await.is_err(), "old key refused");
    let rotated = holding(&app, &new).await;
    assert_eq!(revealed(&rotated, zhao.id).await, full);
    let qian2 = member(&rotated, "钱二").await;
    assert_ne!(qian2.phone_cipher, qian.phone_cipher);
    assert!(app
        .crypto
        .decrypt_text(qian2.phone_cipher.as_deref().unwrap())
        .is_err());
    assert_eq!(
        new.decrypt_text(qian2.phone_cipher.as_deref().unwrap())
            .unwrap(),
        PHONE
    );
    // Imports match the same people under the new key.
    let (_, members, _) = township(&dir);
    let r = import::members::run(&rotated, &members, &ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    assert_eq!((r.written, r.unchanged), (0, 17));
    // Rotation may switch the suite: to AES, and the database says so.
    let to_aes = Crypto::with_suite(&[44u8; 32], Suite::Aes);
    async { privacy::rotate_key(&rotated, &Actor::system().grant()?, &to_aes).await }
        .await
        .unwrap();
    assert_eq!(
        privacy::database_suite(app.store()).await.unwrap(),
        Some(Suite::Aes)
    );
    let back = holding(&app, &to_aes).await;
    assert_eq!(revealed(&back, zhao.id).await, full);
    assert_eq!(
        to_aes
            .decrypt_text(member(&back, "钱二").await.phone_cipher.as_deref().unwrap())
            .unwrap(),
        PHONE
    );
    // The audit chain was sealed again with each new key: the last one verifies it, the
    // first one no longer can.
    let v = audit::verify(&back).await.unwrap();
    assert!(v.ok, "{:?}", v.problems);
    assert!(!audit::verify(&app).await.unwrap().ok);
});

contract_test!(a_database_refuses_another_suite, |db: TestDb| async move {
    let sm = holding(&app(&db), &Crypto::with_suite(&[42u8; 32], Suite::Sm)).await;
    // The same key under the other suite is refused, with the reason.
    let aes = app(&db);
    match privacy::check_key(&aes).await.unwrap_err() {
        AppError::Input(m) => {
            assert!(m.contains("加密套件与数据库不符"), "{m}");
            assert!(m.contains("sm") && m.contains("aes"), "{m}");
        }
        e => panic!("{e:?}"),
    }
    // And the other way round.
    let db2 = TestDb::new(db.backend()).await.expect("a second database");
    let aes2 = app(&db2);
    privacy::check_key(&aes2).await.unwrap();
    let mut sm2 = app(&db2);
    sm2.crypto = Crypto::with_suite(&[42u8; 32], Suite::Sm);
    assert!(matches!(
        privacy::check_key(&sm2).await.unwrap_err(),
        AppError::Input(m) if m.contains("加密套件与数据库不符")
    ));
    assert!(privacy::check_key(&sm).await.is_ok());
});

#[cfg(unix)]
#[test]
fn a_new_key_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    if std::env::var("JICENG_KEY").is_ok() {
        return; // the key would come from the environment
    }
    let dir = Dir::new("keyfile");
    let path = dir.file("jiceng.key");
    let c = Crypto::load_with(&path, Suite::Sm).unwrap();
    assert_eq!(c.suite(), Suite::Sm);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // The same file again gives the same key.
    let again = Crypto::load_with(&path, Suite::Sm).unwrap();
    assert_eq!(
        again.audit_mac(b"x"),
        c.audit_mac(b"x"),
        "the key file was read back"
    );
    // A key file others may read is reported.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let w = jiceng_store::files::loose_mode_warning(&path, "密钥文件").unwrap();
    assert!(w.contains("0644") && w.contains("chmod 600"), "{w}");
}
