//! Import pages: upload a roster or registry (.xlsx, .xls, .csv), see the dry run's error
//! table (row, column, reason), confirm to import. The uploaded file waits under a random
//! token for the confirmation of the same user; nothing is written before it.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use jiceng_app::import::{self, ImportOptions, ImportReport, NoProgress, RowError};
use serde::Deserialize;

use super::{html, xlsx, Nav};
use crate::error::{PageError, WebError};
use crate::extract::CsrfForm;
use crate::routes::{Guard, Routes, Subject};
use crate::session::User;
use crate::{AppState, PendingImport};
use jiceng_app::access::Action;
use jiceng_app::access::InScope;
use jiceng_app::OrgRecord;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Orgs,
    Members,
    Units,
    /// A ledger of organizational life (三会一课台账).
    Meetings,
    /// A recruitment ledger (发展党员台账).
    Recruitment,
    /// A list of members whose relations are transferred out (批量转出).
    Transfers,
    /// A branch's 党费收缴表.
    Dues,
    /// A training's sign-in list (培训签到表).
    Training,
    /// A funding register (经费保障台账).
    Funding,
    /// A register of requests from the masses (群众诉求台账).
    Requests,
    /// A register of pairings (结对共建台账).
    Pairing,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "orgs" => Kind::Orgs,
            "members" => Kind::Members,
            "units" => Kind::Units,
            "meetings" => Kind::Meetings,
            "recruitment" => Kind::Recruitment,
            "transfers" => Kind::Transfers,
            "dues" => Kind::Dues,
            "training" => Kind::Training,
            "funding" => Kind::Funding,
            "requests" => Kind::Requests,
            "pairing" => Kind::Pairing,
            _ => return None,
        })
    }
    pub fn code(self) -> &'static str {
        match self {
            Kind::Orgs => "orgs",
            Kind::Members => "members",
            Kind::Units => "units",
            Kind::Meetings => "meetings",
            Kind::Recruitment => "recruitment",
            Kind::Transfers => "transfers",
            Kind::Dues => "dues",
            Kind::Training => "training",
            Kind::Funding => "funding",
            Kind::Requests => "requests",
            Kind::Pairing => "pairing",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Kind::Orgs => "党组织",
            Kind::Members => "党员名册",
            Kind::Units => "单位",
            Kind::Meetings => "三会一课台账",
            Kind::Recruitment => "发展党员台账",
            Kind::Transfers => "批量转出名单（组织关系转接）",
            Kind::Dues => "党费收缴表",
            Kind::Training => "培训签到表（党员教育培训学时）",
            Kind::Funding => "经费保障台账",
            Kind::Requests => "群众诉求台账",
            Kind::Pairing => "结对共建台账",
        }
    }
    pub fn columns(self) -> Vec<&'static str> {
        self.specs().iter().map(|c| c.name).collect()
    }

    /// The columns the import reads, with their aliases.
    pub fn specs(self) -> &'static [jiceng_io::ColumnSpec] {
        match self {
            Kind::Orgs => &import::orgs::COLUMNS,
            Kind::Members => &import::members::COLUMNS,
            Kind::Units => &import::units::COLUMNS,
            Kind::Meetings => &import::meetings::COLUMNS,
            Kind::Recruitment => &import::recruitment::COLUMNS,
            Kind::Transfers => &import::transfers::COLUMNS,
            Kind::Dues => &import::dues::COLUMNS,
            Kind::Training => &import::training::COLUMNS,
            Kind::Funding => &import::funding::COLUMNS,
            Kind::Requests => &import::requests::COLUMNS,
            Kind::Pairing => &import::pairing::COLUMNS,
        }
    }
}

