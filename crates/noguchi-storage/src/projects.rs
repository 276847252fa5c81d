//! Projects: the project, its consortium, its stage moves (in the shared stage history) and its
//! clearances. A project is confidential; reads check the reader's sight against its members.

use crate::audit::Change;
use crate::organisations::check_organisation;
use crate::pipelines::insert_move;
use crate::sql::get;
use crate::{Result, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Granted, Sight, permission};
use noguchi_domain::dates::format_date;
use noguchi_domain::organisation::Licence;
use noguchi_domain::project::{
    ClearanceData, DeviceClass, MemberRole, ProjectData, ProjectStage, Route, move_needs_reason,
};
use noguchi_domain::{Invalid, Problem};
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

/// The subject of a project's moves in the stage history.
const SUBJECT: &str = "project";

#[derive(Debug, Clone)]
pub struct Project {
    pub id: String,
    pub programme_id: String,
    pub data: ProjectData,
    pub stage: ProjectStage,
    /// The day it reached its stage (YYYY-MM-DD).
    pub stage_on: String,
    pub proposal_id: Option<String>,
    /// The person who opened it and answers for it (担当).
    pub owner_name: Option<String>,
    pub members: Vec<ProjectMember>,
    pub clearances: Vec<Clearance>,
    pub created_at: String,
    pub updated_at: String,
}

