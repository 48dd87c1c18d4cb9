//! `import recruitment`: a recruitment ledger (发展党员工作台账), one row per person, the
//! dates of the steps as columns. Every row is checked (ID number, dates that can be read
//! and are not in the future, dates in the order of the way, vote counts that add up, the
//! branch in scope) before anything is written; a row whose dates break a time rule is
//! imported (the past happened) and its violations are listed in the report's notes.
//! People are matched by ID number, steps by kind and day: a second import adds nothing.
//! Writing is `recruitment::ledger`.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use jiceng_domain::recruitment::{
    check::check_ledger, Notice, StepKind, StepRecord, Training, Vote,
};
use jiceng_domain::text::{self, TextField};
use jiceng_domain::{Education, Gender, IdNumber, OrgKind};
use jiceng_io::Cell;
use jiceng_store::recruitment::StoredApplicant;

use super::{columns, read_table, ErrorList, ImportOptions, ImportReport, Progress, RowCheck};
use crate::recruitment::ledger::{self, LedgerPerson};
use crate::recruitment::record::split_names;
use crate::{App, Result};

columns! {
    NAME = required("姓名", ["入党申请人姓名", "申请人姓名", "名字"]),
    ID = required("公民身份号码", ["身份证号", "身份证号码", "身份证", "居民身份证号码", "身份证件号码", "证件号码"]),
    GENDER = optional("性别", []),
    ETHNICITY = optional("民族", []),
    EDUCATION = optional("学历", ["文化程度", "最高学历", "全日制学历"]),
    OCCUPATION = optional("工作岗位", ["职业", "工作单位及职务", "岗位", "现工作岗位", "工作单位及岗位"]),
    FRONT_LINE = optional("生产工作一线", ["是否生产工作一线", "是否一线", "生产、工作一线"]),
    PHONE = optional("联系电话", ["手机号码", "手机号", "联系方式", "手机", "电话"]),
    ORG = required("所在支部", ["所在党支部", "所在党组织", "党支部", "党组织名称", "所属党支部", "接收申请的党组织"]),
    APPLIED = required("递交申请书日期", ["递交入党申请书日期", "申请入党时间", "申请入党日期", "递交申请书时间", "递交入党申请书时间", "入党申请时间"]),
    TALK = optional("谈话日期", ["谈话时间", "派人谈话日期", "派人谈话时间"]),
    ACTIVIST = optional("确定积极分子日期", ["确定入党积极分子日期", "列为积极分子时间", "列为入党积极分子时间", "确定为入党积极分子时间", "确定积极分子时间"]),
    CONTACTS = optional("培养联系人", ["培养人"]),
    CANDIDATE = optional("确定发展对象日期", ["确定为发展对象时间", "列为发展对象时间", "确定发展对象时间"]),
    SPONSORS = optional("入党介绍人", ["介绍人"]),
    REVIEW = optional("政审日期", ["政治审查日期", "政审时间", "政治审查时间"]),
    TRAINING_ON = optional("集中培训日期", ["培训日期", "培训时间", "集中培训时间"]),
    TRAINING_HOURS = optional("集中培训学时", ["培训学时", "学时"]),
    TRAINING_DAYS = optional("培训天数", ["集中培训天数"]),
    COMMITTEE = optional("支委会审查日期", ["支委会审查时间", "支部委员会审查日期"]),
    PRE_REVIEW = optional("预审日期", ["上级党委预审日期", "预审时间", "上级党委预审时间"]),
    NOTICE = optional("公示日期", ["公示时间", "公示期"]),
    NOTICE_FROM = optional("公示开始", ["公示开始日期", "公示起始日期"]),
    NOTICE_TO = optional("公示结束", ["公示结束日期", "公示截止日期"]),
    VOTE_ON = optional("支部大会日期", ["接收预备党员时间", "支部大会通过时间", "接收预备党员日期", "支部大会讨论日期", "支部大会时间"]),
    DUE = optional("应到", ["应到人数"]),
    PRESENT = optional("实到", ["实到人数"]),
    YES = optional("赞成", ["赞成票", "赞成票数"]),
    NO = optional("反对", ["反对票", "反对票数"]),
    ABSTAIN = optional("弃权", ["弃权票", "弃权票数"]),
    BALLOT = optional("表决方式", []),
    APPROVED = optional("审批日期", ["上级党委审批时间", "上级党委审批日期", "审批时间", "批准日期"]),
    OATH = optional("入党宣誓日期", ["宣誓日期", "入党宣誓时间"]),
    CONF_APPLIED = optional("转正申请日期", ["提出转正申请日期", "转正申请时间"]),
    CONF_VOTE = optional("转正大会日期", ["支部大会讨论转正日期", "讨论转正日期", "转正大会时间"]),
    CONF_DUE = optional("转正应到", []),
    CONF_PRESENT = optional("转正实到", []),
    CONF_YES = optional("转正赞成", []),
    CONF_NO = optional("转正反对", []),
    CONF_ABSTAIN = optional("转正弃权", []),
    CONFIRMED = optional("转正审批日期", ["转正时间", "转正日期", "上级党委审批转正时间", "转正审批时间"]),
    WITHDRAWN = optional("终止发展日期", ["撤回申请日期", "终止培养日期"]),
}

