//! Matching needs with seeds and firms: why a candidate fits (explanations), and the proposal
//! workflow a coordinator starts from a candidate: 提案 → 受諾 → NDA → 面談 → プロジェクト化,
//! or 見送り at any point.

use crate::needs::{Disclosure, NeedStatus};
use crate::validation::{Invalid, Problem, optional_text, required_text};

crate::code_list! {
    ProposalStatus {
        Proposed = "proposed",
        Accepted = "accepted",
        Nda = "nda",
        Meeting = "meeting",
        Project = "project",
        Declined = "declined",
    }
}

crate::code_list! {
    /// What a need is matched with.
    CandidateKind {
        Seed = "seed",
        Organisation = "organisation",
    }
}

/// Why a candidate was ranked for a need. Each reason is something a coordinator can check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Content words the need and the candidate share.
    SharedTerms(Vec<String>),
    /// Capability tags of the firm named in the need's text.
    Capabilities(Vec<String>),
    /// Fields of the seed named in the need's text.
    SeedFields(Vec<String>),
    /// The firm is in the programme's region.
    LocalFirm,
    /// The candidate's organisation already worked with the need's organisation (proposals that
    /// reached a meeting or a project).
    EarlierCollaboration(usize),
}

impl Reason {
    pub fn code(&self) -> &'static str {
        match self {
            Reason::SharedTerms(_) => "shared_terms",
            Reason::Capabilities(_) => "capabilities",
            Reason::SeedFields(_) => "seed_fields",
            Reason::LocalFirm => "local_firm",
            Reason::EarlierCollaboration(_) => "earlier_collaboration",
        }
    }
    /// The reason's detail: the words, or the count.
    pub fn detail(&self) -> String {
        match self {
            Reason::SharedTerms(t) | Reason::Capabilities(t) | Reason::SeedFields(t) => {
                t.join(", ")
            }
            Reason::LocalFirm => String::new(),
            Reason::EarlierCollaboration(n) => n.to_string(),
        }
    }
    /// The API spelling: `code` or `code: detail`.
    pub fn to_api(&self) -> String {
        let d = self.detail();
        if d.is_empty() {
            self.code().to_owned()
        } else {
            format!("{}: {d}", self.code())
        }
    }
    /// Reads the API spelling back (for stored explanations).
    pub fn from_api(s: &str) -> Option<Self> {
        let (code, detail) = s.split_once(": ").unwrap_or((s, ""));
        let words = || detail.split(", ").map(str::to_owned).collect();
        Some(match code {
            "shared_terms" => Reason::SharedTerms(words()),
            "capabilities" => Reason::Capabilities(words()),
            "seed_fields" => Reason::SeedFields(words()),
            "local_firm" => Reason::LocalFirm,
            "earlier_collaboration" => Reason::EarlierCollaboration(detail.parse().ok()?),
            _ => return None,
        })
    }
}

/// What is known about a candidate when explaining it.
pub struct CandidateFacts<'a> {
    /// Content words of the candidate's text, as the search analyser gives them.
    pub terms: &'a [String],
    /// Capability tags (firms) or fields (seeds).
    pub tags: &'a [String],
    pub kind: CandidateKind,
    pub in_region: bool,
    pub collaborations: usize,
}

/// Explains a candidate for a need: shared content words (at most five, in the need's order),
/// tags named in the need's text, a local firm, earlier collaboration.
pub fn explain(need_text: &str, need_terms: &[String], c: &CandidateFacts<'_>) -> Vec<Reason> {
    let mut out = Vec::new();
    let mut shared: Vec<String> = Vec::new();
    for t in need_terms {
        if c.terms.contains(t) && !shared.contains(t) {
            shared.push(t.clone());
        }
    }
    shared.truncate(5);
    if !shared.is_empty() {
        out.push(Reason::SharedTerms(shared));
    }
    let folded = crate::text::search_key(need_text);
    let named: Vec<String> = c
        .tags
        .iter()
        .filter(|t| {
            let k = crate::text::search_key(t);
            !k.is_empty() && folded.contains(&k)
        })
        .cloned()
        .collect();
    if !named.is_empty() {
        out.push(match c.kind {
            CandidateKind::Organisation => Reason::Capabilities(named),
            CandidateKind::Seed => Reason::SeedFields(named),
        });
    }
    if c.in_region && c.kind == CandidateKind::Organisation {
        out.push(Reason::LocalFirm);
    }
    if c.collaborations > 0 {
        out.push(Reason::EarlierCollaboration(c.collaborations));
    }
    out
}

