//! The liaison council's records: meetings with their agenda, decisions and actions. What a
//! reader may see of them is decided by the use case (members read everything of their
//! programme; anyone reads a published meeting with its withheld items reduced to a reason).

use crate::audit::Change;
use crate::sql::get;
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Granted, permission};
use noguchi_domain::council::{ActionStatus, AgendaData, WithheldReason, action_move_needs_note};
use noguchi_domain::dates::{format_date, parse_date};
use noguchi_domain::{Invalid, Problem};
use serde_json::json;
use sqlx::AnyConnection;

#[derive(Debug, Clone)]
pub struct Meeting {
    pub id: String,
    pub programme_id: String,
    pub title: String,
    /// RFC 3339, as given.
    pub held_at: String,
    pub venue: Option<String>,
    pub published_at: Option<String>,
    pub agenda: Vec<AgendaItem>,
    pub decisions: Vec<CouncilDecision>,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct AgendaItem {
    pub id: String,
    pub data: AgendaData,
}

#[derive(Debug, Clone)]
pub struct CouncilDecision {
    pub id: String,
    pub agenda_item_id: Option<String>,
    pub text: String,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone)]
pub struct Action {
    pub id: String,
    pub programme_id: String,
    pub meeting_id: String,
    pub decision_id: String,
    pub owner_organisation_id: String,
    pub owner_organisation_name: String,
    pub text: String,
    pub due: time::Date,
    pub status: ActionStatus,
    pub note: Option<String>,
}

/// A decision's action as written: its owner organisation, what, and by when.
#[derive(Debug, Clone)]
pub struct NewAction {
    pub owner_organisation_id: String,
    pub text: String,
    pub due: time::Date,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.into())
}

const ACTION_SELECT: &str = "SELECT a.*, o.name AS owner_name FROM council_actions a \
     JOIN organisations o ON o.id = a.owner_organisation_id";

fn action_from_row(r: &sqlx::any::AnyRow) -> Result<Action> {
    Ok(Action {
        id: get(r, "id")?,
        programme_id: get(r, "programme_id")?,
        meeting_id: get(r, "meeting_id")?,
        decision_id: get(r, "decision_id")?,
        owner_organisation_id: get(r, "owner_organisation_id")?,
        owner_organisation_name: get(r, "owner_name")?,
        text: get(r, "text")?,
        due: parse_date(&get::<String>(r, "due")?).map_err(|_| corrupt("council_actions.due"))?,
        status: ActionStatus::parse(&get::<String>(r, "status")?)
            .map_err(|_| corrupt("council_actions.status"))?,
        note: get(r, "note")?,
    })
}

