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
use noguchi_domain::Problem;
use noguchi_domain::access::{self, NeedScope, Principal};
use noguchi_domain::needs::{NeedData, NeedInput, SeedData, SeedInput, screen};
use noguchi_storage::{Need, Seed};
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
    pub created_at: String,
    pub updated_at: String,
}

fn need_out(n: Need, reviewer: bool) -> NeedOut {
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
    let programmes: Vec<String> = state
        .store
        .programmes()
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    Ok(access::audience_of(Some(p), &programmes))
}

fn scope(n: &Need) -> NeedScope<'_> {
    NeedScope {
        programme_id: &n.programme_id,
        submitter_org: &n.submitter_org_id,
        disclosure: n.data.disclosure,
        held: n.held,
        nda_orgs: &n.nda_orgs,
    }
}

/// A need the caller may see; any other is "not found".
pub async fn visible_need(state: &AppState, p: &Principal, id: &str) -> Result<Need, AppError> {
    let n = state.store.need(id).await?;
    if access::may_see_need(&audience(state, p).await?, &scope(&n)) {
        Ok(n)
    } else {
        Err(AppError::NotFound)
    }
}

fn is_reviewer(p: &Principal, n: &Need) -> bool {
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
    let aud = audience(&state, p).await?;
    let items = state
        .store
        .needs(&id)
        .await?
        .into_iter()
        .filter(|n| access::may_see_need(&aud, &scope(n)))
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
    let data = NeedData::parse(&body.into_input()).map_err(AppError::Invalid)?;
    let findings = screen(&data.texts());
    let n = state.store.create_need(&grant, &id, data, findings).await?;
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
        state.store.update_need(&grant, &id, data, findings).await?,
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
        state.store.release_need(&grant, &id).await?,
        true,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NdaIn {
    pub organisation_id: Option<String>,
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
    let org = body
        .organisation_id
        .filter(|o| !o.trim().is_empty())
        .ok_or_else(|| AppError::field("organisation_id", Problem::Required))?;
    Ok(Json(need_out(
        state.store.record_nda(&grant, &id, &org).await?,
        true,
    )))
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
    Path(id): Path<String>,
) -> Result<Json<SeedList>, AppError> {
    Ok(Json(SeedList {
        items: state
            .store
            .seeds(&id)
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
    state.store.programme(&id).await?;
    let mut input = body.into_input();
    if input.holder_organisation_id.is_none() {
        input.holder_organisation_id = Some(p.organisation_id.clone());
    }
    let data = SeedData::parse(&input).map_err(AppError::Invalid)?;
    let grant = access::manage_seed(p, &id, &data.holder_organisation_id)?;
    Ok((
        StatusCode::CREATED,
        Json(seed_out(state.store.create_seed(&grant, &id, data).await?)),
    ))
}

#[utoipa::path(get, path = "/api/v1/seeds/{id}", tag = "needs", params(("id" = String, Path)), responses((status = 200, body = SeedOut), (status = 404, body = ProblemOut)))]
pub async fn show_seed(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SeedOut>, AppError> {
    Ok(Json(seed_out(state.store.seed(&id).await?)))
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
    let s = state.store.seed(&id).await?;
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
        state.store.update_seed(&grant, &id, data).await?,
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
    let p = caller.principal()?;
    let kinds: Vec<String> = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        None => Vec::new(),
        Some(k @ ("need" | "seed" | "organisation")) => vec![k.to_owned()],
        Some(other) => {
            return Err(AppError::field(
                "type",
                Problem::UnknownValue {
                    value: other.to_owned(),
                },
            ));
        }
    };
    crate::indexer::apply_queue(&state)
        .await
        .map_err(|e| AppError::internal("indexing", e))?;
    let aud = audience(&state, p).await?;
    let hits = state
        .search
        .search(
            q.q.as_deref().unwrap_or_default(),
            &kinds,
            &aud,
            q.limit.unwrap_or(20).clamp(1, 100),
        )
        .map_err(|e| AppError::internal("search", e))?;
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
    pub score: f32,
    /// Why it was proposed: shared terms, capability tags, a firm in the region.
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchList {
    pub items: Vec<MatchOut>,
}

/// Seeds and organisations ranked for a need, each with its reasons.
#[utoipa::path(get, path = "/api/v1/needs/{id}/matches", tag = "needs", params(("id" = String, Path)), responses((status = 200, body = MatchList), (status = 404, body = ProblemOut)))]
pub async fn matches(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MatchList>, AppError> {
    let p = caller.principal()?;
    let n = visible_need(&state, p, &id).await?;
    crate::indexer::apply_queue(&state)
        .await
        .map_err(|e| AppError::internal("indexing", e))?;
    let aud = audience(&state, p).await?;
    let text = n.data.texts().join("\n");
    let kinds = vec!["seed".to_owned(), "organisation".to_owned()];
    let ranked = state
        .search
        .search(&text, &kinds, &aud, 20)
        .map_err(|e| AppError::internal("search", e))?;
    let need_terms: Vec<String> = state.search.terms(&text);
    let mut items = Vec::new();
    for h in ranked.items {
        let mut reasons = Vec::new();
        let doc_terms = state.search.terms(&format!("{}\n{}", h.title, h.snippet));
        let shared: Vec<&String> = need_terms
            .iter()
            .filter(|t| doc_terms.contains(t))
            .take(5)
            .collect();
        if !shared.is_empty() {
            reasons.push(format!(
                "shared_terms: {}",
                shared
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if h.kind == "organisation"
            && let Ok(o) = state.store.organisation(&h.id).await
        {
            let tags: Vec<&String> = o
                .data
                .capabilities
                .iter()
                .filter(|c| text.contains(c.as_str()))
                .collect();
            if !tags.is_empty() {
                reasons.push(format!(
                    "capabilities: {}",
                    tags.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            if o.data.in_region {
                reasons.push("local_firm".into());
            }
        }
        items.push(MatchOut {
            kind: h.kind,
            id: h.id,
            title: h.title,
            score: h.score,
            reasons,
        });
    }
    Ok(Json(MatchList { items }))
}