impl Project {
    /// The member organisations, each once.
    pub fn member_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .members
            .iter()
            .map(|m| m.organisation_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

#[derive(Debug, Clone)]
pub struct ProjectMember {
    pub organisation_id: String,
    pub organisation_name: String,
    /// The organisation's kind (`company` …).
    pub organisation_kind: String,
    pub in_region: bool,
    pub employees: Option<i64>,
    pub role: MemberRole,
    /// The licences the organisation's record holds.
    pub licences: Vec<Licence>,
    /// Their numbers and expiry dates, where recorded.
    pub licence_records: Vec<noguchi_domain::organisation::LicenceRecord>,
}

impl ProjectMember {
    /// The licences held on `today` (a recorded expiry that has passed removes one).
    pub fn licences_held(&self, today: time::Date) -> Vec<Licence> {
        noguchi_domain::organisation::licences_held(&self.licences, &self.licence_records, today)
    }
}

#[derive(Debug, Clone)]
pub struct Clearance {
    pub id: String,
    pub route: Route,
    pub number: String,
    pub cleared_on: String,
}

fn project_from_row(r: &AnyRow) -> Result<Project> {
    let corrupt = |w: &str| StoreError::Corrupt(format!("project {w}"));
    let class: Option<String> = get(r, "device_class")?;
    Ok(Project {
        id: get(r, "id")?,
        programme_id: get(r, "programme_id")?,
        data: ProjectData {
            title: get(r, "title")?,
            summary: get(r, "summary")?,
            device: get(r, "device")?,
            device_class: class
                .as_deref()
                .map(DeviceClass::parse)
                .transpose()
                .map_err(|_| corrupt("device_class"))?,
            general_name: get(r, "general_name")?,
            certification_standard: crate::sql::flag(r, "certification_standard")?,
            lead_organisation_id: get(r, "lead_organisation_id")?,
        },
        stage: ProjectStage::parse(&get::<String>(r, "stage")?).map_err(|_| corrupt("stage"))?,
        stage_on: get(r, "stage_on")?,
        proposal_id: get(r, "proposal_id")?,
        owner_name: get(r, "owner_name")?,
        members: Vec::new(),
        clearances: Vec::new(),
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

pub(crate) async fn load(conn: &mut AnyConnection, id: &str) -> Result<Project> {
    let row = sqlx::query(
        "SELECT p.*, u.name AS owner_name FROM projects p LEFT JOIN users u ON u.id = p.created_by \
         WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let mut p = project_from_row(&row)?;
    for r in sqlx::query(
        "SELECT m.organisation_id, m.role, o.name, o.kind, o.in_region, o.employees FROM project_members m \
         JOIN organisations o ON o.id = m.organisation_id WHERE m.project_id = $1 \
         ORDER BY m.role, o.name",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        let org: String = get(&r, "organisation_id")?;
        let record = crate::organisations::load(conn, &org).await?.data;
        let (licences, licence_records) = (record.licences, record.licence_records);
        p.members.push(ProjectMember {
            role: MemberRole::parse(&get::<String>(&r, "role")?)
                .map_err(|_| StoreError::Corrupt("project_members.role".into()))?,
            organisation_name: get(&r, "name")?,
            organisation_kind: get(&r, "kind")?,
            in_region: crate::sql::flag(&r, "in_region")?,
            employees: get(&r, "employees")?,
            organisation_id: org,
            licences,
            licence_records,
        });
    }
    for r in sqlx::query(
        "SELECT id, route, number, cleared_on FROM project_clearances WHERE project_id = $1 \
         ORDER BY cleared_on, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    {
        p.clearances.push(Clearance {
            id: get(&r, "id")?,
            route: Route::parse(&get::<String>(&r, "route")?)
                .map_err(|_| StoreError::Corrupt("project_clearances.route".into()))?,
            number: get(&r, "number")?,
            cleared_on: get(&r, "cleared_on")?,
        });
    }
    Ok(p)
}

/// The lead organisation, when named, is one of the directory.
async fn check_lead(conn: &mut AnyConnection, data: &ProjectData) -> Result<()> {
    if let Some(org) = &data.lead_organisation_id {
        check_organisation(conn, org)
            .await
            .map_err(|_| Invalid::one("lead_organisation_id", Problem::UnknownReference))?;
    }
    Ok(())
}

/// Writes a new project at 構想 with its first stage move, the lead organisation as a member
/// (a supporting body until given a role, unless `roles` names it), and the members `roles`
/// names. Returns its id.
async fn insert_project(
    tx: &mut crate::write::Write,
    programme_id: &str,
    data: &ProjectData,
    proposal_id: Option<&str>,
    roles: Option<&[(String, MemberRole)]>,
) -> Result<String> {
    let now = tx.now();
    let id = new_id(now);
    let today = now.to_offset(noguchi_domain::event::JST).date();
    let actor = tx.actor().clone();
    sqlx::query(
        "INSERT INTO projects (id, programme_id, title, summary, device, device_class, general_name, \
         certification_standard, lead_organisation_id, proposal_id, stage, stage_on, created_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
    )
    .bind(&id)
    .bind(programme_id)
    .bind(&data.title)
    .bind(data.summary.clone())
    .bind(data.device.clone())
    .bind(data.device_class.map(|c| c.code()))
    .bind(data.general_name.clone())
    .bind(i64::from(data.certification_standard))
    .bind(data.lead_organisation_id.clone())
    .bind(proposal_id.map(str::to_owned))
    .bind(ProjectStage::Concept.code())
    .bind(format_date(today))
    .bind(&actor.user_id)
    .bind(timestamp(now))
    .execute(&mut **tx)
    .await?;
    insert_move(
        tx,
        &actor,
        now,
        SUBJECT,
        &id,
        None,
        ProjectStage::Concept.code(),
        today,
        None,
    )
    .await?;
    let mut members: Vec<(String, MemberRole)> = roles.map(<[_]>::to_vec).unwrap_or_default();
    if let Some(org) = &data.lead_organisation_id
        && !members.iter().any(|(o, _)| o == org)
    {
        members.insert(0, (org.clone(), MemberRole::Supporter));
    }
    for (org, role) in &members {
        sqlx::query(
            "INSERT INTO project_members (project_id, organisation_id, role) VALUES ($1, $2, $3)",
        )
        .bind(&id)
        .bind(org)
        .bind(role.code())
        .execute(&mut **tx)
        .await?;
    }
    crate::needs::enqueue(tx, now, SUBJECT, &id).await?;
    Ok(id)
}

/// A match proposal that reaches the project step opens its project, once (a proposal moved
/// back and forward again keeps the first): the need's title, the proposal's summary, the
/// candidate as lead, the candidate and the need's owner as members in the roles their kinds
/// suggest. Linked both ways: the project names the proposal, the proposal page its project.
pub(crate) async fn open_from_proposal(
    tx: &mut crate::write::Write,
    p: &crate::Proposal,
) -> Result<()> {
    use noguchi_domain::organisation::OrganisationKind;
    use noguchi_domain::project::role_for_kind;
    let exists = sqlx::query("SELECT id FROM projects WHERE proposal_id = $1")
        .bind(&p.id)
        .fetch_optional(&mut **tx)
        .await?;
    if exists.is_some() {
        return Ok(());
    }
    let mut roles = Vec::new();
    for org in [&p.candidate_org_id, &p.need_owner_id] {
        if roles.iter().any(|(o, _): &(String, MemberRole)| o == org) {
            continue;
        }
        let kind: String = get(
            &sqlx::query("SELECT kind FROM organisations WHERE id = $1")
                .bind(org)
                .fetch_one(&mut **tx)
                .await?,
            "kind",
        )?;
        let kind = OrganisationKind::parse(&kind).unwrap_or(OrganisationKind::Other);
        roles.push((org.clone(), role_for_kind(kind)));
    }
    // A need at the NDA level (or internal) keeps its title from members who have no NDA:
    // the project is then named by its two parties, and the summary is left to be written.
    let disclosure: String = get(
        &sqlx::query("SELECT disclosure FROM needs WHERE id = $1")
            .bind(&p.need_id)
            .fetch_one(&mut **tx)
            .await?,
        "disclosure",
    )?;
    let open = matches!(disclosure.as_str(), "public" | "members");
    let title = if open {
        p.need_title.chars().take(200).collect()
    } else {
        format!(
            "{}と{}のプロジェクト",
            p.candidate_org_name, p.need_owner_name
        )
        .chars()
        .take(200)
        .collect()
    };
    let data = ProjectData {
        title,
        summary: Some(p.summary.clone()).filter(|s| open && !s.is_empty()),
        device: None,
        device_class: None,
        general_name: None,
        certification_standard: false,
        lead_organisation_id: Some(p.candidate_org_id.clone()),
    };
    let id = insert_project(tx, &p.programme_id, &data, Some(&p.id), Some(&roles)).await?;
    tx.audit(
        Change::create("project", &id, &data.title)
            .after(json!({"from_proposal": p.id, "members": roles.iter().map(|(o, r)| json!({"organisation_id": o, "role": r.code()})).collect::<Vec<_>>()})),
    )
    .await?;
    Ok(())
}

impl Store {
    /// The project a proposal opened, if any (its id), for a reader who may see it.
    pub async fn project_of_proposal(
        &self,
        sight: &Sight,
        proposal_id: &str,
    ) -> Result<Option<String>> {
        let row = sqlx::query("SELECT id FROM projects WHERE proposal_id = $1")
            .bind(proposal_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = get(&row, "id")?;
        Ok(self.project(sight, &id).await.ok().map(|p| p.id))
    }
}

fn project_json(d: &ProjectData) -> serde_json::Value {
    json!({
        "title": d.title,
        "device_class": d.device_class.map(|c| c.code()),
        "general_name": d.general_name,
        "certification_standard": d.certification_standard,
        "lead_organisation_id": d.lead_organisation_id,
    })
}

impl Store {
    /// Opens a project at 構想, from a proposal that reached the project step or directly.
    pub async fn create_project(
        &self,
        grant: &Granted<permission::ManageProjects>,
        programme_id: &str,
        data: ProjectData,
        proposal_id: Option<&str>,
    ) -> Result<Project> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.covers(grant, programme_id)?;
        check_lead(&mut tx, &data).await?;
        let id = insert_project(&mut tx, programme_id, &data, proposal_id, None).await?;
        tx.audit(Change::create("project", &id, &data.title).after(project_json(&data)))
            .await?;
        let p = load(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn update_project(
        &self,
        grant: &Granted<permission::ManageProjects>,
        id: &str,
        data: ProjectData,
    ) -> Result<Project> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        check_lead(&mut tx, &data).await?;
        sqlx::query(
            "UPDATE projects SET title = $1, summary = $2, device = $3, device_class = $4, general_name = $5, \
             certification_standard = $6, lead_organisation_id = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(&data.title)
        .bind(data.summary.clone())
        .bind(data.device.clone())
        .bind(data.device_class.map(|c| c.code()))
        .bind(data.general_name.clone())
        .bind(i64::from(data.certification_standard))
        .bind(data.lead_organisation_id.clone())
        .bind(timestamp(tx.now()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let now = tx.now();
        crate::needs::enqueue(&mut tx, now, SUBJECT, id).await?;
        tx.audit(
            Change::update("project", id, &data.title)
                .before(project_json(&before.data))
                .after(project_json(&data)),
        )
        .await?;
        let p = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// A project the reader may see; any other answers "not found", as one that does not exist.
    pub async fn project(&self, sight: &Sight, id: &str) -> Result<Project> {
        let mut conn = self.pool.acquire().await?;
        let p = load(&mut conn, id).await?;
        if sight.project(&p.programme_id, &p.member_ids()) {
            Ok(p)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The projects of a programme the reader may see, latest first.
    pub async fn projects(&self, sight: &Sight, programme_id: &str) -> Result<Vec<Project>> {
        let ids = sqlx::query(
            "SELECT id FROM projects WHERE programme_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::new();
        for r in &ids {
            let p = load(&mut conn, &get::<String>(r, "id")?).await?;
            if sight.project(&p.programme_id, &p.member_ids()) {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Adds an organisation to the consortium in a role (adding it again in that role changes
    /// nothing).
    pub async fn add_project_member(
        &self,
        grant: &Granted<permission::ManageProjects>,
        id: &str,
        organisation_id: &str,
        role: MemberRole,
    ) -> Result<Project> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        check_organisation(&mut tx, organisation_id).await?;
        let present = before
            .members
            .iter()
            .any(|m| m.organisation_id == organisation_id && m.role == role);
        if present {
            return Ok(before);
        }
        sqlx::query(
            "INSERT INTO project_members (project_id, organisation_id, role) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(organisation_id)
        .bind(role.code())
        .execute(&mut *tx)
        .await?;
        // The lead organisation joins as a supporting body until it is given a role; once it
        // has one, that placeholder goes (so the consortium lists each role it really holds).
        if role != MemberRole::Supporter
            && before.data.lead_organisation_id.as_deref() == Some(organisation_id)
        {
            sqlx::query(
                "DELETE FROM project_members WHERE project_id = $1 AND organisation_id = $2 AND role = $3",
            )
            .bind(id)
            .bind(organisation_id)
            .bind(MemberRole::Supporter.code())
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE projects SET updated_at = $1 WHERE id = $2")
            .bind(timestamp(tx.now()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let now = tx.now();
        crate::needs::enqueue(&mut tx, now, SUBJECT, id).await?;
        tx.audit(
            Change::update("project", id, &before.data.title)
                .after(json!({"member": organisation_id, "role": role.code()})),
        )
        .await?;
        let p = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Moves a project to a stage on a day; going back, stopping or reopening needs a reason.
    pub async fn move_project(
        &self,
        grant: &Granted<permission::ManageProjects>,
        id: &str,
        to: ProjectStage,
        note: Option<&str>,
        on: time::Date,
    ) -> Result<Project> {
        let mut tx = self.begin(grant.actor()).await?;
        tx.lock_row("projects", id).await?;
        let before = load(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        if move_needs_reason(before.stage, to).is_none() {
            return Ok(before);
        }
        self.move_within(&mut tx, &before, to, note, on).await?;
        let p = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// A stage move inside a write (a move of its own, or a gate review's decision): the rule
    /// of reasons, the stage history, the audit, and the KPI credit a launch gives or a
    /// reopening withdraws.
    pub(crate) async fn move_within(
        &self,
        tx: &mut crate::write::Write,
        before: &Project,
        to: ProjectStage,
        note: Option<&str>,
        on: time::Date,
    ) -> Result<()> {
        let id = before.id.as_str();
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        match move_needs_reason(before.stage, to) {
            None => return Ok(()),
            Some(true) if note.is_none() => {
                return Err(Invalid::one(
                    "note",
                    Problem::StageMove {
                        from: before.stage.code().into(),
                        to: to.code().into(),
                        note_required: true,
                    },
                )
                .into());
            }
            Some(_) => {}
        }
        sqlx::query("UPDATE projects SET stage = $1, stage_on = $2, updated_at = $3 WHERE id = $4")
            .bind(to.code())
            .bind(format_date(on))
            .bind(timestamp(tx.now()))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        let actor = tx.actor().clone();
        let now = tx.now();
        insert_move(
            tx,
            &actor,
            now,
            SUBJECT,
            id,
            Some(before.stage.code()),
            to.code(),
            on,
            note,
        )
        .await?;
        tx.audit(
            Change::update("project", id, &before.data.title)
                .before(json!({"stage": before.stage.code()}))
                .after(json!({"stage": to.code(), "on": format_date(on), "note": note})),
        )
        .await?;
        let p = load(tx, id).await?;
        if before.stage == ProjectStage::Launched {
            self.withdraw_launch(tx, &p).await?;
        }
        self.credit_launch(tx, &p).await?;
        Ok(())
    }

    /// A launch with a clearance credits each member firm inside the region once, for the
    /// seed's 新規参入・事業化 indicator: through its entry case where it has one (moved to 事業化,
    /// so the ledger's own rule makes the outcome), otherwise with a pending outcome of the
    /// right kind (an existing medical firm's commercialisation, else a new entry) for the
    /// secretariat to verify. A firm already credited for this launch, or whose case is already
    /// at 事業化, gets nothing more.
    async fn credit_launch(&self, tx: &mut crate::write::Write, p: &Project) -> Result<()> {
        use noguchi_domain::ledger::{OutcomeData, OutcomeKind};
        use noguchi_domain::organisation::FieldStatus;
        use noguchi_domain::pipeline::{EntryCases, EntryStage, Stages};
        let Some(clearance) = p.clearances.last() else {
            return Ok(());
        };
        if p.stage != ProjectStage::Launched {
            return Ok(());
        }
        let on = noguchi_domain::dates::parse_date(&p.stage_on)
            .map_err(|_| StoreError::Corrupt("projects.stage_on".into()))?;
        let note = format!("プロジェクト「{}」の上市", p.data.title);
        let mut seen = std::collections::HashSet::new();
        for m in &p.members {
            // One credit per firm, whatever roles it holds.
            if m.organisation_kind != "company" || !m.in_region || !seen.insert(&m.organisation_id)
            {
                continue;
            }
            let case = sqlx::query(
                "SELECT id, stage FROM entry_cases WHERE programme_id = $1 AND organisation_id = $2 \
                 AND stage <> $3 ORDER BY created_at, id",
            )
            .bind(&p.programme_id)
            .bind(&m.organisation_id)
            .bind(EntryStage::CLOSED.code())
            .fetch_optional(&mut **tx)
            .await?;
            if let Some(case) = case {
                let stage: String = get(&case, "stage")?;
                if stage != EntryStage::Commercialised.code() {
                    let case_id: String = get(&case, "id")?;
                    self.move_in::<EntryCases>(
                        tx,
                        &case_id,
                        EntryStage::Commercialised,
                        on,
                        Some(&note),
                    )
                    .await?;
                    // Remembered, so that reopening the project moves the case back.
                    sqlx::query(
                        "INSERT INTO project_credits (project_id, entry_case_id, from_stage) VALUES ($1, $2, $3)",
                    )
                    .bind(&p.id)
                    .bind(&case_id)
                    .bind(&stage)
                    .execute(&mut **tx)
                    .await?;
                }
                continue;
            }
            let credited = sqlx::query(
                "SELECT id FROM outcomes WHERE source = 'project' AND source_id = $1 \
                 AND organisation_id = $2 AND status <> 'rejected'",
            )
            .bind(&p.id)
            .bind(&m.organisation_id)
            .fetch_optional(&mut **tx)
            .await?;
            if credited.is_some() {
                continue;
            }
            let org = crate::organisations::load(tx, &m.organisation_id).await?;
            let kind = if org.data.field_status == FieldStatus::ExistingMedical {
                OutcomeKind::Commercialisation
            } else {
                OutcomeKind::NewEntry
            };
            let data = OutcomeData {
                organisation_id: m.organisation_id.clone(),
                kind,
                fiscal_year: noguchi_domain::fiscal::FiscalYear::of_date(on),
                occurred_on: Some(on),
                jobs: 0,
                evidence: Some(format!(
                    "{note}（{} {}）",
                    clearance.number, clearance.cleared_on
                )),
                evidence_ref: Some(clearance.number.clone()),
                note: None,
            };
            let actor = tx.actor().clone();
            let now = tx.now();
            crate::outcomes::insert(
                tx,
                &actor,
                now,
                &p.programme_id,
                &data,
                crate::OutcomeSource::Project,
                Some(&p.id),
            )
            .await?;
        }
        Ok(())
    }

    /// Reopening a launched project withdraws what its launch created, as the pipelines do: its
    /// pending outcomes (the verified ones stay: the secretariat decided them), and the entry
    /// cases it moved to 事業化 go back to the stage they came from.
    async fn withdraw_launch(&self, tx: &mut crate::write::Write, p: &Project) -> Result<()> {
        if p.stage == ProjectStage::Launched {
            return Ok(());
        }
        let ids = sqlx::query(
            "SELECT id FROM outcomes WHERE source = 'project' AND source_id = $1 AND status = 'pending'",
        )
        .bind(&p.id)
        .fetch_all(&mut **tx)
        .await?;
        for r in &ids {
            let id: String = get(r, "id")?;
            crate::outcomes::withdraw(tx, &id, "プロジェクトが上市から戻されたため取り下げ")
                .await?;
        }
        // The entry cases the launch moved to 事業化 go back where they were (the ledger then
        // withdraws their outcome as for any case moved back); a case moved on since is left.
        use noguchi_domain::pipeline::{EntryCases, EntryStage};
        let credited = sqlx::query(
            "SELECT c.entry_case_id, c.from_stage, e.stage FROM project_credits c \
             JOIN entry_cases e ON e.id = c.entry_case_id WHERE c.project_id = $1",
        )
        .bind(&p.id)
        .fetch_all(&mut **tx)
        .await?;
        let on = noguchi_domain::dates::parse_date(&p.stage_on)
            .map_err(|_| StoreError::Corrupt("projects.stage_on".into()))?;
        for r in &credited {
            let case_id: String = get(r, "entry_case_id")?;
            let now: String = get(r, "stage")?;
            if now == EntryStage::Commercialised.code() {
                let back = EntryStage::parse(&get::<String>(r, "from_stage")?)
                    .map_err(|_| StoreError::Corrupt("project_credits.from_stage".into()))?;
                self.move_in::<EntryCases>(
                    tx,
                    &case_id,
                    back,
                    on,
                    Some(&format!(
                        "プロジェクト「{}」が上市から戻されたため",
                        p.data.title
                    )),
                )
                .await?;
            }
        }
        sqlx::query("DELETE FROM project_credits WHERE project_id = $1")
            .bind(&p.id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Records a clearance to market (notification, certificate or approval).
    pub async fn add_clearance(
        &self,
        grant: &Granted<permission::ManageProjects>,
        id: &str,
        c: ClearanceData,
    ) -> Result<Project> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        let cid = new_id(tx.now());
        sqlx::query(
            "INSERT INTO project_clearances (id, project_id, route, number, cleared_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&cid)
        .bind(id)
        .bind(c.route.code())
        .bind(&c.number)
        .bind(format_date(c.date))
        .bind(timestamp(tx.now()))
        .execute(&mut *tx)
        .await?;
        tx.audit(
            Change::create("clearance", &cid, &c.number).after(json!({
                "project_id": id, "route": c.route.code(), "number": c.number, "date": format_date(c.date)
            })),
        )
        .await?;
        // A project launched before its clearance was recorded is credited now.
        let p = load(&mut tx, id).await?;
        self.credit_launch(&mut tx, &p).await?;
        let p = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// The stage moves of a project, oldest first.
    pub async fn project_history(&self, p: &Project) -> Result<Vec<crate::StageMove>> {
        crate::pipelines::history(&self.pool, SUBJECT, &p.id).await
    }
}
