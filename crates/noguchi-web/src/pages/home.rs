//! The programme home: council members and their roles, strategies, KPI targets, and where
//! the pipelines and needs stand.

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::pipelines::{Deals, EntryCases, Kind};
use noguchi_app::records::Programme;
use noguchi_domain::pipeline::Stages;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

#[derive(Template)]
#[template(path = "no_programme.html")]
struct NoProgramme {
    ctx: Ctx,
}

/// `/`: the home of the caller's programme (the first one their organisation belongs to).
pub async fn index(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    Ok(match state.app.home_programme(&caller.sight).await? {
        Some(prog) => {
            let flash = q
                .flash
                .map(|f| format!("?flash={}", crate::auth::url_escape(&f)))
                .unwrap_or_default();
            Redirect::to(&format!("/programmes/{}{flash}", prog.id)).into_response()
        }
        None => render(&NoProgramme {
            ctx: Ctx::new(&caller, "/"),
        }),
    })
}

struct TargetRow {
    label: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "programme.html")]
struct ProgrammePage {
    ctx: Ctx,
    programme: Programme,
    years: Vec<String>,
    targets: Vec<TargetRow>,
    baseline: String,
    deal_counts: Vec<(String, usize)>,
    case_counts: Vec<(String, usize)>,
    need_counts: Vec<(String, usize)>,
    /// Projects by stage, counting only those the caller may see.
    project_counts: Vec<(String, usize)>,
    baseline_label: String,
}

pub async fn programme(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let programme = state.app.programme(&id).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}")).with_flash(q.flash.as_deref());
    let tr = ctx.tr;
    let def = &programme.definition;
    let years = def
        .milestones
        .iter()
        .map(|m| noguchi_domain::fiscal::FiscalYear(m.fiscal_year).full_label())
        .collect();
    let targets = def
        .indicators
        .iter()
        .map(|i| TargetRow {
            label: match (&i.label_en, tr.0) {
                (Some(en), crate::i18n::Lang::En) => en.clone(),
                _ => i.label.clone(),
            },
            cells: def
                .milestones
                .iter()
                .map(|m| {
                    let t = m.targets.get(&i.key);
                    let firms = t
                        .and_then(|t| t.firms)
                        .map(|n| tr.t1("home-firms", "n", &n.to_string()));
                    let jobs = t
                        .and_then(|t| t.jobs)
                        .map(|n| tr.t1("home-jobs", "n", &n.to_string()));
                    [firms, jobs]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect(),
        })
        .collect();
    let baseline = tr.t1(
        "home-kpi-note",
        "year",
        &noguchi_domain::fiscal::FiscalYear(def.baseline_fiscal_year).full_label(),
    );
    let deal_counts = stage_counts::<Deals>(&state, &caller, &id, tr).await?;
    let case_counts = stage_counts::<EntryCases>(&state, &caller, &id, tr).await?;
    let need_counts = crate::pages::needs::status_counts(&state, &caller, &id, tr).await?;
    let project_counts = if caller.principal.is_some() {
        let projects = state.app.projects(&caller.sight, &id).await?;
        crate::pages::projects::stage_counts(tr, &projects)
            .into_iter()
            .map(|c| (c.label, c.count))
            .collect()
    } else {
        Vec::new()
    };
    let baseline_label = noguchi_domain::fiscal::FiscalYear(def.baseline_fiscal_year).full_label();
    Ok(render(&ProgrammePage {
        project_counts,
        ctx,
        programme,
        years,
        targets,
        baseline,
        deal_counts,
        case_counts,
        need_counts,
        baseline_label,
    }))
}

/// How many records of a pipeline the caller may see stand at each stage.
async fn stage_counts<K: Kind>(
    state: &AppState,
    caller: &Caller,
    programme_id: &str,
    tr: crate::i18n::Tr,
) -> Result<Vec<(String, usize)>, AppError> {
    Ok(state
        .app
        .pipeline::<K>()
        .stage_counts(&caller.sight, programme_id)
        .await?
        .into_iter()
        .map(|(stage, n)| (tr.code("stage", stage.code()), n))
        .collect())
}
