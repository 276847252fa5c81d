//! The ties page of a fiscal year: the network's figures, its picture, the brokers and the
//! ties, as the caller may see them (the use case keeps confidential ties from others).

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "network.html")]
struct NetworkPage {
    ctx: Ctx,
    programme_id: String,
    fiscal_year: i32,
    fiscal_year_label: String,
    metrics: noguchi_domain::network::NetworkMetrics,
    local_firms_tied: usize,
    graph: crate::graph::Graph,
    brokers: Vec<(String, String)>,
    ties: Vec<TieLine>,
    more_ties: usize,
}

pub struct TieLine {
    pub a: String,
    pub b: String,
    pub kinds: String,
    pub since: String,
}

#[derive(Deserialize)]
pub struct YearQuery {
    fiscal_year: Option<String>,
}

impl YearQuery {
    /// The fiscal year asked for (any spelling `FiscalYear::parse` reads), this one by default.
    fn year(&self, today: time::Date) -> Result<noguchi_domain::fiscal::FiscalYear, AppError> {
        match self
            .fiscal_year
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(noguchi_domain::fiscal::FiscalYear::of_date(today)),
            Some(s) => noguchi_domain::fiscal::FiscalYear::parse(s)
                .map_err(|p| AppError::field("fiscal_year", p)),
        }
    }
}

/// The ties page of a fiscal year: the figures, the picture, the brokers and the ties, as the
/// caller may see them.
pub async fn network(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    caller.principal()?;
    let fy = q.year(state.app.today())?;
    let view = state.app.network(&caller.sight, &id, fy).await?;
    let ctx = Ctx::new(
        &caller,
        &format!("/programmes/{id}/network?fiscal_year={}", fy.0),
    );
    let tr = ctx.tr;
    let name = |o: &str| view.names.get(o).cloned().unwrap_or_else(|| o.to_owned());
    const SHOWN: usize = 300;
    let mut ties: Vec<&noguchi_domain::network::Tie> = view.ties.iter().collect();
    ties.sort_by(|x, y| {
        y.strength
            .cmp(&x.strength)
            .then(y.first_fiscal_year.cmp(&x.first_fiscal_year))
    });
    let lines = ties
        .iter()
        .take(SHOWN)
        .map(|t| TieLine {
            a: name(&t.a),
            b: name(&t.b),
            kinds: t
                .kinds
                .iter()
                .map(|k| tr.code("tie-kind", k.code()))
                .collect::<Vec<_>>()
                .join("・"),
            since: t.first_fiscal_year.era_label(),
        })
        .collect();
    Ok(render(&NetworkPage {
        graph: crate::graph::layout(&view, 60),
        brokers: view
            .brokers
            .iter()
            .map(|(o, b)| (name(o), format!("{b:.1}")))
            .collect(),
        more_ties: view.ties.len().saturating_sub(SHOWN),
        ties: lines,
        metrics: view.metrics.clone(),
        local_firms_tied: view.local_firms_tied,
        fiscal_year: fy.0,
        fiscal_year_label: fy.full_label(),
        programme_id: id,
        ctx,
    }))
}

#[derive(Template)]
#[template(path = "introductions.html")]
struct IntroductionsPage {
    ctx: Ctx,
    programme_id: String,
    firm: String,
    items: Vec<IntroLine>,
}

pub struct IntroLine {
    pub href: String,
    pub name: String,
    pub reasons: Vec<String>,
}

#[derive(Deserialize)]
pub struct FirmQuery {
    organisation: Option<String>,
}

/// The organisations a firm should meet (its own staff see theirs; the secretariat any
/// firm's, with `?organisation=`), each with its reasons in words.
pub async fn introductions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FirmQuery>,
) -> Result<Response, AppError> {
    use noguchi_domain::network::IntroReason as R;
    let p = caller.principal()?;
    let org = q
        .organisation
        .filter(|o| !o.trim().is_empty())
        .unwrap_or_else(|| p.organisation_id.clone());
    let v = state.app.introductions(&caller.sight, &id, &org).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/introductions"));
    let tr = ctx.tr;
    let name = |o: &str| v.names.get(o).cloned().unwrap_or_else(|| o.to_owned());
    let items = v
        .items
        .iter()
        .map(|i| IntroLine {
            href: format!("/organisations/{}", i.organisation_id),
            name: name(&i.organisation_id),
            reasons: i
                .reasons
                .iter()
                .map(|r| match r {
                    R::Need(_, title) => format!("{}: {title}", tr.t("intro-need")),
                    R::SharedContacts(via) => format!(
                        "{}: {}",
                        tr.t("intro-shared"),
                        via.iter().map(|o| name(o)).collect::<Vec<_>>().join("、")
                    ),
                    R::Complementary(c) => {
                        format!("{}: {}", tr.t("intro-complementary"), c.join("、"))
                    }
                })
                .collect(),
        })
        .collect();
    Ok(render(&IntroductionsPage {
        programme_id: id,
        firm: v.firm.data.name,
        items,
        ctx,
    }))
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    ctx: Ctx,
    programme_id: String,
    fiscal_year: i32,
    fiscal_year_label: String,
    figures: noguchi_domain::event::ActivityFigures,
    funnel: Option<noguchi_domain::event::Funnel>,
    events: Vec<(String, String, String, i64)>,
    firms: Vec<FirmLine>,
}

pub struct FirmLine {
    pub href: String,
    pub name: String,
    pub first_time: bool,
    pub steps: Option<[bool; 3]>,
}

/// The records behind a fiscal year's activity figures (the KPI page's numbers open it): the
/// events held with their participants, and the firms reached (first-time ones marked; for the
/// secretariat, how far each went).
pub async fn activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    caller.principal()?;
    let fy = q.year(state.app.today())?;
    let d = state.app.activity_detail(&caller.sight, &id, fy).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/activity"));
    let events = d
        .events
        .iter()
        .map(|v| {
            let e = &v.event;
            (
                format!("/events/{}", e.id),
                e.data.title.clone(),
                noguchi_domain::event::format_instant(e.data.starts_at)
                    .chars()
                    .take(10)
                    .collect(),
                e.checked_in,
            )
        })
        .collect();
    let firms = d
        .firms
        .into_iter()
        .map(|f| FirmLine {
            href: format!("/organisations/{}", f.id),
            name: f.name,
            first_time: f.first_time,
            steps: f.steps,
        })
        .collect();
    Ok(render(&ActivityPage {
        programme_id: id,
        fiscal_year: fy.0,
        fiscal_year_label: fy.full_label(),
        figures: d.report.figures,
        funnel: d.report.funnel,
        events,
        firms,
        ctx,
    }))
}
