//! Noguchi's use cases: one function per thing a user can do. Each takes the application
//! ([`App`]), the caller's [`Sight`] (the verified caller, as the access policy hands it out) and
//! typed input, and returns domain records or an [`Error`].
//!
//! Pages, the JSON API and the command line are thin adapters over this crate: they parse, call
//! one use case and render, so a rule cannot differ between the form and the API. Here live the
//! record-level policy decisions (a read through the caller's sight, a write through a grant),
//! the guard's screening, matching, the search index worker, the checks of imported sheets and
//! the assembly of exports and the council pack.
//!
//! This crate depends on the domain, storage and search crates and never on an interface: it
//! knows nothing of HTTP, HTML, templates, languages or the command line. Sentences shown to
//! people come from the interface's own catalogue; where a use case writes a document (a
//! workbook), the interface passes its labels in ([`Labels`]).

pub mod accounts;
pub mod audit;
pub mod council;
pub mod directory;
pub mod error;
pub mod events;
pub mod events_import;
pub mod followups;
pub mod indexer;
pub mod introductions;
pub mod ledger;
pub mod mail;
pub mod matching;
pub mod needs;
pub mod network_facts;
pub mod nomenclature;
pub mod password;
pub mod pipelines;
pub mod plan;
pub mod programmes;
pub mod project_work;
pub mod projects;
pub mod proposals;
pub mod search;
pub mod seeds;
pub mod setup;
pub mod sheets;
pub mod surveys;

pub use error::{Error, Result};
pub use noguchi_domain::access::Sight;

use noguchi_domain::Invalid;
use noguchi_domain::access::Principal;
use noguchi_search::SearchIndex;
use noguchi_storage::Store;
use std::sync::Arc;

/// The records the use cases return, as the storage reads them.
pub mod records {
    pub use noguchi_storage::{
        Action, Activity, AgendaItem, Attachment, AuditEntry, AuditFilter, Campaign, Consultation,
        CouncilDecision, Deal, EntryCase, Event, Explanation, FollowupAnswer, FollowupCounts,
        Grant, Intake, LinkChange, Meeting, NdaRecord, Need, NeedScores, NewUser, NextAction,
        Outcome, OutcomeFilter, OutcomeSource, Page, Programme, ProgrammeMember, Project,
        ProjectMember, Proposal, QueuedMail, Record, Registration, Review, RevisionRecord,
        ScoreComment, Seed, StageMove, TokenSummary, UserSummary,
    };
}

/// The running application: the store, the search index and what the use cases share.
#[derive(Clone)]
pub struct App {
    store: Store,
    search: Arc<SearchIndex>,
    /// Serialises applying the search queue (the worker and the requests that drain it first).
    indexing: Arc<tokio::sync::Mutex<()>>,
    logins: Arc<accounts::Limiter>,
    /// The threads that check and hash passwords (see [`accounts::workers`]).
    passwords: Arc<accounts::workers::PasswordWorkers>,
    /// Answers to survey links (no account behind them) per link and per address, so a public
    /// form cannot be flooded.
    answers: Arc<accounts::Limiter>,
    /// Guest registrations per event and per address (a public form, like the survey link).
    registrations_limit: Arc<accounts::Limiter>,
    /// The address Noguchi is reached at, for links in mail (`--public-url`).
    public_url: Option<String>,
    /// What the activity figures and the network are computed from, read once per change.
    facts: Arc<network_facts::FactsCache>,
}

impl App {
    pub fn new(store: Store, search: Arc<SearchIndex>) -> Self {
        Self {
            store,
            search,
            indexing: Arc::new(tokio::sync::Mutex::new(())),
            logins: Arc::new(accounts::Limiter::default()),
            passwords: Arc::new(accounts::workers::PasswordWorkers::new()),
            answers: Arc::new(accounts::Limiter::new(
                std::time::Duration::from_secs(15 * 60),
                300,
                20,
            )),
            // Two hundred people may sign up in the first minutes of a popular seminar, and a
            // firm's staff share one address; a flood from one address still meets a limit.
            registrations_limit: Arc::new(accounts::Limiter::new(
                std::time::Duration::from_secs(10 * 60),
                5_000,
                100,
            )),
            public_url: None,
            facts: Arc::default(),
        }
    }

    /// The address Noguchi is reached at (`--public-url`), when set.
    pub fn public_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }

    /// Sets the address Noguchi is reached at, for links in mail.
    pub fn with_public_url(mut self, url: Option<String>) -> Self {
        self.public_url = url.map(|u| u.trim_end_matches('/').to_owned());
        self
    }

    /// Now, from the store's clock (tests freeze it).
    pub fn now(&self) -> time::OffsetDateTime {
        self.store.now()
    }

    pub fn today(&self) -> time::Date {
        self.store.now().date()
    }

    /// Answers when the database answers.
    pub async fn ping(&self) -> Result<()> {
        Ok(self.store.ping().await?)
    }

    /// The caller's sight, from the policy: what a verified principal (or an anonymous
    /// visitor) may read. An administrator acts as the secretariat of every programme.
    pub async fn sight(&self, principal: Option<&Principal>) -> Result<Sight> {
        // The programmes the caller may act as the secretariat of: its own organisation's, and
        // for an administrator every programme (which takes one query; nobody else pays it).
        let all: Vec<String> = match principal {
            Some(p) if p.admin => self
                .store
                .programmes()
                .await?
                .into_iter()
                .map(|p| p.id)
                .collect(),
            Some(p) => p
                .programmes
                .iter()
                .map(|r| r.programme_id.clone())
                .collect(),
            None => Vec::new(),
        };
        Ok(noguchi_domain::access::sight(principal, &all))
    }
}

/// Input as an interface read it, with what the interface itself could not read (letters in a
/// number field of a form), so that one answer names every invalid field.
#[derive(Debug, Clone, Default)]
pub struct Submitted<I> {
    pub input: I,
    pub unreadable: Invalid,
}

impl<I> From<I> for Submitted<I> {
    fn from(input: I) -> Self {
        Self {
            input,
            unreadable: Invalid::default(),
        }
    }
}

impl<I> Submitted<I> {
    /// Parses the input with the domain's parser, reporting the domain's and the interface's
    /// problems together.
    pub fn parse<T>(&self, parse: impl FnOnce(&I) -> Result<T, Invalid>) -> Result<T> {
        noguchi_domain::validation::combine(parse(&self.input), self.unreadable.clone())
            .map_err(Error::Invalid)
    }
}

/// The words a document written by a use case needs (sheet names, column headers), in the
/// caller's language: the interface passes its catalogue in.
pub trait Labels {
    fn t(&self, key: &str) -> String;
    fn t1(&self, key: &str, name: &str, value: &str) -> String;
}

/// The caller as a principal, or "sign in first".
pub(crate) fn signed_in(sight: &Sight) -> Result<&Principal> {
    sight.principal().ok_or(Error::SignInRequired)
}
