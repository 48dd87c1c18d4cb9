//! Versioned migrations, applied in order and recorded. Each is one script in
//! `migrations/` written for PostgreSQL; SQLite runs the same text with its type words
//! ([`for_sqlite`]: `BIGINT` → `INTEGER`, `DOUBLE PRECISION` → `REAL`, no `COLLATE "C"`),
//! except where a script needs what SQLite cannot do (`ALTER COLUMN`): then
//! `migrations/sqlite/` holds its SQLite version.

use sqlx::Executor;

use crate::{Backend, Result, Store};

struct Migration {
    version: i64,
    name: &'static str,
    /// The script (PostgreSQL's words; SQLite's are derived).
    script: &'static str,
    /// SQLite's own script, where deriving it cannot do.
    sqlite: Option<&'static str>,
}

/// A PostgreSQL script in SQLite's words: the same tables, columns and indexes.
pub fn for_sqlite(script: &str) -> String {
    script
        .replace("DOUBLE PRECISION", "REAL")
        .replace("BYTEA", "BLOB")
        .replace("BIGINT", "INTEGER")
        .replace(" COLLATE \"C\"", "")
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        script: include_str!("../migrations/0001_foundation.sql"),
        sqlite: None,
    },
    Migration {
        version: 2,
        name: "access",
        script: include_str!("../migrations/0002_access.sql"),
        sqlite: None,
    },
    Migration {
        version: 3,
        name: "organizational_life",
        script: include_str!("../migrations/0003_organizational_life.sql"),
        sqlite: None,
    },
    Migration {
        version: 4,
        name: "rating",
        script: include_str!("../migrations/0004_rating.sql"),
        sqlite: None,
    },
    Migration {
        version: 5,
        name: "scale",
        script: include_str!("../migrations/0005_scale.sql"),
        sqlite: None,
    },
    Migration {
        version: 6,
        name: "compliance_summary",
        script: include_str!("../migrations/0006_compliance_summary.sql"),
        sqlite: None,
    },
    Migration {
        version: 7,
        name: "rating_stars",
        script: include_str!("../migrations/0007_rating_stars.sql"),
        sqlite: None,
    },
    Migration {
        version: 8,
        name: "referral",
        script: include_str!("../migrations/0008_referral.sql"),
        sqlite: None,
    },
    Migration {
        version: 9,
        name: "audit_keyed",
        script: include_str!("../migrations/0009_audit_keyed.sql"),
        sqlite: None,
    },
    Migration {
        version: 10,
        name: "login",
        script: include_str!("../migrations/0010_login.sql"),
        sqlite: None,
    },
    Migration {
        version: 11,
        name: "protected_phones",
        script: include_str!("../migrations/0011_protected_phones.sql"),
        sqlite: None,
    },
    Migration {
        version: 12,
        name: "two_factor",
        script: include_str!("../migrations/0012_two_factor.sql"),
        sqlite: None,
    },
    Migration {
        version: 13,
        name: "server_lease",
        script: include_str!("../migrations/0013_server_lease.sql"),
        sqlite: None,
    },
    Migration {
        version: 14,
        name: "dated_facts",
        script: include_str!("../migrations/0014_dated_facts.sql"),
        sqlite: None,
    },
    Migration {
        version: 15,
        name: "life_fidelity",
        script: include_str!("../migrations/0015_life_fidelity.sql"),
        sqlite: Some(include_str!("../migrations/sqlite/0015_life_fidelity.sql")),
    },
    Migration {
        version: 17,
        name: "team_cases",
        script: include_str!("../migrations/0017_team_cases.sql"),
        sqlite: None,
    },
    Migration {
        version: 18,
        name: "recruitment",
        script: include_str!("../migrations/0018_recruitment.sql"),
        sqlite: None,
    },
    Migration {
        version: 19,
        name: "recruitment_scale",
        script: include_str!("../migrations/0019_recruitment_scale.sql"),
        sqlite: None,
    },
    Migration {
        version: 20,
        name: "recruitment_tally",
        script: include_str!("../migrations/0020_recruitment_tally.sql"),
        sqlite: None,
    },
    Migration {
        version: 21,
        name: "recruitment_deadlines",
        script: include_str!("../migrations/0021_recruitment_deadlines.sql"),
        sqlite: None,
    },
    Migration {
        version: 22,
        name: "transfer",
        script: include_str!("../migrations/0022_transfer.sql"),
        sqlite: None,
    },
    Migration {
        version: 23,
        name: "member_exit",
        script: include_str!("../migrations/0023_member_exit.sql"),
        sqlite: None,
    },
    Migration {
        version: 24,
        name: "member_mobility",
        script: include_str!("../migrations/0024_member_mobility.sql"),
        sqlite: None,
    },
    Migration {
        version: 25,
        name: "dues",
        script: include_str!("../migrations/0025_dues.sql"),
        sqlite: None,
    },
    Migration {
        version: 26,
        name: "training",
        script: include_str!("../migrations/0026_training.sql"),
        sqlite: None,
    },
    Migration {
        version: 27,
        name: "mobile_in",
        script: include_str!("../migrations/0027_mobile_in.sql"),
        sqlite: None,
    },
    Migration {
        version: 28,
        name: "org_kind_index",
        script: include_str!("../migrations/0028_org_kind_index.sql"),
        sqlite: None,
    },
    Migration {
        version: 29,
        name: "one_time_password",
        script: include_str!("../migrations/0029_one_time_password.sql"),
        sqlite: None,
    },
    Migration {
        version: 30,
        name: "notice",
        script: include_str!("../migrations/0030_notice.sql"),
        sqlite: None,
    },
    Migration {
        version: 31,
        name: "meeting_attachment",
        script: include_str!("../migrations/0031_meeting_attachment.sql"),
        sqlite: None,
    },
    Migration {
        version: 32,
        name: "member_group",
        script: include_str!("../migrations/0032_member_group.sql"),
        sqlite: None,
    },
    Migration {
        version: 33,
        name: "member_evaluation",
        script: include_str!("../migrations/0033_member_evaluation.sql"),
        sqlite: None,
    },
    Migration {
        version: 34,
        name: "task",
        script: include_str!("../migrations/0034_task.sql"),
        sqlite: None,
    },
    Migration {
        version: 35,
        name: "inspection",
        script: include_str!("../migrations/0035_inspection.sql"),
        sqlite: None,
    },
    Migration {
        version: 36,
        name: "duty",
        script: include_str!("../migrations/0036_duty.sql"),
        sqlite: None,
    },
    Migration {
        version: 37,
        name: "task_rollup",
        script: include_str!("../migrations/0037_task_rollup.sql"),
        sqlite: None,
    },
    Migration {
        version: 38,
        name: "burden_rollup",
        script: include_str!("../migrations/0038_burden_rollup.sql"),
        sqlite: None,
    },
    Migration {
        version: 39,
        name: "record_file",
        script: include_str!("../migrations/0039_record_file.sql"),
        sqlite: None,
    },
    Migration {
        version: 40,
        name: "mass_request",
        script: include_str!("../migrations/0040_mass_request.sql"),
        sqlite: None,
    },
    Migration {
        version: 41,
        name: "survey",
        script: include_str!("../migrations/0041_survey.sql"),
        sqlite: None,
    },
    Migration {
        version: 42,
        name: "funding",
        script: include_str!("../migrations/0042_funding.sql"),
        sqlite: None,
    },
    Migration {
        version: 43,
        name: "venue",
        script: include_str!("../migrations/0043_venue.sql"),
        sqlite: None,
    },
    Migration {
        version: 44,
        name: "disclosure_pairing",
        script: include_str!("../migrations/0044_disclosure_pairing.sql"),
        sqlite: None,
    },
    Migration {
        version: 45,
        name: "request_register_no",
        script: include_str!("../migrations/0045_request_register_no.sql"),
        sqlite: None,
    },
    Migration {
        version: 46,
        name: "guarantee_rollup",
        script: include_str!("../migrations/0046_guarantee_rollup.sql"),
        sqlite: None,
    },
    Migration {
        version: 47,
        name: "survey_rollup",
        script: include_str!("../migrations/0047_survey_rollup.sql"),
        sqlite: None,
    },
    Migration {
        version: 48,
        name: "scorecard",
        script: include_str!("../migrations/0048_scorecard.sql"),
        sqlite: None,
    },
    Migration {
        version: 49,
        name: "scorecard_hand",
        script: include_str!("../migrations/0049_scorecard_hand.sql"),
        sqlite: None,
    },
    Migration {
        version: 50,
        name: "scorecard_org_gaps",
        script: include_str!("../migrations/0050_scorecard_org_gaps.sql"),
        sqlite: None,
    },
    Migration {
        version: 51,
        name: "life_touched",
        script: include_str!("../migrations/0051_life_touched.sql"),
        sqlite: None,
    },
    Migration {
        version: 52,
        name: "rating_tally",
        script: include_str!("../migrations/0052_rating_tally.sql"),
        sqlite: Some(include_str!("../migrations/sqlite/0052_rating_tally.sql")),
    },
    Migration {
        version: 53,
        name: "shard",
        script: include_str!("../migrations/0053_shard.sql"),
        sqlite: Some(include_str!("../migrations/sqlite/0053_shard.sql")),
    },
];

