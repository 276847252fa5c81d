//! The plan after its last milestone (seed §3; FY2026 is past FY2025): the secretariat adds a
//! milestone or revises a target, each time with a reason, the fiscal year from which it applies
//! and the council decision that made it. History is never rewritten: the programme file's
//! targets stay as the original, every revision is kept in order, and the target in force is
//! the last revision (or the original when none). Pure rules, tested here.

use crate::fiscal::{FiscalYear, RANGE};
use crate::programme::{ProgrammeDefinition, Target};
use crate::validation::{Invalid, Problem, optional_text, required_text};
use std::collections::BTreeMap;

/// A revision as an interface read it.
#[derive(Debug, Clone, Default)]
pub struct RevisionInput {
    pub indicator: Option<String>,
    pub milestone_fiscal_year: Option<i64>,
    pub firms: Option<i64>,
    pub jobs: Option<i64>,
    pub reason: Option<String>,
    pub effective_fiscal_year: Option<i64>,
    pub decision_ref: Option<String>,
}

/// A milestone added or a target revised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub indicator: String,
    pub milestone: FiscalYear,
    pub firms: Option<i64>,
    pub jobs: Option<i64>,
    pub reason: String,
    /// The fiscal year from which the revised target applies.
    pub effective: FiscalYear,
    /// The council decision that made it (e.g. 令和3年度第2回連絡会議).
    pub decision_ref: Option<String>,
}

fn year(raw: Option<i64>) -> Result<FiscalYear, Problem> {
    match raw {
        None => Err(Problem::Required),
        Some(y) if RANGE.contains(&(y as i32)) && y <= i64::from(i32::MAX) => {
            Ok(FiscalYear(y as i32))
        }
        Some(_) => Err(Problem::OutOfRange {
            min: i64::from(*RANGE.start()),
            max: i64::from(*RANGE.end()),
        }),
    }
}

impl Revision {
    /// Checks a revision against the programme: a known indicator and the measures it defines
    /// (at least one given, none negative), a milestone after the baseline, a reason, and an
    /// effective year from the baseline up to the milestone.
    pub fn parse(input: &RevisionInput, def: &ProgrammeDefinition) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let indicator = errs.take(
            "indicator",
            match input.indicator.as_deref().map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(k) => def
                    .indicators
                    .iter()
                    .find(|i| i.key == k)
                    .ok_or(Problem::UnknownValue { value: k.into() }),
            },
        );
        let baseline = def.baseline_fiscal_year;
        let milestone = errs.take(
            "milestone_fiscal_year",
            year(input.milestone_fiscal_year).and_then(|y| {
                if y.0 <= baseline {
                    Err(Problem::OutOfRange {
                        min: i64::from(baseline) + 1,
                        max: i64::from(*RANGE.end()),
                    })
                } else {
                    Ok(y)
                }
            }),
        );
        let effective = errs.take("effective_fiscal_year", year(input.effective_fiscal_year));
        if let (Some(e), Some(m)) = (effective, milestone)
            && (e.0 < baseline || e.0 > m.0)
        {
            errs.push(
                "effective_fiscal_year",
                Problem::OutOfRange {
                    min: i64::from(baseline),
                    max: i64::from(m.0),
                },
            );
        }
        let reason = errs.take("reason", required_text(input.reason.as_deref(), 500));
        let decision_ref = errs
            .take(
                "decision_ref",
                optional_text(input.decision_ref.as_deref(), 200),
            )
            .flatten();
        for (field, v) in [("firms", input.firms), ("jobs", input.jobs)] {
            if let Some(n) = v
                && !(0..=1_000_000).contains(&n)
            {
                errs.push(
                    field,
                    Problem::OutOfRange {
                        min: 0,
                        max: 1_000_000,
                    },
                );
            }
            if v.is_some()
                && let Some(i) = indicator
                && !i.measures.iter().any(|m| m == field)
            {
                errs.push(
                    field,
                    Problem::UnknownValue {
                        value: field.into(),
                    },
                );
            }
        }
        if input.firms.is_none() && input.jobs.is_none() {
            errs.push("jobs", Problem::Required);
        }
        if !errs.is_empty() {
            return Err(errs.scoped("target"));
        }
        Ok(Self {
            indicator: indicator.expect("checked").key.clone(),
            milestone: milestone.expect("checked"),
            firms: input.firms,
            jobs: input.jobs,
            reason: reason.expect("checked"),
            effective: effective.expect("checked"),
            decision_ref,
        })
    }
}

/// One measure's target: the one in force and the first one defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InForce {
    pub target: i64,
    pub original: i64,
}

