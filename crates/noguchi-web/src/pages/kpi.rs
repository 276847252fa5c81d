//! KPI pages: the target table with actuals and progress, chart and projection; the ledger of
//! outcomes behind every number; recording, verifying and importing outcomes.

use crate::AppState;
use crate::api::kpi::{OutcomeQuery, report, visible_outcome};
use crate::auth::{Caller, url_escape};
use crate::chart::{Chart, layout};
use crate::error::AppError;
use crate::forms::{Choice, Field, FormData};
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::sheets::rows as import;
use noguchi_domain::Invalid;
use noguchi_domain::Problem;
use noguchi_domain::access;
use noguchi_domain::dates::format_date;
use noguchi_domain::fiscal::FiscalYear;
use noguchi_domain::kpi::{KpiReport, Measure};
use noguchi_domain::ledger::{OutcomeData, OutcomeInput, OutcomeKind};
use noguchi_storage::{Decision, OrganisationFilter, Outcome, OutcomeSource, Programme};
use serde::Deserialize;

/// One line of the KPI table.
pub struct KpiLine {
    pub label: String,
    pub measure: String,
    pub target: String,
    pub actual: String,
    pub progress: String,
    /// 0–100, for the progress bar.
    pub bar: u32,
    pub link: String,
}

pub struct KpiBlock {
    pub title: String,
    pub lines: Vec<KpiLine>,
    pub projection: Option<String>,
}

pub struct YearLine {
    pub label: String,
    pub cells: Vec<String>,
}

fn measure_line(
    tr: Tr,
    programme_id: &str,
    label: &str,
    key: &str,
    fy: FiscalYear,
    measure: &str,
    m: Measure,
) -> KpiLine {
    let unit = |n: i64| {
        if measure == "firms" {
            tr.t1("kpi-n-firms", "n", &n.to_string())
        } else {
            tr.t1("kpi-n-jobs", "n", &n.to_string())
        }
    };
    let p = m.progress();
    KpiLine {
        label: label.to_owned(),
        measure: tr.t(if measure == "firms" {
            "kpi-firms"
        } else {
            "kpi-jobs"
        }),
        target: m.target.map(unit).unwrap_or_else(|| "—".into()),
        actual: unit(m.actual),
        progress: p
            .map(|p| format!("{:.0}%", p * 100.0))
            .unwrap_or_else(|| "—".into()),
        bar: p.map(|p| (p * 100.0).clamp(0.0, 100.0) as u32).unwrap_or(0),
        link: format!(
            "/programmes/{programme_id}/outcomes?indicator={key}&fiscal_year_to={}",
            fy.0
        ),
    }
}

pub fn blocks(tr: Tr, programme: &Programme, r: &KpiReport) -> Vec<KpiBlock> {
    r.milestones
        .iter()
        .map(|m| {
            let mut lines = Vec::new();
            let mut projection = None;
            for i in &m.indicators {
                let label = if tr.0 == crate::i18n::Lang::En {
                    i.label_en.clone().unwrap_or(i.label.clone())
                } else {
                    i.label.clone()
                };
                if let Some(f) = i.firms {
                    lines.push(measure_line(
                        tr,
                        &programme.id,
                        &label,
                        &i.key,
                        m.fiscal_year,
                        "firms",
                        f,
                    ));
                }
                if let Some(j) = i.jobs {
                    lines.push(measure_line(
                        tr,
                        &programme.id,
                        &label,
                        &i.key,
                        m.fiscal_year,
                        "jobs",
                        j,
                    ));
                    let is_total = programme
                        .definition
                        .indicators
                        .iter()
                        .any(|d| d.key == i.key && !d.sum_of.is_empty());
                    if let (true, Some(t)) = (is_total, j.target) {
                        // Ahead of a milestone: the projection at the current pace; after it: the result.
                        let (lead, value) = match i.projected_jobs {
                            Some(p) => (tr.t("kpi-at-this-pace"), p),
                            None => (tr.t("kpi-result"), j.actual),
                        };
                        let gap = if value >= t {
                            tr.t1("kpi-ahead", "n", &(value - t).to_string())
                        } else {
                            tr.t1("kpi-short", "n", &(t - value).to_string())
                        };
                        projection = Some(format!(
                            "{lead} {}: {}（{gap}）",
                            m.fiscal_year.era_label(),
                            tr.t1("kpi-n-jobs", "n", &value.to_string())
                        ));
                    }
                }
            }
            KpiBlock {
                title: m.fiscal_year.full_label(),
                lines,
                projection,
            }
        })
        .collect()
}

