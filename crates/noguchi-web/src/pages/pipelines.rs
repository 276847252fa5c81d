//! Pipeline pages: deals (attraction, expansion) and entry cases as a board (a column per
//! stage; moving a card is a form post) and a list, their detail with history, activities and
//! consultations, forms, exports, and the personal "my work" page.

use crate::AppState;
use crate::api::pipelines::{visible_case, visible_deal};
use crate::auth::Caller;
use crate::download::{Cell, table_response};
use crate::error::AppError;
use crate::forms::{Choice, Field, FormData};
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_domain::access::{self, Principal};
use noguchi_domain::dates::format_date;
use noguchi_domain::pipeline::{
    ActivityData, ActivityKind, ConsultationCategory, ConsultationData, DealData, DealInput,
    DealKind, DealStage, EntryCaseData, EntryCaseInput, EntryStage, Stages,
};
use noguchi_domain::{Invalid, Problem};
use noguchi_storage::{
    Activity, Consultation, Deal, EntryCase, NextAction, OrganisationFilter, Programme, StageMove,
};
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

/// Stages a card may be moved to forward without a note (backward moves are made on the detail
/// page, where the note is asked for).
fn forward_targets<S: Stages>(tr: Tr, stage: S) -> Vec<Choice> {
    let rank = stage.rank();
    S::ORDER
        .iter()
        .filter(|s| matches!((rank, s.rank()), (Some(a), Some(b)) if b > a))
        .map(|s| Choice {
            value: s.code().into(),
            label: tr.code("stage", s.code()),
            selected: false,
        })
        .collect()
}

fn columns<S: Stages>(tr: Tr, cards: Vec<Card>) -> Vec<Column> {
    let mut cols: Vec<Column> = S::ORDER
        .iter()
        .chain([&S::CLOSED])
        .map(|s| Column {
            code: s.code().into(),
            label: tr.code("stage", s.code()),
            cards: Vec::new(),
        })
        .collect();
    for c in cards {
        if let Some(col) = cols.iter_mut().find(|col| col.code == c.stage) {
            col.cards.push(c);
        }
    }
    cols
}

fn deal_card(tr: Tr, d: &Deal, today: time::Date) -> Card {
    Card {
        href: format!("/deals/{}", d.id),
        move_action: format!("/deals/{}/stage", d.id),
        label: d
            .data
            .code_name
            .clone()
            .unwrap_or_else(|| d.organisation_name.clone()),
        organisation: d.organisation_name.clone(),
        kind: tr.code("deal-kind", d.data.kind.code()),
        stage: d.stage.code().into(),
        stage_label: tr.code("stage", d.stage.code()),
        stage_date: format_date(d.stage_on),
        jobs: d
            .data
            .actual_jobs
            .or(d.data.planned_jobs)
            .map(|j| tr.t1("kpi-n-jobs", "n", &j.to_string()))
            .unwrap_or_default(),
        next_action: d.data.next_action.clone().unwrap_or_default(),
        next_due: d.data.next_action_due.map(format_date).unwrap_or_default(),
        overdue: d.data.next_action_due.is_some_and(|due| due < today),
        targets: forward_targets(tr, d.stage),
    }
}

fn case_card(tr: Tr, c: &EntryCase, today: time::Date) -> Card {
    Card {
        href: format!("/entry-cases/{}", c.id),
        move_action: format!("/entry-cases/{}/stage", c.id),
        label: c
            .data
            .title
            .clone()
            .unwrap_or_else(|| c.organisation_name.clone()),
        organisation: c.organisation_name.clone(),
        kind: tr.code("field-status", c.field_status.code()),
        stage: c.stage.code().into(),
        stage_label: tr.code("stage", c.stage.code()),
        stage_date: format_date(c.stage_on),
        jobs: c
            .data
            .jobs
            .map(|j| tr.t1("kpi-n-jobs", "n", &j.to_string()))
            .unwrap_or_default(),
        next_action: c.data.next_action.clone().unwrap_or_default(),
        next_due: c.data.next_action_due.map(format_date).unwrap_or_default(),
        overdue: c.data.next_action_due.is_some_and(|due| due < today),
        targets: forward_targets(tr, c.stage),
    }
}

