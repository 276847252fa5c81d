//! The pipelines' use cases, written once for deals and entry cases: `app.pipeline::<Deals>()`
//! and `app.pipeline::<EntryCases>()` answer the same calls, each kind asking its own policy
//! (`noguchi_domain::pipeline::Pipeline`) and its own table (`noguchi_storage::Stored`).
//!
//! Reads go through the caller's sight: a record the caller may not see is "not found", and a
//! record's history, activities and consultations are read from the record itself, so they
//! cannot be reached without it. Writes ask the policy for a grant first.

use crate::records::{Activity, Consultation, NextAction, Programme, Record, StageMove};
use crate::sheets::rows::{self, Checked};
use crate::{App, Result, Sight, Submitted, signed_in};
use noguchi_domain::pipeline::{ActivityInput, ConsultationInput, MoveInput, Stages};
use noguchi_domain::{Invalid, Problem};
use std::future::Future;
use std::marker::PhantomData;

pub use noguchi_domain::pipeline::{Deals, EntryCases, Pipeline};

/// A pipeline the use cases work on: its rules, its table, and how its sheets are read.
pub trait Kind: noguchi_storage::Stored {
    /// Checks every row of a sheet of records (XLSX or CSV) without writing anything.
    fn check_sheet(
        app: &App,
        bytes: &[u8],
    ) -> impl Future<Output = Result<Vec<Checked<Self::Data, Self::Stage>>>> + Send;
    /// The consultations kept on a record (entry cases keep them, deals do not).
    fn consultations(
        app: &App,
        record: &Record<Self>,
    ) -> impl Future<Output = Result<Vec<Consultation>>> + Send;
}

impl Kind for Deals {
    fn check_sheet(
        app: &App,
        bytes: &[u8],
    ) -> impl Future<Output = Result<Vec<Checked<Self::Data, Self::Stage>>>> + Send {
        rows::check_deals(app, bytes)
    }
    async fn consultations(_: &App, _: &Record<Self>) -> Result<Vec<Consultation>> {
        Ok(Vec::new())
    }
}

impl Kind for EntryCases {
    fn check_sheet(
        app: &App,
        bytes: &[u8],
    ) -> impl Future<Output = Result<Vec<Checked<Self::Data, Self::Stage>>>> + Send {
        rows::check_cases(app, bytes)
    }
    async fn consultations(app: &App, case: &Record<Self>) -> Result<Vec<Consultation>> {
        Ok(app.store.consultations(case).await?)
    }
}

impl App {
    /// The use cases of one pipeline.
    pub fn pipeline<K: Kind>(&self) -> Records<'_, K> {
        Records {
            app: self,
            kind: PhantomData,
        }
    }

    /// The next actions the caller owes on records it may still see, split at today.
    pub async fn my_work(&self, sight: &Sight) -> Result<MyWork> {
        signed_in(sight)?;
        let today = self.today();
        let (overdue, upcoming) = self
            .store
            .next_actions(sight)
            .await?
            .into_iter()
            .partition(|a| a.due < today);
        Ok(MyWork {
            overdue,
            upcoming,
            council_actions: self.own_council_actions(sight).await?,
            reports: self.reports_due(sight).await?,
        })
    }
}

/// The records of one pipeline, and what can be done with them.
pub struct Records<'a, K> {
    app: &'a App,
    kind: PhantomData<K>,
}

/// A list's narrowing as an interface read it: a stage, and for records that come in kinds
/// (`Pipeline::KINDS`) a kind. Empty values narrow nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    pub stage: Option<&'a str>,
    pub kind: Option<&'a str>,
}

/// The records of a programme the caller may see.
pub struct Listing<K: Pipeline> {
    pub programme: Programme,
    pub records: Vec<Record<K>>,
    /// The caller may open records here.
    pub may_open: bool,
}

