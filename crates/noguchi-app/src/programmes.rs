//! Programmes: their definitions (council members, roles, strategies, indicators and targets),
//! loaded from definition files, and which one a caller works in.

use crate::records::Programme;
use crate::{App, Result, Sight, signed_in};
use noguchi_domain::programme::ProgrammeDefinition;

impl App {
    /// Every programme of the installation (any signed-in member reads their definitions).
    pub async fn programmes(&self, sight: &Sight) -> Result<Vec<Programme>> {
        signed_in(sight)?;
        Ok(self.store.programmes().await?)
    }

    /// A programme by id. Public pages (the needs catalogue) name the programme too, so its
    /// definition is readable without an account.
    pub async fn programme(&self, id: &str) -> Result<Programme> {
        Ok(self.store.programme(id).await?)
    }

    /// The programme a caller works in: the first one its organisation belongs to, else the
    /// first of the installation.
    pub async fn home_programme(&self, sight: &Sight) -> Result<Option<Programme>> {
        let p = signed_in(sight)?;
        let programmes = self.store.programmes().await?;
        let mine = programmes
            .iter()
            .position(|prog| p.programmes.iter().any(|r| r.programme_id == prog.id))
            .unwrap_or(0);
        Ok(programmes.into_iter().nth(mine))
    }

    /// Loads a programme definition unless one with its slug exists (first start, and the
    /// command line); returns the programme's id.
    pub async fn load_programme(&self, def: &ProgrammeDefinition) -> Result<String> {
        Ok(self.store.load_programme(def).await?)
    }
}
