//! Search over JSON: needs, seeds, organisations and projects in Japanese, only what the caller
//! may see.

use crate::AppState;
use crate::api::ProblemOut;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchQuery {
    pub q: Option<String>,
    /// need, seed, organisation or project (all when absent)
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitOut {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub title: String,
    pub snippet: String,
    /// Byte ranges of `snippet` that matched.
    pub highlights: Vec<(usize, usize)>,
    pub score: f32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchOut {
    pub items: Vec<SearchHitOut>,
    /// Matches the caller may see (never more).
    pub total: usize,
}

/// Searches needs, seeds, organisations and projects in Japanese, showing only what the caller
/// may see.
#[utoipa::path(get, path = "/api/v1/search", tag = "needs", params(SearchQuery), responses((status = 200, body = SearchOut), (status = 422, body = ProblemOut)))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SearchQuery>,
) -> Result<Json<SearchOut>, AppError> {
    let hits = state
        .app
        .search(
            &caller.sight,
            q.q.as_deref().unwrap_or_default(),
            q.kind.as_deref(),
            q.limit.unwrap_or(20),
        )
        .await?;
    Ok(Json(SearchOut {
        total: hits.total,
        items: hits
            .items
            .into_iter()
            .map(|h| SearchHitOut {
                kind: h.kind,
                id: h.id,
                title: h.title,
                snippet: h.snippet,
                highlights: h.highlights,
                score: h.score,
            })
            .collect(),
    }))
}
