//! 批量开通书记账号: the organization department opens, in one step, an account for each
//! 党支部 and 党总支 of a subtree that has no secretary's account yet — named by the org's
//! code, bound to the org as 书记, its display name the secretary in office, its password a
//! one-time password shown once (to print and hand over) and changed at the first login.
//! All or nothing, audited one entry per account.

use std::collections::{HashMap, HashSet};

use jiceng_domain::{OrgKind, PositionKind};
use jiceng_store::users::{self as user_store, NewUserRecord};
use serde::Serialize;
use serde_json::json;

use super::one_time_password;
use crate::access::{Grant, InScope, ProvisionAccounts, Role};
use crate::audit::{self, AuditAction};
use crate::auth::{hash_password, time_text};
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// The most accounts opened in one step (hashing a password costs tens of milliseconds:
/// a township's branches at a time, or a county's in a few steps).
pub const BATCH: usize = 300;

/// The orgs whose secretaries get an account here.
const KINDS: [OrgKind; 2] = [OrgKind::Branch, OrgKind::GeneralBranch];

/// An account to open.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Opening {
    pub org_id: i64,
    pub org: OrgRef,
    pub kind_label: String,
    /// The secretary in office, as recorded (the account's display name).
    pub secretary: Option<String>,
    /// The account's name: the org's code.
    pub username: String,
}

/// What a subtree needs: the accounts to open (at most [`BATCH`], in tree order) and how
/// things stand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub org: OrgRef,
    pub openings: Vec<Opening>,
    /// Branches without a secretary's account, all of them (more than `openings` when
    /// over the batch).
    pub without: usize,
    /// Branches that have one (enabled or not).
    pub with: usize,
    /// Branches whose code is already another account's name: opened by hand.
    pub taken: Vec<Opening>,
}

/// An account opened, with its one-time password (shown once, never stored).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Opened {
    #[serde(flatten)]
    pub opening: Opening,
    pub password: String,
}

/// The plan for `org`'s subtree.
pub async fn plan(
    app: &App,
    _grant: &Grant<ProvisionAccounts>,
    org: &InScope<OrgRecord>,
) -> Result<Plan> {
    Ok(survey(app, org).await?.0)
}

async fn survey(app: &App, org: &InScope<OrgRecord>) -> Result<(Plan, Vec<OrgRecord>)> {
    let mut conn = app.store.acquire().await?;
    let scope = org.subtree();
    let mut branches: Vec<OrgRecord> = jiceng_store::orgs::list(&mut conn, &scope)
        .await?
        .into_iter()
        .filter(|o| KINDS.contains(&o.org.kind) && o.org.dissolved_on.is_none())
        .collect();
    branches.sort_by(|a, b| a.path.cmp(&b.path));
    let with_account: HashSet<i64> = user_store::list(&mut conn, &scope)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Secretary.code())
        .filter_map(|u| u.org_id)
        .collect();
    let with = branches
        .iter()
        .filter(|o| with_account.contains(&o.org.id))
        .count();
    branches.retain(|o| !with_account.contains(&o.org.id));
    let ids: Vec<i64> = branches.iter().map(|o| o.org.id).collect();
    let names: Vec<String> = branches.iter().map(|o| o.org.code.clone()).collect();
    let taken: HashSet<String> = user_store::taken(&mut conn, &names)
        .await?
        .into_iter()
        .collect();
    let secretaries: HashMap<i64, i64> = jiceng_store::positions::of_orgs(&mut conn, &ids)
        .await?
        .into_iter()
        .filter(|p| p.kind == PositionKind::Secretary && p.ended_on.is_none())
        .map(|p| (p.org_id, p.member_id))
        .collect();
    let member_ids: Vec<i64> = secretaries.values().copied().collect();
    let member_names = jiceng_store::browse::member_names(&mut conn, &member_ids).await?;
    let opening = |o: &OrgRecord| Opening {
        org_id: o.org.id,
        org: OrgRef::of(&o.org),
        kind_label: o.org.kind.label().to_string(),
        secretary: secretaries
            .get(&o.org.id)
            .and_then(|m| member_names.get(m))
            .cloned(),
        username: o.org.code.clone(),
    };
    let (taken_orgs, free): (Vec<OrgRecord>, Vec<OrgRecord>) = branches
        .into_iter()
        .partition(|o| taken.contains(&o.org.code));
    let plan = Plan {
        org: org.org_ref(),
        openings: free.iter().take(BATCH).map(opening).collect(),
        without: free.len() + taken_orgs.len(),
        with,
        taken: taken_orgs.iter().map(opening).collect(),
    };
    Ok((plan, free))
}

