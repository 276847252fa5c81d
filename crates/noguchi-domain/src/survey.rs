//! Needs surveys (医療現場ニーズ調査): a campaign gathers needs from one organisation's clinical
//! floor during a period, through a form that clinicians reach with or without an account.
//!
//! An answer becomes an ordinary need of the campaign's organisation. It starts as `received`
//! at the campaign's disclosure level (by default `internal`: the secretariat and the hospital
//! see it until it is curated), and the patient-information guard screens it like any other.

use crate::dates::parse_date;
use crate::needs::{Disclosure, NeedInput};
use crate::validation::{Invalid, Problem, optional_text, required_text};
use time::Date;

#[derive(Debug, Clone, Default)]
pub struct CampaignInput {
    pub title: Option<String>,
    pub description: Option<String>,
    /// The organisation whose clinical floor is surveyed (a hospital, a care facility).
    pub organisation_id: Option<String>,
    pub opens_on: Option<String>,
    pub closes_on: Option<String>,
    pub default_disclosure: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignData {
    pub title: String,
    pub description: Option<String>,
    pub organisation_id: String,
    pub opens_on: Date,
    /// Last day answers are taken (inclusive); open-ended when absent.
    pub closes_on: Option<Date>,
    pub default_disclosure: Disclosure,
}

impl CampaignData {
    pub fn parse(input: &CampaignInput, today: Date) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let title = errs.take("title", required_text(input.title.as_deref(), 200));
        let description = errs
            .take(
                "description",
                optional_text(input.description.as_deref(), 4000),
            )
            .flatten();
        let organisation_id = errs.take(
            "organisation_id",
            required_text(input.organisation_id.as_deref(), 64),
        );
        let opens_on = errs.take(
            "opens_on",
            match input.opens_on.as_deref().map(str::trim) {
                None | Some("") => Ok(today),
                Some(d) => parse_date(d),
            },
        );
        let closes_on = errs
            .take(
                "closes_on",
                match input.closes_on.as_deref().map(str::trim) {
                    None | Some("") => Ok(None),
                    Some(d) => parse_date(d).map(Some),
                },
            )
            .flatten();
        if let (Some(o), Some(c)) = (opens_on, closes_on)
            && c < o
        {
            errs.push("closes_on", Problem::Date);
        }
        let default_disclosure = errs.take(
            "default_disclosure",
            match input.default_disclosure.as_deref().map(str::trim) {
                None | Some("") => Ok(Disclosure::Internal),
                Some(d) => Disclosure::parse(d),
            },
        );
        if !errs.is_empty() {
            return Err(errs.scoped("campaign"));
        }
        Ok(Self {
            title: title.expect("checked"),
            description,
            organisation_id: organisation_id.expect("checked"),
            opens_on: opens_on.expect("checked"),
            closes_on,
            default_disclosure: default_disclosure.expect("checked"),
        })
    }

    /// Whether answers are taken on `today`.
    pub fn is_open(&self, today: Date) -> bool {
        self.opens_on <= today && self.closes_on.is_none_or(|c| today <= c)
    }

    pub fn to_input(&self) -> CampaignInput {
        use crate::dates::format_date;
        CampaignInput {
            title: Some(self.title.clone()),
            description: self.description.clone(),
            organisation_id: Some(self.organisation_id.clone()),
            opens_on: Some(format_date(self.opens_on)),
            closes_on: self.closes_on.map(format_date),
            default_disclosure: Some(self.default_disclosure.code().into()),
        }
    }
}

/// An answer to a campaign's form, as typed by a clinician.
#[derive(Debug, Clone, Default)]
pub struct AnswerInput {
    pub title: Option<String>,
    pub problem: Option<String>,
    pub population: Option<String>,
    pub outcome: Option<String>,
    pub department: Option<String>,
    pub setting: Option<String>,
    pub category: Option<String>,
    pub frequency: Option<String>,
    pub workaround: Option<String>,
    /// How the secretariat may reach the clinician for questions (optional).
    pub contact: Option<String>,
    /// The clinician confirms the answer names no patient.
    pub attested: bool,
}

/// A need title made from the problem when the clinician gave none: its first sentence,
/// shortened.
pub fn title_from(problem: &str) -> String {
    let first = problem
        .split(['。', '\n', '！', '？', '!', '?'])
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or("");
    let mut t: String = first.chars().take(40).collect();
    if first.chars().count() > 40 {
        t.push('…');
    }
    t
}

/// The parts of an answer that are not the need itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerExtras {
    pub contact: Option<String>,
}

