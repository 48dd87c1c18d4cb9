//! Reading a file's rows: the table of data rows under the located header, the checks
//! of one row (`RowCheck`: a cell required, parsed, a label, a date, a count), and each
//! import's columns written once (`columns!`).

use super::*;

/// A data row: its spreadsheet row number and one cell per column spec.
pub(crate) struct DataRow {
    pub number: usize,
    pub cells: Vec<Cell>,
    /// The row's 姓名 (the import's column of that name), shown beside its errors.
    pub name: Option<String>,
}

pub(crate) struct Table {
    pub rows: Vec<DataRow>,
    /// The column titles as the file wrote them (the spec name where absent).
    pub titles: Vec<String>,
}

/// The file's data rows, one cell per spec. The cells are moved out of the grid row by
/// row, not copied: the grid and the table are never both held whole.
pub(crate) fn read_table(app: &App, path: &Path, specs: &[ColumnSpec]) -> Result<Table> {
    read_table_with(app, path, specs, &[])
}

/// [`read_table`] with columns named at run time after the specs (a task's items): each
/// found in the header row the specs located, by its title as written or as cleaned
/// (`jiceng_io::header::clean_header`), among the columns no spec took; every one is
/// required. Their cells follow the specs' in each row.
pub(crate) fn read_table_with(
    app: &App,
    path: &Path,
    specs: &[ColumnSpec],
    extra: &[String],
) -> Result<Table> {
    let limits = app.read_limits.clone().unwrap_or_else(configured_limits);
    let grid = read_grid_with(path, &limits)?;
    let header = locate_header(&grid, specs)?;
    let mut titles: Vec<String> = specs
        .iter()
        .zip(&header.titles)
        .map(|(s, t)| t.clone().unwrap_or_else(|| s.name.to_string()))
        .collect();
    let mut columns = header.columns.clone();
    if !extra.is_empty() {
        let row = &grid.rows[header.header_index];
        let text = |i: usize| match &row.cells[i] {
            Cell::Text(t) => Some(t.trim()),
            _ => None,
        };
        let clean = jiceng_io::header::clean_header;
        let mut missing = Vec::new();
        for name in extra {
            let free = |i: &usize| !columns.contains(&Some(*i));
            let found = (0..row.cells.len())
                .filter(free)
                .find(|&i| text(i) == Some(name.trim()))
                .or_else(|| {
                    (0..row.cells.len())
                        .filter(free)
                        .find(|&i| text(i).is_some_and(|t| clean(t) == clean(name)))
                });
            match found {
                Some(i) => {
                    titles.push(text(i).unwrap_or(name).to_string());
                    columns.push(Some(i));
                }
                None => missing.push(name.as_str()),
            }
        }
        if !missing.is_empty() {
            return Err(jiceng_io::HeaderError::Missing {
                file: grid.file.clone(),
                row: row.number,
                missing: missing.join("、"),
            }
            .into());
        }
    }
    let name_col = specs.iter().position(|s| s.name == "姓名");
    let rows = grid
        .rows
        .into_iter()
        .skip(header.header_index + 1)
        .map(|mut r| {
            let cells: Vec<Cell> = columns
                .iter()
                .map(|c| {
                    c.and_then(|i| {
                        r.cells
                            .get_mut(i)
                            .map(|c| std::mem::replace(c, Cell::Empty))
                    })
                    .unwrap_or(Cell::Empty)
                })
                .collect();
            let name = name_col.and_then(|i| match &cells[i] {
                Cell::Text(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
                _ => None,
            });
            DataRow {
                number: r.number,
                cells,
                name,
            }
        })
        .collect();
    Ok(Table { rows, titles })
}

/// Collects the errors of one row while its cells are parsed.
pub(crate) struct RowCheck<'a> {
    pub number: usize,
    name: Option<&'a str>,
    cells: &'a [Cell],
    titles: &'a [String],
    pub errors: Vec<RowError>,
}

