//! Match proposals over JSON: a coordinator turns a ranked candidate into a proposal; both
//! sides see the proposals they are part of and move them through the workflow.

use super::needs::{MoveList, audience, moves_out, visible_need};
use super::{JsonBody, OrgRef, ProblemOut};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_domain::access::{self, Principal, ProposalScope};
use noguchi_domain::dates::move_date;
use noguchi_domain::matching::{
    ProposalData, ProposalInput, ProposalRefused, ProposalStatus, Reason, check_proposal_move,
};
use noguchi_domain::validation::optional_text;
use noguchi_domain::{Invalid, Problem};
use noguchi_storage::{Explanation, Proposal};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn proposal_scope(p: &Proposal) -> ProposalScope<'_> {
    ProposalScope {
        programme_id: &p.programme_id,
        proposer_org: &p.proposer_org_id,
        need_owner: &p.need_owner_id,
        candidate_org: &p.candidate_org_id,
    }
}

/// A proposal the caller is part of; any other is "not found".
pub async fn visible_proposal(
    state: &AppState,
    p: &Principal,
    id: &str,
) -> Result<Proposal, AppError> {
    let sight = state.app.sight(Some(p)).await?;
    let proposal = state.app.store().proposal(&sight, id).await?;
    if access::may_see_proposal(p, &proposal_scope(&proposal)) {
        Ok(proposal)
    } else {
        Err(AppError::NotFound)
    }
}

/// The moves the caller could make now (a reason is assumed where one is required: the form
/// asks for it).
pub fn possible_moves(
    p: &Principal,
    proposal: &Proposal,
    need_disclosure: noguchi_domain::needs::Disclosure,
) -> Vec<ProposalStatus> {
    let sides = access::proposal_sides(p, &proposal_scope(proposal));
    ProposalStatus::ALL
        .iter()
        .copied()
        .filter(|to| {
            check_proposal_move(proposal.status, *to, &sides, need_disclosure, Some("—")).is_ok()
        })
        .collect()
}

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
    pub created_at: String,
}

/// A proposal's need, and whether the caller (with audience tokens `aud`) may see it: one read
/// and the same policy check as every need read.
pub async fn proposal_need(
    state: &AppState,
    aud: &[String],
    x: &Proposal,
) -> Result<(noguchi_storage::Need, bool), AppError> {
    // The need is read whole to decide what the caller may learn of it (its title only when it
    // may see the need); nothing of it leaves this function otherwise.
    let need = state
        .app
        .store()
        .need(&access::system_sight(), &x.need_id)
        .await?;
    let sees = access::may_see_need(aud, &need.scope());
    Ok((need, sees))
}

