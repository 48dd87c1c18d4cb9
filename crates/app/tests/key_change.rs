//! Key rotation beside a running server (reliability review, finding 4), on SQLite and
//! PostgreSQL: a rotation refuses while a server's lease is fresh, and a process whose
//! key was rotated away under it writes nothing — no row is ever written under a key
//! other than the one the database records.

mod common;

use common::*;
use jiceng_app::access::Actor;
use jiceng_app::audit::{self, AuditAction};
use jiceng_app::crypto::CryptoError;
use jiceng_app::import::{self, ImportOptions, NoProgress};
use jiceng_app::member_admin::{self, MemberEdit};
use jiceng_app::{lease, privacy, App, AppError, Crypto};
use jiceng_domain::IdNumber;
use jiceng_store::testing::TestDb;
use jiceng_store::{contract_test, Scope};

/// A roster of one person not yet on record.
fn newcomer(dir: &Dir) -> std::path::PathBuf {
    let id = IdNumber::synthesize("370102", d("1980-01-01"), 901);
    let path = dir.file("新党员.csv");
    std::fs::write(
        &path,
        format!(
            "姓名,性别,出生日期,公民身份号码,人员类别,入党日期,所在党组织\n\
             新来者,男,1980-01-01,{},正式党员,2005-07-01,东村党支部\n",
            id.as_str()
        ),
    )
    .unwrap();
    path
}

async fn members(app: &App) -> i64 {
    let mut c = app.store().acquire().await.unwrap();
    jiceng_store::members::search(&mut c, &Scope::All, None, 0, 1)
        .await
        .unwrap()
        .1
}

async fn recorded_fingerprint(app: &App) -> Option<String> {
    let mut c = app.store().acquire().await.unwrap();
    jiceng_store::protection::key_fingerprint(&mut c)
        .await
        .unwrap()
}

fn is_key_changed(e: &AppError) -> bool {
    matches!(e, AppError::Crypto(CryptoError::KeyChanged { .. }))
}

/// The server: started with the old key, the township (without units) loaded; the folder
/// of its files.
async fn server_with_township(db: &TestDb, label: &str) -> (App, Dir) {
    let server = app(db);
    privacy::check_key(&server).await.unwrap();
    let dir = Dir::new(label);
    load_township(&server, &dir, false).await;
    (server, dir)
}

contract_test!(
    a_server_holding_a_rotated_key_writes_nothing,
    |db: TestDb| async move {
        // The server: started with the old key, still running.
        let (server, dir) = server_with_township(&db, "key-change").await;
        let before = members(&server).await;
        // Another process rotates the key (as `jiceng key rotate` does, with the server's
        // lease stale or ignored).
        let operator = app(&db);
        let new = Crypto::from_key(&[9u8; 32]);
        async { privacy::rotate_key(&operator, &Actor::system().grant()?, &new).await }
            .await
            .unwrap();
        assert_eq!(
            recorded_fingerprint(&server).await,
            Some(privacy::key_fingerprint(&new))
        );

        // Every write of the server that hashes or encrypts is refused, saying why.
        let roster = newcomer(&dir);
        let e = import::members::run(&server, &roster, &ImportOptions::default(), &NoProgress)
            .await
            .unwrap_err();
        assert!(is_key_changed(&e), "{e:?}");
        assert!(
            e.to_string().contains("已拒绝写入") && e.to_string().contains("重启服务"),
            "{e}"
        );
        assert_eq!(members(&server).await, before, "nothing written");
        let someone = {
            let mut c = server.store().acquire().await.unwrap();
            let (list, _) = jiceng_store::members::search(&mut c, &Scope::All, Some("赵一"), 0, 1)
                .await
                .unwrap();
            list[0].clone()
        };
        let e = async {
            member_admin::update_member(
                &server,
                &Actor::system().grant()?,
                someone.id,
                &MemberEdit {
                    name: someone.name.clone(),
                    ethnicity: None,
                    education: None,
                    occupation: None,
                    phone: Some("13900000001".into()),
                    status: "正式党员".into(),
                    full_on: someone.full_on,
                },
            )
            .await
        }
        .await
        .unwrap_err();
        assert!(is_key_changed(&e), "{e:?}");
        let after = {
            let mut c = server.store().acquire().await.unwrap();
            jiceng_store::members::get(&mut c, &Scope::All, someone.id)
                .await
                .unwrap()
                .unwrap()
        };
        assert_eq!(after.phone_cipher, {
            // unchanged: what the rotation wrote
            let mut c = operator.store().acquire().await.unwrap();
            jiceng_store::members::get(&mut c, &Scope::All, someone.id)
                .await
                .unwrap()
                .unwrap()
                .phone_cipher
        });
        // Every stored number still decrypts with the recorded (new) key.
        {
            let mut c = server.store().acquire().await.unwrap();
            let (all, _) = jiceng_store::members::search(&mut c, &Scope::All, None, 0, 100)
                .await
                .unwrap();
            for m in &all {
                new.decrypt(&m.id_cipher)
                    .expect("written with the recorded key");
            }
        }

        // With the new key (the server restarted) the same import goes through, once.
        let mut restarted = app(&db);
        restarted.crypto = new.clone();
        privacy::check_key(&restarted).await.unwrap();
        let r = import::members::run(&restarted, &roster, &ImportOptions::default(), &NoProgress)
            .await
            .unwrap();
        assert_eq!(r.written, 1);
        let r = import::members::run(&restarted, &roster, &ImportOptions::default(), &NoProgress)
            .await
            .unwrap();
        assert_eq!(r.written, 0, "matched, not entered twice");
        assert_eq!(members(&server).await, before + 1);
    }
);

