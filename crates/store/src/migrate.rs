//! Versioned migrations, one list per backend, applied in order and recorded.

use sqlx::Executor;

use crate::{Backend, Result, Store};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "access",
        sqlite: include_str!("../migrations/sqlite/0002_access.sql"),
        postgres: include_str!("../migrations/postgres/0002_access.sql"),
    },
    Migration {
        version: 3,
        name: "organizational_life",
        sqlite: include_str!("../migrations/sqlite/0003_organizational_life.sql"),
        postgres: include_str!("../migrations/postgres/0003_organizational_life.sql"),
    },
    Migration {
        version: 4,
        name: "rating",
        sqlite: include_str!("../migrations/sqlite/0004_rating.sql"),
        postgres: include_str!("../migrations/postgres/0004_rating.sql"),
    },
    Migration {
        version: 5,
        name: "scale",
        sqlite: include_str!("../migrations/sqlite/0005_scale.sql"),
        postgres: include_str!("../migrations/postgres/0005_scale.sql"),
    },
    Migration {
        version: 6,
        name: "compliance_summary",
        sqlite: include_str!("../migrations/sqlite/0006_compliance_summary.sql"),
        postgres: include_str!("../migrations/postgres/0006_compliance_summary.sql"),
    },
    Migration {
        version: 7,
        name: "rating_stars",
        sqlite: include_str!("../migrations/sqlite/0007_rating_stars.sql"),
        postgres: include_str!("../migrations/postgres/0007_rating_stars.sql"),
    },
    Migration {
        version: 8,
        name: "referral",
        sqlite: include_str!("../migrations/sqlite/0008_referral.sql"),
        postgres: include_str!("../migrations/postgres/0008_referral.sql"),
    },
    Migration {
        version: 9,
        name: "audit_keyed",
        sqlite: include_str!("../migrations/sqlite/0009_audit_keyed.sql"),
        postgres: include_str!("../migrations/postgres/0009_audit_keyed.sql"),
    },
    Migration {
        version: 10,
        name: "login",
        sqlite: include_str!("../migrations/sqlite/0010_login.sql"),
        postgres: include_str!("../migrations/postgres/0010_login.sql"),
    },
    Migration {
        version: 11,
        name: "protected_phones",
        sqlite: include_str!("../migrations/sqlite/0011_protected_phones.sql"),
        postgres: include_str!("../migrations/postgres/0011_protected_phones.sql"),
    },
    Migration {
        version: 12,
        name: "two_factor",
        sqlite: include_str!("../migrations/sqlite/0012_two_factor.sql"),
        postgres: include_str!("../migrations/postgres/0012_two_factor.sql"),
    },
    Migration {
        version: 13,
        name: "server_lease",
        sqlite: include_str!("../migrations/sqlite/0013_server_lease.sql"),
        postgres: include_str!("../migrations/postgres/0013_server_lease.sql"),
    },
    Migration {
        version: 14,
        name: "dated_facts",
        sqlite: include_str!("../migrations/sqlite/0014_dated_facts.sql"),
        postgres: include_str!("../migrations/postgres/0014_dated_facts.sql"),
    },
    Migration {
        version: 15,
        name: "life_fidelity",
        sqlite: include_str!("../migrations/sqlite/0015_life_fidelity.sql"),
        postgres: include_str!("../migrations/postgres/0015_life_fidelity.sql"),
    },
    Migration {
        version: 17,
        name: "team_cases",
        sqlite: include_str!("../migrations/sqlite/0017_team_cases.sql"),
        postgres: include_str!("../migrations/postgres/0017_team_cases.sql"),
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
        let script = match store.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let mut tx = store.begin().await?;
        // One statement at a time: the Any driver sends a prepared statement per call.
        for stmt in split_statements(script) {
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
