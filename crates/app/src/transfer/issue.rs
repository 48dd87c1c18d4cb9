//! Issuing a letter (开具介绍信) for a member of the sender's scope, to an org anywhere in the
//! tree (named by its code, exact name or id: the sender need not see it) or to outside the
//! system.

use chrono::NaiveDate;
use jiceng_domain::transfer::{self as rule, LetterState, Outside};
use jiceng_domain::OrgKind;
use jiceng_store::transfers::{self as store, StoredTransfer};
use jiceng_store::{members as member_store, orgs as org_store, Scope};
use serde::{Deserialize, Serialize};

use super::{audit_view, refused, Person, Refused};
use crate::access::{Grant, TransferMembers};
use crate::audit::{self, AuditAction};
use crate::{App, AppError, OrgRecord, Result};

/// What the letter form or the API gives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewLetter {
    /// The receiving org in this system: its code, exact name or id. Blank when `outside`.
    #[serde(default)]
    pub to: Option<String>,
    /// To outside the system: 系统外党组织, 军队, 境外 or 其他 (or their codes).
    #[serde(default)]
    pub outside: Option<String>,
    /// The outside org's name as written on the letter.
    #[serde(default)]
    pub to_name: Option<String>,
    /// 介绍信编号; blank: numbered by the system (`转字〔年〕id号`).
    #[serde(default)]
    pub letter_no: Option<String>,
    pub issued_on: NaiveDate,
    pub reason: String,
}

/// Where a letter goes.
enum Dest {
    Org(Box<OrgRecord>),
    Outside(Outside, String),
}

async fn destination(app: &App, new: &NewLetter) -> Result<Dest> {
    if let Some(kind) = crate::trimmed(&new.outside) {
        let o = Outside::parse(&kind).ok_or_else(|| {
            refused(
                "outside",
                format!("无法识别的转出去向：{kind}（系统外党组织、军队、境外或其他）"),
            )
        })?;
        let name = crate::trimmed(&new.to_name)
            .ok_or_else(|| refused("to_name", "请填写接收单位（党组织）的名称"))?;
        jiceng_domain::text::ORG_NAME
            .check(&name)
            .map_err(|e| refused("to_name", e))?;
        return Ok(Dest::Outside(o, name));
    }
    let key = crate::trimmed(&new.to).ok_or_else(|| {
        refused(
            "to",
            "请填写接收党组织的组织代码或完整名称（转往系统外的请选择去向）",
        )
    })?;
    let found = match key.parse::<i64>() {
        Ok(id) => {
            let mut conn = app.store.acquire().await?;
            org_store::get(&mut conn, &Scope::All, id).await?
        }
        Err(_) => None,
    };
    let org = match found {
        Some(o) => o,
        None => app
            .resolve_org(&Scope::All, &key)
            .await
            .map_err(|e| match e {
                AppError::OrgNotFound(_) | AppError::OrgAmbiguous { .. } => {
                    refused("to", e.to_string())
                }
                other => other,
            })?,
    };
    if org.org.dissolved_on.is_some() {
        return Err(refused(
            "to",
            format!("{}已撤销，不能接收组织关系", org.org.name),
        ));
    }
    if org.org.kind == OrgKind::Group {
        return Err(refused(
            "to",
            "组织关系应转入党支部（或党总支、党委），不能转入党小组",
        ));
    }
    Ok(Dest::Org(Box::new(org)))
}

/// Issues a letter for the member `member_id` (in the actor's scope). Answers its id.
pub async fn issue(
    app: &App,
    grant: &Grant<TransferMembers>,
    member_id: i64,
    new: &NewLetter,
) -> Result<i64> {
    let actor = grant.actor();
    let dest = destination(app, new).await?;
    let id = app.store.reserve_ids("member_transfer", 1).await?;
    let (t, from) = letter(app, grant, member_id, &dest, new, (id, false)).await?;
    let t = &t;
    audit::Entry::new(
        actor,
        AuditAction::TransferIssue,
        format!("member:{member_id}"),
    )
    .org(&from)
    .after(audit_view(t))
    .write(app, |mut tx| async move {
        store::insert(&mut tx, std::slice::from_ref(t)).await?;
        Ok(tx)
    })
    .await?;
    Ok(id)
}

/// The most members one batch moves (批量转出 from the roster; a spreadsheet takes more).
pub const BATCH_MAX: usize = 200;

