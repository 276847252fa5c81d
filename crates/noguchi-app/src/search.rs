//! Japanese full-text search over needs, seeds, organisations and projects, restricted to what the caller
//! may see: the query carries the caller's audience tokens, so a hit, a total or a snippet can
//! only come from a record the caller may read.

use crate::{App, Error, Result, Sight, signed_in};
use noguchi_domain::Problem;

pub use noguchi_search::{Hit, Hits, eval};

/// The kinds of record search covers.
pub const KINDS: &[&str] = &["need", "seed", "organisation", "project"];

impl App {
    /// Searches `text`, all kinds or the one named; at most `limit` hits (1–100).
    pub async fn search(
        &self,
        sight: &Sight,
        text: &str,
        kind: Option<&str>,
        limit: usize,
    ) -> Result<Hits> {
        signed_in(sight)?;
        let kinds: Vec<String> = match kind.filter(|k| !k.is_empty()) {
            None => Vec::new(),
            Some(k) if KINDS.contains(&k) => vec![k.to_owned()],
            Some(other) => {
                return Err(Error::field(
                    "type",
                    Problem::UnknownValue {
                        value: other.to_owned(),
                    },
                ));
            }
        };
        // The caller's own writes are in the index before it answers.
        self.apply_queue()
            .await
            .map_err(|e| Error::internal("indexing", e))?;
        self.search
            .search(text, &kinds, sight.audience(), limit.clamp(1, 100))
            .map_err(|e| Error::internal("search", e))
    }
}
