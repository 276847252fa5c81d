//! Events, their registrations and check-ins.
//!
//! A seat is decided under the event's lock (SQLite's write lock; a row lock on PostgreSQL), so
//! confirmed registrations never exceed the capacity however many guests sign up at once, and a
//! cancellation promotes the earliest waitlisted registration in the same transaction. The mail
//! each step sends is queued in the outbox in that transaction too: it is sent if and only if
//! the step happened.

use crate::audit::Change;
use crate::form_json;
use crate::organisations::check_organisation;
use crate::outbox::{MailDraft, enqueue};
use crate::sql::get;
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Granted, Sight, permission};
use noguchi_domain::event::{
    Attendance, DirectoryEntry, EventData, EventKind, OrganisationMatch, RegistrationData,
    RegistrationSource, RegistrationStatus, parse_instant, seat,
};
use noguchi_domain::{Invalid, Problem};
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub programme_id: String,
    pub data: EventData,
    pub confirmed: i64,
    pub waitlisted: i64,
    pub checked_in: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct Registration {
    pub id: String,
    pub event_id: String,
    pub programme_id: String,
    pub data: RegistrationData,
    pub organisation_id: Option<String>,
    /// The directory's name of the linked organisation.
    pub organisation_directory_name: Option<String>,
    pub organisation_match: OrganisationMatch,
    pub user_id: Option<String>,
    pub source: RegistrationSource,
    pub status: RegistrationStatus,
    pub checked_in_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub created_at: String,
}

/// A new registration as the use case prepared it.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub data: RegistrationData,
    pub organisation_id: Option<String>,
    pub organisation_match: OrganisationMatch,
    pub user_id: Option<String>,
    pub source: RegistrationSource,
    /// The SHA-256 of the personal link's secret (guests only).
    pub manage_token_hash: Option<String>,
}

/// What became of a registration attempt.
#[derive(Debug, Clone)]
pub enum Registered {
    Created(Box<Registration>),
    /// The person (by e-mail key) already holds a live registration for the event: nothing was
    /// written.
    Duplicate,
}

/// The mail a step sends, written by the use case from what the step decided.
pub enum MailFor<'a> {
    Registered(&'a Event, &'a Registration),
    Promoted(&'a Event, &'a Registration),
    /// The day before the event.
    Reminder(&'a Event, &'a Registration),
    /// After the event, to those who came: the follow-up survey, with its link's secret.
    Followup(&'a Event, &'a Registration, &'a str),
    /// To the secretariat: a participant wished a consultation in the follow-up, filed on the
    /// entry case (its id) or waiting for the directory review (none).
    ConsultationWish {
        event: &'a Event,
        registration: &'a Registration,
        topic: noguchi_domain::pipeline::ConsultationCategory,
        case_id: Option<&'a str>,
        recipient: &'a str,
    },
}

