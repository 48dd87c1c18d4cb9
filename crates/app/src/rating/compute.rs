//! Rating a subtree for a year (`rate`): stars and suspected weaknesses stored in one
//! audited transaction, in chunks.

use super::*;

/// How many orgs have a number of stars (`stars: null`: rated without stars).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StarCount {
    pub stars: Option<i64>,
    pub orgs: i64,
}

/// How many orgs are suspected of one weakness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindCount {
    pub kind: &'static str,
    pub label: &'static str,
    pub orgs: i64,
}

/// What a rating run did.
#[derive(Debug, Clone, Serialize)]
pub struct RateSummary {
    pub org: OrgRef,
    pub year: i32,
    pub as_of: NaiveDate,
    /// The oldest day the stored org facts were computed for.
    pub facts_on: Option<NaiveDate>,
    /// Orgs of the subtree read, and of those rated.
    pub orgs: usize,
    pub rated: usize,
    /// By stars, adjustments counted; highest first, no stars last.
    pub stars: Vec<StarCount>,
    /// Orgs with at least one weakness suspected, and by kind.
    pub suspected_orgs: usize,
    pub suspected: Vec<KindCount>,
    pub seconds: f64,
}

pub(super) fn star_counts(map: &BTreeMap<Option<i64>, i64>) -> Vec<StarCount> {
    let mut v: Vec<StarCount> = map
        .iter()
        .map(|(s, n)| StarCount {
            stars: *s,
            orgs: *n,
        })
        .collect();
    v.sort_by_key(|c| std::cmp::Reverse(c.stars.map(|s| s + 1).unwrap_or(0)));
    v
}

/// Orgs rated and written per chunk: the work of a province is never held at once.
const CHUNK: usize = 10_000;

#[derive(Default)]
struct Tally {
    rated: usize,
    stars: BTreeMap<Option<i64>, i64>,
    by_kind: BTreeMap<WeaknessKind, i64>,
    suspected_orgs: usize,
}

/// Rates every org of the subtree of `org` for `year` and stores the ratings and the
/// suspected weaknesses (replacing those of an earlier run; hand adjustments and decided
/// weaknesses stay). Needs [`access::Rate`].
///
/// One transaction with the audit entry; inside it the orgs are rated and written
/// [`CHUNK`] at a time.
pub async fn rate(
    app: &App,
    grant: &Grant<access::Rate>,
    root: &InScope<OrgRecord>,
    year: i32,
) -> Result<RateSummary> {
    let actor = grant.actor();
    check_year(app, year)?;
    let started = Instant::now();
    let scope = root.subtree();
    let book = indicator_book(app).await?;
    let g = gather(app, root, year).await?;
    // Every rated org needs a set: fail before writing anything.
    for o in g.orgs.iter().filter(|o| dr::is_rated(o.kind)) {
        if book.for_domain(o.domain, g.as_of).is_none() {
            return Err(input("没有可用的评定指标体系"));
        }
    }
    let (g_ref, book_ref, scope_ref, root_ref) = (&g, &book, &scope, &**root);
    let t = audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        let mut adjustments = rating_store::adjustments(&mut tx, scope_ref, year).await?;
        rating_store::delete(&mut tx, scope_ref, year).await?;
        let decided = weak_store::clear_suspected(&mut tx, scope_ref, year).await?;
        let mut t = Tally::default();
        let mut rows: Vec<StoredRating> = Vec::with_capacity(CHUNK);
        let mut weak_rows: Vec<StoredWeakness> = Vec::new();
        for i in 0..g_ref.orgs.len() {
            let Some(f) = g_ref.facts(i) else { continue };
            let o = &g_ref.orgs[i];
            let set = book_ref
                .for_domain(o.domain, g_ref.as_of)
                .ok_or_else(|| input("没有可用的评定指标体系"))?;
            let r: Rating = dr::rate(&f, set, &app.rules);
            let sus = suspicions(o, year, g_ref.as_of, &diagnose(&f, set, &app.rules));
            t.suspected_orgs += usize::from(!sus.is_empty());
            for w in &sus {
                *t.by_kind.entry(w.kind).or_default() += 1;
            }
            weak_rows.extend(sus);
            let row = StoredRating {
                org_id: o.id,
                year,
                org_path: o.path.clone(),
                set_id: r.set_id,
                set_version: r.set_version,
                as_of: g_ref.as_of,
                computed_stars: r.stars.map(i64::from),
                score: r.score,
                weight_with_data: r.weight_with_data,
                indicators: r.indicators,
                evidence: r.evidence,
                adjustment: adjustments.remove(&o.id),
            };
            *t.stars.entry(row.stars()).or_default() += 1;
            t.rated += 1;
            rows.push(row);
            if rows.len() >= CHUNK {
                rating_store::insert(&mut tx, &rows).await?;
                weak_store::insert_suspected(&mut tx, &weak_rows, &decided).await?;
                rows.clear();
                weak_rows.clear();
            }
        }
        rating_store::insert(&mut tx, &rows).await?;
        weak_store::insert_suspected(&mut tx, &weak_rows, &decided).await?;
        jiceng_store::rating_tally::after_rating(&mut tx, (root_ref.org.id, &root_ref.path), year)
            .await?;
        let after = serde_json::json!({
            "year": year,
            "rated": t.rated,
            "stars": star_counts(&t.stars),
            "suspected_orgs": t.suspected_orgs,
        });
        let target = format!(
            "{} {year}年度分类定级（{}个党组织）",
            root_ref.org.name, t.rated
        );
        audit::Entry::new(actor, AuditAction::RatingCompute, target)
            .org(root_ref)
            .after(after)
            .commit(tx, app.now())
            .await?;
        Ok(t)
    })
    .await?;
    if t.rated >= jiceng_store::bulk::SETTLE_MIN_ROWS {
        let mut conn = app.store.acquire().await?;
        jiceng_store::bulk::settle(&mut conn, &["rating", "weakness"]).await?;
    }
    Ok(RateSummary {
        org: OrgRef::of(&root.org),
        year,
        as_of: g.as_of,
        facts_on: g.facts_on(),
        orgs: g.orgs.len(),
        rated: t.rated,
        stars: star_counts(&t.stars),
        suspected_orgs: t.suspected_orgs,
        suspected: t
            .by_kind
            .into_iter()
            .map(|(k, n)| KindCount {
                kind: k.code(),
                label: k.label(),
                orgs: n,
            })
            .collect(),
        seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
    })
}

/// Fills the names and weights of stored indicator scores from the set they were rated by
/// (the store keeps only codes, states, scores and evidence).
pub fn name_scores(book: &IndicatorBook, set_id: &str, version: i64, list: &mut [IndicatorScore]) {
    let set = book
        .sets()
        .iter()
        .find(|s| s.id == set_id && s.version == version);
    for i in list {
        match set.and_then(|s| s.indicators.iter().find(|x| x.code == i.code)) {
            Some(x) => {
                i.name = x.name.clone();
                i.weight = x.weight;
            }
            None => i.name = i.code.clone(),
        }
    }
}
