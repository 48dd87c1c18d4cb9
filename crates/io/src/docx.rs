//! .docx documents in the layout a Party organization prints and files (GB/T 9704 style):
//! A4, margins 37/35/28/26 mm, the title in 小标宋 22 pt centred, the body in 仿宋 三号
//! (16 pt) on a fixed 28.95 pt line with the first line indented two characters, the
//! addressee flush left, the signer and the date right, centred on each other. The callers
//! hand over blocks of text; the layout lives here, over `docx-rs`.

use std::io::{Cursor, Read, Write};

use docx_rs::{
    AlignmentType, Docx, FieldCharType, Footer, HeightRule, InstrPAGE, InstrText, LineSpacing,
    LineSpacingType, PageMargin, Paragraph, Pic, Run, RunFonts, SpecialIndentType, Table,
    TableCell, TableLayoutType, TableRow, WidthType,
};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::chart::{self, Chart};

/// The font of the title (小标宋); the font table names 宋体 as its stand-in.
pub const TITLE_FONT: &str = "方正小标宋简体";
/// The font of the body (仿宋_GB2312); the font table names 仿宋 as its stand-in.
pub const BODY_FONT: &str = "仿宋_GB2312";
/// Latin letters and digits in the body.
const LATIN_FONT: &str = "Times New Roman";

/// One twip is 1/20 pt; a millimetre is 56.7 twips.
const fn mm(v: i32) -> i32 {
    v * 5670 / 100
}
/// 三号: 16 pt, in half-points; one character of it is 320 twips wide.
const BODY_SIZE: usize = 32;
const CHAR: i32 = 320;
/// 二号 (22 pt) for the title.
const TITLE_SIZE: usize = 44;
/// 四号 (14 pt) for the page number.
const PAGE_NUMBER_SIZE: usize = 28;
const PAGE_NUMBER_LINE: i32 = 320;
/// 28.95 pt per body line (22 lines on a page), 36 pt per title line.
const BODY_LINE: i32 = 579;
/// The text's width on A4 between the margins, in twips.
const TEXT_WIDTH: u32 = 11906 - mm(28) as u32 - mm(26) as u32;
/// 小四 (12 pt) in tables, on 18 pt lines.
const TABLE_SIZE: usize = 24;
const TABLE_LINE: i32 = 360;
/// 黑体 for headings.
const HEADING_FONT: &str = "黑体";
const TITLE_LINE: i32 = 720;

/// A piece of a document, in the order it is printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// The title, centred (may be long: it wraps on its own).
    Title(String),
    /// 主送机关 and other lines flush left: "中共某某委员会：".
    Flush(String),
    /// A body paragraph, first line indented two characters.
    Body(String),
    /// An empty line.
    Blank,
    /// A section heading, flush left in 黑体 (一、会议内容).
    Heading(String),
    /// A ruled table in 仿宋 小四, the header row bold; the
    /// columns' relative widths (the text width shared out by them).
    Table {
        widths: Vec<u32>,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// 署名 and 成文日期, one empty line under the text: the date four characters from the right edge, the signer centred
    /// on it (or, when the signer's name is the longer, two characters from the edge).
    Signature { signer: String, date: String },
    /// A chart across the text's width with its caption (图1 …) centred under it: the PNG
    /// drawn here with the installed CJK font, the SVG beside it as Office's
    /// `asvg:svgBlip` (Word 2016+ draws that with the reader's fonts); where no CJK font
    /// is installed, a line saying the chart was left out (see `chart`).
    Chart { caption: String, chart: Chart },
}

/// The error of writing a package (never expected with an in-memory buffer).
#[derive(Debug, thiserror::Error)]
#[error("生成 .docx 文件失败：{0}")]
pub struct DocxError(String);

