//! Entry cases over JSON.

use super::{ActivityIn, ApiKind, DealImportOut, MoveOut, StageIn, moves, org_ref};
use crate::AppState;
use crate::api::kpi::ImportQuery;
use crate::api::{JsonBody, OrgRef, ProblemOut};
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_app::pipelines::{EntryCases, Filter};
use noguchi_app::records::{EntryCase, StageMove};
use noguchi_domain::dates::format_date;
use noguchi_domain::pipeline::{ConsultationInput, EntryCaseData, EntryCaseInput};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryCaseOut {
    pub id: String,
    pub programme_id: String,
    pub organisation_id: String,
    pub organisation: OrgRef,
    pub title: Option<String>,
    pub owner_user_id: Option<String>,
    /// interest, learning, matched, prototype, licensed, commercialised, stopped
    pub stage: String,
    pub stage_date: String,
    pub jobs: Option<i64>,
    pub next_action: Option<String>,
    pub next_action_due: Option<String>,
    pub supporters: Vec<String>,
    pub outcome_id: Option<String>,
    pub outcome_status: Option<String>,
    pub outcome_differs: bool,
    pub history: Vec<MoveOut>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryCaseIn {
    pub organisation_id: Option<String>,
    pub title: Option<String>,
    pub owner_user_id: Option<String>,
    pub jobs: Option<i64>,
    pub next_action: Option<String>,
    pub next_action_due: Option<String>,
    pub supporters: Option<Vec<String>>,
}

impl ApiKind for EntryCases {
    type Out = EntryCaseOut;
    type In = EntryCaseIn;

    fn out(c: EntryCase, history: Vec<StageMove>) -> EntryCaseOut {
        EntryCaseOut {
            organisation: org_ref(&c),
            id: c.id,
            programme_id: c.programme_id,
            organisation_id: c.data.organisation_id,
            title: c.data.title,
            owner_user_id: c.data.owner_user_id,
            stage: c.stage.code().into(),
            stage_date: format_date(c.stage_on),
            jobs: c.data.jobs,
            next_action: c.data.next_action,
            next_action_due: c.data.next_action_due.map(format_date),
            supporters: c.data.supporters,
            outcome_id: c.outcome_id,
            outcome_status: c.outcome_status.map(|s| s.code().into()),
            outcome_differs: c.outcome_differs,
            history: moves(history),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }

    fn input(b: EntryCaseIn) -> EntryCaseInput {
        EntryCaseInput {
            organisation_id: b.organisation_id,
            title: b.title,
            owner_user_id: b.owner_user_id,
            jobs: b.jobs,
            next_action: b.next_action,
            next_action_due: b.next_action_due,
            supporters: b.supporters.unwrap_or_default(),
        }
    }

    fn writable(d: &EntryCaseData) -> EntryCaseIn {
        let i = d.to_input();
        EntryCaseIn {
            organisation_id: i.organisation_id,
            title: i.title,
            owner_user_id: i.owner_user_id,
            jobs: i.jobs,
            next_action: i.next_action,
            next_action_due: i.next_action_due,
            supporters: Some(i.supporters),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryCaseList {
    pub items: Vec<EntryCaseOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CaseQuery {
    pub stage: Option<String>,
}

/// Entry cases the caller may see (secretariat, the firm, supporting organisations).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/entry-cases", tag = "pipelines", params(("id" = String, Path), CaseQuery),
    responses((status = 200, body = EntryCaseList)))]
pub async fn list_cases(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<CaseQuery>,
) -> Result<Json<EntryCaseList>, AppError> {
    let filter = Filter {
        stage: q.stage.as_deref(),
        kind: None,
    };
    Ok(Json(EntryCaseList {
        items: super::list::<EntryCases>(&state, &caller, &id, filter).await?,
        next_cursor: None,
    }))
}

/// Opens an entry case for a local firm at 関心 (interest) (secretariat).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/entry-cases", tag = "pipelines", params(("id" = String, Path)), request_body = EntryCaseIn,
    responses((status = 201, body = EntryCaseOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn create_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<EntryCaseIn>,
) -> Result<impl IntoResponse, AppError> {
    super::create::<EntryCases>(&state, &caller, &id, body).await
}

#[utoipa::path(get, path = "/api/v1/entry-cases/{id}", tag = "pipelines", params(("id" = String, Path)),
    responses((status = 200, body = EntryCaseOut), (status = 404, body = ProblemOut)))]
pub async fn show_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<EntryCaseOut>, AppError> {
    super::show::<EntryCases>(&state, &caller, &id).await
}

#[utoipa::path(patch, path = "/api/v1/entry-cases/{id}", tag = "pipelines", params(("id" = String, Path)), request_body = EntryCaseIn,
    responses((status = 200, body = EntryCaseOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<EntryCaseOut>, AppError> {
    super::update::<EntryCases>(&state, &caller, &id, patch).await
}

/// Moves an entry case; at 事業化 it records a pending `new_entry` (or `commercialisation`) outcome.
#[utoipa::path(post, path = "/api/v1/entry-cases/{id}/stage", tag = "pipelines", params(("id" = String, Path)), request_body = StageIn,
    responses((status = 200, body = EntryCaseOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn move_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StageIn>,
) -> Result<Json<EntryCaseOut>, AppError> {
    super::move_to::<EntryCases>(&state, &caller, &id, body).await
}

/// Logs an activity on an entry case.
#[utoipa::path(post, path = "/api/v1/entry-cases/{id}/activities", tag = "pipelines", params(("id" = String, Path)), request_body = ActivityIn,
    responses((status = 204), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn case_activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ActivityIn>,
) -> Result<StatusCode, AppError> {
    super::log_activity::<EntryCases>(&state, &caller, &id, b).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationIn {
    /// strategy, development, ip, regulatory, sales, finance
    pub category: Option<String>,
    pub advisor: Option<String>,
    pub date: Option<String>,
    pub text: Option<String>,
    pub result: Option<String>,
}

/// Logs a consultation on an entry case.
#[utoipa::path(post, path = "/api/v1/entry-cases/{id}/consultations", tag = "pipelines", params(("id" = String, Path)), request_body = ConsultationIn,
    responses((status = 204), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn case_consultation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ConsultationIn>,
) -> Result<StatusCode, AppError> {
    let input = ConsultationInput {
        category: b.category,
        advisor: b.advisor,
        date: b.date,
        text: b.text,
        result: b.result,
    };
    state
        .app
        .pipeline::<EntryCases>()
        .log_consultation(&caller.sight, &id, &input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Opens entry cases from XLSX or CSV: columns 団体, 案件名, 段階, 段階の日付, 雇用数,
/// 次のアクション, 期限. All rows or none.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/entry-cases/import", tag = "pipelines", params(("id" = String, Path), ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = DealImportOut), (status = 403, body = ProblemOut), (status = 422, body = DealImportOut)))]
pub async fn import_cases(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<axum::response::Response, AppError> {
    super::import::<EntryCases>(&state, &caller, &id, q.dry_run, &body).await
}
