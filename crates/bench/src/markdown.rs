//! The run's figures as the Markdown of docs/PERFORMANCE.md ("All figures"): one section
//! per data set (generation, rating, the report table, the import, the HTTP table) and the
//! targets. Written beside `results-latest.json` as `results-latest.md`, so the document's
//! tables are copied from a run, not typed.

use std::fmt::Write;

use crate::data::{Backend, Size};
use crate::{Section, Target};

/// `n` with thousands separators and `decimals` decimals: 12,345.67.
pub fn thousands(n: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, n.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s, None),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    if n < 0.0 && out.chars().any(|c| c != '0' && c != '.' && c != ',') {
        out.insert(0, '-');
    }
    out
}

/// A speed-up: one decimal below 10×, none above.
fn times(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.1}×")
    } else {
        format!("{}×", thousands(x, 0))
    }
}

fn title(s: &Section) -> String {
    let size = match s.set.size {
        Size::County => "County",
        Size::Province => "Province",
        Size::Nation => "Nation",
    };
    let backend = match s.set.backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    format!("{size} on {backend}")
}

/// One data set's figures.
pub fn section(s: &Section) -> String {
    let mut out = String::new();
    let g = &s.set.generation;
    let _ = writeln!(out, "### {}\n", title(s));
    let _ = write!(
        out,
        "Generation: {} orgs, {} members, {} positions, {} units, {} meetings in {} s ({} rows/s)",
        thousands(g.orgs as f64, 0),
        thousands(g.members as f64, 0),
        thousands(g.positions as f64, 0),
        thousands(g.units as f64, 0),
        thousands(g.meetings as f64, 0),
        thousands(g.seconds, 0),
        thousands(g.rows_per_second, 0),
    );
    if let Some(b) = s.set.db_bytes {
        let _ = write!(out, ", database {}", size_text(b));
    }
    if let Some(m) = g.peak_memory_mib {
        let _ = write!(out, ", peak memory {} MiB", thousands(m, 0));
    }
    if !g.built_on.is_empty() {
        let _ = write!(out, " (built {})", g.built_on);
    }
    out.push('.');
    if !g.phases.is_empty() {
        let mut phases: Vec<(&String, &f64)> = g.phases.iter().collect();
        phases.sort_by(|a, b| b.1.total_cmp(a.1));
        let list: Vec<String> = phases
            .iter()
            .map(|(k, v)| format!("{k} {} s", thousands(**v, 0)))
            .collect();
        let _ = write!(out, "  \nPhases: {}.", list.join(", "));
    }
    out.push_str("\n\n");
    if let Some((secs, rated, suspected)) = s.rating {
        let _ = writeln!(
            out,
            "Rating and diagnosis of the whole set for the year (`jiceng rate` at the root): \
             {} orgs rated, {} with a suspected weakness, **{secs:.1} s**.\n",
            thousands(rated as f64, 0),
            thousands(suspected as f64, 0),
        );
    }
    if let Some(b) = &s.recruitment_branch {
        let _ = writeln!(
            out,
            "Recruitment (发展党员) at the branch level: {} {}, the branch with the most \
             applicants ({} applicants, {} members); the obvious way judges every applicant \
             of the subtree on today from all their steps (`run_live`).\n",
            b.code,
            b.name,
            thousands(b.applicants as f64, 0),
            thousands(b.members as f64, 0),
        );
    }
    if !s.reports.is_empty() {
        out.push_str(
            "| report | level | cold ms | warm p50 ms | warm p99 ms | JSON KiB | obvious ms | speed-up |\n\
             |---|---|--:|--:|--:|--:|--:|--:|\n",
        );
        for t in &s.reports {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                t.report,
                match &t.org {
                    Some(o) => format!("{} ({o})", t.level),
                    None => t.level.to_string(),
                },
                thousands(t.cold_ms, 2),
                thousands(t.p50_ms, 2),
                thousands(t.p99_ms, 2),
                thousands(t.json_bytes as f64 / 1024.0, 0),
                t.obvious_ms.map(|o| thousands(o, 1)).unwrap_or_default(),
                t.speedup().map(times).unwrap_or_default(),
            );
        }
        out.push('\n');
    }
    if let Some(i) = &s.import {
        let stages: Vec<String> = i
            .stages
            .iter()
            .map(|(k, v)| format!("{k} {v:.2} s"))
            .collect();
        let _ = writeln!(
            out,
            "Roster import ({} rows, .xlsx, into a copy of the set under the county): {:.1} s = \
             **{} rows/s**; parsing alone {:.2} s; ratio **{:.1}×**. Stages: {}.\n",
            thousands(i.rows as f64, 0),
            i.import_seconds,
            thousands(i.rows_per_second, 0),
            i.parse_seconds,
            i.ratio_to_parse,
            stages.join(", "),
        );
    }
    if !s.http.is_empty() {
        out.push_str(
            "| endpoint (wrk, 64 connections) | first answer ms | req/s | p50 ms | p99 ms | errors |\n\
             |---|--:|--:|--:|--:|--:|\n",
        );
        for h in &s.http {
            let _ = writeln!(
                out,
                "| {} `{}` | {} | {} | {} | {} | {} |",
                h.endpoint,
                h.path,
                thousands(h.first_ms, 1),
                thousands(h.requests_per_second, 0),
                thousands(h.p50_ms, 2),
                thousands(h.p99_ms, 2),
                h.errors,
            );
        }
        out.push('\n');
        if let Some(p) = s.server_peak_mib {
            let _ = writeln!(
                out,
                "Server peak memory during the load: {} MiB.\n",
                thousands(p, 0)
            );
        }
    }
    if let Some(n) = &s.http_note {
        let _ = writeln!(out, "{n}.\n");
    }
    out
}

