//! Clinical needs pages: the catalogue (list and status board, also the public teaser list for
//! visitors without an account), the need with its curation (status, scores, NDAs), its match
//! candidates and proposals, the submission and edit forms, the export, "needs for me" and the
//! NDA register. Every list reads through the same visibility as the API (`visible_needs`).

use crate::AppState;
use crate::api::needs::{ScoresOut, is_reviewer, score_view, visible_need_to, visible_needs};
use crate::api::proposals::visible_proposals;
use crate::auth::{Caller, url_escape};
use crate::download::{Cell, table_response};
use crate::error::AppError;
use crate::forms::{Choice, Field, FormData};
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use crate::pages::pipelines::{MoveLine, messages, move_lines, organisation_choices};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::matching::Candidate;
use noguchi_domain::access::{self, Principal};
use noguchi_domain::curation::{MAX_SCORE, MIN_SCORE, STATUS_ORDER, ScoreInput, ScoreSheet};
use noguchi_domain::dates::format_date;
use noguchi_domain::dates::move_date;
use noguchi_domain::matching::{ProposalData, ProposalInput, Reason};
use noguchi_domain::needs::{Disclosure, NeedData, NeedInput, NeedStatus, screen};
use noguchi_domain::survey::{FREQUENCIES, SETTINGS};
use noguchi_domain::validation::optional_text;
use noguchi_domain::{Invalid, Problem};
use noguchi_storage::{Campaign, Intake, NdaRecord, Need, Programme, Proposal};
use serde::Deserialize;

/// A need as a row of the list or a card of the board.
pub struct NeedLine {
    pub href: String,
    pub title: String,
    pub submitter: String,
    pub status: String,
    pub status_code: String,
    pub disclosure: String,
    pub department: String,
    pub setting: String,
    pub held: bool,
    pub created: String,
    /// The problem, shortened (the public teaser).
    pub teaser: String,
}

fn teaser(text: &str) -> String {
    let mut t: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        t.push('…');
    }
    t
}

pub fn need_line(tr: Tr, n: &Need) -> NeedLine {
    NeedLine {
        href: format!("/needs/{}", n.id),
        title: n.data.title.clone(),
        submitter: n.submitter_org_name.clone(),
        status: tr.code("need-status", n.data.status.code()),
        status_code: n.data.status.code().into(),
        disclosure: tr.code("disclosure", n.data.disclosure.code()),
        department: n.data.department.clone().unwrap_or_default(),
        setting: n.data.setting.clone().unwrap_or_default(),
        held: n.held,
        created: n.created_at.get(..10).unwrap_or_default().to_owned(),
        teaser: teaser(&n.data.problem),
    }
}

pub struct StatusColumn {
    pub code: String,
    pub label: String,
    pub cards: Vec<NeedLine>,
}

#[derive(Template)]
#[template(path = "needs.html")]
struct ListPage {
    ctx: Ctx,
    programme: Programme,
    board: bool,
    rows: Vec<NeedLine>,
    columns: Vec<StatusColumn>,
    statuses: Vec<Choice>,
    disclosures: Vec<Choice>,
    campaigns: Vec<Choice>,
    department: String,
    total: usize,
    can_submit: bool,
    can_campaigns: bool,
    is_secretariat: bool,
    /// The query string of the current filters (for the export links).
    filter_query: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    view: Option<String>,
    status: Option<String>,
    disclosure: Option<String>,
    department: Option<String>,
    campaign: Option<String>,
    flash: Option<String>,
}

impl ListQuery {
    fn keeps(&self, n: &Need) -> bool {
        let is = |v: &Option<String>, actual: &str| {
            v.as_deref()
                .filter(|s| !s.is_empty())
                .is_none_or(|s| s == actual)
        };
        is(&self.status, n.data.status.code())
            && is(&self.disclosure, n.data.disclosure.code())
            && self
                .department
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .is_none_or(|d| n.data.department.as_deref().is_some_and(|x| x.contains(d)))
            && is(&self.campaign, n.campaign_id.as_deref().unwrap_or_default())
    }
    fn query_string(&self) -> String {
        [
            ("status", &self.status),
            ("disclosure", &self.disclosure),
            ("department", &self.department),
            ("campaign", &self.campaign),
        ]
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|s| !s.is_empty())
                .map(|v| format!("&{k}={}", url_escape(v)))
        })
        .collect()
    }
}