/// Issues one letter each for the members `member_ids` (in the actor's scope) to the same
/// place, on the same day, for the same reason (a village branch split, a school's
/// graduates): every letter checked as `issue` checks one — each refusal named by the
/// member — then all written in one transaction, one audit entry each. All or nothing.
/// Answers the letters' ids.
pub async fn issue_many(
    app: &App,
    grant: &Grant<TransferMembers>,
    member_ids: &[i64],
    new: &NewLetter,
) -> Result<Vec<i64>> {
    let mut ids: Vec<i64> = member_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(refused("member", "请勾选要转出的党员"));
    }
    if ids.len() > BATCH_MAX {
        return Err(refused(
            "member",
            format!(
                "一次最多转出{BATCH_MAX}名党员（勾选了{}名）；人数更多的请用“批量转出”表格导入",
                ids.len()
            ),
        ));
    }
    if crate::trimmed(&new.letter_no).is_some() {
        return Err(refused(
            "letter_no",
            "批量转出的介绍信由系统逐一编号，请不要填写编号",
        ));
    }
    let dest = destination(app, new).await?;
    let first = app
        .store
        .reserve_ids("member_transfer", ids.len() as i64)
        .await?;
    let mut letters = Vec::with_capacity(ids.len());
    let mut refusals = Vec::new();
    for (n, member_id) in ids.iter().enumerate() {
        match letter(app, grant, *member_id, &dest, new, (first + n as i64, true)).await {
            Ok(l) => letters.push(l),
            Err(AppError::MemberLife(r)) => refusals.push(r.message),
            Err(other) => return Err(other),
        }
    }
    if !refusals.is_empty() {
        return Err(refused("member", refusals.join("；")));
    }
    let actor = grant.actor();
    let letters_ref = &letters;
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        let rows: Vec<StoredTransfer> = letters_ref.iter().map(|(t, _)| t.clone()).collect();
        store::insert(&mut tx, &rows).await?;
        for (t, from) in letters_ref {
            audit::Entry::new(
                actor,
                AuditAction::TransferIssue,
                format!("member:{}", t.member_id.unwrap_or_default()),
            )
            .org(from)
            .after(audit_view(t))
            .record(&mut tx, app.now())
            .await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(letters.iter().map(|(t, _)| t.id).collect())
}

/// The letter `id` for the member `member_id` (in the actor's scope, current, with no
/// letter waiting) to `dest`, checked by the rules; with the org it leaves. `named`: a
/// refusal by the rules names the member (one of a batch).
async fn letter(
    app: &App,
    grant: &Grant<TransferMembers>,
    member_id: i64,
    dest: &Dest,
    new: &NewLetter,
    (id, named): (i64, bool),
) -> Result<(StoredTransfer, OrgRecord)> {
    let actor = grant.actor();
    let today = app.today();
    let mut conn = app.store.acquire().await?;
    let m = member_store::get(&mut conn, &actor.scope, member_id)
        .await?
        .filter(|m| m.exited_on.is_none())
        .ok_or_else(|| AppError::NotFound("党员".into()))?;
    let from = org_store::get(&mut conn, &Scope::All, m.org_id)
        .await?
        .ok_or_else(|| AppError::NotFound("党组织".into()))?;
    if let Some(open) = store::of_member(&mut conn, m.id)
        .await?
        .into_iter()
        .find(|t| t.state.is_open())
    {
        return Err(refused(
            "member",
            format!(
                "{}已有一封待接收的介绍信（{}，转往{}），请先撤回",
                m.name, open.letter_no, open.to_name
            ),
        ));
    }
    drop(conn);
    let same = matches!(dest, Dest::Org(o) if o.org.id == m.org_id);
    rule::check_issue(new.issued_on, today, m.joined_on, &new.reason, same).map_err(|e| {
        let mut r = Refused::from(e);
        if named {
            r.message = format!("{}：{}", m.name, r.message);
        }
        AppError::MemberLife(r)
    })?;
    let letter_no = crate::trimmed(&new.letter_no)
        .unwrap_or_else(|| format!("转字〔{}〕{id}号", new.issued_on.format("%Y")));
    jiceng_domain::text::LETTER_NO
        .check(&letter_no)
        .map_err(|e| refused("letter_no", e))?;
    let (to_org_id, to_path, to_name, outside) = match dest {
        Dest::Org(o) => (
            Some(o.org.id),
            Some(o.path.clone()),
            o.org.name.clone(),
            None,
        ),
        Dest::Outside(kind, name) => (None, None, name.clone(), Some(*kind)),
    };
    let t = StoredTransfer {
        id,
        member_id: Some(m.id),
        letter_no,
        issued_on: new.issued_on,
        valid_until: rule::valid_until(&app.rules, new.issued_on),
        from_org_id: Some(from.org.id),
        from_path: Some(from.path.clone()),
        from_name: from.org.name.clone(),
        to_org_id,
        to_path,
        to_name,
        outside,
        reason: new.reason.trim().to_string(),
        state: LetterState::Issued,
        person: serde_json::to_string(&Person::of(&m)).expect("a person serialises"),
        decided_on: None,
        decision_note: None,
        issued_by: actor.username().to_string(),
        decided_by: None,
        recorded_at: app.now().to_rfc3339(),
    };
    Ok((t, from))
}
