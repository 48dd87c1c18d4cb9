//! The scope, role and CSRF sweeps, generated from the route table itself
//! (`jiceng_web::route_table()`, the same calls that build the router): every route is
//! asked, as the table says it is guarded,
//!
//! - without a session: refused (never a success, never a 500);
//! - by every role the permission table refuses: 403 (a member asking for another's
//!   record where it may see its own: 403 or 404);
//! - about a record outside the caller's subtree (`{id}`, `?org=`, or an org in the body):
//!   404, exactly as for a record that does not exist;
//! - as a page form without the session's CSRF token: 403;
//! - and, for reads, by an allowed caller about a record in scope: answered (2xx/3xx), so
//!   the sweep's own samples are right.
//!
//! A route added to the table is swept without anyone listing it. A POST or PUT route
//! needs a sample body below (its required fields); until it has one the sweep fails and
//! says so, because without a body that parses, the checks would never be reached.

mod common;

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{api_client, logged_in, Client, Fixture, Resp, PASSWORD};
use jiceng_app::access::{Action, Role};
use jiceng_app::users::{self, NewUser};
use jiceng_store::contract_test;
use jiceng_store::testing::TestDb;
use jiceng_web::routes::{Guard, RouteInfo, Subject};
use serde_json::{json, Value};

/// The records the sweep asks about: `inside` the T001 users' subtree (B001) and
/// `outside` it (B003, under T002).
struct Ids {
    org: (i64, i64),
    member: (i64, i64),
    /// Another member in B001, for a member's "not your record".
    other_member: i64,
    meeting: (i64, i64),
    position: (i64, i64),
    referral: (Option<i64>, Option<i64>),
    /// A person applying (发展党员) in each town's branch.
    applicant: (i64, i64),
    /// A waiting letter of 组织关系转接 inside T001 (B001 → B002) and one outside it (B003 →
    /// T002).
    transfer: (i64, i64),
    /// A secretary's account in each town (sec-a of B001; sec-out of B003).
    account: (i64, i64),
    /// An attachment of each town's meeting.
    attachment: (i64, i64),
    /// A task each town issued to its branches.
    task: (i64, i64),
    task_file: (i64, i64),
    duty_file: (i64, i64),
    /// An inspection of each town's branch (B001, B003), with one problem.
    inspection: (i64, i64),
    /// A duty report of each town's branch (B001, B003), with one problem.
    duty: (i64, i64),
    /// A 群众诉求 assigned to each town's branch (B001, B003).
    request: (i64, i64),
    /// A 群众满意度测评 of each town's branch (B001, B003), with a batch of tokens.
    survey: (i64, i64),
    /// A 活动场所 of each town's branch (B001, B003).
    venue: (i64, i64),
}

enum Sample {
    Form(Vec<(String, String)>),
    Json(Value),
    Bytes(Vec<u8>),
    /// A multipart upload: its fields (the session's token added) and a file.
    Upload(Vec<(String, String)>, Vec<u8>),
    Empty,
}

