//! Projects to market (seed 5(2)④: 地域発医療福祉関連事業のプロジェクト形成・事業化): a consortium
//! of organisations with roles, stages from 構想 to 上市, and the regulatory pathway under 薬機法
//! that the device's class (and whether a certification standard exists for its general name)
//! decides — the route to market and the licences the consortium needs.
//!
//! The pathway rules are pure functions of the class, the standard and the members' licences,
//! tested case by case against the contract's table.

use crate::organisation::Licence;
use crate::validation::{Invalid, Problem, optional_text, required_text};

crate::code_list! {
    /// Where a project stands. 中止 (stopped) ends it; moving back or stopping needs a reason.
    ProjectStage {
        Concept = "concept",
        Prototype = "prototype",
        Evaluation = "evaluation",
        Submission = "submission",
        Launched = "launched",
        Stopped = "stopped",
    }
}

impl ProjectStage {
    /// The stages in order (中止 aside).
    pub const ORDER: &'static [ProjectStage] = &[
        ProjectStage::Concept,
        ProjectStage::Prototype,
        ProjectStage::Evaluation,
        ProjectStage::Submission,
        ProjectStage::Launched,
    ];

    fn rank(self) -> Option<usize> {
        Self::ORDER.iter().position(|s| *s == self)
    }
}

/// Whether a move from `from` to `to` needs a reason: going back, stopping, or reopening a
/// stopped project. Moving to the stage it is at is no move.
pub fn move_needs_reason(from: ProjectStage, to: ProjectStage) -> Option<bool> {
    if from == to {
        return None;
    }
    Some(match (from.rank(), to.rank()) {
        (Some(f), Some(t)) => t < f,
        // Stopping, or reopening a stopped project.
        _ => true,
    })
}

crate::code_list! {
    /// The device's class under 薬機法 (クラス分類): I general, II controlled, III and IV
    /// specially controlled.
    DeviceClass {
        I = "I",
        II = "II",
        III = "III",
        IV = "IV",
    }
}

crate::code_list! {
    /// The route to market.
    Route {
        /// 届出: a notification to PMDA (class I).
        Notification = "notification",
        /// 認証: third-party certification by a registered certification body, where a
        /// certification standard (認証基準) exists for the general name (class II, III).
        Certification = "certification",
        /// 承認: approval by the minister after PMDA's review.
        Approval = "approval",
    }
}

crate::code_list! {
    /// A member organisation's role in the consortium.
    MemberRole {
        /// 製造販売業者: the marketing authorisation holder.
        Mah = "mah",
        /// 製造業者: a manufacturing site.
        Manufacturer = "manufacturer",
        /// 医療機関: the clinical partner.
        Clinical = "clinical",
        /// 大学・研究機関.
        University = "university",
        /// 支援機関: the foundation, the technical centre, the city.
        Supporter = "supporter",
    }
}

/// The role an organisation takes in a consortium opened from a match proposal, from its kind:
/// a hospital is the clinical partner, a university the research partner, a firm the
/// manufacturer (until the consortium is settled), anyone else a supporting body.
pub fn role_for_kind(kind: crate::organisation::OrganisationKind) -> MemberRole {
    use crate::organisation::OrganisationKind as K;
    match kind {
        K::Hospital => MemberRole::Clinical,
        K::University => MemberRole::University,
        K::Company => MemberRole::Manufacturer,
        _ => MemberRole::Supporter,
    }
}

/// The route a device takes to market (the contract's table).
pub fn route(class: DeviceClass, certification_standard: bool) -> Route {
    match class {
        DeviceClass::I => Route::Notification,
        DeviceClass::II | DeviceClass::III if certification_standard => Route::Certification,
        DeviceClass::II | DeviceClass::III | DeviceClass::IV => Route::Approval,
    }
}

/// The 製造販売業 licence the MAH needs for a class: class I the third kind or higher, class II
/// the second or higher, classes III and IV the first.
pub fn marketing_licence(class: DeviceClass) -> Licence {
    match class {
        DeviceClass::I => Licence::MarketingClass3,
        DeviceClass::II => Licence::MarketingClass2,
        DeviceClass::III | DeviceClass::IV => Licence::MarketingClass1,
    }
}

/// How high a 製造販売業 licence reaches (first kind 3 > second 2 > third 1; others 0).
fn marketing_rank(l: Licence) -> u8 {
    match l {
        Licence::MarketingClass1 => 3,
        Licence::MarketingClass2 => 2,
        Licence::MarketingClass3 => 1,
        _ => 0,
    }
}

