//! Deals (attraction and expansion) and entry cases: records, stage moves with their history,
//! activities, consultations, and the KPI outcome each keeps in step (see
//! `noguchi_domain::pipeline::sync`).

use crate::audit::Change;
use crate::outcomes::{self, OutcomeSource};
use crate::sql::get;
use crate::write::{Write, covers};
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Actor, Granted, RecordFilter, Sight, permission};
use noguchi_domain::dates::{format_date, parse_date};
use noguchi_domain::ledger::{OutcomeData, OutcomeStatus};
use noguchi_domain::organisation::FieldStatus;
use noguchi_domain::pipeline::{
    self, ActivityData, ConsultationData, DealData, DealKind, DealStage, EntryCaseData, EntryStage,
    LinkedOutcome, MoveRefused, Stages, Sync, WantedOutcome,
};
use noguchi_domain::{Invalid, Problem};
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use time::Date;

#[derive(Debug, Clone)]
pub struct Deal {
    pub id: String,
    pub programme_id: String,
    pub data: DealData,
    pub organisation_name: String,
    pub stage: DealStage,
    pub stage_on: Date,
    pub counted_on: Option<Date>,
    pub lost_reason: Option<String>,
    pub outcome_id: Option<String>,
    pub outcome_status: Option<OutcomeStatus>,
    /// A verified outcome no longer matches the deal (never changed silently).
    pub outcome_differs: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct EntryCase {
    pub id: String,
    pub programme_id: String,
    pub data: EntryCaseData,
    pub organisation_name: String,
    pub field_status: FieldStatus,
    pub stage: EntryStage,
    pub stage_on: Date,
    pub counted_on: Option<Date>,
    pub outcome_id: Option<String>,
    pub outcome_status: Option<OutcomeStatus>,
    pub outcome_differs: bool,
    pub created_at: String,
    pub updated_at: String,
}

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
    pub subject: &'static str,
    pub id: String,
    pub label: String,
    pub action: String,
    pub due: Date,
}

/// The organisation a list is narrowed to ("" for every record), or None when the reader may
/// see no record of the programme at all.
fn narrowed_to(filter: RecordFilter) -> Option<String> {
    match filter {
        RecordFilter::All => Some(String::new()),
        RecordFilter::Organisation(o) => Some(o),
        RecordFilter::Nothing => None,
    }
}

fn stage_error<S: Stages>(from: S, to: S, r: MoveRefused) -> StoreError {
    Invalid::one(
        "stage",
        Problem::StageMove {
            from: from.code().into(),
            to: to.code().into(),
            note_required: r == MoveRefused::NoteRequired,
        },
    )
    .into()
}

fn date_col(row: &AnyRow, col: &str) -> Result<Option<Date>> {
    get::<Option<String>>(row, col)?
        .map(|d| parse_date(&d))
        .transpose()
        .map_err(|_| StoreError::Corrupt(col.to_string()))
}

async fn ids(conn: &mut AnyConnection, sql: &str, id: &str) -> Result<Vec<String>> {
    sqlx::query(sql)
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| get(r, "organisation_id"))
        .collect()
}

async fn check_orgs(conn: &mut AnyConnection, field: &str, orgs: &[String]) -> Result<()> {
    for (i, o) in orgs.iter().enumerate() {
        if sqlx::query("SELECT id FROM organisations WHERE id = $1")
            .bind(o)
            .fetch_optional(&mut *conn)
            .await?
            .is_none()
        {
            let f = if field == "organisation_id" {
                field.to_owned()
            } else {
                format!("{field}[{i}]")
            };
            return Err(Invalid::one(f, Problem::UnknownReference).into());
        }
    }
    Ok(())
}

