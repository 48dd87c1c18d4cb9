//! The file work of backups and restores: synced writes, private copies, checksums.

use super::*;

pub(super) fn io_err(path: &Path, e: std::io::Error) -> AppError {
    input(format!("文件 {} 读写失败：{e}", path.display()))
}

pub(super) fn remove_if_exists(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(path, e)),
        _ => Ok(()),
    }
}

pub(super) fn sync_file(path: &Path) -> Result<()> {
    std::fs::OpenOptions::new()
        .read(true)
        .open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_err(path, e))
}

/// Syncs the folder holding `path`, so that a rename in it survives a crash.
pub(super) fn sync_dir(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::File::open(&dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_err(&dir, e))
}

pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Size and SHA-256 (hex) of a file.
pub(super) fn checksum(path: &Path) -> Result<(u64, String)> {
    let mut f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| io_err(path, e))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((n, hex(&h.finalize())))
}

/// Copies `from` to a new private file `to`, synced; returns the SHA-256 of what was
/// read.
pub(super) fn copy_private(from: &Path, to: &Path) -> Result<String> {
    let mut src = std::fs::File::open(from).map_err(|e| io_err(from, e))?;
    let mut dst = jiceng_store::files::create_private(to).map_err(|e| io_err(to, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let k = src.read(&mut buf).map_err(|e| io_err(from, e))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        dst.write_all(&buf[..k]).map_err(|e| io_err(to, e))?;
    }
    dst.sync_all().map_err(|e| io_err(to, e))?;
    Ok(hex(&h.finalize()))
}

/// Writes `bytes` to `path` beside (`.tmp`), synced, then renamed over it.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = with_suffix(path, ".tmp");
    remove_if_exists(&tmp)?;
    jiceng_store::files::write_private(&tmp, bytes).map_err(|e| io_err(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))?;
    sync_dir(path)
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) async fn close_conn(conn: Conn) -> Result<()> {
    jiceng_store::backup::close(conn).await?;
    Ok(())
}
