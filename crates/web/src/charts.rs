//! SVG charts drawn on the server: horizontal bars (long Chinese labels read well on a
//! phone) and pies with a legend. Plain strings, scaled by `viewBox`, no script, no font
//! downloads; text is escaped.

use std::collections::BTreeMap;
use std::fmt::Write;

use jiceng_app::reports::coverage::DomainRow;

const PALETTE: [&str; 10] = [
    "#c62828", "#ef6c00", "#f9a825", "#2e7d32", "#00838f", "#1565c0", "#6a1b9a", "#ad1457",
    "#4e342e", "#546e7a",
];

/// Escapes text for SVG/HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Approximate width of text in units of the font size (CJK is 1, ASCII about 0.55; taken
/// wide, so that a fallback font's digits are not clipped at the left edge).
fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.64 } else { 1.0 })
        .sum()
}

/// Bars of counts: each (label, count), the count shown as it is.
pub fn counts(title: &str, items: impl IntoIterator<Item = (String, i64)>) -> String {
    let items: Vec<(String, f64, String)> = items
        .into_iter()
        .map(|(label, n)| (label, n as f64, n.to_string()))
        .collect();
    bars(title, &items)
}

/// Bars of one rate of each domain with units operating (coverage by domain), shown as a
/// percentage.
pub fn domain_rates(
    title: &str,
    by_domain: &BTreeMap<String, DomainRow>,
    rate: impl Fn(&DomainRow) -> Option<f64>,
) -> String {
    let items: Vec<(String, f64, String)> = by_domain
        .iter()
        .filter(|(_, r)| r.operating > 0)
        .map(|(d, r)| (d.clone(), rate(r).unwrap_or(0.0), pct(rate(r))))
        .collect();
    bars(title, &items)
}

/// A horizontal bar chart. `items` are (label, value, shown value). An empty list draws a
/// short note instead.
pub fn bars(title: &str, items: &[(String, f64, String)]) -> String {
    let font = 15.0;
    let row = 26.0;
    // Narrow enough that a phone (about 300 px of chart) shows the labels at 10 px or more.
    let width = 440.0;
    // The title, shown above the bars: a chart says which rate or count it draws.
    let head = 24.0;
    if items.is_empty() {
        return format!(
            r##"<svg class="chart" viewBox="0 0 {width} 40" role="img" aria-label="{t}"><text x="0" y="24" font-size="{font}" fill="#666">{t}：暂无数据</text></svg>"##,
            t = esc(title)
        );
    }
    let label_w = items
        .iter()
        .map(|(l, _, _)| text_width(l))
        .fold(0.0, f64::max)
        .min(12.0)
        * font
        + 12.0;
    let value_w = items
        .iter()
        .map(|(_, _, v)| text_width(v))
        .fold(0.0, f64::max)
        * font
        + 10.0;
    let bar_w = (width - label_w - value_w).max(80.0);
    let max = items.iter().map(|(_, v, _)| *v).fold(0.0, f64::max);
    let height = items.len() as f64 * row + 8.0 + head;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{}">"#,
        esc(title)
    );
    let _ = write!(s, "<title>{}</title>", esc(title));
    let _ = write!(
        s,
        r##"<text x="0" y="16" font-size="15" font-weight="700" fill="#333">{}</text>"##,
        esc(title)
    );
    for (i, (label, v, shown)) in items.iter().enumerate() {
        let y = i as f64 * row + 4.0 + head;
        let w = if max > 0.0 { v / max * bar_w } else { 0.0 };
        let label: String = if text_width(label) > 12.0 {
            let mut t = String::new();
            for c in label.chars() {
                if text_width(&t) >= 10.5 {
                    break;
                }
                t.push(c);
            }
            t.push('…');
            t
        } else {
            label.clone()
        };
        let _ = write!(
            s,
            r##"<text x="{lx:.1}" y="{ty:.1}" font-size="{font}" text-anchor="end" fill="#333">{}</text><rect x="{label_w:.1}" y="{y:.1}" width="{w:.1}" height="{bh:.1}" fill="{c}" rx="2"><title>{}：{}</title></rect><text x="{vx:.1}" y="{ty:.1}" font-size="{font}" fill="#333">{}</text>"##,
            esc(&label),
            esc(&items[i].0),
            esc(shown),
            esc(shown),
            lx = label_w - 6.0,
            ty = y + 16.0,
            bh = row - 8.0,
            c = PALETTE[i % PALETTE.len()],
            vx = label_w + w + 4.0,
        );
    }
    s.push_str("</svg>");
    s
}

