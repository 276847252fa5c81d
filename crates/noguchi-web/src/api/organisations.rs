//! The organisation directory over JSON.

use super::{JsonBody, ProblemOut, page_limit, parse_json};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_app::directory::{Filter as OrganisationFilter, FilterInput};
use noguchi_domain::dates::format_date;
use noguchi_domain::organisation::{Organisation, OrganisationInput};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipIo {
    /// The body joined, e.g. 福島県医療福祉機器産業協議会.
    pub body: String,
    /// YYYY-MM-DD
    pub joined_on: Option<String>,
}

/// A licence's number and expiry (許可番号・登録番号, 有効期限).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceRecordIo {
    /// marketing_class1/2/3, manufacturing_registration, repair, sales_advanced, sales_controlled
    pub licence: String,
    pub number: Option<String>,
    /// YYYY-MM-DD; past it, the licence no longer counts as held.
    pub expires_on: Option<String>,
}

/// An organisation as read.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationOut {
    pub id: String,
    /// municipality, chamber_of_commerce, university, prefectural_agency, hospital,
    /// technical_centre, foundation, company, industry_council, other
    pub kind: String,
    pub name: String,
    pub name_kana: Option<String>,
    pub name_en: Option<String>,
    /// 法人番号: 13 digits, check digit verified.
    pub corporate_number: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub municipality: Option<String>,
    pub in_region: bool,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub website: Option<String>,
    pub capabilities: Vec<String>,
    pub certifications: Vec<String>,
    /// marketing_class1/2/3, manufacturing_registration, repair, sales_advanced, sales_controlled
    pub licences: Vec<String>,
    /// Numbers and expiry dates of licences held, where recorded.
    pub licence_records: Vec<LicenceRecordIo>,
    pub memberships: Vec<MembershipIo>,
    /// existing_medical, entrant or none
    pub field_status: String,
    pub notes: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// An organisation as written (POST: `name` and `kind` are required; PATCH: any subset, `null`
/// clears a field).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationIn {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub name_kana: Option<String>,
    pub name_en: Option<String>,
    pub corporate_number: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub municipality: Option<String>,
    pub in_region: Option<bool>,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub website: Option<String>,
    pub capabilities: Option<Vec<String>>,
    pub certifications: Option<Vec<String>>,
    pub licences: Option<Vec<String>>,
    /// Recording a licence's number or expiry adds the licence to `licences`.
    pub licence_records: Option<Vec<LicenceRecordIo>>,
    pub memberships: Option<Vec<MembershipIo>>,
    pub field_status: Option<String>,
    pub notes: Option<String>,
}

