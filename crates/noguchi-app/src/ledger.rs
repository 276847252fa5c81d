//! The KPI ledger: outcomes (recorded, corrected while pending, verified or rejected by the
//! programme's secretariat, imported from sheets), the KPI report computed from the verified
//! ones, and the council pack.
//!
//! Pending and rejected outcomes are the secretariat's working data: everyone else reads the
//! verified ledger, and a pending outcome is "not found" to them.

use crate::records::{Outcome, OutcomeFilter, OutcomeSource, Page, Programme};
use crate::sheets::rows::{self, CheckedRow};
use crate::{App, Error, Labels, Result, Sight, Submitted, signed_in};
use noguchi_domain::access;
use noguchi_domain::fiscal::FiscalYear;
use noguchi_domain::kpi::{self, KpiReport};
use noguchi_domain::ledger::{OutcomeData, OutcomeInput, OutcomeKind, OutcomeStatus};
use noguchi_domain::{Invalid, Problem};

pub use noguchi_storage::Decision;

/// A query of the ledger as an interface read it. Empty values narrow nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutcomeQuery<'a> {
    pub status: Option<&'a str>,
    /// An indicator's key: only the outcome kinds it counts.
    pub indicator: Option<&'a str>,
    pub kind: Option<&'a str>,
    /// Fiscal years from … through (inclusive); with `indicator`, the outcomes behind a KPI cell.
    pub fiscal_year_from: Option<i32>,
    pub fiscal_year_to: Option<i32>,
    pub organisation_id: Option<&'a str>,
}

/// One page of a programme's ledger.
pub struct Ledger {
    pub programme: Programme,
    pub outcomes: Page<Outcome>,
    /// The caller may record outcomes in the programme.
    pub may_record: bool,
}

/// A programme's KPI report as of today's fiscal year.
pub struct Kpi {
    /// The programme, its milestones as in force (revised targets, added milestones).
    pub programme: Programme,
    pub report: KpiReport,
    pub as_of: FiscalYear,
    pub may_record: bool,
    /// Each milestone's targets in force beside the originals.
    pub plan: Vec<noguchi_domain::plan::PlannedMilestone>,
}

/// The checked rows of an outcome sheet and how many outcomes were recorded (all or none).
pub struct OutcomeImport {
    pub programme: Programme,
    pub rows: Vec<CheckedRow>,
    pub dry_run: bool,
    pub imported: usize,
}

impl OutcomeImport {
    pub fn invalid(&self) -> usize {
        self.rows.iter().filter(|r| r.data.is_err()).count()
    }
    /// A real import that wrote nothing because rows are invalid.
    pub fn refused(&self) -> bool {
        !self.dry_run && self.invalid() > 0
    }
}

fn nonempty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl OutcomeQuery<'_> {
    /// The filter, restricted to verified outcomes for anyone but the secretariat (who asks
    /// for others is refused).
    fn filter(&self, programme: &Programme, sight: &Sight) -> Result<OutcomeFilter> {
        let mut errs = Invalid::default();
        let mut status =
            nonempty(self.status).and_then(|s| errs.take("status", OutcomeStatus::parse(&s)));
        if !sight.unverified_outcomes(&programme.id) {
            if status.is_some_and(|s| s != OutcomeStatus::Verified) {
                return Err(Error::Forbidden);
            }
            status = Some(OutcomeStatus::Verified);
        }
        let mut kinds = Vec::new();
        if let Some(i) = nonempty(self.indicator) {
            kinds = kpi::indicator_kinds(&programme.definition, &i);
            if kinds.is_empty() {
                errs.push("indicator", Problem::UnknownValue { value: i });
            }
        }
        if let Some(k) = nonempty(self.kind).and_then(|k| errs.take("kind", OutcomeKind::parse(&k)))
        {
            kinds.retain(|x| *x == k);
            if kinds.is_empty() && nonempty(self.indicator).is_none() {
                kinds.push(k);
            }
        }
        if !errs.is_empty() {
            return Err(errs.into());
        }
        Ok(OutcomeFilter {
            status,
            kinds,
            fiscal_year_from: self.fiscal_year_from.map(FiscalYear),
            fiscal_year_to: self.fiscal_year_to.map(FiscalYear),
            organisation_id: nonempty(self.organisation_id),
        })
    }
}

impl App {
    /// Outcomes of a programme in fiscal-year order (others than the secretariat: verified only).
    pub async fn outcomes(
        &self,
        sight: &Sight,
        programme_id: &str,
        query: OutcomeQuery<'_>,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Ledger> {
        signed_in(sight)?;
        let programme = self.store.programme(programme_id).await?;
        let filter = query.filter(&programme, sight)?;
        let outcomes = self
            .store
            .list_outcomes(sight, programme_id, &filter, cursor, limit)
            .await?;
        Ok(Ledger {
            may_record: self.may_record_outcomes(sight, programme_id),
            programme,
            outcomes,
        })
    }