/// A pie chart with its legend beside (wide) or below (the SVG scales as a whole).
pub fn pie(title: &str, items: &[(String, i64)]) -> String {
    let total: i64 = items.iter().map(|(_, n)| *n).filter(|n| *n > 0).sum();
    if total == 0 {
        return bars(title, &[]);
    }
    let font = 13.0;
    let (cx, cy, r) = (80.0, 80.0, 72.0);
    let legend_x = 175.0;
    let rows = items.iter().filter(|(_, n)| *n > 0).count() as f64;
    let height = (rows * 20.0 + 10.0).max(165.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 420 {height}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    let mut angle = -std::f64::consts::FRAC_PI_2;
    for (k, (label, n)) in items.iter().filter(|(_, n)| *n > 0).enumerate() {
        let frac = *n as f64 / total as f64;
        let color = PALETTE[k % PALETTE.len()];
        let pct = frac * 100.0;
        if (frac - 1.0).abs() < 1e-9 {
            let _ = write!(
                s,
                r#"<circle cx="{cx}" cy="{cy}" r="{r}" fill="{color}"><title>{}：{n}（{pct:.1}%）</title></circle>"#,
                esc(label)
            );
        } else {
            let a2 = angle + frac * std::f64::consts::TAU;
            let (x1, y1) = (cx + r * angle.cos(), cy + r * angle.sin());
            let (x2, y2) = (cx + r * a2.cos(), cy + r * a2.sin());
            let large = if frac > 0.5 { 1 } else { 0 };
            let _ = write!(
                s,
                r##"<path d="M{cx},{cy} L{x1:.2},{y1:.2} A{r},{r} 0 {large} 1 {x2:.2},{y2:.2} Z" fill="{color}" stroke="#fff" stroke-width="1"><title>{}：{n}（{pct:.1}%）</title></path>"##,
                esc(label)
            );
            angle = a2;
        }
        let ly = 14.0 + k as f64 * 20.0;
        let _ = write!(
            s,
            r##"<rect x="{legend_x}" y="{ry:.1}" width="12" height="12" fill="{color}"/><text x="{tx}" y="{ty:.1}" font-size="{font}" fill="#333">{} {n}（{pct:.1}%）</text>"##,
            esc(label),
            ry = ly - 10.0,
            tx = legend_x + 18.0,
            ty = ly,
        );
    }
    s.push_str("</svg>");
    s
}

/// Rates over time as columns on a 0–100 % scale, oldest first: each (label, rate), a
/// period without a judged branch drawn as "—" (no data, not 0).
pub fn trend(title: &str, points: &[(String, Option<f64>)]) -> String {
    let (width, font, head, plot) = (440.0, 13.0, 24.0, 120.0);
    let n = points.len().max(1) as f64;
    let slot = width / n;
    let base = head + 18.0 + plot;
    let height = base + 20.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{t}"><title>{t}</title><text x="0" y="16" font-size="15" font-weight="700" fill="#333">{t}</text>"##,
        t = esc(title)
    );
    let _ = write!(
        s,
        r##"<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#bbb"/>"##
    );
    for (i, (label, rate)) in points.iter().enumerate() {
        let x = i as f64 * slot;
        let cx = x + slot / 2.0;
        let shown = pct(*rate).replace(".0%", "%");
        if let Some(r) = rate {
            let h = (r.clamp(0.0, 1.0) * plot).max(1.0);
            let _ = write!(
                s,
                r##"<rect x="{rx:.1}" y="{ry:.1}" width="{rw:.1}" height="{h:.1}" fill="#c62828" rx="2"><title>{l}：{v}</title></rect>"##,
                rx = x + slot * 0.18,
                ry = base - h,
                rw = slot * 0.64,
                l = esc(label),
                v = esc(&shown),
            );
        }
        let vy = base - rate.map_or(0.0, |r| r.clamp(0.0, 1.0) * plot) - 4.0;
        let _ = write!(
            s,
            r##"<text x="{cx:.1}" y="{vy:.1}" font-size="{vf}" text-anchor="middle" fill="#333">{v}</text><text x="{cx:.1}" y="{ly:.1}" font-size="{font}" text-anchor="middle" fill="#555">{l}</text>"##,
            vf = font - 2.0,
            v = esc(&shown),
            ly = base + 16.0,
            l = esc(label),
        );
    }
    s.push_str("</svg>");
    s
}