/// Opens the accounts of the plan (only those of `chosen` org ids, when given), at most
/// [`BATCH`]: all in one transaction, each audited. A branch that got an account since the
/// plan was shown is passed over.
pub async fn open(
    app: &App,
    grant: &Grant<ProvisionAccounts>,
    org: &InScope<OrgRecord>,
    chosen: Option<&[i64]>,
) -> Result<Vec<Opened>> {
    let actor = grant.actor();
    let (plan, free) = survey(app, org).await?;
    let openings: Vec<Opening> = plan
        .openings
        .into_iter()
        .filter(|o| chosen.is_none_or(|c| c.contains(&o.org_id)))
        .collect();
    if openings.is_empty() {
        return Err(AppError::Input(
            "没有需要开通账号的党支部：所选党组织都已有书记账号".into(),
        ));
    }
    let by_id: HashMap<i64, &OrgRecord> = free.iter().map(|o| (o.org.id, o)).collect();
    // The passwords and their hashes, computed side by side (each takes a slot of the
    // argon2 semaphore, as a login does).
    let mut hashing = tokio::task::JoinSet::new();
    for (i, _) in openings.iter().enumerate() {
        let password = one_time_password(app, Role::Secretary)?;
        hashing.spawn(async move {
            let hash = hash_password(&password).await;
            (i, password, hash)
        });
    }
    let mut secrets: Vec<Option<(String, String)>> = vec![None; openings.len()];
    while let Some(done) = hashing.join_next().await {
        let (i, password, hash) =
            done.map_err(|e| AppError::Input(format!("无法计算密码摘要：{e}")))?;
        secrets[i] = Some((password, hash?));
    }
    let first_id = app.store.reserve_ids("user", openings.len() as i64).await?;
    let records: Vec<NewUserRecord> = openings
        .iter()
        .zip(&secrets)
        .enumerate()
        .map(|(i, (o, secret))| NewUserRecord {
            id: first_id + i as i64,
            username: o.username.clone(),
            password_hash: secret.as_ref().map(|s| s.1.clone()).unwrap_or_default(),
            role: Role::Secretary.code().to_string(),
            org_id: Some(o.org_id),
            member_id: None,
            display_name: o.secretary.clone(),
            must_change_password: true,
        })
        .collect();
    let entries: Vec<audit::Entry> = records
        .iter()
        .map(|r| {
            let stored = r.org_id.and_then(|id| by_id.get(&id).copied());
            audit::Entry::new(actor, AuditAction::UserAdd, &r.username)
                .org(stored)
                .after(json!({
                    "username": r.username,
                    "role": r.role,
                    "org": stored.map(|o| o.org.code.clone()),
                    "display_name": r.display_name,
                    "must_change_password": true,
                    "by": "批量开通书记账号",
                }))
        })
        .collect();
    let now = app.now();
    let (records, entries) = (&records, &entries);
    let done = audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        for r in records {
            user_store::insert(&mut tx, r, &time_text(now)).await?;
        }
        for e in entries {
            e.record(&mut tx, now).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await;
    match done {
        Err(AppError::Store(jiceng_store::StoreError::Db(jiceng_store::SqlxError::Database(
            e,
        )))) if e.is_unique_violation() => {
            return Err(AppError::Input(
                "有账号名刚被占用，未开通任何账号，请刷新后重试".into(),
            ))
        }
        other => other?,
    }
    Ok(openings
        .into_iter()
        .zip(secrets)
        .map(|(opening, s)| Opened {
            opening,
            password: s.map(|s| s.0).unwrap_or_default(),
        })
        .collect())
}