/// The document's bytes (a .docx package).
pub fn official_docx(blocks: &[Block]) -> Result<Vec<u8>, DocxError> {
    let signed_next = |i: usize| matches!(blocks.get(i + 1), Some(Block::Signature { .. }));
    // Each chart embedded, in order: its picture's relationship id and its SVG.
    let mut svgs: Vec<(String, String)> = Vec::new();
    let mut pictures = Vec::new();
    for b in blocks {
        if let Block::Chart { chart, .. } = b {
            let png = chart::png(chart, 2.0).map_err(|e| DocxError(e.to_string()))?;
            if png.is_some() {
                svgs.push((format!("rIdChart{}", svgs.len() + 1), chart.svg.clone()));
            }
            pictures.push(png.map(|p| (svgs.len(), p)));
        }
    }
    let mut pictures = pictures.into_iter();
    let doc = blocks
        .iter()
        .enumerate()
        .fold(page(), |doc, (i, block)| match block {
            Block::Chart { caption, chart } => {
                let picture = pictures.next().flatten();
                chart_paragraphs(caption, chart, picture)
                    .into_iter()
                    .fold(doc, |d, p| d.add_paragraph(p))
            }
            Block::Signature { signer, date } => signature(signer, date)
                .into_iter()
                .fold(doc, |d, p| d.add_paragraph(p)),
            Block::Table {
                widths,
                header,
                rows,
            } => doc.add_table(table(widths, header, rows)),
            // The last paragraph goes over the page with the signature, never the signature alone.
            other => doc.add_paragraph(paragraph(other).keep_next(signed_next(i))),
        });
    let mut raw = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut raw)
        .map_err(|e| DocxError(e.to_string()))?;
    finish(raw.get_ref(), &svgs).map_err(|e| DocxError(e.to_string()))
}

/// A chart's paragraphs: the picture centred across the text's width (`picture`: its
/// number among the embedded charts and its PNG) and the caption under it, or the line
/// saying why it was left out.
fn chart_paragraphs(
    caption: &str,
    chart: &Chart,
    picture: Option<(usize, Vec<u8>)>,
) -> Vec<Paragraph> {
    let centred = |run: Run| {
        Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(exact(BODY_LINE))
            .add_run(run)
    };
    let caption = Paragraph::new()
        .align(AlignmentType::Center)
        .line_spacing(exact(TABLE_LINE))
        .add_run(
            Run::new()
                .add_text(caption)
                .fonts(body_fonts())
                .size(TABLE_SIZE),
        );
    match picture {
        Some((n, png)) => {
            // 1 twip = 635 EMU; the height keeps the drawing's proportions.
            let w = TEXT_WIDTH * 635;
            let h = (w as u64 * chart.height as u64 / chart.width.max(1) as u64) as u32;
            let pic = Pic::new_with_dimensions(png, chart.width * 2, chart.height * 2)
                .id(format!("rIdChart{n}"))
                .size(w, h);
            vec![
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .keep_next(true)
                    .add_run(Run::new().add_image(pic)),
                caption,
            ]
        }
        None => vec![
            caption.keep_next(true),
            centred(body_run(
                "（本图未嵌入：生成本文件的服务器未安装中文字体，图中汉字无法绘出；数据见下表。）",
            )),
        ],
    }
}

fn page() -> Docx {
    Docx::new()
        .page_size(11906, 16838)
        .page_margin(
            PageMargin::new()
                .top(mm(37))
                .bottom(mm(35))
                .left(mm(28))
                .right(mm(26))
                .header(mm(15))
                .footer(mm(22)),
        )
        .default_fonts(body_fonts())
        .default_size(BODY_SIZE)
        .footer(Footer::new().add_paragraph(page_number()))
}

/// 页码: "— 1 —" in 四号 宋体 under the text, centred.
fn page_number() -> Paragraph {
    let run = || {
        Run::new()
            .fonts(
                RunFonts::new()
                    .ascii("宋体")
                    .hi_ansi("宋体")
                    .east_asia("宋体"),
            )
            .size(PAGE_NUMBER_SIZE)
    };
    Paragraph::new()
        .align(AlignmentType::Center)
        .line_spacing(exact(PAGE_NUMBER_LINE))
        .add_run(run().add_text("— "))
        .add_run(
            run()
                .add_field_char(FieldCharType::Begin, false)
                .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
                .add_field_char(FieldCharType::Separate, false)
                .add_text("1")
                .add_field_char(FieldCharType::End, false),
        )
        .add_run(run().add_text(" —"))
}

fn body_fonts() -> RunFonts {
    RunFonts::new()
        .ascii(LATIN_FONT)
        .hi_ansi(LATIN_FONT)
        .east_asia(BODY_FONT)
        .cs(LATIN_FONT)
}

