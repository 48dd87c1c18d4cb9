//! The builder of one county batch: ids, codes, dates, members and their offices, the
//! branches of a body — the pieces `county.rs` and `units.rs` assemble.

use std::collections::HashSet;

use chrono::{Datelike, Months, NaiveDate};
use jiceng_domain::{
    Coverage, CreditCode, Domain, Gender, IdNumber, Member, MemberStatus, OperatingStatus, Org,
    OrgKind, Position, PositionKind, RegionCode, Unit,
};

use crate::divisions::Division;
use crate::names::{self, numeral};
use crate::rng::Rng;

use super::demography::*;
use super::*;

/// Builds one batch.
pub(super) struct Builder<'a> {
    pub(super) rng: Rng,
    pub(super) as_of: NaiveDate,
    pub(super) as_of_days: i32,
    pub(super) county: &'a Division,
    pub(super) county6: String,
    pub(super) batch: Batch,
    pub(super) next: IdBase,
    /// Sequence of org codes in the county.
    pub(super) code_seq: u32,
    /// Units of the county so far (credit code serials).
    pub(super) unit_seq: u64,
    /// ID number sequences per birth day (days before `as_of`).
    pub(super) birth_seq: Vec<u16>,
    pub(super) unit_names: HashSet<String>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(options: &GenOptions, next: IdBase, county: &'a Division) -> Builder<'a> {
        let mut county6: String = county.code.chars().take(6).collect();
        while county6.len() < 6 {
            county6.push('0');
        }
        Builder {
            rng: Rng::for_part(options.seed, &county.code),
            as_of: options.as_of,
            as_of_days: options.as_of.num_days_from_ce(),
            county,
            county6,
            batch: Batch::default(),
            next,
            code_seq: 0,
            unit_seq: 0,
            birth_seq: vec![0; 92 * 366],
            unit_names: HashSet::new(),
        }
    }

    pub(super) fn date(&self, days: i32) -> NaiveDate {
        day(days)
    }

    /// A day in a year range, before `as_of`.
    pub(super) fn day_in_years(&mut self, (lo, hi): (i32, i32)) -> i32 {
        let last = self.as_of_days - 30;
        let y_last = self.date(last).year();
        let hi = hi.min(y_last);
        let lo = lo.min(hi);
        let y = self.rng.range(i64::from(lo), i64::from(hi)) as i32;
        let start = NaiveDate::from_ymd_opt(y, 1, 1).map_or(last, |d| d.num_days_from_ce());
        (start + self.rng.range(0, 364) as i32).min(last)
    }

    pub(super) fn term_years(kind: OrgKind, domain: Option<Domain>) -> Option<i32> {
        match (kind, domain) {
            (OrgKind::Group, _) => None,
            (_, Some(Domain::Village | Domain::Community | Domain::Township | Domain::Street)) => {
                Some(5)
            }
            (OrgKind::GeneralBranch | OrgKind::Branch, _) => Some(3),
            _ => Some(5),
        }
    }

    /// The last election: mostly within the term, ~5 % expired, ~2 % expiring within 90 days.
    /// The last election: mostly within the term, ~5 % expired, ~2 % expiring within 90
    /// days. The caller moves the founding date back when it falls after the election.
    pub(super) fn election(&mut self, years: i32, founded: i32) -> i32 {
        let term = years * 365 + years / 4;
        let r = self.rng.f64();
        if r < 0.05 {
            self.as_of_days - term - self.rng.range(3, 420) as i32
        } else if r < 0.07 {
            self.as_of_days - term + self.rng.range(3, 85) as i32
        } else {
            (self.as_of_days - self.rng.range(0, i64::from(term) - 100) as i32).max(founded)
        }
    }

    pub(super) fn next_code(&mut self, scope: &str) -> String {
        self.code_seq += 1;
        format!("{scope}-{:05}", self.code_seq)
    }

    /// Pushes an org; returns its index in the batch.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn org(
        &mut self,
        id: Option<i64>,
        name: String,
        kind: OrgKind,
        place: &Place,
        parent: Option<usize>,
        has_committee: bool,
    ) -> usize {
        let id = id.unwrap_or_else(|| self.org_id());
        let mut founded = self.day_in_years(place.founded);
        let (parent_id, parent_name) = match parent {
            Some(p) => {
                let po = &self.batch.orgs[p];
                (Some(po.id), Some(po.name.clone()))
            }
            None => (None, None),
        };
        let last_election =
            Builder::term_years(kind, Some(place.domain)).map(|y| self.election(y, founded));
        if let Some(e) = last_election {
            founded = founded.min(e);
        }
        let county: &'a Division = self.county;
        let code = self.next_code(&county.code);
        let grassroots = !matches!(kind, OrgKind::Group);
        self.batch.orgs.push(Org {
            id,
            code,
            name,
            kind,
            domain: Some(place.domain),
            region_code: RegionCode::parse(place.region).ok(),
            parent_id,
            founded_on: Some(self.date(founded)),
            last_election_on: last_election.map(|e| self.date(e)),
            committee: Some(has_committee),
            term_years: None,
            temporary: false,
            approving_org: if grassroots { parent_name } else { None },
            dissolved_on: None,
        });
        self.batch.orgs.len() - 1
    }

    pub(super) fn org_id(&mut self) -> i64 {
        let id = self.next.org;
        self.next.org += 1;
        id
    }

    /// A province, city or county committee.
    pub(super) fn local_committee(
        &mut self,
        rng: &mut Rng,
        d: &Division,
        name: String,
        parent: Option<Made>,
    ) -> Made {
        let id = self.org_id();
        let founded = NaiveDate::from_ymd_opt(
            1945 + rng.range(0, 7) as i32,
            1 + rng.range(0, 11) as u32,
            1,
        )
        .map_or(self.as_of_days, |x| x.num_days_from_ce())
        .min(self.as_of_days - 400);
        let term = 5 * 365 + 1;
        let election = (self.as_of_days - rng.range(30, term - 100) as i32).max(founded);
        let mut seq = 1;
        if d.code == self.county.code {
            self.code_seq += 1;
            seq = self.code_seq;
        }
        self.batch.orgs.push(Org {
            id,
            code: format!("{}-{seq:05}", d.code),
            name: name.clone(),
            kind: OrgKind::LocalCommittee,
            domain: None,
            region_code: RegionCode::parse(&d.code).ok(),
            parent_id: parent.as_ref().map(|p| p.id),
            founded_on: Some(self.date(founded)),
            last_election_on: Some(self.date(election)),
            committee: Some(true),
            term_years: None,
            temporary: false,
            approving_org: parent.map(|p| p.name),
            dissolved_on: None,
        });
        Made { id, name }
    }

    /// One member of `org_id`; returns its index in the batch.
    pub(super) fn member(&mut self, org_id: i64, profile: Profile, probationary: bool) -> usize {
        let rng = &mut self.rng;
        let female = rng.chance(profile.female_share());
        let band = AGE_BANDS[rng.weighted_index(profile.ages())];
        let age = rng.range(band.0, band.1);
        let birth =
            self.as_of_days - (age as i32) * 365 - (age as i32) / 4 - rng.range(1, 364) as i32;
        let adult = birth + 18 * 365 + 5;
        let (joined, full_on) = if probationary {
            (self.as_of_days - rng.range(1, 360) as i32, None)
        } else {
            let join_age = *rng.weighted(&[
                ((18, 20), 10),
                ((21, 25), 30),
                ((26, 30), 22),
                ((31, 35), 15),
                ((36, 40), 10),
                ((41, 50), 9),
                ((51, 60), 4),
            ]);
            let mut j =
                birth + rng.range(join_age.0, join_age.1) as i32 * 365 + rng.range(0, 364) as i32;
            j = j.max(adult);
            let latest = self.as_of_days - 370;
            if j > latest {
                j = adult + rng.below((latest - adult).max(1) as u64) as i32;
            }
            let jd = day(j);
            (
                j,
                Some(jd.checked_add_months(Months::new(12)).unwrap_or(jd)),
            )
        };
        let idx = ((self.as_of_days - birth) as usize).min(self.birth_seq.len() - 1);
        let n = self.birth_seq[idx];
        self.birth_seq[idx] = n.wrapping_add(1);
        let seq = (n % 500) * 2 + u16::from(!female);
        let birth_date = day(birth);
        let ethnicity = rng.weighted(&names::ETHNICITIES).to_string();
        let education = Some(EDUCATIONS[rng.weighted_index(profile.education(age))]);
        let retire_age = if female { 55 } else { 60 };
        let occupation = if profile.retires() && age >= retire_age {
            "离退休人员"
        } else if age >= 65 {
            "农民"
        } else {
            let o = *rng.weighted(profile.occupations());
            if o == "学生" && age > 26 {
                "其他"
            } else {
                o
            }
        };
        let id = self.next.member;
        self.next.member += 1;
        let phone = if age > 80 && rng.chance(0.3) {
            None
        } else {
            Some((13_800_000_000u64 + (id.unsigned_abs() % 1_000_000_000)).to_string())
        };
        let mobile = rng.chance(0.03);
        let lost_contact = rng.chance(0.003);
        let name = names::person(rng, female);
        self.batch.members.push(Member {
            id,
            org_id,
            name,
            gender: if female { Gender::Female } else { Gender::Male },
            ethnicity,
            birth_date,
            id_number: IdNumber::synthesize(&self.county6, birth_date, seq),
            education,
            status: if probationary {
                MemberStatus::Probationary
            } else {
                MemberStatus::Full
            },
            joined_on: day(joined),
            full_on,
            occupation: Some(occupation.to_string()),
            phone,
            mobile,
            lost_contact,
        });
        self.batch.members.len() - 1
    }

    pub(super) fn position(
        &mut self,
        member: usize,
        org: usize,
        kind: PositionKind,
        started: i32,
        ended: Option<i32>,
    ) {
        let id = self.next.position;
        self.next.position += 1;
        let m = &self.batch.members[member];
        let since = m.full_on.unwrap_or(m.joined_on).num_days_from_ce();
        let mut started = started.max(since).min(self.as_of_days);
        if let Some(e) = ended {
            started = started.min(e - 30);
        }
        self.batch.positions.push(Position {
            id,
            member_id: m.id,
            org_id: self.batch.orgs[org].id,
            kind,
            started_on: Some(self.date(started)),
            ended_on: ended.map(|e| self.date(e)),
        });
    }

    /// Distinct full members of `range`, as many as can be found (up to `n`).
    pub(super) fn pick_full(
        &mut self,
        range: (usize, usize),
        n: usize,
        prefer: Option<usize>,
    ) -> Vec<usize> {
        let (a, b) = range;
        let mut out = Vec::with_capacity(n);
        if let Some(p) = prefer {
            if self.batch.members[p].status == MemberStatus::Full {
                out.push(p);
            }
        }
        if b <= a {
            return out;
        }
        let mut tries = 0;
        while out.len() < n && tries < 12 * n {
            tries += 1;
            let i = a + self.rng.index(b - a);
            if self.batch.members[i].status == MemberStatus::Full && !out.contains(&i) {
                out.push(i);
            }
        }
        // Small orgs: take whoever is left, in order.
        if out.len() < n && b - a <= 12 * n {
            for i in a..b {
                if out.len() >= n {
                    break;
                }
                if self.batch.members[i].status == MemberStatus::Full && !out.contains(&i) {
                    out.push(i);
                }
            }
        }
        out
    }

    /// Secretary and committee positions of an org whose members are `range`.
    pub(super) fn leadership(&mut self, org: usize, range: (usize, usize), prefer: Option<usize>) {
        let (kind, has_committee, start) = {
            let o = &self.batch.orgs[org];
            let start = o
                .last_election_on
                .or(o.founded_on)
                .map_or(self.as_of_days, |d| d.num_days_from_ce());
            (o.kind, o.committee == Some(true), start)
        };
        let committee_like = matches!(
            kind,
            OrgKind::PrimaryCommittee | OrgKind::WorkingCommittee | OrgKind::LocalCommittee
        );
        let mut roles: Vec<PositionKind> = vec![PositionKind::Secretary];
        if has_committee {
            if committee_like {
                for _ in 0..self.rng.range(1, 2) {
                    roles.push(PositionKind::DeputySecretary);
                }
            } else if self.rng.chance(0.3) {
                roles.push(PositionKind::DeputySecretary);
            }
            roles.push(PositionKind::OrganizationCommissioner);
            roles.push(PositionKind::PropagandaCommissioner);
            if committee_like || self.rng.chance(0.75) {
                roles.push(PositionKind::DisciplineCommissioner);
            }
            let extra = match kind {
                OrgKind::Branch => 0,
                OrgKind::GeneralBranch => self.rng.range(0, 1),
                _ => self.rng.range(1, 3),
            };
            for _ in 0..extra {
                roles.push(PositionKind::CommitteeMember);
            }
        } else if self.rng.chance(0.08) {
            roles.push(PositionKind::DeputySecretary);
        }
        let people = self.pick_full(range, roles.len(), prefer);
        let vacant = matches!(
            kind,
            OrgKind::PrimaryCommittee | OrgKind::GeneralBranch | OrgKind::Branch
        ) && self.rng.chance(P_VACANT);
        for (i, (&role, &m)) in roles.iter().zip(people.iter()).enumerate() {
            let started = start + self.rng.range(0, 20) as i32;
            if i == 0 && vacant {
                let ended = self.as_of_days - self.rng.range(15, 420) as i32;
                let started = ended - self.rng.range(365, 1800) as i32;
                self.position(m, org, role, started, Some(ended));
            } else {
                self.position(m, org, role, started, None);
            }
        }
    }

    /// A branch of `n` members (or a tiny one, when `tiny`); returns (index, members).
    pub(super) fn branch(
        &mut self,
        parent: usize,
        name: String,
        place: &Place,
        n: i64,
        tiny: bool,
    ) -> (usize, (usize, usize)) {
        let id = self.org_id();
        let m0 = self.batch.members.len();
        let (n, full_target) = if tiny {
            let n = self.rng.range(2, 4);
            (n, self.rng.range(1, 2))
        } else {
            (n.max(3), i64::MAX)
        };
        for i in 0..n {
            let probationary = if tiny {
                i >= full_target
            } else {
                i >= 3 && self.rng.chance(0.03)
            };
            self.member(id, place.profile, probationary);
        }
        let m1 = self.batch.members.len();
        let full = self.batch.members[m0..m1]
            .iter()
            .filter(|m| m.status == MemberStatus::Full)
            .count();
        let has_committee = full >= 7 && !self.rng.chance(0.02);
        let idx = self.org(
            Some(id),
            name,
            OrgKind::Branch,
            place,
            Some(parent),
            has_committee,
        );
        self.leadership(idx, (m0, m1), None);
        if n >= 15 && self.rng.chance(0.30) {
            let groups = self.rng.range(2, 4) as usize;
            let leaders = self.pick_full((m0, m1), groups, None);
            let since = self.batch.orgs[idx].founded_on.map_or(2000, |d| d.year());
            let group_place = Place {
                founded: (since, self.as_of.year()),
                ..*place
            };
            let mut group_ids = Vec::with_capacity(leaders.len());
            for (g, &leader) in leaders.iter().enumerate() {
                let gname = format!("{}第{}党小组", self.batch.orgs[idx].name, numeral(g + 1));
                let gi = self.org(None, gname, OrgKind::Group, &group_place, Some(idx), false);
                let started = self.as_of_days - self.rng.range(30, 1500) as i32;
                self.position(leader, gi, PositionKind::GroupLeader, started, None);
                group_ids.push(self.batch.orgs[gi].id);
            }
            // Each leader in their own group, the rest dealt round in roster order (no
            // draw: the random stream, and so the rest of the data, stays as it was).
            let mut turn = 0;
            for i in m0..m1 {
                let g = match leaders.iter().position(|&l| l == i) {
                    Some(g) => g,
                    None => {
                        turn += 1;
                        (turn - 1) % group_ids.len()
                    }
                };
                let member = self.batch.members[i].id;
                self.batch.member_groups.insert(member, group_ids[g]);
            }
        }
        (idx, (m0, m1))
    }

    /// A branch of a size drawn for its kind, tiny now and then.
    /// `count` branches of retired members under `parent`, numbered 第一…党支部 after `prefix`.
    pub(super) fn retired_branches(
        &mut self,
        parent: usize,
        count: i64,
        place: &Place,
        prefix: &str,
    ) {
        let place = Place {
            profile: Profile::Retired,
            ..*place
        };
        for i in 0..count {
            let name = format!("{prefix}第{}党支部", numeral(i as usize + 1));
            let size = self.rng.tri(18.0, 32.0, 48.0);
            self.sized_branch(parent, name, &place, size);
        }
    }

    pub(super) fn sized_branch(
        &mut self,
        parent: usize,
        name: String,
        place: &Place,
        n: i64,
    ) -> (usize, (usize, usize)) {
        let tiny = self.rng.chance(P_TINY);
        self.branch(parent, name, place, n, tiny)
    }

    /// An org of `n` members named `base` + 党支部/党总支/党委, its kind by its size, with
    /// branches below when it is a general branch or a committee.
    pub(super) fn body(
        &mut self,
        parent: usize,
        base: &str,
        place: &Place,
        n: i64,
        subs: &[&str],
        retired: bool,
    ) -> (usize, (usize, usize)) {
        let kind = if n <= 50 {
            // A general branch a little under 50 is set up now and then (an anomaly).
            if n >= 38 && self.rng.chance(0.25) {
                OrgKind::GeneralBranch
            } else {
                OrgKind::Branch
            }
        } else if n <= 100 {
            if self.rng.chance(0.2) {
                OrgKind::Branch
            } else {
                OrgKind::GeneralBranch
            }
        } else if n <= 125 && self.rng.chance(0.1) {
            OrgKind::GeneralBranch
        } else {
            OrgKind::PrimaryCommittee
        };
        match kind {
            OrgKind::Branch => self.sized_branch(parent, format!("{base}党支部"), place, n),
            _ => self.compound(parent, base, kind, place, n, subs, retired),
        }
    }

    /// A general branch or committee of `n` members in total, with its branches.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn compound(
        &mut self,
        parent: usize,
        base: &str,
        kind: OrgKind,
        place: &Place,
        n: i64,
        subs: &[&str],
        retired: bool,
    ) -> (usize, (usize, usize)) {
        let suffix = if kind == OrgKind::GeneralBranch {
            "党总支"
        } else {
            "党委"
        };
        let has_committee = !self.rng.chance(0.02);
        let idx = self.org(
            None,
            format!("{base}{suffix}"),
            kind,
            place,
            Some(parent),
            has_committee,
        );
        let id = self.batch.orgs[idx].id;
        let m0 = self.batch.members.len();
        let p_direct = if kind == OrgKind::GeneralBranch {
            0.05
        } else {
            0.10
        };
        let direct = if self.rng.chance(p_direct) {
            self.rng.range(1, 3)
        } else {
            0
        };
        for _ in 0..direct {
            self.member(id, place.profile, false);
        }
        let rest = (n - direct).max(6);
        let k = if kind == OrgKind::GeneralBranch {
            ((rest as f64 / 27.0).round() as i64).clamp(2, 4)
        } else {
            ((rest as f64 / 24.0).round() as i64).clamp(3, 40)
        } as usize;
        let weights: Vec<f64> = (0..k).map(|_| 0.5 + self.rng.f64()).collect();
        let sum: f64 = weights.iter().sum();
        let retired_i = if retired && k >= 3 && self.rng.chance(0.4) {
            Some(k - 1)
        } else {
            None
        };
        let mut prev_branch: Option<usize> = None;
        for (i, w) in weights.iter().enumerate() {
            let part = ((rest as f64 * w / sum).round() as i64).max(3);
            let (label, mut sub_place) = if Some(i) == retired_i {
                (
                    "离退休".to_string(),
                    Place {
                        profile: Profile::Retired,
                        ..*place
                    },
                )
            } else {
                let l = subs
                    .get(i)
                    .map_or_else(|| format!("第{}", numeral(i + 1)), |s| s.to_string());
                (l, *place)
            };
            sub_place.founded = (
                self.batch.orgs[idx].founded_on.map_or(1990, |d| d.year()),
                place.founded.1.max(2010),
            );
            let sub_parent = match prev_branch {
                Some(pb) if self.rng.chance(P_INVERTED) => pb,
                _ => idx,
            };
            if part > 50 && kind == OrgKind::PrimaryCommittee {
                let sub_base = format!("{base}{label}");
                self.compound(
                    idx,
                    &sub_base,
                    OrgKind::GeneralBranch,
                    &sub_place,
                    part,
                    &[],
                    false,
                );
                prev_branch = None;
            } else {
                let (b, _) =
                    self.sized_branch(sub_parent, format!("{base}{label}党支部"), &sub_place, part);
                prev_branch = Some(b);
            }
        }
        let m1 = self.batch.members.len();
        self.leadership(idx, (m0, m1), if direct > 0 { Some(m0) } else { None });
        (idx, (m0, m1))
    }

    pub(super) fn full_in(&self, (a, b): (usize, usize)) -> i64 {
        self.batch.members[a..b]
            .iter()
            .filter(|m| m.status == MemberStatus::Full)
            .count() as i64
    }

    /// Pushes a unit.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn unit(
        &mut self,
        name: String,
        kind2: &str,
        domain: Domain,
        region: &str,
        closed: bool,
        employees: Option<i64>,
        full_members: i64,
        coverage: Coverage,
        org: usize,
        instructor: Option<String>,
    ) {
        self.unit_seq += 1;
        let id = self.next.unit;
        self.next.unit += 1;
        self.batch.units.push(Unit {
            id,
            name,
            credit_code: Some(CreditCode::synthesize(kind2, &self.county6, self.unit_seq)),
            domain,
            region_code: RegionCode::parse(region).ok(),
            status: if closed {
                OperatingStatus::Closed
            } else {
                OperatingStatus::Operating
            },
            employees,
            full_members,
            coverage,
            org_id: self.batch.orgs[org].id,
            instructor,
        });
    }

    /// A unit name not used before in the county.
    pub(super) fn unique_name(&mut self, mut make: impl FnMut(&mut Rng) -> String) -> String {
        for _ in 0..8 {
            let n = make(&mut self.rng);
            if self.unit_names.insert(n.clone()) {
                return n;
            }
        }
        let mut n = make(&mut self.rng);
        let mut i = 2;
        while !self.unit_names.insert(format!("{n}{}", numeral(i))) {
            i += 1;
        }
        n.push_str(&numeral(i));
        n
    }
}