/// A coordinator's proposal, as submitted.
#[derive(Debug, Clone, Default)]
pub struct ProposalInput {
    pub candidate_type: Option<String>,
    pub candidate_id: Option<String>,
    /// What the coordinator tells both sides: why this match, what is asked. The candidate
    /// reads it even before an NDA, so it must not carry the need's confidential details.
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalData {
    pub candidate_kind: CandidateKind,
    pub candidate_id: String,
    pub summary: String,
}

impl ProposalData {
    pub fn parse(input: &ProposalInput) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let kind = errs.take(
            "candidate_type",
            CandidateKind::parse(input.candidate_type.as_deref().unwrap_or_default()),
        );
        let id = errs.take(
            "candidate_id",
            required_text(input.candidate_id.as_deref(), 64),
        );
        let summary = errs.take("summary", required_text(input.summary.as_deref(), 2000));
        if let Some(s) = &summary
            && !crate::needs::screen(&[s]).is_empty()
        {
            errs.push("summary", Problem::PatientInformation);
        }
        if !errs.is_empty() {
            return Err(errs.scoped("proposal"));
        }
        Ok(Self {
            candidate_kind: kind.expect("checked"),
            candidate_id: id.expect("checked"),
            summary: summary.expect("checked"),
        })
    }
}

/// The parts a caller plays in a proposal (one caller may play several).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The programme's secretariat: coordinates every proposal and records NDAs.
    Secretariat,
    /// The organisation that proposed the match (a matching coordinator such as the university).
    Proposer,
    /// The organisation holding the seed, or the firm proposed.
    Candidate,
    /// The organisation that submitted the need.
    NeedOwner,
}

