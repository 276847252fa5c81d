//! NDAs on needs over JSON: recorded and ended by the secretariat, listed for the need's
//! curators.

use super::{NeedOut, need_out};
use crate::AppState;
use crate::api::{JsonBody, OrgRef, ProblemOut};
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use noguchi_app::needs::NdaInput;
use noguchi_app::records::NdaRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NdaIn {
    pub organisation_id: Option<String>,
    /// YYYY-MM-DD, default today; not in the future.
    pub signed_on: Option<String>,
    /// The contract's number or file reference.
    pub document_ref: Option<String>,
}

/// Records a signed NDA: the organisation may then see the NDA-level need (secretariat).
#[utoipa::path(post, path = "/api/v1/needs/{id}/ndas", tag = "needs", params(("id" = String, Path)), request_body = NdaIn,
    responses((status = 200, body = NeedOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn record_nda(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NdaIn>,
) -> Result<Json<NeedOut>, AppError> {
    let input = NdaInput {
        organisation_id: body.organisation_id,
        signed_on: body.signed_on,
        document_ref: body.document_ref,
    };
    Ok(Json(need_out(
        state.app.record_nda(&caller.sight, &id, &input).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NdaOut {
    pub need_id: String,
    pub organisation: OrgRef,
    pub signed_on: String,
    pub document_ref: Option<String>,
    pub recorded_by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NdaList {
    pub items: Vec<NdaOut>,
    pub next_cursor: Option<String>,
}

pub fn nda_out(r: NdaRecord) -> NdaOut {
    NdaOut {
        need_id: r.need_id,
        organisation: OrgRef {
            id: r.organisation_id,
            name: r.organisation_name,
        },
        signed_on: r.signed_on,
        document_ref: r.document_ref,
        recorded_by: r.recorded_by,
    }
}

/// The NDAs signed for a need (its reviewers: the submitter's organisation and the secretariat).
#[utoipa::path(get, path = "/api/v1/needs/{id}/ndas", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = NdaList), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut)))]
pub async fn list_ndas(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<NdaList>, AppError> {
    Ok(Json(NdaList {
        items: state
            .app
            .need_ndas(&caller.sight, &id)
            .await?
            .into_iter()
            .map(nda_out)
            .collect(),
        next_cursor: None,
    }))
}

/// Ends an NDA: the organisation no longer sees the NDA-level need (secretariat).
#[utoipa::path(delete, path = "/api/v1/needs/{id}/ndas/{organisation_id}", tag = "needs",
    params(("id" = String, Path), ("organisation_id" = String, Path)),
    responses((status = 200, body = NeedOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut)))]
pub async fn revoke_nda(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, org)): Path<(String, String)>,
) -> Result<Json<NeedOut>, AppError> {
    Ok(Json(need_out(
        state.app.revoke_nda(&caller.sight, &id, &org).await?,
    )))
}
