//! Curation of clinical needs (目利き): the status workflow 受付 → 精査 → 公開 → マッチング中 →
//! プロジェクト化 → 終了, and scores on the programme's named criteria.
//!
//! Status and disclosure are independent: the disclosure level decides who may see a need, the
//! status says how far the secretariat has taken it. What ties them is the guard: a need held for
//! patient information cannot be published, matched or turned into a project until released.

use crate::needs::NeedStatus;
use crate::validation::{Invalid, Problem, optional_text};
use serde::Deserialize;

/// The workflow order; `Closed` (終了) ends it from anywhere.
pub const STATUS_ORDER: &[NeedStatus] = &[
    NeedStatus::Received,
    NeedStatus::Screening,
    NeedStatus::Published,
    NeedStatus::Matching,
    NeedStatus::Project,
    NeedStatus::Closed,
];

fn rank(s: NeedStatus) -> usize {
    STATUS_ORDER
        .iter()
        .position(|x| *x == s)
        .expect("every status is in the order")
}

/// Statuses that show the need to others as an active, curated need.
pub fn is_public_facing(s: NeedStatus) -> bool {
    matches!(
        s,
        NeedStatus::Published | NeedStatus::Matching | NeedStatus::Project
    )
}

/// Checks a status move. Forward moves need nothing (steps may be skipped: an obvious need
/// goes straight from 受付 to 公開); a finished project may close; moving back, closing early
/// or reopening needs a note, so the history says why; a held need is not published.
pub fn check_status_move(
    from: NeedStatus,
    to: NeedStatus,
    held: bool,
    note: Option<&str>,
) -> Result<(), Problem> {
    let refuse = |note_required| Problem::StageMove {
        from: from.code().into(),
        to: to.code().into(),
        note_required,
    };
    if from == to {
        return Err(refuse(false));
    }
    if held && is_public_facing(to) {
        return Err(Problem::Held);
    }
    let has_note = note.is_some_and(|n| !n.trim().is_empty());
    let natural_end = to == NeedStatus::Closed && from == NeedStatus::Project;
    let forward = rank(to) > rank(from) && to != NeedStatus::Closed;
    if forward || natural_end || has_note {
        Ok(())
    } else {
        Err(refuse(true))
    }
}

/// The status a new need starts at, for every channel it can arrive through (form, API, sheet
/// import, survey answer): the one asked for, except that a need the guard holds starts at 受付
/// whatever was asked. A held need recorded as 公開 would be counted in every board and figure
/// by status while nobody but its reviewers may read it.
pub fn status_at_creation(requested: NeedStatus, held: bool) -> NeedStatus {
    if held {
        NeedStatus::Received
    } else {
        requested
    }
}

/// One named criterion the programme scores needs on.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub key: String,
    pub label: String,
    pub label_en: Option<String>,
}

/// Criteria used when a programme definition names none: what needs-pitch programmes commonly
/// judge (clinical value, market, feasibility, fit with local firms, urgency).
pub fn default_criteria() -> Vec<Criterion> {
    [
        ("clinical_value", "臨床的価値", "Clinical value"),
        ("market", "市場性", "Market"),
        ("feasibility", "技術的実現性", "Technical feasibility"),
        ("local_fit", "地域企業との適合", "Fit with local firms"),
        ("urgency", "緊急度", "Urgency"),
    ]
    .into_iter()
    .map(|(k, ja, en)| Criterion {
        key: k.into(),
        label: ja.into(),
        label_en: Some(en.into()),
    })
    .collect()
}

pub const MIN_SCORE: i64 = 1;
pub const MAX_SCORE: i64 = 5;

/// One reviewer's scores of one need, as submitted (criterion key → score, and a comment).
#[derive(Debug, Clone, Default)]
pub struct ScoreInput {
    pub scores: Vec<(String, Option<String>)>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreSheet {
    /// (criterion key, 1–5); criteria left blank are not scored.
    pub scores: Vec<(String, i64)>,
    pub comment: Option<String>,
}

impl ScoreSheet {
    /// Parses scores against the programme's criteria. Fields are named `scores.KEY`.
    pub fn parse(input: &ScoreInput, criteria: &[Criterion]) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let mut scores = Vec::new();
        for (key, raw) in &input.scores {
            let field = format!("scores.{key}");
            let Some(criterion) = criteria.iter().find(|c| &c.key == key) else {
                errs.push(field, Problem::UnknownValue { value: key.clone() });
                continue;
            };
            let label = (criterion.label.clone(), criterion.label_en.clone());
            let raw = crate::text::fold_width(raw.as_deref().unwrap_or("").trim());
            if raw.is_empty() {
                continue;
            }
            match raw.parse::<i64>() {
                Ok(n) if (MIN_SCORE..=MAX_SCORE).contains(&n) => {
                    scores.retain(|(k, _)| k != key);
                    scores.push((key.clone(), n));
                }
                Ok(_) => errs.push_labelled(
                    field,
                    Problem::OutOfRange {
                        min: MIN_SCORE,
                        max: MAX_SCORE,
                    },
                    label,
                ),
                Err(_) => errs.push_labelled(field, Problem::NotANumber, label),
            }
        }
        let comment = errs.take("comment", optional_text(input.comment.as_deref(), 2000));
        if scores.is_empty() && errs.is_empty() {
            errs.push("scores", Problem::Required);
        }
        errs.into_result(Self {
            scores,
            comment: comment.flatten(),
        })
    }
}

/// A stored score: who gave it, for which criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenScore {
    pub reviewer: String,
    pub criterion: String,
    pub score: i64,
}

