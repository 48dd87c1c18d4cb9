//! The restore of a PostgreSQL database: the dump restored into a fresh database, checked,
//! then renamed in place of the live one in one transaction; and the connection URL as
//! `pg_dump`/`pg_restore` are given it (the password in the environment, never the
//! command line).

use super::*;

pub(super) async fn restore_postgres(
    url: &str,
    file: &Path,
    m: &Manifest,
    force: bool,
) -> Result<Option<String>> {
    let pg = PgUrl::parse(url)?;
    // The archive is one pg_restore can read.
    let listed = run_pg(&pg, "pg_restore", |c| {
        c.arg("--list").arg(file);
    })
    .await?;
    if !listed.status.success() {
        return Err(refusal(
            file,
            &format!(
                "pg_restore 无法读取此文件（{}）",
                String::from_utf8_lossy(&listed.stderr).trim()
            ),
        ));
    }
    let admin_url = pg.with_db("postgres");
    let mut admin = db::connect(&admin_url).await?;
    if jiceng_store::citus::has_citus(&mut admin).await? {
        let _ = close_conn(admin).await;
        return Err(input(jiceng_store::citus::BACKUP_REFUSAL.to_string()));
    }
    let r = restore_postgres_on(&mut admin, &pg, file, m, force).await;
    let _ = close_conn(admin).await;
    r
}

/// Whether the target holds data (absent or without tables: false). A target with data is
/// refused while a server holds it, and without `force`.
pub(super) async fn pg_may_replace(admin: &mut Conn, pg: &PgUrl, force: bool) -> Result<bool> {
    if !db::pg_database_exists(admin, &pg.db).await? {
        return Ok(false);
    }
    let mut conn = db::connect(&pg.url_with_password()).await?;
    let r = async {
        if db::table_count(&mut conn).await? == 0 {
            return Ok(false);
        }
        if db::has_table(&mut conn, "server_lease").await? {
            crate::lease::refuse_if_held(&mut conn, "恢复备份").await?;
        }
        if !force {
            return Err(input(format!(
                "数据库 {} 不是空的；恢复会替换它。请先停止服务，再加 --force（原数据库将改名保留）",
                pg.db
            )));
        }
        Ok(true)
    }
    .await;
    let _ = close_conn(conn).await;
    r
}

