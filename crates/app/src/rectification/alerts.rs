//! The alerts of the department's and inspectors' home page: measures past their
//! deadline and cases with nothing recorded for a while.

use super::*;

/// A measure past its deadline.
#[derive(Debug, Clone, Serialize)]
pub struct OverdueMeasure {
    pub org: OrgRef,
    pub year: i32,
    pub stage: &'static str,
    pub seq: i64,
    pub text: String,
    pub owner: String,
    pub deadline: NaiveDate,
    pub days_overdue: i64,
}

/// A case with no step for [`STALL_DAYS`] days.
#[derive(Debug, Clone, Serialize)]
pub struct StalledCase {
    pub org: OrgRef,
    pub year: i32,
    pub stage: &'static str,
    pub stage_label: &'static str,
    pub last_activity_on: NaiveDate,
    pub days_idle: i64,
    pub deadline: Option<NaiveDate>,
}

async fn org_refs(app: &App, ids: Vec<i64>) -> Result<HashMap<i64, OrgRef>> {
    let mut conn = app.store.acquire().await?;
    Ok(org_store::by_ids(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, OrgRef::of(&o.org)))
        .collect())
}

/// The overdue measures of open cases under `org` (resolved in the actor's scope), oldest
/// deadline first — for the department's and the inspectors' pages.
pub async fn overdue(app: &App, org: &InScope<OrgRecord>) -> Result<Vec<OverdueMeasure>> {
    let scope = org.subtree();
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let late = rect_store::overdue(&mut conn, &scope, today).await?;
    let cases: HashMap<i64, StoredCase> = rect_store::list(&mut conn, &scope, CaseFilter::Open)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    drop(conn);
    let refs = org_refs(app, cases.values().map(|c| c.org_id).collect()).await?;
    Ok(late
        .into_iter()
        .filter_map(|(case_id, m)| {
            let c = cases.get(&case_id)?;
            Some(OverdueMeasure {
                org: refs.get(&c.org_id)?.clone(),
                year: c.year,
                stage: c.case.stage.code(),
                seq: m.seq,
                text: m.text,
                owner: m.owner,
                deadline: m.deadline,
                days_overdue: (today - m.deadline).num_days(),
            })
        })
        .collect())
}

/// The open cases under `org` (resolved in the actor's scope) with no step for `days`
/// days, longest idle first.
pub async fn stalled(app: &App, org: &InScope<OrgRecord>, days: i64) -> Result<Vec<StalledCase>> {
    let scope = org.subtree();
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let open = rect_store::list(&mut conn, &scope, CaseFilter::Open).await?;
    drop(conn);
    let idle: Vec<&StoredCase> = open
        .iter()
        .filter(|c| c.case.stalled(today, days))
        .collect();
    let refs = org_refs(app, idle.iter().map(|c| c.org_id).collect()).await?;
    let mut out: Vec<StalledCase> = idle
        .into_iter()
        .filter_map(|c| {
            Some(StalledCase {
                org: refs.get(&c.org_id)?.clone(),
                year: c.year,
                stage: c.case.stage.code(),
                stage_label: c.case.stage.label(),
                last_activity_on: c.case.last_activity_on,
                days_idle: (today - c.case.last_activity_on).num_days(),
                deadline: c.case.deadline(),
            })
        })
        .collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.days_idle));
    Ok(out)
}

/// Cases of a year in a subtree with their organizations (for the report).
pub(crate) async fn cases_of_year(
    app: &App,
    scope: &Scope,
    year: i32,
) -> Result<(Vec<StoredCase>, HashMap<i64, OrgRef>)> {
    let mut conn = app.store.acquire().await?;
    let cases = rect_store::list(&mut conn, scope, CaseFilter::Year(year)).await?;
    drop(conn);
    let refs = org_refs(app, cases.iter().map(|c| c.org_id).collect()).await?;
    Ok((cases, refs))
}

/// Whether a case still needs work: not accepted.
pub fn is_open(c: &Case) -> bool {
    c.stage.is_open()
}

/// The stage labels in workflow order (for tables and pages).
pub fn stages() -> [Stage; 7] {
    Stage::ALL
}
