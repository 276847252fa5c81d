//! Projects over JSON (CONTRACT.md, projects and the regulatory pathway): the project, its
//! consortium, its stage, the pathway its device takes and the clearance. Anyone but its
//! members, the secretariat and the project-management role gets 404.

use super::{JsonBody, ProblemOut, parse_json};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_app::records::Project;
use noguchi_domain::project::{Gap, ProjectInput};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectMemberOut {
    pub organisation_id: String,
    pub organisation_name: String,
    /// mah, manufacturer, clinical, university or supporter
    pub role: String,
    /// The licences the organisation's record holds.
    pub licences: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClearanceOut {
    pub id: String,
    /// notification, certification or approval
    pub route: String,
    pub number: String,
    pub date: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectOut {
    pub id: String,
    pub programme_id: String,
    pub title: String,
    pub summary: Option<String>,
    /// The intended device and its use.
    pub device: Option<String>,
    /// concept, prototype, evaluation, submission, launched or stopped
    pub stage: String,
    pub stage_on: String,
    /// I, II, III, IV or null
    pub device_class: Option<String>,
    /// 一般的名称
    pub general_name: Option<String>,
    /// A certification standard (認証基準) exists for the general name.
    pub certification_standard: bool,
    pub lead_organisation_id: Option<String>,
    /// The person who opened the project and answers for it.
    pub owner_name: Option<String>,
    pub members: Vec<ProjectMemberOut>,
    pub clearances: Vec<ClearanceOut>,
    pub created_at: String,
    pub updated_at: String,
}

fn project_out(p: Project) -> ProjectOut {
    ProjectOut {
        id: p.id,
        programme_id: p.programme_id,
        title: p.data.title,
        summary: p.data.summary,
        device: p.data.device,
        stage: p.stage.code().into(),
        stage_on: p.stage_on,
        device_class: p.data.device_class.map(|c| c.code().into()),
        general_name: p.data.general_name,
        certification_standard: p.data.certification_standard,
        lead_organisation_id: p.data.lead_organisation_id,
        owner_name: p.owner_name,
        members: p
            .members
            .into_iter()
            .map(|m| ProjectMemberOut {
                organisation_id: m.organisation_id,
                organisation_name: m.organisation_name,
                role: m.role.code().into(),
                licences: m.licences.iter().map(|l| l.code().into()).collect(),
            })
            .collect(),
        clearances: p
            .clearances
            .into_iter()
            .map(|c| ClearanceOut {
                id: c.id,
                route: c.route.code().into(),
                number: c.number,
                date: c.cleared_on,
            })
            .collect(),
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectList {
    pub items: Vec<ProjectOut>,
    pub next_cursor: Option<String>,
}

/// The projects of a programme the caller may see.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/projects", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = ProjectList), (status = 404, body = ProblemOut)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ProjectList>, AppError> {
    Ok(Json(ProjectList {
        items: state
            .app
            .projects(&caller.sight, &id)
            .await?
            .into_iter()
            .map(project_out)
            .collect(),
        next_cursor: None,
    }))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectIn {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub device: Option<String>,
    /// I, II, III, IV or null
    pub device_class: Option<String>,
    pub general_name: Option<String>,
    /// Default false.
    pub certification_standard: Option<bool>,
    pub lead_organisation_id: Option<String>,
}

impl ProjectIn {
    fn into_input(self) -> ProjectInput {
        ProjectInput {
            title: self.title,
            summary: self.summary,
            device: self.device,
            device_class: self.device_class,
            general_name: self.general_name,
            certification_standard: self.certification_standard,
            lead_organisation_id: self.lead_organisation_id,
        }
    }
    fn from_input(i: ProjectInput) -> Self {
        Self {
            title: i.title,
            summary: i.summary,
            device: i.device,
            device_class: i.device_class,
            general_name: i.general_name,
            certification_standard: i.certification_standard,
            lead_organisation_id: i.lead_organisation_id,
        }
    }
}

/// Opens a project at 構想 (the secretariat and the project-management role).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/projects", tag = "projects", params(("id" = String, Path)), request_body = ProjectIn,
    responses((status = 201, body = ProjectOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ProjectIn>,
) -> Result<impl IntoResponse, AppError> {
    let p = state
        .app
        .create_project(&caller.sight, &id, body.into_input().into())
        .await?;
    Ok((StatusCode::CREATED, Json(project_out(p))))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = ProjectOut), (status = 404, body = ProblemOut)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ProjectOut>, AppError> {
    Ok(Json(project_out(
        state.app.project(&caller.sight, &id).await?,
    )))
}

#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = String, Path)), request_body = ProjectIn,
    responses((status = 200, body = ProjectOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<ProjectOut>, AppError> {
    let p = state.app.project(&caller.sight, &id).await?;
    let current = ProjectIn::from_input(p.data.to_input());
    let merged: ProjectIn = parse_json(super::organisations::merge(&current, patch)?.as_bytes())?;
    Ok(Json(project_out(
        state
            .app
            .update_project(&caller.sight, &id, merged.into_input().into())
            .await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    pub organisation_id: Option<String>,
    /// mah (製造販売業者), manufacturer (製造業者), clinical (医療機関), university, supporter
    pub role: Option<String>,
}

/// Adds an organisation to the consortium in a role.
#[utoipa::path(post, path = "/api/v1/projects/{id}/members", tag = "projects", params(("id" = String, Path)), request_body = MemberIn,
    responses((status = 200, body = ProjectOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<MemberIn>,
) -> Result<Json<ProjectOut>, AppError> {
    Ok(Json(project_out(
        state
            .app
            .add_project_member(
                &caller.sight,
                &id,
                body.organisation_id.as_deref(),
                body.role.as_deref(),
            )
            .await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageIn {
    /// concept, prototype, evaluation, submission, launched or stopped
    pub stage: Option<String>,
    /// Required to go back, to stop, or to reopen.
    pub note: Option<String>,
    /// YYYY-MM-DD (default today; not in the future).
    pub date: Option<String>,
}

/// Moves a project to a stage.
#[utoipa::path(post, path = "/api/v1/projects/{id}/stage", tag = "projects", params(("id" = String, Path)), request_body = StageIn,
    responses((status = 200, body = ProjectOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn move_stage(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StageIn>,
) -> Result<Json<ProjectOut>, AppError> {
    Ok(Json(project_out(
        state
            .app
            .move_project(
                &caller.sight,
                &id,
                body.stage.as_deref(),
                body.note.as_deref(),
                body.date.as_deref(),
            )
            .await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LicenceOut {
    pub organisation_id: String,
    /// The member's role that needs it (mah or manufacturer).
    pub role: String,
    /// marketing_class1, marketing_class2, marketing_class3 or manufacturing_registration
    pub licence: String,
    pub held: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PathwayOut {
    /// notification, certification or approval; null until the device class is set.
    pub route: Option<String>,
    pub licences: Vec<LicenceOut>,
    /// Class II and above: QMS (MHLW ordinance 169) applies.
    pub qms: bool,
    /// What the consortium lacks: no_class, no_mah, no_manufacturer.
    pub gaps: Vec<String>,
}

/// The route to market and the licences the consortium needs, each held or missing.
#[utoipa::path(get, path = "/api/v1/projects/{id}/pathway", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = PathwayOut), (status = 404, body = ProblemOut)))]
pub async fn pathway(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<PathwayOut>, AppError> {
    let (_, way) = state.app.project_pathway(&caller.sight, &id).await?;
    Ok(Json(PathwayOut {
        route: way.route.map(|r| r.code().into()),
        licences: way
            .licences
            .into_iter()
            .map(|l| LicenceOut {
                organisation_id: l.organisation_id,
                role: l.role.code().into(),
                licence: l.licence.code().into(),
                held: l.held,
            })
            .collect(),
        qms: way.qms,
        gaps: way
            .gaps
            .iter()
            .map(|g| {
                match g {
                    Gap::NoClass => "no_class",
                    Gap::NoMah => "no_mah",
                    Gap::NoManufacturer => "no_manufacturer",
                }
                .to_owned()
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearanceIn {
    /// notification, certification or approval
    pub route: Option<String>,
    /// The notification, certificate or approval number.
    pub number: Option<String>,
    /// YYYY-MM-DD, not in the future.
    pub date: Option<String>,
}

/// Records the notification, certificate or approval.
#[utoipa::path(post, path = "/api/v1/projects/{id}/clearances", tag = "projects", params(("id" = String, Path)), request_body = ClearanceIn,
    responses((status = 201, body = ProjectOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn add_clearance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ClearanceIn>,
) -> Result<impl IntoResponse, AppError> {
    let p = state
        .app
        .add_clearance(
            &caller.sight,
            &id,
            body.route.as_deref(),
            body.number.as_deref(),
            body.date.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(project_out(p))))
}
