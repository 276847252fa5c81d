//! The attraction/expansion pipeline (deals) and the entry pipeline (entry cases): their stage
//! machines, and how a case that reaches its counting stage keeps its KPI outcome in step.
//!
//! Both pipelines follow the same rules; what differs between them (their stages, their
//! records' fields, who may see and change them, what they count as) is told by the
//! [`Pipeline`] trait, implemented by [`Deals`] and [`EntryCases`]. Storage, the use cases and
//! the interfaces are written once over it.

use crate::fiscal::FiscalYear;
use crate::ledger::{OutcomeKind, OutcomeStatus};
use crate::organisation::FieldStatus;
use crate::validation::Problem;
use time::Date;

mod input;
mod kinds;

pub use input::{
    ActivityData, ActivityInput, ConsultationData, ConsultationInput, DealData, DealInput,
    EntryCaseData, EntryCaseInput, MoveInput, StageChange,
};
pub use kinds::{Deals, EntryCases, Pipeline};

crate::code_list! {
    DealKind {
        Attraction = "attraction",
        Expansion = "expansion",
    }
}

crate::code_list! {
    /// 候補 → 接触 → 訪問・視察 → 提案 → 交渉 → 立地決定 → 操業開始, or 見送り.
    DealStage {
        Candidate = "candidate",
        Contacted = "contacted",
        Visited = "visited",
        Proposed = "proposed",
        Negotiating = "negotiating",
        Decided = "decided",
        Operating = "operating",
        Lost = "lost",
    }
}

crate::code_list! {
    /// 関心 → 情報収集 → マッチング → 試作 → 許認可取得 → 事業化, or 中止.
    EntryStage {
        Interest = "interest",
        Learning = "learning",
        Matched = "matched",
        Prototype = "prototype",
        Licensed = "licensed",
        Commercialised = "commercialised",
        Stopped = "stopped",
    }
}

crate::code_list! {
    ActivityKind {
        Visit = "visit",
        Call = "call",
        Email = "email",
        Meeting = "meeting",
        Note = "note",
    }
}

crate::code_list! {
    /// Consultation categories as national support networks record them.
    ConsultationCategory {
        Strategy = "strategy",
        Development = "development",
        Ip = "ip",
        Regulatory = "regulatory",
        Sales = "sales",
        Finance = "finance",
    }
}

/// A pipeline's stages in order, with the one that ends it unsuccessfully.
pub trait Stages: Copy + Eq + std::fmt::Debug + Send + std::marker::Sync + 'static {
    const ORDER: &'static [Self];
    const CLOSED: Self;
    fn code(self) -> &'static str;
    fn parse(code: &str) -> Result<Self, Problem>;
    fn rank(self) -> Option<usize> {
        Self::ORDER.iter().position(|s| *s == self)
    }
    /// Where a new record starts.
    fn first() -> Self {
        Self::ORDER[0]
    }
    /// Every stage in order, the closed one last (the columns of a board).
    fn all() -> impl Iterator<Item = Self> {
        Self::ORDER.iter().copied().chain([Self::CLOSED])
    }
}

impl Stages for DealStage {
    const ORDER: &'static [Self] = &[
        DealStage::Candidate,
        DealStage::Contacted,
        DealStage::Visited,
        DealStage::Proposed,
        DealStage::Negotiating,
        DealStage::Decided,
        DealStage::Operating,
    ];
    const CLOSED: Self = DealStage::Lost;
    fn code(self) -> &'static str {
        DealStage::code(self)
    }
    fn parse(code: &str) -> Result<Self, Problem> {
        DealStage::parse(code)
    }
}

impl Stages for EntryStage {
    const ORDER: &'static [Self] = &[
        EntryStage::Interest,
        EntryStage::Learning,
        EntryStage::Matched,
        EntryStage::Prototype,
        EntryStage::Licensed,
        EntryStage::Commercialised,
    ];
    const CLOSED: Self = EntryStage::Stopped;
    fn code(self) -> &'static str {
        EntryStage::code(self)
    }
    fn parse(code: &str) -> Result<Self, Problem> {
        EntryStage::parse(code)
    }
}

/// Why a stage move is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveRefused {
    /// Already at that stage.
    SameStage,
    /// Closing a case that reached its last stage (an operating site is not "lost").
    FinishedCannotClose,
    /// Closing, reopening or moving back needs a note saying why.
    NoteRequired,
}

