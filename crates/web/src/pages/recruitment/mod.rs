//! 发展党员 pages (SPEC C3): a subtree's board (people by stage, what is due, overdue,
//! exported to Excel), the registration of a person applying, and the person's page with
//! the timeline by the 细则's five stages, the judgement and the phone-first form that
//! records the next step. The same use cases as the API (`jiceng_app::recruitment`).

mod board;
mod overview;
mod person;
mod plan;
mod register;
mod step_form;

use jiceng_app::access::Action;

use crate::routes::{Guard, Routes, Subject};
use board::{board_export, board_page, report_export};
use person::{document, person_page, step_submit};
use plan::{plan_form, plan_submit};
use register::{register_form, register_submit};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/recruitment",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            board_page,
        )
        .get(
            "/recruitment/export.xlsx",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            board_export,
        )
        .get(
            "/recruitment/report.xlsx",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            report_export,
        )
        .get(
            "/recruitment/plan",
            Guard::May(Action::PlanRecruitment),
            Subject::QueryOrg,
            plan_form,
        )
        .post(
            "/recruitment/plan",
            Guard::May(Action::PlanRecruitment),
            Subject::QueryOrg,
            plan_submit,
        )
        .get(
            "/recruitment/new",
            Guard::May(Action::RecordRecruitment),
            Subject::QueryOrg,
            register_form,
        )
        .post(
            "/recruitment/new",
            Guard::May(Action::RecordRecruitment),
            Subject::QueryOrg,
            register_submit,
        )
        .get(
            "/recruitment/people/{id}",
            Guard::May(Action::ReadData),
            Subject::Applicant,
            person_page,
        )
        .get(
            "/recruitment/people/{id}/documents/{kind}",
            Guard::May(Action::RecordRecruitment),
            Subject::Applicant,
            document,
        )
        .post(
            "/recruitment/people/{id}/steps",
            Guard::May(Action::RecordRecruitment),
            Subject::Applicant,
            step_submit,
        )
}

/// A date for a page, or a dash.
fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "—".to_string(), |d| d.to_string())
}