    /// An outcome the caller may see: a pending or rejected one only for the secretariat.
    pub async fn outcome(&self, sight: &Sight, id: &str) -> Result<Outcome> {
        signed_in(sight)?;
        Ok(self.store.outcome(sight, id).await?)
    }

    /// An outcome the caller may correct: "not found" when it may not see it, "forbidden" when
    /// it may only read it.
    pub async fn editable_outcome(&self, sight: &Sight, id: &str) -> Result<Outcome> {
        let o = self.outcome(sight, id).await?;
        access::record_outcome(signed_in(sight)?, &o.programme_id)?;
        Ok(o)
    }

    /// The programme, when the caller may record outcomes in it (the forms to record and
    /// import).
    pub async fn outcomes_to_record(&self, sight: &Sight, programme_id: &str) -> Result<Programme> {
        access::record_outcome(signed_in(sight)?, programme_id)?;
        Ok(self.store.programme(programme_id).await?)
    }

    pub fn may_record_outcomes(&self, sight: &Sight, programme_id: &str) -> bool {
        sight
            .principal()
            .is_some_and(|p| access::record_outcome(p, programme_id).is_ok())
    }

    pub fn may_decide_outcome(&self, sight: &Sight, o: &Outcome) -> bool {
        sight
            .principal()
            .is_some_and(|p| access::decide_outcome(p, &o.programme_id).is_ok())
    }

    /// Records an outcome by hand; it stays pending until the secretariat verifies it.
    pub async fn record_outcome(
        &self,
        sight: &Sight,
        programme_id: &str,
        input: Submitted<OutcomeInput>,
    ) -> Result<Outcome> {
        let grant = access::record_outcome(signed_in(sight)?, programme_id)?;
        let data = input.parse(OutcomeData::parse)?;
        Ok(self
            .store
            .record_outcome(&grant, programme_id, data, OutcomeSource::Manual, None)
            .await?)
    }

    /// Corrects a pending outcome (a verified one is never changed silently).
    pub async fn update_outcome(
        &self,
        sight: &Sight,
        id: &str,
        input: Submitted<OutcomeInput>,
    ) -> Result<Outcome> {
        let current = self.editable_outcome(sight, id).await?;
        let grant = access::record_outcome(signed_in(sight)?, &current.programme_id)?;
        let data = input.parse(OutcomeData::parse)?;
        Ok(self.store.update_outcome(&grant, id, data).await?)
    }

    /// Verifies (from then on it counts in the KPI) or rejects an outcome: the secretariat.
    pub async fn decide_outcome(
        &self,
        sight: &Sight,
        id: &str,
        decision: Decision,
    ) -> Result<Outcome> {
        let current = self.outcome(sight, id).await?;
        let grant = access::decide_outcome(signed_in(sight)?, &current.programme_id)?;
        Ok(self.store.decide_outcome(&grant, id, decision).await?)
    }

    /// Checks an outcome sheet and, unless `dry_run`, records every outcome it holds: all rows
    /// or none.
    pub async fn import_outcomes(
        &self,
        sight: &Sight,
        programme_id: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<OutcomeImport> {
        let grant = access::record_outcome(signed_in(sight)?, programme_id)?;
        let programme = self.store.programme(programme_id).await?;
        let rows = rows::check_outcomes(self, bytes).await?;
        let mut import = OutcomeImport {
            programme,
            rows,
            dry_run,
            imported: 0,
        };
        if import.dry_run || import.invalid() > 0 {
            return Ok(import);
        }
        let data = import
            .rows
            .iter()
            .filter_map(|r| r.data.clone().ok())
            .collect();
        import.imported = self
            .store
            .record_outcomes(&grant, programme_id, data)
            .await?
            .len();
        Ok(import)
    }

    /// The programme's KPI table and per-year breakdown, from verified outcomes, as of today.
    pub async fn kpi(&self, sight: &Sight, programme_id: &str) -> Result<Kpi> {
        signed_in(sight)?;
        let programme = self.store.programme(programme_id).await?;
        let (programme, plan) = self.programme_in_force(programme).await?;
        let facts = self.store.kpi_facts(programme_id).await?;
        let as_of = FiscalYear::of_date(self.today());
        Ok(Kpi {
            report: kpi::compute(&programme.definition, &facts, as_of),
            may_record: self.may_record_outcomes(sight, programme_id),
            programme,
            as_of,
            plan,
        })
    }

    /// The council pack: the KPI report as an XLSX workbook, in the caller's words.
    pub async fn council_pack(
        &self,
        sight: &Sight,
        programme_id: &str,
        labels: &(dyn Labels + Sync),
    ) -> Result<Vec<u8>> {
        let k = self.kpi(sight, programme_id).await?;
        let years = self.activity_years(&k.programme, k.as_of);
        let mut records = Vec::new();
        for fy in &years {
            records.push(self.activity_detail(sight, programme_id, *fy).await?);
        }
        crate::sheets::write::council_pack(
            &k.programme.definition,
            &k.report,
            k.as_of,
            &records,
            labels,
        )
    }
}
