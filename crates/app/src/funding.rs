//! 经费保障 (SPEC C7, issue #18): funding by org, year, kind and source — one record per
//! (org, year, kind, source), so that a correction or a register imported again replaces
//! the amount instead of counting it twice — and the minimum standards per domain, level
//! and year: the rule set's local example, or the department's own from a year on
//! (`set_standards`: [`SetRules`], audited; the page prints the rule in force and who set
//! it). The operating funding 穷 and the rating's Funding indicator judge is the sum of the
//! org's 运转经费 of the year (`rating::gather`); a village's collective income is its
//! 村集体经济收入 record. No record: 暂无数据, never 0.
//!
//! The overview of a subtree (totals by kind and source, orgs below standard with their
//! shortfall, 未录入, the villages' collective income, the children to drill down to) is a
//! handful of grouped reads by path range (`jiceng_store::funding`).

use chrono::NaiveDate;
use jiceng_domain::funding::{self as domain, FundingKind, FundingRules, FundingSource};
use jiceng_domain::{Domain, OrgKind};
use jiceng_store::funding::{self as store, FundingRecord, StandardFen};
use jiceng_store::funding_rollup as rollup;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::{Grant, InScope, OrgKey, RecordFunding, SetRules};
use crate::audit::{self, AuditAction};
use crate::refusal::refused;
use crate::{App, AppError, OrgRecord, OrgRef, Result};

/// How many orgs a list of the overview shows (the counts are of all).
pub const LIST_MAX: i64 = 200;

/// One record to make, as the form, the API and the import give it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFunding {
    /// The org the money is for, as typed (id, code or exact name) within the recording
    /// org's subtree; blank: the recording org itself.
    pub org: String,
    pub year: i32,
    pub kind: FundingKind,
    pub source: FundingSource,
    pub yuan: f64,
    pub note: String,
}

/// A record as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funding {
    pub org_id: i64,
    pub year: i32,
    pub kind: FundingKind,
    pub source: FundingSource,
    pub amount_fen: i64,
    pub amount: String,
    pub note: Option<String>,
    pub recorded_by: String,
}

impl Funding {
    fn of(r: FundingRecord) -> Funding {
        Funding {
            org_id: r.org_id,
            year: r.year,
            kind: r.kind,
            source: r.source,
            amount_fen: r.amount_fen,
            amount: domain::yuan_text(r.amount_fen),
            note: r.note,
            recorded_by: r.recorded_by,
        }
    }

    pub fn note_text(&self) -> &str {
        self.note.as_deref().unwrap_or("")
    }
}

/// The year checked as a rating year is (2000 to this year).
fn check_year(app: &App, year: i32) -> Result<()> {
    crate::rating::check_year(app, year).map_err(|e| refused("year", e.to_string()))
}

/// The org a record is for: `key` within `at`'s subtree (blank: `at`), a standing org of
/// a level that keeps accounts (not a 党小组), and a village for its collective income.
async fn target(
    app: &App,
    grant_actor: &crate::access::Actor,
    at: &InScope<OrgRecord>,
    key: &str,
) -> Result<InScope<OrgRecord>> {
    let found = match key.trim() {
        "" => return Ok(at.clone()),
        key => crate::access::resolve(app, grant_actor, &OrgKey::Key(key.to_string()))
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) | AppError::OrgNotFound(_) => {
                    refused("org", format!("找不到党组织“{key}”"))
                }
                e @ AppError::OrgAmbiguous { .. } => refused("org", e.to_string()),
                other => other,
            })?,
    };
    if !at.subtree().contains(&found.path) {
        return Err(refused(
            "org",
            format!(
                "{}不在{}及以下：只能登记本组织或下级党组织的经费",
                found.org.name, at.org.name
            ),
        ));
    }
    Ok(found)
}

