//! Personal data on display and at rest: ID numbers and phone numbers are stored
//! encrypted and shown masked everywhere; a role allowed to may ask for one member's full
//! ID number, and every such view is recorded in the audit log in the same transaction.
//! Phones have no reveal: they are shown masked only. The key and the crypto suite are
//! checked against the database before anything is written ([`check_key`]).

use jiceng_domain::IdNumber;
use jiceng_store::members::StoredMember;
use jiceng_store::{protection, Scope};
use serde_json::json;

use crate::access::{Actor, Grant, ManageKeys, Unmask};
use crate::audit::{self, AuditAction};
use crate::crypto::{CryptoError, Suite};
use crate::{App, AppError, Crypto, Result};

/// One member's full ID number, for a role that may see it (`Grant<Unmask>`) and a
/// member in the actor's scope (else `Forbidden` or `NotFound`). The view is audited.
pub async fn reveal_id_number(app: &App, grant: &Grant<Unmask>, member_id: i64) -> Result<String> {
    let actor = grant.actor();
    let now = app.now();
    audit::with_retry(|| async {
        let mut tx = app.store.begin().await?;
        let m = jiceng_store::members::get(&mut tx, &actor.scope, member_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("党员（id {member_id}）")))?;
        let id = app.crypto.decrypt(&m.id_cipher)?;
        let org = jiceng_store::orgs::get(&mut tx, &Scope::All, m.org_id).await?;
        let target = format!("{}（党员 id {}）", m.name, m.id);
        audit::Entry::new(actor, AuditAction::ViewIdNumber, target)
            .org(org.as_ref())
            .after(json!({ "member_id": m.id, "id_masked": m.id_masked }))
            .commit(tx, now)
            .await?;
        Ok(id.as_str().to_string())
    })
    .await
}

/// A fingerprint of a key: the keyed hash of a fixed synthetic ID number (it tells keys
/// apart and reveals nothing of them).
pub fn key_fingerprint(crypto: &Crypto) -> String {
    let probe = IdNumber::parse(PROBE).expect("valid probe number");
    crypto.id_hash(&probe)
}

/// The key for `store`: `JICENG_KEY`, or the key file, with the crypto suite the database
/// records (else `suite`, else `aes`). A missing key file is created only when
/// `may_create` and the database records no key yet (a new database: `jiceng init`, the
/// demo); otherwise it is an error naming the key the data was written with — a new key
/// would only be refused later, or worse, hash people anew.
pub async fn load_key(
    store: &jiceng_store::Store,
    key_file: &std::path::Path,
    suite: Option<Suite>,
    may_create: bool,
) -> Result<Crypto> {
    let mut conn = store.acquire().await?;
    let recorded_suite = stored_suite(&mut conn).await?;
    let fingerprint = protection::key_fingerprint(&mut conn).await?;
    drop(conn);
    let suite = suite.or(recorded_suite).unwrap_or_default();
    match Crypto::load_existing(key_file, suite) {
        Err(CryptoError::KeyFileMissing(path)) => match fingerprint {
            Some(fp) => Err(AppError::Input(format!(
                "密钥文件不存在：{path}；此数据库已用密钥 {fp} 加密，请找回原密钥文件\
                 （用 --key-file 指定或设置 JICENG_KEY；jiceng key fingerprint --key-file 文件 可核对某个密钥文件）"
            ))),
            None if may_create => Ok(Crypto::load_with(key_file, suite)?),
            None => Err(AppError::Input(format!(
                "密钥文件不存在：{path}（此数据库尚未记录密钥；新建数据库和密钥请用 jiceng init）"
            ))),
        },
        other => Ok(other?),
    }
}

/// Refuses ([`CryptoError::KeyChanged`]) when the key the database records is not
/// `crypto`'s. Every write transaction that hashes or encrypts personal data runs it as
/// its first statement, so a process whose key was rotated away under it (a server left
/// running) writes nothing; the fingerprint is held until the transaction ends, so no
/// rotation slips in between (`protection::hold_key_fingerprint`).
pub async fn ensure_key(conn: &mut jiceng_store::Conn, crypto: &Crypto) -> Result<()> {
    let recorded = protection::hold_key_fingerprint(conn, false).await?;
    let mine = key_fingerprint(crypto);
    match recorded {
        Some(f) if f != mine => Err(CryptoError::KeyChanged {
            recorded: short(&f),
            held: short(&mine),
        }
        .into()),
        _ => Ok(()),
    }
}

/// The head of a fingerprint, as messages show it.
pub fn short(fingerprint: &str) -> String {
    fingerprint.chars().take(16).collect()
}

/// A synthetic, checksum-valid ID number hashed for the fingerprint.
const PROBE: &str = "11010519491231002X";

