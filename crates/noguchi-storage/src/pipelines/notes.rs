//! What is kept beside a record: its stage history (needs and proposals keep theirs in the same
//! table), the activities logged on it, an entry case's consultations, and the next actions
//! people owe on records they may still see.

use super::{EntryCase, Record, Stored, load};
use crate::audit::Change;
use crate::sql::get;
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Actor, Granted, Sight, permission};
use noguchi_domain::dates::format_date;
use noguchi_domain::pipeline::{ActivityData, ConsultationData, Deals, EntryCases};
use serde_json::json;
use sqlx::AnyConnection;
use time::Date;

#[derive(Debug, Clone)]
pub struct StageMove {
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub moved_on: String,
    pub note: Option<String>,
    pub user_name: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone)]
pub struct Activity {
    pub id: String,
    pub kind: String,
    pub happened_on: String,
    pub participants: Option<String>,
    pub body: String,
    pub user_name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Consultation {
    pub id: String,
    pub category: String,
    pub advisor: Option<String>,
    pub happened_on: String,
    pub body: String,
    pub result: Option<String>,
    pub user_name: Option<String>,
}

/// A next action on a deal or case, for the "my work" page.
#[derive(Debug, Clone)]
pub struct NextAction {
    /// The record's pipeline, as `Pipeline::SUBJECT`.
    pub subject: &'static str,
    pub id: String,
    pub label: String,
    pub action: String,
    pub due: Date,
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_move(
    conn: &mut AnyConnection,
    actor: &Actor,
    now: time::OffsetDateTime,
    subject: &str,
    id: &str,
    from: Option<&str>,
    to: &str,
    on: Date,
    note: Option<&str>,
) -> Result<()> {
    sqlx::query("INSERT INTO stage_moves (id, subject, subject_id, from_stage, to_stage, moved_on, note, user_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(new_id(now))
        .bind(subject)
        .bind(id)
        .bind(from.map(str::to_owned))
        .bind(to)
        .bind(format_date(on))
        .bind(note.map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned))
        .bind(&actor.user_id)
        .bind(timestamp(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn history(
    pool: &sqlx::AnyPool,
    subject: &str,
    id: &str,
) -> Result<Vec<StageMove>> {
    sqlx::query("SELECT m.*, u.name AS user_name FROM stage_moves m LEFT JOIN users u ON u.id = m.user_id WHERE m.subject = $1 AND m.subject_id = $2 ORDER BY m.at, m.id")
        .bind(subject)
        .bind(id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok(StageMove { from_stage: get(r, "from_stage")?, to_stage: get(r, "to_stage")?, moved_on: get(r, "moved_on")?, note: get(r, "note")?, user_name: get(r, "user_name")?, at: get(r, "at")? }))
        .collect()
}

impl Store {
    /// The stage moves of a record, oldest first.
    pub async fn stage_history<K: Stored>(&self, record: &Record<K>) -> Result<Vec<StageMove>> {
        history(&self.pool, K::SUBJECT, &record.id).await
    }

    /// The activities logged on a record, latest first.
    pub async fn activities<K: Stored>(&self, record: &Record<K>) -> Result<Vec<Activity>> {
        sqlx::query("SELECT a.*, u.name AS user_name FROM activities a LEFT JOIN users u ON u.id = a.user_id WHERE a.subject = $1 AND a.subject_id = $2 ORDER BY a.happened_on DESC, a.at DESC")
            .bind(K::SUBJECT)
            .bind(&record.id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(Activity { id: get(r, "id")?, kind: get(r, "kind")?, happened_on: get(r, "happened_on")?, participants: get(r, "participants")?, body: get(r, "body")?, user_name: get(r, "user_name")? }))
            .collect()
    }

    /// Logs an activity (a visit, a call …) on record `id`.
    pub async fn add_activity<K: Stored>(
        &self,
        grant: &Granted<K::Permission>,
        id: &str,
        a: ActivityData,
    ) -> Result<()> {
        let mut tx = self.begin(grant.actor()).await?;
        let record = load::<K>(&mut tx, id).await?;
        tx.covers_named(grant, &record.programme_id, K::members(&record.data))?;
        let now = self.now();
        let aid = new_id(now);
        sqlx::query("INSERT INTO activities (id, subject, subject_id, kind, happened_on, participants, body, user_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(&aid)
            .bind(K::SUBJECT)
            .bind(id)
            .bind(a.kind.code())
            .bind(format_date(a.happened_on))
            .bind(a.participants.clone())
            .bind(&a.body)
            .bind(&grant.actor().user_id)
            .bind(timestamp(now))
            .execute(&mut *tx)
            .await?;
        tx.audit(
            Change::create("activity", &aid, a.kind.code())
                .after(json!({"subject": K::SUBJECT, "subject_id": id, "body": a.body})),
        )
        .await?;
        sqlx::query(&format!(
            "UPDATE {} SET updated_at = $1 WHERE id = $2",
            K::TABLE
        ))
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The consultations of an entry case, latest first.
    pub async fn consultations(&self, case: &EntryCase) -> Result<Vec<Consultation>> {
        sqlx::query("SELECT c.*, u.name AS user_name FROM consultations c LEFT JOIN users u ON u.id = c.user_id WHERE c.case_id = $1 ORDER BY c.happened_on DESC, c.at DESC")
            .bind(&case.id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Consultation {
                    id: get(r, "id")?,
                    category: get(r, "category")?,
                    advisor: get(r, "advisor")?,
                    happened_on: get(r, "happened_on")?,
                    body: get(r, "body")?,
                    result: get(r, "result")?,
                    user_name: get(r, "user_name")?,
                })
            })
            .collect()
    }

    /// Logs a consultation (as national support networks categorise them) on an entry case.
    pub async fn add_consultation(
        &self,
        grant: &Granted<permission::WorkOnEntryCase>,
        case_id: &str,
        c: ConsultationData,
    ) -> Result<()> {
        let mut tx = self.begin(grant.actor()).await?;
        let case = load::<EntryCases>(&mut tx, case_id).await?;
        tx.covers_named(grant, &case.programme_id, &case.data.supporters)?;
        let now = self.now();
        let id = new_id(now);
        sqlx::query("INSERT INTO consultations (id, case_id, category, advisor, happened_on, body, result, user_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(&id)
            .bind(case_id)
            .bind(c.category.code())
            .bind(c.advisor.clone())
            .bind(format_date(c.happened_on))
            .bind(&c.body)
            .bind(c.result.clone())
            .bind(&grant.actor().user_id)
            .bind(timestamp(now))
            .execute(&mut *tx)
            .await?;
        tx.audit(
            Change::create("consultation", &id, c.category.code())
                .after(json!({"case_id": case_id, "category": c.category.code(), "body": c.body})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Next actions the reader owns, on records it may still see, due date first.
    pub async fn next_actions(&self, sight: &Sight) -> Result<Vec<NextAction>> {
        let Some(user_id) = sight.principal().map(|p| p.user_id.clone()) else {
            return Ok(Vec::new());
        };
        let mut out = self.next_actions_in::<Deals>(sight, &user_id).await?;
        out.extend(self.next_actions_in::<EntryCases>(sight, &user_id).await?);
        out.sort_by_key(|a| a.due);
        Ok(out)
    }

    async fn next_actions_in<K: Stored>(
        &self,
        sight: &Sight,
        user_id: &str,
    ) -> Result<Vec<NextAction>> {
        let rows = sqlx::query(&format!(
            "SELECT x.id FROM {} x WHERE x.owner_user_id = $1 AND x.next_action_due IS NOT NULL \
             ORDER BY x.id",
            K::TABLE
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let record = match self.record::<K>(sight, &get::<String>(&r, "id")?).await {
                Ok(record) => record,
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e),
            };
            if let (action, Some(due)) = K::next_action(&record.data) {
                out.push(NextAction {
                    subject: K::SUBJECT,
                    label: record.label().to_owned(),
                    action: action.unwrap_or_default().to_owned(),
                    id: record.id,
                    due,
                });
            }
        }
        Ok(out)
    }
}
