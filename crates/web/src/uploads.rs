//! Where uploaded spreadsheets wait: a private folder with a random name (0700), one
//! sub-folder per upload (0700) holding the file under the user's own file name (0600,
//! created new), removed after use, when it expires, and with the folder when the server
//! stops. Folders left by servers that died are removed at start.

use std::io::Write;
use std::path::{Path, PathBuf};

const PREFIX: &str = "jiceng-uploads-";
/// The file in the folder that says which process owns it (for the clean-up at start).
const OWNER: &str = "owner.pid";

/// The upload folder of one server; removed with everything in it when dropped.
#[derive(Debug)]
pub(crate) struct Uploads {
    dir: tempfile::TempDir,
}

/// One uploaded file: its folder and the path the importer reads (named as the user named
/// it, so every message shows that name and nothing of the server's folders).
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    folder: PathBuf,
    pub path: PathBuf,
}

impl Upload {
    /// Removes the file and its folder (errors ignored: the folder goes at shutdown anyway).
    pub fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

impl Uploads {
    /// Creates the folder under the system temp folder, after removing the upload folders
    /// of processes that no longer run.
    pub fn create() -> std::io::Result<Uploads> {
        Self::create_in(&std::env::temp_dir())
    }

    pub fn create_in(parent: &Path) -> std::io::Result<Uploads> {
        remove_stale(parent);
        let dir = private_builder(PREFIX).tempdir_in(parent)?;
        let mut owner = new_file(&dir.path().join(OWNER))?;
        write!(owner, "{}", std::process::id())?;
        Ok(Uploads { dir })
    }

    #[cfg(test)]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Stores `bytes` as `user_name` (cleaned: no folders, no control characters, at most
    /// 100 characters; `ext` the importer reads is kept) in a new private sub-folder.
    #[cfg(test)]
    pub fn store(&self, user_name: &str, ext: &str, bytes: &[u8]) -> std::io::Result<Upload> {
        let (upload, mut f) = self.new_upload(user_name, ext)?;
        if let Err(e) = f.write_all(bytes).and_then(|_| f.sync_all()) {
            upload.remove();
            return Err(e);
        }
        Ok(upload)
    }

    /// A new empty file named as `store` names it, to write an upload into as it arrives
    /// (so an upload waiting for its turn holds disk, not memory).
    pub fn new_upload(
        &self,
        user_name: &str,
        ext: &str,
    ) -> std::io::Result<(Upload, std::fs::File)> {
        let folder = private_builder("u-").tempdir_in(self.dir.path())?.keep();
        let path = folder.join(clean_name(user_name, ext));
        let upload = Upload { folder, path };
        match new_file(&upload.path) {
            Ok(f) => Ok((upload, f)),
            Err(e) => {
                upload.remove();
                Err(e)
            }
        }
    }
}

fn private_builder(prefix: &str) -> tempfile::Builder<'_, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix).rand_bytes(16);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o700));
    }
    b
}

/// A new file, readable by the owner only; an existing file is never opened.
fn new_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// The user's file name as stored: the last component of whatever path the browser sent,
/// control characters and leading dots removed, cut to 100 characters, with the extension
/// the importer reads; a name left empty becomes 上传文件.
pub(crate) fn clean_name(user_name: &str, ext: &str) -> String {
    let last = user_name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_string();
    let suffix = format!(".{ext}");
    let stem = if cleaned.to_lowercase().ends_with(&suffix) {
        &cleaned[..cleaned.len() - suffix.len()]
    } else {
        &cleaned[..]
    };
    let stem: String = stem.chars().take(100).collect();
    let stem = if stem.trim().is_empty() {
        "上传文件".to_string()
    } else {
        stem
    };
    format!("{stem}{suffix}")
}

/// Removes the `jiceng-uploads-*` folders in `parent` whose owner process is gone: those
/// naming their owner in `owner.pid`, and the older `jiceng-uploads-<pid>` ones. Only on
/// systems with `/proc`, where a process's liveness can be seen.
fn remove_stale(parent: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(PREFIX) else {
            continue;
        };
        let path = entry.path();
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let pid = std::fs::read_to_string(path.join(OWNER))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .or_else(|| rest.parse::<u32>().ok());
        if let Some(pid) = pid {
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("花名册.xlsx", "xlsx"), "花名册.xlsx");
        assert_eq!(clean_name("C:\\Users\\张\\名册.XLSX", "xlsx"), "名册.xlsx");
        assert_eq!(clean_name("../../etc/passwd.csv", "csv"), "passwd.csv");
        assert_eq!(clean_name("..", "csv"), "上传文件.csv");
        assert_eq!(clean_name("a\u{0}b\nc.csv", "csv"), "abc.csv");
        assert_eq!(clean_name(&"长".repeat(300), "xls").chars().count(), 104);
    }

    #[cfg(unix)]
    #[test]
    fn private_folders_and_files_removed_after_use_and_at_drop() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().unwrap();
        // A folder of a process that is gone (pid beyond the kernel's maximum) and one of
        // the old kind.
        let dead = parent.path().join("jiceng-uploads-abc");
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join(OWNER), "4294967").unwrap();
        let old = parent.path().join("jiceng-uploads-4294968");
        std::fs::create_dir(&old).unwrap();
        let alive = parent.path().join("jiceng-uploads-live");
        std::fs::create_dir(&alive).unwrap();
        std::fs::write(alive.join(OWNER), std::process::id().to_string()).unwrap();

        let uploads = Uploads::create_in(parent.path()).unwrap();
        assert!(!dead.exists() && !old.exists(), "stale folders removed");
        assert!(alive.exists(), "a live process's folder kept");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(uploads.dir()), 0o700);
        let name = uploads
            .dir()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(name.starts_with(PREFIX) && !name.contains(&std::process::id().to_string()));

        let up = uploads.store("名册.csv", "csv", b"a,b\n").unwrap();
        assert_eq!(up.path.file_name().unwrap(), "名册.csv");
        assert_eq!(mode(&up.path), 0o600);
        assert_eq!(mode(up.path.parent().unwrap()), 0o700);
        // Two uploads of the same name do not meet.
        let other = uploads.store("名册.csv", "csv", b"c\n").unwrap();
        assert_ne!(up.path, other.path);
        up.remove();
        assert!(!up.path.exists() && !up.path.parent().unwrap().exists());

        let dir = uploads.dir().to_path_buf();
        drop(uploads);
        assert!(!dir.exists(), "removed with the server");
    }
}
