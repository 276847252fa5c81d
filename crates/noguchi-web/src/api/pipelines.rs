//! Deals and entry cases over JSON. A deal the caller may not see answers 404, exactly like one
//! that does not exist; lists and counts leave it out.

use super::organisations::merge;
use super::{JsonBody, OrgRef, ProblemOut, parse_json};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_domain::access::{self, Principal};
use noguchi_domain::dates::format_date;
use noguchi_domain::pipeline::{
    self, ActivityData, ConsultationData, DealData, DealInput, DealKind, DealStage, EntryCaseData,
    EntryCaseInput, EntryStage,
};
use noguchi_domain::{Invalid, Problem};
use noguchi_storage::{Deal, EntryCase, StageMove};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct MoveOut {
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub date: String,
    pub note: Option<String>,
    pub by: Option<String>,
    pub at: String,
}

fn moves(h: Vec<StageMove>) -> Vec<MoveOut> {
    h.into_iter()
        .map(|m| MoveOut {
            from_stage: m.from_stage,
            to_stage: m.to_stage,
            date: m.moved_on,
            note: m.note,
            by: m.user_name,
            at: m.at,
        })
        .collect()
}

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

pub fn deal_out(d: Deal, history: Vec<StageMove>) -> DealOut {
    DealOut {
        id: d.id,
        programme_id: d.programme_id,
        kind: d.data.kind.code().into(),
        organisation: OrgRef {
            id: d.data.organisation_id.clone(),
            name: d.organisation_name,
        },
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
        lost_reason: d.lost_reason,
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

impl DealIn {
    fn into_input(self) -> DealInput {
        DealInput {
            kind: self.kind,
            organisation_id: self.organisation_id,
            code_name: self.code_name,
            lead_source: self.lead_source,
            owner_user_id: self.owner_user_id,
            planned_jobs: self.planned_jobs,
            actual_jobs: self.actual_jobs,
            planned_investment: self.planned_investment,
            actual_investment: self.actual_investment,
            candidate_site: self.candidate_site,
            incentives: self.incentives,
            next_action: self.next_action,
            next_action_due: self.next_action_due,
            shared_with: self.shared_with.unwrap_or_default(),
        }
    }
    fn from_data(d: &DealData) -> Self {
        let i = d.to_input();
        Self {
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

/// A deal the caller may see; any other is "not found".
pub async fn visible_deal(state: &AppState, p: &Principal, id: &str) -> Result<Deal, AppError> {
    let sight = state.app.sight(Some(p)).await?;
    Ok(state.app.store().deal(&sight, id).await?)
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
    caller.principal()?;
    state.app.store().programme(&id).await?;
    let mut errs = Invalid::default();
    let stage = q
        .stage
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| errs.take("stage", DealStage::parse(s)));
    let kind = q
        .kind
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| errs.take("kind", DealKind::parse(s)));
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let deals = state
        .app
        .store()
        .list_deals(&caller.sight, &id, stage, kind)
        .await?;
    Ok(Json(DealList {
        items: deals.into_iter().map(|d| deal_out(d, Vec::new())).collect(),
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
    JsonBody(body): JsonBody<DealIn>,
) -> Result<impl IntoResponse, AppError> {
    let grant = access::manage_deals(caller.principal()?, &id)?;
    let mut input = body.into_input();
    if input.kind.is_none() {
        input.kind = Some("attraction".into());
    }
    let data = DealData::parse(&input).map_err(AppError::Invalid)?;
    let d = state.app.store().create_deal(&grant, &id, data).await?;
    let h = state.app.store().deal_history(&d.id).await?;
    Ok((StatusCode::CREATED, Json(deal_out(d, h))))
}

#[utoipa::path(get, path = "/api/v1/deals/{id}", tag = "pipelines", params(("id" = String, Path)),
    responses((status = 200, body = DealOut), (status = 404, body = ProblemOut)))]
pub async fn show_deal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<DealOut>, AppError> {
    let d = visible_deal(&state, caller.principal()?, &id).await?;
    let h = state.app.store().deal_history(&id).await?;
    Ok(Json(deal_out(d, h)))
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
    let p = caller.principal()?;
    let d = visible_deal(&state, p, &id).await?;
    let grant = access::manage_deals(p, &d.programme_id)?;
    let merged: DealIn = parse_json(merge(&DealIn::from_data(&d.data), patch)?.as_bytes())?;
    let data = DealData::parse(&merged.into_input()).map_err(AppError::Invalid)?;
    let d = state.app.store().update_deal(&grant, &id, data).await?;
    let h = state.app.store().deal_history(&id).await?;
    Ok(Json(deal_out(d, h)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageIn {
    pub stage: Option<String>,
    /// Required to move back, close (見送り/中止: the reason) or reopen.
    pub note: Option<String>,
    /// YYYY-MM-DD, default today; past moves keep their real date, future ones are refused.
    pub date: Option<String>,
}

fn parse_stage_in<S>(
    body: &StageIn,
    today: time::Date,
    parse: impl Fn(&str) -> Result<S, Problem>,
) -> Result<(S, time::Date), AppError> {
    let mut errs = Invalid::default();
    let stage = errs.take(
        "stage",
        body.stage
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .ok_or(Problem::Required)
            .and_then(parse),
    );
    let on = errs.take(
        "date",
        noguchi_domain::dates::move_date(body.date.as_deref(), today),
    );
    match (stage, on) {
        (Some(s), Some(d)) if errs.is_empty() => Ok((s, d)),
        _ => Err(AppError::Invalid(errs)),
    }
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
    let p = caller.principal()?;
    let d = visible_deal(&state, p, &id).await?;
    let grant = access::manage_deals(p, &d.programme_id)?;
    let (stage, on) = parse_stage_in(&body, state.app.store().now().date(), DealStage::parse)?;
    let d = state
        .app
        .store()
        .move_deal(&grant, &id, stage, on, body.note.as_deref())
        .await?;
    let h = state.app.store().deal_history(&id).await?;
    Ok(Json(deal_out(d, h)))
}

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

pub fn case_out(c: EntryCase, history: Vec<StageMove>) -> EntryCaseOut {
    EntryCaseOut {
        id: c.id,
        programme_id: c.programme_id,
        organisation: OrgRef {
            id: c.data.organisation_id.clone(),
            name: c.organisation_name,
        },
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

impl EntryCaseIn {
    fn into_input(self) -> EntryCaseInput {
        EntryCaseInput {
            organisation_id: self.organisation_id,
            title: self.title,
            owner_user_id: self.owner_user_id,
            jobs: self.jobs,
            next_action: self.next_action,
            next_action_due: self.next_action_due,
            supporters: self.supporters.unwrap_or_default(),
        }
    }
    fn from_data(d: &EntryCaseData) -> Self {
        let i = d.to_input();
        Self {
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

pub async fn visible_case(
    state: &AppState,
    p: &Principal,
    id: &str,
) -> Result<EntryCase, AppError> {
    let sight = state.app.sight(Some(p)).await?;
    let c = state.app.store().entry_case(&sight, id).await?;
    if access::may_see_entry_case(
        p,
        &c.programme_id,
        &c.data.organisation_id,
        &c.data.supporters,
    ) {
        Ok(c)
    } else {
        Err(AppError::NotFound)
    }
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
    caller.principal()?;
    state.app.store().programme(&id).await?;
    let stage = match q.stage.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(EntryStage::parse(s).map_err(|e| AppError::field("stage", e))?),
        None => None,
    };
    let cases = state
        .app
        .store()
        .list_entry_cases(&caller.sight, &id, stage)
        .await?;
    Ok(Json(EntryCaseList {
        items: cases.into_iter().map(|c| case_out(c, Vec::new())).collect(),
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
    let grant = access::open_entry_case(caller.principal()?, &id)?;
    let data = EntryCaseData::parse(&body.into_input()).map_err(AppError::Invalid)?;
    let c = state
        .app
        .store()
        .create_entry_case(&grant, &id, data)
        .await?;
    let h = state.app.store().entry_case_history(&c.id).await?;
    Ok((StatusCode::CREATED, Json(case_out(c, h))))
}

#[utoipa::path(get, path = "/api/v1/entry-cases/{id}", tag = "pipelines", params(("id" = String, Path)),
    responses((status = 200, body = EntryCaseOut), (status = 404, body = ProblemOut)))]
pub async fn show_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<EntryCaseOut>, AppError> {
    let c = visible_case(&state, caller.principal()?, &id).await?;
    let h = state.app.store().entry_case_history(&id).await?;
    Ok(Json(case_out(c, h)))
}

#[utoipa::path(patch, path = "/api/v1/entry-cases/{id}", tag = "pipelines", params(("id" = String, Path)), request_body = EntryCaseIn,
    responses((status = 200, body = EntryCaseOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<EntryCaseOut>, AppError> {
    let p = caller.principal()?;
    let c = visible_case(&state, p, &id).await?;
    let grant = access::work_on_entry_case(p, &c.programme_id, &c.data.supporters)?;
    let merged: EntryCaseIn =
        parse_json(merge(&EntryCaseIn::from_data(&c.data), patch)?.as_bytes())?;
    let data = EntryCaseData::parse(&merged.into_input()).map_err(AppError::Invalid)?;
    let c = state
        .app
        .store()
        .update_entry_case(&grant, &id, data)
        .await?;
    let h = state.app.store().entry_case_history(&id).await?;
    Ok(Json(case_out(c, h)))
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
    let p = caller.principal()?;
    let c = visible_case(&state, p, &id).await?;
    let grant = access::work_on_entry_case(p, &c.programme_id, &c.data.supporters)?;
    let (stage, on) = parse_stage_in(&body, state.app.store().now().date(), EntryStage::parse)?;
    let c = state
        .app
        .store()
        .move_entry_case(&grant, &id, stage, on, body.note.as_deref())
        .await?;
    let h = state.app.store().entry_case_history(&id).await?;
    Ok(Json(case_out(c, h)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityIn {
    /// visit, call, email, meeting, note
    pub kind: Option<String>,
    pub date: Option<String>,
    pub participants: Option<String>,
    pub text: Option<String>,
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
    let p = caller.principal()?;
    let d = visible_deal(&state, p, &id).await?;
    let grant = access::manage_deals(p, &d.programme_id)?;
    let a = ActivityData::parse(
        b.kind.as_deref(),
        b.date.as_deref(),
        b.participants.as_deref(),
        b.text.as_deref(),
        state.app.store().now().date(),
    )
    .map_err(AppError::Invalid)?;
    state
        .app
        .store()
        .add_activity(grant.actor(), "deal", &id, a)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
    let p = caller.principal()?;
    let c = visible_case(&state, p, &id).await?;
    let grant = access::work_on_entry_case(p, &c.programme_id, &c.data.supporters)?;
    let a = ActivityData::parse(
        b.kind.as_deref(),
        b.date.as_deref(),
        b.participants.as_deref(),
        b.text.as_deref(),
        state.app.store().now().date(),
    )
    .map_err(AppError::Invalid)?;
    state
        .app
        .store()
        .add_activity(grant.actor(), "entry_case", &id, a)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
    let p = caller.principal()?;
    let c = visible_case(&state, p, &id).await?;
    let grant = access::work_on_entry_case(p, &c.programme_id, &c.data.supporters)?;
    let data = ConsultationData::parse(
        b.category.as_deref(),
        b.advisor.as_deref(),
        b.date.as_deref(),
        b.text.as_deref(),
        b.result.as_deref(),
        state.app.store().now().date(),
    )
    .map_err(AppError::Invalid)?;
    state
        .app
        .store()
        .add_consultation(&grant, &id, data)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    /// true (default): check every row and write nothing.
    pub dry_run: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealImportRowOut {
    pub row: usize,
    pub ok: bool,
    pub organisation: Option<OrgRef>,
    pub stage: Option<String>,
    pub errors: Vec<super::FieldErrorOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealImportOut {
    pub dry_run: bool,
    pub valid: usize,
    pub invalid: usize,
    pub imported: usize,
    pub rows: Vec<DealImportRowOut>,
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
    let grant = access::manage_deals(caller.principal()?, &id)?;
    state.app.store().programme(&id).await?;
    let tr = crate::i18n::Tr(caller.lang);
    let checked = noguchi_app::sheets::rows::check_deals(&state.app, &body).await?;
    let (result, status) =
        run_deal_import(&state, &grant, &id, checked, q.dry_run.unwrap_or(true), tr).await?;
    Ok((status, Json(result)).into_response())
}

/// The rows to write: all of them, unless this is a dry run or any row is invalid (an import is
/// all or nothing).
fn rows_to_write<D: Clone, S: Copy>(
    checked: &[noguchi_app::sheets::rows::Checked<D, S>],
    dry_run: bool,
) -> Option<Vec<(D, S, time::Date)>> {
    let all_valid = checked.iter().all(|r| r.data.is_ok());
    (!dry_run && all_valid).then(|| checked.iter().filter_map(|r| r.data.clone().ok()).collect())
}

/// The per-row report of a pipeline import, and its status (422 when a real import was refused).
fn import_report<D, S: pipeline::Stages>(
    checked: Vec<noguchi_app::sheets::rows::Checked<D, S>>,
    dry_run: bool,
    imported: usize,
    tr: crate::i18n::Tr,
) -> (DealImportOut, StatusCode) {
    let invalid = checked.iter().filter(|r| r.data.is_err()).count();
    let rows: Vec<DealImportRowOut> = checked
        .into_iter()
        .map(|r| match r.data {
            Ok((_, stage, _)) => DealImportRowOut {
                row: r.row,
                ok: true,
                organisation: r.organisation.map(Into::into),
                stage: Some(stage.code().into()),
                errors: Vec::new(),
            },
            Err(i) => DealImportRowOut {
                row: r.row,
                ok: false,
                organisation: r.organisation.map(Into::into),
                stage: None,
                errors: i
                    .0
                    .iter()
                    .map(|e| super::FieldErrorOut {
                        field: e.field.clone(),
                        message: tr.error(e),
                    })
                    .collect(),
            },
        })
        .collect();
    let status = if invalid > 0 && !dry_run {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        DealImportOut {
            dry_run,
            valid: rows.len() - invalid,
            invalid,
            imported,
            rows,
        },
        status,
    )
}

/// Writes the checked deal rows unless it is a dry run or any row is invalid.
pub async fn run_deal_import(
    state: &AppState,
    grant: &noguchi_domain::access::Granted<noguchi_domain::access::permission::ManageDeals>,
    programme_id: &str,
    checked: Vec<noguchi_app::sheets::rows::CheckedDeal>,
    dry_run: bool,
    tr: crate::i18n::Tr,
) -> Result<(DealImportOut, StatusCode), AppError> {
    let imported = match rows_to_write(&checked, dry_run) {
        Some(rows) => state
            .app
            .store()
            .import_deals(grant, programme_id, rows)
            .await?
            .len(),
        None => 0,
    };
    Ok(import_report(checked, dry_run, imported, tr))
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
    let grant = access::open_entry_case(caller.principal()?, &id)?;
    state.app.store().programme(&id).await?;
    let checked = noguchi_app::sheets::rows::check_cases(&state.app, &body).await?;
    let (result, status) = run_case_import(
        &state,
        &grant,
        &id,
        checked,
        q.dry_run.unwrap_or(true),
        crate::i18n::Tr(caller.lang),
    )
    .await?;
    Ok((status, Json(result)).into_response())
}

/// Writes the checked entry-case rows unless it is a dry run or any row is invalid.
pub async fn run_case_import(
    state: &AppState,
    grant: &noguchi_domain::access::Granted<noguchi_domain::access::permission::WorkOnEntryCase>,
    programme_id: &str,
    checked: Vec<noguchi_app::sheets::rows::CheckedCase>,
    dry_run: bool,
    tr: crate::i18n::Tr,
) -> Result<(DealImportOut, StatusCode), AppError> {
    let imported = match rows_to_write(&checked, dry_run) {
        Some(rows) => state
            .app
            .store()
            .import_entry_cases(grant, programme_id, rows)
            .await?
            .len(),
        None => 0,
    };
    Ok(import_report(checked, dry_run, imported, tr))
}