pub(super) async fn restore_postgres_on(
    admin: &mut Conn,
    pg: &PgUrl,
    file: &Path,
    m: &Manifest,
    force: bool,
) -> Result<Option<String>> {
    let target_exists = db::pg_database_exists(admin, &pg.db).await?;
    let has_data = pg_may_replace(admin, pg, force).await?;
    // A fresh database beside the target, the dump restored into it and checked.
    let tmp_name: String = format!("{}_restore_{}", pg.db, std::process::id())
        .chars()
        .take(63)
        .collect();
    let tmp = pg.renamed(&tmp_name);
    let drop_tmp = format!("DROP DATABASE IF EXISTS {}", db::pg_ident(&tmp_name));
    db::execute(admin, &drop_tmp).await?;
    db::execute(
        admin,
        &format!(
            "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'",
            db::pg_ident(&tmp_name)
        ),
    )
    .await?;
    let loaded = async {
        let out = run_pg(&tmp, "pg_restore", |c| {
            c.arg("--exit-on-error")
                .arg(format!("--dbname={}", tmp.url()))
                .arg(file);
        })
        .await?;
        if !out.status.success() {
            return Err(refusal(
                file,
                &format!(
                    "pg_restore 失败（{}）",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            ));
        }
        let mut conn = db::connect(&tmp.url_with_password()).await?;
        let r = async {
            compare(file, &mut conn, m).await?;
            jiceng_store::lease::clear(&mut conn).await?;
            Ok::<_, AppError>(())
        }
        .await;
        let _ = close_conn(conn).await;
        r
    }
    .await;
    if let Err(e) = loaded {
        let _ = db::execute(admin, &drop_tmp).await;
        return Err(e);
    }
    // Checked: swap in one transaction, once more making sure nobody is connected.
    let swapped = async {
        pg_may_replace(admin, pg, true).await?;
        for name in [&pg.db, &tmp_name] {
            // A session just closed (ours, checking the lease) lingers for a moment.
            let mut n = db::pg_other_sessions(admin, name).await?;
            for _ in 0..50 {
                if n == 0 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                n = db::pg_other_sessions(admin, name).await?;
            }
            if n > 0 && (name != &pg.db || target_exists) {
                let who = db::pg_other_sessions_detail(admin, name).await?;
                return Err(input(format!(
                    "数据库 {name} 仍有 {n} 个连接（{}）；请先停止使用它的服务和程序再恢复",
                    who.join("；")
                )));
            }
        }
        let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
        let aside: String = format!("{}_before_restore_{stamp}", pg.db)
            .chars()
            .take(63)
            .collect();
        let mut sql = String::from("BEGIN; ");
        if target_exists {
            sql.push_str(&format!(
                "ALTER DATABASE {} RENAME TO {}; ",
                db::pg_ident(&pg.db),
                db::pg_ident(&aside)
            ));
        }
        sql.push_str(&format!(
            "ALTER DATABASE {} RENAME TO {}; COMMIT",
            db::pg_ident(&tmp_name),
            db::pg_ident(&pg.db)
        ));
        for stmt in sql.split("; ") {
            db::execute(admin, stmt).await?;
        }
        Ok::<_, AppError>(target_exists.then_some(aside))
    }
    .await;
    match swapped {
        Err(e) => {
            let _ = db::execute(admin, "ROLLBACK").await;
            let _ = db::execute(admin, &drop_tmp).await;
            Err(e)
        }
        // An empty database (created for the restore) is not kept.
        Ok(Some(aside)) if !has_data => {
            let drop = format!("DROP DATABASE IF EXISTS {}", db::pg_ident(&aside));
            if let Err(e) = db::execute(admin, &drop).await {
                eprintln!("警告：未能删除空数据库 {aside}：{e}");
            }
            Ok(None)
        }
        Ok(aside) => Ok(aside),
    }
}

/// A PostgreSQL URL taken apart for the client programs: the password goes to
/// `PGPASSWORD` (never on a command line other users may read).
#[derive(Debug, Clone)]
pub(super) struct PgUrl {
    /// `postgres://user@host:port` (no password).
    pub(super) base: String,
    pub(super) password: Option<String>,
    pub(super) db: String,
    /// `?…` or empty.
    pub(super) query: String,
}

impl PgUrl {
    pub(super) fn parse(url: &str) -> Result<PgUrl> {
        let bad = || AppError::Store(jiceng_store::StoreError::BadUrl(db::redact(url)));
        let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, format!("?{q}")),
            None => (rest, String::new()),
        };
        let (authority, db) = rest.split_once('/').ok_or_else(bad)?;
        if db.is_empty() {
            return Err(bad());
        }
        let (authority, password) = match authority.rsplit_once('@') {
            Some((cred, host)) => match cred.split_once(':') {
                Some((user, pw)) => (format!("{user}@{host}"), Some(percent_decode(pw))),
                None => (authority.to_string(), None),
            },
            None => (authority.to_string(), None),
        };
        Ok(PgUrl {
            base: format!("{scheme}://{authority}"),
            password,
            db: percent_decode(db),
            query,
        })
    }

    /// The URL without its password (for the client programs, with `PGPASSWORD`).
    pub(super) fn url(&self) -> String {
        format!("{}/{}{}", self.base, self.db, self.query)
    }

    /// The URL with its password (for sqlx).
    pub(super) fn url_with_password(&self) -> String {
        match &self.password {
            Some(pw) => {
                let (scheme, rest) = self.base.split_once("://").expect("parsed");
                let (user, host) = rest.rsplit_once('@').expect("a password has a user");
                format!(
                    "{scheme}://{user}:{}@{host}/{}{}",
                    percent_encode(pw),
                    self.db,
                    self.query
                )
            }
            None => self.url(),
        }
    }

    pub(super) fn renamed(&self, db: &str) -> PgUrl {
        PgUrl {
            db: db.to_string(),
            ..self.clone()
        }
    }

    pub(super) fn with_db(&self, db: &str) -> String {
        self.renamed(db).url_with_password()
    }

    pub(super) fn command(&self, program: &str) -> std::process::Command {
        let mut c = std::process::Command::new(program);
        if let Some(pw) = &self.password {
            c.env("PGPASSWORD", pw);
        }
        c
    }
}

pub(super) async fn run_pg(
    pg: &PgUrl,
    program: &'static str,
    args: impl FnOnce(&mut std::process::Command),
) -> Result<std::process::Output> {
    let mut c = pg.command(program);
    args(&mut c);
    tokio::task::spawn_blocking(move || c.output())
        .await
        .map_err(|e| input(format!("{program} 未能运行：{e}")))?
        .map_err(|e| {
            input(format!(
                "无法运行 {program}（请安装与服务器同版本的 PostgreSQL 客户端）：{e}"
            ))
        })
}

pub(super) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
