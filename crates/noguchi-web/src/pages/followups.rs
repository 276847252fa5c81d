//! After an event, in the browser: the follow-up survey (sent by staff to those who came,
//! answered through a personal link without an account, its answers listed and exported), and
//! the review of registrations that are not linked to the directory.

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
use noguchi_app::followups::FollowupView;
use noguchi_app::records::{Event, FollowupAnswer, FollowupCounts};
use noguchi_domain::Invalid;
use noguchi_domain::followup::FollowupInput;
use noguchi_domain::pipeline::ConsultationCategory;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "followup.html")]
struct AnswerPage {
    ctx: Ctx,
    event: Event,
    name: String,
    action: String,
    fields: Vec<Field>,
    has_errors: bool,
    /// Told once the link has been answered.
    answered: bool,
}

fn answer_fields(tr: Tr, input: &FollowupInput) -> Vec<Field> {
    let f = |name: &'static str, kind: &'static str, value: String| {
        Field::new(tr, name, kind, value).labelled(tr.field_in(Some("followup"), name))
    };
    let score = input.satisfaction.clone().unwrap_or_default();
    let topic = input.topic.clone().unwrap_or_default();
    vec![
        f("satisfaction", "select", score.clone())
            .required()
            .choices(
                (1..=5)
                    .rev()
                    .map(|n: i64| Choice {
                        value: n.to_string(),
                        label: tr.code("followup-satisfaction", &n.to_string()),
                        selected: score == n.to_string(),
                    })
                    .collect(),
            ),
        f(
            "comment",
            "textarea",
            input.comment.clone().unwrap_or_default(),
        ),
        f("consultation", "checkbox", String::new()).checked(input.consultation),
        f("topic", "select", topic.clone())
            .help(tr.t("followup-topic-help"))
            .choices(
                ConsultationCategory::ALL
                    .iter()
                    .map(|c| Choice {
                        value: c.code().into(),
                        label: tr.code("consultation", c.code()),
                        selected: c.code() == topic,
                    })
                    .collect(),
            ),
    ]
}

fn answer_page(
    state: &AppState,
    caller: &Caller,
    token: &str,
    v: FollowupView,
    input: &FollowupInput,
    invalid: Option<&Invalid>,
) -> Response {
    // The language switch returns here (same origin: the secret stays on this site).
    let ctx = Ctx::new(caller, &format!("/followup/{token}"));
    let tr = ctx.tr;
    let answered = v.answer.is_some();
    let mut fields = if answered {
        Vec::new()
    } else {
        answer_fields(tr, input)
    };
    if let Some(i) = invalid {
        crate::forms::attach_errors(&mut fields, i, tr);
    }
    let page = AnswerPage {
        name: v.registration.data.name,
        event: v.event,
        action: format!("/followup/{token}"),
        has_errors: invalid.is_some(),
        fields,
        answered,
        ctx,
    };
    let mut r = with_pre_cookie(render(&page), caller, state);
    if invalid.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

/// The survey a follow-up link opens (no account: the link is the credential).
pub async fn answer_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let v = state.app.followup(&token).await?;
    Ok(answer_page(
        &state,
        &caller,
        &token,
        v,
        &FollowupInput::default(),
        None,
    ))
}

pub async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let input = FollowupInput {
        satisfaction: form.get("satisfaction"),
        comment: form.get("comment"),
        consultation: form.checked("consultation"),
        topic: form.get("topic"),
    };
    match state
        .app
        .answer_followup(&token, input.clone().into())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/followup/{token}")).into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            let v = state.app.followup(&token).await?;
            Ok(answer_page(&state, &caller, &token, v, &input, Some(&i)))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "event_followup.html")]
struct ResultsPage {
    ctx: Ctx,
    event: Event,
    counts: FollowupCounts,
    /// The mean score, one decimal.
    mean: Option<String>,
    rows: Vec<AnswerRow>,
    sent_now: Option<usize>,
}

pub struct AnswerRow {
    pub name: String,
    pub organisation: String,
    pub satisfaction: i64,
    pub comment: String,
    pub topic: String,
    /// The entry case the consultation wish went to.
    pub case_href: Option<String>,
    /// A wish from someone the directory does not know yet: staff take it up by hand.
    pub unfiled: bool,
}

fn mean(answers: &[FollowupAnswer]) -> Option<String> {
    (!answers.is_empty()).then(|| {
        let sum: i64 = answers.iter().map(|a| a.satisfaction).sum();
        format!("{:.1}", sum as f64 / answers.len() as f64)
    })
}

#[derive(Deserialize)]
pub struct SentQuery {
    sent: Option<usize>,
}

