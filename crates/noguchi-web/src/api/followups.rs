//! After an event, over JSON: sending the follow-up survey and reading its answers (those who
//! run events), answering it with a link's secret (no credentials), and the registrations that
//! wait for a directory match.

use super::{JsonBody, ProblemOut};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use noguchi_app::records::FollowupAnswer;
use noguchi_domain::followup::FollowupInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct SentOut {
    /// Participants the survey was sent to now (those who came and had not had it).
    pub sent: usize,
}

/// Sends the follow-up survey to everyone who checked in and has not had it (those who run
/// events; the event must have begun).
#[utoipa::path(post, path = "/api/v1/events/{id}/followup", tag = "events", params(("id" = String, Path)),
    responses((status = 200, body = SentOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn send_followups(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SentOut>, AppError> {
    let sent = state.app.send_followups(&caller.sight, &id).await?;
    Ok(Json(SentOut { sent }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerOut {
    pub registration_id: String,
    pub name: String,
    pub organisation_name: String,
    pub organisation_id: Option<String>,
    /// 1 (not useful) to 5 (very useful).
    pub satisfaction: i64,
    pub comment: Option<String>,
    /// The consultation category wished, or null.
    pub consultation: Option<String>,
    /// The entry case the wish was filed on (null without a wish, or when the participant's
    /// organisation is not in the directory yet).
    pub entry_case_id: Option<String>,
    pub answered_at: String,
}

fn answer_out(a: FollowupAnswer) -> AnswerOut {
    AnswerOut {
        registration_id: a.registration_id,
        name: a.name,
        organisation_name: a.organisation_name,
        organisation_id: a.organisation_id,
        satisfaction: a.satisfaction,
        comment: a.comment,
        consultation: a.consultation.map(|c| c.code().to_owned()),
        entry_case_id: a.entry_case_id,
        answered_at: a.answered_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowupOut {
    /// Participants who came and were sent the survey.
    pub sent: i64,
    /// Participants who came and have not been sent it yet.
    pub unsent: i64,
    pub answered: i64,
    pub items: Vec<AnswerOut>,
}

/// The answers to an event's follow-up (those who run events).
#[utoipa::path(get, path = "/api/v1/events/{id}/followup", tag = "events", params(("id" = String, Path)),
    responses((status = 200, body = FollowupOut), (status = 404, body = ProblemOut)))]
pub async fn followup_answers(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<FollowupOut>, AppError> {
    let (answers, counts) = state.app.followup_answers(&caller.sight, &id).await?;
    Ok(Json(FollowupOut {
        sent: counts.sent,
        unsent: counts.unsent,
        answered: counts.answered,
        items: answers.into_iter().map(answer_out).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    /// The secret of the follow-up link (sent by mail).
    pub followup_token: Option<String>,
    /// 1 (not useful) to 5 (very useful).
    pub satisfaction: Option<i64>,
    pub comment: Option<String>,
    /// The participant would like a consultation.
    #[serde(default)]
    pub consultation: bool,
    /// On what: strategy, development, ip, regulatory, sales or finance (required with a wish).
    pub topic: Option<String>,
}

/// Answers a follow-up with its link's secret (no credentials; once per link). A consultation
/// wish from a firm of the directory opens work for the secretariat on its entry case.
#[utoipa::path(post, path = "/api/v1/followup", tag = "events", request_body = AnswerIn,
    responses((status = 201, body = AnswerOut), (status = 404, body = ProblemOut), (status = 422, body = ProblemOut)))]
pub async fn answer_followup(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<AnswerIn>,
) -> Result<Response, AppError> {
    let token = super::link_secret(body.followup_token, "followup_token")?;
    let input = FollowupInput {
        satisfaction: body.satisfaction.map(|s| s.to_string()),
        comment: body.comment,
        consultation: body.consultation,
        topic: body.topic,
    };
    let a = state.app.answer_followup(&token, input.into()).await?;
    // Only what the participant gave: the entry case stays the secretariat's.
    let mut out = answer_out(a);
    out.entry_case_id = None;
    out.organisation_id = None;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateOut {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchOut {
    pub registration_id: String,
    pub organisation_name: String,
    pub corporate_number: Option<String>,
    /// `review` (uncertain: staff decide) or `none` (nothing resembles it).
    pub organisation_match: String,
    /// Directory entries it may be, closest first.
    pub candidates: Vec<CandidateOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchesOut {
    pub items: Vec<MatchOut>,
}

/// Registrations not linked to the directory, uncertain matches first, with the entries they
/// may be (those who run events). Link one with `PATCH /api/v1/registrations/{id}`.
#[utoipa::path(get, path = "/api/v1/events/{id}/matches", tag = "events", params(("id" = String, Path)),
    responses((status = 200, body = MatchesOut), (status = 404, body = ProblemOut)))]
pub async fn matches(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MatchesOut>, AppError> {
    let items = state
        .app
        .match_review(&caller.sight, &id)
        .await?
        .into_iter()
        .map(|m| MatchOut {
            registration_id: m.registration.id,
            organisation_name: m.registration.data.organisation_name,
            corporate_number: m.registration.data.corporate_number,
            organisation_match: m.registration.organisation_match.code().into(),
            candidates: m
                .candidates
                .into_iter()
                .map(|c| CandidateOut {
                    id: c.id,
                    name: c.name,
                })
                .collect(),
        })
        .collect();
    Ok(Json(MatchesOut { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonOut {
    /// `need` (it submitted a need the firm could serve), `shared_contacts` (contacts two steps
    /// away who can introduce them) or `complementary` (capabilities the firm lacks).
    pub kind: String,
    /// The need's id and title, the contacts' ids, or the capabilities.
    pub need_id: Option<String>,
    pub need_title: Option<String>,
    pub via: Vec<String>,
    pub capabilities: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntroductionOut {
    pub organisation_id: String,
    pub name: Option<String>,
    pub score: u32,
    pub reasons: Vec<ReasonOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntroductionsOut {
    pub organisation_id: String,
    pub items: Vec<IntroductionOut>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct IntroductionsQuery {
    /// The firm (default: the caller's own organisation; others for the secretariat only).
    pub organisation_id: Option<String>,
}

pub fn reason_out(r: &noguchi_domain::network::IntroReason) -> ReasonOut {
    use noguchi_domain::network::IntroReason as R;
    let mut out = ReasonOut {
        kind: String::new(),
        need_id: None,
        need_title: None,
        via: Vec::new(),
        capabilities: Vec::new(),
    };
    match r {
        R::Need(id, title) => {
            out.kind = "need".into();
            out.need_id = Some(id.clone());
            out.need_title = Some(title.clone());
        }
        R::SharedContacts(v) => {
            out.kind = "shared_contacts".into();
            out.via = v.clone();
        }
        R::Complementary(c) => {
            out.kind = "complementary".into();
            out.capabilities = c.clone();
        }
    }
    out
}

/// The organisations a firm is not yet tied to that it should meet, with the reasons, from
/// the records the caller may see.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/introductions", tag = "events", params(("id" = String, Path), IntroductionsQuery),
    responses((status = 200, body = IntroductionsOut), (status = 404, body = ProblemOut)))]
pub async fn introductions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<IntroductionsQuery>,
) -> Result<Json<IntroductionsOut>, AppError> {
    let p = caller.principal()?;
    let org = q
        .organisation_id
        .filter(|o| !o.trim().is_empty())
        .unwrap_or_else(|| p.organisation_id.clone());
    let v = state.app.introductions(&caller.sight, &id, &org).await?;
    Ok(Json(IntroductionsOut {
        organisation_id: v.firm.id,
        items: v
            .items
            .iter()
            .map(|i| IntroductionOut {
                organisation_id: i.organisation_id.clone(),
                name: v.names.get(&i.organisation_id).cloned(),
                score: i.score,
                reasons: i.reasons.iter().map(reason_out).collect(),
            })
            .collect(),
    }))
}
