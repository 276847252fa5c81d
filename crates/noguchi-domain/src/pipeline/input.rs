//! What people enter on the pipelines' records (deals, entry cases), on their activities and
//! consultations, and for a stage move: raw input as an interface read it, and its parsed form
//! in which every invalid field is named.

use super::{ActivityKind, ConsultationCategory, DealKind, Stages};
use crate::dates::move_date;
use crate::validation::{Invalid, Problem, optional_text};
use time::Date;

/// Raw input of a deal.
#[derive(Debug, Clone, Default)]
pub struct DealInput {
    pub kind: Option<String>,
    pub organisation_id: Option<String>,
    pub code_name: Option<String>,
    pub lead_source: Option<String>,
    pub owner_user_id: Option<String>,
    pub planned_jobs: Option<i64>,
    pub actual_jobs: Option<i64>,
    pub planned_investment: Option<i64>,
    pub actual_investment: Option<i64>,
    pub candidate_site: Option<String>,
    pub incentives: Option<String>,
    pub next_action: Option<String>,
    pub next_action_due: Option<String>,
    pub shared_with: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealData {
    pub kind: DealKind,
    pub organisation_id: String,
    pub code_name: Option<String>,
    pub lead_source: Option<String>,
    pub owner_user_id: Option<String>,
    pub planned_jobs: Option<i64>,
    pub actual_jobs: Option<i64>,
    /// In thousands of yen (千円), as municipal budgets count.
    pub planned_investment: Option<i64>,
    pub actual_investment: Option<i64>,
    pub candidate_site: Option<String>,
    pub incentives: Option<String>,
    pub next_action: Option<String>,
    pub next_action_due: Option<Date>,
    /// Organisations (besides the secretariat) allowed to see the deal.
    pub shared_with: Vec<String>,
}

fn count(field: &str, v: Option<i64>, max: i64, errs: &mut Invalid) -> Option<i64> {
    match v {
        Some(n) if !(0..=max).contains(&n) => {
            errs.push(field, Problem::OutOfRange { min: 0, max });
            None
        }
        n => n,
    }
}

fn id_field(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn due(v: &Option<String>, errs: &mut Invalid) -> Option<Date> {
    match v.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => errs.take("next_action_due", crate::dates::parse_date(d)),
    }
}

impl DealData {
    pub fn parse(input: &DealInput) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let kind = errs.take(
            "kind",
            input
                .kind
                .as_deref()
                .filter(|k| !k.trim().is_empty())
                .ok_or(Problem::Required)
                .and_then(DealKind::parse),
        );
        let organisation_id = errs.take(
            "organisation_id",
            id_field(&input.organisation_id).ok_or(Problem::Required),
        );
        let code_name = errs.take("code_name", optional_text(input.code_name.as_deref(), 100));
        let lead_source = errs.take(
            "lead_source",
            optional_text(input.lead_source.as_deref(), 200),
        );
        let candidate_site = errs.take(
            "candidate_site",
            optional_text(input.candidate_site.as_deref(), 300),
        );
        let incentives = errs.take(
            "incentives",
            optional_text(input.incentives.as_deref(), 1000),
        );
        let next_action = errs.take(
            "next_action",
            optional_text(input.next_action.as_deref(), 300),
        );
        let planned_jobs = count("planned_jobs", input.planned_jobs, 100_000, &mut errs);
        let actual_jobs = count("actual_jobs", input.actual_jobs, 100_000, &mut errs);
        let planned_investment = count(
            "planned_investment",
            input.planned_investment,
            1_000_000_000_000,
            &mut errs,
        );
        let actual_investment = count(
            "actual_investment",
            input.actual_investment,
            1_000_000_000_000,
            &mut errs,
        );
        let next_action_due = due(&input.next_action_due, &mut errs);
        if !errs.is_empty() {
            return Err(errs);
        }
        let mut shared_with: Vec<String> = input
            .shared_with
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        shared_with.dedup();
        Ok(Self {
            kind: kind.expect("checked"),
            organisation_id: organisation_id.expect("checked"),
            code_name: code_name.expect("checked"),
            lead_source: lead_source.expect("checked"),
            owner_user_id: id_field(&input.owner_user_id),
            planned_jobs,
            actual_jobs,
            planned_investment,
            actual_investment,
            candidate_site: candidate_site.expect("checked"),
            incentives: incentives.expect("checked"),
            next_action: next_action.expect("checked"),
            next_action_due,
            shared_with,
        })
    }

