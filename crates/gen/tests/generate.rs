//! The generator on the embedded county (and, when the tables are present, on real
//! regions): determinism, tree order, unique ids and codes, valid ID numbers and credit
//! codes, and the shares of SPEC "Scale".

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Months, NaiveDate};
use jiceng_domain::structure::{check_org, OrgFacts};
use jiceng_domain::{
    AnomalyRule, Coverage, CreditCode, IdNumber, MemberStatus, OrgKind, PositionKind, RuleBook,
};
use jiceng_gen::{Batch, Divisions, GenOptions, Generator, IdBase};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

fn ids() -> IdBase {
    IdBase {
        org: 1000,
        member: 50_000,
        unit: 7,
        position: 1,
    }
}

fn first_batch(seed: u64) -> Batch {
    let mut g = Generator::new(
        Divisions::embedded_county(),
        GenOptions {
            seed,
            as_of: as_of(),
        },
        ids(),
    );
    g.next_batch().unwrap()
}

fn data_dir() -> Option<std::path::PathBuf> {
    jiceng_gen::divisions::test_data_dir()
}

#[test]
fn same_seed_same_batch_other_seed_other_batch() {
    let a = first_batch(7);
    let b = first_batch(7);
    assert_eq!(a.orgs, b.orgs);
    assert_eq!(a.members, b.members);
    assert_eq!(a.positions, b.positions);
    assert_eq!(a.units, b.units);
    let c = first_batch(8);
    assert_ne!(a.members, c.members);
    assert_ne!(a.orgs, c.orgs);
}

#[test]
fn one_batch_then_done_and_next_ids() {
    let mut g = Generator::new(
        Divisions::embedded_county(),
        GenOptions {
            seed: 1,
            as_of: as_of(),
        },
        ids(),
    );
    assert_eq!(g.counties(), 1);
    assert_eq!(g.next_ids(), ids());
    let b = g.next_batch().unwrap();
    assert!(g.next_batch().is_none());
    let next = g.next_ids();
    assert_eq!(next.org, ids().org + b.orgs.len() as i64);
    assert_eq!(next.member, ids().member + b.members.len() as i64);
    assert_eq!(next.unit, ids().unit + b.units.len() as i64);
    assert_eq!(next.position, ids().position + b.positions.len() as i64);
    // Consecutive ids in vector order.
    for (i, o) in b.orgs.iter().enumerate() {
        assert_eq!(o.id, ids().org + i as i64);
    }
    for (i, m) in b.members.iter().enumerate() {
        assert_eq!(m.id, ids().member + i as i64);
    }
    for (i, u) in b.units.iter().enumerate() {
        assert_eq!(u.id, ids().unit + i as i64);
    }
    for (i, p) in b.positions.iter().enumerate() {
        assert_eq!(p.id, ids().position + i as i64);
    }
}

