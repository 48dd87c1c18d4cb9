//! Dated facts recorded by hand (elections, committees, postponements, vacancies).

use super::*;

/// A dated fact recorded by hand from the org page, the API or the CLI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventInput {
    /// An `EventKind` code: election, committee_set, committee_none, term_postponed,
    /// secretary_vacant.
    pub kind: String,
    /// The day it happened (for term_postponed: the day of the approval).
    pub on: NaiveDate,
    /// For term_postponed: the day the postponed term ends.
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

/// Records a dated fact of an org (an election, the committee set up or dissolved, an
/// approved postponement of the 换届, a secretary vacancy with no predecessor on record),
/// with its reason in the org's history and an audit entry, the org row kept in step and
/// the facts refreshed, in one transaction.
pub async fn record_event(
    app: &App,
    grant: &Grant<Write>,
    org: &InScope<StoredOrg>,
    event: &EventInput,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason_text(reason)?;
    let stored: &StoredOrg = org;
    let id = stored.org.id;
    if stored.org.dissolved_on.is_some() {
        return Err(input("该党组织已撤销"));
    }
    let today = app.today();
    let kind = EventKind::from_code(&event.kind)
        .or_else(|| EventKind::ALL.into_iter().find(|k| k.label() == event.kind))
        .ok_or_else(|| input(format!("无法识别的事项：{}", event.kind)))?;
    if event.on > today {
        return Err(input(format!("日期晚于今天：{}", event.on)));
    }
    if let Some(f) = stored.org.founded_on.filter(|f| event.on < *f) {
        return Err(input(format!("日期{}早于成立日期{f}", event.on)));
    }
    let mut conn = app.store.acquire().await?;
    let history = org_history::of_orgs(&mut conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    drop(conn);
    let until = match kind {
        EventKind::TermPostponed => {
            let until = event.until.ok_or_else(|| input("请填写延期至的日期"))?;
            let rules = app.rules.in_force(event.on);
            let facts = OrgFacts {
                org_id: id,
                code: stored.org.code.clone(),
                name: stored.org.name.clone(),
                kind: stored.org.kind,
                domain: stored.org.domain,
                parent_kind: None,
                founded_on: stored.org.founded_on,
                last_election_on: None,
                committee: None,
                direct_members: 0,
                direct_full: 0,
                subtree_members: 0,
                subtree_full: 0,
                units_covered: 0,
                secretary: SecretaryState::Unknown,
                term_years: None,
                postponed_until: None,
                temporary: stored.org.temporary,
                approved: false,
            }
            .dated(
                &OrgHistory {
                    events: history
                        .events
                        .iter()
                        .filter(|e| e.kind != EventKind::TermPostponed)
                        .cloned()
                        .collect(),
                    ..history.clone()
                },
                event.on,
            );
            let term = match term_on(&facts, rules, event.on) {
                Ok(Some(t)) => t,
                Ok(None) => return Err(input("该党组织不实行任期制，无需延期换届")),
                Err(_) => return Err(input("换届时间未登记，请先登记最近一次换届选举的日期")),
            };
            let max_months =
                u32::try_from(rules.terms.postponement_max_years.max(0) * 12).unwrap_or(0);
            let limit = term
                .ends_on
                .checked_add_months(chrono::Months::new(max_months))
                .unwrap_or(term.ends_on);
            if until <= term.ends_on {
                return Err(input(format!(
                    "延期至{until}不晚于本届届满日期{}",
                    term.ends_on
                )));
            }
            if until > limit {
                return Err(input(format!(
                    "延期一般不超过{}年：本届{}届满，最迟延期至{limit}",
                    rules.terms.postponement_max_years, term.ends_on
                )));
            }
            Some(until)
        }
        EventKind::SecretaryVacant => {
            if history.secretary_on(event.on).in_office() {
                return Err(input(
                    "该日有书记在任：请在党员页面结束其书记职务（离任日期即空缺起始日）",
                ));
            }
            None
        }
        _ => None,
    };
    let e = OrgEvent {
        kind,
        on: Some(event.on),
        until,
    };
    let history_id = app.store.reserve_ids("history", 1).await?;
    let event_id = app.store.reserve_ids("org_event", 1).await?;
    let (e, stored, reason) = (&e, &stored, &reason);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        org_history::record(&mut tx, event_id, id, e, Some(reason)).await?;
        facts::refresh(&mut tx, &app.rules, &[id], today).await?;
        let after = org_store::get(&mut tx, &Scope::All, id)
            .await?
            .ok_or_else(|| AppError::NotFound("党组织".into()))?;
        let entry = HistoryEntry {
            org_id: id,
            actor: actor.username.clone(),
            action: "Event".into(),
            reason: Some(format!(
                "{}（{}{}）：{reason}",
                e.kind.label(),
                event.on,
                e.until.map(|u| format!("，延期至{u}")).unwrap_or_default()
            )),
            before: None,
            after: Some(serde_json::to_string(e).expect("serializable")),
        };
        org_store::record_history(&mut tx, history_id, std::slice::from_ref(&entry)).await?;
        audit::Entry::new(actor, AuditAction::OrgUpdate, format!("org:{id}"))
            .org(*stored)
            .before(json(&stored.org))
            .after(serde_json::json!({
                "event": e,
                "org": json(&after.org),
                "reason": reason,
            }))
            .commit(tx, chrono::Utc::now())
            .await
    })
    .await
}
