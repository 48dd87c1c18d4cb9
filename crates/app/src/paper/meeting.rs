//! A meeting's record as the 三会一课记录本 keeps it: the facts of the meeting, who was
//! excused or absent and why, the content and the decisions, and the sign-in sheet with a
//! line for each member of that day's roster (or blank lines to sign by hand when only
//! counts were recorded).

use jiceng_io::docx::Block;

use super::{day, file_name, paragraphs, Paper};
use crate::access::Actor;
use crate::meetings::get;
use crate::Result;

/// Blank lines of a sign-in sheet recorded by counts: the expected, at most this many.
const BLANK_LINES_MAX: i64 = 80;

/// The record of meeting `id` (in the actor's scope).
pub async fn meeting_record(app: &crate::App, actor: &Actor, id: i64) -> Result<Paper> {
    let m = get(app, actor, id).await?;
    let labels = m.labels.join("、");
    let title = format!("{}{}记录", m.org.name, labels);
    let mut b = vec![Block::Title(title.clone()), Block::Blank];
    let line = |label: &str, value: &str| Block::Flush(format!("{label}：{value}"));
    b.push(line("会议类型", &labels));
    b.push(line("时　　间", &day(m.date)));
    b.push(line("地　　点", m.venue.as_deref().unwrap_or("")));
    b.push(line("主 持 人", m.host.as_deref().unwrap_or("")));
    b.push(line("记 录 人", &m.recorded_by));
    let mut counts = format!(
        "应到{}人，实到{}人，请假{}人",
        m.expected, m.present, m.excused
    );
    if let Some(r) = m.attendance_rate {
        counts.push_str(&format!("，出席率{:.1}%", r * 100.0));
    }
    if let Some(q) = &m.quorum {
        counts.push_str(&format!(
            "；有表决权的正式党员{}人，到会{}人（须{}人以上）{}",
            q.voting,
            q.present,
            q.needed,
            if q.ok {
                "，符合规定"
            } else {
                "，不足规定人数"
            }
        ));
    }
    b.push(line("出席情况", &counts));
    // Who was excused or absent, each with the reason given.
    let named = |status: &str| -> Vec<String> {
        m.attendees
            .iter()
            .filter(|a| a.status == status)
            .map(|a| match &a.reason {
                Some(r) if !r.trim().is_empty() => format!("{}（{r}）", a.name),
                _ => a.name.clone(),
            })
            .collect()
    };
    // Recorded by counts: the reasons as typed.
    let excused = if m.attendees.is_empty() {
        m.excused_reasons.clone()
    } else {
        named("excused")
    };
    for (label, people) in [("请假人员", excused), ("缺席人员", named("absent"))] {
        if !people.is_empty() {
            b.push(line(label, &people.join("；")));
        }
    }
    if !m.guests.is_empty() {
        let names: Vec<&str> = m.guests.iter().map(|(_, n)| n.as_str()).collect();
        b.push(line("列席人员", &names.join("、")));
    }
    if let Some(n) = m.masses_present {
        if n > 0 {
            b.push(line("群众参加", &format!("{n}人")));
        }
    }
    b.push(line("会议主题", &m.topic));
    b.push(Block::Heading("会议内容".into()));
    b.extend(paragraphs(m.minutes.as_deref()));
    if m.decisions.as_deref().is_some_and(|d| !d.trim().is_empty()) {
        b.push(Block::Heading("会议决定".into()));
        b.extend(paragraphs(m.decisions.as_deref()));
    }
    b.push(Block::Heading("签到表".into()));
    let rows: Vec<Vec<String>> = if m.attendees.is_empty() {
        (1..=m.expected.clamp(1, BLANK_LINES_MAX))
            .map(|i| vec![i.to_string(), String::new(), String::new(), String::new()])
            .collect()
    } else {
        m.attendees
            .iter()
            .enumerate()
            .map(|(i, a)| {
                vec![
                    (i + 1).to_string(),
                    a.name.clone(),
                    a.status_label.to_string(),
                    String::new(),
                ]
            })
            .collect()
    };
    b.push(Block::Table {
        widths: vec![1, 3, 2, 4],
        header: vec![
            "序号".into(),
            "姓名".into(),
            "出席情况".into(),
            "本人签名".into(),
        ],
        rows,
    });
    b.push(Block::Blank);
    b.push(Block::Flush(
        "主持人（签字）：　　　　　　　　记录人（签字）：".into(),
    ));
    Ok(Paper {
        file_name: file_name(&format!("{}-{}", title, m.date), "docx"),
        title,
        blocks: b,
    })
}
