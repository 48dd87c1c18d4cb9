//! Papers an office prints and files (打印与 Word): a meeting's record in the layout of the
//! 三会一课记录本 with its sign-in sheet, a branch's register of a year's meetings, an
//! org's rectification file (整顿台账). Each is one list of blocks, printed by the web as
//! a page and written as a .docx by `jiceng_io::docx`, so the two never differ.

use jiceng_io::docx::{official_docx, Block};

use crate::Result;

mod meeting;
mod rectification;
mod register;

pub use meeting::meeting_record;
pub use rectification::rectification_file;
pub use register::life_register;

/// A paper: its title, the file name of its .docx, and its blocks in print order.
#[derive(Debug, Clone)]
pub struct Paper {
    pub title: String,
    pub file_name: String,
    pub blocks: Vec<Block>,
}

impl Paper {
    /// The .docx package of the paper.
    pub fn docx(&self) -> Result<Vec<u8>> {
        official_docx(&self.blocks).map_err(|e| crate::AppError::Input(e.to_string()))
    }

    /// The paper as one self-contained HTML page to read and print (the command line's
    /// `--format html`; the web prints the same blocks inside its own page): A4 with the
    /// official margins, the fonts named as the .docx names them, the charts' SVG inline.
    pub fn html(&self) -> String {
        let mut s = format!(
            "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>{PAPER_CSS}</style></head><body><article class=\"paper\">\n",
            esc(&self.title)
        );
        for b in &self.blocks {
            s.push_str(&match b {
                Block::Title(t) => format!("<h1 class=\"paper-title\">{}</h1>", esc(t)),
                Block::Flush(t) => format!("<p class=\"paper-flush\">{}</p>", esc(t)),
                Block::Body(t) => format!("<p class=\"paper-body\">{}</p>", esc(t)),
                Block::Heading(t) => format!("<h2 class=\"paper-heading\">{}</h2>", esc(t)),
                Block::Blank => "<p class=\"paper-blank\">&nbsp;</p>".into(),
                Block::Signature { signer, date } => format!(
                    "<p class=\"paper-signature\">{}<br>{}</p>",
                    esc(signer),
                    esc(date)
                ),
                Block::Chart { caption, chart } => format!(
                    "<figure class=\"paper-chart\">{}<figcaption>{}</figcaption></figure>",
                    chart.svg,
                    esc(caption)
                ),
                Block::Table { header, rows, .. } => {
                    let cells = |r: &[String], tag: &str| -> String {
                        r.iter().map(|c| format!("<{tag}>{}</{tag}>", esc(c))).collect()
                    };
                    let body: String = rows
                        .iter()
                        .map(|r| format!("<tr>{}</tr>", cells(r, "td")))
                        .collect();
                    format!(
                        "<table class=\"paper-table\"><thead><tr>{}</tr></thead><tbody>{body}</tbody></table>",
                        cells(header, "th")
                    )
                }
            });
            s.push('\n');
        }
        s.push_str("</article></body></html>\n");
        s
    }

    /// The paper as plain text (a terminal's view): tables with tabs, charts by caption.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for b in &self.blocks {
            match b {
                Block::Title(t) | Block::Heading(t) | Block::Flush(t) => s.push_str(t),
                Block::Body(t) => {
                    s.push_str("　　");
                    s.push_str(t);
                }
                Block::Blank => {}
                Block::Signature { signer, date } => s.push_str(&format!("{signer}\n{date}")),
                Block::Chart { caption, .. } => s.push_str(&format!("［{caption}］")),
                Block::Table { header, rows, .. } => {
                    s.push_str(&header.join("\t"));
                    for r in rows {
                        s.push('\n');
                        s.push_str(&r.join("\t"));
                    }
                }
            }
            s.push('\n');
        }
        s
    }
}

/// The print style of [`Paper::html`]: the layout of `jiceng_io::docx` in CSS.
const PAPER_CSS: &str = "@page{size:A4;margin:37mm 26mm 35mm 28mm}\
body{margin:0;background:#fff;color:#000}\
.paper{max-width:156mm;margin:0 auto;font-family:'仿宋_GB2312','仿宋','FangSong','STFangsong','Noto Serif CJK SC',serif;font-size:16pt;line-height:28.95pt}\
.paper-title{font-family:'方正小标宋简体','小标宋','Noto Serif CJK SC','宋体','SimSun',serif;font-size:22pt;line-height:36pt;text-align:center;font-weight:normal;margin:0 0 28.95pt}\
.paper-heading{font-family:'黑体','SimHei','Noto Sans CJK SC',sans-serif;font-size:16pt;font-weight:normal;margin:0}\
.paper-body{text-indent:2em;margin:0;text-align:justify}.paper-flush,.paper-blank{margin:0}\
.paper-signature{text-align:right;margin:28.95pt 4em 0 0}\
.paper-table{width:100%;border-collapse:collapse;font-size:12pt;line-height:18pt;margin:6pt 0}\
.paper-table th,.paper-table td{border:1px solid #000;padding:2pt 4pt;vertical-align:top}\
.paper-chart{margin:12pt 0;text-align:center;break-inside:avoid}.paper-chart svg{max-width:100%;height:auto}\
.paper-chart figcaption{font-size:12pt;line-height:18pt}";

/// Text escaped for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// "2026年3月5日".
fn day(d: chrono::NaiveDate) -> String {
    crate::recruitment::documents::chinese_date(d)
}

/// A free text as body paragraphs, one per line; "（未记录）" when empty.
fn paragraphs(text: Option<&str>) -> Vec<Block> {
    let lines: Vec<Block> = text
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Block::Body(l.to_string()))
        .collect();
    if lines.is_empty() {
        vec![Block::Body("（未记录）".into())]
    } else {
        lines
    }
}

/// A file name without the characters a file system refuses.
pub(crate) fn file_name(stem: &str, ext: &str) -> String {
    let clean: String = stem
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c => c,
        })
        .collect();
    format!("{clean}.{ext}")
}
