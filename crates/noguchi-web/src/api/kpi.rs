//! The KPI ledger over JSON: outcomes, their verification, the KPI table, the council pack and
//! imports.

use super::{JsonBody, OrgRef, ProblemOut, page_limit, parse_json};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use noguchi_app::ledger::Decision;
use noguchi_app::records::Outcome;
use noguchi_app::sheets::rows as import;
use noguchi_domain::dates::format_date;
use noguchi_domain::fiscal::FiscalYear;
use noguchi_domain::kpi::{KpiReport, Measure};
use noguchi_domain::ledger::OutcomeInput;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeOut {
    pub id: String,
    pub programme_id: String,
    pub organisation_id: String,
    pub organisation: OrgRef,
    /// new_site, expansion, new_entry, commercialisation
    pub kind: String,
    pub fiscal_year: i32,
    /// 令和2年度 …
    pub fiscal_year_label: String,
    pub occurred_on: Option<String>,
    pub jobs: i64,
    pub evidence: Option<String>,
    pub evidence_ref: Option<String>,
    pub note: Option<String>,
    /// pending, verified or rejected
    pub status: String,
    pub status_reason: Option<String>,
    /// manual, import, deal, entry_case or project
    pub source: String,
    pub source_id: Option<String>,
    /// The project whose launch credited it (source `project`).
    pub project_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub decided_at: Option<String>,
}

