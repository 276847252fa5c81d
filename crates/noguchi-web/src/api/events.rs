//! Events, registrations, check-in, the activity figures and the network over JSON
//! (CONTRACT.md, events and network). Guests register for a public event without credentials;
//! their answer carries the secret of their personal link (`manage_token`).

use super::{JsonBody, ProblemOut, parse_json};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use noguchi_app::events::{EventView, NetworkView, RegisterOutcome};
use noguchi_app::records::Registration;
use noguchi_domain::event::{EventInput, RegistrationInput, format_instant};
use noguchi_domain::event_form::{QuestionInput, SessionInput};
use noguchi_domain::fiscal::FiscalYear;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub id: String,
    pub programme_id: String,
    pub title: String,
    /// seminar, exhibition, matching, site_tour or needs_pitch
    pub kind: String,
    pub description: Option<String>,
    /// RFC 3339 in JST.
    pub starts_at: String,
    pub ends_at: String,
    pub venue: Option<String>,
    pub online_url: Option<String>,
    /// Seats; null for no limit.
    pub capacity: Option<i64>,
    /// Guests may register without an account.
    pub public: bool,
    pub registration_opens_at: Option<String>,
    pub registration_closes_at: Option<String>,
    pub registration_open: bool,
    pub strategy: Option<String>,
    /// Custom questions to registrants, answered as `answers.q1`, `answers.q2` … in order.
    pub questions: Vec<QuestionIn>,
    /// Optional sessions registrants choose by key.
    pub sessions: Vec<SessionIn>,
    pub confirmed: i64,
    pub waitlisted: i64,
    /// Shown to those who run events only.
    pub checked_in: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

