//! The follow-up survey of an event: sent once to each registration that checked in, answered
//! through its own link (a secret kept as its hash), and a consultation wish filed as work for
//! the secretariat on the firm's entry case, in the answer's transaction.

use crate::audit::Change;
use crate::events::{Composer, MailFor, load_event, load_registration};
use crate::outbox::enqueue;
use crate::sql::get;
use crate::{Result, Store, StoreError, new_id, random_token, timestamp, token_hash};
use noguchi_domain::access::{Granted, Sight, permission};
use noguchi_domain::dates::format_date;
use noguchi_domain::followup::{
    CONSULTATION_DUE_DAYS, FollowupData, consultation_action, topic_words,
};
use noguchi_domain::pipeline::{
    ConsultationCategory, EntryCaseData, EntryCases, EntryStage, Stages,
};
use noguchi_domain::{Invalid, Problem};
use serde_json::json;
use sqlx::any::AnyRow;

/// One participant's answer, as those who run events read it.
#[derive(Debug, Clone)]
pub struct FollowupAnswer {
    pub registration_id: String,
    pub event_id: String,
    pub name: String,
    pub organisation_name: String,
    pub organisation_id: Option<String>,
    pub satisfaction: i64,
    pub comment: Option<String>,
    pub consultation: Option<ConsultationCategory>,
    /// The entry case the consultation wish went to.
    pub entry_case_id: Option<String>,
    pub answered_at: String,
}

/// Where a follow-up stands for one event.
#[derive(Debug, Clone, Copy, Default)]
pub struct FollowupCounts {
    /// Participants who came and were sent the survey.
    pub sent: i64,
    /// Participants who came and have not been sent it yet.
    pub unsent: i64,
    pub answered: i64,
}

const ANSWER_SELECT: &str = "SELECT a.*, r.name, r.organisation_name, r.organisation_id \
    FROM followup_answers a JOIN registrations r ON r.id = a.registration_id";

fn answer_from_row(r: &AnyRow) -> Result<FollowupAnswer> {
    let consultation: Option<String> = get(r, "consultation")?;
    Ok(FollowupAnswer {
        registration_id: get(r, "registration_id")?,
        event_id: get(r, "event_id")?,
        name: get(r, "name")?,
        organisation_name: get(r, "organisation_name")?,
        organisation_id: get(r, "organisation_id")?,
        satisfaction: get(r, "satisfaction")?,
        comment: get(r, "comment")?,
        consultation: consultation
            .as_deref()
            .map(ConsultationCategory::parse)
            .transpose()
            .map_err(|_| StoreError::Corrupt("followup_answers.consultation".into()))?,
        entry_case_id: get(r, "entry_case_id")?,
        answered_at: get(r, "answered_at")?,
    })
}