/// Records (or corrects) the amount of one kind from one source for an org and year,
/// recorded at `at` for `new.org` of its subtree. Needs [`RecordFunding`]; audited.
pub async fn record(
    app: &App,
    grant: &Grant<RecordFunding>,
    at: &InScope<OrgRecord>,
    new: &NewFunding,
) -> Result<()> {
    let actor = grant.actor();
    let t = target(app, actor, at, &new.org).await?;
    let rec = checked(app, &t, new, actor.username())?;
    write(app, actor, &t, rec).await
}

/// A record checked: the year, the org's kind and domain, the amount, the note.
pub(crate) fn checked(
    app: &App,
    t: &OrgRecord,
    new: &NewFunding,
    by: &str,
) -> Result<FundingRecord> {
    check_year(app, new.year)?;
    if t.org.kind == OrgKind::Group {
        return Err(refused(
            "org",
            format!("{}是党小组：经费登记在其所在的党支部", t.org.name),
        ));
    }
    if t.org.dissolved_on.is_some() {
        return Err(refused("org", format!("{}已撤销", t.org.name)));
    }
    if new.kind == FundingKind::CollectiveIncome && t.org.domain != Some(Domain::Village) {
        return Err(refused(
            "kind",
            format!("{}不是村党组织，不登记村集体经济收入", t.org.name),
        ));
    }
    let amount_fen = domain::fen_of(new.yuan).ok_or_else(|| {
        refused(
            "amount",
            format!("金额应为不小于0的数字（元）：{}", new.yuan),
        )
    })?;
    let note = new.note.trim();
    if note.chars().count() > domain::NOTE_MAX {
        return Err(refused("note", format!("备注不超过{}字", domain::NOTE_MAX)));
    }
    Ok(FundingRecord {
        org_id: t.org.id,
        year: new.year,
        kind: new.kind,
        source: new.source,
        org_path: t.path.clone(),
        amount_fen,
        note: (!note.is_empty()).then(|| note.to_string()),
        recorded_by: by.to_string(),
    })
}

fn entry_after(r: &FundingRecord) -> serde_json::Value {
    json!({
        "year": r.year, "kind": r.kind.code(), "source": r.source.code(),
        "yuan": domain::yuan_text(r.amount_fen), "note": r.note,
    })
}

async fn write(
    app: &App,
    actor: &crate::access::Actor,
    t: &OrgRecord,
    rec: FundingRecord,
) -> Result<()> {
    let rec_ref = &rec;
    audit::Entry::new(
        actor,
        AuditAction::FundingRecord,
        format!(
            "{} {}年度{}（{}）",
            t.org.name,
            rec.year,
            rec.kind.label(),
            rec.source.label()
        ),
    )
    .org(t)
    .after(entry_after(&rec))
    .write(app, |mut tx| async move {
        store::upsert(&mut tx, rec_ref).await?;
        Ok(tx)
    })
    .await
}

/// Removes a record made by mistake (the org's own kind and source of the year). Needs
/// [`RecordFunding`]; audited.
pub async fn remove(
    app: &App,
    grant: &Grant<RecordFunding>,
    at: &InScope<OrgRecord>,
    org_key: &str,
    year: i32,
    kind: FundingKind,
    source: FundingSource,
) -> Result<()> {
    let actor = grant.actor();
    let t = target(app, actor, at, org_key).await?;
    let now = app.now();
    let entry = audit::Entry::new(
        actor,
        AuditAction::FundingRemove,
        format!(
            "{} {year}年度{}（{}）",
            t.org.name,
            kind.label(),
            source.label()
        ),
    )
    .org(&*t)
    .before(json!({ "year": year, "kind": kind.code(), "source": source.code() }));
    let (entry, id) = (&entry, t.org.id);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        if !store::remove(&mut tx, id, year, kind, source).await? {
            return Err(AppError::NotFound("经费记录".into()));
        }
        entry.commit(tx, now).await
    })
    .await
}

