//! Target revisions: added, never changed or removed; read in the order they were made.

use crate::audit::Change;
use crate::sql::get;
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Granted, permission};
use noguchi_domain::fiscal::FiscalYear;
use noguchi_domain::plan::Revision;
use serde_json::json;

/// A revision as kept, with who made it and when.
#[derive(Debug, Clone)]
pub struct RevisionRecord {
    pub id: String,
    pub revision: Revision,
    pub recorded_at: String,
}

impl Store {
    pub async fn add_target_revision(
        &self,
        grant: &Granted<permission::ReviseTargets>,
        programme_id: &str,
        r: &Revision,
    ) -> Result<RevisionRecord> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.covers(grant, programme_id)?;
        let id = new_id(tx.now());
        let at = timestamp(tx.now());
        sqlx::query(
            "INSERT INTO target_revisions (id, programme_id, indicator, milestone_fiscal_year, firms, jobs, \
             reason, effective_fiscal_year, decision_ref, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&id)
        .bind(programme_id)
        .bind(&r.indicator)
        .bind(i64::from(r.milestone.0))
        .bind(r.firms)
        .bind(r.jobs)
        .bind(&r.reason)
        .bind(i64::from(r.effective.0))
        .bind(r.decision_ref.clone())
        .bind(&grant.actor().user_id)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::create("target_revision", &id, &r.indicator).after(json!({
                "indicator": r.indicator, "milestone_fiscal_year": r.milestone.0,
                "firms": r.firms, "jobs": r.jobs, "reason": r.reason,
                "effective_fiscal_year": r.effective.0, "decision_ref": r.decision_ref,
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(RevisionRecord {
            id,
            revision: r.clone(),
            recorded_at: at,
        })
    }

    /// A programme's revisions, in the order they were made.
    pub async fn target_revisions(&self, programme_id: &str) -> Result<Vec<RevisionRecord>> {
        sqlx::query(
            "SELECT * FROM target_revisions WHERE programme_id = $1 ORDER BY recorded_at, id",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let year = |c: &str| -> Result<FiscalYear> {
                Ok(FiscalYear(i32::try_from(get::<i64>(row, c)?).map_err(
                    |_| StoreError::Corrupt("target_revisions year".into()),
                )?))
            };
            Ok(RevisionRecord {
                id: get(row, "id")?,
                revision: Revision {
                    indicator: get(row, "indicator")?,
                    milestone: year("milestone_fiscal_year")?,
                    firms: get(row, "firms")?,
                    jobs: get(row, "jobs")?,
                    reason: get(row, "reason")?,
                    effective: year("effective_fiscal_year")?,
                    decision_ref: get(row, "decision_ref")?,
                },
                recorded_at: get(row, "recorded_at")?,
            })
        })
        .collect()
    }
}