/// The steps a date column records, in the order of the way.
const DATED: [(StepKind, usize); 15] = [
    (StepKind::Apply, APPLIED),
    (StepKind::Talk, TALK),
    (StepKind::ActivistNamed, ACTIVIST),
    (StepKind::CandidateNamed, CANDIDATE),
    (StepKind::PoliticalReview, REVIEW),
    (StepKind::CommitteeReview, COMMITTEE),
    (StepKind::PreReview, PRE_REVIEW),
    (StepKind::BranchVote, VOTE_ON),
    (StepKind::Approved, APPROVED),
    (StepKind::Oath, OATH),
    (StepKind::ConfirmationApplied, CONF_APPLIED),
    (StepKind::ConfirmationVote, CONF_VOTE),
    (StepKind::Confirmed, CONFIRMED),
    (StepKind::Withdrawn, WITHDRAWN),
    (StepKind::CandidateTraining, TRAINING_ON),
];

/// The text columns and their limits.
const LIMITS: [(usize, TextField); 6] = [
    (NAME, text::MEMBER_NAME),
    (ETHNICITY, text::ETHNICITY),
    (OCCUPATION, text::OCCUPATION),
    (ORG, text::ORG_REF),
    (CONTACTS, text::PERSON),
    (SPONSORS, text::PERSON),
];

/// The column a step's refusal belongs to.
fn column_of(kind: StepKind, field: &str) -> usize {
    match (kind, field) {
        (StepKind::BranchVote, "vote") => YES,
        (StepKind::ConfirmationVote, "vote") => CONF_YES,
        (_, "notice") => NOTICE,
        (StepKind::ContactsAssigned, _) => CONTACTS,
        (StepKind::SponsorsNamed, _) => SPONSORS,
        _ => DATED
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(APPLIED, |(_, c)| *c),
    }
}

