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

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Months, NaiveDate};
use jiceng_domain::{
    Coverage, CreditCode, Domain, Education, Gender, IdNumber, Member, MemberStatus,
    OperatingStatus, Org, OrgKind, Position, PositionKind, RegionCode, Unit,
};

use crate::divisions::Division;
use crate::names::{self, numeral};
use crate::rng::Rng;
use crate::tables::{self, Body};
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

/// A committee already generated: id and name.
#[derive(Debug, Clone)]
struct Made {
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
fn day(days: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(days).unwrap_or(NaiveDate::MIN)
}

/// 山东省 → 山东省委; 内蒙古自治区 → 内蒙古自治区党委.
fn province_committee_name(name: &str) -> String {
    if name.ends_with("自治区") {
        format!("{name}党委")
    } else {
        format!("{name}委")
    }
}

/// 济宁市 → 济宁市委; 大兴安岭地区 → 大兴安岭地委; `None` for the groupings that have
/// no committee (市辖区, 县, 省直辖县级行政区划).
fn city_committee_name(name: &str) -> Option<String> {
    if name == "市辖区" || name == "县" || name.ends_with("直辖县级行政区划") {
        return None;
    }
    Some(match name.strip_suffix("地区") {
        Some(base) => format!("{base}地委"),
        None => format!("{name}委"),
    })
}

/// 汶上县 → 汶上县委; 市中区 → 市中区委; 曲阜市 → 曲阜市委; 乌拉盖管理区管委会 → 乌拉盖管理区党委.
fn county_committee_name(name: &str) -> String {
    let zone = [
        "开发区",
        "新区",
        "园区",
        "示范区",
        "管理区",
        "高新区",
        "新城",
    ];
    if zone.iter().any(|z| name.ends_with(z)) {
        format!("{name}党工委")
    } else if name.ends_with(['县', '区', '市', '旗']) {
        format!("{name}委")
    } else {
        format!("{}党委", name.strip_suffix("管委会").unwrap_or(name))
    }
}

/// What a township-level division is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TownKind {
    /// 镇, 乡, 苏木: a primary committee.
    Rural,
    /// 街道 (and 办事处): a working committee.
    Street,
    /// 开发区, 园区 …: a working committee of the park.
    Park,
    /// 农场, 林场, 监狱 …: a primary committee of the body.
    Other(Domain),
}

fn town_kind(name: &str) -> TownKind {
    if name.ends_with("街道") || name.ends_with("办事处") {
        TownKind::Street
    } else if name.ends_with('镇') || name.ends_with('乡') || name.ends_with("苏木") {
        TownKind::Rural
    } else if [
        "开发区",
        "园区",
        "产业园",
        "工业园",
        "新区",
        "示范区",
        "保税区",
        "经济区",
        "度假区",
        "景区",
        "管理区",
        "片区",
        "管委会",
    ]
    .iter()
    .any(|s| name.contains(s))
    {
        TownKind::Park
    } else if name.ends_with('场') || name.ends_with("公司") {
        TownKind::Other(Domain::StateEnterprise)
    } else if name.ends_with("监狱")
        || name.ends_with('局')
        || name.ends_with('处')
        || name.ends_with("中心")
    {
        TownKind::Other(Domain::Organ)
    } else {
        TownKind::Other(Domain::Township)
    }
}

/// Urban (居委会, 社区) rather than rural: by name, else by the NBS code (001–199 居委会).
fn is_community(v: &Division) -> bool {
    let n = &v.name;
    if n.contains("社区") || n.contains("居委") || n.contains("居民委员会") {
        return true;
    }
    if n.contains("村委") || n.contains("村民委员会") || n.contains("嘎查") || n.ends_with('村')
    {
        return false;
    }
    v.code
        .get(9..12)
        .and_then(|s| s.parse::<u32>().ok())
        .is_some_and(|x| x < 200)
}