impl AnswerInput {
    /// The need this answer submits, and its extras. Fields keep their need names, so errors
    /// point at the same boxes of the form; the attestation is its own required field.
    pub fn to_need(&self, campaign: &CampaignData) -> Result<(NeedInput, AnswerExtras), Invalid> {
        let mut errs = Invalid::default();
        let contact = errs
            .take("contact", optional_text(self.contact.as_deref(), 200))
            .flatten();
        if !self.attested {
            errs.push("attestation", Problem::NotConfirmed);
        }
        // The problem is the one thing a clinician must write; everything else helps.
        errs.take("problem", required_text(self.problem.as_deref(), 4000));
        if !errs.is_empty() {
            return Err(errs.scoped("need"));
        }
        let problem = self.problem.clone().unwrap_or_default();
        let title = match self.title.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => t.to_owned(),
            _ => title_from(&problem),
        };
        Ok((
            NeedInput {
                title: Some(title),
                problem: Some(problem),
                population: self.population.clone(),
                outcome: self.outcome.clone(),
                department: self.department.clone(),
                setting: self.setting.clone(),
                category: self.category.clone(),
                frequency: self.frequency.clone(),
                workaround: self.workaround.clone(),
                disclosure: Some(campaign.default_disclosure.code().into()),
                status: Some("received".into()),
            },
            AnswerExtras { contact },
        ))
    }
}

/// Settings (手術室, 病棟 …) offered as choices on the forms; free text is accepted too.
pub const SETTINGS: &[&str] = &[
    "手術室",
    "病棟",
    "外来",
    "救急",
    "ICU",
    "検査室",
    "リハビリ",
    "在宅",
    "介護施設",
    "薬剤部",
    "その他",
];

/// How often the problem occurs, as offered on the forms.
pub const FREQUENCIES: &[&str] = &["毎日", "毎週", "毎月", "年に数回", "まれに"];

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn campaign() -> CampaignData {
        CampaignData::parse(
            &CampaignInput {
                title: Some("2026年度 会津医療センター ニーズ調査".into()),
                organisation_id: Some("h".into()),
                opens_on: Some("2026-10-01".into()),
                closes_on: Some("２０２６/１２/２５".into()),
                ..Default::default()
            },
            date!(2026 - 09 - 01),
        )
        .unwrap()
    }

    #[test]
    fn campaigns_open_and_close_on_their_dates() {
        let c = campaign();
        assert_eq!(c.default_disclosure, Disclosure::Internal);
        assert!(!c.is_open(date!(2026 - 09 - 30)));
        assert!(c.is_open(date!(2026 - 10 - 01)));
        assert!(
            c.is_open(date!(2026 - 12 - 25)),
            "the closing day is included"
        );
        assert!(!c.is_open(date!(2026 - 12 - 26)));
        let err = CampaignData::parse(
            &CampaignInput {
                organisation_id: Some("h".into()),
                opens_on: Some("2026-10-01".into()),
                closes_on: Some("2026-09-01".into()),
                default_disclosure: Some("everyone".into()),
                ..Default::default()
            },
            date!(2026 - 09 - 01),
        )
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "closes_on", "default_disclosure"]);
        assert_eq!(
            CampaignData::parse(&c.to_input(), date!(2020 - 01 - 01)),
            Ok(c)
        );
    }

    #[test]
    fn answers_need_a_problem_and_the_attestation() {
        let c = campaign();
        let err = AnswerInput::default().to_need(&c).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["attestation", "problem"]);
        let (need, extras) = AnswerInput {
            problem: Some(
                "採血時に細い血管の位置が分かりにくく、穿刺をやり直すことが多い。夜間は特に。"
                    .into(),
            ),
            contact: Some(" 内線1234 ".into()),
            attested: true,
            ..Default::default()
        }
        .to_need(&c)
        .unwrap();
        assert_eq!(
            need.title.as_deref(),
            Some("採血時に細い血管の位置が分かりにくく、穿刺をやり直すことが多い")
        );
        assert_eq!(need.disclosure.as_deref(), Some("internal"));
        assert_eq!(need.status.as_deref(), Some("received"));
        assert_eq!(extras.contact.as_deref(), Some("内線1234"));
    }

    #[test]
    fn long_first_sentences_are_shortened_for_the_title() {
        let t = title_from(&"あ".repeat(60));
        assert_eq!(t.chars().count(), 41);
        assert!(t.ends_with('…'));
        assert_eq!(title_from("\n\n短い。続き"), "短い");
    }
}
