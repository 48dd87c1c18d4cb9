//! Charts of a report: a pure drawing (figures → SVG text, what a page shows inline and a
//! .docx carries as its `asvg:svgBlip`) and its PNG rendering for readers that do not draw
//! SVG (LibreOffice, WPS, Word before 2016 show the PNG).
//!
//! Chinese labels: no font is bundled (none may be committed, and crates.io has no CJK
//! font crate). The SVG names the usual Chinese sans fonts and is drawn by the reader with
//! its own fonts (a browser, Word 2016+). The PNG is rendered here by `resvg` with the
//! first of [`CJK_FAMILIES`] installed on the machine that writes the document (on
//! Debian/Ubuntu `fonts-noto-cjk`); where none is installed [`png`] gives `None` and the
//! document says in words that the chart was left out and the table under it holds the
//! same figures — a picture with its Chinese labels missing would look whole and lie.

use std::sync::{Arc, OnceLock};

use resvg::tiny_skia;
use resvg::usvg::{self, fontdb};

/// The Chinese sans fonts a chart is drawn with, in order of preference: the SVG names
/// them all (the reader picks what it has); the PNG uses the first installed here.
pub const CJK_FAMILIES: [&str; 9] = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Droid Sans Fallback",
];

/// A drawn chart: its SVG text and its size in CSS pixels (96 per inch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub svg: String,
    pub width: u32,
    pub height: u32,
}

/// One bar: its label and its score (0–100), `None` for 暂无数据.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    /// Drawn in the accent colour (the weakest measure, the orgs pulling it down).
    pub accent: bool,
}

/// A vertical reference line across the bars (目标 or 中位数).
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub label: String,
    pub value: f64,
}

/// Okabe–Ito blue and vermillion: told apart with any colour vision, and in grey print.
const BAR: &str = "#0072B2";
const ACCENT: &str = "#D55E00";
const INK: &str = "#222222";
const GRID: &str = "#CCCCCC";
const WIDTH: u32 = 640;
const LABEL_W: f64 = 200.0;
const PLOT_W: f64 = 360.0;
const ROW: f64 = 26.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 30.0;
const LABEL_CHARS: usize = 14;

fn families() -> String {
    CJK_FAMILIES
        .iter()
        .map(|f| format!("'{f}'"))
        .chain(["sans-serif".to_string()])
        .collect::<Vec<_>>()
        .join(",")
}

/// Text escaped for XML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A label cut to what its column holds, "…" marking the cut.
fn fit(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        let head: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{head}…")
    }
}

/// Horizontal bars on a 0–100 axis, one row per bar, its value printed after it; a bar
/// without data prints 暂无数据 in place of a bar (never a bar of 0); `reference` draws a
/// dashed line with its label above the plot.
pub fn bars(items: &[Bar], reference: Option<&Reference>) -> Chart {
    let x0 = LABEL_W + 10.0;
    let x = |v: f64| x0 + PLOT_W * v.clamp(0.0, 100.0) / 100.0;
    let rows = items.len().max(1) as f64;
    let plot_h = rows * ROW;
    let height = (TOP + plot_h + BOTTOM).ceil() as u32;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="{}" font-size="13" role="img">"#,
        families()
    );
    s.push_str(&format!(
        r##"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#FFFFFF"/>"##
    ));
    // The grid and the axis: 0, 20, … 100.
    for t in (0..=100).step_by(20) {
        let gx = x(t as f64);
        s.push_str(&format!(
            r#"<line x1="{gx:.1}" y1="{TOP}" x2="{gx:.1}" y2="{:.1}" stroke="{GRID}" stroke-width="1"/><text x="{gx:.1}" y="{:.1}" text-anchor="middle" fill="{INK}" font-size="12">{t}</text>"#,
            TOP + plot_h,
            TOP + plot_h + 18.0
        ));
    }
    for (i, b) in items.iter().enumerate() {
        let top = TOP + i as f64 * ROW;
        let mid = top + ROW / 2.0 + 4.5;
        s.push_str(&format!(
            r#"<text x="{LABEL_W:.1}" y="{mid:.1}" text-anchor="end" fill="{INK}">{}</text>"#,
            esc(&fit(&b.label))
        ));
        match b.value {
            Some(v) => {
                let w = (x(v) - x0).max(0.0);
                let colour = if b.accent { ACCENT } else { BAR };
                s.push_str(&format!(
                    r#"<rect x="{x0:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{colour}"/><text x="{:.1}" y="{mid:.1}" fill="{INK}">{v:.1}</text>"#,
                    top + 6.0,
                    ROW - 12.0,
                    x0 + w + 4.0
                ));
            }
            None => s.push_str(&format!(
                r##"<text x="{:.1}" y="{mid:.1}" fill="#666666" font-style="italic">暂无数据</text>"##,
                x0 + 4.0
            )),
        }
    }
    if let Some(r) = reference {
        let rx = x(r.value);
        s.push_str(&format!(
            r#"<line x1="{rx:.1}" y1="{:.1}" x2="{rx:.1}" y2="{:.1}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="5,3"/><text x="{rx:.1}" y="{:.1}" text-anchor="middle" fill="{INK}" font-size="12">{} {:.1}</text>"#,
            TOP - 6.0,
            TOP + plot_h,
            TOP - 10.0,
            esc(&r.label),
            r.value
        ));
    }
    s.push_str("</svg>");
    Chart {
        svg: s,
        width: WIDTH,
        height,
    }
}

