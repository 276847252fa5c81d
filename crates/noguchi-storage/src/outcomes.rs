//! The KPI ledger: outcomes with their evidence and verification.

use crate::audit::Change;
use crate::organisations::check_organisation;
use crate::sql::{Page, get};
use crate::write::Write;
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Granted, Sight, permission};
use noguchi_domain::dates::{format_date, parse_date};
use noguchi_domain::fiscal::FiscalYear;
use noguchi_domain::kpi::Fact;
use noguchi_domain::ledger::{OutcomeData, OutcomeKind, OutcomeStatus};
use noguchi_domain::{Invalid, Problem};
use serde_json::{Value, json};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeSource {
    Manual,
    Import,
    Deal,
    EntryCase,
    /// A project's launch (上市) credited a member firm without an entry case.
    Project,
}

impl OutcomeSource {
    pub fn code(self) -> &'static str {
        match self {
            OutcomeSource::Manual => "manual",
            OutcomeSource::Import => "import",
            OutcomeSource::Deal => "deal",
            OutcomeSource::EntryCase => "entry_case",
            OutcomeSource::Project => "project",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: String,
    pub programme_id: String,
    pub data: OutcomeData,
    pub organisation_name: String,
    pub status: OutcomeStatus,
    pub status_reason: Option<String>,
    pub source: String,
    pub source_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub decided_at: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct OutcomeFilter {
    pub status: Option<OutcomeStatus>,
    /// Only these kinds (empty: all).
    pub kinds: Vec<OutcomeKind>,
    pub fiscal_year_from: Option<FiscalYear>,
    pub fiscal_year_to: Option<FiscalYear>,
    pub organisation_id: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Decision {
    Verify,
    Reject { reason: Option<String> },
}

const SELECT: &str = "SELECT x.*, o.name AS organisation_name FROM outcomes x JOIN organisations o ON o.id = x.organisation_id";

impl Store {
    /// Records an outcome, pending until the secretariat verifies it.
    pub async fn record_outcome(
        &self,
        grant: &Granted<permission::RecordOutcome>,
        programme_id: &str,
        data: OutcomeData,
        source: OutcomeSource,
        source_id: Option<&str>,
    ) -> Result<Outcome> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.covers(grant, programme_id)?;
        let id = insert(
            &mut tx,
            grant.actor(),
            self.now(),
            programme_id,
            &data,
            source,
            source_id,
        )
        .await?;
        let out = load(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Records many outcomes at once, all or nothing (imports).
    pub async fn record_outcomes(
        &self,
        grant: &Granted<permission::RecordOutcome>,
        programme_id: &str,
        rows: Vec<OutcomeData>,
    ) -> Result<Vec<String>> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.covers(grant, programme_id)?;
        let mut ids = Vec::new();
        for data in &rows {
            ids.push(
                insert(
                    &mut tx,
                    grant.actor(),
                    self.now(),
                    programme_id,
                    data,
                    OutcomeSource::Import,
                    None,
                )
                .await?,
            );
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// An outcome the reader may see: every one for the programme's secretariat; a firm's own
    /// verified ones for that firm; any other answers "not found". The ledger's rows name firms,
    /// jobs and evidence: everyone else reads the KPI figures, which count only verified rows.
    pub async fn outcome(&self, sight: &Sight, id: &str) -> Result<Outcome> {
        let mut conn = self.pool.acquire().await?;
        let o = load(&mut conn, id).await?;
        let visible = sight.unverified_outcomes(&o.programme_id)
            || (o.status == OutcomeStatus::Verified
                && sight.organisation() == Some(o.data.organisation_id.as_str()));
        if visible {
            Ok(o)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// Changes a pending outcome. A verified or rejected outcome is settled: it is never changed
    /// silently (reject it with a reason instead, and record a new one).
    pub async fn update_outcome(
        &self,
        grant: &Granted<permission::RecordOutcome>,
        id: &str,
        data: OutcomeData,
    ) -> Result<Outcome> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        if before.status != OutcomeStatus::Pending {
            return Err(Invalid::one("status", Problem::Settled).into());
        }
        check_organisation(&mut tx, &data.organisation_id).await?;
        sqlx::query(
            "UPDATE outcomes SET organisation_id = $1, kind = $2, fiscal_year = $3, occurred_on = $4, jobs = $5, \
             evidence = $6, evidence_ref = $7, note = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(&data.organisation_id)
        .bind(data.kind.code())
        .bind(i64::from(data.fiscal_year.0))
        .bind(data.occurred_on.map(format_date))
        .bind(data.jobs)
        .bind(data.evidence.clone())
        .bind(data.evidence_ref.clone())
        .bind(data.note.clone())
        .bind(timestamp(self.now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = load(&mut tx, id).await?;
        tx.audit(
            Change::update("outcome", id, &after.organisation_name)
                .before(outcome_json(&before))
                .after(outcome_json(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Verifies or rejects. Verifying works on pending and rejected outcomes; rejecting on
    /// pending and verified ones (taking back a verification needs a reason).
    pub async fn decide_outcome(
        &self,
        grant: &Granted<permission::DecideOutcome>,
        id: &str,
        decision: Decision,
    ) -> Result<Outcome> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        let (status, reason) = match (&decision, before.status) {
            (Decision::Verify, OutcomeStatus::Pending | OutcomeStatus::Rejected) => {
                (OutcomeStatus::Verified, None)
            }
            (Decision::Reject { reason }, OutcomeStatus::Pending) => {
                (OutcomeStatus::Rejected, reason.clone())
            }
            (Decision::Reject { reason: Some(r) }, OutcomeStatus::Verified)
                if !r.trim().is_empty() =>
            {
                (OutcomeStatus::Rejected, Some(r.clone()))
            }
            (Decision::Reject { .. }, OutcomeStatus::Verified) => {
                return Err(Invalid::one("reason", Problem::Required).into());
            }
            _ => return Err(Invalid::one("status", Problem::Settled).into()),
        };
        let now = timestamp(self.now());
        sqlx::query("UPDATE outcomes SET status = $1, status_reason = $2, decided_by = $3, decided_at = $4, updated_at = $4 WHERE id = $5")
            .bind(status.code())
            .bind(reason)
            .bind(&grant.actor().user_id)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = load(&mut tx, id).await?;
        tx.audit(
            Change::update("outcome", id, &after.organisation_name)
                .before(outcome_json(&before))
                .after(outcome_json(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Outcomes of a programme the reader may see, in fiscal-year order: the secretariat every
    /// row the filter asks for; anyone else their own organisation's verified rows only.
    pub async fn list_outcomes(
        &self,
        sight: &Sight,
        programme_id: &str,
        filter: &OutcomeFilter,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<Outcome>> {
        if !sight.is_member() {
            return Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            });
        }
        let (status, organisation) = if sight.unverified_outcomes(programme_id) {
            (filter.status, filter.organisation_id.clone())
        } else {
            (
                Some(OutcomeStatus::Verified),
                sight.organisation().map(str::to_owned),
            )
        };
        let kinds: Vec<&str> = filter.kinds.iter().map(|k| k.code()).collect();
        let (after_fy, after_id) = cursor
            .and_then(|c| c.split_once('.'))
            .and_then(|(fy, id)| Some((fy.parse::<i64>().ok()?, id.to_owned())))
            .unwrap_or((i64::MIN, String::new()));
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE x.programme_id = $1 AND ($2 = '' OR x.status = $2) AND ($3 = '' OR x.organisation_id = $3) \
             AND x.fiscal_year >= $4 AND x.fiscal_year <= $5 AND ($6 = '' OR (',' || $6 || ',') LIKE ('%,' || x.kind || ',%')) \
             AND (x.fiscal_year > $7 OR (x.fiscal_year = $7 AND x.id > $8)) \
             ORDER BY x.fiscal_year, x.id LIMIT $9"
        ))
        .bind(programme_id)
        .bind(status.map(|s| s.code()).unwrap_or_default())
        .bind(organisation.unwrap_or_default())
        .bind(filter.fiscal_year_from.map_or(i64::MIN, |f| i64::from(f.0)))
        .bind(filter.fiscal_year_to.map_or(i64::MAX, |f| i64::from(f.0)))
        .bind(kinds.join(","))
        .bind(after_fy)
        .bind(after_id)
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let mut items = rows
            .iter()
            .take(limit as usize)
            .map(from_row)
            .collect::<Result<Vec<_>>>()?;
        let next_cursor = if rows.len() as i64 > limit {
            items
                .last()
                .map(|o| format!("{}.{}", o.data.fiscal_year.0, o.id))
        } else {
            None
        };
        items.truncate(limit as usize);
        Ok(Page { items, next_cursor })
    }

    /// Every outcome of a programme, reduced to what the KPI arithmetic needs.
    pub async fn kpi_facts(&self, programme_id: &str) -> Result<Vec<Fact>> {
        sqlx::query("SELECT organisation_id, kind, fiscal_year, jobs, status FROM outcomes WHERE programme_id = $1")
            .bind(programme_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Fact {
                    organisation_id: get(r, "organisation_id")?,
                    kind: OutcomeKind::parse(&get::<String>(r, "kind")?).map_err(|_| StoreError::Corrupt("outcome kind".into()))?,
                    fiscal_year: FiscalYear(get::<i64>(r, "fiscal_year")? as i32),
                    jobs: get(r, "jobs")?,
                    status: OutcomeStatus::parse(&get::<String>(r, "status")?).map_err(|_| StoreError::Corrupt("outcome status".into()))?,
                })
            })
            .collect()
    }
}

pub(crate) async fn insert(
    conn: &mut Write,
    actor: &noguchi_domain::access::Actor,
    now: time::OffsetDateTime,
    programme_id: &str,
    data: &OutcomeData,
    source: OutcomeSource,
    source_id: Option<&str>,
) -> Result<String> {
    if sqlx::query("SELECT id FROM programmes WHERE id = $1")
        .bind(programme_id)
        .fetch_optional(&mut **conn)
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound);
    }
    check_organisation(conn, &data.organisation_id).await?;
    let id = new_id(now);
    let ts = timestamp(now);
    sqlx::query(
        "INSERT INTO outcomes (id, programme_id, organisation_id, kind, fiscal_year, occurred_on, jobs, evidence, \
         evidence_ref, note, status, source, source_id, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $13, $14, $14)",
    )
    .bind(&id)
    .bind(programme_id)
    .bind(&data.organisation_id)
    .bind(data.kind.code())
    .bind(i64::from(data.fiscal_year.0))
    .bind(data.occurred_on.map(format_date))
    .bind(data.jobs)
    .bind(data.evidence.clone())
    .bind(data.evidence_ref.clone())
    .bind(data.note.clone())
    .bind(source.code())
    .bind(source_id.map(str::to_owned))
    .bind(&actor.user_id)
    .bind(&ts)
    .execute(&mut **conn)
    .await?;
    let created = load(conn, &id).await?;
    conn.audit(
        Change::create("outcome", &id, &created.organisation_name).after(outcome_json(&created)),
    )
    .await?;
    Ok(id)
}

/// Corrects a pending outcome inside a caller's transaction (pipelines keep theirs in step).
pub(crate) async fn update_pending(conn: &mut Write, id: &str, data: &OutcomeData) -> Result<()> {
    let now = conn.now();
    let before = load(conn, id).await?;
    if before.status != OutcomeStatus::Pending {
        return Err(Invalid::one("status", Problem::Settled).into());
    }
    sqlx::query("UPDATE outcomes SET kind = $1, fiscal_year = $2, occurred_on = $3, jobs = $4, updated_at = $5 WHERE id = $6")
        .bind(data.kind.code())
        .bind(i64::from(data.fiscal_year.0))
        .bind(data.occurred_on.map(format_date))
        .bind(data.jobs)
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut **conn)
        .await?;
    let after = load(conn, id).await?;
    conn.audit(
        Change::update("outcome", id, &after.organisation_name)
            .before(outcome_json(&before))
            .after(outcome_json(&after)),
    )
    .await
}

/// Withdraws a pending outcome whose case left its counting stage: it is rejected with the
/// reason, so the ledger keeps the trace.
pub(crate) async fn withdraw(conn: &mut Write, id: &str, reason: &str) -> Result<()> {
    let now = conn.now();
    let user = conn.actor().user_id.clone();
    let before = load(conn, id).await?;
    sqlx::query("UPDATE outcomes SET status = 'rejected', status_reason = $1, decided_by = $2, decided_at = $3, updated_at = $3 WHERE id = $4 AND status = 'pending'")
        .bind(reason)
        .bind(&user)
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut **conn)
        .await?;
    let after = load(conn, id).await?;
    conn.audit(
        Change::update("outcome", id, &after.organisation_name)
            .before(outcome_json(&before))
            .after(outcome_json(&after)),
    )
    .await
}

pub(crate) async fn load(conn: &mut AnyConnection, id: &str) -> Result<Outcome> {
    let row = sqlx::query(&format!("{SELECT} WHERE x.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

fn from_row(row: &AnyRow) -> Result<Outcome> {
    let corrupt = |w: &str| StoreError::Corrupt(format!("outcome {w}"));
    Ok(Outcome {
        id: get(row, "id")?,
        programme_id: get(row, "programme_id")?,
        data: OutcomeData {
            organisation_id: get(row, "organisation_id")?,
            kind: OutcomeKind::parse(&get::<String>(row, "kind")?).map_err(|_| corrupt("kind"))?,
            fiscal_year: FiscalYear(get::<i64>(row, "fiscal_year")? as i32),
            occurred_on: get::<Option<String>>(row, "occurred_on")?
                .map(|d| parse_date(&d))
                .transpose()
                .map_err(|_| corrupt("date"))?,
            jobs: get(row, "jobs")?,
            evidence: get(row, "evidence")?,
            evidence_ref: get(row, "evidence_ref")?,
            note: get(row, "note")?,
        },
        organisation_name: get(row, "organisation_name")?,
        status: OutcomeStatus::parse(&get::<String>(row, "status")?)
            .map_err(|_| corrupt("status"))?,
        status_reason: get(row, "status_reason")?,
        source: get(row, "source")?,
        source_id: get(row, "source_id")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
        decided_at: get(row, "decided_at")?,
    })
}

fn outcome_json(o: &Outcome) -> Value {
    json!({
        "organisation_id": o.data.organisation_id,
        "kind": o.data.kind.code(),
        "fiscal_year": o.data.fiscal_year.0,
        "occurred_on": o.data.occurred_on.map(format_date),
        "jobs": o.data.jobs,
        "evidence": o.data.evidence,
        "evidence_ref": o.data.evidence_ref,
        "note": o.data.note,
        "status": o.status.code(),
        "status_reason": o.status_reason,
        "source": o.source,
        "source_id": o.source_id,
    })
}
