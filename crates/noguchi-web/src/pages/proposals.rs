//! Match proposal pages: the proposals the caller is part of, and one proposal with its
//! history and the moves the caller may make.

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::forms::{Choice, FormData};
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use crate::views::{MoveLine, messages, move_lines, reason_text};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::proposals::{ProposalMoveInput, ProposalView};
use noguchi_app::records::{Programme, Proposal};
use noguchi_domain::dates::format_date;
use noguchi_domain::matching::{CandidateKind, ProposalStatus};
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
fn shown_title(v: &ProposalView, tr: Tr) -> String {
    if v.sees_need {
        v.proposal.need_title.clone()
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
    let programme = state.app.programme(&id).await?;
    let ctx =
        Ctx::new(&caller, &format!("/programmes/{id}/proposals")).with_flash(q.flash.as_deref());
    let tr = ctx.tr;
    // A status the list does not know shows them all.
    let status = q
        .status
        .as_deref()
        .and_then(|s| ProposalStatus::parse(s).ok());
    let rows = state
        .app
        .proposals(&caller.sight, &id, None, status)
        .await?
        .into_iter()
        .map(|v| ProposalRow {
            href: format!("/proposals/{}", v.proposal.id),
            need: shown_title(&v, tr),
            need_owner: v.proposal.need_owner_name,
            candidate: v.proposal.candidate_label,
            candidate_org: v.proposal.candidate_org_name,
            status: tr.code("proposal-status", v.proposal.status.code()),
            date: format_date(v.proposal.status_on),
        })
        .collect();
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
    project_href: Option<String>,
}

async fn proposal_page(
    state: &AppState,
    caller: &Caller,
    id: &str,
    flash: Option<&str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let v = state.app.proposal(&caller.sight, id).await?;
    let history = state.app.proposal_history(&caller.sight, id).await?;
    let ctx = Ctx::new(caller, &format!("/proposals/{id}")).with_flash(flash);
    let tr = ctx.tr;
    let need_title = shown_title(&v, tr);
    let project_href = v.project_id.as_ref().map(|p| format!("/projects/{p}"));
    let x = v.proposal;
    let failed = error.is_some();
    let page = ProposalPage {
        need_title,
        sees_need: v.sees_need,
        status: tr.code("proposal-status", x.status.code()),
        kind: tr.code("search-kind", x.candidate_kind.code()),
        candidate_href: match x.candidate_kind {
            CandidateKind::Seed => format!("/seeds/{}", x.candidate_id),
            CandidateKind::Organisation => format!("/organisations/{}", x.candidate_id),
        },
        reasons: x.reasons.iter().map(|r| reason_text(tr, r)).collect(),
        nda_possible: v.next.contains(&ProposalStatus::Nda),
        moves: v
            .next
            .iter()
            .map(|s| Choice {
                value: s.code().into(),
                label: tr.code("proposal-status", s.code()),
                selected: false,
            })
            .collect(),
        history: move_lines(tr, history),
        today: format_date(state.app.today()),
        proposal: x,
        error,
        project_href,
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
    let input = ProposalMoveInput {
        status: form.get("status"),
        note: form.get("note"),
        date: form.get("date"),
        document_ref: form.get("document_ref"),
    };
    match state.app.move_proposal(&caller.sight, &id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/proposals/{id}?flash=org-updated")).into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            proposal_page(
                &state,
                &caller,
                &id,
                None,
                Some(messages(Tr(caller.lang), &i)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
