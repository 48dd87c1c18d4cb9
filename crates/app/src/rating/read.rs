//! Reading ratings back: the stars distribution of a subtree with a page of its orgs
//! (`ratings`), and one org's rating beside what a re-rating would store (`org_rating`).

use super::*;

/// A stored rating as lists and pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct RatingItem {
    pub org: OrgRef,
    pub kind: &'static str,
    /// The stars that count (an adjustment's, else the computed ones).
    pub stars: Option<i64>,
    pub computed_stars: Option<i64>,
    pub score: Option<f64>,
    pub weight_with_data: f64,
    pub adjusted: bool,
}

/// The ratings of a subtree and year: the stars distribution at the root and for each
/// direct child (by region), and a page of the orgs.
#[derive(Debug, Clone, Serialize)]
pub struct RatingsReport {
    pub org: OrgRef,
    pub year: i32,
    pub rated: i64,
    pub stars: Vec<StarCount>,
    pub levels: Vec<LevelStars>,
    pub items: Vec<RatingItem>,
    /// Orgs matching (for paging `items`).
    pub total: i64,
}

impl RatingsReport {
    /// The workbook of the ratings (one sheet, the listed orgs), the same from the command
    /// line and the web (the web's layout).
    pub fn to_sheets(&self) -> Vec<Sheet> {
        let rows = self.items.iter().map(rating_row).collect();
        vec![Sheet {
            name: "星级评定".into(),
            title: format!(
                "{} {}年度分类定级（评定{}个）",
                self.org.name, self.year, self.rated
            ),
            headers: [
                "组织代码",
                "党组织",
                "星级",
                "计算星级",
                "得分",
                "有数据的权重",
                "人工调整",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }]
    }
}

fn rating_row(i: &RatingItem) -> Vec<OutCell> {
    vec![
        OutCell::Text(i.org.code.clone()),
        OutCell::Text(i.org.name.clone()),
        match i.stars {
            Some(s) => OutCell::Int(s),
            None => OutCell::Text("未定星".into()),
        },
        match i.computed_stars {
            Some(s) => OutCell::Int(s),
            None => OutCell::Empty,
        },
        match i.score {
            Some(s) => OutCell::Text(format!("{s:.1}")),
            None => OutCell::Text("暂无数据".into()),
        },
        OutCell::Text(format!("{:.0}%", i.weight_with_data * 100.0)),
        OutCell::Text(if i.adjusted { "是" } else { "" }.into()),
    ]
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelStars {
    pub org: OrgRef,
    pub rated: i64,
    pub stars: Vec<StarCount>,
}

/// The stored ratings of `year` under `org`: distribution (root and each direct child)
/// and page `page` (from 1) of the orgs, narrowed to a number of stars if given
/// (`Some(None)`: rated without stars). Resolving the org refused who may not read.
pub async fn ratings(
    app: &App,
    root: &InScope<OrgRecord>,
    year: i32,
    stars: Option<Option<i64>>,
    page: i64,
    page_size: i64,
) -> Result<RatingsReport> {
    let scope = root.subtree();
    let page_size = page_size.clamp(1, 1_000_000);
    let mut conn = app.store.acquire().await?;
    // The subtree's distribution is its children's plus the root's own rating: one read of
    // the subtree's index, not two.
    let children = org_store::children(&mut conn, &scope, root.org.id).await?;
    let mut dist: BTreeMap<Option<i64>, i64> = BTreeMap::new();
    if let Some(own) = rating_store::get(&mut conn, &scope, root.org.id, year).await? {
        *dist.entry(own.stars()).or_default() += 1;
    }
    // Each child's subtree from its stored counts (`rating_tally`): one read.
    let ids: Vec<i64> = children.iter().map(|c| c.org.id).collect();
    let mut tallies = jiceng_store::rating_tally::read(&mut conn, year, &ids).await?;
    let mut levels = Vec::new();
    for c in &children {
        let d = tallies.remove(&c.org.id).unwrap_or_default();
        for (k, n) in &d {
            *dist.entry(*k).or_default() += n;
        }
        let rated: i64 = d.values().sum();
        if rated > 0 {
            levels.push(LevelStars {
                org: OrgRef::of(&c.org),
                rated,
                stars: star_counts(&d),
            });
        }
    }
    let offset = (page.max(1) - 1).saturating_mul(page_size);
    // The total is the distribution's (same rows), so the index is not read a second time.
    let total = rating_store::count_of(&dist, stars);
    let rows = rating_store::page(&mut conn, &scope, year, stars, offset, page_size).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let orgs: HashMap<i64, StoredOrg> = org_store::by_ids(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|o| (o.org.id, o))
        .collect();
    drop(conn);
    let items = rows
        .iter()
        .filter_map(|r| {
            let o = orgs.get(&r.org_id)?;
            Some(RatingItem {
                org: OrgRef::of(&o.org),
                kind: o.org.kind.code(),
                stars: r.stars(),
                computed_stars: r.computed_stars,
                score: r.score,
                weight_with_data: r.weight_with_data,
                adjusted: r.adjustment.is_some(),
            })
        })
        .collect();
    Ok(RatingsReport {
        org: OrgRef::of(&root.org),
        year,
        rated: dist.values().sum(),
        stars: star_counts(&dist),
        levels,
        items,
        total,
    })
}

/// One org's rating in full: the stored one (with its adjustment), the one its records
/// give today, and every signal of the diagnosis (those without data included).
#[derive(Debug, Clone, Serialize)]
pub struct OrgRating {
    pub org: OrgRef,
    pub kind: &'static str,
    pub year: i32,
    pub as_of: NaiveDate,
    pub stored: Option<StoredView>,
    /// Computed now from the records (what a re-rating would store).
    pub current: Rating,
    pub signals: Vec<SignalView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoredView {
    pub stars: Option<i64>,
    pub computed_stars: Option<i64>,
    pub score: Option<f64>,
    pub as_of: NaiveDate,
    pub set_id: String,
    pub set_version: i64,
    pub evidence: String,
    pub indicators: Vec<IndicatorScore>,
    pub adjusted_by: Option<String>,
    pub adjusted_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignalView {
    pub rule: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub state: &'static str,
    pub evidence: String,
}

/// The rating of one org (resolved in the actor's scope) for `year`.
pub async fn org_rating(app: &App, target: &InScope<OrgRecord>, year: i32) -> Result<OrgRating> {
    check_year(app, year)?;
    let one = OneOrg::read(app, target, year, Purpose::Rating).await?;
    let (f, set, book) = (&one.facts, one.set(), &one.book);
    let current = dr::rate(f, set, &app.rules);
    let signals = diagnose(f, set, &app.rules)
        .into_iter()
        .map(|s| SignalView {
            rule: s.rule.code(),
            label: s.rule.label(),
            kind: s.kind.code(),
            state: s.state.label(),
            evidence: match &s.source {
                Some(src) => format!("{}（来源：{src}）", s.evidence),
                None => s.evidence,
            },
        })
        .collect();
    let mut conn = app.store.acquire().await?;
    let stored = rating_store::get(&mut conn, &target.subtree(), target.org.id, year)
        .await?
        .map(|r| StoredView {
            stars: r.stars(),
            computed_stars: r.computed_stars,
            score: r.score,
            as_of: r.as_of,
            set_id: r.set_id.clone(),
            set_version: r.set_version,
            evidence: r.evidence.clone(),
            indicators: {
                let mut list = r.indicators.clone();
                name_scores(book, &r.set_id, r.set_version, &mut list);
                list
            },
            adjusted_by: r.adjustment.as_ref().map(|a| a.by.clone()),
            adjusted_reason: r.adjustment.as_ref().map(|a| a.reason.clone()),
        });
    Ok(OrgRating {
        org: OrgRef::of(&target.org),
        kind: target.org.kind.code(),
        year,
        as_of: one.as_of,
        stored,
        current,
        signals,
    })
}
