//! How an event's questions and sessions, and a registration's answers and chosen sessions, are
//! kept: JSON lists in a text column (`NULL` for none). The shapes are this module's own, so
//! the domain types stay free of a storage format.

use noguchi_domain::event_form::{Answer, Question, QuestionKind, Session};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct StoredQuestion {
    label: String,
    kind: String,
    #[serde(default)]
    choices: Vec<String>,
    #[serde(default)]
    required: bool,
}

#[derive(Serialize, Deserialize)]
struct StoredSession {
    key: String,
    title: String,
    capacity: Option<i64>,
}

fn list<T: Serialize>(items: &[T]) -> Option<String> {
    (!items.is_empty()).then(|| serde_json::to_string(items).unwrap_or_default())
}

pub fn questions(qs: &[Question]) -> Option<String> {
    list(
        &qs.iter()
            .map(|q| StoredQuestion {
                label: q.label.clone(),
                kind: q.kind.code().into(),
                choices: q.choices.clone(),
                required: q.required,
            })
            .collect::<Vec<_>>(),
    )
}

pub fn sessions(ss: &[Session]) -> Option<String> {
    list(
        &ss.iter()
            .map(|s| StoredSession {
                key: s.key.clone(),
                title: s.title.clone(),
                capacity: s.capacity,
            })
            .collect::<Vec<_>>(),
    )
}

pub fn answers(a: &[Answer]) -> Option<String> {
    list(a)
}

pub fn keys(k: &[String]) -> Option<String> {
    list(k)
}

/// `None` when the stored text is not what this module wrote.
fn read<T: for<'de> Deserialize<'de>>(text: Option<String>) -> Option<Vec<T>> {
    match text {
        None => Some(Vec::new()),
        Some(t) => serde_json::from_str(&t).ok(),
    }
}

pub fn read_questions(text: Option<String>) -> Option<Vec<Question>> {
    read::<StoredQuestion>(text)?
        .into_iter()
        .map(|q| {
            Some(Question {
                label: q.label,
                kind: QuestionKind::parse(&q.kind).ok()?,
                choices: q.choices,
                required: q.required,
            })
        })
        .collect()
}

pub fn read_sessions(text: Option<String>) -> Option<Vec<Session>> {
    Some(
        read::<StoredSession>(text)?
            .into_iter()
            .map(|s| Session {
                key: s.key,
                title: s.title,
                capacity: s.capacity,
            })
            .collect(),
    )
}

pub fn read_answers(text: Option<String>) -> Option<Vec<Answer>> {
    read(text)
}

pub fn read_keys(text: Option<String>) -> Option<Vec<String>> {
    read(text)
}