/// The department's standards as stored: from which year, the standards, who set them
/// and when. Kept as a list, so a year is judged by the standards in force for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredStandards {
    from_year: i32,
    rules: FundingRules,
    by: String,
    on: NaiveDate,
}

async fn stored_standards(app: &App) -> Result<Vec<StoredStandards>> {
    let mut conn = app.store.acquire().await?;
    let raw = store::standards_setting(&mut conn).await?;
    Ok(raw
        .and_then(|r| serde_json::from_str(&r).ok())
        .unwrap_or_default())
}

/// The standards a year is judged by, and where they come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standards {
    pub year: i32,
    pub rules: FundingRules,
    /// Set by the department: who, when, from which year. `None`: the rule set's.
    pub set_by: Option<(String, NaiveDate, i32)>,
    /// The rule set whose example applies when the department set none.
    pub rule_set: String,
}

impl Standards {
    /// Where the standards come from, in a sentence.
    pub fn origin(&self) -> String {
        match &self.set_by {
            Some((by, on, from)) => {
                format!("组织部门设定（{by}，{on}；自{from}年度起适用）")
            }
            None => format!("规则集{}的本地示例：{}", self.rule_set, self.rules.source),
        }
    }

    /// Each standard as a line (`村：运转经费不低于100000.00元，村集体经济收入不低于…`).
    pub fn lines(&self) -> Vec<String> {
        self.rules
            .standards
            .iter()
            .map(|s| {
                let who = match s.level {
                    Some(l) => format!("{}（{}）", s.domain.label(), l.label()),
                    None => s.domain.label().to_string(),
                };
                let mut t = format!(
                    "{who}：运转经费每年不低于{}元",
                    domain::yuan_text(domain::fen_of(s.operating_yuan).unwrap_or(0))
                );
                if let Some(c) = s.collective_income_yuan {
                    t.push_str(&format!(
                        "，村集体经济收入不低于{}元",
                        domain::yuan_text(domain::fen_of(c).unwrap_or(0))
                    ));
                }
                t
            })
            .collect()
    }

    /// The standards as the store's judged-orgs read takes them.
    pub fn as_fen(&self) -> Vec<StandardFen> {
        self.rules
            .standards
            .iter()
            .map(|s| StandardFen {
                domain: s.domain.code().to_string(),
                level: s.level.map(|l| l.code().to_string()),
                operating_fen: domain::fen_of(s.operating_yuan).unwrap_or(0),
                collective_fen: s.collective_income_yuan.and_then(domain::fen_of),
            })
            .collect()
    }
}

/// Builds the stored tallies of `year` for `standards` unless they are built for them
/// (the year's first overview, or new standards): whether it built.
async fn build_year(app: &App, year: i32, standards: &[StandardFen]) -> Result<bool> {
    let mut conn = app.store.acquire().await?;
    if rollup::is_built(&mut conn, year, standards).await? {
        return Ok(false);
    }
    drop(conn);
    let mut tx = app.store.begin().await?;
    let built = rollup::ensure(&mut tx, year, standards).await?;
    tx.commit().await?;
    Ok(built)
}

/// Builds the stored tallies of `year` by the standards in force for it, as its first
/// overview would (`jiceng bench` times it apart): whether it built.
pub async fn build(app: &App, year: i32) -> Result<bool> {
    let fen = standards(app, year).await?.as_fen();
    build_year(app, year, &fen).await
}

/// The day a year is judged on: its last day, or today while it runs.
fn judged_day(app: &App, year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31)
        .unwrap_or_else(|| app.today())
        .min(app.today())
}

/// The standards `year` is judged by: the department's latest setting for a year up to
/// it, else the rule set in force on the year's day.
pub async fn standards(app: &App, year: i32) -> Result<Standards> {
    let set = app.rules.in_force(judged_day(app, year));
    let stored = stored_standards(app).await?;
    let own = stored
        .into_iter()
        .filter(|s| s.from_year <= year)
        .max_by_key(|s| (s.from_year, s.on));
    Ok(match own {
        Some(s) => Standards {
            year,
            rules: s.rules,
            set_by: Some((s.by, s.on, s.from_year)),
            rule_set: set.id.clone(),
        },
        None => Standards {
            year,
            rules: set.funding.clone(),
            set_by: None,
            rule_set: set.id.clone(),
        },
    })
}

