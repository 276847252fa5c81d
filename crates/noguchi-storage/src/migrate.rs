//! The migrator: numbered SQL files embedded in the binary, applied in order, each in its own
//! transaction together with its row in `schema_migrations`.

use crate::{Engine, Result, Store, timestamp};
use sqlx::{Executor, Row};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_foundation.sql")),
    (2, include_str!("../migrations/0002_outcomes.sql")),
    (3, include_str!("../migrations/0003_pipelines.sql")),
    (4, include_str!("../migrations/0004_needs.sql")),
    (5, include_str!("../migrations/0005_curation.sql")),
    (6, include_str!("../migrations/0006_accounts_audit.sql")),
    (7, include_str!("../migrations/0007_events.sql")),
    (8, include_str!("../migrations/0008_reminders.sql")),
    (9, include_str!("../migrations/0009_followups.sql")),
    (10, include_str!("../migrations/0010_event_forms.sql")),
    (11, include_str!("../migrations/0011_projects.sql")),
    (12, include_str!("../migrations/0012_project_work.sql")),
    (13, include_str!("../migrations/0013_nomenclature.sql")),
    (14, include_str!("../migrations/0014_licence_records.sql")),
    (15, include_str!("../migrations/0015_project_credits.sql")),
    (16, include_str!("../migrations/0016_target_revisions.sql")),
    (17, include_str!("../migrations/0017_council.sql")),
];

pub(crate) async fn run(store: &Store) -> Result<()> {
    store
        .pool
        .execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (\
             version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .await?;
    for (version, sql) in MIGRATIONS {
        let mut tx = store.write().await?;
        if store.engine == Engine::Postgres {
            // Serialises concurrent starts; SQLite's BEGIN IMMEDIATE already did.
            sqlx::query("SELECT pg_advisory_xact_lock(7146520)")
                .execute(&mut *tx)
                .await?;
        }
        let done = sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations WHERE version = $1")
            .bind(*version)
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>("n")?;
        if done > 0 {
            continue;
        }
        for statement in statements(sql) {
            tx.execute(statement.as_str()).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(*version)
            .bind(timestamp(store.now()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version, "applied migration");
    }
    store.seal_unchained_audit().await
}

/// Splits a migration into statements; comments are dropped. Migrations contain no `;` in strings.
fn statements(sql: &str) -> Vec<String> {
    let without_comments: String = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    without_comments
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