#[test]
fn tree_order_ids_and_codes() {
    let b = first_batch(1);
    let mut seen: HashMap<i64, OrgKind> = HashMap::new();
    let mut codes = HashSet::new();
    for o in &b.orgs {
        if let Some(p) = o.parent_id {
            assert!(seen.contains_key(&p), "{} before its parent", o.name);
        }
        assert!(seen.insert(o.id, o.kind).is_none(), "duplicate id {}", o.id);
        assert!(codes.insert(o.code.clone()), "duplicate code {}", o.code);
        assert!(o.region_code.is_some(), "{}", o.name);
        assert!(o.dissolved_on.is_none());
        let founded = o.founded_on.unwrap();
        assert!(founded <= as_of(), "{}", o.name);
        if let Some(e) = o.last_election_on {
            assert!(founded <= e && e <= as_of(), "{}", o.name);
        }
        match o.kind {
            OrgKind::LocalCommittee => assert!(o.domain.is_none()),
            OrgKind::Group => assert!(o.last_election_on.is_none() && o.committee != Some(true)),
            _ => {
                assert!(o.domain.is_some());
                assert!(o.approving_org.is_some(), "{}", o.name);
                assert!(o.last_election_on.is_some());
            }
        }
    }
    // Province, city and county committees come first.
    let names: Vec<&str> = b.orgs.iter().take(3).map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["山东省委", "济宁市委", "汶上县委"]);
    assert_eq!(b.orgs[0].code, "37-00001");
    assert_eq!(b.orgs[2].code, "370830-00001");
    assert!(b.orgs.iter().any(|o| o.name == "南旺镇党委"));
    assert!(b.orgs.iter().any(|o| o.name == "中都街道党工委"));
    assert!(b.orgs.iter().any(|o| o.name.starts_with("大肖庄村党")));

    for m in &b.members {
        assert!(seen.contains_key(&m.org_id));
    }
    for u in &b.units {
        assert!(seen.contains_key(&u.org_id));
    }
    let members: HashMap<i64, &jiceng_domain::Member> =
        b.members.iter().map(|m| (m.id, m)).collect();
    for p in &b.positions {
        assert!(members.contains_key(&p.member_id));
        let kind = seen[&p.org_id];
        assert!(kind != OrgKind::LocalCommittee);
        assert_eq!(kind == OrgKind::Group, p.kind == PositionKind::GroupLeader);
        assert!(p.started_on.unwrap() <= as_of());
        if let Some(e) = p.ended_on {
            assert!(p.started_on.unwrap() < e && e <= as_of());
        }
    }
}

#[test]
fn every_grassroots_org_has_a_secretary_or_a_vacancy() {
    let b = first_batch(3);
    let mut current: HashMap<i64, usize> = HashMap::new();
    let mut past: HashSet<i64> = HashSet::new();
    for p in b
        .positions
        .iter()
        .filter(|p| p.kind == PositionKind::Secretary)
    {
        if p.ended_on.is_none() {
            *current.entry(p.org_id).or_default() += 1;
        } else {
            past.insert(p.org_id);
        }
    }
    let mut vacant = 0;
    let mut grassroots = 0;
    for o in &b.orgs {
        match o.kind {
            OrgKind::PrimaryCommittee | OrgKind::GeneralBranch | OrgKind::Branch => {
                grassroots += 1;
                match current.get(&o.id) {
                    Some(&n) => assert_eq!(n, 1, "{}", o.name),
                    None => {
                        assert!(past.contains(&o.id), "{} has no secretary", o.name);
                        vacant += 1;
                    }
                }
            }
            OrgKind::WorkingCommittee => assert_eq!(current.get(&o.id), Some(&1), "{}", o.name),
            _ => assert!(!current.contains_key(&o.id)),
        }
    }
    let share = vacant as f64 / grassroots as f64;
    assert!((0.005..0.05).contains(&share), "vacant {share}");
}

#[test]
fn id_numbers_and_credit_codes_parse_and_are_unique() {
    let b = first_batch(1);
    let mut ids = HashSet::new();
    for m in &b.members {
        let parsed = IdNumber::parse(m.id_number.as_str()).unwrap();
        assert_eq!(parsed.birth_date(), m.birth_date);
        assert_eq!(parsed.gender(), m.gender);
        assert!(m.id_number.as_str().starts_with("370830"));
        assert!(
            ids.insert(m.id_number.as_str().to_string()),
            "duplicate ID number"
        );
    }
    let mut codes = HashSet::new();
    for u in &b.units {
        let c = u.credit_code.as_ref().unwrap();
        CreditCode::parse(c.as_str()).unwrap();
        assert!(
            codes.insert(c.as_str().to_string()),
            "duplicate credit code"
        );
        assert_eq!(u.region_code.as_ref().unwrap().as_str().len(), 12);
    }
}