impl OrganisationIn {
    fn into_input(self) -> OrganisationInput {
        OrganisationInput {
            kind: self.kind,
            name: self.name,
            name_kana: self.name_kana,
            name_en: self.name_en,
            corporate_number: self.corporate_number,
            postal_code: self.postal_code,
            address: self.address,
            municipality: self.municipality,
            in_region: self.in_region,
            industry: self.industry,
            employees: self.employees,
            website: self.website,
            capabilities: self.capabilities.unwrap_or_default(),
            certifications: self.certifications.unwrap_or_default(),
            licences: self.licences.unwrap_or_default(),
            licence_records: self
                .licence_records
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r.licence, r.number, r.expires_on))
                .collect(),
            memberships: self
                .memberships
                .unwrap_or_default()
                .into_iter()
                .map(|m| (m.body, m.joined_on))
                .collect(),
            field_status: self.field_status,
            notes: self.notes,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationList {
    pub items: Vec<OrganisationOut>,
    pub next_cursor: Option<String>,
}

pub fn out(o: Organisation) -> OrganisationOut {
    let d = o.data;
    OrganisationOut {
        id: o.id,
        kind: d.kind.code().into(),
        name: d.name,
        name_kana: d.name_kana.map(|k| k.as_str().into()),
        name_en: d.name_en,
        corporate_number: d.corporate_number.map(|c| c.as_str().into()),
        postal_code: d.postal_code,
        address: d.address,
        municipality: d.municipality,
        in_region: d.in_region,
        industry: d.industry,
        employees: d.employees,
        website: d.website,
        capabilities: d.capabilities,
        certifications: d.certifications,
        licences: d.licences.iter().map(|l| l.code().into()).collect(),
        licence_records: d
            .licence_records
            .iter()
            .map(|r| LicenceRecordIo {
                licence: r.licence.code().into(),
                number: r.number.clone(),
                expires_on: r.expires_on.map(noguchi_domain::dates::format_date),
            })
            .collect(),
        memberships: d
            .memberships
            .into_iter()
            .map(|m| MembershipIo {
                body: m.body,
                joined_on: m.joined_on.map(format_date),
            })
            .collect(),
        field_status: d.field_status.code().into(),
        notes: d.notes,
        created_at: o.created_at,
        updated_at: o.updated_at,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// Name, reading or English name; width and kana folded (けんさ finds ケンサ).
    pub q: Option<String>,
    pub kind: Option<String>,
    pub in_region: Option<bool>,
    /// A capability tag, exactly.
    pub capability: Option<String>,
    pub field_status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

impl ListQuery {
    pub fn filter(&self) -> Result<OrganisationFilter, AppError> {
        Ok(FilterInput {
            q: self.q.clone(),
            kind: self.kind.clone(),
            in_region: self.in_region,
            capability: self.capability.clone(),
            field_status: self.field_status.clone(),
        }
        .parse()?)
    }
}

/// Organisations in 五十音 order of their reading.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", params(ListQuery),
    responses((status = 200, body = OrganisationList), (status = 401, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<OrganisationList>, AppError> {
    let page = state
        .app
        .organisations(
            &caller.sight,
            &q.filter()?,
            q.cursor.as_deref(),
            page_limit(q.limit),
        )
        .await?;
    Ok(Json(OrganisationList {
        items: page.items.into_iter().map(out).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Registers an organisation (secretariat).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = OrganisationIn,
    responses((status = 201, body = OrganisationOut), (status = 401, body = ProblemOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<OrganisationIn>,
) -> Result<impl IntoResponse, AppError> {
    let org = state
        .app
        .create_organisation(&caller.sight, body.into_input().into())
        .await?;
    Ok((StatusCode::CREATED, Json(out(org))))
}

#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations", params(("id" = String, Path)),
    responses((status = 200, body = OrganisationOut), (status = 401, body = ProblemOut), (status = 404, body = ProblemOut)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<OrganisationOut>, AppError> {
    Ok(Json(out(state
        .app
        .organisation(&caller.sight, &id)
        .await?)))
}

/// Changes the given fields (secretariat, or the organisation's own staff).
#[utoipa::path(patch, path = "/api/v1/organisations/{id}", tag = "organisations", params(("id" = String, Path)),
    request_body = OrganisationIn,
    responses((status = 200, body = OrganisationOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<OrganisationOut>, AppError> {
    let current = state.app.organisation(&caller.sight, &id).await?;
    let merged: OrganisationIn = parse_json(merge(&out(current), patch)?.as_bytes())?;
    Ok(Json(out(state
        .app
        .update_organisation(&caller.sight, &id, merged.into_input().into())
        .await?)))
}

/// Overlays a PATCH body on the record's writable fields (read-only fields are refused by name).
pub fn merge<T: Serialize>(current: &T, patch: Map<String, Value>) -> Result<String, AppError> {
    let mut base = serde_json::to_value(current).map_err(|e| AppError::internal("merge", e))?;
    let obj = base.as_object_mut().ok_or(AppError::BadRequest)?;
    for read_only in [
        "id",
        "created_at",
        "updated_at",
        "organisation",
        "contact_visible",
    ] {
        if patch.contains_key(read_only) {
            return Err(AppError::BadField {
                field: read_only.into(),
                unknown: true,
                scope: None,
            });
        }
        obj.remove(read_only);
    }
    obj.extend(patch);
    Ok(base.to_string())
}

/// Deletes an organisation nothing refers to (secretariat).
#[utoipa::path(delete, path = "/api/v1/organisations/{id}", tag = "organisations", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    state.app.delete_organisation(&caller.sight, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
