//! Hostile workbooks built part by part (the XML written here, zipped with the `zip` crate),
//! so a test can place a cell where no spreadsheet program would, claim what it likes and
//! make a part inflate to gigabytes.
#![allow(dead_code)]

use std::io::Write;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// An inline-string cell at `reference` ("A1", "XFD1048576").
pub fn cell(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A number cell.
pub fn num(reference: &str, value: f64) -> String {
    format!(r#"<c r="{reference}"><v>{value}</v></c>"#)
}

/// A row element holding `cells` (already rendered), 1-based `number`.
pub fn row(number: u64, cells: &[String]) -> String {
    format!(r#"<row r="{number}">{}</row>"#, cells.concat())
}

/// A workbook whose first sheet's `<sheetData>` holds `rows` (rendered `row`s), with a
/// `<dimension>` claim when given and a shared-string part when given.
pub fn workbook(dimension: Option<&str>, rows: &[String], shared: Option<&str>) -> Vec<u8> {
    let mut sheet = String::from(SHEET_HEAD);
    if let Some(d) = dimension {
        sheet.push_str(&format!(r#"<dimension ref="{d}"/>"#));
    }
    sheet.push_str("<sheetData>");
    for r in rows {
        sheet.push_str(r);
    }
    sheet.push_str("</sheetData></worksheet>");
    zipped(&sheet, shared)
}

/// A workbook whose sheet XML is `head`, then `filler` written `repeat` times (streamed:
/// nothing of that size is ever held), then the closing tags. A tiny file that inflates to
/// `filler.len() × repeat` bytes.
pub fn inflating_workbook(filler: &[u8], repeat: usize) -> Vec<u8> {
    let head = format!(
        "{SHEET_HEAD}<sheetData>{}",
        row(1, &[cell("A1", "姓名"), cell("B1", "公民身份号码")])
    );
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = ZipWriter::new(&mut out);
        write_common(&mut zip, None);
        zip.start_file("xl/worksheets/sheet1.xml", deflated())
            .unwrap();
        zip.write_all(head.as_bytes()).unwrap();
        for _ in 0..repeat {
            zip.write_all(filler).unwrap();
        }
        zip.write_all(b"</sheetData></worksheet>").unwrap();
        zip.finish().unwrap();
    }
    out.into_inner()
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

fn write_common<W: Write + std::io::Seek>(zip: &mut ZipWriter<W>, shared: Option<&str>) {
    for (name, body) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ] {
        zip.start_file(name, deflated()).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    if let Some(s) = shared {
        zip.start_file("xl/sharedStrings.xml", deflated()).unwrap();
        zip.write_all(s.as_bytes()).unwrap();
    }
}

fn zipped(sheet: &str, shared: Option<&str>) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = ZipWriter::new(&mut out);
        write_common(&mut zip, shared);
        zip.start_file("xl/worksheets/sheet1.xml", deflated())
            .unwrap();
        zip.write_all(sheet.as_bytes()).unwrap();
        zip.finish().unwrap();
    }
    out.into_inner()
}

/// A shared-string part declaring `claimed` strings and holding `held` of them.
pub fn shared_strings(claimed: u64, held: usize) -> String {
    let mut s = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{claimed}" uniqueCount="{claimed}">"#
    );
    for i in 0..held {
        s.push_str(&format!("<si><t>{i}</t></si>"));
    }
    s.push_str("</sst>");
    s
}

/// The far-corner bomb of the security review: a header at A1 and one value at XFD1048576.
pub fn far_corner() -> Vec<u8> {
    workbook(
        Some("A1:XFD1048576"),
        &[
            row(1, &[cell("A1", "姓名")]),
            row(1_048_576, &[cell("XFD1048576", "x")]),
        ],
        None,
    )
}

/// A small valid roster: a header and a few members.
pub fn small_roster() -> Vec<u8> {
    workbook(
        Some("A1:C3"),
        &[
            row(
                1,
                &[
                    cell("A1", "姓名"),
                    cell("B1", "公民身份号码"),
                    cell("C1", "入党日期"),
                ],
            ),
            row(
                2,
                &[
                    cell("A2", "张三"),
                    cell("B2", "11010519491231002X"),
                    num("C2", 31118.0),
                ],
            ),
            row(
                3,
                &[
                    cell("A3", "李四"),
                    cell("B3", "110105194912310038"),
                    cell("C3", "2001-07-01"),
                ],
            ),
        ],
        None,
    )
}

/// The process's peak resident set so far (VmHWM), in KiB.
pub fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// The same zip with every entry's declared inflated size (local header and central
/// directory) replaced by 1,000 bytes: a zip bomb lies about its sizes.
pub fn lying_sizes(mut bytes: Vec<u8>) -> Vec<u8> {
    let mut i = 0;
    while i + 30 <= bytes.len() {
        let at = match &bytes[i..i + 4] {
            b"PK\x03\x04" => Some(i + 22),
            b"PK\x01\x02" => Some(i + 24),
            _ => None,
        };
        if let Some(at) = at {
            bytes[at..at + 4].copy_from_slice(&1000u32.to_le_bytes());
        }
        i += 1;
    }
    bytes
}

/// A workbook whose sheet part is `sheet` and shared-string part `shared`, as given (for
/// mutating the XML itself: a mutated zip mostly fails its checksum before any XML is read).
pub fn workbook_with_parts(sheet: &[u8], shared: &[u8]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = ZipWriter::new(&mut out);
        write_common(&mut zip, None);
        zip.start_file("xl/sharedStrings.xml", deflated()).unwrap();
        zip.write_all(shared).unwrap();
        zip.start_file("xl/worksheets/sheet1.xml", deflated())
            .unwrap();
        zip.write_all(sheet).unwrap();
        zip.finish().unwrap();
    }
    out.into_inner()
}

/// The sheet XML of a small roster using shared strings 0..3, and that table.
pub fn roster_parts() -> (String, String) {
    let sheet = format!(
        r#"{SHEET_HEAD}<dimension ref="A1:C3"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="inlineStr"><is><t>11010519491231002X</t></is></c><c r="C2" s="0"><v>31118</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>李四</t></is></c></row></sheetData><mergeCells count="1"><mergeCell ref="C2:C3"/></mergeCells></worksheet>"#
    );
    let shared = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4"><si><t>姓名</t></si><si><t>公民身份号码</t></si><si><t>入党日期</t></si><si><r><t>张</t></r><r><t>三</t></r></si></sst>"#.to_string();
    (sheet, shared)
}
