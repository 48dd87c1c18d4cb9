//! Checking the chain (`verify`) and anchoring it outside the database: the anchor file,
//! the restore marks, and sealing the log again with a rotated key.

use super::*;

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifyReport {
    /// Entries checked.
    pub entries: i64,
    pub ok: bool,
    /// In Chinese, one line each, the first bad entry first.
    pub problems: Vec<String>,
    /// What the check covered, in Chinese (where the keyed chain starts, the anchors).
    pub notes: Vec<String>,
    /// The MAC of the last entry: written down elsewhere, it shows later that the log
    /// was not rewritten from some point on.
    pub last_hash: Option<String>,
    /// Anchors checked.
    pub anchors: usize,
}

/// Checks the whole chain with the audit key: every entry matches its MAC (its SHA-256
/// before the keyed chain), links to the one before, none is missing (from the middle
/// or the end), the marks are sealed with the key, and every anchor in the anchor file
/// is sealed with the key and names an entry that is still there, unchanged.
pub async fn verify(app: &App) -> Result<VerifyReport> {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let anchors = match &app.audit.anchor {
        None => {
            notes.push("未配置审计锚点文件，无法发现整体改写、截断或清空".to_string());
            Vec::new()
        }
        Some(path) => {
            let file = read_anchor_file(&app.crypto, path)?;
            let (anchors, bad) = (file.anchors, file.bad);
            problems.extend(bad);
            for (r, set_aside) in &file.restores {
                notes.push(format!(
                    "{} 从备份恢复了数据库（审计日志恢复至第{}条）；此前的 {set_aside} 个锚点属于被替换的数据库，不再核对",
                    r.at, r.seq
                ));
            }
            if anchors.is_empty() && problems.is_empty() {
                notes.push(format!(
                    "尚无审计锚点（{}）：无法发现整体改写、截断或清空",
                    path.display()
                ));
            }
            anchors
        }
    };
    let pairs: Vec<(i64, String)> = anchors.iter().map(|a| (a.seq, a.mac.clone())).collect();
    let mut conn = app.store.acquire().await?;
    let sealer = AuditSealer(app.crypto.clone());
    let r = audit_store::verify(&mut conn, &sealer, &pairs).await?;
    problems.extend(r.problems.iter().map(|p| match p {
        ChainProblem::Modified(n) => {
            format!("第{n}条记录被修改")
        }
        ChainProblem::BrokenLink(n) => {
            format!("第{n}条记录与前一条记录的链接不符（前一条记录被修改或替换）")
        }
        ChainProblem::Missing { from, to } if from == to => format!("第{from}条记录缺失"),
        ChainProblem::Missing { from, to } => format!("第{from}至{to}条记录缺失"),
        ChainProblem::HeadMismatch { seq } => {
            format!("链头与最后一条记录（第{seq}条）不符（末尾记录被修改或替换）")
        }
        ChainProblem::MarkForged(kind) => format!(
            "审计链的{}标记与审计密钥不符（被伪造或修改）",
            if kind == audit_store::MARK_CUT {
                "清理"
            } else {
                "密钥起点"
            }
        ),
        ChainProblem::MarkMissing => "审计链的密钥起点标记缺失（审计日志被改写）".to_string(),
        ChainProblem::KeyedBeyondEnd { keyed, last } => {
            format!("带密钥的记录自第{keyed}条起，但日志只到第{last}条（末尾记录被删除）")
        }
        ChainProblem::AnchorMismatch { seq } => {
            format!("第{seq}条记录与锚点不符（该记录或其之前的记录被改写、删除或重新编号）")
        }
        ChainProblem::Truncated { anchored, last } if *last == 0 => {
            format!("审计日志为空，但锚点已记至第{anchored}条（日志被清空）")
        }
        ChainProblem::Truncated { anchored, last } => {
            format!("锚点已记至第{anchored}条，但日志只到第{last}条（末尾记录被删除）")
        }
    }));
    match r.keyed_from {
        Some(k) if k > 1 => notes.push(format!(
            "第1至{}条记录为启用密钥前的记录（仅无密钥哈希），自第{k}条起由审计密钥签名",
            k - 1
        )),
        Some(_) => notes.push("全部记录由审计密钥签名".to_string()),
        None if r.entries > 0 => notes.push("尚无由审计密钥签名的记录（仅无密钥哈希）".to_string()),
        None => {}
    }
    if let Some(c) = r.cut_at {
        notes.push(format!(
            "第{c}条之前的记录已按保存期限清理，清理标记与密钥相符"
        ));
    }
    if !anchors.is_empty() {
        let last = anchors.iter().max_by_key(|a| a.seq).expect("not empty");
        notes.push(format!(
            "已核对 {} 个锚点，最近的锚点：第{}条（{}）",
            anchors.len(),
            last.seq,
            last.at
        ));
    }
    Ok(VerifyReport {
        entries: r.entries,
        ok: problems.is_empty(),
        problems,
        notes,
        last_hash: r.last_hash,
        anchors: anchors.len(),
    })
}