/// A record with what is kept beside it.
pub struct Detail<K: Pipeline> {
    pub record: Record<K>,
    pub history: Vec<StageMove>,
    pub activities: Vec<Activity>,
    pub consultations: Vec<Consultation>,
    /// The caller may change and move the record and log work on it.
    pub may_work: bool,
}

/// The checked rows of an imported sheet, and how many records were written: all of them, or
/// none when it was a dry run or any row is invalid.
pub struct Import<K: Pipeline> {
    pub programme: Programme,
    pub rows: Vec<Checked<K::Data, K::Stage>>,
    pub dry_run: bool,
    pub imported: usize,
}

impl<K: Pipeline> Import<K> {
    pub fn invalid(&self) -> usize {
        self.rows.iter().filter(|r| r.data.is_err()).count()
    }
    /// A real import that wrote nothing because rows are invalid.
    pub fn refused(&self) -> bool {
        !self.dry_run && self.invalid() > 0
    }
}

/// The next actions a caller owes.
pub struct MyWork {
    pub overdue: Vec<NextAction>,
    pub upcoming: Vec<NextAction>,
    /// The council's open actions owned by the caller's organisation, oldest due first.
    pub council_actions: Vec<crate::council::ActionView>,
    /// Grant reports due soon or overdue on projects the caller runs or leads.
    pub reports: Vec<crate::project_work::DueReport>,
}

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