/// The latest schema version this build knows.
pub fn latest() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

pub async fn run(store: &Store) -> Result<Vec<i64>> {
    let mut conn = store.acquire().await?;
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migration (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .await?;
    let done: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migration")
        .fetch_all(&mut *conn)
        .await?;
    // Given back first: each migration takes a connection of its own from the pool.
    drop(conn);
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        if done.contains(&m.version) {
            continue;
        }
        let script = match (store.backend(), m.sqlite) {
            (Backend::Sqlite, Some(own)) => own.to_string(),
            (Backend::Sqlite, None) => for_sqlite(m.script),
            (Backend::Postgres, _) => m.script.to_string(),
        };
        let mut tx = store.begin().await?;
        // One statement at a time: the Any driver sends a prepared statement per call.
        for stmt in split_statements(&script) {
            tx.execute(stmt.as_str()).await?;
        }
        sqlx::query("INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(crate::now_text())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        applied.push(m.version);
    }
    // Data the new tables derive from rows already stored.
    if applied.contains(&20) {
        let mut tx = store.begin().await?;
        crate::recruitment::tally::rebuild(&mut tx).await?;
        tx.commit().await?;
    }
    if applied.contains(&47) {
        let mut tx = store.begin().await?;
        crate::survey_tally::rebuild(&mut tx).await?;
        tx.commit().await?;
        // Every survey row was rewritten (PostgreSQL: the old versions vacuumed).
        let mut conn = store.acquire().await?;
        crate::bulk::settle(&mut conn, &["survey"]).await?;
    }
    Ok(applied)
}

fn split_statements(script: &str) -> Vec<String> {
    let without_comments: String = script
        .lines()
        .map(|l| match l.find("--") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    without_comments
        .split(';')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}
