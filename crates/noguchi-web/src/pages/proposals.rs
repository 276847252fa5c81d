//! Match proposal pages: the proposals the caller is part of, and one proposal with its
//! history and the moves the caller may make.

use crate::AppState;
use crate::api::needs::audience;
use crate::api::proposals::{
    ParsedMove, ProposalMoveIn, apply_move, parse_move, possible_moves, proposal_need,
    visible_proposal, visible_proposals,
};
use crate::auth::Caller;
use crate::error::AppError;
use crate::forms::{Choice, FormData};
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use crate::pages::needs::reason_text;
use crate::pages::pipelines::{MoveLine, messages, move_lines};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_domain::dates::format_date;
use noguchi_domain::matching::ProposalStatus;
use noguchi_storage::{Programme, Proposal};
use serde::Deserialize;

pub struct ProposalRow {
    pub href: String,
    pub need: String,
    pub need_owner: String,
    pub candidate: String,
    pub candidate_org: String,
    pub status: String,
    pub date: String,
}

#[derive(Template)]
#[template(path = "proposals.html")]
struct ListPage {
    ctx: Ctx,
    programme: Programme,
    rows: Vec<ProposalRow>,
    statuses: Vec<Choice>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    flash: Option<String>,
}

/// The need's title as the caller may know it: hidden from a candidate who may not see the need.
fn shown_title(need: &noguchi_storage::Need, sees: bool, tr: Tr) -> String {
    if sees {
        need.data.title.clone()
    } else {
        tr.t("proposal-need-hidden")
    }
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let programme = state.app.store().programme(&id).await?;
    let ctx =
        Ctx::new(&caller, &format!("/programmes/{id}/proposals")).with_flash(q.flash.as_deref());
    let tr = ctx.tr;
    let status = q
        .status
        .as_deref()
        .and_then(|s| ProposalStatus::parse(s).ok());
    let aud = audience(&state, p).await?;
    let mut rows = Vec::new();
    for x in visible_proposals(&state, p, &id, None).await? {
        if status.is_some_and(|s| s != x.status) {
            continue;
        }
        rows.push(ProposalRow {
            href: format!("/proposals/{}", x.id),
            need: {
                let (need, sees) = proposal_need(&state, &aud, &x).await?;
                shown_title(&need, sees, tr)
            },
            need_owner: x.need_owner_name.clone(),
            candidate: x.candidate_label.clone(),
            candidate_org: x.candidate_org_name.clone(),
            status: tr.code("proposal-status", x.status.code()),
            date: format_date(x.status_on),
        });
    }
    let statuses = ProposalStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.code().into(),
            label: tr.code("proposal-status", s.code()),
            selected: Some(*s) == status,
        })
        .collect();
    Ok(render(&ListPage {
        ctx,
        programme,
        rows,
        statuses,
    }))
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage {
    ctx: Ctx,
    proposal: Proposal,
    need_title: String,
    sees_need: bool,
    status: String,
    kind: String,
    candidate_href: String,
    reasons: Vec<String>,
    moves: Vec<Choice>,
    nda_possible: bool,
    history: Vec<MoveLine>,
    error: Option<String>,
    today: String,
}

async fn proposal_page(
    state: &AppState,
    caller: &Caller,
    id: &str,
    flash: Option<&str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let x = visible_proposal(state, p, id).await?;
    let ctx = Ctx::new(caller, &format!("/proposals/{id}")).with_flash(flash);
    let tr = ctx.tr;
    let aud = audience(state, p).await?;
    let (need, sees_need) = proposal_need(state, &aud, &x).await?;
    let need_title = shown_title(&need, sees_need, tr);
    let moves: Vec<ProposalStatus> = possible_moves(p, &x, need.data.disclosure);
    let failed = error.is_some();
    let page = ProposalPage {
        need_title,
        sees_need,
        status: tr.code("proposal-status", x.status.code()),
        kind: tr.code("search-kind", x.candidate_kind.code()),
        candidate_href: match x.candidate_kind {
            noguchi_domain::matching::CandidateKind::Seed => format!("/seeds/{}", x.candidate_id),
            noguchi_domain::matching::CandidateKind::Organisation => {
                format!("/organisations/{}", x.candidate_id)
            }
        },
        reasons: x.reasons.iter().map(|r| reason_text(tr, r)).collect(),
        nda_possible: moves.contains(&ProposalStatus::Nda),
        moves: moves
            .iter()
            .map(|s| Choice {
                value: s.code().into(),
                label: tr.code("proposal-status", s.code()),
                selected: false,
            })
            .collect(),
        history: move_lines(tr, state.app.store().proposal_history(id).await?),
        today: format_date(state.app.store().now().date()),
        proposal: x,
        error,
        ctx,
    };
    let mut r = render(&page);
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    proposal_page(&state, &caller, &id, q.flash.as_deref(), None).await
}

pub async fn move_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let x = visible_proposal(&state, p, &id).await?;
    let parsed: Result<ParsedMove, AppError> = parse_move(
        &state,
        ProposalMoveIn {
            status: form.get("status"),
            note: form.get("note"),
            date: form.get("date"),
            document_ref: form.get("document_ref"),
        },
    );
    let result = match parsed {
        Ok(m) => apply_move(&state, p, &x, m).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/proposals/{id}?flash=org-updated")).into_response()),
        Err(AppError::Invalid(i)) => {
            proposal_page(
                &state,
                &caller,
                &id,
                None,
                Some(messages(Tr(caller.lang), &i)),
            )
            .await
        }
        Err(e) => Err(e),
    }
}
