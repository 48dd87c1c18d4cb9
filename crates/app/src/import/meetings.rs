//! `import meetings`: a meeting ledger (三会一课台账). Each row is one meeting of a branch
//! (or of a group, for 党小组会). A meeting is matched by org, kind, date and topic, so
//! importing the same ledger twice adds nothing; a row matching a recorded meeting is
//! left as recorded (counted as unchanged).

use std::collections::HashMap;
use std::path::Path;

use jiceng_domain::{Meeting, MeetingKind, OrgKind};
use jiceng_store::meetings::{self as meeting_store, StoredMeeting};
use jiceng_store::orgs::StoredOrg;

use jiceng_domain::text::{self, TextField};

use super::{columns, ErrorList, ImportOptions, ImportReport, Progress, RowCheck};
use crate::{App, Result};

/// The text columns and their limits (the topic's is the meeting's own check).
const LIMITS: [(usize, TextField); 6] = [
    (ORG, text::ORG_REF),
    (HOST, text::HOST),
    (VENUE, text::VENUE),
    (REASONS, text::EXCUSED_REASONS),
    (MINUTES, text::MINUTES),
    (DECISIONS, text::DECISIONS),
];

columns! {
    ORG = required(
        "党组织",
        [
            "党组织名称", "所在党组织", "党支部", "党支部名称", "支部名称", "召开单位", "组织名称", "党支部(党小组)", "党支部（党小组）", "单位",
        ]
    ),
    KIND = required("会议类型", ["会议类别", "类型", "活动类型", "会议名称", "组织生活类型", "类别"]),
    DATE = required("会议日期", ["日期", "召开日期", "召开时间", "会议时间", "活动日期", "活动时间", "时间"]),
    TOPIC = required("会议主题", ["主题", "会议内容", "议题", "活动主题", "内容", "会议议题", "学习内容"]),
    EXPECTED = required("应到人数", ["应到", "应参会人数", "应到会人数", "应出席人数", "应到党员数"]),
    PRESENT = required("实到人数", ["实到", "实际参会人数", "参会人数", "到会人数", "实到会人数", "出席人数", "实到党员数"]),
    EXCUSED = required("请假人数", ["请假", "请假党员数", "缺席人数(请假)"]),
    HOST = required("主持人", ["主持", "会议主持人", "主讲人", "主持人(主讲人)", "主持人（主讲人）"]),
    VENUE = optional("地点", ["会议地点", "活动地点", "召开地点", "场所", "活动场所", "会议场所"]),
    MASSES = optional("群众参与人数", ["群众人数", "参加群众人数", "列席群众人数", "群众参与", "群众参加人数"]),
    REASONS = optional("请假事由", ["请假原因", "缺席原因", "请假人员及事由"]),
    VOTES = optional("是否表决", ["表决", "是否进行表决", "有无表决事项"]),
    MINUTES = optional("会议记录", ["会议纪要", "记录", "纪要"]),
    DECISIONS = optional("决议事项", ["决定事项", "会议决议", "决议"]),
    FOR_YEAR = optional("所属年度", ["年度", "所属年份", "考核年度"]),
    ELECTION = optional("是否换届选举", ["换届选举", "是否选举", "选举"]),
}

struct Parsed {
    row: usize,
    org: StoredOrg,
    branch_id: i64,
    branch_path: String,
    meeting: Meeting,
    /// The 活动场所 the 地点 names, among the venues the org (or an ancestor) uses.
    venue_id: Option<i64>,
}

