//! Deals (attraction, expansion) over JSON.

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
use noguchi_app::pipelines::{Deals, Filter};
use noguchi_app::records::{Deal, StageMove};
use noguchi_domain::dates::format_date;
use noguchi_domain::pipeline::{DealData, DealInput};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct DealOut {
    pub id: String,
    pub programme_id: String,
    /// attraction or expansion
    pub kind: String,
    pub organisation_id: String,
    pub organisation: OrgRef,
    pub code_name: Option<String>,
    pub lead_source: Option<String>,
    pub owner_user_id: Option<String>,
    /// candidate, contacted, visited, proposed, negotiating, decided, operating, lost
    pub stage: String,
    pub stage_date: String,
    pub planned_jobs: Option<i64>,
    pub actual_jobs: Option<i64>,
    /// 千円
    pub planned_investment: Option<i64>,
    pub actual_investment: Option<i64>,
    pub candidate_site: Option<String>,
    pub incentives: Option<String>,
    pub lost_reason: Option<String>,
    pub next_action: Option<String>,
    pub next_action_due: Option<String>,
    pub shared_with: Vec<String>,
    /// The KPI outcome the deal yielded at its counting stage.
    pub outcome_id: Option<String>,
    pub outcome_status: Option<String>,
    /// The verified outcome no longer matches the deal (it is never changed silently).
    pub outcome_differs: bool,
    pub history: Vec<MoveOut>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealIn {
    pub kind: Option<String>,
    pub organisation_id: Option<String>,
    pub code_name: Option<String>,
    pub lead_source: Option<String>,
    pub owner_user_id: Option<String>,
    pub planned_jobs: Option<i64>,
    pub actual_jobs: Option<i64>,
    pub planned_investment: Option<i64>,
    pub actual_investment: Option<i64>,
    pub candidate_site: Option<String>,
    pub incentives: Option<String>,
    pub next_action: Option<String>,
    pub next_action_due: Option<String>,
    pub shared_with: Option<Vec<String>>,
}

impl ApiKind for Deals {
    type Out = DealOut;
    type In = DealIn;

    fn out(d: Deal, history: Vec<StageMove>) -> DealOut {
        DealOut {
            organisation: org_ref(&d),
            id: d.id,
            programme_id: d.programme_id,
            kind: d.data.kind.code().into(),
            organisation_id: d.data.organisation_id,
            code_name: d.data.code_name,
            lead_source: d.data.lead_source,
            owner_user_id: d.data.owner_user_id,
            stage: d.stage.code().into(),
            stage_date: format_date(d.stage_on),
            planned_jobs: d.data.planned_jobs,
            actual_jobs: d.data.actual_jobs,
            planned_investment: d.data.planned_investment,
            actual_investment: d.data.actual_investment,
            candidate_site: d.data.candidate_site,
            incentives: d.data.incentives,
            lost_reason: d.closed_reason,
            next_action: d.data.next_action,
            next_action_due: d.data.next_action_due.map(format_date),
            shared_with: d.data.shared_with,
            outcome_id: d.outcome_id,
            outcome_status: d.outcome_status.map(|s| s.code().into()),
            outcome_differs: d.outcome_differs,
            history: moves(history),
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }

    fn input(b: DealIn) -> DealInput {
        DealInput {
            kind: b.kind,
            organisation_id: b.organisation_id,
            code_name: b.code_name,
            lead_source: b.lead_source,
            owner_user_id: b.owner_user_id,
            planned_jobs: b.planned_jobs,
            actual_jobs: b.actual_jobs,
            planned_investment: b.planned_investment,
            actual_investment: b.actual_investment,
            candidate_site: b.candidate_site,
            incentives: b.incentives,
            next_action: b.next_action,
            next_action_due: b.next_action_due,
            shared_with: b.shared_with.unwrap_or_default(),
        }
    }

    fn writable(d: &DealData) -> DealIn {
        let i = d.to_input();
        DealIn {
            kind: i.kind,
            organisation_id: i.organisation_id,
            code_name: i.code_name,
            lead_source: i.lead_source,
            owner_user_id: i.owner_user_id,
            planned_jobs: i.planned_jobs,
            actual_jobs: i.actual_jobs,
            planned_investment: i.planned_investment,
            actual_investment: i.actual_investment,
            candidate_site: i.candidate_site,
            incentives: i.incentives,
            next_action: i.next_action,
            next_action_due: i.next_action_due,
            shared_with: Some(i.shared_with),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealList {
    pub items: Vec<DealOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DealQuery {
    pub stage: Option<String>,
    pub kind: Option<String>,
}

/// Deals the caller may see (the secretariat: all; others: those shared with their organisation).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/deals", tag = "pipelines", params(("id" = String, Path), DealQuery),
    responses((status = 200, body = DealList)))]
pub async fn list_deals(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<DealQuery>,
) -> Result<Json<DealList>, AppError> {
    let filter = Filter {
        stage: q.stage.as_deref(),
        kind: q.kind.as_deref(),
    };
    Ok(Json(DealList {
        items: super::list::<Deals>(&state, &caller, &id, filter).await?,
        next_cursor: None,
    }))
}

/// Opens a deal at 候補 (candidate) (secretariat).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/deals", tag = "pipelines", params(("id" = String, Path)), request_body = DealIn,
    responses((status = 201, body = DealOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn create_deal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(mut body): JsonBody<DealIn>,
) -> Result<impl IntoResponse, AppError> {
    // A deal is an attraction unless the caller says otherwise.
    body.kind.get_or_insert_with(|| "attraction".into());
    super::create::<Deals>(&state, &caller, &id, body).await
}

#[utoipa::path(get, path = "/api/v1/deals/{id}", tag = "pipelines", params(("id" = String, Path)),
    responses((status = 200, body = DealOut), (status = 404, body = ProblemOut)))]
pub async fn show_deal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<DealOut>, AppError> {
    super::show::<Deals>(&state, &caller, &id).await
}

/// Changes a deal's fields; a pending outcome follows (a verified one never changes silently).
#[utoipa::path(patch, path = "/api/v1/deals/{id}", tag = "pipelines", params(("id" = String, Path)), request_body = DealIn,
    responses((status = 200, body = DealOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update_deal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<DealOut>, AppError> {
    super::update::<Deals>(&state, &caller, &id, patch).await
}

/// Moves a deal to a stage, dated; reaching the programme's counting stage records a pending
/// outcome in the KPI ledger.
#[utoipa::path(post, path = "/api/v1/deals/{id}/stage", tag = "pipelines", params(("id" = String, Path)), request_body = StageIn,
    responses((status = 200, body = DealOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn move_deal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StageIn>,
) -> Result<Json<DealOut>, AppError> {
    super::move_to::<Deals>(&state, &caller, &id, body).await
}

/// Logs an activity on a deal.
#[utoipa::path(post, path = "/api/v1/deals/{id}/activities", tag = "pipelines", params(("id" = String, Path)), request_body = ActivityIn,
    responses((status = 204), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn deal_activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ActivityIn>,
) -> Result<StatusCode, AppError> {
    super::log_activity::<Deals>(&state, &caller, &id, b).await
}

/// Imports deals from XLSX or CSV (UTF-8 or Shift_JIS): columns 区分, 団体, コードネーム, 段階,
/// 段階の日付, 計画雇用数, 実績雇用数, 候補地, 端緒, 次のアクション, 期限. All rows or none.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/deals/import", tag = "pipelines", params(("id" = String, Path), ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = DealImportOut), (status = 403, body = ProblemOut), (status = 422, body = DealImportOut)))]
pub async fn import_deals(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<axum::response::Response, AppError> {
    super::import::<Deals>(&state, &caller, &id, q.dry_run, &body).await
}