pub type Composer<'a> = &'a (dyn Fn(MailFor<'_>) -> Option<MailDraft> + Send + Sync);

impl Store {
    pub async fn create_event(
        &self,
        grant: &Granted<permission::ManageEvents>,
        programme_id: &str,
        data: EventData,
    ) -> Result<Event> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.covers(grant, programme_id)?;
        let now = tx.now();
        let id = new_id(now);
        bind_event(
            sqlx::query(
                "INSERT INTO events (title, kind, description, starts_at, ends_at, venue, online_url, capacity, \
                 public, registration_opens_at, registration_closes_at, strategy, questions, sessions, id, \
                 programme_id, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)",
            ),
            &data,
        )
        .bind(&id)
        .bind(programme_id)
        .bind(&grant.actor().user_id)
        .bind(timestamp(now))
        .execute(&mut *tx)
        .await?;
        tx.audit(Change::create("event", &id, &data.title).after(event_json(&data)))
            .await?;
        let e = load_event(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(e)
    }

    /// Changes an event. A capacity raised promotes waitlisted registrations into the new
    /// seats (earliest first); a capacity below the confirmed count is refused, as staff would
    /// otherwise have to choose whom to turn away.
    pub async fn update_event(
        &self,
        grant: &Granted<permission::ManageEvents>,
        id: &str,
        data: EventData,
        compose: Composer<'_>,
    ) -> Result<Event> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.lock_row("events", id).await?;
        let before = load_event(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        if let Some(c) = data.capacity
            && c < before.confirmed
        {
            return Err(Invalid::one(
                "capacity",
                Problem::OutOfRange {
                    min: before.confirmed,
                    max: noguchi_domain::event::MAX_CAPACITY,
                },
            )
            .into());
        }
        let now = tx.now();
        bind_event(
            sqlx::query(
                "UPDATE events SET title = $1, kind = $2, description = $3, starts_at = $4, ends_at = $5, \
                 venue = $6, online_url = $7, capacity = $8, public = $9, registration_opens_at = $10, \
                 registration_closes_at = $11, strategy = $12, questions = $13, sessions = $14, \
                 updated_at = $15 WHERE id = $16",
            ),
            &data,
        )
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::update("event", id, &data.title)
                .before(event_json(&before.data))
                .after(event_json(&data)),
        )
        .await?;
        let event = load_event(&mut tx, id).await?;
        promote_waitlisted(&mut tx, &event, compose).await?;
        let event = load_event(&mut tx, id).await?;
        tx.commit().await?;
        Ok(event)
    }

    /// An event the reader may see: a public one anyone, another the members of its programme.
    pub async fn event(&self, sight: &Sight, id: &str) -> Result<Event> {
        let mut conn = self.pool.acquire().await?;
        let e = load_event(&mut conn, id).await?;
        if sight.event(&e.programme_id, e.data.public) {
            Ok(e)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The events of a programme the reader may see, latest first.
    pub async fn events(&self, sight: &Sight, programme_id: &str) -> Result<Vec<Event>> {
        let rows = sqlx::query(&format!(
            "{EVENT_SELECT} WHERE e.programme_id = $1 ORDER BY e.starts_at DESC, e.id DESC"
        ))
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let e = event_from_row(r)?;
            if sight.event(&e.programme_id, e.data.public) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Registers someone for an event: confirmed while seats are left, else waitlisted. A
    /// second live registration of the same e-mail key writes nothing.
    pub async fn register(
        &self,
        grant: &Granted<permission::Register>,
        event_id: &str,
        new: NewRegistration,
        compose: Composer<'_>,
    ) -> Result<Registered> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.lock_row("events", event_id).await?;
        tx.restamp();
        let event = load_event(&mut tx, event_id).await?;
        tx.covers(grant, &event.programme_id)?;
        if !grant.covers_record(event_id) {
            return Err(StoreError::Denied);
        }
        if let Some(org) = &new.organisation_id {
            check_organisation(&mut tx, org).await?;
        }
        let taken = sqlx::query(
            "SELECT id FROM registrations WHERE event_id = $1 AND email_key = $2 AND status <> 'cancelled'",
        )
        .bind(event_id)
        .bind(&new.data.email)
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            // Nothing to audit and nothing written: the transaction is rolled back.
            return Ok(Registered::Duplicate);
        }
        if !new.data.sessions.is_empty() {
            let taken = session_seats_taken(&mut tx, event_id).await?;
            let full = noguchi_domain::event_form::full_sessions(
                &event.data.sessions,
                &new.data.sessions,
                &taken,
            );
            if let Some(key) = full.first() {
                return Err(Invalid::one(
                    "sessions",
                    Problem::Full {
                        what: event
                            .data
                            .sessions
                            .iter()
                            .find(|s| s.key == *key)
                            .map(|s| s.title.clone())
                            .unwrap_or_default(),
                    },
                )
                .into());
            }
        }
        let status = seat(event.data.capacity, event.confirmed);
        let id = insert_registration(&mut tx, &event, &new, status, false).await?;
        // Names and e-mail addresses stay out of the audit log: it outlives the event's list.
        tx.audit(
            Change::create("registration", &id, &event.data.title).after(json!({
                "event_id": event_id,
                "status": status.code(),
                "source": new.source.code(),
                "organisation_id": new.organisation_id,
            })),
        )
        .await?;
        let r = load_registration(&mut tx, &id).await?;
        if let Some(mail) = compose(MailFor::Registered(&event, &r)) {
            enqueue(&mut tx, Some(&event.programme_id), &mail).await?;
        }
        tx.commit().await?;
        Ok(Registered::Created(Box::new(r)))
    }

    /// Cancels a registration; a confirmed one's seat goes to the earliest waitlisted
    /// registration in the same transaction, and that person is told.
    pub async fn cancel_registration(
        &self,
        grant: &Granted<permission::Register>,
        id: &str,
        compose: Composer<'_>,
    ) -> Result<Registration> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load_registration(&mut tx, id).await?;
        tx.lock_row("events", &before.event_id).await?;
        let before = load_registration(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        if !grant.covers_record(id) {
            return Err(StoreError::Denied);
        }
        if before.status == RegistrationStatus::Cancelled {
            // Cancelling twice changes nothing (a second click, a retried request).
            return Ok(before);
        }
        let now = tx.now();
        sqlx::query(
            "UPDATE registrations SET status = 'cancelled', cancelled_at = $1, updated_at = $1 WHERE id = $2",
        )
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let event = load_event(&mut tx, &before.event_id).await?;
        tx.audit(
            Change::update("registration", id, &event.data.title)
                .before(json!({"status": before.status.code()}))
                .after(json!({"status": "cancelled"})),
        )
        .await?;
        promote_waitlisted(&mut tx, &event, compose).await?;
        let r = load_registration(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Changes a live registration's answers and sessions (through its personal link, or by
    /// staff). A session newly chosen needs a free seat, counted under the event's lock without
    /// the registration's own.
    pub async fn change_registration(
        &self,
        grant: &Granted<permission::Register>,
        id: &str,
        answers: Vec<noguchi_domain::event_form::Answer>,
        sessions: Vec<String>,
    ) -> Result<Registration> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load_registration(&mut tx, id).await?;
        tx.lock_row("events", &before.event_id).await?;
        let before = load_registration(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        if !grant.covers_record(id) {
            return Err(StoreError::Denied);
        }
        if before.status == RegistrationStatus::Cancelled {
            return Err(Invalid::one("registration", Problem::Settled).into());
        }
        let event = load_event(&mut tx, &before.event_id).await?;
        let added: Vec<String> = sessions
            .iter()
            .filter(|s| !before.data.sessions.contains(s))
            .cloned()
            .collect();
        if !added.is_empty() {
            let taken = session_seats_taken(&mut tx, &event.id).await?;
            let full =
                noguchi_domain::event_form::full_sessions(&event.data.sessions, &added, &taken);
            if let Some(key) = full.first() {
                return Err(Invalid::one(
                    "sessions",
                    Problem::Full {
                        what: event
                            .data
                            .sessions
                            .iter()
                            .find(|s| s.key == *key)
                            .map(|s| s.title.clone())
                            .unwrap_or_default(),
                    },
                )
                .into());
            }
        }
        sqlx::query(
            "UPDATE registrations SET answers = $1, sessions = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(form_json::answers(&answers))
        .bind(form_json::keys(&sessions))
        .bind(timestamp(tx.now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::update("registration", id, &event.data.title)
                .before(json!({"sessions": before.data.sessions}))
                .after(json!({"sessions": sessions, "answers_changed": true})),
        )
        .await?;
        let r = load_registration(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Records that a registered person came. Checking in twice keeps the first time. A
    /// waitlisted person who came anyway is checked in too (they were let in at the door).
    pub async fn check_in(
        &self,
        grant: &Granted<permission::ManageEvents>,
        id: &str,
    ) -> Result<Registration> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load_registration(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        if before.status == RegistrationStatus::Cancelled {
            return Err(Invalid::one(
                "status",
                Problem::UnknownValue {
                    value: "cancelled".into(),
                },
            )
            .into());
        }
        if before.checked_in_at.is_some() {
            return Ok(before);
        }
        let now = tx.now();
        sqlx::query(
            "UPDATE registrations SET checked_in_at = $1, checked_in_by = $2, updated_at = $1 WHERE id = $3",
        )
        .bind(timestamp(now))
        .bind(&grant.actor().user_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let title = event_title(&mut tx, &before.event_id).await?;
        tx.audit(
            Change::update("registration", id, &title)
                .before(json!({"checked_in": false}))
                .after(json!({"checked_in": true})),
        )
        .await?;
        let r = load_registration(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Links a registration to a directory entry (or unlinks it), as staff decided.
    pub async fn link_registration(
        &self,
        grant: &Granted<permission::ManageEvents>,
        id: &str,
        organisation_id: Option<&str>,
    ) -> Result<Registration> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load_registration(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        if let Some(org) = organisation_id {
            check_organisation(&mut tx, org).await?;
        }
        let matched = if organisation_id.is_some() {
            OrganisationMatch::Staff
        } else {
            OrganisationMatch::None
        };
        sqlx::query(
            "UPDATE registrations SET organisation_id = $1, organisation_match = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(organisation_id)
        .bind(matched.code())
        .bind(timestamp(tx.now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let title = event_title(&mut tx, &before.event_id).await?;
        tx.audit(
            Change::update("registration", id, &title)
                .before(json!({"organisation_id": before.organisation_id}))
                .after(json!({"organisation_id": organisation_id})),
        )
        .await?;
        let r = load_registration(&mut tx, id).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// A registration, for those who see the event's registrations.
    pub async fn registration(&self, sight: &Sight, id: &str) -> Result<Registration> {
        let mut conn = self.pool.acquire().await?;
        let r = load_registration(&mut conn, id).await?;
        if sight.registrations(&r.programme_id) {
            Ok(r)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The registration a personal link's secret (its SHA-256) opens.
    pub async fn registration_by_token(&self, token_hash: &str) -> Result<Registration> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(&format!("{REG_SELECT} WHERE r.manage_token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        registration_from_row(&row)
    }

    /// The registrations of an event, in the order they came, for those who run events.
    pub async fn registrations(&self, sight: &Sight, event_id: &str) -> Result<Vec<Registration>> {
        let event = self.event(sight, event_id).await?;
        if !sight.registrations(&event.programme_id) {
            return Err(StoreError::NotFound);
        }
        let rows = sqlx::query(&format!(
            "{REG_SELECT} WHERE r.event_id = $1 ORDER BY r.created_at, r.id"
        ))
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(registration_from_row).collect()
    }

    /// The directory as the registration match reads it.
    pub async fn directory_entries(&self) -> Result<Vec<DirectoryEntry>> {
        let rows = sqlx::query("SELECT id, name, name_kana, corporate_number FROM organisations")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DirectoryEntry {
                    id: get(r, "id")?,
                    name: get(r, "name")?,
                    name_kana: get(r, "name_kana")?,
                    corporate_number: get(r, "corporate_number")?,
                })
            })
            .collect()
    }

    /// Every event's start and every checked-in participant of a programme, for the activity
    /// figures and the network. Counts only: no names leave.
    pub async fn attendance(
        &self,
        programme_id: &str,
    ) -> Result<(Vec<(String, OffsetDateTime)>, Vec<Attendance>)> {
        let corrupt = |w: &str| StoreError::Corrupt(format!("event {w}"));
        let starts = sqlx::query(
            "SELECT id, starts_at FROM events WHERE programme_id = $1 ORDER BY starts_at, id",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok((
                get::<String>(r, "id")?,
                parse_instant(&get::<String>(r, "starts_at")?).map_err(|_| corrupt("starts_at"))?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
        // Each event's start is read once above; a check-in row carries only its event, its
        // organisation and whether that is a company (ten thousand rows at a large programme).
        let start_of: std::collections::HashMap<&str, OffsetDateTime> =
            starts.iter().map(|(id, t)| (id.as_str(), *t)).collect();
        let rows = sqlx::query(
            "SELECT r.event_id, r.organisation_id, o.kind \
             FROM registrations r JOIN events e ON e.id = r.event_id \
             LEFT JOIN organisations o ON o.id = r.organisation_id \
             WHERE e.programme_id = $1 AND r.checked_in_at IS NOT NULL AND r.status <> 'cancelled'",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        let attendance = rows
            .iter()
            .map(|r| {
                let event_id: String = r.try_get(0)?;
                Ok(Attendance {
                    event_starts_at: *start_of
                        .get(event_id.as_str())
                        .ok_or_else(|| corrupt("event_id"))?,
                    event_id,
                    organisation_id: r.try_get(1)?,
                    company: r.try_get::<Option<String>, _>(2)?.as_deref() == Some("company"),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((starts, attendance))
    }
}

/// Inserts a registration with the seat decided; `checked_in` for someone recorded as come at
/// once (a walk-in from a sign-in sheet).
async fn insert_registration(
    tx: &mut crate::write::Write,
    event: &Event,
    new: &NewRegistration,
    status: RegistrationStatus,
    checked_in: bool,
) -> Result<String> {
    let now = timestamp(tx.now());
    let id = new_id(tx.now());
    let by = tx.actor().user_id.clone();
    sqlx::query(
        "INSERT INTO registrations (id, event_id, programme_id, name, name_kana, email, email_key, organisation_name, \
         corporate_number, organisation_id, organisation_match, user_id, source, status, manage_token_hash, \
         checked_in_at, checked_in_by, answers, sessions, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)",
    )
    .bind(&id)
    .bind(&event.id)
    .bind(&event.programme_id)
    .bind(&new.data.name)
    .bind(new.data.name_kana.clone())
    .bind(&new.data.email)
    .bind(&new.data.email)
    .bind(&new.data.organisation_name)
    .bind(new.data.corporate_number.clone())
    .bind(new.organisation_id.clone())
    .bind(new.organisation_match.code())
    .bind(new.user_id.clone())
    .bind(new.source.code())
    .bind(status.code())
    .bind(new.manage_token_hash.clone())
    .bind(checked_in.then(|| now.clone()))
    .bind(checked_in.then_some(by))
    .bind(form_json::answers(&new.data.answers))
    .bind(form_json::keys(&new.data.sessions))
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Fills free seats from the waitlist, earliest first, and queues each promoted person's mail.
async fn promote_waitlisted(
    tx: &mut crate::write::Write,
    event: &Event,
    compose: Composer<'_>,
) -> Result<()> {
    let free = match event.data.capacity {
        None => i64::MAX,
        Some(c) => c - event.confirmed,
    };
    if free <= 0 {
        return Ok(());
    }
    let waiting = sqlx::query(
        "SELECT id FROM registrations WHERE event_id = $1 AND status = 'waitlisted' \
         ORDER BY created_at, id LIMIT $2",
    )
    .bind(&event.id)
    .bind(free.min(10_000))
    .fetch_all(&mut **tx)
    .await?;
    let now = tx.now();
    for row in &waiting {
        let id: String = get(row, "id")?;
        sqlx::query("UPDATE registrations SET status = 'confirmed', updated_at = $1 WHERE id = $2")
            .bind(timestamp(now))
            .bind(&id)
            .execute(&mut **tx)
            .await?;
        tx.audit(
            Change::update("registration", &id, &event.data.title)
                .before(json!({"status": "waitlisted"}))
                .after(json!({"status": "confirmed", "promoted": true})),
        )
        .await?;
        let r = load_registration(tx, &id).await?;
        if let Some(mail) = compose(MailFor::Promoted(event, &r)) {
            enqueue(tx, Some(&event.programme_id), &mail).await?;
        }
    }
    Ok(())
}

const EVENT_SELECT: &str = "SELECT e.*, \
    (SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed') AS n_confirmed, \
    (SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'waitlisted') AS n_waitlisted, \
    (SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.status <> 'cancelled' \
        AND r.checked_in_at IS NOT NULL) AS n_checked_in \
    FROM events e";

const REG_SELECT: &str = "SELECT r.*, o.name AS org_directory_name \
    FROM registrations r LEFT JOIN organisations o ON o.id = r.organisation_id";

/// How many live registrations hold each session of an event (read under the event's lock).
async fn session_seats_taken(
    conn: &mut AnyConnection,
    event_id: &str,
) -> Result<std::collections::BTreeMap<String, i64>> {
    let mut taken = std::collections::BTreeMap::new();
    for row in sqlx::query(
        "SELECT sessions FROM registrations WHERE event_id = $1 AND status <> 'cancelled' AND sessions IS NOT NULL",
    )
    .bind(event_id)
    .fetch_all(&mut *conn)
    .await?
    {
        let keys = form_json::read_keys(get(&row, "sessions")?)
            .ok_or_else(|| StoreError::Corrupt("registrations.sessions".into()))?;
        for k in keys {
            *taken.entry(k).or_insert(0) += 1;
        }
    }
    Ok(taken)
}

pub(crate) async fn load_event(conn: &mut AnyConnection, id: &str) -> Result<Event> {
    let r = sqlx::query(&format!("{EVENT_SELECT} WHERE e.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    event_from_row(&r)
}

async fn event_title(conn: &mut AnyConnection, id: &str) -> Result<String> {
    Ok(load_event(conn, id).await?.data.title)
}

pub(crate) async fn load_registration(conn: &mut AnyConnection, id: &str) -> Result<Registration> {
    let r = sqlx::query(&format!("{REG_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    registration_from_row(&r)
}

/// Binds an event's fields as $1 … $14 (title … sessions), in the order both the insert and the
/// update name them.
fn bind_event<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    d: &EventData,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    q.bind(d.title.clone())
        .bind(d.kind.code())
        .bind(d.description.clone())
        .bind(timestamp(d.starts_at))
        .bind(timestamp(d.ends_at))
        .bind(d.venue.clone())
        .bind(d.online_url.clone())
        .bind(d.capacity)
        .bind(i64::from(d.public))
        .bind(d.registration_opens_at.map(timestamp))
        .bind(d.registration_closes_at.map(timestamp))
        .bind(d.strategy.clone())
        .bind(form_json::questions(&d.questions))
        .bind(form_json::sessions(&d.sessions))
}

fn event_json(d: &EventData) -> serde_json::Value {
    use noguchi_domain::event::format_instant;
    json!({
        "title": d.title,
        "kind": d.kind.code(),
        "starts_at": format_instant(d.starts_at),
        "ends_at": format_instant(d.ends_at),
        "venue": d.venue,
        "capacity": d.capacity,
        "public": d.public,
        "strategy": d.strategy,
        "questions": d.questions.iter().map(|q| q.label.clone()).collect::<Vec<_>>(),
        "sessions": d.sessions.iter().map(|s| (s.key.clone(), s.title.clone(), s.capacity)).collect::<Vec<_>>(),
    })
}

fn event_from_row(r: &AnyRow) -> Result<Event> {
    let corrupt = |w: &str| StoreError::Corrupt(format!("event {w}"));
    let instant = |col: &str| -> Result<OffsetDateTime> {
        parse_instant(&get::<String>(r, col)?).map_err(|_| corrupt(col))
    };
    let optional = |col: &str| -> Result<Option<OffsetDateTime>> {
        get::<Option<String>>(r, col)?
            .map(|s| parse_instant(&s).map_err(|_| corrupt(col)))
            .transpose()
    };
    Ok(Event {
        id: get(r, "id")?,
        programme_id: get(r, "programme_id")?,
        data: EventData {
            title: get(r, "title")?,
            kind: EventKind::parse(&get::<String>(r, "kind")?).map_err(|_| corrupt("kind"))?,
            description: get(r, "description")?,
            starts_at: instant("starts_at")?,
            ends_at: instant("ends_at")?,
            venue: get(r, "venue")?,
            online_url: get(r, "online_url")?,
            capacity: get(r, "capacity")?,
            public: crate::sql::flag(r, "public")?,
            registration_opens_at: optional("registration_opens_at")?,
            registration_closes_at: optional("registration_closes_at")?,
            strategy: get(r, "strategy")?,
            questions: form_json::read_questions(get(r, "questions")?)
                .ok_or_else(|| StoreError::Corrupt("events.questions".into()))?,
            sessions: form_json::read_sessions(get(r, "sessions")?)
                .ok_or_else(|| StoreError::Corrupt("events.sessions".into()))?,
        },
        confirmed: get(r, "n_confirmed")?,
        waitlisted: get(r, "n_waitlisted")?,
        checked_in: get(r, "n_checked_in")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

fn registration_from_row(r: &AnyRow) -> Result<Registration> {
    let corrupt = |w: &str| StoreError::Corrupt(format!("registration {w}"));
    Ok(Registration {
        id: get(r, "id")?,
        event_id: get(r, "event_id")?,
        programme_id: get(r, "programme_id")?,
        data: RegistrationData {
            name: get(r, "name")?,
            name_kana: get(r, "name_kana")?,
            email: get(r, "email")?,
            organisation_name: get(r, "organisation_name")?,
            corporate_number: get(r, "corporate_number")?,
            answers: form_json::read_answers(get(r, "answers")?)
                .ok_or_else(|| corrupt("answers"))?,
            sessions: form_json::read_keys(get(r, "sessions")?)
                .ok_or_else(|| corrupt("sessions"))?,
        },
        organisation_id: get(r, "organisation_id")?,
        organisation_directory_name: get(r, "org_directory_name")?,
        organisation_match: OrganisationMatch::parse(&get::<String>(r, "organisation_match")?)
            .map_err(|_| corrupt("organisation_match"))?,
        user_id: get(r, "user_id")?,
        source: RegistrationSource::parse(&get::<String>(r, "source")?)
            .map_err(|_| corrupt("source"))?,
        status: RegistrationStatus::parse(&get::<String>(r, "status")?)
            .map_err(|_| corrupt("status"))?,
        checked_in_at: get(r, "checked_in_at")?,
        cancelled_at: get(r, "cancelled_at")?,
        created_at: get(r, "created_at")?,
    })
}

impl Store {
    /// Every organisation's kind, name and whether it is local, by id (the network's sectors,
    /// names and local firms).
    pub async fn organisation_facts(
        &self,
    ) -> Result<std::collections::HashMap<String, (String, String, bool)>> {
        let rows = sqlx::query("SELECT id, kind, name, in_region FROM organisations")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    get(r, "id")?,
                    (
                        get(r, "kind")?,
                        get(r, "name")?,
                        crate::sql::flag(r, "in_region")?,
                    ),
                ))
            })
            .collect()
    }
}

/// A contact between two organisations that only some may see: a proposal that reached the NDA,
/// the meeting or a project, or an NDA on a need. Carries what the reader's sight decides on.
#[derive(Debug, Clone)]
pub struct PrivateContact {
    pub kind: noguchi_domain::network::TieKind,
    pub a: String,
    pub b: String,
    /// The day it happened (YYYY-MM-DD).
    pub on: String,
    /// The confidential record the contact comes from, which decides who sees it.
    pub record: PrivateRecord,
}

/// The record behind a private contact, with what its visibility rule reads.
#[derive(Debug, Clone)]
pub enum PrivateRecord {
    /// A match proposal: its id and proposer (the proposer sees it too).
    Proposal { id: String, proposer: String },
    /// An NDA: its two parties.
    Nda,
    /// An attraction or expansion deal: the organisations it is shared with.
    Deal { shared_with: Vec<String> },
    /// An entry case: its firm and supporters.
    EntryCase { supporters: Vec<String> },
    /// A project: its member organisations.
    Project { members: Vec<String> },
}

impl Store {
    /// The proposals, NDAs, deals, entry cases and projects of a programme as contacts between
    /// organisations, unfiltered:
    /// the use case keeps those the reader may see.
    pub async fn private_contacts(&self, programme_id: &str) -> Result<Vec<PrivateContact>> {
        use noguchi_domain::network::TieKind;
        let mut out = Vec::new();
        let rows = sqlx::query(
            "SELECT p.id, p.status, p.status_on, p.candidate_org_id, p.proposer_org_id, n.submitter_org_id \
             FROM match_proposals p JOIN needs n ON n.id = p.need_id \
             WHERE p.programme_id = $1 AND p.status IN ('nda', 'meeting', 'project')",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let status: String = get(r, "status")?;
            out.push(PrivateContact {
                kind: if status == "nda" {
                    TieKind::Nda
                } else {
                    TieKind::Proposal
                },
                a: get(r, "submitter_org_id")?,
                b: get(r, "candidate_org_id")?,
                on: get(r, "status_on")?,
                record: PrivateRecord::Proposal {
                    id: get(r, "id")?,
                    proposer: get(r, "proposer_org_id")?,
                },
            });
        }
        let rows = sqlx::query(
            "SELECT d.organisation_id, d.signed_on, n.submitter_org_id \
             FROM need_ndas d JOIN needs n ON n.id = d.need_id WHERE n.programme_id = $1",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            out.push(PrivateContact {
                kind: TieKind::Nda,
                a: get(r, "submitter_org_id")?,
                b: get(r, "organisation_id")?,
                on: get(r, "signed_on")?,
                record: PrivateRecord::Nda,
            });
        }
        // Deals: the firm and each organisation the deal is shared with, from the deal's start.
        out.extend(
            self.firm_contacts(
                "SELECT d.id, d.organisation_id, d.created_at, s.organisation_id AS other \
                 FROM deals d JOIN deal_shares s ON s.deal_id = d.id WHERE d.programme_id = $1",
                programme_id,
                TieKind::Deal,
                |shared_with| PrivateRecord::Deal { shared_with },
            )
            .await?,
        );
        // Entry cases: the firm and each supporting organisation, from the case's opening.
        out.extend(
            self.firm_contacts(
                "SELECT c.id, c.organisation_id, c.created_at, s.organisation_id AS other \
                 FROM entry_cases c JOIN entry_case_supporters s ON s.case_id = c.id \
                 WHERE c.programme_id = $1",
                programme_id,
                TieKind::Support,
                |supporters| PrivateRecord::EntryCase { supporters },
            )
            .await?,
        );
        // Projects: every pair of member organisations, from the project's opening.
        let mut by_project: std::collections::BTreeMap<String, (String, Vec<String>)> =
            Default::default();
        for r in sqlx::query(
            "SELECT p.id, p.created_at, m.organisation_id FROM projects p \
             JOIN project_members m ON m.project_id = p.id WHERE p.programme_id = $1",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?
        {
            let e = by_project.entry(get(&r, "id")?).or_insert((
                get::<String>(&r, "created_at")?.chars().take(10).collect(),
                Vec::new(),
            ));
            let org: String = get(&r, "organisation_id")?;
            if !e.1.contains(&org) {
                e.1.push(org);
            }
        }
        for (on, members) in by_project.into_values() {
            for (i, a) in members.iter().enumerate() {
                for b in &members[i + 1..] {
                    out.push(PrivateContact {
                        kind: TieKind::Project,
                        a: a.clone(),
                        b: b.clone(),
                        on: on.clone(),
                        record: PrivateRecord::Project {
                            members: members.clone(),
                        },
                    });
                }
            }
        }
        Ok(out)
    }
}

impl Store {
    /// The contacts of records that join one firm to other organisations (a deal and those it
    /// is shared with, an entry case and its supporters): `sql` gives one row per record and
    /// other organisation (`id`, `organisation_id`, `created_at`, `other`); each contact is
    /// dated from the record's creation and carries the record's other organisations.
    async fn firm_contacts(
        &self,
        sql: &str,
        programme_id: &str,
        kind: noguchi_domain::network::TieKind,
        record: impl Fn(Vec<String>) -> PrivateRecord,
    ) -> Result<Vec<PrivateContact>> {
        let mut by_record: std::collections::BTreeMap<String, (String, String, Vec<String>)> =
            Default::default();
        for r in sqlx::query(sql)
            .bind(programme_id)
            .fetch_all(&self.pool)
            .await?
        {
            let e = by_record.entry(get(&r, "id")?).or_insert((
                get(&r, "organisation_id")?,
                get::<String>(&r, "created_at")?.chars().take(10).collect(),
                Vec::new(),
            ));
            e.2.push(get(&r, "other")?);
        }
        let mut out = Vec::new();
        for (firm, on, others) in by_record.into_values() {
            for other in &others {
                out.push(PrivateContact {
                    kind,
                    a: firm.clone(),
                    b: other.clone(),
                    on: on.clone(),
                    record: record(others.clone()),
                });
            }
        }
        Ok(out)
    }
}

impl Store {
    /// The firms that consulted the programme (on an entry case), those with an entry case, and
    /// those with a verified entry or commercialisation outcome, for the funnel. Entry cases are
    /// confidential: the use case shows the funnel to the secretariat only.
    pub async fn funnel_facts(
        &self,
        programme_id: &str,
    ) -> Result<[std::collections::BTreeSet<String>; 3]> {
        let mut out: [std::collections::BTreeSet<String>; 3] = Default::default();
        let queries = [
            "SELECT DISTINCT ec.organisation_id AS org FROM consultations c \
             JOIN entry_cases ec ON ec.id = c.case_id WHERE ec.programme_id = $1",
            "SELECT DISTINCT organisation_id AS org FROM entry_cases WHERE programme_id = $1",
            "SELECT DISTINCT organisation_id AS org FROM outcomes WHERE programme_id = $1 \
             AND status = 'verified' AND kind IN ('new_entry', 'commercialisation')",
        ];
        for (set, q) in out.iter_mut().zip(queries) {
            for r in sqlx::query(q)
                .bind(programme_id)
                .fetch_all(&self.pool)
                .await?
            {
                set.insert(get(&r, "org")?);
            }
        }
        Ok(out)
    }
}

impl Store {
    /// Records a sign-in sheet in one transaction: the check-ins of registrations, and the
    /// walk-ins registered (a seat as any registration gets) and checked in. Returns how many
    /// people were recorded.
    pub async fn record_attendance(
        &self,
        grant: &Granted<permission::ManageEvents>,
        event_id: &str,
        check_ins: &[String],
        walk_ins: Vec<NewRegistration>,
    ) -> Result<usize> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.lock_row("events", event_id).await?;
        tx.restamp();
        let event = load_event(&mut tx, event_id).await?;
        tx.covers(grant, &event.programme_id)?;
        let now = tx.now();
        let mut recorded = 0;
        for id in check_ins {
            let r = load_registration(&mut tx, id).await?;
            if r.event_id != event_id || r.status == RegistrationStatus::Cancelled {
                return Err(StoreError::NotFound);
            }
            if r.checked_in_at.is_some() {
                continue;
            }
            sqlx::query(
                "UPDATE registrations SET checked_in_at = $1, checked_in_by = $2, updated_at = $1 WHERE id = $3",
            )
            .bind(timestamp(now))
            .bind(&grant.actor().user_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            tx.audit(
                Change::update("registration", id, &event.data.title)
                    .before(json!({"checked_in": false}))
                    .after(json!({"checked_in": true, "from": "sheet"})),
            )
            .await?;
            recorded += 1;
        }
        let mut confirmed = event.confirmed;
        for new in walk_ins {
            let taken = sqlx::query(
                "SELECT id FROM registrations WHERE event_id = $1 AND email_key = $2 AND status <> 'cancelled'",
            )
            .bind(event_id)
            .bind(&new.data.email)
            .fetch_optional(&mut *tx)
            .await?;
            if taken.is_some() {
                return Err(Invalid::one("email", Problem::Taken).into());
            }
            let status = seat(event.data.capacity, confirmed);
            if status == RegistrationStatus::Confirmed {
                confirmed += 1;
            }
            let id = insert_registration(&mut tx, &event, &new, status, true).await?;
            tx.audit(
                Change::create("registration", &id, &event.data.title).after(json!({
                    "event_id": event_id,
                    "status": status.code(),
                    "source": "sheet",
                    "organisation_id": new.organisation_id,
                    "checked_in": true,
                })),
            )
            .await?;
            recorded += 1;
        }
        if recorded == 0 {
            // Nothing changed: nothing to commit (the write refuses a commit without a record).
            return Ok(0);
        }
        tx.commit().await?;
        Ok(recorded)
    }
}

impl Store {
    /// Queues the reminder of every confirmed registration whose event begins within `ahead`
    /// of `now` (and has not begun), once per registration. Returns how many were queued.
    pub async fn queue_reminders(
        &self,
        grant: &Granted<permission::ManageEvents>,
        ahead: time::Duration,
        compose: Composer<'_>,
    ) -> Result<usize> {
        let now = self.now();
        let due = sqlx::query(
            "SELECT DISTINCT r.event_id FROM registrations r JOIN events e ON e.id = r.event_id \
             WHERE r.status = 'confirmed' AND r.reminded_at IS NULL AND e.starts_at > $1 AND e.starts_at <= $2",
        )
        .bind(timestamp(now))
        .bind(timestamp(now + ahead))
        .fetch_all(&self.pool)
        .await?;
        let mut queued = 0;
        for row in &due {
            let event_id: String = get(row, "event_id")?;
            let mut tx = self.begin(grant.actor()).await?;
            tx.lock_row("events", &event_id).await?;
            let event = load_event(&mut tx, &event_id).await?;
            tx.covers(grant, &event.programme_id)?;
            let ids = sqlx::query(
                "SELECT id FROM registrations WHERE event_id = $1 AND status = 'confirmed' AND reminded_at IS NULL",
            )
            .bind(&event_id)
            .fetch_all(&mut *tx)
            .await?;
            if ids.is_empty() {
                continue;
            }
            for r in &ids {
                let id: String = get(r, "id")?;
                sqlx::query("UPDATE registrations SET reminded_at = $1 WHERE id = $2")
                    .bind(timestamp(tx.now()))
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                let reg = load_registration(&mut tx, &id).await?;
                if let Some(mail) = compose(MailFor::Reminder(&event, &reg)) {
                    enqueue(&mut tx, Some(&event.programme_id), &mail).await?;
                }
            }
            tx.audit(
                Change::update("event", &event_id, &event.data.title)
                    .after(json!({"reminders_queued": ids.len()})),
            )
            .await?;
            tx.commit().await?;
            queued += ids.len();
        }
        Ok(queued)
    }
}
