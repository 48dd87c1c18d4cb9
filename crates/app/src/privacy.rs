//! Personal data on display: ID numbers and phone numbers are shown masked everywhere; a
//! role allowed to may ask for one member's full ID number, and every such view is
//! recorded in the audit log in the same transaction.

use jiceng_domain::IdNumber;
use jiceng_store::{protection, Scope};
use serde_json::json;

use crate::access::{Actor, Role};
use crate::audit::{self, AuditAction};
use crate::{App, AppError, Crypto, Result};

/// One member's full ID number, for a role that may see it (`Role::can_unmask`) and a
/// member in the actor's scope (else `Forbidden` or `NotFound`). The view is audited.
pub async fn reveal_id_number(app: &App, actor: &Actor, member_id: i64) -> Result<String> {
    if !actor.role.can_unmask() {
        return Err(AppError::Forbidden);
    }
    let now = app.now();
    audit::with_retry(|| async {
        let mut tx = app.store.begin().await?;
        let m = jiceng_store::members::get(&mut tx, &actor.scope, member_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("党员（id {member_id}）")))?;
        let id = app.crypto.decrypt(&m.id_cipher)?;
        let org = jiceng_store::orgs::get(&mut tx, &Scope::All, m.org_id).await?;
        audit::record_at(
            &mut tx,
            now,
            actor,
            AuditAction::ViewIdNumber,
            &format!("{}（党员 id {}）", m.name, m.id),
            org.as_ref(),
            None,
            Some(json!({ "member_id": m.id, "id_masked": m.id_masked })),
        )
        .await?;
        tx.commit().await?;
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

/// A synthetic, checksum-valid ID number hashed for the fingerprint.
const PROBE: &str = "11010519491231002X";

/// Checks that the app's key is the one the stored ID numbers were written with (and
/// records it on first use). A different key would fail to decrypt and, worse, hash the
/// same person differently, so that an import would enter them twice.
pub async fn check_key(app: &App) -> Result<()> {
    let mine = key_fingerprint(&app.crypto);
    let mut conn = app.store.acquire().await?;
    match protection::key_fingerprint(&mut conn).await? {
        Some(f) if f == mine => Ok(()),
        Some(_) => Err(AppError::Input(
            "密钥与数据库不符：身份证号是用另一个密钥加密的（请检查 JICENG_KEY 或 --key-file）"
                .into(),
        )),
        None => {
            // Trust on first use; an existing member's number must decrypt with it.
            if let Some((_, cipher)) = protection::ciphers(&mut conn, 0, 1).await?.first() {
                app.crypto.decrypt(cipher)?;
            }
            protection::set_key_fingerprint(&mut conn, &mine).await?;
            Ok(())
        }
    }
}

/// Re-encrypts and re-hashes every member's ID number with `new` in one transaction
/// (audited), and records the new key's fingerprint. The second-factor secrets are
/// re-encrypted in the same transaction. Only the security administrator of the whole
/// tree (三权分立: keys are its business) and the command line may. Returns the number of
/// members rewritten.
pub async fn rotate_key(app: &App, actor: &Actor, new: &Crypto) -> Result<usize> {
    if !(actor.is_system() || (actor.role == Role::Security && actor.org_id.is_none())) {
        return Err(AppError::Forbidden);
    }
    let now = app.now();
    let (n, resealed) = audit::with_retry(|| async {
        let mut tx = app.store.begin().await?;
        let mut after = 0;
        let mut n = 0usize;
        loop {
            let page = protection::ciphers(&mut tx, after, 5_000).await?;
            let Some(last) = page.last() else { break };
            after = last.0;
            for (id, cipher) in &page {
                let number = app.crypto.decrypt(cipher)?;
                protection::set_protected(
                    &mut tx,
                    *id,
                    &new.id_hash(&number),
                    &new.encrypt(&number),
                )
                .await?;
                n += 1;
            }
        }
        let secrets = crate::totp::reencrypt(&mut tx, &app.crypto, new).await?;
        protection::set_key_fingerprint(&mut tx, &key_fingerprint(new)).await?;
        // The audit key is derived from this key: the log is sealed again with the new one.
        let resealed = audit::reseal(&mut tx, app, new).await?;
        audit::record_at(
            &mut tx,
            now,
            actor,
            AuditAction::KeyRotate,
            "身份证号密钥",
            None,
            Some(json!({ "key": key_fingerprint(&app.crypto)[..12].to_string() })),
            Some(json!({
                "key": key_fingerprint(new)[..12].to_string(),
                "members": n,
                "totp_secrets": secrets,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok((n, resealed))
    })
    .await?;
    audit::reseal_anchors(app, new, &resealed).await?;
    Ok(n)
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
