//! Clinical needs: submission (one rule for the first status of every channel), the reads
//! through the reader's sight, curation and status moves. Their NDAs, scores, the seeds they are
//! matched with and the search queue are in the sub-modules.

mod ndas;
mod queue;
mod scores;
mod seeds;

pub use ndas::NdaRecord;
pub(crate) use ndas::insert_nda;
pub use queue::QueuedChange;
pub(crate) use queue::enqueue;
pub use scores::{NeedScores, ScoreComment};
pub use seeds::Seed;

use crate::StageMove;
use crate::audit::Change;
use crate::pipelines::{history, insert_move};
use crate::sql::{flag, get};
use crate::write::Write;
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Granted, permission};
use noguchi_domain::access::{NeedScope, Sight};
use noguchi_domain::curation::{check_status_move, status_at_creation};
use noguchi_domain::dates::format_date;
use noguchi_domain::needs::{Disclosure, Finding, FindingKind, NeedData, NeedStatus};
use noguchi_domain::{Invalid, Problem};
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use time::Date;

#[derive(Debug, Clone)]
pub struct Need {
    pub id: String,
    pub programme_id: String,
    pub submitter_org_id: String,
    pub submitter_org_name: String,
    pub data: NeedData,
    pub held: bool,
    pub findings: Vec<Finding>,
    pub nda_orgs: Vec<String>,
    /// The survey campaign the need came through, if any.
    pub campaign_id: Option<String>,
    /// The submitter confirmed the need names no patient.
    pub attested: bool,
    /// How to reach a survey respondent (reviewers only).
    pub contact: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// How a held need is named wherever its own title could travel (the audit log, lists): a
/// title the guard flagged may name a patient.
pub const HELD_LABEL: &str = "（確認待ちのニーズ）";

impl Need {
    /// The need's name for records beside it (the audit log): its title, or a neutral name
    /// while the guard holds it.
    pub fn label(&self) -> &str {
        if self.held {
            HELD_LABEL
        } else {
            &self.data.title
        }
    }

    /// Who may see the need, in the policy's terms.
    pub fn scope(&self) -> NeedScope<'_> {
        NeedScope {
            programme_id: &self.programme_id,
            submitter_org: &self.submitter_org_id,
            disclosure: self.data.disclosure,
            held: self.held,
            nda_orgs: &self.nda_orgs,
        }
    }
}

/// How a need arrived, besides its content.
#[derive(Debug, Clone, Default)]
pub struct Intake {
    /// The organisation the need is filed under when not the submitter's own (the secretariat
    /// importing a hospital's sheet); the grant must cover it.
    pub on_behalf_of: Option<String>,
    pub campaign_id: Option<String>,
    pub attested: bool,
    pub contact: Option<String>,
}

fn findings_json(f: &[Finding]) -> String {
    json!(
        f.iter()
            .map(|x| json!({"kind": x.kind.code(), "excerpt": x.excerpt}))
            .collect::<Vec<_>>()
    )
    .to_string()
}

impl Store {
    /// Stores a need with the guard's findings; a need with findings is held for review.
    pub async fn create_need(
        &self,
        grant: &Granted<permission::SubmitNeed>,
        programme_id: &str,
        data: NeedData,
        findings: Vec<Finding>,
        intake: &Intake,
    ) -> Result<Need> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.covers(grant, programme_id)?;
        let id = insert_need(
            &mut tx,
            self.now(),
            grant,
            programme_id,
            &data,
            &findings,
            intake,
        )
        .await?;
        let need = load_need(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(need)
    }

