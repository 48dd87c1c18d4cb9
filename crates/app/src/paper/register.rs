//! A branch's register of a year (“三会一课”记录台账): every meeting held in the org's
//! subtree that year, oldest first, with its kind, topic, attendance and host, and the
//! count of each kind above it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jiceng_io::docx::Block;

use super::{day, file_name, Paper};
use crate::access::InScope;
use crate::meetings::{list_page, ListFilter};
use crate::{App, AppError, OrgRecord, Result};

/// The most meetings one register lists (a township's year is about two thousand).
pub const REGISTER_MAX: i64 = 5_000;

/// The register of `org`'s subtree for `year`.
pub async fn life_register(app: &App, org: &InScope<OrgRecord>, year: i32) -> Result<Paper> {
    let (Some(from), Some(to)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Err(AppError::Input(format!("年度无效：{year}")));
    };
    if year > chrono::Datelike::year(&app.today()) {
        return Err(AppError::Input(format!("{year}年尚未开始，没有可列的记录")));
    }
    let filter = ListFilter {
        from: Some(from),
        to: Some(to),
        ..Default::default()
    };
    let (mut rows, total) = list_page(app, &org.subtree(), &filter, 1, REGISTER_MAX).await?;
    rows.reverse();
    let several = rows.iter().any(|r| r.org_id != org.org.id);
    let names = if several {
        let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
        let mut conn = app.store.acquire().await?;
        jiceng_store::orgs::by_ids(&mut conn, &ids)
            .await?
            .into_iter()
            .map(|o| (o.org.id, o.org.name))
            .collect()
    } else {
        BTreeMap::new()
    };
    let title = format!("{}{year}年度“三会一课”记录台账", org.org.name);
    let mut b = vec![Block::Title(title.clone()), Block::Blank];
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &rows {
        for l in &r.labels {
            *by_kind.entry(l).or_default() += 1;
        }
    }
    let counts: Vec<String> = by_kind.iter().map(|(l, n)| format!("{l}{n}次")).collect();
    let listed = rows.len() as i64;
    b.push(Block::Body(if rows.is_empty() {
        format!("{year}年度没有记录在案的会议。")
    } else if total > listed {
        // Counted by kind only over what is listed: say so, never as the year's counts.
        format!(
            "{year}年度共记录会议{total}次，此处列出最早的{listed}次（其中{}），全部请导出 Excel。截至{}。",
            counts.join("，"),
            day(app.today())
        )
    } else {
        format!(
            "{year}年度共记录会议{total}次：{}。截至{}。",
            counts.join("，"),
            day(app.today())
        )
    }));
    if !rows.is_empty() {
        let mut header = vec!["序号".to_string(), "日期".into(), "类型".into()];
        if several {
            header.push("党组织".into());
        }
        header.extend(["主题".into(), "应到/实到/请假".into(), "主持人".into()]);
        let widths = if several {
            vec![2, 4, 4, 5, 9, 4, 3]
        } else {
            vec![2, 4, 4, 12, 4, 3]
        };
        let table = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut row = vec![
                    (i + 1).to_string(),
                    r.date.format("%Y-%m-%d").to_string(),
                    r.labels.join("、"),
                ];
                if several {
                    row.push(names.get(&r.org_id).cloned().unwrap_or_default());
                }
                row.extend([
                    r.topic.clone(),
                    format!("{}/{}/{}", r.expected, r.present, r.excused),
                    r.host.clone().unwrap_or_default(),
                ]);
                row
            })
            .collect();
        b.push(Block::Table {
            widths,
            header,
            rows: table,
        });
    }
    Ok(Paper {
        file_name: file_name(&title, "docx"),
        title,
        blocks: b,
    })
}
