//! The staffing checks of SPEC C3 (issue #15, point 5): the party-building staff of an org
//! (组织员, 党建工作指导员, and the other roles of `StaffRole`) with their dates; a township
//! committee with fewer 组织员 and 党建工作指导员 in post than the rules of the day ask
//! (`staffing.township_party_building_staff_min`), and the branch secretaries without any
//! training hours this year (from the stored tallies).

use chrono::NaiveDate;
use jiceng_domain::training::Tally;
use jiceng_domain::StaffRole;
use jiceng_store::training::{self as store, StoredStaff};
use serde::{Deserialize, Serialize};

use crate::access::{Grant, InScope, Write};
use crate::audit::{self, AuditAction};
use crate::refusal::refused;
use crate::{App, AppError, OrgRecord, Result};

/// A township committee's party-building staff in post today.
#[derive(Debug, Clone, Serialize)]
pub struct TownshipStaff {
    pub org_id: i64,
    pub name: String,
    pub organizers: i64,
    pub instructors: i64,
    /// Fewer than the rules ask.
    pub short: bool,
}

/// The staffing checks of a subtree.
#[derive(Debug, Clone, Serialize)]
pub struct Staffing {
    /// The party-building staff a township committee needs (rules in force today).
    pub min: i64,
    /// The township committees of the subtree (at most `super::LIST`; the counts are
    /// complete), those short first.
    pub townships: Vec<TownshipStaff>,
    pub townships_total: usize,
    pub townships_short: usize,
    /// Branch secretaries of the subtree with no training hours this year (stored tally).
    pub secretaries_untrained: i64,
    pub secretaries: i64,
}

/// The staffing checks of `org`'s subtree; `tally` is its stored training tally of the
/// year shown (the secretaries' part).
pub async fn staffing(app: &App, org: &InScope<OrgRecord>, tally: Tally) -> Result<Staffing> {
    let today = app.today();
    let min = app
        .rules
        .in_force(today)
        .staffing
        .township_party_building_staff_min;
    let mut conn = app.store.acquire().await?;
    let townships = store::townships(&mut conn, &org.subtree()).await?;
    let staff = if townships.is_empty() {
        Vec::new()
    } else {
        store::staff_in_scope(&mut conn, &org.subtree()).await?
    };
    drop(conn);
    let mut rows: Vec<TownshipStaff> = townships
        .iter()
        .map(|(id, name, _)| {
            let count = |role: StaffRole| {
                staff
                    .iter()
                    .filter(|s| s.org_id == *id && s.role == role.code())
                    .filter(|s| store::in_post(s, today))
                    .count() as i64
            };
            let (organizers, instructors) =
                (count(StaffRole::Organizer), count(StaffRole::Instructor));
            TownshipStaff {
                org_id: *id,
                name: name.clone(),
                organizers,
                instructors,
                short: organizers + instructors < min,
            }
        })
        .collect();
    let townships_short = rows.iter().filter(|t| t.short).count();
    let townships_total = rows.len();
    rows.sort_by_key(|t| !t.short);
    rows.truncate(super::LIST);
    Ok(Staffing {
        min,
        townships: rows,
        townships_total,
        townships_short,
        secretaries_untrained: tally.secretaries_untrained,
        secretaries: tally.branch_secretaries,
    })
}

/// What the org page's form gives: a staff member appointed, or one's post ended.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StaffInput {
    /// `appoint` or `end`.
    pub action: String,
    #[serde(default)]
    pub name: String,
    /// `StaffRole::code` or its label (组织员, 党建工作指导员 …).
    #[serde(default)]
    pub role: String,
    pub on: NaiveDate,
    /// The staff record whose post ends (`end`).
    #[serde(default)]
    pub staff_id: Option<i64>,
}

/// A staff member as the org page shows them.
#[derive(Debug, Clone, Serialize)]
pub struct StaffView {
    pub id: i64,
    pub name: String,
    pub role: &'static str,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// The staff recorded for the org itself (in post or not), for its page.
pub async fn of_org(app: &App, org: &InScope<OrgRecord>) -> Result<Vec<StaffView>> {
    let mut conn = app.store.acquire().await?;
    let all = store::staff_in_scope(&mut conn, &org.subtree()).await?;
    Ok(all
        .iter()
        .filter(|s| s.org_id == org.org.id)
        .map(|s| StaffView {
            id: s.id,
            name: s.name.clone(),
            role: StaffRole::from_code(&s.role).map_or("", StaffRole::label),
            since: s.since,
            until: s.until,
        })
        .collect())
}

fn parse_role(s: &str) -> Option<StaffRole> {
    let s = s.trim();
    StaffRole::from_code(s).or_else(|| {
        StaffRole::ALL
            .into_iter()
            .find(|r| r.label() == s)
            .or(match s {
                "党建指导员" => Some(StaffRole::Instructor),
                _ => None,
            })
    })
}

/// Appoints a staff member to `org`, or ends a post (`Write`: maintaining the org).
pub async fn record(
    app: &App,
    grant: &Grant<Write>,
    org: &InScope<OrgRecord>,
    input: &StaffInput,
) -> Result<()> {
    let actor = grant.actor();
    if input.on > app.today() {
        return Err(refused("on", format!("日期晚于今天：{}", input.on)));
    }
    let (row, is_new) = match input.action.as_str() {
        "appoint" => {
            let name = input.name.trim();
            if name.is_empty() {
                return Err(refused("name", "请填写姓名"));
            }
            jiceng_domain::text::TextField::new("姓名", 40)
                .check(name)
                .map_err(|e| refused("name", e))?;
            let role = parse_role(&input.role)
                .ok_or_else(|| refused("role", format!("无法识别的岗位：{}", input.role)))?;
            let row = StoredStaff {
                id: app.store.reserve_ids("org_staff", 1).await?,
                org_id: org.org.id,
                org_path: org.path.clone(),
                name: name.to_string(),
                member_id: None,
                role: role.code().to_string(),
                since: input.on,
                until: None,
                recorded_by: actor.username().to_string(),
                recorded_at: app.now().to_rfc3339(),
            };
            (row, true)
        }
        "end" => {
            let id = input
                .staff_id
                .ok_or_else(|| refused("staff_id", "请选择要免去的人员"))?;
            let mut conn = app.store.acquire().await?;
            let mut row = store::staff_get(&mut conn, &org.subtree(), id)
                .await?
                .filter(|s| s.org_id == org.org.id && s.until.is_none())
                .ok_or_else(|| AppError::NotFound("党建工作人员".into()))?;
            drop(conn);
            if input.on < row.since {
                return Err(refused(
                    "on",
                    format!("日期{}早于任职日期{}", input.on, row.since),
                ));
            }
            row.until = Some(input.on);
            (row, false)
        }
        other => return Err(refused("action", format!("无法识别的登记事项：{other}"))),
    };
    let row = &row;
    audit::Entry::new(
        actor,
        AuditAction::StaffAssigned,
        format!("org:{}", org.org.id),
    )
    .org(&**org)
    .after(serde_json::json!({
        "name": row.name,
        "role": row.role,
        "since": row.since,
        "until": row.until,
    }))
    .write(app, |mut tx| async move {
        if is_new {
            store::insert_staff(&mut tx, row).await?;
        } else {
            store::update_staff(&mut tx, row).await?;
        }
        Ok(tx)
    })
    .await
}
