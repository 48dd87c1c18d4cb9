//! Synthetic data for demos, tests and benchmarks: orgs, members, positions and units on
//! the real statistical division skeleton, deterministic for a seed. Every person is
//! invented; names are drawn from common surname and given-name characters.
//!
//! What a county looks like (see [`generator`] for the layout of ids and codes):
//! - 县委 → 县直机关工委 (departments), 教育系统党委 (county schools, each township's
//!   中心学校 总支/党委 and its schools), 卫生健康系统党委 (hospitals, 卫生院), state
//!   enterprises, 非公有制经济组织和社会组织综合党委 (county-level enterprises, social
//!   groups, private non-enterprise units, joint branches);
//! - each township: 镇/乡党委 or 街道党工委 → 机关党支部, village and community orgs
//!   (branch / general branch / committee), a 两新组织综合党委 where there are many
//!   enterprises, enterprise and cooperative branches and joint branches;
//! - sizes scale with the county (townships + villages/15). Nationally (2,978 counties,
//!   seed 1) this gives ≈ 5.3 million grassroots orgs and ≈ 105 million members (19.6 per
//!   org, ≈ 90 % branches), ≈ 1,800 grassroots orgs and 35,000 members per county; the
//!   organization coverage of operating units matches the seed text (58.4 % non-public
//!   enterprises, 37 % social groups, 43.8 % private non-enterprise, 14.9 % cooperatives);
//! - a year of organizational life for every branch ([`meetings`]): ≈ 40 meetings a branch,
//!   most branches keeping every obligation, some missing a few, ≈ 1 % holding nothing;
//! - three years of 发展党员 ([`recruitment`]): ≈ 2.5 % of a branch's members apply each
//!   year and walk the 25 steps with real drop-off and a few records breaking a time rule.

pub mod divisions;
pub mod generator;
pub mod meetings;
mod names;
pub mod recruitment;
mod rng;
mod tables;
pub mod training;

pub use divisions::{Divisions, DivisionsError};

/// Who recorded the generated meetings, trainings and 发展 steps, as their pages show it (a
/// person's name would pretend someone did; a code like "gen" means nothing to a reader).
pub const RECORDED_BY: &str = "演示数据（系统生成）";
pub use generator::{Batch, GenOptions, Generator, IdBase, NewOrg};
