//! The month × kind calendar of a year (the heat map of the org's tab and the compliance
//! page).

use std::collections::HashMap;

use chrono::NaiveDate;
use jiceng_app::reports::compliance::CalendarCell;
use jiceng_domain::{Cadence, MeetingKind, Period};

pub struct HeatCell {
    /// 0: covered by a cell above (rowspan).
    pub rowspan: u32,
    pub text: String,
    pub class: &'static str,
    pub title: String,
}

pub struct HeatRow {
    pub label: String,
    pub cells: Vec<HeatCell>,
}

pub struct HeatMap {
    pub year: i32,
    pub kinds: Vec<&'static str>,
    pub rows: Vec<HeatRow>,
}

/// A span's figures for one kind: owed, met, still running (待办), without data.
#[derive(Clone, Copy)]
struct Figures {
    due: i64,
    met: i64,
    open: i64,
    no_data: i64,
}

/// The calendar's cells by span and kind, and the day it is drawn on.
struct Calendar<'a> {
    by: HashMap<(Period, &'a str), Figures>,
    cells: &'a [CalendarCell],
    today: NaiveDate,
}

/// The month × kind calendar of a year: monthly obligations per month, quarterly ones over
/// their quarter's three months, yearly ones over the whole year; each cell shows how
/// many owed it met (`met/due`), coloured by the share.
pub(super) fn heat_map(year: i32, cells: &[CalendarCell], today: NaiveDate) -> HeatMap {
    let cal = Calendar {
        by: cells
            .iter()
            .map(|c| {
                let f = Figures {
                    due: c.due,
                    met: c.met,
                    open: c.open,
                    no_data: c.no_data,
                };
                ((c.span, c.kind), f)
            })
            .collect(),
        cells,
        today,
    };
    let rows: Vec<HeatRow> = (1..=12u32)
        .map(|m| HeatRow {
            label: format!("{m}月"),
            cells: MeetingKind::ALL
                .iter()
                .map(|k| cal.at(year, m, *k))
                .collect(),
        })
        .collect();
    owed_columns(year, rows)
}

/// Kinds nobody in the subtree owes (no committee, no groups) are left out: a phone has
/// room for five columns, not seven.
fn owed_columns(year: i32, rows: Vec<HeatRow>) -> HeatMap {
    let owed: Vec<bool> = (0..MeetingKind::ALL.len())
        .map(|i| {
            rows.iter()
                .any(|r| r.cells[i].rowspan > 0 && r.cells[i].class != "na")
        })
        .collect();
    let keep = |i: &usize| owed[*i];
    let rows = rows
        .into_iter()
        .map(|r| HeatRow {
            label: r.label,
            cells: r
                .cells
                .into_iter()
                .enumerate()
                .filter(|(i, _)| keep(i))
                .map(|(_, c)| c)
                .collect(),
        })
        .collect();
    HeatMap {
        year,
        kinds: MeetingKind::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(i))
            .map(|(_, k)| k.short_label())
            .collect(),
        rows,
    }
}

impl Calendar<'_> {
    /// Each kind's cadence as the rules judged it (rule data: 党课 may be yearly).
    fn cadence(&self, k: MeetingKind) -> Cadence {
        let last = self.cells.iter().rev().find(|c| c.kind == k.code());
        match last.map(|c| c.span) {
            Some(Period::Year(_)) => Cadence::Yearly,
            Some(Period::Quarter(..)) => Cadence::Quarterly,
            Some(Period::Month(..)) => Cadence::Monthly,
            None => k.cadence(),
        }
    }

    /// The cell of kind `k` in month `m`: the month's, the quarter's over three rows, the
    /// year's over twelve, or one covered by a cell above.
    fn at(&self, year: i32, m: u32, k: MeetingKind) -> HeatCell {
        match self.cadence(k) {
            Cadence::Monthly => self.cell(Period::Month(year, m), k, 1),
            Cadence::Quarterly if m % 3 == 1 => {
                self.cell(Period::Quarter(year, (m - 1) / 3 + 1), k, 3)
            }
            Cadence::Yearly if m == 1 => self.cell(Period::Year(year), k, 12),
            _ => HeatCell {
                rowspan: 0,
                text: String::new(),
                class: "",
                title: String::new(),
            },
        }
    }

    fn cell(&self, span: Period, k: MeetingKind, rowspan: u32) -> HeatCell {
        let at = format!("{} {}", span.label(), k.label());
        let (text, class, title) = match self.by.get(&(span, k.code())).copied() {
            None => ("—".into(), "na", format!("{at}：无应开展的组织")),
            Some(f) => {
                let title = format!("{at}：应开展{}个，已开展{}个", f.due, f.met);
                if span.first_day() > self.today {
                    ("未到".into(), "future", title)
                } else {
                    judged(&at, f, title)
                }
            }
        };
        HeatCell {
            rowspan,
            text,
            class,
            title,
        }
    }
}

/// The text, class and title of a span begun by today: nothing closed (a span still
/// running, 待办, or one without data, 暂无数据), else how many met it, coloured by the
/// share (closed spans only: never 待办).
fn judged(at: &str, f: Figures, title: String) -> (String, &'static str, String) {
    if f.due == 0 {
        return if f.open > 0 {
            (
                "待办".into(),
                "open",
                format!("{at}：尚未结束，{}个组织待办", f.open),
            )
        } else {
            (
                "暂无数据".into(),
                "nodata",
                format!(
                    "{at}：{}个组织暂无数据（台账未录入或是否设立支委会未登记）",
                    f.no_data
                ),
            )
        };
    }
    let share = f.met as f64 / f.due as f64;
    let class = match share {
        s if s >= 1.0 => "h4",
        s if s >= 0.8 => "h3",
        s if s >= 0.5 => "h2",
        s if s > 0.0 => "h1",
        _ => "h0",
    };
    let text = match (f.due, f.met) {
        (1, met) if met >= 1 => "✓".to_string(),
        (1, _) => "✗".to_string(),
        (due, met) => format!("{met}/{due}"),
    };
    (text, class, title)
}
