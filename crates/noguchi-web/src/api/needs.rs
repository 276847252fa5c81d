//! Clinical needs, seeds, search and matching over JSON. What a caller may see is decided by
//! the audience tokens of the access policy, the same ones the search index filters on.

use super::{JsonBody, OrgRef, ProblemOut, parse_json};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_domain::Invalid;
use noguchi_domain::access::{self, Principal};
use noguchi_domain::curation::{ScoreInput, ScoreSheet, summarise};
use noguchi_domain::dates::move_date;
use noguchi_domain::matching::Reason;
use noguchi_domain::needs::NeedStatus;
use noguchi_domain::needs::{NeedData, NeedInput, SeedData, SeedInput, screen};
use noguchi_domain::validation::{optional_text, required_text};
use noguchi_storage::{Intake, NdaRecord, Need, Seed};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingOut {
    pub kind: String,
    pub excerpt: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScreeningOut {
    /// Held for review by the submitter's organisation or the secretariat.
    pub held: bool,
    /// What the guard flagged (shown only to those who review it).
    pub findings: Vec<FindingOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedOut {
    pub id: String,
    pub programme_id: String,
    pub submitter: OrgRef,
    pub title: String,
    pub problem: String,
    pub population: Option<String>,
    pub outcome: Option<String>,
    pub department: Option<String>,
    pub setting: Option<String>,
    pub category: Option<String>,
    pub frequency: Option<String>,
    pub workaround: Option<String>,
    /// public, members, nda, internal
    pub disclosure: String,
    /// received, screening, published, matching, project, closed
    pub status: String,
    pub screening: ScreeningOut,
    /// The survey campaign the need came through.
    pub campaign_id: Option<String>,
    /// The submitter confirmed the need names no patient.
    pub attested: bool,
    /// How to reach a survey respondent (reviewers only).
    pub contact: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

pub fn need_out(n: Need, reviewer: bool) -> NeedOut {
    NeedOut {
        id: n.id,
        programme_id: n.programme_id,
        submitter: OrgRef {
            id: n.submitter_org_id,
            name: n.submitter_org_name,
        },
        title: n.data.title,
        problem: n.data.problem,
        population: n.data.population,
        outcome: n.data.outcome,
        department: n.data.department,
        setting: n.data.setting,
        category: n.data.category,
        frequency: n.data.frequency,
        workaround: n.data.workaround,
        disclosure: n.data.disclosure.code().into(),
        status: n.data.status.code().into(),
        screening: ScreeningOut {
            held: n.held,
            findings: if reviewer {
                n.findings
                    .into_iter()
                    .map(|f| FindingOut {
                        kind: f.kind.code().into(),
                        excerpt: f.excerpt,
                    })
                    .collect()
            } else {
                Vec::new()
            },
        },
        campaign_id: n.campaign_id,
        attested: n.attested,
        contact: n.contact.filter(|_| reviewer),
        created_at: n.created_at,
        updated_at: n.updated_at,
    }
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedIn {
    pub title: Option<String>,
    pub problem: Option<String>,
    pub population: Option<String>,
    pub outcome: Option<String>,
    pub department: Option<String>,
    pub setting: Option<String>,
    pub category: Option<String>,
    pub frequency: Option<String>,
    pub workaround: Option<String>,
    pub disclosure: Option<String>,
    pub status: Option<String>,
    /// On submission: the submitter confirms the need names no patient.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attested: Option<bool>,
}

impl NeedIn {
    fn into_input(self) -> NeedInput {
        NeedInput {
            title: self.title,
            problem: self.problem,
            population: self.population,
            outcome: self.outcome,
            department: self.department,
            setting: self.setting,
            category: self.category,
            frequency: self.frequency,
            workaround: self.workaround,
            disclosure: self.disclosure,
            status: self.status,
        }
    }
    fn from_data(d: &NeedData) -> Self {
        Self {
            title: Some(d.title.clone()),
            problem: Some(d.problem.clone()),
            population: d.population.clone(),
            outcome: d.outcome.clone(),
            department: d.department.clone(),
            setting: d.setting.clone(),
            category: d.category.clone(),
            frequency: d.frequency.clone(),
            workaround: d.workaround.clone(),
            disclosure: Some(d.disclosure.code().into()),
            status: Some(d.status.code().into()),
            attested: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedList {
    pub items: Vec<NeedOut>,
    pub next_cursor: Option<String>,
}

/// The caller's audience tokens (what the index and the reads filter on).
pub async fn audience(state: &AppState, p: &Principal) -> Result<Vec<String>, AppError> {
    audience_of(state, Some(p)).await
}

/// Audience tokens of a caller who may be anonymous (public pages).
pub async fn audience_of(state: &AppState, p: Option<&Principal>) -> Result<Vec<String>, AppError> {
    let programmes: Vec<String> = state
        .app
        .store()
        .programmes()
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    Ok(access::audience_of(p, &programmes))
}

/// A need the caller may see; any other is "not found".
pub async fn visible_need(state: &AppState, p: &Principal, id: &str) -> Result<Need, AppError> {
    visible_need_to(state, Some(p), id).await
}

/// Like [`visible_need`], for a caller who may be anonymous.
pub async fn visible_need_to(
    state: &AppState,
    p: Option<&Principal>,
    id: &str,
) -> Result<Need, AppError> {
    let sight = state.app.sight(p).await?;
    Ok(state.app.store().need(&sight, id).await?)
}

/// Needs of a programme the caller may see (all of them through the same policy function).
pub async fn visible_needs(
    state: &AppState,
    p: Option<&Principal>,
    programme_id: &str,
) -> Result<Vec<Need>, AppError> {
    let sight = state.app.sight(p).await?;
    Ok(state.app.store().needs(&sight, programme_id).await?)
}

pub fn is_reviewer(p: &Principal, n: &Need) -> bool {
    access::curate_need(p, &n.programme_id, &n.submitter_org_id).is_ok()
}

/// Needs of the programme the caller may see.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/needs", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = NeedList)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<NeedList>, AppError> {
    let p = caller.principal()?;
    let items = visible_needs(&state, Some(p), &id)
        .await?
        .into_iter()
        .map(|n| {
            let r = is_reviewer(p, &n);
            need_out(n, r)
        });
    Ok(Json(NeedList {
        items: items.collect(),
        next_cursor: None,
    }))
}

/// Submits a need. The guard screens it first: text that looks like patient information holds
/// the need for review instead of publishing it.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/needs", tag = "needs", params(("id" = String, Path)), request_body = NeedIn,
    responses((status = 201, body = NeedOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NeedIn>,
) -> Result<impl IntoResponse, AppError> {
    let grant = access::submit_need(caller.principal()?, &id)?;
    let intake = Intake {
        attested: body.attested.unwrap_or(false),
        ..Intake::default()
    };
    let data = NeedData::parse(&body.into_input()).map_err(AppError::Invalid)?;
    let findings = screen(&data.texts());
    let n = state
        .app
        .store()
        .create_need(&grant, &id, data, findings, &intake)
        .await?;
    Ok((StatusCode::CREATED, Json(need_out(n, true))))
}

#[utoipa::path(get, path = "/api/v1/needs/{id}", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = NeedOut), (status = 404, body = ProblemOut)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<NeedOut>, AppError> {
    let p = caller.principal()?;
    let n = visible_need(&state, p, &id).await?;
    let r = is_reviewer(p, &n);
    Ok(Json(need_out(n, r)))
}

/// Curates a need (submitter's organisation or secretariat): text, status, disclosure.
#[utoipa::path(patch, path = "/api/v1/needs/{id}", tag = "needs", params(("id" = String, Path)), request_body = NeedIn,
    responses((status = 200, body = NeedOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<NeedOut>, AppError> {
    let p = caller.principal()?;
    let n = visible_need(&state, p, &id).await?;
    let grant = access::curate_need(p, &n.programme_id, &n.submitter_org_id)?;
    let merged: NeedIn =
        parse_json(super::organisations::merge(&NeedIn::from_data(&n.data), patch)?.as_bytes())?;
    let data = NeedData::parse(&merged.into_input()).map_err(AppError::Invalid)?;
    let findings = screen(&data.texts());
    Ok(Json(need_out(
        state
            .app
            .store()
            .update_need(&grant, &id, data, findings)
            .await?,
        true,
    )))
}

/// Releases a held need after a reviewer found no patient information in it.
#[utoipa::path(post, path = "/api/v1/needs/{id}/release", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = NeedOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut)))]
pub async fn release(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<NeedOut>, AppError> {
    let p = caller.principal()?;
    let n = visible_need(&state, p, &id).await?;
    let grant = access::curate_need(p, &n.programme_id, &n.submitter_org_id)?;
    Ok(Json(need_out(
        state.app.store().release_need(&grant, &id).await?,
        true,
    )))
}

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
    let p = caller.principal()?;
    let n = visible_need(&state, p, &id).await?;
    let grant = access::record_nda(p, &n.programme_id)?;
    let mut errs = Invalid::default();
    let org = errs.take(
        "organisation_id",
        required_text(body.organisation_id.as_deref(), 64),
    );
    let signed_on = errs.take(
        "signed_on",
        move_date(body.signed_on.as_deref(), state.app.store().now().date()),
    );
    let document_ref = errs
        .take(
            "document_ref",
            optional_text(body.document_ref.as_deref(), 200),
        )
        .flatten();
    let (Some(org), Some(signed_on)) = (org, signed_on) else {
        return Err(AppError::Invalid(errs));
    };
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    Ok(Json(need_out(
        state
            .app
            .store()
            .record_nda(&grant, &id, &org, signed_on, document_ref.as_deref())
            .await?,
        true,
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
    let p = caller.principal()?;
    let n = visible_need(&state, p, &id).await?;
    access::curate_need(p, &n.programme_id, &n.submitter_org_id)?;
    Ok(Json(NdaList {
        items: state
            .app
            .store()
            .ndas(&caller.sight, &n.programme_id, Some(&id))
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
    let p = caller.principal()?;
    let n = visible_need(&state, p, &id).await?;
    let grant = access::record_nda(p, &n.programme_id)?;
    Ok(Json(need_out(
        state.app.store().revoke_nda(&grant, &id, &org).await?,
        true,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    /// received, screening, published, matching, project, closed
    pub status: Option<String>,
    /// Why (required to move back, close early or reopen).
    pub note: Option<String>,
    /// YYYY-MM-DD, default today; not in the future.
    pub date: Option<String>,
}

/// Moves a need along its workflow (受付 → 精査 → 公開 → マッチング中 → プロジェクト化 → 終了).
#[utoipa::path(post, path = "/api/v1/needs/{id}/status", tag = "needs", params(("id" = String, Path)), request_body = StatusIn,
    responses((status = 200, body = NeedOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn move_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<StatusIn>,
) -> Result<Json<NeedOut>, AppError> {
    let p = caller.principal()?;
    let n = visible_need(&state, p, &id).await?;
    let grant = access::curate_need(p, &n.programme_id, &n.submitter_org_id)?;
    let (to, on, note) = parse_move(&state, body.status, body.date, body.note)?;
    Ok(Json(need_out(
        state
            .app
            .store()
            .move_need(&grant, &id, to, on, note.as_deref())
            .await?,
        true,
    )))
}

/// Reads a status move's fields, reporting each bad one by name.
pub fn parse_move(
    state: &AppState,
    status: Option<String>,
    date: Option<String>,
    note: Option<String>,
) -> Result<(NeedStatus, time::Date, Option<String>), AppError> {
    let mut errs = Invalid::default();
    let to = errs.take("status", NeedStatus::parse(status.as_deref().unwrap_or("")));
    let on = errs.take(
        "date",
        move_date(date.as_deref(), state.app.store().now().date()),
    );
    let note = errs
        .take("note", optional_text(note.as_deref(), 2000))
        .flatten();
    match (to, on) {
        (Some(to), Some(on)) if errs.is_empty() => Ok((to, on, note)),
        _ => Err(AppError::Invalid(errs)),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MoveOut {
    pub from: Option<String>,
    pub to: String,
    pub date: String,
    pub note: Option<String>,
    pub by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MoveList {
    pub items: Vec<MoveOut>,
    pub next_cursor: Option<String>,
}

pub fn moves_out(h: Vec<noguchi_storage::StageMove>) -> MoveList {
    MoveList {
        items: h
            .into_iter()
            .map(|m| MoveOut {
                from: m.from_stage,
                to: m.to_stage,
                date: m.moved_on,
                note: m.note,
                by: m.user_name,
            })
            .collect(),
        next_cursor: None,
    }
}

/// The need's status history, oldest first.
#[utoipa::path(get, path = "/api/v1/needs/{id}/history", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = MoveList), (status = 404, body = ProblemOut)))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MoveList>, AppError> {
    let p = caller.principal()?;
    visible_need(&state, p, &id).await?;
    Ok(Json(moves_out(state.app.store().need_history(&id).await?)))
}

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
/// comments. Scores are the reviewers' working data: the secretariat and the scoring roles.
pub async fn score_view(
    state: &AppState,
    p: &Principal,
    n: &Need,
    lang: crate::i18n::Lang,
) -> Result<ScoresOut, AppError> {
    access::score_need(p, &n.programme_id)?;
    let programme = state.app.store().programme(&n.programme_id).await?;
    let criteria = &programme.definition.needs.criteria;
    let scores = state.app.store().need_scores(&n.id).await?;
    let summary = summarise(criteria, &scores.given, lang == crate::i18n::Lang::En);
    Ok(ScoresOut {
        criteria: summary
            .criteria
            .into_iter()
            .map(|c| CriterionOut {
                mine: scores
                    .given
                    .iter()
                    .find(|g| g.reviewer == p.user_id && g.criterion == c.key)
                    .map(|g| g.score),
                key: c.key,
                label: c.label,
                average: c.average,
                reviewers: c.reviewers,
            })
            .collect(),
        overall: summary.overall,
        reviewers: summary.reviewers,
        comments: scores
            .comments
            .into_iter()
            .map(|c| CommentOut {
                by: c.user_name,
                organisation: c.organisation_name,
                comment: c.comment,
                at: c.at,
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/needs/{id}/scores", tag = "needs", params(("id" = String, Path)),
    responses((status = 200, body = ScoresOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut)))]
pub async fn scores(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ScoresOut>, AppError> {
    let p = caller.principal()?;
    let n = visible_need(&state, p, &id).await?;
    Ok(Json(score_view(&state, p, &n, caller.lang).await?))
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
    let p = caller.principal()?;
    let n = visible_need(&state, p, &id).await?;
    let grant = access::score_need(p, &n.programme_id)?;
    let programme = state.app.store().programme(&n.programme_id).await?;
    let input = ScoreInput {
        scores: body
            .scores
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, Some(v.to_string())))
            .collect(),
        comment: body.comment,
    };
    let sheet = ScoreSheet::parse(&input, &programme.definition.needs.criteria)
        .map_err(AppError::Invalid)?;
    state.app.store().score_need(&grant, &id, &sheet).await?;
    Ok(Json(score_view(&state, p, &n, caller.lang).await?))
}

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
            .store()
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
    let p = caller.principal()?;
    state.app.store().programme(&id).await?;
    let mut input = body.into_input();
    if input.holder_organisation_id.is_none() {
        input.holder_organisation_id = Some(p.organisation_id.clone());
    }
    let data = SeedData::parse(&input).map_err(AppError::Invalid)?;
    let grant = access::manage_seed(p, &id, &data.holder_organisation_id)?;
    Ok((
        StatusCode::CREATED,
        Json(seed_out(
            state.app.store().create_seed(&grant, &id, data).await?,
        )),
    ))
}

#[utoipa::path(get, path = "/api/v1/seeds/{id}", tag = "needs", params(("id" = String, Path)), responses((status = 200, body = SeedOut), (status = 404, body = ProblemOut)))]
pub async fn show_seed(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SeedOut>, AppError> {
    Ok(Json(seed_out(
        state.app.store().seed(&caller.sight, &id).await?,
    )))
}

#[utoipa::path(patch, path = "/api/v1/seeds/{id}", tag = "needs", params(("id" = String, Path)), request_body = SeedIn,
    responses((status = 200, body = SeedOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update_seed(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<SeedOut>, AppError> {
    let p = caller.principal()?;
    let s = state.app.store().seed(&caller.sight, &id).await?;
    let grant = access::manage_seed(p, &s.programme_id, &s.data.holder_organisation_id)?;
    let current = SeedIn {
        title: Some(s.data.title.clone()),
        description: Some(s.data.description.clone()),
        holder_organisation_id: Some(s.data.holder_organisation_id.clone()),
        fields: Some(s.data.fields.clone()),
        trl: s.data.trl,
        ip_status: s.data.ip_status.clone(),
    };
    let merged: SeedIn = parse_json(super::organisations::merge(&current, patch)?.as_bytes())?;
    let data = SeedData::parse(&merged.into_input()).map_err(AppError::Invalid)?;
    Ok(Json(seed_out(
        state.app.store().update_seed(&grant, &id, data).await?,
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchQuery {
    pub q: Option<String>,
    /// need, seed or organisation (all when absent)
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

/// Searches needs, seeds and organisations in Japanese, showing only what the caller may see.
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
    let p = caller.principal()?;
    let n = visible_need(&state, p, &id).await?;
    let items = state
        .app
        .candidates(&caller.sight, &n, 20)
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
    let p = caller.principal()?;
    state.app.store().programme(&id).await?;
    let items = state
        .app
        .needs_for(&caller.sight, &id, 20)
        .await?
        .into_iter()
        .map(|m| {
            let r = is_reviewer(p, &m.need);
            NeedMatchOut {
                need: need_out(m.need, r),
                score: m.score,
                reasons: m.reasons.iter().map(Reason::to_api).collect(),
            }
        })
        .collect();
    Ok(Json(NeedMatchList { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedImportRowOut {
    /// The row number in the file (the header is row 1).
    pub row: usize,
    pub ok: bool,
    pub title: Option<String>,
    pub organisation: Option<OrgRef>,
    /// The guard flags this row: it will be stored held for review.
    pub held: bool,
    /// What the guard found (kinds), for the reviewer.
    pub findings: Vec<String>,
    pub errors: Vec<super::FieldErrorOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedImportOut {
    pub dry_run: bool,
    pub valid: usize,
    pub invalid: usize,
    /// Valid rows the guard flags (they are stored held).
    pub held: usize,
    /// Needs written (0 on a dry run, or when any row is invalid: all rows or none).
    pub imported: usize,
    pub rows: Vec<NeedImportRowOut>,
}

/// Checks (and, unless a dry run or any row is invalid, stores) the needs of a sheet.
pub async fn run_need_import(
    state: &AppState,
    grant: &access::Granted<access::permission::SubmitNeed>,
    programme_id: &str,
    checked: Vec<noguchi_app::sheets::rows::CheckedNeed>,
    dry_run: bool,
    tr: crate::i18n::Tr,
) -> Result<(NeedImportOut, StatusCode), AppError> {
    let invalid = checked.iter().filter(|r| r.data.is_err()).count();
    let imported = if dry_run || invalid > 0 {
        0
    } else {
        let rows = checked
            .iter()
            .filter_map(|r| {
                let (data, findings) = r.data.clone().ok()?;
                let intake = Intake {
                    on_behalf_of: r.organisation.as_ref().map(|o| o.id.clone()),
                    ..Intake::default()
                };
                Some((data, findings, intake))
            })
            .collect();
        state
            .app
            .store()
            .import_needs(grant, programme_id, rows)
            .await?
            .len()
    };
    let rows: Vec<NeedImportRowOut> = checked
        .into_iter()
        .map(|r| match r.data {
            Ok((d, findings)) => NeedImportRowOut {
                row: r.row,
                ok: true,
                title: Some(d.title),
                organisation: r.organisation.map(Into::into),
                held: !findings.is_empty(),
                findings: findings.iter().map(|f| f.kind.code().to_owned()).collect(),
                errors: Vec::new(),
            },
            Err(i) => NeedImportRowOut {
                row: r.row,
                ok: false,
                title: None,
                organisation: r.organisation.map(Into::into),
                held: false,
                findings: Vec::new(),
                errors: i
                    .0
                    .iter()
                    .map(|e| super::FieldErrorOut {
                        field: e.field.clone(),
                        message: tr.error(e),
                    })
                    .collect(),
            },
        })
        .collect();
    let status = if invalid > 0 && !dry_run {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        NeedImportOut {
            dry_run,
            valid: rows.len() - invalid,
            invalid,
            held: rows.iter().filter(|r| r.held).count(),
            imported,
            rows,
        },
        status,
    ))
}

/// Imports needs from XLSX or CSV (UTF-8 or Shift_JIS) sent as the body: columns 件名, 課題,
/// 対象・場面, 望む成果, 診療科・部署, 場面, 機器分類, 頻度, 現在の対処, 公開範囲 (default 内部のみ),
/// 状態, 提出団体 (the secretariat only). Every row is screened by the guard; flagged rows are
/// stored held. All rows or none.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/needs/import", tag = "needs", params(("id" = String, Path), crate::api::kpi::ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = NeedImportOut), (status = 403, body = ProblemOut), (status = 422, body = NeedImportOut)))]
pub async fn import_needs(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<crate::api::kpi::ImportQuery>,
    body: axum::body::Bytes,
) -> Result<axum::response::Response, AppError> {
    let grant = access::submit_need(caller.principal()?, &id)?;
    state.app.store().programme(&id).await?;
    let checked =
        noguchi_app::sheets::rows::check_needs(&state.app, &body, |o| grant.covers(Some(o)))
            .await?;
    let (out, status) = run_need_import(
        &state,
        &grant,
        &id,
        checked,
        q.dry_run.unwrap_or(true),
        crate::i18n::Tr(caller.lang),
    )
    .await?;
    Ok((status, Json(out)).into_response())
}
