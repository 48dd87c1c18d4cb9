//! A paper with headings and ruled tables (a meeting's record with its sign-in sheet, a
//! register, a rectification file) opens in LibreOffice and comes out as pages: the
//! package `docx.rs` writes is one a word processor reads, not just well-formed XML.
//! Skipped without `soffice`, unless `JICENG_REQUIRE_SOFFICE=1` (CI) makes it required.

mod common;

use std::process::Command;

use jiceng_io::docx::{official_docx, Block};

#[test]
fn libreoffice_opens_a_paper_with_tables() {
    if Command::new("soffice").arg("--version").output().is_err() {
        assert!(
            std::env::var("JICENG_REQUIRE_SOFFICE").as_deref() != Ok("1"),
            "JICENG_REQUIRE_SOFFICE=1 but soffice is not installed"
        );
        eprintln!("SKIPPED: soffice not installed");
        return;
    }
    let rows: Vec<Vec<String>> = (1..=60)
        .map(|i| {
            vec![
                i.to_string(),
                format!("党员{i}"),
                "出席".into(),
                String::new(),
            ]
        })
        .collect();
    let bytes = official_docx(&[
        Block::Title("某村党支部主题党日记录".into()),
        Block::Blank,
        Block::Flush("时　　间：2026年6月15日".into()),
        Block::Heading("会议内容".into()),
        Block::Body("一、集中学习党章".into()),
        Block::Heading("签到表".into()),
        Block::Table {
            widths: vec![1, 3, 2, 4],
            header: vec![
                "序号".into(),
                "姓名".into(),
                "出席情况".into(),
                "本人签名".into(),
            ],
            rows,
        },
    ])
    .unwrap();
    let dir = common::Scratch::new("docx-tables");
    let path = dir.path("record.docx");
    std::fs::write(&path, bytes).unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path("profile").display()
    );
    let out = Command::new("soffice")
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&dir.dir)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = std::fs::read(dir.path("record.pdf")).expect("a PDF");
    let text = String::from_utf8_lossy(&pdf);
    let pages = text.matches("/Type/Page").count() - text.matches("/Type/Pages").count();
    // Sixty signature lines do not fit one A4 page: the table runs on.
    assert!(pages >= 2, "{pages} pages");
}