    pub fn to_input(&self) -> DealInput {
        DealInput {
            kind: Some(self.kind.code().into()),
            organisation_id: Some(self.organisation_id.clone()),
            code_name: self.code_name.clone(),
            lead_source: self.lead_source.clone(),
            owner_user_id: self.owner_user_id.clone(),
            planned_jobs: self.planned_jobs,
            actual_jobs: self.actual_jobs,
            planned_investment: self.planned_investment,
            actual_investment: self.actual_investment,
            candidate_site: self.candidate_site.clone(),
            incentives: self.incentives.clone(),
            next_action: self.next_action.clone(),
            next_action_due: self.next_action_due.map(crate::dates::format_date),
            shared_with: self.shared_with.clone(),
        }
    }
}

/// Raw input of an entry case.
#[derive(Debug, Clone, Default)]
pub struct EntryCaseInput {
    pub organisation_id: Option<String>,
    pub title: Option<String>,
    pub owner_user_id: Option<String>,
    pub jobs: Option<i64>,
    pub next_action: Option<String>,
    pub next_action_due: Option<String>,
    pub supporters: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryCaseData {
    pub organisation_id: String,
    pub title: Option<String>,
    pub owner_user_id: Option<String>,
    /// Jobs created by the new business, counted at commercialisation.
    pub jobs: Option<i64>,
    pub next_action: Option<String>,
    pub next_action_due: Option<Date>,
    /// Supporting organisations (university, technical centre …) that work on the case.
    pub supporters: Vec<String>,
}

impl EntryCaseData {
    pub fn parse(input: &EntryCaseInput) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let organisation_id = errs.take(
            "organisation_id",
            id_field(&input.organisation_id).ok_or(Problem::Required),
        );
        let title = errs.take("title", optional_text(input.title.as_deref(), 200));
        let next_action = errs.take(
            "next_action",
            optional_text(input.next_action.as_deref(), 300),
        );
        let jobs = count("jobs", input.jobs, 100_000, &mut errs);
        let next_action_due = due(&input.next_action_due, &mut errs);
        if !errs.is_empty() {
            return Err(errs);
        }
        let mut supporters: Vec<String> = input
            .supporters
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        supporters.dedup();
        Ok(Self {
            organisation_id: organisation_id.expect("checked"),
            title: title.expect("checked"),
            owner_user_id: id_field(&input.owner_user_id),
            jobs,
            next_action: next_action.expect("checked"),
            next_action_due,
            supporters,
        })
    }

    pub fn to_input(&self) -> EntryCaseInput {
        EntryCaseInput {
            organisation_id: Some(self.organisation_id.clone()),
            title: self.title.clone(),
            owner_user_id: self.owner_user_id.clone(),
            jobs: self.jobs,
            next_action: self.next_action.clone(),
            next_action_due: self.next_action_due.map(crate::dates::format_date),
            supporters: self.supporters.clone(),
        }
    }
}

/// An activity or consultation note: what happened, when, with whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityData {
    pub kind: ActivityKind,
    pub happened_on: Date,
    pub participants: Option<String>,
    pub body: String,
}

impl ActivityData {
    pub fn parse(
        kind: Option<&str>,
        happened_on: Option<&str>,
        participants: Option<&str>,
        body: Option<&str>,
        today: Date,
    ) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let kind = errs.take(
            "kind",
            kind.filter(|k| !k.trim().is_empty())
                .ok_or(Problem::Required)
                .and_then(ActivityKind::parse),
        );
        let happened_on = errs.take("happened_on", move_date(happened_on, today));
        let participants = errs.take("participants", optional_text(participants, 500));
        let body = errs.take("body", crate::validation::required_text(body, 10_000));
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(Self {
            kind: kind.expect("checked"),
            happened_on: happened_on.expect("checked"),
            participants: participants.expect("checked"),
            body: body.expect("checked"),
        })
    }
}

/// An activity as an interface read it: its kind, the day (today when absent), who took part
/// and what happened.
#[derive(Debug, Clone, Default)]
pub struct ActivityInput {
    pub kind: Option<String>,
    pub date: Option<String>,
    pub participants: Option<String>,
    pub text: Option<String>,
}