pub fn year_lines(programme: &Programme, r: &KpiReport) -> (Vec<String>, Vec<YearLine>) {
    let mut head = Vec::new();
    for ind in &programme.definition.indicators {
        head.push(ind.label.clone());
    }
    let lines = r
        .years
        .iter()
        .map(|y| YearLine {
            label: y.fiscal_year.full_label(),
            cells: y
                .cells
                .iter()
                .map(|(_, jobs, cum, firms)| match firms {
                    Some(f) => format!("+{jobs} / {cum}（{f}）"),
                    None => format!("+{jobs} / {cum}"),
                })
                .collect(),
        })
        .collect();
    (head, lines)
}

#[derive(Template)]
#[template(path = "kpi.html")]
struct KpiPage {
    ctx: Ctx,
    programme: Programme,
    as_of: String,
    baseline: String,
    blocks: Vec<KpiBlock>,
    chart: Option<Chart>,
    year_head: Vec<String>,
    years: Vec<YearLine>,
    can_record: bool,
    print: bool,
}

async fn kpi_page(
    state: &AppState,
    caller: &Caller,
    id: &str,
    print: bool,
) -> Result<Response, AppError> {
    let programme = state.app.store().programme(id).await?;
    let (r, current) = report(state, &programme).await?;
    let ctx = Ctx::new(caller, &format!("/programmes/{id}/kpi"));
    let tr = ctx.tr;
    let chart = layout(&programme.definition, &r, |n| {
        tr.t1("kpi-n-jobs", "n", &n.to_string())
    });
    let (year_head, years) = year_lines(&programme, &r);
    let page = KpiPage {
        as_of: tr.t1("kpi-as-of", "year", &current.full_label()),
        baseline: tr.t1("home-kpi-note", "year", &r.baseline.full_label()),
        blocks: blocks(tr, &programme, &r),
        can_record: access::record_outcome(caller.principal()?, id).is_ok(),
        chart,
        year_head,
        years,
        programme,
        ctx,
        print,
    };
    Ok(render(&page))
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    kpi_page(&state, &caller, &id, false).await
}

pub async fn print(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    kpi_page(&state, &caller, &id, true).await
}

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
    let viewer = caller.principal()?;
    let programme = state.app.store().programme(&id).await?;
    let status = q
        .status
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| q.indicator.as_ref().map(|_| "verified".to_owned()));
    let query = OutcomeQuery {
        status: status.clone(),
        indicator: q.indicator.clone(),
        kind: None,
        fiscal_year_from: None,
        fiscal_year_to: q.fiscal_year_to,
        organisation_id: None,
        cursor: q.cursor.clone(),
        limit: Some(200),
    };
    let filter = query.filter(&programme.definition, viewer, &id)?;
    let page = state
        .app
        .store()
        .list_outcomes(&caller.sight, &id, &filter, q.cursor.as_deref(), 200)
        .await?;
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
    let total_jobs = page.items.iter().map(|o| o.data.jobs).sum();
    let page = OutcomesPage {
        can_record: access::record_outcome(viewer, &id).is_ok(),
        items: page.items.into_iter().map(|o| line(tr, o)).collect(),
        total_jobs,
        filter_note,
        statuses,
        next: page
            .next_cursor
            .map(|c| format!("{base}&cursor={}", url_escape(&c))),
        programme,
        ctx,
    };
    Ok(render(&page))
}

