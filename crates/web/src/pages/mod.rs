//! The pages: login, the dashboard, orgs, members, units, reports, imports, the audit
//! log. Each handler resolves the user from the session cookie, calls the same use case
//! the API calls, and renders an askama template.

mod account;
mod accounts;
mod analysis;
mod audit;
mod common;
pub(crate) mod dashboard;
mod dues;
pub(crate) mod duty;
mod funding;
mod groups;
pub mod import;
mod inspections;
mod life;
mod listing;
mod login;
mod member_exit;
mod members;
mod mobility;
mod orgs;
mod rating;
mod recruitment;
pub(crate) mod rectification;
pub(crate) mod referrals;

pub use listing::{opt_i64, urlencode, Pager};
pub(crate) use login::login_refused;
use login::{login_page, refuse_login_form, signed_in};
pub(crate) use members::looks_like_id_number;
pub(crate) mod disclosure;
pub(crate) mod pairing;
mod paper;
mod questionnaire;
mod refusal;
mod reports;
pub(crate) mod requests;
mod scorecard;
mod search;
pub(crate) mod small_upload;
pub(crate) mod surveys;
mod tasks;
mod training;
mod transfer_batch;
mod transfers;
mod units;
pub(crate) mod venues;
mod weak;

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use jiceng_app::access::{Action, Role};
use serde::Deserialize;

use crate::error::PageError;
use crate::routes::Routes;
use crate::session::User;

pub fn routes() -> Routes {
    Routes::new()
        .merge(dashboard::routes())
        .merge(login::routes())
        .merge(audit::routes())
        .merge(account::routes())
        .merge(accounts::routes())
        .merge(orgs::routes())
        .merge(members::routes())
        .merge(groups::routes())
        .merge(member_exit::routes())
        .merge(mobility::routes())
        .merge(dues::routes())
        .merge(units::routes())
        .merge(search::routes())
        .merge(paper::routes())
        .merge(analysis::routes())
        .merge(reports::routes())
        .merge(scorecard::routes())
        .merge(rating::routes())
        .merge(weak::routes())
        .merge(rectification::routes())
        .merge(referrals::routes())
        .merge(life::routes())
        .merge(recruitment::routes())
        .merge(transfers::routes())
        .merge(transfer_batch::routes())
        .merge(training::routes())
        .merge(tasks::routes())
        .merge(inspections::routes())
        .merge(duty::routes())
        .merge(requests::routes())
        .merge(funding::routes())
        .merge(surveys::routes())
        .merge(questionnaire::routes())
        .merge(venues::routes())
        .merge(disclosure::routes())
        .merge(pairing::routes())
        .merge(import::routes())
}

/// What the layout needs: who is logged in, their CSRF token, which links to show.
pub struct Nav {
    pub username: String,
    pub role: String,
    pub csrf: String,
    pub is_member: bool,
    pub member_id: Option<i64>,
    pub can_write: bool,
    pub can_audit: bool,
    /// The department and committees handle import referrals (`/referrals`).
    pub can_refer: bool,
    /// The accounts the user keeps (`/accounts`): administrators and the department.
    pub can_accounts: bool,
    /// The home org's reminders, when counted lately (the header's 提醒 link).
    pub reminders: Option<usize>,
    /// Whether the role reads business data (not the security administrator, not the
    /// auditor): the business links are shown only then.
    pub reads_data: bool,
    /// The task the page belongs to (the navigation marks it and shows its pages).
    pub section: Section,
    /// Generated data: the footer says the people are invented.
    pub synthetic: bool,
}

/// The navigation by task: each page belongs to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Life,
    Rating,
    Weak,
    Tasks,
    Members,
    Orgs,
    Reports,
    Manage,
    Account,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Home => "home",
            Section::Life => "life",
            Section::Rating => "rating",
            Section::Weak => "weak",
            Section::Tasks => "tasks",
            Section::Members => "members",
            Section::Orgs => "orgs",
            Section::Reports => "reports",
            Section::Manage => "manage",
            Section::Account => "account",
        }
    }

    /// The section of a page, by its path.
    pub fn of(path: &str) -> Section {
        let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let under_org = |tails: &[&str]| {
            seg.first() == Some(&"orgs") && seg.get(2).is_some_and(|t| tails.contains(t))
        };
        match (seg[0], seg.get(1).copied().unwrap_or("")) {
            ("", _) => Section::Home,
            ("life" | "meetings", _) | ("reports", "compliance") => Section::Life,
            _ if under_org(&["life", "due", "meetings"]) => Section::Life,
            ("reports", "ratings") => Section::Rating,
            _ if under_org(&["rating"]) => Section::Rating,
            ("reports", "weak" | "rectification") => Section::Weak,
            _ if under_org(&["weak", "rectification"]) => Section::Weak,
            (
                "tasks" | "burden" | "inspections" | "duty" | "requests" | "surveys" | "venues"
                | "remuneration",
                _,
            ) => Section::Tasks,
            ("members" | "recruitment" | "transfers" | "mobility" | "dues" | "training", _) => {
                Section::Members
            }
            ("orgs" | "units", _) => Section::Orgs,
            ("reports", _) => Section::Reports,
            ("import" | "referrals" | "accounts" | "audit" | "manage", _) => Section::Manage,
            ("account", _) => Section::Account,
            _ => Section::Home,
        }
    }
}

