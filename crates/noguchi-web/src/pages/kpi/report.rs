//! The KPI page: the target table with actuals and progress, the chart and the projection;
//! every number links to the outcomes behind it.

use crate::AppState;
use crate::auth::Caller;
use crate::chart::{Chart, layout};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use noguchi_app::records::Programme;
use noguchi_domain::fiscal::FiscalYear;
use noguchi_domain::kpi::{KpiReport, Measure};

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

/// A fiscal year's activity: each number with the part of the records page behind it.
pub struct ActivityLine {
    pub label: String,
    pub href: String,
    pub cells: Vec<(String, &'static str)>,
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
    activity: Vec<ActivityLine>,
    show_funnel: bool,
}

async fn kpi_page(
    state: &AppState,
    caller: &Caller,
    id: &str,
    print: bool,
) -> Result<Response, AppError> {
    let k = state.app.kpi(&caller.sight, id).await?;
    let ctx = Ctx::new(caller, &format!("/programmes/{id}/kpi"));
    let tr = ctx.tr;
    let chart = layout(&k.programme.definition, &k.report, |n| {
        tr.t1("kpi-n-jobs", "n", &n.to_string())
    });
    let (year_head, years) = year_lines(&k.programme, &k.report);
    let activity = state
        .app
        .activity(
            &caller.sight,
            id,
            &state.app.activity_years(&k.programme, k.as_of),
        )
        .await?;
    let show_funnel = activity.iter().any(|a| a.funnel.is_some());
    let activity = activity
        .iter()
        .rev()
        .map(|a| {
            let f = &a.figures;
            // Each number opens the records behind it (the year's events, the firms reached).
            let mut cells = vec![
                (f.events_held, "events"),
                (f.participants, "events"),
                (f.firms_reached, "firms"),
                (f.first_time_firms, "firms"),
            ];
            if let Some(n) = &a.funnel {
                cells.extend([
                    (n.consulted, "firms"),
                    (n.entry_case, "firms"),
                    (n.commercialised, "firms"),
                ]);
            }
            ActivityLine {
                label: a.fiscal_year.full_label(),
                href: format!("/programmes/{id}/activity?fiscal_year={}", a.fiscal_year.0),
                cells: cells
                    .into_iter()
                    .map(|(n, at)| (n.to_string(), at))
                    .collect(),
            }
        })
        .collect();
    let page = KpiPage {
        activity,
        show_funnel,
        as_of: tr.t1("kpi-as-of", "year", &k.as_of.full_label()),
        baseline: tr.t1("home-kpi-note", "year", &k.report.baseline.full_label()),
        blocks: blocks(tr, &k.programme, &k.report),
        can_record: k.may_record,
        chart,
        year_head,
        years,
        programme: k.programme,
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
