//! The work of a project beyond its record: gate reviews (each may move the project), grants
//! with the reports their award brings, and the files attached to a project or a review.
//! Everything here is read only through a project the reader may see.

use crate::audit::Change;
use crate::outbox::{MailDraft, enqueue};
use crate::projects::{Project, load};
use crate::sql::get;
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Granted, Sight, permission};
use noguchi_domain::attachment::FileKind;
use noguchi_domain::dates::{format_date, parse_date};
use noguchi_domain::grant::{Amount, GrantData, GrantStatus, ReportKind};
use noguchi_domain::project::{CriterionResult, GateDecision, ProjectStage, ReviewData};
use serde_json::json;
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct Review {
    pub id: String,
    pub project_id: String,
    pub data: ReviewData,
    pub decided_by: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct Grant {
    pub id: String,
    pub project_id: String,
    pub data: GrantData,
    /// The reports recorded as submitted or reminded: (kind, seq) → row.
    pub reports: Vec<ReportRecord>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct ReportRecord {
    pub kind: ReportKind,
    pub seq: u8,
    pub done_on: Option<String>,
    pub reminded_at: Option<String>,
}

impl Grant {
    pub fn report(&self, kind: ReportKind, seq: u8) -> Option<&ReportRecord> {
        self.reports.iter().find(|r| r.kind == kind && r.seq == seq)
    }
}

/// A kept file's description (its bytes are read only to serve it).
#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: String,
    pub programme_id: String,
    /// `project` or `review`.
    pub record_kind: String,
    pub record_id: String,
    pub filename: String,
    pub kind: FileKind,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub created_at: String,
}

/// An awarded grant whose reports a reminder job reads.
#[derive(Debug, Clone)]
pub struct AwardedGrant {
    pub grant: Grant,
    pub programme_id: String,
    pub project_title: String,
    pub lead_organisation_id: Option<String>,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.into())
}

fn review_from_row(r: &AnyRow) -> Result<Review> {
    let criteria: serde_json::Value = serde_json::from_str(&get::<String>(r, "criteria")?)
        .map_err(|_| corrupt("project_reviews.criteria"))?;
    let criteria = criteria
        .as_array()
        .ok_or_else(|| corrupt("project_reviews.criteria"))?
        .iter()
        .map(|c| CriterionResult {
            name: c["name"].as_str().unwrap_or_default().to_owned(),
            met: c["met"].as_bool().unwrap_or(false),
            note: c["note"].as_str().map(str::to_owned),
        })
        .collect();
    Ok(Review {
        id: get(r, "id")?,
        project_id: get(r, "project_id")?,
        data: ReviewData {
            gate: ProjectStage::parse(&get::<String>(r, "gate")?)
                .map_err(|_| corrupt("project_reviews.gate"))?,
            criteria,
            decision: GateDecision::parse(&get::<String>(r, "decision")?)
                .map_err(|_| corrupt("project_reviews.decision"))?,
            decided_on: parse_date(&get::<String>(r, "decided_on")?)
                .map_err(|_| corrupt("project_reviews.decided_on"))?,
            note: get(r, "note")?,
        },
        decided_by: get(r, "decided_by")?,
        created_at: get(r, "created_at")?,
    })
}

fn amounts_json(a: &[Amount]) -> String {
    serde_json::Value::Array(
        a.iter()
            .map(|a| json!({"fiscal_year": a.fiscal_year, "direct": a.direct, "indirect": a.indirect}))
            .collect(),
    )
    .to_string()
}

