//! KPI pages: the target table (`report.rs`); the ledger of outcomes behind every number,
//! recording, verifying and rejecting outcomes (here); importing them (`import.rs`).

mod import;
mod report;

pub use import::{import, import_form};
pub use report::{print, show};

use crate::AppState;
use crate::auth::{Caller, url_escape};
use crate::error::AppError;
use crate::forms::{Choice, Field, FormData};
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use crate::views::{messages, organisation_choices};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::Submitted;
use noguchi_app::ledger::{Decision, OutcomeQuery};
use noguchi_app::records::{Outcome, Programme};
use noguchi_domain::Invalid;
use noguchi_domain::Problem;
use noguchi_domain::dates::format_date;
use noguchi_domain::fiscal::FiscalYear;
use noguchi_domain::ledger::{OutcomeInput, OutcomeKind};
use serde::Deserialize;

pub struct OutcomeLine {
    pub o: Outcome,
    pub kind: String,
    pub status: String,
    pub fy: String,
}

#[derive(Template)]
#[template(path = "outcomes.html")]
struct OutcomesPage {
    ctx: Ctx,
    programme: Programme,
    items: Vec<OutcomeLine>,
    total_jobs: i64,
    filter_note: Option<String>,
    statuses: Vec<Choice>,
    next: Option<String>,
    can_record: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    indicator: Option<String>,
    fiscal_year_to: Option<i32>,
    cursor: Option<String>,
    flash: Option<String>,
}

fn line(tr: Tr, o: Outcome) -> OutcomeLine {
    OutcomeLine {
        kind: tr.code("outcome-kind", o.data.kind.code()),
        status: tr.code("outcome-status", o.status.code()),
        fy: o.data.fiscal_year.era_label(),
        o,
    }
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    // A KPI number links to the verified outcomes behind it.
    let status = q
        .status
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| q.indicator.as_ref().map(|_| "verified".to_owned()));
    let query = OutcomeQuery {
        status: status.as_deref(),
        indicator: q.indicator.as_deref(),
        fiscal_year_to: q.fiscal_year_to,
        ..Default::default()
    };
    let ledger = state
        .app
        .outcomes(&caller.sight, &id, query, q.cursor.as_deref(), 200)
        .await?;
    let programme = ledger.programme;
    let ctx =
        Ctx::new(&caller, &format!("/programmes/{id}/outcomes")).with_flash(q.flash.as_deref());
    let tr = ctx.tr;
    let filter_note = q.indicator.as_ref().map(|key| {
        let label = programme
            .definition
            .indicators
            .iter()
            .find(|i| &i.key == key)
            .map_or(key.clone(), |i| i.label.clone());
        let to = q
            .fiscal_year_to
            .map(|y| FiscalYear(y).era_label())
            .unwrap_or_default();
        tr.t1(
            "outcomes-behind",
            "what",
            &format!(
                "{label}（{}〜{to}）",
                FiscalYear(programme.definition.baseline_fiscal_year).era_label()
            ),
        )
    });
    let selected = status.unwrap_or_default();
    let statuses = ["pending", "verified", "rejected"]
        .iter()
        .map(|s| Choice {
            value: (*s).into(),
            label: tr.code("outcome-status", s),
            selected: *s == selected,
        })
        .collect();
    let base = format!(
        "/programmes/{id}/outcomes?status={}&indicator={}&fiscal_year_to={}",
        url_escape(&selected),
        url_escape(q.indicator.as_deref().unwrap_or_default()),
        q.fiscal_year_to.map(|y| y.to_string()).unwrap_or_default()
    );
    let outcomes = ledger.outcomes;
    let total_jobs = outcomes.items.iter().map(|o| o.data.jobs).sum();
    let page = OutcomesPage {
        can_record: ledger.may_record,
        items: outcomes.items.into_iter().map(|o| line(tr, o)).collect(),
        total_jobs,
        filter_note,
        statuses,
        next: outcomes
            .next_cursor
            .map(|c| format!("{base}&cursor={}", url_escape(&c))),
        programme,
        ctx,
    };
    Ok(render(&page))
}