/// The heat map's five colour bins (ColorBrewer RdYlBu, safe for the common colour
/// blindnesses) from low to high, each with the text colour that reads on it.
const HEAT: [(f64, &str, &str); 5] = [
    (40.0, "#d7191c", "#fff"),
    (60.0, "#fdae61", "#222"),
    (75.0, "#ffffbf", "#222"),
    (90.0, "#abd9e9", "#222"),
    (f64::INFINITY, "#2c7bb6", "#fff"),
];

/// The bin of a 0–100 score: its fill and text colours and the legend's range.
pub fn heat_bin(score: f64) -> (&'static str, &'static str) {
    let (_, fill, ink) = HEAT
        .iter()
        .find(|(upper, _, _)| score < *upper)
        .copied()
        .unwrap_or(HEAT[4]);
    (fill, ink)
}

/// The CSS class of a score's bin (`s0`–`s4`, `sn` without data) for the page's legend
/// and cards, which may not carry style attributes (the CSP allows no inline style).
pub fn heat_class(score: Option<f64>) -> &'static str {
    match score {
        None => "sn",
        Some(v) => {
            let i = HEAT
                .iter()
                .position(|(upper, _, _)| v < *upper)
                .unwrap_or(4);
            ["s0", "s1", "s2", "s3", "s4"][i]
        }
    }
}

/// One row of a heat map: its label, where it leads (drill-down) and its scores, one per
/// column (`None`: 暂无数据, drawn grey with a dash, never as a colour of 0).
pub struct HeatRow {
    pub label: String,
    pub href: String,
    pub scores: Vec<Option<f64>>,
}