pub async fn deals(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let programme = state.app.store().programme(&id).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/deals")).with_flash(q.flash.as_deref());
    let tr = ctx.tr;
    let today = state.app.store().now().date();
    let board = q.view.as_deref() != Some("list");
    let stage = if board {
        None
    } else {
        q.stage.as_deref().and_then(|s| DealStage::parse(s).ok())
    };
    let list = state
        .app
        .store()
        .list_deals(&caller.sight, &id, stage, None)
        .await?;
    let cards: Vec<Card> = list.iter().map(|d| deal_card(tr, d, today)).collect();
    let stage_choices = DealStage::ALL
        .iter()
        .map(|s| Choice {
            value: s.code().into(),
            label: tr.code("stage", s.code()),
            selected: Some(*s) == stage,
        })
        .collect();
    let page = BoardPage {
        title: tr.t("deals-title"),
        base: format!("/programmes/{id}/deals"),
        new_href: format!("/programmes/{id}/deals/new"),
        can_create: access::manage_deals(p, &id).is_ok(),
        columns: if board {
            columns::<DealStage>(tr, cards)
        } else {
            Vec::new()
        },
        rows: if board {
            Vec::new()
        } else {
            list.iter().map(|d| deal_card(tr, d, today)).collect()
        },
        board,
        programme,
        ctx,
        stage_choices,
    };
    Ok(render(&page))
}

pub async fn entry_cases(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let programme = state.app.store().programme(&id).await?;
    let ctx =
        Ctx::new(&caller, &format!("/programmes/{id}/entry-cases")).with_flash(q.flash.as_deref());
    let tr = ctx.tr;
    let today = state.app.store().now().date();
    let board = q.view.as_deref() != Some("list");
    let stage = if board {
        None
    } else {
        q.stage.as_deref().and_then(|s| EntryStage::parse(s).ok())
    };
    let list = state
        .app
        .store()
        .list_entry_cases(&caller.sight, &id, stage)
        .await?;
    let stage_choices = EntryStage::ALL
        .iter()
        .map(|s| Choice {
            value: s.code().into(),
            label: tr.code("stage", s.code()),
            selected: Some(*s) == stage,
        })
        .collect();
    let cards: Vec<Card> = list.iter().map(|c| case_card(tr, c, today)).collect();
    let page = BoardPage {
        title: tr.t("cases-title"),
        base: format!("/programmes/{id}/entry-cases"),
        new_href: format!("/programmes/{id}/entry-cases/new"),
        can_create: access::open_entry_case(p, &id).is_ok(),
        rows: if board {
            Vec::new()
        } else {
            list.iter().map(|c| case_card(tr, c, today)).collect()
        },
        columns: if board {
            columns::<EntryStage>(tr, cards)
        } else {
            Vec::new()
        },
        board,
        programme,
        ctx,
        stage_choices,
    };
    Ok(render(&page))
}

pub struct MoveLine {
    pub from: String,
    pub to: String,
    pub date: String,
    pub note: String,
    pub by: String,
}

pub(crate) fn move_lines(tr: Tr, h: Vec<StageMove>) -> Vec<MoveLine> {
    h.into_iter()
        .map(|m| MoveLine {
            from: m
                .from_stage
                .map(|s| tr.code("stage", &s))
                .unwrap_or_default(),
            to: tr.code("stage", &m.to_stage),
            date: m.moved_on,
            note: m.note.unwrap_or_default(),
            by: m.user_name.unwrap_or_default(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "deal.html")]
struct DealPage {
    ctx: Ctx,
    deal: Deal,
    kind: String,
    stage: String,
    history: Vec<MoveLine>,
    activities: Vec<Activity>,
    stages: Vec<Choice>,
    activity_kinds: Vec<Choice>,
    shared: Vec<String>,
    can_manage: bool,
    error: Option<String>,
    today: String,
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

fn all_stages<S: Stages>(tr: Tr, current: S) -> Vec<Choice> {
    S::ORDER
        .iter()
        .chain([&S::CLOSED])
        .filter(|s| **s != current)
        .map(|s| Choice {
            value: s.code().into(),
            label: tr.code("stage", s.code()),
            selected: false,
        })
        .collect()
}

fn kinds(tr: Tr) -> Vec<Choice> {
    ActivityKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.code().into(),
            label: tr.code("activity", k.code()),
            selected: false,
        })
        .collect()
}

async fn org_names(state: &AppState, ids: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        if let Ok(o) = state.app.store().organisation(id).await {
            out.push(o.data.name);
        }
    }
    out
}

