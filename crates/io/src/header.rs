//! Finding the header row and the columns by name.

use crate::{Cell, Grid};

/// A column the importer knows: its canonical name and the aliases real rosters use.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// Where the header is and which spreadsheet column holds each spec (by index into
/// `specs`; `None` when absent).
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderMatch {
    /// Index into `Grid::rows` of the header row; data rows follow it.
    pub header_index: usize,
    /// For each spec, the cell index in a row.
    pub columns: Vec<Option<usize>>,
    /// For each spec, the header text as the file wrote it (for error messages).
    pub titles: Vec<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HeaderError {
    #[error("文件 {file} 中找不到表头行（应包含列：{expected}）")]
    NotFound { file: String, expected: String },
    #[error("文件 {file} 第{row}行表头缺少必填列：{missing}")]
    Missing {
        file: String,
        row: usize,
        missing: String,
    },
}

/// Looks in the first 20 rows for the row that matches the most specs (title rows above
/// it are skipped). Header cells match a spec when, after removing spaces, `*`, `＊`,
/// brackets and notes like "（必填）" or "(yyyy-mm-dd)", they equal its name or an alias.
pub fn locate_header(grid: &Grid, specs: &[ColumnSpec]) -> Result<HeaderMatch, HeaderError> {
    let wanted: Vec<Vec<String>> = specs
        .iter()
        .map(|spec| {
            std::iter::once(spec.name)
                .chain(spec.aliases.iter().copied())
                .map(|n| n.chars().filter(|c| !c.is_whitespace()).collect::<String>())
                .filter(|n| !n.is_empty())
                .collect()
        })
        .collect();

    let mut best: Option<(usize, usize, Vec<Option<usize>>)> = None;
    for (index, row) in grid.rows.iter().take(HEADER_SCAN_ROWS).enumerate() {
        let cleaned: Vec<Option<String>> = row.cells.iter().map(clean_cell).collect();
        let columns = match_columns(&cleaned, &wanted);
        let count = columns.iter().filter(|c| c.is_some()).count();
        if best
            .as_ref()
            .is_none_or(|(_, best_count, _)| count > *best_count)
        {
            best = Some((index, count, columns));
        }
    }

    let needed = specs.len().min(2);
    let (header_index, columns) = match best {
        Some((index, count, columns)) if count >= needed => (index, columns),
        _ => {
            return Err(HeaderError::NotFound {
                file: grid.file.clone(),
                expected: specs.iter().map(|s| s.name).collect::<Vec<_>>().join("、"),
            })
        }
    };

    let missing: Vec<&str> = specs
        .iter()
        .zip(&columns)
        .filter(|(spec, col)| spec.required && col.is_none())
        .map(|(spec, _)| spec.name)
        .collect();
    let row = &grid.rows[header_index];
    if !missing.is_empty() {
        return Err(HeaderError::Missing {
            file: grid.file.clone(),
            row: row.number,
            missing: missing.join("、"),
        });
    }

    let titles = columns
        .iter()
        .map(|col| {
            col.and_then(|c| match &row.cells[c] {
                Cell::Text(t) => Some(t.clone()),
                _ => None,
            })
        })
        .collect();
    Ok(HeaderMatch {
        header_index,
        columns,
        titles,
    })
}

/// How many rows (after blank rows are dropped) may precede and include the header.
pub const HEADER_SCAN_ROWS: usize = 20;

/// For each spec (its cleaned name and aliases), the first column not taken by an earlier
/// spec whose cleaned header text matches.
fn match_columns(cleaned: &[Option<String>], wanted: &[Vec<String>]) -> Vec<Option<usize>> {
    let mut taken = vec![false; cleaned.len()];
    wanted
        .iter()
        .map(|names| {
            let col = cleaned.iter().enumerate().position(|(i, cell)| {
                !taken[i]
                    && cell.as_deref().is_some_and(|text| {
                        names
                            .iter()
                            .any(|n| n == text || n.eq_ignore_ascii_case(text))
                    })
            })?;
            taken[col] = true;
            Some(col)
        })
        .collect()
}

fn clean_cell(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Text(t) => Some(clean_header(t)).filter(|c| !c.is_empty()),
        _ => None,
    }
}

/// A header cell's text as compared with column names: whitespace, `*`, `＊` and bracketed
/// notes ("(yyyy-mm-dd)", "（必填）", "[选填]", "【注】") removed, as is a trailing colon.
/// "出生日期(yyyy-mm-dd)" → "出生日期"; "* 姓 名（必填）" → "姓名".
pub fn clean_header(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '（' | '[' | '［' | '【' | '〔' | '〖' => depth += 1,
            ')' | '）' | ']' | '］' | '】' | '〕' | '〗' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '*' | '＊' => {}
            c if c.is_whitespace()
                || matches!(
                    c,
                    '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '\u{3000}' | '\u{00A0}'
                ) => {}
            c => out.push(c),
        }
    }
    let trimmed = out.trim_end_matches([':', '：']);
    trimmed.to_string()
}
