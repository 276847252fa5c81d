//! A need's page: the need as the caller may see it, its curation (status moves, history,
//! release of a hold), scores, NDAs, match candidates and proposals; and the actions posted from
//! it. A refused action shows the page again with its messages.

use crate::AppState;
use crate::auth::{Caller, url_escape};
use crate::error::AppError;
use crate::forms::{Choice, FormData};
use crate::i18n::{Lang, Tr};
use crate::page::{Ctx, render};
use crate::views::{MoveLine, messages, move_lines, organisation_choices, reason_text};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::matching::Candidate;
use noguchi_app::needs::{MoveInput, NdaInput, NeedScoreView};
use noguchi_app::proposals::ProposalView;
use noguchi_app::records::{Campaign, NdaRecord, Need};
use noguchi_domain::curation::{MAX_SCORE, MIN_SCORE, STATUS_ORDER, ScoreInput};
use noguchi_domain::dates::format_date;
use noguchi_domain::matching::{CandidateKind, ProposalInput, ProposalStatus};
use serde::Deserialize;

pub struct ScoreRow {
    pub key: String,
    pub label: String,
    pub average: String,
    pub reviewers: usize,
    pub mine: String,
}

pub struct CandidateLine {
    pub kind: String,
    pub kind_code: String,
    pub id: String,
    pub href: String,
    pub title: String,
    pub organisation: String,
    pub score: String,
    pub reasons: Vec<String>,
    pub proposed: bool,
}

pub struct ProposalLine {
    pub href: String,
    pub candidate: String,
    pub organisation: String,
    pub status: String,
    pub date: String,
}

#[derive(Template)]
#[template(path = "need.html")]
struct NeedPage {
    ctx: Ctx,
    need: Need,
    disclosure: String,
    status: String,
    campaign: Option<Campaign>,
    /// Curators: the submitter's organisation and the secretariat.
    reviewer: bool,
    can_record_nda: bool,
    can_propose: bool,
    signed_in: bool,
    statuses: Vec<Choice>,
    history: Vec<MoveLine>,
    scores: Option<NeedScoreView>,
    score_rows: Vec<ScoreRow>,
    score_range: Vec<String>,
    overall: String,
    ndas: Vec<NdaRecord>,
    nda_orgs: Vec<Choice>,
    candidates: Vec<CandidateLine>,
    proposals: Vec<ProposalLine>,
    error: Option<String>,
    today: String,
}

fn score_rows(tr: Tr, s: &NeedScoreView) -> Vec<ScoreRow> {
    s.criteria
        .iter()
        .map(|c| ScoreRow {
            key: c.key.clone(),
            label: match (tr.0, &c.label_en) {
                (Lang::En, Some(en)) => en.clone(),
                _ => c.label.clone(),
            },
            average: c.average.map(|a| format!("{a:.1}")).unwrap_or_default(),
            reviewers: c.reviewers,
            mine: c.mine.map(|m| m.to_string()).unwrap_or_default(),
        })
        .collect()
}

fn candidate_lines(
    tr: Tr,
    cands: Vec<Candidate>,
    proposals: &[ProposalView],
) -> Vec<CandidateLine> {
    cands
        .into_iter()
        .map(|c| CandidateLine {
            kind: tr.code("search-kind", c.kind.code()),
            kind_code: c.kind.code().into(),
            href: match c.kind {
                CandidateKind::Seed => format!("/seeds/{}", c.id),
                CandidateKind::Organisation => format!("/organisations/{}", c.id),
            },
            proposed: proposals.iter().any(|x| {
                x.proposal.candidate_id == c.id && x.proposal.status != ProposalStatus::Declined
            }),
            id: c.id,
            title: c.title,
            organisation: c.organisation_name,
            score: format!("{:.2}", c.score),
            reasons: c.reasons.iter().map(|r| reason_text(tr, r)).collect(),
        })
        .collect()
}

