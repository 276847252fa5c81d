//! The follow-up of an event: a short survey sent to those who came (and only to them), whose
//! answer "I would like a consultation" turns into work for the secretariat on the firm's
//! entry case. The rules here are pure: what an answer holds and what it asks of the programme.

use crate::pipeline::ConsultationCategory;
use crate::validation::{Invalid, Problem, optional_text};

/// How many days the secretariat has to answer a consultation wish (the due date of the next
/// action it creates).
pub const CONSULTATION_DUE_DAYS: i64 = 7;

/// A follow-up answer as an interface read it.
#[derive(Debug, Clone, Default)]
pub struct FollowupInput {
    /// 1 (not useful) to 5 (very useful).
    pub satisfaction: Option<String>,
    pub comment: Option<String>,
    /// The participant would like a consultation with the programme.
    pub consultation: bool,
    /// On what (a consultation category), when a consultation is wished.
    pub topic: Option<String>,
}

/// A validated follow-up answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowupData {
    pub satisfaction: i64,
    pub comment: Option<String>,
    /// The consultation wished, and on what.
    pub consultation: Option<ConsultationCategory>,
}

impl FollowupData {
    pub fn parse(input: &FollowupInput) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let satisfaction = errs.take(
            "satisfaction",
            match input.satisfaction.as_deref().map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(s) => match s.parse::<i64>() {
                    Ok(n) if (1..=5).contains(&n) => Ok(n),
                    Ok(_) => Err(Problem::OutOfRange { min: 1, max: 5 }),
                    Err(_) => Err(Problem::NotANumber),
                },
            },
        );
        let comment = errs.take("comment", optional_text(input.comment.as_deref(), 2000));
        let topic = errs.take(
            "topic",
            match input.topic.as_deref().map(str::trim) {
                None | Some("") if input.consultation => Err(Problem::Required),
                None | Some("") => Ok(None),
                Some(t) => ConsultationCategory::parse(t).map(Some),
            },
        );
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(Self {
            satisfaction: satisfaction.expect("checked"),
            comment: comment.expect("checked"),
            consultation: if input.consultation {
                topic.expect("checked")
            } else {
                None
            },
        })
    }
}

/// A consultation category in the words the secretariat's notes and mail use (the pages take
/// theirs from the interface's catalogue, which says the same).
pub fn topic_words(c: ConsultationCategory) -> &'static str {
    match c {
        ConsultationCategory::Strategy => "経営戦略",
        ConsultationCategory::Development => "製品開発",
        ConsultationCategory::Ip => "知的財産",
        ConsultationCategory::Regulatory => "薬事・許認可",
        ConsultationCategory::Sales => "販路開拓",
        ConsultationCategory::Finance => "資金調達",
    }
}

/// The next action a consultation wish gives the secretariat on the firm's entry case.
pub fn consultation_action(event_title: &str) -> String {
    let mut title: String = event_title.chars().take(200).collect();
    if title.len() < event_title.len() {
        title.push('…');
    }
    format!("相談希望への対応（「{title}」のフォローアップ）")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(s: &str, consultation: bool, topic: Option<&str>) -> FollowupInput {
        FollowupInput {
            satisfaction: Some(s.into()),
            comment: Some("  参考になりました  ".into()),
            consultation,
            topic: topic.map(Into::into),
        }
    }

    #[test]
    fn an_answer_needs_a_score_from_one_to_five() {
        let d = FollowupData::parse(&input("4", false, None)).unwrap();
        assert_eq!(d.satisfaction, 4);
        assert_eq!(d.comment.as_deref(), Some("参考になりました"));
        assert_eq!(d.consultation, None);
        for bad in ["0", "6", "x", ""] {
            let e = FollowupData::parse(&input(bad, false, None)).unwrap_err();
            assert_eq!(e.0[0].field, "satisfaction", "{bad}");
        }
    }

    #[test]
    fn a_consultation_wish_names_its_topic() {
        let e = FollowupData::parse(&input("5", true, None)).unwrap_err();
        assert_eq!(e.0[0].field, "topic");
        assert_eq!(e.0[0].problem, Problem::Required);
        let e = FollowupData::parse(&input("5", true, Some("space"))).unwrap_err();
        assert_eq!(e.0[0].field, "topic");
        let d = FollowupData::parse(&input("5", true, Some("regulatory"))).unwrap();
        assert_eq!(d.consultation, Some(ConsultationCategory::Regulatory));
        // A topic without the wish is no wish.
        let d = FollowupData::parse(&input("5", false, Some("regulatory"))).unwrap();
        assert_eq!(d.consultation, None);
    }

    #[test]
    fn the_action_names_the_event_within_bounds() {
        assert_eq!(
            consultation_action("薬機法入門"),
            "相談希望への対応（「薬機法入門」のフォローアップ）"
        );
        let long = "あ".repeat(250);
        assert!(consultation_action(&long).chars().count() < 240);
    }
}
