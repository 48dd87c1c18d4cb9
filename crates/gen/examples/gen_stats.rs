//! Generates a region and prints counts, shares and the time taken.
//!
//! `cargo run --release -p jiceng-gen --example gen_stats -- [prefix|embedded] [seed]`
//! (the prefix is read from `$JICENG_DIVISIONS_DIR` or `shared/data/divisions`).

use std::collections::HashMap;
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use jiceng_domain::{Coverage, Domain, Gender, MemberStatus, OperatingStatus, OrgKind};
use jiceng_gen::{divisions::default_data_dir, Divisions, GenOptions, Generator, IdBase};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map_or("embedded", String::as_str);
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let t0 = Instant::now();
    let div = if which == "embedded" {
        Divisions::embedded_county()
    } else {
        let prefix = (which != "nation").then_some(which);
        Divisions::load(&default_data_dir(), prefix).expect("divisions")
    };
    let load = t0.elapsed();
    let as_of = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    let ids = IdBase {
        org: 1,
        member: 1,
        unit: 1,
        position: 1,
    };
    let t1 = Instant::now();
    let mut g = Generator::new(div, GenOptions { seed, as_of }, ids);
    let counties = g.counties();
    let (mut orgs, mut members, mut positions, mut units) = (0usize, 0usize, 0usize, 0usize);
    let mut kinds: HashMap<OrgKind, usize> = HashMap::new();
    let (mut female, mut prob, mut branch_members, mut over50, mut under3, mut branches_n) =
        (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
    let mut cov: HashMap<Domain, [usize; 5]> = HashMap::new();
    let mut ages = [0usize; 8];
    let mut expired = 0usize;
    let mut joint_over5 = 0usize;
    let verbose = counties <= 20;
    let mut by_domain: HashMap<Option<Domain>, [usize; 7]> = HashMap::new();
    while let Some(b) = g.next_batch() {
        orgs += b.orgs.len();
        members += b.members.len();
        positions += b.positions.len();
        units += b.units.len();
        let mut direct: HashMap<i64, (usize, usize)> = HashMap::new();
        for m in &b.members {
            let e = direct.entry(m.org_id).or_default();
            e.0 += 1;
            e.1 += usize::from(m.status == MemberStatus::Full);
            female += usize::from(m.gender == Gender::Female);
            prob += usize::from(m.status == MemberStatus::Probationary);
            let age = (as_of.year() - m.birth_date.year()) as usize;
            ages[((age.saturating_sub(21)) / 10).min(7)] += 1;
        }
        for o in &b.orgs {
            *kinds.entry(o.kind).or_default() += 1;
            let e = by_domain.entry(o.domain).or_default();
            e[o.kind.rank() as usize - 1] += 1;
            e[6] += direct.get(&o.id).map_or(0, |d| d.0);
            if o.kind == OrgKind::Branch {
                let (n, f) = direct.get(&o.id).copied().unwrap_or_default();
                branches_n += 1;
                branch_members += n;
                over50 += usize::from(n > 50);
                under3 += usize::from(f < 3);
            }
            if let Some(e) = o.last_election_on {
                let years = match (o.kind, o.domain) {
                    (
                        _,
                        Some(
                            Domain::Village | Domain::Community | Domain::Township | Domain::Street,
                        ),
                    ) => 5,
                    (OrgKind::Branch | OrgKind::GeneralBranch, _) => 3,
                    _ => 5,
                };
                if e.with_year(e.year() + years).is_some_and(|end| end < as_of) {
                    expired += 1;
                }
            }
        }
        let mut joint: HashMap<i64, usize> = HashMap::new();
        for u in &b.units {
            let c = cov.entry(u.domain).or_default();
            c[0] += 1;
            if u.status == OperatingStatus::Operating {
                c[1] += 1;
                match u.coverage {
                    Coverage::OwnOrg => c[2] += 1,
                    Coverage::JointOrg => {
                        c[3] += 1;
                        *joint.entry(u.org_id).or_default() += 1;
                    }
                    Coverage::Instructor => c[4] += 1,
                    Coverage::Uncovered => {}
                }
            }
        }
        joint_over5 += joint.values().filter(|&&n| n > 5).count();
        if verbose && counties > 1 {
            let grassroots = b
                .orgs
                .iter()
                .filter(|o| {
                    matches!(
                        o.kind,
                        OrgKind::PrimaryCommittee | OrgKind::GeneralBranch | OrgKind::Branch
                    )
                })
                .count();
            let name = b
                .orgs
                .iter()
                .find(|o| o.kind == OrgKind::LocalCommittee && o.code.len() == 12)
                .map_or("", |o| o.name.as_str());
            println!(
                "{name}: orgs {} (grassroots {grassroots}), members {}, units {}",
                b.orgs.len(),
                b.members.len(),
                b.units.len()
            );
        }
    }
    let gen = t1.elapsed();
    let grassroots: usize = [
        OrgKind::PrimaryCommittee,
        OrgKind::GeneralBranch,
        OrgKind::Branch,
    ]
    .iter()
    .map(|k| kinds.get(k).copied().unwrap_or(0))
    .sum();
    println!(
        "region {which}, seed {seed}: {counties} counties; load {:.2}s, generate {:.2}s",
        load.as_secs_f64(),
        gen.as_secs_f64()
    );
    println!("orgs {orgs}, members {members}, positions {positions}, units {units}");
    for k in OrgKind::ALL {
        println!("  {:?}: {}", k, kinds.get(&k).copied().unwrap_or(0));
    }
    println!(
        "per county: orgs {:.0}, grassroots {:.0}, members {:.0}; members/grassroots org {:.1}; branches {:.1}% of grassroots",
        orgs as f64 / counties as f64,
        grassroots as f64 / counties as f64,
        members as f64 / counties as f64,
        members as f64 / grassroots as f64,
        100.0 * kinds.get(&OrgKind::Branch).copied().unwrap_or(0) as f64 / grassroots as f64
    );
    println!(
        "female {:.1}%, probationary {:.1}%, branch mean {:.1}, branches over 50 {:.2}%, under 3 full {:.2}%, term expired {:.2}%, joint >5 units {}",
        100.0 * female as f64 / members as f64,
        100.0 * prob as f64 / members as f64,
        branch_members as f64 / branches_n as f64,
        100.0 * over50 as f64 / branches_n as f64,
        100.0 * under3 as f64 / branches_n as f64,
        100.0 * expired as f64 / orgs as f64,
        joint_over5
    );
    println!(
        "ages 22-31.. by decade: {:?}",
        ages.map(|a| format!("{:.1}", 100.0 * a as f64 / members as f64))
    );
    let mut bd: Vec<_> = by_domain.into_iter().collect();
    bd.sort_by_key(|(d, _)| *d);
    println!("  domain: group branch gb pc wc lc members (per county)");
    for (d, c) in bd {
        let c = c.map(|x| (x as f64 / counties as f64).round() as i64);
        println!("  {:<22} {:?}", d.map_or("-", |d| d.code()), c);
    }
    let mut ds: Vec<_> = cov.into_iter().collect();
    ds.sort_by_key(|(d, _)| *d);
    for (d, c) in ds {
        println!(
            "  {:<22} units {:>7} operating {:>7} own {:>5.1}% org {:>5.1}% work {:>5.1}%",
            d.code(),
            c[0],
            c[1],
            100.0 * c[2] as f64 / c[1].max(1) as f64,
            100.0 * (c[2] + c[3]) as f64 / c[1].max(1) as f64,
            100.0 * (c[2] + c[3] + c[4]) as f64 / c[1].max(1) as f64
        );
    }
}