#[test]
fn member_dates_and_fields() {
    let b = first_batch(1);
    let day = as_of();
    let mut probationary = 0;
    for m in &b.members {
        let age = day.year() - m.birth_date.year();
        assert!((21..=91).contains(&age), "age {age}");
        let adult = m
            .birth_date
            .checked_add_months(Months::new(18 * 12))
            .unwrap();
        assert!(m.joined_on >= adult && m.joined_on <= day);
        match m.status {
            MemberStatus::Full => {
                assert_eq!(m.full_on, m.joined_on.checked_add_months(Months::new(12)));
                assert!(m.full_on.unwrap() <= day);
            }
            MemberStatus::Probationary => {
                probationary += 1;
                assert!(m.full_on.is_none());
                assert!((day - m.joined_on).num_days() < 366);
            }
        }
        let name = m.name.chars().count();
        assert!((2..=3).contains(&name), "{}", m.name);
        if let Some(p) = &m.phone {
            assert!(p.len() == 11 && p.starts_with('1') && p.bytes().all(|b| b.is_ascii_digit()));
        }
        assert!(m.education.is_some() && m.occupation.is_some());
    }
    let share = probationary as f64 / b.members.len() as f64;
    assert!((0.01..0.06).contains(&share), "probationary {share}");
}

#[test]
fn shares_are_roughly_the_official_ones() {
    let b = first_batch(1);
    let count = |k: OrgKind| b.orgs.iter().filter(|o| o.kind == k).count();
    let branches = count(OrgKind::Branch);
    let grassroots = branches + count(OrgKind::GeneralBranch) + count(OrgKind::PrimaryCommittee);
    assert!(
        (1200..=3500).contains(&grassroots),
        "grassroots {grassroots}"
    );
    let per_org = b.members.len() as f64 / grassroots as f64;
    assert!(
        (14.0..=26.0).contains(&per_org),
        "members per org {per_org}"
    );
    let share = branches as f64 / grassroots as f64;
    assert!((0.80..=0.94).contains(&share), "branches {share}");
    let female = b
        .members
        .iter()
        .filter(|m| m.gender == jiceng_domain::Gender::Female)
        .count();
    let female = female as f64 / b.members.len() as f64;
    assert!((0.22..=0.40).contains(&female), "female {female}");
    let han =
        b.members.iter().filter(|m| m.ethnicity == "汉族").count() as f64 / b.members.len() as f64;
    assert!((0.88..=0.96).contains(&han), "汉族 {han}");

    // Units: villages and communities each covered by their own org; joint branches of
    // 2–8 units; some 应建未建.
    let villages = b
        .units
        .iter()
        .filter(|u| {
            matches!(
                u.domain,
                jiceng_domain::Domain::Village | jiceng_domain::Domain::Community
            )
        })
        .count();
    assert_eq!(villages, 372);
    let mut joint: HashMap<i64, usize> = HashMap::new();
    for u in b.units.iter().filter(|u| u.coverage == Coverage::JointOrg) {
        *joint.entry(u.org_id).or_default() += 1;
    }
    assert!(!joint.is_empty());
    assert!(joint.values().all(|&n| (2..=8).contains(&n)), "{joint:?}");
    assert!(b
        .units
        .iter()
        .any(|u| u.coverage == Coverage::Uncovered && u.full_members >= 3));
    assert!(b
        .units
        .iter()
        .any(|u| u.coverage == Coverage::Instructor && u.instructor.is_some()));
}

