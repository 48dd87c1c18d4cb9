//! Answers kept for a short while, the way the dashboards are: an entry is used while
//! nothing was written through this server, the day is the same and it is younger than
//! `DASHBOARD_TTL` (writes from outside the server, e.g. `jiceng rate`, show within that).
//! For pages that read a whole subtree (a province's stars distribution, the home page's
//! rectification alerts), so that many users opening them at once cost one computation.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;

use chrono::NaiveDate;

use crate::AppState;

pub(crate) struct Memo<K, V> {
    entries: Mutex<HashMap<K, (Instant, u64, NaiveDate, V)>>,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    pub fn new() -> Memo<K, V> {
        Memo {
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The kept answer for `key`, if still good.
    pub fn get(&self, state: &AppState, key: &K) -> Option<V> {
        let (generation, today) = stamp(state);
        let entries = self.entries.lock().expect("memo");
        let (at, g, day, v) = entries.get(key)?;
        (*g == generation && *day == today && at.elapsed() < crate::DASHBOARD_TTL)
            .then(|| v.clone())
    }

    /// Keeps `value` for `key` (stamped now; at most 1,000 entries).
    pub fn put(&self, state: &AppState, key: K, value: V) {
        let (generation, today) = stamp(state);
        let mut entries = self.entries.lock().expect("memo");
        if entries.len() >= 1000 {
            entries.clear();
        }
        entries.insert(key, (Instant::now(), generation, today, value));
    }
}

fn stamp(state: &AppState) -> (u64, NaiveDate) {
    (
        state.generation.load(std::sync::atomic::Ordering::SeqCst),
        state.app.today(),
    )
}
