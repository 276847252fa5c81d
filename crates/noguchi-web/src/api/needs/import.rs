//! Importing needs from a sheet over JSON: a dry run by default, then all rows or none.

use crate::AppState;
use crate::api::kpi::ImportQuery;
use crate::api::{FieldErrorOut, OrgRef, ProblemOut};
use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::Tr;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use noguchi_app::needs::NeedImport;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedImportRowOut {
    /// The row number in the file (the header is row 1).
    pub row: usize,
    pub ok: bool,
    pub title: Option<String>,
    pub organisation: Option<OrgRef>,
    /// The guard flags this row: it will be stored held for review.
    pub held: bool,
    /// What the guard found (kinds), for the reviewer.
    pub findings: Vec<String>,
    pub errors: Vec<FieldErrorOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedImportOut {
    pub dry_run: bool,
    pub valid: usize,
    pub invalid: usize,
    /// Valid rows the guard flags (they are stored held).
    pub held: usize,
    /// Needs written (0 on a dry run, or when any row is invalid: all rows or none).
    pub imported: usize,
    pub rows: Vec<NeedImportRowOut>,
}

/// The report of an import, with each row's problems in the caller's language.
pub fn import_out(imp: NeedImport, tr: Tr) -> NeedImportOut {
    let (dry_run, imported) = (imp.dry_run, imp.imported);
    let (valid, invalid, held) = (imp.valid(), imp.invalid(), imp.held());
    let rows = imp
        .rows
        .into_iter()
        .map(|r| match r.data {
            Ok((d, findings)) => NeedImportRowOut {
                row: r.row,
                ok: true,
                title: Some(d.title),
                organisation: r.organisation.map(Into::into),
                held: !findings.is_empty(),
                findings: findings.iter().map(|f| f.kind.code().to_owned()).collect(),
                errors: Vec::new(),
            },
            Err(i) => NeedImportRowOut {
                row: r.row,
                ok: false,
                title: None,
                organisation: r.organisation.map(Into::into),
                held: false,
                findings: Vec::new(),
                errors: i
                    .0
                    .iter()
                    .map(|e| FieldErrorOut {
                        field: e.field.clone(),
                        message: tr.error(e),
                    })
                    .collect(),
            },
        })
        .collect();
    NeedImportOut {
        dry_run,
        valid,
        invalid,
        held,
        imported,
        rows,
    }
}

/// Imports needs from XLSX or CSV (UTF-8 or Shift_JIS) sent as the body: columns 件名, 課題,
/// 対象・場面, 望む成果, 診療科・部署, 場面, 機器分類, 頻度, 現在の対処, 公開範囲 (default 内部のみ),
/// 状態, 提出団体 (the secretariat only). Every row is screened by the guard; flagged rows are
/// stored held. All rows or none.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/needs/import", tag = "needs", params(("id" = String, Path), crate::api::kpi::ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = NeedImportOut), (status = 403, body = ProblemOut), (status = 422, body = NeedImportOut)))]
pub async fn import_needs(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<axum::response::Response, AppError> {
    let imp = state
        .app
        .import_needs(&caller.sight, &id, &body, q.dry_run.unwrap_or(true))
        .await?;
    let status = if imp.refused() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(import_out(imp, Tr(caller.lang)))).into_response())
}
