//! Needs survey campaigns over JSON. The secretariat (and the needs-survey role) runs them; the
//! surveyed organisation sees its own campaigns and their links, to pass them on to its staff.

use super::{JsonBody, OrgRef, ProblemOut, parse_json};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_app::surveys::CampaignView;
use noguchi_domain::dates::format_date;
use noguchi_domain::survey::CampaignInput;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignOut {
    pub id: String,
    pub programme_id: String,
    pub title: String,
    pub description: Option<String>,
    pub organisation: OrgRef,
    pub opens_on: String,
    pub closes_on: Option<String>,
    /// The disclosure level answers start at (public, members, nda, internal).
    pub default_disclosure: String,
    /// Whether the campaign takes answers today.
    pub open: bool,
    /// The path of the form for clinicians without an account (while the link is enabled).
    pub link: Option<String>,
    pub link_enabled: bool,
    /// Needs received through the campaign.
    pub answers: i64,
    pub created_at: String,
}

pub fn campaign_out(v: CampaignView) -> CampaignOut {
    let c = v.campaign;
    CampaignOut {
        open: v.open,
        link: c.link_enabled.then(|| format!("/survey/{}", c.link_token)),
        id: c.id,
        programme_id: c.programme_id,
        title: c.data.title,
        description: c.data.description,
        organisation: OrgRef {
            id: c.data.organisation_id,
            name: c.organisation_name,
        },
        opens_on: format_date(c.data.opens_on),
        closes_on: c.data.closes_on.map(format_date),
        default_disclosure: c.data.default_disclosure.code().into(),
        link_enabled: c.link_enabled,
        answers: c.answers,
        created_at: c.created_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignList {
    pub items: Vec<CampaignOut>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/programmes/{id}/campaigns", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = CampaignList)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CampaignList>, AppError> {
    caller.principal()?;
    Ok(Json(CampaignList {
        items: state
            .app
            .campaigns(&caller.sight, &id)
            .await?
            .into_iter()
            .map(campaign_out)
            .collect(),
        next_cursor: None,
    }))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignIn {
    pub title: Option<String>,
    pub description: Option<String>,
    /// The surveyed organisation (a hospital, a care facility).
    pub organisation_id: Option<String>,
    /// YYYY-MM-DD, default today.
    pub opens_on: Option<String>,
    /// YYYY-MM-DD, the last day answers are taken; open-ended when absent.
    pub closes_on: Option<String>,
    /// public, members, nda or internal (default internal: curated before anyone else sees it).
    pub default_disclosure: Option<String>,
}

impl CampaignIn {
    fn into_input(self) -> CampaignInput {
        CampaignInput {
            title: self.title,
            description: self.description,
            organisation_id: self.organisation_id,
            opens_on: self.opens_on,
            closes_on: self.closes_on,
            default_disclosure: self.default_disclosure,
        }
    }
    fn from_input(i: CampaignInput) -> Self {
        Self {
            title: i.title,
            description: i.description,
            organisation_id: i.organisation_id,
            opens_on: i.opens_on,
            closes_on: i.closes_on,
            default_disclosure: i.default_disclosure,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/programmes/{id}/campaigns", tag = "needs", params(("id" = String, Path)), request_body = CampaignIn,
    responses((status = 201, body = CampaignOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<CampaignIn>,
) -> Result<impl IntoResponse, AppError> {
    let c = state
        .app
        .create_campaign(&caller.sight, &id, body.into_input().into())
        .await?;
    Ok((StatusCode::CREATED, Json(campaign_out(c))))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = CampaignOut), (status = 404, body = ProblemOut)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CampaignOut>, AppError> {
    Ok(Json(campaign_out(
        state.app.campaign(&caller.sight, &id).await?,
    )))
}

#[utoipa::path(patch, path = "/api/v1/campaigns/{id}", tag = "needs", params(("id" = String, Path)), request_body = CampaignIn,
    responses((status = 200, body = CampaignOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<CampaignOut>, AppError> {
    let c = state.app.campaign_to_edit(&caller.sight, &id).await?;
    let current = CampaignIn::from_input(c.campaign.data.to_input());
    let merged: CampaignIn = parse_json(super::organisations::merge(&current, patch)?.as_bytes())?;
    Ok(Json(campaign_out(
        state
            .app
            .update_campaign(&caller.sight, &id, merged.into_input().into())
            .await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkIn {
    /// disable, enable or replace (a new link; the old one stops working)
    pub action: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/link", tag = "needs", params(("id" = String, Path)), request_body = LinkIn,
    responses((status = 200, body = CampaignOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn change_link(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<LinkIn>,
) -> Result<Json<CampaignOut>, AppError> {
    Ok(Json(campaign_out(
        state
            .app
            .change_campaign_link(&caller.sight, &id, body.action.as_deref())
            .await?,
    )))
}