/// Whether licences held satisfy a licence needed (a higher 製造販売業 covers a lower one).
pub fn satisfies(held: &[Licence], needed: Licence) -> bool {
    match marketing_rank(needed) {
        0 => held.contains(&needed),
        r => held.iter().any(|h| marketing_rank(*h) >= r),
    }
}

/// One member of the consortium as the pathway reads it.
#[derive(Debug, Clone)]
pub struct PathwayMember {
    pub organisation_id: String,
    pub role: MemberRole,
    pub licences: Vec<Licence>,
}

/// A licence the consortium needs, who must hold it and whether they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceNeed {
    pub organisation_id: String,
    pub role: MemberRole,
    pub licence: Licence,
    pub held: bool,
}

/// What is missing on the way to market, beyond a licence: a role the consortium lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// No member is the marketing authorisation holder.
    NoMah,
    /// No member manufactures.
    NoManufacturer,
    /// No device class is set, so no route can be told.
    NoClass,
}

/// The pathway of a project: the route, the licences each member needs, whether the QMS
/// ordinance (MHLW ordinance 169) applies, and the gaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pathway {
    pub route: Option<Route>,
    pub licences: Vec<LicenceNeed>,
    /// Class II and above: the MAH and its manufacturing sites follow QMS (省令第169号).
    pub qms: bool,
    pub gaps: Vec<Gap>,
}

pub fn pathway(
    class: Option<DeviceClass>,
    certification_standard: bool,
    members: &[PathwayMember],
) -> Pathway {
    let mut licences = Vec::new();
    let mut gaps = Vec::new();
    let Some(class) = class else {
        return Pathway {
            route: None,
            licences,
            qms: false,
            gaps: vec![Gap::NoClass],
        };
    };
    let needed = marketing_licence(class);
    let mut has_mah = false;
    let mut has_maker = false;
    for m in members {
        let need = match m.role {
            MemberRole::Mah => {
                has_mah = true;
                needed
            }
            MemberRole::Manufacturer => {
                has_maker = true;
                Licence::Manufacturing
            }
            _ => continue,
        };
        licences.push(LicenceNeed {
            organisation_id: m.organisation_id.clone(),
            role: m.role,
            licence: need,
            held: satisfies(&m.licences, need),
        });
    }
    if !has_mah {
        gaps.push(Gap::NoMah);
    }
    if !has_maker {
        gaps.push(Gap::NoManufacturer);
    }
    Pathway {
        route: Some(route(class, certification_standard)),
        licences,
        qms: class != DeviceClass::I,
        gaps,
    }
}

/// A project's own fields as an interface read them.
#[derive(Debug, Clone, Default)]
pub struct ProjectInput {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub device: Option<String>,
    pub device_class: Option<String>,
    pub general_name: Option<String>,
    pub certification_standard: Option<bool>,
    pub lead_organisation_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectData {
    pub title: String,
    pub summary: Option<String>,
    /// The intended device and its use.
    pub device: Option<String>,
    pub device_class: Option<DeviceClass>,
    /// 一般的名称.
    pub general_name: Option<String>,
    pub certification_standard: bool,
    pub lead_organisation_id: Option<String>,
}

impl ProjectData {
    pub fn parse(input: &ProjectInput) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let title = errs.take("title", required_text(input.title.as_deref(), 200));
        let summary = errs
            .take("summary", optional_text(input.summary.as_deref(), 8000))
            .flatten();
        let device = errs
            .take("device", optional_text(input.device.as_deref(), 2000))
            .flatten();
        let device_class = errs
            .take(
                "device_class",
                match input.device_class.as_deref().map(str::trim) {
                    None | Some("") => Ok(None),
                    Some(c) => DeviceClass::parse(&c.to_ascii_uppercase()).map(Some),
                },
            )
            .flatten();
        let general_name = errs
            .take(
                "general_name",
                optional_text(input.general_name.as_deref(), 200),
            )
            .flatten();
        let lead = errs
            .take(
                "lead_organisation_id",
                optional_text(input.lead_organisation_id.as_deref(), 100),
            )
            .flatten();
        if !errs.is_empty() {
            return Err(errs.scoped("project"));
        }
        Ok(Self {
            title: title.expect("checked"),
            summary,
            device,
            device_class,
            general_name,
            certification_standard: input.certification_standard.unwrap_or(false),
            lead_organisation_id: lead,
        })
    }

