//! The venues of a subtree with their quarters of a year (活动场所's list and report):
//! the subtree's counts from its stored tally, the venues shown — the first of the list,
//! or of those 铁将军把门 — by an index walk, each with its quarters and last meeting.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use jiceng_domain::venue::{self as domain, QuarterState};
use jiceng_store::venue_rollup as rollup;
use jiceng_store::venues::{self as store, StoredVenue};
use serde::{Deserialize, Serialize};

use super::{pays, PayList, EARLIEST_YEAR, LIST_MAX};
use crate::access::InScope;
use crate::refusal::refused;
use crate::{App, OrgRecord, OrgRef, Result};

/// A venue as listed: its fields, its owner, its quarters of the year, its last meeting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueRow {
    pub id: i64,
    pub org_id: i64,
    pub org: OrgRef,
    pub name: String,
    pub address: String,
    pub area: Option<i64>,
    pub facilities: Vec<String>,
    pub facility_labels: Vec<&'static str>,
    pub shared_with: Option<String>,
    pub opened_on: NaiveDate,
    pub retired_on: Option<NaiveDate>,
    pub quarters: [QuarterState; 4],
    /// The last day a meeting was held there (any year up to today).
    pub last_held: Option<NaiveDate>,
}

impl VenueRow {
    /// How many quarters of the year were 铁将军把门.
    pub fn idle_quarters(&self) -> usize {
        self.quarters.iter().filter(|q| q.is_idle()).count()
    }

    pub fn flagged(&self) -> bool {
        self.idle_quarters() > 0
    }

    pub fn quarter_labels(&self) -> Vec<String> {
        self.quarters.iter().map(|q| q.label()).collect()
    }

    pub fn facilities_text(&self) -> String {
        if self.facility_labels.is_empty() {
            "—".into()
        } else {
            self.facility_labels.join("、")
        }
    }

    pub fn area_text(&self) -> String {
        self.area.map_or_else(|| "—".into(), |a| format!("{a}㎡"))
    }

    pub fn last_held_text(&self) -> String {
        self.last_held
            .map_or_else(|| "从未".into(), |d| d.to_string())
    }

    pub fn status_label(&self) -> &'static str {
        if self.retired_on.is_some() {
            "已停用"
        } else {
            "在用"
        }
    }
}

pub(super) fn row_of(
    v: StoredVenue,
    org: OrgRef,
    held: [i64; 4],
    last_held: Option<NaiveDate>,
    year: i32,
    today: NaiveDate,
) -> VenueRow {
    let quarters = domain::quarters(year, v.opened_on, v.retired_on, held, today);
    VenueRow {
        id: v.id,
        org_id: v.org_id,
        org,
        facility_labels: v
            .facilities
            .iter()
            .filter_map(|c| domain::facility_label(c))
            .collect(),
        name: v.name,
        address: v.address,
        area: v.area,
        facilities: v.facilities,
        shared_with: v.shared_with,
        opened_on: v.opened_on,
        retired_on: v.retired_on,
        quarters,
        last_held,
    }
}

/// Which venues a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    #[default]
    All,
    /// Those with a quarter of 铁将军把门 in the year.
    Idle,
}

impl Shown {
    pub fn parse(s: &str) -> Option<Shown> {
        match s {
            "" | "all" => Some(Shown::All),
            "idle" => Some(Shown::Idle),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Shown::All => "all",
            Shown::Idle => "idle",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Shown::All => "全部场所",
            Shown::Idle => "铁将军把门的场所",
        }
    }
}

/// The venues of a subtree for a year, with their quarters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueList {
    pub org: OrgRef,
    pub org_id: i64,
    pub year: i32,
    pub today: NaiveDate,
    pub shown: Shown,
    pub venues: Vec<VenueRow>,
    /// Venues of the subtree in all (before the filter).
    pub total: usize,
    /// Venues with at least one quarter of 铁将军把门.
    pub flagged: usize,
    pub definition: &'static str,
}

pub const IDLE_DEFINITION: &str = "铁将军把门：季度已结束、场所整季度在用（季度首日前启用、季度内未停用），而该季度没有任何会议记录选择在该场所召开；进行中的季度不判定。";

impl VenueList {
    /// Whether the list stopped at [`LIST_MAX`] (the counts are of all).
    pub fn capped(&self) -> bool {
        self.venues.len() as i64 >= LIST_MAX
    }
}

/// Builds the stored venue rows and tallies of `year` unless built (its first page;
/// `jiceng bench` times it apart): whether it built.
pub async fn build(app: &App, year: i32) -> Result<bool> {
    let mut conn = app.store.acquire().await?;
    if rollup::is_built(&mut conn, year).await? {
        return Ok(false);
    }
    drop(conn);
    let mut tx = app.store.begin().await?;
    let built = rollup::ensure(&mut tx, year).await?;
    tx.commit().await?;
    Ok(built)
}

