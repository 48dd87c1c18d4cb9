//! The key that protects ID numbers, as the database sees it: a fingerprint of the key in
//! use (so a wrong or newly created key is noticed before it hashes anything), and the
//! rewriting of every member's protected ID number when the key is rotated.

use sqlx::Row;

use crate::{Conn, Result};

const FINGERPRINT: &str = "key_fingerprint";

/// The fingerprint of the key the data was written with, if recorded.
pub async fn key_fingerprint(conn: &mut Conn) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM app_setting WHERE name = $1")
            .bind(FINGERPRINT)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

pub async fn set_key_fingerprint(conn: &mut Conn, value: &str) -> Result<()> {
    let done = sqlx::query("UPDATE app_setting SET value = $1 WHERE name = $2")
        .bind(value.to_string())
        .bind(FINGERPRINT)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        sqlx::query("INSERT INTO app_setting (name, value) VALUES ($1, $2)")
            .bind(FINGERPRINT)
            .bind(value.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A page of members' protected ID numbers `(id, id_cipher)` with ids above `after`.
pub async fn ciphers(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query("SELECT id, id_cipher FROM member WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("id_cipher")?)))
        .collect()
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