impl Store {
    /// Sends the follow-up survey to everyone who checked in at the event and has not had it
    /// (cancelled registrations aside): each gets a link of their own, queued as mail in this
    /// transaction. Returns how many were sent; sending again reaches only those added since.
    pub async fn send_followups(
        &self,
        grant: &Granted<permission::ManageEvents>,
        event_id: &str,
        compose: Composer<'_>,
    ) -> Result<usize> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.lock_row("events", event_id).await?;
        let event = load_event(&mut tx, event_id).await?;
        tx.covers(grant, &event.programme_id)?;
        let ids = sqlx::query(
            "SELECT id FROM registrations WHERE event_id = $1 AND status <> 'cancelled' \
             AND checked_in_at IS NOT NULL AND followup_sent_at IS NULL ORDER BY created_at, id",
        )
        .bind(event_id)
        .fetch_all(&mut *tx)
        .await?;
        for row in &ids {
            let id: String = get(row, "id")?;
            let token = random_token(16);
            sqlx::query(
                "UPDATE registrations SET followup_token_hash = $1, followup_sent_at = $2 WHERE id = $3",
            )
            .bind(token_hash(&token))
            .bind(timestamp(tx.now()))
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            let reg = load_registration(&mut tx, &id).await?;
            if let Some(mail) = compose(MailFor::Followup(&event, &reg, &token)) {
                enqueue(&mut tx, Some(&event.programme_id), &mail).await?;
            }
        }
        tx.audit(
            Change::update("event", event_id, &event.data.title)
                .after(json!({"followups_sent": ids.len()})),
        )
        .await?;
        tx.commit().await?;
        Ok(ids.len())
    }

    /// The registration a follow-up link's secret (its SHA-256) opens, with its answer if given.
    pub async fn followup_by_token(
        &self,
        token_hash: &str,
    ) -> Result<(crate::Registration, Option<FollowupAnswer>)> {
        let mut conn = self.pool.acquire().await?;
        let id: String = sqlx::query("SELECT id FROM registrations WHERE followup_token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)
            .and_then(|r| get(&r, "id"))?;
        let r = load_registration(&mut conn, &id).await?;
        let answer = sqlx::query(&format!("{ANSWER_SELECT} WHERE a.registration_id = $1"))
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await?
            .as_ref()
            .map(answer_from_row)
            .transpose()?;
        Ok((r, answer))
    }

    /// Stores a participant's answer (once). A consultation wish from a participant whose
    /// organisation is in the directory goes to that firm's open entry case, or opens one: the
    /// case gets a note of the wish and, when it has none, a next action due within
    /// [`CONSULTATION_DUE_DAYS`]. A wish from someone not yet linked to the directory stays on
    /// the event's answers for staff to take up.
    pub async fn answer_followup(
        &self,
        grant: &Granted<permission::Register>,
        registration_id: &str,
        data: FollowupData,
        compose: Composer<'_>,
    ) -> Result<FollowupAnswer> {
        let mut tx = self.begin(grant.actor()).await?;
        let r = load_registration(&mut tx, registration_id).await?;
        tx.covers(grant, &r.programme_id)?;
        if !grant.covers_record(registration_id) {
            return Err(StoreError::Denied);
        }
        let answered =
            sqlx::query("SELECT registration_id FROM followup_answers WHERE registration_id = $1")
                .bind(registration_id)
                .fetch_optional(&mut *tx)
                .await?;
        if answered.is_some() {
            return Err(Invalid::one("followup", Problem::Settled).into());
        }
        let event = load_event(&mut tx, &r.event_id).await?;
        let today = tx.now().to_offset(noguchi_domain::event::JST).date();
        let case_id = match (data.consultation, &r.organisation_id) {
            (Some(topic), Some(org)) => Some(
                self.file_consultation_wish(&mut tx, &r, org, &event.data.title, topic, today)
                    .await?,
            ),
            _ => None,
        };
        sqlx::query(
            "INSERT INTO followup_answers (registration_id, event_id, programme_id, satisfaction, \
             comment, consultation, entry_case_id, answered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(registration_id)
        .bind(&r.event_id)
        .bind(&r.programme_id)
        .bind(data.satisfaction)
        .bind(data.comment.clone())
        .bind(data.consultation.map(|c| c.code()))
        .bind(case_id.clone())
        .bind(timestamp(tx.now()))
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::create("followup_answer", registration_id, &event.data.title).after(json!({
                "satisfaction": data.satisfaction,
                "consultation": data.consultation.map(|c| c.code()),
                "entry_case_id": case_id,
            })),
        )
        .await?;
        // The secretariat hears of a wish at once (a notice, not only a line on a page).
        if let Some(topic) = data.consultation {
            let recipients = sqlx::query(
                "SELECT DISTINCT u.email FROM users u JOIN programme_members m \
                 ON m.organisation_id = u.organisation_id \
                 WHERE m.programme_id = $1 AND u.disabled_at IS NULL \
                 AND (',' || m.roles || ',') LIKE '%,secretariat,%' ORDER BY u.email",
            )
            .bind(&r.programme_id)
            .fetch_all(&mut *tx)
            .await?;
            for row in &recipients {
                let email: String = get(row, "email")?;
                if let Some(mail) = compose(MailFor::ConsultationWish {
                    event: &event,
                    registration: &r,
                    topic,
                    case_id: case_id.as_deref(),
                    recipient: &email,
                }) {
                    enqueue(&mut tx, Some(&r.programme_id), &mail).await?;
                }
            }
        }
        let answer = sqlx::query(&format!("{ANSWER_SELECT} WHERE a.registration_id = $1"))
            .bind(registration_id)
            .fetch_one(&mut *tx)
            .await?;
        let answer = answer_from_row(&answer)?;
        tx.commit().await?;
        Ok(answer)
    }

    async fn file_consultation_wish(
        &self,
        tx: &mut crate::write::Write,
        r: &crate::Registration,
        organisation_id: &str,
        event_title: &str,
        topic: ConsultationCategory,
        today: time::Date,
    ) -> Result<String> {
        let open = sqlx::query(
            "SELECT id, next_action FROM entry_cases WHERE programme_id = $1 AND organisation_id = $2 \
             AND stage NOT IN ($3, $4) ORDER BY created_at, id",
        )
        .bind(&r.programme_id)
        .bind(organisation_id)
        .bind(EntryStage::CLOSED.code())
        .bind(EntryStage::Commercialised.code())
        .fetch_optional(&mut **tx)
        .await?;
        let action = consultation_action(event_title);
        let due = today + time::Duration::days(CONSULTATION_DUE_DAYS);
        let case_id = match open {
            Some(row) => {
                let id: String = get(&row, "id")?;
                let next: Option<String> = get(&row, "next_action")?;
                // An action already planned is the secretariat's: it is not overwritten.
                if next.is_none() {
                    sqlx::query(
                        "UPDATE entry_cases SET next_action = $1, next_action_due = $2, updated_at = $3 WHERE id = $4",
                    )
                    .bind(&action)
                    .bind(format_date(due))
                    .bind(timestamp(tx.now()))
                    .bind(&id)
                    .execute(&mut **tx)
                    .await?;
                    tx.audit(Change::update("entry_case", &id, &action).after(
                        json!({"next_action": action, "next_action_due": format_date(due)}),
                    ))
                    .await?;
                }
                id
            }
            None => {
                let data = EntryCaseData {
                    organisation_id: organisation_id.to_owned(),
                    title: Some(format!(
                        "{}（イベント後の相談希望）",
                        r.data.organisation_name
                    )),
                    owner_user_id: None,
                    jobs: None,
                    next_action: Some(action.clone()),
                    next_action_due: Some(due),
                    supporters: Vec::new(),
                };
                let id = self
                    .insert::<EntryCases>(tx, &r.programme_id, &data)
                    .await?;
                tx.audit(
                    Change::create("entry_case", &id, &action)
                        .after(json!({"organisation_id": organisation_id, "from": "followup"})),
                )
                .await?;
                id
            }
        };
        let note = format!(
            "「{event_title}」のフォローアップで{}（{}）が相談を希望（分野: {}）。",
            r.data.name,
            r.data.organisation_name,
            topic_words(topic)
        );
        sqlx::query(
            "INSERT INTO activities (id, subject, subject_id, kind, happened_on, participants, body, user_id, at) \
             VALUES ($1, 'entry_case', $2, 'note', $3, $4, $5, $6, $7)",
        )
        .bind(new_id(tx.now()))
        .bind(&case_id)
        .bind(format_date(today))
        .bind(r.data.name.clone())
        .bind(&note)
        .bind(tx.actor().user_id.clone())
        .bind(timestamp(tx.now()))
        .execute(&mut **tx)
        .await?;
        Ok(case_id)
    }

    /// The answers to an event's follow-up, for those who see its registrations.
    pub async fn followup_answers(
        &self,
        sight: &Sight,
        event_id: &str,
    ) -> Result<(Vec<FollowupAnswer>, FollowupCounts)> {
        let event = self.event(sight, event_id).await?;
        if !sight.registrations(&event.programme_id) {
            return Err(StoreError::NotFound);
        }
        let answers = sqlx::query(&format!(
            "{ANSWER_SELECT} WHERE a.event_id = $1 ORDER BY a.answered_at, a.registration_id"
        ))
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(answer_from_row)
        .collect::<Result<Vec<_>>>()?;
        let row = sqlx::query(
            "SELECT \
             (SELECT COUNT(*) FROM registrations WHERE event_id = $1 AND status <> 'cancelled' \
                AND checked_in_at IS NOT NULL AND followup_sent_at IS NOT NULL) AS sent, \
             (SELECT COUNT(*) FROM registrations WHERE event_id = $1 AND status <> 'cancelled' \
                AND checked_in_at IS NOT NULL AND followup_sent_at IS NULL) AS unsent",
        )
        .bind(event_id)
        .fetch_one(&self.pool)
        .await?;
        let counts = FollowupCounts {
            sent: get(&row, "sent")?,
            unsent: get(&row, "unsent")?,
            answered: answers.len() as i64,
        };
        Ok((answers, counts))
    }
}
