//! The two pipelines as one abstraction: what is the same (stages that move by one rule, a
//! firm the record is about, organisations that work on it beside the secretariat, a KPI
//! outcome kept in step) is written once over [`Pipeline`]; what differs is said here.

use super::{
    DealData, DealInput, DealStage, EntryCaseData, EntryCaseInput, EntryStage, Stages,
    WantedOutcome, deal_outcome, entry_outcome,
};
use crate::access::{self, Denied, Granted, Principal, RecordFilter, Sight, permission};
use crate::organisation::FieldStatus;
use crate::validation::Invalid;
use std::fmt::Debug;
use time::Date;

/// A pipeline: its stages, its records' data, who may see and change them, and what a record
/// that reaches its counting stage counts as in the KPI ledger.
pub trait Pipeline: Copy + Debug + Send + Sync + 'static {
    type Stage: Stages;
    /// The record's fields as an interface read them.
    type Input: Clone + Debug + Default + Send + Sync;
    /// The record's fields, valid.
    type Data: Clone + Debug + PartialEq + Send + Sync;
    /// The permission that creates and changes records.
    type Permission: 'static;

    /// How stage histories, activities, next actions and the audit log name a record.
    const SUBJECT: &'static str;
    /// The field listing the organisations that see (or work on) a record beside the
    /// secretariat: a deal is shared with them, an entry case supported by them.
    const MEMBERS: &'static str;
    /// The kinds a record comes in (a deal: attraction or expansion); none when just one.
    const KINDS: &'static [&'static str];

    fn parse(input: &Self::Input) -> Result<Self::Data, Invalid>;
    fn to_input(data: &Self::Data) -> Self::Input;
    /// The firm the record is about.
    fn organisation_id(data: &Self::Data) -> &str;
    fn members(data: &Self::Data) -> &[String];
    /// The name the record goes by (a deal's code name, a case's title), if it has one.
    fn name(data: &Self::Data) -> Option<&str>;
    /// The next step its owner has set on the record, and the day it is due.
    fn next_action(data: &Self::Data) -> (Option<&str>, Option<Date>);

    /// The outcome a record at `stage` should have in the ledger, given the programme's
    /// counting stage, the day it was reached and the firm's standing in the medical field.
    fn wanted(
        data: &Self::Data,
        stage: Self::Stage,
        counting: Self::Stage,
        counted_on: Option<Date>,
        firm: FieldStatus,
    ) -> Option<WantedOutcome>;
    /// The evidence an outcome recorded by the pipeline carries (`label`: the record's name).
    fn evidence(label: &str, counting: Self::Stage) -> String;

    /// Opening records in a programme (and importing them).
    fn open(p: &Principal, programme_id: &str) -> Result<Granted<Self::Permission>, Denied>;
    /// Changing, moving and logging work on one record.
    fn work(
        p: &Principal,
        programme_id: &str,
        data: &Self::Data,
    ) -> Result<Granted<Self::Permission>, Denied>;
    /// Whether the reader may see one record.
    fn visible(sight: &Sight, programme_id: &str, data: &Self::Data) -> bool;
    /// Which records of a programme a list may contain.
    fn listed(sight: &Sight, programme_id: &str) -> RecordFilter;
}

/// Attraction and expansion deals (企業誘致・事業拡張): confidential, managed by the secretariat.
#[derive(Debug, Clone, Copy)]
pub enum Deals {}

/// Entry cases (新規参入支援): a local firm entering the medical field, with its supporters.
#[derive(Debug, Clone, Copy)]
pub enum EntryCases {}

impl Pipeline for Deals {
    type Stage = DealStage;
    type Input = DealInput;
    type Data = DealData;
    type Permission = permission::ManageDeals;
    const SUBJECT: &'static str = "deal";
    const MEMBERS: &'static str = "shared_with";
    const KINDS: &'static [&'static str] = &["attraction", "expansion"];

    fn parse(input: &DealInput) -> Result<DealData, Invalid> {
        DealData::parse(input)
    }
    fn to_input(data: &DealData) -> DealInput {
        data.to_input()
    }
    fn organisation_id(data: &DealData) -> &str {
        &data.organisation_id
    }
    fn members(data: &DealData) -> &[String] {
        &data.shared_with
    }
    fn name(data: &DealData) -> Option<&str> {
        data.code_name.as_deref()
    }
    fn next_action(data: &DealData) -> (Option<&str>, Option<Date>) {
        (data.next_action.as_deref(), data.next_action_due)
    }
    fn wanted(
        data: &DealData,
        stage: DealStage,
        counting: DealStage,
        counted_on: Option<Date>,
        _firm: FieldStatus,
    ) -> Option<WantedOutcome> {
        deal_outcome(
            data.kind,
            stage,
            counting,
            counted_on,
            data.planned_jobs,
            data.actual_jobs,
        )
    }
    /// The evidence names no deal: a deal's code name is confidential (the secretariat and
    /// the organisations it is shared with), while the outcome it yields is read by the firm
    /// and counted in figures many see.
    fn evidence(_label: &str, counting: DealStage) -> String {
        let stage = match counting {
            DealStage::Decided => "立地決定",
            DealStage::Operating => "操業開始",
            other => other.code(),
        };
        format!("誘致・拡張案件が{stage}に到達")
    }
    fn open(p: &Principal, programme_id: &str) -> Result<Granted<Self::Permission>, Denied> {
        access::manage_deals(p, programme_id)
    }
    fn work(
        p: &Principal,
        programme_id: &str,
        _data: &DealData,
    ) -> Result<Granted<Self::Permission>, Denied> {
        access::manage_deals(p, programme_id)
    }
    fn visible(sight: &Sight, programme_id: &str, data: &DealData) -> bool {
        sight.deal(programme_id, &data.shared_with)
    }
    fn listed(sight: &Sight, programme_id: &str) -> RecordFilter {
        sight.deals_in(programme_id)
    }
}

