//! Importing outcomes from a sheet: the upload shows every row's result (a dry run), the
//! confirmation records all rows or none.

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::page::{Ctx, render};
use crate::upload::read_upload;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::records::Programme;
use noguchi_app::sheets::rows::Named;

/// One row of an outcome sheet as checked.
pub struct ImportRow {
    pub row: usize,
    pub ok: bool,
    pub organisation: Option<Named>,
    pub kind: Option<String>,
    pub fiscal_year: Option<i32>,
    pub jobs: Option<i64>,
    pub errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "outcome_import.html")]
struct ImportPage {
    ctx: Ctx,
    programme: Programme,
    rows: Vec<ImportRow>,
    checked: bool,
    invalid: usize,
    /// The file, as normalised CSV, carried to the confirmation.
    csv: String,
    error: Option<String>,
}

impl ImportPage {
    fn new(ctx: Ctx, programme: Programme) -> Self {
        Self {
            ctx,
            programme,
            rows: Vec::new(),
            checked: false,
            invalid: 0,
            csv: String::new(),
            error: None,
        }
    }
}

pub async fn import_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let programme = state.app.outcomes_to_record(&caller.sight, &id).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/outcomes/import"));
    Ok(render(&ImportPage::new(ctx, programme)))
}

/// Step 1 (multipart upload of XLSX/CSV): a dry run showing each row's result. Step 2 (the
/// confirmation form, carrying the rows as CSV): writes all rows, or none when any is invalid.
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/outcomes/import"));
    let tr = ctx.tr;
    let (bytes, confirm) = read_upload(req, &state).await?;
    let import = match state
        .app
        .import_outcomes(&caller.sight, &id, &bytes, !confirm)
        .await
    {
        Ok(import) => import,
        Err(noguchi_app::Error::Invalid(_)) => {
            let programme = state.app.outcomes_to_record(&caller.sight, &id).await?;
            let mut page = ImportPage::new(ctx, programme);
            page.error = Some(tr.t("import-unreadable"));
            let mut r = render(&page);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
        Err(e) => return Err(e.into()),
    };
    if confirm && import.invalid() == 0 {
        return Ok(Redirect::to(&format!(
            "/programmes/{id}/outcomes?status=pending&flash=import-done"
        ))
        .into_response());
    }
    let invalid = import.invalid();
    let csv = noguchi_app::sheets::read::normalised_csv(&bytes).await?;
    let mut page = ImportPage::new(ctx, import.programme);
    page.rows = import
        .rows
        .into_iter()
        .map(|r| {
            let (ok, kind, fiscal_year, jobs, errors) = match r.data {
                Ok(d) => (
                    true,
                    Some(d.kind.code().to_owned()),
                    Some(d.fiscal_year.0),
                    Some(d.jobs),
                    Vec::new(),
                ),
                Err(i) => (
                    false,
                    None,
                    None,
                    None,
                    i.0.iter().map(|e| tr.error(e)).collect(),
                ),
            };
            ImportRow {
                row: r.row,
                ok,
                organisation: r.organisation,
                kind,
                fiscal_year,
                jobs,
                errors,
            }
        })
        .collect();
    page.checked = true;
    page.invalid = invalid;
    page.csv = csv;
    Ok(render(&page))
}