fn choices<T: Copy>(
    tr: Tr,
    all: &[T],
    code: fn(T) -> &'static str,
    prefix: &str,
    selected: Option<&str>,
) -> Vec<Choice> {
    all.iter()
        .map(|x| Choice {
            value: code(*x).into(),
            label: tr.code(prefix, code(*x)),
            selected: selected == Some(code(*x)),
        })
        .collect()
}

/// The needs of a programme the caller may see: a list or a status board; visitors without an
/// account see the public needs only.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let programme = state.app.store().programme(&id).await?;
    let p = caller.principal.as_ref();
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/needs")).with_flash(q.flash.as_deref());
    let tr = ctx.tr;
    let needs: Vec<Need> = visible_needs(&state, p, &id)
        .await?
        .into_iter()
        .filter(|n| q.keeps(n))
        .collect();
    let board = p.is_some() && q.view.as_deref() == Some("board");
    let lines: Vec<NeedLine> = needs.iter().map(|n| need_line(tr, n)).collect();
    let campaigns = match p {
        Some(p) => state
            .app
            .store()
            .campaigns(&caller.sight, &id)
            .await?
            .into_iter()
            .filter(|c| crate::api::surveys::may_see_campaign(p, c))
            .map(|c| Choice {
                selected: q.campaign.as_deref() == Some(c.id.as_str()),
                value: c.id,
                label: c.data.title,
            })
            .collect(),
        None => Vec::new(),
    };
    let (rows, columns) = if board {
        let mut cols: Vec<StatusColumn> = STATUS_ORDER
            .iter()
            .map(|s| StatusColumn {
                code: s.code().into(),
                label: tr.code("need-status", s.code()),
                cards: Vec::new(),
            })
            .collect();
        for l in lines {
            if let Some(c) = cols.iter_mut().find(|c| c.code == l.status_code) {
                c.cards.push(l);
            }
        }
        (Vec::new(), cols)
    } else {
        (lines, Vec::new())
    };
    let page = ListPage {
        total: needs.len(),
        board,
        rows,
        columns,
        statuses: choices(
            tr,
            NeedStatus::ALL,
            NeedStatus::code,
            "need-status",
            q.status.as_deref(),
        ),
        disclosures: choices(
            tr,
            Disclosure::ALL,
            Disclosure::code,
            "disclosure",
            q.disclosure.as_deref(),
        ),
        campaigns,
        department: q.department.clone().unwrap_or_default(),
        can_submit: p.is_some_and(|p| access::submit_need(p, &id).is_ok()),
        can_campaigns: p.is_some_and(|p| access::manage_campaigns(p, &id).is_ok()),
        is_secretariat: p.is_some_and(|p| p.is_secretariat_of(&id)),
        filter_query: q.query_string(),
        programme,
        ctx,
    };
    Ok(render(&page))
}

