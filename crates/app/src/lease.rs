//! A running server's lease on its database (`store::lease`): taken when it starts,
//! beaten every [`BEAT`], released at a clean shutdown. Key rotation and restore refuse
//! while a lease is fresh ([`refuse_if_held`]); a killed server's lease goes stale after
//! [`STALE_SECONDS`]. Times are the wall clock (UTC seconds), never the app's fixed clock.

use std::time::Duration;

use jiceng_store::lease::{self as lease_store, Lease};
use jiceng_store::{Conn, Store};

use crate::{App, AppError, Result};

/// How often a server refreshes its lease.
pub const BEAT: Duration = Duration::from_secs(10);
/// A lease whose last beat is older than this (three beats) is stale.
pub const STALE_SECONDS: i64 = 30;

/// The lease this process holds while it serves.
pub struct Held {
    holder: String,
    store: Store,
    task: tokio::task::JoinHandle<()>,
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

fn random_holder() -> String {
    let mut b = [0u8; 12];
    getrandom::getrandom(&mut b).expect("system randomness");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// This machine's name, as the lease shows it.
pub fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "未知主机".into())
}

async fn write(store: &Store, lease: &Lease) -> Result<()> {
    crate::audit::with_retry(|| async {
        let mut tx = store.begin().await?;
        lease_store::put(&mut tx, lease).await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Takes a lease for this process (`what`: `jiceng serve 127.0.0.1:8080`) and beats it
/// every [`BEAT`] until [`Held::release`]. Each beat also reads the key the database
/// records: when it is no longer this process's key (rotated beside it), the server says
/// so on stderr once — its writes are refused anyway (`privacy::ensure_key`,
/// `audit::Entry::record`).
pub async fn take(app: &App, what: &str) -> Result<Held> {
    let lease = Lease {
        holder: random_holder(),
        pid: i64::from(std::process::id()),
        host: host_name(),
        bind: what.to_string(),
        started_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        beat_at: now_secs(),
    };
    write(&app.store, &lease).await?;
    let holder = lease.holder.clone();
    let store = app.store.clone();
    let mine = crate::privacy::key_fingerprint(&app.crypto);
    let task = tokio::spawn(async move {
        let mut warned = false;
        let mut tick = tokio::time::interval(BEAT);
        tick.tick().await; // the first tick is now: the lease was just written
        loop {
            tick.tick().await;
            let beat = async {
                let mut conn = store.acquire().await?;
                if !lease_store::beat(&mut conn, &lease.holder, now_secs()).await? {
                    drop(conn);
                    let mut again = lease.clone();
                    again.beat_at = now_secs();
                    write(&store, &again).await?;
                    conn = store.acquire().await?;
                }
                Ok::<_, AppError>(jiceng_store::protection::key_fingerprint(&mut conn).await?)
            };
            match beat.await {
                Ok(Some(f)) if f != mine && !warned => {
                    warned = true;
                    eprintln!(
                        "错误：数据库的密钥已被更换（现为 {}，本服务持有 {}）：本服务将拒绝一切写入，请用新密钥重启服务",
                        crate::privacy::short(&f),
                        crate::privacy::short(&mine)
                    );
                }
                Ok(_) => {}
                Err(e) => eprintln!("未能刷新服务租约（心跳）：{e}"),
            }
        }
    });
    Ok(Held {
        holder,
        store: app.store.clone(),
        task,
    })
}

impl Held {
    /// Stops the beats and removes the lease (a clean shutdown).
    pub async fn release(self) {
        self.task.abort();
        let _ = self.task.await;
        let done = async {
            let mut conn = self.store.acquire().await?;
            lease_store::remove(&mut conn, &self.holder).await
        };
        if let Err(e) = done.await {
            eprintln!("未能移除服务租约：{e}");
        }
    }
}

/// The fresh leases (beaten within [`STALE_SECONDS`]).
pub async fn fresh(conn: &mut Conn) -> Result<Vec<Lease>> {
    let now = now_secs();
    Ok(lease_store::all(conn)
        .await?
        .into_iter()
        .filter(|l| now - l.beat_at <= STALE_SECONDS)
        .collect())
}

/// Refuses `action` (轮换密钥, 恢复备份) while a server holds the database, naming it and
/// how to stop it.
pub async fn refuse_if_held(conn: &mut Conn, action: &str) -> Result<()> {
    let held = fresh(conn).await?;
    let Some(l) = held.first() else {
        return Ok(());
    };
    let ago = (now_secs() - l.beat_at).max(0);
    let more = if held.len() > 1 {
        format!("；另有 {} 个服务", held.len() - 1)
    } else {
        String::new()
    };
    Err(AppError::Input(format!(
        "服务正在使用此数据库（{}，进程 {}，主机 {}，启动于 {}，最近心跳 {ago} 秒前{more}），\
         请先停止服务再{action}（如 systemctl stop jiceng，或在该主机上 kill -TERM {}；\
         被强行终止的服务，其租约在 {STALE_SECONDS} 秒后失效）",
        l.bind, l.pid, l.host, l.started_at, l.pid
    )))
}
