//! Fixtures for the web tests: a small county imported from CSV files the way a user
//! would, one user per role, and an in-process client that keeps cookies.
#![allow(dead_code)]

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use chrono::NaiveDate;
use http_body_util::BodyExt;
use jiceng_app::access::{Actor, Role};
use jiceng_app::import::{self, ImportOptions, NoProgress};
use jiceng_app::users::{self, NewUser};
use jiceng_app::{App, Crypto};
use jiceng_domain::IdNumber;
use jiceng_store::testing::TestDb;
use jiceng_store::Scope;
use tower::ServiceExt;

pub const TODAY: &str = "2026-06-30";
pub const PASSWORD: &str = "test-password-1";

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn app(db: &TestDb) -> App {
    let mut app = App::new(db.store.clone(), Crypto::from_key(&[7u8; 32]));
    app.fixed_today = Some(d(TODAY));
    app
}

#[path = "../../../app/tests/common/dir.rs"]
mod dir;
pub use dir::Dir;
pub mod recruitment;

pub const ORGS_CSV: &str = "\
党组织名称,党组织类别,上级党组织,所属领域,区划代码,成立时间,换届时间,是否设立支委会,组织代码
测试县委,地方党委,,,370830,2000-01-01,2022-01-01,是,C001
甲镇党委,党委,C001,乡镇,370830101,2001-01-01,2023-01-01,是,T001
甲村党支部,党支部,T001,农村,370830101201,2005-01-01,2024-01-01,否,B001
乙村党支部,党支部,T001,农村,370830101202,2005-01-01,2024-01-01,否,B002
乙镇党委,党委,C001,乡镇,370830102,2001-01-01,2023-01-01,是,T002
丙村党支部,党支部,T002,农村,370830102201,2005-01-01,2024-01-01,否,B003
";

/// An ID number for the fixture's people (valid checksum; synthetic).
pub fn id_number(birth: &str, seq: u16) -> String {
    IdNumber::synthesize("370830", d(birth), seq)
        .as_str()
        .to_string()
}

/// (name, gender, birth, seq, org code, position)
pub const PEOPLE: [(&str, &str, &str, u16, &str, &str); 10] = [
    ("张建国", "男", "1970-03-15", 11, "B001", "书记"),
    ("李秀英", "女", "1980-05-20", 12, "B001", ""),
    ("王伟", "男", "1990-07-01", 13, "B001", ""),
    ("赵敏", "女", "1995-02-11", 14, "B001", ""),
    ("刘洋", "男", "1985-09-09", 15, "B001", ""),
    ("陈静", "女", "1975-12-01", 22, "B002", "书记"),
    ("杨帆", "男", "1988-04-04", 23, "B002", ""),
    ("黄磊", "男", "1992-08-08", 25, "B002", ""),
    ("周丽", "女", "1983-03-03", 32, "B003", "书记"),
    ("吴刚", "男", "1979-10-10", 33, "B003", ""),
];

pub const MEMBER_HEADER: &str =
    "姓名,性别,民族,出生日期,公民身份号码,学历,人员类别,入党日期,转正日期,工作岗位,联系电话,所在党组织,党内职务,任职日期";

pub fn member_line(
    name: &str,
    gender: &str,
    birth: &str,
    id: &str,
    org: &str,
    pos: &str,
    phone_tail: u32,
) -> String {
    let since = if pos.is_empty() { "" } else { "2024-01-01" };
    format!(
        "{name},{gender},汉族,{birth},{id},大学本科,正式党员,2015-07-01,2016-07-01,农民,1380000{phone_tail:04},{org},{pos},{since}"
    )
}

/// The roster line of a member without an office whose valid ID number is made from
/// `birth` and `serial`.
pub fn plain_line(
    name: &str,
    gender: &str,
    birth: &str,
    serial: u16,
    org: &str,
    tail: u32,
) -> String {
    member_line(
        name,
        gender,
        birth,
        &id_number(birth, serial),
        org,
        "",
        tail,
    )
}

/// A roster of one newcomer to 甲村 (冯唐), not in the fixture, as CSV.
pub fn newcomer_csv() -> String {
    let line = plain_line("冯唐", "男", "1992-02-02", 45, "B001", 53);
    format!("{MEMBER_HEADER}\n{line}\n")
}

/// The text of the cells of an xlsx (enough to search for values).
pub fn xlsx_text(bytes: &[u8]) -> String {
    let dir = Dir::new("xlsx");
    let p = dir.file("x.xlsx");
    std::fs::write(&p, bytes).unwrap();
    let grid = jiceng_io::read_grid(&p).unwrap();
    grid.rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| format!("{c:?}")))
        .collect::<Vec<_>>()
        .join("|")
}