/// The visible needs as XLSX or CSV, with the list's filters.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
    Query(f): Query<FormatQuery>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    state.app.store().programme(&id).await?;
    let tr = Tr(caller.lang);
    let needs: Vec<Need> = visible_needs(&state, Some(p), &id)
        .await?
        .into_iter()
        .filter(|n| q.keeps(n))
        .collect();
    let header: Vec<String> = [
        "field-title",
        "field-status",
        "need-disclosure",
        "need-submitter",
        "field-department",
        "field-setting",
        "field-category",
        "field-frequency",
        "need-problem",
        "need-population",
        "need-outcome",
        "need-workaround",
        "needs-held-col",
        "field-created_at",
        "needs-link-col",
    ]
    .iter()
    .map(|k| tr.t(k))
    .collect();
    let rows: Vec<Vec<Cell>> = needs
        .iter()
        .map(|n| {
            let t = |v: &Option<String>| Cell::Text(v.clone().unwrap_or_default());
            vec![
                Cell::Text(n.data.title.clone()),
                Cell::Text(tr.code("need-status", n.data.status.code())),
                Cell::Text(tr.code("disclosure", n.data.disclosure.code())),
                Cell::Text(n.submitter_org_name.clone()),
                t(&n.data.department),
                t(&n.data.setting),
                t(&n.data.category),
                t(&n.data.frequency),
                Cell::Text(n.data.problem.clone()),
                t(&n.data.population),
                t(&n.data.outcome),
                t(&n.data.workaround),
                Cell::Text(if n.held { tr.t("yes") } else { String::new() }),
                Cell::Text(n.created_at.get(..10).unwrap_or_default().to_owned()),
                Cell::Text(format!("/needs/{}", n.id)),
            ]
        })
        .collect();
    table_response(&header, &rows, f.format.as_deref(), "needs")
}

#[derive(Deserialize)]
pub struct FormatQuery {
    format: Option<String>,
}

pub struct ScoreRow {
    pub key: String,
    pub label: String,
    pub average: String,
    pub reviewers: usize,
    pub mine: String,
}

pub struct CandidateLine {
    pub kind: String,
    pub kind_code: String,
    pub id: String,
    pub href: String,
    pub title: String,
    pub organisation: String,
    pub score: String,
    pub reasons: Vec<String>,
    pub proposed: bool,
}

pub struct ProposalLine {
    pub href: String,
    pub candidate: String,
    pub organisation: String,
    pub status: String,
    pub date: String,
}

pub fn reason_text(tr: Tr, r: &Reason) -> String {
    let key = format!("reason-{}", r.code());
    let d = r.detail();
    if d.is_empty() {
        tr.t(&key)
    } else {
        tr.t1(&key, "detail", &d)
    }
}

#[derive(Template)]
#[template(path = "need.html")]
struct NeedPage {
    ctx: Ctx,
    need: Need,
    disclosure: String,
    status: String,
    campaign: Option<Campaign>,
    /// Curators: the submitter's organisation and the secretariat.
    reviewer: bool,
    can_record_nda: bool,
    can_propose: bool,
    signed_in: bool,
    statuses: Vec<Choice>,
    history: Vec<MoveLine>,
    scores: Option<ScoresOut>,
    score_rows: Vec<ScoreRow>,
    score_range: Vec<String>,
    overall: String,
    ndas: Vec<NdaRecord>,
    nda_orgs: Vec<Choice>,
    candidates: Vec<CandidateLine>,
    proposals: Vec<ProposalLine>,
    error: Option<String>,
    today: String,
}

fn score_rows(s: &ScoresOut) -> Vec<ScoreRow> {
    s.criteria
        .iter()
        .map(|c| ScoreRow {
            key: c.key.clone(),
            label: c.label.clone(),
            average: c.average.map(|a| format!("{a:.1}")).unwrap_or_default(),
            reviewers: c.reviewers,
            mine: c.mine.map(|m| m.to_string()).unwrap_or_default(),
        })
        .collect()
}

fn candidate_lines(tr: Tr, cands: Vec<Candidate>, proposals: &[Proposal]) -> Vec<CandidateLine> {
    cands
        .into_iter()
        .map(|c| CandidateLine {
            kind: tr.code("search-kind", c.kind.code()),
            kind_code: c.kind.code().into(),
            href: match c.kind {
                noguchi_domain::matching::CandidateKind::Seed => format!("/seeds/{}", c.id),
                noguchi_domain::matching::CandidateKind::Organisation => {
                    format!("/organisations/{}", c.id)
                }
            },
            proposed: proposals.iter().any(|x| {
                x.candidate_id == c.id
                    && x.status != noguchi_domain::matching::ProposalStatus::Declined
            }),
            id: c.id,
            title: c.title,
            organisation: c.organisation_name,
            score: format!("{:.2}", c.score),
            reasons: c.reasons.iter().map(|r| reason_text(tr, r)).collect(),
        })
        .collect()
}

