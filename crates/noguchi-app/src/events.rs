//! Events and registrations (seed 5(2)①), and the figures and network they give (5(2)②).
//!
//! The secretariat and the events role run events. A public event takes registrations from
//! guests without an account: their personal link (a secret token, stored only as its hash) is
//! the credential to view or cancel. Seats are decided by the store under the event's lock;
//! mail is queued in the same transaction (see [`crate::mail`]).

use crate::mail::{self, MailContext};
use crate::records::{Event, Registration};
use crate::{App, Error, Result, Sight, Submitted, signed_in};
use noguchi_domain::Problem;
use noguchi_domain::access;
use noguchi_domain::event::{
    ActivityFigures, EventData, EventInput, OrganisationMatch, RegistrationData, RegistrationInput,
    RegistrationSource, activity, fiscal_year_of, match_organisation,
};
use noguchi_domain::event_form::assign_session_keys;
use noguchi_domain::fiscal::FiscalYear;
use noguchi_domain::network::{self, NetworkMetrics, Sector, Tie};
use noguchi_domain::organisation::OrganisationKind;
use noguchi_storage::{
    MailFor, NewRegistration, PrivateRecord, Registered, random_token, token_hash,
};
use std::collections::{BTreeMap, HashMap};

/// An event as one caller sees it.
#[derive(Debug, Clone)]
pub struct EventView {
    pub event: Event,
    /// The caller runs the programme's events (edit, registrations, check-in).
    pub may_manage: bool,
    /// Registrations are taken now.
    pub registration_open: bool,
}

/// What a registration attempt came to.
#[derive(Debug, Clone)]
pub enum RegisterOutcome {
    Created {
        registration: Box<Registration>,
        /// The personal link's secret, for a guest (shown once and mailed).
        manage_token: Option<String>,
    },
    /// The e-mail already holds a live registration for the event: nothing was written and
    /// nothing of the first registration is told.
    Duplicate,
}

/// The activity of one fiscal year, as the caller may see it.
#[derive(Debug, Clone)]
pub struct ActivityReport {
    pub fiscal_year: FiscalYear,
    pub figures: ActivityFigures,
    /// For the secretariat only.
    pub funnel: Option<noguchi_domain::event::Funnel>,
    /// The firms behind the funnel's steps (consulted, entry case, commercialised), among
    /// those reached; for the secretariat only.
    pub funnel_firms: Option<[Vec<String>; 3]>,
}

/// One firm reached in a fiscal year, as the activity's records list it.
#[derive(Debug, Clone)]
pub struct FirmReached {
    pub id: String,
    pub name: String,
    pub first_time: bool,
    /// The funnel's steps it reached (the secretariat only): consulted, entry case,
    /// commercialised.
    pub steps: Option<[bool; 3]>,
}

/// The records behind a fiscal year's activity figures.
#[derive(Debug, Clone)]
pub struct ActivityDetail {
    pub report: ActivityReport,
    /// The events held, earliest first.
    pub events: Vec<EventView>,
    pub firms: Vec<FirmReached>,
}

/// The network of a programme up to the end of a fiscal year, as the caller may see it.
#[derive(Debug, Clone)]
pub struct NetworkView {
    pub fiscal_year: FiscalYear,
    pub ties: Vec<Tie>,
    pub metrics: NetworkMetrics,
    /// Names of the organisations the ties join.
    pub names: BTreeMap<String, String>,
    /// Their sectors.
    pub sectors: BTreeMap<String, Sector>,
    /// The organisations that broker most (betweenness), highest first.
    pub brokers: Vec<(String, f64)>,
    /// Local firms with at least one tie to a hospital or a university.
    pub local_firms_tied: usize,
}

impl App {
    fn event_view(&self, sight: &Sight, event: Event) -> EventView {
        EventView {
            may_manage: self.may_run_events(sight, &event.programme_id),
            registration_open: event.data.registration_open(self.now()),
            event,
        }
    }

    /// Whether the caller runs the programme's events (a display flag).
    pub fn may_run_events(&self, sight: &Sight, programme_id: &str) -> bool {
        sight
            .principal()
            .is_some_and(|p| access::manage_events(p, programme_id).is_ok())
    }

    pub async fn events(&self, sight: &Sight, programme_id: &str) -> Result<Vec<EventView>> {
        self.store.programme(programme_id).await?;
        Ok(self
            .store
            .events(sight, programme_id)
            .await?
            .into_iter()
            .map(|e| self.event_view(sight, e))
            .collect())
    }

