//! A county's tree, top down: its committee, departments and institutions, townships,
//! villages and communities, schools.

use jiceng_domain::{Coverage, Domain, OrgKind};

use crate::divisions::Division;
use crate::names::numeral;
use crate::tables::{self, Body};

use super::builder::Builder;
use super::demography::*;
use super::naming::*;
use super::*;

impl Builder<'_> {
    /// Everything of one county.
    pub(super) fn county(
        &mut self,
        townships: &[(&Division, Vec<&Division>)],
        above: Option<Made>,
    ) {
        let county = self.county;
        let n = county.name.as_str();
        let committee_name = county_committee_name(n);
        let mut r = self.rng.clone();
        let cc = self.local_committee(&mut r, county, committee_name.clone(), above);
        self.rng = r;
        let cc_idx = self.batch.orgs.len() - 1;
        debug_assert_eq!(self.batch.orgs[cc_idx].id, cc.id);
        let code = county.code.as_str();
        let t_count = townships.len() as f64;
        let v_count: usize = townships.iter().map(|(_, v)| v.len()).sum();
        let s = (((t_count + v_count as f64 / 15.0) / 11.0).sqrt()).clamp(0.4, 2.6)
            * (0.9 + 0.2 * self.rng.f64());
        let fill = |p: &str| p.replace("{n}", n).replace("{c}", &committee_name);
        let first_town = townships.first().map_or(code, |(t, _)| t.code.as_str());

        // 县直机关工委 and the departments.
        let organ_place = Place {
            domain: Domain::Organ,
            region: first_town,
            profile: Profile::Organ,
            founded: (1978, 2019),
        };
        let gw = self.org(
            None,
            format!("{n}直机关工委"),
            OrgKind::WorkingCommittee,
            &organ_place,
            Some(cc_idx),
            true,
        );
        let gw_start = self.batch.members.len();
        for dept in tables::DEPARTMENTS {
            self.department(gw, &fill(dept.name), dept, s, code);
        }
        let count = self.rng.round(7.0 * s).max(1);
        self.retired_branches(gw, count, &organ_place, &format!("{n}直机关离退休干部"));
        let gw_end = self.batch.members.len();
        self.leadership(gw, (gw_start, gw_end), None);

        // 教育系统党委: county schools, then those of each township.
        let edu_place = Place {
            domain: Domain::PublicInstitution,
            region: first_town,
            profile: Profile::Teacher,
            founded: (1978, 2015),
        };
        let edu = self.org(
            None,
            format!("{n}教育系统党委"),
            OrgKind::PrimaryCommittee,
            &edu_place,
            Some(cc_idx),
            true,
        );
        let edu_start = self.batch.members.len();
        let county_schools =
            (self.rng.round(4.0 + 5.0 * s) as usize).min(tables::COUNTY_SCHOOLS.len());
        for (pat, lo, hi) in &tables::COUNTY_SCHOOLS[..county_schools] {
            let size = self.rng.range(*lo, *hi) as f64 * s.sqrt() * 1.4;
            let place = Place {
                founded: (1950, 2015),
                ..edu_place
            };
            self.institution(
                edu,
                &fill(pat),
                &place,
                size.round() as i64,
                tables::SCHOOL_SUBS,
                "12",
            );
        }
        for (t, villages) in townships {
            self.township_schools(edu, t, villages, &edu_place);
        }
        let count = self.rng.round(5.0 * s).max(1);
        self.retired_branches(edu, count, &edu_place, &format!("{n}教育系统离退休教师"));
        let edu_end = self.batch.members.len();
        self.leadership(edu, (edu_start, edu_end), None);

        // 卫生健康系统党委: hospitals, then the township health centres.
        let health_place = Place {
            profile: Profile::Health,
            founded: (1950, 1995),
            ..edu_place
        };
        let hp = self.org(
            None,
            format!("{n}卫生健康系统党委"),
            OrgKind::PrimaryCommittee,
            &health_place,
            Some(cc_idx),
            true,
        );
        let hp_start = self.batch.members.len();
        let hospitals =
            (self.rng.round(3.0 + 2.0 * s) as usize).min(tables::COUNTY_HOSPITALS.len());
        for (pat, lo, hi) in &tables::COUNTY_HOSPITALS[..hospitals] {
            let size = (self.rng.range(*lo, *hi) as f64 * s.sqrt() * 1.3).round() as i64;
            self.institution(
                hp,
                &fill(pat),
                &health_place,
                size,
                tables::HOSPITAL_SUBS,
                "12",
            );
        }
        for (t, _) in townships {
            let tn = t.name.as_str();
            let place = Place {
                region: &t.code,
                ..health_place
            };
            let (name, size) = match town_kind(tn) {
                TownKind::Street => (format!("{tn}社区卫生服务中心"), self.rng.range(8, 22)),
                _ => (format!("{tn}卫生院"), self.rng.range(8, 28)),
            };
            self.institution(hp, &name, &place, size, tables::HOSPITAL_SUBS, "12");
        }
        let hp_end = self.batch.members.len();
        self.leadership(hp, (hp_start, hp_end), None);

        // State enterprises, led by the county committee.
        let soe_place = Place {
            domain: Domain::StateEnterprise,
            region: first_town,
            profile: Profile::StateEnt,
            founded: (1990, 2018),
        };
        let soes = (self.rng.round(6.0 + 6.0 * s) as usize).min(tables::STATE_ENTERPRISES.len());
        for (pat, lo, hi) in &tables::STATE_ENTERPRISES[..soes] {
            let size = (self.rng.range(*lo, *hi) as f64 * s.sqrt() * 1.4).round() as i64;
            self.institution(cc_idx, &fill(pat), &soe_place, size, &[], "91");
        }

        // 两新: the county's comprehensive committee and the units it is responsible for.
        let lx_place = Place {
            domain: Domain::NonPublicEnterprise,
            region: first_town,
            profile: Profile::Enterprise,
            founded: (2008, 2016),
        };
        let lx = self.org(
            None,
            format!("{n}非公有制经济组织和社会组织综合党委"),
            OrgKind::PrimaryCommittee,
            &lx_place,
            Some(cc_idx),
            true,
        );
        let lx_start = self.batch.members.len();
        let town_codes: Vec<&str> = townships.iter().map(|(t, _)| t.code.as_str()).collect();
        let pool: Vec<&str> = if town_codes.is_empty() {
            vec![code]
        } else {
            town_codes
        };
        let counts = [
            (Domain::NonPublicEnterprise, self.rng.round(300.0 * s)),
            (Domain::SocialGroup, self.rng.round(80.0 * s)),
            (Domain::PrivateNonEnterprise, self.rng.round(90.0 * s)),
        ];
        self.units_block(lx, n, &pool, &counts);
        let lx_end = self.batch.members.len();
        self.leadership(lx, (lx_start, lx_end), None);

        // The townships, their villages and communities, and their units.
        let per_town_npe = 400.0 * s / t_count.max(1.0);
        let per_town_fc = 200.0 * s / t_count.max(1.0);
        for (t, villages) in townships {
            self.township(cc_idx, t, villages, per_town_npe, per_town_fc);
        }
    }

    /// The schools of a township: under a 中心学校 general branch or committee when they
    /// are enough for one, else straight under the county's education committee.
    pub(super) fn township_schools(
        &mut self,
        edu: usize,
        t: &Division,
        villages: &[&Division],
        edu_place: &Place,
    ) {
        let tn = t.name.as_str();
        let place = Place {
            region: &t.code,
            founded: (1955, 2015),
            ..*edu_place
        };
        let street = town_kind(tn) == TownKind::Street;
        let middle = if street { "初级中学" } else { "中学" };
        let mut schools: Vec<(String, &str, i64, bool)> = vec![
            (
                format!("{tn}{middle}"),
                t.code.as_str(),
                self.rng.range(30, 90),
                true,
            ),
            (
                format!("{tn}中心小学"),
                t.code.as_str(),
                self.rng.range(20, 55),
                true,
            ),
        ];
        for _ in 0..self.rng.range(2, 5) {
            let Some(v) = villages.get(self.rng.index(villages.len().max(1))) else {
                break;
            };
            let base = village_base(&v.name);
            let base = base.strip_suffix('村').unwrap_or(&base);
            let name = format!("{tn}{base}小学");
            if self.unit_names.contains(&name) || schools.iter().any(|s| s.0 == name) {
                continue;
            }
            schools.push((name, v.code.as_str(), self.rng.range(6, 18), false));
        }
        if self.rng.chance(0.6) {
            schools.push((
                format!("{tn}中心幼儿园"),
                t.code.as_str(),
                self.rng.range(5, 14),
                false,
            ));
        }
        let total: i64 = schools.iter().map(|s| s.2).sum();
        let parent = if total >= 60 {
            let (kind, suffix) = if total > 100 {
                (OrgKind::PrimaryCommittee, "党委")
            } else {
                (OrgKind::GeneralBranch, "党总支")
            };
            let has_committee = !self.rng.chance(0.02);
            self.org(
                None,
                format!("{tn}中心学校{suffix}"),
                kind,
                &place,
                Some(edu),
                has_committee,
            )
        } else {
            edu
        };
        let start = self.batch.members.len();
        for (name, region, size, big) in schools {
            let p = Place { region, ..place };
            let subs = if big { tables::SCHOOL_SUBS } else { &[] };
            self.institution(parent, &name, &p, size, subs, "12");
        }
        if parent != edu {
            let end = self.batch.members.len();
            self.leadership(parent, (start, end), None);
        }
    }

    /// A county department (organ or public institution) and its unit.
    pub(super) fn department(
        &mut self,
        parent: usize,
        name: &str,
        body: &Body,
        s: f64,
        region: &str,
    ) {
        let (domain, profile) = if body.institution {
            (Domain::PublicInstitution, Profile::Institution)
        } else {
            (Domain::Organ, Profile::Organ)
        };
        let place = Place {
            domain,
            region,
            profile,
            founded: (1978, 2019),
        };
        let size = (self.rng.range(body.lo, body.hi) as f64 * s.sqrt() * 2.0).round() as i64;
        let kind2 = if body.institution { "12" } else { "11" };
        self.institution(parent, name, &place, size, body.subs, kind2);
    }

    /// A body with its own org (own-org unit): the org (by size) and the unit.
    pub(super) fn institution(
        &mut self,
        parent: usize,
        name: &str,
        place: &Place,
        size: i64,
        subs: &[&str],
        kind2: &str,
    ) -> usize {
        let retired = matches!(
            place.profile,
            Profile::Organ
                | Profile::Institution
                | Profile::StateEnt
                | Profile::Health
                | Profile::Teacher
        );
        let (idx, range) = self.body(parent, name, place, size, subs, retired);
        let full = self.full_in(range);
        let members = (range.1 - range.0) as i64;
        let factor = match place.domain {
            Domain::Organ => self.rng.range(12, 20),
            Domain::StateEnterprise => self.rng.range(18, 40),
            _ => self.rng.range(13, 25),
        };
        self.unit_names.insert(name.to_string());
        self.unit(
            name.to_string(),
            kind2,
            place.domain,
            place.region,
            false,
            Some(members * factor / 10),
            full,
            Coverage::OwnOrg,
            idx,
            None,
        );
        idx
    }

    /// One township: its committee, organ branch, villages and communities, units.
    pub(super) fn township(
        &mut self,
        cc: usize,
        t: &Division,
        villages: &[&Division],
        per_npe: f64,
        per_fc: f64,
    ) {
        let tn = t.name.as_str();
        let tk = town_kind(tn);
        let (kind, domain, name, founded) = match tk {
            TownKind::Rural => (
                OrgKind::PrimaryCommittee,
                Domain::Township,
                format!("{tn}党委"),
                (1949, 1985),
            ),
            TownKind::Street => (
                OrgKind::WorkingCommittee,
                Domain::Street,
                format!("{tn}党工委"),
                (1990, 2018),
            ),
            TownKind::Park => (
                OrgKind::WorkingCommittee,
                Domain::Park,
                format!("{}党工委", tn.strip_suffix("管委会").unwrap_or(tn)),
                (1995, 2018),
            ),
            TownKind::Other(d) => (
                OrgKind::PrimaryCommittee,
                d,
                format!("{tn}党委"),
                (1955, 2000),
            ),
        };
        let place = Place {
            domain,
            region: &t.code,
            profile: profile_of(domain),
            founded,
        };
        let tc = self.org(None, name, kind, &place, Some(cc), true);
        let start = self.batch.members.len();

        // 机关: one or two branches; the township's own unit.
        let organ_place = Place {
            domain: Domain::Organ,
            profile: Profile::Organ,
            ..place
        };
        let organ_n = self.rng.range(22, 60);
        let parts = if organ_n > 42 { 2 } else { 1 };
        let organ_start = self.batch.members.len();
        for i in 0..parts {
            let label = if parts == 1 {
                String::new()
            } else {
                format!("第{}", numeral(i + 1))
            };
            let bname = format!("{tn}机关{label}党支部");
            self.sized_branch(tc, bname, &organ_place, organ_n / parts as i64);
        }
        let organ_end = self.batch.members.len();
        if self.rng.chance(0.5) {
            let rp = Place {
                profile: Profile::Retired,
                ..organ_place
            };
            let size = self.rng.range(10, 30);
            self.sized_branch(tc, format!("{tn}离退休干部党支部"), &rp, size);
        }
        let gov = match tk {
            TownKind::Rural => format!("{tn}人民政府"),
            TownKind::Street => format!("{tn}办事处"),
            _ => format!("{}管理委员会", tn.strip_suffix("管委会").unwrap_or(tn)),
        };
        let full = self.full_in((organ_start, organ_end));
        let emp = (organ_end - organ_start) as i64 * self.rng.range(14, 20) / 10;
        self.unit_names.insert(gov.clone());
        self.unit(
            gov,
            "11",
            domain,
            &t.code,
            false,
            Some(emp),
            full,
            Coverage::OwnOrg,
            tc,
            None,
        );

        // Villages and communities.
        for v in villages {
            self.village(tc, v);
        }

        // Enterprises, cooperatives and their joint branches.
        let urban = matches!(tk, TownKind::Street | TownKind::Park);
        let jitter = 0.6 + 0.8 * self.rng.f64();
        let npe = self
            .rng
            .round(per_npe * if urban { 1.6 } else { 1.0 } * jitter);
        let jitter = 0.6 + 0.8 * self.rng.f64();
        let fc = self
            .rng
            .round(per_fc * if urban { 0.15 } else { 1.0 } * jitter);
        let pool: Vec<&str> = if villages.is_empty() {
            vec![t.code.as_str()]
        } else {
            villages.iter().map(|v| v.code.as_str()).collect()
        };
        // A township with many enterprises has a comprehensive committee for them.
        let resp = if npe >= 25 {
            let lx_place = Place {
                domain: Domain::NonPublicEnterprise,
                region: &t.code,
                profile: Profile::Enterprise,
                founded: (2010, 2019),
            };
            self.org(
                None,
                format!("{tn}两新组织综合党委"),
                OrgKind::PrimaryCommittee,
                &lx_place,
                Some(tc),
                true,
            )
        } else {
            tc
        };
        let block_start = self.batch.members.len();
        self.units_block(
            resp,
            tn,
            &pool,
            &[
                (Domain::NonPublicEnterprise, npe),
                (Domain::FarmerCooperative, fc),
            ],
        );
        if resp != tc {
            let block_end = self.batch.members.len();
            self.leadership(resp, (block_start, block_end), None);
        }

        let end = self.batch.members.len();
        let prefer = (organ_end > organ_start).then_some(organ_start);
        let _ = (start, end);
        self.leadership(tc, (organ_start, organ_end), prefer);
    }

    /// A village or community org (by the brief's shares of kinds) and its unit.
    pub(super) fn village(&mut self, tc: usize, v: &Division) {
        let community = is_community(v);
        let base = village_base(&v.name);
        let (domain, profile, founded) = if community {
            (Domain::Community, Profile::Community, (1990, 2016))
        } else {
            (Domain::Village, Profile::Village, (1949, 1992))
        };
        let place = Place {
            domain,
            region: &v.code,
            profile,
            founded,
        };
        let r = self.rng.f64();
        let (b_share, gb_share) = if community {
            (0.45, 0.77)
        } else {
            (0.83, 0.975)
        };
        let (idx, range) = if r < b_share {
            let n = if self.rng.chance(0.015) {
                self.rng.range(51, 72)
            } else if community {
                self.rng.tri(6.0, 24.0, 48.0)
            } else {
                self.rng.tri(8.0, 27.0, 48.0)
            };
            self.sized_branch(tc, format!("{base}党支部"), &place, n)
        } else if r < gb_share {
            let n = match self.rng.f64() {
                x if x < 0.03 => self.rng.range(36, 49),
                x if x < 0.06 => self.rng.range(101, 118),
                _ => self.rng.range(50, 100),
            };
            self.compound(tc, &base, OrgKind::GeneralBranch, &place, n, &[], false)
        } else {
            let n = self.rng.range(100, 260);
            self.compound(tc, &base, OrgKind::PrimaryCommittee, &place, n, &[], false)
        };
        let full = self.full_in(range);
        let emp = self.rng.range(5, 12);
        self.unit(
            v.name.clone(),
            "54",
            domain,
            &v.code,
            false,
            Some(emp),
            full,
            Coverage::OwnOrg,
            idx,
            None,
        );
    }
}
