//! The nomenclature of medical devices over JSON: an administrator imports PMDA's list (a dry
//! run by default; all rows or none), anyone signed in looks general names up.

use super::{FieldErrorOut, ProblemOut};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::Tr;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use noguchi_app::nomenclature::NomenclatureImport;
use noguchi_domain::nomenclature::DeviceName;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
pub struct NomenclatureImportQuery {
    /// true (default): check every row and write nothing.
    pub dry_run: Option<bool>,
    /// The heading of the column holding the JMDN code (default: the usual headings).
    pub code: Option<String>,
    /// The heading of the general name's column.
    pub name: Option<String>,
    /// The heading of the class's column.
    pub class: Option<String>,
    /// The heading of the certification standard's column.
    pub standard: Option<String>,
    /// The heading of the definition's column.
    pub definition: Option<String>,
}

impl NomenclatureImportQuery {
    pub fn columns(&self) -> Vec<(String, String)> {
        [
            ("code", &self.code),
            ("name", &self.name),
            ("class", &self.class),
            ("standard", &self.standard),
            ("definition", &self.definition),
        ]
        .into_iter()
        .filter_map(|(f, h)| {
            h.as_ref()
                .map(|h| (f.to_owned(), h.chars().take(100).collect()))
        })
        .collect()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowErrorsOut {
    /// The row number in the file (the header is row 1).
    pub row: usize,
    pub errors: Vec<FieldErrorOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NomenclatureImportOut {
    pub dry_run: bool,
    pub valid: usize,
    pub invalid: usize,
    /// New JMDN codes, changed ones and those already kept as they are.
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Whether the names were kept (not a dry run, and no row refused).
    pub applied: bool,
    pub rows: Vec<RowErrorsOut>,
}

pub fn import_out(i: NomenclatureImport, tr: Tr) -> NomenclatureImportOut {
    NomenclatureImportOut {
        dry_run: i.dry_run,
        valid: i.valid,
        invalid: i.errors.len(),
        added: i.counts.added,
        changed: i.counts.changed,
        unchanged: i.counts.unchanged,
        applied: i.applied,
        rows: i
            .errors
            .into_iter()
            .map(|r| RowErrorsOut {
                row: r.row,
                errors: r
                    .errors
                    .iter()
                    .map(|e| FieldErrorOut {
                        field: e.field.clone(),
                        message: tr.problem(&format!("nomenclature-{}", e.field), &e.problem),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Imports general names from PMDA's list (XLSX or CSV, UTF-8 or Shift_JIS); an administrator.
#[utoipa::path(post, path = "/api/v1/nomenclature", tag = "projects", params(NomenclatureImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = NomenclatureImportOut), (status = 403, body = ProblemOut), (status = 422, body = NomenclatureImportOut)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NomenclatureImportQuery>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let i = state
        .app
        .import_nomenclature(
            &caller.sight,
            body.to_vec(),
            &q.columns(),
            q.dry_run.unwrap_or(true),
        )
        .await?;
    let status = if i.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(import_out(i, Tr(caller.lang)))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct NomenclatureQuery {
    /// Part of a general name, or the start of a JMDN code.
    pub q: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceNameOut {
    pub code: String,
    pub name: String,
    /// I, II, III or IV
    pub class: String,
    pub certification_standard: bool,
    pub definition: Option<String>,
}

pub fn device_name_out(n: DeviceName) -> DeviceNameOut {
    DeviceNameOut {
        code: n.code,
        name: n.name,
        class: n.class.code().into(),
        certification_standard: n.certification_standard,
        definition: n.definition,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceNameList {
    /// General names kept in all.
    pub total: i64,
    pub items: Vec<DeviceNameOut>,
}

/// Looks general names up.
#[utoipa::path(get, path = "/api/v1/nomenclature", tag = "projects", params(NomenclatureQuery),
    responses((status = 200, body = DeviceNameList)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NomenclatureQuery>,
) -> Result<Json<DeviceNameList>, AppError> {
    let (total, names) = state
        .app
        .device_names(
            &caller.sight,
            q.q.as_deref().unwrap_or_default(),
            q.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(DeviceNameList {
        total,
        items: names.into_iter().map(device_name_out).collect(),
    }))
}
