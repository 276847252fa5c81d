//! Ranking match candidates for a need, and needs for a firm, each with its explanation. Shared
//! by the API and the pages; the search runs with the caller's audience tokens, so a candidate
//! or a need the caller may not see is never ranked, counted or explained.

use crate::{App, Error, Result, Sight, signed_in};
use noguchi_domain::matching::{CandidateFacts, CandidateKind, Reason, explain};
use noguchi_domain::needs::NeedStatus;
use noguchi_domain::organisation::OrganisationKind;
use noguchi_storage::Need;

/// A seed or a firm ranked for a need.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub kind: CandidateKind,
    pub id: String,
    pub title: String,
    /// The firm, or the seed's holder.
    pub organisation_id: String,
    pub organisation_name: String,
    pub score: f32,
    pub reasons: Vec<Reason>,
}

/// A need ranked for a firm.
#[derive(Debug, Clone)]
pub struct NeedMatch {
    pub need: Need,
    pub score: f32,
    pub reasons: Vec<Reason>,
}

/// Explanations weigh in on the text score, so that among similar texts a firm that names the
/// capability, sits in the region or already worked with the hospital comes first.
fn boost(reasons: &[Reason]) -> f32 {
    reasons
        .iter()
        .map(|r| match r {
            Reason::Capabilities(t) | Reason::SeedFields(t) => 0.15 * t.len().min(2) as f32,
            Reason::LocalFirm => 0.10,
            Reason::EarlierCollaboration(_) => 0.10,
            Reason::SharedTerms(_) => 0.0,
        })
        .sum::<f32>()
        + 1.0
}

fn index_failed(e: impl std::fmt::Display) -> Error {
    Error::internal("search", e)
}

impl App {
    /// Seeds and firms for a need (read through the caller's sight), best first; only what the
    /// caller may see is ranked.
    pub async fn candidates(
        &self,
        sight: &Sight,
        need: &Need,
        limit: usize,
    ) -> Result<Vec<Candidate>> {
        let state = self;
        signed_in(sight)?;
        state.apply_queue().await.map_err(index_failed)?;
        let aud = sight.audience();
        let text = need.data.texts().join("\n");
        // Each kind ranked on its own, so every hit is read from its own table; more than shown is
        // asked for, because firms that are not companies (and the need's own hospital) are dropped.
        let mut hits = Vec::new();
        for kind in [CandidateKind::Seed, CandidateKind::Organisation] {
            for (id, score) in state
                .search
                .rank(&text, &[kind.code().to_owned()], aud, limit * 3)
                .map_err(index_failed)?
            {
                hits.push((kind, id, score));
            }
        }
        hits.sort_by(|a, b| b.2.total_cmp(&a.2));
        let need_terms = state.search.terms(&text);
        let mut out = Vec::new();
        for (kind, id, score) in hits {
            let (title, org_id, org_name, tags, in_region, body) = match kind {
                CandidateKind::Seed => {
                    let Ok(s) = state.store.seed(sight, &id).await else {
                        continue;
                    };
                    if s.programme_id != need.programme_id {
                        continue;
                    }
                    let body = format!("{}\n{}", s.data.title, crate::indexer::seed_body(&s));
                    (
                        s.data.title,
                        s.data.holder_organisation_id,
                        s.holder_name,
                        s.data.fields,
                        false,
                        body,
                    )
                }
                CandidateKind::Organisation => {
                    let Ok(o) = state.store.organisation(&id).await else {
                        continue;
                    };
                    if o.data.kind != OrganisationKind::Company || o.id == need.submitter_org_id {
                        continue;
                    }
                    let body = format!(
                        "{}\n{}",
                        o.data.name,
                        crate::indexer::organisation_body(&o.data)
                    );
                    (
                        o.data.name.clone(),
                        o.id,
                        o.data.name,
                        o.data.capabilities,
                        o.data.in_region,
                        body,
                    )
                }
            };
            let collaborations = state
                .store
                .collaborations(&need.submitter_org_id, &org_id)
                .await? as usize;
            let reasons = explain(
                &text,
                &need_terms,
                &CandidateFacts {
                    terms: &state.search.terms(&body),
                    tags: &tags,
                    kind,
                    in_region,
                    collaborations,
                },
            );
            out.push(Candidate {
                kind,
                id,
                title,
                organisation_id: org_id,
                organisation_name: org_name,
                score: score * boost(&reasons),
                reasons,
            });
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score));
        out.truncate(limit);
        Ok(out)
    }

    /// What a firm offers, as text to search needs with: its capabilities, industry, notes and the
    /// seeds it holds in the programme.
    pub async fn offer_text(
        &self,
        sight: &Sight,
        programme_id: &str,
        organisation_id: &str,
    ) -> Result<(String, Vec<String>)> {
        let state = self;
        let o = state.store.organisation(organisation_id).await?;
        let mut parts: Vec<String> = o.data.capabilities.clone();
        parts.extend(o.data.certifications.iter().cloned());
        parts.extend(o.data.industry.clone());
        parts.extend(o.data.notes.clone());
        let mut tags = o.data.capabilities.clone();
        for s in state.store.seeds(sight, programme_id).await? {
            if s.data.holder_organisation_id == organisation_id {
                parts.push(s.data.title.clone());
                parts.push(s.data.description.clone());
                tags.extend(s.data.fields.iter().cloned());
            }
        }
        Ok((parts.join("\n"), tags))
    }

    /// Needs of a programme that the caller may see and that fit the caller's organisation, best
    /// first; closed needs are left out.
    pub async fn needs_for(
        &self,
        sight: &Sight,
        programme_id: &str,
        limit: usize,
    ) -> Result<Vec<NeedMatch>> {
        let p = signed_in(sight)?;
        self.needs_fitting(sight, programme_id, &p.organisation_id, limit)
            .await
    }

    /// Needs of a programme that the caller may see and that fit `organisation_id` (its
    /// capabilities, certifications and seeds), best first; its own and closed needs left out.
    pub async fn needs_fitting(
        &self,
        sight: &Sight,
        programme_id: &str,
        organisation_id: &str,
        limit: usize,
    ) -> Result<Vec<NeedMatch>> {
        let state = self;
        signed_in(sight)?;
        let (offer, tags) = state
            .offer_text(sight, programme_id, organisation_id)
            .await?;
        if offer.trim().is_empty() {
            return Ok(Vec::new());
        }
        state.apply_queue().await.map_err(index_failed)?;
        let hits = state
            .search
            .rank(&offer, &["need".to_owned()], sight.audience(), limit * 2)
            .map_err(index_failed)?;
        let offer_terms = state.search.terms(&offer);
        let mut out = Vec::new();
        for (id, score) in hits {
            // The index already filtered by audience; the read checks again with the caller's sight.
            let Ok(need) = state.store.need(sight, &id).await else {
                continue;
            };
            if need.programme_id != programme_id
                || need.data.status == NeedStatus::Closed
                || need.submitter_org_id == organisation_id
            {
                continue;
            }
            let text = need.data.texts().join("\n");
            let reasons = explain(
                &text,
                &state.search.terms(&text),
                &CandidateFacts {
                    terms: &offer_terms,
                    tags: &tags,
                    kind: CandidateKind::Organisation,
                    in_region: false,
                    collaborations: 0,
                },
            );
            out.push(NeedMatch {
                score: score * boost(&reasons),
                need,
                reasons,
            });
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score));
        out.truncate(limit);
        Ok(out)
    }
}
