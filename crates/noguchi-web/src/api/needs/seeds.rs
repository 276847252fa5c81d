//! Seeds over JSON: research results and company technologies of the programme, read by every
//! member and kept by their holder (or the secretariat).

use crate::AppState;
use crate::api::{JsonBody, OrgRef, ProblemOut, parse_json};
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_app::records::Seed;
use noguchi_domain::needs::SeedInput;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct SeedOut {
    pub id: String,
    pub programme_id: String,
    pub holder: OrgRef,
    pub title: String,
    pub description: String,
    pub fields: Vec<String>,
    pub trl: Option<i64>,
    pub ip_status: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

fn seed_out(s: Seed) -> SeedOut {
    SeedOut {
        id: s.id,
        programme_id: s.programme_id,
        holder: OrgRef {
            id: s.data.holder_organisation_id,
            name: s.holder_name,
        },
        title: s.data.title,
        description: s.data.description,
        fields: s.data.fields,
        trl: s.data.trl,
        ip_status: s.data.ip_status,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedIn {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Default: the caller's organisation.
    pub holder_organisation_id: Option<String>,
    pub fields: Option<Vec<String>>,
    pub trl: Option<i64>,
    pub ip_status: Option<String>,
}

impl SeedIn {
    fn into_input(self) -> SeedInput {
        SeedInput {
            title: self.title,
            description: self.description,
            holder_organisation_id: self.holder_organisation_id,
            fields: self.fields.unwrap_or_default(),
            trl: self.trl,
            ip_status: self.ip_status,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeedList {
    pub items: Vec<SeedOut>,
    pub next_cursor: Option<String>,
}

/// Research seeds and company technologies of the programme (any member).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/seeds", tag = "needs", params(("id" = String, Path)), responses((status = 200, body = SeedList)))]
pub async fn list_seeds(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SeedList>, AppError> {
    Ok(Json(SeedList {
        items: state
            .app
            .seeds(&caller.sight, &id)
            .await?
            .into_iter()
            .map(seed_out)
            .collect(),
        next_cursor: None,
    }))
}

#[utoipa::path(post, path = "/api/v1/programmes/{id}/seeds", tag = "needs", params(("id" = String, Path)), request_body = SeedIn,
    responses((status = 201, body = SeedOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn create_seed(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SeedIn>,
) -> Result<impl IntoResponse, AppError> {
    let s = state
        .app
        .create_seed(&caller.sight, &id, body.into_input().into())
        .await?;
    Ok((StatusCode::CREATED, Json(seed_out(s))))
}

#[utoipa::path(get, path = "/api/v1/seeds/{id}", tag = "needs", params(("id" = String, Path)), responses((status = 200, body = SeedOut), (status = 404, body = ProblemOut)))]
pub async fn show_seed(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SeedOut>, AppError> {
    Ok(Json(seed_out(state.app.seed(&caller.sight, &id).await?)))
}

#[utoipa::path(patch, path = "/api/v1/seeds/{id}", tag = "needs", params(("id" = String, Path)), request_body = SeedIn,
    responses((status = 200, body = SeedOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update_seed(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<SeedOut>, AppError> {
    let s = state.app.seed_to_edit(&caller.sight, &id).await?;
    let current = SeedIn {
        title: Some(s.data.title),
        description: Some(s.data.description),
        holder_organisation_id: Some(s.data.holder_organisation_id),
        fields: Some(s.data.fields),
        trl: s.data.trl,
        ip_status: s.data.ip_status,
    };
    let merged: SeedIn = parse_json(crate::api::organisations::merge(&current, patch)?.as_bytes())?;
    Ok(Json(seed_out(
        state
            .app
            .update_seed(&caller.sight, &id, merged.into_input().into())
            .await?,
    )))
}