/// The rule of every pipeline: forward to any later stage (steps may be skipped, as contacts
/// often are); back to an earlier stage, to the closed state, or out of it again only with a
/// note, so the history says why; never "close" a case that reached its last stage.
pub fn check_move<S: Stages>(from: S, to: S, note: Option<&str>) -> Result<(), MoveRefused> {
    let has_note = note.is_some_and(|n| !n.trim().is_empty());
    if from == to {
        return Err(MoveRefused::SameStage);
    }
    let last = *S::ORDER.last().expect("a pipeline has stages");
    match (from.rank(), to.rank()) {
        (Some(_), None) if from == last => Err(MoveRefused::FinishedCannotClose),
        (Some(a), Some(b)) if b > a => Ok(()),
        _ if has_note => Ok(()),
        _ => Err(MoveRefused::NoteRequired),
    }
}

/// Whether `stage` is at or past `counting` in the pipeline's order (the closed state is not).
pub fn has_reached<S: Stages>(stage: S, counting: S) -> bool {
    matches!((stage.rank(), counting.rank()), (Some(a), Some(b)) if a >= b)
}

/// The day a case counts from after a move `from` → `to` made on `on`: that day when the move
/// reaches the counting stage, the day it was first reached while the case stays at or past it
/// (`before`), and none once it falls back or closes.
pub fn counted_on<S: Stages>(
    from: S,
    to: S,
    counting: S,
    on: Date,
    before: Option<Date>,
) -> Option<Date> {
    match (has_reached(from, counting), has_reached(to, counting)) {
        (false, true) => Some(on),
        (true, true) => before,
        _ => None,
    }
}

/// The outcome a case should have in the KPI ledger now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantedOutcome {
    pub kind: OutcomeKind,
    pub fiscal_year: FiscalYear,
    pub occurred_on: Date,
    pub jobs: i64,
}

/// The outcome the case is linked to, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedOutcome {
    pub status: OutcomeStatus,
    pub kind: OutcomeKind,
    pub fiscal_year: FiscalYear,
    pub jobs: i64,
}

/// What to do to the ledger so it follows the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sync {
    Nothing,
    /// Record a new pending outcome and link it.
    Create(WantedOutcome),
    /// Correct the linked pending outcome.
    Update(WantedOutcome),
    /// The case left its counting stage: withdraw the linked pending outcome (rejected, with
    /// the reason recorded) and unlink it.
    Withdraw,
    /// A verified outcome differs from the case: never changed silently; shown to the
    /// secretariat, who may reject it and let a new one be recorded.
    Differs,
}

/// Decides how the ledger follows a case. `wanted` is None while the case has not reached its
/// counting stage (or was closed).
pub fn sync(wanted: Option<&WantedOutcome>, linked: Option<&LinkedOutcome>) -> Sync {
    match (wanted, linked) {
        (None, None) => Sync::Nothing,
        (None, Some(l)) if l.status == OutcomeStatus::Pending => Sync::Withdraw,
        (None, Some(l)) if l.status == OutcomeStatus::Verified => Sync::Differs,
        (None, Some(_)) => Sync::Nothing,
        (Some(w), None) => Sync::Create(w.clone()),
        (Some(w), Some(l)) => {
            let same = l.kind == w.kind && l.fiscal_year == w.fiscal_year && l.jobs == w.jobs;
            match l.status {
                OutcomeStatus::Rejected => Sync::Create(w.clone()),
                _ if same => Sync::Nothing,
                OutcomeStatus::Pending => Sync::Update(w.clone()),
                OutcomeStatus::Verified => Sync::Differs,
            }
        }
    }
}

/// The outcome a deal at `stage` should have: a `new_site` for an attraction, an `expansion` for
/// an expansion, with the actual jobs (planned while no actual is known), in the fiscal year of
/// the day the counting stage was reached.
pub fn deal_outcome(
    kind: DealKind,
    stage: DealStage,
    counting: DealStage,
    counted_on: Option<Date>,
    planned_jobs: Option<i64>,
    actual_jobs: Option<i64>,
) -> Option<WantedOutcome> {
    if !has_reached(stage, counting) {
        return None;
    }
    let on = counted_on?;
    Some(WantedOutcome {
        kind: match kind {
            DealKind::Attraction => OutcomeKind::NewSite,
            DealKind::Expansion => OutcomeKind::Expansion,
        },
        fiscal_year: FiscalYear::of_date(on),
        occurred_on: on,
        jobs: actual_jobs.or(planned_jobs).unwrap_or(0),
    })
}