async fn deal_page(
    state: &AppState,
    caller: &Caller,
    id: &str,
    flash: Option<&str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let deal = visible_deal(state, p, id).await?;
    let ctx = Ctx::new(caller, &format!("/deals/{id}")).with_flash(flash);
    let tr = ctx.tr;
    let failed = error.is_some();
    let page = DealPage {
        kind: tr.code("deal-kind", deal.data.kind.code()),
        stage: tr.code("stage", deal.stage.code()),
        history: move_lines(tr, state.app.store().deal_history(id).await?),
        activities: state.app.store().activities("deal", id).await?,
        stages: all_stages(tr, deal.stage),
        activity_kinds: kinds(tr),
        shared: org_names(state, &deal.data.shared_with).await,
        can_manage: access::manage_deals(p, &deal.programme_id).is_ok(),
        today: format_date(state.app.store().now().date()),
        deal,
        error,
        ctx,
    };
    let mut r = render(&page);
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn deal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    deal_page(&state, &caller, &id, q.flash.as_deref(), None).await
}

pub(crate) fn messages(tr: Tr, i: &Invalid) -> String {
    i.0.iter()
        .map(|e| tr.error(e))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where a board's form returns to after a move (the board it came from), or the detail page.
fn back_to(form: &FormData, fallback: String) -> String {
    crate::forms::local_next(form.get("next").as_deref().or(Some(&fallback)))
}

pub async fn move_deal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let d = visible_deal(&state, p, &id).await?;
    let grant = access::manage_deals(p, &d.programme_id)?;
    let tr = Tr(caller.lang);
    let note = form.get("note").filter(|n| !n.trim().is_empty());
    let mut errs = Invalid::default();
    let stage = errs.take(
        "stage",
        DealStage::parse(&form.get("stage").unwrap_or_default()),
    );
    let on = errs.take(
        "date",
        noguchi_domain::dates::move_date(
            form.get("date").as_deref(),
            state.app.store().now().date(),
        ),
    );
    let result = match (stage, on) {
        (Some(s), Some(on)) => state
            .app
            .store()
            .move_deal(&grant, &id, s, on, note.as_deref())
            .await
            .map_err(AppError::from),
        _ => Err(AppError::Invalid(errs)),
    };
    match result {
        Ok(_) => Ok(
            Redirect::to(&back_to(&form, format!("/deals/{id}?flash=org-updated"))).into_response(),
        ),
        Err(AppError::Invalid(i)) => {
            deal_page(&state, &caller, &id, None, Some(messages(tr, &i))).await
        }
        Err(e) => Err(e),
    }
}

pub async fn deal_activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let d = visible_deal(&state, p, &id).await?;
    let grant = access::manage_deals(p, &d.programme_id)?;
    match ActivityData::parse(
        form.get("kind").as_deref(),
        form.get("date").as_deref(),
        form.get("participants").as_deref(),
        form.get("text").as_deref(),
        state.app.store().now().date(),
    ) {
        Ok(a) => {
            state
                .app
                .store()
                .add_activity(grant.actor(), "deal", &id, a)
                .await?;
            Ok(Redirect::to(&format!("/deals/{id}?flash=org-updated")).into_response())
        }
        Err(i) => {
            deal_page(
                &state,
                &caller,
                &id,
                None,
                Some(messages(Tr(caller.lang), &i)),
            )
            .await
        }
    }
}

pub(crate) async fn organisation_choices(
    state: &AppState,
    selected: &[String],
) -> Result<Vec<Choice>, AppError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = state
            .app
            .store()
            .list_organisations(&OrganisationFilter::default(), cursor.as_deref(), 200)
            .await?;
        out.extend(page.items.into_iter().map(|o| Choice {
            selected: selected.contains(&o.id),
            value: o.id,
            label: o.data.name,
        }));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    Ok(out)
}

fn number(form: &FormData, field: &str, errs: &mut Invalid) -> Option<i64> {
    let raw = noguchi_domain::text::fold_width(form.get(field).unwrap_or_default().trim())
        .replace(',', "");
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(field, Problem::NotANumber);
            None
        }
    }
}