async fn need_page(
    state: &AppState,
    caller: &Caller,
    id: &str,
    flash: Option<&str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let p = caller.principal.as_ref();
    let need = match visible_need_to(state, p, id).await {
        Ok(n) => n,
        // A visitor without an account is sent to sign in, whether or not the need exists:
        // the answer is the same for a confidential need and for none.
        Err(AppError::NotFound) if p.is_none() => {
            return Ok(Redirect::to(&format!(
                "/login?next={}",
                url_escape(&format!("/needs/{id}"))
            ))
            .into_response());
        }
        Err(e) => return Err(e),
    };
    let ctx = Ctx::new(caller, &format!("/needs/{id}")).with_flash(flash);
    let tr = ctx.tr;
    let today = state.app.store().now().date();
    let reviewer = p.is_some_and(|p| is_reviewer(p, &need));
    let mut page = NeedPage {
        disclosure: tr.code("disclosure", need.data.disclosure.code()),
        status: tr.code("need-status", need.data.status.code()),
        campaign: None,
        reviewer,
        can_record_nda: p.is_some_and(|p| access::record_nda(p, &need.programme_id).is_ok()),
        can_propose: p.is_some_and(|p| access::propose_match(p, &need.programme_id).is_ok()),
        signed_in: p.is_some(),
        statuses: Vec::new(),
        history: Vec::new(),
        scores: None,
        score_rows: Vec::new(),
        score_range: (MIN_SCORE..=MAX_SCORE).map(|n| n.to_string()).collect(),
        overall: String::new(),
        ndas: Vec::new(),
        nda_orgs: Vec::new(),
        candidates: Vec::new(),
        proposals: Vec::new(),
        error,
        today: format_date(today),
        need: need.clone(),
        ctx,
    };
    let Some(p) = p else {
        return Ok(render(&page));
    };
    if let Some(c) = &need.campaign_id
        && let Ok(c) = state.app.store().campaign(&caller.sight, c).await
        && crate::api::surveys::may_see_campaign(p, &c)
    {
        page.campaign = Some(c);
    }
    if reviewer {
        page.statuses = STATUS_ORDER
            .iter()
            .filter(|s| **s != need.data.status)
            .map(|s| Choice {
                value: s.code().into(),
                label: tr.code("need-status", s.code()),
                selected: false,
            })
            .collect();
        page.history = move_lines(tr, state.app.store().need_history(id).await?);
        page.ndas = state
            .app
            .store()
            .ndas(&caller.sight, &need.programme_id, Some(id))
            .await?;
    }
    if page.can_record_nda {
        page.nda_orgs = organisation_choices(state, &[]).await?;
    }
    if let Ok(s) = score_view(state, p, &need, caller.lang).await {
        page.score_rows = score_rows(&s);
        page.overall = s.overall.map(|o| format!("{o:.2}")).unwrap_or_default();
        page.scores = Some(s);
    }
    let proposals = visible_proposals(state, p, &need.programme_id, Some(id)).await?;
    page.proposals = proposals
        .iter()
        .map(|x| ProposalLine {
            href: format!("/proposals/{}", x.id),
            candidate: x.candidate_label.clone(),
            organisation: x.candidate_org_name.clone(),
            status: tr.code("proposal-status", x.status.code()),
            date: format_date(x.status_on),
        })
        .collect();
    // Candidates are for those who work on the need: its curators and the coordinators.
    if reviewer || page.can_propose || page.scores.is_some() {
        let cands = state
            .app
            .candidates(&state.app.sight(Some(p)).await?, &need, 10)
            .await?;
        page.candidates = candidate_lines(tr, cands, &proposals);
    }
    let failed = page.error.is_some();
    let mut r = render(&page);
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

pub async fn need(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    need_page(&state, &caller, &id, q.flash.as_deref(), None).await
}

/// Runs an action on a need; a refused input re-renders the need page with the messages.
async fn after(
    state: &AppState,
    caller: &Caller,
    id: &str,
    result: Result<(), AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/needs/{id}?flash=org-updated")).into_response()),
        Err(AppError::Invalid(i)) => {
            need_page(state, caller, id, None, Some(messages(Tr(caller.lang), &i))).await
        }
        Err(e) => Err(e),
    }
}

