//! What an event asks of those who register beyond name and organisation: custom questions
//! (free text, a choice, yes/no) and optional sessions (a breakout, a networking party, an
//! individual consultation slot) with their own seats.
//!
//! Staff write both as lines in a form (one question or session per line), or send them as
//! lists over the API. A registration's answers are kept with the question's wording, so a
//! list exported later still says what was asked even if the question changed since.

use crate::validation::{Invalid, Problem, optional_text};
use std::collections::BTreeMap;

crate::code_list! {
    /// What kind of answer a question takes.
    QuestionKind {
        Text = "text",
        Choice = "choice",
        YesNo = "yes_no",
    }
}

/// At most this many questions and sessions per event.
pub const MAX_QUESTIONS: usize = 10;
pub const MAX_SESSIONS: usize = 20;
const MAX_CHOICES: usize = 20;
const MAX_ANSWER: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub label: String,
    pub kind: QuestionKind,
    /// The choices of a `choice` question (two or more); empty otherwise.
    pub choices: Vec<String>,
    pub required: bool,
}

/// A question as an interface read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionInput {
    pub label: Option<String>,
    pub kind: Option<String>,
    pub choices: Vec<String>,
    pub required: bool,
}

impl Question {
    pub fn to_input(&self) -> QuestionInput {
        QuestionInput {
            label: Some(self.label.clone()),
            kind: Some(self.kind.code().into()),
            choices: self.choices.clone(),
            required: self.required,
        }
    }
}

/// Reads the questions; problems are named `questions[i].label` and the like.
pub fn parse_questions(inputs: &[QuestionInput]) -> Result<Vec<Question>, Invalid> {
    let mut errs = Invalid::default();
    if inputs.len() > MAX_QUESTIONS {
        errs.push(
            "questions",
            Problem::OutOfRange {
                min: 0,
                max: MAX_QUESTIONS as i64,
            },
        );
        return Err(errs);
    }
    let mut out = Vec::new();
    for (i, q) in inputs.iter().enumerate() {
        let at = |f: &str| format!("questions[{i}].{f}");
        let label = errs.take(
            &at("label"),
            optional_text(q.label.as_deref(), 200).and_then(|l| l.ok_or(Problem::Required)),
        );
        let kind = errs.take(
            &at("kind"),
            match q.kind.as_deref().map(str::trim) {
                None | Some("") => Ok(QuestionKind::Text),
                Some(k) => QuestionKind::parse(k),
            },
        );
        let mut choices = Vec::new();
        for c in &q.choices {
            match optional_text(Some(c), 100) {
                Ok(Some(c)) if !choices.contains(&c) => choices.push(c),
                Ok(_) => {}
                Err(p) => errs.push(at("choices"), p),
            }
        }
        if kind == Some(QuestionKind::Choice) && !(2..=MAX_CHOICES).contains(&choices.len()) {
            errs.push(
                at("choices"),
                Problem::OutOfRange {
                    min: 2,
                    max: MAX_CHOICES as i64,
                },
            );
        }
        if let (Some(label), Some(kind)) = (label, kind) {
            out.push(Question {
                label,
                kind,
                choices: if kind == QuestionKind::Choice {
                    choices
                } else {
                    Vec::new()
                },
                required: q.required,
            });
        }
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// The form's way of writing questions, one per line: `種類: 質問 = 選択肢, 選択肢`, the kind
/// being テキスト, 選択 or はい/いいえ (or text, choice, yes_no), with `*` after it when an
/// answer is required. A line without a kind is a text question.
pub fn questions_from_lines(text: &str) -> Vec<QuestionInput> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let line = crate::text::fold_width(line);
            let (head, rest) = match line.split_once(':') {
                Some((h, r)) if kind_word(h.trim().trim_end_matches('*')).is_some() => {
                    (Some(h.trim().to_owned()), r.trim().to_owned())
                }
                _ => (None, line.clone()),
            };
            let required = head.as_deref().is_some_and(|h| h.ends_with('*'));
            let kind = head
                .as_deref()
                .and_then(|h| kind_word(h.trim_end_matches('*')))
                .unwrap_or(QuestionKind::Text);
            let (label, choices) = match (kind, rest.split_once('=')) {
                (QuestionKind::Choice, Some((l, c))) => (
                    l.trim().to_owned(),
                    c.split([',', '、'])
                        .map(|c| c.trim().to_owned())
                        .filter(|c| !c.is_empty())
                        .collect(),
                ),
                _ => (rest, Vec::new()),
            };
            QuestionInput {
                label: Some(label),
                kind: Some(kind.code().into()),
                choices,
                required,
            }
        })
        .collect()
}