/// The system's fonts and the CJK family found among them (loaded once per process).
fn fonts() -> &'static (Arc<fontdb::Database>, Option<String>) {
    static FONTS: OnceLock<(Arc<fontdb::Database>, Option<String>)> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        let found = CJK_FAMILIES
            .iter()
            .find(|f| {
                db.query(&fontdb::Query {
                    families: &[fontdb::Family::Name(f)],
                    ..Default::default()
                })
                .is_some()
            })
            .map(|f| f.to_string());
        if let Some(f) = &found {
            db.set_sans_serif_family(f.clone());
        }
        (Arc::new(db), found)
    })
}

/// The CJK font the PNG of a chart is drawn with on this machine, if any is installed.
pub fn cjk_font() -> Option<&'static str> {
    fonts().1.as_deref()
}

/// The error of rendering a chart (an SVG this module did not draw).
#[derive(Debug, thiserror::Error)]
#[error("图表渲染失败：{0}")]
pub struct ChartError(String);

/// The chart as a PNG at `scale` times its size (2 for print), drawn with the installed
/// CJK font; `None` when no CJK font is installed (the labels could not be drawn).
pub fn png(chart: &Chart, scale: f32) -> Result<Option<Vec<u8>>, ChartError> {
    let (db, found) = fonts();
    if found.is_none() {
        return Ok(None);
    }
    let opt = usvg::Options {
        fontdb: db.clone(),
        font_family: found.clone().unwrap_or_default(),
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(&chart.svg, &opt).map_err(|e| ChartError(e.to_string()))?;
    let (w, h) = (
        (chart.width as f32 * scale).ceil() as u32,
        (chart.height as f32 * scale).ceil() as u32,
    );
    let mut pixmap =
        tiny_skia::Pixmap::new(w, h).ok_or_else(|| ChartError(format!("尺寸无效：{w}×{h}")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map(Some)
        .map_err(|e| ChartError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Chart {
        bars(
            &[
                Bar {
                    label: "功能是否增强".into(),
                    value: Some(72.5),
                    accent: false,
                },
                Bar {
                    label: "保证作用是否明显".into(),
                    value: None,
                    accent: false,
                },
                Bar {
                    label: "素质是否提高<&>".into(),
                    value: Some(31.0),
                    accent: true,
                },
            ],
            Some(&Reference {
                label: "中位数".into(),
                value: 60.0,
            }),
        )
    }

    #[test]
    fn bars_print_labels_values_and_no_data() {
        let c = sample();
        assert!(c.svg.starts_with("<svg") && c.svg.ends_with("</svg>"));
        assert!(c.svg.contains("功能是否增强") && c.svg.contains(">72.5<"));
        assert!(c.svg.contains("暂无数据") && c.svg.contains("素质是否提高&lt;&amp;&gt;"));
        assert!(c.svg.contains("中位数 60.0") && c.svg.contains(ACCENT));
        // Three rows: two bars, one 暂无数据 without a bar.
        let bar = format!(r#"height="{:.1}""#, ROW - 12.0);
        assert_eq!(c.svg.matches(&bar).count(), 2);
        assert_eq!(c.height, (TOP + 3.0 * ROW + BOTTOM) as u32);
    }

    #[test]
    fn a_long_label_is_cut() {
        assert_eq!(
            fit("一二三四五六七八九十一二三四五六"),
            "一二三四五六七八九十一二三…"
        );
        assert_eq!(fit("短"), "短");
    }

    #[test]
    fn the_png_is_drawn_where_a_cjk_font_is_installed() {
        let c = sample();
        match png(&c, 1.0).unwrap() {
            Some(bytes) => {
                assert!(bytes.starts_with(&[0x89, b'P', b'N', b'G']));
                assert!(cjk_font().is_some());
            }
            None => {
                assert!(cjk_font().is_none());
                eprintln!("no CJK font installed: the chart's PNG is left out");
            }
        }
    }
}
