//! The documents of one person's way (or, for the 预审请示, of several people of one
//! branch) generated from what is recorded, for an actor who may record recruitment; the
//! generation is audited as an export. A document whose facts are missing is refused with
//! the steps to record first (`StepRefused` on the field `step`), never printed with blanks.

use jiceng_store::orgs as org_store;
use jiceng_store::recruitment as store;

use super::documents::{self, DocError, DocKind, OrgDoc, PersonDoc};
use super::{ways, StepRefused};
use crate::access::{Grant, RecordRecruitment};
use crate::audit::{self, AuditAction};
use crate::{App, AppError, Result};

/// A generated document: its file name and its bytes (`.docx`).
pub struct Paper {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Generates `kind` for the applicants `ids` (in the actor's scope, all of one branch).
pub async fn generate(
    app: &App,
    grant: &Grant<RecordRecruitment>,
    kind: DocKind,
    ids: &[i64],
) -> Result<Paper> {
    let actor = grant.actor();
    let mut conn = app.store.acquire().await?;
    let mut people = Vec::new();
    for id in ids {
        let a = store::get(&mut conn, &actor.scope, *id)
            .await?
            .ok_or_else(|| AppError::NotFound("入党申请人".into()))?;
        people.push(a);
    }
    let first = people
        .first()
        .ok_or_else(|| AppError::Input("请选择要生成文书的人员".into()))?;
    if people.iter().any(|p| p.org_id != first.org_id) {
        return Err(AppError::Input("一份请示只能列同一党支部的人员".into()));
    }
    let org = org_store::by_ids(&mut conn, &[first.org_id]).await?;
    let org = org
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound("党组织".into()))?;
    let parent = match org.org.parent_id {
        Some(p) => org_store::by_ids(&mut conn, &[p]).await?.into_iter().next(),
        None => None,
    };
    let mut steps = ways(&mut conn, ids).await?;
    drop(conn);
    let docs: Vec<PersonDoc> = people
        .iter()
        .map(|a| PersonDoc {
            name: a.name.clone(),
            gender: a.gender,
            ethnicity: a.ethnicity.clone(),
            birth_date: a.birth_date,
            education: a.education,
            occupation: a.occupation.clone(),
            steps: steps
                .remove(&a.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, r)| r)
                .collect(),
        })
        .collect();
    let org_doc = OrgDoc {
        name: org.org.name.clone(),
        parent_name: parent.map(|p| p.org.name),
    };
    let bytes = documents::render(kind, &org_doc, &docs, app.today()).map_err(|e| match e {
        DocError::Missing(m) => AppError::Recruitment(StepRefused::new("step", m.to_string())),
        other => AppError::Input(other.to_string()),
    })?;
    let file_name = kind.file_name(&docs);
    let target = ids
        .iter()
        .map(|id| format!("applicant:{id}"))
        .collect::<Vec<_>>()
        .join(",");
    audit::Entry::new(actor, AuditAction::Export, target)
        .org(&org)
        .after(serde_json::json!({ "document": kind.label(), "file": file_name }))
        .record_alone(app, app.now())
        .await?;
    Ok(Paper { file_name, bytes })
}
