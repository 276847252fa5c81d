//! HTML forms: reading `application/x-www-form-urlencoded` bodies (with repeated keys, which
//! checkbox groups need) and describing form fields for the shared field template.

use crate::auth::BODY_LIMIT;
use crate::error::AppError;
use crate::i18n::Tr;
use axum::body::to_bytes;
use axum::extract::{FromRequest, Request};
use noguchi_domain::validation::has_control_character;
use noguchi_domain::{Invalid, Problem};

/// The fields of a submitted form, in order.
pub struct FormData(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = AppError;
    async fn from_request(req: Request, _: &S) -> Result<Self, AppError> {
        let bytes = to_bytes(req.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| AppError::TooLarge)?;
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::BadRequest)?;
        // No field of any form takes a control character (and PostgreSQL refuses NUL).
        if let Some((k, _)) = fields
            .iter()
            .find(|(k, v)| has_control_character(k) || has_control_character(v))
        {
            return Err(AppError::Invalid(Invalid::one(
                k.chars().filter(|c| !c.is_control()).collect::<String>(),
                Problem::ControlCharacter,
            )));
        }
        Ok(FormData(fields))
    }
}

impl FormData {
    /// The first value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub fn checked(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| v == "on" || v == "true" || v == "1")
    }
}

/// One choice of a select or checkbox group.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A form field as the shared `_field.html` template renders it.
pub struct Field {
    pub name: &'static str,
    pub label: String,
    /// text, email, tel, number, url, textarea, select, checkbox, checks, password
    pub kind: &'static str,
    pub value: String,
    pub choices: Vec<Choice>,
    pub checked: bool,
    pub required: bool,
    pub help: Option<String>,
    pub error: Option<String>,
    pub autocomplete: &'static str,
}

impl Field {
    pub fn new(tr: Tr, name: &'static str, kind: &'static str, value: impl Into<String>) -> Self {
        Self {
            name,
            label: tr.field(name),
            kind,
            value: value.into(),
            choices: Vec::new(),
            checked: false,
            required: false,
            help: None,
            error: None,
            autocomplete: "off",
        }
    }
    /// A label other than the field's usual one (the same API name can mean different things).
    pub fn labelled(mut self, label: String) -> Self {
        self.label = label;
        self
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn help(mut self, help: String) -> Self {
        self.help = Some(help);
        self
    }
    pub fn choices(mut self, choices: Vec<Choice>) -> Self {
        self.choices = choices;
        self
    }
    pub fn checked(mut self, checked: bool) -> Self {
        self.checked = checked;
        self
    }
    pub fn autocomplete(mut self, a: &'static str) -> Self {
        self.autocomplete = a;
        self
    }
    pub fn is(&self, kind: &str) -> bool {
        self.kind == kind
    }
    pub fn error_id(&self) -> String {
        format!("{}-error", self.name)
    }
}

/// Puts each validation message beside its field; messages for fields not on the form (e.g.
/// `memberships[1].joined_on`) go to the field whose name starts the path.
pub fn attach_errors(fields: &mut [Field], invalid: &Invalid, tr: Tr) {
    for e in &invalid.0 {
        let base = e.field.split(['[', '.']).next().unwrap_or(&e.field);
        let message = tr.error(e);
        let index = fields
            .iter()
            .position(|f| f.name == e.field)
            .or_else(|| fields.iter().position(|f| f.name == base));
        if let Some(f) = index.map(|i| &mut fields[i]) {
            f.error = Some(match f.error.take() {
                Some(prev) => format!("{prev} {message}"),
                None => message,
            });
        }
    }
}

/// A local path to return to after a form (never another site).
pub fn local_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            super::local_next(Some("/organisations?q=a")),
            "/organisations?q=a"
        );
        assert_eq!(super::local_next(Some("//evil.example")), "/");
        assert_eq!(super::local_next(Some("https://evil.example")), "/");
        assert_eq!(super::local_next(Some("/\\evil.example")), "/");
        assert_eq!(super::local_next(None), "/");
    }
}
