//! A project's work over JSON: gate reviews, grants with their reporting calendar, and the
//! files kept on a project. As for the project itself, anyone who may not see the project
//! gets 404 from every route here.

use super::{JsonBody, ProblemOut};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use noguchi_app::project_work::GrantView;
use noguchi_app::records::{Attachment, Review};
use noguchi_domain::grant::GrantInput;
use noguchi_domain::project::ReviewInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionOut {
    pub name: String,
    pub met: bool,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewOut {
    pub id: String,
    pub project_id: String,
    /// The stage the gate leads to: prototype, evaluation, submission or launched.
    pub gate: String,
    pub criteria: Vec<CriterionOut>,
    /// go, conditional or stop
    pub decision: String,
    pub date: String,
    pub note: Option<String>,
}

pub fn review_out(r: Review) -> ReviewOut {
    ReviewOut {
        id: r.id,
        project_id: r.project_id,
        gate: r.data.gate.code().into(),
        criteria: r
            .data
            .criteria
            .into_iter()
            .map(|c| CriterionOut {
                name: c.name,
                met: c.met,
                note: c.note,
            })
            .collect(),
        decision: r.data.decision.code().into(),
        date: noguchi_domain::dates::format_date(r.data.decided_on),
        note: r.data.note,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionIn {
    pub name: Option<String>,
    pub met: Option<bool>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    /// prototype, evaluation, submission or launched
    pub gate: Option<String>,
    #[serde(default)]
    pub criteria: Vec<CriterionIn>,
    /// go (every criterion met), conditional (conditions in the note) or stop (reason in the note)
    pub decision: Option<String>,
    /// YYYY-MM-DD (default today; not in the future).
    pub date: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewList {
    pub items: Vec<ReviewOut>,
}

/// The gate reviews of a project, oldest first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/reviews", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = ReviewList), (status = 404, body = ProblemOut)))]
pub async fn reviews(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ReviewList>, AppError> {
    Ok(Json(ReviewList {
        items: state
            .app
            .project_reviews(&caller.sight, &id)
            .await?
            .into_iter()
            .map(review_out)
            .collect(),
    }))
}

/// Records a gate review (the project-management role or the secretariat). A go at a gate
/// ahead moves the project there; a stop stops it.
#[utoipa::path(post, path = "/api/v1/projects/{id}/reviews", tag = "projects", params(("id" = String, Path)), request_body = ReviewIn,
    responses((status = 201, body = ReviewOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn add_review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReviewIn>,
) -> Result<impl IntoResponse, AppError> {
    let input = ReviewInput {
        gate: body.gate,
        criteria: body
            .criteria
            .into_iter()
            .map(|c| (c.name.unwrap_or_default(), c.met.unwrap_or(false), c.note))
            .collect(),
        decision: body.decision,
        date: body.date,
        note: body.note,
    };
    let r = state
        .app
        .review_gate(&caller.sight, &id, input.into())
        .await?;
    Ok((StatusCode::CREATED, Json(review_out(r))))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AmountOut {
    pub fiscal_year: i32,
    /// Yen.
    pub direct: i64,
    pub indirect: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOut {
    /// results (実績報告) or commercialisation (事業化状況報告)
    pub kind: String,
    pub seq: u8,
    pub fiscal_year: i32,
    pub due: String,
    /// done, overdue, due_soon or upcoming
    pub state: String,
    pub done_on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequirementOut {
    /// licensed_mah, manufacturing_sme, medical_institution, university or local_firm
    pub requirement: String,
    pub met: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantOut {
    pub id: String,
    pub project_id: String,
    pub scheme: String,
    pub scheme_name: Option<String>,
    /// applied, awarded, rejected or withdrawn
    pub status: String,
    pub number: Option<String>,
    pub applied_on: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub subsidy_rate: Option<u8>,
    pub amounts: Vec<AmountOut>,
    pub total: i64,
    pub note: Option<String>,
    /// The reports the award brings, each with its state today (empty until awarded).
    pub reports: Vec<ReportOut>,
    /// The scheme's requirements, each met or not by the consortium.
    pub eligibility: Vec<RequirementOut>,
}

pub fn grant_out(v: GrantView) -> GrantOut {
    use noguchi_domain::dates::format_date;
    let g = v.grant;
    GrantOut {
        total: g.data.total(),
        id: g.id,
        project_id: g.project_id,
        scheme_name: v.scheme.map(|s| s.name),
        scheme: g.data.scheme,
        status: g.data.status.code().into(),
        number: g.data.number,
        applied_on: g.data.applied_on.map(format_date),
        period_start: g.data.period_start.map(format_date),
        period_end: g.data.period_end.map(format_date),
        subsidy_rate: g.data.subsidy_rate,
        amounts: g
            .data
            .amounts
            .iter()
            .map(|a| AmountOut {
                fiscal_year: a.fiscal_year,
                direct: a.direct,
                indirect: a.indirect,
            })
            .collect(),
        note: g.data.note,
        reports: v
            .reports
            .into_iter()
            .map(|r| ReportOut {
                kind: r.due.kind.code().into(),
                seq: r.due.seq,
                fiscal_year: r.due.fiscal_year,
                due: format_date(r.due.due),
                state: r.state.code().into(),
                done_on: r.done_on,
            })
            .collect(),
        eligibility: v
            .eligibility
            .into_iter()
            .map(|(r, met)| RequirementOut {
                requirement: r.code().into(),
                met,
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmountIn {
    pub fiscal_year: Option<String>,
    pub direct: Option<i64>,
    pub indirect: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantIn {
    /// A scheme key of the programme file (`amed_ikou`, `monodukuri` …).
    pub scheme: Option<String>,
    /// applied (default), awarded, rejected or withdrawn
    pub status: Option<String>,
    pub number: Option<String>,
    pub applied_on: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    /// Percent, 1–100.
    pub subsidy_rate: Option<i64>,
    #[serde(default)]
    pub amounts: Vec<AmountIn>,
    pub note: Option<String>,
}

impl GrantIn {
    fn into_input(self) -> GrantInput {
        GrantInput {
            scheme: self.scheme,
            status: self.status,
            number: self.number,
            applied_on: self.applied_on,
            period_start: self.period_start,
            period_end: self.period_end,
            subsidy_rate: self.subsidy_rate,
            amounts: self
                .amounts
                .into_iter()
                .map(|a| (a.fiscal_year, a.direct, a.indirect))
                .collect(),
            note: self.note,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantList {
    pub items: Vec<GrantOut>,
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/grants", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = GrantList), (status = 404, body = ProblemOut)))]
pub async fn grants(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<GrantList>, AppError> {
    Ok(Json(GrantList {
        items: state
            .app
            .project_grants(&caller.sight, &id)
            .await?
            .into_iter()
            .map(grant_out)
            .collect(),
    }))
}

/// Records a grant application or award for a project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/grants", tag = "projects", params(("id" = String, Path)), request_body = GrantIn,
    responses((status = 201, body = GrantOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn add_grant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<GrantIn>,
) -> Result<impl IntoResponse, AppError> {
    let g = state
        .app
        .add_grant(&caller.sight, &id, body.into_input().into())
        .await?;
    Ok((StatusCode::CREATED, Json(grant_out(g))))
}

/// Replaces a grant's fields (the award after the application, a changed period …).
#[utoipa::path(patch, path = "/api/v1/grants/{id}", tag = "projects", params(("id" = String, Path)), request_body = GrantIn,
    responses((status = 200, body = GrantOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update_grant(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<GrantIn>,
) -> Result<Json<GrantOut>, AppError> {
    Ok(Json(grant_out(
        state
            .app
            .update_grant(&caller.sight, &id, body.into_input().into())
            .await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportIn {
    /// results or commercialisation
    pub kind: Option<String>,
    pub seq: Option<i64>,
    /// true (default): submitted on `date`; false: not submitted after all.
    pub done: Option<bool>,
    /// YYYY-MM-DD (default today; not in the future).
    pub date: Option<String>,
}

/// Records a report of an award as submitted (or not).
#[utoipa::path(post, path = "/api/v1/grants/{id}/reports", tag = "projects", params(("id" = String, Path)), request_body = ReportIn,
    responses((status = 200, body = GrantOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn mark_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReportIn>,
) -> Result<Json<GrantOut>, AppError> {
    Ok(Json(grant_out(
        state
            .app
            .mark_report(
                &caller.sight,
                &id,
                body.kind.as_deref(),
                body.seq,
                body.done.unwrap_or(true),
                body.date.as_deref(),
            )
            .await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: String,
    /// project or review
    pub record_kind: String,
    pub record_id: String,
    pub filename: String,
    /// pdf, png, jpeg, xlsx, docx, pptx, csv or text
    pub file_kind: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: String,
    /// Where the file is downloaded.
    pub url: String,
}

pub fn attachment_out(a: Attachment) -> AttachmentOut {
    AttachmentOut {
        url: format!("/api/v1/attachments/{}", a.id),
        id: a.id,
        record_kind: a.record_kind,
        record_id: a.record_id,
        filename: a.filename,
        file_kind: a.kind.code().into(),
        size: a.size,
        sha256: a.sha256,
        created_at: a.created_at,
    }
}

/// The multipart form of an upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    /// The file (PDF, PNG, JPEG, xlsx, docx, pptx, CSV or text; at most 10 MiB).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// A gate review of the project to attach it to (default: the project itself).
    pub review_id: Option<String>,
}

/// Keeps a file on a project or one of its gate reviews (multipart, field `file`).
#[utoipa::path(post, path = "/api/v1/projects/{id}/attachments", tag = "projects", params(("id" = String, Path)),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentOut), (status = 400, body = ProblemOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 413, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: Request,
) -> Result<impl IntoResponse, AppError> {
    let (name, bytes, review) = crate::upload::read_attachment(req, &state).await?;
    let record = match &review {
        Some(r) => ("review", r.as_str()),
        None => ("project", id.as_str()),
    };
    let a = state
        .app
        .attach_to_project(&caller.sight, &id, record, &name, &bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(attachment_out(a))))
}

/// The files on a project and its reviews.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentList {
    pub items: Vec<AttachmentOut>,
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/attachments", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = AttachmentList), (status = 404, body = ProblemOut)))]
pub async fn attachments(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AttachmentList>, AppError> {
    let d = state.app.project_dossier(&caller.sight, &id).await?;
    Ok(Json(AttachmentList {
        items: d.attachments.into_iter().map(attachment_out).collect(),
    }))
}

/// Downloads a kept file.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, description = "The file, as an attachment", content_type = "application/octet-stream"), (status = 404, body = ProblemOut)))]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (a, bytes) = state.app.attachment(&caller.sight, &id).await?;
    crate::download::file_response(&a, bytes)
}
