//! Events in the browser: the programme's event list and the form of a new event for those who
//! run events; an event's page, where a guest registers without an account and a signed-in
//! user in one click; the personal page a registration's link opens (view, cancel); and the
//! check-in desk, made for a phone at the door (search by name, kana or organisation; one tap).

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::forms::{Choice, Field, FormData};
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use crate::pages::account::with_pre_cookie;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::events::{EventView, RegisterOutcome};
use noguchi_app::records::{Event, Registration};
use noguchi_domain::Invalid;
use noguchi_domain::event::{EventData, EventInput, EventKind, RegistrationInput, format_instant};
use noguchi_domain::event_form::{
    Question, QuestionKind, answer_key, questions_from_lines, questions_to_lines,
    sessions_from_lines,
};
use noguchi_domain::text::search_key;
use serde::Deserialize;

/// An event as a line of a list.
pub struct EventLine {
    pub href: String,
    pub title: String,
    pub kind: String,
    pub when: String,
    pub venue: String,
    pub seats: String,
    pub waitlisted: i64,
    pub public: bool,
}

fn when(e: &EventData) -> String {
    let s = format_instant(e.starts_at);
    let end = format_instant(e.ends_at);
    let (day, start) = s.split_once('T').unwrap_or((&s, ""));
    let (end_day, end_time) = end.split_once('T').unwrap_or((&end, ""));
    let hm = |t: &str| t.get(..5).unwrap_or(t).to_owned();
    if day == end_day {
        format!("{day} {}〜{}", hm(start), hm(end_time))
    } else {
        format!("{day} {} 〜 {end_day} {}", hm(start), hm(end_time))
    }
}

fn seats(tr: Tr, e: &Event) -> String {
    match e.data.capacity {
        Some(c) => format!("{} / {c}", e.confirmed),
        None => format!("{} ({})", e.confirmed, tr.t("event-no-limit")),
    }
}

fn line(tr: Tr, v: &EventView) -> EventLine {
    let e = &v.event;
    EventLine {
        href: format!("/events/{}", e.id),
        title: e.data.title.clone(),
        kind: tr.code("event-kind", e.data.kind.code()),
        when: when(&e.data),
        venue: e.data.venue.clone().unwrap_or_default(),
        seats: seats(tr, e),
        waitlisted: e.waitlisted,
        public: e.data.public,
    }
}

#[derive(Template)]
#[template(path = "events.html")]
struct ListPage {
    ctx: Ctx,
    programme_id: String,
    programme_name: String,
    events: Vec<EventLine>,
    can_manage: bool,
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    caller.principal()?;
    let programme = state.app.programme(&id).await?;
    let ctx = Ctx::new(&caller, &format!("/programmes/{id}/events"));
    let tr = ctx.tr;
    let events = state
        .app
        .events(&caller.sight, &id)
        .await?
        .iter()
        .map(|v| line(tr, v))
        .collect();
    Ok(render(&ListPage {
        can_manage: state.app.may_run_events(&caller.sight, &id),
        programme_name: programme.definition.name.clone(),
        programme_id: id,
        events,
        ctx,
    }))
}

fn read_event(form: &FormData) -> (EventInput, Invalid) {
    let (sessions, mut unreadable) =
        sessions_from_lines(&form.get("sessions").unwrap_or_default(), &[]);
    let capacity = match form.get("capacity").map(|c| c.trim().to_owned()) {
        None => None,
        Some(c) if c.is_empty() => None,
        Some(c) => match noguchi_domain::text::fold_width(&c).parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                unreadable.push("capacity", noguchi_domain::Problem::NotANumber);
                None
            }
        },
    };
    (
        EventInput {
            title: form.get("title"),
            kind: form.get("kind"),
            description: form.get("description"),
            starts_at: form.get("starts_at"),
            ends_at: form.get("ends_at"),
            venue: form.get("venue"),
            online_url: form.get("online_url"),
            capacity,
            public: Some(form.checked("public")),
            registration_opens_at: form.get("registration_opens_at"),
            registration_closes_at: form.get("registration_closes_at"),
            strategy: form.get("strategy"),
            questions: Some(questions_from_lines(
                &form.get("questions").unwrap_or_default(),
            )),
            sessions: Some(sessions),
        },
        unreadable.scoped("event"),
    )
}

