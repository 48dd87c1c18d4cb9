//! The tree changes of the forms and the API: create, edit, move, merge and dissolve.

use super::*;

/// Creates an org under `parent_id`. Returns its id.
pub async fn create(
    app: &App,
    grant: &Grant<Write>,
    parent: &InScope<StoredOrg>,
    fields: &OrgFields,
    reason: &str,
) -> Result<i64> {
    let actor = grant.actor();
    let reason = reason_text(reason)?;
    let parent: &StoredOrg = parent;
    if parent.org.dissolved_on.is_some() {
        return Err(input("上级党组织已撤销"));
    }
    let today = app.today();
    let mut org = Org {
        id: 0,
        code: String::new(),
        name: String::new(),
        kind: OrgKind::Branch,
        domain: None,
        region_code: None,
        parent_id: Some(parent.org.id),
        founded_on: None,
        last_election_on: None,
        committee: None,
        term_years: None,
        temporary: false,
        approving_org: None,
        dissolved_on: None,
    };
    apply(&mut org, fields, today)?;
    // A new org states its facts from nothing: its election and committee are events.
    let blank_org = Org {
        committee: None,
        last_election_on: None,
        ..org.clone()
    };
    let events = form_events(&blank_org, &org, fields, today);
    check_affiliation(parent.org.kind, org.kind)?;
    let code = blank(&fields.code);
    if let Some(c) = &code {
        check_code(app, actor, c, parent, &org).await?;
    }
    {
        let mut conn = app.store.acquire().await?;
        let siblings =
            org_store::find_by_name(&mut conn, &Scope::subtree(&parent.path), &org.name).await?;
        if siblings
            .iter()
            .any(|s| s.org.parent_id == Some(parent.org.id) && s.org.dissolved_on.is_none())
        {
            return Err(input(format!(
                "{}下已有同名党组织“{}”",
                parent.org.name, org.name
            )));
        }
    }
    org.id = app.store.reserve_ids("org", 1).await?;
    org.code = code.unwrap_or_else(|| crate::import::orgs::generated_code(org.id));
    let history = app.store.reserve_ids("history", 1).await?;
    let event_first = app
        .store
        .reserve_ids("org_event", events.len() as i64)
        .await?;
    let (org, reason, events) = (&org, &reason, &events);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        org_store::insert(&mut tx, std::slice::from_ref(org)).await?;
        write_events(&mut tx, org.id, event_first, events, reason).await?;
        if fields.records_from.is_some() {
            org_history::set_records_from(&mut tx, org.id, fields.records_from).await?;
        }
        let stored = org_store::get(&mut tx, &Scope::All, org.id)
            .await?
            .ok_or_else(|| AppError::NotFound("党组织".into()))?;
        facts::refresh(&mut tx, &app.rules, &[org.id], today).await?;
        let change = Change::new(&stored, "Create", AuditAction::OrgCreate, org);
        commit(tx, actor, reason, &[change], history).await
    })
    .await?;
    Ok(org.id)
}

/// Edits an org's own fields (not its place in the tree).
pub async fn edit(
    app: &App,
    grant: &Grant<Write>,
    org: &InScope<StoredOrg>,
    fields: &OrgFields,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason_text(reason)?;
    let stored: &StoredOrg = org;
    let id = stored.org.id;
    let today = app.today();
    let before = stored.org.clone();
    let mut after = before.clone();
    apply(&mut after, fields, today)?;
    if let Some(c) = blank(&fields.code).filter(|c| *c != before.code) {
        check_code(app, actor, &c, stored, &after).await?;
        after.code = c;
    }
    if after.kind != before.kind {
        let mut conn = app.store.acquire().await?;
        if let Some(p) = before.parent_id {
            if let Some(parent) = org_store::get(&mut conn, &Scope::All, p).await? {
                check_affiliation(parent.org.kind, after.kind)?;
            }
        }
        for child in org_store::children(&mut conn, &Scope::All, id).await? {
            if child.org.dissolved_on.is_none() {
                check_affiliation(after.kind, child.org.kind)?;
            }
        }
    }
    let records_from = {
        let mut conn = app.store.acquire().await?;
        org_history::of_orgs(&mut conn, &[id])
            .await?
            .remove(&id)
            .and_then(|h| h.records_from)
    };
    let events = form_events(&before, &after, fields, today);
    let records_changed = fields.records_from.is_some() && fields.records_from != records_from;
    if after == before && events.is_empty() && !records_changed {
        return Ok(());
    }
    let event_first = app
        .store
        .reserve_ids("org_event", events.len() as i64)
        .await?;
    let change = Change::edit(stored, "Update", AuditAction::OrgUpdate, &before, &after);
    let (after, reason, events) = (&after, &reason, &events);
    write(app, actor, reason, &[id], &[change], |mut tx| async move {
        org_store::update(&mut tx, after).await?;
        write_events(&mut tx, id, event_first, events, reason).await?;
        if records_changed {
            org_history::set_records_from(&mut tx, id, fields.records_from).await?;
        }
        Ok(tx)
    })
    .await
}