/// The follow-up of an event, for those who run events: who was sent it, the answers, the
/// consultation wishes and where they went.
pub async fn results(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<SentQuery>,
) -> Result<Response, AppError> {
    let v = state.app.event_to_edit(&caller.sight, &id).await?;
    let (answers, counts) = state.app.followup_answers(&caller.sight, &id).await?;
    let ctx = Ctx::new(&caller, &format!("/events/{id}/followup"));
    let tr = ctx.tr;
    let rows = answers
        .iter()
        .map(|a| AnswerRow {
            name: a.name.clone(),
            organisation: a.organisation_name.clone(),
            satisfaction: a.satisfaction,
            comment: a.comment.clone().unwrap_or_default(),
            topic: a
                .consultation
                .map(|c| tr.code("consultation", c.code()))
                .unwrap_or_default(),
            case_href: a
                .entry_case_id
                .as_ref()
                .map(|c| format!("/entry-cases/{c}")),
            unfiled: a.consultation.is_some() && a.entry_case_id.is_none(),
        })
        .collect();
    Ok(render(&ResultsPage {
        mean: mean(&answers),
        event: v.event,
        counts,
        rows,
        sent_now: q.sent,
        ctx,
    }))
}

/// Sends the survey to everyone who came and has not had it.
pub async fn send(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let n = state.app.send_followups(&caller.sight, &id).await?;
    Ok(Redirect::to(&format!("/events/{id}/followup?sent={n}")).into_response())
}

#[derive(Deserialize)]
pub struct FormatQuery {
    format: Option<String>,
}

/// The answers as XLSX or CSV (UTF-8 or Shift_JIS), formula-like cells neutralised.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(f): Query<FormatQuery>,
) -> Result<Response, AppError> {
    use crate::download::{Cell, table_response};
    let (answers, _) = state.app.followup_answers(&caller.sight, &id).await?;
    let tr = Tr(caller.lang);
    let header: Vec<String> = [
        "field-registration-name",
        "field-registration-organisation_name",
        "field-followup-satisfaction",
        "field-followup-comment",
        "field-followup-topic",
        "followup-case",
        "followup-answered-at",
    ]
    .iter()
    .map(|k| tr.t(k))
    .collect();
    let rows: Vec<Vec<Cell>> = answers
        .into_iter()
        .map(|a| {
            vec![
                Cell::Text(a.name),
                Cell::Text(a.organisation_name),
                Cell::Num(Some(a.satisfaction)),
                Cell::Text(a.comment.unwrap_or_default()),
                Cell::Text(
                    a.consultation
                        .map(|c| tr.code("consultation", c.code()))
                        .unwrap_or_default(),
                ),
                Cell::Text(a.entry_case_id.unwrap_or_default()),
                Cell::Text(crate::views::jst_minutes(&a.answered_at)),
            ]
        })
        .collect();
    table_response(&header, &rows, f.format.as_deref(), "followup")
}

#[derive(Template)]
#[template(path = "event_matches.html")]
struct MatchesPage {
    ctx: Ctx,
    event: Event,
    rows: Vec<MatchRow>,
    /// The caller keeps the directory (may enter a new firm).
    may_add: bool,
    /// The kinds of organisation a new entry may be: (code, label).
    kinds: Vec<(String, String)>,
}

pub struct MatchRow {
    pub id: String,
    pub name: String,
    pub organisation: String,
    pub corporate_number: String,
    pub review: bool,
    pub candidates: Vec<(String, String)>,
}

/// Registrations not linked to the directory, uncertain matches first, with the entries they
/// may be and a way to enter a new firm.
pub async fn matches(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let v = state.app.event_to_edit(&caller.sight, &id).await?;
    let review = state.app.match_review(&caller.sight, &id).await?;
    let may_add = caller
        .principal
        .as_ref()
        .is_some_and(|p| noguchi_domain::access::create_organisation(p).is_ok());
    let rows = review
        .into_iter()
        .map(|m| MatchRow {
            review: noguchi_app::App::needs_review(&m.registration),
            id: m.registration.id,
            name: m.registration.data.name,
            organisation: m.registration.data.organisation_name,
            corporate_number: m.registration.data.corporate_number.unwrap_or_default(),
            candidates: m.candidates.into_iter().map(|c| (c.id, c.name)).collect(),
        })
        .collect();
    let ctx = Ctx::new(&caller, &format!("/events/{id}/matches"));
    let kinds = noguchi_domain::organisation::OrganisationKind::ALL
        .iter()
        .map(|k| (k.code().to_owned(), ctx.tr.code("kind", k.code())))
        .collect();
    Ok(render(&MatchesPage {
        kinds,
        ctx,
        event: v.event,
        rows,
        may_add,
    }))
}

/// Links a registration to the directory entry staff chose.
pub async fn link(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let org = form.get("organisation_id").unwrap_or_default();
    if org.trim().is_empty() {
        return Err(noguchi_app::Error::field(
            "organisation_id",
            noguchi_domain::Problem::Required,
        )
        .into());
    }
    let r = state
        .app
        .link_registration(&caller.sight, &id, Some(&org))
        .await?;
    Ok(Redirect::to(&format!("/events/{}/matches", r.event_id)).into_response())
}

/// Enters the registration's organisation as a new directory entry and links it.
pub async fn new_organisation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let kind = form.get("kind");
    let (_, r) = state
        .app
        .confirm_new_organisation(&caller.sight, &id, kind.as_deref())
        .await?;
    Ok(Redirect::to(&format!("/events/{}/matches", r.event_id)).into_response())
}