/// The average of one criterion over the reviewers who scored it.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionSummary {
    pub key: String,
    pub label: String,
    pub average: Option<f64>,
    pub reviewers: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSummary {
    pub criteria: Vec<CriterionSummary>,
    /// Mean of the criteria averages that have scores (each criterion weighs the same).
    pub overall: Option<f64>,
    /// Distinct reviewers who scored anything.
    pub reviewers: usize,
}

pub fn summarise(criteria: &[Criterion], given: &[GivenScore], english: bool) -> ScoreSummary {
    let rows: Vec<CriterionSummary> = criteria
        .iter()
        .map(|c| {
            let mine: Vec<i64> = given
                .iter()
                .filter(|g| g.criterion == c.key)
                .map(|g| g.score)
                .collect();
            CriterionSummary {
                key: c.key.clone(),
                label: if english {
                    c.label_en.clone().unwrap_or_else(|| c.label.clone())
                } else {
                    c.label.clone()
                },
                average: (!mine.is_empty())
                    .then(|| mine.iter().sum::<i64>() as f64 / mine.len() as f64),
                reviewers: mine.len(),
            }
        })
        .collect();
    let averages: Vec<f64> = rows.iter().filter_map(|r| r.average).collect();
    let mut reviewers: Vec<&str> = given
        .iter()
        .filter(|g| criteria.iter().any(|c| c.key == g.criterion))
        .map(|g| g.reviewer.as_str())
        .collect();
    reviewers.sort_unstable();
    reviewers.dedup();
    ScoreSummary {
        overall: (!averages.is_empty())
            .then(|| averages.iter().sum::<f64>() / averages.len() as f64),
        criteria: rows,
        reviewers: reviewers.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NeedStatus::*;

    #[test]
    fn a_held_need_is_created_received_whatever_was_asked() {
        for s in NeedStatus::ALL {
            assert_eq!(status_at_creation(*s, true), NeedStatus::Received);
            assert_eq!(status_at_creation(*s, false), *s);
        }
    }

    #[test]
    fn forward_moves_are_free_and_others_need_a_note() {
        assert_eq!(check_status_move(Received, Screening, false, None), Ok(()));
        assert_eq!(
            check_status_move(Received, Published, false, None),
            Ok(()),
            "steps may be skipped"
        );
        assert_eq!(check_status_move(Project, Closed, false, None), Ok(()));
        for (from, to) in [
            (Published, Screening),
            (Matching, Published),
            (Received, Closed),
            (Closed, Screening),
        ] {
            assert!(
                matches!(
                    check_status_move(from, to, false, None),
                    Err(Problem::StageMove {
                        note_required: true,
                        ..
                    })
                ),
                "{from:?} → {to:?}"
            );
            assert_eq!(
                check_status_move(from, to, false, Some("理由")),
                Ok(()),
                "{from:?} → {to:?}"
            );
        }
        assert!(check_status_move(Published, Published, false, Some("x")).is_err());
    }

    #[test]
    fn a_held_need_is_not_published() {
        for to in [Published, Matching, Project] {
            assert_eq!(
                check_status_move(Screening, to, true, Some("x")),
                Err(Problem::Held)
            );
        }
        assert_eq!(check_status_move(Received, Screening, true, None), Ok(()));
        assert_eq!(
            check_status_move(Received, Closed, true, Some("重複")),
            Ok(())
        );
    }

    #[test]
    fn scores_are_checked_against_the_criteria() {
        let c = default_criteria();
        let ok = ScoreSheet::parse(
            &ScoreInput {
                scores: vec![
                    ("market".into(), Some("４".into())),
                    ("urgency".into(), Some("".into())),
                ],
                comment: Some(" 有望 ".into()),
            },
            &c,
        )
        .unwrap();
        assert_eq!(ok.scores, [("market".to_string(), 4)]);
        assert_eq!(ok.comment.as_deref(), Some("有望"));
        let err = ScoreSheet::parse(
            &ScoreInput {
                scores: vec![
                    ("market".into(), Some("6".into())),
                    ("beauty".into(), Some("3".into())),
                    ("urgency".into(), Some("high".into())),
                ],
                comment: None,
            },
            &c,
        )
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["scores.market", "scores.beauty", "scores.urgency"]);
        assert_eq!(
            err.0[0].label,
            Some(("市場性".to_string(), Some("Market".to_string()))),
            "a criterion's error carries its label"
        );
        assert_eq!(
            ScoreSheet::parse(&ScoreInput::default(), &c).unwrap_err().0[0].field,
            "scores"
        );
    }

    #[test]
    fn summaries_average_each_criterion_over_its_reviewers() {
        let c = default_criteria();
        let g = |r: &str, k: &str, s| GivenScore {
            reviewer: r.into(),
            criterion: k.into(),
            score: s,
        };
        let s = summarise(
            &c,
            &[
                g("a", "market", 4),
                g("b", "market", 5),
                g("a", "urgency", 2),
                g("c", "retired_criterion", 1),
            ],
            false,
        );
        let market = s.criteria.iter().find(|x| x.key == "market").unwrap();
        assert_eq!((market.average, market.reviewers), (Some(4.5), 2));
        assert_eq!(market.label, "市場性");
        assert_eq!(s.overall, Some((4.5 + 2.0) / 2.0));
        assert_eq!(
            s.reviewers, 2,
            "scores of criteria no longer defined do not count"
        );
        let none = summarise(&c, &[], true);
        assert_eq!((none.overall, none.reviewers), (None, 0));
        assert_eq!(none.criteria[1].label, "Market");
    }
}