/// Checks a proposal move for a caller playing `sides`.
///
/// The candidate accepts (or a coordinator — secretariat or proposer — records its acceptance);
/// either side or a coordinator may decline, with a reason; the secretariat records the NDA
/// (it alone keeps NDA records); a coordinator records the meeting and the project. A need at
/// the NDA level goes through the NDA before anyone meets. A declined proposal may be reopened
/// by a coordinator, with a note.
pub fn check_proposal_move(
    from: ProposalStatus,
    to: ProposalStatus,
    sides: &[Side],
    disclosure: Disclosure,
    note: Option<&str>,
) -> Result<(), ProposalRefused> {
    use ProposalStatus::*;
    let coordinator = sides.contains(&Side::Secretariat) || sides.contains(&Side::Proposer);
    let has_note = note.is_some_and(|n| !n.trim().is_empty());
    let allowed_move = match (from, to) {
        (Proposed, Accepted) => Some(coordinator || sides.contains(&Side::Candidate)),
        (Proposed | Accepted | Nda | Meeting, Declined) => {
            if !has_note {
                return Err(ProposalRefused::NoteRequired);
            }
            Some(!sides.is_empty())
        }
        (Accepted, Nda) => Some(sides.contains(&Side::Secretariat)),
        (Nda, Meeting) | (Meeting, Project) => Some(coordinator),
        (Accepted, Meeting) if disclosure == Disclosure::Nda => {
            return Err(ProposalRefused::NdaFirst);
        }
        (Accepted, Meeting) => Some(coordinator),
        (Declined, Proposed) => {
            if !has_note {
                return Err(ProposalRefused::NoteRequired);
            }
            Some(coordinator)
        }
        _ => None,
    };
    match allowed_move {
        None => Err(ProposalRefused::NotAStep),
        Some(false) => Err(ProposalRefused::NotYourSide),
        Some(true) => Ok(()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalRefused {
    /// The workflow has no such step (e.g. proposed → project).
    NotAStep,
    /// The step exists but is not the caller's to take.
    NotYourSide,
    /// Declining and reopening need a reason.
    NoteRequired,
    /// An NDA-level need: the NDA comes before a meeting.
    NdaFirst,
}

impl ProposalRefused {
    pub fn problem(self, from: ProposalStatus, to: ProposalStatus) -> Problem {
        match self {
            ProposalRefused::NdaFirst => Problem::NdaFirst,
            other => Problem::StageMove {
                from: from.code().into(),
                to: to.code().into(),
                note_required: other == ProposalRefused::NoteRequired,
            },
        }
    }
}

/// The need's status after a proposal moves (None: unchanged): a published need being matched
/// is `matching`; a proposal that becomes a project takes its need along. A need already past
/// these points (or closed) is left alone.
pub fn need_status_after(need: NeedStatus, proposal: ProposalStatus) -> Option<NeedStatus> {
    match (need, proposal) {
        (
            NeedStatus::Received | NeedStatus::Screening | NeedStatus::Published,
            ProposalStatus::Proposed,
        ) => Some(NeedStatus::Matching),
        (
            NeedStatus::Received
            | NeedStatus::Screening
            | NeedStatus::Published
            | NeedStatus::Matching,
            ProposalStatus::Project,
        ) => Some(NeedStatus::Project),
        _ => None,
    }
}

/// A note on a proposal move, bounded.
pub fn move_note(note: Option<&str>) -> Result<Option<String>, Invalid> {
    let mut errs = Invalid::default();
    let n = errs.take("note", optional_text(note, 2000)).flatten();
    errs.into_result(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProposalStatus::*;
    use Side::*;

    #[test]
    fn the_workflow_and_who_moves_it() {
        let m = |from, to, sides: &[Side], d, note| check_proposal_move(from, to, sides, d, note);
        let members = Disclosure::Members;
        assert_eq!(m(Proposed, Accepted, &[Candidate], members, None), Ok(()));
        assert_eq!(m(Proposed, Accepted, &[Proposer], members, None), Ok(()));
        assert_eq!(
            m(Proposed, Accepted, &[NeedOwner], members, None),
            Err(ProposalRefused::NotYourSide)
        );
        assert_eq!(m(Accepted, Nda, &[Secretariat], members, None), Ok(()));
        for side in [Candidate, Proposer] {
            assert_eq!(
                m(Accepted, Nda, &[side], members, None),
                Err(ProposalRefused::NotYourSide),
                "only the secretariat keeps NDA records"
            );
        }
        assert_eq!(m(Accepted, Meeting, &[Proposer], members, None), Ok(()));
        assert_eq!(
            m(Accepted, Meeting, &[Proposer], Disclosure::Nda, None),
            Err(ProposalRefused::NdaFirst)
        );
        assert_eq!(m(Nda, Meeting, &[Proposer], Disclosure::Nda, None), Ok(()));
        assert_eq!(m(Meeting, Project, &[Proposer], members, None), Ok(()));
        assert_eq!(
            m(Proposed, Project, &[Proposer], members, None),
            Err(ProposalRefused::NotAStep)
        );
        assert_eq!(
            m(Project, Declined, &[Proposer], members, Some("x")),
            Err(ProposalRefused::NotAStep),
            "a project is not declined afterwards"
        );
        for side in [Candidate, NeedOwner, Proposer, Secretariat] {
            assert_eq!(
                m(Meeting, Declined, &[side], members, None),
                Err(ProposalRefused::NoteRequired)
            );
            assert_eq!(
                m(Meeting, Declined, &[side], members, Some("条件が合わない")),
                Ok(())
            );
        }
        assert_eq!(
            m(Meeting, Declined, &[], members, Some("x")),
            Err(ProposalRefused::NotYourSide)
        );
        assert_eq!(
            m(Declined, Proposed, &[Proposer], members, Some("再提案")),
            Ok(())
        );
        assert_eq!(
            m(Declined, Proposed, &[Candidate], members, Some("x")),
            Err(ProposalRefused::NotYourSide)
        );
        assert!(matches!(
            ProposalRefused::NdaFirst.problem(Accepted, Meeting),
            Problem::NdaFirst
        ));
    }

    #[test]
    fn proposals_move_their_need_along() {
        assert_eq!(
            need_status_after(NeedStatus::Published, Proposed),
            Some(NeedStatus::Matching)
        );
        assert_eq!(need_status_after(NeedStatus::Matching, Proposed), None);
        assert_eq!(
            need_status_after(NeedStatus::Matching, Project),
            Some(NeedStatus::Project)
        );
        assert_eq!(need_status_after(NeedStatus::Closed, Project), None);
        assert_eq!(need_status_after(NeedStatus::Matching, Declined), None);
    }

    #[test]
    fn explanations_name_what_can_be_checked() {
        let terms = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let need_terms = terms(&["内視鏡", "洗浄", "時間", "工程"]);
        let r = explain(
            "内視鏡の洗浄に時間がかかる。洗浄 装置が欲しい（ｾﾝｼﾞｮｳ）",
            &need_terms,
            &CandidateFacts {
                terms: &terms(&["洗浄", "装置", "内視鏡"]),
                tags: &terms(&["洗浄装置", "金型"]),
                kind: CandidateKind::Organisation,
                in_region: true,
                collaborations: 2,
            },
        );
        assert_eq!(
            r,
            [
                Reason::SharedTerms(terms(&["内視鏡", "洗浄"])),
                Reason::Capabilities(terms(&["洗浄装置"])),
                Reason::LocalFirm,
                Reason::EarlierCollaboration(2),
            ]
        );
        for reason in &r {
            assert_eq!(Reason::from_api(&reason.to_api()).as_ref(), Some(reason));
        }
        assert_eq!(r[0].to_api(), "shared_terms: 内視鏡, 洗浄");
        let seed = explain(
            "画像処理で血管を見たい",
            &need_terms,
            &CandidateFacts {
                terms: &[],
                tags: &terms(&["画像処理"]),
                kind: CandidateKind::Seed,
                in_region: true,
                collaborations: 0,
            },
        );
        assert_eq!(
            seed,
            [Reason::SeedFields(terms(&["画像処理"]))],
            "seeds are not firms"
        );
    }

    #[test]
    fn proposals_are_validated_and_screened() {
        let err = ProposalData::parse(&ProposalInput {
            candidate_type: Some("person".into()),
            summary: Some("山田太郎様の件です".into()),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<(&str, &Problem)> = err
            .0
            .iter()
            .map(|e| (e.field.as_str(), &e.problem))
            .collect();
        assert_eq!(fields[0].0, "candidate_type");
        assert_eq!(fields[1].0, "candidate_id");
        assert_eq!(fields[2], ("summary", &Problem::PatientInformation));
    }
}
