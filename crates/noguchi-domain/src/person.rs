//! People of the directory: staff of member organisations, clinicians, engineers.

use crate::text::{Kana, gojuon_sort_key, search_key};
use crate::validation::{Invalid, Problem, optional_text, required_text};

/// Raw input for a person; nothing is trusted yet.
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub name: Option<String>,
    pub name_kana: Option<String>,
    pub organisation_id: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub consent_purpose: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonData {
    pub name: String,
    pub name_kana: Option<Kana>,
    pub organisation_id: Option<String>,
    pub department: Option<String>,
    pub title: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<String>,
    /// What the person agreed to be contacted for (e.g. 「医工連携セミナーの案内」); none means
    /// no consent was recorded and the person must not be put on outreach lists.
    pub consent_purpose: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub data: PersonData,
    /// The organisation's name, joined for display.
    pub organisation_name: Option<String>,
    /// The reader may not see the contact details (e-mail, phone): they were left out.
    pub contact_hidden: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl PersonData {
    pub fn parse(input: &PersonInput) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let name = errs.take("name", required_text(input.name.as_deref(), 100));
        let name_kana = errs.take(
            "name_kana",
            match input.name_kana.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(k) => Kana::parse(k).map(Some),
            },
        );
        let organisation_id = input
            .organisation_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        let department = errs.take(
            "department",
            optional_text(input.department.as_deref(), 100),
        );
        let title = errs.take("title", optional_text(input.title.as_deref(), 100));
        let email = errs.take(
            "email",
            match input.email.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(e) => Email::parse(e).map(Some),
            },
        );
        let phone = errs.take("phone", phone(input.phone.as_deref()));
        let consent_purpose = errs.take(
            "consent_purpose",
            optional_text(input.consent_purpose.as_deref(), 300),
        );
        let notes = errs.take("notes", optional_text(input.notes.as_deref(), 4000));
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(Self {
            name: name.expect("checked"),
            name_kana: name_kana.expect("checked"),
            organisation_id,
            department: department.expect("checked"),
            title: title.expect("checked"),
            email: email.expect("checked"),
            phone: phone.expect("checked"),
            consent_purpose: consent_purpose.expect("checked"),
            notes: notes.expect("checked"),
        })
    }

    pub fn to_input(&self) -> PersonInput {
        PersonInput {
            name: Some(self.name.clone()),
            name_kana: self.name_kana.as_ref().map(|k| k.as_str().into()),
            organisation_id: self.organisation_id.clone(),
            department: self.department.clone(),
            title: self.title.clone(),
            email: self.email.as_ref().map(|e| e.as_str().into()),
            phone: self.phone.clone(),
            consent_purpose: self.consent_purpose.clone(),
            notes: self.notes.clone(),
        }
    }

    pub fn search_text(&self) -> String {
        let mut s = search_key(&self.name);
        if let Some(k) = &self.name_kana {
            s.push('\u{1F}');
            s.push_str(&search_key(k.as_str()));
        }
        s
    }

    pub fn sort_key(&self) -> Vec<u8> {
        gojuon_sort_key(
            self.name_kana
                .as_ref()
                .map_or(self.name.as_str(), Kana::as_str),
        )
    }
}

fn phone(v: Option<&str>) -> Result<Option<String>, Problem> {
    let Some(v) = optional_text(v, 30)? else {
        return Ok(None);
    };
    let v = crate::text::fold_width(&v);
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')'));
    if allowed && (10..=15).contains(&digits) {
        Ok(Some(v))
    } else {
        Err(Problem::Phone)
    }
}

/// An e-mail address: one `@`, a dotted domain, no spaces; stored lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, Problem> {
        let s = crate::text::fold_width(input.trim()).to_lowercase();
        let Some((local, domain)) = s.split_once('@') else {
            return Err(Problem::Email);
        };
        let ok = !local.is_empty()
            && s.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && s.chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | ',' | ';'));
        if ok { Ok(Self(s)) } else { Err(Problem::Email) }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Ｔａｒｏ@Example.JP ").unwrap().as_str(),
            "taro@example.jp"
        );
        for bad in [
            "taro",
            "taro@",
            "@example.jp",
            "taro@example",
            "ta ro@example.jp",
            "a@b@c.jp",
        ] {
            assert_eq!(Email::parse(bad), Err(Problem::Email), "{bad}");
        }
    }

    #[test]
    fn person_fields_are_named() {
        let err = PersonData::parse(&PersonInput {
            name: None,
            email: Some("nope".into()),
            phone: Some("12".into()),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "phone"]);
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(
            phone(Some("０２４２-３９-１２５１")).unwrap().unwrap(),
            "0242-39-1251"
        );
        assert!(phone(Some("call me")).is_err());
    }
}
