//! An org's rectification file of a year (软弱涣散整顿台账): the problems confirmed, the
//! cadre and departments assigned, each measure with its owner, deadline and state, the
//! timeline of the case, acceptance and the review a year later, with room for the
//! township's and the county's signed opinions on paper.

use jiceng_domain::rectification::ReviewOutcome;
use jiceng_io::docx::Block;

use super::{day, file_name, Paper};
use crate::access::InScope;
use crate::rectification::{get, step_label};
use crate::{App, OrgRecord, Result};

/// The rectification file of `org` for `year` (not found when no case was opened).
pub async fn rectification_file(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<Paper> {
    let c = get(app, org, year).await?;
    let title = format!("{}{year}年度软弱涣散整顿台账", c.org.name);
    let mut b = vec![Block::Title(title.clone()), Block::Blank];
    let line = |label: &str, value: String| Block::Flush(format!("{label}：{value}"));
    let kinds: Vec<&str> = c.kinds.iter().map(|k| k.label).collect();
    b.push(line(
        "党 组 织",
        format!("{}（{}）", c.org.name, c.org.code),
    ));
    b.push(line("问题类型", kinds.join("、")));
    b.push(line("确定时间", day(c.opened_on)));
    b.push(line("当前阶段", c.stage_label.to_string()));
    let deadline = match (c.extended_to, c.deadline) {
        (Some(e), _) => format!(
            "{}（延期，原因：{}）",
            day(e),
            c.extension_reason.clone().unwrap_or_default()
        ),
        (None, Some(d)) => day(d),
        (None, None) => "未定".into(),
    };
    b.push(line("整顿期限", deadline));
    b.push(line("包联领导", c.cadre.clone().unwrap_or_default()));
    b.push(line("帮扶部门", c.departments.join("、")));

    b.push(Block::Heading("一、整改措施".into()));
    if c.measures.is_empty() {
        b.push(Block::Body("尚未制定整改方案。".into()));
    } else {
        b.push(Block::Table {
            widths: vec![2, 10, 3, 4, 6],
            header: vec![
                "序号".into(),
                "措施".into(),
                "责任人".into(),
                "完成时限".into(),
                "完成情况".into(),
            ],
            rows: c
                .measures
                .iter()
                .map(|m| {
                    let state = match (m.done_on, m.overdue) {
                        (Some(d), _) => format!(
                            "已完成（{}）{}",
                            d.format("%Y-%m-%d"),
                            m.note.clone().unwrap_or_default()
                        ),
                        (None, true) => "逾期未完成".into(),
                        (None, false) => "进行中".into(),
                    };
                    vec![
                        m.seq.to_string(),
                        m.text.clone(),
                        m.owner.clone(),
                        m.deadline.format("%Y-%m-%d").to_string(),
                        state,
                    ]
                })
                .collect(),
        });
    }
    b.push(Block::Heading("二、工作记录".into()));
    b.push(Block::Table {
        widths: vec![4, 4, 13, 4],
        header: vec!["日期".into(), "事项".into(), "内容".into(), "经办人".into()],
        rows: c
            .timeline
            .iter()
            .map(|e| {
                vec![
                    e.on.format("%Y-%m-%d").to_string(),
                    step_label(&e.step).to_string(),
                    e.summary.clone(),
                    e.actor.clone(),
                ]
            })
            .collect(),
    });
    b.push(Block::Heading("三、验收销号".into()));
    b.push(Block::Body(match c.accepted_on {
        Some(d) => format!(
            "{}验收销号。验收意见：{}",
            day(d),
            c.acceptance_note.clone().unwrap_or_default()
        ),
        None => "尚未验收销号。".into(),
    }));
    b.push(Block::Heading("四、回头看".into()));
    b.push(Block::Body(match (c.reviewed_on, c.review_due_on) {
        (Some(d), _) => format!(
            "{}回头看，结论：{}。{}",
            day(d),
            c.review_outcome
                .and_then(ReviewOutcome::parse)
                .map(|o| o.label())
                .unwrap_or(""),
            c.review_note.clone().unwrap_or_default()
        ),
        (None, Some(due)) => format!("应于{}前回头看。", day(due)),
        (None, None) => "验收销号后一年内回头看。".into(),
    }));
    b.push(Block::Blank);
    b.push(Block::Flush(
        "乡镇（街道）党（工）委意见：　　　　　　　　（盖章）　　年　　月　　日".into(),
    ));
    b.push(Block::Blank);
    b.push(Block::Flush(
        "县委组织部意见：　　　　　　　　　　　　　　（盖章）　　年　　月　　日".into(),
    ));
    Ok(Paper {
        file_name: file_name(&title, "docx"),
        title,
        blocks: b,
    })
}
