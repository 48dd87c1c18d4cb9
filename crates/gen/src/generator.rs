//! The generator: one batch per county, parents before children.

use chrono::NaiveDate;
use jiceng_domain::{Member, Org, Position, Unit};

use crate::Divisions;

#[derive(Debug, Clone)]
pub struct GenOptions {
    pub seed: u64,
    /// "Today" for the data: dates of founding, joining, elections are before it.
    pub as_of: NaiveDate,
}

/// The first id of each kind to assign; ids are assigned consecutively from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdBase {
    pub org: i64,
    pub member: i64,
    pub unit: i64,
    pub position: i64,
}

/// An org to insert; the parent is inserted earlier (in this batch or a previous one).
pub type NewOrg = Org;

/// Everything generated for one county (the first batch also carries the province and
/// city committees above it).
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub orgs: Vec<NewOrg>,
    pub members: Vec<Member>,
    pub positions: Vec<Position>,
    pub units: Vec<Unit>,
}

pub struct Generator {
    _private: (),
}

impl Generator {
    pub fn new(divisions: Divisions, options: GenOptions, ids: IdBase) -> Generator {
        let _ = (divisions, options, ids);
        todo!("H3")
    }

    /// Counties in total (for a progress bar).
    pub fn counties(&self) -> usize {
        todo!("H3")
    }

    /// The next county's batch, or `None` when done.
    pub fn next_batch(&mut self) -> Option<Batch> {
        todo!("H3")
    }

    /// The next free id of each kind after everything generated so far.
    pub fn next_ids(&self) -> IdBase {
        todo!("H3")
    }
}