async fn linked(
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

/// Applies the domain's decision to the ledger; returns the outcome the case links to now.
#[allow(clippy::too_many_arguments)]
async fn follow(
    conn: &mut Write,
    actor: &Actor,
    now: time::OffsetDateTime,
    programme_id: &str,
    organisation_id: &str,
    wanted: Option<WantedOutcome>,
    current: Option<String>,
    source: OutcomeSource,
    source_id: &str,
    evidence: String,
) -> Result<Option<String>> {
    let link = linked(conn, current.as_deref()).await?;
    let data = |w: &WantedOutcome| OutcomeData {
        organisation_id: organisation_id.to_owned(),
        kind: w.kind,
        fiscal_year: w.fiscal_year,
        occurred_on: Some(w.occurred_on),
        jobs: w.jobs,
        evidence: Some(evidence.clone()),
        evidence_ref: None,
        note: None,
    };
    Ok(match pipeline::sync(wanted.as_ref(), link.as_ref()) {
        Sync::Nothing | Sync::Differs => current,
        Sync::Create(w) => Some(
            outcomes::insert(
                conn,
                actor,
                now,
                programme_id,
                &data(&w),
                source,
                Some(source_id),
            )
            .await?,
        ),
        Sync::Update(w) => {
            let id = current.expect("an update has a linked outcome");
            outcomes::update_pending(conn, &id, &data(&w)).await?;
            Some(id)
        }
        Sync::Withdraw => {
            let id = current.expect("a withdrawal has a linked outcome");
            outcomes::withdraw(conn, &id, "案件が集計段階から外れたため取り下げ").await?;
            None
        }
    })
}

fn differs(wanted: Option<&WantedOutcome>, link: Option<&LinkedOutcome>) -> bool {
    pipeline::sync(wanted, link) == Sync::Differs
}

impl Store {
    // ---------------------------------------------------------------- deals

    pub async fn create_deal(
        &self,
        grant: &Granted<permission::ManageDeals>,
        programme_id: &str,
        data: DealData,
    ) -> Result<Deal> {
        covers(grant, programme_id)?;
        let mut tx = self.begin(grant.actor()).await?;
        let id = self
            .insert_deal(&mut tx, grant.actor(), programme_id, &data)
            .await?;
        let deal = load_deal(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(deal)
    }

    /// Creates deals from an import, each moved to its stage on its date, all or nothing.
    pub async fn import_deals(
        &self,
        grant: &Granted<permission::ManageDeals>,
        programme_id: &str,
        rows: Vec<(DealData, DealStage, Date)>,
    ) -> Result<Vec<String>> {
        covers(grant, programme_id)?;
        let mut tx = self.begin(grant.actor()).await?;
        let mut ids = Vec::new();
        for (data, stage, on) in rows {
            let id = self
                .insert_deal(&mut tx, grant.actor(), programme_id, &data)
                .await?;
            if stage != DealStage::Candidate {
                self.move_deal_in(&mut tx, grant.actor(), &id, stage, on, Some("取り込み"))
                    .await?;
            }
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn insert_deal(
        &self,
        tx: &mut Write,
        actor: &Actor,
        programme_id: &str,
        data: &DealData,
    ) -> Result<String> {
        if sqlx::query("SELECT id FROM programmes WHERE id = $1")
            .bind(programme_id)
            .fetch_optional(&mut **tx)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        check_orgs(
            tx,
            "organisation_id",
            std::slice::from_ref(&data.organisation_id),
        )
        .await?;
        check_orgs(tx, "shared_with", &data.shared_with).await?;
        let now = self.now();
        let id = new_id(now);
        let today = format_date(now.date());
        sqlx::query(
            "INSERT INTO deals (id, programme_id, kind, organisation_id, code_name, lead_source, owner_user_id, stage, stage_on, \
             planned_jobs, actual_jobs, planned_investment, actual_investment, candidate_site, incentives, next_action, \
             next_action_due, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'candidate', $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)",
        )
        .bind(&id)
        .bind(programme_id)
        .bind(data.kind.code())
        .bind(&data.organisation_id)
        .bind(data.code_name.clone())
        .bind(data.lead_source.clone())
        .bind(data.owner_user_id.clone())
        .bind(&today)
        .bind(data.planned_jobs)
        .bind(data.actual_jobs)
        .bind(data.planned_investment)
        .bind(data.actual_investment)
        .bind(data.candidate_site.clone())
        .bind(data.incentives.clone())
        .bind(data.next_action.clone())
        .bind(data.next_action_due.map(format_date))
        .bind(timestamp(now))
        .execute(&mut **tx)
        .await?;
        write_shares(tx, &id, &data.shared_with).await?;
        insert_move(
            tx,
            actor,
            now,
            "deal",
            &id,
            None,
            "candidate",
            now.date(),
            None,
        )
        .await?;
        let deal = load_deal(tx, &id).await?;
        tx.audit(Change::create("deal", &id, deal_label(&deal)).after(deal_json(&deal)))
            .await?;
        Ok(id)
    }

    /// A deal the reader may see; any other answers "not found", as one that does not exist.
    pub async fn deal(&self, sight: &Sight, id: &str) -> Result<Deal> {
        let mut conn = self.pool.acquire().await?;
        let d = load_deal(&mut conn, id).await?;
        if sight.deal(&d.programme_id, &d.data.shared_with) {
            Ok(d)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// Deals of a programme the reader may see, most recently changed first.
    pub async fn list_deals(
        &self,
        sight: &Sight,
        programme_id: &str,
        stage: Option<DealStage>,
        kind: Option<DealKind>,
    ) -> Result<Vec<Deal>> {
        let Some(org) = narrowed_to(sight.deals_in(programme_id)) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT d.id FROM deals d WHERE d.programme_id = $1 \
             AND ($2 = '' OR EXISTS (SELECT 1 FROM deal_shares s WHERE s.deal_id = d.id AND s.organisation_id = $2)) \
             AND ($3 = '' OR d.stage = $3) AND ($4 = '' OR d.kind = $4) ORDER BY d.updated_at DESC, d.id",
        )
        .bind(programme_id)
        .bind(org)
        .bind(stage.map(|s| s.code()).unwrap_or_default())
        .bind(kind.map(|k| k.code()).unwrap_or_default())
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::new();
        for r in rows {
            out.push(load_deal(&mut conn, &get::<String>(&r, "id")?).await?);
        }
        Ok(out)
    }

    pub async fn update_deal(
        &self,
        grant: &Granted<permission::ManageDeals>,
        id: &str,
        data: DealData,
    ) -> Result<Deal> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load_deal(&mut tx, id).await?;
        covers(grant, &before.programme_id)?;
        check_orgs(
            &mut tx,
            "organisation_id",
            std::slice::from_ref(&data.organisation_id),
        )
        .await?;
        check_orgs(&mut tx, "shared_with", &data.shared_with).await?;
        let now = self.now();
        sqlx::query(
            "UPDATE deals SET kind = $1, organisation_id = $2, code_name = $3, lead_source = $4, owner_user_id = $5, \
             planned_jobs = $6, actual_jobs = $7, planned_investment = $8, actual_investment = $9, candidate_site = $10, \
             incentives = $11, next_action = $12, next_action_due = $13, updated_at = $14 WHERE id = $15",
        )
        .bind(data.kind.code())
        .bind(&data.organisation_id)
        .bind(data.code_name.clone())
        .bind(data.lead_source.clone())
        .bind(data.owner_user_id.clone())
        .bind(data.planned_jobs)
        .bind(data.actual_jobs)
        .bind(data.planned_investment)
        .bind(data.actual_investment)
        .bind(data.candidate_site.clone())
        .bind(data.incentives.clone())
        .bind(data.next_action.clone())
        .bind(data.next_action_due.map(format_date))
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        write_shares(&mut tx, id, &data.shared_with).await?;
        self.follow_deal(&mut tx, grant.actor(), id).await?;
        let after = load_deal(&mut tx, id).await?;
        tx.audit(
            Change::update("deal", id, deal_label(&after))
                .before(deal_json(&before))
                .after(deal_json(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves a deal to `to` on `on`; `note` is kept in the history (and is the reason when lost).
    pub async fn move_deal(
        &self,
        grant: &Granted<permission::ManageDeals>,
        id: &str,
        to: DealStage,
        on: Date,
        note: Option<&str>,
    ) -> Result<Deal> {
        let mut tx = self.begin(grant.actor()).await?;
        covers(grant, &load_deal(&mut tx, id).await?.programme_id)?;
        self.move_deal_in(&mut tx, grant.actor(), id, to, on, note)
            .await?;
        let after = load_deal(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn move_deal_in(
        &self,
        tx: &mut Write,
        actor: &Actor,
        id: &str,
        to: DealStage,
        on: Date,
        note: Option<&str>,
    ) -> Result<()> {
        let before = load_deal(tx, id).await?;
        pipeline::check_move(before.stage, to, note)
            .map_err(|r| stage_error(before.stage, to, r))?;
        let counting = self
            .programme_counting_stage(tx, &before.programme_id)
            .await?;
        let counted_on = match (
            pipeline::has_reached(before.stage, counting),
            pipeline::has_reached(to, counting),
        ) {
            (false, true) => Some(on),
            (true, true) => before.counted_on,
            _ => None,
        };
        let now = self.now();
        let lost_reason = if to == DealStage::Lost {
            note.map(str::to_owned)
        } else {
            None
        };
        sqlx::query("UPDATE deals SET stage = $1, stage_on = $2, counted_on = $3, lost_reason = $4, updated_at = $5 WHERE id = $6")
            .bind(to.code())
            .bind(format_date(on))
            .bind(counted_on.map(format_date))
            .bind(lost_reason)
            .bind(timestamp(now))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        insert_move(
            tx,
            actor,
            now,
            "deal",
            id,
            Some(before.stage.code()),
            to.code(),
            on,
            note,
        )
        .await?;
        self.follow_deal(tx, actor, id).await?;
        let after = load_deal(tx, id).await?;
        tx.audit(
            Change::update("deal", id, deal_label(&after))
                .before(deal_json(&before))
                .after(deal_json(&after)),
        )
        .await
    }

    async fn programme_counting_stage(
        &self,
        conn: &mut AnyConnection,
        programme_id: &str,
    ) -> Result<DealStage> {
        let row = sqlx::query("SELECT definition FROM programmes WHERE id = $1")
            .bind(programme_id)
            .fetch_one(&mut *conn)
            .await?;
        let def = noguchi_domain::programme::ProgrammeDefinition::parse(&get::<String>(
            &row,
            "definition",
        )?)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(def.pipelines.deal_counting_stage())
    }

    async fn follow_deal(&self, conn: &mut Write, actor: &Actor, id: &str) -> Result<()> {
        let d = load_deal(conn, id).await?;
        let counting = self.programme_counting_stage(conn, &d.programme_id).await?;
        let wanted = pipeline::deal_outcome(
            d.data.kind,
            d.stage,
            counting,
            d.counted_on,
            d.data.planned_jobs,
            d.data.actual_jobs,
        );
        let evidence = format!(
            "誘致・拡張案件「{}」が{}に到達",
            deal_label(&d),
            counting.code()
        );
        let outcome = follow(
            conn,
            actor,
            self.now(),
            &d.programme_id,
            &d.data.organisation_id,
            wanted,
            d.outcome_id.clone(),
            OutcomeSource::Deal,
            id,
            evidence,
        )
        .await?;
        if outcome != d.outcome_id {
            sqlx::query("UPDATE deals SET outcome_id = $1 WHERE id = $2")
                .bind(outcome)
                .bind(id)
                .execute(&mut **conn)
                .await?;
        }
        Ok(())
    }

    pub async fn deal_history(&self, id: &str) -> Result<Vec<StageMove>> {
        history(&self.pool, "deal", id).await
    }

    /// Records an activity on a deal or an entry case (`subject`: `deal` or `entry_case`).
    pub async fn add_activity(
        &self,
        actor: &Actor,
        subject: &'static str,
        id: &str,
        a: ActivityData,
    ) -> Result<()> {
        let mut tx = self.begin(actor).await?;
        let now = self.now();
        let aid = new_id(now);
        sqlx::query("INSERT INTO activities (id, subject, subject_id, kind, happened_on, participants, body, user_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(&aid)
            .bind(subject)
            .bind(id)
            .bind(a.kind.code())
            .bind(format_date(a.happened_on))
            .bind(a.participants.clone())
            .bind(&a.body)
            .bind(&actor.user_id)
            .bind(timestamp(now))
            .execute(&mut *tx)
            .await?;
        tx.audit(
            Change::create("activity", &aid, a.kind.code())
                .after(json!({"subject": subject, "subject_id": id, "body": a.body})),
        )
        .await?;
        sqlx::query(&format!(
            "UPDATE {} SET updated_at = $1 WHERE id = $2",
            if subject == "deal" {
                "deals"
            } else {
                "entry_cases"
            }
        ))
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn activities(&self, subject: &str, id: &str) -> Result<Vec<Activity>> {
        sqlx::query("SELECT a.*, u.name AS user_name FROM activities a LEFT JOIN users u ON u.id = a.user_id WHERE a.subject = $1 AND a.subject_id = $2 ORDER BY a.happened_on DESC, a.at DESC")
            .bind(subject)
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(Activity { id: get(r, "id")?, kind: get(r, "kind")?, happened_on: get(r, "happened_on")?, participants: get(r, "participants")?, body: get(r, "body")?, user_name: get(r, "user_name")? }))
            .collect()
    }

    // ---------------------------------------------------------------- entry cases

    pub async fn create_entry_case(
        &self,
        grant: &Granted<permission::WorkOnEntryCase>,
        programme_id: &str,
        data: EntryCaseData,
    ) -> Result<EntryCase> {
        covers(grant, programme_id)?;
        let mut tx = self.begin(grant.actor()).await?;
        let id = self
            .insert_case(&mut tx, grant.actor(), programme_id, &data)
            .await?;
        let case = load_case(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(case)
    }

    /// Opens entry cases from an import, each moved to its stage on its date, all or nothing.
    pub async fn import_entry_cases(
        &self,
        grant: &Granted<permission::WorkOnEntryCase>,
        programme_id: &str,
        rows: Vec<(EntryCaseData, EntryStage, Date)>,
    ) -> Result<Vec<String>> {
        covers(grant, programme_id)?;
        let mut tx = self.begin(grant.actor()).await?;
        let mut ids = Vec::new();
        for (data, stage, on) in rows {
            let id = self
                .insert_case(&mut tx, grant.actor(), programme_id, &data)
                .await?;
            if stage != EntryStage::Interest {
                self.move_case_in(&mut tx, grant.actor(), &id, stage, on, Some("取り込み"))
                    .await?;
            }
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn insert_case(
        &self,
        tx: &mut Write,
        actor: &Actor,
        programme_id: &str,
        data: &EntryCaseData,
    ) -> Result<String> {
        if sqlx::query("SELECT id FROM programmes WHERE id = $1")
            .bind(programme_id)
            .fetch_optional(&mut **tx)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        check_orgs(
            tx,
            "organisation_id",
            std::slice::from_ref(&data.organisation_id),
        )
        .await?;
        check_orgs(tx, "supporters", &data.supporters).await?;
        let now = self.now();
        let id = new_id(now);
        sqlx::query(
            "INSERT INTO entry_cases (id, programme_id, organisation_id, title, owner_user_id, stage, stage_on, jobs, next_action, \
             next_action_due, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'interest', $6, $7, $8, $9, $10, $10)",
        )
        .bind(&id)
        .bind(programme_id)
        .bind(&data.organisation_id)
        .bind(data.title.clone())
        .bind(data.owner_user_id.clone())
        .bind(format_date(now.date()))
        .bind(data.jobs)
        .bind(data.next_action.clone())
        .bind(data.next_action_due.map(format_date))
        .bind(timestamp(now))
        .execute(&mut **tx)
        .await?;
        write_supporters(tx, &id, &data.supporters).await?;
        insert_move(
            tx,
            actor,
            now,
            "entry_case",
            &id,
            None,
            "interest",
            now.date(),
            None,
        )
        .await?;
        let case = load_case(tx, &id).await?;
        tx.audit(
            Change::create("entry_case", &id, &case.organisation_name).after(case_json(&case)),
        )
        .await?;
        Ok(id)
    }

    /// An entry case the reader may see; any other answers "not found".
    pub async fn entry_case(&self, sight: &Sight, id: &str) -> Result<EntryCase> {
        let mut conn = self.pool.acquire().await?;
        let c = load_case(&mut conn, id).await?;
        if sight.entry_case(&c.programme_id, &c.data.organisation_id, &c.data.supporters) {
            Ok(c)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// Entry cases the reader may see: all (secretariat), or those of their organisation or
    /// naming it as a supporter.
    pub async fn list_entry_cases(
        &self,
        sight: &Sight,
        programme_id: &str,
        stage: Option<EntryStage>,
    ) -> Result<Vec<EntryCase>> {
        let Some(org) = narrowed_to(sight.entry_cases_in(programme_id)) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT c.id FROM entry_cases c WHERE c.programme_id = $1 \
             AND ($2 = '' OR c.organisation_id = $2 OR EXISTS (SELECT 1 FROM entry_case_supporters s WHERE s.case_id = c.id AND s.organisation_id = $2)) \
             AND ($3 = '' OR c.stage = $3) ORDER BY c.updated_at DESC, c.id",
        )
        .bind(programme_id)
        .bind(org)
        .bind(stage.map(|s| s.code()).unwrap_or_default())
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::new();
        for r in rows {
            out.push(load_case(&mut conn, &get::<String>(&r, "id")?).await?);
        }
        Ok(out)
    }

    pub async fn update_entry_case(
        &self,
        grant: &Granted<permission::WorkOnEntryCase>,
        id: &str,
        data: EntryCaseData,
    ) -> Result<EntryCase> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load_case(&mut tx, id).await?;
        covers(grant, &before.programme_id)?;
        check_orgs(
            &mut tx,
            "organisation_id",
            std::slice::from_ref(&data.organisation_id),
        )
        .await?;
        check_orgs(&mut tx, "supporters", &data.supporters).await?;
        let now = self.now();
        sqlx::query(
            "UPDATE entry_cases SET organisation_id = $1, title = $2, owner_user_id = $3, jobs = $4, next_action = $5, \
             next_action_due = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(&data.organisation_id)
        .bind(data.title.clone())
        .bind(data.owner_user_id.clone())
        .bind(data.jobs)
        .bind(data.next_action.clone())
        .bind(data.next_action_due.map(format_date))
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        write_supporters(&mut tx, id, &data.supporters).await?;
        self.follow_case(&mut tx, grant.actor(), id).await?;
        let after = load_case(&mut tx, id).await?;
        tx.audit(
            Change::update("entry_case", id, &after.organisation_name)
                .before(case_json(&before))
                .after(case_json(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn move_entry_case(
        &self,
        grant: &Granted<permission::WorkOnEntryCase>,
        id: &str,
        to: EntryStage,
        on: Date,
        note: Option<&str>,
    ) -> Result<EntryCase> {
        let mut tx = self.begin(grant.actor()).await?;
        covers(grant, &load_case(&mut tx, id).await?.programme_id)?;
        self.move_case_in(&mut tx, grant.actor(), id, to, on, note)
            .await?;
        let after = load_case(&mut tx, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn move_case_in(
        &self,
        tx: &mut Write,
        actor: &Actor,
        id: &str,
        to: EntryStage,
        on: Date,
        note: Option<&str>,
    ) -> Result<()> {
        let before = load_case(tx, id).await?;
        pipeline::check_move(before.stage, to, note)
            .map_err(|r| stage_error(before.stage, to, r))?;
        let counting = EntryStage::Commercialised;
        let counted_on = match (
            pipeline::has_reached(before.stage, counting),
            pipeline::has_reached(to, counting),
        ) {
            (false, true) => Some(on),
            (true, true) => before.counted_on,
            _ => None,
        };
        let now = self.now();
        sqlx::query("UPDATE entry_cases SET stage = $1, stage_on = $2, counted_on = $3, updated_at = $4 WHERE id = $5")
            .bind(to.code())
            .bind(format_date(on))
            .bind(counted_on.map(format_date))
            .bind(timestamp(now))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        insert_move(
            tx,
            actor,
            now,
            "entry_case",
            id,
            Some(before.stage.code()),
            to.code(),
            on,
            note,
        )
        .await?;
        self.follow_case(tx, actor, id).await?;
        let after = load_case(tx, id).await?;
        tx.audit(
            Change::update("entry_case", id, &after.organisation_name)
                .before(case_json(&before))
                .after(case_json(&after)),
        )
        .await?;
        Ok(())
    }

    async fn follow_case(&self, conn: &mut Write, actor: &Actor, id: &str) -> Result<()> {
        let c = load_case(conn, id).await?;
        let wanted = pipeline::entry_outcome(c.stage, c.counted_on, c.field_status, c.data.jobs);
        let evidence = format!(
            "参入支援案件「{}」が事業化に到達",
            c.data
                .title
                .clone()
                .unwrap_or_else(|| c.organisation_name.clone())
        );
        let outcome = follow(
            conn,
            actor,
            self.now(),
            &c.programme_id,
            &c.data.organisation_id,
            wanted,
            c.outcome_id.clone(),
            OutcomeSource::EntryCase,
            id,
            evidence,
        )
        .await?;
        if outcome != c.outcome_id {
            sqlx::query("UPDATE entry_cases SET outcome_id = $1 WHERE id = $2")
                .bind(outcome)
                .bind(id)
                .execute(&mut **conn)
                .await?;
        }
        Ok(())
    }

    pub async fn entry_case_history(&self, id: &str) -> Result<Vec<StageMove>> {
        history(&self.pool, "entry_case", id).await
    }

    pub async fn add_consultation(
        &self,
        grant: &Granted<permission::WorkOnEntryCase>,
        case_id: &str,
        c: ConsultationData,
    ) -> Result<()> {
        let mut tx = self.begin(grant.actor()).await?;
        covers(grant, &load_case(&mut tx, case_id).await?.programme_id)?;
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

    pub async fn consultations(&self, case_id: &str) -> Result<Vec<Consultation>> {
        sqlx::query("SELECT c.*, u.name AS user_name FROM consultations c LEFT JOIN users u ON u.id = c.user_id WHERE c.case_id = $1 ORDER BY c.happened_on DESC, c.at DESC")
            .bind(case_id)
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

    /// Next actions the reader owns, on records it may still see, due date first.
    pub async fn next_actions(&self, sight: &Sight) -> Result<Vec<NextAction>> {
        let Some(user_id) = sight.principal().map(|p| p.user_id.clone()) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (subject, table, label) in [
            ("deal", "deals", "COALESCE(x.code_name, o.name)"),
            ("entry_case", "entry_cases", "COALESCE(x.title, o.name)"),
        ] {
            let rows = sqlx::query(&format!(
                "SELECT x.id, {label} AS label, x.next_action, x.next_action_due FROM {table} x JOIN organisations o ON o.id = x.organisation_id \
                 WHERE x.owner_user_id = $1 AND x.next_action_due IS NOT NULL"
            ))
            .bind(&user_id)
            .fetch_all(&self.pool)
            .await?;
            for r in rows {
                let id: String = get(&r, "id")?;
                let visible = match subject {
                    "deal" => self.deal(sight, &id).await.is_ok(),
                    _ => self.entry_case(sight, &id).await.is_ok(),
                };
                if !visible {
                    continue;
                }
                if let Some(due) = date_col(&r, "next_action_due")? {
                    out.push(NextAction {
                        subject,
                        id,
                        label: get(&r, "label")?,
                        action: get::<Option<String>>(&r, "next_action")?.unwrap_or_default(),
                        due,
                    });
                }
            }
        }
        out.sort_by_key(|a| a.due);
        Ok(out)
    }
}

async fn write_shares(conn: &mut AnyConnection, id: &str, orgs: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM deal_shares WHERE deal_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for o in orgs {
        sqlx::query("INSERT INTO deal_shares (deal_id, organisation_id) VALUES ($1, $2)")
            .bind(id)
            .bind(o)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn write_supporters(conn: &mut AnyConnection, id: &str, orgs: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM entry_case_supporters WHERE case_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for o in orgs {
        sqlx::query("INSERT INTO entry_case_supporters (case_id, organisation_id) VALUES ($1, $2)")
            .bind(id)
            .bind(o)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
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

fn deal_label(d: &Deal) -> &str {
    d.data.code_name.as_deref().unwrap_or(&d.organisation_name)
}

async fn load_deal(conn: &mut AnyConnection, id: &str) -> Result<Deal> {
    let r = sqlx::query("SELECT d.*, o.name AS organisation_name FROM deals d JOIN organisations o ON o.id = d.organisation_id WHERE d.id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let corrupt = |w: &str| StoreError::Corrupt(format!("deal {w}"));
    let shared_with = ids(
        conn,
        "SELECT organisation_id FROM deal_shares WHERE deal_id = $1 ORDER BY organisation_id",
        id,
    )
    .await?;
    let outcome_id: Option<String> = get(&r, "outcome_id")?;
    let link = linked(conn, outcome_id.as_deref()).await?;
    let mut d = Deal {
        id: get(&r, "id")?,
        programme_id: get(&r, "programme_id")?,
        data: DealData {
            kind: DealKind::parse(&get::<String>(&r, "kind")?).map_err(|_| corrupt("kind"))?,
            organisation_id: get(&r, "organisation_id")?,
            code_name: get(&r, "code_name")?,
            lead_source: get(&r, "lead_source")?,
            owner_user_id: get(&r, "owner_user_id")?,
            planned_jobs: get(&r, "planned_jobs")?,
            actual_jobs: get(&r, "actual_jobs")?,
            planned_investment: get(&r, "planned_investment")?,
            actual_investment: get(&r, "actual_investment")?,
            candidate_site: get(&r, "candidate_site")?,
            incentives: get(&r, "incentives")?,
            next_action: get(&r, "next_action")?,
            next_action_due: date_col(&r, "next_action_due")?,
            shared_with,
        },
        organisation_name: get(&r, "organisation_name")?,
        stage: DealStage::parse(&get::<String>(&r, "stage")?).map_err(|_| corrupt("stage"))?,
        stage_on: date_col(&r, "stage_on")?.ok_or_else(|| corrupt("stage_on"))?,
        counted_on: date_col(&r, "counted_on")?,
        lost_reason: get(&r, "lost_reason")?,
        outcome_status: link.as_ref().map(|l| l.status),
        outcome_id,
        outcome_differs: false,
        created_at: get(&r, "created_at")?,
        updated_at: get(&r, "updated_at")?,
    };
    let counting = {
        let row = sqlx::query("SELECT definition FROM programmes WHERE id = $1")
            .bind(&d.programme_id)
            .fetch_one(&mut *conn)
            .await?;
        noguchi_domain::programme::ProgrammeDefinition::parse(&get::<String>(&row, "definition")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
            .pipelines
            .deal_counting_stage()
    };
    let wanted = pipeline::deal_outcome(
        d.data.kind,
        d.stage,
        counting,
        d.counted_on,
        d.data.planned_jobs,
        d.data.actual_jobs,
    );
    d.outcome_differs = differs(wanted.as_ref(), link.as_ref());
    Ok(d)
}

async fn load_case(conn: &mut AnyConnection, id: &str) -> Result<EntryCase> {
    let r = sqlx::query("SELECT c.*, o.name AS organisation_name, o.field_status FROM entry_cases c JOIN organisations o ON o.id = c.organisation_id WHERE c.id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let corrupt = |w: &str| StoreError::Corrupt(format!("entry case {w}"));
    let supporters = ids(conn, "SELECT organisation_id FROM entry_case_supporters WHERE case_id = $1 ORDER BY organisation_id", id).await?;
    let outcome_id: Option<String> = get(&r, "outcome_id")?;
    let link = linked(conn, outcome_id.as_deref()).await?;
    let field_status = FieldStatus::parse(&get::<String>(&r, "field_status")?)
        .map_err(|_| corrupt("field status"))?;
    let stage = EntryStage::parse(&get::<String>(&r, "stage")?).map_err(|_| corrupt("stage"))?;
    let counted_on = date_col(&r, "counted_on")?;
    let jobs: Option<i64> = get(&r, "jobs")?;
    let wanted = pipeline::entry_outcome(stage, counted_on, field_status, jobs);
    Ok(EntryCase {
        id: get(&r, "id")?,
        programme_id: get(&r, "programme_id")?,
        data: EntryCaseData {
            organisation_id: get(&r, "organisation_id")?,
            title: get(&r, "title")?,
            owner_user_id: get(&r, "owner_user_id")?,
            jobs,
            next_action: get(&r, "next_action")?,
            next_action_due: date_col(&r, "next_action_due")?,
            supporters,
        },
        organisation_name: get(&r, "organisation_name")?,
        field_status,
        stage,
        stage_on: date_col(&r, "stage_on")?.ok_or_else(|| corrupt("stage_on"))?,
        counted_on,
        outcome_status: link.as_ref().map(|l| l.status),
        outcome_differs: differs(wanted.as_ref(), link.as_ref()),
        outcome_id,
        created_at: get(&r, "created_at")?,
        updated_at: get(&r, "updated_at")?,
    })
}

fn deal_json(d: &Deal) -> serde_json::Value {
    json!({
        "kind": d.data.kind.code(), "organisation_id": d.data.organisation_id, "code_name": d.data.code_name,
        "stage": d.stage.code(), "stage_on": format_date(d.stage_on), "planned_jobs": d.data.planned_jobs,
        "actual_jobs": d.data.actual_jobs, "planned_investment": d.data.planned_investment,
        "actual_investment": d.data.actual_investment, "candidate_site": d.data.candidate_site,
        "incentives": d.data.incentives, "lead_source": d.data.lead_source, "shared_with": d.data.shared_with,
        "next_action": d.data.next_action, "next_action_due": d.data.next_action_due.map(format_date),
        "lost_reason": d.lost_reason, "outcome_id": d.outcome_id,
    })
}

fn case_json(c: &EntryCase) -> serde_json::Value {
    json!({
        "organisation_id": c.data.organisation_id, "title": c.data.title, "stage": c.stage.code(),
        "stage_on": format_date(c.stage_on), "jobs": c.data.jobs, "supporters": c.data.supporters,
        "next_action": c.data.next_action, "next_action_due": c.data.next_action_due.map(format_date),
        "outcome_id": c.outcome_id,
    })
}