async fn outcome_fields(
    state: &AppState,
    caller: &Caller,
    tr: Tr,
    input: &OutcomeInput,
) -> Result<Vec<Field>, AppError> {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let selected = s(&input.organisation_id);
    let orgs = organisation_choices(state, &caller.sight, std::slice::from_ref(&selected)).await?;
    let kind = s(&input.kind);
    Ok(vec![
        Field::new(tr, "organisation_id", "select", selected.clone())
            .required()
            .choices(orgs),
        Field::new(tr, "kind", "select", kind.clone())
            .required()
            .choices(
                OutcomeKind::ALL
                    .iter()
                    .map(|k| Choice {
                        value: k.code().into(),
                        label: tr.code("outcome-kind", k.code()),
                        selected: k.code() == kind,
                    })
                    .collect(),
            ),
        Field::new(tr, "fiscal_year", "text", s(&input.fiscal_year)).help(tr.t("outcome-fy-help")),
        Field::new(tr, "occurred_on", "date", s(&input.occurred_on)),
        Field::new(
            tr,
            "jobs",
            "number",
            input.jobs.map(|j| j.to_string()).unwrap_or_default(),
        )
        .required(),
        Field::new(tr, "evidence", "textarea", s(&input.evidence)),
        Field::new(tr, "evidence_ref", "text", s(&input.evidence_ref)),
        Field::new(tr, "note", "textarea", s(&input.note)),
    ])
}

async fn outcome_form(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: &OutcomeInput,
    invalid: Option<&Invalid>,
) -> Result<Response, AppError> {
    let action = format!("/programmes/{id}/outcomes");
    let ctx = Ctx::new(caller, &action);
    let fields = outcome_fields(state, caller, ctx.tr, input).await?;
    let title = ctx.t("outcome-new");
    Ok(crate::pages::render_form(
        ctx,
        title,
        action,
        format!("/programmes/{id}/kpi"),
        fields,
        invalid,
    ))
}

pub async fn new_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    state.app.outcomes_to_record(&caller.sight, &id).await?;
    outcome_form(&state, &caller, &id, &OutcomeInput::default(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let mut unreadable = Invalid::default();
    let jobs = match form
        .get("jobs")
        .map(|j| noguchi_domain::text::fold_width(j.trim()))
    {
        None => None,
        Some(j) if j.is_empty() => None,
        Some(j) => match j.replace(',', "").parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                unreadable.push("jobs", Problem::NotANumber);
                None
            }
        },
    };
    let input = OutcomeInput {
        organisation_id: form.get("organisation_id"),
        kind: form.get("kind"),
        fiscal_year: form.get("fiscal_year"),
        occurred_on: form.get("occurred_on"),
        jobs,
        evidence: form.get("evidence"),
        evidence_ref: form.get("evidence_ref"),
        note: form.get("note"),
    };
    let submitted = Submitted {
        input: input.clone(),
        unreadable,
    };
    match state
        .app
        .record_outcome(&caller.sight, &id, submitted)
        .await
    {
        Ok(o) => Ok(Redirect::to(&format!("/outcomes/{}?flash=org-created", o.id)).into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            outcome_form(&state, &caller, &id, &input, Some(&i)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "outcome_show.html")]
struct OutcomePage {
    ctx: Ctx,
    line: OutcomeLine,
    occurred_on: String,
    can_decide: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

async fn outcome_page(
    state: &AppState,
    caller: &Caller,
    id: &str,
    flash: Option<&str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let o = state.app.outcome(&caller.sight, id).await?;
    let ctx = Ctx::new(caller, &format!("/outcomes/{id}")).with_flash(flash);
    let failed = error.is_some();
    let mut r = render(&OutcomePage {
        can_decide: state.app.may_decide_outcome(&caller.sight, &o),
        occurred_on: o.data.occurred_on.map(format_date).unwrap_or_default(),
        line: line(ctx.tr, o),
        ctx,
        error,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn show_outcome(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    outcome_page(&state, &caller, &id, q.flash.as_deref(), None).await
}

async fn decide(
    state: AppState,
    caller: Caller,
    id: String,
    decision: Decision,
) -> Result<Response, AppError> {
    match state.app.decide_outcome(&caller.sight, &id, decision).await {
        Ok(_) => Ok(Redirect::to(&format!("/outcomes/{id}?flash=org-updated")).into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            let message = messages(Tr(caller.lang), &i);
            outcome_page(&state, &caller, &id, None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    decide(state, caller, id, Decision::Verify).await
}

pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let reason = form.get("reason").filter(|r| !r.trim().is_empty());
    decide(state, caller, id, Decision::Reject { reason }).await
}