impl Nav {
    pub fn of(user: &User) -> Nav {
        let a = &user.actor;
        Nav {
            username: a.username().to_string(),
            role: a.role().label().to_string(),
            csrf: user.csrf.clone(),
            is_member: a.role() == Role::Member,
            member_id: a.member_id(),
            can_write: a.may(Action::Write),
            can_refer: jiceng_app::referral::can_handle(a),
            can_accounts: a.may(Action::ListAccounts),
            reminders: user.reminders,
            section: Section::of(&user.path),
            synthetic: user.synthetic,
            can_audit: jiceng_app::audit::may_read(a),
            reads_data: a.role().reads_data(),
        }
    }
}

impl Nav {
    /// Whether the page is in the section `name` (the template marks its link).
    pub fn at(&self, name: &str) -> bool {
        self.section.name() == name
    }

    /// The class of the section's link: `current` when the page is in it.
    pub fn cls(&self, name: &str) -> &'static str {
        if self.at(name) {
            "current"
        } else {
            ""
        }
    }

    /// Whether the 管理 section has anything for this user.
    pub fn manages(&self) -> bool {
        self.can_write || self.can_refer || self.can_accounts || self.can_audit
    }
}

/// `?done=`: what the form before did (the page shows its notice).
#[derive(Deserialize)]
pub struct DoneParam {
    pub done: Option<String>,
}

/// The redirect after a form that worked: back to `path` (which carries its `?org=`) with
/// the notice `note` for the page to show (`&done=`).
pub fn done_redirect(path: &str, note: &str) -> Response {
    let to = format!("{path}&done={}", urlencode(note));
    axum::response::Redirect::to(&to).into_response()
}

/// Renders a template as an HTML response.
pub fn html<T: Template>(t: &T) -> Result<Response, PageError> {
    let body = t.render()?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

/// Renders a template as an HTML response with `status`.
pub fn html_status<T: Template>(status: StatusCode, t: &T) -> Result<Response, PageError> {
    let mut resp = html(t)?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// An .xlsx download.
pub fn xlsx(name: &str, bytes: Vec<u8>) -> Response {
    download(
        name,
        "export.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    )
}

/// A .docx download.
pub fn docx(name: &str, bytes: Vec<u8>) -> Response {
    download(
        name,
        "document.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        bytes,
    )
}

/// A stored file to show in the browser (a photo, a PDF) or, for any other kind, to save.
pub fn stored_file(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let inline = content_type.starts_with("image/") || content_type == "application/pdf";
    let disposition = if inline { "inline" } else { "attachment" };
    send_file(disposition, name, "attachment", content_type, bytes)
}

/// A file to download: its name (UTF-8, RFC 5987), a plain ASCII name for old clients.
fn download(name: &str, ascii: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    send_file("attachment", name, ascii, content_type, bytes)
}

/// A file answered with `disposition` (inline: shown; attachment: saved) and its name.
fn send_file(
    disposition: &str,
    name: &str,
    ascii: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::Section;

    #[test]
    fn every_page_belongs_to_its_task() {
        for (path, s) in [
            ("/", Section::Home),
            ("/life", Section::Life),
            ("/orgs/12/life", Section::Life),
            ("/orgs/12/due", Section::Life),
            ("/orgs/12/meetings/new", Section::Life),
            ("/meetings/5/edit", Section::Life),
            ("/reports/compliance", Section::Life),
            ("/reports/ratings", Section::Rating),
            ("/orgs/12/rating", Section::Rating),
            ("/reports/weak", Section::Weak),
            ("/orgs/12/rectification", Section::Weak),
            ("/members/3", Section::Members),
            ("/transfers/in", Section::Members),
            ("/dues", Section::Members),
            ("/orgs/12", Section::Orgs),
            ("/orgs/12/edit", Section::Orgs),
            ("/units", Section::Orgs),
            ("/reports/structure", Section::Reports),
            ("/reports/dues", Section::Reports),
            ("/accounts/provision", Section::Manage),
            ("/audit", Section::Manage),
            ("/account/password", Section::Account),
        ] {
            assert_eq!(Section::of(path), s, "{path}");
        }
    }
}
