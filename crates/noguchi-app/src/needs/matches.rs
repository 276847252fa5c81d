//! Matching from both ends: the seeds and firms ranked for a need, and the needs that fit the
//! caller's organisation. The ranking itself is in [`crate::matching`]; here the need is read
//! through the caller's sight first, and the needs found are shown as the caller may see them.

use super::{NeedView, view};
use crate::matching::Candidate;
use crate::{App, Result, Sight, signed_in};
use noguchi_domain::matching::Reason;

/// A need that fits the caller's organisation.
#[derive(Debug, Clone)]
pub struct NeedFit {
    pub need: NeedView,
    pub score: f32,
    pub reasons: Vec<Reason>,
}

/// Needs for the caller's organisation, best first.
#[derive(Debug, Clone)]
pub struct NeedsForMe {
    /// The organisation offers nothing to search with yet (no capabilities, no seeds).
    pub offer_empty: bool,
    pub items: Vec<NeedFit>,
}

impl App {
    /// Seeds and firms ranked for a need the caller may see, each with its reasons; only what
    /// the caller may see is ranked.
    pub async fn need_matches(
        &self,
        sight: &Sight,
        need_id: &str,
        limit: usize,
    ) -> Result<Vec<Candidate>> {
        signed_in(sight)?;
        let need = self.store.need(sight, need_id).await?;
        self.candidates(sight, &need, limit).await
    }

    /// Needs of the programme the caller may see that fit its organisation's capabilities and
    /// seeds (closed needs and its own left out).
    pub async fn needs_for_me(
        &self,
        sight: &Sight,
        programme_id: &str,
        limit: usize,
    ) -> Result<NeedsForMe> {
        let p = signed_in(sight)?;
        self.store.programme(programme_id).await?;
        let (offer, _) = self
            .offer_text(sight, programme_id, &p.organisation_id)
            .await?;
        let items = self
            .needs_for(sight, programme_id, limit)
            .await?
            .into_iter()
            .map(|m| NeedFit {
                need: view(sight, m.need),
                score: m.score,
                reasons: m.reasons,
            })
            .collect();
        Ok(NeedsForMe {
            offer_empty: offer.trim().is_empty(),
            items,
        })
    }
}
