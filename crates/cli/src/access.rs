//! `jiceng user …`, `jiceng audit …` and `jiceng key …`: users, the audit log and the key
//! that protects ID numbers. The command line acts as the system administrator.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use jiceng_app::access::{Actor, Role};
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
        /// admin, department, committee, secretary, inspector, member or auditor.
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
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Check the hash chain of the audit log: exit 1 if an entry was edited or deleted.
    Verify,
}

#[derive(Subcommand)]
pub enum KeyCmd {
    /// Re-encrypt every ID number with a new key (one transaction). Afterwards use the
    /// new key file (or JICENG_KEY) and keep the old one until the backups made with it
    /// are gone.
    Rotate {
        /// The new key (base64 of 32 bytes); created with a fresh random key if missing.
        #[arg(long)]
        new_key_file: PathBuf,
    },
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
            let list = users::list_users(app, &actor).await?;
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
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn audit(app: &App, cmd: AuditCmd) -> Result<ExitCode> {
    match cmd {
        AuditCmd::Verify => {
            let r = jiceng_app::audit::verify(app).await?;
            println!("已检查 {} 条审计记录", r.entries);
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
        KeyCmd::Rotate { new_key_file } => {
            if std::env::var("JICENG_KEY").is_ok() && !new_key_file.exists() {
                bail!("当前密钥来自 JICENG_KEY；请先生成新密钥文件，轮换后改用新密钥");
            }
            // `load` reads JICENG_KEY first; the new key must come from the file alone.
            let new = load_file_only(&new_key_file)?;
            let n = jiceng_app::privacy::rotate_key(app, &Actor::system(), &new).await?;
            println!(
                "已用新密钥重新加密 {n} 个身份证号。今后请使用 --key-file {}（或相应的 JICENG_KEY）；旧密钥请与用它做的备份一同保管。",
                new_key_file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn load_file_only(path: &std::path::Path) -> Result<Crypto> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Crypto::from_base64(&s)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Crypto::load creates a fresh key file when JICENG_KEY is unset.
            if std::env::var("JICENG_KEY").is_ok() {
                bail!("密钥文件 {} 不存在", path.display());
            }
            Ok(Crypto::load(path)?)
        }
        Err(e) => Err(e).with_context(|| format!("读取密钥文件 {}", path.display())),
    }
}
