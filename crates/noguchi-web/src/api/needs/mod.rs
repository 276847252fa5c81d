//! Clinical needs over JSON: the programme's needs, one need, submission, curation (edit,
//! release, status moves) and history. NDAs, scores, seeds, search, matching and the sheet
//! import are in the sub-modules. Each handler parses, calls one use case of the app (which
//! decides what the caller sees) and renders.

pub mod import;
pub mod matches;
pub mod ndas;
pub mod scores;
pub mod search;
pub mod seeds;

use super::{JsonBody, OrgRef, ProblemOut, parse_json};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_app::needs::{Filter, MoveInput, NeedView};
use noguchi_app::records::StageMove;
use noguchi_domain::needs::{NeedData, NeedInput};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingOut {
    pub kind: String,
    pub excerpt: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScreeningOut {
    /// Held for review by the submitter's organisation or the secretariat.
    pub held: bool,
    /// What the guard flagged (shown only to those who review it).
    pub findings: Vec<FindingOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedOut {
    pub id: String,
    pub programme_id: String,
    pub submitter: OrgRef,
    pub title: String,
    pub problem: String,
    pub population: Option<String>,
    pub outcome: Option<String>,
    pub department: Option<String>,
    pub setting: Option<String>,
    pub category: Option<String>,
    pub frequency: Option<String>,
    pub workaround: Option<String>,
    /// public, members, nda, internal
    pub disclosure: String,
    /// received, screening, published, matching, project, closed
    pub status: String,
    pub screening: ScreeningOut,
    /// The survey campaign the need came through.
    pub campaign_id: Option<String>,
    /// The submitter confirmed the need names no patient.
    pub attested: bool,
    /// How to reach a survey respondent (reviewers only).
    pub contact: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A need as its caller sees it (the app has left out what the caller may not read).
pub fn need_out(v: NeedView) -> NeedOut {
    let n = v.need;
    NeedOut {
        id: n.id,
        programme_id: n.programme_id,
        submitter: OrgRef {
            id: n.submitter_org_id,
            name: n.submitter_org_name,
        },
        title: n.data.title,
        problem: n.data.problem,
        population: n.data.population,
        outcome: n.data.outcome,
        department: n.data.department,
        setting: n.data.setting,
        category: n.data.category,
        frequency: n.data.frequency,
        workaround: n.data.workaround,
        disclosure: n.data.disclosure.code().into(),
        status: n.data.status.code().into(),
        screening: ScreeningOut {
            held: n.held,
            findings: n
                .findings
                .into_iter()
                .map(|f| FindingOut {
                    kind: f.kind.code().into(),
                    excerpt: f.excerpt,
                })
                .collect(),
        },
        campaign_id: n.campaign_id,
        attested: n.attested,
        contact: n.contact,
        created_at: n.created_at,
        updated_at: n.updated_at,
    }
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedIn {
    pub title: Option<String>,
    pub problem: Option<String>,
    pub population: Option<String>,
    pub outcome: Option<String>,
    pub department: Option<String>,
    pub setting: Option<String>,
    pub category: Option<String>,
    pub frequency: Option<String>,
    pub workaround: Option<String>,
    pub disclosure: Option<String>,
    pub status: Option<String>,
    /// On submission: the submitter confirms the need names no patient.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attested: Option<bool>,
}

impl NeedIn {
    fn into_input(self) -> NeedInput {
        NeedInput {
            title: self.title,
            problem: self.problem,
            population: self.population,
            outcome: self.outcome,
            department: self.department,
            setting: self.setting,
            category: self.category,
            frequency: self.frequency,
            workaround: self.workaround,
            disclosure: self.disclosure,
            status: self.status,
        }
    }
    fn from_data(d: &NeedData) -> Self {
        Self {
            title: Some(d.title.clone()),
            problem: Some(d.problem.clone()),
            population: d.population.clone(),
            outcome: d.outcome.clone(),
            department: d.department.clone(),
            setting: d.setting.clone(),
            category: d.category.clone(),
            frequency: d.frequency.clone(),
            workaround: d.workaround.clone(),
            disclosure: Some(d.disclosure.code().into()),
            status: Some(d.status.code().into()),
            attested: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedList {
    pub items: Vec<NeedOut>,
    pub next_cursor: Option<String>,
}

/// Needs of the programme the caller may see.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/needs", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = NeedList)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<NeedList>, AppError> {
    caller.principal()?;
    let items = state
        .app
        .needs(&caller.sight, &id, &Filter::default())
        .await?
        .into_iter()
        .map(need_out);
    Ok(Json(NeedList {
        items: items.collect(),
        next_cursor: None,
    }))
}

/// Submits a need. The guard screens it first: text that looks like patient information holds
/// the need for review instead of publishing it.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/needs", tag = "needs", params(("id" = String, Path)), request_body = NeedIn,
    responses((status = 201, body = NeedOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NeedIn>,
) -> Result<impl IntoResponse, AppError> {
    let attested = body.attested.unwrap_or(false);
    let n = state
        .app
        .submit_need(&caller.sight, &id, body.into_input().into(), attested)
        .await?;
    Ok((StatusCode::CREATED, Json(need_out(n))))
}

#[utoipa::path(get, path = "/api/v1/needs/{id}", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = NeedOut), (status = 404, body = ProblemOut)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<NeedOut>, AppError> {
    caller.principal()?;
    Ok(Json(need_out(state.app.need(&caller.sight, &id).await?)))
}

/// Curates a need (submitter's organisation or secretariat): text, status, disclosure.
#[utoipa::path(patch, path = "/api/v1/needs/{id}", tag = "needs", params(("id" = String, Path)), request_body = NeedIn,
    responses((status = 200, body = NeedOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<NeedOut>, AppError> {
    caller.principal()?;
    let current = state.app.need_to_edit(&caller.sight, &id).await?;
    let merged: NeedIn = parse_json(
        super::organisations::merge(&NeedIn::from_data(&current.need.data), patch)?.as_bytes(),
    )?;
    let edit = state
        .app
        .update_need(&caller.sight, &id, merged.into_input().into())
        .await?;
    Ok(Json(need_out(edit.view)))
}

/// Releases a held need after a reviewer found no patient information in it.
#[utoipa::path(post, path = "/api/v1/needs/{id}/release", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = NeedOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut)))]
pub async fn release(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<NeedOut>, AppError> {
    Ok(Json(need_out(
        state.app.release_need(&caller.sight, &id).await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    /// received, screening, published, matching, project, closed
    pub status: Option<String>,
    /// Why (required to move back, close early or reopen).
    pub note: Option<String>,
    /// YYYY-MM-DD, default today; not in the future.
    pub date: Option<String>,
}

/// Moves a need along its workflow (受付 → 精査 → 公開 → マッチング中 → プロジェクト化 → 終了).
#[utoipa::path(post, path = "/api/v1/needs/{id}/status", tag = "needs", params(("id" = String, Path)), request_body = StatusIn,
    responses((status = 200, body = NeedOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn move_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StatusIn>,
) -> Result<Json<NeedOut>, AppError> {
    let input = MoveInput {
        status: body.status,
        date: body.date,
        note: body.note,
    };
    Ok(Json(need_out(
        state.app.move_need(&caller.sight, &id, &input).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusMoveOut {
    pub from: Option<String>,
    pub to: String,
    pub date: String,
    pub note: Option<String>,
    pub by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MoveList {
    pub items: Vec<StatusMoveOut>,
    pub next_cursor: Option<String>,
}

pub fn moves_out(h: Vec<StageMove>) -> MoveList {
    MoveList {
        items: h
            .into_iter()
            .map(|m| StatusMoveOut {
                from: m.from_stage,
                to: m.to_stage,
                date: m.moved_on,
                note: m.note,
                by: m.user_name,
            })
            .collect(),
        next_cursor: None,
    }
}

/// The need's status history, oldest first.
#[utoipa::path(get, path = "/api/v1/needs/{id}/history", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = MoveList), (status = 404, body = ProblemOut)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MoveList>, AppError> {
    caller.principal()?;
    Ok(Json(moves_out(
        state.app.need_history(&caller.sight, &id).await?,
    )))
}