/// The name an org of the village takes: 张庄村村委会 → 张庄村, 大肖庄村委会 → 大肖庄村,
/// 南门社区居民委员会 → 南门社区, 西门居委会 → 西门社区, 刘村 → 刘村.
pub fn village_base(name: &str) -> String {
    for s in ["村民委员会", "村委会", "村委"] {
        if let Some(b) = name.strip_suffix(s) {
            if b.is_empty() {
                break;
            }
            return if b.ends_with('村') {
                b.to_string()
            } else {
                format!("{b}村")
            };
        }
    }
    for s in ["居民委员会", "居委会", "居委"] {
        if let Some(b) = name.strip_suffix(s) {
            if b.is_empty() {
                break;
            }
            return if b.ends_with("社区") {
                b.to_string()
            } else {
                format!("{b}社区")
            };
        }
    }
    name.strip_suffix("委员会")
        .filter(|b| !b.is_empty())
        .unwrap_or(name)
        .to_string()
}

/// Who the members of an org are: drives age, gender, education and occupation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    Village,
    Community,
    Organ,
    Teacher,
    Health,
    Institution,
    StateEnt,
    Enterprise,
    Social,
    Coop,
    Retired,
}

const AGE_BANDS: [(i64, i64); 10] = [
    (22, 30),
    (31, 35),
    (36, 40),
    (41, 45),
    (46, 50),
    (51, 55),
    (56, 60),
    (61, 70),
    (71, 80),
    (81, 90),
];

const EDUCATIONS: [Education; 6] = [
    Education::Postgraduate,
    Education::Bachelor,
    Education::College,
    Education::Secondary,
    Education::HighSchool,
    Education::MiddleOrBelow,
];

impl Profile {
    fn female_share(self) -> f64 {
        match self {
            Profile::Village | Profile::Coop => 0.19,
            Profile::Community => 0.42,
            Profile::Organ => 0.30,
            Profile::Teacher => 0.55,
            Profile::Health => 0.62,
            Profile::Institution => 0.36,
            Profile::StateEnt => 0.26,
            Profile::Enterprise => 0.30,
            Profile::Social => 0.45,
            Profile::Retired => 0.24,
        }
    }

    /// Weights over [`AGE_BANDS`].
    fn ages(self) -> &'static [u32; 10] {
        match self {
            Profile::Village => &[5, 4, 5, 6, 8, 10, 12, 22, 19, 9],
            Profile::Community => &[4, 4, 5, 5, 6, 8, 10, 26, 21, 11],
            Profile::Organ
            | Profile::Teacher
            | Profile::Health
            | Profile::Institution
            | Profile::StateEnt => &[15, 14, 13, 12, 12, 11, 9, 8, 5, 1],
            Profile::Enterprise | Profile::Social => &[24, 19, 16, 13, 11, 9, 5, 2, 1, 0],
            Profile::Coop => &[8, 8, 10, 12, 14, 15, 13, 14, 5, 1],
            Profile::Retired => &[0, 0, 0, 0, 0, 0, 6, 45, 35, 14],
        }
    }

    /// Weights over [`EDUCATIONS`] for the young (≤ 35), the middle-aged and the old (> 55).
    fn education(self, age: i64) -> &'static [u32; 6] {
        let band = if age <= 35 {
            0
        } else if age <= 55 {
            1
        } else {
            2
        };
        const RURAL: [[u32; 6]; 3] = [
            [0, 15, 25, 12, 23, 25],
            [0, 4, 10, 8, 30, 48],
            [0, 1, 3, 4, 22, 70],
        ];
        const URBAN: [[u32; 6]; 3] = [
            [6, 45, 28, 5, 10, 6],
            [2, 25, 30, 10, 20, 13],
            [1, 10, 15, 12, 30, 32],
        ];
        const PRO: [[u32; 6]; 3] = [
            [18, 70, 10, 1, 1, 0],
            [10, 62, 22, 3, 2, 1],
            [3, 35, 30, 15, 12, 5],
        ];
        const WORKER: [[u32; 6]; 3] = [
            [3, 33, 35, 10, 12, 7],
            [1, 16, 30, 12, 23, 18],
            [0, 5, 15, 15, 30, 35],
        ];
        match self {
            Profile::Village | Profile::Coop => &RURAL[band],
            Profile::Community | Profile::Retired => &URBAN[band],
            Profile::Organ
            | Profile::Teacher
            | Profile::Health
            | Profile::Institution
            | Profile::StateEnt => &PRO[band],
            Profile::Enterprise | Profile::Social => &WORKER[band],
        }
    }

    fn occupations(self) -> &'static [(&'static str, u32)] {
        match self {
            Profile::Village => &[
                ("农民", 74),
                ("个体经营者", 8),
                ("村干部", 7),
                ("进城务工人员", 9),
                ("其他", 2),
            ],
            Profile::Community => &[
                ("企业管理人员", 12),
                ("专业技术人员", 15),
                ("工人", 20),
                ("个体经营者", 14),
                ("社区工作者", 12),
                ("自由职业者", 10),
                ("公务员", 5),
                ("教师", 5),
                ("医生", 3),
                ("学生", 2),
                ("其他", 2),
            ],
            Profile::Organ => &[("公务员", 85), ("事业单位管理人员", 10), ("工勤人员", 5)],
            Profile::Teacher => &[("教师", 85), ("事业单位管理人员", 10), ("工勤人员", 5)],
            Profile::Health => &[
                ("医生", 45),
                ("护士", 25),
                ("卫生技术人员", 15),
                ("事业单位管理人员", 10),
                ("工勤人员", 5),
            ],
            Profile::Institution => &[
                ("专业技术人员", 55),
                ("事业单位管理人员", 35),
                ("工勤人员", 10),
            ],
            Profile::StateEnt => &[("企业管理人员", 35), ("专业技术人员", 25), ("工人", 40)],
            Profile::Enterprise => &[
                ("企业管理人员", 35),
                ("专业技术人员", 20),
                ("工人", 40),
                ("个体经营者", 5),
            ],
            Profile::Social => &[
                ("社会组织从业人员", 55),
                ("专业技术人员", 20),
                ("企业管理人员", 15),
                ("个体经营者", 10),
            ],
            Profile::Coop => &[("农民", 80), ("企业管理人员", 15), ("个体经营者", 5)],
            Profile::Retired => &[("离退休人员", 1)],
        }
    }

    /// Whether members past retirement age are 离退休人员 rather than their trade.
    fn retires(self) -> bool {
        !matches!(self, Profile::Village | Profile::Coop)
    }
}