/// Runs an import of `kind` from `path` (dry run or for real).
pub async fn run(
    app: &jiceng_app::App,
    kind: Kind,
    path: &std::path::Path,
    opts: &ImportOptions,
) -> Result<ImportReport, jiceng_app::AppError> {
    match kind {
        Kind::Orgs => import::orgs::run(app, path, opts, &NoProgress).await,
        Kind::Members => import::members::run(app, path, opts, &NoProgress).await,
        Kind::Units => import::units::run(app, path, opts, &NoProgress).await,
        Kind::Meetings => import::meetings::run(app, path, opts, &NoProgress).await,
        Kind::Recruitment => import::recruitment::run(app, path, opts, &NoProgress).await,
        Kind::Transfers => import::transfers::run(app, path, opts, &NoProgress).await,
        Kind::Dues => import::dues::run(app, path, opts, &NoProgress).await,
        Kind::Training => import::training::run(app, path, opts, &NoProgress).await,
        Kind::Funding => import::funding::run(app, path, opts, &NoProgress).await,
        Kind::Requests => import::requests::run(app, path, opts, &NoProgress).await,
        Kind::Pairing => import::pairing::run(app, path, opts, &NoProgress).await,
    }
}

/// `run` for an upload, once one of the server's import slots is free
/// (`WebConfig::import_concurrency`): reading a spreadsheet is what costs memory, within
/// the caps the upload limit sizes (`WebConfig::import_read_limits`).
pub(crate) async fn run_upload(
    state: &AppState,
    kind: Kind,
    path: &std::path::Path,
    opts: &ImportOptions,
) -> Result<ImportReport, jiceng_app::AppError> {
    let (_slot, app) = import_slot(state).await?;
    run(&app, kind, path, opts).await
}

/// One of the server's import slots, and the app that reads an upload within the caps
/// the upload limit sizes: hold the slot while the file is read.
pub(crate) async fn import_slot(
    state: &AppState,
) -> Result<(tokio::sync::SemaphorePermit<'_>, jiceng_app::App), jiceng_app::AppError> {
    let slot = state
        .import_slots
        .acquire()
        .await
        .map_err(|_| jiceng_app::AppError::Input("服务器正在停止，请稍后再试".into()))?;
    let mut app = state.app.clone();
    app.read_limits = Some(state.config.import_read_limits());
    Ok((slot, app))
}

/// An upload as it arrives: written to its private file chunk by chunk (an upload
/// waiting for an import slot holds disk, not memory), refused past the import limit,
/// and removed unless `finish` hands it on.
pub(crate) struct Incoming {
    upload: Option<crate::uploads::Upload>,
    file: Option<tokio::fs::File>,
    pub len: u64,
    limit: u64,
}

impl Incoming {
    /// Receives into a new file named `user_name` (see `Uploads::new_upload`); with no `ext`
    /// (a file the importer does not read) the bytes are only counted.
    pub fn new(
        state: &AppState,
        user_name: &str,
        ext: Option<&'static str>,
    ) -> Result<Incoming, WebError> {
        let (upload, file) = match ext {
            Some(ext) => {
                let (u, f) = state.uploads.new_upload(user_name, ext)?;
                (Some(u), Some(tokio::fs::File::from_std(f)))
            }
            None => (None, None),
        };
        Ok(Incoming {
            upload,
            file,
            len: 0,
            limit: state.config.import_max_bytes(),
        })
    }

    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), WebError> {
        use tokio::io::AsyncWriteExt;
        self.len += chunk.len() as u64;
        if self.len > self.limit {
            return Err(WebError::PayloadTooLarge(too_big(self.limit)));
        }
        if let Some(f) = self.file.as_mut() {
            f.write_all(chunk).await?;
        }
        Ok(())
    }

    /// The stored upload, written through to the disk.
    pub async fn finish(mut self) -> Result<Option<crate::uploads::Upload>, WebError> {
        use tokio::io::AsyncWriteExt;
        if let Some(mut f) = self.file.take() {
            f.flush().await?;
            f.sync_all().await?;
        }
        Ok(self.upload.take())
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        if let Some(u) = self.upload.take() {
            u.remove();
        }
    }
}