fn kind_word(w: &str) -> Option<QuestionKind> {
    match w.trim() {
        "テキスト" | "記述" | "text" => Some(QuestionKind::Text),
        "選択" | "choice" => Some(QuestionKind::Choice),
        "はい/いいえ" | "はい・いいえ" | "yes_no" => Some(QuestionKind::YesNo),
        _ => None,
    }
}

/// The lines [`questions_from_lines`] reads back to the same questions.
pub fn questions_to_lines(questions: &[Question]) -> String {
    questions
        .iter()
        .map(|q| {
            let star = if q.required { "*" } else { "" };
            match q.kind {
                QuestionKind::Text => format!("テキスト{star}: {}", q.label),
                QuestionKind::YesNo => format!("はい/いいえ{star}: {}", q.label),
                QuestionKind::Choice => {
                    format!("選択{star}: {} = {}", q.label, q.choices.join(", "))
                }
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One answer, kept with the question's wording.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Answer {
    pub question: String,
    pub answer: String,
}

/// The key of the `i`-th question's answer (`q1`, `q2` …), as forms and the API send it.
pub fn answer_key(i: usize) -> String {
    format!("q{}", i + 1)
}

/// Reads the answers to `questions` from `raw` (by [`answer_key`]); a yes/no answer is `yes` or
/// `no` (はい/いいえ, true/false also read). Problems are named `answers.q1` and the like.
pub fn parse_answers(
    questions: &[Question],
    raw: &BTreeMap<String, String>,
) -> Result<Vec<Answer>, Invalid> {
    let mut errs = Invalid::default();
    let mut out = Vec::new();
    for key in raw.keys() {
        let known = key
            .strip_prefix('q')
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| (1..=questions.len()).contains(&n));
        if !known {
            errs.push(
                format!("answers.{key}"),
                Problem::UnknownValue { value: key.clone() },
            );
        }
    }
    for (i, q) in questions.iter().enumerate() {
        let field = format!("answers.{}", answer_key(i));
        let value = match optional_text(raw.get(&answer_key(i)).map(String::as_str), MAX_ANSWER) {
            Ok(v) => v,
            Err(p) => {
                errs.push(&field, p);
                continue;
            }
        };
        let Some(value) = value else {
            if q.required {
                errs.push(&field, Problem::Required);
            }
            continue;
        };
        let value = match q.kind {
            QuestionKind::Text => Ok(value),
            QuestionKind::Choice if q.choices.contains(&value) => Ok(value),
            QuestionKind::Choice => Err(Problem::UnknownValue { value }),
            QuestionKind::YesNo => match value.as_str() {
                "yes" | "はい" | "true" => Ok("yes".to_owned()),
                "no" | "いいえ" | "false" => Ok("no".to_owned()),
                _ => Err(Problem::UnknownValue { value }),
            },
        };
        match value {
            Ok(answer) => out.push(Answer {
                question: q.label.clone(),
                answer,
            }),
            Err(p) => errs.push(&field, p),
        }
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// An optional part of an event that registrants choose, with its own seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Stable while the event is edited (`s1`, `s2` …): registrations refer to it.
    pub key: String,
    pub title: String,
    /// Seats; `None` for no limit.
    pub capacity: Option<i64>,
}

/// A session as an interface read it (`key` absent for a new one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionInput {
    pub key: Option<String>,
    pub title: Option<String>,
    pub capacity: Option<i64>,
}

impl Session {
    pub fn to_input(&self) -> SessionInput {
        SessionInput {
            key: Some(self.key.clone()),
            title: Some(self.title.clone()),
            capacity: self.capacity,
        }
    }
}

/// Reads the sessions, keeping the keys of those that had one and numbering new ones after
/// the highest. Problems are named `sessions[i].title` and the like.
pub fn parse_sessions(inputs: &[SessionInput]) -> Result<Vec<Session>, Invalid> {
    let mut errs = Invalid::default();
    if inputs.len() > MAX_SESSIONS {
        errs.push(
            "sessions",
            Problem::OutOfRange {
                min: 0,
                max: MAX_SESSIONS as i64,
            },
        );
        return Err(errs);
    }
    let number = |k: &str| k.strip_prefix('s').and_then(|n| n.parse::<u32>().ok());
    let mut next = inputs
        .iter()
        .filter_map(|s| s.key.as_deref().and_then(number))
        .max()
        .unwrap_or(0);
    let mut out: Vec<Session> = Vec::new();
    for (i, s) in inputs.iter().enumerate() {
        let at = |f: &str| format!("sessions[{i}].{f}");
        let title = errs.take(
            &at("title"),
            optional_text(s.title.as_deref(), 200).and_then(|t| t.ok_or(Problem::Required)),
        );
        let capacity = errs
            .take(
                &at("capacity"),
                match s.capacity {
                    Some(n) if !(1..=crate::event::MAX_CAPACITY).contains(&n) => {
                        Err(Problem::OutOfRange {
                            min: 1,
                            max: crate::event::MAX_CAPACITY,
                        })
                    }
                    n => Ok(n),
                },
            )
            .flatten();
        let key = match s.key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) if number(k).is_some() && !out.iter().any(|o| o.key == k) => k.to_owned(),
            Some(k) => {
                errs.push(
                    at("key"),
                    Problem::UnknownValue {
                        value: k.to_owned(),
                    },
                );
                continue;
            }
            None => {
                next += 1;
                format!("s{next}")
            }
        };
        if let Some(title) = title {
            out.push(Session {
                key,
                title,
                capacity,
            });
        }
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// Gives each new session (without a key) a key after the highest ever used by the event
/// (`previous`) or sent: a dropped session's key is never given to another, so registrations
/// that chose it do not move to a session they did not choose.
pub fn assign_session_keys(inputs: &mut [SessionInput], previous: &[Session]) {
    let number = |k: &str| k.strip_prefix('s').and_then(|n| n.parse::<u32>().ok());
    let mut next = previous
        .iter()
        .filter_map(|s| number(&s.key))
        .chain(
            inputs
                .iter()
                .filter_map(|s| s.key.as_deref().and_then(number)),
        )
        .max()
        .unwrap_or(0);
    for s in inputs
        .iter_mut()
        .filter(|s| s.key.as_deref().map(str::trim).is_none_or(|k| k.is_empty()))
    {
        next += 1;
        s.key = Some(format!("s{next}"));
    }
}

/// The form's way of writing sessions, one per line: `タイトル` or `タイトル / 定員`. A line
/// whose title is an existing session's keeps that session (and its registrations).
pub fn sessions_from_lines(text: &str, existing: &[Session]) -> (Vec<SessionInput>, Invalid) {
    let mut errs = Invalid::default();
    let inputs = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let line = crate::text::fold_width(line);
            let (title, capacity) = match line.rsplit_once(['/', '／']) {
                Some((t, c)) if !c.trim().is_empty() => match c.trim().parse::<i64>() {
                    Ok(n) => (t.trim().to_owned(), Some(n)),
                    Err(_) => {
                        errs.push(format!("sessions[{i}].capacity"), Problem::NotANumber);
                        (t.trim().to_owned(), None)
                    }
                },
                _ => (line.trim().to_owned(), None),
            };
            SessionInput {
                key: existing
                    .iter()
                    .find(|s| s.title == title)
                    .map(|s| s.key.clone()),
                title: Some(title),
                capacity,
            }
        })
        .collect();
    (inputs, errs)
}