/// The department sets its standards from `from_year` on (a year already set is
/// replaced); earlier years keep theirs. Needs [`SetRules`]; audited.
pub async fn set_standards(
    app: &App,
    grant: &Grant<SetRules>,
    from_year: i32,
    rules: FundingRules,
) -> Result<Standards> {
    check_year(app, from_year).or_else(|e| {
        // A standard may be set for next year ahead of it.
        if from_year == chrono::Datelike::year(&app.today()) + 1 {
            Ok(())
        } else {
            Err(e)
        }
    })?;
    rules.check().map_err(|m| refused("standards", m))?;
    let before = standards(app, from_year).await?;
    let mut stored = stored_standards(app).await?;
    stored.retain(|s| s.from_year != from_year);
    stored.push(StoredStandards {
        from_year,
        rules: rules.clone(),
        by: grant.actor().username().to_string(),
        on: app.today(),
    });
    stored.sort_by_key(|s| s.from_year);
    let text =
        serde_json::to_string(&stored).map_err(|e| AppError::Input(format!("无法保存：{e}")))?;
    let now = app.now();
    let entry = audit::Entry::new(
        grant.actor(),
        AuditAction::FundingStandards,
        format!("funding_standards {from_year}"),
    )
    .before(json!(before.rules))
    .after(json!({ "from_year": from_year, "rules": rules }));
    let (text, entry) = (&text, &entry);
    audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        store::set_standards_setting(&mut tx, text).await?;
        entry.commit(tx, now).await
    })
    .await?;
    standards(app, from_year).await
}

/// One kind's sums by source (fen), as the overview's table shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindRow {
    pub kind: FundingKind,
    /// By [`FundingSource::ALL`], in fen.
    pub by_source: Vec<i64>,
    pub total: i64,
    pub records: i64,
}

/// An org below its standard, or without a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judged {
    pub org_id: i64,
    pub org: OrgRef,
    pub standard: String,
    /// 运转经费 of the year; `None`: 未录入.
    pub operating: Option<String>,
    pub shortfall: Option<String>,
}

/// A village's collective income against its standard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Income {
    pub org_id: i64,
    pub org: OrgRef,
    pub income: String,
    pub below: bool,
}

/// A child for the drill-down.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Child {
    pub org_id: i64,
    pub org: OrgRef,
    pub operating: String,
    pub received: String,
    pub collective: String,
}

/// The funding of a subtree for a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    pub org: OrgRef,
    pub org_id: i64,
    pub year: i32,
    pub standards: Standards,
    pub origin: String,
    pub sources: Vec<FundingSource>,
    pub kinds: Vec<KindRow>,
    /// By source, all kinds received (not the collective income), and their total.
    pub source_totals: Vec<i64>,
    pub received_total: i64,
    pub orgs_recorded: i64,
    /// Orgs judged against a standard, below it, without a 运转经费 record.
    pub judged: i64,
    pub below_count: i64,
    pub missing_count: i64,
    pub shortfall: String,
    pub below: Vec<Judged>,
    pub missing: Vec<Judged>,
    pub incomes: Vec<Income>,
    pub children: Vec<Child>,
    /// The org's own records of the year.
    pub own: Vec<Funding>,
}

