//! Programmes: the seed's programme and any other loaded from a definition file.

use super::{OrgRef, ProblemOut};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use noguchi_app::records::Programme;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeOut {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub official_name: Option<String>,
    pub name_en: Option<String>,
    pub region: String,
    pub baseline_fiscal_year: i32,
    pub strategies: Vec<StrategyOut>,
    pub members: Vec<MemberOut>,
    pub indicators: Vec<IndicatorDefinitionOut>,
    pub milestones: Vec<MilestoneTargetsOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StrategyOut {
    pub key: String,
    pub title: String,
    pub title_en: Option<String>,
    pub actions: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    pub organisation: OrgRef,
    /// Role codes (`secretariat`, `attraction`, `needs_provider` …).
    pub roles: Vec<String>,
    /// The member's duties as the programme's role table words them.
    pub duties: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorDefinitionOut {
    pub key: String,
    pub label: String,
    pub label_en: Option<String>,
    pub outcome_kinds: Vec<String>,
    pub sum_of: Vec<String>,
    pub measures: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MilestoneTargetsOut {
    pub fiscal_year: i32,
    pub note: Option<String>,
    pub targets: Vec<TargetOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetOut {
    pub indicator: String,
    pub firms: Option<i64>,
    pub jobs: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeList {
    pub items: Vec<ProgrammeOut>,
    pub next_cursor: Option<String>,
}

pub fn out(p: Programme) -> ProgrammeOut {
    let d = p.definition;
    ProgrammeOut {
        id: p.id,
        slug: p.slug,
        name: d.name,
        official_name: d.official_name,
        name_en: d.name_en,
        region: d.region,
        baseline_fiscal_year: d.baseline_fiscal_year,
        strategies: d
            .strategies
            .into_iter()
            .map(|s| StrategyOut {
                key: s.key,
                title: s.title,
                title_en: s.title_en,
                actions: s.actions,
            })
            .collect(),
        members: p
            .members
            .into_iter()
            .map(|m| MemberOut {
                organisation: OrgRef {
                    id: m.organisation_id,
                    name: m.organisation_name,
                },
                roles: m.roles.iter().map(|r| r.code().to_owned()).collect(),
                duties: m.duties,
            })
            .collect(),
        indicators: d
            .indicators
            .into_iter()
            .map(|i| IndicatorDefinitionOut {
                key: i.key,
                label: i.label,
                label_en: i.label_en,
                outcome_kinds: i.outcome_kinds,
                sum_of: i.sum_of,
                measures: i.measures,
            })
            .collect(),
        milestones: d
            .milestones
            .into_iter()
            .map(|m| MilestoneTargetsOut {
                fiscal_year: m.fiscal_year,
                note: m.note,
                targets: m
                    .targets
                    .into_iter()
                    .map(|(k, t)| TargetOut {
                        indicator: k,
                        firms: t.firms,
                        jobs: t.jobs,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Every programme on this installation.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "programmes",
    responses((status = 200, body = ProgrammeList), (status = 401, body = ProblemOut)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ProgrammeList>, AppError> {
    let items = state
        .app
        .programmes(&caller.sight)
        .await?
        .into_iter()
        .map(out)
        .collect();
    Ok(Json(ProgrammeList {
        items,
        next_cursor: None,
    }))
}

/// One programme with its council members and their roles, strategies and KPI targets.
#[utoipa::path(get, path = "/api/v1/programmes/{id}", tag = "programmes",
    params(("id" = String, Path)),
    responses((status = 200, body = ProgrammeOut), (status = 401, body = ProblemOut), (status = 404, body = ProblemOut)))]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ProgrammeOut>, AppError> {
    Ok(Json(out(state.app.programme(&id).await?)))
}