fn read_deal(form: &FormData) -> (DealInput, Invalid) {
    let mut errs = Invalid::default();
    let input = DealInput {
        kind: form.get("kind"),
        organisation_id: form.get("organisation_id"),
        code_name: form.get("code_name"),
        lead_source: form.get("lead_source"),
        owner_user_id: form.get("owner_user_id"),
        planned_jobs: number(form, "planned_jobs", &mut errs),
        actual_jobs: number(form, "actual_jobs", &mut errs),
        planned_investment: number(form, "planned_investment", &mut errs),
        actual_investment: number(form, "actual_investment", &mut errs),
        candidate_site: form.get("candidate_site"),
        incentives: form.get("incentives"),
        next_action: form.get("next_action"),
        next_action_due: form.get("next_action_due"),
        shared_with: form.all("shared_with"),
    };
    (input, errs)
}

async fn deal_form(
    state: &AppState,
    caller: &Caller,
    action: String,
    cancel: String,
    input: &DealInput,
    invalid: Option<&Invalid>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(caller, &action);
    let tr = ctx.tr;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let n = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    let org = s(&input.organisation_id);
    let kind = input.kind.clone().unwrap_or_else(|| "attraction".into());
    let me = caller.principal()?.user_id.clone();
    let fields = vec![
        Field::new(tr, "kind", "select", kind.clone())
            .required()
            .choices(
                DealKind::ALL
                    .iter()
                    .map(|k| Choice {
                        value: k.code().into(),
                        label: tr.code("deal-kind", k.code()),
                        selected: k.code() == kind,
                    })
                    .collect(),
            ),
        Field::new(tr, "organisation_id", "select", org.clone())
            .required()
            .choices(organisation_choices(state, std::slice::from_ref(&org)).await?),
        Field::new(tr, "code_name", "text", s(&input.code_name)).help(tr.t("deal-code-name-help")),
        Field::new(tr, "lead_source", "text", s(&input.lead_source)),
        Field::new(tr, "planned_jobs", "number", n(input.planned_jobs)),
        Field::new(tr, "actual_jobs", "number", n(input.actual_jobs)),
        Field::new(
            tr,
            "planned_investment",
            "number",
            n(input.planned_investment),
        ),
        Field::new(
            tr,
            "actual_investment",
            "number",
            n(input.actual_investment),
        ),
        Field::new(tr, "candidate_site", "text", s(&input.candidate_site)),
        Field::new(tr, "incentives", "textarea", s(&input.incentives)),
        Field::new(tr, "next_action", "text", s(&input.next_action)),
        Field::new(tr, "next_action_due", "date", s(&input.next_action_due)),
        Field::new(
            tr,
            "owner_user_id",
            "select",
            input.owner_user_id.clone().unwrap_or(me.clone()),
        )
        .choices(vec![Choice {
            value: me,
            label: tr.t("deal-owner-me"),
            selected: true,
        }]),
        Field::new(tr, "shared_with", "checks", "")
            .choices(organisation_choices(state, &input.shared_with).await?)
            .help(tr.t("deal-shared-help")),
    ];
    let title = tr.t("deal-new");
    Ok(crate::pages::render_form(
        ctx, title, action, cancel, fields, invalid,
    ))
}

pub async fn new_deal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    access::manage_deals(caller.principal()?, &id)?;
    deal_form(
        &state,
        &caller,
        format!("/programmes/{id}/deals"),
        format!("/programmes/{id}/deals"),
        &DealInput::default(),
        None,
    )
    .await
}

pub async fn create_deal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let grant = access::manage_deals(caller.principal()?, &id)?;
    let (input, extra) = read_deal(&form);
    let action = format!("/programmes/{id}/deals");
    match noguchi_domain::validation::combine(DealData::parse(&input), extra) {
        Ok(data) => match state.app.store().create_deal(&grant, &id, data).await {
            Ok(d) => {
                Ok(Redirect::to(&format!("/deals/{}?flash=org-created", d.id)).into_response())
            }
            Err(noguchi_storage::StoreError::Invalid(i)) => {
                deal_form(&state, &caller, action.clone(), action, &input, Some(&i)).await
            }
            Err(e) => Err(e.into()),
        },
        Err(i) => deal_form(&state, &caller, action.clone(), action, &input, Some(&i)).await,
    }
}

pub async fn edit_deal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let d = visible_deal(&state, p, &id).await?;
    access::manage_deals(p, &d.programme_id)?;
    deal_form(
        &state,
        &caller,
        format!("/deals/{id}"),
        format!("/deals/{id}"),
        &d.data.to_input(),
        None,
    )
    .await
}

