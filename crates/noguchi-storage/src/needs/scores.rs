//! Reviewers' scores of needs on the programme's criteria, and their comments.

use super::load_need;
use crate::audit::Change;
use crate::sql::get;
use crate::{Result, Store, timestamp};
use noguchi_domain::access::{Granted, Sight, permission};
use noguchi_domain::curation::{GivenScore, ScoreSheet};
use serde_json::json;

/// Scores given to a need, and the reviewers' comments.
#[derive(Debug, Clone, Default)]
pub struct NeedScores {
    pub given: Vec<GivenScore>,
    /// (reviewer user id, reviewer name, comment, when)
    pub comments: Vec<ScoreComment>,
}

#[derive(Debug, Clone)]
pub struct ScoreComment {
    pub user_id: String,
    pub user_name: Option<String>,
    pub organisation_name: Option<String>,
    pub comment: String,
    pub at: String,
}

impl Store {
    /// Records the reviewer's scores of a need: each criterion given replaces their earlier
    /// score of it, and a comment replaces their earlier comment.
    pub async fn score_need(
        &self,
        grant: &Granted<permission::ScoreNeed>,
        need_id: &str,
        sheet: &ScoreSheet,
    ) -> Result<()> {
        let mut tx = self.begin(grant.actor()).await?;
        let need = load_need(&mut tx, need_id).await?;
        tx.covers(grant, &need.programme_id)?;
        let now = self.now();
        let user = &grant.actor().user_id;
        for (criterion, score) in &sheet.scores {
            sqlx::query(
                "DELETE FROM need_scores WHERE need_id = $1 AND user_id = $2 AND criterion = $3",
            )
            .bind(need_id)
            .bind(user)
            .bind(criterion)
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO need_scores (need_id, user_id, criterion, score, scored_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(need_id)
                .bind(user)
                .bind(criterion)
                .bind(*score)
                .bind(timestamp(now))
                .execute(&mut *tx)
                .await?;
        }
        // A sheet without a comment keeps the reviewer's earlier one.
        if let Some(c) = &sheet.comment {
            sqlx::query("DELETE FROM need_score_comments WHERE need_id = $1 AND user_id = $2")
                .bind(need_id)
                .bind(user)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO need_score_comments (need_id, user_id, comment, at) VALUES ($1, $2, $3, $4)")
                .bind(need_id)
                .bind(user)
                .bind(c)
                .bind(timestamp(now))
                .execute(&mut *tx)
                .await?;
        }
        tx.audit(Change::update("need_score", need_id, need.label()).after(json!({
                "scores": sheet.scores.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
                "comment": sheet.comment,
            })))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The scores and comments of a need the reader may see (who may read scores at all is the
    /// policy's `score_need`, asked by the use case).
    pub async fn need_scores(&self, sight: &Sight, need_id: &str) -> Result<NeedScores> {
        self.need(sight, need_id).await?;
        let given = sqlx::query("SELECT user_id, criterion, score FROM need_scores WHERE need_id = $1 ORDER BY user_id, criterion")
            .bind(need_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(GivenScore {
                    reviewer: get(r, "user_id")?,
                    criterion: get(r, "criterion")?,
                    score: get(r, "score")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let comments = sqlx::query(
            "SELECT c.*, u.name AS user_name, o.name AS org_name FROM need_score_comments c \
             LEFT JOIN users u ON u.id = c.user_id LEFT JOIN organisations o ON o.id = u.organisation_id \
             WHERE c.need_id = $1 ORDER BY c.at",
        )
        .bind(need_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ScoreComment {
                user_id: get(r, "user_id")?,
                user_name: get(r, "user_name")?,
                organisation_name: get(r, "org_name")?,
                comment: get(r, "comment")?,
                at: get(r, "at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(NeedScores { given, comments })
    }
}
