//! The outbox: mail waiting to be delivered, written in the same transaction as the step that
//! sends it (a registration, a promotion), so a mail goes out if and only if the step happened.
//! A worker delivers it over SMTP; without SMTP configured it waits here, visible to the
//! secretariat, and nothing is lost.
//!
//! Delivery bookkeeping (sent, failed, the next attempt) is not programme data and is not
//! audited: the audit log records the step that queued the mail.

use crate::sql::get;
use crate::write::Write;
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::Sight;

/// A mail to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailDraft {
    /// What the mail is about (`registration_confirmed`, `waitlist_promoted` …).
    pub kind: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct QueuedMail {
    pub id: String,
    pub programme_id: Option<String>,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// `pending`, `sent` or `failed` (given up after the last attempt).
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

/// Attempts before a mail is given up (the last waits about a day after the first).
pub const MAX_ATTEMPTS: i64 = 8;

pub(crate) async fn enqueue(
    tx: &mut Write,
    programme_id: Option<&str>,
    mail: &MailDraft,
) -> Result<()> {
    let now = timestamp(tx.now());
    sqlx::query(
        "INSERT INTO outbox (id, programme_id, kind, recipient, subject, body, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)",
    )
    .bind(new_id(tx.now()))
    .bind(programme_id)
    .bind(mail.kind)
    .bind(&mail.recipient)
    .bind(&mail.subject)
    .bind(&mail.body)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Mail due for an attempt now, oldest first.
    pub async fn due_mail(&self, limit: i64) -> Result<Vec<QueuedMail>> {
        let rows = sqlx::query(
            "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $2",
        )
        .bind(timestamp(self.now()))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn mail_sent(&self, id: &str) -> Result<()> {
        let now = timestamp(self.now());
        sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a failed attempt: the next one waits longer (2, 4, 8 … minutes, then hours);
    /// after [`MAX_ATTEMPTS`] the mail is given up and shown as failed.
    pub async fn mail_failed(&self, id: &str, error: &str) -> Result<()> {
        let row = sqlx::query("SELECT attempts FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let attempts: i64 = get::<i64>(&row, "attempts")? + 1;
        let wait = time::Duration::minutes(1i64 << attempts.clamp(0, 12));
        let status = if attempts >= MAX_ATTEMPTS {
            "failed"
        } else {
            "pending"
        };
        let error: String = error.chars().take(500).collect();
        sqlx::query(
            "UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $5",
        )
        .bind(status)
        .bind(attempts)
        .bind(timestamp(self.now() + wait))
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The outbox of the programmes the reader is the secretariat of, latest first.
    pub async fn outbox(&self, sight: &Sight, limit: i64) -> Result<Vec<QueuedMail>> {
        // None: every programme (an administrator, the system).
        let programmes = sight.secretariat_programmes();
        let rows = sqlx::query("SELECT * FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let m = from_row(r)?;
            let visible = match (&programmes, &m.programme_id) {
                (None, _) => true,
                (Some(ps), Some(p)) => ps.contains(p),
                (Some(_), None) => false,
            };
            if visible {
                out.push(m);
            }
        }
        Ok(out)
    }
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<QueuedMail> {
    Ok(QueuedMail {
        id: get(r, "id")?,
        programme_id: get(r, "programme_id")?,
        kind: get(r, "kind")?,
        recipient: get(r, "recipient")?,
        subject: get(r, "subject")?,
        body: get(r, "body")?,
        status: get(r, "status")?,
        attempts: get(r, "attempts")?,
        next_attempt_at: get(r, "next_attempt_at")?,
        last_error: get(r, "last_error")?,
        created_at: get(r, "created_at")?,
        sent_at: get(r, "sent_at")?,
    })
}