pub async fn run(
    app: &App,
    file: &Path,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    opts.actor.grant::<crate::access::RecordRecruitment>()?;
    if !opts.dry_run {
        crate::referral::check_import_rate(app, &opts.actor).await?;
    }
    let table = read_table(app, file, &COLUMNS)?;
    let mut report = super::new_report(file, &table, opts);
    let start = super::start(app, opts).await?;
    let lookup = super::OrgLookup::of(&start.orgs);
    progress.start("检查", table.rows.len() as u64);
    let mut people: Vec<LedgerPerson> = Vec::new();
    let mut errors = ErrorList::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in &table.rows {
        let mut c = RowCheck::new(row, &table.titles);
        if let Some(p) = check_row(app, &mut c, (&lookup, &table.titles), &mut seen) {
            if c.errors.is_empty() {
                people.push(p);
            }
        }
        errors.extend(c.errors);
        progress.inc(1);
    }
    progress.finish();
    ledger::find_sponsors(app, &start.scope, &mut people).await?;
    errors.finish(&mut report);
    report.notes = people
        .iter()
        .flat_map(|p| ledger::violations(app, p))
        .collect();
    let org = start.scope_org.as_ref();
    let matches = match report.ends_with_check(opts) {
        true => ledger::outside(app, &start.scope, &people).await?,
        false => 0,
    };
    if super::ends_with_check(app, opts, "recruitment", &report, org, || matches).await? {
        return Ok(report);
    }
    progress.start("写入", people.len() as u64);
    ledger::write(app, opts, (&start.scope, org), people, &mut report).await?;
    progress.finish();
    Ok(report)
}

