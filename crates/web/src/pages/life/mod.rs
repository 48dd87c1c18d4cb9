//! Organizational life pages (SPEC C4): a branch's 本月待办 with one tap to record, the
//! phone-first record form, the meeting page, the org's organizational-life tab, the
//! subtree compliance report with drill-down and a month × kind heat map, and exports.
//!
//! Nothing here counts check-ins, points, rankings of people or online time (SPEC C4).

mod attachments;
mod compliance;
mod due;
mod evaluation;
pub(crate) use due::{due_sections, DueSection};
mod form;
mod heat;
mod joint;
mod meetings;
mod record;

use jiceng_app::access::Action;
use jiceng_app::reports::compliance::{Overview, LIVE_MAX_BRANCHES};
use serde::Deserialize;

use crate::routes::{Guard, Routes, Subject};
use crate::AppState;
use compliance::compliance_page;
use due::due_page;
use meetings::{meeting_page, meetings_export, meetings_page, org_life};
use record::{correct_form, correct_submit, record_form, record_submit, void_submit};

/// Rows a page lists.
const PAGE: i64 = 20;

/// `?done=`: the meeting just recorded, for the page's flash.
#[derive(Deserialize)]
pub(super) struct DoneParam {
    done: Option<String>,
}

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/orgs/{id}/due",
            Guard::May(Action::ReadData),
            Subject::Org,
            due_page,
        )
        .get(
            "/orgs/{id}/life",
            Guard::May(Action::ReadData),
            Subject::Org,
            org_life,
        )
        .get(
            "/orgs/{id}/meetings/new",
            Guard::May(Action::RecordLife),
            Subject::Org,
            record_form,
        )
        .get(
            "/orgs/{id}/meetings/joint",
            Guard::May(Action::RecordLife),
            Subject::Org,
            joint::joint_form,
        )
        .post(
            "/orgs/{id}/meetings/joint",
            Guard::May(Action::RecordLife),
            Subject::Org,
            joint::joint_submit,
        )
        .post(
            "/orgs/{id}/meetings/new",
            Guard::May(Action::RecordLife),
            Subject::Org,
            record_submit,
        )
        .get(
            "/meetings",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            meetings_page,
        )
        .get(
            "/meetings/export.xlsx",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            meetings_export,
        )
        .get(
            "/meetings/{id}",
            Guard::May(Action::ReadData),
            Subject::Meeting,
            meeting_page,
        )
        .get(
            "/meetings/{id}/edit",
            Guard::May(Action::RecordLife),
            Subject::Meeting,
            correct_form,
        )
        .post(
            "/meetings/{id}/edit",
            Guard::May(Action::RecordLife),
            Subject::Meeting,
            correct_submit,
        )
        .get(
            "/meetings/{id}/evaluation",
            Guard::May(Action::ReadData),
            Subject::Meeting,
            evaluation::evaluation_page,
        )
        .post(
            "/meetings/{id}/evaluation",
            Guard::May(Action::RecordLife),
            Subject::Meeting,
            evaluation::evaluation_submit,
        )
        .post(
            "/meetings/{id}/void",
            Guard::May(Action::RecordLife),
            Subject::Meeting,
            void_submit,
        )
        // A photo of the sign-in sheet is larger than the general body limit.
        .post_with(
            "/meetings/{id}/attachments",
            Guard::May(Action::RecordLife),
            Subject::Meeting,
            attachments::upload,
            |m| {
                m.layer(axum::extract::DefaultBodyLimit::max(
                    attachments::UPLOAD_BODY_MAX,
                ))
            },
        )
        .get(
            "/meetings/{id}/attachments/{aid}",
            Guard::May(Action::ReadData),
            Subject::Meeting,
            attachments::open,
        )
        .post(
            "/meetings/{id}/attachments/{aid}/delete",
            Guard::May(Action::RecordLife),
            Subject::Meeting,
            attachments::remove,
        )
        .get(
            "/reports/compliance",
            Guard::May(Action::ReadData),
            Subject::QueryOrg,
            compliance_page,
        )
}

/// `YYYY-MM-DD HH:MM` in China Standard Time, from a UTC instant.
fn cst(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The same for a stored `computed_at` text (`…Z`).
fn cst_text(s: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| cst(t.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| s.to_string())
}

/// What the pages say about how fresh the figures are.
fn freshness(state: &AppState, overview: Option<&Overview>) -> String {
    let minutes = (state.config.summary_refresh().as_secs() / 60).max(1);
    let seconds = state.config.touched_refresh().as_secs().max(1);
    let last = *state.summaries_refreshed.lock().expect("refresh time");
    let last = match last {
        Some(t) => format!("最近一次刷新：{}（北京时间）", cst(t)),
        None => "本服务启动后尚未刷新".to_string(),
    };
    let source = match overview {
        Some(o) if o.source == "summary" => format!(
            "本页数字取自汇总（计算于{}（北京时间））。",
            o.computed_at.as_deref().map(cst_text).unwrap_or_default()
        ),
        Some(_) => "本页数字为实时计算。".to_string(),
        None => String::new(),
    };
    format!(
        "数据时效：支部记录会议后，本支部及所在乡镇、县（{}个支部以内）的数字立即更新；更大范围的数字取自汇总，新记录的会议约{seconds}秒内计入，全部汇总每{minutes}分钟重新计算一次，{last}。{source}",
        LIVE_MAX_BRANCHES
    )
}
