//! The units of a place (enterprises, social organizations, cooperatives …) and their
//! coverage by an own, joint or instructing org.

use std::collections::HashMap;

use chrono::Datelike;
use jiceng_domain::{Coverage, Domain};

use crate::names::{self, numeral};

use super::builder::Builder;
use super::demography::*;
use super::*;

impl Builder<'_> {
    /// The units one committee is responsible for: own-org units get their org under it,
    /// joint ones share joint branches under it, the rest have an instructor or nothing.
    pub(super) fn units_block(
        &mut self,
        resp: usize,
        place_name: &str,
        pool: &[&str],
        counts: &[(Domain, i64)],
    ) {
        let county_name = self.county.name.clone();
        let mut plans: Vec<Plan> = Vec::new();
        for &(domain, count) in counts {
            let (rate, own_share) = coverage_target(domain);
            for _ in 0..count {
                let region = pool[self.rng.index(pool.len())].to_string();
                let closed = self.rng.chance(0.05);
                let u = self.rng.f64();
                let coverage = if closed {
                    Coverage::Uncovered
                } else if u < rate * own_share {
                    Coverage::OwnOrg
                } else if u < rate {
                    Coverage::JointOrg
                } else if self.rng.chance(0.55) {
                    Coverage::Instructor
                } else {
                    Coverage::Uncovered
                };
                let cn = county_name.as_str();
                let name = match domain {
                    Domain::NonPublicEnterprise => self.unique_name(|r| {
                        let place = if r.chance(0.8) { cn } else { "山东" };
                        format!(
                            "{place}{}{}有限公司",
                            names::trade_name(r),
                            r.pick(names::INDUSTRIES)
                        )
                    }),
                    Domain::FarmerCooperative => self.unique_name(|r| {
                        format!(
                            "{cn}{}{}专业合作社",
                            names::trade_name(r),
                            r.pick(names::COOP_PRODUCTS)
                        )
                    }),
                    Domain::SocialGroup => self.unique_name(|r| {
                        format!(
                            "{cn}{}{}",
                            r.pick(names::SOCIAL_SUBJECTS),
                            r.pick(names::SOCIAL_KINDS)
                        )
                    }),
                    _ => self.unique_name(|r| {
                        format!("{cn}{}{}", names::trade_name(r), r.pick(names::PNE_KINDS))
                    }),
                };
                plans.push(Plan {
                    name,
                    domain,
                    region,
                    coverage,
                    closed,
                });
            }
        }
        // A lone joint unit has nobody to join: pair it with an uncovered one, or give it
        // its own org.
        let joint = plans
            .iter()
            .filter(|p| p.coverage == Coverage::JointOrg)
            .count();
        if joint == 1 {
            let other = plans.iter().position(|p| {
                !p.closed && matches!(p.coverage, Coverage::Uncovered | Coverage::Instructor)
            });
            match other {
                Some(o) => plans[o].coverage = Coverage::JointOrg,
                None => {
                    for p in plans
                        .iter_mut()
                        .filter(|p| p.coverage == Coverage::JointOrg)
                    {
                        p.coverage = Coverage::OwnOrg;
                    }
                }
            }
        }

        let year = self.as_of.year();
        let mut joints: Vec<Plan> = Vec::new();
        for plan in plans {
            let profile = profile_of(plan.domain);
            let kind2 = match plan.domain {
                Domain::NonPublicEnterprise => "91",
                Domain::SocialGroup => "51",
                Domain::PrivateNonEnterprise => "52",
                _ => "93",
            };
            match plan.coverage {
                Coverage::OwnOrg => {
                    let n = match plan.domain {
                        Domain::NonPublicEnterprise => match self.rng.f64() {
                            x if x < 0.72 => self.rng.tri(3.0, 6.0, 30.0),
                            x if x < 0.93 => self.rng.tri(10.0, 20.0, 50.0),
                            x if x < 0.98 => self.rng.range(51, 100),
                            _ => self.rng.range(101, 320),
                        },
                        Domain::FarmerCooperative => self.rng.tri(3.0, 5.0, 16.0),
                        Domain::SocialGroup => {
                            if self.rng.chance(0.03) {
                                self.rng.range(26, 60)
                            } else {
                                self.rng.tri(3.0, 6.0, 25.0)
                            }
                        }
                        _ => {
                            if self.rng.chance(0.03) {
                                self.rng.range(40, 120)
                            } else {
                                self.rng.tri(3.0, 7.0, 35.0)
                            }
                        }
                    };
                    let place = Place {
                        domain: plan.domain,
                        region: &plan.region,
                        profile,
                        founded: (2003, year - 1),
                    };
                    let (idx, range) = self.body(resp, &plan.name, &place, n, &[], false);
                    let full = self.full_in(range);
                    let members = (range.1 - range.0) as i64;
                    let emp = match plan.domain {
                        Domain::NonPublicEnterprise => {
                            members * self.rng.range(4, 20) + self.rng.range(0, 20)
                        }
                        Domain::SocialGroup => members * self.rng.range(2, 6),
                        Domain::PrivateNonEnterprise => members * self.rng.range(3, 10),
                        _ => members * self.rng.range(3, 12),
                    };
                    self.unit(
                        plan.name,
                        kind2,
                        plan.domain,
                        &plan.region,
                        false,
                        Some(emp),
                        full,
                        Coverage::OwnOrg,
                        idx,
                        None,
                    );
                }
                Coverage::JointOrg => joints.push(plan),
                Coverage::Instructor | Coverage::Uncovered => {
                    let full = if plan.closed {
                        self.rng.range(0, 2)
                    } else {
                        match self.rng.f64() {
                            x if x < 0.45 => 0,
                            x if x < 0.70 => 1,
                            x if x < 0.85 => 2,
                            _ => self.rng.range(3, 6),
                        }
                    };
                    let emp = match plan.domain {
                        Domain::NonPublicEnterprise => self.rng.tri(3.0, 15.0, 300.0),
                        Domain::SocialGroup => self.rng.range(2, 40),
                        Domain::PrivateNonEnterprise => self.rng.range(3, 80),
                        _ => self.rng.range(5, 60),
                    };
                    let instructor = (plan.coverage == Coverage::Instructor).then(|| {
                        let female = self.rng.chance(0.35);
                        names::person(&mut self.rng, female)
                    });
                    self.unit(
                        plan.name,
                        kind2,
                        plan.domain,
                        &plan.region,
                        plan.closed,
                        Some(emp.max(full)),
                        full,
                        plan.coverage,
                        resp,
                        instructor,
                    );
                }
            }
        }

        // Joint branches of 2–7 units (a lone last unit joins the one before).
        let mut chunks: Vec<Vec<Plan>> = Vec::new();
        let mut it = joints.into_iter().peekable();
        while it.peek().is_some() {
            let size =
                *self
                    .rng
                    .weighted(&[(2usize, 15), (3, 25), (4, 25), (5, 20), (6, 10), (7, 5)]);
            let chunk: Vec<Plan> = it.by_ref().take(size).collect();
            match chunks.last_mut() {
                Some(last) if chunk.len() == 1 => last.extend(chunk),
                _ => chunks.push(chunk),
            }
        }
        let mut ordinal: HashMap<&'static str, usize> = HashMap::new();
        for chunk in chunks {
            let domain = chunk[0].domain;
            let label = match domain {
                Domain::NonPublicEnterprise => "非公企业",
                Domain::FarmerCooperative => "农民专业合作社",
                _ => "社会组织",
            };
            let k = ordinal.entry(label).or_insert(0);
            *k += 1;
            let name = format!("{place_name}{label}第{}联合党支部", numeral(*k));
            let shares: Vec<i64> = chunk
                .iter()
                .map(|_| match self.rng.f64() {
                    x if x < 0.15 => 1,
                    x if x < 0.45 => 2,
                    x if x < 0.75 => 3,
                    x if x < 0.92 => 4,
                    _ => self.rng.range(5, 7),
                })
                .collect();
            let n: i64 = shares.iter().sum::<i64>().max(3);
            let region = chunk[0].region.clone();
            let place = Place {
                domain,
                region: &region,
                profile: profile_of(domain),
                founded: (2012, year - 1),
            };
            let (idx, (m0, m1)) = self.branch(resp, name, &place, n, false);
            let mut at = m0;
            let count = chunk.len();
            for (i, plan) in chunk.into_iter().enumerate() {
                let take = if i + 1 == count {
                    m1 - at
                } else {
                    (shares[i] as usize).min(m1 - at)
                };
                let full = self.full_in((at, at + take));
                at += take;
                let kind2 = match plan.domain {
                    Domain::NonPublicEnterprise => "91",
                    Domain::SocialGroup => "51",
                    Domain::PrivateNonEnterprise => "52",
                    _ => "93",
                };
                let emp = (take as i64) * self.rng.range(3, 15) + self.rng.range(2, 20);
                self.unit(
                    plan.name,
                    kind2,
                    plan.domain,
                    &plan.region,
                    false,
                    Some(emp),
                    full,
                    Coverage::JointOrg,
                    idx,
                    None,
                );
            }
        }
    }
}
