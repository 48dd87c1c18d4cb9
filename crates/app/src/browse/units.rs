//! The unit registry: a page, or all for an export.

use jiceng_store::browse::{self as browse_store, UnitFilter};
use jiceng_store::orgs::StoredOrg;
use jiceng_store::units::StoredUnit;
use jiceng_store::Scope;
use serde::Serialize;

use std::collections::HashMap;

use super::{
    bounded_page, last_page, name_in, org_names, org_scope, places_of, Page, Place, MAX_PAGE_SIZE,
};
use crate::access::{Actor, InScope};
use crate::{App, Result};

/// A unit as the registry shows it.
#[derive(Debug, Clone, Serialize)]
pub struct UnitRow {
    pub id: i64,
    pub name: String,
    pub credit_code: Option<String>,
    pub domain: String,
    pub status: String,
    pub employees: Option<i64>,
    pub full_members: i64,
    pub coverage: String,
    pub org_id: i64,
    pub org_name: String,
    pub instructor: Option<String>,
}

impl UnitRow {
    pub(super) fn of(u: &StoredUnit, org_name: &str) -> UnitRow {
        let x = &u.unit;
        UnitRow {
            id: x.id,
            name: x.name.clone(),
            credit_code: x.credit_code.as_ref().map(|c| c.as_str().to_string()),
            domain: x.domain.label().into(),
            status: x.status.label().into(),
            employees: x.employees,
            full_members: x.full_members,
            coverage: x.coverage.label().into(),
            org_id: x.org_id,
            org_name: org_name.to_string(),
            instructor: x.instructor.clone(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct UnitQuery {
    pub org: Option<InScope<StoredOrg>>,
    pub q: Option<String>,
    /// A `Coverage` code.
    pub coverage: Option<String>,
    /// A `Domain` code.
    pub domain: Option<String>,
    pub page: i64,
    pub page_size: i64,
}

/// A page of the unit registry.
pub type UnitPage = Page<UnitRow>;

fn unit_read(actor: &Actor, query: &UnitQuery) -> Result<(Scope, UnitFilter)> {
    let mut scope = org_scope(actor)?.clone();
    if let Some(org) = &query.org {
        scope = org.subtree();
    }
    let filter = UnitFilter {
        name_like: query.q.clone().filter(|q| !q.trim().is_empty()),
        coverage: query
            .coverage
            .clone()
            .filter(|c| jiceng_domain::Coverage::from_code(c).is_some()),
        domain: query
            .domain
            .clone()
            .filter(|d| jiceng_domain::Domain::from_code(d).is_some()),
    };
    Ok((scope, filter))
}

/// A page of the unit registry. A page beyond the end is the last page.
pub async fn units(app: &App, actor: &Actor, query: &UnitQuery) -> Result<UnitPage> {
    let page_size = query.page_size.clamp(1, MAX_PAGE_SIZE);
    let mut page = bounded_page(query.page, page_size);
    let (scope, filter) = unit_read(actor, query)?;
    let mut conn = app.store.acquire().await?;
    let (mut rows, total) = browse_store::units_page(
        &mut conn,
        &scope,
        &filter,
        (page - 1) * page_size,
        page_size,
    )
    .await?;
    if page > last_page(total, page_size) {
        page = last_page(total, page_size);
        rows = browse_store::units_page(
            &mut conn,
            &scope,
            &filter,
            (page - 1) * page_size,
            page_size,
        )
        .await?
        .0;
    }
    let names = org_names(&mut conn, rows.iter().map(|u| u.unit.org_id)).await?;
    Ok(UnitPage {
        items: rows
            .iter()
            .map(|u| UnitRow::of(u, name_in(&names, u.unit.org_id)))
            .collect(),
        total,
        page,
        page_size,
    })
}

/// Every unit a query matches (for an export), at most `cap`.
pub async fn units_all(
    app: &App,
    actor: &Actor,
    query: &UnitQuery,
    cap: i64,
) -> Result<(Vec<UnitRow>, HashMap<i64, Place>)> {
    let (scope, filter) = unit_read(actor, query)?;
    let mut conn = app.store.acquire().await?;
    let (rows, _) = browse_store::units_page(&mut conn, &scope, &filter, 0, cap).await?;
    let names = org_names(&mut conn, rows.iter().map(|u| u.unit.org_id)).await?;
    let places = places_of(&mut conn, rows.iter().map(|u| u.unit.org_id)).await?;
    Ok((
        rows.iter()
            .map(|u| UnitRow::of(u, name_in(&names, u.unit.org_id)))
            .collect(),
        places,
    ))
}
