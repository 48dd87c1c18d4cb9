//! Generated applicants (`jiceng_gen::recruitment`) as stored rows: protected like every
//! applicant, judged on the day for their derived columns, and — for those the higher
//! committee approved (⑰) — the roster row `record_step` would have made, probationary or
//! full. For `jiceng gen` and the demo only.

use std::collections::HashMap;

use jiceng_gen::recruitment::GenApplicant;
use jiceng_store::members::StoredMember;
use jiceng_store::recruitment::{StoredApplicant, StoredStep};

use super::people::{protected_row, Details};
use super::{derived, progress};
use crate::App;

/// The rows of a batch's generated applicants.
pub struct Seeded {
    pub applicants: Vec<StoredApplicant>,
    pub steps: Vec<StoredStep>,
    pub members: Vec<StoredMember>,
}

/// Ids: applicants from `first_applicant`, steps from `first_step`, roster rows from
/// `first_member` (each consecutive).
pub fn rows(
    app: &App,
    people: Vec<GenApplicant>,
    path_of: &HashMap<i64, String>,
    (first_applicant, first_step, first_member): (i64, i64, i64),
) -> Seeded {
    let today = app.today();
    let mut out = Seeded {
        applicants: Vec::new(),
        steps: Vec::new(),
        members: Vec::new(),
    };
    for (i, p) in people.into_iter().enumerate() {
        let id = first_applicant + i as i64;
        let details = Details {
            ethnicity: p.ethnicity,
            education: p.education,
            occupation: Some(p.occupation),
            front_line: p.front_line,
            phone: Some(format!("139{:08}", id % 100_000_000)),
        };
        let org = (p.org_id, path_of[&p.org_id].as_str());
        let mut a = protected_row(app, org, p.name, &p.id_number, details);
        a.id = id;
        let pr = progress(app, &a, &p.steps, today);
        a.derived = derived(&pr, &p.steps);
        let member_id = first_member + out.members.len() as i64;
        if let Some(m) = super::record::admitted_member(&a, member_id, &p.steps, &pr) {
            a.member_id = Some(member_id);
            out.members.push(m);
        }
        for s in &p.steps {
            out.steps.push(StoredStep {
                id: first_step + out.steps.len() as i64,
                applicant_id: id,
                step: s.kind.number(),
                on: s.on,
                detail: serde_json::to_string(s).expect("a step serialises"),
                recorded_by: jiceng_gen::RECORDED_BY.into(),
                recorded_at: format!("{}T00:00:00+00:00", s.on),
            });
        }
        out.applicants.push(a);
    }
    out
}