    /// Stores the needs of a checked sheet in one transaction: all of them or none.
    pub async fn import_needs(
        &self,
        grant: &Granted<permission::SubmitNeed>,
        programme_id: &str,
        rows: Vec<(NeedData, Vec<Finding>, Intake)>,
    ) -> Result<Vec<String>> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.covers(grant, programme_id)?;
        let mut ids = Vec::with_capacity(rows.len());
        for (data, findings, intake) in &rows {
            ids.push(
                insert_need(
                    &mut tx,
                    self.now(),
                    grant,
                    programme_id,
                    data,
                    findings,
                    intake,
                )
                .await?,
            );
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// A need the reader may see; any other answers "not found", as one that does not exist.
    pub async fn need(&self, sight: &Sight, id: &str) -> Result<Need> {
        let mut conn = self.pool.acquire().await?;
        let n = load_need(&mut conn, id).await?;
        if sight.need(&n.scope()) {
            Ok(n)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The needs of a programme the reader may see, newest first. Two queries, however many
    /// needs; the filter is the reader's sight, the same rule as a single read.
    pub async fn needs(&self, sight: &Sight, programme_id: &str) -> Result<Vec<Need>> {
        let rows = sqlx::query(
            "SELECT n.*, o.name AS org_name FROM needs n JOIN organisations o ON o.id = n.submitter_org_id \
             WHERE n.programme_id = $1 ORDER BY n.created_at DESC, n.id",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        let mut ndas: std::collections::HashMap<String, Vec<String>> = Default::default();
        for r in sqlx::query(
            "SELECT a.need_id, a.organisation_id FROM need_ndas a JOIN needs n ON n.id = a.need_id \
             WHERE n.programme_id = $1 ORDER BY a.organisation_id",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?
        {
            ndas.entry(get(&r, "need_id")?)
                .or_default()
                .push(get(&r, "organisation_id")?);
        }
        let mut out = Vec::new();
        for r in &rows {
            let id: String = get(r, "id")?;
            let n = need_from_row(r, ndas.remove(&id).unwrap_or_default())?;
            if sight.need(&n.scope()) {
                out.push(n);
            }
        }
        Ok(out)
    }

    /// Changes a need; `findings` are the guard's on the new text (a held need stays held until
    /// released by a reviewer).
    pub async fn update_need(
        &self,
        grant: &Granted<permission::CurateNeed>,
        id: &str,
        data: NeedData,
        findings: Vec<Finding>,
    ) -> Result<Need> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load_need(&mut tx, id).await?;
        tx.covers_named(
            grant,
            &before.programme_id,
            std::slice::from_ref(&before.submitter_org_id),
        )?;
        let held = before.held || !findings.is_empty();
        // Only what the guard finds in the text as it is now is kept: the excerpts of a text
        // since revised would keep a patient's name at rest.
        let all = findings;
        let now = self.now();
        if data.status != before.data.status {
            // A status changed through an edit follows the same rule as a move (no note here).
            check_status_move(before.data.status, data.status, held, None)
                .map_err(|p| Invalid::one("status", p))?;
            insert_move(
                &mut tx,
                grant.actor(),
                now,
                "need",
                id,
                Some(before.data.status.code()),
                data.status.code(),
                now.date(),
                None,
            )
            .await?;
        }
        sqlx::query(
            "UPDATE needs SET title = $1, problem = $2, population = $3, outcome = $4, department = $5, setting = $6, category = $7, \
             frequency = $8, workaround = $9, disclosure = $10, status = $11, held = $12, findings = $13, updated_at = $14 WHERE id = $15",
        )
        .bind(&data.title)
        .bind(&data.problem)
        .bind(data.population.clone())
        .bind(data.outcome.clone())
        .bind(data.department.clone())
        .bind(data.setting.clone())
        .bind(data.category.clone())
        .bind(data.frequency.clone())
        .bind(data.workaround.clone())
        .bind(data.disclosure.code())
        .bind(data.status.code())
        .bind(i64::from(held))
        .bind(findings_json(&all))
        .bind(timestamp(self.now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        enqueue(&mut tx, self.now(), "need", id).await?;
        let label = if held {
            HELD_LABEL
        } else {
            data.title.as_str()
        };
        tx.audit(Change::update("need", id, label)
                .before(json!({"status": before.data.status.code(), "disclosure": before.data.disclosure.code(), "held": before.held}))
                .after(json!({"status": data.status.code(), "disclosure": data.disclosure.code(), "held": held})))
        .await?;
        let after = load_need(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A reviewer confirms a held need contains no patient information.
    pub async fn release_need(
        &self,
        grant: &Granted<permission::CurateNeed>,
        id: &str,
    ) -> Result<Need> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load_need(&mut tx, id).await?;
        tx.covers_named(
            grant,
            &before.programme_id,
            std::slice::from_ref(&before.submitter_org_id),
        )?;
        sqlx::query("UPDATE needs SET held = 0, findings = '[]', updated_at = $1 WHERE id = $2")
            .bind(timestamp(self.now()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        enqueue(&mut tx, self.now(), "need", id).await?;
        tx.audit(
            // Released: a reviewer found no patient in the text, so the title may be named.
            Change::update("need", id, &before.data.title)
                .before(json!({"held": before.held}))
                .after(json!({"held": false})),
        )
        .await?;
        let after = load_need(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves a need along its workflow (受付 → 精査 → 公開 …), with the date and a note.
    pub async fn move_need(
        &self,
        grant: &Granted<permission::CurateNeed>,
        id: &str,
        to: NeedStatus,
        on: Date,
        note: Option<&str>,
    ) -> Result<Need> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load_need(&mut tx, id).await?;
        tx.covers_named(
            grant,
            &before.programme_id,
            std::slice::from_ref(&before.submitter_org_id),
        )?;
        check_status_move(before.data.status, to, before.held, note)
            .map_err(|p| Invalid::one("status", p))?;
        let now = self.now();
        set_need_status(&mut tx, grant.actor(), now, &before, to, on, note).await?;
        let after = load_need(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The status history of a need the reader may see, oldest first.
    pub async fn need_history(&self, sight: &Sight, id: &str) -> Result<Vec<StageMove>> {
        self.need(sight, id).await?;
        history(&self.pool, "need", id).await
    }
}

/// Changes a need's status and records the move (also used when a proposal moves its need).
pub(crate) async fn set_need_status(
    conn: &mut Write,
    actor: &noguchi_domain::access::Actor,
    now: time::OffsetDateTime,
    before: &Need,
    to: NeedStatus,
    on: Date,
    note: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE needs SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(to.code())
        .bind(timestamp(now))
        .bind(&before.id)
        .execute(&mut **conn)
        .await?;
    insert_move(
        conn,
        actor,
        now,
        "need",
        &before.id,
        Some(before.data.status.code()),
        to.code(),
        on,
        note,
    )
    .await?;
    enqueue(conn, now, "need", &before.id).await?;
    conn.audit(
        Change::update("need", &before.id, before.label())
            .before(json!({"status": before.data.status.code()}))
            .after(json!({"status": to.code(), "on": format_date(on), "note": note})),
    )
    .await
}

/// Inserts a need with its first status, its queue entry and its audit record.
async fn insert_need(
    conn: &mut Write,
    now: time::OffsetDateTime,
    grant: &Granted<permission::SubmitNeed>,
    programme_id: &str,
    data: &NeedData,
    findings: &[Finding],
    intake: &Intake,
) -> Result<String> {
    let submitter = intake
        .on_behalf_of
        .clone()
        .unwrap_or_else(|| grant.actor().organisation_id.clone());
    if !grant.covers(Some(&submitter)) {
        return Err(Invalid::one("organisation_id", Problem::UnknownReference).into());
    }
    if !grant.covers_programme(programme_id) {
        return Err(StoreError::Denied);
    }
    // One rule for every channel (form, API, sheet, survey): a held need starts at 受付.
    let held = !findings.is_empty();
    let status = status_at_creation(data.status, held);
    if sqlx::query("SELECT id FROM programmes WHERE id = $1")
        .bind(programme_id)
        .fetch_optional(&mut **conn)
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound);
    }
    if sqlx::query("SELECT id FROM organisations WHERE id = $1")
        .bind(&submitter)
        .fetch_optional(&mut **conn)
        .await?
        .is_none()
    {
        return Err(Invalid::one("organisation_id", Problem::UnknownReference).into());
    }
    let id = new_id(now);
    sqlx::query(
        "INSERT INTO needs (id, programme_id, submitter_org_id, submitted_by, title, problem, population, outcome, department, setting, \
         category, frequency, workaround, disclosure, status, held, findings, created_at, updated_at, campaign_id, attested, contact) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $19, $20, $21)",
    )
    .bind(&id)
    .bind(programme_id)
    .bind(&submitter)
    .bind(&grant.actor().user_id)
    .bind(&data.title)
    .bind(&data.problem)
    .bind(data.population.clone())
    .bind(data.outcome.clone())
    .bind(data.department.clone())
    .bind(data.setting.clone())
    .bind(data.category.clone())
    .bind(data.frequency.clone())
    .bind(data.workaround.clone())
    .bind(data.disclosure.code())
    .bind(status.code())
    .bind(i64::from(held))
    .bind(findings_json(findings))
    .bind(timestamp(now))
    .bind(intake.campaign_id.clone())
    .bind(i64::from(intake.attested))
    .bind(intake.contact.clone())
    .execute(&mut **conn)
    .await?;
    insert_move(
        conn,
        grant.actor(),
        now,
        "need",
        &id,
        None,
        status.code(),
        now.date(),
        None,
    )
    .await?;
    enqueue(conn, now, "need", &id).await?;
    // The audit keeps the fact, not the flagged text: what the guard held must not spread.
    // The audit keeps the fact, not the text: a held need's title may name a patient.
    let label = if held {
        HELD_LABEL
    } else {
        data.title.as_str()
    };
    conn.audit(Change::create("need", &id, label).after(json!({
        "disclosure": data.disclosure.code(),
        "held": !findings.is_empty(),
        "campaign_id": intake.campaign_id,
    })))
    .await?;
    Ok(id)
}

pub(crate) async fn load_need(conn: &mut AnyConnection, id: &str) -> Result<Need> {
    let r = sqlx::query("SELECT n.*, o.name AS org_name FROM needs n JOIN organisations o ON o.id = n.submitter_org_id WHERE n.id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let nda_orgs = sqlx::query(
        "SELECT organisation_id FROM need_ndas WHERE need_id = $1 ORDER BY organisation_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| get(r, "organisation_id"))
    .collect::<Result<Vec<String>>>()?;
    need_from_row(&r, nda_orgs)
}

fn need_from_row(r: &AnyRow, nda_orgs: Vec<String>) -> Result<Need> {
    let corrupt = |w: &str| StoreError::Corrupt(format!("need {w}"));
    let findings: Vec<serde_json::Value> =
        serde_json::from_str(&get::<String>(r, "findings")?).map_err(|_| corrupt("findings"))?;
    Ok(Need {
        id: get(r, "id")?,
        programme_id: get(r, "programme_id")?,
        submitter_org_id: get(r, "submitter_org_id")?,
        submitter_org_name: get(r, "org_name")?,
        data: NeedData {
            title: get(r, "title")?,
            problem: get(r, "problem")?,
            population: get(r, "population")?,
            outcome: get(r, "outcome")?,
            department: get(r, "department")?,
            setting: get(r, "setting")?,
            category: get(r, "category")?,
            frequency: get(r, "frequency")?,
            workaround: get(r, "workaround")?,
            disclosure: Disclosure::parse(&get::<String>(r, "disclosure")?)
                .map_err(|_| corrupt("disclosure"))?,
            status: NeedStatus::parse(&get::<String>(r, "status")?)
                .map_err(|_| corrupt("status"))?,
        },
        held: flag(r, "held")?,
        findings: findings
            .iter()
            .filter_map(|f| {
                Some(Finding {
                    kind: FindingKind::parse(f["kind"].as_str()?).ok()?,
                    excerpt: f["excerpt"].as_str()?.to_owned(),
                })
            })
            .collect(),
        nda_orgs,
        campaign_id: get(r, "campaign_id")?,
        attested: flag(r, "attested")?,
        contact: get(r, "contact")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}