/// The roster of the fixture as CSV.
pub fn members_csv() -> String {
    let mut s = String::from(MEMBER_HEADER);
    s.push('\n');
    for (i, (name, g, birth, seq, org, pos)) in PEOPLE.iter().enumerate() {
        s.push_str(&member_line(
            name,
            g,
            birth,
            &id_number(birth, *seq),
            org,
            pos,
            i as u32,
        ));
        s.push('\n');
    }
    s
}

pub struct Fixture {
    pub app: App,
    pub dir: Dir,
    /// org code → id
    pub orgs: HashMap<String, i64>,
    /// member name → id
    pub members: HashMap<String, i64>,
}

/// Loads the county and adds the users: admin, department (C001), committee (T001),
/// secretary-a (B001), secretary-b (B002), inspector (C001), auditor (C001),
/// member (张建国 of B001), security (the security administrator, no org). The users whose
/// role requires a second factor (admin, dept, auditor, security) are enrolled: the login
/// helpers compute their codes ([`next_code`]).
pub async fn fixture(db: &TestDb) -> Fixture {
    let app = app(db);
    let dir = Dir::new("fixture");
    std::fs::write(dir.file("orgs.csv"), ORGS_CSV).unwrap();
    std::fs::write(dir.file("members.csv"), members_csv()).unwrap();
    let opts = ImportOptions {
        org: None,
        dry_run: false,
        skip_invalid: false,
        actor: Actor::system(),
    };
    let r = import::orgs::run(&app, &dir.file("orgs.csv"), &opts, &NoProgress)
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let r = import::members::run(&app, &dir.file("members.csv"), &opts, &NoProgress)
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let mut conn = app.store().acquire().await.unwrap();
    let mut orgs = HashMap::new();
    for o in jiceng_store::orgs::list(&mut conn, &Scope::All)
        .await
        .unwrap()
    {
        orgs.insert(o.org.code.clone(), o.org.id);
    }
    let (ms, _) = jiceng_store::browse::members_page(
        &mut conn,
        &Scope::All,
        &Default::default(),
        0,
        100,
        None,
    )
    .await
    .unwrap();
    let members: HashMap<String, i64> = ms.iter().map(|m| (m.name.clone(), m.id)).collect();
    drop(conn);
    let system = Actor::system();
    let add = |username: &str, role: Role, org: Option<&str>, member: Option<i64>| {
        let app = app.clone();
        let system = system.clone();
        let username = username.to_string();
        let org = org.map(str::to_string);
        async move {
            users::add_user(
                &app,
                &system,
                NewUser {
                    username,
                    password: PASSWORD.into(),
                    role,
                    org,
                    member_id: member,
                    display_name: None,
                    must_change: false,
                },
            )
            .await
            .unwrap();
        }
    };
    add("admin", Role::Admin, None, None).await;
    add("dept", Role::Department, Some("C001"), None).await;
    add("committee", Role::Committee, Some("T001"), None).await;
    add("sec-a", Role::Secretary, Some("B001"), None).await;
    add("sec-b", Role::Secretary, Some("B002"), None).await;
    add("inspector", Role::Inspector, Some("C001"), None).await;
    add("auditor", Role::Auditor, Some("C001"), None).await;
    add(
        "member",
        Role::Member,
        Some("B001"),
        Some(members["张建国"]),
    )
    .await;
    add("security", Role::Security, None, None).await;
    for u in async { users::list_users(&app, &system.grant()?).await }
        .await
        .unwrap()
    {
        if app.totp.required(u.role) {
            jiceng_app::totp::enrol_for(&app, &system, &u.username)
                .await
                .unwrap();
        }
    }
    Fixture {
        app,
        dir,
        orgs,
        members,
    }
}

/// A response, read whole.
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn location(&self) -> Option<String> {
        self.headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
    }
}