/// One line of the anchor file: the log's last `seq` and MAC at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub mac: String,
    pub at: String,
}

fn anchor_mac(crypto: &Crypto, seq: i64, mac: &str, at: &str) -> String {
    crypto.audit_mac(format!("jiceng-audit-anchor\n{seq}\n{mac}\n{at}").as_bytes())
}

/// The MAC of a restore mark: `restore\tSEQ\tMAC\tAT\tLINE_MAC`, written by `jiceng restore`
/// when it replaced the database with a backup whose log ends at entry SEQ (MAC). The
/// anchors above it belong to the database that was replaced and are no longer checked.
fn restore_mac(crypto: &Crypto, seq: i64, mac: &str, at: &str) -> String {
    crypto.audit_mac(format!("jiceng-audit-restore\n{seq}\n{mac}\n{at}").as_bytes())
}

/// A line of the anchor file, checked with the key.
enum AnchorLine {
    Anchor(Anchor),
    Restore(Anchor),
}

fn parse_anchor_line(crypto: &Crypto, line: &str) -> Option<AnchorLine> {
    let f: Vec<&str> = line.split('\t').collect();
    let anchor = |seq: &str, mac: &str, at: &str| {
        seq.parse::<i64>().ok().map(|seq| Anchor {
            seq,
            mac: mac.to_string(),
            at: at.to_string(),
        })
    };
    match f.as_slice() {
        [seq, mac, at, line_mac] => anchor(seq, mac, at)
            .filter(|a| anchor_mac(crypto, a.seq, mac, at) == *line_mac)
            .map(AnchorLine::Anchor),
        ["restore", seq, mac, at, line_mac] => anchor(seq, mac, at)
            .filter(|a| restore_mac(crypto, a.seq, mac, at) == *line_mac)
            .map(AnchorLine::Restore),
        _ => None,
    }
}

/// What the anchor file holds, checked with the key.
#[derive(Debug, Default)]
pub struct AnchorFile {
    /// The anchors in force: those after the last restore mark (the mark's own head
    /// among them).
    pub anchors: Vec<Anchor>,
    /// In Chinese, the lines not sealed with the key.
    pub bad: Vec<String>,
    /// The restore marks, with how many anchors each set aside.
    pub restores: Vec<(Anchor, usize)>,
}

/// The anchors of the file and, in Chinese, the lines that are not sealed with the key.
/// A missing file has no anchors.
pub fn read_anchors(crypto: &Crypto, path: &Path) -> Result<(Vec<Anchor>, Vec<String>)> {
    let f = read_anchor_file(crypto, path)?;
    Ok((f.anchors, f.bad))
}

/// The whole anchor file: anchors in force, bad lines and restore marks.
pub fn read_anchor_file(crypto: &Crypto, path: &Path) -> Result<AnchorFile> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(AnchorFile::default()),
        Err(e) => {
            return Err(AppError::Input(format!(
                "无法读取审计锚点文件 {}：{e}",
                path.display()
            )))
        }
    };
    let mut out = AnchorFile::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_anchor_line(crypto, line) {
            Some(AnchorLine::Anchor(a)) => out.anchors.push(a),
            Some(AnchorLine::Restore(a)) => {
                let set_aside = std::mem::take(&mut out.anchors).len();
                if a.seq > 0 {
                    out.anchors.push(a.clone());
                }
                out.restores.push((a, set_aside));
            }
            None => out.bad.push(format!(
                "审计锚点文件 {} 第{}行与审计密钥不符（被伪造或修改）",
                path.display(),
                i + 1
            )),
        }
    }
    Ok(out)
}

/// Appends a restore mark to the anchor file: the database was replaced by a backup whose
/// log ends at entry `seq` (`mac`, 0 and empty for an empty log); the anchors before it
/// belong to the replaced database. Called by the restore, with the restored database's
/// key, before anything is written to the restored log.
pub fn write_restore_mark(app: &App, seq: i64, mac: &str) -> Result<Option<Anchor>> {
    let Some(path) = &app.audit.anchor else {
        return Ok(None);
    };
    let at = app.now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let line = format!(
        "restore\t{seq}\t{mac}\t{at}\t{}\n",
        restore_mac(&app.crypto, seq, mac, &at)
    );
    append_line(path, &line)?;
    Ok(Some(Anchor {
        seq,
        mac: mac.to_string(),
        at,
    }))
}