pub async fn proposal_out(
    state: &AppState,
    p: &Principal,
    aud: &[String],
    x: Proposal,
) -> Result<ProposalOut, AppError> {
    let (need, sees_need) = proposal_need(state, aud, &x).await?;
    let next = possible_moves(p, &x, need.data.disclosure)
        .into_iter()
        .map(|s| s.code().to_owned())
        .collect();
    Ok(ProposalOut {
        id: x.id,
        programme_id: x.programme_id,
        need: ProposalNeedOut {
            id: x.need_id,
            title: sees_need.then_some(x.need_title),
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
        next,
        created_at: x.created_at,
    })
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

/// The proposals of a programme the caller is part of (as secretariat, proposer, candidate or
/// the need's organisation).
pub async fn visible_proposals(
    state: &AppState,
    p: &Principal,
    programme_id: &str,
    need_id: Option<&str>,
) -> Result<Vec<Proposal>, AppError> {
    Ok(state
        .app
        .store()
        .proposals(&state.app.sight(Some(p)).await?, programme_id, need_id)
        .await?
        .into_iter()
        .filter(|x| access::may_see_proposal(p, &proposal_scope(x)))
        .collect())
}

#[utoipa::path(get, path = "/api/v1/programmes/{id}/proposals", tag = "matching", params(("id" = String, Path), ProposalQuery),
    responses((status = 200, body = ProposalList), (status = 422, body = ProblemOut)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ProposalQuery>,
) -> Result<Json<ProposalList>, AppError> {
    let p = caller.principal()?;
    state.app.store().programme(&id).await?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(ProposalStatus::parse(s).map_err(|e| AppError::field("status", e))?),
        None => None,
    };
    let aud = audience(&state, p).await?;
    let mut items = Vec::new();
    for x in visible_proposals(&state, p, &id, q.need.as_deref()).await? {
        if status.is_none_or(|s| s == x.status) {
            items.push(proposal_out(&state, p, &aud, x).await?);
        }
    }
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

/// The ranking's explanation of a candidate, for the record.
pub async fn explanation_of(
    state: &AppState,
    p: &Principal,
    need: &noguchi_storage::Need,
    candidate_id: &str,
) -> Result<Explanation, AppError> {
    Ok(state
        .app
        .candidates(&state.app.sight(Some(p)).await?, need, 50)
        .await?
        .into_iter()
        .find(|c| c.id == candidate_id)
        .map(|c| Explanation {
            score: f64::from(c.score),
            reasons: c.reasons,
        })
        .unwrap_or_default())
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
    let p = caller.principal()?;
    let need = visible_need(&state, p, &id).await?;
    let grant = access::propose_match(p, &need.programme_id)?;
    let data = ProposalData::parse(&ProposalInput {
        candidate_type: body.candidate_type,
        candidate_id: body.candidate_id,
        summary: body.summary,
    })
    .map_err(AppError::Invalid)?;
    let explanation = explanation_of(&state, p, &need, &data.candidate_id).await?;
    let x = state
        .app
        .store()
        .create_proposal(&grant, &id, data, explanation)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(proposal_out(&state, p, &audience(&state, p).await?, x).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/proposals/{id}", tag = "matching", params(("id" = String, Path)),
    responses((status = 200, body = ProposalOut), (status = 404, body = ProblemOut)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ProposalOut>, AppError> {
    let p = caller.principal()?;
    let x = visible_proposal(&state, p, &id).await?;
    Ok(Json(
        proposal_out(&state, p, &audience(&state, p).await?, x).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/proposals/{id}/history", tag = "matching", params(("id" = String, Path)),
    responses((status = 200, body = MoveList), (status = 404, body = ProblemOut)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MoveList>, AppError> {
    let p = caller.principal()?;
    visible_proposal(&state, p, &id).await?;
    Ok(Json(moves_out(
        state.app.store().proposal_history(&id).await?,
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

/// Everything a proposal move needs, read and checked.
pub struct ParsedMove {
    pub to: ProposalStatus,
    pub on: time::Date,
    pub note: Option<String>,
    pub document_ref: Option<String>,
}

pub fn parse_move(state: &AppState, body: ProposalMoveIn) -> Result<ParsedMove, AppError> {
    let mut errs = Invalid::default();
    let to = errs.take(
        "status",
        ProposalStatus::parse(body.status.as_deref().unwrap_or("")),
    );
    let on = errs.take(
        "date",
        move_date(body.date.as_deref(), state.app.store().now().date()),
    );
    let note = errs
        .take("note", optional_text(body.note.as_deref(), 2000))
        .flatten();
    let document_ref = errs
        .take(
            "document_ref",
            optional_text(body.document_ref.as_deref(), 200),
        )
        .flatten();
    match (to, on) {
        (Some(to), Some(on)) if errs.is_empty() => Ok(ParsedMove {
            to,
            on,
            note,
            document_ref,
        }),
        _ => Err(AppError::Invalid(errs)),
    }
}

/// Applies a move the policy allows to the caller; refusals name the field.
pub async fn apply_move(
    state: &AppState,
    p: &Principal,
    x: &Proposal,
    m: ParsedMove,
) -> Result<Proposal, AppError> {
    let need = state
        .app
        .store()
        .need(&access::system_sight(), &x.need_id)
        .await?;
    let grant = access::move_proposal(
        p,
        &proposal_scope(x),
        x.status,
        m.to,
        need.data.disclosure,
        m.note.as_deref(),
    )
    .map_err(|r| match r {
        ProposalRefused::NotYourSide => AppError::Forbidden,
        other => AppError::Invalid(Invalid::one(
            if other == ProposalRefused::NoteRequired {
                "note"
            } else {
                "status"
            },
            match other {
                ProposalRefused::NoteRequired => Problem::Required,
                _ => other.problem(x.status, m.to),
            },
        )),
    })?;
    Ok(state
        .app
        .store()
        .move_proposal(
            &grant,
            &x.id,
            m.to,
            m.on,
            m.note.as_deref(),
            m.document_ref.as_deref(),
        )
        .await?)
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
    let p = caller.principal()?;
    let x = visible_proposal(&state, p, &id).await?;
    let m = parse_move(&state, body)?;
    let after = apply_move(&state, p, &x, m).await?;
    Ok(Json(
        proposal_out(&state, p, &audience(&state, p).await?, after).await?,
    ))
}