    /// An event the caller may see (a public one anyone); any other is "not found".
    pub async fn event(&self, sight: &Sight, id: &str) -> Result<EventView> {
        let e = self.store.event(sight, id).await?;
        Ok(self.event_view(sight, e))
    }

    async fn strategies(&self, programme_id: &str) -> Result<Vec<String>> {
        Ok(self
            .store
            .programme(programme_id)
            .await?
            .definition
            .strategies
            .into_iter()
            .map(|s| s.key)
            .collect())
    }

    pub async fn create_event(
        &self,
        sight: &Sight,
        programme_id: &str,
        input: Submitted<EventInput>,
    ) -> Result<EventView> {
        let grant = access::manage_events(signed_in(sight)?, programme_id)?;
        let strategies = self.strategies(programme_id).await?;
        let data = input.parse(|i| EventData::parse(i, &strategies))?;
        let e = self.store.create_event(&grant, programme_id, data).await?;
        Ok(self.event_view(sight, e))
    }

    /// The event to edit, when the caller runs the programme's events.
    pub async fn event_to_edit(&self, sight: &Sight, id: &str) -> Result<EventView> {
        signed_in(sight)?;
        let v = self.event(sight, id).await?;
        if !v.may_manage {
            return Err(Error::Forbidden);
        }
        Ok(v)
    }

    pub async fn update_event(
        &self,
        sight: &Sight,
        id: &str,
        input: Submitted<EventInput>,
    ) -> Result<EventView> {
        let e = self.event(sight, id).await?.event;
        let grant = access::manage_events(signed_in(sight)?, &e.programme_id)?;
        let strategies = self.strategies(&e.programme_id).await?;
        let mut input = input;
        if let Some(sessions) = input.input.sessions.as_mut() {
            assign_session_keys(sessions, &e.data.sessions);
        }
        let data = input.parse(|i| EventData::parse(i, &strategies))?;
        let ctx = self.mail_context();
        let compose = move |m: MailFor<'_>| mail::compose(&ctx, m, None);
        let e = self.store.update_event(&grant, id, data, &compose).await?;
        Ok(self.event_view(sight, e))
    }

    /// Registers for an event.
    /// - A guest (no account) registers on a public event while its registration is open;
    ///   anything else answers "not found", so closed and private events cannot be probed.
    ///   Guests are limited per event and per address (`address`).
    /// - Those who run events register others (a phone or fax sign-up).
    /// - Any other signed-in user registers while registration is open.
    pub async fn register(
        &self,
        sight: &Sight,
        event_id: &str,
        address: Option<&str>,
        input: &RegistrationInput,
    ) -> Result<RegisterOutcome> {
        let view = self.event(sight, event_id).await?;
        let event = view.event;
        let (grant, source, user_id) = match sight.principal() {
            None => {
                let grant = access::register_guest(
                    &event.programme_id,
                    &event.id,
                    event.data.public && view.registration_open,
                )
                .map_err(|_| Error::NotFound)?;
                (grant, RegistrationSource::Guest, None)
            }
            Some(p) if view.may_manage => {
                let own = input.email.as_deref().is_some_and(|e| {
                    noguchi_domain::person::Email::parse(e).is_ok_and(|e| e.as_str() == p.email)
                });
                let grant = access::register_others(p, &event.programme_id)?;
                if own {
                    (grant, RegistrationSource::Member, Some(p.user_id.clone()))
                } else {
                    (grant, RegistrationSource::Staff, None)
                }
            }
            Some(p) => {
                let grant = access::register_self(
                    p,
                    &event.programme_id,
                    &event.id,
                    view.registration_open,
                )
                .map_err(|_| Error::field("event", Problem::RegistrationClosed))?;
                (grant, RegistrationSource::Member, Some(p.user_id.clone()))
            }
        };
        // A guest's attempt counts before anything is checked, so sign-ups sent at once cannot
        // all slip under the limit; one that stores nothing because it is invalid is taken off.
        let attempt = if source == RegistrationSource::Guest {
            Some(
                self.registrations_limit
                    .begin(
                        &format!("event:{event_id}"),
                        address,
                        std::time::Instant::now(),
                    )
                    .ok_or(Error::TooManyAttempts)?,
            )
        } else {
            None
        };
        let data = match RegistrationData::parse_for(input, &event.data) {
            Ok(d) => d,
            Err(e) => {
                if let Some(a) = attempt {
                    a.cancel();
                }
                return Err(Error::Invalid(e));
            }
        };
        let directory = self.store.directory_entries().await?;
        let (organisation_id, organisation_match) = match_organisation(
            &data.organisation_name,
            data.corporate_number.as_deref(),
            &directory,
        );
        // Every registration gets a personal link (it is in the confirmation mail); the API
        // hands it back only to the guest who registered.
        let token = random_token(16);
        let new = NewRegistration {
            data,
            organisation_id,
            organisation_match,
            user_id,
            source,
            manage_token_hash: Some(token_hash(&token)),
        };
        let ctx = self.mail_context();
        let link_token = token.clone();
        let compose = move |m: MailFor<'_>| mail::compose(&ctx, m, Some(&link_token));
        match self.store.register(&grant, event_id, new, &compose).await? {
            Registered::Created(registration) => Ok(RegisterOutcome::Created {
                registration,
                manage_token: (source == RegistrationSource::Guest).then_some(token),
            }),
            Registered::Duplicate => Ok(RegisterOutcome::Duplicate),
        }
    }