async fn outcome_fields(
    state: &AppState,
    tr: Tr,
    input: &OutcomeInput,
) -> Result<Vec<Field>, AppError> {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut orgs = Vec::new();
    let mut cursor = None;
    let selected = s(&input.organisation_id);
    loop {
        let p = state
            .app
            .store()
            .list_organisations(&OrganisationFilter::default(), cursor.as_deref(), 200)
            .await?;
        orgs.extend(p.items.into_iter().map(|o| Choice {
            selected: o.id == selected,
            value: o.id,
            label: o.data.name,
        }));
        cursor = p.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
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
    let fields = outcome_fields(state, ctx.tr, input).await?;
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
    access::record_outcome(caller.principal()?, &id)?;
    state.app.store().programme(&id).await?;
    outcome_form(&state, &caller, &id, &OutcomeInput::default(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let grant = access::record_outcome(caller.principal()?, &id)?;
    let mut extra = Invalid::default();
    let jobs = match form
        .get("jobs")
        .map(|j| noguchi_domain::text::fold_width(j.trim()))
    {
        None => None,
        Some(j) if j.is_empty() => None,
        Some(j) => match j.replace(',', "").parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                extra.push("jobs", Problem::NotANumber);
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
    let data = match noguchi_domain::validation::combine(OutcomeData::parse(&input), extra) {
        Ok(d) => d,
        Err(e) => return outcome_form(&state, &caller, &id, &input, Some(&e)).await,
    };
    match state
        .app
        .store()
        .record_outcome(&grant, &id, data, OutcomeSource::Manual, None)
        .await
    {
        Ok(o) => Ok(Redirect::to(&format!("/outcomes/{}?flash=org-created", o.id)).into_response()),
        Err(noguchi_storage::StoreError::Invalid(i)) => {
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
    let viewer = caller.principal()?;
    let o = visible_outcome(state, viewer, id).await?;
    let ctx = Ctx::new(caller, &format!("/outcomes/{id}")).with_flash(flash);
    let failed = error.is_some();
    let mut r = render(&OutcomePage {
        can_decide: access::decide_outcome(viewer, &o.programme_id).is_ok(),
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
    let viewer = caller.principal()?;
    let o = visible_outcome(&state, viewer, &id).await?;
    let grant = access::decide_outcome(viewer, &o.programme_id)?;
    match state
        .app
        .store()
        .decide_outcome(&grant, &id, decision)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/outcomes/{id}?flash=org-updated")).into_response()),
        Err(noguchi_storage::StoreError::Invalid(i)) => {
            let tr = Tr(caller.lang);
            let message =
                i.0.iter()
                    .map(|e| tr.error(e))
                    .collect::<Vec<_>>()
                    .join(" ");
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

#[derive(Template)]
#[template(path = "outcome_import.html")]
struct ImportPage {
    ctx: Ctx,
    programme: Programme,
    rows: Vec<crate::api::kpi::ImportRowOut>,
    checked: bool,
    invalid: usize,
    /// The file, as normalised CSV, carried to the confirmation.
    csv: String,
    error: Option<String>,
}

pub async fn import_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    access::record_outcome(caller.principal()?, &id)?;
    let programme = state.app.store().programme(&id).await?;
    Ok(render(&ImportPage {
        ctx: Ctx::new(&caller, &format!("/programmes/{id}/outcomes/import")),
        programme,
        rows: Vec::new(),
        checked: false,
        invalid: 0,
        csv: String::new(),
        error: None,
    }))
}

/// Step 1 (multipart upload of XLSX/CSV): a dry run showing each row's result. Step 2 (the
/// confirmation form, carrying the rows as CSV): writes all rows, or none when any is invalid.
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    let grant = access::record_outcome(caller.principal()?, &id)?;
    let programme = state.app.store().programme(&id).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/outcomes/import"));
    let tr = ctx.tr;
    let (bytes, confirm) = read_upload(req, &state).await?;
    let checked = match import::check_outcomes(&state.app, &bytes).await {
        Ok(c) => c,
        Err(noguchi_app::Error::Invalid(_)) => {
            let page = ImportPage {
                error: Some(tr.t("import-unreadable")),
                ctx,
                programme,
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
    let invalid = checked.iter().filter(|r| r.data.is_err()).count();
    if confirm && invalid == 0 {
        let rows: Vec<OutcomeData> = checked.iter().filter_map(|r| r.data.clone().ok()).collect();
        state.app.store().record_outcomes(&grant, &id, rows).await?;
        return Ok(Redirect::to(&format!(
            "/programmes/{id}/outcomes?status=pending&flash=import-done"
        ))
        .into_response());
    }
    let csv = noguchi_app::sheets::read::normalised_csv(&bytes).await?;
    let page = ImportPage {
        rows: checked
            .iter()
            .map(|r| crate::api::kpi::import_row_out(r, tr))
            .collect(),
        checked: true,
        invalid,
        csv,
        error: None,
        ctx,
        programme,
    };
    Ok(render(&page))
}

use axum::extract::FromRequest;

/// Step 1 of an import posts the file (multipart), step 2 the checked rows back as CSV in a
/// plain form field; returns the bytes and whether this is the confirmation.
pub async fn read_upload(
    req: axum::extract::Request,
    state: &AppState,
) -> Result<(Vec<u8>, bool), AppError> {
    let is_multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest)?;
        let mut file = Vec::new();
        while let Some(field) = mp.next_field().await.map_err(|_| AppError::BadRequest)? {
            if field.name() == Some("file") {
                file = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::TooLarge)?
                    .to_vec();
            }
        }
        Ok((file, false))
    } else {
        let form = FormData::from_request(req, state).await?;
        Ok((form.get("csv").unwrap_or_default().into_bytes(), true))
    }
}
