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
fn file_name(stem: &str, ext: &str) -> String {
    let clean: String = stem
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c => c,
        })
        .collect();
    format!("{clean}.{ext}")
}