/// The crypto suite the database was initialised with: recorded, or `aes` for a database
/// whose key was recorded before the suites existed; `None` for a database not yet used
/// with a key (the suite is chosen then, `jiceng init --crypto`).
pub async fn database_suite(store: &jiceng_store::Store) -> Result<Option<Suite>> {
    let mut conn = store.acquire().await?;
    stored_suite(&mut conn).await
}

async fn stored_suite(conn: &mut jiceng_store::Conn) -> Result<Option<Suite>> {
    match protection::crypto_suite(conn).await? {
        Some(code) => Suite::from_code(&code).map(Some).ok_or_else(|| {
            AppError::Input(format!(
                "数据库记录的加密套件“{code}”无法识别（应为 aes 或 sm），可能由更新版本的 jiceng 写入"
            ))
        }),
        None if protection::key_fingerprint(conn).await?.is_some() => Ok(Some(Suite::Aes)),
        None => Ok(None),
    }
}

/// Checks that the app's crypto suite and key are the ones the stored personal data was
/// written with (and records both on first use), then protects any phones still stored in
/// clear by a schema before migration 11 ([`protect_phones`]). A different key would fail
/// to decrypt and, worse, hash the same person differently, so that an import would enter
/// them twice; a different suite likewise.
pub async fn check_key(app: &App) -> Result<()> {
    // The audit log is sealed with this key from now on (`audit::Entry::record` finds it by
    // the fingerprint recorded below), also when the app's crypto was set after `App::new`.
    audit::register(&app.crypto);
    let mine = key_fingerprint(&app.crypto);
    let suite = app.crypto.suite();
    {
        let mut tx = app.store.begin().await?;
        if let Some(recorded) = stored_suite(&mut tx).await? {
            if recorded != suite {
                return Err(AppError::Input(format!(
                    "加密套件与数据库不符：数据库初始化时选用 {}（{}），本次运行使用 {}（{}）。\
                     同一数据库只能使用一种套件；如需更换，请用 jiceng key rotate --crypto {} 在一次事务中整体转换",
                    recorded.code(),
                    recorded.label(),
                    suite.code(),
                    suite.label(),
                    suite.code()
                )));
            }
        }
        match protection::key_fingerprint(&mut tx).await? {
            Some(f) if f == mine => {}
            Some(_) => return Err(AppError::Input(
                "密钥与数据库不符：身份证号是用另一个密钥加密的（请检查 JICENG_KEY 或 --key-file）"
                    .into(),
            )),
            None => {
                // Trust on first use; an existing member's number must decrypt with it.
                if let Some((_, cipher)) = protection::ciphers(&mut tx, 0, 1).await?.first() {
                    app.crypto.decrypt(cipher)?;
                }
                protection::set_key_fingerprint(&mut tx, &mine).await?;
            }
        }
        if protection::crypto_suite(&mut tx).await?.is_none() {
            protection::set_crypto_suite(&mut tx, suite.code()).await?;
        }
        tx.commit().await?;
    }
    protect_phones(app).await?;
    Ok(())
}

/// Members' phones encrypted per page when protecting or rotating.
const PAGE: i64 = 5_000;

