//! Validation errors that name the field they concern.
//!
//! The domain returns a machine-readable [`Problem`] per field; the interfaces turn it into a
//! message in the user's language (the web crate's localisation files hold the wording).

use std::fmt;

/// What is wrong with one field. The interfaces localise each variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong {
        max: usize,
    },
    /// 法人番号 is not 13 ASCII/full-width digits.
    CorporateNumberFormat,
    /// 法人番号 check digit does not match the other twelve digits.
    CorporateNumberCheckDigit,
    NotKana,
    Email,
    Phone,
    /// A value outside a fixed list (kind, status, licence …).
    UnknownValue {
        value: String,
    },
    NotANumber,
    OutOfRange {
        min: i64,
        max: i64,
    },
    Date,
    /// A referenced record (organisation …) does not exist.
    UnknownReference,
    /// A value that must be unique is already taken.
    Taken,
    /// The record is still referred to by records of these kinds (table names) and cannot be
    /// deleted.
    InUse {
        by: Vec<String>,
    },
    PasswordTooShort {
        min: usize,
    },
    /// A password a strength estimator guesses within 10^8 tries (a word, a keyboard walk, a
    /// repetition, the e-mail or name of the account).
    PasswordWeak,
    /// A second-factor code that is wrong, expired or already used.
    SecondFactorCode,
    /// A control character (NUL and the like) in text.
    ControlCharacter,
    /// A date that does not fall in the fiscal year given beside it.
    OutsideFiscalYear,
    /// The record is settled (verified or rejected) and cannot change this way.
    Settled,
    /// A date in the future where only past or present dates make sense.
    FutureDate,
    /// Held by the patient-information guard: not to be published until a reviewer releases it.
    Held,
    /// Text that the patient-information guard flags, where it may not be stored at all.
    PatientInformation,
    /// The survey campaign is not taking answers (closed, not yet open, or its link disabled).
    CampaignClosed,
    /// The event is not taking registrations (its registration period is over or not begun).
    RegistrationClosed,
    /// A confirmation (a checkbox) that must be given.
    NotConfirmed,
    /// A meeting on a need at the NDA level before the NDA is recorded.
    NdaFirst,
    /// No seat is left in what was chosen (an event's session, named by its title).
    Full {
        what: String,
    },
    /// An uploaded file past one of its limits (`limit` names which: rows, columns, cells,
    /// cell_chars, file_bytes, unpacked_bytes, ratio, entries, seconds).
    FileLimit {
        limit: String,
        max: u64,
    },
    /// A plain "go" at a gate review while a criterion is not met.
    UnmetCriteria,
    /// An uploaded file of a type Noguchi does not keep.
    FileType,
    /// A stage move the pipeline's rule refuses.
    StageMove {
        from: String,
        to: String,
        note_required: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as the API spells it (`corporate_number`, `memberships[0].joined_on` …).
    pub field: String,
    pub problem: Problem,
    /// The kind of record the field belongs to (`need`, `seed` …), when the same field name
    /// means different things on different records (a need's `title` is its subject, a
    /// person's `title` their position); the interfaces label the field accordingly.
    pub scope: Option<&'static str>,
    /// The field's label when it is data rather than a fixed name (a criterion of the
    /// programme): (Japanese, English if given).
    pub label: Option<(String, Option<String>)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        Self {
            field: field.into(),
            problem,
            scope: None,
            label: None,
        }
    }
}

