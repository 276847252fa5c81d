//! The attraction/expansion pipeline (deals) and the entry pipeline (entry cases): their stage
//! machines, and how a case that reaches its counting stage keeps its KPI outcome in step.

use crate::fiscal::FiscalYear;
use crate::ledger::{OutcomeKind, OutcomeStatus};
use crate::organisation::FieldStatus;
use time::Date;

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
pub trait Stages: Copy + Eq + 'static {
    const ORDER: &'static [Self];
    const CLOSED: Self;
    fn code(self) -> &'static str;
    fn rank(self) -> Option<usize> {
        Self::ORDER.iter().position(|s| *s == self)
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
}

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

use crate::dates::move_date;
use crate::validation::{Invalid, Problem, optional_text};

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

    fn moves_of<S: Stages + std::fmt::Debug>(all: &[S]) -> Vec<(S, S)> {
        all.iter()
            .flat_map(|a| all.iter().map(move |b| (*a, *b)))
            .collect()
    }

    proptest::proptest! {
        /// The one rule of every pipeline, for any pair of stages and any note: forward is free,
        /// the same stage is refused, everything else needs a note, and a case at its last stage
        /// is never closed.
        #[test]
        fn every_move_follows_the_rule(i in 0usize..64, j in 0usize..49, note in proptest::option::of("\\PC{0,8}")) {
            fn rule<S: Stages + std::fmt::Debug>(from: S, to: S, note: Option<&str>) -> Result<(), MoveRefused> {
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
