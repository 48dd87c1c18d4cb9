//! Three years of 发展党员 for the generated branches: about 2.5 % of a branch's members a
//! year apply, and walk the 25 steps as a branch would record them — with the drop-off of
//! real pipelines (some never become activists, some candidates wait, a few withdraw) and a
//! few records that break a time rule (a late talk, a candidate named early, short
//! training, a vote of exactly half, a slow approval, a 公示 too short under the 2026 rules).
//! Steps dated after "today" are not recorded: the pipeline is cut where the day stands.
//!
//! Deterministic for a seed and a branch. ID numbers use sequences from 800 up, above any
//! the member generator gives one county and birth day.

use std::collections::HashMap;

use chrono::{Days, Months, NaiveDate};
use jiceng_domain::recruitment::{Notice, Sponsor, StepKind, StepRecord, Training, Vote};
use jiceng_domain::{Education, Gender, IdNumber, Member, MemberStatus, OrgKind};

use crate::names;
use crate::rng::Rng;
use crate::Batch;

/// A generated person applying, with the steps recorded for them.
#[derive(Debug, Clone)]
pub struct GenApplicant {
    pub org_id: i64,
    pub name: String,
    pub gender: Gender,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub id_number: IdNumber,
    pub education: Option<Education>,
    pub occupation: String,
    pub front_line: bool,
    pub steps: Vec<StepRecord>,
}

/// The share of a branch's members who apply in a year.
const ENTRY_RATE: f64 = 0.025;
/// How many years of applications are generated.
const YEARS: i64 = 3;
/// The chance that a record breaks its time rule.
const SLIP: f64 = 0.02;

const OCCUPATIONS: [(&str, bool); 8] = [
    ("农民", true),
    ("村医", true),
    ("教师", true),
    ("企业职工", true),
    ("个体工商户", false),
    ("机关工作人员", false),
    ("社区工作者", true),
    ("在校学生", false),
];

/// The applicants of the batch's branches.
pub fn generate(batch: &Batch, as_of: NaiveDate, seed: u64) -> Vec<GenApplicant> {
    let mut full: HashMap<i64, Vec<&Member>> = HashMap::new();
    let mut size: HashMap<i64, usize> = HashMap::new();
    for m in &batch.members {
        *size.entry(m.org_id).or_default() += 1;
        if m.status_on(as_of) == MemberStatus::Full {
            full.entry(m.org_id).or_default().push(m);
        }
    }
    let region = batch.members.first().map_or("370000".to_string(), |m| {
        m.id_number.as_str()[..6].to_string()
    });
    let mut seqs: HashMap<NaiveDate, u16> = HashMap::new();
    let mut out = Vec::new();
    for o in &batch.orgs {
        if o.kind != OrgKind::Branch || o.dissolved_on.is_some() {
            continue;
        }
        let sponsors = full.get(&o.id).map(Vec::as_slice).unwrap_or(&[]);
        if sponsors.len() < 3 {
            continue;
        }
        let mut r = Rng::for_part(seed, &format!("recruit-{}", o.id));
        let expected = size[&o.id] as f64 * ENTRY_RATE * YEARS as f64;
        let n = expected.floor() as usize + usize::from(r.chance(expected.fract()));
        for _ in 0..n {
            let mut p = person(&mut r, o.id, &region, as_of, &mut seqs);
            p.steps = walk(&mut r, as_of, sponsors);
            if !p.steps.is_empty() {
                out.push(p);
            }
        }
    }
    out
}

fn person(
    r: &mut Rng,
    org_id: i64,
    region: &str,
    as_of: NaiveDate,
    seqs: &mut HashMap<NaiveDate, u16>,
) -> GenApplicant {
    let female = r.chance(0.42);
    // Of age when applying, up to three years ago.
    let age = r.range(21, 45) as u64;
    let birth = as_of - Days::new(age * 365 + r.below(365));
    let n = seqs.entry(birth).or_insert(400);
    let seq = *n * 2 + u16::from(!female);
    *n = if *n >= 499 { 400 } else { *n + 1 };
    let (occupation, front_line) = OCCUPATIONS[r.index(OCCUPATIONS.len())];
    GenApplicant {
        org_id,
        name: names::person(r, female),
        gender: if female { Gender::Female } else { Gender::Male },
        ethnicity: if r.chance(0.92) { "汉族" } else { "回族" }.to_string(),
        birth_date: birth,
        id_number: IdNumber::synthesize(region, birth, seq),
        education: Some(Education::ALL[r.index(Education::ALL.len())]),
        occupation: occupation.to_string(),
        front_line,
        steps: Vec::new(),
    }
}

