//! Checks an .xls (BIFF in an OLE compound file) before calamine opens it. calamine parses
//! every sheet when it opens the workbook and gives each a dense range over the bounding
//! box of its cells, after reserving what the sheet's DIMENSIONS record claims; there is no
//! streaming reader. So the workbook stream's records are walked here first, and a sheet
//! whose claim or whose cells' bounding box is beyond the caps is refused.

use std::io::{Cursor, Read};

use crate::limits::{column_name, ReadLimits};

pub(crate) enum BiffProblem {
    Broken(String),
    Limit(String),
}

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const DIMENSIONS: u16 = 0x0200;
const MULRK: u16 = 0x00BD;
const BOUNDSHEET: u16 = 0x0085;
/// Records whose first four bytes are the cell's row and column (u16 each).
const CELL_RECORDS: [u16; 9] = [
    0x0201, 0x0203, 0x0204, 0x00D6, 0x0205, 0x0006, 0x027E, 0x00FD, 0x0207,
];

#[derive(Default)]
struct Sheet {
    claim: u64,
    min_row: u32,
    max_row: u32,
    min_col: u32,
    max_col: u32,
    cells: u64,
}

impl Sheet {
    fn record(&mut self, typ: u16, data: &[u8], limits: &ReadLimits) -> Result<(), BiffProblem> {
        match typ {
            DIMENSIONS => {
                let (rf, rl, mut cf, cl) = match data.len() {
                    10 => (
                        u32::from(u16_at(data, 0)),
                        u32::from(u16_at(data, 2)),
                        u32::from(u16_at(data, 4)),
                        u32::from(u16_at(data, 6)),
                    ),
                    14 | 16 => (
                        u32_at(data, 0),
                        u32_at(data, 4),
                        u32::from(u16_at(data, 8)),
                        u32::from(u16_at(data, 10)),
                    ),
                    _ => return Ok(()),
                };
                // As calamine reads it (xls.rs, parse_dimensions), then what it reserves.
                if 0xFF < cf || cl < cf {
                    cf = 0;
                }
                let claim = if rl >= 1 && cl >= 1 {
                    if rf > rl - 1 || cf > cl - 1 {
                        return Err(BiffProblem::Broken(
                            "工作表的尺寸记录无效，文件可能已损坏".to_string(),
                        ));
                    }
                    u64::from(rl - rf) * u64::from(cl - cf)
                } else {
                    1
                };
                self.claim = self.claim.max(claim);
            }
            t if CELL_RECORDS.contains(&t) && data.len() >= 4 => {
                self.cell(
                    u32::from(u16_at(data, 0)),
                    u32::from(u16_at(data, 2)),
                    limits,
                )?;
            }
            MULRK if data.len() >= 6 => {
                let row = u32::from(u16_at(data, 0));
                self.cell(row, u32::from(u16_at(data, 2)), limits)?;
                self.cell(row, u32::from(u16_at(data, data.len() - 2)), limits)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn cell(&mut self, row: u32, col: u32, limits: &ReadLimits) -> Result<(), BiffProblem> {
        if row as usize >= limits.max_rows || col as usize >= limits.max_columns {
            return Err(BiffProblem::Limit(format!(
                "单元格 {}{} 超出范围（上限 {} 行、{} 列）",
                column_name(col as usize),
                u64::from(row) + 1,
                limits.max_rows,
                limits.max_columns
            )));
        }
        if self.cells == 0 {
            (self.min_row, self.max_row, self.min_col, self.max_col) = (row, row, col, col);
        } else {
            self.min_row = self.min_row.min(row);
            self.max_row = self.max_row.max(row);
            self.min_col = self.min_col.min(col);
            self.max_col = self.max_col.max(col);
        }
        self.cells += 1;
        Ok(())
    }

    fn area(&self) -> u64 {
        if self.cells == 0 {
            return 0;
        }
        u64::from(self.max_row - self.min_row + 1) * u64::from(self.max_col - self.min_col + 1)
    }
}

pub(crate) fn check(bytes: &[u8], limits: &ReadLimits) -> Result<(), BiffProblem> {
    let broken = |e: std::io::Error| {
        BiffProblem::Broken(format!(
            "不是有效的 .xls 文件，文件可能不完整或已损坏（{e}）"
        ))
    };
    let mut cf = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(broken)?;
    let name = if cf.is_stream("/Workbook") {
        "/Workbook"
    } else if cf.is_stream("/Book") {
        "/Book"
    } else {
        // calamine reports the missing workbook stream itself.
        return Ok(());
    };
    let mut stream = Vec::new();
    cf.open_stream(name)
        .map_err(broken)?
        .take(bytes.len() as u64 + 1)
        .read_to_end(&mut stream)
        .map_err(broken)?;

    // The sheets calamine will parse: one per BOUNDSHEET record of the globals, each read
    // from its offset to its EOF (several records may name the same offset: each counts).
    let mut offsets = Vec::new();
    let mut pos = 0usize;
    while let Some((typ, data, next)) = record(&stream, pos) {
        pos = next;
        match typ {
            BOUNDSHEET if data.len() >= 4 => offsets.push(u32_at(data, 0) as usize),
            EOF => break,
            _ => {}
        }
    }
    // A legitimate workbook walks each sheet once; offsets that overlap would make this walk
    // (and calamine's) repeat work, so the total walked is bounded by a few passes.
    let mut budget = stream.len().saturating_mul(4).saturating_add(1 << 20);
    let mut sheets: Vec<Sheet> = Vec::new();
    for start in offsets {
        let mut sheet = Sheet::default();
        let mut pos = start;
        let mut depth = 0usize;
        let mut seen_bof = false;
        if start > stream.len() {
            return Err(BiffProblem::Broken(
                "工作表的位置超出了文件范围，文件可能不完整或已损坏".to_string(),
            ));
        }
        while let Some((typ, data, next)) = record(&stream, pos) {
            budget = budget.checked_sub(next - pos).ok_or_else(|| {
                BiffProblem::Broken("工作表记录相互重叠，文件可能已损坏".to_string())
            })?;
            pos = next;
            if depth > 0 {
                match typ {
                    BOF => depth += 1,
                    EOF => depth -= 1,
                    _ => {}
                }
                // calamine skips nested substreams (charts); their cells are counted here
                // all the same: the check may only overestimate.
                sheet.record(typ, data, limits)?;
                continue;
            }
            match typ {
                BOF if seen_bof => depth = 1,
                BOF => seen_bof = true,
                EOF => break,
                _ => sheet.record(typ, data, limits)?,
            }
        }
        sheets.push(sheet);
    }
    let total = sheets
        .iter()
        .fold(0u64, |sum, s| sum.saturating_add(s.claim.max(s.area())));
    if total > limits.max_cells as u64 {
        return Err(BiffProblem::Limit(format!(
            "工作表的范围共 {total} 个单元格（含空白），超过上限 {} 个",
            limits.max_cells
        )));
    }
    Ok(())
}

/// The record at `pos`: its type, its data (cut at the stream's end) and the next position.
fn record(stream: &[u8], pos: usize) -> Option<(u16, &[u8], usize)> {
    if pos.checked_add(4)? > stream.len() {
        return None;
    }
    let typ = u16_at(stream, pos);
    let len = usize::from(u16_at(stream, pos + 2));
    let end = (pos + 4 + len).min(stream.len());
    Some((typ, &stream[pos + 4..end], pos + 4 + len))
}

fn u16_at(d: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([d[i], d[i + 1]])
}

fn u32_at(d: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]])
}