/// A heat map of rows × columns of 0–100 scores, the score written in every cell; a
/// column heading splits after its first two characters.
pub fn heat_map(title: &str, columns: &[&str], rows: &[HeatRow]) -> String {
    let (font, cell_w, cell_h, label_w, head) = (13.0, 64.0, 26.0, 150.0, 56.0);
    if rows.is_empty() {
        return format!(
            r##"<svg class="chart" viewBox="0 0 440 40" role="img" aria-label="{t}"><text x="0" y="24" font-size="15" fill="#666">{t}：没有下级组织</text></svg>"##,
            t = esc(title)
        );
    }
    let width = label_w + cell_w * columns.len() as f64;
    let height = head + cell_h * rows.len() as f64 + 4.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="chart heat-map" viewBox="0 0 {width} {height}" role="img" aria-label="{t}"><title>{t}</title><text x="0" y="16" font-size="15" font-weight="700" fill="#333">{t}</text>"##,
        t = esc(title)
    );
    for (j, c) in columns.iter().enumerate() {
        let cx = label_w + cell_w * (j as f64 + 0.5);
        let first: String = c.chars().take(2).collect();
        let rest: String = c.chars().skip(2).collect();
        let _ = write!(
            s,
            r##"<text x="{cx:.1}" y="36" font-size="{font}" text-anchor="middle" fill="#333">{a}</text><text x="{cx:.1}" y="51" font-size="{small}" text-anchor="middle" fill="#555">{b}</text>"##,
            a = esc(&first),
            b = esc(&rest),
            small = font - 2.0,
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = head + cell_h * i as f64;
        let mut label: String = r.label.chars().take(10).collect();
        if r.label.chars().count() > 10 {
            label.push('…');
        }
        let _ = write!(
            s,
            r##"<a href="{h}"><text x="0" y="{ty:.1}" font-size="{font}" fill="#1565c0">{l}<title>{full}</title></text></a>"##,
            h = esc(&r.href),
            ty = y + cell_h * 0.68,
            l = esc(&label),
            full = esc(&r.label),
        );
        for (j, v) in r.scores.iter().enumerate() {
            let x = label_w + cell_w * j as f64;
            let (fill, ink, text) = match v {
                Some(v) => {
                    let (f, i) = heat_bin(*v);
                    (f, i, format!("{v:.1}"))
                }
                None => ("#e0e0e0", "#555", "—".to_string()),
            };
            let _ = write!(
                s,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}" stroke="#fff"><title>{l} · {c}：{tt}</title></rect><text x="{cx:.1}" y="{ty:.1}" font-size="{font}" text-anchor="middle" fill="{ink}">{text}</text>"##,
                w = cell_w,
                h = cell_h,
                l = esc(&r.label),
                c = esc(columns.get(j).copied().unwrap_or("")),
                tt = if v.is_some() {
                    text.clone()
                } else {
                    "暂无数据".into()
                },
                cx = x + cell_w / 2.0,
                ty = y + cell_h * 0.68,
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Colours and markers of up to five series (Okabe–Ito, told apart without colour by the
/// marker too).
const SERIES: [(&str, &str); 5] = [
    ("#0072B2", "circle"),
    ("#E69F00", "square"),
    ("#009E73", "triangle"),
    ("#D55E00", "diamond"),
    ("#CC79A7", "cross"),
];

fn marker(kind: &str, x: f64, y: f64, colour: &str) -> String {
    match kind {
        "square" => format!(
            r#"<rect x="{:.1}" y="{:.1}" width="7" height="7" fill="{colour}"/>"#,
            x - 3.5,
            y - 3.5
        ),
        "triangle" => format!(
            r#"<path d="M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z" fill="{colour}"/>"#,
            x,
            y - 4.5,
            x + 4.5,
            y + 3.5,
            x - 4.5,
            y + 3.5
        ),
        "diamond" => format!(
            r#"<path d="M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z" fill="{colour}"/>"#,
            x,
            y - 4.5,
            x + 4.5,
            y,
            x,
            y + 4.5,
            x - 4.5,
            y
        ),
        "cross" => format!(
            r#"<path d="M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}" stroke="{colour}" stroke-width="2"/>"#,
            x - 4.0,
            y - 4.0,
            x + 4.0,
            y + 4.0,
            x - 4.0,
            y + 4.0,
            x + 4.0,
            y - 4.0
        ),
        _ => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{colour}"/>"#),
    }
}

/// Lines of 0–100 scores over periods, oldest first: each series (name, one value per
/// label); a missing value breaks the line (no data, not 0).
pub fn score_lines(
    title: &str,
    labels: &[String],
    series: &[(String, Vec<Option<f64>>)],
) -> String {
    let (width, head, plot, left, legend) = (440.0, 24.0, 140.0, 30.0, 18.0);
    let n = labels.len().max(1) as f64;
    let slot = (width - left) / n;
    let top = head + 10.0;
    let base = top + plot;
    let height = base + 22.0 + legend * series.len().div_ceil(3) as f64;
    let y_of = |v: f64| base - v.clamp(0.0, 100.0) / 100.0 * plot;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{t}"><title>{t}</title><text x="0" y="16" font-size="15" font-weight="700" fill="#333">{t}</text>"##,
        t = esc(title)
    );
    for v in [0.0, 50.0, 100.0] {
        let y = y_of(v);
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{width}" y2="{y:.1}" stroke="#ddd"/><text x="{tx}" y="{ty:.1}" font-size="11" text-anchor="end" fill="#777">{v}</text>"##,
            tx = left - 4.0,
            ty = y + 4.0,
        );
    }
    for (i, l) in labels.iter().enumerate() {
        let _ = write!(
            s,
            r##"<text x="{x:.1}" y="{y:.1}" font-size="11" text-anchor="middle" fill="#555">{l}</text>"##,
            x = left + slot * (i as f64 + 0.5),
            y = base + 15.0,
            l = esc(l),
        );
    }
    for (k, (name, values)) in series.iter().enumerate() {
        let (colour, kind) = SERIES[k % SERIES.len()];
        let mut d = String::new();
        let mut pen_down = false;
        for (i, v) in values.iter().enumerate() {
            let x = left + slot * (i as f64 + 0.5);
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{x:.1} {:.1}",
                        if pen_down { "L" } else { "M" },
                        y_of(*v)
                    );
                    pen_down = true;
                    let _ = write!(
                        s,
                        "<g><title>{}：{v:.1}</title>{}</g>",
                        esc(name),
                        marker(kind, x, y_of(*v), colour)
                    );
                }
                None => pen_down = false,
            }
        }
        if !d.is_empty() {
            let _ = write!(
                s,
                r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="2"/>"#
            );
        }
        let lx = (k % 3) as f64 * (width / 3.0);
        let ly = base + 22.0 + legend * (k / 3) as f64 + 8.0;
        let _ = write!(
            s,
            r##"{m}<text x="{tx:.1}" y="{ty:.1}" font-size="12" fill="#333">{n}</text>"##,
            m = marker(kind, lx + 5.0, ly, colour),
            tx = lx + 14.0,
            ty = ly + 4.0,
            n = esc(name),
        );
    }
    s.push_str("</svg>");
    s
}

