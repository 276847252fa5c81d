//! Localisation: Japanese (the default) and English messages from Fluent files embedded in the
//! binary. Templates and error mappers ask a [`Tr`] for a message by key; no user-visible
//! sentence is written in Rust code.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use noguchi_domain::Problem;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim() {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    /// For API clients: the first of `ja`/`en` named in Accept-Language, Japanese otherwise.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        header
            .into_iter()
            .flat_map(|h| h.split(','))
            .filter_map(|part| {
                let tag = part.split(';').next()?.trim().to_ascii_lowercase();
                Lang::parse(tag.split('-').next()?)
            })
            .next()
            .unwrap_or(Lang::Ja)
    }
}

struct Bundles {
    ja: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

pub(crate) const JA_FTL: &str = include_str!("../locales/ja.ftl");
pub(crate) const EN_FTL: &str = include_str!("../locales/en.ftl");

fn bundle(lang: &str, source: &str) -> FluentBundle<FluentResource> {
    let resource = FluentResource::try_new(source.to_owned())
        .unwrap_or_else(|(_, errors)| panic!("{lang}.ftl does not parse: {errors:?}"));
    let mut bundle = FluentBundle::new_concurrent(vec![lang.parse().expect("language tag")]);
    // Isolation marks around placeables would show up as stray characters in Japanese text.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .unwrap_or_else(|errors| panic!("{lang}.ftl has duplicate keys: {errors:?}"));
    bundle
}

fn bundles() -> &'static Bundles {
    static B: OnceLock<Bundles> = OnceLock::new();
    B.get_or_init(|| Bundles {
        ja: bundle("ja", JA_FTL),
        en: bundle("en", EN_FTL),
    })
}

/// A translator for one language; cheap to copy into every template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Lang);

/// The council pack and other documents the use cases write take the caller's words from here.
impl noguchi_app::Labels for Tr {
    fn t(&self, key: &str) -> String {
        Tr::t(self, key)
    }
    fn t1(&self, key: &str, name: &str, value: &str) -> String {
        Tr::t1(self, key, name, value)
    }
}

