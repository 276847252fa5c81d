//! Clinical needs: the catalogue, one need as its caller sees it, submission (the guard screens
//! every channel), curation (edit, releasing a hold, status moves) and the status history.
//!
//! Who sees a need is the policy's sight (disclosure, hold, NDAs), applied by the store's reads;
//! what the caller may do with it, and whether it may read the guard's findings and a survey
//! respondent's contact, is decided here once ([`NeedView`]) for the pages and the API alike.
//! NDAs, scores, match candidates and the sheet import are in the sub-modules.

mod import;
mod matches;
mod ndas;
mod scores;

pub use import::NeedImport;
pub use matches::{NeedFit, NeedsForMe};
pub use ndas::NdaInput;
pub use scores::{CriterionScore, NeedScoreView};

use crate::records::{Intake, Need, Programme, StageMove};
use crate::{App, Result, Sight, Submitted, signed_in};
use noguchi_domain::Invalid;
use noguchi_domain::access::{self, Granted, permission};
use noguchi_domain::curation::STATUS_ORDER;
use noguchi_domain::dates::move_date;
use noguchi_domain::needs::{NeedData, NeedInput, NeedStatus, screen};
use noguchi_domain::validation::optional_text;

/// A need as one caller sees it, and what the policy lets that caller do with it.
#[derive(Debug, Clone)]
pub struct NeedView {
    /// The need; for a caller who does not curate it, without the guard's findings (what was
    /// held must not spread) and without a survey respondent's contact.
    pub need: Need,
    pub may: NeedPowers,
}

/// What the caller may do with a need (display flags; each use case asks the policy again).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NeedPowers {
    /// Curates it (the submitter's organisation and the secretariat): edit, status, release,
    /// its NDAs, and the guard's findings.
    pub curate: bool,
    /// Records and ends its NDAs (the secretariat).
    pub record_nda: bool,
    /// Scores it (the secretariat and the scoring roles).
    pub score: bool,
    /// Turns a candidate into a match proposal (the secretariat and the coordinators).
    pub propose: bool,
}

impl NeedPowers {
    /// Works on the need: match candidates are shown to its curators, scorers and coordinators.
    pub fn works_on(&self) -> bool {
        self.curate || self.score || self.propose
    }
}

/// The view of `need` for the caller of `sight` (who may already read it).
pub(crate) fn view(sight: &Sight, mut need: Need) -> NeedView {
    let may = match sight.principal() {
        Some(p) => NeedPowers {
            curate: access::curate_need(p, &need.programme_id, &need.submitter_org_id).is_ok(),
            record_nda: access::record_nda(p, &need.programme_id).is_ok(),
            score: access::score_need(p, &need.programme_id).is_ok(),
            propose: access::propose_match(p, &need.programme_id).is_ok(),
        },
        None => NeedPowers::default(),
    };
    if !may.curate {
        need.findings.clear();
        need.contact = None;
    }
    NeedView { need, may }
}

/// A list's filters, as codes (empty or absent: any).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<String>,
    pub disclosure: Option<String>,
    /// Part of the department's name.
    pub department: Option<String>,
    pub campaign: Option<String>,
}

impl Filter {
    pub fn keeps(&self, n: &Need) -> bool {
        let is = |v: &Option<String>, actual: &str| {
            v.as_deref()
                .filter(|s| !s.is_empty())
                .is_none_or(|s| s == actual)
        };
        is(&self.status, n.data.status.code())
            && is(&self.disclosure, n.data.disclosure.code())
            && self
                .department
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .is_none_or(|d| n.data.department.as_deref().is_some_and(|x| x.contains(d)))
            && is(&self.campaign, n.campaign_id.as_deref().unwrap_or_default())
    }
}

/// A status move as submitted: the status code, the date (default today) and why.
#[derive(Debug, Clone, Default)]
pub struct MoveInput {
    pub status: Option<String>,
    pub date: Option<String>,
    pub note: Option<String>,
}

/// An edited need, and whether the edit made the guard hold it.
#[derive(Debug, Clone)]
pub struct NeedEdit {
    pub view: NeedView,
    pub newly_held: bool,
}

impl App {
    /// Needs of a programme the caller may see, newest first; visitors without an account see
    /// the public ones (the catalogue's teaser list).
    pub async fn needs(
        &self,
        sight: &Sight,
        programme_id: &str,
        filter: &Filter,
    ) -> Result<Vec<NeedView>> {
        Ok(self
            .store
            .needs(sight, programme_id)
            .await?
            .into_iter()
            .filter(|n| filter.keeps(n))
            .map(|n| view(sight, n))
            .collect())
    }

    /// A need the caller may see; any other is "not found".
    pub async fn need(&self, sight: &Sight, id: &str) -> Result<NeedView> {
        Ok(view(sight, self.store.need(sight, id).await?))
    }

    /// How many of the needs the caller may see are at each status (the programme's home).
    pub async fn need_status_counts(
        &self,
        sight: &Sight,
        programme_id: &str,
    ) -> Result<Vec<(NeedStatus, usize)>> {
        let needs = self.store.needs(sight, programme_id).await?;
        Ok(STATUS_ORDER
            .iter()
            .map(|s| (*s, needs.iter().filter(|n| n.data.status == *s).count()))
            .collect())
    }