pub async fn run(
    app: &App,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    let today = app.today();
    let (
        mut table,
        mut report,
        super::Start {
            scope: _,
            scope_org,
            orgs,
        },
    ) = super::open(app, file, opts, &COLUMNS).await?;
    let lookup = super::OrgLookup::of(&orgs);
    let (by_id, by_code, by_name) = (&lookup.by_id, &lookup.by_code, &lookup.by_name);
    // An org by code or unique name; `上级/下级` names a group (or branch) by its parent.
    let find = |key: &str| -> std::result::Result<&StoredOrg, String> {
        if let Some((parent, child)) = key.split_once(['/', '／']) {
            let (parent, child) = (parent.trim(), child.trim());
            let p = by_code
                .get(parent)
                .copied()
                .or_else(|| match by_name.get(parent) {
                    Some(v) if v.len() == 1 => Some(v[0]),
                    _ => None,
                });
            if let Some(p) = p {
                let kids: Vec<&&StoredOrg> = by_name
                    .get(child)
                    .map(|v| {
                        v.iter()
                            .filter(|o| o.org.parent_id == Some(p.org.id))
                            .collect()
                    })
                    .unwrap_or_default();
                if let [o] = kids.as_slice() {
                    return Ok(**o);
                }
            }
            return Err(format!(
                "找不到党组织“{key}”（上级“{parent}”下没有唯一的“{child}”）"
            ));
        }
        lookup.find(key, &format!("，或写成“所在党支部/{key}”"))
    };

    progress.start("检查", table.rows.len() as u64);
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut errors = ErrorList::default();
    let mut seen: HashMap<(i64, MeetingKind, chrono::NaiveDate, String), usize> = HashMap::new();
    for row in &table.rows {
        let mut c = RowCheck::new(row, &table.titles);
        c.lengths(&LIMITS);
        let org = c.required_as(ORG, |key| find(key));
        // A combined label (主题党日暨党员大会, 组织生活会并开展民主评议党员) names several.
        let kinds = c.required_label(KIND, MeetingKind::parse_labels, |k| format!(
                        "无法识别的会议类型：{k}（应为支部党员大会、支部委员会会议、党小组会、党课、主题党日、组织生活会或民主评议党员，几种合并召开的用“暨”“并”或“、”连接）"
                    ));
        let kind = kinds.as_ref().and_then(|k| k.first().copied());
        let date = c.required_date(DATE);
        let topic = c.required(TOPIC);
        let expected = required_count(&mut c, EXPECTED);
        let present = required_count(&mut c, PRESENT);
        let excused = c.count(EXCUSED).unwrap_or(0);
        let host = c.required(HOST);
        // Absent column or empty cell: not recorded (NULL), never 0.
        let masses = c.count(MASSES);
        let votes = c.yes_no(VOTES).unwrap_or(false);
        let for_year = c.count(FOR_YEAR).and_then(|y| i32::try_from(y).ok());
        let election = c.yes_no(ELECTION);
        let reasons: Vec<String> = c.text(REASONS).into_iter().collect();

        // The branch a group meeting counts for.
        let branch = org.and_then(|o| match o.org.kind {
            OrgKind::Group => match o.org.parent_id.and_then(|p| by_id.get(&p)) {
                Some(p) if p.org.kind == OrgKind::Branch => Some(*p),
                _ => {
                    c.error(ORG, format!("党小组“{}”不在党支部之下", o.org.name));
                    None
                }
            },
            _ => Some(o),
        });
        if let (Some(o), Some(kind), Some(date), Some(topic), Some(expected), Some(present)) =
            (org, kind, date, topic.clone(), expected, present)
        {
            let kinds = kinds.clone().unwrap_or_default();
            let for_year = for_year
                .or_else(|| jiceng_domain::meeting::year_named_in(&topic))
                .filter(|y| *y != chrono::Datelike::year(&date));
            let election = election.unwrap_or_else(|| {
                kinds.contains(&MeetingKind::GeneralMeeting)
                    && jiceng_domain::meeting::names_election(&topic)
            });
            let mut meeting = Meeting {
                id: 0,
                org_id: o.org.id,
                kind,
                also: vec![],
                for_year,
                election,
                date,
                topic: topic.trim().to_string(),
                venue: c.text(VENUE),
                host: host.clone(),
                expected,
                present,
                excused,
                excused_reasons: reasons,
                minutes: c.text(MINUTES),
                decisions: c.text(DECISIONS),
                masses_present: masses,
                central_task: false,
                members_needs: false,
                votes,
                full_expected: None,
                full_present: None,
            };
            meeting.set_kinds(&kinds);
            if let Some(e) = meeting.check_year(app.rules.in_force(date)) {
                c.error(FOR_YEAR, e.to_string());
            }
            for e in meeting.check(o.org.kind, &o.org.name, today) {
                use jiceng_domain::meeting::MeetingError as E;
                let col = match e {
                    E::InFuture(_) => DATE,
                    E::NoTopic | E::TopicTooLong(_) => TOPIC,
                    // Reported by `lengths` above, under the file's own titles.
                    E::TooLong { .. } => continue,
                    E::TooMany { .. } | E::TooManyVoting { .. } | E::NoneExpected => PRESENT,
                    E::Negative => EXPECTED,
                    E::GroupOnly { .. } | E::BranchOnly { .. } | E::OrgNotLive { .. } => KIND,
                    E::ForYear { .. } => FOR_YEAR,
                };
                c.error(col, e.to_string());
            }
            let live = o.org.founded_on.is_none_or(|f| f <= date)
                && o.org.dissolved_on.is_none_or(|d| d > date);
            if !live {
                c.error(
                    DATE,
                    jiceng_domain::meeting::MeetingError::OrgNotLive {
                        org: o.org.name.clone(),
                        date,
                    }
                    .to_string(),
                );
            }
            let key = (o.org.id, kind, date, meeting.topic.clone());
            if let Some(prev) = seen.get(&key) {
                c.error(
                    TOPIC,
                    format!("与第{prev}行是同一会议（组织、类型、日期、主题相同）"),
                );
            } else {
                seen.insert(key, row.number);
            }
            if c.errors.is_empty() {
                let b = branch.expect("checked with the org");
                parsed.push(Parsed {
                    row: row.number,
                    org: o.clone(),
                    branch_id: b.org.id,
                    branch_path: b.path.clone(),
                    meeting,
                    venue_id: None,
                });
            }
        }
        errors.extend(c.errors);
        progress.inc(1);
    }
    progress.finish();
    // Every row is parsed: its cells are not needed while writing.
    table.rows = Vec::new();
    name_venues(app, &mut parsed, &table.titles[VENUE], &mut report).await?;
    errors.finish(&mut report);
    if report.ends_with_check(opts) {
        return Ok(report);
    }

    // Which rows are recorded already.
    let mut inserts: Vec<&Parsed> = Vec::new();
    if let (Some(from), Some(to)) = (
        parsed.iter().map(|p| p.meeting.date).min(),
        parsed.iter().map(|p| p.meeting.date).max(),
    ) {
        let mut org_ids: Vec<i64> = parsed.iter().map(|p| p.org.org.id).collect();
        org_ids.sort_unstable();
        org_ids.dedup();
        let mut conn = app.store.acquire().await?;
        let known = meeting_store::keys(&mut conn, &org_ids, from, to).await?;
        drop(conn);
        for p in &parsed {
            let m = &p.meeting;
            if known.contains(&(m.org_id, m.kind, m.date, m.topic.clone())) {
                report.unchanged += 1;
            } else {
                inserts.push(p);
            }
        }
    }
    let first = app
        .store
        .reserve_ids("meeting", inserts.len() as i64)
        .await?;
    let actor_name = opts.actor.username.clone();
    let venues: Vec<(i64, i64)> = inserts
        .iter()
        .enumerate()
        .filter_map(|(n, p)| p.venue_id.map(|v| (first + n as i64, v)))
        .collect();
    let rows: Vec<StoredMeeting> = inserts
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let quorum = p.meeting.quorum(app.rules.in_force(p.meeting.date));
            let mut meeting = p.meeting.clone();
            meeting.id = first + n as i64;
            StoredMeeting {
                meeting,
                org_path: p.org.path.clone(),
                branch_id: p.branch_id,
                quorum_ok: quorum.map(|q| q.ok),
                created_by: actor_name.clone(),
            }
        })
        .collect();
    debug_assert!(inserts
        .iter()
        .zip(&rows)
        .all(|(p, r)| r.branch_path() == p.branch_path));
    let written = rows.len();
    progress.start("写入", written as u64);
    // The ledger of `--org X` covers every branch under X from the month of its earliest
    // meeting: a branch with no row held nothing then (review S24). Without `--org`,
    // only the branches with rows (set by `insert`).
    let covered: Vec<i64> = match &scope_org {
        Some(_) => orgs
            .iter()
            .filter(|o| o.org.kind == OrgKind::Branch)
            .map(|o| o.org.id)
            .collect(),
        None => vec![],
    };
    let start = parsed
        .iter()
        .map(|p| p.meeting.date)
        .min()
        .map(|d| jiceng_domain::Period::month_of(d).first_day());
    let (rows_ref, report_ref, org_ref, covered_ref, venues_ref) =
        (&rows, &report, scope_org.as_ref(), &covered, &venues);
    crate::audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        if let Some(day) = start {
            meeting_store::lower_records_from(&mut tx, covered_ref, day).await?;
        }
        meeting_store::insert(&mut tx, rows_ref).await?;
        jiceng_store::venues::set_meeting_venues(&mut tx, venues_ref).await?;
        super::record_import(&mut tx, app, opts, "meetings", report_ref, written, org_ref).await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    progress.finish();
    report.written = written;
    Ok(report)
}