/// The venues kept by orgs of `org`'s subtree with their quarters of `year` (default: this
/// year), as stored per venue and year (`venue_rollup`; the year built whole on its first
/// page): the subtree's tally (venues, idle ones), the venues shown (the first of the
/// list, or of the idle ones, by an index walk), their quarters and last meeting.
pub async fn list(
    app: &App,
    org: &InScope<OrgRecord>,
    year: Option<i32>,
    shown: Shown,
) -> Result<VenueList> {
    let today = app.today();
    let year = year.unwrap_or(today.year());
    if !(EARLIEST_YEAR..=today.year() + 1).contains(&year) {
        return Err(refused(
            "year",
            format!("年度应在{EARLIEST_YEAR}至{}之间：{year}", today.year() + 1),
        ));
    }
    let scope = org.subtree();
    build(app, year).await?;
    let mut conn = app.store.acquire().await?;
    let ended = domain::ended_quarters(year, today);
    let tally = rollup::tally(&mut conn, org.org.id, year).await?;
    let venues = match shown {
        Shown::All => store::list(&mut conn, &scope, LIST_MAX).await?,
        Shown::Idle => rollup::idle(&mut conn, &scope, year, ended, LIST_MAX).await?,
    };
    let ids: Vec<i64> = venues.iter().map(|v| v.id).collect();
    let held = rollup::held_of(&mut conn, &ids, year).await?;
    let last: HashMap<i64, NaiveDate> = rollup::last_held(&mut conn, &ids, today)
        .await?
        .into_iter()
        .collect();
    let org_of = super::org_refs(&mut conn, venues.iter().map(|v| v.org_id).collect()).await?;
    drop(conn);
    let venues: Vec<VenueRow> = venues
        .into_iter()
        .map(|v| {
            let o = org_of(v.org_id);
            let h = held.get(&v.id).copied().unwrap_or_default();
            let l = last.get(&v.id).copied();
            row_of(v, o, h, l, year, today)
        })
        .collect();
    Ok(VenueList {
        org: org.org_ref(),
        org_id: org.org.id,
        year,
        today,
        shown,
        venues,
        total: tally.venues as usize,
        flagged: tally.idle(ended) as usize,
        definition: IDLE_DEFINITION,
    })
}

/// `jiceng report venues`: the venues of a subtree with their quarters of a year, and the
/// secretaries' remuneration of that year against the standard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VenueReport {
    pub venues: VenueList,
    pub pay: PayList,
}

/// The report of `org`'s subtree for `year`.
pub async fn report(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<VenueReport> {
    Ok(VenueReport {
        venues: list(app, org, Some(year), Shown::All).await?,
        pay: pays(app, org, Some(year)).await?,
    })
}

impl VenueReport {
    /// The workbook: the venues with their quarters, then the remuneration records.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let names = |h: &[&str]| h.iter().map(|s| s.to_string()).collect();
        let l = &self.venues;
        let venue_rows = l
            .venues
            .iter()
            .map(|v| {
                let mut row = vec![
                    text(&v.org.name),
                    text(&v.org.code),
                    text(&v.name),
                    text(&v.address),
                    v.area.map_or(OutCell::Empty, OutCell::Int),
                    text(&v.facilities_text()),
                    text(v.shared_with.as_deref().unwrap_or("")),
                    OutCell::Date(v.opened_on),
                    text(v.status_label()),
                ];
                row.extend(v.quarter_labels().iter().map(|q| text(q)));
                row.push(v.last_held.map_or(OutCell::Empty, OutCell::Date));
                row
            })
            .collect();
        let p = &self.pay;
        let pay_rows = p
            .rows
            .iter()
            .map(|r| {
                vec![
                    text(&r.org.name),
                    text(&r.org.code),
                    text(r.domain_label),
                    OutCell::Int(r.amount),
                    text(&r.source),
                    r.standard.map_or(OutCell::Empty, OutCell::Int),
                    text(if r.below { "低于标准" } else { "" }),
                ]
            })
            .collect();
        vec![
            Sheet {
                name: "活动场所".into(),
                title: format!(
                    "{}及以下活动场所{}年使用情况（截至{}；{}）",
                    l.org.name, l.year, l.today, l.definition
                ),
                headers: names(&[
                    "党组织",
                    "组织代码",
                    "场所名称",
                    "地址",
                    "面积（㎡）",
                    "设施",
                    "共享情况",
                    "启用日期",
                    "状态",
                    "第一季度",
                    "第二季度",
                    "第三季度",
                    "第四季度",
                    "最近一次会议",
                ]),
                rows: venue_rows,
            },
            Sheet {
                name: "书记报酬".into(),
                title: format!(
                    "{}及以下村（社区）党组织书记{}年报酬（{}）",
                    p.org.name,
                    p.year,
                    p.standard_text()
                ),
                headers: names(&[
                    "党组织",
                    "组织代码",
                    "类别",
                    "年报酬（元）",
                    "来源",
                    "标准（元）",
                    "是否低于标准",
                ]),
                rows: pay_rows,
            },
        ]
    }
}