/// A sample body for a POST or PUT route that parses, about `org` (the org the body
/// names, where it names one). `None`: the route has no sample yet.
fn sample(r: &RouteInfo, org: i64) -> Option<Sample> {
    let f = |pairs: &[(&str, String)]| {
        Sample::Form(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    };
    let s = |v: &str| v.to_string();
    let path = r.path.as_str();
    if r.is_api() {
        let p = path.trim_start_matches("/api/v1");
        return Some(match (r.method, p) {
            ("POST", "/auth/login") => {
                Sample::Json(json!({"username": "committee", "password": PASSWORD}))
            }
            ("POST", "/auth/logout") => Sample::Empty,
            ("POST", "/scorecard/build") => Sample::Empty,
            ("POST", "/auth/password") => Sample::Json(
                json!({"current_password": "wrong-password-1", "new_password": "Another-pass-2026"}),
            ),
            ("POST", "/imports/{kind}") => Sample::Bytes(common::members_csv().into_bytes()),
            ("POST", "/recruitment/people") => Sample::Json(json!({
                "name": "孙申请", "id_number": common::id_number("2000-04-04", 77),
                "applied_on": "2026-06-01"
            })),
            ("POST", "/recruitment/people/{id}/steps") => {
                Sample::Json(json!({"step": "2", "on": "2026-06-20", "people": "张建国"}))
            }
            ("POST", "/members/{id}/transfer") => Sample::Json(
                json!({"to": org.to_string(), "issued_on": "2026-06-01", "reason": "测试"}),
            ),
            ("POST", "/transfers/{id}/receive") | ("POST", "/transfers/{id}/receipt") => {
                Sample::Json(json!({"on": "2026-06-10"}))
            }
            ("POST", "/transfers/{id}/return") | ("POST", "/transfers/{id}/withdraw") => {
                Sample::Json(json!({"reason": "测试"}))
            }
            ("POST", "/transfers/in") => Sample::Json(arrival_sample()),
            ("POST", "/members/{id}/mobility") => {
                Sample::Json(json!({"action": "lost", "on": "2026-06-01"}))
            }
            ("POST", "/mobility/in") => Sample::Json(json!({
                "name": "周流入", "id_number": common::id_number("1986-06-06", 81),
                "home_org": "某省某县某村党支部", "since": "2026-06-01"
            })),
            ("POST", "/mobility/in/leave") => Sample::Json(json!({"id": 1, "on": "2026-06-10"})),
            ("POST", "/members/{id}/exit") => {
                Sample::Json(json!({"kind": "death", "on": "2026-06-01"}))
            }
            ("POST", "/dues/payments") | ("POST", "/members/{id}/dues/payments") => Sample::Json(
                json!({"member_ids": [], "from_month": "2026-06", "paid_on": "2026-06-10"}),
            ),
            ("POST", "/dues/handover") => {
                Sample::Json(json!({"month": "2026-06", "amount": "10", "handed_on": "2026-06-10"}))
            }
            ("POST", "/members/{id}/dues/base") => {
                Sample::Json(json!({"from_month": "2026-01", "category": "student"}))
            }
            ("POST", "/members/{id}/dues/unpay") => Sample::Json(json!({"month": "2026-06"})),
            ("POST", "/training") => Sample::Json(json!({
                "title": "测试培训", "starts_on": "2026-06-01", "ends_on": "2026-06-01",
                "hours": "2", "mode": "online", "attendees": []
            })),
            ("POST", "/orgs/{id}/staff") => Sample::Json(json!({
                "action": "appoint", "name": "测试", "role": "Organizer", "on": "2026-06-01"
            })),
            ("POST", "/tasks") => Sample::Json(json!({
                "title": "测试任务", "content": "测试", "deadline": "2099-12-31", "preview": true
            })),
            ("POST", "/tasks/{id}/report") => Sample::Json(json!({"progress": "测试"})),
            ("POST", "/tasks/{id}/remind") => Sample::Empty,
            ("POST", "/tasks/{id}/extend") => Sample::Json(json!({"deadline": "2099-12-31"})),
            ("POST", "/tasks/{id}/outcomes") => Sample::Bytes(outcomes_csv().into_bytes()),
            ("POST", "/tasks/{id}/file") | ("POST", "/duty/{id}/file") => {
                Sample::Bytes(b"%PDF-1.4 sample".to_vec())
            }
            ("PUT", "/duty/grading") => Sample::Json(json!({
                "good_min": 90, "fairly_good_min": 75, "average_min": 60, "poor_share_max": 0.3334
            })),
            ("PUT", "/burden/ceilings") => Sample::Json(json!({
                "village_monthly_max": 4, "township_monthly_max": 8, "other_monthly_max": 6
            })),
            ("POST", "/inspections") => Sample::Json(json!({
                "on": "2026-06-01", "inspectors": "王督查", "methods": ["OnSite"], "findings": "测试"
            })),
            ("POST", "/inspections/{id}/fix") => {
                Sample::Json(json!({"seq": 1, "fixed_on": "2026-06-10", "note": "测试"}))
            }
            ("POST", "/duty") => Sample::Json(json!({
                "kind": "Integrity", "year": 2026, "person": "测试", "position": "党支部书记",
                "on": "2026-06-01", "meeting": "党员大会", "report": "测试"
            })),
            ("POST", "/duty/{id}/fix") => {
                Sample::Json(json!({"seq": 1, "fixed_on": "2026-06-10", "note": "测试"}))
            }
            ("POST", "/requests") => Sample::Json(json!({
                "channel": "Visit", "received_on": "2026-06-01", "category": "Infrastructure",
                "content": "测试", "handler": "测试"
            })),
            ("POST", "/requests/{id}/progress") => {
                Sample::Json(json!({"on": "2026-06-10", "note": "测试"}))
            }
            ("POST", "/requests/{id}/resolve") => Sample::Json(json!({
                "resolved_on": "2026-06-10", "result": "测试", "feedback": "Satisfied"
            })),
            ("POST", "/funding") => Sample::Json(json!({
                "year": 2026, "kind": "Operating", "source": "Finance", "amount_yuan": 1000.0
            })),
            ("PUT", "/funding/standards") => Sample::Json(json!({
                "from_year": 2026,
                "standards": [{"domain": "Village", "operating_yuan": 100000.0}]
            })),
            ("POST", "/surveys") => Sample::Json(json!({"period": "2026"})),
            ("PUT", "/surveys/questionnaire") => Sample::Json(json!({
                "from": "2099-01-01",
                "questions": [{"code": "work", "text": "您对党组织的工作是否满意？"}]
            })),
            ("POST", "/disclosure") => Sample::Json(json!({
                "audience": "Public", "kind": "Notice", "title": "测试", "body": "测试",
                "day": "2026-06-01"
            })),
            ("POST", "/disclosure/withdraw") => Sample::Json(json!({"id": 1})),
            ("POST", "/pairing") => Sample::Json(json!({
                "kind": "DepartmentVillage", "partner_name": "测试", "content": "测试",
                "since": "2026-06-01"
            })),
            ("POST", "/pairing/end") => Sample::Json(json!({"id": 1})),
            ("POST", "/surveys/{id}/tokens") => Sample::Json(json!({"count": 2})),
            ("POST", "/surveys/{id}/close") => Sample::Empty,
            ("POST", "/venues") | ("POST", "/venues/{id}") => {
                Sample::Json(json!({"name": "测试场所", "address": "测试地址", "area": 100}))
            }
            ("POST", "/venues/{id}/retire") => Sample::Json(json!({})),
            ("POST", "/remuneration") => {
                Sample::Json(json!({"year": 2025, "amount": 30000, "source": "财政补贴"}))
            }
            ("PUT", "/remuneration/standard") => Sample::Json(json!({
                "from_year": 2026, "village_min_yuan": 36000, "community_min_yuan": 48000
            })),
            ("PUT", "/recruitment/plans") => {
                Sample::Json(json!({"target": 3, "structure": {"women": 1}}))
            }
            ("POST", "/meetings") => Sample::Json(json!({
                "org_id": org, "kind": "支委会", "date": "2026-06-10",
                "topic": "研究近期工作", "expected": 3, "present": 3
            })),
            ("PUT", "/meetings/{id}") => Sample::Json(json!({
                "org_id": org, "kind": "支委会", "date": "2026-06-10",
                "topic": "研究近期工作（更正）", "expected": 3, "present": 3, "reason": "测试"
            })),
            ("POST", "/meetings/{id}/void") => Sample::Json(json!({"reason": "测试"})),
            ("POST", "/members/search") => Sample::Json(json!({"q": "张", "org": org.to_string()})),
            ("PUT", "/members/{id}") => Sample::Json(json!({"name": "张建国", "status": "full"})),
            ("POST", "/members/{id}/id-number") => Sample::Empty,
            ("PUT", "/orgs/{id}") | ("POST", "/orgs/{id}/children") => Sample::Json(json!({
                "name": "测试新支部", "kind": "Branch", "reason": "测试"
            })),
            ("POST", "/orgs/{id}/move") | ("POST", "/orgs/{id}/merge") => {
                Sample::Json(json!({"target": org.to_string(), "reason": "测试"}))
            }
            ("POST", "/orgs/{id}/dissolve") => Sample::Json(json!({"reason": "测试"})),
            ("POST", "/orgs/{id}/events") => Sample::Json(json!({
                "kind": "election", "on": "2026-05-01", "reason": "测试"
            })),
            ("POST", "/positions/{id}/end") => {
                Sample::Json(json!({"on": "2026-06-01", "reason": "测试"}))
            }
            ("POST", "/referrals/{id}/settle") | ("POST", "/referrals/{id}/dismiss") => {
                Sample::Json(json!({"reason": "测试"}))
            }
            ("POST", "/ratings") => Sample::Json(json!({"org": org.to_string(), "year": 2025})),
            ("POST", "/orgs/{id}/rating/adjust") => {
                Sample::Json(json!({"year": 2025, "stars": 3, "reason": "测试"}))
            }
            ("POST", "/orgs/{id}/weak/{decision}") => {
                Sample::Json(json!({"year": 2025, "kind": "Paralysis", "reason": "测试"}))
            }
            ("POST", "/orgs/{id}/rectification/{step}") => {
                Sample::Json(json!({"year": 2025, "text": "测试", "evidence": "测试"}))
            }
            _ => return None,
        });
    }
    Some(match (r.method, path) {
        ("POST", "/login") => f(&[("username", s("committee")), ("password", s(PASSWORD))]),
        ("POST", "/login/2fa") => f(&[("code", s("000000"))]),
        ("POST", "/logout") => f(&[]),
        ("POST", "/account/password") => f(&[
            ("current", s("wrong-password-1")),
            ("new", s("Another-pass-2026")),
            ("confirm", s("Another-pass-2026")),
        ]),
        ("POST", "/account/2fa") => f(&[("code", s("000000"))]),
        ("POST", "/orgs/{id}/new") | ("POST", "/orgs/{id}/edit") => f(&[
            ("name", s("测试新支部")),
            ("kind", s("Branch")),
            ("reason", s("测试")),
        ]),
        ("POST", "/orgs/{id}/move") | ("POST", "/orgs/{id}/merge") => {
            f(&[("target", org.to_string()), ("reason", s("测试"))])
        }
        ("POST", "/orgs/{id}/dissolve") => f(&[("reason", s("测试"))]),
        // Nobody moved: the sweep checks the guard, the scope and the token.
        ("POST", "/orgs/{id}/groups") => f(&[]),
        ("POST", "/tasks/new") => f(&[
            ("title", s("测试任务")),
            ("content", s("测试")),
            ("deadline", s("2099-12-31")),
            ("step", s("preview")),
        ]),
        ("POST", "/tasks/{id}/report") => f(&[("progress", s("测试"))]),
        ("POST", "/tasks/{id}/remind") => f(&[]),
        ("POST", "/tasks/{id}/extend") => f(&[("deadline", s("2099-12-31"))]),
        ("POST", "/tasks/{id}/import") => Sample::Upload(vec![], outcomes_csv().into_bytes()),
        ("POST", "/duty/{id}/file") => Sample::Upload(vec![], b"%PDF-1.4 sample".to_vec()),
        ("POST", "/tasks/{id}/file") => {
            Sample::Upload(vec![(s("field"), s("0"))], b"%PDF-1.4 sample".to_vec())
        }
        ("POST", "/inspections/new") => f(&[
            ("on", s("2026-06-01")),
            ("inspectors", s("王督查")),
            ("methods", s("OnSite")),
            ("findings", s("测试")),
        ]),
        ("POST", "/inspections/{id}/fix" | "/duty/{id}/fix") => f(&[
            ("seq", s("1")),
            ("fixed_on", s("2026-06-10")),
            ("note", s("测试")),
        ]),
        ("POST", "/duty/new") => f(&[
            ("kind", s("Integrity")),
            ("year", s("2026")),
            ("person", s("测试")),
            ("position", s("党支部书记")),
            ("on", s("2026-06-01")),
            ("meeting", s("党员大会")),
            ("report", s("测试")),
        ]),
        ("POST", "/requests/new") => f(&[
            ("channel", s("Visit")),
            ("received_on", s("2026-06-01")),
            ("category", s("Infrastructure")),
            ("content", s("测试")),
            ("handler", s("测试")),
        ]),
        ("POST", "/requests/{id}/progress") => f(&[("on", s("2026-06-10")), ("note", s("测试"))]),
        ("POST", "/requests/{id}/resolve") => f(&[
            ("resolved_on", s("2026-06-10")),
            ("result", s("测试")),
            ("feedback", s("Satisfied")),
        ]),
        ("POST", "/duty/grading") => f(&[
            ("good_min", s("90")),
            ("fairly_good_min", s("75")),
            ("average_min", s("60")),
            ("poor_share", s("33.4")),
        ]),
        ("POST", "/funding/new") => f(&[
            ("year", s("2026")),
            ("kind", s("Operating")),
            ("source", s("Finance")),
            ("amount", s("1000")),
        ]),
        ("POST", "/funding/standards") => {
            f(&[("from_year", s("2026")), ("op_Village", s("100000"))])
        }
        ("POST", "/surveys/new") => f(&[("period", s("2026"))]),
        ("POST", "/surveys/questionnaire") => f(&[
            ("from", s("2099-01-01")),
            ("code_0", s("work")),
            ("text_0", s("您对党组织的工作是否满意？")),
        ]),
        ("POST", "/disclosure/publish") => f(&[
            ("audience", s("Public")),
            ("kind", s("Notice")),
            ("title", s("测试")),
            ("body", s("测试")),
            ("day", s("2026-06-01")),
        ]),
        ("POST", "/disclosure/figure") => f(&[
            ("audience", s("Public")),
            ("figure", s("AdmittedYear")),
            ("year", s("2026")),
        ]),
        ("POST", "/disclosure/withdraw") => f(&[("id", s("1"))]),
        ("POST", "/pairing/new") => f(&[
            ("kind", s("DepartmentVillage")),
            ("partner_name", s("测试")),
            ("content", s("测试")),
            ("since", s("2026-06-01")),
        ]),
        ("POST", "/pairing/end") => f(&[("id", s("1")), ("until", s(""))]),
        ("POST", "/surveys/{id}/tokens") => f(&[("count", s("2"))]),
        ("POST", "/surveys/{id}/close") => f(&[]),
        ("POST", "/venues/new") | ("POST", "/venues/{id}") => f(&[
            ("name", s("测试场所")),
            ("address", s("测试地址")),
            ("facility", s("library")),
        ]),
        ("POST", "/venues/{id}/retire") => f(&[]),
        ("POST", "/remuneration") => f(&[
            ("year", s("2025")),
            ("amount", s("30000")),
            ("source", s("财政补贴")),
        ]),
        ("POST", "/remuneration/standard") => f(&[
            ("from_year", s("2026")),
            ("village_min_yuan", s("36000")),
            ("community_min_yuan", s("48000")),
        ]),
        // The public survey: without its pre-session token, refused before anything is read.
        ("POST", "/s/{token}") => f(&[("q1", s("5")), ("q2", s("5")), ("q3", s("5"))]),
        ("POST", "/burden/ceilings") => {
            f(&[("village", s("4")), ("township", s("8")), ("other", s("6"))])
        }
        // Nothing picked: refused as the form refuses it, after the guard and the token.
        ("POST", "/orgs/{id}/meetings/joint") => f(&[("kind", s("ThemeDay"))]),
        // Nobody ticked: refused after the guard and the token.
        ("POST", "/transfers/batch") => f(&[("to", org.to_string()), ("reason", s("测试"))]),
        ("POST", "/training/new") => f(&[
            ("title", s("测试培训")),
            ("starts_on", s("2026-06-01")),
            ("hours", s("2")),
            ("mode", s("online")),
        ]),
        ("POST", "/orgs/{id}/staff") => f(&[
            ("action", s("appoint")),
            ("name", s("测试")),
            ("role", s("Organizer")),
            ("on", s("2026-06-01")),
        ]),
        ("POST", "/orgs/{id}/event") => f(&[
            ("kind", s("election")),
            ("on", s("2026-05-01")),
            ("reason", s("测试")),
        ]),
        ("POST", "/positions/{pid}/end") => f(&[("on", s("2026-06-01")), ("reason", s("测试"))]),
        // The search answers with a redirect to the roster (an ID number stays out of the
        // URL); the roster it names is what is scoped.
        ("POST", "/members/search") => f(&[("q", s("张"))]),
        ("POST", "/search") => f(&[("q", s("张"))]),
        ("POST", "/members/export-full.xlsx") => f(&[("reason", s("与全国系统核对"))]),
        ("POST", "/members/{id}/reveal") => f(&[]),
        ("POST", "/members/{id}/edit") => f(&[("name", s("张建国")), ("status", s("full"))]),
        ("POST", "/reports/ratings/compute") => f(&[("org", org.to_string()), ("year", s("2025"))]),
        ("POST", "/orgs/{id}/rating/adjust") => f(&[
            ("year", s("2025")),
            ("stars", s("3")),
            ("reason", s("测试")),
        ]),
        ("POST", "/orgs/{id}/weak/decide") => f(&[
            ("year", s("2025")),
            ("kind", s("Paralysis")),
            ("decision", s("confirm")),
            ("reason", s("测试")),
        ]),
        ("POST", "/orgs/{id}/rectification/{step}") => f(&[
            ("year", s("2025")),
            ("text", s("测试")),
            ("evidence", s("测试")),
        ]),
        ("POST", "/referrals/{id}/close") => {
            f(&[("decision", s("dismiss")), ("reason", s("测试"))])
        }
        ("POST", "/orgs/{id}/meetings/new") => f(&[
            ("kind", s("支委会")),
            ("date", s("2026-06-10")),
            ("topic", s("研究近期工作")),
            ("expected", s("3")),
            ("present", s("3")),
        ]),
        ("POST", "/import") => Sample::Upload(
            vec![
                ("kind".into(), "members".into()),
                ("org".into(), org.to_string()),
            ],
            common::members_csv().into_bytes(),
        ),
        ("POST", "/import/confirm") => f(&[("token", s("no-such-upload"))]),
        ("POST", "/recruitment/new") => f(&[
            ("name", s("孙申请")),
            ("id_number", common::id_number("2000-04-04", 78)),
            ("applied_on", s("2026-06-01")),
        ]),
        ("POST", "/recruitment/people/{id}/steps") => f(&[
            ("step", s("2")),
            ("on", s("2026-06-20")),
            ("people", s("张建国")),
        ]),
        ("POST", "/recruitment/plan") => f(&[("target", s("3")), ("women", s("1"))]),
        ("POST", "/members/{id}/transfer") => f(&[
            ("to", org.to_string()),
            ("issued_on", s("2026-06-01")),
            ("reason", s("测试")),
        ]),
        ("POST", "/transfers/{id}/receive") | ("POST", "/transfers/{id}/receipt") => {
            f(&[("on", s("2026-06-10"))])
        }
        ("POST", "/transfers/{id}/return") | ("POST", "/transfers/{id}/withdraw") => {
            f(&[("reason", s("测试"))])
        }
        ("POST", "/members/{id}/exit") => f(&[("kind", s("death")), ("on", s("2026-06-01"))]),
        ("POST", "/members/{id}/mobility") => f(&[("action", s("lost")), ("on", s("2026-06-01"))]),
        ("POST", "/mobility/in") => f(&[
            ("name", s("周流入")),
            ("id_number", common::id_number("1986-06-06", 82)),
            ("home_org", s("某省某县某村党支部")),
            ("since", s("2026-06-01")),
        ]),
        ("POST", "/mobility/in/leave") => f(&[("guest", s("1")), ("on", s("2026-06-10"))]),
        ("POST", "/meetings/{id}/void") => f(&[("reason", s("测试"))]),
        // No grade chosen: refused after the guard, the scope and the token.
        ("POST", "/meetings/{id}/evaluation") => f(&[]),
        ("POST", "/meetings/{id}/attachments/{aid}/delete") => f(&[]),
        ("POST", "/meetings/{id}/attachments") => {
            Sample::Upload(vec![], b"%PDF-1.4 sample".to_vec())
        }
        ("POST", "/accounts/add") => f(&[("username", s("sweep-new")), ("org", org.to_string())]),
        ("POST", "/accounts/{id}/reset")
        | ("POST", "/accounts/{id}/disable")
        | ("POST", "/accounts/{id}/enable")
        | ("POST", "/account/sessions/end") => f(&[]),
        ("POST", "/accounts/{id}/role") => f(&[("role", s("secretary")), ("org", org.to_string())]),
        ("POST", "/accounts/provision") => f(&[("org_1", s("1"))]),
        ("POST", "/reminders/remind") => f(&[]),
        ("POST", "/reports/scorecard/build") => f(&[]),
        ("POST", "/reports/scorecard/hand") => f(&[("score", s("80")), ("reason", s("测试评分"))]),
        ("POST", "/reports/weak/decide") => f(&[
            ("pick", format!("{org}:Paralysis")),
            ("decision", s("confirm")),
            ("reason", s("测试")),
        ]),
        ("POST", "/meetings/{id}/edit") => f(&[
            ("kind", s("CommitteeMeeting")),
            ("date", s("2026-06-10")),
            ("topic", s("研究近期工作（更正）")),
            ("reason", s("测试")),
        ]),
        ("POST", "/dues/pay") | ("POST", "/members/{id}/dues/pay") => f(&[
            ("month", s("2026-06")),
            ("from_month", s("2026-06")),
            ("paid_on", s("2026-06-10")),
        ]),
        ("POST", "/dues/handover") => f(&[
            ("month", s("2026-06")),
            ("amount", s("10")),
            ("handed_on", s("2026-06-10")),
        ]),
        ("POST", "/members/{id}/dues/base") => {
            f(&[("from_month", s("2026-01")), ("category", s("student"))])
        }
        ("POST", "/members/{id}/dues/unpay") => f(&[("month", s("2026-06"))]),
        ("POST", "/transfers/in") => Sample::Form(
            arrival_sample()
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect(),
        ),
        _ => return None,
    })
}

/// A task's outcomes as a workbook of them reads (no row filled in).
fn outcomes_csv() -> String {
    "党组织代码,党组织名称,进展情况,佐证材料,是否完成\n".to_string()
}

/// A letter from outside the system, as the 系统外转入 form and API take it.
fn arrival_sample() -> Value {
    json!({
        "name": "钱转入", "id_number": common::id_number("1985-05-05", 79), "status": "正式党员",
        "joined_on": "2010-07-01", "from_name": "某部队党委", "letter_no": "军转2026-1",
        "issued_on": "2026-06-01", "received_on": "2026-06-10"
    })
}

/// The path with its parameters filled: the subject's record `inside` or outside the
/// T001 users' subtree, and fixed values for the other parameters.
fn fill(r: &RouteInfo, ids: &Ids, inside: bool) -> Option<String> {
    let pick = |p: (i64, i64)| if inside { p.0 } else { p.1 };
    let subject = match r.subject {
        Subject::Org | Subject::QueryOrg | Subject::None => pick(ids.org),
        Subject::Member => pick(ids.member),
        Subject::Meeting => pick(ids.meeting),
        Subject::Position => pick(ids.position),
        Subject::Referral => {
            (if inside {
                ids.referral.0
            } else {
                ids.referral.1
            })?
        }
        Subject::Upload => 0,
        Subject::Applicant => pick(ids.applicant),
        Subject::Transfer => pick(ids.transfer),
        Subject::Account => pick(ids.account),
        Subject::Task => pick(ids.task),
        Subject::Inspection => pick(ids.inspection),
        Subject::Duty => pick(ids.duty),
        Subject::Request => pick(ids.request),
        Subject::Survey => pick(ids.survey),
        Subject::Venue => pick(ids.venue),
    };
    let mut path = r.path.clone();
    for (param, value) in [
        ("{id}", subject.to_string()),
        ("{pid}", subject.to_string()),
        ("{aid}", pick(ids.attachment).to_string()),
        (
            "{fid}",
            if r.subject == Subject::Duty {
                pick(ids.duty_file)
            } else {
                pick(ids.task_file)
            }
            .to_string(),
        ),
        ("{kind}", kind_sample(&r.path).to_string()),
        ("{decision}", "confirm".to_string()),
        ("{step}", "progress".to_string()),
        ("{token}", "no-such-upload".to_string()),
        ("{key}", "no-such-key".to_string()),
        ("{batch}", "1".to_string()),
    ] {
        path = path.replace(param, &value);
    }
    assert!(
        !path.contains('{'),
        "{} {}: the sweep has no sample for a parameter of this path; add one to `fill`",
        r.method,
        r.path
    );
    if r.subject == Subject::QueryOrg {
        path.push_str(&format!("?org={}", pick(ids.org)));
    }
    Some(path)
}

fn kind_sample(path: &str) -> &'static str {
    if path.contains("/imports/") || path.contains("/import/template/") {
        "members"
    } else if path.contains("/documents/") {
        // A document the swept person's records hold (① is always recorded); one whose
        // facts are missing answers 400, which the sweep counts as answered.
        "candidate-notice"
    } else {
        "structure"
    }
}

