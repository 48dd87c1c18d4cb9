//! The division skeleton: provinces, cities, counties, townships/streets, villages/communities.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use flate2::read::GzDecoder;

#[derive(Debug, Clone, PartialEq)]
pub struct Division {
    /// 2, 4, 6, 9 or 12 digits as in the NBS tables.
    pub code: String,
    pub name: String,
    /// The code of the division above (empty for provinces).
    pub parent: String,
}

/// The divisions of one region (or the nation), parents before children.
#[derive(Debug, Clone, Default)]
pub struct Divisions {
    pub provinces: Vec<Division>,
    pub cities: Vec<Division>,
    pub counties: Vec<Division>,
    /// 乡、镇、街道 (9 digits).
    pub townships: Vec<Division>,
    /// 村委会、居委会 (12 digits).
    pub villages: Vec<Division>,
}

#[derive(Debug, thiserror::Error)]
pub enum DivisionsError {
    #[error("区划数据目录 {dir} 读取失败：{reason}")]
    Read { dir: String, reason: String },
    #[error("区划代码前缀 {prefix} 没有匹配的区划")]
    NoMatch { prefix: String },
}

/// The embedded county: 汶上县 (370830) of 济宁市, 山东省 — 15 townships and streets
/// (11 镇, 1 乡, 3 街道) and 372 villages and communities.
///
/// `data/county.csv` holds its rows as `level,code,name,parent`, extracted from
/// `shared/data/divisions` (NBS 2023) by `Divisions::load(dir, Some("370830"))` and
/// [`Divisions::to_csv`]. The ignored test `divisions::tests::extract_embedded_county`
/// rewrites it; `embedded_county_matches_the_tables` checks it still matches the tables
/// when they are present.
pub const EMBEDDED_COUNTY_CODE: &str = "370830";
const EMBEDDED_COUNTY_CSV: &str = include_str!("../data/county.csv");

/// The tables and their parent column, in level order.
const LEVELS: [(&str, &str, Option<&str>); 5] = [
    ("province", "provinces.csv.gz", None),
    ("city", "cities.csv.gz", Some("provinceCode")),
    ("county", "areas.csv.gz", Some("cityCode")),
    ("township", "streets.csv.gz", Some("areaCode")),
    ("village", "villages.csv.gz", Some("streetCode")),
];

impl Divisions {
    /// The one county embedded in the binary (so the demo needs nothing outside the repo).
    pub fn embedded_county() -> Divisions {
        Divisions::from_csv(EMBEDDED_COUNTY_CSV).expect("embedded county.csv is well formed")
    }

    /// Reads the gzip'd CSV tables from `dir` (the layout of `shared/data/divisions`),
    /// keeping only divisions whose code starts with `prefix` (and their ancestors);
    /// `None` keeps the nation.
    pub fn load(dir: &Path, prefix: Option<&str>) -> Result<Divisions, DivisionsError> {
        let prefix = prefix.unwrap_or("").trim();
        let mut out = Divisions::default();
        let mut matched = false;
        for (i, (_, file, parent_col)) in LEVELS.iter().enumerate() {
            let rows = read_table(dir, file, *parent_col, prefix, &mut matched)?;
            *out.level_mut(i) = rows;
        }
        if !matched {
            return Err(DivisionsError::NoMatch {
                prefix: prefix.to_string(),
            });
        }
        Ok(out)
    }

    /// All divisions in level order as `level,code,name,parent` CSV (the embedded format).
    pub fn to_csv(&self) -> String {
        let mut s = String::from("level,code,name,parent\n");
        for (i, (level, _, _)) in LEVELS.iter().enumerate() {
            for d in self.level(i) {
                s.push_str(&format!("{level},{},{},{}\n", d.code, d.name, d.parent));
            }
        }
        s
    }

    /// Parses the `level,code,name,parent` CSV written by [`Divisions::to_csv`].
    pub fn from_csv(text: &str) -> Result<Divisions, String> {
        let mut out = Divisions::default();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        for (line, row) in reader.records().enumerate() {
            let row = row.map_err(|e| format!("第{}行：{e}", line + 2))?;
            let level = row.get(0).unwrap_or("");
            let i = LEVELS
                .iter()
                .position(|(l, _, _)| *l == level)
                .ok_or_else(|| format!("第{}行：未知的层级 {level}", line + 2))?;
            out.level_mut(i).push(Division {
                code: row.get(1).unwrap_or("").to_string(),
                name: row.get(2).unwrap_or("").to_string(),
                parent: row.get(3).unwrap_or("").to_string(),
            });
        }
        Ok(out)
    }

