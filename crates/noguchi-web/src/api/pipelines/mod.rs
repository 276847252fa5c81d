//! Deals and entry cases over JSON. A record the caller may not see answers 404, exactly like
//! one that does not exist; lists and counts leave it out.
//!
//! Each route is a documented handler of its own (`deals.rs`, `entry_cases.rs`: the contract
//! names them apart); each calls the one generic handler below, which calls one use case of
//! `app.pipeline::<K>()`.

mod deals;
mod entry_cases;

pub use deals::*;
pub use entry_cases::*;

use super::organisations::merge;
use super::{FieldErrorOut, OrgRef, parse_json};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::Tr;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use noguchi_app::pipelines::{Filter, Import, Kind};
use noguchi_app::records::{Record, StageMove};
use noguchi_domain::pipeline::{ActivityInput, MoveInput, Stages};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// A pipeline as the API reads and writes it.
pub(crate) trait ApiKind: Kind {
    /// A record as read.
    type Out: Serialize;
    /// A record as written (POST, and the fields a PATCH may change).
    type In: Serialize + DeserializeOwned;
    fn out(r: Record<Self>, history: Vec<StageMove>) -> Self::Out;
    fn input(body: Self::In) -> Self::Input;
    fn writable(data: &Self::Data) -> Self::In;
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MoveOut {
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub date: String,
    pub note: Option<String>,
    pub by: Option<String>,
    pub at: String,
}

fn moves(h: Vec<StageMove>) -> Vec<MoveOut> {
    h.into_iter()
        .map(|m| MoveOut {
            from_stage: m.from_stage,
            to_stage: m.to_stage,
            date: m.moved_on,
            note: m.note,
            by: m.user_name,
            at: m.at,
        })
        .collect()
}

fn org_ref<K: Kind>(r: &Record<K>) -> OrgRef {
    OrgRef {
        id: K::organisation_id(&r.data).to_owned(),
        name: r.organisation_name.clone(),
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageIn {
    pub stage: Option<String>,
    /// Required to move back, close (見送り/中止: the reason) or reopen.
    pub note: Option<String>,
    /// YYYY-MM-DD, default today; past moves keep their real date, future ones are refused.
    pub date: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityIn {
    /// visit, call, email, meeting, note
    pub kind: Option<String>,
    pub date: Option<String>,
    pub participants: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealImportRowOut {
    pub row: usize,
    pub ok: bool,
    pub organisation: Option<OrgRef>,
    pub stage: Option<String>,
    pub errors: Vec<FieldErrorOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealImportOut {
    pub dry_run: bool,
    pub valid: usize,
    pub invalid: usize,
    pub imported: usize,
    pub rows: Vec<DealImportRowOut>,
}

async fn list<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    programme_id: &str,
    filter: Filter<'_>,
) -> Result<Vec<K::Out>, AppError> {
    let listing = state
        .app
        .pipeline::<K>()
        .list(&caller.sight, programme_id, filter)
        .await?;
    Ok(listing
        .records
        .into_iter()
        .map(|r| K::out(r, Vec::new()))
        .collect())
}

async fn create<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    programme_id: &str,
    body: K::In,
) -> Result<(StatusCode, Json<K::Out>), AppError> {
    let pipeline = state.app.pipeline::<K>();
    let r = pipeline
        .create(&caller.sight, programme_id, K::input(body).into())
        .await?;
    let history = pipeline.history(&r).await?;
    Ok((StatusCode::CREATED, Json(K::out(r, history))))
}

async fn show<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Json<K::Out>, AppError> {
    let pipeline = state.app.pipeline::<K>();
    let r = pipeline.get(&caller.sight, id).await?;
    let history = pipeline.history(&r).await?;
    Ok(Json(K::out(r, history)))
}

/// Overlays a PATCH on the record's writable fields and changes the record.
async fn update<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    patch: Map<String, Value>,
) -> Result<Json<K::Out>, AppError> {
    let pipeline = state.app.pipeline::<K>();
    let current = pipeline.editable(&caller.sight, id).await?;
    let merged: K::In = parse_json(merge(&K::writable(&current.data), patch)?.as_bytes())?;
    let r = pipeline
        .update(&caller.sight, id, K::input(merged).into())
        .await?;
    let history = pipeline.history(&r).await?;
    Ok(Json(K::out(r, history)))
}

async fn move_to<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    body: StageIn,
) -> Result<Json<K::Out>, AppError> {
    let pipeline = state.app.pipeline::<K>();
    let input = MoveInput {
        stage: body.stage,
        date: body.date,
        note: body.note,
    };
    let r = pipeline.move_to(&caller.sight, id, &input).await?;
    let history = pipeline.history(&r).await?;
    Ok(Json(K::out(r, history)))
}

async fn log_activity<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    b: ActivityIn,
) -> Result<StatusCode, AppError> {
    let input = ActivityInput {
        kind: b.kind,
        date: b.date,
        participants: b.participants,
        text: b.text,
    };
    state
        .app
        .pipeline::<K>()
        .log_activity(&caller.sight, id, &input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Checks a sheet and imports it unless this is a dry run; 422 when a real import was refused.
async fn import<K: ApiKind>(
    state: &AppState,
    caller: &Caller,
    programme_id: &str,
    dry_run: Option<bool>,
    body: &[u8],
) -> Result<Response, AppError> {
    let import = state
        .app
        .pipeline::<K>()
        .import(&caller.sight, programme_id, body, dry_run.unwrap_or(true))
        .await?;
    let status = if import.refused() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(import_report(import, Tr(caller.lang)))).into_response())
}

fn import_report<K: Kind>(import: Import<K>, tr: Tr) -> DealImportOut {
    let invalid = import.invalid();
    let rows: Vec<DealImportRowOut> = import
        .rows
        .into_iter()
        .map(|r| {
            let (stage, errors) = match r.data {
                Ok((_, stage, _)) => (Some(stage.code().into()), Vec::new()),
                Err(i) => (
                    None,
                    i.0.iter()
                        .map(|e| FieldErrorOut {
                            field: e.field.clone(),
                            message: tr.error(e),
                        })
                        .collect(),
                ),
            };
            DealImportRowOut {
                row: r.row,
                ok: stage.is_some(),
                organisation: r.organisation.map(Into::into),
                stage,
                errors,
            }
        })
        .collect();
    DealImportOut {
        dry_run: import.dry_run,
        valid: rows.len() - invalid,
        invalid,
        imported: import.imported,
        rows,
    }
}