/// One row as a person and their steps, its errors in `c`.
fn check_row(
    app: &App,
    c: &mut RowCheck<'_>,
    (lookup, titles): (&super::OrgLookup<'_>, &[String]),
    seen: &mut HashMap<String, usize>,
) -> Option<LedgerPerson> {
    c.lengths(&LIMITS);
    let name = c.required(NAME);
    let id = c.required_as(ID, IdNumber::parse);
    let gender = c.text_label(GENDER, Gender::parse_label, |g| {
        format!("无法识别的性别：{g}")
    });
    let education = c.text_label(EDUCATION, Education::parse_label, |e| {
        format!("无法识别的学历：{e}")
    });
    let front_line = c.yes_no(FRONT_LINE).unwrap_or(false);
    let phone = c.text(PHONE).map(|p| p.replace([' ', '-'], ""));
    if let Some(Err(e)) = phone.as_deref().map(crate::privacy::check_phone) {
        c.error(PHONE, e);
    }
    let org = c.required_as(ORG, |key| lookup.find(key, ""));
    if let Some(o) = org.filter(|o| o.org.kind == OrgKind::Group) {
        c.error(
            ORG,
            format!("“{}”是党小组：入党申请应由党支部接收", o.org.name),
        );
    }
    if let (Some(id), Some(g)) = (&id, gender) {
        if g != id.gender() {
            c.error(GENDER, format!("性别“{}”与公民身份号码不符", g.label()));
        }
    }
    if let Some(id) = &id {
        if let Some(prev) = seen.insert(id.as_str().to_string(), c.number) {
            c.error(ID, format!("公民身份号码与第{prev}行重复"));
        }
    }
    let (steps, columns) = steps(app, c, titles);
    let (name, id, org) = (name?, id?, org?);
    if !c.errors.is_empty() {
        return None;
    }
    let person = applicant(app, c, (name, &id, org), (education, front_line, phone));
    Some(LedgerPerson {
        row: c.number,
        person,
        steps,
        columns,
        sponsors: c
            .text(SPONSORS)
            .map(|s| split_names(&s))
            .unwrap_or_default(),
    })
}

/// The row's person as stored (id 0): the ID number and the phone protected.
fn applicant(
    app: &App,
    c: &RowCheck<'_>,
    (name, id, org): (String, &IdNumber, &jiceng_store::orgs::StoredOrg),
    (education, front_line, phone): (Option<Education>, bool, Option<String>),
) -> StoredApplicant {
    let details = crate::recruitment::people::Details {
        ethnicity: c.text(ETHNICITY).unwrap_or_default(),
        education,
        occupation: c.text(OCCUPATION),
        front_line,
        phone,
    };
    crate::recruitment::people::protected_row(app, (org.org.id, &org.path), name, id, details)
}

/// The row's steps (with the title of each one's column), checked together.
fn steps(app: &App, c: &mut RowCheck<'_>, titles: &[String]) -> (Vec<StepRecord>, Vec<String>) {
    let today = app.today();
    let mut out: Vec<(StepRecord, usize)> = Vec::new();
    for (kind, col) in DATED {
        let on = if col == TRAINING_ON {
            None
        } else {
            c.date(col)
        };
        match on {
            Some(d) if d > today => c.error(col, format!("日期晚于今天：{d}")),
            Some(d) => out.push((StepRecord::new(kind, d), col)),
            None => {}
        }
    }
    let on = |k: StepKind, out: &[(StepRecord, usize)]| {
        out.iter().find(|(s, _)| s.kind == k).map(|(s, _)| s.on)
    };
    if let Some(names) = c.text(CONTACTS) {
        match on(StepKind::ActivistNamed, &out) {
            Some(d) => {
                let mut s = StepRecord::new(StepKind::ContactsAssigned, d);
                s.people = split_names(&names);
                out.push((s, CONTACTS));
            }
            None => c.error(CONTACTS, "填写了培养联系人，但没有确定积极分子日期"),
        }
    }
    if c.text(SPONSORS).is_some() {
        match on(StepKind::CandidateNamed, &out) {
            Some(d) => out.push((StepRecord::new(StepKind::SponsorsNamed, d), SPONSORS)),
            None => c.error(SPONSORS, "填写了入党介绍人，但没有确定发展对象日期"),
        }
    }
    if let Some(t) = training(c, &out) {
        out.push(t);
    }
    vote(
        c,
        &mut out,
        StepKind::BranchVote,
        [DUE, PRESENT, YES, NO, ABSTAIN],
    );
    vote(
        c,
        &mut out,
        StepKind::ConfirmationVote,
        [CONF_DUE, CONF_PRESENT, CONF_YES, CONF_NO, CONF_ABSTAIN],
    );
    notice(c, &mut out);
    let records: Vec<StepRecord> = out.iter().map(|(s, _)| s.clone()).collect();
    for (kind, e) in check_ledger(&records) {
        c.error(column_of(kind, e.field), e.message);
    }
    let columns = out.iter().map(|(_, col)| titles[*col].clone()).collect();
    (records, columns)
}

/// ⑪: 学时 and/or days, on the training's (last) day, else on the day of 政审 or of
/// 确定发展对象 before it.
fn training(c: &mut RowCheck<'_>, out: &[(StepRecord, usize)]) -> Option<(StepRecord, usize)> {
    let hours = c.text_as(TRAINING_HOURS, |s| number(s, "学时"));
    let mut days = c.count(TRAINING_DAYS).and_then(|d| u32::try_from(d).ok());
    let span = c.text_as(TRAINING_ON, span);
    if let Some((from, to)) = span {
        days = days.or(Some((to - from).num_days() as u32 + 1));
    }
    let on = span.map(|(_, to)| to).or_else(|| {
        [StepKind::PoliticalReview, StepKind::CandidateNamed]
            .iter()
            .find_map(|k| out.iter().find(|(s, _)| s.kind == *k).map(|(s, _)| s.on))
    });
    if hours.is_none() && days.is_none() && span.is_none() {
        return None;
    }
    let Some(on) = on else {
        c.error(
            TRAINING_ON,
            "填写了集中培训，但没有培训日期，也没有政审或确定发展对象日期",
        );
        return None;
    };
    let mut s = StepRecord::new(StepKind::CandidateTraining, on);
    s.training = Some(Training { days, hours });
    Some((
        s,
        if span.is_some() {
            TRAINING_ON
        } else {
            TRAINING_HOURS
        },
    ))
}

fn number(s: &str, unit: &str) -> std::result::Result<f64, String> {
    s.trim()
        .trim_end_matches(unit)
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| *n >= 0.0)
        .ok_or_else(|| format!("无法识别的{unit}：{s}"))
}

