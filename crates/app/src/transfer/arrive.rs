//! A relation transferred in from outside the system (系统外转入): the receiving org records
//! the letter it was handed and the member is created from the letter's data, on its roster
//! from the day received (转入日期), counted in the same transaction.

use chrono::NaiveDate;
use jiceng_domain::transfer::{self as rule, LetterState, Outside};
use jiceng_domain::{text, MemberStatus, OrgKind};
use jiceng_store::facts;
use jiceng_store::members::{self as member_store, StoredMember};
use jiceng_store::transfers::{self as store, StoredTransfer};
use serde::{Deserialize, Serialize};

use super::{audit_view, refused, Person};
use crate::access::{Grant, InScope, TransferMembers};
use crate::audit::{self, AuditAction};
use crate::{App, OrgRecord, Result};

/// What the 转入 form or the API gives: the letter and the member it introduces.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Arrival {
    pub name: String,
    /// 公民身份号码 (GB 11643): gender and birth date are read from it.
    pub id_number: String,
    #[serde(default)]
    pub ethnicity: Option<String>,
    #[serde(default)]
    pub education: Option<String>,
    /// 正式党员 / 预备党员.
    pub status: String,
    pub joined_on: NaiveDate,
    #[serde(default)]
    pub full_on: Option<NaiveDate>,
    #[serde(default)]
    pub phone: Option<String>,
    /// Where the letter comes from: 系统外党组织, 军队, 境外 or 其他.
    #[serde(default)]
    pub outside: Option<String>,
    /// The issuing org as written on the letter.
    pub from_name: String,
    pub letter_no: String,
    pub issued_on: NaiveDate,
    pub received_on: NaiveDate,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Checks an arrival and makes the member's row (id 0).
fn member_row(app: &App, org: &OrgRecord, a: &Arrival) -> Result<StoredMember> {
    let crate::person::PersonFields {
        name,
        id,
        ethnicity,
        education,
    } = crate::person::check_person(&a.name, &a.id_number, (&a.ethnicity, &a.education), refused)?;
    let status = MemberStatus::parse_label(a.status.trim())
        .ok_or_else(|| refused("status", "人员类别应为“正式党员”或“预备党员”"))?;
    if a.joined_on <= id.birth_date() || a.joined_on > a.issued_on {
        return Err(refused(
            "joined_on",
            format!(
                "入党日期{}应在出生日期之后、介绍信开具日期之前",
                a.joined_on
            ),
        ));
    }
    if let Some(f) = a.full_on.filter(|f| *f < a.joined_on) {
        return Err(refused("full_on", format!("转正日期{f}早于入党日期")));
    }
    let mut m = StoredMember {
        id: 0,
        org_id: org.org.id,
        org_path: org.path.clone(),
        name,
        gender: id.gender(),
        ethnicity,
        birth_date: id.birth_date(),
        id_hash: app.crypto.id_hash(&id),
        id_cipher: app.crypto.encrypt(&id),
        id_masked: id.masked(),
        education,
        status,
        joined_on: a.joined_on,
        full_on: a.full_on,
        occupation: None,
        phone_cipher: None,
        phone_masked: None,
        mobile: false,
        lost_contact: false,
        exited_on: None,
        transferred_in_on: Some(a.received_on),
        group_id: None,
    };
    if let Some(p) = crate::trimmed(&a.phone) {
        let p = crate::privacy::check_phone(&p).map_err(|e| refused("phone", e))?;
        crate::privacy::set_phone(&app.crypto, &mut m, &p);
    }
    Ok(m)
}

/// Records a letter from outside the system received by `org` and puts the member it
/// introduces on the roster. Answers the member's id.
pub async fn arrive(
    app: &App,
    grant: &Grant<TransferMembers>,
    org: &InScope<OrgRecord>,
    a: &Arrival,
) -> Result<i64> {
    let actor = grant.actor();
    if org.org.kind == OrgKind::Group {
        return Err(refused(
            "org",
            "组织关系应转入党支部（或党总支、党委），不能转入党小组",
        ));
    }
    let outside = match crate::trimmed(&a.outside) {
        Some(k) => {
            Outside::parse(&k).ok_or_else(|| refused("outside", format!("无法识别的来源：{k}")))?
        }
        None => Outside::OtherSystem,
    };
    let from_name = a.from_name.trim();
    if from_name.is_empty() {
        return Err(refused("from_name", "请填写开具介绍信的党组织名称"));
    }
    text::ORG_NAME
        .check(from_name)
        .map_err(|e| refused("from_name", e))?;
    let letter_no = a.letter_no.trim();
    if letter_no.is_empty() || letter_no.chars().count() > 40 {
        return Err(refused("letter_no", "请填写介绍信编号（不超过40个字）"));
    }
    let valid_until = rule::valid_until(&app.rules, a.issued_on);
    if a.issued_on > app.today() {
        return Err(refused(
            "issued_on",
            format!("介绍信开具日期晚于今天：{}", a.issued_on),
        ));
    }
    rule::check_receive(
        LetterState::Issued,
        a.issued_on,
        valid_until,
        a.received_on,
        app.today(),
    )
    .map_err(|e| refused("received_on", e.message))?;
    let mut m = member_row(app, org, a)?;
    let mut conn = app.store.acquire().await?;
    if !member_store::by_id_hashes(&mut conn, std::slice::from_ref(&m.id_hash))
        .await?
        .is_empty()
    {
        return Err(refused(
            "id_number",
            "该身份证号已在党员名册中；本系统内的转接请由转出党组织开具介绍信",
        ));
    }
    drop(conn);
    m.id = app.store.reserve_ids("member", 1).await?;
    let t = StoredTransfer {
        id: app.store.reserve_ids("member_transfer", 1).await?,
        member_id: Some(m.id),
        letter_no: letter_no.to_string(),
        issued_on: a.issued_on,
        valid_until,
        from_org_id: None,
        from_path: None,
        from_name: from_name.to_string(),
        to_org_id: Some(org.org.id),
        to_path: Some(org.path.clone()),
        to_name: org.org.name.clone(),
        outside: Some(outside),
        reason: crate::trimmed(&a.reason).unwrap_or_else(|| "系统外转入".into()),
        state: LetterState::Received,
        person: serde_json::to_string(&Person::of(&m)).expect("a person serialises"),
        decided_on: Some(a.received_on),
        decision_note: None,
        issued_by: from_name.to_string(),
        decided_by: Some(actor.username().to_string()),
        recorded_at: app.now().to_rfc3339(),
    };
    let (m, t, today) = (&m, &t, app.today());
    audit::Entry::new(actor, AuditAction::TransferIn, format!("member:{}", m.id))
        .org(&**org)
        .after(audit_view(t))
        .write(app, |mut tx| async move {
            crate::privacy::ensure_key(&mut tx, &app.crypto).await?;
            member_store::insert(&mut tx, std::slice::from_ref(m)).await?;
            store::insert(&mut tx, std::slice::from_ref(t)).await?;
            facts::refresh(&mut tx, &app.rules, &[m.org_id], today).await?;
            Ok(tx)
        })
        .await?;
    Ok(m.id)
}