contract_test!(
    the_log_refuses_a_key_this_process_does_not_hold,
    |db: TestDb| async move {
        // The recorded key is one no App of this process ever held (another process
        // rotated to it): an entry would be sealed with the wrong key, so none is written.
        let a = app(&db);
        privacy::check_key(&a).await.unwrap();
        let other = format!("{:064x}", 0xfeed_u64);
        {
            let mut tx = a.store().begin().await.unwrap();
            jiceng_store::protection::set_key_fingerprint(&mut tx, &other)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let e = audit::with_retry(|| async {
            let mut tx = a.store().begin().await?;
            audit::Entry::new(&Actor::system(), AuditAction::Export, "test")
                .record(&mut tx, chrono::Utc::now())
                .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
        .unwrap_err();
        assert!(is_key_changed(&e), "{e:?}");
    }
);

contract_test!(
    rotation_refuses_beside_a_running_server,
    |db: TestDb| async move {
        let (server, _dir) = server_with_township(&db, "lease").await;
        let held = lease::take(&server, "jiceng serve 127.0.0.1:18080")
            .await
            .unwrap();
        let old_fp = recorded_fingerprint(&server).await;
        let new = Crypto::from_key(&[11u8; 32]);
        let e = async { privacy::rotate_key(&server, &Actor::system().grant()?, &new).await }
            .await
            .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("服务正在使用此数据库（jiceng serve 127.0.0.1:18080，进程 ")
                && msg.contains(&format!("进程 {}", std::process::id()))
                && msg.contains("请先停止服务再轮换密钥"),
            "{msg}"
        );
        assert_eq!(
            recorded_fingerprint(&server).await,
            old_fp,
            "nothing rotated"
        );
        // A clean shutdown removes the lease: rotation goes through.
        held.release().await;
        {
            let mut c = server.store().acquire().await.unwrap();
            assert!(jiceng_store::lease::all(&mut c).await.unwrap().is_empty());
        }
        // A killed server's lease goes stale after three missed beats.
        {
            let mut c = server.store().acquire().await.unwrap();
            jiceng_store::lease::put(
                &mut c,
                &jiceng_store::lease::Lease {
                    holder: "killed".into(),
                    pid: 1,
                    host: "h".into(),
                    bind: "jiceng serve 127.0.0.1:1".into(),
                    started_at: "2026-12-15T00:00:00Z".into(),
                    beat_at: chrono::Utc::now().timestamp() - lease::STALE_SECONDS - 1,
                },
            )
            .await
            .unwrap();
        }
        let n = async { privacy::rotate_key(&server, &Actor::system().grant()?, &new).await }
            .await
            .unwrap();
        assert_eq!(n as i64, members(&server).await);
        assert_eq!(
            recorded_fingerprint(&server).await,
            Some(privacy::key_fingerprint(&new))
        );
    }
);