    /// Divisions in total.
    pub fn len(&self) -> usize {
        (0..LEVELS.len()).map(|i| self.level(i).len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn level(&self, i: usize) -> &Vec<Division> {
        match i {
            0 => &self.provinces,
            1 => &self.cities,
            2 => &self.counties,
            3 => &self.townships,
            _ => &self.villages,
        }
    }

    fn level_mut(&mut self, i: usize) -> &mut Vec<Division> {
        match i {
            0 => &mut self.provinces,
            1 => &mut self.cities,
            2 => &mut self.counties,
            3 => &mut self.townships,
            _ => &mut self.villages,
        }
    }
}

fn read_table(
    dir: &Path,
    file: &str,
    parent_col: Option<&str>,
    prefix: &str,
    matched: &mut bool,
) -> Result<Vec<Division>, DivisionsError> {
    let path = dir.join(file);
    let err = |reason: String| DivisionsError::Read {
        dir: dir.display().to_string(),
        reason: format!("{file}：{reason}"),
    };
    let f = File::open(&path).map_err(|e| err(e.to_string()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(GzDecoder::new(BufReader::with_capacity(1 << 16, f)));
    let headers = reader
        .byte_headers()
        .map_err(|e| err(e.to_string()))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name.as_bytes())
            .ok_or_else(|| err(format!("缺少列 {name}")))
    };
    let code_i = col("code")?;
    let name_i = col("name")?;
    let parent_i = match parent_col {
        Some(p) => Some(col(p)?),
        None => None,
    };
    let p = prefix.as_bytes();
    let mut out = Vec::new();
    let mut row = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(err(e.to_string())),
        }
        let code = row.get(code_i).unwrap_or(b"");
        let inside = code.starts_with(p);
        // Keep what matches and the ancestors of what matches.
        let ancestor = !code.is_empty() && p.starts_with(code);
        if !inside && !ancestor {
            continue;
        }
        *matched |= inside;
        let text = |i: usize| {
            std::str::from_utf8(row.get(i).unwrap_or(b""))
                .map(|s| s.trim().to_string())
                .map_err(|e| err(e.to_string()))
        };
        out.push(Division {
            code: text(code_i)?,
            name: text(name_i)?,
            parent: match parent_i {
                Some(i) => text(i)?,
                None => String::new(),
            },
        });
    }
    Ok(out)
}

/// Where the real tables are: `$JICENG_DIVISIONS_DIR`, or `shared/data/divisions` beside
/// the workspace (used by tests and examples).
pub fn default_data_dir() -> std::path::PathBuf {
    match std::env::var_os("JICENG_DIVISIONS_DIR") {
        Some(d) => d.into(),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/divisions"),
    }
}

/// The division tables for the tests that need them, or `None` with a notice on stderr
/// when they are not there — unless `JICENG_REQUIRE_DIVISIONS=1` (as `.ci/run` sets when
/// it finds them), which turns a missing table into a failure.
pub fn test_data_dir() -> Option<std::path::PathBuf> {
    let d = default_data_dir();
    if d.join("villages.csv.gz").exists() {
        return Some(d);
    }
    let required = std::env::var("JICENG_REQUIRE_DIVISIONS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "division tables not found at {} and JICENG_REQUIRE_DIVISIONS=1",
        d.display()
    );
    eprintln!(
        "SKIPPED division-data test: tables not found at {} (set JICENG_DIVISIONS_DIR; JICENG_REQUIRE_DIVISIONS=1 makes it required)",
        d.display()
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_dir() -> Option<std::path::PathBuf> {
        test_data_dir()
    }

    #[test]
    fn embedded_county_is_one_county() {
        let d = Divisions::embedded_county();
        assert_eq!(d.provinces.len(), 1);
        assert_eq!(d.cities.len(), 1);
        assert_eq!(d.counties.len(), 1);
        assert_eq!(d.counties[0].code, EMBEDDED_COUNTY_CODE);
        assert_eq!(d.counties[0].name, "汶上县");
        assert!((10..=20).contains(&d.townships.len()));
        assert!((200..=600).contains(&d.villages.len()));
        for t in &d.townships {
            assert_eq!(t.parent, EMBEDDED_COUNTY_CODE);
        }
        for v in &d.villages {
            assert!(d.townships.iter().any(|t| t.code == v.parent));
        }
        let again = Divisions::from_csv(&d.to_csv()).unwrap();
        assert_eq!(again.villages, d.villages);
    }

    #[test]
    fn embedded_county_matches_the_tables() {
        let Some(dir) = data_dir() else { return };
        let d = Divisions::load(&dir, Some(EMBEDDED_COUNTY_CODE)).unwrap();
        assert_eq!(d.to_csv(), EMBEDDED_COUNTY_CSV);
    }

    #[test]
    fn load_a_city() {
        let Some(dir) = data_dir() else { return };
        let d = Divisions::load(&dir, Some("3701")).unwrap();
        assert_eq!(d.provinces.len(), 1);
        assert_eq!(d.provinces[0].code, "37");
        assert_eq!(d.cities.len(), 1);
        assert_eq!(d.cities[0].name, "济南市");
        assert!(d.counties.len() >= 10);
        assert!(d.counties.iter().all(|c| c.code.starts_with("3701")));
        assert!(d.townships.iter().all(|c| c.code.starts_with("3701")));
        assert!(d.villages.len() > 4000);
        assert!(d
            .villages
            .iter()
            .all(|v| v.code.len() == 12 && v.code.starts_with("3701")));
        assert!(d.villages.iter().all(|v| !v.name.contains('"')));
        assert!(matches!(
            Divisions::load(&dir, Some("3799")),
            Err(DivisionsError::NoMatch { .. })
        ));
    }

    #[test]
    fn missing_dir_is_a_read_error() {
        let e = Divisions::load(Path::new("/nonexistent/divisions"), None).unwrap_err();
        assert!(matches!(e, DivisionsError::Read { .. }));
    }
}