fn size_text(bytes: u64) -> String {
    let mib = bytes as f64 / 1048576.0;
    if mib >= 1024.0 {
        format!("{:.1} GiB", mib / 1024.0)
    } else {
        format!("{} MiB", thousands(mib, 0))
    }
}

/// The targets as a list: met, or missed and by how much.
pub fn targets(ts: &[Target]) -> String {
    let mut out = String::new();
    for t in ts {
        let _ = writeln!(
            out,
            "- {} {}: {} (target {}){}",
            if t.met { "met —" } else { "**missed** —" },
            t.what,
            t.measured,
            t.limit,
            t.shortfall
                .as_ref()
                .map(|s| format!(": {s}"))
                .unwrap_or_default()
        );
    }
    out
}

/// The whole run: every section, then the targets.
pub fn render(machine: &str, at: &str, sections: &[Section], ts: &[Target]) -> String {
    let mut out = format!("<!-- jiceng bench, {at}; {machine} -->\n\n");
    for s in sections {
        out.push_str(&section(s));
    }
    if !ts.is_empty() {
        out.push_str("#### Targets\n\n");
        out.push_str(&targets(ts));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.0, 0), "0");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(1000.0, 0), "1,000");
        assert_eq!(thousands(7_082_880.0, 0), "7,082,880");
        assert_eq!(thousands(18_040.044, 2), "18,040.04");
        assert_eq!(thousands(-1234.5, 1), "-1,234.5");
        assert_eq!(thousands(0.155, 2), "0.15");
    }

    #[test]
    fn a_row_asked_elsewhere_says_where() {
        use crate::asked::Kind;
        use crate::data::{Backend, Size};
        let s = crate::tests::section_with(
            Size::County,
            Backend::Sqlite,
            &[
                (
                    Kind::RecruitmentBoard,
                    "branch",
                    1.25,
                    Some("B1 一支部（40 applicants）"),
                ),
                (Kind::Structure, "branch", 0.5, None),
            ],
        );
        let md = section(&s);
        assert!(
            md.contains("| recruitment(board) | branch (B1 一支部（40 applicants）) | 1.25 |"),
            "{md}"
        );
        assert!(md.contains("| structure | branch | 0.50 |"), "{md}");
    }

    #[test]
    fn speedups_keep_a_decimal_only_when_small() {
        assert_eq!(times(0.84), "0.8×");
        assert_eq!(times(9.94), "9.9×");
        assert_eq!(times(3501.2), "3,501×");
    }
}
