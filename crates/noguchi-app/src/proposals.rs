//! Match proposals: a coordinator turns a ranked candidate into a proposal; both sides (and
//! the secretariat and the proposer) see the proposals they are part of and move them through
//! the workflow. The candidate learns the need's title only when it may see the need itself
//! (an NDA-level need stays hidden until the NDA is recorded).

use crate::records::{Explanation, Need, Proposal, StageMove};
use crate::{App, Error, Result, Sight, signed_in};
use noguchi_domain::access;
use noguchi_domain::dates::move_date;
use noguchi_domain::matching::{
    ProposalData, ProposalInput, ProposalRefused, ProposalStatus, check_proposal_move,
};
use noguchi_domain::validation::optional_text;
use noguchi_domain::{Invalid, Problem};

/// A proposal as one caller sees it.
#[derive(Debug, Clone)]
pub struct ProposalView {
    /// The proposal; its `need_title` is empty when the caller may not see the need.
    pub proposal: Proposal,
    pub sees_need: bool,
    /// The statuses the caller may move it to now (a reason is assumed where one is required:
    /// the form asks for it).
    pub next: Vec<ProposalStatus>,
    /// The project the proposal opened, when the caller may see it.
    pub project_id: Option<String>,
}

/// A proposal move as submitted.
#[derive(Debug, Clone, Default)]
pub struct ProposalMoveInput {
    pub status: Option<String>,
    /// Required to decline or reopen.
    pub note: Option<String>,
    /// YYYY-MM-DD, default today; not in the future.
    pub date: Option<String>,
    /// At `nda`: the contract's number or file reference.
    pub document_ref: Option<String>,
}

impl App {
    /// The proposal's need, read whole only to decide what the caller may learn of it, and the
    /// caller's view: one read and the same rule as every need read.
    async fn proposal_view(&self, sight: &Sight, mut x: Proposal) -> Result<ProposalView> {
        let need: Need = self.store.need(&access::system_sight(), &x.need_id).await?;
        let sees_need = sight.need(&need.scope());
        let next = match sight.principal() {
            Some(p) => {
                let sides = access::proposal_sides(p, &x.scope());
                ProposalStatus::ALL
                    .iter()
                    .copied()
                    .filter(|to| {
                        check_proposal_move(x.status, *to, &sides, need.data.disclosure, Some("—"))
                            .is_ok()
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        if !sees_need {
            x.need_title.clear();
        }
        let project_id = if x.status == ProposalStatus::Project {
            self.store.project_of_proposal(sight, &x.id).await?
        } else {
            None
        };
        Ok(ProposalView {
            proposal: x,
            sees_need,
            next,
            project_id,
        })
    }

    /// The proposals of a programme the caller is part of (as secretariat, proposer, candidate
    /// or the need's organisation), newest first; of one need, or in one status, when asked.
    pub async fn proposals(
        &self,
        sight: &Sight,
        programme_id: &str,
        need_id: Option<&str>,
        status: Option<ProposalStatus>,
    ) -> Result<Vec<ProposalView>> {
        signed_in(sight)?;
        self.store.programme(programme_id).await?;
        let mut out = Vec::new();
        for x in self.store.proposals(sight, programme_id, need_id).await? {
            if status.is_none_or(|s| s == x.status) {
                out.push(self.proposal_view(sight, x).await?);
            }
        }
        Ok(out)
    }

    /// A proposal the caller is part of; any other is "not found".
    pub async fn proposal(&self, sight: &Sight, id: &str) -> Result<ProposalView> {
        signed_in(sight)?;
        let x = self.store.proposal(sight, id).await?;
        self.proposal_view(sight, x).await
    }

    pub async fn proposal_history(&self, sight: &Sight, id: &str) -> Result<Vec<StageMove>> {
        signed_in(sight)?;
        Ok(self.store.proposal_history(sight, id).await?)
    }

    /// Turns a candidate into a match proposal (the secretariat and the matching coordinators),
    /// with the ranking's explanation of the candidate for the record.
    pub async fn propose_match(
        &self,
        sight: &Sight,
        need_id: &str,
        input: &ProposalInput,
    ) -> Result<ProposalView> {
        let p = signed_in(sight)?;
        let need = self.store.need(sight, need_id).await?;
        let grant = access::propose_match(p, &need.programme_id)?;
        let data = ProposalData::parse(input)?;
        let explanation = self
            .candidates(sight, &need, 50)
            .await?
            .into_iter()
            .find(|c| c.id == data.candidate_id)
            .map(|c| Explanation {
                score: f64::from(c.score),
                reasons: c.reasons,
            })
            .unwrap_or_default();
        let x = self
            .store
            .create_proposal(&grant, need_id, data, explanation)
            .await?;
        self.proposal_view(sight, x).await
    }

    /// Moves a proposal: the candidate accepts, the secretariat records the NDA, a coordinator
    /// records the meeting and the project; anyone part of it may decline, with a reason.
    pub async fn move_proposal(
        &self,
        sight: &Sight,
        id: &str,
        input: &ProposalMoveInput,
    ) -> Result<ProposalView> {
        let p = signed_in(sight)?;
        let x = self.store.proposal(sight, id).await?;
        let mut errs = Invalid::default();
        let to = errs.take(
            "status",
            ProposalStatus::parse(input.status.as_deref().unwrap_or("")),
        );
        let on = errs.take("date", move_date(input.date.as_deref(), self.today()));
        let note = errs
            .take("note", optional_text(input.note.as_deref(), 2000))
            .flatten();
        let document_ref = errs
            .take(
                "document_ref",
                optional_text(input.document_ref.as_deref(), 200),
            )
            .flatten();
        let (Some(to), Some(on)) = (to, on) else {
            return Err(errs.into());
        };
        if !errs.is_empty() {
            return Err(errs.into());
        }
        let need = self.store.need(&access::system_sight(), &x.need_id).await?;
        let grant = access::move_proposal(
            p,
            &x.scope(),
            x.status,
            to,
            need.data.disclosure,
            note.as_deref(),
        )
        .map_err(|r| match r {
            ProposalRefused::NotYourSide => Error::Forbidden,
            ProposalRefused::NoteRequired => Error::field("note", Problem::Required),
            other => Error::field("status", other.problem(x.status, to)),
        })?;
        let after = self
            .store
            .move_proposal(
                &grant,
                &x.id,
                to,
                on,
                note.as_deref(),
                document_ref.as_deref(),
            )
            .await?;
        self.proposal_view(sight, after).await
    }
}
