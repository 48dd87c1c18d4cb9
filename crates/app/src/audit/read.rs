//! Reading the log: a page of it in the reader's scope, and the export of a period for the
//! assessor (.xlsx or CSV), itself recorded.

use super::*;

/// One entry as the log page and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// UTC, ISO 8601.
    pub at: String,
    /// The same instant in China Standard Time, as the log page shows it.
    pub at_local: String,
    pub actor: String,
    pub actor_id: i64,
    /// The stable numeric code.
    pub code: i64,
    /// The action's name (`login_failed`).
    pub action: String,
    /// The action in Chinese (登录失败).
    pub label: String,
    pub target: String,
    pub org_code: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

fn parse_json(s: Option<String>) -> Option<Value> {
    s.map(|s| serde_json::from_str(&s).unwrap_or(Value::String(s)))
}

/// The scope in which an auditor reads the log: its own, except that an auditor bound to
/// no org audits the whole tree (entries without an org included). Only auditors (and the
/// command line) hold the grant: 三权分立 keeps the system and security administrators out
/// of the log of their own actions.
async fn audit_scope(conn: &mut Conn, grant: &Grant<ReadAudit>) -> Result<jiceng_store::Scope> {
    crate::users::org_scope(conn, grant.actor()).await
}

fn entry_of(r: audit_store::StoredEvent) -> AuditEntry {
    let action = AuditAction::from_code(r.event.code);
    let cst = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    let at_local = chrono::DateTime::parse_from_rfc3339(&r.event.at)
        .map(|t| {
            t.with_timezone(&cst)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| r.event.at.clone());
    AuditEntry {
        seq: r.seq,
        at_local,
        at: r.event.at,
        actor: r.event.actor,
        actor_id: r.event.actor_id,
        code: r.event.code,
        label: action
            .map(|a| a.label().to_string())
            .unwrap_or_else(|| r.event.action.clone()),
        action: r.event.action,
        target: r.event.target,
        org_code: r.org_code,
        before: parse_json(r.event.before),
        after: parse_json(r.event.after),
    }
}

/// A page of the log (newest first, `page` from 1) within the actor's scope, and the
/// total. Only auditors (and the command line) read it.
pub async fn list(
    app: &App,
    grant: &Grant<ReadAudit>,
    page: i64,
    page_size: i64,
) -> Result<(Vec<AuditEntry>, i64)> {
    let page_size = page_size.clamp(1, 500);
    let offset = (page.max(1) - 1).saturating_mul(page_size);
    let mut conn = app.store.acquire().await?;
    let scope = audit_scope(&mut conn, grant).await?;
    let (rows, total) = audit_store::list(&mut conn, &scope, offset, page_size).await?;
    Ok((rows.into_iter().map(entry_of).collect(), total))
}

/// The period of an export: from the start of `from` to the end of `to` (days in UTC,
/// as the entries' times are), either open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

impl Period {
    fn filter(&self) -> Result<Filter> {
        if let (Some(f), Some(t)) = (self.from, self.to) {
            if f > t {
                return Err(AppError::Input(format!(
                    "导出审计日志的起始日期 {f} 晚于截止日期 {t}"
                )));
            }
        }
        Ok(Filter {
            from: self.from.map(|d| d.format("%Y-%m-%d").to_string()),
            to: self
                .to
                .and_then(|d| d.succ_opt())
                .map(|d| d.format("%Y-%m-%d").to_string()),
        })
    }
}

/// Every entry of the period within the actor's scope (oldest first), as an .xlsx for
/// the assessor; the export is itself recorded (`AuditExport`).
pub async fn export(
    app: &App,
    grant: &Grant<ReadAudit>,
    period: Period,
) -> Result<(Vec<AuditEntry>, Vec<u8>)> {
    let filter = period.filter()?;
    let mut conn = app.store.acquire().await?;
    let scope = audit_scope(&mut conn, grant).await?;
    let (rows, _) = audit_store::list_filtered(&mut conn, &scope, &filter, 0, i64::MAX).await?;
    drop(conn);
    let mut entries: Vec<AuditEntry> = rows.into_iter().map(entry_of).collect();
    entries.reverse();
    let bytes = jiceng_io::workbook_bytes(&[sheet(&entries, period)]).map_err(AppError::Input)?;
    let after = serde_json::json!({
        "from": period.from.map(|d| d.to_string()),
        "to": period.to.map(|d| d.to_string()),
        "entries": entries.len(),
    });
    Entry::new(grant.actor(), AuditAction::AuditExport, "审计日志")
        .after(after)
        .record_alone(app, app.now())
        .await?;
    Ok((entries, bytes))
}

/// The same entries as CSV (UTF-8 with a byte-order mark, as spreadsheet programs in China
/// expect), the columns of the .xlsx.
pub fn csv(entries: &[AuditEntry]) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let json = |v: &Option<Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    let mut out = String::from(
        "\u{feff}序号,时间（UTC）,操作人,操作人ID,操作代码,操作,对象,党组织代码,修改前,修改后\n",
    );
    for e in entries {
        let cells = [
            e.seq.to_string(),
            e.at.clone(),
            e.actor.clone(),
            e.actor_id.to_string(),
            e.code.to_string(),
            e.label.clone(),
            e.target.clone(),
            e.org_code.clone().unwrap_or_default(),
            json(&e.before),
            json(&e.after),
        ];
        let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn sheet(entries: &[AuditEntry], period: Period) -> jiceng_io::Sheet {
    use jiceng_io::OutCell::{Empty, Int, Text};
    let text = |s: &Option<Value>| s.as_ref().map(|v| Text(v.to_string())).unwrap_or(Empty);
    let span = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    jiceng_io::Sheet {
        name: "审计日志".into(),
        title: format!(
            "审计日志（{}至{}，共{}条）",
            span(period.from),
            span(period.to),
            entries.len()
        ),
        headers: [
            "序号",
            "时间（UTC）",
            "操作人",
            "操作人ID",
            "操作代码",
            "操作",
            "对象",
            "党组织代码",
            "修改前",
            "修改后",
        ]
        .map(String::from)
        .to_vec(),
        rows: entries
            .iter()
            .map(|e| {
                vec![
                    Int(e.seq),
                    Text(e.at.clone()),
                    Text(e.actor.clone()),
                    Int(e.actor_id),
                    Int(e.code),
                    Text(e.label.clone()),
                    Text(e.target.clone()),
                    e.org_code.clone().map(Text).unwrap_or(Empty),
                    text(&e.before),
                    text(&e.after),
                ]
            })
            .collect(),
    }
}

/// Whether the actor may read the audit log: the auditor, and the command line.
pub fn may_read(actor: &Actor) -> bool {
    actor.may(crate::access::Action::ReadAudit)
}
