//! 村（社区）书记报酬: a village's or community's secretary's remuneration of a year (one
//! record per org and year), read against the standard in force for that year — the rule
//! set's local example, or the department's own from a year on (`set_pay_standard`:
//! [`SetRules`], audited with the standard before and after; kept as a list in
//! `app_setting` like the funding standards, so each year is judged by the one in force for
//! it). A standard stored before it was dated (one setting, no year) is read as the
//! department's from the earliest year on, until it is set again.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use jiceng_domain::venue::{self as domain, SecretaryPayRules};
use jiceng_domain::Domain;
use jiceng_store::venues::{self as store, StoredPay};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Grant, InScope, RecordPay, SetRules};
use crate::audit::{self, AuditAction};
use crate::auth::time_text;
use crate::refusal::refused;
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// The earliest year a remuneration is recorded for: an undated standard stored before
/// standards were dated applies from it.
pub const EARLIEST_YEAR: i32 = 2000;

/// The department's standard as stored: from which year, the figures, who set it and
/// when. Kept as a list, so a year is judged by the standard in force for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredStandard {
    from_year: i32,
    village_min_yuan: i64,
    community_min_yuan: i64,
    by: String,
    on: NaiveDate,
}

/// The one setting as it was stored before standards were dated.
#[derive(Debug, Clone, Deserialize)]
struct Undated {
    village_min_yuan: i64,
    community_min_yuan: i64,
    by: String,
    on: NaiveDate,
}

/// The stored list (`raw`): a list of dated standards, or an undated one read as the
/// department's from [`EARLIEST_YEAR`] on; nothing readable: none.
fn parse_stored(raw: Option<&str>) -> Vec<StoredStandard> {
    let Some(raw) = raw else { return Vec::new() };
    if let Ok(list) = serde_json::from_str::<Vec<StoredStandard>>(raw) {
        return list;
    }
    serde_json::from_str::<Undated>(raw)
        .map(|u| {
            vec![StoredStandard {
                from_year: EARLIEST_YEAR,
                village_min_yuan: u.village_min_yuan,
                community_min_yuan: u.community_min_yuan,
                by: u.by,
                on: u.on,
            }]
        })
        .unwrap_or_default()
}

async fn stored_standards(app: &App) -> Result<Vec<StoredStandard>> {
    let mut conn = app.store.acquire().await?;
    let raw = store::pay_standard(&mut conn).await?;
    Ok(parse_stored(raw.as_deref()))
}

/// The standard a year is judged by and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayStandard {
    pub year: i32,
    pub rules: SecretaryPayRules,
    /// Who set it, when and from which year, when the department set its own.
    pub set_by: Option<(String, NaiveDate, i32)>,
}

impl PayStandard {
    pub fn describe(&self) -> String {
        let by = match &self.set_by {
            Some((by, on, from)) if *from <= EARLIEST_YEAR => {
                format!("（组织部门 {by} 于{on}设定，适用于各年度）")
            }
            Some((by, on, from)) => format!("（组织部门 {by} 于{on}设定，自{from}年起适用）"),
            None => format!("（{}）", self.rules.source),
        };
        format!("{}{by}", self.rules.describe())
    }
}

/// The standard `year` is judged by: the department's latest set from a year up to it,
/// else the rule set's in force on the year's last day (today while it runs).
pub async fn pay_standard(app: &App, year: i32) -> Result<PayStandard> {
    let own = stored_standards(app)
        .await?
        .into_iter()
        .filter(|s| s.from_year <= year)
        .max_by_key(|s| (s.from_year, s.on));
    let day = NaiveDate::from_ymd_opt(year, 12, 31)
        .unwrap_or_else(|| app.today())
        .min(app.today());
    Ok(match own {
        Some(s) => PayStandard {
            year,
            rules: SecretaryPayRules {
                village_min_yuan: s.village_min_yuan,
                community_min_yuan: s.community_min_yuan,
                source: format!("组织部门设定（{}，{}）", s.by, s.on),
            },
            set_by: Some((s.by, s.on, s.from_year)),
        },
        None => PayStandard {
            year,
            rules: app.rules.in_force(day).secretary_pay.clone(),
            set_by: None,
        },
    })
}