/// The code a user's authenticator shows for the next step the server will accept (none
/// for a user without a second factor): the current step, or the first after the last
/// accepted one (never the oldest step of the window: a 30 s boundary crossed before the
/// server checks would put that one out of the window). Tests log in as one user more
/// often than the window has steps; then the user's last accepted step is moved back
/// first (a test's shortcut for "30 s later").
pub async fn next_code(app: &App, username: &str) -> Option<String> {
    let mut conn = app.store().acquire().await.unwrap();
    let user = jiceng_store::users::get_by_username(&mut conn, &Scope::All, username)
        .await
        .unwrap()?;
    let t = jiceng_store::totp::get(&mut conn, user.id)
        .await
        .unwrap()
        .filter(|t| t.confirmed)?;
    let b32 = jiceng_app::totp::stored_secret_base32(app, &t.secret).unwrap();
    let now = app.totp.step_of(app.now());
    let w = app.totp.window_steps;
    let mut step = now.max(t.last_step + 1);
    if step > now + w {
        sqlx::query("UPDATE user_totp SET last_step = $1 WHERE user_id = $2")
            .bind(now - 1)
            .bind(user.id)
            .execute(&mut *conn)
            .await
            .unwrap();
        step = now;
    }
    Some(jiceng_app::totp::code_at(&app.totp, &b32, step).unwrap())
}

/// An in-process client over the router (`oneshot`), keeping cookies like a browser.
pub struct Client {
    pub router: Router,
    pub cookies: HashMap<String, String>,
    pub bearer: Option<String>,
    /// The app served (its second factors are read to compute codes).
    pub app: App,
}

