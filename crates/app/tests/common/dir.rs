//! A scratch folder per test, removed when dropped (shared by the app's and the web's
//! tests: the web's include this file).

use std::path::PathBuf;

pub struct Dir(pub PathBuf);

impl Dir {
    /// `{package}-test-{pid}-{label}-{n}` in the temporary directory, fresh and empty.
    pub fn new(label: &str) -> Dir {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!(
            "{}-test-{}-{label}-{n}",
            env!("CARGO_PKG_NAME"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