pub async fn update_deal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let d = visible_deal(&state, p, &id).await?;
    let grant = access::manage_deals(p, &d.programme_id)?;
    let (input, extra) = read_deal(&form);
    let action = format!("/deals/{id}");
    match noguchi_domain::validation::combine(DealData::parse(&input), extra) {
        Ok(data) => match state.app.store().update_deal(&grant, &id, data).await {
            Ok(_) => Ok(Redirect::to(&format!("/deals/{id}?flash=org-updated")).into_response()),
            Err(noguchi_storage::StoreError::Invalid(i)) => {
                deal_form(&state, &caller, action.clone(), action, &input, Some(&i)).await
            }
            Err(e) => Err(e.into()),
        },
        Err(i) => deal_form(&state, &caller, action.clone(), action, &input, Some(&i)).await,
    }
}

#[derive(Template)]
#[template(path = "entry_case.html")]
struct CasePage {
    ctx: Ctx,
    case: EntryCase,
    stage: String,
    history: Vec<MoveLine>,
    activities: Vec<Activity>,
    consultations: Vec<Consultation>,
    stages: Vec<Choice>,
    activity_kinds: Vec<Choice>,
    categories: Vec<Choice>,
    supporters: Vec<String>,
    can_work: bool,
    error: Option<String>,
    today: String,
}

async fn case_page(
    state: &AppState,
    caller: &Caller,
    id: &str,
    flash: Option<&str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let case = visible_case(state, p, id).await?;
    let ctx = Ctx::new(caller, &format!("/entry-cases/{id}")).with_flash(flash);
    let tr = ctx.tr;
    let failed = error.is_some();
    let page = CasePage {
        stage: tr.code("stage", case.stage.code()),
        history: move_lines(tr, state.app.store().entry_case_history(id).await?),
        activities: state.app.store().activities("entry_case", id).await?,
        consultations: state.app.store().consultations(id).await?,
        stages: all_stages(tr, case.stage),
        activity_kinds: kinds(tr),
        categories: ConsultationCategory::ALL
            .iter()
            .map(|c| Choice {
                value: c.code().into(),
                label: tr.code("consultation", c.code()),
                selected: false,
            })
            .collect(),
        supporters: org_names(state, &case.data.supporters).await,
        can_work: access::work_on_entry_case(p, &case.programme_id, &case.data.supporters).is_ok(),
        today: format_date(state.app.store().now().date()),
        case,
        error,
        ctx,
    };
    let mut r = render(&page);
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn entry_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    case_page(&state, &caller, &id, q.flash.as_deref(), None).await
}

pub async fn move_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let c = visible_case(&state, p, &id).await?;
    let grant = access::work_on_entry_case(p, &c.programme_id, &c.data.supporters)?;
    let note = form.get("note").filter(|n| !n.trim().is_empty());
    let mut errs = Invalid::default();
    let stage = errs.take(
        "stage",
        EntryStage::parse(&form.get("stage").unwrap_or_default()),
    );
    let on = errs.take(
        "date",
        noguchi_domain::dates::move_date(
            form.get("date").as_deref(),
            state.app.store().now().date(),
        ),
    );
    let result = match (stage, on) {
        (Some(s), Some(on)) => state
            .app
            .store()
            .move_entry_case(&grant, &id, s, on, note.as_deref())
            .await
            .map_err(AppError::from),
        _ => Err(AppError::Invalid(errs)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&back_to(
            &form,
            format!("/entry-cases/{id}?flash=org-updated"),
        ))
        .into_response()),
        Err(AppError::Invalid(i)) => {
            case_page(
                &state,
                &caller,
                &id,
                None,
                Some(messages(Tr(caller.lang), &i)),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn case_activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let c = visible_case(&state, p, &id).await?;
    let grant = access::work_on_entry_case(p, &c.programme_id, &c.data.supporters)?;
    match ActivityData::parse(
        form.get("kind").as_deref(),
        form.get("date").as_deref(),
        form.get("participants").as_deref(),
        form.get("text").as_deref(),
        state.app.store().now().date(),
    ) {
        Ok(a) => {
            state
                .app
                .store()
                .add_activity(grant.actor(), "entry_case", &id, a)
                .await?;
            Ok(Redirect::to(&format!("/entry-cases/{id}?flash=org-updated")).into_response())
        }
        Err(i) => {
            case_page(
                &state,
                &caller,
                &id,
                None,
                Some(messages(Tr(caller.lang), &i)),
            )
            .await
        }
    }
}

pub async fn case_consultation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let c = visible_case(&state, p, &id).await?;
    let grant = access::work_on_entry_case(p, &c.programme_id, &c.data.supporters)?;
    let parsed = ConsultationData::parse(
        form.get("category").as_deref(),
        form.get("advisor").as_deref(),
        form.get("date").as_deref(),
        form.get("text").as_deref(),
        form.get("result").as_deref(),
        state.app.store().now().date(),
    );
    match parsed {
        Ok(data) => {
            state
                .app
                .store()
                .add_consultation(&grant, &id, data)
                .await?;
            Ok(Redirect::to(&format!("/entry-cases/{id}?flash=org-updated")).into_response())
        }
        Err(i) => {
            case_page(
                &state,
                &caller,
                &id,
                None,
                Some(messages(Tr(caller.lang), &i)),
            )
            .await
        }
    }
}