/// The department sets the standard of secretaries' remuneration from `from_year` on
/// ([`EARLIEST_YEAR`] to next year; a year already set is replaced); earlier years keep
/// theirs. Audited with the standard before and after.
pub async fn set_pay_standard(
    app: &App,
    grant: &Grant<SetRules>,
    from_year: Option<i32>,
    village_min_yuan: Option<i64>,
    community_min_yuan: Option<i64>,
) -> Result<PayStandard> {
    let next = app.today().year() + 1;
    let from_year = from_year.ok_or_else(|| refused("from_year", "请填写起始年度"))?;
    if !(EARLIEST_YEAR..=next).contains(&from_year) {
        return Err(refused(
            "from_year",
            format!("起始年度应为{EARLIEST_YEAR}至{next}年（填写的是{from_year}）"),
        ));
    }
    let village = village_min_yuan
        .ok_or_else(|| refused("village_min_yuan", "请填写村党组织书记报酬标准（元）"))?;
    let community = community_min_yuan
        .ok_or_else(|| refused("community_min_yuan", "请填写社区党组织书记报酬标准（元）"))?;
    SecretaryPayRules {
        village_min_yuan: village,
        community_min_yuan: community,
        source: String::new(),
    }
    .check()?;
    let before = pay_standard(app, from_year).await?;
    let mut list = stored_standards(app).await?;
    list.retain(|s| s.from_year != from_year);
    list.push(StoredStandard {
        from_year,
        village_min_yuan: village,
        community_min_yuan: community,
        by: grant.actor().username().to_string(),
        on: app.today(),
    });
    list.sort_by_key(|s| s.from_year);
    let text =
        serde_json::to_string(&list).map_err(|e| AppError::Input(format!("无法保存：{e}")))?;
    let now = app.now();
    let entry = audit::Entry::new(
        grant.actor(),
        AuditAction::SecretaryPayStandard,
        format!("secretary_pay_standard {from_year}"),
    )
    .before(json!({
        "village_min_yuan": before.rules.village_min_yuan,
        "community_min_yuan": before.rules.community_min_yuan,
    }))
    .after(json!({
        "from_year": from_year, "village_min_yuan": village, "community_min_yuan": community,
    }));
    let (text, entry) = (&text, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::set_pay_standard(&mut tx, text).await?;
        entry.commit(tx, now).await
    })
    .await?;
    pay_standard(app, from_year).await
}

/// Records the remuneration of `org`'s secretary (a village or a community) for `year`, in
/// place of an earlier record of that year. Audited with the record before and after.
pub async fn record_pay(
    app: &App,
    grant: &Grant<RecordPay>,
    org: &InScope<OrgRecord>,
    year: Option<i32>,
    amount: Option<i64>,
    source: &str,
) -> Result<()> {
    if !matches!(org.org.domain, Some(Domain::Village | Domain::Community)) {
        return Err(refused(
            "org",
            format!(
                "{}不是村或社区党组织：报酬记录只登记村（社区）党组织书记的",
                org.org.name
            ),
        ));
    }
    let today = app.today();
    let year = year.ok_or_else(|| refused("year", "请填写年度"))?;
    if year < 2000 || year > today.year() {
        return Err(refused("year", format!("年度应为2000至{}年", today.year())));
    }
    let (amount, source) = domain::check_pay(amount, source)?;
    let mut conn = app.store.acquire().await?;
    let before = store::pay_of(&mut conn, org.org.id, year).await?;
    drop(conn);
    let now = app.now();
    let p = StoredPay {
        org_id: org.org.id,
        org_path: org.path.clone(),
        year,
        amount,
        source,
        recorded_by: grant.actor().username().to_string(),
        recorded_at: time_text(now),
    };
    let entry = audit::Entry::new(
        grant.actor(),
        AuditAction::SecretaryPay,
        format!("{}{year}年书记报酬", org.org.name),
    )
    .org(Some(&**org))
    .before(before.map(|b| json!({ "amount": b.amount, "source": b.source })))
    .after(json!({ "year": year, "amount": p.amount, "source": p.source }));
    let (p, entry) = (&p, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::set_pay(&mut tx, p).await?;
        entry.commit(tx, now).await
    })
    .await
}