async fn curated(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<
    (
        Need,
        noguchi_domain::access::Granted<access::permission::CurateNeed>,
    ),
    AppError,
> {
    let p = caller.principal()?;
    let n = visible_need_to(state, Some(p), id).await?;
    let grant = access::curate_need(p, &n.programme_id, &n.submitter_org_id)?;
    Ok((n, grant))
}

pub async fn move_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let (_, grant) = curated(&state, &caller, &id).await?;
    let result = match crate::api::needs::parse_move(
        &state,
        form.get("status"),
        form.get("date"),
        form.get("note"),
    ) {
        Ok((to, on, note)) => state
            .app
            .store()
            .move_need(&grant, &id, to, on, note.as_deref())
            .await
            .map(|_| ())
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    after(&state, &caller, &id, result).await
}

pub async fn release(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (_, grant) = curated(&state, &caller, &id).await?;
    state.app.store().release_need(&grant, &id).await?;
    Ok(Redirect::to(&format!("/needs/{id}?flash=need-released")).into_response())
}

pub async fn score(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let n = visible_need_to(&state, Some(p), &id).await?;
    let grant = access::score_need(p, &n.programme_id)?;
    let programme = state.app.store().programme(&n.programme_id).await?;
    let criteria = &programme.definition.needs.criteria;
    let input = ScoreInput {
        scores: criteria
            .iter()
            .map(|c| (c.key.clone(), form.get(&format!("scores.{}", c.key))))
            .collect(),
        comment: form.get("comment"),
    };
    let result = match ScoreSheet::parse(&input, criteria) {
        Ok(sheet) => state
            .app
            .store()
            .score_need(&grant, &id, &sheet)
            .await
            .map_err(AppError::from),
        Err(i) => Err(AppError::Invalid(i)),
    };
    after(&state, &caller, &id, result).await
}

pub async fn record_nda(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let n = visible_need_to(&state, Some(p), &id).await?;
    let grant = access::record_nda(p, &n.programme_id)?;
    let mut errs = Invalid::default();
    let org = form.get("organisation_id").filter(|o| !o.trim().is_empty());
    if org.is_none() {
        errs.push("organisation_id", Problem::Required);
    }
    let on = errs.take(
        "signed_on",
        move_date(
            form.get("signed_on").as_deref(),
            state.app.store().now().date(),
        ),
    );
    let doc = errs
        .take(
            "document_ref",
            optional_text(form.get("document_ref").as_deref(), 200),
        )
        .flatten();
    let result = match (org, on) {
        (Some(org), Some(on)) if errs.is_empty() => state
            .app
            .store()
            .record_nda(&grant, &id, &org, on, doc.as_deref())
            .await
            .map(|_| ())
            .map_err(AppError::from),
        _ => Err(AppError::Invalid(errs)),
    };
    after(&state, &caller, &id, result).await
}

pub async fn revoke_nda(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, org)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let n = visible_need_to(&state, Some(p), &id).await?;
    let grant = access::record_nda(p, &n.programme_id)?;
    state.app.store().revoke_nda(&grant, &id, &org).await?;
    Ok(Redirect::to(&format!("/needs/{id}?flash=org-updated")).into_response())
}

pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let need = visible_need_to(&state, Some(p), &id).await?;
    let grant = access::propose_match(p, &need.programme_id)?;
    let data = match ProposalData::parse(&ProposalInput {
        candidate_type: form.get("candidate_type"),
        candidate_id: form.get("candidate_id"),
        summary: form.get("summary"),
    }) {
        Ok(d) => d,
        Err(i) => return after(&state, &caller, &id, Err(AppError::Invalid(i))).await,
    };
    let explanation =
        crate::api::proposals::explanation_of(&state, p, &need, &data.candidate_id).await?;
    match state
        .app
        .store()
        .create_proposal(&grant, &id, data, explanation)
        .await
    {
        Ok(x) => {
            Ok(Redirect::to(&format!("/proposals/{}?flash=org-created", x.id)).into_response())
        }
        Err(e) => after(&state, &caller, &id, Err(e.into())).await,
    }
}

fn read_need(form: &FormData) -> NeedInput {
    NeedInput {
        title: form.get("title"),
        problem: form.get("problem"),
        population: form.get("population"),
        outcome: form.get("outcome"),
        department: form.get("department"),
        setting: form.get("setting"),
        category: form.get("category"),
        frequency: form.get("frequency"),
        workaround: form.get("workaround"),
        disclosure: form.get("disclosure"),
        status: form.get("status"),
    }
}

/// Choices of a fixed list; a value typed elsewhere (API, import) stays selectable.
fn pick(options: &[&str], current: &str) -> Vec<Choice> {
    let mut out: Vec<Choice> = options
        .iter()
        .map(|o| Choice {
            value: (*o).into(),
            label: (*o).into(),
            selected: *o == current,
        })
        .collect();
    if !current.is_empty() && !options.contains(&current) {
        out.push(Choice {
            value: current.into(),
            label: current.into(),
            selected: true,
        });
    }
    out
}

/// The fields of the need form, shared by the member form and (without disclosure) the survey.
/// Labels are the need's own (`field-need-title`: 件名, where a person's title is 役職).
pub fn need_fields(tr: Tr, input: &NeedInput, with_disclosure: bool) -> Vec<Field> {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let f = |name: &'static str, kind: &'static str, value: String| {
        Field::new(tr, name, kind, value).labelled(tr.field_in(Some("need"), name))
    };
    let mut fields = vec![
        f("title", "text", s(&input.title)).help(tr.t("need-title-help")),
        f("problem", "textarea", s(&input.problem))
            .required()
            .help(tr.t("need-problem-help")),
        f("population", "text", s(&input.population)).help(tr.t("need-population-help")),
        f("outcome", "textarea", s(&input.outcome)).help(tr.t("need-outcome-help")),
        f("department", "text", s(&input.department)),
        f("setting", "select", s(&input.setting)).choices(pick(SETTINGS, &s(&input.setting))),
        f("category", "text", s(&input.category)).help(tr.t("need-category-help")),
        f("frequency", "select", s(&input.frequency))
            .choices(pick(FREQUENCIES, &s(&input.frequency))),
        f("workaround", "textarea", s(&input.workaround)),
    ];
    if with_disclosure {
        let current = input.disclosure.clone().unwrap_or_else(|| "members".into());
        fields.push(
            f("disclosure", "select", current.clone())
                .required()
                .choices(choices(
                    tr,
                    Disclosure::ALL,
                    Disclosure::code,
                    "disclosure",
                    Some(&current),
                ))
                .help(tr.t("need-disclosure-help")),
        );
    }
    fields
}

fn form_page(
    caller: &Caller,
    title: String,
    action: String,
    cancel: String,
    fields: Vec<Field>,
    invalid: Option<&Invalid>,
) -> Response {
    let ctx = Ctx::new(caller, &action);
    crate::pages::render_form(ctx, title, action, cancel, fields, invalid)
}

fn new_need_fields(tr: Tr, input: &NeedInput, attested: bool) -> Vec<Field> {
    let mut f = need_fields(tr, input, true);
    f.push(
        Field::new(tr, "attestation", "checkbox", "")
            .labelled(tr.field("attestation"))
            .checked(attested),
    );
    f
}

