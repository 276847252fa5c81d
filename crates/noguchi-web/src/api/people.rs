//! People of the directory over JSON. Contact details are read through the caller's sight: the
//! store leaves them out for anyone but the secretariat and the person's own organisation.

use super::organisations::merge;
use super::{JsonBody, OrgRef, ProblemOut, page_limit, parse_json};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_domain::person::{Person, PersonInput};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonOut {
    pub id: String,
    pub name: String,
    pub name_kana: Option<String>,
    pub organisation_id: Option<String>,
    pub organisation: Option<OrgRef>,
    pub department: Option<String>,
    pub title: Option<String>,
    /// Whether the caller may see the contact details below (else they are null).
    pub contact_visible: bool,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub consent_purpose: Option<String>,
    pub notes: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonIn {
    pub name: Option<String>,
    pub name_kana: Option<String>,
    pub organisation_id: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub consent_purpose: Option<String>,
    pub notes: Option<String>,
}

impl PersonIn {
    fn into_input(self) -> PersonInput {
        PersonInput {
            name: self.name,
            name_kana: self.name_kana,
            organisation_id: self.organisation_id,
            department: self.department,
            title: self.title,
            email: self.email,
            phone: self.phone,
            consent_purpose: self.consent_purpose,
            notes: self.notes,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonList {
    pub items: Vec<PersonOut>,
    pub next_cursor: Option<String>,
}

pub fn out(p: Person) -> PersonOut {
    let visible = !p.contact_hidden;
    let d = p.data;
    PersonOut {
        id: p.id,
        name: d.name,
        name_kana: d.name_kana.map(|k| k.as_str().into()),
        organisation: d
            .organisation_id
            .clone()
            .zip(p.organisation_name)
            .map(|(id, name)| OrgRef { id, name }),
        organisation_id: d.organisation_id,
        department: d.department,
        title: d.title,
        contact_visible: visible,
        email: d.email.map(|e| e.as_str().into()),
        phone: d.phone,
        consent_purpose: d.consent_purpose,
        notes: d.notes,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Name or reading, folded.
    pub q: Option<String>,
    pub organisation_id: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// People in 五十音 order of their reading.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(ListQuery),
    responses((status = 200, body = PersonList), (status = 401, body = ProblemOut)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<PersonList>, AppError> {
    let page = state
        .app
        .people(
            &caller.sight,
            q.q.as_deref(),
            q.organisation_id.as_deref().filter(|s| !s.is_empty()),
            q.cursor.as_deref(),
            page_limit(q.limit),
        )
        .await?;
    Ok(Json(PersonList {
        items: page.items.into_iter().map(out).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Adds a person (secretariat, or staff of the person's organisation).
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = PersonIn,
    responses((status = 201, body = PersonOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<PersonIn>,
) -> Result<impl IntoResponse, AppError> {
    let person = state
        .app
        .create_person(&caller.sight, body.into_input().into())
        .await?;
    Ok((StatusCode::CREATED, Json(out(person))))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = PersonOut), (status = 404, body = ProblemOut)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<PersonOut>, AppError> {
    Ok(Json(out(state.app.person(&caller.sight, &id).await?)))
}

#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)), request_body = PersonIn,
    responses((status = 200, body = PersonOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<PersonOut>, AppError> {
    let current = state.app.person(&caller.sight, &id).await?;
    // Hidden contact details must not be wiped by a PATCH that could not see them: only an
    // editor (who sees them) gets past the use case, and it merges over the full record.
    let merged: PersonIn = parse_json(merge(&out(current), patch)?.as_bytes())?;
    Ok(Json(out(state
        .app
        .update_person(&caller.sight, &id, merged.into_input().into())
        .await?)))
}

#[utoipa::path(delete, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    state.app.delete_person(&caller.sight, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