/// A datetime-local input's value (JST, minutes) from an instant as exchanged.
fn local(v: &Option<String>) -> String {
    v.as_deref()
        .and_then(|s| noguchi_domain::event::parse_instant(s).ok())
        .map(|t| format_instant(t).chars().take(16).collect())
        .unwrap_or_default()
}

/// The questions as the form writes them (what was typed, when sent back with an error).
fn questions_text(input: &EventInput) -> String {
    let parsed: Vec<Question> = input
        .questions
        .iter()
        .flatten()
        .map(|q| Question {
            label: q.label.clone().unwrap_or_default(),
            kind: q
                .kind
                .as_deref()
                .and_then(|k| QuestionKind::parse(k).ok())
                .unwrap_or(QuestionKind::Text),
            choices: q.choices.clone(),
            required: q.required,
        })
        .collect();
    questions_to_lines(&parsed)
}

fn sessions_text(input: &EventInput) -> String {
    input
        .sessions
        .iter()
        .flatten()
        .map(|s| match s.capacity {
            Some(c) => format!("{} / {c}", s.title.clone().unwrap_or_default()),
            None => s.title.clone().unwrap_or_default(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn event_form(
    state: &AppState,
    caller: &Caller,
    programme_id: &str,
    input: &EventInput,
    invalid: Option<&Invalid>,
) -> Result<Response, AppError> {
    let action = format!("/programmes/{programme_id}/events");
    let ctx = Ctx::new(caller, &action);
    let tr = ctx.tr;
    let programme = state.app.programme(programme_id).await?;
    let f = |name: &'static str, kind: &'static str, value: String| {
        Field::new(tr, name, kind, value).labelled(tr.field_in(Some("event"), name))
    };
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let kind = s(&input.kind);
    let strategy = s(&input.strategy);
    let fields = vec![
        f("title", "text", s(&input.title)).required(),
        f("kind", "select", kind.clone()).required().choices(
            EventKind::ALL
                .iter()
                .map(|k| Choice {
                    value: k.code().into(),
                    label: tr.code("event-kind", k.code()),
                    selected: k.code() == kind,
                })
                .collect(),
        ),
        f("starts_at", "datetime-local", local(&input.starts_at))
            .required()
            .help(tr.t("event-time-help")),
        f("ends_at", "datetime-local", local(&input.ends_at)).required(),
        f("venue", "text", s(&input.venue)),
        f("online_url", "url", s(&input.online_url)),
        f(
            "capacity",
            "number",
            input.capacity.map(|c| c.to_string()).unwrap_or_default(),
        )
        .help(tr.t("event-capacity-help")),
        f("public", "checkbox", String::new()).checked(input.public.unwrap_or(false)),
        f(
            "registration_opens_at",
            "datetime-local",
            local(&input.registration_opens_at),
        ),
        f(
            "registration_closes_at",
            "datetime-local",
            local(&input.registration_closes_at),
        )
        .help(tr.t("event-registration-help")),
        f("strategy", "select", strategy.clone()).choices(
            programme
                .definition
                .strategies
                .iter()
                .map(|st| Choice {
                    value: st.key.clone(),
                    label: st.title.clone(),
                    selected: st.key == strategy,
                })
                .collect(),
        ),
        f("description", "textarea", s(&input.description)),
        f("questions", "textarea", questions_text(input)).help(tr.t("event-questions-help")),
        f("sessions", "textarea", sessions_text(input)).help(tr.t("event-sessions-help")),
    ];
    Ok(crate::pages::render_form(
        ctx,
        tr.t("event-new"),
        action.clone(),
        format!("/programmes/{programme_id}/events"),
        fields,
        invalid,
    ))
}

pub async fn new_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    noguchi_domain::access::manage_events(p, &id).map_err(|_| AppError::Forbidden)?;
    event_form(&state, &caller, &id, &EventInput::default(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let (input, unreadable) = read_event(&form);
    let submitted = noguchi_app::Submitted {
        input: input.clone(),
        unreadable,
    };
    match state.app.create_event(&caller.sight, &id, submitted).await {
        Ok(v) => {
            Ok(Redirect::to(&format!("/events/{}?flash=org-created", v.event.id)).into_response())
        }
        Err(noguchi_app::Error::Invalid(i)) => {
            event_form(&state, &caller, &id, &input, Some(&i)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    ctx: Ctx,
    event: Event,
    kind: String,
    when: String,
    seats: String,
    open: bool,
    can_manage: bool,
    /// The registration form: for a guest on a public open event, or a signed-in user.
    fields: Vec<Field>,
    has_errors: bool,
    /// Told after a registration attempt: the status, and for a guest the personal link.
    done: Option<Done>,
    /// The event's own questions and sessions on the registration form.
    questions: Vec<QuestionField>,
    sessions: Vec<SessionChoice>,
    sessions_error: Option<String>,
}

/// A custom question on the registration form (`answers.q1` …).
pub struct QuestionField {
    pub name: String,
    pub label: String,
    /// text, choice or yes_no
    pub kind: &'static str,
    pub required: bool,
    pub value: String,
    /// (value, label) of a choice or yes/no question.
    pub options: Vec<(String, String)>,
    pub error: Option<String>,
}

pub struct SessionChoice {
    pub key: String,
    pub title: String,
    pub capacity: Option<i64>,
    pub checked: bool,
}

pub struct Done {
    pub status: String,
    pub manage_path: Option<String>,
}

fn registration_fields(tr: Tr, caller: &Caller, input: &RegistrationInput) -> Vec<Field> {
    let f = |name: &'static str, kind: &'static str, value: &Option<String>| {
        Field::new(tr, name, kind, value.clone().unwrap_or_default())
            .labelled(tr.field_in(Some("registration"), name))
    };
    // A signed-in user registers as themselves: the form starts filled in.
    let (name, email, org) = match &caller.principal {
        Some(p) if input.email.is_none() => (
            Some(p.name.clone()),
            Some(p.email.clone()),
            Some(p.organisation_name.clone()),
        ),
        _ => (
            input.name.clone(),
            input.email.clone(),
            input.organisation_name.clone(),
        ),
    };
    vec![
        f("name", "text", &name).required().autocomplete("name"),
        f("name_kana", "text", &input.name_kana),
        f("email", "email", &email).required().autocomplete("email"),
        f("organisation_name", "text", &org)
            .required()
            .autocomplete("organization"),
        f("corporate_number", "text", &input.corporate_number)
            .help(tr.t("registration-corporate-number-help")),
    ]
}

/// An event's own questions and sessions as form fields, filled with `answers` and `chosen`,
/// with the messages of `invalid` beside them (the registration form and the personal page).
fn form_extras(
    tr: Tr,
    event: &EventData,
    answers: &std::collections::BTreeMap<String, String>,
    chosen: &[String],
    invalid: Option<&Invalid>,
) -> (Vec<QuestionField>, Vec<SessionChoice>, Option<String>) {
    let error_of = |field: &str| {
        invalid.and_then(|i| {
            let m: Vec<String> =
                i.0.iter()
                    .filter(|e| e.field == field)
                    .map(|e| tr.error(e))
                    .collect();
            (!m.is_empty()).then(|| m.join(" "))
        })
    };
    let questions = event
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let key = answer_key(i);
            let name = format!("answers.{key}");
            QuestionField {
                value: answers.get(&key).cloned().unwrap_or_default(),
                label: q.label.clone(),
                kind: q.kind.code(),
                required: q.required,
                options: match q.kind {
                    QuestionKind::Choice => {
                        q.choices.iter().map(|c| (c.clone(), c.clone())).collect()
                    }
                    QuestionKind::YesNo => vec![
                        ("yes".to_owned(), tr.t("answer-yes")),
                        ("no".to_owned(), tr.t("answer-no")),
                    ],
                    QuestionKind::Text => Vec::new(),
                },
                error: error_of(&name),
                name,
            }
        })
        .collect();
    let sessions = event
        .sessions
        .iter()
        .map(|s| SessionChoice {
            checked: chosen.contains(&s.key),
            key: s.key.clone(),
            title: s.title.clone(),
            capacity: s.capacity,
        })
        .collect();
    (questions, sessions, error_of("sessions"))
}

/// The answers a form sent, by key (`answers.q1` …).
fn read_answers(form: &FormData) -> std::collections::BTreeMap<String, String> {
    (0..noguchi_domain::event_form::MAX_QUESTIONS)
        .filter_map(|i| {
            let key = answer_key(i);
            form.get(&format!("answers.{key}")).map(|v| (key, v))
        })
        .collect()
}

fn event_page(
    state: &AppState,
    caller: &Caller,
    v: EventView,
    input: &RegistrationInput,
    invalid: Option<&Invalid>,
    done: Option<Done>,
    flash: Option<&str>,
) -> Response {
    let ctx = Ctx::new(caller, &format!("/events/{}", v.event.id)).with_flash(flash);
    let tr = ctx.tr;
    let may_register = v.registration_open && (v.event.data.public || caller.principal.is_some());
    let mut fields = if may_register && done.is_none() {
        registration_fields(tr, caller, input)
    } else {
        Vec::new()
    };
    if let Some(i) = invalid {
        crate::forms::attach_errors(&mut fields, i, tr);
    }
    let (questions, sessions, sessions_error) = if fields.is_empty() {
        (Vec::new(), Vec::new(), None)
    } else {
        form_extras(tr, &v.event.data, &input.answers, &input.sessions, invalid)
    };
    let page = EventPage {
        questions,
        sessions,
        sessions_error,
        kind: tr.code("event-kind", v.event.data.kind.code()),
        when: when(&v.event.data),
        seats: seats(tr, &v.event),
        open: v.registration_open,
        can_manage: v.may_manage,
        has_errors: invalid.is_some(),
        fields,
        done,
        event: v.event,
        ctx,
    };
    let mut r = with_pre_cookie(render(&page), caller, state);
    if invalid.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let v = state.app.event(&caller.sight, &id).await?;
    Ok(event_page(
        &state,
        &caller,
        v,
        &RegistrationInput::default(),
        None,
        None,
        q.flash.as_deref(),
    ))
}

pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let input = RegistrationInput {
        name: form.get("name"),
        name_kana: form.get("name_kana"),
        email: form.get("email"),
        organisation_name: form.get("organisation_name"),
        corporate_number: form.get("corporate_number"),
        answers: read_answers(&form),
        sessions: form.all("sessions"),
    };
    let outcome = state
        .app
        .register(&caller.sight, &id, caller.address.as_deref(), &input)
        .await;
    let tr = Tr(caller.lang);
    let done = match outcome {
        Ok(RegisterOutcome::Created {
            registration,
            manage_token,
        }) => Done {
            status: tr.code("registration-status", registration.status.code()),
            manage_path: manage_token.map(|t| format!("/registrations/manage/{t}")),
        },
        // The same answer whoever holds the address: the first registration's mail has the link.
        Ok(RegisterOutcome::Duplicate) => Done {
            status: tr.t("registration-received"),
            manage_path: None,
        },
        Err(noguchi_app::Error::Invalid(i)) => {
            let v = state.app.event(&caller.sight, &id).await?;
            return Ok(event_page(&state, &caller, v, &input, Some(&i), None, None));
        }
        Err(e) => return Err(e.into()),
    };
    let v = state.app.event(&caller.sight, &id).await?;
    Ok(event_page(
        &state,
        &caller,
        v,
        &RegistrationInput::default(),
        None,
        Some(done),
        None,
    ))
}

#[derive(Template)]
#[template(path = "registration_manage.html")]
struct ManagePage {
    ctx: Ctx,
    event: Event,
    when: String,
    registration: Registration,
    status: String,
    action: String,
    /// The check-in code: the desk's address for this registration, which staff open with a
    /// phone's camera and confirm with one tap.
    qr: Option<crate::views::Qr>,
    /// The answers and sessions the registrant may still change (until the event begins).
    can_change: bool,
    change_closed: bool,
    change_action: String,
    questions: Vec<QuestionField>,
    sessions: Vec<SessionChoice>,
    sessions_error: Option<String>,
    changed: bool,
}

#[derive(Deserialize)]
pub struct ChangedQuery {
    changed: Option<String>,
}

pub async fn manage(
    State(state): State<AppState>,
    caller: Caller,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
    Query(q): Query<ChangedQuery>,
) -> Result<Response, AppError> {
    manage_page(&state, &caller, &token, &headers, None, q.changed.is_some()).await
}

/// The personal page; `sent` is a change that was refused (what was sent and why).
async fn manage_page(
    state: &AppState,
    caller: &Caller,
    token: &str,
    headers: &axum::http::HeaderMap,
    sent: Option<(RegistrationInput, Invalid)>,
    changed: bool,
) -> Result<Response, AppError> {
    let (event, registration) = state.app.registration_by_link(token).await?;
    let desk = format!("/events/{}/desk?q={}", event.id, registration.id);
    let desk = match state.app.public_url() {
        Some(base) => format!("{base}{desk}"),
        None => crate::views::absolute(headers, &desk),
    };
    let qr = (registration.status != noguchi_domain::event::RegistrationStatus::Cancelled)
        .then(|| crate::views::qr(&desk))
        .flatten();
    // The language switch returns here (same origin: the secret stays on this site).
    let ctx = Ctx::new(caller, &format!("/registrations/manage/{token}"));
    let tr = ctx.tr;
    let asks = !(event.data.questions.is_empty() && event.data.sessions.is_empty());
    let live = registration.status != noguchi_domain::event::RegistrationStatus::Cancelled;
    let begun = event.data.held_by(state.app.now());
    let can_change = live && !begun && asks;
    // Said rather than left out: the form is gone because the event has begun.
    let change_closed = live && begun && asks;
    let current: std::collections::BTreeMap<String, String> = event
        .data
        .questions
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            registration
                .data
                .answers
                .iter()
                .find(|a| a.question == q.label)
                .map(|a| (answer_key(i), a.answer.clone()))
        })
        .collect();
    let (questions, sessions, sessions_error) = match &sent {
        Some((input, invalid)) => form_extras(
            tr,
            &event.data,
            &input.answers,
            &input.sessions,
            Some(invalid),
        ),
        None => form_extras(tr, &event.data, &current, &registration.data.sessions, None),
    };
    let refused = sent.is_some();
    let page = ManagePage {
        can_change,
        change_closed,
        change_action: format!("/registrations/manage/{token}/change"),
        questions,
        sessions,
        sessions_error,
        changed,
        when: when(&event.data),
        status: tr.code("registration-status", registration.status.code()),
        action: format!("/registrations/manage/{token}/cancel"),
        qr,
        event,
        registration,
        ctx,
    };
    // The link's secret is in the path: the security headers' `Referrer-Policy: same-origin`
    // keeps it out of the Referer sent to other sites.
    let mut r = with_pre_cookie(render(&page), caller, state);
    if refused {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// Changes the answers and sessions through the personal link.
pub async fn manage_change(
    State(state): State<AppState>,
    caller: Caller,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
    form: FormData,
) -> Result<Response, AppError> {
    let input = RegistrationInput {
        answers: read_answers(&form),
        sessions: form.all("sessions"),
        ..RegistrationInput::default()
    };
    match state
        .app
        .change_with_link(&token, &input.answers, &input.sessions)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/registrations/manage/{token}?changed=1")).into_response())
        }
        Err(noguchi_app::Error::Invalid(i)) => {
            manage_page(&state, &caller, &token, &headers, Some((input, i)), false).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn manage_cancel(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    state.app.cancel_with_link(&token).await?;
    Ok(Redirect::to(&format!("/registrations/manage/{token}")).into_response())
}

#[derive(Template)]
#[template(path = "event_desk.html")]
struct DeskPage {
    ctx: Ctx,
    event: Event,
    q: String,
    rows: Vec<DeskRow>,
    review: usize,
}

pub struct DeskRow {
    pub id: String,
    pub name: String,
    pub kana: String,
    pub organisation: String,
    pub review: bool,
    pub status: String,
    pub status_code: String,
    pub checked_in: bool,
}

#[derive(Deserialize)]
pub struct DeskQuery {
    q: Option<String>,
}

pub async fn desk(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<DeskQuery>,
) -> Result<Response, AppError> {
    let v = state.app.event(&caller.sight, &id).await?;
    let regs = state.app.registrations(&caller.sight, &id).await?;
    let query = q.q.unwrap_or_default();
    let key = search_key(&query);
    let ctx = Ctx::new(&caller, &format!("/events/{id}/desk"));
    let tr = ctx.tr;
    let review = regs
        .iter()
        .filter(|r| noguchi_app::App::needs_review(r))
        .count();
    let rows = regs
        .into_iter()
        .filter(|r| {
            key.is_empty()
                || r.id == query.trim()
                || [
                    Some(&r.data.name),
                    r.data.name_kana.as_ref(),
                    Some(&r.data.organisation_name),
                    Some(&r.data.email),
                ]
                .into_iter()
                .flatten()
                .any(|t| search_key(t).contains(&key))
        })
        .map(|r| DeskRow {
            review: noguchi_app::App::needs_review(&r),
            status: tr.code("registration-status", r.status.code()),
            status_code: r.status.code().into(),
            checked_in: r.checked_in_at.is_some(),
            organisation: r
                .organisation_directory_name
                .clone()
                .unwrap_or(r.data.organisation_name),
            kana: r.data.name_kana.unwrap_or_default(),
            name: r.data.name,
            id: r.id,
        })
        .collect();
    Ok(render(&DeskPage {
        event: v.event,
        q: query,
        rows,
        review,
        ctx,
    }))
}

pub async fn check_in(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let r = state.app.check_in(&caller.sight, &id).await?;
    Ok(back_to_desk(&r.event_id, form.get("q")))
}

pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let r = state.app.cancel_registration(&caller.sight, &id).await?;
    Ok(back_to_desk(&r.event_id, form.get("q")))
}

fn back_to_desk(event_id: &str, q: Option<String>) -> Response {
    let q = q.filter(|q| !q.trim().is_empty());
    let to = match q {
        Some(q) => format!("/events/{event_id}/desk?q={}", crate::auth::url_escape(&q)),
        None => format!("/events/{event_id}/desk"),
    };
    Redirect::to(&to).into_response()
}

#[derive(Template)]
#[template(path = "attendance_import.html")]
struct AttendancePage {
    ctx: Ctx,
    event: Event,
    error: Option<String>,
    checked: bool,
    rows: Vec<AttendanceLine>,
    invalid: usize,
    csv: String,
}

pub struct AttendanceLine {
    pub row: usize,
    pub name: String,
    pub ok: bool,
    pub action: String,
    pub errors: Vec<String>,
}

/// The page of a paper sign-in sheet: choose the file.
pub async fn attendance_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let v = state.app.event_to_edit(&caller.sight, &id).await?;
    Ok(render(&AttendancePage {
        ctx: Ctx::new(&caller, &format!("/events/{id}/attendance/import")),
        event: v.event,
        error: None,
        checked: false,
        rows: Vec::new(),
        invalid: 0,
        csv: String::new(),
    }))
}

/// Step 1 (the file): a dry run showing what each row comes to. Step 2 (the checked rows sent
/// back as CSV): records them all, or none when any is invalid.
pub async fn attendance_import(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    use noguchi_app::events_import::AttendanceAction as A;
    let v = state.app.event_to_edit(&caller.sight, &id).await?;
    let ctx = Ctx::new(&caller, &format!("/events/{id}/attendance/import"));
    let tr = ctx.tr;
    let (bytes, confirm) = crate::upload::read_upload(req, &state).await?;
    let mut page = AttendancePage {
        ctx,
        event: v.event,
        error: None,
        checked: true,
        rows: Vec::new(),
        invalid: 0,
        csv: String::new(),
    };
    let import = match state
        .app
        .import_attendance(&caller.sight, &id, &bytes, !confirm)
        .await
    {
        Ok(i) => i,
        Err(noguchi_app::Error::Invalid(i)) => {
            page.checked = false;
            page.error = Some(
                i.0.iter()
                    .map(|e| tr.error(e))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            let mut r = render(&page);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(r);
        }
        Err(e) => return Err(e.into()),
    };
    if confirm && import.invalid() == 0 {
        return Ok(Redirect::to(&format!("/events/{id}/desk")).into_response());
    }
    page.invalid = import.invalid();
    page.csv = noguchi_app::sheets::read::normalised_csv(&bytes).await?;
    page.rows = import
        .rows
        .iter()
        .map(|r| {
            let (ok, action, errors) = match &r.action {
                Ok(a) => (
                    true,
                    tr.t(match a {
                        A::CheckIn { .. } => "attendance-check-in",
                        A::Already { .. } => "attendance-already",
                        A::WalkIn => "attendance-walk-in",
                        A::Absent => "attendance-absent",
                    }),
                    Vec::new(),
                ),
                Err(i) => (
                    false,
                    String::new(),
                    i.0.iter().map(|e| tr.error(e)).collect(),
                ),
            };
            AttendanceLine {
                row: r.row,
                name: r.name.clone(),
                ok,
                action,
                errors,
            }
        })
        .collect();
    let mut resp = render(&page);
    if page.invalid > 0 {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

#[derive(Deserialize)]
pub struct FormatQuery {
    format: Option<String>,
}

/// The participant list as XLSX or CSV (UTF-8 or Shift_JIS): who registered, their status and
/// whether they came (formula-like cells neutralised by the writer), for those who run events.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(f): Query<FormatQuery>,
) -> Result<Response, AppError> {
    use crate::download::{Cell, table_response};
    let regs = state.app.registrations(&caller.sight, &id).await?;
    let event = state.app.event(&caller.sight, &id).await?.event;
    let tr = Tr(caller.lang);
    let mut header: Vec<String> = [
        "field-registration-name",
        "field-registration-name_kana",
        "field-registration-email",
        "field-registration-organisation_name",
        "field-registration-corporate_number",
        "registration-directory",
        "field-status",
        "event-checked-in",
        "field-created_at",
    ]
    .iter()
    .map(|k| tr.t(k))
    .collect();
    // The event's own questions and sessions after the fixed columns: an answer under the
    // question it was given to (matched by wording, as it was kept).
    header.extend(event.data.questions.iter().map(|q| q.label.clone()));
    if !event.data.sessions.is_empty() {
        header.push(tr.t("registration-sessions"));
    }
    let rows: Vec<Vec<Cell>> =
        regs.into_iter()
            .map(|r| {
                let mut extra: Vec<Cell> =
                    event
                        .data
                        .questions
                        .iter()
                        .map(|q| {
                            let a = r.data.answers.iter().find(|a| a.question == q.label).map(
                                |a| match (q.kind, a.answer.as_str()) {
                                    (QuestionKind::YesNo, "yes") => tr.t("answer-yes"),
                                    (QuestionKind::YesNo, "no") => tr.t("answer-no"),
                                    _ => a.answer.clone(),
                                },
                            );
                            Cell::Text(a.unwrap_or_default())
                        })
                        .collect();
                if !event.data.sessions.is_empty() {
                    extra.push(Cell::Text(
                        event
                            .data
                            .sessions
                            .iter()
                            .filter(|s| r.data.sessions.contains(&s.key))
                            .map(|s| s.title.clone())
                            .collect::<Vec<_>>()
                            .join("、"),
                    ));
                }
                let mut row = vec![
                    Cell::Text(r.data.name),
                    Cell::Text(r.data.name_kana.unwrap_or_default()),
                    Cell::Text(r.data.email),
                    Cell::Text(r.data.organisation_name),
                    Cell::Text(r.data.corporate_number.unwrap_or_default()),
                    Cell::Text(r.organisation_directory_name.unwrap_or_default()),
                    Cell::Text(tr.code("registration-status", r.status.code())),
                    Cell::Text(
                        r.checked_in_at
                            .map(|t| crate::views::jst_minutes(&t))
                            .unwrap_or_default(),
                    ),
                    Cell::Text(r.created_at.chars().take(10).collect()),
                ];
                row.extend(extra);
                row
            })
            .collect();
    table_response(&header, &rows, f.format.as_deref(), "participants")
}

#[derive(Template)]
#[template(path = "badges.html")]
struct BadgesPage {
    ctx: Ctx,
    event: Event,
    badges: Vec<(String, String, String)>,
}

/// Name badges of the confirmed participants, to print (one card each: name, reading,
/// organisation).
pub async fn badges(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let v = state.app.event(&caller.sight, &id).await?;
    let regs = state.app.registrations(&caller.sight, &id).await?;
    let badges = regs
        .into_iter()
        .filter(|r| r.status == noguchi_domain::event::RegistrationStatus::Confirmed)
        .map(|r| {
            (
                r.data.name,
                r.data.name_kana.unwrap_or_default(),
                r.organisation_directory_name
                    .unwrap_or(r.data.organisation_name),
            )
        })
        .collect();
    Ok(render(&BadgesPage {
        ctx: Ctx::new(&caller, &format!("/events/{id}/badges")),
        event: v.event,
        badges,
    }))
}
