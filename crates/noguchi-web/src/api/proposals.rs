//! Match proposals over JSON: a coordinator turns a ranked candidate into a proposal; both
//! sides see the proposals they are part of and move them through the workflow.

use super::needs::{MoveList, moves_out};
use super::{JsonBody, OrgRef, ProblemOut};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_app::proposals::{ProposalMoveInput, ProposalView};
use noguchi_domain::matching::{ProposalInput, ProposalStatus, Reason};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalNeedOut {
    pub id: String,
    /// Shown only to those who may see the need itself (an NDA-level need stays hidden from the
    /// candidate until the NDA is recorded; the summary is what the coordinator tells them).
    pub title: Option<String>,
    pub organisation: OrgRef,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateOut {
    /// seed or organisation
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub title: String,
    pub organisation: OrgRef,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalOut {
    pub id: String,
    pub programme_id: String,
    pub need: ProposalNeedOut,
    pub candidate: CandidateOut,
    pub proposer: OrgRef,
    pub proposed_by: Option<String>,
    pub summary: String,
    pub score: f64,
    pub reasons: Vec<String>,
    /// proposed, accepted, nda, meeting, project, declined
    pub status: String,
    pub status_on: String,
    /// The statuses the caller may move the proposal to now.
    pub next: Vec<String>,
    /// The project the proposal opened at the project step, when the caller may see it.
    pub project_id: Option<String>,
    pub created_at: String,
}

pub fn proposal_out(v: ProposalView) -> ProposalOut {
    let x = v.proposal;
    ProposalOut {
        id: x.id,
        programme_id: x.programme_id,
        need: ProposalNeedOut {
            id: x.need_id,
            title: v.sees_need.then_some(x.need_title),
            organisation: OrgRef {
                id: x.need_owner_id,
                name: x.need_owner_name,
            },
        },
        candidate: CandidateOut {
            kind: x.candidate_kind.code().into(),
            id: x.candidate_id,
            title: x.candidate_label,
            organisation: OrgRef {
                id: x.candidate_org_id,
                name: x.candidate_org_name,
            },
        },
        proposer: OrgRef {
            id: x.proposer_org_id,
            name: x.proposer_org_name,
        },
        proposed_by: x.proposed_by_name,
        summary: x.summary,
        score: x.score,
        reasons: x.reasons.iter().map(Reason::to_api).collect(),
        status: x.status.code().into(),
        status_on: noguchi_domain::dates::format_date(x.status_on),
        next: v.next.iter().map(|s| s.code().to_owned()).collect(),
        project_id: v.project_id,
        created_at: x.created_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalList {
    pub items: Vec<ProposalOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ProposalQuery {
    /// Only the proposals of this need.
    pub need: Option<String>,
    /// Only proposals in this status.
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/programmes/{id}/proposals", tag = "matching", params(("id" = String, Path), ProposalQuery),
    responses((status = 200, body = ProposalList), (status = 422, body = ProblemOut)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ProposalQuery>,
) -> Result<Json<ProposalList>, AppError> {
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(ProposalStatus::parse(s).map_err(|e| AppError::field("status", e))?),
        None => None,
    };
    let items = state
        .app
        .proposals(&caller.sight, &id, q.need.as_deref(), status)
        .await?
        .into_iter()
        .map(proposal_out)
        .collect();
    Ok(Json(ProposalList {
        items,
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalIn {
    /// seed or organisation
    pub candidate_type: Option<String>,
    pub candidate_id: Option<String>,
    /// What both sides are told: why this match and what is asked. The candidate reads it
    /// before any NDA, so it must not carry the need's confidential details.
    pub summary: Option<String>,
}

/// Turns a candidate into a match proposal (the secretariat and the matching coordinators).
#[utoipa::path(post, path = "/api/v1/needs/{id}/proposals", tag = "matching", params(("id" = String, Path)), request_body = ProposalIn,
    responses((status = 201, body = ProposalOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ProposalIn>,
) -> Result<impl IntoResponse, AppError> {
    let input = ProposalInput {
        candidate_type: body.candidate_type,
        candidate_id: body.candidate_id,
        summary: body.summary,
    };
    let x = state.app.propose_match(&caller.sight, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(proposal_out(x))))
}

#[utoipa::path(get, path = "/api/v1/proposals/{id}", tag = "matching", params(("id" = String, Path)),
    responses((status = 200, body = ProposalOut), (status = 404, body = ProblemOut)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ProposalOut>, AppError> {
    Ok(Json(proposal_out(
        state.app.proposal(&caller.sight, &id).await?,
    )))
}

#[utoipa::path(get, path = "/api/v1/proposals/{id}/history", tag = "matching", params(("id" = String, Path)),
    responses((status = 200, body = MoveList), (status = 404, body = ProblemOut)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MoveList>, AppError> {
    Ok(Json(moves_out(
        state.app.proposal_history(&caller.sight, &id).await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalMoveIn {
    /// accepted, nda, meeting, project, declined (or proposed, to reopen)
    pub status: Option<String>,
    /// Required to decline or reopen.
    pub note: Option<String>,
    /// YYYY-MM-DD, default today; not in the future.
    pub date: Option<String>,
    /// At `nda`: the contract's number or file reference.
    pub document_ref: Option<String>,
}

/// Moves a proposal: the candidate accepts, the secretariat records the NDA, a coordinator
/// records the meeting and the project; anyone part of it may decline, with a reason.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/status", tag = "matching", params(("id" = String, Path)), request_body = ProposalMoveIn,
    responses((status = 200, body = ProposalOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn move_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ProposalMoveIn>,
) -> Result<Json<ProposalOut>, AppError> {
    let input = ProposalMoveInput {
        status: body.status,
        note: body.note,
        date: body.date,
        document_ref: body.document_ref,
    };
    Ok(Json(proposal_out(
        state.app.move_proposal(&caller.sight, &id, &input).await?,
    )))
}
