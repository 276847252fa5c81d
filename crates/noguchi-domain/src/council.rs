//! The liaison council (seed §7: 会津若松医工連携連絡会議): its meetings, their agenda (each item
//! public or withheld under a category of the information-disclosure ordinance), minutes in the
//! municipal form (drafted, approved by the chair and one member, published), decisions and the
//! actions they give to member organisations. Pure rules: what a visitor may read of published
//! minutes, when publication is due, whether an action is overdue, and how an action's status
//! may move.

use crate::validation::{Invalid, Problem, optional_text, required_text};
use time::{Date, Duration};

crate::code_list! {
    /// Why an agenda item is withheld from the published minutes: the categories of
    /// non-disclosure information of a municipal information-disclosure ordinance (情報公開条例).
    WithheldReason {
        /// 個人に関する情報.
        Personal = "personal",
        /// 法人等に関する情報 (a firm's competitive position: an attraction deal, a project).
        Corporate = "corporate",
        /// 審議・検討等に関する情報 (deliberation not yet settled).
        Deliberation = "deliberation",
        /// 事務・事業に関する情報 (a negotiation, a procurement).
        Administrative = "administrative",
        /// 法令秘情報 and other information protected by law or agreement (an NDA).
        Confidential = "confidential",
    }
}

impl WithheldReason {
    /// Reads a reason as people write it: the code or the ordinance's words.
    pub fn read(raw: &str) -> Result<Self, Problem> {
        let s = raw.trim();
        match s {
            "個人情報" | "個人に関する情報" => Ok(Self::Personal),
            "法人等情報" | "法人等に関する情報" | "法人情報" => {
                Ok(Self::Corporate)
            }
            "審議・検討等情報" | "審議検討等情報" | "審議・検討等に関する情報" => {
                Ok(Self::Deliberation)
            }
            "事務・事業情報" | "事務事業情報" | "事務・事業に関する情報" => {
                Ok(Self::Administrative)
            }
            "法令秘情報" | "守秘義務" => Ok(Self::Confidential),
            other => Self::parse(other),
        }
    }
}

/// An agenda item as an interface read it.
#[derive(Debug, Clone, Default)]
pub struct AgendaInput {
    pub title: Option<String>,
    pub public: Option<bool>,
    pub withheld_reason: Option<String>,
    pub presenter: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaData {
    pub title: String,
    /// None: public. Some: withheld, with the ordinance's category.
    pub withheld: Option<WithheldReason>,
    pub presenter: Option<String>,
}

impl AgendaData {
    /// An item is public unless said otherwise; a withheld item names its reason.
    pub fn parse(input: &AgendaInput) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let title = errs.take("title", required_text(input.title.as_deref(), 300));
        let presenter = errs
            .take("presenter", optional_text(input.presenter.as_deref(), 200))
            .flatten();
        let withheld = if input.public.unwrap_or(true) {
            None
        } else {
            errs.take(
                "withheld_reason",
                match input.withheld_reason.as_deref().map(str::trim) {
                    None | Some("") => Err(Problem::Required),
                    Some(r) => WithheldReason::read(r),
                },
            )
        };
        if !errs.is_empty() {
            return Err(errs.scoped("agenda"));
        }
        Ok(Self {
            title: title.expect("checked"),
            withheld,
            presenter,
        })
    }
}

crate::code_list! {
    /// Where an action stands. Dropping one needs a reason; a done or dropped action may be
    /// reopened, with a reason.
    ActionStatus {
        Open = "open",
        Done = "done",
        Dropped = "dropped",
    }
}

/// Whether a move of an action's status needs a note: dropping and reopening do; completing
/// does not. Moving to the status it has is no move (None).
pub fn action_move_needs_note(from: ActionStatus, to: ActionStatus) -> Option<bool> {
    if from == to {
        return None;
    }
    Some(!matches!(
        (from, to),
        (ActionStatus::Open, ActionStatus::Done)
    ))
}

/// An open action past its due day (the due day itself is still in time).
pub fn overdue(status: ActionStatus, due: Date, today: Date) -> bool {
    status == ActionStatus::Open && today > due
}

/// The publication deadlines the programme sets, in days after the meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicationRules {
    /// An outline (会議の概要) within this many days.
    pub outline_days: u16,
    /// The minutes (会議録) within this many days.
    pub minutes_days: u16,
}

impl Default for PublicationRules {
    /// Common municipal practice: an outline within two weeks, the minutes within a month.
    fn default() -> Self {
        Self {
            outline_days: 14,
            minutes_days: 30,
        }
    }
}