fn profile_of(domain: Domain) -> Profile {
    match domain {
        Domain::Village | Domain::Township => Profile::Village,
        Domain::Community | Domain::Street => Profile::Community,
        Domain::Organ => Profile::Organ,
        Domain::PublicInstitution => Profile::Institution,
        Domain::StateEnterprise => Profile::StateEnt,
        Domain::SocialGroup | Domain::PrivateNonEnterprise => Profile::Social,
        Domain::FarmerCooperative => Profile::Coop,
        _ => Profile::Enterprise,
    }
}

/// Where an org sits: its domain, division and who its members are.
#[derive(Debug, Clone, Copy)]
struct Place<'a> {
    domain: Domain,
    region: &'a str,
    profile: Profile,
    /// Founding year range.
    founded: (i32, i32),
}

/// Chance that a sub-branch is put under its preceding sibling branch (小马拉大车).
const P_INVERTED: f64 = 0.01;
/// Chance that a branch is tiny (under 3 full members).
const P_TINY: f64 = 0.012;
/// Chance that a grassroots org's secretary office is vacant.
const P_VACANT: f64 = 0.02;

/// Official organization coverage of operating units (seed text) and the share of it that
/// is own-org rather than joint.
fn coverage_target(domain: Domain) -> (f64, f64) {
    match domain {
        Domain::NonPublicEnterprise => (0.584, 0.78),
        Domain::SocialGroup => (0.37, 0.62),
        Domain::PrivateNonEnterprise => (0.438, 0.62),
        Domain::FarmerCooperative => (0.149, 0.45),
        _ => (1.0, 1.0),
    }
}

/// A unit being planned before its org exists.
struct Plan {
    name: String,
    domain: Domain,
    region: String,
    coverage: Coverage,
    closed: bool,
}

/// Builds one batch.
struct Builder<'a> {
    rng: Rng,
    as_of: NaiveDate,
    as_of_days: i32,
    county: &'a Division,
    county6: String,
    batch: Batch,
    next: IdBase,
    /// Sequence of org codes in the county.
    code_seq: u32,
    /// Units of the county so far (credit code serials).
    unit_seq: u64,
    /// ID number sequences per birth day (days before `as_of`).
    birth_seq: Vec<u16>,
    unit_names: HashSet<String>,
}

