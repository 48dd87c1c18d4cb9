//! The division skeleton: provinces, cities, counties, townships/streets, villages/communities.

use std::path::Path;

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

impl Divisions {
    /// The one county embedded in the binary (so the demo needs nothing outside the repo).
    pub fn embedded_county() -> Divisions {
        todo!("H3")
    }

    /// Reads the gzip'd CSV tables from `dir` (the layout of `shared/data/divisions`),
    /// keeping only divisions whose code starts with `prefix` (and their ancestors);
    /// `None` keeps the nation.
    pub fn load(dir: &Path, prefix: Option<&str>) -> Result<Divisions, DivisionsError> {
        let _ = (dir, prefix);
        todo!("H3")
    }
}
