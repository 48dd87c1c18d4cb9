//! The generator: one batch per county, parents before children.
//!
//! Layout of what is generated (see the crate docs for the figures):
//! - ids: consecutive per kind from [`IdBase`], in the order of each batch's vectors
//!   (orgs are pushed parents first, so an org's id is greater than its parent's);
//! - org codes: `<division code>-<5-digit sequence>` where the division is the one whose
//!   batch created the org (`37-00001` 山东省委, `3708-00001` 济宁市委, `370830-00001`
//!   汶上县委, `370830-00002` …) — unique across the nation for one run, and the same for
//!   a county whatever the prefix loaded;
//! - per county, a seed-derived generator: the same seed gives the same county whatever
//!   else is generated (only ids and phone numbers, which come from ids, shift);
//! - province and city committees are made once per [`Generator`], in the first batch of
//!   their province/city; two generators (two prefixes) into one store would make them
//!   twice with the same codes, so load one prefix per store (or the nation);
//! - members hold their relation in a branch (a few directly in a general branch or
//!   committee); groups have no members, only a `GroupLeader` position held by a member of
//!   the branch above; a vacant secretary office is an org whose only `Secretary`
//!   position has ended; local committees have no positions;
//! - ID numbers: the county's 6 digits, the birth date, a sequence per birth date in the
//!   county (odd for men): unique nationally. Credit codes: kind (`91` enterprise, `51`
//!   social group, `52` private non-enterprise, `93` cooperative, `54` village and
//!   community, `11` organ, `12` public institution), the county's 6 digits and a serial
//!   per county: unique nationally. Phones: `138…` + the member id (clearly synthetic);
//! - units: own-org units point at their own org (its top org for a general branch or
//!   committee), joint ones at the joint branch (2–8 units), instructor and uncovered ones
//!   at the committee responsible (the township's or the county's 两新 committee).

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_domain::{Coverage, Domain, Member, Org, Position, Unit};

use crate::divisions::Division;
use crate::rng::Rng;
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
    /// 所在党小组: member id → the id of the group (a 党小组 under the member's branch).
    pub member_groups: HashMap<i64, i64>,
}

/// A committee already generated: id and name.
#[derive(Debug, Clone)]
pub(super) struct Made {
    id: i64,
    name: String,
}

pub struct Generator {
    div: Divisions,
    options: GenOptions,
    next: IdBase,
    /// The next county to generate.
    pos: usize,
    /// Township indices of each county, village indices of each township.
    townships_of: Vec<Vec<usize>>,
    villages_of: Vec<Vec<usize>>,
    /// Province and city committees made so far, by division code (`None`: the city
    /// has no committee of its own, e.g. 市辖区 of a municipality).
    provinces_made: HashMap<String, Made>,
    cities_made: HashMap<String, Option<Made>>,
}

impl Generator {
    pub fn new(divisions: Divisions, options: GenOptions, ids: IdBase) -> Generator {
        let county_at: HashMap<&str, usize> = divisions
            .counties
            .iter()
            .enumerate()
            .map(|(i, d)| (d.code.as_str(), i))
            .collect();
        let township_at: HashMap<&str, usize> = divisions
            .townships
            .iter()
            .enumerate()
            .map(|(i, d)| (d.code.as_str(), i))
            .collect();
        let mut townships_of = vec![Vec::new(); divisions.counties.len()];
        for (i, t) in divisions.townships.iter().enumerate() {
            if let Some(&c) = county_at.get(t.parent.as_str()) {
                townships_of[c].push(i);
            }
        }
        let mut villages_of = vec![Vec::new(); divisions.townships.len()];
        for (i, v) in divisions.villages.iter().enumerate() {
            if let Some(&t) = township_at.get(v.parent.as_str()) {
                villages_of[t].push(i);
            }
        }
        Generator {
            div: divisions,
            options,
            next: ids,
            pos: 0,
            townships_of,
            villages_of,
            provinces_made: HashMap::new(),
            cities_made: HashMap::new(),
        }
    }

    /// Counties in total (for a progress bar).
    pub fn counties(&self) -> usize {
        self.div.counties.len()
    }