impl Client {
    pub fn new(app: &App) -> Client {
        Client {
            router: jiceng_web::router(app.clone()),
            cookies: HashMap::new(),
            bearer: None,
            app: app.clone(),
        }
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Resp {
        if !self.cookies.is_empty() {
            let c = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        if let Some(t) = &self.bearer {
            req.headers_mut().insert(
                header::AUTHORIZATION,
                format!("Bearer {t}").parse().unwrap(),
            );
        }
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        for sc in headers.get_all(header::SET_COOKIE) {
            let s = sc.to_str().unwrap();
            let (kv, _) = s.split_once(';').unwrap_or((s, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if v.is_empty() || s.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let bytes = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Resp {
            status,
            headers,
            bytes,
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send_body(
            Method::POST,
            path,
            "application/x-www-form-urlencoded",
            body,
        )
        .await
    }

    /// Sends `body` as `content_type` to `path`.
    pub async fn send_body(
        &mut self,
        method: Method,
        path: &str,
        content_type: &str,
        body: impl Into<Body>,
    ) -> Resp {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .unwrap();
        self.send(req).await
    }

    pub async fn post_json(&mut self, path: &str, v: serde_json::Value) -> Resp {
        self.send_body(Method::POST, path, "application/json", v.to_string())
            .await
    }

    pub async fn put_json(&mut self, path: &str, v: serde_json::Value) -> Resp {
        self.send_body(Method::PUT, path, "application/json", v.to_string())
            .await
    }

    pub async fn post_bytes(&mut self, path: &str, bytes: Vec<u8>) -> Resp {
        self.send_body(Method::POST, path, "application/octet-stream", bytes)
            .await
    }

    /// The import page's form: the members file `name` holding `bytes`, for the org `org`
    /// (empty: the user's own).
    pub async fn import_members(
        &mut self,
        csrf: &str,
        org: &str,
        name: &str,
        bytes: &[u8],
    ) -> Resp {
        let fields = [("csrf", csrf), ("kind", "members"), ("org", org)];
        self.post_multipart("/import", &fields, (name, bytes)).await
    }

    /// A multipart form with text fields and one file.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
    ) -> Resp {
        let boundary = "----jicengtestboundary7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                file.0
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            Request::post(path)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Logs in through the login form (with its CSRF token), as a browser does, and
    /// through the code page after it when the user has a second factor.
    pub async fn login(&mut self, username: &str, password: &str) -> Resp {
        let r = self.login_password(username, password).await;
        if !is_code_page(&r) {
            return r;
        }
        let code = next_code(&self.app, username)
            .await
            .expect("a code page for a user without a second factor");
        self.login_code(&csrf_of(&r.text()), &code).await
    }

    /// The login form's first step only (the password).
    pub async fn login_password(&mut self, username: &str, password: &str) -> Resp {
        let page = self.get("/login").await;
        let csrf = csrf_of(&page.text());
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("csrf", &csrf),
            ],
        )
        .await
    }

    /// The code page's form (the second step).
    pub async fn login_code(&mut self, csrf: &str, code: &str) -> Resp {
        self.post_form("/login/2fa", &[("code", code), ("csrf", csrf)])
            .await
    }

    /// Logs in through the API (with the user's current code when it has a second factor)
    /// and keeps the bearer token.
    pub async fn api_login(&mut self, username: &str, password: &str) -> Resp {
        let mut body = serde_json::json!({ "username": username, "password": password });
        if let Some(code) = next_code(&self.app, username).await {
            body["totp"] = serde_json::Value::String(code);
        }
        let r = self.post_json("/api/v1/auth/login", body).await;
        if r.status == StatusCode::OK {
            self.bearer = Some(r.json()["token"].as_str().unwrap().to_string());
        }
        r
    }

    /// The CSRF token of the current session (read from any page's forms).
    pub async fn csrf(&mut self) -> String {
        // The import page, else the org list, else one's own account (every role's).
        for path in ["/import", "/orgs", "/account"] {
            let t = csrf_of(&self.get(path).await.text());
            if !t.is_empty() {
                return t;
            }
        }
        String::new()
    }
}

/// Whether an answer is the login's second step (the code page).
pub fn is_code_page(r: &Resp) -> bool {
    r.status == StatusCode::OK && r.text().contains("action=\"/login/2fa\"")
}

/// The text between `key` and the next `"` (a token in a form or a JSON answer).
pub fn quoted_after(text: &str, key: &str) -> String {
    text.split(key)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// How many entries of an audit page (`/api/v1/audit`) are exports (code 50).
pub fn exports_in(log: &serde_json::Value) -> usize {
    log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == 50)
        .count()
}

pub fn csrf_of(html: &str) -> String {
    let key = "name=\"csrf\" value=\"";
    match html.find(key) {
        Some(i) => html[i + key.len()..]
            .split('"')
            .next()
            .unwrap_or("")
            .to_string(),
        None => String::new(),
    }
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Each of `paths` answers `status` to a GET by `c` (the path is named when one does not).
pub async fn assert_gets(c: &mut Client, status: StatusCode, paths: &[String]) {
    for path in paths {
        let r = c.get(path).await;
        assert_eq!(r.status, status, "{path}: {}", r.text());
    }
}

/// Logged-in page and API clients for a user.
pub async fn logged_in(app: &App, username: &str) -> Client {
    let mut c = Client::new(app);
    let r = c.login(username, PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "login of {username}: {}",
        r.text()
    );
    c
}

pub async fn api_client(app: &App, username: &str) -> Client {
    let mut c = Client::new(app);
    let r = c.api_login(username, PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "api login of {username}: {}",
        r.text()
    );
    c
}

/// Adds a secretary account `username` bound to the branch `org` (its second factor
/// enrolled where the role needs one).
#[allow(dead_code)]
pub async fn add_secretary(app: &App, username: &str, org: &str) {
    let system = jiceng_app::access::Actor::system();
    let new = NewUser {
        username: username.into(),
        password: PASSWORD.into(),
        role: Role::Secretary,
        org: Some(org.into()),
        member_id: None,
        display_name: None,
        must_change: false,
    };
    users::add_user(app, &system, new).await.unwrap();
    if app.totp.required(Role::Secretary) {
        jiceng_app::totp::enrol_for(app, &system, username)
            .await
            .unwrap();
    }
}

/// Records a meeting of 甲村 (B001) through the record form as its secretary posts it:
/// `fields` (kind, date, topic…) and each of the five members' attendance — present unless
/// `statuses` names them with another status and a reason. Answers the form's response.
pub async fn record_b001(
    c: &mut Client,
    f: &Fixture,
    csrf: &str,
    fields: &[(&str, &str)],
    statuses: &[(&str, &str, &str)],
) -> Resp {
    let mut all: Vec<(String, String)> = std::iter::once(("csrf", csrf))
        .chain(fields.iter().copied())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for name in ["张建国", "李秀英", "王伟", "赵敏", "刘洋"] {
        let id = f.members[name];
        match statuses.iter().find(|(n, _, _)| *n == name) {
            Some((_, status, reason)) => {
                all.push((format!("att_{id}"), status.to_string()));
                all.push((format!("reason_{id}"), reason.to_string()));
            }
            None => all.push((format!("att_{id}"), "present".into())),
        }
    }
    let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post_form(&format!("/orgs/{}/meetings/new", f.orgs["B001"]), &refs)
        .await
}

/// Sets up a 党小组 named `name` under 甲村党支部 (B001) as the department does, through
/// the API; its id.
#[allow(dead_code)]
pub async fn add_group_b001(f: &Fixture, name: &str) -> i64 {
    let mut dept = api_client(&f.app, "dept").await;
    let r = dept
        .post_json(
            &format!("/api/v1/orgs/{}/children", f.orgs["B001"]),
            serde_json::json!({ "name": name, "kind": "Group", "founded_on": "2020-01-01", "reason": "设立党小组" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}