fn grant_from_row(r: &AnyRow) -> Result<Grant> {
    let date = |c: &str| -> Result<Option<time::Date>> {
        get::<Option<String>>(r, c)?
            .map(|d| parse_date(&d).map_err(|_| corrupt("project_grants date")))
            .transpose()
    };
    let amounts: serde_json::Value = serde_json::from_str(&get::<String>(r, "amounts")?)
        .map_err(|_| corrupt("project_grants.amounts"))?;
    let amounts = amounts
        .as_array()
        .ok_or_else(|| corrupt("project_grants.amounts"))?
        .iter()
        .map(|a| Amount {
            fiscal_year: a["fiscal_year"].as_i64().unwrap_or(0) as i32,
            direct: a["direct"].as_i64().unwrap_or(0),
            indirect: a["indirect"].as_i64().unwrap_or(0),
        })
        .collect();
    Ok(Grant {
        id: get(r, "id")?,
        project_id: get(r, "project_id")?,
        data: GrantData {
            scheme: get(r, "scheme")?,
            status: GrantStatus::parse(&get::<String>(r, "status")?)
                .map_err(|_| corrupt("project_grants.status"))?,
            number: get(r, "number")?,
            applied_on: date("applied_on")?,
            period_start: date("period_start")?,
            period_end: date("period_end")?,
            subsidy_rate: get::<Option<i64>>(r, "subsidy_rate")?.map(|r| r as u8),
            amounts,
            note: get(r, "note")?,
        },
        reports: Vec::new(),
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

async fn load_grant(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Grant> {
    let row = sqlx::query("SELECT * FROM project_grants WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut g = grant_from_row(&row)?;
    g.reports = reports_of(conn, id).await?;
    Ok(g)
}

async fn reports_of(conn: &mut sqlx::AnyConnection, grant_id: &str) -> Result<Vec<ReportRecord>> {
    sqlx::query("SELECT * FROM grant_reports WHERE grant_id = $1 ORDER BY kind, seq")
        .bind(grant_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(ReportRecord {
                kind: ReportKind::parse(&get::<String>(r, "kind")?)
                    .map_err(|_| corrupt("grant_reports.kind"))?,
                seq: get::<i64>(r, "seq")? as u8,
                done_on: get(r, "done_on")?,
                reminded_at: get(r, "reminded_at")?,
            })
        })
        .collect()
}

fn attachment_from_row(r: &AnyRow) -> Result<Attachment> {
    Ok(Attachment {
        id: get(r, "id")?,
        programme_id: get(r, "programme_id")?,
        record_kind: get(r, "record_kind")?,
        record_id: get(r, "record_id")?,
        filename: get(r, "filename")?,
        kind: FileKind::parse(&get::<String>(r, "file_kind")?)
            .map_err(|_| corrupt("attachments.file_kind"))?,
        size: get(r, "size")?,
        sha256: get(r, "sha256")?,
        uploaded_by: get(r, "uploaded_by")?,
        created_at: get(r, "created_at")?,
    })
}

const ATTACHMENT_COLUMNS: &str = "id, programme_id, record_kind, record_id, filename, file_kind, \
     size, sha256, uploaded_by, created_at";

impl Store {
    /// Records a gate review and, in the same step, the move its decision makes (a go at a
    /// gate ahead moves the project there; a stop stops it, with the review's note as the
    /// reason).
    pub async fn review_gate(
        &self,
        grant: &Granted<permission::ManageProjects>,
        project_id: &str,
        data: ReviewData,
    ) -> Result<Review> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.lock_row("projects", project_id).await?;
        let before = load(&mut tx, project_id).await?;
        tx.covers(grant, &before.programme_id)?;
        let id = new_id(tx.now());
        let criteria = serde_json::Value::Array(
            data.criteria
                .iter()
                .map(|c| json!({"name": c.name, "met": c.met, "note": c.note}))
                .collect(),
        );
        sqlx::query(
            "INSERT INTO project_reviews (id, project_id, gate, criteria, decision, decided_on, note, \
             decided_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(project_id)
        .bind(data.gate.code())
        .bind(criteria.to_string())
        .bind(data.decision.code())
        .bind(format_date(data.decided_on))
        .bind(data.note.clone())
        .bind(&grant.actor().user_id)
        .bind(timestamp(tx.now()))
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::create("project_review", &id, &before.data.title).after(json!({
                "project_id": project_id,
                "gate": data.gate.code(),
                "decision": data.decision.code(),
                "decided_on": format_date(data.decided_on),
                "criteria": criteria,
            })),
        )
        .await?;
        if let Some(to) = data.moves_to(before.stage) {
            let note = data.note.clone().unwrap_or_else(|| {
                format!("ゲートレビュー（{}）で可", format_date(data.decided_on))
            });
            self.move_within(&mut tx, &before, to, Some(&note), data.decided_on)
                .await?;
        }
        let row = sqlx::query("SELECT * FROM project_reviews WHERE id = $1")
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?;
        let review = review_from_row(&row)?;
        tx.commit().await?;
        Ok(review)
    }

    /// The gate reviews of a project (already seen by the caller), oldest first.
    pub async fn project_reviews(&self, p: &Project) -> Result<Vec<Review>> {
        sqlx::query(
            "SELECT * FROM project_reviews WHERE project_id = $1 ORDER BY decided_on, created_at, id",
        )
        .bind(&p.id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(review_from_row)
        .collect()
    }

    pub async fn add_grant(
        &self,
        grant: &Granted<permission::ManageProjects>,
        project_id: &str,
        data: GrantData,
    ) -> Result<Grant> {
        let mut tx = self.begin(grant.actor()).await?;
        let p = load(&mut tx, project_id).await?;
        tx.covers(grant, &p.programme_id)?;
        let id = new_id(tx.now());
        let now = timestamp(tx.now());
        sqlx::query(
            "INSERT INTO project_grants (id, project_id, scheme, status, number, applied_on, period_start, \
             period_end, subsidy_rate, amounts, note, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(&id)
        .bind(project_id)
        .bind(&data.scheme)
        .bind(data.status.code())
        .bind(data.number.clone())
        .bind(data.applied_on.map(format_date))
        .bind(data.period_start.map(format_date))
        .bind(data.period_end.map(format_date))
        .bind(data.subsidy_rate.map(i64::from))
        .bind(amounts_json(&data.amounts))
        .bind(data.note.clone())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.audit(Change::create("project_grant", &id, &p.data.title).after(grant_json(&data)))
            .await?;
        let g = load_grant(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(g)
    }

    pub async fn update_grant(
        &self,
        grant: &Granted<permission::ManageProjects>,
        grant_id: &str,
        data: GrantData,
    ) -> Result<Grant> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load_grant(&mut tx, grant_id).await?;
        let p = load(&mut tx, &before.project_id).await?;
        tx.covers(grant, &p.programme_id)?;
        sqlx::query(
            "UPDATE project_grants SET scheme = $1, status = $2, number = $3, applied_on = $4, \
             period_start = $5, period_end = $6, subsidy_rate = $7, amounts = $8, note = $9, \
             updated_at = $10 WHERE id = $11",
        )
        .bind(&data.scheme)
        .bind(data.status.code())
        .bind(data.number.clone())
        .bind(data.applied_on.map(format_date))
        .bind(data.period_start.map(format_date))
        .bind(data.period_end.map(format_date))
        .bind(data.subsidy_rate.map(i64::from))
        .bind(amounts_json(&data.amounts))
        .bind(data.note.clone())
        .bind(timestamp(tx.now()))
        .bind(grant_id)
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::update("project_grant", grant_id, &p.data.title)
                .before(grant_json(&before.data))
                .after(grant_json(&data)),
        )
        .await?;
        let g = load_grant(&mut tx, grant_id).await?;
        tx.commit().await?;
        Ok(g)
    }

    /// A grant of a project the reader may see, with the project.
    pub async fn project_grant(&self, sight: &Sight, grant_id: &str) -> Result<(Project, Grant)> {
        let mut conn = self.pool.acquire().await?;
        let g = load_grant(&mut conn, grant_id).await?;
        drop(conn);
        let p = self.project(sight, &g.project_id).await?;
        Ok((p, g))
    }

    /// The grants of a project (already seen by the caller), in the order entered.
    pub async fn project_grants(&self, p: &Project) -> Result<Vec<Grant>> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(
            "SELECT * FROM project_grants WHERE project_id = $1 ORDER BY created_at, id",
        )
        .bind(&p.id)
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut g = grant_from_row(r)?;
            g.reports = reports_of(&mut conn, &g.id).await?;
            out.push(g);
        }
        Ok(out)
    }

    /// Records a report as submitted on a day, or (`None`) as not submitted after all.
    pub async fn mark_report(
        &self,
        grant: &Granted<permission::ManageProjects>,
        grant_id: &str,
        kind: ReportKind,
        seq: u8,
        done_on: Option<time::Date>,
    ) -> Result<Grant> {
        let mut tx = self.begin(grant.actor()).await?;
        let g = load_grant(&mut tx, grant_id).await?;
        let p = load(&mut tx, &g.project_id).await?;
        tx.covers(grant, &p.programme_id)?;
        let done = done_on.map(format_date);
        let updated = sqlx::query(
            "UPDATE grant_reports SET done_on = $1 WHERE grant_id = $2 AND kind = $3 AND seq = $4",
        )
        .bind(done.clone())
        .bind(grant_id)
        .bind(kind.code())
        .bind(i64::from(seq))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            sqlx::query(
                "INSERT INTO grant_reports (grant_id, kind, seq, done_on) VALUES ($1, $2, $3, $4)",
            )
            .bind(grant_id)
            .bind(kind.code())
            .bind(i64::from(seq))
            .bind(done.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.audit(
            Change::update("project_grant", grant_id, &p.data.title)
                .after(json!({"report": kind.code(), "seq": seq, "done_on": done})),
        )
        .await?;
        let g = load_grant(&mut tx, grant_id).await?;
        tx.commit().await?;
        Ok(g)
    }

    /// Every awarded grant with a period, for the reminder job.
    pub async fn awarded_grants(&self) -> Result<Vec<AwardedGrant>> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(
            "SELECT g.*, p.programme_id, p.title AS project_title, p.lead_organisation_id \
             FROM project_grants g JOIN projects p ON p.id = g.project_id \
             WHERE g.status = 'awarded' AND g.period_end IS NOT NULL ORDER BY g.id",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut g = grant_from_row(r)?;
            g.reports = reports_of(&mut conn, &g.id).await?;
            out.push(AwardedGrant {
                grant: g,
                programme_id: get(r, "programme_id")?,
                project_title: get(r, "project_title")?,
                lead_organisation_id: get(r, "lead_organisation_id")?,
            });
        }
        Ok(out)
    }

    /// Queues a report's reminder once: marks it reminded and writes the mails in one step. A
    /// second call (another node, a second run) finds it reminded and queues nothing.
    pub async fn queue_report_reminder(
        &self,
        grant: &Granted<permission::ManageProjects>,
        a: &AwardedGrant,
        kind: ReportKind,
        seq: u8,
        compose: &(dyn Fn(&str) -> MailDraft + Send + Sync),
    ) -> Result<usize> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.lock_row("project_grants", &a.grant.id).await?;
        let now = timestamp(tx.now());
        let updated = sqlx::query(
            "UPDATE grant_reports SET reminded_at = $1 WHERE grant_id = $2 AND kind = $3 AND seq = $4 \
             AND reminded_at IS NULL AND done_on IS NULL",
        )
        .bind(&now)
        .bind(&a.grant.id)
        .bind(kind.code())
        .bind(i64::from(seq))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            let exists = sqlx::query(
                "SELECT 1 FROM grant_reports WHERE grant_id = $1 AND kind = $2 AND seq = $3",
            )
            .bind(&a.grant.id)
            .bind(kind.code())
            .bind(i64::from(seq))
            .fetch_optional(&mut *tx)
            .await?;
            if exists.is_some() {
                return Ok(0);
            }
            sqlx::query(
                "INSERT INTO grant_reports (grant_id, kind, seq, reminded_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(&a.grant.id)
            .bind(kind.code())
            .bind(i64::from(seq))
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        // Those who answer for the report: the lead organisation's people and whoever runs
        // the programme's projects.
        let recipients = sqlx::query(
            "SELECT DISTINCT u.email FROM users u LEFT JOIN programme_members m \
             ON m.organisation_id = u.organisation_id AND m.programme_id = $1 \
             WHERE u.disabled_at IS NULL AND (u.organisation_id = $2 OR \
             (',' || m.roles || ',') LIKE '%,secretariat,%' OR (',' || m.roles || ',') LIKE '%,project_management,%') \
             ORDER BY u.email",
        )
        .bind(&a.programme_id)
        .bind(a.lead_organisation_id.clone().unwrap_or_default())
        .fetch_all(&mut *tx)
        .await?;
        for r in &recipients {
            let email: String = get(r, "email")?;
            enqueue(&mut tx, Some(&a.programme_id), &compose(&email)).await?;
        }
        tx.audit(
            Change::update("project_grant", &a.grant.id, &a.project_title).after(
                json!({"report_reminder": kind.code(), "seq": seq, "mails": recipients.len()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(recipients.len())
    }

    /// Keeps a file on a project or one of its reviews. The caller checked the file's kind and
    /// size (the domain's `sniff`); the grant is for that project.
    pub async fn add_attachment(
        &self,
        grant: &Granted<permission::AttachToProject>,
        p: &Project,
        record: (&str, &str),
        filename: &str,
        kind: FileKind,
        bytes: &[u8],
    ) -> Result<Attachment> {
        use sha2::Digest;
        let (record_kind, record_id) = record;
        let mut tx = self.begin(grant.actor()).await?;
        tx.covers(grant, &p.programme_id)?;
        if !grant.covers_record(&p.id) {
            return Err(StoreError::Denied);
        }
        let belongs = match record_kind {
            "project" => record_id == p.id,
            "review" => {
                sqlx::query("SELECT 1 FROM project_reviews WHERE id = $1 AND project_id = $2")
                    .bind(record_id)
                    .bind(&p.id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some()
            }
            _ => false,
        };
        if !belongs {
            return Err(StoreError::NotFound);
        }
        let id = new_id(tx.now());
        let sha = crate::hex(&sha2::Sha256::digest(bytes));
        sqlx::query(
            "INSERT INTO attachments (id, programme_id, record_kind, record_id, filename, file_kind, size, \
             sha256, content, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&id)
        .bind(&p.programme_id)
        .bind(record_kind)
        .bind(record_id)
        .bind(filename)
        .bind(kind.code())
        .bind(bytes.len() as i64)
        .bind(&sha)
        .bind(bytes.to_vec())
        .bind(&grant.actor().user_id)
        .bind(timestamp(tx.now()))
        .execute(&mut *tx)
        .await?;
        // The audit names the file and its digest, never its content.
        tx.audit(Change::create("attachment", &id, filename).after(json!({
            "project_id": p.id, "record_kind": record_kind, "record_id": record_id,
            "file_kind": kind.code(), "size": bytes.len(), "sha256": sha,
        })))
        .await?;
        let row = sqlx::query(&format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1"
        ))
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
        let a = attachment_from_row(&row)?;
        tx.commit().await?;
        Ok(a)
    }

    /// The files on a project and its reviews (the project already seen by the caller).
    pub async fn project_attachments(&self, p: &Project) -> Result<Vec<Attachment>> {
        sqlx::query(&format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE (record_kind = 'project' AND record_id = $1) \
             OR (record_kind = 'review' AND record_id IN (SELECT id FROM project_reviews WHERE project_id = $1)) \
             ORDER BY created_at, id"
        ))
        .bind(&p.id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(attachment_from_row)
        .collect()
    }

    /// A file and its bytes, for a reader who may see the project it belongs to; "not found"
    /// for anyone else, as for a file that does not exist.
    pub async fn attachment(&self, sight: &Sight, id: &str) -> Result<(Attachment, Vec<u8>)> {
        let row = sqlx::query(&format!(
            "SELECT {ATTACHMENT_COLUMNS}, content FROM attachments WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let a = attachment_from_row(&row)?;
        let project_id = match a.record_kind.as_str() {
            "project" => a.record_id.clone(),
            "review" => {
                let r = sqlx::query("SELECT project_id FROM project_reviews WHERE id = $1")
                    .bind(&a.record_id)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                get(&r, "project_id")?
            }
            _ => return Err(StoreError::NotFound),
        };
        self.project(sight, &project_id).await?;
        let bytes: Vec<u8> = get(&row, "content")?;
        Ok((a, bytes))
    }
}

fn grant_json(d: &GrantData) -> serde_json::Value {
    json!({
        "scheme": d.scheme,
        "status": d.status.code(),
        "number": d.number,
        "period_start": d.period_start.map(format_date),
        "period_end": d.period_end.map(format_date),
        "subsidy_rate": d.subsidy_rate,
        "total": d.total(),
    })
}
