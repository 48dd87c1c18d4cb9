//! What is recorded by hand for diagnosis: signals (乱: petitions, public order,
//! interference), discipline cases and funding, each with its source and audited.

use super::*;

/// Records a signal reported by hand (乱 above all: petitions, public order, clan or
/// religious interference), with its source. Needs [`access::ReportSignal`]; audited.
pub async fn record_signal(
    app: &App,
    grant: &Grant<access::ReportSignal>,
    target: &InScope<OrgRecord>,
    year: i32,
    kind: WeaknessKind,
    evidence: &str,
    source: &str,
) -> Result<()> {
    let actor = grant.actor();
    check_year(app, year)?;
    let evidence = required(evidence, "问题情况")?;
    let source = required(source, "线索来源")?;
    if !dr::is_rated(target.org.kind) {
        return Err(input(format!(
            "{}是{}，不参加软弱涣散排查",
            target.org.name,
            target.org.kind.label()
        )));
    }
    let id = app.store.reserve_ids("weakness_signal", 1).await?;
    let rec = ManualSignalRecord {
        id,
        org_id: target.org.id,
        year,
        kind,
        org_path: target.path.clone(),
        evidence,
        source,
        recorded_by: actor.username.clone(),
    };
    let after = serde_json::json!({ "year": year, "kind": kind.code(), "evidence": rec.evidence, "source": rec.source });
    let rec_ref = &rec;
    audit::Entry::new(
        actor,
        AuditAction::WeaknessSignalRecord,
        format!("{} {year}年度问题线索（{}）", target.org.name, kind.label()),
    )
    .org(&**target)
    .after(after)
    .write(app, |mut tx| async move {
        weak_store::insert_signal(&mut tx, rec_ref).await?;
        Ok(tx)
    })
    .await
}

/// A discipline case to record (the subject's role only, never a name).
#[derive(Debug, Clone)]
pub struct NewCase {
    pub decided_on: NaiveDate,
    pub subject: String,
    pub summary: String,
    pub sanction: Option<String>,
    pub source: String,
    /// Against the team (书记, 班子成员, 村干部, "涉及班子成员"): only such cases mark the
    /// organization 贪 (review error 14). Default: a member's own case.
    pub team: bool,
}

/// Records a discipline case against an org (贪); the year is that of the decision.
/// Needs [`access::DecideWeakness`]; audited.
pub async fn record_case(
    app: &App,
    grant: &Grant<access::DecideWeakness>,
    target: &InScope<OrgRecord>,
    new: &NewCase,
) -> Result<()> {
    let actor = grant.actor();
    if new.decided_on > app.today() {
        return Err(input("处理日期不能晚于今天"));
    }
    let year = chrono::Datelike::year(&new.decided_on);
    check_year(app, year)?;
    let id = app.store.reserve_ids("discipline_case", 1).await?;
    let rec = DisciplineCase {
        id,
        org_id: target.org.id,
        year,
        org_path: target.path.clone(),
        decided_on: new.decided_on,
        subject: required(&new.subject, "涉案人员身份（如村党支部书记）")?,
        summary: required(&new.summary, "案件简要情况")?,
        sanction: new
            .sanction
            .as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        source: required(&new.source, "信息来源")?,
        recorded_by: actor.username.clone(),
        team: new.team,
    };
    let after = serde_json::json!({
        "decided_on": rec.decided_on, "subject": rec.subject, "summary": rec.summary,
        "sanction": rec.sanction, "source": rec.source, "team": rec.team,
    });
    let rec_ref = &rec;
    audit::Entry::new(
        actor,
        AuditAction::DisciplineCaseRecord,
        format!("{} 违纪违法案件", target.org.name),
    )
    .org(&**target)
    .after(after)
    .write(app, |mut tx| async move {
        weak_store::insert_case(&mut tx, rec_ref).await?;
        Ok(tx)
    })
    .await
}

/// Records (or corrects) an org's operating funding or a village's collective income for a
/// year, in yuan: the 经费保障 record of that kind from `source` (one of 财政, 党费,
/// 集体经济, 企业, 其他; any other text is kept as the note of a record from 其他). Needs
/// [`access::Rate`] (the command line's `weak funding`; the pages and the register use
/// `funding::record`); audited.
pub async fn record_funding(
    app: &App,
    grant: &Grant<access::Rate>,
    target: &InScope<OrgRecord>,
    year: i32,
    kind: FundingKind,
    yuan: f64,
    source: &str,
) -> Result<()> {
    let actor = grant.actor();
    check_year(app, year)?;
    if !(yuan.is_finite() && (0.0..1e11).contains(&yuan)) {
        return Err(input(format!("金额无效：{yuan}")));
    }
    let source = required(source, "数据来源")?;
    if kind == FundingKind::CollectiveIncome && target.org.domain != Some(Domain::Village) {
        return Err(input(format!(
            "{}不是村党组织，不录入村集体经济收入",
            target.org.name
        )));
    }
    let (from, note) = match jiceng_domain::funding::FundingSource::parse(&source) {
        Some(s) => (s, None),
        None => (jiceng_domain::funding::FundingSource::Other, Some(source)),
    };
    let rec = FundingRecord {
        org_id: target.org.id,
        year,
        kind,
        source: from,
        org_path: target.path.clone(),
        amount_fen: (yuan * 100.0).round() as i64,
        note,
        recorded_by: actor.username.clone(),
    };
    let after = serde_json::json!({ "year": year, "kind": kind.code(), "yuan": yuan, "source": from.code(), "note": rec.note });
    let rec_ref = &rec;
    audit::Entry::new(
        actor,
        AuditAction::FundingRecord,
        format!("{} {year}年度{}", target.org.name, kind.label()),
    )
    .org(&**target)
    .after(after)
    .write(app, |mut tx| async move {
        weak_store::upsert_funding(&mut tx, rec_ref).await?;
        Ok(tx)
    })
    .await
}