/// The longest text field of the import form (csrf, kind, org) read: the form's own
/// fields are short, and nothing else of the request is held in memory.
const FORM_FIELD_MAX: usize = 4 * 1024;

/// The message for an upload over `WebConfig::import_max_bytes`.
pub(crate) fn too_big(limit: u64) -> String {
    format!(
        "上传的文件超过 {} MB 的上限，请拆分后分批导入",
        limit.div_ceil(1024 * 1024)
    )
}

/// The extension of an uploaded file, if it is one the importer reads.
pub fn extension(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    if lower.ends_with(".xlsx") {
        Some("xlsx")
    } else if lower.ends_with(".xls") {
        Some("xls")
    } else if lower.ends_with(".csv") {
        Some("csv")
    } else {
        None
    }
}

pub fn routes() -> Routes {
    let write = Guard::May(Action::Write);
    Routes::new()
        .get("/import", write, Subject::None, form)
        // The upload bounds itself: its file by the import limit, its fields by
        // `FORM_FIELD_MAX`; the general body limit would refuse the file.
        .post_with("/import", write, Subject::None, upload, |m| {
            m.layer(axum::extract::DefaultBodyLimit::disable())
        })
        .post("/import/confirm", write, Subject::None, confirm)
        .get(
            "/import/template/{kind}",
            write,
            Subject::None,
            template_xlsx,
        )
        .get(
            "/import/{token}/errors.xlsx",
            write,
            Subject::Upload,
            errors_xlsx,
        )
}

/// 导入模板: the .xlsx to fill for an import, with its 填写说明.
async fn template_xlsx(
    axum::extract::Path(kind): axum::extract::Path<String>,
    _user: User,
) -> Result<Response, PageError> {
    let kind = Kind::parse(kind.trim_end_matches(".xlsx")).ok_or_else(|| {
        PageError(crate::error::WebError::App(jiceng_app::AppError::NotFound(
            format!("导入模板“{kind}”"),
        )))
    })?;
    let bytes = import::template::workbook(kind.label(), kind.specs())?;
    Ok(super::xlsx(
        &format!("{}导入模板.xlsx", kind.label()),
        bytes,
    ))
}

pub struct KindChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
    pub columns: String,
}