/// The org of `org`'s subtree a remuneration record names by `key` (an id, a code or an
/// exact name; blank: `org` itself), or not found.
pub async fn pay_target(
    app: &App,
    actor: &crate::access::Actor,
    org: &InScope<OrgRecord>,
    key: &str,
) -> Result<InScope<OrgRecord>> {
    let key = key.trim();
    if key.is_empty() {
        return Ok(org.clone());
    }
    let t =
        crate::access::resolve(app, actor, &crate::access::OrgKey::Key(key.to_string())).await?;
    org.below(t.into_inner())
        .ok_or_else(|| AppError::NotFound(format!("{}及以下的党组织“{key}”", org.org.name)))
}

/// A secretary's remuneration of a year against the standard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayRow {
    pub org_id: i64,
    pub org: OrgRef,
    pub domain_label: &'static str,
    pub amount: i64,
    pub source: String,
    /// The standard for the org's domain (`None`: the org is no longer a village or
    /// community).
    pub standard: Option<i64>,
    pub below: bool,
}

/// The remuneration records of a subtree for a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayList {
    pub org: OrgRef,
    pub org_id: i64,
    pub year: i32,
    pub standard: PayStandard,
    pub rows: Vec<PayRow>,
    pub below: usize,
}

impl PayList {
    pub fn standard_text(&self) -> String {
        self.standard.describe()
    }
}

/// The remuneration records of `year` (default: last year, the one whose pay is known) of
/// orgs of `org`'s subtree, each against the standard in force; those below first.
pub async fn pays(app: &App, org: &InScope<OrgRecord>, year: Option<i32>) -> Result<PayList> {
    let year = year.unwrap_or(app.today().year() - 1);
    let standard = pay_standard(app, year).await?;
    let mut conn = app.store.acquire().await?;
    let records = store::pays(&mut conn, &org.subtree(), year).await?;
    let ids: Vec<i64> = records.iter().map(|p| p.org_id).collect();
    let orgs: HashMap<i64, jiceng_domain::Org> = jiceng_store::orgs::by_ids(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o.org))
        .collect();
    drop(conn);
    let mut rows: Vec<PayRow> = records
        .into_iter()
        .filter_map(|p| {
            let o = orgs.get(&p.org_id)?;
            let min = standard.rules.standard(o.domain);
            Some(PayRow {
                org_id: p.org_id,
                org: OrgRef::of(o),
                domain_label: match o.domain {
                    Some(Domain::Village) => "村",
                    Some(Domain::Community) => "社区",
                    _ => "其他",
                },
                amount: p.amount,
                source: p.source,
                standard: min,
                below: min.is_some_and(|m| p.amount < m),
            })
        })
        .collect();
    rows.sort_by_key(|r| !r.below);
    let below = rows.iter().filter(|r| r.below).count();
    Ok(PayList {
        org: org.org_ref(),
        org_id: org.org.id,
        year,
        standard,
        rows,
        below,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undated_standard_reads_as_from_the_earliest_year() {
        let old =
            r#"{"village_min_yuan":25000,"community_min_yuan":40000,"by":"zzb","on":"2026-03-01"}"#;
        let l = parse_stored(Some(old));
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].from_year, EARLIEST_YEAR);
        assert_eq!((l[0].village_min_yuan, l[0].by.as_str()), (25_000, "zzb"));
        let new = r#"[{"from_year":2026,"village_min_yuan":1,"community_min_yuan":2,"by":"a","on":"2026-03-01"}]"#;
        assert_eq!(parse_stored(Some(new))[0].from_year, 2026);
        assert!(parse_stored(None).is_empty());
        assert!(parse_stored(Some("nonsense")).is_empty());
    }
}