/// One line added to the anchor file (created 0600), synced.
fn append_line(path: &Path, line: &str) -> Result<()> {
    let err = |e: std::io::Error| {
        AppError::Input(format!("无法写入审计锚点文件 {}：{e}", path.display()))
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path).map_err(err)?;
    // One write of one short line: appends from several processes do not interleave.
    file.write_all(line.as_bytes()).map_err(err)?;
    file.sync_data().map_err(err)?;
    Ok(())
}

/// Appends the log's head to the anchor file (created readable by its owner only) when
/// it moved since the file's last anchor. Returns the anchor written, if any.
pub async fn write_anchor(app: &App) -> Result<Option<Anchor>> {
    let Some(path) = &app.audit.anchor else {
        return Ok(None);
    };
    let mut conn = app.store.acquire().await?;
    let Some((seq, mac)) = audit_store::head(&mut conn).await? else {
        return Ok(None);
    };
    // A process whose key was rotated away under it (a server left running) seals no
    // anchor with its old key.
    let recorded = jiceng_store::protection::key_fingerprint(&mut conn).await?;
    let mine = crate::privacy::key_fingerprint(&app.crypto);
    if let Some(f) = recorded.filter(|f| *f != mine) {
        return Err(crate::crypto::CryptoError::KeyChanged {
            recorded: crate::privacy::short(&f),
            held: crate::privacy::short(&mine),
        }
        .into());
    }
    drop(conn);
    let (known, _) = read_anchors(&app.crypto, path)?;
    if seq == 0 || known.iter().any(|a| a.seq == seq && a.mac == mac) {
        return Ok(None);
    }
    let at = app.now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let line = format!(
        "{seq}\t{mac}\t{at}\t{}\n",
        anchor_mac(&app.crypto, seq, &mac, &at)
    );
    append_line(path, &line)?;
    Ok(Some(Anchor { seq, mac, at }))
}

/// Seals the audit log again with the audit key of `new` (a rotation of the key), in the
/// rotation's transaction, after checking it with the current key. Returns each old MAC
/// with its new one, for [`reseal_anchors`] after the commit.
pub async fn reseal(
    conn: &mut Conn,
    app: &App,
    new: &Crypto,
) -> Result<std::collections::HashMap<String, String>> {
    register(new);
    let old = AuditSealer(app.crypto.clone());
    Ok(audit_store::reseal(conn, &old, &AuditSealer(new.clone())).await?)
}

/// Rewrites the anchor file for the new key after [`reseal`]: each anchor sealed with
/// the current key names the entry's new MAC and is sealed with the new key; a line that
/// was not sealed with the current key is kept as it is (verify goes on reporting it).
pub async fn reseal_anchors(
    app: &App,
    new: &Crypto,
    resealed: &std::collections::HashMap<String, String>,
) -> Result<()> {
    let Some(path) = &app.audit.anchor else {
        return Ok(());
    };
    let err = |e: std::io::Error| {
        AppError::Input(format!("无法改写审计锚点文件 {}：{e}", path.display()))
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(err(e)),
    };
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match parse_anchor_line(&app.crypto, line) {
            Some(AnchorLine::Anchor(a)) => {
                let (seq, at) = (a.seq, a.at.as_str());
                let mac = resealed.get(&a.mac).unwrap_or(&a.mac);
                out.push_str(&format!(
                    "{seq}\t{mac}\t{at}\t{}\n",
                    anchor_mac(new, seq, mac, at)
                ));
            }
            Some(AnchorLine::Restore(a)) => {
                let (seq, at) = (a.seq, a.at.as_str());
                let mac = resealed.get(&a.mac).unwrap_or(&a.mac);
                out.push_str(&format!(
                    "restore\t{seq}\t{mac}\t{at}\t{}\n",
                    restore_mac(new, seq, mac, at)
                ));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    let tmp = path.with_extension("anchor.tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(&tmp).map_err(err)?;
    file.write_all(out.as_bytes()).map_err(err)?;
    file.sync_all().map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)?;
    // And the head after the rotation, sealed with the new key.
    let mut rotated = app.clone();
    rotated.crypto = new.clone();
    write_anchor(&rotated).await?;
    Ok(())
}