    pub fn to_input(&self) -> ProjectInput {
        ProjectInput {
            title: Some(self.title.clone()),
            summary: self.summary.clone(),
            device: self.device.clone(),
            device_class: self.device_class.map(|c| c.code().into()),
            general_name: self.general_name.clone(),
            certification_standard: Some(self.certification_standard),
            lead_organisation_id: self.lead_organisation_id.clone(),
        }
    }
}

/// A clearance to market as recorded: its route, number and date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearanceData {
    pub route: Route,
    pub number: String,
    pub date: time::Date,
}

impl ClearanceData {
    pub fn parse(
        route: Option<&str>,
        number: Option<&str>,
        date: Option<&str>,
        today: time::Date,
    ) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let route = errs.take(
            "route",
            match route.map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(r) => Route::parse(r),
            },
        );
        let number = errs.take("number", required_text(number, 100));
        let date = errs.take(
            "date",
            match date.map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(d) => crate::dates::parse_date(d).and_then(|d| {
                    if d > today {
                        Err(Problem::FutureDate)
                    } else {
                        Ok(d)
                    }
                }),
            },
        );
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(Self {
            route: route.expect("checked"),
            number: number.expect("checked"),
            date: date.expect("checked"),
        })
    }
}

crate::code_list! {
    /// The decision of a gate review: go, go on conditions (named in the note), or stop.
    GateDecision {
        Go = "go",
        Conditional = "conditional",
        Stop = "stop",
    }
}

/// The gates a review can be held at: the entry to each stage after 構想.
pub const GATES: &[ProjectStage] = &[
    ProjectStage::Prototype,
    ProjectStage::Evaluation,
    ProjectStage::Submission,
    ProjectStage::Launched,
];

/// The criteria a gate is reviewed against when the programme file names none: what a
/// device project must show before it spends on the next stage (design control in the spirit
/// of ISO 13485 §7.3 and the risk management of ISO 14971, in the words staff use).
pub fn default_gate_criteria(gate: ProjectStage) -> &'static [&'static str] {
    match gate {
        ProjectStage::Prototype => &[
            "臨床ニーズと想定使用者の確認",
            "市場性・競合と知財（先行技術）の調査",
            "製造販売業者・製造所の体制の見通し",
        ],
        ProjectStage::Evaluation => &[
            "試作品が設計仕様を満たす",
            "リスクマネジメント（ISO 14971）の実施",
            "非臨床・臨床評価の計画",
        ],
        ProjectStage::Submission => &[
            "非臨床評価（安全性・性能）の完了",
            "臨床評価の完了、または不要とする根拠",
            "QMS体制（省令第169号）の整備",
            "申請資料の準備",
        ],
        ProjectStage::Launched => &[
            "届出・認証・承認の取得",
            "製造販売後の体制（GVP・QMS）",
            "販売・保守の体制",
        ],
        ProjectStage::Concept | ProjectStage::Stopped => &[],
    }
}

/// One criterion of a review as judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionResult {
    pub name: String,
    pub met: bool,
    pub note: Option<String>,
}

/// A gate review as an interface read it.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub gate: Option<String>,
    /// (name, met, note) for each criterion judged.
    pub criteria: Vec<(String, bool, Option<String>)>,
    pub decision: Option<String>,
    pub date: Option<String>,
    pub note: Option<String>,
}

/// A gate review: at which gate, each named criterion met or not, the decision and its day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewData {
    pub gate: ProjectStage,
    pub criteria: Vec<CriterionResult>,
    pub decision: GateDecision,
    pub decided_on: time::Date,
    pub note: Option<String>,
}