fn read_case(form: &FormData) -> (EntryCaseInput, Invalid) {
    let mut errs = Invalid::default();
    let input = EntryCaseInput {
        organisation_id: form.get("organisation_id"),
        title: form.get("title"),
        owner_user_id: form.get("owner_user_id"),
        jobs: number(form, "jobs", &mut errs),
        next_action: form.get("next_action"),
        next_action_due: form.get("next_action_due"),
        supporters: form.all("supporters"),
    };
    (input, errs)
}

async fn case_form(
    state: &AppState,
    caller: &Caller,
    action: String,
    cancel: String,
    input: &EntryCaseInput,
    invalid: Option<&Invalid>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(caller, &action);
    let tr = ctx.tr;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let org = s(&input.organisation_id);
    let me = caller.principal()?.user_id.clone();
    let fields = vec![
        Field::new(tr, "organisation_id", "select", org.clone())
            .required()
            .choices(organisation_choices(state, std::slice::from_ref(&org)).await?),
        Field::new(tr, "title", "text", s(&input.title)).labelled(tr.t("case-title-label")),
        Field::new(
            tr,
            "jobs",
            "number",
            input.jobs.map(|j| j.to_string()).unwrap_or_default(),
        ),
        Field::new(tr, "next_action", "text", s(&input.next_action)),
        Field::new(tr, "next_action_due", "date", s(&input.next_action_due)),
        Field::new(
            tr,
            "owner_user_id",
            "select",
            input.owner_user_id.clone().unwrap_or(me.clone()),
        )
        .choices(vec![Choice {
            value: me,
            label: tr.t("deal-owner-me"),
            selected: true,
        }]),
        Field::new(tr, "supporters", "checks", "")
            .choices(organisation_choices(state, &input.supporters).await?),
    ];
    let title = tr.t("case-new");
    Ok(crate::pages::render_form(
        ctx, title, action, cancel, fields, invalid,
    ))
}

pub async fn new_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    access::open_entry_case(caller.principal()?, &id)?;
    case_form(
        &state,
        &caller,
        format!("/programmes/{id}/entry-cases"),
        format!("/programmes/{id}/entry-cases"),
        &EntryCaseInput::default(),
        None,
    )
    .await
}

pub async fn create_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let grant = access::open_entry_case(caller.principal()?, &id)?;
    let (input, extra) = read_case(&form);
    let action = format!("/programmes/{id}/entry-cases");
    match noguchi_domain::validation::combine(EntryCaseData::parse(&input), extra) {
        Ok(data) => match state.app.store().create_entry_case(&grant, &id, data).await {
            Ok(c) => Ok(
                Redirect::to(&format!("/entry-cases/{}?flash=org-created", c.id)).into_response(),
            ),
            Err(noguchi_storage::StoreError::Invalid(i)) => {
                case_form(&state, &caller, action.clone(), action, &input, Some(&i)).await
            }
            Err(e) => Err(e.into()),
        },
        Err(i) => case_form(&state, &caller, action.clone(), action, &input, Some(&i)).await,
    }
}

#[derive(Template)]
#[template(path = "my_work.html")]
struct MyWorkPage {
    ctx: Ctx,
    overdue: Vec<(NextAction, String)>,
    upcoming: Vec<(NextAction, String)>,
}