async fn ask(c: &mut Client, r: &RouteInfo, path: &str, body: Option<&Sample>, csrf: &str) -> Resp {
    let mut req = Request::builder().method(r.method).uri(path);
    let body = match body {
        None | Some(Sample::Empty) => Body::empty(),
        Some(Sample::Form(pairs)) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            let mut all: Vec<(String, String)> = pairs.clone();
            all.push(("csrf".into(), csrf.to_string()));
            Body::from(
                all.iter()
                    .map(|(k, v)| format!("{}={}", common::enc(k), common::enc(v)))
                    .collect::<Vec<_>>()
                    .join("&"),
            )
        }
        Some(Sample::Json(v)) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        Some(Sample::Upload(fields, file)) => {
            let boundary = "----jicengsweepboundary";
            req = req.header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
            let mut body = Vec::new();
            let mut all = fields.clone();
            all.push(("csrf".into(), csrf.to_string()));
            for (k, v) in all {
                body.extend_from_slice(
                    format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                        .as_bytes(),
                );
            }
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"members.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(file);
            body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            Body::from(body)
        }
        Some(Sample::Bytes(b)) => {
            req = req.header(header::CONTENT_TYPE, "application/octet-stream");
            Body::from(b.clone())
        }
    };
    c.send(req.body(body).unwrap()).await
}