pub fn event_out(v: EventView) -> EventOut {
    let e = v.event;
    EventOut {
        checked_in: v.may_manage.then_some(e.checked_in),
        registration_open: v.registration_open,
        id: e.id,
        programme_id: e.programme_id,
        title: e.data.title,
        kind: e.data.kind.code().into(),
        description: e.data.description,
        starts_at: format_instant(e.data.starts_at),
        ends_at: format_instant(e.data.ends_at),
        venue: e.data.venue,
        online_url: e.data.online_url,
        capacity: e.data.capacity,
        public: e.data.public,
        registration_opens_at: e.data.registration_opens_at.map(format_instant),
        registration_closes_at: e.data.registration_closes_at.map(format_instant),
        strategy: e.data.strategy,
        questions: e
            .data
            .questions
            .iter()
            .map(|q| QuestionIn::from_input(q.to_input()))
            .collect(),
        sessions: e
            .data
            .sessions
            .iter()
            .map(|s| SessionIn::from_input(s.to_input()))
            .collect(),
        confirmed: e.confirmed,
        waitlisted: e.waitlisted,
        created_at: e.created_at,
        updated_at: e.updated_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventOut>,
    pub next_cursor: Option<String>,
}

/// The events of a programme: without credentials, the public ones.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/events", tag = "events", params(("id" = String, Path)),
    responses((status = 200, body = EventList), (status = 404, body = ProblemOut)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<EventList>, AppError> {
    Ok(Json(EventList {
        items: state
            .app
            .events(&caller.sight, &id)
            .await?
            .into_iter()
            .map(event_out)
            .collect(),
        next_cursor: None,
    }))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
    pub title: Option<String>,
    /// seminar, exhibition, matching, site_tour or needs_pitch
    pub kind: Option<String>,
    pub description: Option<String>,
    /// RFC 3339 with offset (`2026-12-10T13:30:00+09:00`); without one, JST.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub venue: Option<String>,
    pub online_url: Option<String>,
    /// Seats (≥ 1); null for no limit.
    pub capacity: Option<i64>,
    /// Guests may register without an account (default false).
    pub public: Option<bool>,
    pub registration_opens_at: Option<String>,
    pub registration_closes_at: Option<String>,
    /// A strategy key of the programme.
    pub strategy: Option<String>,
    /// Custom questions (at most 10); a PATCH replaces the whole list.
    pub questions: Option<Vec<QuestionIn>>,
    /// Optional sessions (at most 20); a PATCH replaces the whole list, and a session sent
    /// with its `key` keeps its registrations.
    pub sessions: Option<Vec<SessionIn>>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionIn {
    pub label: Option<String>,
    /// text (default), choice or yes_no
    pub kind: Option<String>,
    /// The choices of a `choice` question (two or more).
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub required: bool,
}

impl QuestionIn {
    fn from_input(q: QuestionInput) -> Self {
        Self {
            label: q.label,
            kind: q.kind,
            choices: q.choices,
            required: q.required,
        }
    }
    fn into_input(self) -> QuestionInput {
        QuestionInput {
            label: self.label,
            kind: self.kind,
            choices: self.choices,
            required: self.required,
        }
    }
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionIn {
    /// `s1`, `s2` …: absent for a new session.
    pub key: Option<String>,
    pub title: Option<String>,
    /// Seats (≥ 1); null for no limit.
    pub capacity: Option<i64>,
}

impl SessionIn {
    fn from_input(s: SessionInput) -> Self {
        Self {
            key: s.key,
            title: s.title,
            capacity: s.capacity,
        }
    }
    fn into_input(self) -> SessionInput {
        SessionInput {
            key: self.key,
            title: self.title,
            capacity: self.capacity,
        }
    }
}

impl EventIn {
    fn into_input(self) -> EventInput {
        EventInput {
            title: self.title,
            kind: self.kind,
            description: self.description,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            venue: self.venue,
            online_url: self.online_url,
            capacity: self.capacity,
            public: self.public,
            registration_opens_at: self.registration_opens_at,
            registration_closes_at: self.registration_closes_at,
            strategy: self.strategy,
            questions: self
                .questions
                .map(|q| q.into_iter().map(QuestionIn::into_input).collect()),
            sessions: self
                .sessions
                .map(|s| s.into_iter().map(SessionIn::into_input).collect()),
        }
    }
    fn from_input(i: EventInput) -> Self {
        Self {
            title: i.title,
            kind: i.kind,
            description: i.description,
            starts_at: i.starts_at,
            ends_at: i.ends_at,
            venue: i.venue,
            online_url: i.online_url,
            capacity: i.capacity,
            public: i.public,
            registration_opens_at: i.registration_opens_at,
            registration_closes_at: i.registration_closes_at,
            strategy: i.strategy,
            questions: i
                .questions
                .map(|q| q.into_iter().map(QuestionIn::from_input).collect()),
            sessions: i
                .sessions
                .map(|s| s.into_iter().map(SessionIn::from_input).collect()),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/programmes/{id}/events", tag = "events", params(("id" = String, Path)), request_body = EventIn,
    responses((status = 201, body = EventOut), (status = 403, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<EventIn>,
) -> Result<impl IntoResponse, AppError> {
    let e = state
        .app
        .create_event(&caller.sight, &id, body.into_input().into())
        .await?;
    Ok((StatusCode::CREATED, Json(event_out(e))))
}

/// An event: a public one without credentials, another for signed-in users.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events", params(("id" = String, Path)),
    responses((status = 200, body = EventOut), (status = 404, body = ProblemOut)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<EventOut>, AppError> {
    Ok(Json(event_out(state.app.event(&caller.sight, &id).await?)))
}

#[utoipa::path(patch, path = "/api/v1/events/{id}", tag = "events", params(("id" = String, Path)), request_body = EventIn,
    responses((status = 200, body = EventOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<Map<String, Value>>,
) -> Result<Json<EventOut>, AppError> {
    let v = state.app.event_to_edit(&caller.sight, &id).await?;
    let current = EventIn::from_input(v.event.data.to_input());
    let merged: EventIn = parse_json(super::organisations::merge(&current, patch)?.as_bytes())?;
    Ok(Json(event_out(
        state
            .app
            .update_event(&caller.sight, &id, merged.into_input().into())
            .await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationOut {
    pub id: String,
    pub event_id: String,
    pub name: String,
    pub name_kana: Option<String>,
    pub email: String,
    pub organisation_name: String,
    pub corporate_number: Option<String>,
    /// The directory entry the registration is linked to.
    pub organisation_id: Option<String>,
    pub organisation_directory_name: Option<String>,
    /// How the link was made: corporate_number, name, staff; review (staff to decide) or none.
    pub organisation_match: String,
    /// confirmed, waitlisted or cancelled
    pub status: String,
    /// guest, member or staff
    pub source: String,
    pub checked_in: bool,
    pub checked_in_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub created_at: String,
    /// Answers to the event's questions, with each question's wording.
    pub answers: Vec<RegistrationAnswerOut>,
    /// Keys of the sessions chosen.
    pub sessions: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationAnswerOut {
    pub question: String,
    pub answer: String,
}

pub fn registration_out(r: Registration) -> RegistrationOut {
    RegistrationOut {
        id: r.id,
        event_id: r.event_id,
        name: r.data.name,
        name_kana: r.data.name_kana,
        email: r.data.email,
        organisation_name: r.data.organisation_name,
        corporate_number: r.data.corporate_number,
        organisation_id: r.organisation_id,
        organisation_directory_name: r.organisation_directory_name,
        organisation_match: r.organisation_match.code().into(),
        status: r.status.code().into(),
        source: r.source.code().into(),
        checked_in: r.checked_in_at.is_some(),
        checked_in_at: r.checked_in_at,
        cancelled_at: r.cancelled_at,
        created_at: r.created_at,
        answers: r
            .data
            .answers
            .into_iter()
            .map(|a| RegistrationAnswerOut {
                question: a.question,
                answer: a.answer,
            })
            .collect(),
        sessions: r.data.sessions,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationList {
    pub items: Vec<RegistrationOut>,
    pub next_cursor: Option<String>,
}

/// The registrations of an event (the secretariat and the events role).
#[utoipa::path(get, path = "/api/v1/events/{id}/registrations", tag = "events", params(("id" = String, Path)),
    responses((status = 200, body = RegistrationList), (status = 401, body = ProblemOut), (status = 404, body = ProblemOut)))]
pub async fn registrations(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RegistrationList>, AppError> {
    caller.principal()?;
    Ok(Json(RegistrationList {
        items: state
            .app
            .registrations(&caller.sight, &id)
            .await?
            .into_iter()
            .map(registration_out)
            .collect(),
        next_cursor: None,
    }))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationIn {
    pub name: Option<String>,
    /// The reading of the name, in kana.
    pub name_kana: Option<String>,
    pub email: Option<String>,
    pub organisation_name: Option<String>,
    /// 法人番号 (13 digits), when known: the surest link to the directory.
    pub corporate_number: Option<String>,
    /// Answers to the event's questions by key (`q1` …, in the order of `questions`); a yes/no
    /// answer is `yes` or `no`, a choice one of its choices.
    #[serde(default)]
    pub answers: std::collections::BTreeMap<String, String>,
    /// Keys of the sessions chosen.
    #[serde(default)]
    pub sessions: Vec<String>,
}

impl RegistrationIn {
    pub fn into_input(self) -> RegistrationInput {
        RegistrationInput {
            name: self.name,
            name_kana: self.name_kana,
            email: self.email,
            organisation_name: self.organisation_name,
            corporate_number: self.corporate_number,
            answers: self.answers,
            sessions: self.sessions,
        }
    }
}

/// The answer to a registration.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredOut {
    /// Absent when the e-mail already holds a registration for the event (nothing was created).
    pub id: Option<String>,
    /// confirmed or waitlisted; `received` when nothing was created.
    pub status: String,
    pub event_id: String,
    /// The secret of the guest's personal link (view, change, cancel): shown once.
    pub manage_token: Option<String>,
    /// The personal page, relative to the server.
    pub manage_path: Option<String>,
}

/// Registers for an event. Without credentials: a guest, for a public event whose registration
/// is open (any other event answers 404). With credentials: staff register others, anyone
/// else themselves.
#[utoipa::path(post, path = "/api/v1/events/{id}/registrations", tag = "events", params(("id" = String, Path)), request_body = RegistrationIn,
    responses((status = 201, body = RegisteredOut), (status = 202, description = "Nothing created: this e-mail already holds a registration for the event", body = RegisteredOut),
        (status = 404, body = ProblemOut), (status = 422, body = ProblemOut), (status = 429, body = ProblemOut)))]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RegistrationIn>,
) -> Result<Response, AppError> {
    let outcome = state
        .app
        .register(
            &caller.sight,
            &id,
            caller.address.as_deref(),
            &body.into_input(),
        )
        .await?;
    Ok(match outcome {
        RegisterOutcome::Created {
            registration,
            manage_token,
        } => (
            StatusCode::CREATED,
            Json(RegisteredOut {
                id: Some(registration.id),
                status: registration.status.code().into(),
                event_id: registration.event_id,
                manage_path: manage_token
                    .as_ref()
                    .map(|t| format!("/registrations/manage/{t}")),
                manage_token,
            }),
        )
            .into_response(),
        RegisterOutcome::Duplicate => (
            StatusCode::ACCEPTED,
            Json(RegisteredOut {
                id: None,
                status: "received".into(),
                event_id: id,
                manage_token: None,
                manage_path: None,
            }),
        )
            .into_response(),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelIn {
    /// The secret of the personal link.
    pub manage_token: Option<String>,
}

/// Cancels through a personal link's secret (no credentials needed).
#[utoipa::path(post, path = "/api/v1/registrations/cancel", tag = "events", request_body = CancelIn,
    responses((status = 200, body = RegisteredOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn cancel_with_token(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<CancelIn>,
) -> Result<Json<RegisteredOut>, AppError> {
    let token = super::link_secret(body.manage_token, "manage_token")?;
    let r = state.app.cancel_with_link(&token).await?;
    Ok(Json(RegisteredOut {
        id: Some(r.id),
        status: r.status.code().into(),
        event_id: r.event_id,
        manage_token: None,
        manage_path: None,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeIn {
    /// The secret of the personal link.
    pub manage_token: Option<String>,
    /// The answers to the event's questions by key (`q1` …): the whole set, as on the form.
    #[serde(default)]
    pub answers: std::collections::BTreeMap<String, String>,
    /// The keys of the sessions chosen: the whole set.
    #[serde(default)]
    pub sessions: Vec<String>,
}

/// Changes a registration's answers and sessions through a personal link's secret (no
/// credentials needed), until the event begins; a newly chosen session needs a free seat.
#[utoipa::path(post, path = "/api/v1/registrations/change", tag = "events", request_body = ChangeIn,
    responses((status = 200, body = RegisteredOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn change_with_token(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<ChangeIn>,
) -> Result<Json<RegisteredOut>, AppError> {
    let token = super::link_secret(body.manage_token, "manage_token")?;
    let r = state
        .app
        .change_with_link(&token, &body.answers, &body.sessions)
        .await?;
    Ok(Json(RegisteredOut {
        id: Some(r.id),
        status: r.status.code().into(),
        event_id: r.event_id,
        manage_token: None,
        manage_path: None,
    }))
}

#[utoipa::path(get, path = "/api/v1/registrations/{id}", tag = "events", params(("id" = String, Path)),
    responses((status = 200, body = RegistrationOut), (status = 404, body = ProblemOut)))]
pub async fn show_registration(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RegistrationOut>, AppError> {
    Ok(Json(registration_out(
        state.app.registration(&caller.sight, &id).await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationPatch {
    /// The directory entry this registration's organisation is (null to unlink).
    pub organisation_id: Option<String>,
}

/// Links a registration to a directory entry (staff confirm an uncertain match).
#[utoipa::path(patch, path = "/api/v1/registrations/{id}", tag = "events", params(("id" = String, Path)), request_body = RegistrationPatch,
    responses((status = 200, body = RegistrationOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn update_registration(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RegistrationPatch>,
) -> Result<Json<RegistrationOut>, AppError> {
    Ok(Json(registration_out(
        state
            .app
            .link_registration(&caller.sight, &id, body.organisation_id.as_deref())
            .await?,
    )))
}

/// Cancels a registration for someone (the secretariat and the events role).
#[utoipa::path(post, path = "/api/v1/registrations/{id}/cancel", tag = "events", params(("id" = String, Path)),
    responses((status = 200, body = RegistrationOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RegistrationOut>, AppError> {
    Ok(Json(registration_out(
        state.app.cancel_registration(&caller.sight, &id).await?,
    )))
}

/// Records that the person came (the secretariat and the events role).
#[utoipa::path(post, path = "/api/v1/registrations/{id}/check-in", tag = "events", params(("id" = String, Path)),
    responses((status = 200, body = RegistrationOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn check_in(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RegistrationOut>, AppError> {
    Ok(Json(registration_out(
        state.app.check_in(&caller.sight, &id).await?,
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FiscalYearQuery {
    /// The fiscal year (April–March, JST), e.g. 2025; default the current one.
    pub fiscal_year: Option<i32>,
}

impl FiscalYearQuery {
    fn year(&self, today: time::Date) -> Result<FiscalYear, AppError> {
        match self.fiscal_year {
            None => Ok(FiscalYear::of_date(today)),
            Some(y) if noguchi_domain::fiscal::RANGE.contains(&y) => Ok(FiscalYear(y)),
            Some(_) => Err(AppError::field(
                "fiscal_year",
                noguchi_domain::Problem::OutOfRange {
                    min: i64::from(*noguchi_domain::fiscal::RANGE.start()),
                    max: i64::from(*noguchi_domain::fiscal::RANGE.end()),
                },
            )),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityOut {
    pub fiscal_year: i32,
    pub fiscal_year_label: String,
    /// Events that started in the fiscal year (JST) and not in the future.
    pub events_held: i64,
    /// Checked-in registrations of those events.
    pub participants: i64,
    /// Distinct companies with a checked-in participant.
    pub firms_reached: i64,
    /// Of those, companies that had not come to an event in an earlier fiscal year.
    pub first_time_firms: i64,
    /// The records behind the numbers: the events held, the companies reached and the
    /// first-time ones.
    pub event_ids: Vec<String>,
    pub firm_ids: Vec<String>,
    pub first_time_firm_ids: Vec<String>,
    /// How far the firms reached went (the secretariat only; it counts confidential cases).
    pub funnel: Option<FunnelOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelOut {
    /// Companies that came to an event of the year.
    pub attended: i64,
    /// Of those, companies that consulted the programme.
    pub consulted: i64,
    /// Of those, companies with an entry case.
    pub entry_case: i64,
    /// Of those, companies with a verified entry or commercialisation outcome.
    pub commercialised: i64,
    /// The companies behind each step.
    pub consulted_ids: Vec<String>,
    pub entry_case_ids: Vec<String>,
    pub commercialised_ids: Vec<String>,
}

/// The activity figures of a fiscal year (every signed-in member).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/activity", tag = "events", params(("id" = String, Path), FiscalYearQuery),
    responses((status = 200, body = ActivityOut), (status = 401, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FiscalYearQuery>,
) -> Result<Json<ActivityOut>, AppError> {
    caller.principal()?;
    let fy = q.year(state.app.today())?;
    let r = state
        .app
        .activity(&caller.sight, &id, &[fy])
        .await?
        .pop()
        .ok_or(AppError::Internal)?;
    let a = r.figures;
    Ok(Json(ActivityOut {
        fiscal_year: fy.0,
        fiscal_year_label: fy.era_label(),
        events_held: a.events_held,
        participants: a.participants,
        firms_reached: a.firms_reached,
        first_time_firms: a.first_time_firms,
        event_ids: a.event_ids,
        firm_ids: a.firm_ids,
        first_time_firm_ids: a.first_time_ids,
        funnel: r
            .funnel
            .zip(r.funnel_firms)
            .map(|(f, [c, e, v])| FunnelOut {
                attended: f.attended,
                consulted: f.consulted,
                entry_case: f.entry_case,
                commercialised: f.commercialised,
                consulted_ids: c,
                entry_case_ids: e,
                commercialised_ids: v,
            }),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TieOut {
    /// Organisation ids, `a` < `b`.
    pub a: String,
    pub b: String,
    pub a_name: Option<String>,
    pub b_name: Option<String>,
    /// Where the tie comes from: event, proposal, nda.
    pub kinds: Vec<String>,
    pub first_fiscal_year: i32,
    /// 1 met, 2 talked, 3 NDA, 4 joint work.
    pub strength: u8,
    pub contacts: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkMetricsOut {
    pub ties: usize,
    /// Ties that began in the fiscal year.
    pub new_ties: usize,
    /// Ties between sectors (industry, academia, government, medical).
    pub cross_sector_ties: usize,
    /// Organisations with at least one tie.
    pub organisations: usize,
    /// Local firms tied to a hospital or a university.
    pub local_firms_tied_to_medical_or_academia: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BrokerOut {
    pub organisation_id: String,
    pub name: Option<String>,
    /// Betweenness: shortest paths between others through this organisation.
    pub betweenness: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkOut {
    pub fiscal_year: i32,
    pub ties: Vec<TieOut>,
    pub metrics: NetworkMetricsOut,
    pub brokers: Vec<BrokerOut>,
}

pub fn network_out(n: NetworkView) -> NetworkOut {
    NetworkOut {
        fiscal_year: n.fiscal_year.0,
        metrics: NetworkMetricsOut {
            ties: n.metrics.ties,
            new_ties: n.metrics.new_ties,
            cross_sector_ties: n.metrics.cross_sector_ties,
            organisations: n.metrics.organisations,
            local_firms_tied_to_medical_or_academia: n.local_firms_tied,
        },
        brokers: n
            .brokers
            .iter()
            .map(|(id, b)| BrokerOut {
                organisation_id: id.clone(),
                name: n.names.get(id).cloned(),
                betweenness: (b * 100.0).round() / 100.0,
            })
            .collect(),
        ties: n
            .ties
            .into_iter()
            .map(|t| TieOut {
                a_name: n.names.get(&t.a).cloned(),
                b_name: n.names.get(&t.b).cloned(),
                a: t.a,
                b: t.b,
                kinds: t.kinds.iter().map(|k| k.code().to_owned()).collect(),
                first_fiscal_year: t.first_fiscal_year.0,
                strength: t.strength,
                contacts: t.contacts,
            })
            .collect(),
    }
}

/// The network up to the end of a fiscal year: only ties the caller may see.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/network", tag = "events", params(("id" = String, Path), FiscalYearQuery),
    responses((status = 200, body = NetworkOut), (status = 401, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn network(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FiscalYearQuery>,
) -> Result<Json<NetworkOut>, AppError> {
    caller.principal()?;
    let fy = q.year(state.app.today())?;
    Ok(Json(network_out(
        state.app.network(&caller.sight, &id, fy).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceRowOut {
    /// The row number in the file (the header is row 1).
    pub row: usize,
    pub name: String,
    pub ok: bool,
    /// check_in, already, walk_in or absent.
    pub action: Option<String>,
    pub registration_id: Option<String>,
    pub errors: Vec<super::FieldErrorOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceOut {
    pub dry_run: bool,
    pub valid: usize,
    pub invalid: usize,
    /// People recorded as come (0 on a dry run, or when any row is invalid: all or nothing).
    pub recorded: usize,
    pub rows: Vec<AttendanceRowOut>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DryRunQuery {
    /// true (default): check every row and write nothing.
    pub dry_run: Option<bool>,
}

/// Records a paper sign-in sheet (XLSX or CSV, UTF-8 or Shift_JIS, sent as the body) as
/// check-ins. Columns: 氏名 (required), ふりがな, メールアドレス, 所属, 法人番号, 出欠 (○ / 出席 …;
/// without it every listed person came). Rows match registrations by e-mail, else by name;
/// someone not registered (a walk-in) is registered and checked in.
#[utoipa::path(post, path = "/api/v1/events/{id}/attendance/import", tag = "events", params(("id" = String, Path), DryRunQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = AttendanceOut), (status = 403, body = ProblemOut), (status = 404, body = ProblemOut), (status = 422, body = AttendanceOut)))]
pub async fn import_attendance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<DryRunQuery>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    use noguchi_app::events_import::AttendanceAction as A;
    let tr = crate::i18n::Tr(caller.lang);
    let import = state
        .app
        .import_attendance(&caller.sight, &id, &body, q.dry_run.unwrap_or(true))
        .await?;
    let invalid = import.invalid();
    let rows = import
        .rows
        .iter()
        .map(|r| {
            let (action, registration_id, errors) = match &r.action {
                Ok(a) => {
                    let (code, id) = match a {
                        A::CheckIn { registration_id } => {
                            ("check_in", Some(registration_id.clone()))
                        }
                        A::Already { registration_id } => {
                            ("already", Some(registration_id.clone()))
                        }
                        A::WalkIn => ("walk_in", None),
                        A::Absent => ("absent", None),
                    };
                    (Some(code.to_owned()), id, Vec::new())
                }
                Err(i) => (
                    None,
                    None,
                    i.0.iter()
                        .map(|e| super::FieldErrorOut {
                            field: e.field.clone(),
                            message: tr.error(e),
                        })
                        .collect(),
                ),
            };
            AttendanceRowOut {
                row: r.row,
                name: r.name.clone(),
                ok: r.action.is_ok(),
                action,
                registration_id,
                errors,
            }
        })
        .collect();
    let status = if invalid > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(AttendanceOut {
            dry_run: import.dry_run,
            valid: import.rows.len() - invalid,
            invalid,
            recorded: import.recorded,
            rows,
        }),
    )
        .into_response())
}
