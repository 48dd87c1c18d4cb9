//! A person's fields as a form, the API or a row gives them — name, ID number (GB 11643),
//! ethnicity, education — checked once for every use case that makes a person's record (a
//! person applying, a member transferred in from outside the system). Each refusal names
//! its field, in the caller's error (`refused`).

use jiceng_domain::{text, Education, IdNumber};

use crate::{AppError, Result};

/// The checked fields.
pub(crate) struct PersonFields {
    pub name: String,
    pub id: IdNumber,
    pub ethnicity: String,
    pub education: Option<Education>,
}

pub(crate) fn check_person(
    name: &str,
    id_number: &str,
    (ethnicity, education): (&Option<String>, &Option<String>),
    refused: impl Fn(&'static str, String) -> AppError,
) -> Result<PersonFields> {
    let name = name.trim();
    if name.is_empty() {
        return Err(refused("name", "请填写姓名".into()));
    }
    text::MEMBER_NAME
        .check(name)
        .map_err(|e| refused("name", e))?;
    let id = IdNumber::parse(id_number).map_err(|e| refused("id_number", e.to_string()))?;
    let ethnicity = crate::trimmed(ethnicity).unwrap_or_default();
    text::ETHNICITY
        .check(&ethnicity)
        .map_err(|e| refused("ethnicity", e))?;
    let education = match crate::trimmed(education) {
        Some(e) => Some(
            Education::parse_label(&e)
                .ok_or_else(|| refused("education", format!("无法识别的学历：{e}")))?,
        ),
        None => None,
    };
    Ok(PersonFields {
        name: name.to_string(),
        id,
        ethnicity,
        education,
    })
}
