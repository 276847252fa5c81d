//! What the store keeps of each pipeline: its table and columns, who shares or supports a
//! record, and its audit record.

use super::table::{Table, Value};
use super::{Record, date_col};
use crate::Result;
use crate::StoreError;
use crate::outcomes::OutcomeSource;
use crate::sql::get;
use noguchi_domain::dates::format_date;
use noguchi_domain::pipeline::{
    DealData, DealKind, DealStage, Deals, EntryCaseData, EntryCases, EntryStage,
};
use noguchi_domain::programme::ProgrammeDefinition;
use serde_json::json;
use sqlx::any::AnyRow;

fn text(v: &Option<String>) -> Value {
    Value::Text(v.clone())
}

impl Table for Deals {
    const TABLE: &'static str = "deals";
    const MEMBER_TABLE: &'static str = "deal_shares";
    const MEMBER_KEY: &'static str = "deal_id";
    const FIRM_READS: bool = false;
    const KIND_COLUMN: Option<&'static str> = Some("kind");
    const CLOSED_NOTE: Option<&'static str> = Some("lost_reason");
    const COUNTING: Option<DealStage> = None;
    const SOURCE: OutcomeSource = OutcomeSource::Deal;
    const COLUMNS: &'static [&'static str] = &[
        "kind",
        "organisation_id",
        "code_name",
        "lead_source",
        "owner_user_id",
        "planned_jobs",
        "actual_jobs",
        "planned_investment",
        "actual_investment",
        "candidate_site",
        "incentives",
        "next_action",
        "next_action_due",
    ];

    fn values(d: &DealData) -> Vec<Value> {
        vec![
            Value::Text(Some(d.kind.code().into())),
            Value::Text(Some(d.organisation_id.clone())),
            text(&d.code_name),
            text(&d.lead_source),
            text(&d.owner_user_id),
            Value::Number(d.planned_jobs),
            Value::Number(d.actual_jobs),
            Value::Number(d.planned_investment),
            Value::Number(d.actual_investment),
            text(&d.candidate_site),
            text(&d.incentives),
            text(&d.next_action),
            Value::Text(d.next_action_due.map(format_date)),
        ]
    }

    fn read(r: &AnyRow, shared_with: Vec<String>) -> Result<DealData> {
        Ok(DealData {
            kind: DealKind::parse(&get::<String>(r, "kind")?)
                .map_err(|_| StoreError::Corrupt("deal kind".into()))?,
            organisation_id: get(r, "organisation_id")?,
            code_name: get(r, "code_name")?,
            lead_source: get(r, "lead_source")?,
            owner_user_id: get(r, "owner_user_id")?,
            planned_jobs: get(r, "planned_jobs")?,
            actual_jobs: get(r, "actual_jobs")?,
            planned_investment: get(r, "planned_investment")?,
            actual_investment: get(r, "actual_investment")?,
            candidate_site: get(r, "candidate_site")?,
            incentives: get(r, "incentives")?,
            next_action: get(r, "next_action")?,
            next_action_due: date_col(r, "next_action_due")?,
            shared_with,
        })
    }

    fn programme_counting(def: &ProgrammeDefinition) -> DealStage {
        def.pipelines.deal_counting_stage()
    }

    fn audit_label(d: &Record<Self>) -> &str {
        d.label()
    }

    fn audit_json(d: &Record<Self>) -> serde_json::Value {
        json!({
            "kind": d.data.kind.code(), "organisation_id": d.data.organisation_id, "code_name": d.data.code_name,
            "stage": d.stage.code(), "stage_on": format_date(d.stage_on), "planned_jobs": d.data.planned_jobs,
            "actual_jobs": d.data.actual_jobs, "planned_investment": d.data.planned_investment,
            "actual_investment": d.data.actual_investment, "candidate_site": d.data.candidate_site,
            "incentives": d.data.incentives, "lead_source": d.data.lead_source, "shared_with": d.data.shared_with,
            "next_action": d.data.next_action, "next_action_due": d.data.next_action_due.map(format_date),
            "lost_reason": d.closed_reason, "outcome_id": d.outcome_id,
        })
    }
}

impl Table for EntryCases {
    const TABLE: &'static str = "entry_cases";
    const MEMBER_TABLE: &'static str = "entry_case_supporters";
    const MEMBER_KEY: &'static str = "case_id";
    const FIRM_READS: bool = true;
    const KIND_COLUMN: Option<&'static str> = None;
    const CLOSED_NOTE: Option<&'static str> = None;
    const COUNTING: Option<EntryStage> = Some(EntryStage::Commercialised);
    const SOURCE: OutcomeSource = OutcomeSource::EntryCase;
    const COLUMNS: &'static [&'static str] = &[
        "organisation_id",
        "title",
        "owner_user_id",
        "jobs",
        "next_action",
        "next_action_due",
    ];

    fn values(c: &EntryCaseData) -> Vec<Value> {
        vec![
            Value::Text(Some(c.organisation_id.clone())),
            text(&c.title),
            text(&c.owner_user_id),
            Value::Number(c.jobs),
            text(&c.next_action),
            Value::Text(c.next_action_due.map(format_date)),
        ]
    }

    fn read(r: &AnyRow, supporters: Vec<String>) -> Result<EntryCaseData> {
        Ok(EntryCaseData {
            organisation_id: get(r, "organisation_id")?,
            title: get(r, "title")?,
            owner_user_id: get(r, "owner_user_id")?,
            jobs: get(r, "jobs")?,
            next_action: get(r, "next_action")?,
            next_action_due: date_col(r, "next_action_due")?,
            supporters,
        })
    }

    fn programme_counting(_: &ProgrammeDefinition) -> EntryStage {
        EntryStage::Commercialised
    }

    /// An entry case is logged under its firm's name.
    fn audit_label(c: &Record<Self>) -> &str {
        &c.organisation_name
    }

    fn audit_json(c: &Record<Self>) -> serde_json::Value {
        json!({
            "organisation_id": c.data.organisation_id, "title": c.data.title, "stage": c.stage.code(),
            "stage_on": format_date(c.stage_on), "jobs": c.data.jobs, "supporters": c.data.supporters,
            "next_action": c.data.next_action, "next_action_due": c.data.next_action_due.map(format_date),
            "outcome_id": c.outcome_id,
        })
    }
}
