//! Scores of needs over JSON: the reviewers' working data (the secretariat and the scoring
//! roles), on the programme's named criteria.

use crate::AppState;
use crate::api::{JsonBody, ProblemOut};
use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::Lang;
use axum::Json;
use axum::extract::{Path, State};
use noguchi_app::needs::NeedScoreView;
use noguchi_domain::curation::ScoreInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionOut {
    pub key: String,
    pub label: String,
    /// Mean over the reviewers who scored it (1–5).
    pub average: Option<f64>,
    pub reviewers: usize,
    /// The caller's own score.
    pub mine: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoresOut {
    pub criteria: Vec<CriterionOut>,
    pub overall: Option<f64>,
    pub reviewers: usize,
    pub comments: Vec<CommentOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentOut {
    pub by: Option<String>,
    pub organisation: Option<String>,
    pub comment: String,
    pub at: String,
}

/// Scores of a need as the reviewers see them: averages per criterion, the caller's own, the
/// comments, with the criteria named in the caller's language.
pub fn scores_out(s: NeedScoreView, lang: Lang) -> ScoresOut {
    ScoresOut {
        criteria: s
            .criteria
            .into_iter()
            .map(|c| CriterionOut {
                label: match (lang, c.label_en) {
                    (Lang::En, Some(en)) => en,
                    _ => c.label,
                },
                key: c.key,
                average: c.average,
                reviewers: c.reviewers,
                mine: c.mine,
            })
            .collect(),
        overall: s.overall,
        reviewers: s.reviewers,
        comments: s
            .comments
            .into_iter()
            .map(|c| CommentOut {
                by: c.user_name,
                organisation: c.organisation_name,
                comment: c.comment,
                at: c.at,
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/needs/{id}/scores", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = ScoresOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut)))]
pub async fn scores(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ScoresOut>, AppError> {
    let s = state.app.need_scores(&caller.sight, &id).await?;
    Ok(Json(scores_out(s, caller.lang)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoresIn {
    /// Criterion key → score 1–5 (the programme's criteria; see GET …/scores).
    pub scores: Option<std::collections::BTreeMap<String, i64>>,
    pub comment: Option<String>,
}

/// Records the caller's scores of a need on the programme's named criteria (replacing theirs).
#[utoipa::path(post, path = "/api/v1/needs/{id}/scores", tag = "needs", params(("id" = String, Path)), request_body = ScoresIn,
    responses((status = 200, body = ScoresOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn score(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ScoresIn>,
) -> Result<Json<ScoresOut>, AppError> {
    let input = ScoreInput {
        scores: body
            .scores
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, Some(v.to_string())))
            .collect(),
        comment: body.comment,
    };
    let s = state.app.score_need(&caller.sight, &id, &input).await?;
    Ok(Json(scores_out(s, caller.lang)))
}