async fn need_page(
    state: &AppState,
    caller: &Caller,
    id: &str,
    flash: Option<&str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let sight = &caller.sight;
    let view = match state.app.need(sight, id).await {
        Ok(v) => v,
        // A visitor without an account is sent to sign in, whether or not the need exists:
        // the answer is the same for a confidential need and for none.
        Err(noguchi_app::Error::NotFound) if caller.principal.is_none() => {
            return Ok(Redirect::to(&format!(
                "/login?next={}",
                url_escape(&format!("/needs/{id}"))
            ))
            .into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let (need, may) = (view.need, view.may);
    let ctx = Ctx::new(caller, &format!("/needs/{id}")).with_flash(flash);
    let tr = ctx.tr;
    let mut page = NeedPage {
        disclosure: tr.code("disclosure", need.data.disclosure.code()),
        status: tr.code("need-status", need.data.status.code()),
        campaign: None,
        reviewer: may.curate,
        can_record_nda: may.record_nda,
        can_propose: may.propose,
        signed_in: caller.principal.is_some(),
        statuses: Vec::new(),
        history: Vec::new(),
        scores: None,
        score_rows: Vec::new(),
        score_range: (MIN_SCORE..=MAX_SCORE).map(|n| n.to_string()).collect(),
        overall: String::new(),
        ndas: Vec::new(),
        nda_orgs: Vec::new(),
        candidates: Vec::new(),
        proposals: Vec::new(),
        error,
        today: format_date(state.app.today()),
        need: need.clone(),
        ctx,
    };
    if caller.principal.is_none() {
        return Ok(render(&page));
    }
    if let Some(c) = &need.campaign_id
        && let Ok(c) = state.app.campaign(sight, c).await
    {
        page.campaign = Some(c.campaign);
    }
    if may.curate {
        page.statuses = STATUS_ORDER
            .iter()
            .filter(|s| **s != need.data.status)
            .map(|s| Choice {
                value: s.code().into(),
                label: tr.code("need-status", s.code()),
                selected: false,
            })
            .collect();
        page.history = move_lines(tr, state.app.need_history(sight, id).await?);
        page.ndas = state.app.need_ndas(sight, id).await?;
    }
    if may.record_nda {
        page.nda_orgs = organisation_choices(state, &caller.sight, &[]).await?;
    }
    if may.score {
        let s = state.app.need_scores(sight, id).await?;
        page.score_rows = score_rows(tr, &s);
        page.overall = s.overall.map(|o| format!("{o:.2}")).unwrap_or_default();
        page.scores = Some(s);
    }
    let proposals = state
        .app
        .proposals(sight, &need.programme_id, Some(id), None)
        .await?;
    page.proposals = proposals
        .iter()
        .map(|v| ProposalLine {
            href: format!("/proposals/{}", v.proposal.id),
            candidate: v.proposal.candidate_label.clone(),
            organisation: v.proposal.candidate_org_name.clone(),
            status: tr.code("proposal-status", v.proposal.status.code()),
            date: format_date(v.proposal.status_on),
        })
        .collect();
    if may.works_on() {
        let cands = state.app.need_matches(sight, id, 10).await?;
        page.candidates = candidate_lines(tr, cands, &proposals);
    }
    let failed = page.error.is_some();
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
    need_page(&state, &caller, &id, q.flash.as_deref(), None).await
}

/// After an action on a need: back to its page, or the page again with the messages of a
/// refused input.
async fn after<T>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    result: noguchi_app::Result<T>,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/needs/{id}?flash=org-updated")).into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            need_page(state, caller, id, None, Some(messages(Tr(caller.lang), &i))).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn move_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let input = MoveInput {
        status: form.get("status"),
        date: form.get("date"),
        note: form.get("note"),
    };
    let result = state.app.move_need(&caller.sight, &id, &input).await;
    after(&state, &caller, &id, result).await
}

pub async fn release(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    state.app.release_need(&caller.sight, &id).await?;
    Ok(Redirect::to(&format!("/needs/{id}?flash=need-released")).into_response())
}

/// Scores from the form: a select per criterion (`scores.KEY`) and a comment.
pub async fn score(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let input = ScoreInput {
        scores: form
            .0
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("scores.")
                    .map(|key| (key.to_owned(), Some(v.clone())))
            })
            .collect(),
        comment: form.get("comment"),
    };
    let result = state.app.score_need(&caller.sight, &id, &input).await;
    after(&state, &caller, &id, result).await
}

pub async fn record_nda(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let input = NdaInput {
        organisation_id: form.get("organisation_id"),
        signed_on: form.get("signed_on"),
        document_ref: form.get("document_ref"),
    };
    let result = state.app.record_nda(&caller.sight, &id, &input).await;
    after(&state, &caller, &id, result).await
}

pub async fn revoke_nda(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, org)): Path<(String, String)>,
) -> Result<Response, AppError> {
    state.app.revoke_nda(&caller.sight, &id, &org).await?;
    Ok(Redirect::to(&format!("/needs/{id}?flash=org-updated")).into_response())
}

pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let input = ProposalInput {
        candidate_type: form.get("candidate_type"),
        candidate_id: form.get("candidate_id"),
        summary: form.get("summary"),
    };
    match state.app.propose_match(&caller.sight, &id, &input).await {
        Ok(x) => Ok(
            Redirect::to(&format!("/proposals/{}?flash=org-created", x.proposal.id))
                .into_response(),
        ),
        Err(e) => after(&state, &caller, &id, Err::<(), _>(e)).await,
    }
}