/// One or more invalid fields; nothing is written when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(field: impl Into<String>, problem: Problem) -> Self {
        Self(vec![FieldError::new(field, problem)])
    }
    pub fn push(&mut self, field: impl Into<String>, problem: Problem) {
        self.0.push(FieldError::new(field, problem));
    }
    /// Like [`Invalid::push`], for a field whose label is data (Japanese, English).
    pub fn push_labelled(
        &mut self,
        field: impl Into<String>,
        problem: Problem,
        label: (String, Option<String>),
    ) {
        let mut e = FieldError::new(field, problem);
        e.label = Some(label);
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Marks the errors as concerning a record of kind `scope` (see [`FieldError::scope`]).
    pub fn scoped(mut self, scope: &'static str) -> Self {
        for e in &mut self.0 {
            e.scope.get_or_insert(scope);
        }
        self
    }
    /// `Ok(value)` when no error was collected.
    pub fn into_result<T>(self, value: T) -> Result<T, Invalid> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
    /// Collects the error of `r` under `field` and returns its value, if any.
    pub fn take<T>(&mut self, field: &str, r: Result<T, Problem>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(p) => {
                self.push(field, p);
                None
            }
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<&str> = self.0.iter().map(|e| e.field.as_str()).collect();
        write!(f, "invalid fields: {}", fields.join(", "))
    }
}

impl std::error::Error for Invalid {}

/// Combines a domain parse with what the interface found itself (a value that is not a
/// number, an organisation that does not exist): the interface's specific reason replaces the
/// domain's generic one (usually "required") for the same field.
pub fn combine<T>(parsed: Result<T, Invalid>, specific: Invalid) -> Result<T, Invalid> {
    match parsed {
        Ok(v) if specific.is_empty() => Ok(v),
        Ok(_) => Err(specific),
        Err(generic) => {
            let kept: Vec<FieldError> = generic
                .0
                .into_iter()
                .filter(|f| !all_fields_contain(&specific.0, &f.field))
                .collect();
            let mut all = specific.0;
            all.extend(kept);
            Err(Invalid(all))
        }
    }
}

fn all_fields_contain(errs: &[FieldError], field: &str) -> bool {
    errs.iter().any(|e| e.field == field)
}

/// Whether text holds a control character other than a line break or a tab (NUL, escape,
/// bell …): such text cannot be stored (PostgreSQL refuses NUL) nor shown, and no one types it.
pub fn has_control_character(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// Trims a free-text value; empty becomes `None`. Rejects values over `max` characters and
/// values with control characters.
pub fn optional_text(value: Option<&str>, max: usize) -> Result<Option<String>, Problem> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > max => Err(Problem::TooLong { max }),
        Some(v) if has_control_character(v) => Err(Problem::ControlCharacter),
        Some(v) => Ok(Some(v.to_owned())),
    }
}

/// Like [`optional_text`] but the value must be present.
pub fn required_text(value: Option<&str>, max: usize) -> Result<String, Problem> {
    optional_text(value, max)?.ok_or(Problem::Required)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_but_line_breaks_are_text() {
        assert_eq!(
            optional_text(Some("a\u{0}b"), 10),
            Err(Problem::ControlCharacter)
        );
        assert_eq!(
            optional_text(Some("a\u{1b}b"), 10),
            Err(Problem::ControlCharacter)
        );
        assert_eq!(
            optional_text(Some("一行目\n二行目\tです"), 20),
            Ok(Some("一行目\n二行目\tです".into()))
        );
    }

    #[test]
    fn specific_reasons_replace_generic_ones() {
        let generic: Result<(), Invalid> = Err(Invalid(vec![
            FieldError::new("jobs", Problem::Required),
            FieldError::new("kind", Problem::Required),
        ]));
        let specific = Invalid::one("jobs", Problem::NotANumber);
        assert_eq!(
            combine(generic, specific).unwrap_err().0,
            [
                FieldError::new("jobs", Problem::NotANumber),
                FieldError::new("kind", Problem::Required)
            ]
        );
        assert_eq!(combine(Ok::<_, Invalid>(1), Invalid::default()), Ok(1));
        assert!(combine(Ok::<_, Invalid>(1), Invalid::one("x", Problem::Date)).is_err());
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(optional_text(Some("  a "), 5), Ok(Some("a".into())));
        assert_eq!(optional_text(Some("   "), 5), Ok(None));
        assert_eq!(
            optional_text(Some("あいうえおか"), 5),
            Err(Problem::TooLong { max: 5 })
        );
        assert_eq!(required_text(None, 5), Err(Problem::Required));
    }
}
