//! Clinical needs pages: the catalogue (list and status board, also the public teaser list for
//! visitors without an account), the export, "needs for me", the NDA register and the status
//! counts of the programme's home. The need's own page and its actions, the forms and the sheet
//! import are in the sub-modules. Every list reads through the app, with the same visibility as
//! the API.

pub mod form;
pub mod import;
pub mod need;

use crate::AppState;
use crate::auth::{Caller, url_escape};
use crate::download::{Cell, table_response};
use crate::error::AppError;
use crate::forms::Choice;
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use crate::views::reason_text;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::needs::Filter;
use noguchi_app::records::{NdaRecord, Need, Programme};
use noguchi_domain::curation::STATUS_ORDER;
use noguchi_domain::needs::{Disclosure, NeedStatus};
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

/// A need's title as lists, exports and page titles show it: a neutral name while the guard
/// holds it (its own title may name a patient; reviewers read it on the need's page).
pub fn list_title(tr: Tr, n: &Need) -> String {
    if n.held {
        tr.t("need-held-title")
    } else {
        n.data.title.clone()
    }
}

pub fn need_line(tr: Tr, n: &Need) -> NeedLine {
    NeedLine {
        href: format!("/needs/{}", n.id),
        title: list_title(tr, n),
        submitter: n.submitter_org_name.clone(),
        status: tr.code("need-status", n.data.status.code()),
        status_code: n.data.status.code().into(),
        disclosure: tr.code("disclosure", n.data.disclosure.code()),
        department: n.data.department.clone().unwrap_or_default(),
        setting: n.data.setting.clone().unwrap_or_default(),
        held: n.held,
        created: n.created_at.get(..10).unwrap_or_default().to_owned(),
        // A held need's text stays on its own page, for its reviewers.
        teaser: if n.held {
            String::new()
        } else {
            teaser(&n.data.problem)
        },
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
    fn filter(&self) -> Filter {
        Filter {
            status: self.status.clone(),
            disclosure: self.disclosure.clone(),
            department: self.department.clone(),
            campaign: self.campaign.clone(),
        }
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

pub(crate) fn choices<T: Copy>(
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
    let programme = state.app.programme(&id).await?;
    let signed_in = caller.principal.is_some();
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/needs")).with_flash(q.flash.as_deref());
    let tr = ctx.tr;
    let needs = state.app.needs(&caller.sight, &id, &q.filter()).await?;
    let board = signed_in && q.view.as_deref() == Some("board");
    let lines: Vec<NeedLine> = needs.iter().map(|v| need_line(tr, &v.need)).collect();
    let campaigns = state
        .app
        .campaigns(&caller.sight, &id)
        .await?
        .into_iter()
        .map(|v| Choice {
            selected: q.campaign.as_deref() == Some(v.campaign.id.as_str()),
            value: v.campaign.id,
            label: v.campaign.data.title,
        })
        .collect();
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
        can_submit: state.app.may_submit_need(&caller.sight, &id),
        can_campaigns: state.app.may_run_campaigns(&caller.sight, &id),
        is_secretariat: caller.sight.is_secretariat_of(&id),
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
    caller.principal()?;
    state.app.programme(&id).await?;
    let tr = Tr(caller.lang);
    let needs: Vec<Need> = state
        .app
        .needs(&caller.sight, &id, &q.filter())
        .await?
        .into_iter()
        .map(|v| v.need)
        .collect();
    let header: Vec<String> = [
        "field-need-title",
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
                Cell::Text(list_title(tr, n)),
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
    let organisation_id = caller.principal()?.organisation_id.clone();
    let programme = state.app.programme(&id).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/needs/for-me"));
    let tr = ctx.tr;
    let found = state.app.needs_for_me(&caller.sight, &id, 30).await?;
    let lines = found
        .items
        .into_iter()
        .map(|m| ForMeLine {
            need: need_line(tr, &m.need.need),
            reasons: m.reasons.iter().map(|r| reason_text(tr, r)).collect(),
        })
        .collect();
    Ok(render(&ForMePage {
        ctx,
        programme,
        lines,
        offer_empty: found.offer_empty,
        organisation_id,
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
    let ndas = state.app.nda_register(&caller.sight, &id).await?;
    let programme = state.app.programme(&id).await?;
    Ok(render(&NdaPage {
        ctx: Ctx::new(&caller, &format!("/programmes/{id}/ndas")),
        ndas,
        programme,
    }))
}

/// Counts of the needs the caller may see, per status (programme home).
pub async fn status_counts(
    state: &AppState,
    caller: &Caller,
    programme_id: &str,
    tr: Tr,
) -> Result<Vec<(String, usize)>, AppError> {
    Ok(state
        .app
        .need_status_counts(&caller.sight, programme_id)
        .await?
        .into_iter()
        .map(|(s, n)| (tr.code("need-status", s.code()), n))
        .collect())
}

/// `/needs`: the needs of the caller's programme (the first programme for visitors without an
/// account, who see its public needs).
pub async fn entry(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    let programme = state
        .app
        .needs_home(&caller.sight)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&format!("/programmes/{}/needs", programme.id)).into_response())
}