pub async fn my_work(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    caller.principal()?;
    let today = state.app.store().now().date();
    let mut overdue = Vec::new();
    let mut upcoming = Vec::new();
    for a in state.app.store().next_actions(&caller.sight).await? {
        let href = if a.subject == "deal" {
            format!("/deals/{}", a.id)
        } else {
            format!("/entry-cases/{}", a.id)
        };
        if a.due < today {
            overdue.push((a, href))
        } else {
            upcoming.push((a, href))
        }
    }
    Ok(render(&MyWorkPage {
        ctx: Ctx::new(&caller, "/my-work"),
        overdue,
        upcoming,
    }))
}

/// Stage counts of the pipelines the viewer may see, for the programme home.
pub async fn stage_counts(
    state: &AppState,
    p: &Principal,
    programme_id: &str,
    tr: Tr,
) -> Result<(Vec<(String, usize)>, Vec<(String, usize)>), AppError> {
    let sight = state.app.sight(Some(p)).await?;
    let deals = state
        .app
        .store()
        .list_deals(&sight, programme_id, None, None)
        .await?;
    let cases = state
        .app
        .store()
        .list_entry_cases(&sight, programme_id, None)
        .await?;
    let d = DealStage::ORDER
        .iter()
        .chain([&DealStage::Lost])
        .map(|s| {
            (
                tr.code("stage", s.code()),
                deals.iter().filter(|x| x.stage == *s).count(),
            )
        })
        .collect();
    let c = EntryStage::ORDER
        .iter()
        .chain([&EntryStage::Stopped])
        .map(|s| {
            (
                tr.code("stage", s.code()),
                cases.iter().filter(|x| x.stage == *s).count(),
            )
        })
        .collect();
    Ok((d, c))
}

#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

/// The deal list as XLSX or CSV (UTF-8 with BOM, which Excel opens as UTF-8; `format=sjis` for
/// Shift_JIS).
pub async fn export_deals(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    caller.principal()?;
    state.app.store().programme(&id).await?;
    let tr = Tr(caller.lang);
    let deals = state
        .app
        .store()
        .list_deals(&caller.sight, &id, None, None)
        .await?;
    let header: Vec<String> = [
        "deal-kind-col",
        "field-code_name",
        "field-organisation_id",
        "field-stage",
        "field-stage_date",
        "field-planned_jobs",
        "field-actual_jobs",
        "field-planned_investment",
        "field-actual_investment",
        "field-candidate_site",
        "field-next_action",
        "field-next_action_due",
    ]
    .iter()
    .map(|k| tr.t(k))
    .collect();
    let rows: Vec<Vec<Cell>> = deals
        .iter()
        .map(|d| {
            vec![
                Cell::Text(tr.code("deal-kind", d.data.kind.code())),
                Cell::Text(d.data.code_name.clone().unwrap_or_default()),
                Cell::Text(d.organisation_name.clone()),
                Cell::Text(tr.code("stage", d.stage.code())),
                Cell::Text(format_date(d.stage_on)),
                Cell::Num(d.data.planned_jobs),
                Cell::Num(d.data.actual_jobs),
                Cell::Num(d.data.planned_investment),
                Cell::Num(d.data.actual_investment),
                Cell::Text(d.data.candidate_site.clone().unwrap_or_default()),
                Cell::Text(d.data.next_action.clone().unwrap_or_default()),
                Cell::Text(d.data.next_action_due.map(format_date).unwrap_or_default()),
            ]
        })
        .collect();
    table_response(&header, &rows, q.format.as_deref(), "deals")
}

/// The entry-case list as XLSX or CSV.
pub async fn export_cases(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    caller.principal()?;
    state.app.store().programme(&id).await?;
    let tr = Tr(caller.lang);
    let cases = state
        .app
        .store()
        .list_entry_cases(&caller.sight, &id, None)
        .await?;
    let header: Vec<String> = [
        "field-title",
        "field-organisation_id",
        "field-stage",
        "field-stage_date",
        "field-jobs",
        "field-next_action",
        "field-next_action_due",
    ]
    .iter()
    .map(|k| tr.t(k))
    .collect();
    let rows: Vec<Vec<Cell>> = cases
        .iter()
        .map(|c| {
            vec![
                Cell::Text(c.data.title.clone().unwrap_or_default()),
                Cell::Text(c.organisation_name.clone()),
                Cell::Text(tr.code("stage", c.stage.code())),
                Cell::Text(format_date(c.stage_on)),
                Cell::Num(c.data.jobs),
                Cell::Text(c.data.next_action.clone().unwrap_or_default()),
                Cell::Text(c.data.next_action_due.map(format_date).unwrap_or_default()),
            ]
        })
        .collect();
    table_response(&header, &rows, q.format.as_deref(), "entry-cases")
}

