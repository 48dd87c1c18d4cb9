//! `jiceng user …`, `jiceng audit …` and `jiceng key …`: users, the audit log and the key
//! that protects ID numbers. The command line acts as the system actor (the operator on
//! the server bootstrapping accounts): it may give any role at creation, assign roles and
//! scopes and reset second factors; every act is audited as `system`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use jiceng_app::access::{Actor, Role};
use jiceng_app::crypto::Suite;
use jiceng_app::users::{self, NewUser};
use jiceng_app::{App, Crypto};

#[derive(Subcommand)]
pub enum UserCmd {
    /// Add a user bound to an org (it sees that org's subtree; without --org an admin
    /// sees everything and anyone else nothing).
    Add {
        #[arg(long)]
        username: String,
        /// The org: its code, or its exact name where unique.
        #[arg(long)]
        org: Option<String>,
        /// admin, security, department, committee, secretary, inspector, member or auditor.
        /// admin (系统管理员), security (安全管理员) and auditor (审计员) are separate
        /// accounts for life (三权分立).
        #[arg(long)]
        role: String,
        /// By the password policy: at least 8 characters (10 for admin, department and
        /// auditor), 3 of upper, lower, digit and symbol, not the username, not a common
        /// password (or JICENG_PASSWORD, which keeps it out of the shell history).
        #[arg(long, env = "JICENG_PASSWORD", hide_env_values = true)]
        password: String,
        /// The member record of a `member` user.
        #[arg(long)]
        member_id: Option<i64>,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// List the users.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Disable a user and end its sessions.
    Disable {
        #[arg(long)]
        username: String,
    },
    /// Set a new password (clears a lockout, ends the user's sessions).
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long, env = "JICENG_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Give an account its role and scope (the security administrator's act; audited; the
    /// account's sessions end). The role of an admin, security or auditor account never
    /// changes, and those roles go only to fresh accounts (三权分立).
    Role {
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
        /// The org whose subtree the account sees: its code, or its exact name where unique.
        #[arg(long)]
        org: Option<String>,
        /// The member record of a `member` account.
        #[arg(long)]
        member_id: Option<i64>,
    },
    /// The second factor (TOTP): enrol a user (prints the secret, its otpauth URI, a QR
    /// code and the recovery codes, once) or reset it (a lost phone).
    #[command(name = "2fa")]
    TwoFactor {
        #[command(subcommand)]
        cmd: TwoFactorCmd,
    },
}

#[derive(Subcommand)]
pub enum TwoFactorCmd {
    /// Enrol the user now: prints the secret, the otpauth URI, a QR code for the terminal
    /// and the recovery codes. Refused when the user has one (reset first).
    Enrol {
        #[arg(long)]
        username: String,
    },
    /// Remove the user's second factor and recovery codes and end its sessions; it
    /// enrols again at its next login.
    Reset {
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Check the audit log with the audit key and against the anchor file: exit 1 if an
    /// entry was edited, deleted or renumbered, the log re-chained, cut or wiped, or an
    /// anchor forged.
    Verify,
    /// Export the audit log (for the assessor) to .xlsx, or .csv by the file's extension;
    /// the export is itself recorded.
    Export {
        /// The first day (UTC, YYYY-MM-DD).
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// The last day (UTC, YYYY-MM-DD).
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Remove the entries older than a day that lies outside the retention
    /// (--audit-retention-months, at least 6); the chain is checked first and still
    /// verifies afterwards.
    Purge {
        /// Entries before this day (UTC, YYYY-MM-DD) are removed.
        #[arg(long)]
        before: chrono::NaiveDate,
    },
    /// Add the log's last entry and MAC to the anchor file now.
    Anchor,
}

#[derive(Subcommand)]
pub enum KeyCmd {
    /// Re-encrypt every ID number and phone with a new key, and re-hash the ID numbers
    /// (one transaction). Afterwards use the new key file (or JICENG_KEY) and keep the old
    /// one until the backups made with it are gone.
    Rotate {
        /// The new key (base64 of 32 bytes); created with a fresh random key if missing.
        #[arg(long)]
        new_key_file: PathBuf,
        /// Switch the crypto suite too (aes or sm); default: keep the database's.
        #[arg(long, value_enum)]
        crypto: Option<crate::CryptoSuite>,
    },
    /// 显示所给密钥（--key-file 或 JICENG_KEY）的指纹，并与数据库记录的指纹核对：找回原密钥文件时用（相符退出码 0，不符 1）。
    Fingerprint,
}

fn parse_role(s: &str) -> Result<Role> {
    Role::from_code(s.trim()).with_context(|| {
        let codes: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
        format!("无法识别的角色“{s}”，应为：{}", codes.join("、"))
    })
}

pub async fn user(app: &App, cmd: UserCmd) -> Result<ExitCode> {
    let actor = Actor::system();
    match cmd {
        UserCmd::Add {
            username,
            org,
            role,
            password,
            member_id,
            display_name,
        } => {
            let role = parse_role(&role)?;
            let u = users::add_user(
                app,
                &actor,
                NewUser {
                    username,
                    password,
                    role,
                    org,
                    member_id,
                    display_name,
                    must_change: false,
                },
            )
            .await?;
            println!(
                "已添加用户 {}（{}，{}）",
                u.username,
                u.role.label(),
                u.org_name.as_deref().unwrap_or(if u.role == Role::Admin {
                    "全部范围"
                } else {
                    "未绑定党组织，无可见数据"
                })
            );
        }
        UserCmd::List { json } => {
            let list = users::list_users(app, &actor.grant()?).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                println!("用户名\t角色\t党组织代码\t党组织\t状态");
                for u in &list {
                    let state = match (&u.locked_until, u.disabled) {
                        (_, true) => "已停用".to_string(),
                        (Some(t), false) => format!("锁定至{t}"),
                        (None, false) => "正常".to_string(),
                    };
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        u.username,
                        u.role.label(),
                        u.org_code.as_deref().unwrap_or("-"),
                        u.org_name.as_deref().unwrap_or("-"),
                        state
                    );
                }
                println!("共 {} 个用户", list.len());
            }
        }
        UserCmd::Disable { username } => {
            users::disable_user(app, &actor, &username).await?;
            println!("已停用用户 {username}");
        }
        UserCmd::ResetPassword { username, password } => {
            users::reset_password(app, &actor, &username, &password).await?;
            println!("已重置用户 {username} 的密码（锁定已解除，原有会话已结束）");
        }
        UserCmd::Role {
            username,
            role,
            org,
            member_id,
        } => {
            let role = parse_role(&role)?;
            let u = users::set_role(
                app,
                &actor,
                users::RoleGrant {
                    username,
                    role,
                    org,
                    member_id,
                },
            )
            .await?;
            println!(
                "用户 {} 现为{}（{}）；原有会话已结束",
                u.username,
                u.role.label(),
                u.org_name.as_deref().unwrap_or(if u.role.is_separated() {
                    "全部范围"
                } else {
                    "未绑定党组织，无可见数据"
                })
            );
        }
        UserCmd::TwoFactor { cmd } => match cmd {
            TwoFactorCmd::Enrol { username } => {
                let e = jiceng_app::totp::enrol_for(app, &actor, &username).await?;
                print!("{}", enrolment_text(app, &e));
            }
            TwoFactorCmd::Reset { username } => {
                jiceng_app::totp::reset(app, &actor.grant()?, &username).await?;
                println!(
                    "已重置用户 {username} 的动态验证码（恢复码作废，原有会话已结束）；该用户下次登录时重新绑定"
                );
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

/// What an enrolment on the command line prints: the secret, the URI, a QR code and the
/// recovery codes.
pub fn enrolment_text(app: &App, e: &jiceng_app::totp::IssuedEnrolment) -> String {
    let mut s = format!(
        "已为用户 {} 绑定动态验证码（TOTP：SHA-1，{}位数字，{}秒）。\n密钥：{}\notpauth URI：{}\n用手机身份验证器App扫描下面的二维码，或手动输入密钥：\n{}\n",
        e.enrolment.username,
        app.totp.digits,
        app.totp.step_seconds,
        e.enrolment.secret_base32,
        e.enrolment.uri,
        e.qr_text
    );
    s.push_str("恢复码（每个只能用一次，只显示这一次，请交给用户妥善保管）：\n");
    for c in &e.recovery_codes {
        s.push_str(&format!("  {c}\n"));
    }
    s
}

pub async fn audit(app: &App, cmd: AuditCmd) -> Result<ExitCode> {
    use jiceng_app::audit;
    match cmd {
        AuditCmd::Export { from, to, out } => {
            let (entries, bytes) =
                audit::export(app, &Actor::system().grant()?, audit::Period { from, to }).await?;
            let csv = out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let data = if csv {
                audit::csv(&entries).into_bytes()
            } else {
                bytes
            };
            std::fs::write(&out, data).with_context(|| format!("写入 {}", out.display()))?;
            println!("已导出 {} 条审计记录到 {}", entries.len(), out.display());
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::Purge { before } => {
            let n = audit::purge(app, &Actor::system(), before).await?;
            println!("已清理 {before} 之前的 {n} 条审计记录（清理本身已记录，审计链仍可校验）");
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::Anchor => {
            match audit::write_anchor(app).await? {
                Some(a) => println!("已写入审计锚点：第{}条，{}", a.seq, a.mac),
                None => println!("审计日志自上一个锚点以来没有变化（或未配置锚点文件）"),
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCmd::Verify => {
            let r = audit::verify(app).await?;
            println!("已检查 {} 条审计记录", r.entries);
            for n in &r.notes {
                println!("  {n}");
            }
            for p in &r.problems {
                println!("  {p}");
            }
            if r.ok {
                if let Some(h) = &r.last_hash {
                    println!("审计链完整；最后一条记录的哈希：{h}");
                } else {
                    println!("审计链完整");
                }
                Ok(ExitCode::SUCCESS)
            } else {
                println!("审计链已被破坏：发现 {} 处问题", r.problems.len());
                Ok(ExitCode::from(1))
            }
        }
    }
}

pub async fn key(app: &App, cmd: KeyCmd) -> Result<ExitCode> {
    match cmd {
        KeyCmd::Rotate {
            new_key_file,
            crypto,
        } => {
            let suite = crypto.map(Suite::from).unwrap_or(app.crypto.suite());
            // Not beside a running server (checked again inside the rotation's
            // transaction), and before a new key file is made.
            jiceng_app::admin::refuse_if_served(app, "轮换密钥").await?;
            if std::env::var("JICENG_KEY").is_ok() && !new_key_file.exists() {
                bail!("当前密钥来自 JICENG_KEY；请先生成新密钥文件，轮换后改用新密钥");
            }
            // `load` reads JICENG_KEY first; the new key must come from the file alone.
            let new = load_file_only(&new_key_file, suite)?;
            let n = jiceng_app::privacy::rotate_key(app, &Actor::system().grant()?, &new).await?;
            println!(
                "已用新密钥（加密套件 {}：{}）重新加密 {n} 个身份证号（连同这些党员的联系电话）。今后请使用 --key-file {}（或相应的 JICENG_KEY）；旧密钥请与用它做的备份一同保管。",
                suite.code(),
                suite.label(),
                new_key_file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        KeyCmd::Fingerprint => bail!("jiceng key fingerprint 不需要先核对密钥（由 main 处理）"),
    }
}

/// `jiceng key fingerprint`: the key given against the database's record, without
/// refusing a wrong key first (that is what it is for).
pub async fn fingerprint(db: &str, key_file: &std::path::Path) -> Result<ExitCode> {
    let store = jiceng_app::admin::Store::open_existing(db)
        .await
        .with_context(|| format!("打开数据库 {}", jiceng_app::admin::redact(db)))?;
    let suite = jiceng_app::privacy::database_suite(&store).await?;
    let recorded = jiceng_app::admin::recorded_key_fingerprint(&store).await?;
    store.close().await;
    let key = Crypto::load_existing(key_file, suite.unwrap_or_default())?;
    let mine = jiceng_app::privacy::key_fingerprint(&key);
    let source = if std::env::var("JICENG_KEY").is_ok() {
        "JICENG_KEY".to_string()
    } else {
        key_file.display().to_string()
    };
    println!("密钥（{source}）的指纹：{mine}");
    match recorded {
        Some(r) if r == mine => {
            println!("数据库记录的指纹：{r}\n相符：这就是此数据库的密钥");
            Ok(ExitCode::SUCCESS)
        }
        Some(r) => {
            println!("数据库记录的指纹：{r}\n不符：此数据库不是用这个密钥加密的");
            Ok(ExitCode::from(1))
        }
        None => {
            println!("数据库尚未记录密钥");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn load_file_only(path: &std::path::Path, suite: Suite) -> Result<Crypto> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Crypto::from_base64_with(&s, suite)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Crypto::load creates a fresh key file when JICENG_KEY is unset.
            if std::env::var("JICENG_KEY").is_ok() {
                bail!("密钥文件 {} 不存在", path.display());
            }
            Ok(Crypto::load_with(path, suite)?)
        }
        Err(e) => Err(e).with_context(|| format!("读取密钥文件 {}", path.display())),
    }
}
