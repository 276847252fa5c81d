//! The liaison council over JSON (CONTRACT.md, council meetings, decisions and actions): the
//! secretariat runs meetings; members read them whole; anyone reads a published meeting, its
//! withheld items reduced to their reason.

use super::{JsonBody, ProblemOut};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_app::council::{ActionInput, ActionView, MeetingView};
use noguchi_app::records::{AgendaItem, CouncilDecision, Meeting};
use noguchi_domain::council::AgendaInput;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaItemOut {
    pub id: String,
    /// Null for a withheld item read by someone outside the programme.
    pub title: Option<String>,
    pub public: bool,
    /// personal, corporate, deliberation, administrative or confidential (the ordinance's
    /// categories), for a withheld item.
    pub withheld_reason: Option<String>,
    pub presenter: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionOut {
    pub id: String,
    pub meeting_id: String,
    pub decision_id: String,
    pub text: String,
    pub owner_organisation_id: String,
    pub owner_organisation_name: String,
    pub due: String,
    /// open, done or dropped
    pub status: String,
    pub overdue: bool,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionOut {
    pub id: String,
    pub agenda_item_id: Option<String>,
    pub text: String,
    pub actions: Vec<ActionOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingOut {
    pub id: String,
    pub programme_id: String,
    pub title: String,
    pub held_at: String,
    pub venue: Option<String>,
    pub published: bool,
    pub published_at: Option<String>,
    pub agenda: Vec<AgendaItemOut>,
    pub decisions: Vec<DecisionOut>,
}

fn item_out(a: AgendaItem) -> AgendaItemOut {
    AgendaItemOut {
        id: a.id,
        title: Some(a.data.title).filter(|t| !t.is_empty()),
        public: a.data.withheld.is_none(),
        withheld_reason: a.data.withheld.map(|w| w.code().into()),
        presenter: a.data.presenter,
    }
}

fn action_out(a: noguchi_app::records::Action, overdue: bool) -> ActionOut {
    ActionOut {
        id: a.id,
        meeting_id: a.meeting_id,
        decision_id: a.decision_id,
        text: a.text,
        owner_organisation_id: a.owner_organisation_id,
        owner_organisation_name: a.owner_organisation_name,
        due: noguchi_domain::dates::format_date(a.due),
        status: a.status.code().into(),
        overdue,
        note: a.note,
    }
}

fn decision_out(d: CouncilDecision, today: time::Date) -> DecisionOut {
    DecisionOut {
        id: d.id,
        agenda_item_id: d.agenda_item_id,
        text: d.text,
        actions: d
            .actions
            .into_iter()
            .map(|a| {
                let o = noguchi_domain::council::overdue(a.status, a.due, today);
                action_out(a, o)
            })
            .collect(),
    }
}

fn meeting_out(m: Meeting, today: time::Date) -> MeetingOut {
    MeetingOut {
        id: m.id,
        programme_id: m.programme_id,
        title: m.title,
        held_at: m.held_at,
        venue: m.venue,
        published: m.published_at.is_some(),
        published_at: m.published_at,
        agenda: m.agenda.into_iter().map(item_out).collect(),
        decisions: m
            .decisions
            .into_iter()
            .map(|d| decision_out(d, today))
            .collect(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingList {
    pub items: Vec<MeetingOut>,
}

/// The programme's meetings (the published ones only, for a caller outside the programme).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/meetings", tag = "council", params(("id" = String, Path)),
    responses((status = 200, body = MeetingList), (status = 404, body = ProblemOut)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MeetingList>, AppError> {
    let today = state.app.today();
    Ok(Json(MeetingList {
        items: state
            .app
            .meetings(&caller.sight, &id)
            .await?
            .into_iter()
            .map(|v: MeetingView| meeting_out(v.meeting, today))
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingIn {
    pub title: Option<String>,
    /// RFC 3339 with offset, e.g. 2026-06-15T14:00:00+09:00
    pub held_at: Option<String>,
    /// A place, or "オンライン".
    pub venue: Option<String>,
}

/// Schedules a council meeting (the secretariat).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/meetings", tag = "council", params(("id" = String, Path)), request_body = MeetingIn,
    responses((status = 201, body = MeetingOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<MeetingIn>,
) -> Result<impl IntoResponse, AppError> {
    let m = state
        .app
        .create_meeting(
            &caller.sight,
            &id,
            b.title.as_deref(),
            b.held_at.as_deref(),
            b.venue.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(meeting_out(m, state.app.today()))))
}

/// A meeting: whole for the programme's members; published, to anyone without credentials,
/// with withheld items reduced to their reason and without their decisions and actions.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "council", params(("id" = String, Path)),
    responses((status = 200, body = MeetingOut), (status = 404, body = ProblemOut)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MeetingOut>, AppError> {
    let v = state.app.meeting(&caller.sight, &id).await?;
    Ok(Json(meeting_out(v.meeting, state.app.today())))
}

/// Changes a meeting's title, time or venue (any subset).
#[utoipa::path(patch, path = "/api/v1/meetings/{id}", tag = "council", params(("id" = String, Path)), request_body = MeetingIn,
    responses((status = 200, body = MeetingOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<MeetingIn>,
) -> Result<Json<MeetingOut>, AppError> {
    let current = state.app.meeting(&caller.sight, &id).await?.meeting;
    let m = state
        .app
        .update_meeting(
            &caller.sight,
            &id,
            Some(b.title.as_deref().unwrap_or(&current.title)),
            Some(b.held_at.as_deref().unwrap_or(&current.held_at)),
            b.venue.as_deref().or(current.venue.as_deref()),
        )
        .await?;
    Ok(Json(meeting_out(m, state.app.today())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaIn {
    pub title: Option<String>,
    /// Default true.
    pub public: Option<bool>,
    /// Required when not public: personal, corporate, deliberation, administrative,
    /// confidential, or the ordinance's words (法人等情報 …).
    pub withheld_reason: Option<String>,
    pub presenter: Option<String>,
}

/// Adds an agenda item.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/agenda", tag = "council", params(("id" = String, Path)), request_body = AgendaIn,
    responses((status = 201, body = AgendaItemOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn add_agenda(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<AgendaIn>,
) -> Result<impl IntoResponse, AppError> {
    let input = AgendaInput {
        title: b.title,
        public: b.public,
        withheld_reason: b.withheld_reason,
        presenter: b.presenter,
    };
    let item = state
        .app
        .add_agenda_item(&caller.sight, &id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(item_out(item))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    pub owner_organisation_id: Option<String>,
    pub text: Option<String>,
    /// YYYY-MM-DD
    pub due: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    pub text: Option<String>,
    pub agenda_item_id: Option<String>,
    #[serde(default)]
    pub actions: Vec<ActionIn>,
}

/// Records a decision with the actions it gives.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/decisions", tag = "council", params(("id" = String, Path)), request_body = DecisionIn,
    responses((status = 201, body = DecisionOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn add_decision(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<DecisionIn>,
) -> Result<impl IntoResponse, AppError> {
    let actions: Vec<ActionInput> = b
        .actions
        .into_iter()
        .map(|a| ActionInput {
            owner_organisation_id: a.owner_organisation_id,
            text: a.text,
            due: a.due,
        })
        .collect();
    let d = state
        .app
        .add_decision(
            &caller.sight,
            &id,
            b.text.as_deref(),
            b.agenda_item_id.as_deref(),
            &actions,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(decision_out(d, state.app.today())),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ActionQuery {
    /// open, done or dropped (all when absent)
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionList {
    pub items: Vec<ActionOut>,
}

/// The programme's council actions with their overdue flag (its members).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/actions", tag = "council", params(("id" = String, Path), ActionQuery),
    responses((status = 200, body = ActionList), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn actions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ActionQuery>,
) -> Result<Json<ActionList>, AppError> {
    Ok(Json(ActionList {
        items: state
            .app
            .council_actions(&caller.sight, &id, q.status.as_deref())
            .await?
            .into_iter()
            .map(|v: ActionView| action_out(v.action, v.overdue))
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionStatusIn {
    /// open, done or dropped (dropping or reopening needs a note)
    pub status: Option<String>,
    pub note: Option<String>,
}

/// Moves an action's status.
#[utoipa::path(post, path = "/api/v1/actions/{id}/status", tag = "council", params(("id" = String, Path)), request_body = ActionStatusIn,
    responses((status = 200, body = ActionOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn action_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ActionStatusIn>,
) -> Result<Json<ActionOut>, AppError> {
    let v = state
        .app
        .set_action_status(&caller.sight, &id, b.status.as_deref(), b.note.as_deref())
        .await?;
    Ok(Json(action_out(v.action, v.overdue)))
}

/// Publishes the minutes (the secretariat).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/publish", tag = "council", params(("id" = String, Path)),
    responses((status = 200, body = MeetingOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut)))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MeetingOut>, AppError> {
    let m = state.app.publish_meeting(&caller.sight, &id).await?;
    Ok(Json(meeting_out(m, state.app.today())))
}