/// The fixture's users by role (bound to C001, T001 or B001; see `common::fixture`),
/// plus a department user of T001 for the actions a committee may not do.
const USERS: [(&str, Role); 8] = [
    ("admin", Role::Admin),
    ("dept", Role::Department),
    ("committee", Role::Committee),
    ("sec-a", Role::Secretary),
    ("inspector", Role::Inspector),
    ("member", Role::Member),
    ("auditor", Role::Auditor),
    ("security", Role::Security),
];

/// A user of T001 (so that B003 is outside) whose role may do `action`.
fn scoped_user(action: Action) -> &'static str {
    if Role::Committee.may(action) {
        "committee"
    } else if Role::Department.may(action) {
        "dept-t"
    } else if Role::Admin.may(action) {
        "admin-t"
    } else if Role::Security.may(action) {
        "security-t"
    } else {
        "auditor-t"
    }
}

/// The users of T001 the sweep adds to the fixture's, for `scoped_user`.
const T001_USERS: [(&str, Role); 4] = [
    ("dept-t", Role::Department),
    ("auditor-t", Role::Auditor),
    ("admin-t", Role::Admin),
    ("security-t", Role::Security),
];

async fn setup(db: &TestDb) -> (Fixture, Ids) {
    let f = common::fixture(db).await;
    let system = jiceng_app::access::Actor::system();
    let mut accounts = vec![];
    for (name, role, org) in T001_USERS.iter().map(|(n, r)| (*n, *r, "T001")).chain([(
        "sec-out",
        Role::Secretary,
        "B003",
    )]) {
        let u = users::add_user(
            &f.app,
            &system,
            NewUser {
                username: name.into(),
                password: PASSWORD.into(),
                role,
                org: Some(org.into()),
                member_id: None,
                display_name: None,
                must_change: false,
            },
        )
        .await
        .unwrap();
        if role == Role::Secretary {
            accounts.push(u.id);
            continue;
        }
        jiceng_app::totp::enrol_for(&f.app, &system, name)
            .await
            .unwrap();
    }
    let listed = users::list_users(&f.app, &system.grant().unwrap())
        .await
        .unwrap();
    let sec_a = listed.iter().find(|u| u.username == "sec-a").unwrap().id;
    // A meeting in each town's branch, recorded as a user would (the API).
    let mut admin = api_client(&f.app, "admin").await;
    let meeting = |org: i64| {
        // Combined with a 民主评议党员, so that its grades' page has a meeting to show.
        json!({"org_id": org, "kind": "支委会暨民主评议党员", "date": "2026-06-05",
               "topic": "研究近期工作", "expected": 3, "present": 3})
    };
    let mut meetings = vec![];
    for org in [f.orgs["B001"], f.orgs["B003"]] {
        let r = admin.post_json("/api/v1/meetings", meeting(org)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        meetings.push(r.json()["id"].as_i64().unwrap());
    }
    // A photo of each meeting's sign-in sheet.
    let recorder = jiceng_app::access::Actor::for_test(0, "admin", Role::Admin)
        .grant::<jiceng_app::access::RecordLife>()
        .unwrap();
    let mut attachments = vec![];
    for m in &meetings {
        let a = jiceng_app::meetings::attachments::add(
            &f.app,
            &recorder,
            *m,
            "签到表.png",
            b"\x89PNG\r\n\x1a\nsample",
        )
        .await
        .unwrap();
        attachments.push(a.id);
    }
    let position = |name: &str| {
        let app = f.app.clone();
        let id = f.members[name];
        async move {
            let mut conn = app.store().acquire().await.unwrap();
            let row: (i64,) = sqlx::query_as("SELECT id FROM position WHERE member_id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            row.0
        }
    };
    // A person applying in each town's branch, registered as a user would (the API).
    let mut applicants = vec![];
    for (org, seq) in [(f.orgs["B001"], 71), (f.orgs["B003"], 72)] {
        let body = json!({"name": "周申请", "id_number": common::id_number("1999-09-09", seq),
                          "applied_on": "2026-05-04"});
        let r = admin
            .post_json(&format!("/api/v1/recruitment/people?org={org}"), body)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        applicants.push(r.json()["id"].as_i64().unwrap());
    }
    // The one inside the subtree is a 发展对象 with a 公示, so that its documents can be
    // generated (the document routes are reads the sweep expects answered).
    for step in [
        json!({"step": "2", "on": "2026-05-10"}),
        json!({"step": "3", "on": "2026-05-20"}),
        json!({"step": "5", "on": "2026-05-20", "people": "王培养，李联系"}),
        json!({"step": "7", "on": "2026-06-01", "notice_from": "2026-05-25", "notice_to": "2026-05-31"}),
    ] {
        let path = format!("/api/v1/recruitment/people/{}/steps", applicants[0]);
        let r = admin.post_json(&path, step).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    // A waiting letter in each town: B001 → B002 inside T001, B003 → T002 outside it.
    let mut transfers = vec![];
    for (member, to) in [("王伟", "B002"), ("吴刚", "T002")] {
        let body =
            json!({"to": f.orgs[to].to_string(), "issued_on": "2026-06-01", "reason": "工作调动"});
        let r = admin
            .post_json(
                &format!("/api/v1/members/{}/transfer", f.members[member]),
                body,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        transfers.push(r.json()["id"].as_i64().unwrap());
    }
    // A task each town issued to its branches (T001's reaches B001 and B002).
    let mut task_ids = vec![];
    for town in ["T001", "T002"] {
        let dept = jiceng_app::access::Actor::for_test(0, "dept", Role::Department);
        let org = jiceng_app::access::resolve(
            &f.app,
            &dept,
            &jiceng_app::access::OrgKey::Key(town.into()),
        )
        .await
        .unwrap();
        let draft = jiceng_app::tasks::Draft {
            title: "党员信息核对".into(),
            content: "请核对本支部党员信息".into(),
            deadline: Some(f.app.today() + chrono::Duration::days(10)),
            fields: vec![jiceng_domain::task::FieldDraft {
                label: "核对表（扫描件）".into(),
                kind: Some(jiceng_domain::task::AnswerKind::File),
                held: None,
                ask_anyway: false,
            }],
            ..Default::default()
        };
        let done = jiceng_app::tasks::issue(&f.app, &dept.grant().unwrap(), &org, &draft, None)
            .await
            .unwrap();
        task_ids.push(done.id);
    }
    // A branch's file for each task (B001's inside T001, B003's outside it).
    let mut task_files = vec![];
    for (task, branch) in task_ids.iter().zip(["B001", "B003"]) {
        let admin = jiceng_app::access::Actor::for_test(0, "dept", Role::Department);
        let org = jiceng_app::access::resolve(
            &f.app,
            &admin,
            &jiceng_app::access::OrgKey::Key(branch.into()),
        )
        .await
        .unwrap();
        let file = jiceng_app::tasks::files::upload(
            &f.app,
            &admin.grant().unwrap(),
            &org,
            *task,
            Some(0),
            "核对表.pdf",
            b"%PDF-1.4 sample",
        )
        .await
        .unwrap();
        task_files.push(file.id);
    }
    let mut inspection_ids = vec![];
    for branch in ["B001", "B003"] {
        let dept = jiceng_app::access::Actor::for_test(0, "dept", Role::Department);
        let org = jiceng_app::access::resolve(
            &f.app,
            &dept,
            &jiceng_app::access::OrgKey::Key(branch.into()),
        )
        .await
        .unwrap();
        let today = f.app.today();
        let draft = jiceng_domain::inspection::InspectionDraft {
            on: Some(today),
            inspectors: "王督查".into(),
            methods: vec![jiceng_domain::inspection::Method::Records],
            findings: "记录不全".into(),
            problems: vec![jiceng_domain::inspection::ProblemDraft {
                description: "支委会记录缺页".into(),
                owner: "支部书记".into(),
                deadline: Some(today + chrono::Duration::days(10)),
            }],
        };
        let id =
            jiceng_app::inspections::record(&f.app, &dept.grant().unwrap(), &org, None, &draft)
                .await
                .unwrap();
        inspection_ids.push(id);
    }
    let mut duty_ids = vec![];
    let mut duty_files = vec![];
    for branch in ["B001", "B003"] {
        let dept = jiceng_app::access::Actor::for_test(0, "dept", Role::Department);
        let org = jiceng_app::access::resolve(
            &f.app,
            &dept,
            &jiceng_app::access::OrgKey::Key(branch.into()),
        )
        .await
        .unwrap();
        let today = f.app.today();
        let draft = jiceng_domain::duty::DutyDraft {
            year: Some(chrono::Datelike::year(&today)),
            person: "测试书记".into(),
            position: "党支部书记".into(),
            on: Some(today),
            meeting: "党员大会".into(),
            report: "述职".into(),
            votes: jiceng_domain::duty::Votes {
                good: 5,
                ..Default::default()
            },
            problems: vec![jiceng_domain::inspection::ProblemDraft {
                description: "发展党员滞后".into(),
                owner: "支部书记".into(),
                deadline: Some(today + chrono::Duration::days(10)),
            }],
            ..jiceng_domain::duty::DutyDraft::new(jiceng_domain::duty::DutyKind::Duty)
        };
        let id = jiceng_app::duties::record(&f.app, &dept.grant().unwrap(), &org, &draft)
            .await
            .unwrap();
        duty_ids.push(id);
        let file = jiceng_app::duties::attach(
            &f.app,
            &dept.grant().unwrap(),
            &org,
            id,
            "述职报告.pdf",
            b"%PDF-1.4 sample",
        )
        .await
        .unwrap();
        duty_files.push(file.id);
    }
    let mut request_ids = vec![];
    for branch in ["B001", "B003"] {
        let dept = jiceng_app::access::Actor::for_test(0, "dept", Role::Department);
        let org = jiceng_app::access::resolve(
            &f.app,
            &dept,
            &jiceng_app::access::OrgKey::Key(branch.into()),
        )
        .await
        .unwrap();
        let new = jiceng_app::mass_requests::NewRequest {
            draft: jiceng_domain::mass_request::RequestDraft {
                channel: Some(jiceng_domain::mass_request::Channel::Visit),
                received_on: Some(f.app.today() - chrono::Duration::days(29)),
                category: Some(jiceng_domain::mass_request::Category::Infrastructure),
                content: "路灯损坏".into(),
                handler: "支部书记".into(),
                requester_name: String::new(),
            },
            ..Default::default()
        };
        let id = jiceng_app::mass_requests::record(&f.app, &dept.grant().unwrap(), &org, &new)
            .await
            .unwrap();
        request_ids.push(id);
    }
    let mut survey_ids = vec![];
    for branch in ["B001", "B003"] {
        let dept = jiceng_app::access::Actor::for_test(0, "dept", Role::Department);
        let org = jiceng_app::access::resolve(
            &f.app,
            &dept,
            &jiceng_app::access::OrgKey::Key(branch.into()),
        )
        .await
        .unwrap();
        let year = chrono::Datelike::year(&f.app.today()).to_string();
        let grant = dept.grant().unwrap();
        let id = jiceng_app::surveys::open(&f.app, &grant, &org, &year)
            .await
            .unwrap();
        jiceng_app::surveys::issue(&f.app, &grant, &org, id, Some(3))
            .await
            .unwrap();
        survey_ids.push(id);
    }
    let mut venue_ids = vec![];
    for branch in ["B001", "B003"] {
        let dept = jiceng_app::access::Actor::for_test(0, "dept", Role::Department);
        let org = jiceng_app::access::resolve(
            &f.app,
            &dept,
            &jiceng_app::access::OrgKey::Key(branch.into()),
        )
        .await
        .unwrap();
        let form = jiceng_app::venues::VenueForm {
            name: format!("{branch}党员活动室"),
            address: "村委会".into(),
            opened_on: Some(f.app.today() - chrono::Duration::days(400)),
            ..Default::default()
        };
        let id = jiceng_app::venues::record(&f.app, &dept.grant().unwrap(), &org, &form)
            .await
            .unwrap();
        venue_ids.push(id);
    }
    let ids = Ids {
        org: (f.orgs["B001"], f.orgs["B003"]),
        member: (f.members["张建国"], f.members["周丽"]),
        other_member: f.members["李秀英"],
        meeting: (meetings[0], meetings[1]),
        position: (position("张建国").await, position("周丽").await),
        referral: (None, None),
        applicant: (applicants[0], applicants[1]),
        transfer: (transfers[0], transfers[1]),
        account: (sec_a, accounts[0]),
        attachment: (attachments[0], attachments[1]),
        task: (task_ids[0], task_ids[1]),
        task_file: (task_files[0], task_files[1]),
        duty_file: (duty_files[0], duty_files[1]),
        inspection: (inspection_ids[0], inspection_ids[1]),
        duty: (duty_ids[0], duty_ids[1]),
        request: (request_ids[0], request_ids[1]),
        survey: (survey_ids[0], survey_ids[1]),
        venue: (venue_ids[0], venue_ids[1]),
    };
    (f, ids)
}

/// Every user of the sweep signed in twice: a page session with its CSRF token, and an API
/// token.
struct SignedIn {
    pages: HashMap<&'static str, (Client, String)>,
    apis: HashMap<&'static str, Client>,
}

impl SignedIn {
    async fn all(f: &Fixture) -> SignedIn {
        let mut pages = HashMap::new();
        let mut apis = HashMap::new();
        for name in USERS.iter().map(|u| u.0).chain(T001_USERS.map(|u| u.0)) {
            let mut c = logged_in(&f.app, name).await;
            let csrf = c.csrf().await;
            pages.insert(name, (c, csrf));
            apis.insert(name, api_client(&f.app, name).await);
        }
        SignedIn { pages, apis }
    }

    /// `r` asked by `user`: with its API token, or in its page session with that session's
    /// CSRF token.
    async fn ask(&mut self, user: &str, r: &RouteInfo, path: &str, body: Option<&Sample>) -> Resp {
        if r.is_api() {
            return ask(self.apis.get_mut(user).unwrap(), r, path, body, "").await;
        }
        let (c, csrf) = self.pages.get_mut(user).unwrap();
        let csrf = csrf.clone();
        ask(c, r, path, body, &csrf).await
    }
}

contract_test!(
    every_route_is_swept_for_scope_role_and_csrf,
    |db: TestDb| async move {
        let (f, ids) = setup(&db).await;
        let table = jiceng_web::route_table();
        assert!(table.len() > 60, "the route table lists every route");
        let mut users = SignedIn::all(&f).await;
        let mut failures: Vec<String> = vec![];
        let mut missing: Vec<String> = vec![];
        let mut checked = 0;
        for r in &table {
            let writes = r.method != "GET";
            let body_in = if writes {
                match sample(r, ids.org.0) {
                    Some(b) => Some(b),
                    None => {
                        missing.push(format!("{} {}", r.method, r.path));
                        continue;
                    }
                }
            } else {
                None
            };
            let Some(inside) = fill(r, &ids, true) else {
                continue;
            };
            let label = format!("{} {}", r.method, r.path);
            // Without a session.
            if r.guard != Guard::Public {
                let mut anon = Client::new(&f.app);
                let resp = ask(&mut anon, r, &inside, body_in.as_ref(), "").await;
                if resp.status.is_success() || resp.status.is_server_error() {
                    failures.push(format!(
                        "{label}: without a session answered {}",
                        resp.status
                    ));
                }
            }
            // A page form without the session's token (the login forms: without theirs).
            if writes && !r.is_api() {
                let user = r.guard.action().map(scoped_user).unwrap_or("committee");
                let resp = if r.guard == Guard::Public {
                    ask(
                        &mut Client::new(&f.app),
                        r,
                        &inside,
                        body_in.as_ref(),
                        "not-the-token",
                    )
                    .await
                } else {
                    let (c, _) = users.pages.get_mut(user).unwrap();
                    ask(c, r, &inside, body_in.as_ref(), "not-the-token").await
                };
                if resp.status != StatusCode::FORBIDDEN {
                    failures.push(format!(
                        "{label}: a form without the session's CSRF token answered {}",
                        resp.status
                    ));
                }
            }
            let Some(action) = r.guard.action() else {
                checked += 1;
                continue;
            };
            // Every role the table refuses.
            for (name, role) in USERS {
                if role.may(action) {
                    continue;
                }
                let self_ok = matches!(r.guard, Guard::MayOrSelf(_)) && role == Role::Member;
                let path = if self_ok && r.subject == Subject::Member {
                    inside.replace(&ids.member.0.to_string(), &ids.other_member.to_string())
                } else {
                    inside.clone()
                };
                if self_ok && r.subject != Subject::Member {
                    continue; // the member's own list: narrowed, not refused
                }
                let resp = users.ask(name, r, &path, body_in.as_ref()).await;
                // Someone else's upload, or another member's record, is not found.
                let not_theirs = self_ok || r.subject == Subject::Upload;
                let ok = resp.status == StatusCode::FORBIDDEN
                    || (not_theirs && resp.status == StatusCode::NOT_FOUND);
                if !ok {
                    failures.push(format!(
                        "{label}: {} ({role:?}) answered {} instead of 403: {}",
                        name,
                        resp.status,
                        resp.text().chars().take(120).collect::<String>()
                    ));
                }
            }
            // Outside the subtree.
            let user = scoped_user(action);
            let scoped = r.subject != Subject::Upload
                && (r.subject != Subject::None
                    || matches!(&body_in, Some(Sample::Json(v)) if v.to_string().contains("\"org"))
                    || matches!(&body_in, Some(Sample::Form(p)) if p.iter().any(|(k, _)| k == "org")));
            if scoped {
                if let Some(outside) = fill(r, &ids, false) {
                    let body_out = if writes { sample(r, ids.org.1) } else { None };
                    let resp = users.ask(user, r, &outside, body_out.as_ref()).await;
                    if resp.status != StatusCode::NOT_FOUND {
                        failures.push(format!(
                        "{label}: {user} asking about a record outside its subtree ({outside}) answered {} instead of 404: {}",
                        resp.status,
                        resp.text().chars().take(120).collect::<String>()
                    ));
                    }
                }
            }
            // And the sweep's own samples: an allowed read in scope is answered (but a
            // rectification case exists only once a weakness is confirmed).
            let nothing_yet = r.path.ends_with("/orgs/{id}/rectification");
            if !writes && r.subject != Subject::Upload && !nothing_yet {
                let resp = users.ask(user, r, &inside, None).await;
                if !(resp.status.is_success() || resp.status.is_redirection()) {
                    failures.push(format!(
                        "{label}: {user} reading {inside} in its scope answered {}: {}",
                        resp.status,
                        resp.text().chars().take(120).collect::<String>()
                    ));
                }
            }
            checked += 1;
        }
        // A write guarded by a session alone is one of the account's own (its password, its
        // second factor, logging out); any other write must name its action in the table.
        let own_account = [
            "/logout",
            "/account/password",
            "/account/2fa",
            "/account/sessions/end",
            "/api/v1/auth/logout",
            "/api/v1/auth/password",
        ];
        for r in &table {
            if r.method != "GET"
                && r.guard == Guard::Session
                && !own_account.contains(&r.path.as_str())
            {
                failures.push(format!(
                    "{} {}: a write guarded only by a session; give it its action (Guard::May)",
                    r.method, r.path
                ));
            }
        }
        assert!(
        missing.is_empty(),
        "these routes write but the sweep has no sample body for them (add one to `sample`): {missing:#?}"
    );
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert!(checked > 40, "only {checked} routes were checked");
    }
);

/// The API's route table and the OpenAPI document list the same routes, both ways (the
/// document may spell a `{step}` route out once per step).
#[test]
fn the_api_table_and_the_openapi_document_agree() {
    fn matches(pattern: &str, path: &str) -> bool {
        let (p, q): (Vec<&str>, Vec<&str>) =
            (pattern.split('/').collect(), path.split('/').collect());
        p.len() == q.len() && p.iter().zip(&q).all(|(a, b)| a == b || a.starts_with('{'))
    }
    let routed: Vec<(String, String)> = jiceng_web::route_table()
        .into_iter()
        .filter(|r| r.is_api())
        .map(|r| {
            (
                r.method.to_lowercase(),
                r.path.trim_start_matches("/api/v1").to_string(),
            )
        })
        .collect();
    let documented: Vec<(String, String)> = jiceng_web::openapi::ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let undocumented: Vec<_> = routed
        .iter()
        .filter(|(m, p)| !documented.iter().any(|(n, q)| n == m && matches(p, q)))
        .collect();
    let unrouted: Vec<_> = documented
        .iter()
        .filter(|(n, q)| !routed.iter().any(|(m, p)| n == m && matches(p, q)))
        .collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "routed but not documented: {undocumented:?}; documented but not routed: {unrouted:?}"
    );
}

/// `docs/PERMISSIONS.md` is the permission table and the route table as the code has them.
#[test]
fn the_permission_doc_is_printed_from_the_code() {
    let generated = jiceng_web::routes::permissions_doc(&jiceng_web::route_table());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/PERMISSIONS.md");
    if std::env::var("JICENG_UPDATE_DOCS").as_deref() == Ok("1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/PERMISSIONS.md differs from the code; regenerate with JICENG_UPDATE_DOCS=1 cargo test -p jiceng-web --test sweep"
    );
}