/// The way of one person, from an application in the last three years, cut at `as_of`.
fn walk(r: &mut Rng, as_of: NaiveDate, sponsors: &[&Member]) -> Vec<StepRecord> {
    let start = as_of - Months::new(12 * YEARS as u32);
    let applied = start + Days::new(r.below((as_of - start).num_days() as u64));
    let mut w = Way {
        steps: Vec::new(),
        as_of,
        day: applied,
    };
    w.at(StepKind::Apply, 0);
    let talk = if r.chance(SLIP) {
        r.range(33, 45)
    } else {
        r.range(5, 25)
    };
    w.at(StepKind::Talk, talk);
    if !r.chance(0.85) || !w.at(StepKind::ActivistNamed, r.range(20, 120)) {
        return w.steps;
    }
    w.named(
        StepKind::ContactsAssigned,
        vec![names::person(r, false), names::person(r, true)],
    );
    let named = w.day;
    let wait = if r.chance(SLIP) {
        r.range(290, 330)
    } else {
        r.range(370, 480)
    };
    // Assessed every five to six months while waiting.
    for _ in 0..(wait / 175) {
        w.at(StepKind::ActivistAssessed, r.range(150, 175));
    }
    if r.chance(0.04) {
        w.at(StepKind::Withdrawn, r.range(10, 60));
        return w.steps;
    }
    // One in five is not yet ready: still an activist, still assessed every half year.
    if !r.chance(0.8) {
        while w.at(StepKind::ActivistAssessed, r.range(150, 175)) {}
        return w.steps;
    }
    w.day = named;
    if !w.at(StepKind::CandidateNamed, wait) {
        return w.steps;
    }
    candidate(r, &mut w, sponsors);
    w.steps
}

/// From 确定发展对象 (⑦) to 转正 (㉔), as far as the day allows.
fn candidate(r: &mut Rng, w: &mut Way, sponsors: &[&Member]) {
    let pick = |m: &Member| Sponsor {
        member_id: Some(m.id),
        name: m.name.clone(),
        full_on: Some(m.full_on.unwrap_or(m.joined_on)),
        on_roster: true,
    };
    if !w.at(StepKind::SponsorsNamed, r.range(5, 20)) {
        return;
    }
    // Two members full on the day they are named.
    let day = w.day;
    let full: Vec<&&Member> = sponsors
        .iter()
        .filter(|m| m.full_on.unwrap_or(m.joined_on) <= day)
        .collect();
    if full.len() >= 2 {
        let a = r.index(full.len());
        let b = (a + 1 + r.index(full.len() - 1)) % full.len();
        w.last().sponsors = vec![pick(full[a]), pick(full[b])];
    }
    w.at(StepKind::PoliticalReview, r.range(10, 30));
    if w.at(StepKind::CandidateTraining, r.range(10, 40)) {
        let hours = if r.chance(SLIP) { 16.0 } else { 24.0 };
        w.last().training = Some(Training {
            days: Some(if hours < 24.0 { 2 } else { 3 }),
            hours: Some(hours),
        });
    }
    for (k, lo, hi) in [
        (StepKind::CommitteeReview, 10, 30),
        (StepKind::PreReview, 5, 20),
        (StepKind::FormFilled, 3, 10),
    ] {
        w.at(k, r.range(lo, hi));
    }
    if !w.at(StepKind::BranchVote, r.range(8, 20)) {
        return;
    }
    let due = sponsors.len() as u32;
    let present = due - (r.below(u64::from(due / 4) + 1) as u32);
    let yes = if r.chance(SLIP) { due / 2 } else { present };
    let vote_on = w.day;
    let notice_days = if r.chance(SLIP) { 2 } else { 7 };
    w.last().vote = Some(Vote {
        due,
        present,
        yes,
        no: present - yes,
        abstain: 0,
        written: 0,
        secret: Some(true),
    });
    w.last().notice = Some(Notice {
        from: vote_on - Days::new(notice_days + 3),
        to: vote_on - Days::new(1),
    });
    w.at(StepKind::HigherTalk, r.range(5, 15));
    let approval = if r.chance(SLIP) {
        r.range(100, 130)
    } else {
        r.range(20, 80)
    };
    w.day = vote_on;
    if !w.at(StepKind::Approved, approval) {
        return;
    }
    w.at(StepKind::Oath, r.range(5, 30));
    let ends = vote_on + Months::new(12);
    w.day = ends - Days::new(r.range(3, 10) as u64);
    if !w.at(StepKind::ConfirmationApplied, 0) {
        return;
    }
    w.day = ends;
    if !w.at(StepKind::ConfirmationVote, r.range(0, 15)) {
        return;
    }
    let present = due - (r.below(u64::from(due / 4) + 1) as u32);
    w.last().vote = Some(Vote {
        due,
        present,
        yes: present,
        no: 0,
        abstain: 0,
        written: 0,
        secret: Some(true),
    });
    let confirm = if r.chance(SLIP) {
        r.range(100, 130)
    } else {
        r.range(15, 80)
    };
    w.at(StepKind::Confirmed, confirm);
}

/// The steps being written, the day reached and the day not to pass.
struct Way {
    steps: Vec<StepRecord>,
    as_of: NaiveDate,
    day: NaiveDate,
}

impl Way {
    /// Records `kind` `days` after the last day, unless that is after `as_of`.
    fn at(&mut self, kind: StepKind, days: i64) -> bool {
        let on = self.day + Days::new(days.max(0) as u64);
        if on > self.as_of
            || self
                .steps
                .last()
                .is_some_and(|s| s.kind == StepKind::Withdrawn)
        {
            return false;
        }
        self.day = on;
        self.steps.push(StepRecord::new(kind, on));
        true
    }

    fn named(&mut self, kind: StepKind, people: Vec<String>) {
        if self.at(kind, 0) {
            self.last().people = people;
        }
    }

    fn last(&mut self) -> &mut StepRecord {
        self.steps.last_mut().expect("a step recorded")
    }
}
