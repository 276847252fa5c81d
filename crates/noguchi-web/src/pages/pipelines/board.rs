//! The board and the list of a pipeline, its export, and "my work".

use super::{PageKind, stage_choice};
use crate::AppState;
use crate::auth::Caller;
use crate::download::table_response;
use crate::error::AppError;
use crate::forms::Choice;
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use noguchi_app::pipelines::{Deals, EntryCases, Filter};
use noguchi_app::records::{NextAction, Programme, Record};
use noguchi_domain::dates::format_date;
use noguchi_domain::pipeline::{Pipeline, Stages};
use serde::Deserialize;

/// A card of the board (and a row of the list).
pub struct Card {
    pub href: String,
    pub move_action: String,
    pub label: String,
    pub organisation: String,
    pub kind: String,
    pub stage: String,
    pub stage_label: String,
    pub stage_date: String,
    pub jobs: String,
    pub next_action: String,
    pub next_due: String,
    pub overdue: bool,
    pub targets: Vec<Choice>,
}

pub struct Column {
    pub code: String,
    pub label: String,
    pub cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "pipeline.html")]
struct BoardPage {
    ctx: Ctx,
    programme: Programme,
    title: String,
    base: String,
    board: bool,
    columns: Vec<Column>,
    rows: Vec<Card>,
    can_create: bool,
    new_href: String,
    stage_choices: Vec<Choice>,
}

#[derive(Deserialize)]
pub struct BoardQuery {
    view: Option<String>,
    /// List view: only this stage.
    stage: Option<String>,
    flash: Option<String>,
}

fn card<K: PageKind>(tr: Tr, r: &Record<K>, today: time::Date) -> Card {
    let (next_action, next_due) = K::next_action(&r.data);
    Card {
        href: format!("/{}/{}", K::BASE, r.id),
        move_action: format!("/{}/{}/stage", K::BASE, r.id),
        label: r.label().to_owned(),
        organisation: r.organisation_name.clone(),
        kind: K::card_kind(tr, r),
        stage: r.stage.code().into(),
        stage_label: tr.code("stage", r.stage.code()),
        stage_date: format_date(r.stage_on),
        jobs: K::card_jobs(r)
            .map(|j| tr.t1("kpi-n-jobs", "n", &j.to_string()))
            .unwrap_or_default(),
        next_action: next_action.unwrap_or_default().to_owned(),
        next_due: next_due.map(format_date).unwrap_or_default(),
        overdue: next_due.is_some_and(|due| due < today),
        // Forward moves need no note, so a card offers them; the others are made on the
        // record's page, which asks for the note.
        targets: K::Stage::ORDER
            .iter()
            .filter(|s| matches!((r.stage.rank(), s.rank()), (Some(a), Some(b)) if b > a))
            .map(|s| stage_choice(tr, *s, false))
            .collect(),
    }
}

/// `/programmes/{id}/deals`, `/programmes/{id}/entry-cases`: a board with a column per stage, or
/// with `?view=list` a list narrowed to one stage.
pub async fn board<K: PageKind>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let base = format!("/programmes/{id}/{}", K::BASE);
    let ctx = Ctx::new(&caller, &base).with_flash(q.flash.as_deref());
    let tr = ctx.tr;
    let board = q.view.as_deref() != Some("list");
    // The list ignores a stage it does not know, as a stale link may carry one.
    let stage = q
        .stage
        .as_deref()
        .filter(|s| !board && K::Stage::parse(s).is_ok());
    let listing = state
        .app
        .pipeline::<K>()
        .list(&caller.sight, &id, Filter { stage, kind: None })
        .await?;
    let today = state.app.today();
    let cards: Vec<Card> = listing.records.iter().map(|r| card(tr, r, today)).collect();
    let stage_choices = K::Stage::all()
        .map(|s| stage_choice(tr, s, Some(s.code()) == stage))
        .collect();
    let (columns, rows) = if board {
        let mut columns: Vec<Column> = K::Stage::all()
            .map(|s| Column {
                code: s.code().into(),
                label: tr.code("stage", s.code()),
                cards: Vec::new(),
            })
            .collect();
        for c in cards {
            if let Some(col) = columns.iter_mut().find(|col| col.code == c.stage) {
                col.cards.push(c);
            }
        }
        (columns, Vec::new())
    } else {
        (Vec::new(), cards)
    };
    Ok(render(&BoardPage {
        title: tr.t(K::TITLE),
        new_href: format!("{base}/new"),
        base,
        can_create: listing.may_open,
        programme: listing.programme,
        columns,
        rows,
        board,
        ctx,
        stage_choices,
    }))
}

#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

/// The list as XLSX or CSV (UTF-8 with BOM, which Excel opens as UTF-8; `format=sjis` for
/// Shift_JIS).
pub async fn export<K: PageKind>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let tr = Tr(caller.lang);
    let listing = state
        .app
        .pipeline::<K>()
        .list(&caller.sight, &id, Filter::default())
        .await?;
    let header: Vec<String> = K::EXPORT.iter().map(|k| tr.t(k)).collect();
    let rows: Vec<_> = listing
        .records
        .iter()
        .map(|r| K::export_row(tr, r))
        .collect();
    table_response(&header, &rows, q.format.as_deref(), K::BASE)
}

#[derive(Template)]
#[template(path = "my_work.html")]
struct MyWorkPage {
    ctx: Ctx,
    overdue: Vec<(NextAction, String)>,
    upcoming: Vec<(NextAction, String)>,
    /// (due, text, meeting href, overdue)
    actions: Vec<(String, String, String, bool)>,
    /// (due, what, project href, project title, overdue)
    reports: Vec<(String, String, String, String, bool)>,
}

fn href(a: NextAction) -> (NextAction, String) {
    let base = if a.subject == Deals::SUBJECT {
        <Deals as PageKind>::BASE
    } else {
        <EntryCases as PageKind>::BASE
    };
    let href = format!("/{base}/{}", a.id);
    (a, href)
}

/// The next actions the caller owes, overdue first.
pub async fn my_work(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    let work = state.app.my_work(&caller.sight).await?;
    let tr = crate::i18n::Tr(caller.lang);
    Ok(render(&MyWorkPage {
        actions: work
            .council_actions
            .iter()
            .map(|v| {
                (
                    noguchi_domain::dates::format_date(v.action.due),
                    v.action.text.clone(),
                    format!(
                        "/programmes/{}/meetings/{}",
                        v.action.programme_id, v.action.meeting_id
                    ),
                    v.overdue,
                )
            })
            .collect(),
        reports: work
            .reports
            .iter()
            .map(|r| {
                (
                    noguchi_domain::dates::format_date(r.line.due.due),
                    format!(
                        "{}（{}）",
                        tr.code("report-kind", r.line.due.kind.code()),
                        r.scheme
                    ),
                    format!("/projects/{}#grants", r.project_id),
                    r.project_title.clone(),
                    r.line.state == noguchi_domain::grant::ReportState::Overdue,
                )
            })
            .collect(),
        ctx: Ctx::new(&caller, "/my-work"),
        overdue: work.overdue.into_iter().map(href).collect(),
        upcoming: work.upcoming.into_iter().map(href).collect(),
    }))
}
