//! The pure functions on the hot paths of a refresh and a report (issue 6): one org's
//! structure check, member statistics built and merged up the tree, path ranges, coverage
//! gaps. `cargo bench -p jiceng-domain`.

use chrono::NaiveDate;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use jiceng_domain::coverage::{gaps, UnitFacts};
use jiceng_domain::member_stats::Profile;
use jiceng_domain::structure::{check_org, OrgFacts};
use jiceng_domain::{
    path, Coverage, Domain, Education, Gender, MemberStats, MemberStatus, OperatingStatus, OrgKind,
    RuleBook,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn branch() -> OrgFacts {
    OrgFacts {
        org_id: 7,
        code: "370830-00007".into(),
        name: "第一党支部".into(),
        kind: OrgKind::Branch,
        domain: Some(Domain::NonPublicEnterprise),
        parent_kind: Some(OrgKind::PrimaryCommittee),
        founded_on: Some(d(2010, 3, 1)),
        last_election_on: Some(d(2021, 1, 10)),
        committee: Some(false),
        direct_members: 62,
        direct_full: 58,
        subtree_members: 62,
        subtree_full: 58,
        units_covered: 7,
        secretary: jiceng_domain::SecretaryState::Vacant {
            since: d(2025, 5, 1),
        },
        term_years: None,
        postponed_until: None,
        temporary: false,
        approved: false,
    }
}

fn stats(n: usize, day: NaiveDate) -> MemberStats {
    let mut s = MemberStats::default();
    let ethnicities = ["汉族", "回族", "满族", ""];
    let occupations = ["农牧渔民", "工人", "专业技术人员", "离退休人员"];
    for i in 0..n {
        s.add_profile(
            &Profile {
                gender: if i % 3 == 0 {
                    Gender::Female
                } else {
                    Gender::Male
                },
                ethnicity: ethnicities[i % 4],
                birth_date: d(
                    1940 + (i % 60) as i32,
                    1 + (i % 12) as u32,
                    1 + (i % 28) as u32,
                ),
                education: Some(Education::ALL[i % Education::ALL.len()]),
                occupation: Some(occupations[i % 4]),
                joined_on: d(1970 + (i % 55) as i32, 1 + (i % 12) as u32, 1),
                status: if i % 10 == 0 {
                    MemberStatus::Probationary
                } else {
                    MemberStatus::Full
                },
                full_on: None,
            },
            day,
        );
    }
    s
}

fn bench(c: &mut Criterion) {
    let rules = RuleBook::shipped();
    let day = d(2026, 11, 26);
    let set = rules.in_force(day);
    let facts = branch();
    c.bench_function("structure::check_org (a branch firing 5 rules)", |b| {
        b.iter(|| check_org(black_box(&facts), set, day))
    });

    let one = stats(40, day);
    c.bench_function(
        "MemberStats::merge (a 40-member branch into a total)",
        |b| {
            b.iter(|| {
                let mut total = MemberStats::default();
                total.merge(black_box(&one));
                total
            })
        },
    );
    c.bench_function(
        "MemberStats::add_profile ×40 (one branch's members)",
        |b| b.iter(|| stats(black_box(40), day)),
    );

    let p = "/1/2s/9ix/1abc/2xyz/3def/";
    c.bench_function("path::subtree_upper", |b| {
        b.iter(|| path::subtree_upper(black_box(p)))
    });
    c.bench_function("path::ids (depth 6)", |b| {
        b.iter(|| path::ids(black_box(p)))
    });
    c.bench_function("path::child_path", |b| {
        b.iter(|| path::child_path(Some(black_box(p)), black_box(123_456)))
    });

    let unit = UnitFacts {
        domain: Domain::NonPublicEnterprise,
        status: OperatingStatus::Operating,
        coverage: Coverage::JointOrg,
        full_members: 4,
    };
    c.bench_function("coverage::gaps", |b| b.iter(|| gaps(black_box(&unit), set)));
}

criterion_group!(benches, bench);
criterion_main!(benches);