#[derive(Template)]
#[template(path = "deal_import.html")]
struct ImportPage {
    ctx: Ctx,
    programme: Programme,
    /// `deals` or `entry-cases`
    pipeline: &'static str,
    rows: Vec<crate::api::pipelines::DealImportRowOut>,
    checked: bool,
    invalid: usize,
    csv: String,
    error: Option<String>,
}

pub async fn import_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    access::manage_deals(caller.principal()?, &id)?;
    let programme = state.app.store().programme(&id).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/deals/import"));
    Ok(render(&ImportPage {
        pipeline: "deals",
        ctx,
        programme,
        rows: Vec::new(),
        checked: false,
        invalid: 0,
        csv: String::new(),
        error: None,
    }))
}

/// Dry run of an uploaded deal sheet, then the confirmed import (all rows or none).
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    let grant = access::manage_deals(caller.principal()?, &id)?;
    let programme = state.app.store().programme(&id).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/deals/import"));
    let tr = ctx.tr;
    let (bytes, confirm) = crate::pages::kpi::read_upload(req, &state).await?;
    let checked = match noguchi_app::sheets::rows::check_deals(&state.app, &bytes).await {
        Ok(c) => c,
        Err(noguchi_app::Error::Invalid(_)) => {
            let mut r = render(&ImportPage {
                pipeline: "deals",
                error: Some(tr.t("import-deals-unreadable")),
                ctx,
                programme,
                rows: Vec::new(),
                checked: false,
                invalid: 0,
                csv: String::new(),
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
        Err(e) => return Err(e.into()),
    };
    let (result, _) =
        crate::api::pipelines::run_deal_import(&state, &grant, &id, checked, !confirm, tr).await?;
    if confirm && result.invalid == 0 {
        return Ok(
            Redirect::to(&format!("/programmes/{id}/deals?view=list&flash=imported"))
                .into_response(),
        );
    }
    let csv = noguchi_app::sheets::read::normalised_csv(&bytes).await?;
    Ok(render(&ImportPage {
        pipeline: "deals",
        invalid: result.invalid,
        rows: result.rows,
        checked: true,
        csv,
        error: None,
        ctx,
        programme,
    }))
}

pub async fn import_cases_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    access::open_entry_case(caller.principal()?, &id)?;
    let programme = state.app.store().programme(&id).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/entry-cases/import"));
    Ok(render(&ImportPage {
        ctx,
        programme,
        pipeline: "entry-cases",
        rows: Vec::new(),
        checked: false,
        invalid: 0,
        csv: String::new(),
        error: None,
    }))
}

/// Dry run of an uploaded entry-case sheet, then the confirmed import (all rows or none).
pub async fn import_cases(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    let grant = access::open_entry_case(caller.principal()?, &id)?;
    let programme = state.app.store().programme(&id).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/entry-cases/import"));
    let tr = ctx.tr;
    let (bytes, confirm) = crate::pages::kpi::read_upload(req, &state).await?;
    let checked = match noguchi_app::sheets::rows::check_cases(&state.app, &bytes).await {
        Ok(c) => c,
        Err(noguchi_app::Error::Invalid(_)) => {
            let page = ImportPage {
                error: Some(tr.t("import-deals-unreadable")),
                ctx,
                programme,
                pipeline: "entry-cases",
                rows: Vec::new(),
                checked: false,
                invalid: 0,
                csv: String::new(),
            };
            let mut r = render(&page);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
        Err(e) => return Err(e.into()),
    };
    let (result, _) =
        crate::api::pipelines::run_case_import(&state, &grant, &id, checked, !confirm, tr).await?;
    if confirm && result.invalid == 0 {
        return Ok(Redirect::to(&format!(
            "/programmes/{id}/entry-cases?view=list&flash=imported"
        ))
        .into_response());
    }
    let csv = noguchi_app::sheets::read::normalised_csv(&bytes).await?;
    Ok(render(&ImportPage {
        invalid: result.invalid,
        rows: result.rows,
        checked: true,
        csv,
        error: None,
        ctx,
        programme,
        pipeline: "entry-cases",
    }))
}
