//! How a record keeps its KPI outcome in step: the domain decides (`pipeline::sync`), this
//! applies the decision in the record's own transaction.

use super::table::Table;
use super::{counting_stage, load};
use crate::Result;
use crate::outcomes;
use crate::write::Write;
use noguchi_domain::ledger::OutcomeData;
use noguchi_domain::pipeline::{self, LinkedOutcome, Sync, WantedOutcome};
use sqlx::AnyConnection;
use time::OffsetDateTime;

/// The outcome a record links to, as stored.
pub(super) async fn linked(
    conn: &mut AnyConnection,
    outcome_id: Option<&str>,
) -> Result<Option<LinkedOutcome>> {
    let Some(id) = outcome_id else {
        return Ok(None);
    };
    let o = outcomes::load(conn, id).await?;
    Ok(Some(LinkedOutcome {
        status: o.status,
        kind: o.data.kind,
        fiscal_year: o.data.fiscal_year,
        jobs: o.data.jobs,
    }))
}

/// Brings the ledger in step with record `id` after it changed or moved, and links the record
/// to the outcome it has now.
pub(super) async fn follow<K: Table>(tx: &mut Write, now: OffsetDateTime, id: &str) -> Result<()> {
    let r = load::<K>(tx, id).await?;
    let counting = counting_stage::<K>(tx, &r.programme_id).await?;
    let wanted = K::wanted(&r.data, r.stage, counting, r.counted_on, r.field_status);
    let link = linked(tx, r.outcome_id.as_deref()).await?;
    let data = |w: &WantedOutcome| OutcomeData {
        organisation_id: K::organisation_id(&r.data).to_owned(),
        kind: w.kind,
        fiscal_year: w.fiscal_year,
        occurred_on: Some(w.occurred_on),
        jobs: w.jobs,
        evidence: Some(K::evidence(r.label(), counting)),
        evidence_ref: None,
        note: None,
    };
    let outcome = match pipeline::sync(wanted.as_ref(), link.as_ref()) {
        Sync::Nothing | Sync::Differs => r.outcome_id.clone(),
        Sync::Create(w) => {
            let actor = tx.actor().clone();
            Some(
                outcomes::insert(
                    tx,
                    &actor,
                    now,
                    &r.programme_id,
                    &data(&w),
                    K::SOURCE,
                    Some(id),
                )
                .await?,
            )
        }
        Sync::Update(w) => {
            let current = r
                .outcome_id
                .clone()
                .expect("an update has a linked outcome");
            outcomes::update_pending(tx, &current, &data(&w)).await?;
            Some(current)
        }
        Sync::Withdraw => {
            let current = r
                .outcome_id
                .as_deref()
                .expect("a withdrawal has a linked outcome");
            outcomes::withdraw(tx, current, "案件が集計段階から外れたため取り下げ").await?;
            None
        }
    };
    if outcome != r.outcome_id {
        sqlx::query(&format!(
            "UPDATE {} SET outcome_id = $1 WHERE id = $2",
            K::TABLE
        ))
        .bind(outcome)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
