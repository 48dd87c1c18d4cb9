//! 发展党员 setup: a person brought along the way through the app, as a secretary would
//! have recorded it before the test begins.

use jiceng_app::access::{self, Actor, OrgKey, RecordRecruitment};
use jiceng_app::recruitment::{self, NewApplicant, StepInput};

use super::{d, id_number, Fixture};

fn step(n: i64, on: &str) -> StepInput {
    StepInput {
        step: n.to_string(),
        on: Some(d(on)),
        ..StepInput::default()
    }
}

/// Registers `name` (ID number `seq`) at the branch `org` (a code) and records ② to ⑪ by
/// the book — 张建国 and 李秀英 (B001's full members) as sponsors when `org` is B001, else
/// nobody is named and the way stops before ⑨. Answers the applicant's id.
pub async fn candidate_at_eleven(f: &Fixture, org: &str, name: &str, seq: u16) -> i64 {
    let system = Actor::system();
    let grant = system.grant::<RecordRecruitment>().unwrap();
    let branch = access::resolve(&f.app, &system, &OrgKey::Id(f.orgs[org]))
        .await
        .unwrap();
    let new = NewApplicant {
        name: name.into(),
        id_number: id_number("2000-03-04", seq),
        ethnicity: Some("汉族".into()),
        education: Some("大学本科".into()),
        occupation: Some("村卫生室医生".into()),
        front_line: true,
        phone: Some("13900001234".into()),
        applied_on: d("2025-01-06"),
    };
    let id = recruitment::register(&f.app, &grant, &branch, &new)
        .await
        .unwrap();
    let mut sponsors = step(9, "2026-02-10");
    sponsors.sponsor_ids = vec![f.members["张建国"], f.members["李秀英"]];
    let mut training = step(11, "2026-03-20");
    training.training_hours = Some(24.0);
    let mut steps = vec![
        step(2, "2025-01-20"),
        step(3, "2025-02-01"),
        step(5, "2025-02-01"),
        step(7, "2026-02-05"),
    ];
    if org == "B001" {
        steps.extend([sponsors, step(10, "2026-03-01"), training]);
    }
    for s in &steps {
        recruitment::record_step(&f.app, &grant, id, s)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", s.step));
    }
    id
}

/// Registers `name` (ID number `seq`) at the branch `org` (a code), applied on `applied_on`,
/// and records the talk (②) on `talk` if given. Answers the applicant's id.
pub async fn applicant(
    f: &Fixture,
    org: &str,
    (name, seq): (&str, u16),
    applied_on: &str,
    talk: Option<&str>,
) -> i64 {
    let system = Actor::system();
    let grant = system.grant::<RecordRecruitment>().unwrap();
    let branch = access::resolve(&f.app, &system, &OrgKey::Id(f.orgs[org]))
        .await
        .unwrap();
    let new = NewApplicant {
        name: name.into(),
        id_number: id_number("2002-07-08", seq),
        applied_on: d(applied_on),
        ..NewApplicant::default()
    };
    let id = recruitment::register(&f.app, &grant, &branch, &new)
        .await
        .unwrap();
    if let Some(on) = talk {
        recruitment::record_step(&f.app, &grant, id, &step(2, on))
            .await
            .unwrap();
    }
    id
}