fn exact(line: i32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(line)
        .before(0)
        .after(0)
}

fn body_run(text: &str) -> Run {
    Run::new()
        .add_text(text)
        .fonts(body_fonts())
        .size(BODY_SIZE)
}

fn paragraph(block: &Block) -> Paragraph {
    let line = Paragraph::new().line_spacing(exact(BODY_LINE));
    match block {
        Block::Title(text) => Paragraph::new()
            .line_spacing(exact(TITLE_LINE))
            .align(AlignmentType::Center)
            .add_run(
                Run::new()
                    .add_text(text)
                    .fonts(
                        RunFonts::new()
                            .ascii(TITLE_FONT)
                            .hi_ansi(TITLE_FONT)
                            .east_asia(TITLE_FONT),
                    )
                    .size(TITLE_SIZE),
            ),
        Block::Flush(text) => line.align(AlignmentType::Both).add_run(body_run(text)),
        Block::Body(text) => line
            .align(AlignmentType::Both)
            .indent(
                None,
                Some(SpecialIndentType::FirstLine(2 * CHAR)),
                None,
                None,
            )
            .add_run(body_run(text)),
        Block::Heading(text) => line.keep_next(true).add_run(
            Run::new()
                .add_text(text)
                .fonts(
                    RunFonts::new()
                        .ascii(HEADING_FONT)
                        .hi_ansi(HEADING_FONT)
                        .east_asia(HEADING_FONT),
                )
                .size(BODY_SIZE),
        ),
        Block::Blank => line.add_run(body_run("")),
        Block::Signature { .. } => unreachable!("a signature is two paragraphs"),
        Block::Table { .. } => unreachable!("a table is not a paragraph"),
        Block::Chart { .. } => unreachable!("a chart is two paragraphs"),
    }
}

/// A ruled table across the text's width; each cell's lines as paragraphs.
fn table(widths: &[u32], header: &[String], rows: &[Vec<String>]) -> Table {
    let total: u32 = widths.iter().sum::<u32>().max(1);
    let grid: Vec<usize> = widths
        .iter()
        .map(|w| (TEXT_WIDTH * w / total) as usize)
        .collect();
    let cell = |text: &str, width: usize, bold: bool| {
        text.split('\n')
            .fold(TableCell::new().width(width, WidthType::Dxa), |c, line| {
                let run = Run::new()
                    .add_text(line)
                    .fonts(body_fonts())
                    .size(TABLE_SIZE);
                let run = if bold { run.bold() } else { run };
                c.add_paragraph(
                    Paragraph::new()
                        .line_spacing(exact(TABLE_LINE))
                        .align(if bold {
                            AlignmentType::Center
                        } else {
                            AlignmentType::Left
                        })
                        .add_run(run),
                )
            })
    };
    let row = |texts: &[String], bold: bool| {
        TableRow::new(
            grid.iter()
                .enumerate()
                .map(|(i, w)| cell(texts.get(i).map(String::as_str).unwrap_or(""), *w, bold))
                .collect(),
        )
        .row_height(480.0)
        .height_rule(HeightRule::AtLeast)
        .cant_split()
    };
    let mut t = Table::new(vec![row(header, true)])
        .set_grid(grid.clone())
        .layout(TableLayoutType::Fixed)
        .width(TEXT_WIDTH as usize, WidthType::Dxa);
    for r in rows {
        t = t.add_row(row(r, false));
    }
    t
}

/// The signer over the date, centred on one another, right-aligned.
fn signature(signer: &str, date: &str) -> [Paragraph; 3] {
    let (s, d) = (width(signer), width(date));
    // Half-character steps, in twips.
    let (signer_end, date_end) = if s > d {
        (2 * CHAR, 2 * CHAR + (s - d) * CHAR / 4)
    } else {
        (4 * CHAR + (d - s) * CHAR / 4, 4 * CHAR)
    };
    let right = |text: &str, end: i32| {
        Paragraph::new()
            .line_spacing(exact(BODY_LINE))
            .align(AlignmentType::Right)
            .indent(None, None, Some(end), None)
            .add_run(body_run(text))
    };
    [
        paragraph(&Block::Blank).keep_next(true),
        right(signer, signer_end).keep_next(true),
        right(date, date_end),
    ]
}

