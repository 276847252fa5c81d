//! The programme's indicators, computed from the ledger's outcomes (`crate::ledger`).
//!
//! Only verified outcomes count. Per indicator and milestone, the window runs from the
//! programme's baseline fiscal year through the milestone year, inclusive; a firm counts once
//! however many outcomes it has, jobs are summed. A total adds up the jobs of its parts and
//! defines no firm count (the seed's 合計 row counts jobs only).

use crate::fiscal::FiscalYear;
use crate::ledger::{OutcomeKind, OutcomeStatus};
use crate::programme::ProgrammeDefinition;
use std::collections::BTreeSet;

/// The facts of one outcome that the KPI arithmetic needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub organisation_id: String,
    pub kind: OutcomeKind,
    pub fiscal_year: FiscalYear,
    pub jobs: i64,
    pub status: OutcomeStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    pub target: Option<i64>,
    pub actual: i64,
}

impl Measure {
    /// Actual as a share of the target (1.0 = reached), when there is a positive target.
    pub fn progress(&self) -> Option<f64> {
        self.target
            .filter(|t| *t > 0)
            .map(|t| self.actual as f64 / t as f64)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorResult {
    pub key: String,
    pub label: String,
    pub label_en: Option<String>,
    /// None where the indicator defines no firm count (a total).
    pub firms: Option<Measure>,
    pub jobs: Option<Measure>,
    /// Projected cumulative jobs at the milestone at the current pace (None once it has passed).
    pub projected_jobs: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneResult {
    pub fiscal_year: FiscalYear,
    pub indicators: Vec<IndicatorResult>,
}

/// Jobs and new firms of one fiscal year, per indicator, with running totals.
#[derive(Debug, Clone, PartialEq)]
pub struct YearRow {
    pub fiscal_year: FiscalYear,
    /// (indicator key, jobs in the year, cumulative jobs, cumulative distinct firms or None)
    pub cells: Vec<(String, i64, i64, Option<i64>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KpiReport {
    pub baseline: FiscalYear,
    pub milestones: Vec<MilestoneResult>,
    pub years: Vec<YearRow>,
}

impl KpiReport {
    pub fn indicator(&self, fy: i32, key: &str) -> Option<&IndicatorResult> {
        self.milestones
            .iter()
            .find(|m| m.fiscal_year.0 == fy)?
            .indicators
            .iter()
            .find(|i| i.key == key)
    }
}

/// Outcome kinds an indicator counts, following `sum_of` for totals.
pub fn indicator_kinds(def: &ProgrammeDefinition, key: &str) -> Vec<OutcomeKind> {
    let Some(ind) = def.indicators.iter().find(|i| i.key == key) else {
        return Vec::new();
    };
    let mut kinds: Vec<OutcomeKind> = ind
        .outcome_kinds
        .iter()
        .filter_map(|k| OutcomeKind::parse(k).ok())
        .collect();
    for part in &ind.sum_of {
        for k in indicator_kinds(def, part) {
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
    }
    kinds
}

struct Window<'a> {
    facts: Vec<&'a Fact>,
}

impl Window<'_> {
    fn jobs(&self) -> i64 {
        self.facts.iter().map(|f| f.jobs).sum()
    }
    fn firms(&self) -> i64 {
        self.facts
            .iter()
            .map(|f| f.organisation_id.as_str())
            .collect::<BTreeSet<_>>()
            .len() as i64
    }
}

fn window<'a>(
    facts: &'a [Fact],
    kinds: &[OutcomeKind],
    from: FiscalYear,
    to: FiscalYear,
) -> Window<'a> {
    Window {
        facts: facts
            .iter()
            .filter(|f| {
                f.status == OutcomeStatus::Verified
                    && kinds.contains(&f.kind)
                    && from <= f.fiscal_year
                    && f.fiscal_year <= to
            })
            .collect(),
    }
}

/// Computes the programme's KPI table from its outcomes, as of fiscal year `current`.
///
/// The projection extrapolates the average jobs per completed fiscal year since the baseline
/// (years before `current`) to the milestone; it is shown only for milestones not yet passed.
pub fn compute(def: &ProgrammeDefinition, facts: &[Fact], current: FiscalYear) -> KpiReport {
    let baseline = FiscalYear(def.baseline_fiscal_year);
    let milestones = def
        .milestones
        .iter()
        .map(|m| {
            let to = FiscalYear(m.fiscal_year);
            let indicators = def
                .indicators
                .iter()
                .map(|ind| {
                    let kinds = indicator_kinds(def, &ind.key);
                    let w = window(facts, &kinds, baseline, to);
                    let target = m.targets.get(&ind.key);
                    let defines = |measure: &str| ind.measures.iter().any(|x| x == measure);
                    let firms = defines("firms").then(|| Measure {
                        target: target.and_then(|t| t.firms),
                        actual: w.firms(),
                    });
                    let jobs = defines("jobs").then(|| Measure {
                        target: target.and_then(|t| t.jobs),
                        actual: w.jobs(),
                    });
                    let projected_jobs = jobs
                        .and_then(|j| projection(facts, &kinds, baseline, current, to, j.actual));
                    IndicatorResult {
                        key: ind.key.clone(),
                        label: ind.label.clone(),
                        label_en: ind.label_en.clone(),
                        firms,
                        jobs,
                        projected_jobs,
                    }
                })
                .collect();
            MilestoneResult {
                fiscal_year: to,
                indicators,
            }
        })
        .collect();
    let last = def
        .milestones
        .iter()
        .map(|m| m.fiscal_year)
        .max()
        .unwrap_or(baseline.0)
        .max(current.0.min(baseline.0 + 100));
    let years = (baseline.0..=last)
        .map(|y| {
            let fy = FiscalYear(y);
            YearRow {
                fiscal_year: fy,
                cells: def
                    .indicators
                    .iter()
                    .map(|ind| {
                        let kinds = indicator_kinds(def, &ind.key);
                        let cumulative = window(facts, &kinds, baseline, fy);
                        let firms = ind
                            .measures
                            .iter()
                            .any(|m| m == "firms")
                            .then(|| cumulative.firms());
                        (
                            ind.key.clone(),
                            window(facts, &kinds, fy, fy).jobs(),
                            cumulative.jobs(),
                            firms,
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    KpiReport {
        baseline,
        milestones,
        years,
    }
}

fn projection(
    facts: &[Fact],
    kinds: &[OutcomeKind],
    baseline: FiscalYear,
    current: FiscalYear,
    milestone: FiscalYear,
    actual: i64,
) -> Option<i64> {
    if milestone < current {
        return None;
    }
    let completed = current.0 - baseline.0;
    if completed <= 0 {
        return Some(actual);
    }
    let done = window(facts, kinds, baseline, FiscalYear(current.0 - 1)).jobs();
    let rate = done as f64 / completed as f64;
    Some(done + (rate * (milestone.0 - current.0 + 1) as f64).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programme::SEED_PROGRAMME;

    fn def() -> ProgrammeDefinition {
        ProgrammeDefinition::parse(SEED_PROGRAMME).unwrap()
    }

    fn fact(org: &str, kind: OutcomeKind, fy: i32, jobs: i64, status: OutcomeStatus) -> Fact {
        Fact {
            organisation_id: org.into(),
            kind,
            fiscal_year: FiscalYear(fy),
            jobs,
            status,
        }
    }

    #[test]
    fn reproduces_the_seed_table_with_no_outcomes() {
        let r = compute(&def(), &[], FiscalYear(2026));
        let cell = |fy, key: &str| {
            let i = r.indicator(fy, key).unwrap();
            (
                i.firms.and_then(|f| f.target),
                i.jobs.and_then(|j| j.target),
            )
        };
        assert_eq!(cell(2020, "new_sites_expansions"), (Some(8), Some(590)));
        assert_eq!(cell(2025, "new_sites_expansions"), (Some(10), Some(700)));
        assert_eq!(cell(2020, "new_entries"), (Some(5), Some(10)));
        assert_eq!(cell(2025, "new_entries"), (Some(6), Some(25)));
        assert_eq!(cell(2020, "total"), (None, Some(600)));
        assert_eq!(cell(2025, "total"), (None, Some(725)));
        assert!(
            r.indicator(2020, "total").unwrap().firms.is_none(),
            "the total counts jobs only"
        );
        assert_eq!(r.baseline, FiscalYear(2010));
    }

    #[test]
    fn windows_distinct_firms_and_statuses() {
        use OutcomeKind::*;
        use OutcomeStatus::*;
        let facts = vec![
            fact("a", NewSite, 2012, 300, Verified),
            fact("a", Expansion, 2015, 50, Verified), // same firm: once
            fact("b", NewSite, 2009, 100, Verified),  // before the baseline
            fact("c", Expansion, 2022, 40, Verified), // only in the 2025 window
            fact("d", NewEntry, 2018, 3, Verified),
            fact("d", Commercialisation, 2019, 2, Verified),
            fact("b", NewSite, 2016, 70, Pending), // pending: not counted
            fact("e", NewSite, 2016, 90, Rejected), // rejected: not counted
            fact("f", NewSite, 2026, 10, Verified), // after every milestone
        ];
        let r = compute(&def(), &facts, FiscalYear(2026));
        let got = |fy, key: &str| {
            let i = r.indicator(fy, key).unwrap();
            (i.firms.map(|f| f.actual), i.jobs.unwrap().actual)
        };
        assert_eq!(got(2020, "new_sites_expansions"), (Some(1), 350));
        assert_eq!(got(2025, "new_sites_expansions"), (Some(2), 390));
        assert_eq!(got(2020, "new_entries"), (Some(1), 5));
        assert_eq!(got(2025, "new_entries"), (Some(1), 5));
        assert_eq!(got(2020, "total"), (None, 355));
        assert_eq!(got(2025, "total"), (None, 395));
        let y2012 = r
            .years
            .iter()
            .find(|y| y.fiscal_year == FiscalYear(2012))
            .unwrap();
        assert_eq!(
            y2012.cells[0],
            ("new_sites_expansions".to_string(), 300, 300, Some(1))
        );
    }

    #[test]
    fn projection_extrapolates_the_pace_of_completed_years() {
        use OutcomeKind::*;
        let facts: Vec<Fact> = (2010..2020)
            .map(|y| fact(&format!("f{y}"), NewSite, y, 50, OutcomeStatus::Verified))
            .collect();
        // As of FY2020: ten completed years at 50 jobs a year; FY2020 and FY2021..2025 remain.
        let r = compute(&def(), &facts, FiscalYear(2020));
        assert_eq!(
            r.indicator(2020, "new_sites_expansions")
                .unwrap()
                .projected_jobs,
            Some(550)
        );
        assert_eq!(
            r.indicator(2025, "new_sites_expansions")
                .unwrap()
                .projected_jobs,
            Some(800)
        );
        let later = compute(&def(), &facts, FiscalYear(2022));
        assert_eq!(
            later
                .indicator(2020, "new_sites_expansions")
                .unwrap()
                .projected_jobs,
            None,
            "a passed milestone has no projection"
        );
    }

    #[test]
    fn indicator_kinds_follow_totals() {
        let kinds = indicator_kinds(&def(), "total");
        assert_eq!(kinds.len(), 4);
        assert_eq!(
            indicator_kinds(&def(), "new_entries"),
            [OutcomeKind::NewEntry, OutcomeKind::Commercialisation]
        );
    }
}
