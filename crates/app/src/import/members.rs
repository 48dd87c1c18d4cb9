//! `import members`: a roster. Members are matched by ID number (through its keyed
//! hash), so importing the same roster twice changes nothing; 党内职务 become positions.

use std::collections::HashMap;
use std::path::Path;

use jiceng_domain::{Education, Gender, IdNumber, MemberStatus, Position, PositionKind};
use jiceng_store::members::{self as member_store, StoredMember};
use jiceng_store::positions as position_store;
use jiceng_store::referral::ReferralKind;

use jiceng_domain::text::{self, TextField};

use super::{columns, read_table, ErrorList, ImportOptions, ImportReport, Progress, RowCheck};
use crate::{App, Result};

columns! {
    NAME = required("姓名", ["党员姓名", "名字"]),
    GENDER = optional("性别", []),
    ETHNICITY = optional("民族", []),
    BIRTH = optional("出生日期", ["出生年月", "出生时间", "出生年月日", "生日"]),
    ID = required("公民身份号码", ["身份证号", "身份证号码", "身份证", "居民身份证号码", "身份证件号码", "证件号码"]),
    EDUCATION = optional("学历", ["文化程度", "最高学历", "全日制学历"]),
    STATUS = required("人员类别", ["党员类别", "党员状态", "党员类型", "类别"]),
    JOINED = required("入党日期", ["入党时间", "入党年月", "加入党组织日期"]),
    FULL = optional("转正日期", ["转正时间", "转为正式党员日期", "转正年月"]),
    OCCUPATION = optional("工作岗位", ["职业", "工作单位及职务", "岗位", "现工作岗位", "工作单位及岗位"]),
    PHONE = optional("联系电话", ["手机号码", "手机号", "联系方式", "手机", "电话", "电话号码"]),
    ORG = required("所在党组织", ["所在党支部", "所在支部", "党组织名称", "所属党组织", "所属支部", "所属党支部", "党支部"]),
    POSITION = optional("党内职务", ["职务", "党内职务名称", "现任党内职务"]),
    POSITION_SINCE = optional("任职日期", ["任职时间", "任现职时间", "任职年月"]),
    POSITION_UNTIL = optional("离任日期", ["离任时间", "免职日期", "免职时间", "卸任日期", "任职结束日期"]),
    TRANSFERRED_IN = optional("转入日期", ["转入时间", "组织关系转入日期", "组织关系转入时间", "转入本支部日期"]),
    GROUP = optional("所在党小组", ["党小组", "所属党小组", "党小组名称"]),
}

/// The text columns and their limits.
const LIMITS: [(usize, TextField); 4] = [
    (NAME, text::MEMBER_NAME),
    (ETHNICITY, text::ETHNICITY),
    (OCCUPATION, text::OCCUPATION),
    (ORG, text::ORG_REF),
];

struct Parsed {
    row: usize,
    member: StoredMember,
    /// The 党内职务 with its 任职日期 and 离任日期.
    position: Option<(
        PositionKind,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
    )>,
}