/// Facts of every org of a batch, as the store would gather them.
fn facts(b: &Batch) -> Vec<OrgFacts> {
    let index: HashMap<i64, usize> = b.orgs.iter().enumerate().map(|(i, o)| (o.id, i)).collect();
    let n = b.orgs.len();
    let (mut direct, mut direct_full) = (vec![0i64; n], vec![0i64; n]);
    for m in &b.members {
        let i = index[&m.org_id];
        direct[i] += 1;
        direct_full[i] += i64::from(m.status == MemberStatus::Full);
    }
    let (mut sub, mut sub_full) = (direct.clone(), direct_full.clone());
    for i in (0..n).rev() {
        if let Some(p) = b.orgs[i].parent_id.and_then(|p| index.get(&p)) {
            sub[*p] += sub[i];
            sub_full[*p] += sub_full[i];
        }
    }
    let mut units = vec![0i64; n];
    for u in b.units.iter().filter(|u| u.coverage.has_org()) {
        units[index[&u.org_id]] += 1;
    }
    let mut secretary = vec![false; n];
    let mut vacant_since = vec![None; n];
    for p in b
        .positions
        .iter()
        .filter(|p| p.kind == PositionKind::Secretary)
    {
        let i = index[&p.org_id];
        match p.ended_on {
            None => secretary[i] = true,
            Some(e) => vacant_since[i] = Some(e),
        }
    }
    b.orgs
        .iter()
        .enumerate()
        .map(|(i, o)| OrgFacts {
            org_id: o.id,
            code: o.code.clone(),
            name: o.name.clone(),
            kind: o.kind,
            domain: o.domain,
            parent_kind: o
                .parent_id
                .and_then(|p| index.get(&p))
                .map(|&p| b.orgs[p].kind),
            founded_on: o.founded_on,
            last_election_on: o.last_election_on,
            committee: o.committee,
            direct_members: direct[i],
            direct_full: direct_full[i],
            subtree_members: sub[i],
            subtree_full: sub_full[i],
            units_covered: units[i],
            secretary: match (secretary[i], vacant_since[i]) {
                (true, _) => jiceng_domain::SecretaryState::InOffice,
                (false, Some(since)) => jiceng_domain::SecretaryState::Vacant { since },
                (false, None) => jiceng_domain::SecretaryState::Unknown,
            },
            term_years: o.term_years,
            postponed_until: None,
            temporary: o.temporary,
            approved: o.approving_org.is_some(),
        })
        .collect()
}

#[test]
fn structure_anomalies_are_a_small_minority() {
    let b = first_batch(1);
    let rules = RuleBook::shipped().in_force(as_of()).clone();
    let mut by_rule: HashMap<AnomalyRule, usize> = HashMap::new();
    let facts = facts(&b);
    for f in &facts {
        for a in check_org(f, &rules, as_of()) {
            *by_rule.entry(a.rule).or_default() += 1;
        }
    }
    println!("{by_rule:?}");
    let grassroots = facts
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                OrgKind::PrimaryCommittee | OrgKind::GeneralBranch | OrgKind::Branch
            )
        })
        .count() as f64;
    for (rule, n) in &by_rule {
        assert!((*n as f64) < 0.08 * grassroots, "{rule:?}: {n}");
    }
    for rule in [
        AnomalyRule::TermExpired,
        AnomalyRule::BranchUnder3Full,
        AnomalyRule::SecretaryVacant,
        AnomalyRule::JointOver5Units,
    ] {
        assert!(by_rule.contains_key(&rule), "{rule:?} never fires");
    }
}