impl ReviewData {
    /// Checks a review: a gate after 構想, named criteria (each once), a decision and a day not
    /// in the future. A plain "go" needs every criterion met (otherwise it is a conditional go,
    /// whose conditions the note names); a conditional go or a stop needs that note.
    pub fn parse(input: &ReviewInput, today: time::Date) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let gate = errs.take(
            "gate",
            match input.gate.as_deref().map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(g) => ProjectStage::parse(g).and_then(|g| {
                    if GATES.contains(&g) {
                        Ok(g)
                    } else {
                        Err(Problem::UnknownValue {
                            value: g.code().into(),
                        })
                    }
                }),
            },
        );
        let decision = errs.take(
            "decision",
            match input.decision.as_deref().map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(d) => GateDecision::parse(d),
            },
        );
        let decided_on = errs.take(
            "date",
            crate::dates::move_date(input.date.as_deref(), today),
        );
        let note = errs
            .take("note", optional_text(input.note.as_deref(), 4000))
            .flatten();
        let mut criteria: Vec<CriterionResult> = Vec::new();
        if input.criteria.len() > 20 {
            errs.push("criteria", Problem::OutOfRange { min: 0, max: 20 });
        }
        for (i, (name, met, c_note)) in input.criteria.iter().take(20).enumerate() {
            let field = format!("criteria[{i}]");
            let Some(name) = errs.take(&field, required_text(Some(name), 200)) else {
                continue;
            };
            if criteria.iter().any(|c| c.name == name) {
                errs.push(&field, Problem::Taken);
                continue;
            }
            let c_note = errs
                .take(
                    &format!("{field}.note"),
                    optional_text(c_note.as_deref(), 1000),
                )
                .flatten();
            criteria.push(CriterionResult {
                name,
                met: *met,
                note: c_note,
            });
        }
        if let Some(d) = decision {
            if d == GateDecision::Go && criteria.iter().any(|c| !c.met) {
                errs.push("decision", Problem::UnmetCriteria);
            }
            if d != GateDecision::Go && note.is_none() {
                errs.push("note", Problem::Required);
            }
        }
        if !errs.is_empty() {
            return Err(errs.scoped("review"));
        }
        Ok(Self {
            gate: gate.expect("checked"),
            criteria,
            decision: decision.expect("checked"),
            decided_on: decided_on.expect("checked"),
            note,
        })
    }

    /// Where the decision takes the project at `stage`: a go (plain or conditional) at a gate
    /// ahead moves it there, a stop stops it; a go at a gate already passed records the review
    /// and moves nothing.
    pub fn moves_to(&self, stage: ProjectStage) -> Option<ProjectStage> {
        match self.decision {
            GateDecision::Stop => (stage != ProjectStage::Stopped).then_some(ProjectStage::Stopped),
            GateDecision::Go | GateDecision::Conditional => {
                match (stage.rank(), self.gate.rank()) {
                    (Some(now), Some(gate)) if gate > now => Some(self.gate),
                    _ => None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, role: MemberRole, licences: &[Licence]) -> PathwayMember {
        PathwayMember {
            organisation_id: id.into(),
            role,
            licences: licences.to_vec(),
        }
    }

    /// The contract's table, row by row.
    #[test]
    fn the_route_follows_the_class_and_the_standard() {
        use DeviceClass::*;
        for (class, standard, want) in [
            (I, false, Route::Notification),
            (I, true, Route::Notification),
            (II, true, Route::Certification),
            (II, false, Route::Approval),
            (III, true, Route::Certification),
            (III, false, Route::Approval),
            (IV, true, Route::Approval),
            (IV, false, Route::Approval),
        ] {
            assert_eq!(route(class, standard), want, "{class:?} {standard}");
        }
        assert_eq!(marketing_licence(I), Licence::MarketingClass3);
        assert_eq!(marketing_licence(II), Licence::MarketingClass2);
        assert_eq!(marketing_licence(III), Licence::MarketingClass1);
        assert_eq!(marketing_licence(IV), Licence::MarketingClass1);
    }

    #[test]
    fn a_higher_marketing_licence_covers_a_lower_one() {
        use Licence::*;
        assert!(satisfies(&[MarketingClass1], MarketingClass3));
        assert!(satisfies(&[MarketingClass2], MarketingClass2));
        assert!(!satisfies(&[MarketingClass2], MarketingClass1));
        assert!(!satisfies(&[MarketingClass3], MarketingClass2));
        assert!(!satisfies(&[Manufacturing], MarketingClass3));
        assert!(satisfies(&[Manufacturing], Manufacturing));
        assert!(!satisfies(&[MarketingClass1], Manufacturing));
    }

    #[test]
    fn the_pathway_names_each_licence_held_or_missing() {
        use Licence::*;
        let members = [
            member("mah", MemberRole::Mah, &[MarketingClass2]),
            member("maker-a", MemberRole::Manufacturer, &[Manufacturing]),
            member("maker-b", MemberRole::Manufacturer, &[]),
            member("hospital", MemberRole::Clinical, &[]),
        ];
        let p = pathway(Some(DeviceClass::II), true, &members);
        assert_eq!(p.route, Some(Route::Certification));
        assert!(p.qms);
        assert!(p.gaps.is_empty());
        let held: Vec<(&str, Licence, bool)> = p
            .licences
            .iter()
            .map(|l| (l.organisation_id.as_str(), l.licence, l.held))
            .collect();
        assert_eq!(
            held,
            [
                ("mah", MarketingClass2, true),
                ("maker-a", Manufacturing, true),
                ("maker-b", Manufacturing, false)
            ]
        );
        // Class III asks the first kind of the same MAH.
        let p = pathway(Some(DeviceClass::III), false, &members);
        assert_eq!(p.route, Some(Route::Approval));
        assert!(!p.licences[0].held);
        // Class I: no QMS; a consortium without MAH or maker is told so.
        let p = pathway(Some(DeviceClass::I), false, &members[3..]);
        assert!(!p.qms);
        assert_eq!(p.gaps, [Gap::NoMah, Gap::NoManufacturer]);
        assert_eq!(pathway(None, false, &members).gaps, [Gap::NoClass]);
    }

    #[test]
    fn a_consortium_from_a_proposal_takes_roles_from_the_kinds() {
        use crate::organisation::OrganisationKind as K;
        assert_eq!(role_for_kind(K::Hospital), MemberRole::Clinical);
        assert_eq!(role_for_kind(K::University), MemberRole::University);
        assert_eq!(role_for_kind(K::Company), MemberRole::Manufacturer);
        assert_eq!(role_for_kind(K::Foundation), MemberRole::Supporter);
    }

    #[test]
    fn moving_back_or_stopping_needs_a_reason() {
        use ProjectStage::*;
        assert_eq!(move_needs_reason(Concept, Prototype), Some(false));
        assert_eq!(move_needs_reason(Concept, Launched), Some(false));
        assert_eq!(move_needs_reason(Evaluation, Prototype), Some(true));
        assert_eq!(move_needs_reason(Prototype, Stopped), Some(true));
        assert_eq!(move_needs_reason(Stopped, Concept), Some(true));
        assert_eq!(move_needs_reason(Concept, Concept), None);
    }

    fn review(
        gate: &str,
        decision: &str,
        met: &[bool],
        note: Option<&str>,
    ) -> Result<ReviewData, Invalid> {
        let today = time::macros::date!(2026 - 12 - 02);
        ReviewData::parse(
            &ReviewInput {
                gate: Some(gate.into()),
                criteria: met
                    .iter()
                    .enumerate()
                    .map(|(i, m)| (format!("基準{i}"), *m, None))
                    .collect(),
                decision: Some(decision.into()),
                date: Some("2026-11-30".into()),
                note: note.map(Into::into),
            },
            today,
        )
    }

    fn fields(e: Invalid) -> Vec<String> {
        e.0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_plain_go_needs_every_criterion_met_and_the_others_a_note() {
        let ok = review("prototype", "go", &[true, true], None).expect("go");
        assert_eq!(
            ok.moves_to(ProjectStage::Concept),
            Some(ProjectStage::Prototype)
        );
        // An unmet criterion: go is refused; conditional needs its conditions in the note.
        assert_eq!(
            fields(review("prototype", "go", &[true, false], None).unwrap_err()),
            ["decision"]
        );
        assert_eq!(
            fields(review("prototype", "conditional", &[false], None).unwrap_err()),
            ["note"]
        );
        let cond =
            review("prototype", "conditional", &[false], Some("強度試験を追加")).expect("cond");
        assert_eq!(
            cond.moves_to(ProjectStage::Concept),
            Some(ProjectStage::Prototype)
        );
        // A go at a gate already passed moves nothing; a stop stops.
        assert_eq!(cond.moves_to(ProjectStage::Evaluation), None);
        let stop = review("evaluation", "stop", &[false], Some("市場性なし")).expect("stop");
        assert_eq!(
            stop.moves_to(ProjectStage::Prototype),
            Some(ProjectStage::Stopped)
        );
        assert_eq!(stop.moves_to(ProjectStage::Stopped), None);
        // No review at 構想 or 中止; unknown decisions are named.
        assert_eq!(
            fields(review("concept", "go", &[], None).unwrap_err()),
            ["gate"]
        );
        assert_eq!(
            fields(review("stopped", "maybe", &[], None).unwrap_err()),
            ["gate", "decision"]
        );
        assert!(default_gate_criteria(ProjectStage::Submission).len() >= 3);
    }
}
