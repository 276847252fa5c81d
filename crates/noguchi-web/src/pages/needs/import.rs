//! The needs sheet import: a dry run of an uploaded sheet (every row checked and screened),
//! then the confirmed import of the very rows that were checked (all or none).

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::needs::NeedImport;
use noguchi_app::records::Programme;
use noguchi_app::sheets::rows::Named;

/// A checked row as the page shows it.
pub struct ImportRow {
    pub row: usize,
    pub ok: bool,
    pub title: Option<String>,
    pub organisation: Option<Named>,
    pub held: bool,
    /// What the guard found (kinds).
    pub findings: Vec<String>,
    /// The row's problems, in the caller's language.
    pub errors: Vec<String>,
}

pub struct ImportReport {
    pub held: usize,
    pub invalid: usize,
    pub rows: Vec<ImportRow>,
}

fn report(tr: Tr, imp: NeedImport) -> ImportReport {
    let (held, invalid) = (imp.held(), imp.invalid());
    let rows = imp
        .rows
        .into_iter()
        .map(|r| match r.data {
            Ok((d, findings)) => ImportRow {
                row: r.row,
                ok: true,
                title: Some(d.title),
                organisation: r.organisation,
                held: !findings.is_empty(),
                findings: findings.iter().map(|f| f.kind.code().to_owned()).collect(),
                errors: Vec::new(),
            },
            Err(i) => ImportRow {
                row: r.row,
                ok: false,
                title: None,
                organisation: r.organisation,
                held: false,
                findings: Vec::new(),
                errors: i.0.iter().map(|e| tr.error(e)).collect(),
            },
        })
        .collect();
    ImportReport {
        held,
        invalid,
        rows,
    }
}

#[derive(Template)]
#[template(path = "needs_import.html")]
struct ImportPage {
    ctx: Ctx,
    programme: Programme,
    report: Option<ImportReport>,
    csv: String,
    error: Option<String>,
}

pub async fn import_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let programme = state.app.prepare_need(&caller.sight, &id).await?;
    Ok(render(&ImportPage {
        ctx: Ctx::new(&caller, &format!("/programmes/{id}/needs/import")),
        programme,
        report: None,
        csv: String::new(),
        error: None,
    }))
}

/// Dry run of an uploaded needs sheet (every row checked and screened), then the confirmed
/// import of the very rows that were checked (all or none).
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    // Refused before the upload is read.
    let programme = state.app.prepare_need(&caller.sight, &id).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/needs/import"));
    let tr = ctx.tr;
    let (bytes, confirm) = crate::upload::read_upload(req, &state).await?;
    let imp = match state
        .app
        .import_needs(&caller.sight, &id, &bytes, !confirm)
        .await
    {
        Ok(imp) => imp,
        Err(noguchi_app::Error::Invalid(_)) => {
            let mut r = render(&ImportPage {
                error: Some(tr.t("needs-import-unreadable")),
                ctx,
                programme,
                report: None,
                csv: String::new(),
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
        Err(e) => return Err(e.into()),
    };
    if confirm && imp.invalid() == 0 {
        return Ok(Redirect::to(&format!("/programmes/{id}/needs?flash=imported")).into_response());
    }
    Ok(render(&ImportPage {
        csv: noguchi_app::sheets::read::normalised_csv(&bytes).await?,
        report: Some(report(tr, imp)),
        error: None,
        ctx,
        programme,
    }))
}
