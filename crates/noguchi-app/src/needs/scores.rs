//! Scoring needs (目利き) on the programme's named criteria. Scores are the reviewers' working
//! data: the secretariat and the scoring roles read and give them, nobody else.

use crate::records::{Need, ScoreComment};
use crate::{App, Result, Sight, signed_in};
use noguchi_domain::access;
use noguchi_domain::curation::{ScoreInput, ScoreSheet, summarise};

/// One criterion as the reviewers scored it.
#[derive(Debug, Clone)]
pub struct CriterionScore {
    pub key: String,
    /// The programme's name of the criterion, and its English name when it has one (the
    /// interface picks the caller's language).
    pub label: String,
    pub label_en: Option<String>,
    /// Mean over the reviewers who scored it (1–5).
    pub average: Option<f64>,
    pub reviewers: usize,
    /// The caller's own score.
    pub mine: Option<i64>,
}

/// A need's scores as a reviewer sees them: per criterion, overall, and the comments.
#[derive(Debug, Clone)]
pub struct NeedScoreView {
    pub criteria: Vec<CriterionScore>,
    pub overall: Option<f64>,
    /// Distinct reviewers who scored anything.
    pub reviewers: usize,
    pub comments: Vec<ScoreComment>,
}

impl App {
    /// The scores of a need (the secretariat and the scoring roles).
    pub async fn need_scores(&self, sight: &Sight, need_id: &str) -> Result<NeedScoreView> {
        let p = signed_in(sight)?;
        let n = self.store.need(sight, need_id).await?;
        access::score_need(p, &n.programme_id)?;
        self.score_view(sight, &p.user_id, &n).await
    }

    /// Records the caller's scores of a need on the programme's criteria (replacing theirs; a
    /// sheet without a comment keeps their earlier comment).
    pub async fn score_need(
        &self,
        sight: &Sight,
        need_id: &str,
        input: &ScoreInput,
    ) -> Result<NeedScoreView> {
        let p = signed_in(sight)?;
        let n = self.store.need(sight, need_id).await?;
        let grant = access::score_need(p, &n.programme_id)?;
        let programme = self.store.programme(&n.programme_id).await?;
        let sheet = ScoreSheet::parse(input, &programme.definition.needs.criteria)?;
        self.store.score_need(&grant, need_id, &sheet).await?;
        self.score_view(sight, &p.user_id, &n).await
    }

    async fn score_view(&self, sight: &Sight, user_id: &str, n: &Need) -> Result<NeedScoreView> {
        let programme = self.store.programme(&n.programme_id).await?;
        let criteria = &programme.definition.needs.criteria;
        let scores = self.store.need_scores(sight, &n.id).await?;
        let summary = summarise(criteria, &scores.given, false);
        Ok(NeedScoreView {
            criteria: summary
                .criteria
                .into_iter()
                .map(|c| CriterionScore {
                    mine: scores
                        .given
                        .iter()
                        .find(|g| g.reviewer == user_id && g.criterion == c.key)
                        .map(|g| g.score),
                    label_en: criteria
                        .iter()
                        .find(|x| x.key == c.key)
                        .and_then(|x| x.label_en.clone()),
                    key: c.key,
                    label: c.label,
                    average: c.average,
                    reviewers: c.reviewers,
                })
                .collect(),
            overall: summary.overall,
            reviewers: summary.reviewers,
            comments: scores.comments,
        })
    }
}