/// Maps each row's 地点 to a 活动场所: the one venue of that exact name among those the
/// row's org or an ancestor uses (in use on the meeting's day). A place that names no such
/// venue is kept as text only, never refused: ledgers write places freely (村部, 田间地头,
/// a neighbour's yard) and a venue registered later must not make an old ledger fail;
/// where the org has venues, a note says the place was kept as text.
async fn name_venues(
    app: &App,
    parsed: &mut [Parsed],
    title: &str,
    report: &mut ImportReport,
) -> Result<()> {
    if parsed.iter().all(|p| p.meeting.venue.is_none()) {
        return Ok(());
    }
    let mut ids: Vec<i64> = parsed
        .iter()
        .filter(|p| p.meeting.venue.is_some())
        .flat_map(|p| jiceng_domain::path::ids(&p.org.path))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut conn = app.store.acquire().await?;
    let usable = jiceng_store::venues::usable_by(&mut conn, &ids).await?;
    drop(conn);
    let mut by_user: HashMap<i64, Vec<&jiceng_store::venues::StoredVenue>> = HashMap::new();
    for (user, v) in &usable {
        by_user.entry(*user).or_default().push(v);
    }
    for p in parsed.iter_mut() {
        let Some(place) = p.meeting.venue.as_deref().map(str::trim) else {
            continue;
        };
        let mut known: Vec<&jiceng_store::venues::StoredVenue> =
            jiceng_domain::path::ids(&p.org.path)
                .iter()
                .filter_map(|id| by_user.get(id))
                .flatten()
                .copied()
                .filter(|v| v.opened_on <= p.meeting.date)
                .collect();
        known.sort_by_key(|v| v.id);
        known.dedup_by_key(|v| v.id);
        let hits: Vec<i64> = known
            .iter()
            .filter(|v| v.name == place)
            .map(|v| v.id)
            .collect();
        match hits.as_slice() {
            [one] => p.venue_id = Some(*one),
            _ if known.is_empty() => {}
            _ => report.notes.push(super::RowError {
                row: p.row,
                column: title.to_string(),
                message: format!(
                    "“{place}”{}{}使用的登记场所，按文字保存为会议地点（未计入场所使用）",
                    if hits.is_empty() {
                        "不是"
                    } else {
                        "对应多个"
                    },
                    p.org.org.name
                ),
                name: None,
            }),
        }
    }
    Ok(())
}

/// A required whole number ≥ 0.
fn required_count(c: &mut RowCheck<'_>, col: usize) -> Option<i64> {
    if c.text(col).is_none() {
        c.error(col, "必填项为空");
        return None;
    }
    c.count(col)
}