fn kinds(selected: Kind) -> Vec<KindChoice> {
    [
        Kind::Members,
        Kind::Orgs,
        Kind::Units,
        Kind::Meetings,
        Kind::Recruitment,
        Kind::Transfers,
        Kind::Dues,
        Kind::Training,
        Kind::Funding,
        Kind::Requests,
        Kind::Pairing,
    ]
    .iter()
    .map(|k| KindChoice {
        value: k.code(),
        label: k.label(),
        selected: *k == selected,
        columns: k.columns().join("、"),
    })
    .collect()
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportForm {
    title: String,
    nav: Nav,
    kinds: Vec<KindChoice>,
    org: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct KindParam {
    kind: Option<String>,
}

async fn home_code(state: &AppState, user: &User) -> Result<String, PageError> {
    Ok(jiceng_app::browse::home_org(&state.app, &user.actor)
        .await?
        .map(|o| o.org.code)
        .unwrap_or_default())
}

async fn form(
    State(state): State<AppState>,
    user: User,
    Query(k): Query<KindParam>,
) -> Result<Response, PageError> {
    writer(&user)?;
    let kind = k
        .kind
        .as_deref()
        .and_then(Kind::parse)
        .unwrap_or(Kind::Members);
    html(&ImportForm {
        title: "导入".into(),
        nav: Nav::of(&user),
        kinds: kinds(kind),
        org: home_code(&state, &user).await?,
        error: None,
    })
}

fn writer(user: &User) -> Result<(), PageError> {
    user.actor.grant::<jiceng_app::access::Write>()?;
    Ok(())
}

#[derive(Template)]
#[template(path = "import_result.html")]
struct ResultPage {
    title: String,
    nav: Nav,
    kind_label: String,
    file_name: String,
    report: ImportReport,
    token: String,
    errors: Vec<RowError>,
    confirmed: bool,
}

/// The org (code or name) an import is confined to: the one given, resolved in the
/// actor's scope, or the actor's own org.
async fn import_org(
    state: &AppState,
    user: &User,
    given: &str,
) -> Result<Option<InScope<OrgRecord>>, PageError> {
    let given = given.trim();
    if given.is_empty() {
        // The import itself falls back to the actor's home org (or the whole tree).
        return Ok(None);
    }
    let key = jiceng_app::access::OrgKey::parse(Some(given));
    Ok(Some(
        jiceng_app::access::resolve(&state.app, &user.actor, &key).await?,
    ))
}

/// A multipart upload as received: its short fields (each at most `FORM_FIELD_MAX`
/// bytes) and its `file`, written to a private file as it arrives (`Incoming`), with the
/// name the user gave it.
pub(crate) struct Received {
    pub fields: std::collections::HashMap<String, String>,
    file: Option<(String, Incoming)>,
}

impl Received {
    /// A field as sent (empty when absent).
    pub fn get(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }

    /// The file to import with its name, or why there is none to read, in Chinese: none
    /// chosen, an empty one, or one the importer does not read.
    pub fn file(&mut self) -> Result<(String, Incoming), String> {
        match self.file.take() {
            Some((name, f)) if !name.is_empty() && f.len > 0 => {
                if extension(&name).is_none() {
                    return Err(format!("只能导入 .xlsx、.xls 或 .csv 文件：{name}"));
                }
                Ok((name, f))
            }
            Some((name, _)) if !name.is_empty() => {
                Err(format!("文件“{name}”是空的（0字节），请检查后重新选择"))
            }
            _ => Err("请选择要导入的文件".into()),
        }
    }
}

/// Reads an import form's upload (see [`Received`]).
pub(crate) async fn receive(state: &AppState, mut mp: Multipart) -> Result<Received, WebError> {
    let mut fields = std::collections::HashMap::new();
    let mut file: Option<(String, Incoming)> = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(format!("上传失败：{e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                let fname = field.file_name().unwrap_or("").to_string();
                let mut incoming = Incoming::new(state, &fname, extension(&fname))?;
                let mut field = field;
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|e| WebError::BadRequest(format!("上传失败：{e}")))?
                {
                    incoming.push(&chunk).await?;
                }
                file = Some((fname, incoming));
            }
            other => {
                let mut field = field;
                let mut bytes = Vec::new();
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|e| WebError::BadRequest(format!("上传失败：{e}")))?
                {
                    if bytes.len() + chunk.len() > FORM_FIELD_MAX {
                        return Err(WebError::BadRequest(format!(
                            "上传失败：表单项“{other}”过长"
                        )));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                fields.insert(
                    other.to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                );
            }
        }
    }
    Ok(Received { fields, file })
}

async fn upload(
    State(state): State<AppState>,
    user: User,
    mp: Multipart,
) -> Result<Response, PageError> {
    writer(&user)?;
    let mut received = receive(&state, mp).await?;
    user.check_csrf(&received.get("csrf"))?;
    let kind = Kind::parse(&received.get("kind")).unwrap_or(Kind::Members);
    let org = received.get("org");
    let refuse = |state: &AppState, user: &User, msg: String, org: String| {
        html(&ImportForm {
            title: "导入".into(),
            nav: Nav::of(user),
            kinds: kinds(kind),
            org,
            error: Some(msg),
        })
        .map(|mut r| {
            *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            let _ = state;
            r
        })
    };
    let (file_name, incoming) = match received.file() {
        Ok(f) => f,
        Err(message) => return refuse(&state, &user, message, org),
    };
    let scope_org = match import_org(&state, &user, &org).await {
        Ok(o) => o,
        Err(PageError(WebError::App(
            e @ (jiceng_app::AppError::OrgNotFound(_) | jiceng_app::AppError::OrgAmbiguous { .. }),
        ))) => {
            return refuse(&state, &user, e.to_string(), org);
        }
        Err(e) => return Err(e),
    };
    let token = crate::random_token(16);
    let upload = incoming
        .finish()
        .await?
        .ok_or_else(|| WebError::Internal("上传文件未保存".into()))?;
    let path = upload.path.clone();
    let opts = ImportOptions {
        org: scope_org.clone(),
        dry_run: true,
        skip_invalid: false,
        actor: user.actor.clone(),
    };
    let report = match run_upload(&state, kind, &path, &opts).await {
        Ok(r) => r,
        Err(
            e @ (jiceng_app::AppError::Read(_)
            | jiceng_app::AppError::Header(_)
            | jiceng_app::AppError::Input(_)),
        ) => {
            upload.remove();
            return refuse(&state, &user, e.to_string(), org);
        }
        Err(e) => {
            upload.remove();
            return Err(e.into());
        }
    };
    {
        let mut pending = state.pending.lock().expect("pending imports");
        // Forget uploads nobody confirmed within an hour.
        let stale: Vec<String> = pending
            .iter()
            .filter(|(_, p)| p.created.elapsed() > std::time::Duration::from_secs(3600))
            .map(|(k, _)| k.clone())
            .collect();
        for k in stale {
            if let Some(p) = pending.remove(&k) {
                p.upload.remove();
            }
        }
        pending.insert(
            token.clone(),
            PendingImport {
                user_id: user.actor.user_id(),
                kind,
                org: scope_org,
                upload,
                file_name: file_name.clone(),
                created: std::time::Instant::now(),
                errors: report.errors.clone(),
            },
        );
    }
    html(&ResultPage {
        title: "导入检查结果".into(),
        nav: Nav::of(&user),
        kind_label: kind.label().into(),
        file_name,
        errors: report.errors.clone(),
        report,
        token,
        confirmed: false,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConfirmForm {
    token: String,
}

fn take_pending(state: &AppState, user: &User, token: &str) -> Result<PendingImport, PageError> {
    let mut pending = state.pending.lock().expect("pending imports");
    match pending.get(token) {
        Some(p) if p.user_id == user.actor.user_id() => Ok(pending.remove(token).expect("present")),
        _ => Err(PageError(WebError::BadRequest(
            "找不到待导入的文件（可能已导入或已超过一小时），请重新上传".into(),
        ))),
    }
}

async fn confirm(
    State(state): State<AppState>,
    CsrfForm { user, form: f }: CsrfForm<ConfirmForm>,
) -> Result<Response, PageError> {
    writer(&user)?;
    let p = take_pending(&state, &user, &f.token)?;
    let opts = ImportOptions {
        org: p.org.clone(),
        dry_run: false,
        skip_invalid: false,
        actor: user.actor.clone(),
    };
    let result = run_upload(&state, p.kind, &p.upload.path, &opts).await;
    p.upload.remove();
    let report = result?;
    html(&ResultPage {
        title: "导入结果".into(),
        nav: Nav::of(&user),
        kind_label: p.kind.label().into(),
        file_name: p.file_name,
        errors: report.errors.clone(),
        report,
        token: String::new(),
        confirmed: true,
    })
}

async fn errors_xlsx(
    State(state): State<AppState>,
    user: User,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let (file_name, errors) = {
        let pending = state.pending.lock().expect("pending imports");
        match pending.get(&token) {
            Some(p) if p.user_id == user.actor.user_id() => (p.file_name.clone(), p.errors.clone()),
            _ => {
                return Err(PageError(WebError::App(jiceng_app::AppError::NotFound(
                    "导入记录".into(),
                ))))
            }
        }
    };
    let sheet = jiceng_app::export::import_errors_sheet(&file_name, &errors);
    let bytes =
        jiceng_app::export::workbook(&state.app, &user.actor, "import-errors", None, &[sheet])
            .await?;
    Ok(xlsx(&format!("导入问题-{file_name}.xlsx"), bytes))
}
