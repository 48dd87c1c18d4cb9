//! Files that hold personal data or keys (the SQLite database with its `-wal` and `-shm`,
//! the key file) are readable by their owner only: created with mode 0600 whatever the
//! process's umask, and a warning when an existing one is readable by others.

use std::io::Write;
use std::path::Path;

/// The mode of a private file.
pub const PRIVATE_MODE: u32 = 0o600;

/// Creates `path` (it must not exist) with mode 0600 from the start and writes `bytes`.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = create_private(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Creates `path` empty with mode 0600 (it must not exist): the mode is given at creation,
/// so there is no moment when others may open it, and set again so a narrower umask
/// changes nothing.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(PRIVATE_MODE);
    }
    let f = opts.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(PRIVATE_MODE))?;
    }
    Ok(f)
}

/// The permission bits of `path` (Unix), if it exists.
pub fn mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// A warning in Chinese when `path` exists and its group or others may read or write it.
pub fn loose_mode_warning(path: &Path, what: &str) -> Option<String> {
    let m = mode(path)?;
    (m & 0o077 != 0).then(|| {
        format!(
            "警告：{what} {} 的权限为 {m:04o}，同组或其他用户可以读取；其中有个人信息或密钥，请执行 chmod 600 {}",
            path.display(),
            path.display()
        )
    })
}
