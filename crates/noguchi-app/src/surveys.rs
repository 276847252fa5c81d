//! Needs survey campaigns, and the answers clinicians give through a campaign's link without an
//! account.
//!
//! The secretariat (and the needs-survey role) runs campaigns; the surveyed organisation sees
//! its own campaigns and their links, to pass them on to its staff. An answer is screened by the
//! patient-information guard before it is stored: flagged text goes back to the clinician to
//! revise, and an answer sent as it is anyway is stored held for review. The link is the only
//! credential, so answers are limited per link and per address.

use crate::needs::{Filter, NeedView};
use crate::records::{Campaign, Intake, Programme};
use crate::{App, Error, Result, Sight, Submitted, signed_in};
use noguchi_domain::access;
use noguchi_domain::needs::{Finding, NeedData, screen};
use noguchi_domain::survey::{AnswerInput, CampaignData, CampaignInput};
use noguchi_domain::{Invalid, Problem};
use noguchi_storage::LinkChange;

/// A campaign as one caller sees it.
#[derive(Debug, Clone)]
pub struct CampaignView {
    pub campaign: Campaign,
    /// Takes answers today (its period has begun and not ended, and its link is enabled).
    pub open: bool,
    /// The caller runs the programme's campaigns (edit, link).
    pub may_manage: bool,
}

/// What became of an answer.
#[derive(Debug, Clone)]
pub enum Answered {
    /// Stored as a need of the surveyed organisation; held when the guard flagged it.
    Stored { campaign: Campaign, held: bool },
    /// The guard flagged it and nothing was stored: shown back to the clinician, who may revise
    /// it or send it as it is.
    Flagged {
        campaign: Campaign,
        findings: Vec<Finding>,
    },
}

/// What to do with a campaign's link.
fn link_change(action: Option<&str>) -> Result<LinkChange, Invalid> {
    match action.map(str::trim) {
        Some("disable") => Ok(LinkChange::Disable),
        Some("enable") => Ok(LinkChange::Enable),
        Some("replace") => Ok(LinkChange::Replace),
        None | Some("") => Err(Invalid::one("action", Problem::Required)),
        Some(other) => Err(Invalid::one(
            "action",
            Problem::UnknownValue {
                value: other.to_owned(),
            },
        )),
    }
}

impl App {
    fn campaign_view(&self, sight: &Sight, campaign: Campaign) -> CampaignView {
        CampaignView {
            open: campaign.link_enabled && campaign.data.is_open(self.today()),
            may_manage: self.may_run_campaigns(sight, &campaign.programme_id),
            campaign,
        }
    }

    /// Whether the caller runs the programme's campaigns (a display flag).
    pub fn may_run_campaigns(&self, sight: &Sight, programme_id: &str) -> bool {
        sight
            .principal()
            .is_some_and(|p| access::manage_campaigns(p, programme_id).is_ok())
    }

    /// The campaigns of a programme the caller may see (those who run campaigns, and the
    /// surveyed organisation its own); a visitor without an account sees none.
    pub async fn campaigns(&self, sight: &Sight, programme_id: &str) -> Result<Vec<CampaignView>> {
        Ok(self
            .store
            .campaigns(sight, programme_id)
            .await?
            .into_iter()
            .map(|c| self.campaign_view(sight, c))
            .collect())
    }

    /// A campaign the caller may see; any other is "not found".
    pub async fn campaign(&self, sight: &Sight, id: &str) -> Result<CampaignView> {
        signed_in(sight)?;
        let c = self.store.campaign(sight, id).await?;
        Ok(self.campaign_view(sight, c))
    }

    /// The needs received through a campaign, as the caller may see them (the same visibility
    /// as every other list of needs).
    pub async fn campaign_answers(&self, sight: &Sight, id: &str) -> Result<Vec<NeedView>> {
        let c = self.campaign(sight, id).await?.campaign;
        let filter = Filter {
            campaign: Some(c.id),
            ..Filter::default()
        };
        self.needs(sight, &c.programme_id, &filter).await
    }

    /// Opens the form of a new campaign: the programme, when the caller runs its campaigns.
    pub async fn prepare_campaign(&self, sight: &Sight, programme_id: &str) -> Result<Programme> {
        access::manage_campaigns(signed_in(sight)?, programme_id)?;
        Ok(self.store.programme(programme_id).await?)
    }