async fn load(conn: &mut AnyConnection, id: &str) -> Result<Meeting> {
    let r = sqlx::query("SELECT * FROM meetings WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut m = Meeting {
        id: get(&r, "id")?,
        programme_id: get(&r, "programme_id")?,
        title: get(&r, "title")?,
        held_at: get(&r, "held_at")?,
        venue: get(&r, "venue")?,
        published_at: get(&r, "published_at")?,
        agenda: Vec::new(),
        decisions: Vec::new(),
        created_at: get(&r, "created_at")?,
    };
    for r in sqlx::query("SELECT * FROM agenda_items WHERE meeting_id = $1 ORDER BY position")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
    {
        let reason: Option<String> = get(&r, "withheld_reason")?;
        m.agenda.push(AgendaItem {
            id: get(&r, "id")?,
            data: AgendaData {
                title: get(&r, "title")?,
                presenter: get(&r, "presenter")?,
                withheld: reason
                    .map(|w| WithheldReason::parse(&w))
                    .transpose()
                    .map_err(|_| corrupt("agenda_items.withheld_reason"))?,
            },
        });
    }
    let actions: Vec<Action> = sqlx::query(&format!(
        "{ACTION_SELECT} WHERE a.meeting_id = $1 ORDER BY a.created_at, a.id"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(action_from_row)
    .collect::<Result<_>>()?;
    for r in sqlx::query("SELECT * FROM decisions WHERE meeting_id = $1 ORDER BY position")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
    {
        let did: String = get(&r, "id")?;
        m.decisions.push(CouncilDecision {
            actions: actions
                .iter()
                .filter(|a| a.decision_id == did)
                .cloned()
                .collect(),
            id: did,
            agenda_item_id: get(&r, "agenda_item_id")?,
            text: get(&r, "text")?,
        });
    }
    Ok(m)
}

async fn next_position(conn: &mut AnyConnection, table: &str, meeting_id: &str) -> Result<i64> {
    let r = sqlx::query(&format!(
        "SELECT COALESCE(MAX(position), 0) + 1 AS n FROM {table} WHERE meeting_id = $1"
    ))
    .bind(meeting_id)
    .fetch_one(&mut *conn)
    .await?;
    get(&r, "n")
}

impl Store {
    pub async fn create_meeting(
        &self,
        grant: &Granted<permission::RunCouncil>,
        programme_id: &str,
        title: &str,
        held_at: &str,
        venue: Option<&str>,
    ) -> Result<Meeting> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.covers(grant, programme_id)?;
        let id = new_id(tx.now());
        let now = timestamp(tx.now());
        sqlx::query(
            "INSERT INTO meetings (id, programme_id, title, held_at, venue, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&id)
        .bind(programme_id)
        .bind(title)
        .bind(held_at)
        .bind(venue.map(str::to_owned))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::create("meeting", &id, title)
                .after(json!({"held_at": held_at, "venue": venue})),
        )
        .await?;
        let m = load(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(m)
    }

    pub async fn update_meeting(
        &self,
        grant: &Granted<permission::RunCouncil>,
        id: &str,
        title: &str,
        held_at: &str,
        venue: Option<&str>,
    ) -> Result<Meeting> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        sqlx::query(
            "UPDATE meetings SET title = $1, held_at = $2, venue = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(title)
        .bind(held_at)
        .bind(venue.map(str::to_owned))
        .bind(timestamp(tx.now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::update("meeting", id, title)
                .before(json!({"title": before.title, "held_at": before.held_at, "venue": before.venue}))
                .after(json!({"title": title, "held_at": held_at, "venue": venue})),
        )
        .await?;
        let m = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// A meeting, unfiltered: the use case decides what the reader sees of it.
    pub async fn meeting(&self, id: &str) -> Result<Meeting> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, id).await
    }

    /// A programme's meetings, latest first, unfiltered.
    pub async fn meetings(&self, programme_id: &str) -> Result<Vec<Meeting>> {
        let ids = sqlx::query(
            "SELECT id FROM meetings WHERE programme_id = $1 ORDER BY held_at DESC, id",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::with_capacity(ids.len());
        for r in &ids {
            out.push(load(&mut conn, &get::<String>(r, "id")?).await?);
        }
        Ok(out)
    }

    pub async fn add_agenda_item(
        &self,
        grant: &Granted<permission::RunCouncil>,
        meeting_id: &str,
        data: AgendaData,
    ) -> Result<AgendaItem> {
        let mut tx = self.begin(grant.actor()).await?;
        let m = load(&mut tx, meeting_id).await?;
        tx.covers(grant, &m.programme_id)?;
        let id = new_id(tx.now());
        let position = next_position(&mut tx, "agenda_items", meeting_id).await?;
        sqlx::query(
            "INSERT INTO agenda_items (id, meeting_id, position, title, presenter, withheld_reason) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(meeting_id)
        .bind(position)
        .bind(&data.title)
        .bind(data.presenter.clone())
        .bind(data.withheld.map(|w| w.code()))
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::create("agenda_item", &id, &data.title).after(json!({
                "meeting_id": meeting_id, "withheld_reason": data.withheld.map(|w| w.code()),
            })),
        )
        .await?;
        tx.commit().await?;
        Ok(AgendaItem { id, data })
    }

    /// Records a decision, on an agenda item of the meeting or on none, with its actions, each
    /// owned by an organisation of the directory.
    pub async fn add_decision(
        &self,
        grant: &Granted<permission::RunCouncil>,
        meeting_id: &str,
        agenda_item_id: Option<&str>,
        text: &str,
        actions: &[NewAction],
    ) -> Result<CouncilDecision> {
        let mut tx = self.begin(grant.actor()).await?;
        let m = load(&mut tx, meeting_id).await?;
        tx.covers(grant, &m.programme_id)?;
        if let Some(item) = agenda_item_id
            && !m.agenda.iter().any(|a| a.id == item)
        {
            return Err(Invalid::one("agenda_item_id", Problem::UnknownReference).into());
        }
        let mut errs = Invalid::default();
        for (i, a) in actions.iter().enumerate() {
            if crate::organisations::check_organisation(&mut tx, &a.owner_organisation_id)
                .await
                .is_err()
            {
                errs.push(
                    format!("actions[{i}].owner_organisation_id"),
                    Problem::UnknownReference,
                );
            }
        }
        if !errs.is_empty() {
            return Err(errs.into());
        }
        let id = new_id(tx.now());
        let position = next_position(&mut tx, "decisions", meeting_id).await?;
        sqlx::query(
            "INSERT INTO decisions (id, meeting_id, agenda_item_id, position, text) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(meeting_id)
        .bind(agenda_item_id.map(str::to_owned))
        .bind(position)
        .bind(text)
        .execute(&mut *tx)
        .await?;
        for a in actions {
            let aid = new_id(tx.now());
            let now = timestamp(tx.now());
            sqlx::query(
                "INSERT INTO council_actions (id, programme_id, meeting_id, decision_id, owner_organisation_id, \
                 text, due, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $8)",
            )
            .bind(&aid)
            .bind(&m.programme_id)
            .bind(meeting_id)
            .bind(&id)
            .bind(&a.owner_organisation_id)
            .bind(&a.text)
            .bind(format_date(a.due))
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.audit(Change::create("decision", &id, text).after(json!({
            "meeting_id": meeting_id, "agenda_item_id": agenda_item_id,
            "actions": actions.iter().map(|a| json!({"owner_organisation_id": a.owner_organisation_id, "text": a.text, "due": format_date(a.due)})).collect::<Vec<_>>(),
        })))
        .await?;
        let m = load(&mut tx, meeting_id).await?;
        tx.commit().await?;
        m.decisions
            .into_iter()
            .find(|d| d.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// A programme's actions, oldest due first; `status` narrows them.
    pub async fn council_actions(
        &self,
        programme_id: &str,
        status: Option<ActionStatus>,
    ) -> Result<Vec<Action>> {
        let sql = format!(
            "{ACTION_SELECT} WHERE a.programme_id = $1 {} ORDER BY a.due, a.created_at, a.id",
            if status.is_some() {
                "AND a.status = $2"
            } else {
                ""
            }
        );
        let mut q = sqlx::query(&sql).bind(programme_id);
        if let Some(s) = status {
            q = q.bind(s.code());
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(action_from_row)
            .collect()
    }

    pub async fn council_action(&self, id: &str) -> Result<Action> {
        let r = sqlx::query(&format!("{ACTION_SELECT} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        action_from_row(&r)
    }

    /// Moves an action's status: done freely, dropped or reopened with a note.
    pub async fn set_action_status(
        &self,
        grant: &Granted<permission::RunCouncil>,
        id: &str,
        to: ActionStatus,
        note: Option<&str>,
    ) -> Result<Action> {
        let mut tx = self.begin(grant.actor()).await?;
        let row = sqlx::query(&format!("{ACTION_SELECT} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let before = action_from_row(&row)?;
        let programme: String = get(&row, "programme_id")?;
        tx.covers(grant, &programme)?;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        match action_move_needs_note(before.status, to) {
            None => return Ok(before),
            Some(true) if note.is_none() => {
                return Err(Invalid::one("note", Problem::Required).into());
            }
            Some(_) => {}
        }
        sqlx::query(
            "UPDATE council_actions SET status = $1, note = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(to.code())
        .bind(note.map(str::to_owned))
        .bind(timestamp(tx.now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::update("council_action", id, &before.text)
                .before(json!({"status": before.status.code()}))
                .after(json!({"status": to.code(), "note": note})),
        )
        .await?;
        let r = sqlx::query(&format!("{ACTION_SELECT} WHERE a.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let a = action_from_row(&r)?;
        tx.commit().await?;
        Ok(a)
    }

    /// Publishes a meeting's minutes (once; publishing again changes nothing).
    pub async fn publish_meeting(
        &self,
        grant: &Granted<permission::RunCouncil>,
        id: &str,
    ) -> Result<Meeting> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        if before.published_at.is_some() {
            return Ok(before);
        }
        sqlx::query("UPDATE meetings SET published_at = $1, updated_at = $1 WHERE id = $2")
            .bind(timestamp(tx.now()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.audit(Change::update("meeting", id, &before.title).after(json!({"published": true})))
            .await?;
        let m = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(m)
    }
}