/// The lines [`sessions_from_lines`] reads back to the same sessions.
pub fn sessions_to_lines(sessions: &[Session]) -> String {
    sessions
        .iter()
        .map(|s| match s.capacity {
            Some(c) => format!("{} / {c}", s.title),
            None => s.title.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads the sessions a registrant chose (by key), each once; an unknown key is named.
pub fn parse_chosen(sessions: &[Session], chosen: &[String]) -> Result<Vec<String>, Invalid> {
    let mut errs = Invalid::default();
    let mut out: Vec<String> = Vec::new();
    for c in chosen.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if !sessions.iter().any(|s| s.key == c) {
            errs.push(
                "sessions",
                Problem::UnknownValue {
                    value: c.to_owned(),
                },
            );
        } else if !out.iter().any(|o| o == c) {
            out.push(c.to_owned());
        }
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// The sessions among `chosen` that are full, given how many live registrations hold each
/// (counted under the event's lock).
pub fn full_sessions<'a>(
    sessions: &[Session],
    chosen: &'a [String],
    taken: &BTreeMap<String, i64>,
) -> Vec<&'a str> {
    chosen
        .iter()
        .filter(|c| {
            sessions.iter().any(|s| {
                &s.key == *c
                    && s.capacity
                        .is_some_and(|cap| taken.get(&s.key).copied().unwrap_or(0) >= cap)
            })
        })
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_written_as_lines_read_back_the_same() {
        let lines = "選択*: 参加方法 = 会場, オンライン\nはい/いいえ: 懇親会に参加しますか\nご質問があればどうぞ";
        let qs = parse_questions(&questions_from_lines(lines)).unwrap();
        assert_eq!(qs.len(), 3);
        assert_eq!(qs[0].kind, QuestionKind::Choice);
        assert!(qs[0].required);
        assert_eq!(qs[0].choices, ["会場", "オンライン"]);
        assert_eq!(qs[1].kind, QuestionKind::YesNo);
        assert_eq!(qs[2].kind, QuestionKind::Text);
        let again = parse_questions(&questions_from_lines(&questions_to_lines(&qs))).unwrap();
        assert_eq!(again, qs);
        // A choice needs two choices at least.
        let e = parse_questions(&questions_from_lines("選択: どれ = ひとつ")).unwrap_err();
        assert_eq!(e.0[0].field, "questions[0].choices");
    }

    #[test]
    fn answers_follow_their_questions() {
        let qs = parse_questions(&questions_from_lines(
            "選択*: 参加方法 = 会場, オンライン\nはい/いいえ: 懇親会\nテキスト: 質問",
        ))
        .unwrap();
        let raw = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        let a = parse_answers(&qs, &raw(&[("q1", "オンライン"), ("q2", "はい")])).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].question, "参加方法");
        assert_eq!(a[1].answer, "yes");
        let e =
            parse_answers(&qs, &raw(&[("q1", "宇宙"), ("q2", "たぶん"), ("q9", "x")])).unwrap_err();
        let mut named: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        named.sort();
        assert_eq!(named, ["answers.q1", "answers.q2", "answers.q9"]);
        let e = parse_answers(&qs, &raw(&[])).unwrap_err();
        assert_eq!(e.0[0].field, "answers.q1");
        assert_eq!(e.0[0].problem, Problem::Required);
    }

    #[test]
    fn sessions_keep_their_keys_and_their_seats() {
        let first = parse_sessions(&sessions_from_lines("分科会A / 20\n交流会", &[]).0).unwrap();
        assert_eq!(first[0].key, "s1");
        assert_eq!(first[0].capacity, Some(20));
        assert_eq!(first[1].key, "s2");
        // Edited: 分科会A dropped, 交流会 kept, 個別相談 added after the highest key ever used.
        let (mut inputs, errs) = sessions_from_lines("交流会\n個別相談 / ５", &first);
        assert!(errs.is_empty());
        assign_session_keys(&mut inputs, &first);
        let second = parse_sessions(&inputs).unwrap();
        assert_eq!(second[0].key, "s2");
        assert_eq!(second[1].key, "s3");
        // Dropping the last one and adding another does not hand its key on.
        let mut third = vec![
            second[0].to_input(),
            SessionInput {
                title: Some("見学会".into()),
                ..SessionInput::default()
            },
        ];
        assign_session_keys(&mut third, &second);
        assert_eq!(third[1].key.as_deref(), Some("s4"));
        assert_eq!(second[1].capacity, Some(5));
        assert_eq!(
            parse_sessions(&sessions_from_lines(&sessions_to_lines(&second), &second).0).unwrap(),
            second
        );
        let (_, errs) = sessions_from_lines("交流会 / 多数", &[]);
        assert_eq!(errs.0[0].field, "sessions[0].capacity");
        // Chosen sessions: known keys once each; full ones named.
        assert_eq!(
            parse_chosen(&second, &["s3".into(), "s3".into()]).unwrap(),
            ["s3"]
        );
        assert!(parse_chosen(&second, &["s1".into()]).is_err());
        let taken = BTreeMap::from([("s3".to_owned(), 5)]);
        let chosen = ["s2".to_owned(), "s3".to_owned()];
        assert_eq!(full_sessions(&second, &chosen, &taken), ["s3"]);
    }
}