#[test]
fn a_real_city_province_and_city_committees_once() {
    let Some(dir) = data_dir() else { return };
    let div = Divisions::load(&dir, Some("3701")).unwrap();
    let counties = div.counties.len();
    let mut g = Generator::new(
        div,
        GenOptions {
            seed: 5,
            as_of: as_of(),
        },
        ids(),
    );
    assert_eq!(g.counties(), counties);
    let first = g.next_batch().unwrap();
    let second = g.next_batch().unwrap();
    let locals = |b: &Batch| {
        b.orgs
            .iter()
            .filter(|o| o.kind == OrgKind::LocalCommittee)
            .map(|o| o.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        locals(&first)[..2],
        ["山东省委".to_string(), "济南市委".to_string()]
    );
    assert_eq!(locals(&first).len(), 3);
    assert_eq!(locals(&second).len(), 1);
    let city_id = first.orgs[1].id;
    let county = second
        .orgs
        .iter()
        .find(|o| o.kind == OrgKind::LocalCommittee)
        .unwrap();
    assert_eq!(county.parent_id, Some(city_id));
    assert_eq!(second.orgs[0].id, first.orgs.last().unwrap().id + 1);
    let codes: HashSet<&str> = first
        .orgs
        .iter()
        .chain(second.orgs.iter())
        .map(|o| o.code.as_str())
        .collect();
    assert_eq!(codes.len(), first.orgs.len() + second.orgs.len());
}

/// Times a whole province: `cargo test --release -p jiceng-gen --test generate --
/// --ignored --nocapture province_37`.
#[test]
#[ignore]
fn province_37_timing() {
    let Some(dir) = data_dir() else { return };
    let t = std::time::Instant::now();
    let div = Divisions::load(&dir, Some("37")).unwrap();
    let load = t.elapsed();
    let mut g = Generator::new(
        div,
        GenOptions {
            seed: 1,
            as_of: as_of(),
        },
        ids(),
    );
    let (mut orgs, mut members, mut units, mut positions) = (0, 0, 0, 0);
    let mut codes = HashSet::new();
    while let Some(b) = g.next_batch() {
        orgs += b.orgs.len();
        members += b.members.len();
        units += b.units.len();
        positions += b.positions.len();
        // Codes are kept as hashes: holding 500k small strings across batches would
        // fragment the heap and time the allocator instead of the generator.
        for o in &b.orgs {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::hash::Hash::hash(&o.code, &mut h);
            assert!(codes.insert(std::hash::Hasher::finish(&h)), "{}", o.code);
        }
    }
    println!(
        "province 37: {} counties, {orgs} orgs, {members} members, {positions} positions, {units} units; load {:.2}s, total {:.2}s",
        g.counties(),
        load.as_secs_f64(),
        t.elapsed().as_secs_f64()
    );
}

/// Three years of 发展党员: about 2.5 % of members a year, every stage reached, ways that
/// could have been recorded (dates in order, votes that add up), a few time rules broken,
/// ID numbers unique and apart from the members'.
#[test]
fn a_county_pipeline_walks_every_stage_with_few_violations() {
    use jiceng_domain::recruitment::{check::check_ledger, judge, RecruitStage, WorkCalendar};
    let b = first_batch(1);
    let people = jiceng_gen::recruitment::generate(&b, as_of(), 1);
    let expected = b.members.len() as f64 * 0.025 * 3.0;
    assert!(
        (people.len() as f64) > expected * 0.5 && (people.len() as f64) < expected * 1.2,
        "{} applicants for {} members",
        people.len(),
        b.members.len()
    );
    let book = jiceng_domain::RuleBook::shipped();
    let cal = WorkCalendar::shipped();
    let mut stages = std::collections::BTreeMap::new();
    let mut broken = 0;
    let mut ids = std::collections::HashSet::new();
    for m in &b.members {
        ids.insert(m.id_number.as_str().to_string());
    }
    for p in &people {
        assert!(
            ids.insert(p.id_number.as_str().to_string()),
            "{}",
            p.id_number.as_str()
        );
        assert_eq!(check_ledger(&p.steps), vec![], "{}", p.name);
        assert!(p.steps.iter().all(|s| s.on <= as_of()));
        let pr = judge(&book, &cal, Some(p.birth_date), &p.steps, as_of());
        *stages.entry(pr.stage).or_insert(0) += 1;
        broken += usize::from(!pr.violations.is_empty());
        // Slips are of time; nobody applies under age or is sponsored by a probationer.
        for v in &pr.violations {
            assert!(
                !matches!(v.rule, "min_age" | "sponsors"),
                "{}: {}",
                p.name,
                v.detail
            );
        }
    }
    for s in RecruitStage::ALL {
        assert!(
            stages.get(&s).copied().unwrap_or(0) > 0,
            "no one at {s:?}: {stages:?}"
        );
    }
    assert!(
        broken > 0 && broken * 5 < people.len(),
        "{broken} of {} with violations",
        people.len()
    );
}