    /// The next county's batch, or `None` when done.
    pub fn next_batch(&mut self) -> Option<Batch> {
        let ci = self.pos;
        let county = self.div.counties.get(ci)?;
        self.pos += 1;
        let as_of = self.options.as_of;
        let mut b = Builder::new(&self.options, self.next, county);

        // The committees above: the province's, then the city's, made once each.
        let city = self.div.cities.iter().find(|c| c.code == county.parent);
        let province_code = match city {
            Some(c) => c.parent.as_str(),
            None => county.code.get(..2).unwrap_or(""),
        };
        let province = self.div.provinces.iter().find(|p| p.code == province_code);
        let mut above: Option<Made> = None;
        if let Some(p) = province {
            let made = match self.provinces_made.get(&p.code) {
                Some(m) => m.clone(),
                None => {
                    let mut r = Rng::for_part(self.options.seed, &p.code);
                    let m = b.local_committee(&mut r, p, province_committee_name(&p.name), None);
                    self.provinces_made.insert(p.code.clone(), m.clone());
                    m
                }
            };
            above = Some(made);
        }
        if let Some(c) = city {
            let made = match self.cities_made.get(&c.code) {
                Some(m) => m.clone(),
                None => {
                    let m = city_committee_name(&c.name).map(|name| {
                        let mut r = Rng::for_part(self.options.seed, &c.code);
                        b.local_committee(&mut r, c, name, above.clone())
                    });
                    self.cities_made.insert(c.code.clone(), m.clone());
                    m
                }
            };
            if made.is_some() {
                above = made;
            }
        }

        let townships: Vec<(&Division, Vec<&Division>)> = self.townships_of[ci]
            .iter()
            .map(|&t| {
                let vs = self.villages_of[t]
                    .iter()
                    .map(|&v| &self.div.villages[v])
                    .collect();
                (&self.div.townships[t], vs)
            })
            .collect();
        b.county(&townships, above);
        debug_assert!(b
            .batch
            .orgs
            .iter()
            .all(|o| o.founded_on.is_none_or(|f| f <= as_of)));
        self.next = b.next;
        Some(b.batch)
    }

    /// The next free id of each kind after everything generated so far.
    pub fn next_ids(&self) -> IdBase {
        self.next
    }
}

/// A day number (from the common era) as a date.
pub(super) fn day(days: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(days).unwrap_or(NaiveDate::MIN)
}

mod builder;
mod county;
mod demography;
mod naming;
mod units;

use builder::Builder;
use demography::*;
pub use naming::village_base;
use naming::*;

/// Where an org sits: its domain, division and who its members are.
#[derive(Debug, Clone, Copy)]
pub(super) struct Place<'a> {
    domain: Domain,
    region: &'a str,
    profile: Profile,
    /// Founding year range.
    founded: (i32, i32),
}

/// Chance that a sub-branch is put under its preceding sibling branch (小马拉大车).
pub(super) const P_INVERTED: f64 = 0.01;
/// Chance that a branch is tiny (under 3 full members).
pub(super) const P_TINY: f64 = 0.012;
/// Chance that a grassroots org's secretary office is vacant.
pub(super) const P_VACANT: f64 = 0.02;

/// Official organization coverage of operating units (seed text) and the share of it that
/// is own-org rather than joint.
pub(super) fn coverage_target(domain: Domain) -> (f64, f64) {
    match domain {
        Domain::NonPublicEnterprise => (0.584, 0.78),
        Domain::SocialGroup => (0.37, 0.62),
        Domain::PrivateNonEnterprise => (0.438, 0.62),
        Domain::FarmerCooperative => (0.149, 0.45),
        _ => (1.0, 1.0),
    }
}

/// A unit being planned before its org exists.
pub(super) struct Plan {
    name: String,
    domain: Domain,
    region: String,
    coverage: Coverage,
    closed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committee_names() {
        assert_eq!(province_committee_name("山东省"), "山东省委");
        assert_eq!(province_committee_name("内蒙古自治区"), "内蒙古自治区党委");
        assert_eq!(city_committee_name("济宁市").as_deref(), Some("济宁市委"));
        assert_eq!(
            city_committee_name("大兴安岭地区").as_deref(),
            Some("大兴安岭地委")
        );
        assert_eq!(city_committee_name("市辖区"), None);
        assert_eq!(city_committee_name("省直辖县级行政区划"), None);
        assert_eq!(county_committee_name("汶上县"), "汶上县委");
        assert_eq!(county_committee_name("市中区"), "市中区委");
        assert_eq!(
            county_committee_name("菏泽经济技术开发区"),
            "菏泽经济技术开发区党工委"
        );
    }

    #[test]
    fn village_bases() {
        assert_eq!(village_base("张庄村村委会"), "张庄村");
        assert_eq!(village_base("大肖庄村委会"), "大肖庄村");
        assert_eq!(village_base("南门社区居民委员会"), "南门社区");
        assert_eq!(village_base("西门社区居委会"), "西门社区");
        assert_eq!(village_base("坝口居委会"), "坝口社区");
        assert_eq!(village_base("莲花湖村民委员会"), "莲花湖村");
        assert_eq!(village_base("刘村"), "刘村");
        assert_eq!(village_base("蒙古大营嘎查"), "蒙古大营嘎查");
    }

    #[test]
    fn town_kinds() {
        assert_eq!(town_kind("中都街道"), TownKind::Street);
        assert_eq!(town_kind("南旺镇"), TownKind::Rural);
        assert_eq!(town_kind("军屯乡"), TownKind::Rural);
        assert_eq!(town_kind("商河经济开发区"), TownKind::Park);
        assert_eq!(
            town_kind("国营某某农场"),
            TownKind::Other(Domain::StateEnterprise)
        );
    }
}