impl<'a> RowCheck<'a> {
    pub fn new(row: &'a DataRow, titles: &'a [String]) -> RowCheck<'a> {
        RowCheck {
            number: row.number,
            name: row.name.as_deref(),
            cells: &row.cells,
            titles,
            errors: Vec::new(),
        }
    }

    pub fn error(&mut self, col: usize, message: impl Into<String>) {
        self.errors.push(RowError {
            row: self.number,
            column: self.titles[col].clone(),
            message: short_message(message.into()),
            name: self.name.map(str::to_string),
        });
    }

    /// Reports every cell of `limits` longer than its field allows, named by the file's
    /// own column title: 「姓名」过长（10000字，最多50字）.
    pub fn lengths(&mut self, limits: &[(usize, jiceng_domain::text::TextField)]) {
        for (col, field) in limits {
            if let Cell::Text(t) = &self.cells[*col] {
                if let Err(m) = field.check_as(&self.titles[*col], t) {
                    self.error(*col, m);
                }
            }
        }
    }

    /// The cell as text (numbers without a fraction written as integers), or `None` if empty.
    pub fn text(&self, col: usize) -> Option<String> {
        match &self.cells[col] {
            Cell::Empty => None,
            Cell::Text(s) => Some(s.clone()).filter(|s| !s.is_empty()),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", *n as i64)),
            Cell::Number(n) => Some(n.to_string()),
            Cell::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
            Cell::Bool(b) => Some(if *b { "是" } else { "否" }.to_string()),
        }
    }

    /// A required text cell.
    pub fn required(&mut self, col: usize) -> Option<String> {
        let v = self.text(col);
        if v.is_none() {
            self.error(col, "必填项为空");
        }
        v
    }

    /// A required cell read by `parse`; what it refuses is the cell's error.
    pub fn required_as<T, E: Into<String>>(
        &mut self,
        col: usize,
        parse: impl FnOnce(&str) -> std::result::Result<T, E>,
    ) -> Option<T> {
        let v = self.required(col);
        self.parsed(col, v, parse)
    }

    /// An optional cell read by `parse`; what it refuses is the cell's error.
    pub fn text_as<T, E: Into<String>>(
        &mut self,
        col: usize,
        parse: impl FnOnce(&str) -> std::result::Result<T, E>,
    ) -> Option<T> {
        let v = self.text(col);
        self.parsed(col, v, parse)
    }

    fn parsed<T, E: Into<String>>(
        &mut self,
        col: usize,
        value: Option<String>,
        parse: impl FnOnce(&str) -> std::result::Result<T, E>,
    ) -> Option<T> {
        match parse(&value?) {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(col, e);
                None
            }
        }
    }

    /// A required cell holding one of the labels `parse` knows; another is the cell's
    /// error, `unknown(text)`.
    pub fn required_label<T>(
        &mut self,
        col: usize,
        parse: impl FnOnce(&str) -> Option<T>,
        unknown: impl FnOnce(&str) -> String,
    ) -> Option<T> {
        self.required_as(col, |s| parse(s).ok_or_else(|| unknown(s)))
    }

    /// An optional cell holding one of the labels `parse` knows; another is the cell's
    /// error, `unknown(text)`.
    pub fn text_label<T>(
        &mut self,
        col: usize,
        parse: impl FnOnce(&str) -> Option<T>,
        unknown: impl FnOnce(&str) -> String,
    ) -> Option<T> {
        self.text_as(col, |s| parse(s).ok_or_else(|| unknown(s)))
    }

    /// An optional date; a malformed one is an error.
    pub fn date(&mut self, col: usize) -> Option<chrono::NaiveDate> {
        if matches!(self.cells[col], Cell::Empty) {
            return None;
        }
        match jiceng_io::parse_date(&self.cells[col]) {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(col, e);
                None
            }
        }
    }

    pub fn required_date(&mut self, col: usize) -> Option<chrono::NaiveDate> {
        if matches!(self.cells[col], Cell::Empty) {
            self.error(col, "必填项为空");
            return None;
        }
        self.date(col)
    }

    /// An optional whole number ≥ 0.
    pub fn count(&mut self, col: usize) -> Option<i64> {
        if matches!(self.cells[col], Cell::Empty) {
            return None;
        }
        match jiceng_io::parse_int(&self.cells[col]) {
            Ok(n) if n >= 0 => Some(n),
            Ok(n) => {
                self.error(col, format!("不能为负数：{n}"));
                None
            }
            Err(e) => {
                self.error(col, e);
                None
            }
        }
    }

    /// 是/否 and the usual variants; empty is `None`.
    pub fn yes_no(&mut self, col: usize) -> Option<bool> {
        let t = self.text(col)?;
        match t.as_str() {
            "是" | "有" | "已设立" | "设立" | "Y" | "y" | "yes" | "1" | "√" | "是的" => {
                Some(true)
            }
            "否" | "无" | "未设立" | "不设" | "N" | "n" | "no" | "0" | "×" => Some(false),
            _ => {
                self.error(col, format!("应填“是”或“否”：{t}"));
                None
            }
        }
    }
}

/// The columns of an import, written once: an index constant for each (its place in the
/// table) and the table `COLUMNS` the header is located by, so the two cannot drift apart.
/// `NAME = required("名称", ["别名", …])` or `optional(…)`.
macro_rules! columns {
    ($($col:ident = $kind:ident($name:literal, [$($alias:literal),* $(,)?]),)*) => {
        $crate::import::columns!(@index 0usize, $($col)*);
        pub const COLUMNS: [jiceng_io::ColumnSpec; [$(stringify!($col)),*].len()] =
            [$($crate::import::$kind($name, &[$($alias),*]),)*];
    };
    (@index $n:expr, $col:ident $($rest:ident)*) => {
        const $col: usize = $n;
        $crate::import::columns!(@index $n + 1, $($rest)*);
    };
    (@index $n:expr,) => {};
}
pub(crate) use columns;

/// A column every row must fill, found by its name or one of its aliases.
pub(crate) const fn required(name: &'static str, aliases: &'static [&'static str]) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases,
        required: true,
    }
}

/// A column that may be absent or empty.
pub(crate) const fn optional(name: &'static str, aliases: &'static [&'static str]) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases,
        required: false,
    }
}
