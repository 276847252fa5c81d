//! Needs surveys: the campaigns the secretariat runs, and the form clinicians reach through a
//! campaign's link without an account. An answer is screened by the patient-information guard
//! before it is stored: flagged text is shown back to the clinician to revise, and an answer
//! sent as it is anyway is stored held for review by the hospital or the secretariat.

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::forms::{Choice, Field, FormData, attach_errors};
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use crate::pages::account::with_pre_cookie;
use crate::pages::needs::form::need_fields;
use crate::pages::needs::{NeedLine, need_line};
use crate::views::{absolute, organisation_choices};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::records::{Campaign, Programme};
use noguchi_app::surveys::Answered;
use noguchi_domain::Invalid;
use noguchi_domain::dates::format_date;
use noguchi_domain::needs::{Disclosure, Finding};
use noguchi_domain::survey::{AnswerInput, CampaignData, CampaignInput};
use serde::Deserialize;

pub struct CampaignLine {
    pub href: String,
    pub title: String,
    pub organisation: String,
    pub period: String,
    pub open: bool,
    pub answers: i64,
}

fn period(tr: Tr, c: &CampaignData) -> String {
    format!(
        "{} 〜 {}",
        format_date(c.opens_on),
        c.closes_on
            .map(format_date)
            .unwrap_or_else(|| tr.t("campaign-open-ended"))
    )
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct ListPage {
    ctx: Ctx,
    programme: Programme,
    campaigns: Vec<CampaignLine>,
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
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    caller.principal()?;
    let programme = state.app.programme(&id).await?;
    let ctx =
        Ctx::new(&caller, &format!("/programmes/{id}/campaigns")).with_flash(q.flash.as_deref());
    let tr = ctx.tr;
    let campaigns = state
        .app
        .campaigns(&caller.sight, &id)
        .await?
        .into_iter()
        .map(|v| CampaignLine {
            href: format!("/campaigns/{}", v.campaign.id),
            period: period(tr, &v.campaign.data),
            open: v.open,
            title: v.campaign.data.title,
            organisation: v.campaign.organisation_name,
            answers: v.campaign.answers,
        })
        .collect();
    Ok(render(&ListPage {
        can_manage: state.app.may_run_campaigns(&caller.sight, &id),
        ctx,
        programme,
        campaigns,
    }))
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    ctx: Ctx,
    campaign: Campaign,
    period: String,
    open: bool,
    link: String,
    disclosure: String,
    answers: Vec<NeedLine>,
    can_manage: bool,
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let v = state.app.campaign(&caller.sight, &id).await?;
    let ctx = Ctx::new(&caller, &format!("/campaigns/{id}")).with_flash(q.flash.as_deref());
    let tr = ctx.tr;
    // Answers as the caller may see them: the same visibility as every other need list.
    let answers = state
        .app
        .campaign_answers(&caller.sight, &id)
        .await?
        .iter()
        .map(|n| need_line(tr, &n.need))
        .collect();
    let campaign = v.campaign;
    Ok(render(&CampaignPage {
        period: period(tr, &campaign.data),
        open: v.open,
        link: absolute(&headers, &format!("/survey/{}", campaign.link_token)),
        disclosure: tr.code("disclosure", campaign.data.default_disclosure.code()),
        can_manage: v.may_manage,
        answers,
        campaign,
        ctx,
    }))
}

fn read(form: &FormData) -> CampaignInput {
    CampaignInput {
        title: form.get("title"),
        description: form.get("description"),
        organisation_id: form.get("organisation_id"),
        opens_on: form.get("opens_on"),
        closes_on: form.get("closes_on"),
        default_disclosure: form.get("default_disclosure"),
    }
}

async fn form(
    state: &AppState,
    caller: &Caller,
    action: String,
    cancel: String,
    input: &CampaignInput,
    invalid: Option<&Invalid>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(caller, &action);
    let tr = ctx.tr;
    let f = |name: &'static str, kind: &'static str, value: String| {
        Field::new(tr, name, kind, value).labelled(tr.field_in(Some("campaign"), name))
    };
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let org = s(&input.organisation_id);
    let disclosure = input
        .default_disclosure
        .clone()
        .unwrap_or_else(|| "internal".into());
    let fields = vec![
        f("title", "text", s(&input.title))
            .required()
            .help(tr.t("campaign-title-help")),
        f("description", "textarea", s(&input.description)).help(tr.t("campaign-description-help")),
        f("organisation_id", "select", org.clone())
            .required()
            .choices(organisation_choices(state, &caller.sight, std::slice::from_ref(&org)).await?)
            .help(tr.t("campaign-organisation-help")),
        f("opens_on", "date", s(&input.opens_on)),
        f("closes_on", "date", s(&input.closes_on)),
        f("default_disclosure", "select", disclosure.clone())
            .required()
            .choices(
                Disclosure::ALL
                    .iter()
                    .map(|d| Choice {
                        value: d.code().into(),
                        label: tr.code("disclosure", d.code()),
                        selected: d.code() == disclosure,
                    })
                    .collect(),
            )
            .help(tr.t("campaign-disclosure-help")),
    ];
    let title = tr.t(if action.ends_with("/campaigns") {
        "campaign-new"
    } else {
        "campaign-edit"
    });
    Ok(crate::pages::render_form(
        ctx, title, action, cancel, fields, invalid,
    ))
}

pub async fn new_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    state.app.prepare_campaign(&caller.sight, &id).await?;
    let action = format!("/programmes/{id}/campaigns");
    form(
        &state,
        &caller,
        action.clone(),
        action,
        &CampaignInput::default(),
        None,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    data: FormData,
) -> Result<Response, AppError> {
    let input = read(&data);
    let action = format!("/programmes/{id}/campaigns");
    match state
        .app
        .create_campaign(&caller.sight, &id, input.clone().into())
        .await
    {
        Ok(v) => Ok(
            Redirect::to(&format!("/campaigns/{}?flash=org-created", v.campaign.id))
                .into_response(),
        ),
        Err(noguchi_app::Error::Invalid(i)) => {
            form(&state, &caller, action.clone(), action, &input, Some(&i)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let v = state.app.campaign_to_edit(&caller.sight, &id).await?;
    form(
        &state,
        &caller,
        format!("/campaigns/{id}"),
        format!("/campaigns/{id}"),
        &v.campaign.data.to_input(),
        None,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    data: FormData,
) -> Result<Response, AppError> {
    let input = read(&data);
    let action = format!("/campaigns/{id}");
    match state
        .app
        .update_campaign(&caller.sight, &id, input.clone().into())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{id}?flash=org-updated")).into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            form(&state, &caller, action.clone(), action, &input, Some(&i)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn change_link(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    data: FormData,
) -> Result<Response, AppError> {
    state
        .app
        .change_campaign_link(&caller.sight, &id, data.get("action").as_deref())
        .await?;
    Ok(Redirect::to(&format!("/campaigns/{id}?flash=org-updated")).into_response())
}

#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyPage {
    ctx: Ctx,
    campaign: Campaign,
    organisation: String,
    period: String,
    action: String,
    fields: Vec<Field>,
    has_errors: bool,
    findings: Vec<Finding>,
}

#[derive(Template)]
#[template(path = "survey_done.html")]
struct DonePage {
    ctx: Ctx,
    campaign: Campaign,
    held: bool,
}

fn read_answer(form: &FormData) -> AnswerInput {
    AnswerInput {
        title: form.get("title"),
        problem: form.get("problem"),
        population: form.get("population"),
        outcome: form.get("outcome"),
        department: form.get("department"),
        setting: form.get("setting"),
        category: form.get("category"),
        frequency: form.get("frequency"),
        workaround: form.get("workaround"),
        contact: form.get("contact"),
        attested: form.checked("attestation"),
    }
}

fn answer_fields(tr: Tr, a: &AnswerInput) -> Vec<Field> {
    let input = noguchi_domain::needs::NeedInput {
        title: a.title.clone(),
        problem: a.problem.clone(),
        population: a.population.clone(),
        outcome: a.outcome.clone(),
        department: a.department.clone(),
        setting: a.setting.clone(),
        category: a.category.clone(),
        frequency: a.frequency.clone(),
        workaround: a.workaround.clone(),
        disclosure: None,
        status: None,
    };
    let mut fields = need_fields(tr, &input, false);
    fields.push(
        Field::new(tr, "contact", "text", a.contact.clone().unwrap_or_default())
            .help(tr.t("survey-contact-help")),
    );
    fields.push(Field::new(tr, "attestation", "checkbox", "").checked(a.attested));
    fields
}

/// The answer form, with the messages of a refused answer or what the guard flagged.
fn survey_page(
    state: &AppState,
    caller: &Caller,
    campaign: Campaign,
    token: &str,
    answer: &AnswerInput,
    invalid: Option<&Invalid>,
    findings: Vec<Finding>,
) -> Response {
    let ctx = Ctx::new(caller, &format!("/survey/{token}"));
    let tr = ctx.tr;
    let mut fields = answer_fields(tr, answer);
    if let Some(i) = invalid {
        attach_errors(&mut fields, i, tr);
    }
    let failed = invalid.is_some() || !findings.is_empty();
    let page = SurveyPage {
        organisation: campaign.organisation_name.clone(),
        period: period(tr, &campaign.data),
        action: format!("/survey/{token}"),
        has_errors: invalid.is_some(),
        campaign,
        fields,
        findings,
        ctx,
    };
    let mut r = with_pre_cookie(render(&page), caller, state);
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

pub async fn survey_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let campaign = state.app.survey(&token).await?;
    Ok(survey_page(
        &state,
        &caller,
        campaign,
        &token,
        &AnswerInput::default(),
        None,
        Vec::new(),
    ))
}

pub async fn survey_answer(
    State(state): State<AppState>,
    caller: Caller,
    Path(token): Path<String>,
    data: FormData,
) -> Result<Response, AppError> {
    let answer = read_answer(&data);
    let answered = state
        .app
        .answer_survey(
            &token,
            caller.address.as_deref(),
            &answer,
            data.checked("send_as_is"),
        )
        .await;
    match answered {
        Ok(Answered::Stored { campaign, held }) => {
            let ctx = Ctx::new(&caller, &format!("/survey/{token}"));
            Ok(with_pre_cookie(
                render(&DonePage {
                    ctx,
                    campaign,
                    held,
                }),
                &caller,
                &state,
            ))
        }
        Ok(Answered::Flagged { campaign, findings }) => Ok(survey_page(
            &state, &caller, campaign, &token, &answer, None, findings,
        )),
        Err(noguchi_app::Error::Invalid(i)) => {
            let campaign = state.app.survey(&token).await?;
            Ok(survey_page(
                &state,
                &caller,
                campaign,
                &token,
                &answer,
                Some(&i),
                Vec::new(),
            ))
        }
        Err(e) => Err(e.into()),
    }
}
