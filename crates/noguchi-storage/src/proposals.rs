//! Match proposals: a need paired with a seed or a firm, moved through its workflow; the need
//! follows (matching, project) and the NDA step records the NDA, in the same transaction.

use crate::audit::Change;
use crate::needs::{insert_nda, load_need, set_need_status};
use crate::pipelines::{history, insert_move};
use crate::sql::get;
use crate::{Result, StageMove, Store, StoreError, new_id, timestamp};
use noguchi_domain::access::{Granted, ProposalScope, Sight, permission};
use noguchi_domain::dates::{format_date, parse_date};
use noguchi_domain::matching::{
    CandidateKind, ProposalData, ProposalStatus, Reason, need_status_after,
};
use noguchi_domain::{Invalid, Problem};
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use time::Date;

#[derive(Debug, Clone)]
pub struct Proposal {
    pub id: String,
    pub programme_id: String,
    pub need_id: String,
    pub need_title: String,
    pub need_owner_id: String,
    pub need_owner_name: String,
    pub candidate_kind: CandidateKind,
    pub candidate_id: String,
    /// The seed's title or the firm's name.
    pub candidate_label: String,
    pub candidate_org_id: String,
    pub candidate_org_name: String,
    pub proposer_org_id: String,
    pub proposer_org_name: String,
    pub proposed_by_name: Option<String>,
    pub summary: String,
    pub score: f64,
    pub reasons: Vec<Reason>,
    pub status: ProposalStatus,
    pub status_on: Date,
    pub created_at: String,
}

impl Proposal {
    /// The organisations the proposal concerns, in the policy's terms.
    pub fn scope(&self) -> ProposalScope<'_> {
        ProposalScope {
            id: &self.id,
            programme_id: &self.programme_id,
            proposer_org: &self.proposer_org_id,
            need_owner: &self.need_owner_id,
            candidate_org: &self.candidate_org_id,
        }
    }
}

/// The ranking's view of the candidate when it was proposed.
#[derive(Debug, Clone, Default)]
pub struct Explanation {
    pub score: f64,
    pub reasons: Vec<Reason>,
}