    /// The programme whose needs `/needs` shows: the caller's own (the first its organisation
    /// belongs to), else the installation's first, whose public needs a visitor sees.
    pub async fn needs_home(&self, sight: &Sight) -> Result<Option<Programme>> {
        let programmes = self.store.programmes().await?;
        let mine = sight
            .principal()
            .and_then(|p| {
                programmes
                    .iter()
                    .position(|prog| p.programmes.iter().any(|r| r.programme_id == prog.id))
            })
            .unwrap_or(0);
        Ok(programmes.into_iter().nth(mine))
    }

    /// Whether the caller may submit needs in the programme (a display flag).
    pub fn may_submit_need(&self, sight: &Sight, programme_id: &str) -> bool {
        sight
            .principal()
            .is_some_and(|p| access::submit_need(p, programme_id).is_ok())
    }

    /// Opens the submission form or the sheet import: the programme, when the caller may
    /// submit needs in it.
    pub async fn prepare_need(&self, sight: &Sight, programme_id: &str) -> Result<Programme> {
        access::submit_need(signed_in(sight)?, programme_id)?;
        Ok(self.store.programme(programme_id).await?)
    }

    /// Submits a need (the member form and the API). The guard screens it first: text that
    /// looks like patient information holds the need for review, and a held need starts at
    /// 受付 whatever status was asked for (the store applies `curation::status_at_creation`).
    ///
    /// `attested` is recorded as given and not required: the guard screens every channel, and
    /// the attestation is only the statement of the person typing (the anonymous survey form,
    /// which has no account behind it, asks for it in the domain's `AnswerInput`).
    pub async fn submit_need(
        &self,
        sight: &Sight,
        programme_id: &str,
        input: Submitted<NeedInput>,
        attested: bool,
    ) -> Result<NeedView> {
        let grant = access::submit_need(signed_in(sight)?, programme_id)?;
        let data = input.parse(NeedData::parse)?;
        let findings = screen(&data.texts());
        let intake = Intake {
            attested,
            ..Intake::default()
        };
        let n = self
            .store
            .create_need(&grant, programme_id, data, findings, &intake)
            .await?;
        Ok(view(sight, n))
    }

    /// The need to edit, when the caller curates it.
    pub async fn need_to_edit(&self, sight: &Sight, id: &str) -> Result<NeedView> {
        let (n, _) = self.curated(sight, id).await?;
        Ok(view(sight, n))
    }

    /// Changes a need (its curators). The guard screens the new text, and a need it flags is
    /// held again. Without a status the need keeps its own (the form moves statuses apart, with
    /// a date and a note); a status changed here follows the same rule as a move.
    pub async fn update_need(
        &self,
        sight: &Sight,
        id: &str,
        mut input: Submitted<NeedInput>,
    ) -> Result<NeedEdit> {
        let (before, grant) = self.curated(sight, id).await?;
        if input
            .input
            .status
            .as_deref()
            .is_none_or(|s| s.trim().is_empty())
        {
            input.input.status = Some(before.data.status.code().to_owned());
        }
        let data = input.parse(NeedData::parse)?;
        let findings = screen(&data.texts());
        let after = self.store.update_need(&grant, id, data, findings).await?;
        Ok(NeedEdit {
            newly_held: after.held && !before.held,
            view: view(sight, after),
        })
    }

    /// Releases a held need after a reviewer found no patient information in it.
    pub async fn release_need(&self, sight: &Sight, id: &str) -> Result<NeedView> {
        let (_, grant) = self.curated(sight, id).await?;
        Ok(view(sight, self.store.release_need(&grant, id).await?))
    }

    /// Moves a need along its workflow (受付 → 精査 → 公開 → マッチング中 → プロジェクト化 → 終了).
    pub async fn move_need(&self, sight: &Sight, id: &str, input: &MoveInput) -> Result<NeedView> {
        let (_, grant) = self.curated(sight, id).await?;
        let mut errs = Invalid::default();
        let to = errs.take(
            "status",
            NeedStatus::parse(input.status.as_deref().unwrap_or("")),
        );
        let on = errs.take("date", move_date(input.date.as_deref(), self.today()));
        let note = errs
            .take("note", optional_text(input.note.as_deref(), 2000))
            .flatten();
        let (Some(to), Some(on)) = (to, on) else {
            return Err(errs.into());
        };
        if !errs.is_empty() {
            return Err(errs.into());
        }
        let n = self
            .store
            .move_need(&grant, id, to, on, note.as_deref())
            .await?;
        Ok(view(sight, n))
    }

    /// The need's status history, oldest first (whoever may see the need).
    pub async fn need_history(&self, sight: &Sight, id: &str) -> Result<Vec<StageMove>> {
        Ok(self.store.need_history(sight, id).await?)
    }

    /// A need the caller may see and curate, with the grant to do it.
    async fn curated(
        &self,
        sight: &Sight,
        id: &str,
    ) -> Result<(Need, Granted<permission::CurateNeed>)> {
        let p = signed_in(sight)?;
        let n = self.store.need(sight, id).await?;
        let grant = access::curate_need(p, &n.programme_id, &n.submitter_org_id)?;
        Ok((n, grant))
    }
}
