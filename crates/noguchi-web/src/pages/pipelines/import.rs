//! Importing a pipeline's records from a sheet: the upload shows every row's result (a dry run),
//! the confirmation writes all rows or none.

use super::PageKind;
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
use noguchi_domain::pipeline::Stages;

/// One row of the sheet as checked.
pub struct ImportRow {
    pub row: usize,
    pub ok: bool,
    pub organisation: Option<Named>,
    pub stage: Option<String>,
    pub errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "deal_import.html")]
struct ImportPage {
    ctx: Ctx,
    programme: Programme,
    /// `deals` or `entry-cases`
    pipeline: &'static str,
    rows: Vec<ImportRow>,
    checked: bool,
    invalid: usize,
    /// The file, as normalised CSV, carried to the confirmation.
    csv: String,
    error: Option<String>,
}

impl ImportPage {
    fn new(ctx: Ctx, programme: Programme, pipeline: &'static str) -> Self {
        Self {
            ctx,
            programme,
            pipeline,
            rows: Vec::new(),
            checked: false,
            invalid: 0,
            csv: String::new(),
            error: None,
        }
    }
}

pub async fn import_form<K: PageKind>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let programme = state
        .app
        .pipeline::<K>()
        .openable(&caller.sight, &id)
        .await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/{}/import", K::BASE));
    Ok(render(&ImportPage::new(ctx, programme, K::BASE)))
}

/// Step 1 (the file, multipart): every row's result. Step 2 (the checked rows sent back as
/// CSV): the import, all rows or none.
pub async fn import<K: PageKind>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/{}/import", K::BASE));
    let tr = ctx.tr;
    let (bytes, confirm) = read_upload(req, &state).await?;
    let pipeline = state.app.pipeline::<K>();
    let import = match pipeline.import(&caller.sight, &id, &bytes, !confirm).await {
        Ok(import) => import,
        Err(noguchi_app::Error::Invalid(_)) => {
            let programme = pipeline.openable(&caller.sight, &id).await?;
            let mut page = ImportPage::new(ctx, programme, K::BASE);
            page.error = Some(tr.t("import-deals-unreadable"));
            let mut r = render(&page);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
        Err(e) => return Err(e.into()),
    };
    if confirm && import.invalid() == 0 {
        let to = format!("/programmes/{id}/{}?view=list&flash=imported", K::BASE);
        return Ok(Redirect::to(&to).into_response());
    }
    let invalid = import.invalid();
    let csv = noguchi_app::sheets::read::normalised_csv(&bytes).await?;
    let mut page = ImportPage::new(ctx, import.programme, K::BASE);
    page.rows = import
        .rows
        .into_iter()
        .map(|r| {
            let (stage, errors) = match r.data {
                Ok((_, stage, _)) => (Some(stage.code().to_owned()), Vec::new()),
                Err(i) => (None, i.0.iter().map(|e| tr.error(e)).collect()),
            };
            ImportRow {
                row: r.row,
                ok: stage.is_some(),
                organisation: r.organisation,
                stage,
                errors,
            }
        })
        .collect();
    page.checked = true;
    page.invalid = invalid;
    page.csv = csv;
    Ok(render(&page))
}