impl<K: Kind> Records<'_, K> {
    /// The programme's records the caller may see, most recently changed first.
    pub async fn list(
        &self,
        sight: &Sight,
        programme_id: &str,
        filter: Filter<'_>,
    ) -> Result<Listing<K>> {
        signed_in(sight)?;
        let programme = self.app.store.programme(programme_id).await?;
        let mut errs = Invalid::default();
        let stage = nonempty(filter.stage).and_then(|s| errs.take("stage", K::Stage::parse(s)));
        let kind = nonempty(filter.kind).and_then(|k| {
            let found = K::KINDS.iter().find(|c| **c == k.trim()).copied();
            errs.take(
                "kind",
                found.ok_or_else(|| Problem::UnknownValue {
                    value: k.trim().to_owned(),
                }),
            )
        });
        if !errs.is_empty() {
            return Err(errs.into());
        }
        let records = self
            .app
            .store
            .records::<K>(sight, programme_id, stage, kind)
            .await?;
        Ok(Listing {
            may_open: self.may_open(sight, programme_id),
            programme,
            records,
        })
    }

    /// How many of the programme's records the caller may see stand at each stage.
    pub async fn stage_counts(
        &self,
        sight: &Sight,
        programme_id: &str,
    ) -> Result<Vec<(K::Stage, usize)>> {
        signed_in(sight)?;
        let records = self
            .app
            .store
            .records::<K>(sight, programme_id, None, None)
            .await?;
        Ok(K::Stage::all()
            .map(|s| (s, records.iter().filter(|r| r.stage == s).count()))
            .collect())
    }

    /// A record the caller may see.
    pub async fn get(&self, sight: &Sight, id: &str) -> Result<Record<K>> {
        signed_in(sight)?;
        Ok(self.app.store.record(sight, id).await?)
    }

    /// A record with its history, activities and consultations.
    pub async fn detail(&self, sight: &Sight, id: &str) -> Result<Detail<K>> {
        let record = self.get(sight, id).await?;
        Ok(Detail {
            history: self.history(&record).await?,
            activities: self.app.store.activities(&record).await?,
            consultations: K::consultations(self.app, &record).await?,
            may_work: self.may_work(sight, &record),
            record,
        })
    }

    /// The stage moves of a record, oldest first.
    pub async fn history(&self, record: &Record<K>) -> Result<Vec<StageMove>> {
        Ok(self.app.store.stage_history(record).await?)
    }

    /// A record the caller may change (its edit form): "not found" when the caller may not see
    /// it, "forbidden" when it may only read it.
    pub async fn editable(&self, sight: &Sight, id: &str) -> Result<Record<K>> {
        let record = self.get(sight, id).await?;
        K::work(signed_in(sight)?, &record.programme_id, &record.data)?;
        Ok(record)
    }

    /// The programme, when the caller may open records in it (the forms to open and import).
    pub async fn openable(&self, sight: &Sight, programme_id: &str) -> Result<Programme> {
        K::open(signed_in(sight)?, programme_id)?;
        Ok(self.app.store.programme(programme_id).await?)
    }

    pub fn may_open(&self, sight: &Sight, programme_id: &str) -> bool {
        sight
            .principal()
            .is_some_and(|p| K::open(p, programme_id).is_ok())
    }

    pub fn may_work(&self, sight: &Sight, record: &Record<K>) -> bool {
        sight
            .principal()
            .is_some_and(|p| K::work(p, &record.programme_id, &record.data).is_ok())
    }

    /// Opens a record at the pipeline's first stage.
    pub async fn create(
        &self,
        sight: &Sight,
        programme_id: &str,
        input: Submitted<K::Input>,
    ) -> Result<Record<K>> {
        let grant = K::open(signed_in(sight)?, programme_id)?;
        let data = input.parse(K::parse)?;
        Ok(self
            .app
            .store
            .create_record::<K>(&grant, programme_id, data)
            .await?)
    }

    /// Changes a record's fields; a pending outcome follows (a verified one never silently).
    pub async fn update(
        &self,
        sight: &Sight,
        id: &str,
        input: Submitted<K::Input>,
    ) -> Result<Record<K>> {
        let record = self.get(sight, id).await?;
        let grant = K::work(signed_in(sight)?, &record.programme_id, &record.data)?;
        let data = input.parse(K::parse)?;
        Ok(self.app.store.update_record::<K>(&grant, id, data).await?)
    }

    /// Moves a record to a stage, dated; reaching the counting stage records a pending outcome
    /// in the KPI ledger, leaving it withdraws the pending one.
    pub async fn move_to(&self, sight: &Sight, id: &str, input: &MoveInput) -> Result<Record<K>> {
        let record = self.get(sight, id).await?;
        let grant = K::work(signed_in(sight)?, &record.programme_id, &record.data)?;
        let change = input.parse::<K::Stage>(self.app.today())?;
        Ok(self
            .app
            .store
            .move_record::<K>(&grant, id, change.to, change.on, change.note.as_deref())
            .await?)
    }

    /// Logs an activity (a visit, a call …) on a record.
    pub async fn log_activity(&self, sight: &Sight, id: &str, input: &ActivityInput) -> Result<()> {
        let record = self.get(sight, id).await?;
        let grant = K::work(signed_in(sight)?, &record.programme_id, &record.data)?;
        let activity = input.parse(self.app.today())?;
        Ok(self
            .app
            .store
            .add_activity::<K>(&grant, id, activity)
            .await?)
    }

    /// Checks an uploaded sheet of records and, unless `dry_run`, opens every record it holds,
    /// each moved to its stage on its date: all rows or none.
    pub async fn import(
        &self,
        sight: &Sight,
        programme_id: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<Import<K>> {
        let grant = K::open(signed_in(sight)?, programme_id)?;
        let programme = self.app.store.programme(programme_id).await?;
        let rows = K::check_sheet(self.app, bytes).await?;
        let mut import = Import {
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
            .app
            .store
            .import_records::<K>(&grant, programme_id, data)
            .await?
            .len();
        Ok(import)
    }
}

impl Records<'_, EntryCases> {
    /// Logs a consultation on an entry case (the secretariat and its supporters).
    pub async fn log_consultation(
        &self,
        sight: &Sight,
        id: &str,
        input: &ConsultationInput,
    ) -> Result<()> {
        let case = self.get(sight, id).await?;
        let grant = EntryCases::work(signed_in(sight)?, &case.programme_id, &case.data)?;
        let consultation = input.parse(self.app.today())?;
        Ok(self
            .app
            .store
            .add_consultation(&grant, id, consultation)
            .await?)
    }
}