/// A day, or a span "2026.3.2-2026.3.6" (the end may leave out the year: "2026.3.2-3.6").
fn span(s: &str) -> std::result::Result<(NaiveDate, NaiveDate), String> {
    let date = |t: &str| jiceng_io::parse_date(&Cell::Text(t.trim().to_string()));
    if let Ok(d) = date(s) {
        return Ok((d, d));
    }
    let seps = ['至', '~', '～', '—', '－', '-', '到'];
    for (i, ch) in s.char_indices().filter(|(_, ch)| seps.contains(ch)) {
        let (left, right) = (&s[..i], &s[i + ch.len_utf8()..]);
        let Ok(from) = date(left) else { continue };
        let to = date(right).or_else(|_| date(&format!("{}.{}", from.format("%Y"), right.trim())));
        if let Ok(to) = to {
            return Ok((from, to));
        }
    }
    Err(format!(
        "无法识别的日期或起止日期：{s}（如 2026.3.2-2026.3.6）"
    ))
}

/// The counts of a vote on its step, if any count is given.
fn vote(c: &mut RowCheck<'_>, out: &mut [(StepRecord, usize)], kind: StepKind, cols: [usize; 5]) {
    let [due, present, yes, no, abstain] = cols.map(|col| c.count(col).map(|n| n as u32));
    if due.is_none() && present.is_none() && yes.is_none() && no.is_none() && abstain.is_none() {
        return;
    }
    let date_col = DATED
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, col)| *col)
        .expect("dated");
    let Some((step, _)) = out.iter_mut().find(|(s, _)| s.kind == kind) else {
        c.error(date_col, "填写了表决票数，但没有支部大会日期");
        return;
    };
    let (Some(due), Some(present), Some(yes)) = (due, present, yes) else {
        c.error(cols[2], "表决情况不完整：应填写应到、实到和赞成人数");
        return;
    };
    let secret = if kind == StepKind::BranchVote {
        c.text_label(BALLOT, ballot, |b| {
            format!("表决方式应为“无记名投票”或“举手表决”：{b}")
        })
    } else {
        None
    };
    step.vote = Some(Vote {
        due,
        present,
        yes,
        no: no.unwrap_or(0),
        abstain: abstain.unwrap_or(0),
        written: 0,
        secret,
    });
}

fn ballot(s: &str) -> Option<bool> {
    if s.contains("无记名") || s.contains("投票") {
        Some(true)
    } else if s.contains("举手") {
        Some(false)
    } else {
        None
    }
}

/// The 公示 before the branch meeting: 公示日期 as a span, or 公示开始 and 公示结束.
fn notice(c: &mut RowCheck<'_>, out: &mut [(StepRecord, usize)]) {
    let span = c.text_as(NOTICE, span);
    let (from, to) = (c.date(NOTICE_FROM), c.date(NOTICE_TO));
    let n = match (span, from, to) {
        (Some((from, to)), _, _) => Notice { from, to },
        (None, Some(from), Some(to)) => Notice { from, to },
        (None, None, None) => return,
        (None, _, _) => {
            c.error(NOTICE_FROM, "公示应填写开始和结束日期");
            return;
        }
    };
    match out.iter_mut().find(|(s, _)| s.kind == StepKind::BranchVote) {
        Some((step, _)) => step.notice = Some(n),
        None => c.error(NOTICE, "填写了公示日期，但没有支部大会日期"),
    }
}

#[cfg(test)]
mod tests {
    use super::span;

    fn d(s: &str) -> chrono::NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn spans_as_ledgers_write_them() {
        let want = Ok((d("2026-03-02"), d("2026-03-06")));
        for s in [
            "2026.3.2-2026.3.6",
            "2026.3.2-3.6",
            "2026-03-02-2026-03-06",
            "2026年3月2日至2026年3月6日",
            "2026/3/2～2026/3/6",
        ] {
            assert_eq!(span(s), want, "{s}");
        }
        assert_eq!(span("2026.3.2"), Ok((d("2026-03-02"), d("2026-03-02"))));
        assert!(span("三月初").unwrap_err().contains("无法识别"));
    }
}