/// A rate as a percentage with one decimal, or "—".
pub fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trend_draws_a_column_per_period_and_no_data_as_a_dash() {
        let svg = trend(
            "达标率",
            &[
                ("1月".into(), Some(0.5)),
                ("2月".into(), None),
                ("3月".into(), Some(1.0)),
            ],
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(">50%<") && svg.contains(">—<") && svg.contains(">100%<"));
        assert!(svg.contains(">2月<"));
    }

    #[test]
    fn bars_escape_labels_and_scale_to_the_largest() {
        let svg = bars(
            "测试<图>",
            &[
                ("甲&乙".into(), 10.0, "10".into()),
                ("丙".into(), 5.0, "5".into()),
            ],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("甲&amp;乙"));
        assert!(!svg.contains("<图>"));
        assert_eq!(svg.matches("<rect").count(), 2);
        // The title is drawn, not only announced to screen readers.
        assert!(svg.contains(r##"font-weight="700" fill="#333">测试&lt;图&gt;</text>"##));
        // A long label is cut with an ellipsis inside the label column, the whole kept
        // in the bar's tooltip.
        let long = bars(
            "党龄",
            &[("1976年11月至1986年10月入党".into(), 3.0, "3".into())],
        );
        assert!(long.contains("…</text>"), "{long}");
        assert!(long.contains("<title>1976年11月至1986年10月入党：3</title>"));
    }

    #[test]
    fn pie_of_one_slice_is_a_circle_and_empty_is_a_note() {
        assert!(pie("t", &[("男".into(), 3)]).contains("<circle"));
        assert!(pie("t", &[("男".into(), 0)]).contains("暂无数据"));
        let two = pie("t", &[("男".into(), 3), ("女".into(), 1)]);
        assert_eq!(two.matches("<path").count(), 2);
        assert!(two.contains("75.0%"));
    }

    #[test]
    fn a_heat_map_writes_every_score_and_no_data_as_a_dash() {
        let svg = heat_map(
            "热力图",
            &["功能是否增强", "素质是否提高"],
            &[HeatRow {
                label: "甲村党支部".into(),
                href: "/reports/scorecard?org=7".into(),
                scores: vec![Some(35.0), None],
            }],
        );
        assert!(svg.contains(">35.0<") && svg.contains(">—<"));
        assert!(svg.contains("#d7191c"), "a low score takes the low colour");
        assert!(svg.contains(r#"href="/reports/scorecard?org=7""#));
        assert_eq!(heat_bin(95.0).0, "#2c7bb6");
        assert_eq!(heat_bin(60.0).0, "#ffffbf");
        assert_eq!(
            [Some(10.0), Some(59.9), Some(100.0), None].map(heat_class),
            ["s0", "s1", "s4", "sn"]
        );
    }

    #[test]
    fn score_lines_break_where_a_period_has_no_data() {
        let svg = score_lines(
            "趋势",
            &[
                "2025年上半年".into(),
                "2025年下半年".into(),
                "2026年上半年".into(),
            ],
            &[("功能是否增强".into(), vec![Some(50.0), None, Some(70.0)])],
        );
        // Two points, each its own move: no line is drawn across the gap.
        assert_eq!(
            svg.matches("<circle").count(),
            3,
            "two points and the legend's"
        );
        let line = svg
            .split(r#"<path d=""#)
            .nth(1)
            .and_then(|t| t.split('"').next())
            .unwrap_or_default();
        assert_eq!(line.matches('M').count(), 2, "{line}");
        assert!(!line.contains('L'), "{line}");
    }
}
