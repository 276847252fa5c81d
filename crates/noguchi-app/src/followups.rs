//! After an event: the follow-up survey to those who came, and the review of the directory
//! match of registrations (an uncertain match decided, a new firm entered only when staff
//! confirm it).

use crate::mail::{self, MailContext};
use crate::records::{Event, Registration};
use crate::{App, Error, Result, Sight, Submitted, signed_in};
use noguchi_domain::Problem;
use noguchi_domain::access;
use noguchi_domain::event::{DirectoryEntry, OrganisationMatch, match_candidates};
use noguchi_domain::followup::{FollowupData, FollowupInput};
use noguchi_domain::organisation::Organisation;
use noguchi_domain::organisation::OrganisationInput;
use noguchi_storage::{FollowupAnswer, FollowupCounts, MailFor, token_hash};

/// What a follow-up link opens.
#[derive(Debug, Clone)]
pub struct FollowupView {
    pub event: Event,
    pub registration: Registration,
    /// The answer, once given (a link answers once).
    pub answer: Option<FollowupAnswer>,
}

/// A registration whose organisation staff should decide, with the entries it may be.
#[derive(Debug, Clone)]
pub struct MatchReview {
    pub registration: Registration,
    pub candidates: Vec<DirectoryEntry>,
}

/// How many directory entries the review suggests for one registration.
const CANDIDATES: usize = 5;

impl App {
    /// Sends the follow-up survey to everyone who came and has not had it (those who run
    /// events, once the event has begun). Returns how many were sent.
    pub async fn send_followups(&self, sight: &Sight, event_id: &str) -> Result<usize> {
        let e = self.event(sight, event_id).await?.event;
        let grant = access::manage_events(signed_in(sight)?, &e.programme_id)?;
        if !e.data.held_by(self.now()) {
            return Err(Error::field("starts_at", Problem::FutureDate));
        }
        let ctx: MailContext = self.mail_context();
        let compose = move |m: MailFor<'_>| mail::compose(&ctx, m, None);
        Ok(self
            .store
            .send_followups(&grant, event_id, &compose)
            .await?)
    }

    /// The follow-up a link opens; an unknown link is "not found".
    pub async fn followup(&self, token: &str) -> Result<FollowupView> {
        if token.is_empty() || token.len() > 128 {
            return Err(Error::NotFound);
        }
        let (registration, answer) = self.store.followup_by_token(&token_hash(token)).await?;
        let event = self
            .store
            .event(&access::system_sight(), &registration.event_id)
            .await?;
        Ok(FollowupView {
            event,
            registration,
            answer,
        })
    }

    /// Answers a follow-up through its link (no account: the link is the credential). A link
    /// answers once; a consultation wish becomes work for the secretariat (see the store).
    pub async fn answer_followup(
        &self,
        token: &str,
        input: Submitted<FollowupInput>,
    ) -> Result<FollowupAnswer> {
        let view = self.followup(token).await?;
        if view.answer.is_some() {
            return Err(Error::field("followup", Problem::Settled));
        }
        let data = input.parse(FollowupData::parse)?;
        let r = &view.registration;
        let grant = access::answer_followup(&r.programme_id, &r.id);
        let ctx: MailContext = self.mail_context();
        let compose = move |m: MailFor<'_>| mail::compose(&ctx, m, None);
        Ok(self
            .store
            .answer_followup(&grant, &r.id, data, &compose)
            .await?)
    }

    /// The answers to an event's follow-up and where sending stands (those who run events).
    pub async fn followup_answers(
        &self,
        sight: &Sight,
        event_id: &str,
    ) -> Result<(Vec<FollowupAnswer>, FollowupCounts)> {
        signed_in(sight)?;
        Ok(self.store.followup_answers(sight, event_id).await?)
    }

    /// The registrations of an event not linked to the directory (uncertain matches first),
    /// each with the entries staff may mean.
    pub async fn match_review(&self, sight: &Sight, event_id: &str) -> Result<Vec<MatchReview>> {
        let regs = self.registrations(sight, event_id).await?;
        let directory = self.store.directory_entries().await?;
        let mut out: Vec<MatchReview> = regs
            .into_iter()
            .filter(|r| {
                r.organisation_id.is_none()
                    && r.status != noguchi_domain::event::RegistrationStatus::Cancelled
            })
            .map(|r| MatchReview {
                candidates: match_candidates(
                    &r.data.organisation_name,
                    r.data.corporate_number.as_deref(),
                    &directory,
                    CANDIDATES,
                )
                .into_iter()
                .cloned()
                .collect(),
                registration: r,
            })
            .collect();
        out.sort_by_key(|m| m.registration.organisation_match != OrganisationMatch::Review);
        Ok(out)
    }

    /// Enters the organisation a participant typed as a new directory entry (the secretariat,
    /// which keeps the directory) and links the registration to it. The entry is created only
    /// now, when staff confirm that the firm is new.
    pub async fn confirm_new_organisation(
        &self,
        sight: &Sight,
        registration_id: &str,
        kind: Option<&str>,
    ) -> Result<(Organisation, Registration)> {
        let r = self.registration(sight, registration_id).await?;
        if r.organisation_id.is_some() {
            return Err(Error::field("organisation_id", Problem::Settled));
        }
        let input = OrganisationInput {
            kind: Some(kind.unwrap_or("company").to_owned()),
            name: Some(r.data.organisation_name.clone()),
            corporate_number: r.data.corporate_number.clone(),
            ..OrganisationInput::default()
        };
        let org = self
            .create_organisation(sight, Submitted::from(input))
            .await?;
        let r = self
            .link_registration(sight, registration_id, Some(&org.id))
            .await?;
        Ok((org, r))
    }
}