/// How a fiscal year may be written (documentation only: the field is read leniently and
/// checked by the ledger, so that "R2" and "令和2年度" get the same named error as a bad number).
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(untagged)]
pub enum FiscalYearSpelling {
    Number(i32),
    Text(String),
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeIn {
    pub organisation_id: Option<String>,
    pub kind: Option<String>,
    /// A number (2020) or any usual spelling: "2020年度", "R2", "令和2年度".
    #[schema(value_type = Option<FiscalYearSpelling>)]
    pub fiscal_year: Option<Value>,
    /// YYYY-MM-DD; the fiscal year is derived from it when not given.
    pub occurred_on: Option<String>,
    pub jobs: Option<i64>,
    pub evidence: Option<String>,
    pub evidence_ref: Option<String>,
    pub note: Option<String>,
}

impl OutcomeIn {
    fn into_input(self) -> OutcomeInput {
        OutcomeInput {
            organisation_id: self.organisation_id,
            kind: self.kind,
            fiscal_year: self.fiscal_year.map(|v| match v {
                Value::Number(n) => n.to_string(),
                Value::String(s) => s,
                // Neither a number nor text: let the parser report the field.
                _ => String::from("?"),
            }),
            occurred_on: self.occurred_on,
            jobs: self.jobs,
            evidence: self.evidence,
            evidence_ref: self.evidence_ref,
            note: self.note,
        }
    }
}

pub fn out(o: Outcome) -> OutcomeOut {
    OutcomeOut {
        id: o.id,
        programme_id: o.programme_id,
        organisation: OrgRef {
            id: o.data.organisation_id.clone(),
            name: o.organisation_name,
        },
        organisation_id: o.data.organisation_id,
        kind: o.data.kind.code().into(),
        fiscal_year: o.data.fiscal_year.0,
        fiscal_year_label: o.data.fiscal_year.era_label(),
        occurred_on: o.data.occurred_on.map(format_date),
        jobs: o.data.jobs,
        evidence: o.data.evidence,
        evidence_ref: o.data.evidence_ref,
        note: o.data.note,
        status: o.status.code().into(),
        status_reason: o.status_reason,
        project_id: (o.source == "project")
            .then(|| o.source_id.clone())
            .flatten(),
        source: o.source,
        source_id: o.source_id,
        created_at: o.created_at,
        updated_at: o.updated_at,
        decided_at: o.decided_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeList {
    pub items: Vec<OutcomeOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OutcomeQuery {
    pub status: Option<String>,
    /// An indicator key: only the outcome kinds it counts.
    pub indicator: Option<String>,
    pub kind: Option<String>,
    /// Fiscal years from … through (inclusive); with `indicator`, the outcomes behind a KPI cell.
    pub fiscal_year_from: Option<i32>,
    pub fiscal_year_to: Option<i32>,
    pub organisation_id: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

impl OutcomeQuery {
    fn query(&self) -> noguchi_app::ledger::OutcomeQuery<'_> {
        noguchi_app::ledger::OutcomeQuery {
            status: self.status.as_deref(),
            indicator: self.indicator.as_deref(),
            kind: self.kind.as_deref(),
            fiscal_year_from: self.fiscal_year_from,
            fiscal_year_to: self.fiscal_year_to,
            organisation_id: self.organisation_id.as_deref(),
        }
    }
}

/// Outcomes of the programme in fiscal-year order (others than the secretariat: verified only).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/outcomes", tag = "kpi", params(("id" = String, Path), OutcomeQuery),
    responses((status = 200, body = OutcomeList), (status = 404, body = ProblemOut)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<OutcomeQuery>,
) -> Result<Json<OutcomeList>, AppError> {
    let ledger = state
        .app
        .outcomes(
            &caller.sight,
            &id,
            q.query(),
            q.cursor.as_deref(),
            page_limit(q.limit),
        )
        .await?;
    Ok(Json(OutcomeList {
        items: ledger.outcomes.items.into_iter().map(out).collect(),
        next_cursor: ledger.outcomes.next_cursor,
    }))
}

/// Records an outcome; it stays pending until the secretariat verifies it.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/outcomes", tag = "kpi", params(("id" = String, Path)), request_body = OutcomeIn,
    responses((status = 201, body = OutcomeOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<OutcomeIn>,
) -> Result<impl IntoResponse, AppError> {
    let o = state
        .app
        .record_outcome(&caller.sight, &id, body.into_input().into())
        .await?;
    Ok((StatusCode::CREATED, Json(out(o))))
}

#[utoipa::path(get, path = "/api/v1/outcomes/{id}", tag = "kpi", params(("id" = String, Path)),
    responses((status = 200, body = OutcomeOut), (status = 404, body = ProblemOut)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<OutcomeOut>, AppError> {
    Ok(Json(out(state.app.outcome(&caller.sight, &id).await?)))
}

/// Corrects a pending outcome (a verified one is never changed silently).
#[utoipa::path(patch, path = "/api/v1/outcomes/{id}", tag = "kpi", params(("id" = String, Path)), request_body = OutcomeIn,
    responses((status = 200, body = OutcomeOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<OutcomeOut>, AppError> {
    let current = state.app.editable_outcome(&caller.sight, &id).await?;
    let mut base = serde_json::to_value(OutcomeIn {
        organisation_id: Some(current.data.organisation_id.clone()),
        kind: Some(current.data.kind.code().into()),
        fiscal_year: Some(Value::from(current.data.fiscal_year.0)),
        occurred_on: current.data.occurred_on.map(format_date),
        jobs: Some(current.data.jobs),
        evidence: current.data.evidence.clone(),
        evidence_ref: current.data.evidence_ref.clone(),
        note: current.data.note.clone(),
    })
    .map_err(|e| AppError::internal("outcome", e))?;
    if let Some(obj) = base.as_object_mut() {
        if patch.contains_key("occurred_on") && !patch.contains_key("fiscal_year") {
            obj.remove("fiscal_year"); // a new date decides the fiscal year
        }
        obj.extend(patch);
    }
    let merged: OutcomeIn = parse_json(base.to_string().as_bytes())?;
    Ok(Json(out(state
        .app
        .update_outcome(&caller.sight, &id, merged.into_input().into())
        .await?)))
}

/// Verifies an outcome (secretariat): from now on it counts in the KPI.
#[utoipa::path(post, path = "/api/v1/outcomes/{id}/verify", tag = "kpi", params(("id" = String, Path)),
    responses((status = 200, body = OutcomeOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<OutcomeOut>, AppError> {
    Ok(Json(out(state
        .app
        .decide_outcome(&caller.sight, &id, Decision::Verify)
        .await?)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectIn {
    /// Why; required to take back a verified outcome.
    pub reason: Option<String>,
}

/// Rejects an outcome (secretariat).
#[utoipa::path(post, path = "/api/v1/outcomes/{id}/reject", tag = "kpi", params(("id" = String, Path)), request_body = RejectIn,
    responses((status = 200, body = OutcomeOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<OutcomeOut>, AppError> {
    let body: RejectIn = if body.iter().all(u8::is_ascii_whitespace) {
        RejectIn::default()
    } else {
        parse_json(&body)?
    };
    let decision = Decision::Reject {
        reason: body.reason,
    };
    Ok(Json(out(state
        .app
        .decide_outcome(&caller.sight, &id, decision)
        .await?)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureOut {
    /// The target in force (the last revision, or the programme file's).
    pub target: Option<i64>,
    /// The first target defined for this milestone (the programme file's, or the revision
    /// that added the milestone).
    pub original_target: Option<i64>,
    pub actual: i64,
    /// actual / target
    pub progress: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorOut {
    pub key: String,
    pub label: String,
    /// Absent where the indicator counts no firms (the total).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firms: Option<MeasureOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jobs: Option<MeasureOut>,
    /// Cumulative jobs at the milestone at the current pace; absent once the milestone has passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projected_jobs: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MilestoneOut {
    pub fiscal_year: i32,
    pub label: String,
    pub indicators: Vec<IndicatorOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct YearIndicatorOut {
    pub key: String,
    pub jobs: i64,
    pub cumulative_jobs: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cumulative_firms: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct YearOut {
    pub fiscal_year: i32,
    pub label: String,
    pub indicators: Vec<YearIndicatorOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KpiOut {
    pub programme_id: String,
    pub baseline_fiscal_year: i32,
    pub baseline_label: String,
    /// The fiscal year the figures are computed in (today's).
    pub as_of_fiscal_year: i32,
    pub milestones: Vec<MilestoneOut>,
    pub years: Vec<YearOut>,
}

fn measure(m: Measure, original: Option<i64>) -> MeasureOut {
    MeasureOut {
        original_target: original.or(m.target),
        target: m.target,
        actual: m.actual,
        progress: m.progress().map(|p| (p * 1000.0).round() / 1000.0),
    }
}

pub fn kpi_out(
    programme_id: &str,
    r: &KpiReport,
    current: FiscalYear,
    plan: &[noguchi_domain::plan::PlannedMilestone],
) -> KpiOut {
    // The original target of a milestone's measure, where the plan knows one.
    let original = |fy: FiscalYear, key: &str, jobs: bool| {
        plan.iter()
            .find(|m| m.fiscal_year == fy)
            .and_then(|m| m.targets.get(key))
            .and_then(|(f, j)| if jobs { *j } else { *f })
            .map(|x| x.original)
    };
    KpiOut {
        programme_id: programme_id.to_owned(),
        baseline_fiscal_year: r.baseline.0,
        baseline_label: r.baseline.era_label(),
        as_of_fiscal_year: current.0,
        milestones: r
            .milestones
            .iter()
            .map(|m| MilestoneOut {
                fiscal_year: m.fiscal_year.0,
                label: m.fiscal_year.era_label(),
                indicators: m
                    .indicators
                    .iter()
                    .map(|i| IndicatorOut {
                        key: i.key.clone(),
                        label: i.label.clone(),
                        firms: i
                            .firms
                            .map(|f| measure(f, original(m.fiscal_year, &i.key, false))),
                        jobs: i
                            .jobs
                            .map(|j| measure(j, original(m.fiscal_year, &i.key, true))),
                        projected_jobs: i.projected_jobs,
                    })
                    .collect(),
            })
            .collect(),
        years: r
            .years
            .iter()
            .map(|y| YearOut {
                fiscal_year: y.fiscal_year.0,
                label: y.fiscal_year.era_label(),
                indicators: y
                    .cells
                    .iter()
                    .map(|(key, jobs, cum, firms)| YearIndicatorOut {
                        key: key.clone(),
                        jobs: *jobs,
                        cumulative_jobs: *cum,
                        cumulative_firms: *firms,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The seed's target table with actuals from verified outcomes, per milestone, and the per-year
/// breakdown.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/kpi", tag = "kpi", params(("id" = String, Path)),
    responses((status = 200, body = KpiOut), (status = 404, body = ProblemOut)))]
pub async fn show_kpi(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<KpiOut>, AppError> {
    let k = state.app.kpi(&caller.sight, &id).await?;
    Ok(Json(kpi_out(&id, &k.report, k.as_of, &k.plan)))
}

/// The council pack: the KPI table and the per-year breakdown as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/kpi.xlsx", tag = "kpi", params(("id" = String, Path)),
    responses((status = 200, description = "XLSX workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ProblemOut)))]
pub async fn kpi_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let bytes = state
        .app
        .council_pack(&caller.sight, &id, &crate::i18n::Tr(caller.lang))
        .await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(
            "attachment; filename=\"kpi.xlsx\"; filename*=UTF-8''KPI%E5%A0%B1%E5%91%8A.xlsx",
        ),
    );
    Ok(resp)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    /// true (default): check every row and write nothing.
    pub dry_run: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRowOut {
    /// The row number in the file (the header is row 1).
    pub row: usize,
    pub ok: bool,
    pub organisation: Option<OrgRef>,
    pub kind: Option<String>,
    pub fiscal_year: Option<i32>,
    pub jobs: Option<i64>,
    pub errors: Vec<super::FieldErrorOut>,
}

/// A checked row of an outcome sheet, as reported.
pub fn import_row_out(r: &import::CheckedRow, tr: crate::i18n::Tr) -> ImportRowOut {
    let (ok, errors, kind, fy, jobs) = match &r.data {
        Ok(d) => (
            true,
            Vec::new(),
            Some(d.kind.code().to_owned()),
            Some(d.fiscal_year.0),
            Some(d.jobs),
        ),
        Err(i) => (
            false,
            i.0.iter()
                .map(|e| super::FieldErrorOut {
                    field: e.field.clone(),
                    message: tr.error(e),
                })
                .collect(),
            None,
            None,
            None,
        ),
    };
    ImportRowOut {
        row: r.row,
        ok,
        organisation: r.organisation.clone().map(Into::into),
        kind,
        fiscal_year: fy,
        jobs,
        errors,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub dry_run: bool,
    pub valid: usize,
    pub invalid: usize,
    /// Outcomes written (0 on a dry run, or when any row is invalid: an import is all or nothing).
    pub imported: usize,
    pub rows: Vec<ImportRowOut>,
}

/// Imports outcomes from an XLSX or CSV file (UTF-8 or Shift_JIS/CP932) sent as the body.
/// Columns (Japanese or English headers): 団体 (name, 法人番号 or id), 種別, 年度, 日付, 雇用, 根拠, 資料番号, 備考.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/outcomes/import", tag = "kpi", params(("id" = String, Path), ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportOut), (status = 403, body = ProblemOut), (status = 422, body = ImportOut)))]
pub async fn import_outcomes(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    let tr = crate::i18n::Tr(caller.lang);
    let import = state
        .app
        .import_outcomes(&caller.sight, &id, &body, q.dry_run.unwrap_or(true))
        .await?;
    let invalid = import.invalid();
    let status = if import.refused() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let result = ImportOut {
        dry_run: import.dry_run,
        valid: import.rows.len() - invalid,
        invalid,
        imported: import.imported,
        rows: import.rows.iter().map(|r| import_row_out(r, tr)).collect(),
    };
    Ok((status, Json(result)).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetIn {
    /// An indicator key of the programme.
    pub indicator: Option<String>,
    /// The milestone's fiscal year (an existing one to revise, a later one to add).
    pub milestone_fiscal_year: Option<i64>,
    pub firms: Option<i64>,
    pub jobs: Option<i64>,
    /// Why (required).
    pub reason: Option<String>,
    /// The fiscal year from which the target applies.
    pub effective_fiscal_year: Option<i64>,
    /// The council decision that made it.
    pub decision_ref: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetRevisionOut {
    pub id: String,
    pub indicator: String,
    pub milestone_fiscal_year: i32,
    pub firms: Option<i64>,
    pub jobs: Option<i64>,
    pub reason: String,
    pub effective_fiscal_year: i32,
    pub decision_ref: Option<String>,
    pub recorded_at: String,
}

fn revision_out(r: noguchi_app::records::RevisionRecord) -> TargetRevisionOut {
    TargetRevisionOut {
        id: r.id,
        indicator: r.revision.indicator,
        milestone_fiscal_year: r.revision.milestone.0,
        firms: r.revision.firms,
        jobs: r.revision.jobs,
        reason: r.revision.reason,
        effective_fiscal_year: r.revision.effective.0,
        decision_ref: r.revision.decision_ref,
        recorded_at: r.recorded_at,
    }
}

/// Revises a target or adds a milestone (the secretariat); the original stays.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/targets", tag = "kpi", params(("id" = String, Path)), request_body = TargetIn,
    responses((status = 201, body = TargetRevisionOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn revise_target(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    super::JsonBody(body): super::JsonBody<TargetIn>,
) -> Result<impl IntoResponse, AppError> {
    let input = noguchi_domain::plan::RevisionInput {
        indicator: body.indicator,
        milestone_fiscal_year: body.milestone_fiscal_year,
        firms: body.firms,
        jobs: body.jobs,
        reason: body.reason,
        effective_fiscal_year: body.effective_fiscal_year,
        decision_ref: body.decision_ref,
    };
    let r = state
        .app
        .revise_target(&caller.sight, &id, input.into())
        .await?;
    Ok((StatusCode::CREATED, Json(revision_out(r))))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetRevisionList {
    pub items: Vec<TargetRevisionOut>,
}

/// The revisions of the programme's targets, oldest first.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/targets", tag = "kpi", params(("id" = String, Path)),
    responses((status = 200, body = TargetRevisionList), (status = 404, body = ProblemOut)))]
pub async fn target_revisions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TargetRevisionList>, AppError> {
    Ok(Json(TargetRevisionList {
        items: state
            .app
            .target_revisions(&caller.sight, &id)
            .await?
            .into_iter()
            .map(revision_out)
            .collect(),
    }))
}