/// Re-affiliates an org (and its subtree) under a new parent in the actor's scope.
pub async fn move_org(
    app: &App,
    grant: &Grant<Write>,
    org: &InScope<StoredOrg>,
    new_parent: &InScope<StoredOrg>,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason_text(reason)?;
    let (stored, parent): (&StoredOrg, &StoredOrg) = (org, new_parent);
    let (id, new_parent) = (stored.org.id, parent.org.id);
    if actor.org_id == Some(id) {
        return Err(input(
            "不能调整本人所属党组织自身的隶属关系（请由上级办理）",
        ));
    }
    if parent.path.starts_with(&stored.path) {
        return Err(input("不能把党组织移到它自己或它的下级之下"));
    }
    if stored.org.parent_id == Some(new_parent) {
        return Err(input("新的上级与原上级相同"));
    }
    if parent.org.dissolved_on.is_some() {
        return Err(input("新的上级党组织已撤销"));
    }
    check_affiliation(parent.org.kind, stored.org.kind)?;
    let before = stored.org.clone();
    let mut after = before.clone();
    after.parent_id = Some(new_parent);
    let mut touched = vec![id, new_parent];
    touched.extend(before.parent_id);
    let change = Change::edit(stored, "Move", AuditAction::OrgMove, &before, &after);
    write(
        app,
        actor,
        &reason,
        &touched,
        &[change],
        |mut tx| async move {
            org_store::move_subtree(&mut tx, id, new_parent).await?;
            Ok(tx)
        },
    )
    .await
}

/// Merges `from` into `into`: its children, members and units move to `into`, its
/// positions end, and `from` is dissolved (its records and history are kept).
pub async fn merge(
    app: &App,
    grant: &Grant<Write>,
    from: &InScope<StoredOrg>,
    into: &InScope<StoredOrg>,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason_text(reason)?;
    let (src, dst): (&StoredOrg, &StoredOrg) = (from, into);
    let (from, into) = (src.org.id, dst.org.id);
    if from == into {
        return Err(input("不能与自身合并"));
    }
    if actor.org_id == Some(from) {
        return Err(input("不能合并本人所属的党组织（请由上级办理）"));
    }
    if src.org.dissolved_on.is_some() || dst.org.dissolved_on.is_some() {
        return Err(input("已撤销的党组织不能合并"));
    }
    if dst.path.starts_with(&src.path) {
        return Err(input("不能并入自己的下级党组织"));
    }
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let kids = org_store::children(&mut conn, &Scope::All, from).await?;
    let held = jiceng_store::positions::of_orgs(&mut conn, &[from]).await?;
    drop(conn);
    for k in kids.iter().filter(|k| k.org.dissolved_on.is_none()) {
        check_affiliation(dst.org.kind, k.org.kind)?;
    }
    let before = src.org.clone();
    let mut after = before.clone();
    after.dissolved_on = Some(today);
    let merged_note = Org {
        name: format!("{}（并入{}）", before.name, dst.org.name),
        ..after.clone()
    };
    let mut touched = vec![from, into];
    touched.extend(before.parent_id);
    let changes = [
        Change::edit(src, "MergedInto", AuditAction::OrgMerge, &before, &after),
        Change::new(dst, "Merge", AuditAction::OrgMerge, &merged_note),
    ];
    let (kids, held, after) = (&kids, &held, &after);
    write(
        app,
        actor,
        &reason,
        &touched,
        &changes,
        |mut tx| async move {
            for k in kids {
                org_store::move_subtree(&mut tx, k.org.id, into).await?;
            }
            browse_store::move_members_and_units(&mut tx, from, into, &dst.path).await?;
            for p in held.iter().filter(|p| p.ended_on.is_none()) {
                jiceng_store::positions::end(&mut tx, p.id, today).await?;
            }
            org_store::update(&mut tx, after).await?;
            Ok(tx)
        },
    )
    .await
}

/// Dissolves an org that has no live children and no members left (move them first).
pub async fn dissolve(
    app: &App,
    grant: &Grant<Write>,
    org: &InScope<StoredOrg>,
    reason: &str,
) -> Result<()> {
    let actor = grant.actor();
    let reason = reason_text(reason)?;
    let stored: &StoredOrg = org;
    let id = stored.org.id;
    if actor.org_id == Some(id) {
        return Err(input("不能撤销本人所属的党组织（请由上级办理）"));
    }
    if stored.org.dissolved_on.is_some() {
        return Err(input("该党组织已撤销"));
    }
    let mut conn = app.store.acquire().await?;
    let live = browse_store::live_children(&mut conn, id).await?;
    drop(conn);
    if live > 0 {
        return Err(input(format!(
            "该党组织还有{live}个下级党组织，请先调整或撤销下级"
        )));
    }
    if stored.facts.direct_members > 0 {
        return Err(input(format!(
            "该党组织还有{}名党员，请先转移组织关系或并入其他党组织",
            stored.facts.direct_members
        )));
    }
    // People applying there are on their way to its roster (发展党员): they go with a merge.
    let mut conn = app.store.acquire().await?;
    let t = jiceng_store::recruitment::tally::of(&mut conn, id).await?;
    drop(conn);
    let applying: i64 = ["applicant", "activist", "candidate"]
        .iter()
        .map(|k| t.stage(k))
        .sum();
    if applying > 0 {
        return Err(input(format!(
            "该党组织还有{applying}名入党申请人、入党积极分子或发展对象，请先并入其他党组织（发展党员记录随之转移）"
        )));
    }
    let (waiting, _) = crate::transfer::waiting(app, org).await?;
    if waiting > 0 {
        return Err(input(format!(
            "有{waiting}封转入该党组织的组织关系介绍信待接收，请先接收或退回，或并入其他党组织"
        )));
    }
    let today = app.today();
    let before = stored.org.clone();
    let mut after = before.clone();
    after.dissolved_on = Some(today);
    let change = Change::edit(
        stored,
        "Dissolve",
        AuditAction::OrgDissolve,
        &before,
        &after,
    );
    let after = &after;
    write(app, actor, &reason, &[id], &[change], |mut tx| async move {
        org_store::update(&mut tx, after).await?;
        Ok(tx)
    })
    .await
}
