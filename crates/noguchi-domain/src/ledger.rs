//! The KPI ledger's records: what an outcome is (a new site, an expansion, a new entry, the
//! commercialisation of an existing medical firm), for which fiscal year, with how many jobs and
//! what evidence, and whether the secretariat has verified it. Only verified outcomes count
//! (`crate::kpi`).

use crate::dates::{format_date, parse_date};
use crate::fiscal::FiscalYear;
use crate::validation::{Invalid, Problem, optional_text};
use time::Date;

crate::code_list! {
    /// What an outcome is (CONTRACT.md): the four kinds the seed's indicators are built from.
    OutcomeKind {
        NewSite = "new_site",
        Expansion = "expansion",
        NewEntry = "new_entry",
        Commercialisation = "commercialisation",
    }
}

crate::code_list! {
    OutcomeStatus {
        Pending = "pending",
        Verified = "verified",
        Rejected = "rejected",
    }
}

/// Raw input of an outcome (API body, form, import row).
#[derive(Debug, Clone, Default)]
pub struct OutcomeInput {
    pub organisation_id: Option<String>,
    pub kind: Option<String>,
    /// Any spelling `FiscalYear::parse` reads; derived from `occurred_on` when absent.
    pub fiscal_year: Option<String>,
    pub occurred_on: Option<String>,
    pub jobs: Option<i64>,
    pub evidence: Option<String>,
    pub evidence_ref: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeData {
    pub organisation_id: String,
    pub kind: OutcomeKind,
    pub fiscal_year: FiscalYear,
    pub occurred_on: Option<Date>,
    pub jobs: i64,
    /// What proves it: a note (立地協定書 2024-06-01 締結 …).
    pub evidence: Option<String>,
    /// A document reference (file number, URL of a press release …).
    pub evidence_ref: Option<String>,
    pub note: Option<String>,
}

impl OutcomeData {
    pub fn parse(input: &OutcomeInput) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let organisation_id = errs.take(
            "organisation_id",
            input
                .organisation_id
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or(Problem::Required),
        );
        let kind = errs.take(
            "kind",
            input
                .kind
                .as_deref()
                .filter(|k| !k.trim().is_empty())
                .ok_or(Problem::Required)
                .and_then(OutcomeKind::parse),
        );
        let occurred_on = errs.take(
            "occurred_on",
            match input.occurred_on.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(d) => parse_date(d).map(Some),
            },
        );
        let fiscal_year = errs.take(
            "fiscal_year",
            match (
                input
                    .fiscal_year
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty()),
                occurred_on.flatten(),
            ) {
                (Some(fy), _) => FiscalYear::parse(fy),
                (None, Some(d)) => Ok(FiscalYear::of_date(d)),
                (None, None) => Err(Problem::Required),
            },
        );
        // A date outside the stated fiscal year is a typo in one of them: say so on the date.
        if let (Some(Some(d)), Some(fy)) = (occurred_on, fiscal_year)
            && !fy.contains(d)
        {
            errs.push("occurred_on", Problem::OutsideFiscalYear);
        }
        let jobs = errs.take(
            "jobs",
            match input.jobs {
                None => Err(Problem::Required),
                Some(n) if !(0..=100_000).contains(&n) => Err(Problem::OutOfRange {
                    min: 0,
                    max: 100_000,
                }),
                Some(n) => Ok(n),
            },
        );
        let evidence = errs.take("evidence", optional_text(input.evidence.as_deref(), 2000));
        let evidence_ref = errs.take(
            "evidence_ref",
            optional_text(input.evidence_ref.as_deref(), 500),
        );
        let note = errs.take("note", optional_text(input.note.as_deref(), 2000));
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(Self {
            organisation_id: organisation_id.expect("checked"),
            kind: kind.expect("checked"),
            fiscal_year: fiscal_year.expect("checked"),
            occurred_on: occurred_on.expect("checked"),
            jobs: jobs.expect("checked"),
            evidence: evidence.expect("checked"),
            evidence_ref: evidence_ref.expect("checked"),
            note: note.expect("checked"),
        })
    }

    pub fn to_input(&self) -> OutcomeInput {
        OutcomeInput {
            organisation_id: Some(self.organisation_id.clone()),
            kind: Some(self.kind.code().into()),
            fiscal_year: Some(self.fiscal_year.0.to_string()),
            occurred_on: self.occurred_on.map(format_date),
            jobs: Some(self.jobs),
            evidence: self.evidence.clone(),
            evidence_ref: self.evidence_ref.clone(),
            note: self.note.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_validated() {
        let err = OutcomeData::parse(&OutcomeInput {
            kind: Some("castle".into()),
            fiscal_year: Some("R2".into()),
            occurred_on: Some("2022-05-01".into()),
            jobs: Some(-3),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["organisation_id", "kind", "occurred_on", "jobs"]);
        let ok = OutcomeData::parse(&OutcomeInput {
            organisation_id: Some("o".into()),
            kind: Some("new_site".into()),
            occurred_on: Some("2024-06-01".into()),
            jobs: Some(110),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.fiscal_year, FiscalYear(2024), "derived from the date");
        assert_eq!(OutcomeData::parse(&ok.to_input()).unwrap(), ok);
    }
}
