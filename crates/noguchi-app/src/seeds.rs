//! Seeds: research results of the university and technologies of firms. Every member reads
//! them (they are what needs are matched with); the holder organisation and the secretariat
//! keep them, and only the secretariat registers a seed for another organisation.

use crate::records::{Programme, Seed};
use crate::{App, Result, Sight, Submitted, signed_in};
use noguchi_domain::access;
use noguchi_domain::needs::{SeedData, SeedInput};

impl App {
    /// The seeds of a programme (any member), newest first.
    pub async fn seeds(&self, sight: &Sight, programme_id: &str) -> Result<Vec<Seed>> {
        signed_in(sight)?;
        Ok(self.store.seeds(sight, programme_id).await?)
    }

    pub async fn seed(&self, sight: &Sight, id: &str) -> Result<Seed> {
        signed_in(sight)?;
        Ok(self.store.seed(sight, id).await?)
    }

    /// Whether the caller may register a seed in the programme: any member for its own
    /// organisation, the secretariat for anyone (a display flag).
    pub fn may_create_seed(&self, sight: &Sight, programme_id: &str) -> bool {
        sight
            .principal()
            .is_some_and(|p| access::manage_seed(p, programme_id, &p.organisation_id).is_ok())
    }

    /// Whether the caller keeps the seed (a display flag).
    pub fn may_edit_seed(&self, sight: &Sight, seed: &Seed) -> bool {
        sight.principal().is_some_and(|p| {
            access::manage_seed(p, &seed.programme_id, &seed.data.holder_organisation_id).is_ok()
        })
    }

    /// Opens the form of a new seed: the programme, when the caller may register one.
    pub async fn prepare_seed(&self, sight: &Sight, programme_id: &str) -> Result<Programme> {
        let p = signed_in(sight)?;
        let programme = self.store.programme(programme_id).await?;
        access::manage_seed(p, programme_id, &p.organisation_id)?;
        Ok(programme)
    }

    /// Registers a seed; without a holder it is the caller's organisation's.
    pub async fn create_seed(
        &self,
        sight: &Sight,
        programme_id: &str,
        mut input: Submitted<SeedInput>,
    ) -> Result<Seed> {
        let p = signed_in(sight)?;
        self.store.programme(programme_id).await?;
        if input
            .input
            .holder_organisation_id
            .as_deref()
            .is_none_or(|h| h.trim().is_empty())
        {
            input.input.holder_organisation_id = Some(p.organisation_id.clone());
        }
        let data = input.parse(SeedData::parse)?;
        let grant = access::manage_seed(p, programme_id, &data.holder_organisation_id)?;
        Ok(self.store.create_seed(&grant, programme_id, data).await?)
    }

    /// The seed to edit, when the caller keeps it.
    pub async fn seed_to_edit(&self, sight: &Sight, id: &str) -> Result<Seed> {
        let p = signed_in(sight)?;
        let s = self.store.seed(sight, id).await?;
        access::manage_seed(p, &s.programme_id, &s.data.holder_organisation_id)?;
        Ok(s)
    }

    /// Changes a seed (its holder, or the secretariat). The new holder must be the caller's to
    /// give too: its own organisation, or anyone for the secretariat.
    pub async fn update_seed(
        &self,
        sight: &Sight,
        id: &str,
        input: Submitted<SeedInput>,
    ) -> Result<Seed> {
        let p = signed_in(sight)?;
        let s = self.seed_to_edit(sight, id).await?;
        let data = input.parse(SeedData::parse)?;
        let grant = access::manage_seed(p, &s.programme_id, &data.holder_organisation_id)?;
        Ok(self.store.update_seed(&grant, id, data).await?)
    }
}