impl<'a> Builder<'a> {
    fn new(options: &GenOptions, next: IdBase, county: &'a Division) -> Builder<'a> {
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

    fn date(&self, days: i32) -> NaiveDate {
        day(days)
    }

    /// A day in a year range, before `as_of`.
    fn day_in_years(&mut self, (lo, hi): (i32, i32)) -> i32 {
        let last = self.as_of_days - 30;
        let y_last = self.date(last).year();
        let hi = hi.min(y_last);
        let lo = lo.min(hi);
        let y = self.rng.range(i64::from(lo), i64::from(hi)) as i32;
        let start = NaiveDate::from_ymd_opt(y, 1, 1).map_or(last, |d| d.num_days_from_ce());
        (start + self.rng.range(0, 364) as i32).min(last)
    }

    fn term_years(kind: OrgKind, domain: Option<Domain>) -> Option<i32> {
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
    fn election(&mut self, years: i32, founded: i32) -> i32 {
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

    fn next_code(&mut self, scope: &str) -> String {
        self.code_seq += 1;
        format!("{scope}-{:05}", self.code_seq)
    }

    /// Pushes an org; returns its index in the batch.
    #[allow(clippy::too_many_arguments)]
    fn org(
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

    fn org_id(&mut self) -> i64 {
        let id = self.next.org;
        self.next.org += 1;
        id
    }

    /// A province, city or county committee.
    fn local_committee(
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
    fn member(&mut self, org_id: i64, profile: Profile, probationary: bool) -> usize {
        let rng = &mut self.rng;
        let female = rng.chance(profile.female_share());
        let band = {
            let w = profile.ages();
            let total: u32 = w.iter().sum();
            let mut r = rng.below(u64::from(total)) as u32;
            let mut i = 0;
            while r >= w[i] {
                r -= w[i];
                i += 1;
            }
            AGE_BANDS[i]
        };
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
        let education = Some(
            EDUCATIONS[{
                let w = profile.education(age);
                let total: u32 = w.iter().sum();
                let mut r = rng.below(u64::from(total)) as u32;
                let mut i = 0;
                while r >= w[i] {
                    r -= w[i];
                    i += 1;
                }
                i
            }],
        );
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

    fn position(
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
    fn pick_full(&mut self, range: (usize, usize), n: usize, prefer: Option<usize>) -> Vec<usize> {
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
    fn leadership(&mut self, org: usize, range: (usize, usize), prefer: Option<usize>) {
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
    fn branch(
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
            for (g, &leader) in leaders.iter().enumerate() {
                let gname = format!("{}第{}党小组", self.batch.orgs[idx].name, numeral(g + 1));
                let gi = self.org(None, gname, OrgKind::Group, &group_place, Some(idx), false);
                let started = self.as_of_days - self.rng.range(30, 1500) as i32;
                self.position(leader, gi, PositionKind::GroupLeader, started, None);
            }
        }
        (idx, (m0, m1))
    }

    /// A branch of a size drawn for its kind, tiny now and then.
    /// `count` branches of retired members under `parent`, numbered 第一…党支部 after `prefix`.
    fn retired_branches(&mut self, parent: usize, count: i64, place: &Place, prefix: &str) {
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

    fn sized_branch(
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
    fn body(
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
    fn compound(
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

    fn full_in(&self, (a, b): (usize, usize)) -> i64 {
        self.batch.members[a..b]
            .iter()
            .filter(|m| m.status == MemberStatus::Full)
            .count() as i64
    }

    /// Pushes a unit.
    #[allow(clippy::too_many_arguments)]
    fn unit(
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
    fn unique_name(&mut self, mut make: impl FnMut(&mut Rng) -> String) -> String {
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

    /// Everything of one county.
    fn county(&mut self, townships: &[(&Division, Vec<&Division>)], above: Option<Made>) {
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
    fn township_schools(
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
    fn department(&mut self, parent: usize, name: &str, body: &Body, s: f64, region: &str) {
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
    fn institution(
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
    fn township(
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
    fn village(&mut self, tc: usize, v: &Division) {
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

    /// The units one committee is responsible for: own-org units get their org under it,
    /// joint ones share joint branches under it, the rest have an instructor or nothing.
    fn units_block(
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