/// The outcome of a commercialised entry case: `commercialisation` for a firm that was already
/// in the medical field, `new_entry` otherwise.
pub fn entry_outcome(
    stage: EntryStage,
    counted_on: Option<Date>,
    status: FieldStatus,
    jobs: Option<i64>,
) -> Option<WantedOutcome> {
    if !has_reached(stage, EntryStage::Commercialised) {
        return None;
    }
    let on = counted_on?;
    Some(WantedOutcome {
        kind: if status == FieldStatus::ExistingMedical {
            OutcomeKind::Commercialisation
        } else {
            OutcomeKind::NewEntry
        },
        fiscal_year: FiscalYear::of_date(on),
        occurred_on: on,
        jobs: jobs.unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use DealStage::*;
    use time::macros::date;

    #[test]
    fn every_deal_move_is_decided_by_the_rule() {
        let all = DealStage::ALL;
        for &from in all {
            for &to in all {
                let plain = check_move(from, to, None);
                let noted = check_move(from, to, Some("理由"));
                let (rf, rt) = (from.rank(), to.rank());
                if from == to {
                    assert_eq!(plain, Err(MoveRefused::SameStage));
                    assert_eq!(noted, Err(MoveRefused::SameStage));
                } else if from == Operating && to == Lost {
                    assert_eq!(noted, Err(MoveRefused::FinishedCannotClose));
                } else if matches!((rf, rt), (Some(a), Some(b)) if b > a) {
                    assert_eq!(plain, Ok(()), "{from:?} → {to:?} goes forward");
                } else {
                    assert_eq!(
                        plain,
                        Err(MoveRefused::NoteRequired),
                        "{from:?} → {to:?} needs a reason"
                    );
                    assert_eq!(noted, Ok(()), "{from:?} → {to:?} with a reason");
                }
            }
        }
        assert_eq!(
            check_move(Candidate, Decided, None),
            Ok(()),
            "steps may be skipped"
        );
        assert_eq!(
            check_move(Lost, Contacted, Some("  ")),
            Err(MoveRefused::NoteRequired)
        );
    }

    #[test]
    fn every_entry_move_is_decided_by_the_rule() {
        use EntryStage as E;
        assert_eq!(check_move(E::Interest, E::Learning, None), Ok(()));
        assert_eq!(
            check_move(E::Prototype, E::Matched, None),
            Err(MoveRefused::NoteRequired)
        );
        assert_eq!(
            check_move(E::Matched, E::Stopped, None),
            Err(MoveRefused::NoteRequired)
        );
        assert_eq!(check_move(E::Matched, E::Stopped, Some("資金難")), Ok(()));
        assert_eq!(
            check_move(E::Commercialised, E::Stopped, Some("x")),
            Err(MoveRefused::FinishedCannotClose)
        );
        assert_eq!(check_move(E::Stopped, E::Interest, Some("再開")), Ok(()));
        for &s in E::ALL {
            assert_eq!(check_move(s, s, Some("x")), Err(MoveRefused::SameStage));
        }
    }

    #[test]
    fn deals_count_from_their_counting_stage() {
        let on = date!(2024 - 06 - 01);
        assert_eq!(
            deal_outcome(
                DealKind::Attraction,
                Negotiating,
                Decided,
                Some(on),
                Some(120),
                None
            ),
            None
        );
        assert_eq!(
            deal_outcome(
                DealKind::Attraction,
                Lost,
                Decided,
                Some(on),
                Some(120),
                None
            ),
            None
        );
        let w = deal_outcome(
            DealKind::Attraction,
            Operating,
            Decided,
            Some(on),
            Some(120),
            Some(110),
        )
        .unwrap();
        assert_eq!(
            (w.kind, w.fiscal_year, w.jobs),
            (OutcomeKind::NewSite, FiscalYear(2024), 110)
        );
        let w = deal_outcome(
            DealKind::Expansion,
            Decided,
            Decided,
            Some(date!(2025 - 02 - 01)),
            Some(30),
            None,
        )
        .unwrap();
        assert_eq!(
            (w.kind, w.fiscal_year, w.jobs),
            (OutcomeKind::Expansion, FiscalYear(2024), 30),
            "planned jobs until actual ones are known"
        );
        assert_eq!(
            deal_outcome(
                DealKind::Attraction,
                Decided,
                Operating,
                Some(on),
                Some(1),
                None
            ),
            None,
            "a programme may count from 操業開始"
        );
    }

    #[test]
    fn entry_cases_count_as_new_entry_or_commercialisation() {
        let on = date!(2023 - 10 - 02);
        let w = entry_outcome(
            EntryStage::Commercialised,
            Some(on),
            FieldStatus::Entrant,
            Some(3),
        )
        .unwrap();
        assert_eq!(
            (w.kind, w.fiscal_year),
            (OutcomeKind::NewEntry, FiscalYear(2023))
        );
        let w = entry_outcome(
            EntryStage::Commercialised,
            Some(on),
            FieldStatus::ExistingMedical,
            None,
        )
        .unwrap();
        assert_eq!(w.kind, OutcomeKind::Commercialisation);
        assert_eq!(
            entry_outcome(EntryStage::Licensed, Some(on), FieldStatus::None, None),
            None
        );
    }

    #[test]
    fn a_case_counts_from_the_day_it_reached_its_counting_stage() {
        let (first, later) = (date!(2024 - 06 - 01), date!(2025 - 04 - 10));
        assert_eq!(
            counted_on(Negotiating, Decided, Decided, first, None),
            Some(first)
        );
        assert_eq!(
            counted_on(Decided, Operating, Decided, later, Some(first)),
            Some(first),
            "moving on keeps the day it first counted"
        );
        assert_eq!(
            counted_on(Decided, Negotiating, Decided, later, Some(first)),
            None
        );
        assert_eq!(counted_on(Decided, Lost, Decided, later, Some(first)), None);
        assert_eq!(counted_on(Candidate, Visited, Decided, later, None), None);
        assert_eq!(DealStage::first(), Candidate);
        assert_eq!(
            EntryStage::all().collect::<Vec<_>>(),
            EntryStage::ALL,
            "every stage, the closed one last"
        );
        assert_eq!(DealStage::all().collect::<Vec<_>>(), DealStage::ALL);
    }

    #[test]
    fn the_ledger_follows_the_case_but_never_silently_changes_a_verified_outcome() {
        let w = WantedOutcome {
            kind: OutcomeKind::NewSite,
            fiscal_year: FiscalYear(2024),
            occurred_on: date!(2024 - 06 - 01),
            jobs: 110,
        };
        let linked = |status, jobs| LinkedOutcome {
            status,
            kind: OutcomeKind::NewSite,
            fiscal_year: FiscalYear(2024),
            jobs,
        };
        use OutcomeStatus::*;
        assert_eq!(sync(Some(&w), None), Sync::Create(w.clone()));
        assert_eq!(sync(Some(&w), Some(&linked(Pending, 110))), Sync::Nothing);
        assert_eq!(
            sync(Some(&w), Some(&linked(Pending, 120))),
            Sync::Update(w.clone())
        );
        assert_eq!(sync(Some(&w), Some(&linked(Verified, 110))), Sync::Nothing);
        assert_eq!(sync(Some(&w), Some(&linked(Verified, 120))), Sync::Differs);
        assert_eq!(
            sync(Some(&w), Some(&linked(Rejected, 110))),
            Sync::Create(w.clone())
        );
        assert_eq!(sync(None, Some(&linked(Pending, 110))), Sync::Withdraw);
        assert_eq!(sync(None, Some(&linked(Verified, 110))), Sync::Differs);
        assert_eq!(sync(None, Some(&linked(Rejected, 110))), Sync::Nothing);
        assert_eq!(sync(None, None), Sync::Nothing);
    }

    fn moves_of<S: Stages>(all: &[S]) -> Vec<(S, S)> {
        all.iter()
            .flat_map(|a| all.iter().map(move |b| (*a, *b)))
            .collect()
    }

    /// The rule of every pipeline, as its documentation states it.
    fn rule<S: Stages>(from: S, to: S, note: Option<&str>) -> Result<(), MoveRefused> {
        let last = *S::ORDER.last().unwrap();
        let has_note = note.is_some_and(|n| !n.trim().is_empty());
        if from == to {
            Err(MoveRefused::SameStage)
        } else if from == last && to == S::CLOSED {
            Err(MoveRefused::FinishedCannotClose)
        } else if matches!((from.rank(), to.rank()), (Some(a), Some(b)) if b > a) || has_note {
            Ok(())
        } else {
            Err(MoveRefused::NoteRequired)
        }
    }

    proptest::proptest! {
        /// For any pair of stages and any note: forward is free, the same stage is refused,
        /// everything else needs a note, and a case at its last stage is never closed.
        #[test]
        fn every_move_follows_the_rule(i in 0usize..64, j in 0usize..49, note in proptest::option::of("\\PC{0,8}")) {
            let deals = moves_of(DealStage::ALL);
            let (a, b) = deals[i % deals.len()];
            proptest::prop_assert_eq!(check_move(a, b, note.as_deref()), rule(a, b, note.as_deref()));
            let cases = moves_of(EntryStage::ALL);
            let (a, b) = cases[j % cases.len()];
            proptest::prop_assert_eq!(check_move(a, b, note.as_deref()), rule(a, b, note.as_deref()));
        }

        /// A counting stage is reached exactly by the stages at or after it, never by the closed state.
        #[test]
        fn reaching_is_rank_order(i in 0usize..8, j in 0usize..7) {
            let s = DealStage::ALL[i % DealStage::ALL.len()];
            let c = DealStage::ORDER[j % DealStage::ORDER.len()];
            let expected = s != DealStage::CLOSED && s.rank() >= c.rank();
            proptest::prop_assert_eq!(has_reached(s, c), expected);
        }
    }
}