impl ActivityInput {
    pub fn parse(&self, today: Date) -> Result<ActivityData, Invalid> {
        ActivityData::parse(
            self.kind.as_deref(),
            self.date.as_deref(),
            self.participants.as_deref(),
            self.text.as_deref(),
            today,
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationData {
    pub category: ConsultationCategory,
    pub advisor: Option<String>,
    pub happened_on: Date,
    pub body: String,
    pub result: Option<String>,
}

impl ConsultationData {
    pub fn parse(
        category: Option<&str>,
        advisor: Option<&str>,
        happened_on: Option<&str>,
        body: Option<&str>,
        result: Option<&str>,
        today: Date,
    ) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let category = errs.take(
            "category",
            category
                .filter(|k| !k.trim().is_empty())
                .ok_or(Problem::Required)
                .and_then(ConsultationCategory::parse),
        );
        let advisor = errs.take("advisor", optional_text(advisor, 200));
        let happened_on = errs.take("happened_on", move_date(happened_on, today));
        let body = errs.take("body", crate::validation::required_text(body, 10_000));
        let result = errs.take("result", optional_text(result, 2000));
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(Self {
            category: category.expect("checked"),
            advisor: advisor.expect("checked"),
            happened_on: happened_on.expect("checked"),
            body: body.expect("checked"),
            result: result.expect("checked"),
        })
    }
}

/// A consultation as an interface read it.
#[derive(Debug, Clone, Default)]
pub struct ConsultationInput {
    pub category: Option<String>,
    pub advisor: Option<String>,
    pub date: Option<String>,
    pub text: Option<String>,
    pub result: Option<String>,
}

impl ConsultationInput {
    pub fn parse(&self, today: Date) -> Result<ConsultationData, Invalid> {
        ConsultationData::parse(
            self.category.as_deref(),
            self.advisor.as_deref(),
            self.date.as_deref(),
            self.text.as_deref(),
            self.result.as_deref(),
            today,
        )
    }
}

/// A stage move as an interface read it: the stage's code, the day it happened (today when
/// absent) and the note that says why.
#[derive(Debug, Clone, Default)]
pub struct MoveInput {
    pub stage: Option<String>,
    pub date: Option<String>,
    pub note: Option<String>,
}

impl MoveInput {
    /// Reads the move for a pipeline with stages `S`; past days are kept, future ones refused.
    pub fn parse<S: Stages>(&self, today: Date) -> Result<StageChange<S>, Invalid> {
        let mut errs = Invalid::default();
        let to = errs.take(
            "stage",
            self.stage
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .ok_or(Problem::Required)
                .and_then(S::parse),
        );
        let on = errs.take("date", move_date(self.date.as_deref(), today));
        match (to, on) {
            (Some(to), Some(on)) if errs.is_empty() => Ok(StageChange {
                to,
                on,
                note: self.note.clone().filter(|n| !n.trim().is_empty()),
            }),
            _ => Err(errs),
        }
    }
}

/// A checked stage move: where to, on which day, and why (a blank note is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageChange<S> {
    pub to: S,
    pub on: Date,
    pub note: Option<String>,
}

#[cfg(test)]
mod input_tests {
    use super::*;

    #[test]
    fn deal_input_names_its_fields() {
        let err = DealData::parse(&DealInput {
            kind: Some("merger".into()),
            planned_jobs: Some(-1),
            next_action_due: Some("2024-02-30".into()),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["kind", "organisation_id", "planned_jobs", "next_action_due"]
        );
        let ok = DealData::parse(&DealInput {
            kind: Some("attraction".into()),
            organisation_id: Some("o".into()),
            planned_jobs: Some(120),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(DealData::parse(&ok.to_input()).unwrap(), ok);
    }

    #[test]
    fn a_move_names_its_stage_and_day() {
        use super::super::DealStage;
        use time::macros::date;
        let today = date!(2024 - 06 - 01);
        let err = MoveInput {
            stage: Some(" ".into()),
            date: Some("2999-01-01".into()),
            note: None,
        }
        .parse::<DealStage>(today)
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["stage", "date"]);
        let ok = MoveInput {
            stage: Some("decided".into()),
            date: None,
            note: Some("  ".into()),
        }
        .parse::<DealStage>(today)
        .unwrap();
        assert_eq!(
            ok,
            StageChange {
                to: DealStage::Decided,
                on: today,
                note: None
            }
        );
    }
}