/// Encrypts the phones a database made before migration 11 holds in clear (with a masked
/// copy) and drops the clear column, in one transaction (audited when there were phones);
/// run by [`check_key`], so the first start with the key does it. Idempotent: once the
/// column is gone it does nothing. Returns the number of phones protected.
pub async fn protect_phones(app: &App) -> Result<usize> {
    let now = app.now();
    audit::with_retry(|| async {
        let mut tx = app.store.begin().await?;
        if !protection::has_clear_phones(&mut tx).await? {
            return Ok(0);
        }
        let mut after = i64::MIN;
        let mut n = 0usize;
        loop {
            let page = protection::clear_phones(&mut tx, after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.0;
            for (id, phone) in &page {
                let (cipher, masked) = app.crypto.protect_phone(phone);
                protection::protect_phone(&mut tx, *id, &cipher, &masked).await?;
                n += 1;
            }
        }
        protection::drop_clear_phones(&mut tx).await?;
        if n > 0 {
            audit::Entry::new(
                &Actor::system(),
                AuditAction::CryptoSuiteSet,
                "党员联系电话",
            )
            .after(json!({ "suite": app.crypto.suite().code(), "phones": n }))
            .record(&mut tx, now)
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    })
    .await
}

/// Re-encrypts every member's ID number and phone and re-hashes the ID number with `new`
/// (which may be of another suite) in one transaction (audited), and records the new
/// key's fingerprint and suite; the second-factor secrets are re-encrypted and the audit
/// log sealed again in the same transaction. Only the security administrator of the whole
/// tree (三权分立: keys are its business) and the command line may. Returns the number of
/// members rewritten.
pub async fn rotate_key(app: &App, grant: &Grant<ManageKeys>, new: &Crypto) -> Result<usize> {
    let actor = grant.actor();
    // Keys are the whole tree's: a security administrator bound to an org may not.
    if actor.org_id.is_some() {
        return Err(AppError::Forbidden);
    }
    audit::register(&app.crypto);
    audit::register(new);
    let now = app.now();
    let (n, resealed) = audit::with_retry(|| async {
        let mut tx = app.store.begin().await?;
        // First the fingerprint, held until the commit: a writer that encrypts waits for
        // the rotation and then sees the new key (`ensure_key`), or the rotation waits for
        // it and rewrites its rows too.
        let recorded = protection::hold_key_fingerprint(&mut tx, true).await?;
        if recorded.is_some_and(|f| f != key_fingerprint(&app.crypto)) {
            return Err(AppError::Input(
                "密钥与数据库不符：数据库已改用另一个密钥（可能刚被轮换），未作任何修改".into(),
            ));
        }
        // Not beside a running server: it would go on with the old key.
        crate::lease::refuse_if_held(&mut tx, "轮换密钥").await?;
        let mut after = i64::MIN;
        let mut n = 0usize;
        let mut phones = 0usize;
        loop {
            let page = protection::protected(&mut tx, after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for p in &page {
                let number = app.crypto.decrypt(&p.id_cipher)?;
                protection::set_protected(
                    &mut tx,
                    p.id,
                    &new.id_hash(&number),
                    &new.encrypt(&number),
                )
                .await?;
                if let Some(c) = &p.phone_cipher {
                    let phone = app.crypto.decrypt_text(c)?;
                    protection::set_phone_cipher(&mut tx, p.id, &new.encrypt_text(&phone)).await?;
                    phones += 1;
                }
                n += 1;
            }
        }
        // 群众诉求: the requesters' names and phones left with a request.
        let mut requests = 0usize;
        for (id, name, phone) in jiceng_store::requests::ciphers(&mut tx).await? {
            let again = |c: Option<String>| -> Result<Option<String>> {
                c.map(|c| Ok(new.encrypt_text(&app.crypto.decrypt_text(&c)?)))
                    .transpose()
            };
            let (name, phone) = (again(name)?, again(phone)?);
            jiceng_store::requests::set_ciphers(&mut tx, id, name, phone).await?;
            requests += 1;
        }
        let secrets = crate::totp::reencrypt(&mut tx, &app.crypto, new).await?;
        protection::set_key_fingerprint(&mut tx, &key_fingerprint(new)).await?;
        protection::set_crypto_suite(&mut tx, new.suite().code()).await?;
        // The audit key is derived from this key: the log is sealed again with the new one.
        let resealed = audit::reseal(&mut tx, app, new).await?;
        let before = json!({
            "key": key_fingerprint(&app.crypto)[..12].to_string(),
            "suite": app.crypto.suite().code(),
        });
        audit::Entry::new(actor, AuditAction::KeyRotate, "身份证号和联系电话的密钥")
            .before(before)
            .after(json!({
                "key": key_fingerprint(new)[..12].to_string(),
                "suite": new.suite().code(),
                "members": n,
                "phones": phones,
                "mass_requests": requests,
                "totp_secrets": secrets,
            }))
            .commit(tx, now)
            .await?;
        Ok((n, resealed))
    })
    .await?;
    audit::reseal_anchors(app, new, &resealed).await?;
    Ok(n)
}

/// A phone number as a form or a roster writes it, without spaces and dashes, if it is
/// one: a mobile (11 digits from 1) or a landline (7–13 digits); else the message.
pub fn check_phone(raw: &str) -> Result<String, String> {
    let p = raw.trim().replace([' ', '-'], "");
    let digits = p.bytes().all(|b| b.is_ascii_digit());
    let mobile_ok = p.len() == 11 && p.starts_with('1') && digits;
    let land_ok = (7..=13).contains(&p.len()) && digits;
    if mobile_ok || land_ok {
        Ok(p)
    } else {
        Err(format!("联系电话格式不正确：{p}"))
    }
}

/// Sets a member's phone, encrypted with its masked copy. The number already stored keeps
/// its ciphertext (a fresh nonce would make an unchanged record look changed).
pub fn set_phone(crypto: &Crypto, m: &mut StoredMember, phone: &str) {
    let phone = phone.trim();
    let same = m
        .phone_cipher
        .as_deref()
        .is_some_and(|c| crypto.decrypt_text(c).is_ok_and(|p| p == phone));
    if !same {
        let (cipher, masked) = crypto.protect_phone(phone);
        m.phone_cipher = Some(cipher);
        m.phone_masked = Some(masked);
    }
}

/// The phone of an imported row `new` over the stored `old`: an empty cell keeps the
/// stored phone, the same number keeps its stored ciphertext.
pub fn merge_phone(crypto: &Crypto, new: &mut StoredMember, old: &StoredMember) {
    let incoming = new.phone_cipher.take().map(|c| crypto.decrypt_text(&c));
    new.phone_cipher = old.phone_cipher.clone();
    new.phone_masked = old.phone_masked.clone();
    if let Some(Ok(phone)) = incoming {
        set_phone(crypto, new, &phone);
    }
}

/// A phone number with its middle hidden: `13800000012` → `138****0012`. Shorter numbers
/// keep fewer digits; at most four digits of a short number stay visible.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        0 => return String::new(),
        1..=4 => (0, 0),
        5..=7 => (0, 2),
        8..=10 => (2, 2),
        _ => (3, 4),
    };
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('*', n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

/// The roster of `root`'s subtree with full ID numbers (导出完整身份证号), for the
/// organization department to reconcile with the national member system: a reason is
/// required, and the export — who, which subtree, how many rows, why — is recorded in the
/// audit log before the sheet is handed over (no entry, no file). At most
/// `export::MAX_ROWS` rows; the title says how many of how many when there are more.
pub async fn export_full_ids(
    app: &App,
    grant: &Grant<crate::access::ExportFullIds>,
    root: &crate::access::InScope<crate::OrgRecord>,
    reason: &str,
) -> Result<jiceng_io::Sheet> {
    use jiceng_io::OutCell;
    let actor = grant.actor();
    let reason = reason.trim();
    if reason.chars().count() < 4 {
        return Err(AppError::Input(
            "请填写导出用途（至少4个字，如：与全国党员管理信息系统核对）".into(),
        ));
    }
    if reason.chars().count() > 200 {
        return Err(AppError::Input("导出用途最多200个字".into()));
    }
    let cap = crate::export::MAX_ROWS;
    let mut conn = app.store.acquire().await?;
    let (rows, _) = jiceng_store::browse::members_page(
        &mut conn,
        &root.subtree(),
        &Default::default(),
        0,
        cap,
        Some(0),
    )
    .await?;
    let places =
        crate::browse::places_of(&mut conn, rows.iter().map(|m: &StoredMember| m.org_id)).await?;
    drop(conn);
    let total = root.facts.subtree_members.max(rows.len() as i64);
    let mut out = Vec::with_capacity(rows.len());
    for m in &rows {
        let id = app.crypto.decrypt(&m.id_cipher)?;
        let p = places.get(&m.org_id).cloned().unwrap_or_default();
        let text = |s: &str| OutCell::Text(s.to_string());
        out.push(vec![
            text(&m.name),
            text(m.gender.label()),
            text(id.as_str()),
            text(&m.birth_date.to_string()),
            text(m.status.label()),
            text(&m.joined_on.to_string()),
            m.full_on
                .map(|d| text(&d.to_string()))
                .unwrap_or(OutCell::Empty),
            text(&p.name),
            text(&p.code),
            text(&p.parent),
            text(&p.parent_code),
        ]);
    }
    let shown = out.len() as i64;
    let count = if shown < total {
        format!("共{total}人，此处{shown}人，请按下级组织分别导出")
    } else {
        format!("共{shown}人")
    };
    let sheet = jiceng_io::Sheet {
        name: "党员名册（完整身份证号）".into(),
        title: format!(
            "{}党员名册（含完整身份证号，{count}；导出人 {}，用途：{reason}；请妥善保管，用后销毁）",
            root.org.name, actor.username
        ),
        headers: [
            "姓名",
            "性别",
            "公民身份号码",
            "出生日期",
            "人员类别",
            "入党日期",
            "转正日期",
            "所在党组织",
            "组织代码",
            "上级党组织",
            "上级组织代码",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: out,
    };
    audit::Entry::new(
        actor,
        AuditAction::ExportFullIds,
        format!("{}党员名册（完整身份证号）", root.org.name),
    )
    .org(&**root)
    .after(json!({ "rows": shown, "of": total, "reason": reason }))
    .record_alone(app, app.now())
    .await?;
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("13800000012"), "138****0012");
        assert_eq!(mask_phone(" 13800000012 "), "138****0012");
        assert_eq!(mask_phone("053188886666"), "053*****6666");
        assert_eq!(mask_phone("88886666"), "88****66");
        assert_eq!(mask_phone("8888666"), "*****66");
        assert_eq!(mask_phone("1234"), "****");
        assert_eq!(mask_phone(""), "");
    }
}