pub async fn run(
    app: &App,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    // The per-user limit of real imports comes first: a refused import costs nothing.
    if !opts.dry_run {
        crate::referral::check_import_rate(app, &opts.actor).await?;
    }
    let today = app.today();
    progress.start("读取", 1);
    let mut table = read_table(app, file, &COLUMNS)?;
    progress.finish();
    let mut report = super::new_report(file, &table, opts);
    let super::Start {
        scope,
        scope_org,
        orgs,
    } = super::start(app, opts).await?;
    let lookup = super::OrgLookup::of(&orgs);

    progress.start("检查", table.rows.len() as u64);
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut errors = ErrorList::default();
    let mut notes: Vec<super::RowError> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in &table.rows {
        let mut c = RowCheck::new(row, &table.titles);
        c.lengths(&LIMITS);
        let name = c.required(NAME);
        let id = c.required_as(ID, IdNumber::parse);
        let gender = c.text_label(GENDER, Gender::parse_label, |g| {
            format!("无法识别的性别：{g}")
        });
        let birth = c.date(BIRTH);
        if let Some(id) = &id {
            if let Some(g) = gender.filter(|g| *g != id.gender()) {
                c.error(
                    GENDER,
                    format!(
                        "性别“{}”与公民身份号码不符（号码为{}性）",
                        g.label(),
                        id.gender().label()
                    ),
                );
            }
            if let Some(b) = birth.filter(|b| *b != id.birth_date()) {
                c.error(
                    BIRTH,
                    format!("出生日期{b}与公民身份号码不符（号码为{}）", id.birth_date()),
                );
            }
        }
        let education = c.text_label(EDUCATION, Education::parse_label, |e| {
            format!("无法识别的学历：{e}")
        });
        let status = c.required_label(STATUS, MemberStatus::parse_label, |s| {
            format!("人员类别应为“正式党员”或“预备党员”：{s}")
        });
        let joined = c.required_date(JOINED);
        let full_on = c.date(FULL);
        if let Some(j) = joined {
            if j > today {
                c.error(JOINED, format!("入党日期晚于今天：{j}"));
            }
            // The age at joining by the rules in force on the joining date; a date older
            // than the rule book is not judged by later rules (review S23: a member who
            // joined in 1944 at 16, before the 1945 charter's 18).
            match (&id, app.rules.recruitment_on(j)) {
                (Some(id), Some(rules)) => {
                    let min_age = rules.recruitment.min_age;
                    let b = id.birth_date();
                    let adult = b
                        .checked_add_months(chrono::Months::new(12 * min_age.max(0) as u32))
                        .unwrap_or(b);
                    if j < adult {
                        c.error(
                            JOINED,
                            format!("入党时未满{min_age}周岁（出生于{b}，入党于{j}）"),
                        );
                    }
                }
                (Some(_), None) => notes.push(super::RowError {
                    row: row.number,
                    column: table.titles[JOINED].clone(),
                    message: format!(
                        "入党日期{j}早于党章规定入党年龄的施行日（{}），入党年龄未按规则检查",
                        app.rules
                            .sets()
                            .first()
                            .and_then(|s| s.recruitment.min_age_since)
                            .map(|d| d.to_string())
                            .unwrap_or_default()
                    ),
                    name: None,
                }),
                (None, _) => {}
            }
            if let Some(f) = full_on {
                if f < j {
                    c.error(FULL, format!("转正日期{f}早于入党日期{j}"));
                }
            }
        }
        if let (Some(MemberStatus::Probationary), Some(f)) = (status, full_on) {
            if f <= today {
                c.error(
                    FULL,
                    format!("预备党员不应有已过的转正日期（{f}）；已转正的请填“正式党员”"),
                );
            }
        }
        // S25: a 预备党员 past the probation year and the confirmation window with no
        // 转正日期 is still counted as probationary (nothing is assumed), but said.
        if let (Some(MemberStatus::Probationary), None, Some(j)) = (status, full_on, joined) {
            if let Some(r) = app.rules.recruitment_on(j) {
                let months =
                    r.recruitment.probation_years * 12 + r.recruitment.confirmation_within_months;
                let due = u32::try_from(months)
                    .ok()
                    .and_then(|m| j.checked_add_months(chrono::Months::new(m)));
                if due.is_some_and(|due| due < today) {
                    notes.push(super::RowError {
                        row: row.number,
                        column: table.titles[STATUS].clone(),
                        message: format!(
                            "{j}入党，预备期已满仍为预备党员且无转正日期：请核实是否已转正（按预备党员统计）"
                        ),
                        name: None,
                    });
                }
            }
        }
        if let (Some(MemberStatus::Full), Some(f)) = (status, full_on) {
            if f > today {
                c.error(FULL, format!("正式党员的转正日期晚于今天：{f}"));
            }
        }
        let phone = c.text(PHONE).map(|p| p.replace([' ', '-'], ""));
        if let Some(Err(e)) = phone.as_deref().map(crate::privacy::check_phone) {
            c.error(PHONE, e);
        }
        let org = c.required_as(ORG, |key| lookup.find(key, ""));
        let group = match (c.text(GROUP), org) {
            (Some(key), Some(org)) => match lookup.group_of(org, &key) {
                Ok(g) => Some(g.org.id),
                Err(e) => {
                    c.error(GROUP, e);
                    None
                }
            },
            _ => None,
        };
        let position = c.text(POSITION).and_then(|p| {
            let first = p
                .split(['、', ',', '，', '/', ';', '；'])
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            match PositionKind::parse_label(&first) {
                Some(k) => Some(k),
                None if matches!(first.as_str(), "无" | "党员" | "-" | "") => None,
                None => {
                    c.error(POSITION, format!("无法识别的党内职务：{p}"));
                    None
                }
            }
        });
        let since = c.date(POSITION_SINCE);
        let until = c.date(POSITION_UNTIL);
        if let Some(u) = until {
            if u > today {
                c.error(POSITION_UNTIL, format!("离任日期晚于今天：{u}"));
            } else if let Some(s) = since.filter(|s| u < *s) {
                c.error(POSITION_UNTIL, format!("离任日期{u}早于任职日期{s}"));
            } else if position.is_none() {
                c.error(POSITION_UNTIL, "填写了离任日期，但没有填写党内职务");
            }
        }
        let transferred_in = c.date(TRANSFERRED_IN);
        if let Some(t) = transferred_in {
            if t > today {
                c.error(TRANSFERRED_IN, format!("转入日期晚于今天：{t}"));
            } else if let Some(j) = joined.filter(|j| t < *j) {
                c.error(TRANSFERRED_IN, format!("转入日期{t}早于入党日期{j}"));
            }
        }
        if let Some(id) = &id {
            let key = id.as_str().to_string();
            if let Some(prev) = seen.get(&key) {
                c.error(ID, format!("公民身份号码与第{prev}行重复"));
            } else {
                seen.insert(key, row.number);
            }
        }
        if c.errors.is_empty() {
            let (Some(name), Some(id), Some(status), Some(joined), Some(org)) =
                (name, id, status, joined, org)
            else {
                unreachable!("required cells were checked")
            };
            parsed.push(Parsed {
                row: row.number,
                member: StoredMember {
                    id: 0,
                    org_id: org.org.id,
                    org_path: org.path.clone(),
                    name,
                    gender: id.gender(),
                    ethnicity: c.text(ETHNICITY).unwrap_or_default(),
                    birth_date: id.birth_date(),
                    id_hash: app.crypto.id_hash(&id),
                    id_cipher: String::new(),
                    id_masked: id.masked(),
                    education,
                    status,
                    joined_on: joined,
                    full_on,
                    occupation: c.text(OCCUPATION),
                    phone_cipher: None,
                    phone_masked: None,
                    mobile: false,
                    lost_contact: false,
                    exited_on: None,
                    transferred_in_on: transferred_in,
                    group_id: group,
                },
                position: position.map(|k| (k, since, until)),
            });
            // Encrypt only rows that will be written (below): keep the parsed id at hand.
            parsed.last_mut().expect("pushed").member.id_cipher = app.crypto.encrypt(&id);
            if let Some(p) = &phone {
                crate::privacy::set_phone(
                    &app.crypto,
                    &mut parsed.last_mut().expect("pushed").member,
                    p,
                );
            }
        }
        errors.extend(c.errors);
        progress.inc(1);
    }
    progress.finish();
    // Every row is parsed: its cells are not needed while writing.
    table.rows = Vec::new();

    // A person already on record elsewhere: the import may update them only inside its own
    // scope; a member of another subtree changes org by a transfer, not by a roster. The
    // check answers such a row exactly as a new one (no oracle: same report, same work);
    // a real import refers it to the higher org instead of writing it (`referral`).
    progress.start("比对", parsed.len() as u64);
    let mut conn = app.store.acquire().await?;
    let hashes: Vec<String> = parsed.iter().map(|p| p.member.id_hash.clone()).collect();
    let mut existing: HashMap<String, StoredMember> =
        member_store::by_id_hashes(&mut conn, &hashes)
            .await?
            .into_iter()
            .map(|m| (m.id_hash.clone(), m))
            .collect();
    drop(conn);
    let outside: HashMap<String, StoredMember> = existing
        .iter()
        .filter(|(_, m)| !scope.contains(&m.org_path))
        .map(|(h, m)| (h.clone(), m.clone()))
        .collect();
    existing.retain(|h, _| !outside.contains_key(h));
    let matches = parsed
        .iter()
        .filter(|p| outside.contains_key(&p.member.id_hash))
        .count();
    errors.finish(&mut report);
    report.notes = notes.clone();
    if super::ends_with_check(app, opts, "members", &report, scope_org.as_ref(), || {
        matches
    })
    .await?
    {
        return Ok(report);
    }
    let mut pending = Vec::new();
    parsed.retain(|p| {
        let Some(old) = outside.get(&p.member.id_hash) else {
            return true;
        };
        pending.push(crate::referral::Pending {
            kind: ReferralKind::Member,
            row: Some(p.row),
            from_org_id: Some(p.member.org_id),
            from_path: Some(p.member.org_path.clone()),
            existing_id: old.id,
            existing_org_id: old.org_id,
            existing_path: old.org_path.clone(),
            data: referral_data(p),
            key: p.member.id_masked.clone(),
        });
        report.referred.push(super::RowError {
            row: p.row,
            column: table.titles[ID].clone(),
            message: crate::referral::REFERRED.into(),
            name: None,
        });
        false
    });
    let referrals =
        crate::referral::prepare(app, &opts.actor, "members", &report.file, pending).await?;

    // Match by ID hash; plan inserts and updates.
    let mut conn = app.store.acquire().await?;
    let existing_ids: Vec<i64> = existing.values().map(|m| m.id).collect();
    let held: Vec<Position> = position_store::of_members(&mut conn, &existing_ids).await?;
    drop(conn);
    let mut inserts = Vec::new();
    let mut updates = Vec::new();
    let mut touched = Vec::new();
    #[allow(clippy::type_complexity)]
    let mut new_positions: Vec<(
        usize,
        bool,
        PositionKind,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
    )> = Vec::new();
    // Posts on record that end: (position id, day, org).
    let mut ends: Vec<(i64, chrono::NaiveDate, i64)> = Vec::new();
    for (k, p) in parsed.iter().enumerate() {
        match existing.get(&p.member.id_hash) {
            Some(old) => {
                let mut m = p.member.clone();
                m.id = old.id;
                m.id_cipher = old.id_cipher.clone();
                m.mobile = old.mobile;
                m.lost_contact = old.lost_contact;
                m.exited_on = old.exited_on;
                m.transferred_in_on = m.transferred_in_on.or(old.transferred_in_on);
                // Empty cells keep what is stored.
                if m.ethnicity.is_empty() {
                    m.ethnicity = old.ethnicity.clone();
                }
                m.education = m.education.or(old.education);
                m.full_on = m.full_on.or(old.full_on);
                m.occupation = m.occupation.or(old.occupation.clone());
                // An empty 所在党小组 keeps the group of a member who stays in the org.
                if m.org_id == old.org_id {
                    m.group_id = m.group_id.or(old.group_id);
                }
                crate::privacy::merge_phone(&app.crypto, &mut m, old);
                if m != *old {
                    touched.push(old.org_id);
                    touched.push(m.org_id);
                    updates.push(m);
                } else {
                    report.unchanged += 1;
                }
                if let Some((kind, since, until)) = p.position {
                    let open = held.iter().find(|h| {
                        h.member_id == old.id
                            && h.org_id == p.member.org_id
                            && h.kind == kind
                            && h.ended_on.is_none()
                    });
                    match (open, until) {
                        // 离任日期 on a post on record: it ends.
                        (Some(h), Some(u)) => ends.push((h.id, u, h.org_id)),
                        (Some(_), None) => {}
                        (None, _) => {
                            let known = held.iter().any(|h| {
                                h.member_id == old.id
                                    && h.org_id == p.member.org_id
                                    && h.kind == kind
                                    && h.started_on == since
                                    && h.ended_on == until
                            });
                            if !known {
                                new_positions.push((k, false, kind, since, until));
                            }
                        }
                    }
                }
            }
            None => {
                touched.push(p.member.org_id);
                inserts.push(k);
                if let Some((kind, since, until)) = p.position {
                    new_positions.push((k, true, kind, since, until));
                }
            }
        }
    }
    // A roster naming a new secretary for an org ends the secretary post still open there
    // (held by someone else) on the new one's start, or the import day (review S2b).
    let secretary_orgs: Vec<i64> = new_positions
        .iter()
        .filter(|(_, _, kind, _, until)| *kind == PositionKind::Secretary && until.is_none())
        .map(|(k, ..)| parsed[*k].member.org_id)
        .collect();
    if !secretary_orgs.is_empty() {
        let mut conn = app.store.acquire().await?;
        let open = position_store::of_orgs(&mut conn, &secretary_orgs).await?;
        drop(conn);
        for (k, is_new, kind, since, until) in &new_positions {
            if *kind != PositionKind::Secretary || until.is_some() {
                continue;
            }
            let p = &parsed[*k];
            let member_id = (!is_new).then(|| existing[&p.member.id_hash].id);
            let on = since.unwrap_or(today);
            for h in open.iter().filter(|h| {
                h.org_id == p.member.org_id
                    && h.kind == PositionKind::Secretary
                    && h.ended_on.is_none()
                    && Some(h.member_id) != member_id
                    && h.started_on.is_none_or(|s| s <= on)
            }) {
                if !ends.iter().any(|(id, ..)| *id == h.id) {
                    ends.push((h.id, on, h.org_id));
                    notes.push(super::RowError {
                        row: p.row,
                        column: table.titles[POSITION].clone(),
                        message: format!("新任书记{}：原书记职务于{on}结束", p.member.name),
                        name: None,
                    });
                }
            }
        }
    }
    let first = app
        .store
        .reserve_ids("member", inserts.len() as i64)
        .await?;
    let mut new_members: Vec<StoredMember> = Vec::with_capacity(inserts.len());
    let mut id_of: HashMap<usize, i64> = HashMap::new();
    for (n, &k) in inserts.iter().enumerate() {
        let mut m = parsed[k].member.clone();
        m.id = first + n as i64;
        id_of.insert(k, m.id);
        new_members.push(m);
    }
    let pos_first = app
        .store
        .reserve_ids("position", new_positions.len() as i64)
        .await?;
    let positions: Vec<Position> = new_positions
        .iter()
        .enumerate()
        .map(|(n, (k, is_new, kind, since, until))| Position {
            id: pos_first + n as i64,
            member_id: if *is_new {
                id_of[k]
            } else {
                existing[&parsed[*k].member.id_hash].id
            },
            org_id: parsed[*k].member.org_id,
            kind: *kind,
            started_on: *since,
            ended_on: *until,
        })
        .collect();
    for p in &positions {
        touched.push(p.org_id);
    }
    touched.extend(ends.iter().map(|(_, _, org)| *org));
    progress.start("写入", (new_members.len() + updates.len()) as u64);
    touched.sort_unstable();
    touched.dedup();
    // Rows written: new members, changed members, and new positions of members already on
    // record (a new member's position comes with its row).
    let written = new_members.len()
        + updates.len()
        + new_positions
            .iter()
            .filter(|(_, is_new, ..)| !is_new)
            .count()
        + ends.len();
    let (new_members, updates, positions, touched) = (&new_members, &updates, &positions, &touched);
    let ends = &ends;
    let (report_ref, org_ref, referrals) = (&report, scope_org.as_ref(), &referrals);
    crate::audit::with_retry(|| async move {
        let mut tx = app.store.begin().await?;
        // The rows were hashed and encrypted with this process's key: still the database's?
        crate::privacy::ensure_key(&mut tx, &app.crypto).await?;
        crate::referral::write(&mut tx, app, &opts.actor, org_ref, referrals).await?;
        member_store::insert(&mut tx, new_members).await?;
        for m in updates {
            member_store::update(&mut tx, m).await?;
        }
        position_store::insert(&mut tx, positions).await?;
        for (id, on, _) in ends {
            position_store::end(&mut tx, *id, *on).await?;
        }
        progress.start("更新统计", touched.len() as u64);
        jiceng_store::facts::refresh(&mut tx, &app.rules, touched, today).await?;
        super::record_import(&mut tx, app, opts, "members", report_ref, written, org_ref).await?;
        progress.start("提交", 1);
        tx.commit().await?;
        Ok(())
    })
    .await?;
    progress.finish();
    report.written = written;
    report.notes = notes;
    Ok(report)
}

/// What the department needs to act on a referred row: the person as the row gives them,
/// the ID number only as its keyed hash, ciphertext and masked copy, the phone masked.
fn referral_data(p: &Parsed) -> serde_json::Value {
    let m = &p.member;
    serde_json::json!({
        "name": m.name,
        "gender": m.gender.label(),
        "ethnicity": m.ethnicity,
        "birth_date": m.birth_date.to_string(),
        "id_masked": m.id_masked,
        "id_hash": m.id_hash,
        "id_cipher": m.id_cipher,
        "education": m.education.map(|e| e.label()),
        "status": m.status.label(),
        "joined_on": m.joined_on.to_string(),
        "full_on": m.full_on.map(|d| d.to_string()),
        "occupation": m.occupation,
        "phone_masked": m.phone_masked,
        "org_id": m.org_id,
        "position": p.position.map(|(k, ..)| k.label()),
    })
}