pub async fn new_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    access::submit_need(caller.principal()?, &id)?;
    state.app.store().programme(&id).await?;
    let tr = Tr(caller.lang);
    Ok(form_page(
        &caller,
        tr.t("need-new"),
        format!("/programmes/{id}/needs"),
        format!("/programmes/{id}/needs"),
        new_need_fields(tr, &NeedInput::default(), false),
        None,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let grant = access::submit_need(caller.principal()?, &id)?;
    let tr = Tr(caller.lang);
    let mut input = read_need(&form);
    input.status = None;
    let attested = form.checked("attestation");
    let mut extra = Invalid::default();
    if !attested {
        extra.push("attestation", Problem::NotConfirmed);
    }
    let action = format!("/programmes/{id}/needs");
    match noguchi_domain::validation::combine(NeedData::parse(&input), extra) {
        Ok(data) => {
            let findings = screen(&data.texts());
            let intake = Intake {
                attested,
                ..Intake::default()
            };
            let n = state
                .app
                .store()
                .create_need(&grant, &id, data, findings, &intake)
                .await?;
            let flash = if n.held {
                "need-held-flash"
            } else {
                "org-created"
            };
            Ok(Redirect::to(&format!("/needs/{}?flash={flash}", n.id)).into_response())
        }
        Err(i) => Ok(form_page(
            &caller,
            tr.t("need-new"),
            action.clone(),
            action,
            new_need_fields(tr, &input, attested),
            Some(&i),
        )),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (n, _) = curated(&state, &caller, &id).await?;
    let tr = Tr(caller.lang);
    let input = NeedInput {
        title: Some(n.data.title.clone()),
        problem: Some(n.data.problem.clone()),
        population: n.data.population.clone(),
        outcome: n.data.outcome.clone(),
        department: n.data.department.clone(),
        setting: n.data.setting.clone(),
        category: n.data.category.clone(),
        frequency: n.data.frequency.clone(),
        workaround: n.data.workaround.clone(),
        disclosure: Some(n.data.disclosure.code().into()),
        status: None,
    };
    Ok(form_page(
        &caller,
        tr.t("need-edit"),
        format!("/needs/{id}"),
        format!("/needs/{id}"),
        need_fields(tr, &input, true),
        None,
    ))
}

/// Saves an edit. The status is changed on the need page (with its date and note), not here;
/// the guard screens the new text, and a need it flags is held again.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let (n, grant) = curated(&state, &caller, &id).await?;
    let tr = Tr(caller.lang);
    let mut input = read_need(&form);
    input.status = Some(n.data.status.code().into());
    match NeedData::parse(&input) {
        Ok(data) => {
            let findings = screen(&data.texts());
            let after = state
                .app
                .store()
                .update_need(&grant, &id, data, findings)
                .await?;
            let flash = if after.held && !n.held {
                "need-held-flash"
            } else {
                "org-updated"
            };
            Ok(Redirect::to(&format!("/needs/{id}?flash={flash}")).into_response())
        }
        Err(i) => Ok(form_page(
            &caller,
            tr.t("need-edit"),
            format!("/needs/{id}"),
            format!("/needs/{id}"),
            need_fields(tr, &input, true),
            Some(&i),
        )),
    }
}

pub struct ForMeLine {
    pub need: NeedLine,
    pub reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "needs_for_me.html")]
struct ForMePage {
    ctx: Ctx,
    programme: Programme,
    lines: Vec<ForMeLine>,
    offer_empty: bool,
    organisation_id: String,
}

/// Needs the caller may see that fit their organisation (capabilities, seeds), with reasons.
pub async fn for_me(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p: &Principal = caller.principal()?;
    let programme = state.app.store().programme(&id).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/needs/for-me"));
    let tr = ctx.tr;
    let (offer, _) = state
        .app
        .offer_text(&caller.sight, &id, &p.organisation_id)
        .await?;
    let lines = state
        .app
        .needs_for(&caller.sight, &id, 30)
        .await?
        .into_iter()
        .map(|m| ForMeLine {
            need: need_line(tr, &m.need),
            reasons: m.reasons.iter().map(|r| reason_text(tr, r)).collect(),
        })
        .collect();
    Ok(render(&ForMePage {
        ctx,
        programme,
        lines,
        offer_empty: offer.trim().is_empty(),
        organisation_id: p.organisation_id.clone(),
    }))
}