/// A milestone with its targets in force, and whether a revision added it (rather than the
/// programme file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMilestone {
    pub fiscal_year: FiscalYear,
    pub added: bool,
    /// indicator key → (firms, jobs)
    pub targets: BTreeMap<String, (Option<InForce>, Option<InForce>)>,
}

/// The milestones with their targets in force: the programme file's, each revised by the
/// revisions in the order they were made, and those the revisions added, in year order.
pub fn milestones_in_force(
    def: &ProgrammeDefinition,
    revisions: &[Revision],
) -> Vec<PlannedMilestone> {
    let mut out: BTreeMap<i32, PlannedMilestone> = BTreeMap::new();
    let measure = |t: Option<i64>| {
        t.map(|n| InForce {
            target: n,
            original: n,
        })
    };
    for m in &def.milestones {
        out.insert(
            m.fiscal_year,
            PlannedMilestone {
                fiscal_year: FiscalYear(m.fiscal_year),
                added: false,
                targets: m
                    .targets
                    .iter()
                    .map(|(k, Target { firms, jobs })| {
                        (k.clone(), (measure(*firms), measure(*jobs)))
                    })
                    .collect(),
            },
        );
    }
    for r in revisions {
        let m = out
            .entry(r.milestone.0)
            .or_insert_with(|| PlannedMilestone {
                fiscal_year: r.milestone,
                added: true,
                targets: BTreeMap::new(),
            });
        let t = m.targets.entry(r.indicator.clone()).or_insert((None, None));
        for (slot, value) in [(&mut t.0, r.firms), (&mut t.1, r.jobs)] {
            if let Some(n) = value {
                *slot = Some(match slot {
                    Some(f) => InForce {
                        target: n,
                        original: f.original,
                    },
                    None => InForce {
                        target: n,
                        original: n,
                    },
                });
            }
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def() -> ProgrammeDefinition {
        ProgrammeDefinition::parse(crate::programme::SEED_PROGRAMME).unwrap()
    }

    fn input(ind: &str, ms: i64, jobs: Option<i64>, eff: i64) -> RevisionInput {
        RevisionInput {
            indicator: Some(ind.into()),
            milestone_fiscal_year: Some(ms),
            firms: None,
            jobs,
            reason: Some("中間見直し".into()),
            effective_fiscal_year: Some(eff),
            decision_ref: Some("令和3年度第2回連絡会議".into()),
        }
    }

    #[test]
    fn a_revision_keeps_the_original_and_an_added_milestone_appears() {
        let d = def();
        let key = d.indicators[0].key.clone();
        let original = d
            .milestones
            .iter()
            .find(|m| m.fiscal_year == 2025)
            .unwrap()
            .targets[&key]
            .jobs;
        let r1 = Revision::parse(&input(&key, 2025, Some(650), 2021), &d).unwrap();
        let r2 = Revision::parse(&input(&key, 2025, Some(640), 2023), &d).unwrap();
        let added = Revision::parse(&input(&key, 2031, Some(900), 2027), &d).unwrap();
        let plan = milestones_in_force(&d, &[r1, r2, added]);
        let fy2025 = plan.iter().find(|m| m.fiscal_year.0 == 2025).unwrap();
        let jobs = fy2025.targets[&key].1.unwrap();
        assert_eq!((jobs.target, Some(jobs.original)), (640, original));
        let fy2031 = plan.last().unwrap();
        assert_eq!((fy2031.fiscal_year.0, fy2031.added), (2031, true));
        assert_eq!(
            fy2031.targets[&key].1,
            Some(InForce {
                target: 900,
                original: 900
            })
        );
        assert_eq!(fy2031.fiscal_year.era_label(), "令和13年度");
    }

    #[test]
    fn a_revision_names_its_indicator_measure_reason_and_years() {
        let d = def();
        let key = d.indicators[0].key.clone();
        let fields = |i: RevisionInput| -> Vec<String> {
            Revision::parse(&i, &d)
                .unwrap_err()
                .0
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields(input("nope", 2025, Some(1), 2021)), ["indicator"]);
        // Before the baseline, an effective year after the milestone, no figure, no reason.
        let mut bad = input(&key, 2005, None, 2030);
        bad.reason = None;
        assert_eq!(fields(bad), ["milestone_fiscal_year", "reason", "jobs"]);
        assert_eq!(
            fields(input(&key, 2025, Some(1), 2026)),
            ["effective_fiscal_year"]
        );
        assert_eq!(fields(input(&key, 2025, Some(-1), 2021)), ["jobs"]);
    }
}