impl Pipeline for EntryCases {
    type Stage = EntryStage;
    type Input = EntryCaseInput;
    type Data = EntryCaseData;
    type Permission = permission::WorkOnEntryCase;
    const SUBJECT: &'static str = "entry_case";
    const MEMBERS: &'static str = "supporters";
    const KINDS: &'static [&'static str] = &[];

    fn parse(input: &EntryCaseInput) -> Result<EntryCaseData, Invalid> {
        EntryCaseData::parse(input)
    }
    fn to_input(data: &EntryCaseData) -> EntryCaseInput {
        data.to_input()
    }
    fn organisation_id(data: &EntryCaseData) -> &str {
        &data.organisation_id
    }
    fn members(data: &EntryCaseData) -> &[String] {
        &data.supporters
    }
    fn name(data: &EntryCaseData) -> Option<&str> {
        data.title.as_deref()
    }
    fn next_action(data: &EntryCaseData) -> (Option<&str>, Option<Date>) {
        (data.next_action.as_deref(), data.next_action_due)
    }
    fn wanted(
        data: &EntryCaseData,
        stage: EntryStage,
        _counting: EntryStage,
        counted_on: Option<Date>,
        firm: FieldStatus,
    ) -> Option<WantedOutcome> {
        entry_outcome(stage, counted_on, firm, data.jobs)
    }
    fn evidence(label: &str, _counting: EntryStage) -> String {
        format!("参入支援案件「{label}」が事業化に到達")
    }
    fn open(p: &Principal, programme_id: &str) -> Result<Granted<Self::Permission>, Denied> {
        access::open_entry_case(p, programme_id)
    }
    fn work(
        p: &Principal,
        programme_id: &str,
        data: &EntryCaseData,
    ) -> Result<Granted<Self::Permission>, Denied> {
        access::work_on_entry_case(p, programme_id, &data.supporters)
    }
    fn visible(sight: &Sight, programme_id: &str, data: &EntryCaseData) -> bool {
        sight.entry_case(programme_id, &data.organisation_id, &data.supporters)
    }
    fn listed(sight: &Sight, programme_id: &str) -> RecordFilter {
        sight.entry_cases_in(programme_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{ProgrammeRoles, Role, sight};
    use crate::pipeline::DealKind;

    fn member(org: &str, roles: &[Role]) -> Principal {
        Principal {
            user_id: "u".into(),
            name: "n".into(),
            email: "e@example.jp".into(),
            organisation_id: org.into(),
            organisation_name: org.into(),
            admin: false,
            programmes: vec![ProgrammeRoles {
                programme_id: "p".into(),
                roles: roles.to_vec(),
                secretariat_second_factor: false,
            }],
            must_change_password: false,
            second_factor: false,
        }
    }

    #[test]
    fn a_deals_evidence_names_no_deal() {
        let e = Deals::evidence("Project SAKURA", DealStage::Decided);
        assert!(!e.contains("SAKURA"), "{e}");
        assert_eq!(e, "誘致・拡張案件が立地決定に到達");
    }

    #[test]
    fn the_kinds_of_a_deal_are_its_codes() {
        let codes: Vec<&str> = DealKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(Deals::KINDS, codes);
        assert!(EntryCases::KINDS.is_empty());
    }

    #[test]
    fn each_pipeline_asks_its_own_policy() {
        let city = member("city", &[Role::Secretariat]);
        let uni = member("uni", &[]);
        let firm = member("firm", &[]);
        let deal = DealData::parse(&DealInput {
            kind: Some("attraction".into()),
            organisation_id: Some("firm".into()),
            shared_with: vec!["uni".into()],
            ..Default::default()
        })
        .unwrap();
        let case = EntryCaseData::parse(&EntryCaseInput {
            organisation_id: Some("firm".into()),
            supporters: vec!["uni".into()],
            ..Default::default()
        })
        .unwrap();
        let progs = ["p".to_owned()];
        let seen_by = |p: &Principal| sight(Some(p), &progs);
        assert!(Deals::visible(&seen_by(&uni), "p", &deal), "shared with");
        assert!(!Deals::visible(&seen_by(&firm), "p", &deal), "confidential");
        assert!(EntryCases::visible(&seen_by(&firm), "p", &case), "its firm");
        assert!(Deals::work(&uni, "p", &deal).is_err(), "shared to read");
        assert!(
            EntryCases::work(&uni, "p", &case).is_ok(),
            "a supporter works"
        );
        assert!(EntryCases::open(&uni, "p").is_err());
        assert!(Deals::open(&city, "p").is_ok() && EntryCases::open(&city, "p").is_ok());
        assert_eq!(
            Deals::evidence("Project 磐梯", DealStage::Decided),
            "誘致・拡張案件が立地決定に到達",
            "a confidential deal's name stays out of the ledger"
        );
    }
}