/// A text's printed width in half characters (CJK two, Latin and digits one).
fn width(text: &str) -> i32 {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// The package as `docx-rs` wrote it, finished:
/// - `docx-rs` writes a fixed font table (Times New Roman, Symbol, Arial); the package gets
///   one naming the Chinese fonts with their stand-ins, so that a reader without 方正小标宋
///   or 仿宋_GB2312 falls back to 宋体 and 仿宋 rather than to anything;
/// - each chart's picture (`svgs`: its relationship id and SVG) gets its SVG as Office's
///   extension of the blip (`asvg:svgBlip`, the way Word 2016+ stores an SVG picture with
///   its PNG fallback): the part `word/media/{id}.svg`, its relationship and content type.
fn finish(package: &[u8], svgs: &[(String, String)]) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = ZipArchive::new(Cursor::new(package))?;
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let name = entry.name()?.to_string();
        let patched = match name.as_str() {
            "word/fontTable.xml" => Some(font_table()),
            "word/document.xml" | "word/_rels/document.xml.rels" | "[Content_Types].xml"
                if !svgs.is_empty() =>
            {
                let mut text = String::new();
                entry.read_to_string(&mut text)?;
                Some(with_svgs(&name, text, svgs))
            }
            _ => None,
        };
        match patched {
            Some(text) => {
                drop(entry);
                out.start_file(name, options)?;
                out.write_all(text.as_bytes())?;
            }
            None => out.raw_copy_file(entry)?,
        }
    }
    for (id, svg) in svgs {
        out.start_file(format!("word/media/{id}.svg"), options)?;
        out.write_all(svg.as_bytes())?;
    }
    Ok(out.finish()?.into_inner())
}