impl Tr {
    pub fn lang(&self) -> &'static str {
        self.0.code()
    }

    /// The message for `key`; a missing key shows the key itself (and a test fails for it).
    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), FluentValue::from(value.to_owned()));
        self.format(key, Some(&args))
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let b = bundles();
        let bundle = match self.0 {
            Lang::Ja => &b.ja,
            Lang::En => &b.en,
        };
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// Whether a message exists (for labels of codes that may be missing).
    pub fn has(&self, key: &str) -> bool {
        let b = bundles();
        match self.0 {
            Lang::Ja => b.ja.has_message(key),
            Lang::En => b.en.has_message(key),
        }
    }

    /// The label of a field as named in the API (`memberships[0].joined_on` → its label).
    pub fn field(&self, field: &str) -> String {
        self.field_in(None, field)
    }

    /// The label of a field of a record of kind `scope` (`field-need-title`), falling back to
    /// the field's general label.
    pub fn field_in(&self, scope: Option<&str>, field: &str) -> String {
        let base: String = field
            .split('.')
            .map(|part| part.split('[').next().unwrap_or(part))
            .collect::<Vec<_>>()
            .join("-");
        let scoped = scope.map(|s| format!("field-{s}-{base}"));
        if let Some(k) = scoped.filter(|k| self.has(k)) {
            return self.t(&k);
        }
        let key = format!("field-{base}");
        if self.has(&key) {
            self.t(&key)
        } else {
            field.to_owned()
        }
    }

    /// The message of a validation error, naming its field as its record calls it.
    pub fn error(&self, e: &noguchi_domain::FieldError) -> String {
        match &e.label {
            Some((ja, en)) => {
                let label = match (self.0, en) {
                    (Lang::En, Some(en)) => en,
                    _ => ja,
                };
                self.problem_with_label(label, &e.problem)
            }
            None => self.problem_in(e.scope, &e.field, &e.problem),
        }
    }

    /// The message of a validation problem of `field`, naming the field.
    pub fn problem(&self, field: &str, problem: &Problem) -> String {
        self.problem_in(None, field, problem)
    }

    fn problem_in(&self, scope: Option<&str>, field: &str, problem: &Problem) -> String {
        self.problem_with_label(&self.field_in(scope, field), problem)
    }

    fn problem_with_label(&self, label: &str, problem: &Problem) -> String {
        let mut args = FluentArgs::new();
        args.set("field", FluentValue::from(label.to_owned()));
        let key = match problem {
            Problem::Required => "problem-required",
            Problem::TooLong { max } => {
                args.set("max", FluentValue::from(*max as f64));
                "problem-too-long"
            }
            Problem::CorporateNumberFormat => "problem-corporate-number-format",
            Problem::CorporateNumberCheckDigit => "problem-corporate-number-check-digit",
            Problem::NotKana => "problem-not-kana",
            Problem::Email => "problem-email",
            Problem::Phone => "problem-phone",
            Problem::UnknownValue { value } => {
                args.set("value", FluentValue::from(value.clone()));
                "problem-unknown-value"
            }
            Problem::NotANumber => "problem-not-a-number",
            Problem::OutOfRange { min, max } => {
                args.set("min", FluentValue::from(*min as f64));
                args.set("max", FluentValue::from(*max as f64));
                "problem-out-of-range"
            }
            Problem::Date => "problem-date",
            Problem::UnknownReference => "problem-unknown-reference",
            Problem::Taken => "problem-taken",
            Problem::InUse { by } => {
                let kinds: Vec<String> = by.iter().map(|t| self.code("in-use", t)).collect();
                args.set(
                    "by",
                    FluentValue::from(if kinds.is_empty() {
                        self.t("in-use-other")
                    } else {
                        kinds.join(if self.0 == Lang::Ja { "、" } else { ", " })
                    }),
                );
                "problem-in-use"
            }
            Problem::OutsideFiscalYear => "problem-outside-fiscal-year",
            Problem::Settled => "problem-settled",
            Problem::FutureDate => "problem-future-date",
            Problem::Held => "problem-held",
            Problem::PatientInformation => "problem-patient-information",
            Problem::CampaignClosed => "problem-campaign-closed",
            Problem::RegistrationClosed => "problem-registration-closed",
            Problem::NdaFirst => "problem-nda-first",
            Problem::Full { what } => {
                args.set("what", FluentValue::from(what.clone()));
                "problem-full"
            }
            Problem::NotConfirmed => "problem-not-confirmed",
            Problem::UnmetCriteria => "problem-unmet-criteria",
            Problem::FileType => "problem-file-type",
            Problem::StageMove {
                from,
                to,
                note_required,
            } => {
                args.set("from", FluentValue::from(self.code("stage", from)));
                args.set("to", FluentValue::from(self.code("stage", to)));
                if *note_required {
                    "problem-stage-note"
                } else {
                    "problem-stage-move"
                }
            }
            Problem::PasswordWeak => "problem-password-weak",
            Problem::SecondFactorCode => "problem-second-factor-code",
            Problem::ControlCharacter => "problem-control-character",
            Problem::FileLimit { limit, max } => {
                args.set("limit", FluentValue::from(self.code("file-limit", limit)));
                args.set("max", FluentValue::from(*max as f64));
                "problem-file-limit"
            }
            Problem::PasswordTooShort { min } => {
                args.set("min", FluentValue::from(*min as f64));
                "problem-password-too-short"
            }
        };
        self.format(key, Some(&args))
    }

    /// The label of a code (`kind-company`, `role-secretariat` …), or the code itself.
    pub fn code(&self, prefix: &str, code: &str) -> String {
        let key = format!("{prefix}-{code}");
        if self.has(&key) {
            self.t(&key)
        } else {
            code.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(src: &str) -> BTreeSet<String> {
        src.lines()
            .filter(|l| !l.starts_with(' ') && !l.starts_with('#'))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_messages() {
        let ja = keys(JA_FTL);
        let en = keys(EN_FTL);
        assert!(ja.len() > 50);
        let only_ja: Vec<_> = ja.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&ja).collect();
        assert!(
            only_ja.is_empty() && only_en.is_empty(),
            "ja only: {only_ja:?}, en only: {only_en:?}"
        );
        // Both parse (a parse error panics here).
        assert_eq!(Tr(Lang::Ja).t("app-name"), "Noguchi");
    }

    #[test]
    fn problems_name_their_field_in_the_users_language() {
        let ja = Tr(Lang::Ja).problem("corporate_number", &Problem::CorporateNumberCheckDigit);
        assert!(ja.contains("法人番号"), "{ja}");
        let en = Tr(Lang::En).problem("corporate_number", &Problem::CorporateNumberCheckDigit);
        assert!(en.contains("Corporate number"), "{en}");
        let nested = Tr(Lang::Ja).problem("memberships[0].joined_on", &Problem::Date);
        assert!(nested.contains("加入日"), "{nested}");
        assert!(!ja.contains('\u{2068}'), "no isolation marks");
    }

    #[test]
    fn every_code_has_a_label() {
        use noguchi_domain::access::Role;
        use noguchi_domain::organisation::{FieldStatus, Licence, OrganisationKind};
        for tr in [Tr(Lang::Ja), Tr(Lang::En)] {
            for k in OrganisationKind::ALL {
                assert!(tr.has(&format!("kind-{}", k.code())), "kind {}", k.code());
            }
            for s in FieldStatus::ALL {
                assert!(
                    tr.has(&format!("field-status-{}", s.code())),
                    "{}",
                    s.code()
                );
            }
            for l in Licence::ALL {
                assert!(tr.has(&format!("licence-{}", l.code())), "{}", l.code());
            }
            for r in Role::ALL {
                assert!(tr.has(&format!("role-{}", r.code())), "{}", r.code());
            }
            use noguchi_domain::matching::{ProposalStatus, Reason};
            use noguchi_domain::needs::{Disclosure, FindingKind, NeedStatus};
            for s in NeedStatus::ALL {
                // The status label, and the stage label a refused move names.
                assert!(tr.has(&format!("need-status-{}", s.code())), "{}", s.code());
                assert!(tr.has(&format!("stage-{}", s.code())), "{}", s.code());
            }
            for s in ProposalStatus::ALL {
                assert!(
                    tr.has(&format!("proposal-status-{}", s.code())),
                    "{}",
                    s.code()
                );
                assert!(tr.has(&format!("stage-{}", s.code())), "{}", s.code());
            }
            use noguchi_domain::grant::{GrantStatus, ReportKind, ReportState, default_schemes};
            use noguchi_domain::project::{
                DeviceClass, GateDecision, MemberRole, ProjectStage, Route,
            };
            let codes: Vec<(&str, Vec<&str>)> = vec![
                (
                    "stage",
                    ProjectStage::ALL.iter().map(|c| c.code()).collect(),
                ),
                (
                    "device-class",
                    DeviceClass::ALL.iter().map(|c| c.code()).collect(),
                ),
                ("route", Route::ALL.iter().map(|c| c.code()).collect()),
                (
                    "member-role",
                    MemberRole::ALL.iter().map(|c| c.code()).collect(),
                ),
                (
                    "decision",
                    GateDecision::ALL.iter().map(|c| c.code()).collect(),
                ),
                (
                    "grant-status",
                    GrantStatus::ALL.iter().map(|c| c.code()).collect(),
                ),
                (
                    "report-kind",
                    ReportKind::ALL.iter().map(|c| c.code()).collect(),
                ),
                (
                    "report-state",
                    ReportState::ALL.iter().map(|c| c.code()).collect(),
                ),
            ];
            for (prefix, list) in codes {
                for c in list {
                    assert!(tr.has(&format!("{prefix}-{c}")), "{prefix}-{c}");
                }
            }
            for s in default_schemes() {
                for r in s.requires {
                    assert!(tr.has(&format!("requirement-{}", r.code())), "{}", r.code());
                }
            }
            use noguchi_domain::event::{EventKind, RegistrationStatus};
            for k in EventKind::ALL {
                assert!(tr.has(&format!("event-kind-{}", k.code())), "{}", k.code());
            }
            for s in RegistrationStatus::ALL {
                assert!(
                    tr.has(&format!("registration-status-{}", s.code())),
                    "{}",
                    s.code()
                );
            }
            for d in Disclosure::ALL {
                assert!(tr.has(&format!("disclosure-{}", d.code())), "{}", d.code());
            }
            for f in FindingKind::ALL {
                // What was flagged, and why.
                assert!(tr.has(&format!("finding-{}", f.code())), "{}", f.code());
                assert!(tr.has(&format!("finding-why-{}", f.code())), "{}", f.code());
            }
            for r in [
                Reason::SharedTerms(vec![]),
                Reason::Capabilities(vec![]),
                Reason::SeedFields(vec![]),
                Reason::LocalFirm,
                Reason::EarlierCollaboration(1),
            ] {
                assert!(tr.has(&format!("reason-{}", r.code())), "{}", r.code());
            }
            for n in 1..=9 {
                assert!(tr.has(&format!("trl-{n}")));
            }
        }
    }

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("fr, ja;q=0.5")), Lang::Ja);
        assert_eq!(Lang::from_accept_language(None), Lang::Ja);
    }
}