    pub async fn create_campaign(
        &self,
        sight: &Sight,
        programme_id: &str,
        input: Submitted<CampaignInput>,
    ) -> Result<CampaignView> {
        let grant = access::manage_campaigns(signed_in(sight)?, programme_id)?;
        self.store.programme(programme_id).await?;
        let today = self.today();
        let data = input.parse(|i| CampaignData::parse(i, today))?;
        let c = self
            .store
            .create_campaign(&grant, programme_id, data)
            .await?;
        Ok(self.campaign_view(sight, c))
    }

    /// The campaign to edit, when the caller runs the programme's campaigns.
    pub async fn campaign_to_edit(&self, sight: &Sight, id: &str) -> Result<CampaignView> {
        let v = self.campaign(sight, id).await?;
        if !v.may_manage {
            return Err(Error::Forbidden);
        }
        Ok(v)
    }

    pub async fn update_campaign(
        &self,
        sight: &Sight,
        id: &str,
        input: Submitted<CampaignInput>,
    ) -> Result<CampaignView> {
        let c = self.campaign(sight, id).await?.campaign;
        let grant = access::manage_campaigns(signed_in(sight)?, &c.programme_id)?;
        let today = self.today();
        let data = input.parse(|i| CampaignData::parse(i, today))?;
        let c = self.store.update_campaign(&grant, id, data).await?;
        Ok(self.campaign_view(sight, c))
    }

    /// Disables, enables or replaces a campaign's link (`disable`, `enable`, `replace`: a new
    /// link; the old one stops working).
    pub async fn change_campaign_link(
        &self,
        sight: &Sight,
        id: &str,
        action: Option<&str>,
    ) -> Result<CampaignView> {
        let c = self.campaign(sight, id).await?.campaign;
        let grant = access::manage_campaigns(signed_in(sight)?, &c.programme_id)?;
        let change = link_change(action)?;
        let c = self.store.change_campaign_link(&grant, id, change).await?;
        Ok(self.campaign_view(sight, c))
    }

    /// The campaign a link opens, while it takes answers; otherwise "not found" (the same for
    /// an unknown link, a disabled one and a closed campaign, so links cannot be probed).
    pub async fn survey(&self, token: &str) -> Result<Campaign> {
        let c = self.store.campaign_by_link(token).await?;
        if c.data.is_open(self.today()) {
            Ok(c)
        } else {
            Err(Error::NotFound)
        }
    }

    /// An answer through a campaign's link (no account: the link is the credential). Flagged
    /// text is stored only when the clinician sends it as it is (`send_as_is`), and then held.
    /// `address` is the client's, for the limit of answers per address.
    pub async fn answer_survey(
        &self,
        token: &str,
        address: Option<&str>,
        answer: &AnswerInput,
        send_as_is: bool,
    ) -> Result<Answered> {
        let campaign = self.survey(token).await?;
        // Counted before anything is checked, so answers sent at once cannot all slip under
        // the limit; an answer that is not stored (sent back to revise, or invalid) is taken
        // off again. Every stored answer counts towards the link's and the address's limit.
        let attempt = self
            .answers
            .begin(token, address, std::time::Instant::now())
            .ok_or(Error::TooManyAttempts)?;
        let answered = self.store_answer(campaign, answer, send_as_is).await;
        if !matches!(answered, Ok(Answered::Stored { .. })) {
            attempt.cancel();
        }
        answered
    }

    async fn store_answer(
        &self,
        campaign: Campaign,
        answer: &AnswerInput,
        send_as_is: bool,
    ) -> Result<Answered> {
        let (input, extras) = answer.to_need(&campaign.data)?;
        let data = NeedData::parse(&input)?;
        let mut texts = data.texts();
        if let Some(c) = &extras.contact {
            texts.push(c);
        }
        let findings = screen(&texts);
        // Flagged text goes back to the clinician first; only an answer they send as it is
        // anyway is stored, and then held.
        if !findings.is_empty() && !send_as_is {
            return Ok(Answered::Flagged { campaign, findings });
        }
        let grant = access::answer_survey(
            &campaign.programme_id,
            &campaign.id,
            &campaign.data.organisation_id,
            campaign.data.is_open(self.today()),
        )
        .map_err(|_| Error::field("campaign", Problem::CampaignClosed))?;
        let intake = Intake {
            on_behalf_of: None,
            campaign_id: Some(campaign.id.clone()),
            attested: answer.attested,
            contact: extras.contact,
        };
        let need = self
            .store
            .create_need(&grant, &campaign.programme_id, data, findings, &intake)
            .await?;
        Ok(Answered::Stored {
            campaign,
            held: need.held,
        })
    }
}
