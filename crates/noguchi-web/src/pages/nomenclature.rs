//! The nomenclature page: an administrator imports PMDA's list of general names (the columns
//! found by their usual headings or named here, a dry run first), and looks names up.

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::page::{Ctx, render};
use crate::views::messages;
use askama::Template;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use noguchi_domain::nomenclature::DeviceName;
use serde::Deserialize;

pub struct RowLine {
    pub row: usize,
    pub problems: String,
}

pub struct Report {
    pub dry_run: bool,
    pub applied: bool,
    pub valid: usize,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub rows: Vec<RowLine>,
}

#[derive(Template)]
#[template(path = "nomenclature.html")]
struct NomenclaturePage {
    ctx: Ctx,
    total: i64,
    q: String,
    names: Vec<DeviceName>,
    report: Option<Report>,
    error: Option<String>,
    columns: Vec<(&'static str, String)>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    q: &str,
    report: Option<Report>,
    error: Option<String>,
    columns: Vec<(String, String)>,
) -> Result<Response, AppError> {
    let (total, names) = state.app.device_names(&caller.sight, q, 50).await?;
    let ctx = Ctx::new(caller, "/admin/nomenclature");
    let failed = error.is_some() || report.as_ref().is_some_and(|r| !r.rows.is_empty());
    let columns = noguchi_domain::nomenclature::FIELDS
        .iter()
        .map(|f| {
            (
                *f,
                columns
                    .iter()
                    .find(|(c, _)| c == f)
                    .map(|(_, h)| h.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let mut r = render(&NomenclaturePage {
        ctx,
        total,
        q: q.to_owned(),
        names,
        report,
        error,
        columns,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    page(
        &state,
        &caller,
        q.q.as_deref().unwrap_or_default(),
        None,
        None,
        Vec::new(),
    )
    .await
}

pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    req: Request,
) -> Result<Response, AppError> {
    let mut mp = Multipart::from_request(req, &state)
        .await
        .map_err(|_| AppError::BadRequest)?;
    let (mut bytes, mut dry_run, mut columns) = (Vec::new(), false, Vec::new());
    while let Some(field) = mp.next_field().await.map_err(|_| AppError::TooLarge)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::TooLarge)?
                    .to_vec()
            }
            "dry_run" => dry_run = true,
            f if noguchi_domain::nomenclature::FIELDS.contains(&f) => {
                let h = field.text().await.map_err(|_| AppError::BadRequest)?;
                if !h.trim().is_empty() {
                    columns.push((f.to_owned(), h.trim().chars().take(100).collect()));
                }
            }
            _ => {}
        }
    }
    let tr = crate::i18n::Tr(caller.lang);
    match state
        .app
        .import_nomenclature(&caller.sight, bytes, &columns, dry_run)
        .await
    {
        Ok(i) => {
            let report = Report {
                dry_run: i.dry_run,
                applied: i.applied,
                valid: i.valid,
                added: i.counts.added,
                changed: i.counts.changed,
                unchanged: i.counts.unchanged,
                rows: i
                    .errors
                    .iter()
                    .map(|r| RowLine {
                        row: r.row,
                        problems: r
                            .errors
                            .iter()
                            .map(|e| tr.problem(&format!("nomenclature-{}", e.field), &e.problem))
                            .collect::<Vec<_>>()
                            .join(" "),
                    })
                    .collect(),
            };
            page(&state, &caller, "", Some(report), None, columns).await
        }
        Err(noguchi_app::Error::Invalid(i)) => {
            page(&state, &caller, "", None, Some(messages(tr, &i)), columns).await
        }
        Err(e) => Err(e.into()),
    }
}
