//! Synthetic data for demos, tests and benchmarks: orgs, members, positions and units on
//! the real statistical division skeleton, deterministic for a seed. Every person is
//! invented; names are drawn from common surname and given-name characters.

pub mod divisions;
pub mod generator;

pub use divisions::{Divisions, DivisionsError};
pub use generator::{Batch, GenOptions, Generator, IdBase, NewOrg};
