//! People of the directory over JSON. Contact details follow the policy's `may_see_contact`.

use super::organisations::merge;
use super::{JsonBody, OrgRef, ProblemOut, page_limit, parse_json};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_domain::access::{self, Principal};
use noguchi_domain::person::{Person, PersonData, PersonInput};
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

pub fn out(p: Person, viewer: &Principal) -> PersonOut {
    let visible = access::may_see_contact(viewer, p.data.organisation_id.as_deref());
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
        email: d.email.filter(|_| visible).map(|e| e.as_str().into()),
        phone: d.phone.filter(|_| visible),
        consent_purpose: d.consent_purpose.filter(|_| visible),
        notes: d.notes.filter(|_| visible),
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
    let viewer = caller.principal()?;
    let page = state
        .store
        .list_people(
            q.q.as_deref(),
            q.organisation_id.as_deref().filter(|s| !s.is_empty()),
            q.cursor.as_deref(),
            page_limit(q.limit),
        )
        .await?;
    Ok(Json(PersonList {
        items: page.items.into_iter().map(|p| out(p, viewer)).collect(),
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
    let viewer = caller.principal()?;
    let data = PersonData::parse(&body.into_input()).map_err(AppError::Invalid)?;
    let grant = access::edit_person(viewer, data.organisation_id.as_deref())?;
    let person = state.store.create_person(&grant, data).await?;
    Ok((StatusCode::CREATED, Json(out(person, viewer))))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = PersonOut), (status = 404, body = ProblemOut)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<PersonOut>, AppError> {
    Ok(Json(out(
        state.store.person(&id).await?,
        caller.principal()?,
    )))
}

#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)), request_body = PersonIn,
    responses((status = 200, body = PersonOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<PersonOut>, AppError> {
    let viewer = caller.principal()?;
    let current = state.store.person(&id).await?;
    let grant = access::edit_person(viewer, current.data.organisation_id.as_deref())?;
    // Hidden contact details must not be wiped by a PATCH that could not see them: merge over
    // the full record, which only an editor (who may see contacts) reaches.
    let full = out(current, viewer);
    let merged: PersonIn = parse_json(merge(&full, patch)?.as_bytes())?;
    let data = PersonData::parse(&merged.into_input()).map_err(AppError::Invalid)?;
    Ok(Json(out(
        state.store.update_person(&grant, &id, data).await?,
        viewer,
    )))
}

#[utoipa::path(delete, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let viewer = caller.principal()?;
    let current = state.store.person(&id).await?;
    let grant = access::edit_person(viewer, current.data.organisation_id.as_deref())?;
    state.store.delete_person(&grant, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
