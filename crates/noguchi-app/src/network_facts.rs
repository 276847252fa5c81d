//! What the activity figures and the network are computed from: every event's start, every
//! check-in, the confidential contacts (proposals, NDAs, deals, entry cases) and each
//! organisation's kind and name. At a large programme that is ten thousand check-ins and five
//! thousand organisations, most of a request's time; it is read once per change and shared.
//!
//! The cache is keyed by the audit chain's position: every change is written with its audit
//! record in one transaction, so an unchanged position means unchanged data. The position is
//! read before the data, so a change that commits in between makes the cached copy newer than
//! its key, never older; the next request reads again. Nothing here is filtered for a reader:
//! the use cases apply the caller's sight to what they take from it, as before.

use crate::{App, Result};
use noguchi_domain::event::Attendance;
use noguchi_storage::PrivateContact;
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;

#[derive(Debug)]
pub struct NetworkFacts {
    /// Every event of the programme with its start.
    pub starts: Vec<(String, OffsetDateTime)>,
    /// Every check-in of a live registration.
    pub attendance: Vec<Attendance>,
    /// Contacts through confidential records, unfiltered.
    pub private: Vec<PrivateContact>,
    /// Each organisation's kind, name and whether it is in the region.
    pub organisations: HashMap<String, (String, String, bool)>,
}

/// The facts of each programme, with the audit position they were read at.
#[derive(Default)]
pub struct FactsCache {
    entries: std::sync::Mutex<HashMap<String, (i64, Arc<NetworkFacts>)>>,
}

impl App {
    /// The facts of a programme as of now: from the cache while nothing has changed.
    pub(crate) async fn network_facts(&self, programme_id: &str) -> Result<Arc<NetworkFacts>> {
        let position = self.store.change_position().await?;
        if let Some((at, facts)) = self
            .facts
            .entries
            .lock()
            .expect("the cache lock is never poisoned: no code panics while holding it")
            .get(programme_id)
            && *at == position
        {
            return Ok(facts.clone());
        }
        let (starts, attendance) = self.store.attendance(programme_id).await?;
        let facts = Arc::new(NetworkFacts {
            starts,
            attendance,
            private: self.store.private_contacts(programme_id).await?,
            organisations: self.store.organisation_facts().await?,
        });
        self.facts
            .entries
            .lock()
            .expect("the cache lock is never poisoned: no code panics while holding it")
            .insert(programme_id.to_owned(), (position, facts.clone()));
        Ok(facts)
    }
}