#[derive(Template)]
#[template(path = "ndas.html")]
struct NdaPage {
    ctx: Ctx,
    programme: Programme,
    ndas: Vec<NdaRecord>,
}

/// Every NDA of the programme: the secretariat's register.
pub async fn nda_register(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    access::record_nda(p, &id)?;
    let programme = state.app.store().programme(&id).await?;
    Ok(render(&NdaPage {
        ctx: Ctx::new(&caller, &format!("/programmes/{id}/ndas")),
        ndas: state.app.store().ndas(&caller.sight, &id, None).await?,
        programme,
    }))
}

/// Counts of the needs the caller may see, per status (programme home).
pub async fn status_counts(
    state: &AppState,
    p: &Principal,
    programme_id: &str,
    tr: Tr,
) -> Result<Vec<(String, usize)>, AppError> {
    let needs = visible_needs(state, Some(p), programme_id).await?;
    Ok(STATUS_ORDER
        .iter()
        .map(|s| {
            (
                tr.code("need-status", s.code()),
                needs.iter().filter(|n| n.data.status == *s).count(),
            )
        })
        .collect())
}

#[derive(Template)]
#[template(path = "needs_import.html")]
struct ImportPage {
    ctx: Ctx,
    programme: Programme,
    report: Option<crate::api::needs::NeedImportOut>,
    csv: String,
    error: Option<String>,
}

pub async fn import_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    access::submit_need(caller.principal()?, &id)?;
    let programme = state.app.store().programme(&id).await?;
    Ok(render(&ImportPage {
        ctx: Ctx::new(&caller, &format!("/programmes/{id}/needs/import")),
        programme,
        report: None,
        csv: String::new(),
        error: None,
    }))
}

/// Dry run of an uploaded needs sheet (every row checked and screened), then the confirmed
/// import of the very rows that were checked (all or none).
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    let grant = access::submit_need(caller.principal()?, &id)?;
    let programme = state.app.store().programme(&id).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/needs/import"));
    let tr = ctx.tr;
    let (bytes, confirm) = crate::pages::kpi::read_upload(req, &state).await?;
    let checked =
        match noguchi_app::sheets::rows::check_needs(&state.app, &bytes, |o| grant.covers(Some(o)))
            .await
        {
            Ok(c) => c,
            Err(noguchi_app::Error::Invalid(_)) => {
                let mut r = render(&ImportPage {
                    error: Some(tr.t("needs-import-unreadable")),
                    ctx,
                    programme,
                    report: None,
                    csv: String::new(),
                });
                *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                return Ok(r);
            }
            Err(e) => return Err(e.into()),
        };
    let (report, _) =
        crate::api::needs::run_need_import(&state, &grant, &id, checked, !confirm, tr).await?;
    if confirm && report.invalid == 0 {
        return Ok(Redirect::to(&format!("/programmes/{id}/needs?flash=imported")).into_response());
    }
    Ok(render(&ImportPage {
        csv: noguchi_app::sheets::read::normalised_csv(&bytes).await?,
        report: Some(report),
        error: None,
        ctx,
        programme,
    }))
}

/// `/needs`: the needs of the caller's programme (the first programme for visitors without an
/// account, who see its public needs).
pub async fn entry(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    let programmes = state.app.store().programmes().await?;
    let mine = caller
        .principal
        .as_ref()
        .and_then(|p| {
            programmes
                .iter()
                .find(|prog| p.programmes.iter().any(|r| r.programme_id == prog.id))
        })
        .or(programmes.first())
        .ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&format!("/programmes/{}/needs", mine.id)).into_response())
}