    /// The registration a personal link opens, with its event.
    pub async fn registration_by_link(&self, token: &str) -> Result<(Event, Registration)> {
        if token.is_empty() || token.len() > 128 {
            return Err(Error::NotFound);
        }
        let r = self.store.registration_by_token(&token_hash(token)).await?;
        let e = self
            .store
            .event(&access::system_sight(), &r.event_id)
            .await?;
        Ok((e, r))
    }

    /// Cancels through a personal link (no account: the link is the credential).
    pub async fn cancel_with_link(&self, token: &str) -> Result<Registration> {
        let (_, r) = self.registration_by_link(token).await?;
        let grant = access::cancel_with_link(&r.programme_id, &r.id);
        let ctx = self.mail_context();
        let compose = move |m: MailFor<'_>| mail::compose(&ctx, m, None);
        Ok(self
            .store
            .cancel_registration(&grant, &r.id, &compose)
            .await?)
    }

    /// Changes a registration's answers and sessions through its personal link, until the
    /// event begins.
    pub async fn change_with_link(
        &self,
        token: &str,
        answers: &std::collections::BTreeMap<String, String>,
        sessions: &[String],
    ) -> Result<Registration> {
        let (event, r) = self.registration_by_link(token).await?;
        if event.data.held_by(self.now()) {
            return Err(Error::field("event", Problem::RegistrationClosed));
        }
        let mut errs = noguchi_domain::Invalid::default();
        let answers = noguchi_domain::event_form::parse_answers(&event.data.questions, answers)
            .map_err(|e| errs.0.extend(e.0))
            .ok();
        let sessions = noguchi_domain::event_form::parse_chosen(&event.data.sessions, sessions)
            .map_err(|e| errs.0.extend(e.0))
            .ok();
        let (Some(answers), Some(sessions)) = (answers, sessions) else {
            return Err(Error::Invalid(errs));
        };
        let grant = access::cancel_with_link(&r.programme_id, &r.id);
        Ok(self
            .store
            .change_registration(&grant, &r.id, answers, sessions)
            .await?)
    }

    /// Cancels a registration for someone (those who run events).
    pub async fn cancel_registration(&self, sight: &Sight, id: &str) -> Result<Registration> {
        let r = self.store.registration(sight, id).await?;
        let grant = access::register_others(signed_in(sight)?, &r.programme_id)?;
        let ctx = self.mail_context();
        let compose = move |m: MailFor<'_>| mail::compose(&ctx, m, None);
        Ok(self.store.cancel_registration(&grant, id, &compose).await?)
    }

    pub async fn check_in(&self, sight: &Sight, id: &str) -> Result<Registration> {
        let r = self.store.registration(sight, id).await?;
        let grant = access::manage_events(signed_in(sight)?, &r.programme_id)?;
        Ok(self.store.check_in(&grant, id).await?)
    }

    /// Links a registration to a directory entry (confirming an uncertain match), or unlinks it.
    pub async fn link_registration(
        &self,
        sight: &Sight,
        id: &str,
        organisation_id: Option<&str>,
    ) -> Result<Registration> {
        let r = self.store.registration(sight, id).await?;
        let grant = access::manage_events(signed_in(sight)?, &r.programme_id)?;
        let organisation_id = organisation_id.map(str::trim).filter(|o| !o.is_empty());
        Ok(self
            .store
            .link_registration(&grant, id, organisation_id)
            .await?)
    }