/// When the outline and the minutes of a meeting held on `held_on` are due.
pub fn publication_due(held_on: Date, rules: PublicationRules) -> (Date, Date) {
    (
        held_on + Duration::days(rules.outline_days.into()),
        held_on + Duration::days(rules.minutes_days.into()),
    )
}

crate::code_list! {
    /// Minutes in the municipal form: drafted, approved (by the chair and one member), published.
    MinutesState {
        Draft = "draft",
        Approved = "approved",
        Published = "published",
    }
}

/// The two signatures minutes need before publication (議事録署名): the chair's and one
/// member's, different people.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approvals {
    pub chair: Option<(String, Date)>,
    pub member: Option<(String, Date)>,
}

impl Approvals {
    pub fn complete(&self) -> bool {
        matches!((&self.chair, &self.member), (Some((c, _)), Some((m, _))) if c != m)
    }
}

/// An agenda item, its decisions and their actions, as the published minutes hold them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesItem<D> {
    pub title: String,
    pub withheld: Option<WithheldReason>,
    pub decisions: Vec<D>,
}

/// What a reader outside the programme may read of an item: a public item whole; a withheld
/// one as its reason only — no title, no decisions, no actions (the title of an item about a
/// firm's confidential deal is itself confidential).
pub fn visible_to_public<D>(item: MinutesItem<D>) -> MinutesItem<D> {
    match item.withheld {
        None => item,
        Some(reason) => MinutesItem {
            title: String::new(),
            withheld: Some(reason),
            decisions: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_withheld_item_names_an_ordinance_category() {
        let ok = AgendaData::parse(&AgendaInput {
            title: Some("企業誘致案件の状況".into()),
            public: Some(false),
            withheld_reason: Some("法人等情報".into()),
            presenter: None,
        })
        .unwrap();
        assert_eq!(ok.withheld, Some(WithheldReason::Corporate));
        let public = AgendaData::parse(&AgendaInput {
            title: Some("KPIの進捗".into()),
            ..AgendaInput::default()
        })
        .unwrap();
        assert_eq!(public.withheld, None);
        let err = AgendaData::parse(&AgendaInput {
            title: Some("x".into()),
            public: Some(false),
            ..AgendaInput::default()
        })
        .unwrap_err();
        assert_eq!(err.0[0].field, "withheld_reason");
        assert!(WithheldReason::read("なんとなく").is_err());
    }

    #[test]
    fn an_action_is_overdue_only_when_open_past_its_day() {
        let due = date!(2026 - 07 - 31);
        assert!(!overdue(ActionStatus::Open, due, date!(2026 - 07 - 31)));
        assert!(overdue(ActionStatus::Open, due, date!(2026 - 08 - 01)));
        assert!(!overdue(ActionStatus::Done, due, date!(2026 - 12 - 01)));
        assert_eq!(
            action_move_needs_note(ActionStatus::Open, ActionStatus::Done),
            Some(false)
        );
        assert_eq!(
            action_move_needs_note(ActionStatus::Open, ActionStatus::Dropped),
            Some(true)
        );
        assert_eq!(
            action_move_needs_note(ActionStatus::Done, ActionStatus::Open),
            Some(true)
        );
        assert_eq!(
            action_move_needs_note(ActionStatus::Done, ActionStatus::Done),
            None
        );
    }

    #[test]
    fn minutes_need_two_different_signatures_and_hide_withheld_items_whole() {
        let mut a = Approvals::default();
        assert!(!a.complete());
        a.chair = Some(("chair".into(), date!(2026 - 06 - 20)));
        a.member = Some(("chair".into(), date!(2026 - 06 - 21)));
        assert!(!a.complete(), "the chair cannot sign twice");
        a.member = Some(("member".into(), date!(2026 - 06 - 21)));
        assert!(a.complete());
        let (outline, minutes) =
            publication_due(date!(2026 - 06 - 15), PublicationRules::default());
        assert_eq!(
            (outline, minutes),
            (date!(2026 - 06 - 29), date!(2026 - 07 - 15))
        );
        let hidden = visible_to_public(MinutesItem {
            title: "企業誘致案件 A社".into(),
            withheld: Some(WithheldReason::Corporate),
            decisions: vec!["条件を再提示する"],
        });
        assert_eq!(hidden.title, "");
        assert!(hidden.decisions.is_empty());
        let shown = visible_to_public(MinutesItem {
            title: "KPI".into(),
            withheld: None,
            decisions: vec!["セミナーを年3回"],
        });
        assert_eq!(shown.decisions.len(), 1);
    }
}