/// One part of the package with the charts' SVGs added (see [`finish`]).
fn with_svgs(part: &str, text: String, svgs: &[(String, String)]) -> String {
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image";
    match part {
        "word/document.xml" => svgs.iter().fold(text, |t, (id, _)| {
            t.replacen(
                &format!(r#"<a:blip r:embed="{id}" />"#),
                &format!(
                    r#"<a:blip r:embed="{id}"><a:extLst><a:ext uri="{{96DAC541-7B7A-43D3-8B79-37D633B846F1}}"><asvg:svgBlip xmlns:asvg="http://schemas.microsoft.com/office/drawing/2016/SVG/main" r:embed="{id}Svg"/></a:ext></a:extLst></a:blip>"#
                ),
                1,
            )
        }),
        "word/_rels/document.xml.rels" => {
            let rels: String = svgs
                .iter()
                .map(|(id, _)| {
                    format!(r#"<Relationship Id="{id}Svg" Type="{REL}" Target="media/{id}.svg"/>"#)
                })
                .collect();
            text.replacen("</Relationships>", &format!("{rels}</Relationships>"), 1)
        }
        _ => match text.find("<Types") {
            Some(at) if !text.contains(r#"Extension="svg""#) => {
                let end = at + text[at..].find('>').unwrap_or(0) + 1;
                format!(
                    r#"{}<Default Extension="svg" ContentType="image/svg+xml"/>{}"#,
                    &text[..end],
                    &text[end..]
                )
            }
            _ => text,
        },
    }
}

fn font_table() -> String {
    const FONTS: [(&str, &str, &str, &str); 7] = [
        (TITLE_FONT, "宋体", "86", "script"),
        (BODY_FONT, "仿宋", "86", "modern"),
        ("宋体", "SimSun", "86", "auto"),
        ("仿宋", "FangSong", "86", "modern"),
        (HEADING_FONT, "SimHei", "86", "modern"),
        (LATIN_FONT, "", "00", "roman"),
        ("Arial", "", "00", "swiss"),
    ];
    let fonts: String = FONTS
        .iter()
        .map(|(name, alt, charset, family)| {
            let alt = match *alt {
                "" => String::new(),
                a => format!(r#"<w:altName w:val="{a}"/>"#),
            };
            format!(
                r#"<w:font w:name="{name}">{alt}<w:charset w:val="{charset}"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>"#
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{fonts}</w:fonts>"#
    )
}

/// The text of a package's `word/document.xml` (for tests and checks).
pub fn document_xml(package: &[u8]) -> Option<String> {
    part_text(package, "word/document.xml")
}

/// The text of one part of a package (for tests and checks).
pub fn part_text(package: &[u8], name: &str) -> Option<String> {
    let mut zip = ZipArchive::new(Cursor::new(package)).ok()?;
    let mut entry = zip.by_name(name).ok()?;
    let mut text = String::new();
    entry.read_to_string(&mut text).ok()?;
    Some(text)
}

/// The names of a package's parts; `None` when it is not a zip (for tests and checks).
pub fn part_names(package: &[u8]) -> Option<Vec<String>> {
    let zip = ZipArchive::new(Cursor::new(package)).ok()?;
    Some(
        zip.file_names()
            .filter_map(|n| n.ok().map(|n| n.to_string()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_a_package_with_its_text_and_fonts() {
        let bytes = official_docx(&[
            Block::Title("关于张三同志的公示".into()),
            Block::Blank,
            Block::Body("正文 2026 年".into()),
            Block::Signature {
                signer: "中共某某村支部委员会".into(),
                date: "2026年3月12日".into(),
            },
        ])
        .unwrap();
        let xml = document_xml(&bytes).unwrap();
        assert!(xml.contains("关于张三同志的公示") && xml.contains("2026年3月12日"));
        assert!(xml.contains(TITLE_FONT) && xml.contains(BODY_FONT));
        let mut zip = ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
        let mut fonts = String::new();
        zip.by_name("word/fontTable.xml")
            .unwrap()
            .read_to_string(&mut fonts)
            .unwrap();
        assert!(fonts.contains(r#"<w:altName w:val="宋体"/>"#));
    }

    #[test]
    fn a_table_keeps_its_cells_and_columns() {
        let bytes = official_docx(&[
            Block::Heading("签到表".into()),
            Block::Table {
                widths: vec![1, 3, 2],
                header: vec!["序号".into(), "姓名".into(), "签名".into()],
                rows: vec![vec!["1".into(), "张三".into(), String::new()]],
            },
        ])
        .unwrap();
        let xml = document_xml(&bytes).unwrap();
        assert!(xml.contains("签到表") && xml.contains("张三") && xml.contains("黑体"));
        assert_eq!(
            xml.matches("<w:tr>").count() + xml.matches("<w:tr ").count(),
            2
        );
        assert_eq!(xml.matches("<w:gridCol").count(), 3);
    }

    #[test]
    fn a_chart_is_a_picture_with_its_svg_or_a_note() {
        let chart = crate::chart::bars(
            &[crate::chart::Bar {
                label: "功能是否增强".into(),
                value: Some(50.0),
                accent: false,
            }],
            None,
        );
        let bytes = official_docx(&[
            Block::Title("图".into()),
            Block::Chart {
                caption: "图1　得分".into(),
                chart,
            },
        ])
        .unwrap();
        let xml = document_xml(&bytes).unwrap();
        assert!(xml.contains("图1　得分"));
        let names = part_names(&bytes).unwrap();
        if crate::chart::cjk_font().is_some() {
            assert!(
                names.iter().any(|n| n == "word/media/rIdChart1.svg"),
                "{names:?}"
            );
            assert!(names.iter().any(|n| n.ends_with(".png")), "{names:?}");
            assert!(xml.contains(r#"<asvg:svgBlip"#) && xml.contains(r#"r:embed="rIdChart1Svg""#));
            let rels = part_text(&bytes, "word/_rels/document.xml.rels").unwrap();
            assert!(rels.contains(r#"Id="rIdChart1Svg""#) && rels.contains(r#"Id="rIdChart1""#));
            let types = part_text(&bytes, "[Content_Types].xml").unwrap();
            assert!(types.contains(r#"Extension="svg""#));
        } else {
            assert!(xml.contains("本图未嵌入"));
            assert!(!names.iter().any(|n| n.ends_with(".png")));
        }
    }

    #[test]
    fn widths_count_cjk_as_two_halves() {
        assert_eq!(width("2026年3月12日"), 6 + 7);
    }
}