/// The funding of `org`'s subtree for `year`: grouped reads by path range only.
pub async fn overview(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<Overview> {
    check_year(app, year)?;
    let standards = standards(app, year).await?;
    let scope = org.subtree();
    let fen = standards.as_fen();
    // The year's stored tallies: built whole on its first overview, or again when the
    // standards it was judged by are no longer those of the year.
    build_year(app, year, &fen).await?;
    let mut conn = app.store.acquire().await?;
    let tally = rollup::tally(&mut conn, org.org.id, year).await?;
    let totals = tally.totals()?;
    let below = rollup::judged(&mut conn, &scope, year, true, LIST_MAX).await?;
    let missing = rollup::judged(&mut conn, &scope, year, false, LIST_MAX).await?;
    let incomes = rollup::incomes(&mut conn, &scope, year, LIST_MAX).await?;
    let children = rollup::children(&mut conn, org.org.id, &scope, year).await?;
    let own: Vec<Funding> = store::of_org(&mut conn, org.org.id, 100)
        .await?
        .into_iter()
        .filter(|r| r.year == year)
        .map(Funding::of)
        .collect();
    drop(conn);
    let sources: Vec<FundingSource> = FundingSource::ALL.to_vec();
    let kinds: Vec<KindRow> = FundingKind::ALL
        .iter()
        .map(|&k| {
            let by_source: Vec<i64> = sources
                .iter()
                .map(|&s| {
                    totals
                        .cells
                        .iter()
                        .filter(|c| c.0 == k && c.1 == s)
                        .map(|c| c.2)
                        .sum()
                })
                .collect();
            KindRow {
                kind: k,
                total: by_source.iter().sum(),
                records: totals.cells.iter().filter(|c| c.0 == k).map(|c| c.3).sum(),
                by_source,
            }
        })
        .collect();
    let received: Vec<&KindRow> = kinds
        .iter()
        .filter(|k| k.kind != FundingKind::CollectiveIncome)
        .collect();
    let source_totals: Vec<i64> = (0..sources.len())
        .map(|i| received.iter().map(|k| k.by_source[i]).sum())
        .collect();
    let judged = |j: store::JudgedOrg| Judged {
        org_id: j.org_id,
        org: OrgRef {
            code: j.code,
            name: j.name,
        },
        standard: domain::yuan_text(j.standard_fen),
        operating: j.operating_fen.map(domain::yuan_text),
        shortfall: j
            .operating_fen
            .map(|f| domain::yuan_text((j.standard_fen - f).max(0))),
    };
    let village_std = standards
        .rules
        .for_org(Some(Domain::Village), OrgKind::Branch)
        .and_then(|s| s.collective_income_yuan)
        .and_then(domain::fen_of);
    Ok(Overview {
        org: org.org_ref(),
        org_id: org.org.id,
        year,
        origin: standards.origin(),
        standards,
        received_total: source_totals.iter().sum(),
        source_totals,
        sources,
        kinds,
        orgs_recorded: totals.orgs_recorded,
        judged: tally.judged,
        below_count: tally.below,
        missing_count: tally.missing,
        shortfall: domain::yuan_text(tally.shortfall_fen),
        below: below.into_iter().map(judged).collect(),
        missing: missing.into_iter().map(judged).collect(),
        incomes: incomes
            .into_iter()
            .map(|v| Income {
                org_id: v.org_id,
                org: OrgRef {
                    code: v.code,
                    name: v.name,
                },
                income: domain::yuan_text(v.fen),
                below: village_std.is_some_and(|s| v.fen < s),
            })
            .collect(),
        children: children
            .into_iter()
            .map(|c| Child {
                org_id: c.org_id,
                org: OrgRef {
                    code: c.code,
                    name: c.name,
                },
                operating: domain::yuan_text(c.operating_fen),
                received: domain::yuan_text(c.received_fen),
                collective: domain::yuan_text(c.collective_fen),
            })
            .collect(),
        own,
    })
}

impl Overview {
    pub fn yuan(fen: &i64) -> String {
        domain::yuan_text(*fen)
    }

    /// Whether a list stopped at [`LIST_MAX`] (the counts are of all).
    pub fn capped(&self) -> bool {
        self.below.len() as i64 >= LIST_MAX || self.missing.len() as i64 >= LIST_MAX
    }

    /// The workbook: totals by kind and source, the orgs below standard, those without a
    /// record, the villages' collective income, the children.
    pub fn to_sheets(&self) -> Vec<jiceng_io::Sheet> {
        use jiceng_io::{OutCell, Sheet};
        let text = |s: &str| OutCell::Text(s.to_string());
        let money = |fen: i64| OutCell::Float(fen as f64 / 100.0);
        let money_text = |s: &str| s.parse::<f64>().map_or_else(|_| text(s), OutCell::Float);
        let head = format!("{}及以下{}年度经费保障", self.org.name, self.year);
        let mut headers: Vec<String> = vec!["经费类型".into()];
        headers.extend(self.sources.iter().map(|s| format!("{}（元）", s.label())));
        headers.extend(["合计（元）".to_string(), "记录数".to_string()]);
        let totals = self
            .kinds
            .iter()
            .map(|k| {
                let mut row = vec![text(k.kind.label())];
                row.extend(k.by_source.iter().map(|f| money(*f)));
                row.extend([money(k.total), OutCell::Int(k.records)]);
                row
            })
            .collect();
        let judged_rows = |v: &[Judged]| -> Vec<Vec<OutCell>> {
            v.iter()
                .map(|j| {
                    vec![
                        text(&j.org.name),
                        text(&j.org.code),
                        money_text(&j.standard),
                        j.operating
                            .as_deref()
                            .map_or_else(|| text("未录入"), money_text),
                        j.shortfall.as_deref().map_or(OutCell::Empty, money_text),
                    ]
                })
                .collect()
        };
        let judged_headers = || {
            [
                "党组织",
                "组织代码",
                "标准（元）",
                "运转经费（元）",
                "差额（元）",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
        };
        vec![
            Sheet {
                name: "经费汇总".into(),
                title: format!(
                    "{head}：按类型和来源（{}个党组织有记录；低于标准{}个，未录入{}个，差额合计{}元）",
                    self.orgs_recorded, self.below_count, self.missing_count, self.shortfall
                ),
                headers,
                rows: totals,
            },
            Sheet {
                name: "低于标准".into(),
                title: format!("{head}：运转经费低于标准的党组织（{}）", self.origin),
                headers: judged_headers(),
                rows: judged_rows(&self.below),
            },
            Sheet {
                name: "未录入".into(),
                title: format!("{head}：未录入运转经费的党组织"),
                headers: judged_headers(),
                rows: judged_rows(&self.missing),
            },
            Sheet {
                name: "村集体经济收入".into(),
                title: format!("{head}：村集体经济收入"),
                headers: ["村党组织", "组织代码", "收入（元）", "低于标准"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                rows: self
                    .incomes
                    .iter()
                    .map(|i| {
                        vec![
                            text(&i.org.name),
                            text(&i.org.code),
                            money_text(&i.income),
                            text(if i.below { "是" } else { "" }),
                        ]
                    })
                    .collect(),
            },
            Sheet {
                name: "下级党组织".into(),
                title: format!("{head}：各下级党组织及以下"),
                headers: [
                    "党组织",
                    "组织代码",
                    "运转经费（元）",
                    "各类经费合计（元）",
                    "村集体经济收入（元）",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
                rows: self
                    .children
                    .iter()
                    .map(|c| {
                        vec![
                            text(&c.org.name),
                            text(&c.org.code),
                            money_text(&c.operating),
                            money_text(&c.received),
                            money_text(&c.collective),
                        ]
                    })
                    .collect(),
            },
        ]
    }
}

/// The funding records of one org (every year, the latest first).
pub async fn of_org(app: &App, org: &InScope<OrgRecord>) -> Result<Vec<Funding>> {
    let mut conn = app.store.acquire().await?;
    Ok(store::of_org(&mut conn, org.org.id, 500)
        .await?
        .into_iter()
        .map(Funding::of)
        .collect())
}