impl Store {
    /// Records a proposal; a published need becomes `matching`. The same candidate is not
    /// proposed twice for one need while an earlier proposal is still open.
    pub async fn create_proposal(
        &self,
        grant: &Granted<permission::ProposeMatch>,
        need_id: &str,
        data: ProposalData,
        explanation: Explanation,
    ) -> Result<Proposal> {
        let mut tx = self.begin(grant.actor()).await?;
        let need = load_need(&mut tx, need_id).await?;
        tx.covers(grant, &need.programme_id)?;
        // A need held for patient information is not matched before a reviewer releases it.
        if need.held {
            return Err(Invalid::one("need", Problem::Held).into());
        }
        let candidate_org = candidate_org(&mut tx, data.candidate_kind, &data.candidate_id).await?;
        let open = sqlx::query(
            "SELECT id FROM match_proposals WHERE need_id = $1 AND candidate_kind = $2 AND candidate_id = $3 AND status <> 'declined'",
        )
        .bind(need_id)
        .bind(data.candidate_kind.code())
        .bind(&data.candidate_id)
        .fetch_optional(&mut *tx)
        .await?;
        if open.is_some() {
            return Err(Invalid::one("candidate_id", Problem::Taken).into());
        }
        let now = self.now();
        let id = new_id(now);
        let status = ProposalStatus::Proposed;
        sqlx::query(
            "INSERT INTO match_proposals (id, programme_id, need_id, candidate_kind, candidate_id, candidate_org_id, \
             proposer_org_id, proposed_by, summary, explanation, status, status_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        )
        .bind(&id)
        .bind(&need.programme_id)
        .bind(need_id)
        .bind(data.candidate_kind.code())
        .bind(&data.candidate_id)
        .bind(&candidate_org)
        .bind(&grant.actor().organisation_id)
        .bind(&grant.actor().user_id)
        .bind(&data.summary)
        .bind(
            json!({
                "score": explanation.score,
                "reasons": explanation.reasons.iter().map(Reason::to_api).collect::<Vec<_>>(),
            })
            .to_string(),
        )
        .bind(status.code())
        .bind(format_date(now.date()))
        .bind(timestamp(now))
        .execute(&mut *tx)
        .await?;
        insert_move(
            &mut tx,
            grant.actor(),
            now,
            "proposal",
            &id,
            None,
            status.code(),
            now.date(),
            None,
        )
        .await?;
        tx.audit(Change::create("proposal", &id, need.label()).after(json!({
            "need_id": need_id,
            "candidate_kind": data.candidate_kind.code(),
            "candidate_id": data.candidate_id,
        })))
        .await?;
        if let Some(to) = need_status_after(need.data.status, status)
            && !need.held
        {
            set_need_status(&mut tx, grant.actor(), now, &need, to, now.date(), None).await?;
        }
        let p = load(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Moves a proposal (the grant was given for this very move by the policy). At `nda` the
    /// candidate's organisation gets its NDA record on the need; at `project` the need becomes
    /// a project.
    pub async fn move_proposal(
        &self,
        grant: &Granted<permission::MoveProposal>,
        id: &str,
        to: ProposalStatus,
        on: Date,
        note: Option<&str>,
        nda_document: Option<&str>,
    ) -> Result<Proposal> {
        let mut tx = self.begin(grant.actor()).await?;
        let before = load(&mut tx, id).await?;
        tx.covers(grant, &before.programme_id)?;
        if !grant.covers_record(id) {
            return Err(StoreError::Denied);
        }
        let now = self.now();
        sqlx::query(
            "UPDATE match_proposals SET status = $1, status_on = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(to.code())
        .bind(format_date(on))
        .bind(timestamp(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        insert_move(
            &mut tx,
            grant.actor(),
            now,
            "proposal",
            id,
            Some(before.status.code()),
            to.code(),
            on,
            note,
        )
        .await?;
        tx.audit(
            Change::update("proposal", id, &before.need_title)
                .before(json!({"status": before.status.code()}))
                .after(json!({"status": to.code(), "on": format_date(on), "note": note})),
        )
        .await?;
        if to == ProposalStatus::Nda {
            insert_nda(
                &mut tx,
                grant.actor(),
                now,
                &before.need_id,
                &before.candidate_org_id,
                on,
                nda_document,
            )
            .await?;
        }
        let need = load_need(&mut tx, &before.need_id).await?;
        if let Some(next) = need_status_after(need.data.status, to)
            && !need.held
        {
            set_need_status(&mut tx, grant.actor(), now, &need, next, on, None).await?;
        }
        if to == ProposalStatus::Project {
            crate::projects::open_from_proposal(&mut tx, &before).await?;
        }
        let p = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// A proposal the reader takes part in (or the secretariat); any other is "not found".
    pub async fn proposal(&self, sight: &Sight, id: &str) -> Result<Proposal> {
        let mut conn = self.pool.acquire().await?;
        let p = load(&mut conn, id).await?;
        if sight.proposal(&p.scope()) {
            Ok(p)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The history of a proposal the reader takes part in, oldest first.
    pub async fn proposal_history(&self, sight: &Sight, id: &str) -> Result<Vec<StageMove>> {
        self.proposal(sight, id).await?;
        history(&self.pool, "proposal", id).await
    }

    /// Proposals of a programme the reader takes part in, newest first; `need_id` narrows them
    /// to one need.
    pub async fn proposals(
        &self,
        sight: &Sight,
        programme_id: &str,
        need_id: Option<&str>,
    ) -> Result<Vec<Proposal>> {
        let sql = format!(
            "{SELECT} WHERE p.programme_id = $1 {} ORDER BY p.created_at DESC, p.id",
            if need_id.is_some() {
                "AND p.need_id = $2"
            } else {
                ""
            }
        );
        let mut q = sqlx::query(&sql).bind(programme_id);
        if let Some(n) = need_id {
            q = q.bind(n);
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let p = from_row(&mut conn, r).await?;
            if sight.proposal(&p.scope()) {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// How often two organisations already worked together through proposals that reached a
    /// meeting or a project (in either role).
    pub async fn collaborations(&self, a: &str, b: &str) -> Result<i64> {
        let r = sqlx::query(
            "SELECT COUNT(*) AS n FROM match_proposals p JOIN needs n ON n.id = p.need_id \
             WHERE p.status IN ('meeting', 'project') AND \
             ((n.submitter_org_id = $1 AND p.candidate_org_id = $2) OR (n.submitter_org_id = $2 AND p.candidate_org_id = $1))",
        )
        .bind(a)
        .bind(b)
        .fetch_one(&self.pool)
        .await?;
        get(&r, "n")
    }
}

const SELECT: &str = "SELECT p.*, n.title AS need_title, n.submitter_org_id AS need_owner_id, nown.name AS need_owner_name, \
    corg.name AS candidate_org_name, porg.name AS proposer_org_name, u.name AS proposed_by_name \
    FROM match_proposals p JOIN needs n ON n.id = p.need_id \
    JOIN organisations nown ON nown.id = n.submitter_org_id \
    JOIN organisations corg ON corg.id = p.candidate_org_id \
    JOIN organisations porg ON porg.id = p.proposer_org_id \
    LEFT JOIN users u ON u.id = p.proposed_by";

/// The organisation behind a candidate; an unknown candidate is a field error.
async fn candidate_org(conn: &mut AnyConnection, kind: CandidateKind, id: &str) -> Result<String> {
    let sql = match kind {
        CandidateKind::Seed => "SELECT holder_org_id AS org FROM seeds WHERE id = $1",
        CandidateKind::Organisation => "SELECT id AS org FROM organisations WHERE id = $1",
    };
    let r = sqlx::query(sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::from(Invalid::one("candidate_id", Problem::UnknownReference)))?;
    get(&r, "org")
}

async fn load(conn: &mut AnyConnection, id: &str) -> Result<Proposal> {
    let r = sqlx::query(&format!("{SELECT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(conn, &r).await
}

async fn from_row(conn: &mut AnyConnection, r: &AnyRow) -> Result<Proposal> {
    let corrupt = |w: &str| StoreError::Corrupt(format!("proposal {w}"));
    let kind = CandidateKind::parse(&get::<String>(r, "candidate_kind")?)
        .map_err(|_| corrupt("candidate_kind"))?;
    let candidate_id: String = get(r, "candidate_id")?;
    let label_sql = match kind {
        CandidateKind::Seed => "SELECT title AS label FROM seeds WHERE id = $1",
        CandidateKind::Organisation => "SELECT name AS label FROM organisations WHERE id = $1",
    };
    let candidate_label = match sqlx::query(label_sql)
        .bind(&candidate_id)
        .fetch_optional(&mut *conn)
        .await?
    {
        Some(l) => get(&l, "label")?,
        None => String::new(),
    };
    let explanation: serde_json::Value = serde_json::from_str(&get::<String>(r, "explanation")?)
        .map_err(|_| corrupt("explanation"))?;
    Ok(Proposal {
        id: get(r, "id")?,
        programme_id: get(r, "programme_id")?,
        need_id: get(r, "need_id")?,
        need_title: get(r, "need_title")?,
        need_owner_id: get(r, "need_owner_id")?,
        need_owner_name: get(r, "need_owner_name")?,
        candidate_kind: kind,
        candidate_id,
        candidate_label,
        candidate_org_id: get(r, "candidate_org_id")?,
        candidate_org_name: get(r, "candidate_org_name")?,
        proposer_org_id: get(r, "proposer_org_id")?,
        proposer_org_name: get(r, "proposer_org_name")?,
        proposed_by_name: get(r, "proposed_by_name")?,
        summary: get(r, "summary")?,
        score: explanation["score"].as_f64().unwrap_or(0.0),
        reasons: explanation["reasons"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| Reason::from_api(v.as_str()?))
                    .collect()
            })
            .unwrap_or_default(),
        status: ProposalStatus::parse(&get::<String>(r, "status")?)
            .map_err(|_| corrupt("status"))?,
        status_on: parse_date(&get::<String>(r, "status_on")?).map_err(|_| corrupt("status_on"))?,
        created_at: get(r, "created_at")?,
    })
}