    pub async fn registration(&self, sight: &Sight, id: &str) -> Result<Registration> {
        signed_in(sight)?;
        Ok(self.store.registration(sight, id).await?)
    }

    /// The registrations of an event (those who run events; anyone else "not found").
    pub async fn registrations(&self, sight: &Sight, event_id: &str) -> Result<Vec<Registration>> {
        signed_in(sight)?;
        Ok(self.store.registrations(sight, event_id).await?)
    }

    /// Registrations whose organisation staff should decide (an uncertain directory match).
    pub fn needs_review(r: &Registration) -> bool {
        r.organisation_id.is_none() && r.organisation_match == OrganisationMatch::Review
    }

    /// The activity figures of fiscal years: events held, participants, firms reached and
    /// first-time firms (every member reads them; they name no one), and for the secretariat
    /// the funnel of the firms reached (it counts confidential entry cases).
    pub async fn activity(
        &self,
        sight: &Sight,
        programme_id: &str,
        years: &[FiscalYear],
    ) -> Result<Vec<ActivityReport>> {
        signed_in(sight)?;
        self.store.programme(programme_id).await?;
        let facts_read = self.network_facts(programme_id).await?;
        let (starts, attendance) = (&facts_read.starts, &facts_read.attendance);
        let facts = if sight.is_secretariat_of(programme_id) {
            Some(self.store.funnel_facts(programme_id).await?)
        } else {
            None
        };
        let now = self.now();
        Ok(years
            .iter()
            .map(|fy| {
                let figures = activity(*fy, now, starts, attendance);
                let funnel = facts
                    .as_ref()
                    .map(|[c, e, v]| noguchi_domain::event::funnel(&figures.firm_ids, c, e, v));
                let funnel_firms = facts.as_ref().map(|sets| {
                    sets.each_ref().map(|set| {
                        figures
                            .firm_ids
                            .iter()
                            .filter(|f| set.contains(*f))
                            .cloned()
                            .collect()
                    })
                });
                ActivityReport {
                    fiscal_year: *fy,
                    figures,
                    funnel,
                    funnel_firms,
                }
            })
            .collect())
    }

    /// The records behind one fiscal year's figures: the events held and the firms reached,
    /// each firm marked first-time and, for the secretariat, with the funnel's steps.
    pub async fn activity_detail(
        &self,
        sight: &Sight,
        programme_id: &str,
        fy: FiscalYear,
    ) -> Result<ActivityDetail> {
        let report = self
            .activity(sight, programme_id, &[fy])
            .await?
            .pop()
            .ok_or(Error::NotFound)?;
        let mut events: Vec<EventView> = self
            .events(sight, programme_id)
            .await?
            .into_iter()
            .filter(|v| report.figures.event_ids.contains(&v.event.id))
            .collect();
        events.sort_by_key(|v| v.event.data.starts_at);
        let facts = &self.network_facts(programme_id).await?.organisations;
        let firms = report
            .figures
            .firm_ids
            .iter()
            .map(|id| FirmReached {
                id: id.clone(),
                name: facts.get(id).map(|(_, n, _)| n.clone()).unwrap_or_default(),
                first_time: report.figures.first_time_ids.contains(id),
                steps: report
                    .funnel_firms
                    .as_ref()
                    .map(|sets| sets.each_ref().map(|s| s.contains(id))),
            })
            .collect();
        Ok(ActivityDetail {
            report,
            events,
            firms,
        })
    }

