//! Matching over JSON: seeds and firms ranked for a need, and the needs that fit the caller's
//! organisation, each with its reasons.

use super::{NeedOut, need_out};
use crate::AppState;
use crate::api::{OrgRef, ProblemOut};
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use noguchi_domain::matching::Reason;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchOut {
    /// seed or organisation
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub title: String,
    /// The firm, or the seed's holder.
    pub organisation: OrgRef,
    pub score: f32,
    /// Why it was ranked: `shared_terms: …`, `capabilities: …`, `seed_fields: …`, `local_firm`,
    /// `earlier_collaboration: N`.
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchList {
    pub items: Vec<MatchOut>,
}

/// Seeds and firms ranked for a need, each with its reasons.
#[utoipa::path(get, path = "/api/v1/needs/{id}/matches", tag = "needs", params(("id" = String, Path)), responses((status = 200, body = MatchList), (status = 404, body = ProblemOut)))]
pub async fn matches(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MatchList>, AppError> {
    let items = state
        .app
        .need_matches(&caller.sight, &id, 20)
        .await?
        .into_iter()
        .map(|c| MatchOut {
            kind: c.kind.code().into(),
            id: c.id,
            title: c.title,
            organisation: OrgRef {
                id: c.organisation_id,
                name: c.organisation_name,
            },
            score: c.score,
            reasons: c.reasons.iter().map(Reason::to_api).collect(),
        })
        .collect();
    Ok(Json(MatchList { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedMatchOut {
    pub need: NeedOut,
    pub score: f32,
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedMatchList {
    pub items: Vec<NeedMatchOut>,
}

/// Needs the caller may see that fit their organisation's capabilities and seeds, best first.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/needs/for-me", tag = "needs", params(("id" = String, Path)), responses((status = 200, body = NeedMatchList)))]
pub async fn needs_for_me(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<NeedMatchList>, AppError> {
    let items = state
        .app
        .needs_for_me(&caller.sight, &id, 20)
        .await?
        .items
        .into_iter()
        .map(|m| NeedMatchOut {
            need: need_out(m.need),
            score: m.score,
            reasons: m.reasons.iter().map(Reason::to_api).collect(),
        })
        .collect();
    Ok(Json(NeedMatchList { items }))
}
