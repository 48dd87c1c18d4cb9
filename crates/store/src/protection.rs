//! The key that protects ID numbers and phones, as the database sees it: the crypto suite
//! the database was initialised with, a fingerprint of the key in use (so a wrong or newly
//! created key is noticed before it hashes anything), the rewriting of every member's
//! protected ID number and phone when the key is rotated, and the one-time protection of
//! phones stored in clear before migration 11.

use crate::row::from_row;
use crate::sql::Sql;
use crate::{Conn, Result};

const FINGERPRINT: &str = "key_fingerprint";
const SUITE: &str = "crypto_suite";

pub(crate) async fn setting(conn: &mut Conn, name: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM app_setting WHERE name = $1")
            .bind(name.to_string())
            .fetch_optional(&mut *conn)
            .await?,
    )
}

pub(crate) async fn set_setting(conn: &mut Conn, name: &str, value: &str) -> Result<()> {
    let done = sqlx::query("UPDATE app_setting SET value = $1 WHERE name = $2")
        .bind(value.to_string())
        .bind(name.to_string())
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        sqlx::query("INSERT INTO app_setting (name, value) VALUES ($1, $2)")
            .bind(name.to_string())
            .bind(value.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The fingerprint of the key the data was written with, if recorded.
pub async fn key_fingerprint(conn: &mut Conn) -> Result<Option<String>> {
    setting(conn, FINGERPRINT).await
}

/// The recorded fingerprint, read so that no rotation can change it before the caller's
/// transaction ends. PostgreSQL takes a transaction-level advisory lock on the key
/// (`pg_advisory_xact_lock_shared` for a writer that encrypts, exclusive for the rotation)
/// before reading: writers share it, a rotation waits for them and they for it. A row lock
/// on the setting would do the same on one server, but on a Citus cluster `FOR SHARE` of a
/// replicated table locks its shard on every node, and concurrent writers deadlocked there;
/// the advisory lock is taken on the coordinator alone. SQLite takes the database's write
/// lock at once (an update of the row to itself), so the value read is the latest and
/// stays so.
pub async fn hold_key_fingerprint(conn: &mut Conn, exclusive: bool) -> Result<Option<String>> {
    let sql = match crate::backup::backend_of(conn) {
        crate::Backend::Postgres => {
            let lock = if exclusive {
                "SELECT CAST(1 AS BIGINT) FROM (SELECT pg_advisory_xact_lock($1)) l"
            } else {
                "SELECT CAST(1 AS BIGINT) FROM (SELECT pg_advisory_xact_lock_shared($1)) l"
            };
            sqlx::query(lock).bind(KEY_LOCK).execute(&mut *conn).await?;
            "SELECT value FROM app_setting WHERE name = $1"
        }
        crate::Backend::Sqlite => {
            "UPDATE app_setting SET value = value WHERE name = $1 RETURNING value"
        }
    };
    Ok(sqlx::query_scalar(sql)
        .bind(FINGERPRINT.to_string())
        .fetch_optional(&mut *conn)
        .await?)
}

/// The advisory lock of the key (an arbitrary constant of jiceng's: "jicengK" in ASCII).
const KEY_LOCK: i64 = 0x006a_6963_656e_674b;

pub async fn set_key_fingerprint(conn: &mut Conn, value: &str) -> Result<()> {
    set_setting(conn, FINGERPRINT, value).await
}

/// The code of the crypto suite the data was written with, if recorded (databases made
/// before the suites existed record none and were written with `aes`).
pub async fn crypto_suite(conn: &mut Conn) -> Result<Option<String>> {
    setting(conn, SUITE).await
}

pub async fn set_crypto_suite(conn: &mut Conn, code: &str) -> Result<()> {
    set_setting(conn, SUITE, code).await
}

/// One member's protected personal data, as rotation rewrites it.
#[derive(Debug, Clone, PartialEq)]
pub struct Protected {
    pub id: i64,
    pub id_cipher: String,
    pub phone_cipher: Option<String>,
}

/// A page of members' protected data with ids above `after`, by id.
pub async fn protected(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<Protected>> {
    members_after("id, id_cipher, phone_cipher", "", after, limit)
        .fetch_map(&mut *conn, |r| {
            Ok(from_row!(
                r,
                Protected {
                    id,
                    id_cipher,
                    phone_cipher
                }
            ))
        })
        .await
}

/// `columns` of the members with ids above `after` (and `filter`), a page of `limit` by id.
fn members_after(columns: &str, filter: &str, after: i64, limit: i64) -> Sql {
    Sql::new(format!("SELECT {columns} FROM member WHERE id > "))
        .bind(after)
        .push(filter)
        .push(" ORDER BY id LIMIT ")
        .bind(limit)
}

/// Replaces a member's phone ciphertext (the masked copy does not change).
pub async fn set_phone_cipher(conn: &mut Conn, id: i64, phone_cipher: &str) -> Result<()> {
    sqlx::query("UPDATE member SET phone_cipher = $1 WHERE id = $2")
        .bind(phone_cipher.to_string())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether the clear column `member.phone` of the schema before migration 11 is still
/// there (it is dropped once its phones are protected).
pub async fn has_clear_phones(conn: &mut Conn) -> Result<bool> {
    let sql = if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        "SELECT COUNT(*) FROM pragma_table_info('member') WHERE name = 'phone'"
    } else {
        "SELECT COUNT(*) FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = 'member' AND column_name = 'phone'"
    };
    let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut *conn).await?;
    Ok(n > 0)
}

/// A page of clear phones `(id, phone)` with ids above `after`, by id (while the clear
/// column exists).
pub async fn clear_phones(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<(i64, String)>> {
    members_after(
        "id, phone",
        " AND phone IS NOT NULL AND phone <> ''",
        after,
        limit,
    )
    .fetch_all_as(&mut *conn)
    .await
}

/// Stores a member's protected phone and empties the clear one.
pub async fn protect_phone(conn: &mut Conn, id: i64, cipher: &str, masked: &str) -> Result<()> {
    sqlx::query(
        "UPDATE member SET phone_cipher = $1, phone_masked = $2, phone = NULL WHERE id = $3",
    )
    .bind(cipher.to_string())
    .bind(masked.to_string())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Drops the clear column (every phone in it protected first). SQLite ≥ 3.35 and
/// PostgreSQL both drop a column inside a transaction.
pub async fn drop_clear_phones(conn: &mut Conn) -> Result<()> {
    sqlx::query("ALTER TABLE member DROP COLUMN phone")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A page of members' protected ID numbers `(id, id_cipher)` with ids above `after`.
pub async fn ciphers(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<(i64, String)>> {
    members_after("id, id_cipher", "", after, limit)
        .fetch_all_as(&mut *conn)
        .await
}

/// Replaces a member's keyed hash and ciphertext (the masked copy does not change).
pub async fn set_protected(conn: &mut Conn, id: i64, id_hash: &str, id_cipher: &str) -> Result<()> {
    sqlx::query("UPDATE member SET id_hash = $1, id_cipher = $2 WHERE id = $3")
        .bind(id_hash.to_string())
        .bind(id_cipher.to_string())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

const SYNTHETIC: &str = "synthetic_data";

/// Whether the data was generated (synthetic people: the demo, the benches): the pages
/// say so in their footer; a real deployment's never do.
pub async fn synthetic(conn: &mut Conn) -> Result<bool> {
    Ok(setting(conn, SYNTHETIC).await?.as_deref() == Some("1"))
}

/// Marks the data as generated (the generator, before it writes anything).
pub async fn mark_synthetic(conn: &mut Conn) -> Result<()> {
    set_setting(conn, SYNTHETIC, "1").await
}
