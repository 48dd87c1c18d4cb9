//! Registering a person who applies (step ①, 递交入党申请书) with the branch that
//! received the application. Gender and birth date come from the ID number (GB 11643);
//! the number is stored as members' are (keyed hash, ciphertext, masked), the phone
//! encrypted. A person is registered once: an ID number already an applicant or already a
//! member is refused, wherever that record is.

use chrono::NaiveDate;
use jiceng_domain::recruitment::{check_step, StepKind, StepRecord};
use jiceng_domain::{text, Education, IdNumber, OrgKind};
use jiceng_store::recruitment::{self as store, Derived, StoredApplicant, StoredStep};
use serde::{Deserialize, Serialize};

use super::{derived, progress, StepRefused};
use crate::access::{Grant, InScope, RecordRecruitment};
use crate::audit::{self, AuditAction};
use crate::{App, AppError, OrgRecord, Result};

/// What the registration form, the API or a ledger row gives of a person applying.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewApplicant {
    pub name: String,
    /// 公民身份号码 (GB 11643): gender and birth date are read from it.
    pub id_number: String,
    #[serde(default)]
    pub ethnicity: Option<String>,
    /// An education band (研究生, 大学本科…), or empty.
    #[serde(default)]
    pub education: Option<String>,
    /// 工作岗位 / 职业.
    #[serde(default)]
    pub occupation: Option<String>,
    /// 生产、工作一线.
    #[serde(default)]
    pub front_line: bool,
    #[serde(default)]
    pub phone: Option<String>,
    /// 递交入党申请书的日期.
    pub applied_on: NaiveDate,
}

fn refused(field: &'static str, message: impl Into<String>) -> AppError {
    AppError::Recruitment(StepRefused::new(field, message))
}

/// The applicant's row as it will be stored (id 0: the caller gives it one), checked.
pub fn prepare(app: &App, org: &InScope<OrgRecord>, new: &NewApplicant) -> Result<StoredApplicant> {
    if org.org.kind == OrgKind::Group {
        return Err(refused(
            "org",
            "入党申请应由党支部（或党委、党总支）接收，不能是党小组",
        ));
    }
    let crate::person::PersonFields {
        name,
        id,
        ethnicity,
        education,
    } = crate::person::check_person(
        &new.name,
        &new.id_number,
        (&new.ethnicity, &new.education),
        refused,
    )?;
    let occupation = crate::trimmed(&new.occupation);
    text::OCCUPATION
        .check(occupation.as_deref().unwrap_or(""))
        .map_err(|e| refused("occupation", e))?;
    let phone = match crate::trimmed(&new.phone) {
        Some(p) => Some(crate::privacy::check_phone(&p).map_err(|e| refused("phone", e))?),
        None => None,
    };
    if new.applied_on > app.today() {
        return Err(refused(
            "applied_on",
            format!("申请日期晚于今天：{}", new.applied_on),
        ));
    }
    let first = StepRecord::new(StepKind::Apply, new.applied_on);
    check_step(&app.rules, Some(id.birth_date()), &[], &first).map_err(StepRefused::from)?;
    let details = Details {
        ethnicity,
        education,
        occupation,
        front_line: new.front_line,
        phone,
    };
    Ok(protected_row(
        app,
        (org.org.id, &org.path),
        name,
        &id,
        details,
    ))
}

/// What an applicant's row holds besides the org, the name and the ID number.
pub(crate) struct Details {
    pub ethnicity: String,
    pub education: Option<Education>,
    pub occupation: Option<String>,
    pub front_line: bool,
    /// The phone as checked, in clear (stored encrypted with its masked copy).
    pub phone: Option<String>,
}

/// An applicant's row (id 0, nothing derived yet) with gender and birth date read from the
/// ID number, the number hashed, encrypted and masked, and the phone protected, as members'.
pub(crate) fn protected_row(
    app: &App,
    (org_id, org_path): (i64, &str),
    name: String,
    id: &IdNumber,
    d: Details,
) -> StoredApplicant {
    let (phone_cipher, phone_masked) = match d.phone {
        Some(p) => {
            let (c, m) = app.crypto.protect_phone(&p);
            (Some(c), Some(m))
        }
        None => (None, None),
    };
    StoredApplicant {
        id: 0,
        org_id,
        org_path: org_path.to_string(),
        name,
        gender: id.gender(),
        ethnicity: d.ethnicity,
        birth_date: id.birth_date(),
        id_hash: app.crypto.id_hash(id),
        id_cipher: app.crypto.encrypt(id),
        id_masked: id.masked(),
        education: d.education,
        occupation: d.occupation,
        front_line: d.front_line,
        phone_cipher,
        phone_masked,
        derived: Derived::default(),
        member_id: None,
    }
}

/// Refuses an ID number already registered as an applicant or on the roster (any scope;
/// the message does not say where).
pub(crate) async fn refuse_known(app: &App, hashes: &[String]) -> Result<()> {
    let mut conn = app.store.acquire().await?;
    if !store::by_id_hashes(&mut conn, hashes).await?.is_empty() {
        return Err(refused(
            "id_number",
            "该身份证号已登记为入党申请人，不能重复登记",
        ));
    }
    if !jiceng_store::members::by_id_hashes(&mut conn, hashes)
        .await?
        .is_empty()
    {
        return Err(refused(
            "id_number",
            "该身份证号已是党员，不能登记为入党申请人",
        ));
    }
    Ok(())
}

/// What the audit entry shows of an applicant: the ID number masked, the phone masked.
pub(crate) fn audit_view(a: &StoredApplicant) -> serde_json::Value {
    serde_json::json!({
        "name": a.name,
        "id_number": a.id_masked,
        "org_id": a.org_id,
        "stage": a.derived.stage,
        "phone": a.phone_masked,
    })
}

/// Registers a person applying with `org`, recording step ① on the day applied.
/// Answers the applicant's id.
pub async fn register(
    app: &App,
    grant: &Grant<RecordRecruitment>,
    org: &InScope<OrgRecord>,
    new: &NewApplicant,
) -> Result<i64> {
    let mut a = prepare(app, org, new)?;
    refuse_known(app, std::slice::from_ref(&a.id_hash)).await?;
    a.id = app.store.reserve_ids("applicant", 1).await?;
    let step_id = app.store.reserve_ids("recruitment_step", 1).await?;
    let first = StepRecord::new(StepKind::Apply, new.applied_on);
    let steps = [first.clone()];
    a.derived = derived(&progress(app, &a, &steps, app.today()), &steps);
    let step = StoredStep {
        id: step_id,
        applicant_id: a.id,
        step: StepKind::Apply.number(),
        on: new.applied_on,
        detail: serde_json::to_string(&first).expect("a step serialises"),
        recorded_by: grant.actor().username().to_string(),
        recorded_at: app.now().to_rfc3339(),
    };
    let (a, step) = (&a, &step);
    audit::Entry::new(
        grant.actor(),
        AuditAction::RecruitmentRegister,
        format!("applicant:{}", a.id),
    )
    .org(&**org)
    .after(audit_view(a))
    .write(app, |mut tx| async move {
        crate::privacy::ensure_key(&mut tx, &app.crypto).await?;
        store::insert(&mut tx, std::slice::from_ref(a)).await?;
        store::insert_steps(&mut tx, std::slice::from_ref(step)).await?;
        store::tally::refresh(&mut tx, &[a.org_id]).await?;
        Ok(tx)
    })
    .await?;
    Ok(a.id)
}