    /// The network up to the end of a fiscal year. Ties from events join organisations whose
    /// people checked in at the same event; every member sees them (they are the programme's
    /// own gatherings, and name organisations, not people). Ties through a proposal or an NDA
    /// are seen by the parties to that record and the secretariat only.
    pub async fn network(
        &self,
        sight: &Sight,
        programme_id: &str,
        fiscal_year: FiscalYear,
    ) -> Result<NetworkView> {
        signed_in(sight)?;
        self.store.programme(programme_id).await?;
        let read = self.network_facts(programme_id).await?;
        let attendance = &read.attendance;
        let mut per_event: HashMap<&str, network::EventOrganisations> = HashMap::new();
        for a in attendance {
            if let Some(o) = &a.organisation_id {
                per_event
                    .entry(a.event_id.as_str())
                    .or_insert_with(|| network::EventOrganisations {
                        fiscal_year: fiscal_year_of(a.event_starts_at),
                        organisations: Vec::new(),
                    })
                    .organisations
                    .push(o.clone());
            }
        }
        let events: Vec<network::EventOrganisations> = per_event.into_values().collect();
        let mut contacts: Vec<network::Contact> = Vec::new();
        // Proposals, NDAs, deals, entry cases and projects are confidential: a tie through one is kept
        // only for those who may see that record (its parties and the secretariat).
        for c in read.private.iter().cloned() {
            let visible = match &c.record {
                PrivateRecord::Proposal { id, proposer } => {
                    sight.proposal(&access::ProposalScope {
                        id,
                        programme_id,
                        proposer_org: proposer,
                        need_owner: &c.a,
                        candidate_org: &c.b,
                    })
                }
                PrivateRecord::Nda => sight.private_tie(programme_id, &c.a, &c.b),
                PrivateRecord::Deal { shared_with } => sight.deal(programme_id, shared_with),
                PrivateRecord::EntryCase { supporters } => {
                    sight.entry_case(programme_id, &c.a, supporters)
                }
                PrivateRecord::Project { members } => sight.project(programme_id, members),
            };
            let Ok(on) = noguchi_domain::dates::parse_date(&c.on) else {
                continue;
            };
            if visible {
                contacts.push(network::Contact {
                    kind: c.kind,
                    a: c.a,
                    b: c.b,
                    fiscal_year: FiscalYear::of_date(on),
                });
            }
        }
        let ties = network::network_ties(&events, &contacts, fiscal_year);
        let facts = &read.organisations;
        // Each organisation's kind read once, not once per tie end.
        let kinds: HashMap<&str, OrganisationKind> = facts
            .iter()
            .filter_map(|(id, (k, _, _))| Some((id.as_str(), OrganisationKind::parse(k).ok()?)))
            .collect();
        let kind_of = |id: &str| kinds.get(id).copied();
        let sector = |id: &str| kind_of(id).map_or(Sector::Other, network::sector_of);
        let metrics = network::metrics(&ties, fiscal_year, sector);
        // Local firms with a tie to the hospital or the university (the seed's 産学医 link).
        let local_firm = |id: &str| {
            kind_of(id) == Some(OrganisationKind::Company)
                && facts.get(id).is_some_and(|(_, _, local)| *local)
        };
        let clinical_or_academic = |id: &str| {
            matches!(
                kind_of(id),
                Some(OrganisationKind::Hospital | OrganisationKind::University)
            )
        };
        let mut tied_local_firms = std::collections::BTreeSet::new();
        for t in &ties {
            if local_firm(&t.a) && clinical_or_academic(&t.b) {
                tied_local_firms.insert(t.a.clone());
            }
            if local_firm(&t.b) && clinical_or_academic(&t.a) {
                tied_local_firms.insert(t.b.clone());
            }
        }
        let tied: std::collections::HashSet<&str> = ties
            .iter()
            .flat_map(|t| [t.a.as_str(), t.b.as_str()])
            .collect();
        let mut names = BTreeMap::new();
        let mut sectors = BTreeMap::new();
        for o in tied {
            if let Some((_, n, _)) = facts.get(o) {
                names.insert(o.to_owned(), n.clone());
            }
            sectors.insert(o.to_owned(), sector(o));
        }
        let brokers = network::brokers(&ties, 10);
        Ok(NetworkView {
            fiscal_year,
            ties,
            metrics,
            names,
            sectors,
            brokers,
            local_firms_tied: tied_local_firms.len(),
        })
    }

    /// The fiscal years the KPI page and the council pack show activity for: the last five up
    /// to `as_of`, not before the programme's baseline.
    pub fn activity_years(
        &self,
        programme: &crate::records::Programme,
        as_of: FiscalYear,
    ) -> Vec<FiscalYear> {
        let first = (as_of.0 - 4).max(programme.definition.baseline_fiscal_year);
        (first..=as_of.0).map(FiscalYear).collect()
    }

    /// The outbox of the programmes the caller is the secretariat of.
    pub async fn outbox(&self, sight: &Sight) -> Result<Vec<crate::records::QueuedMail>> {
        signed_in(sight)?;
        Ok(self.store.outbox(sight, 200).await?)
    }

    pub(crate) fn mail_context(&self) -> MailContext {
        MailContext {
            public_url: self.public_url.clone(),
        }
    }
}
