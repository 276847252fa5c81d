//! The need forms: submission (a member of a hospital or the secretariat) and edit (the need's
//! curators). The fields are shared with the survey's answer form.

use super::choices;
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::forms::{Choice, Field, FormData};
use crate::i18n::Tr;
use crate::page::Ctx;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_domain::Invalid;
use noguchi_domain::needs::{Disclosure, NeedInput};
use noguchi_domain::survey::{FREQUENCIES, SETTINGS};

fn read_need(form: &FormData) -> NeedInput {
    NeedInput {
        title: form.get("title"),
        problem: form.get("problem"),
        population: form.get("population"),
        outcome: form.get("outcome"),
        department: form.get("department"),
        setting: form.get("setting"),
        category: form.get("category"),
        frequency: form.get("frequency"),
        workaround: form.get("workaround"),
        disclosure: form.get("disclosure"),
        status: form.get("status"),
    }
}

/// Choices of a fixed list; a value typed elsewhere (API, import) stays selectable.
fn pick(options: &[&str], current: &str) -> Vec<Choice> {
    let mut out: Vec<Choice> = options
        .iter()
        .map(|o| Choice {
            value: (*o).into(),
            label: (*o).into(),
            selected: *o == current,
        })
        .collect();
    if !current.is_empty() && !options.contains(&current) {
        out.push(Choice {
            value: current.into(),
            label: current.into(),
            selected: true,
        });
    }
    out
}

/// The fields of the need form, shared by the member form and (without disclosure) the survey.
/// Labels are the need's own (`field-need-title`: 件名, where a person's title is 役職).
pub fn need_fields(tr: Tr, input: &NeedInput, with_disclosure: bool) -> Vec<Field> {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let f = |name: &'static str, kind: &'static str, value: String| {
        Field::new(tr, name, kind, value).labelled(tr.field_in(Some("need"), name))
    };
    let mut fields = vec![
        f("title", "text", s(&input.title)).help(tr.t("need-title-help")),
        f("problem", "textarea", s(&input.problem))
            .required()
            .help(tr.t("need-problem-help")),
        f("population", "text", s(&input.population)).help(tr.t("need-population-help")),
        f("outcome", "textarea", s(&input.outcome)).help(tr.t("need-outcome-help")),
        f("department", "text", s(&input.department)),
        f("setting", "select", s(&input.setting)).choices(pick(SETTINGS, &s(&input.setting))),
        f("category", "text", s(&input.category)).help(tr.t("need-category-help")),
        f("frequency", "select", s(&input.frequency))
            .choices(pick(FREQUENCIES, &s(&input.frequency))),
        f("workaround", "textarea", s(&input.workaround)),
    ];
    if with_disclosure {
        let current = input.disclosure.clone().unwrap_or_else(|| "members".into());
        fields.push(
            f("disclosure", "select", current.clone())
                .required()
                .choices(choices(
                    tr,
                    Disclosure::ALL,
                    Disclosure::code,
                    "disclosure",
                    Some(&current),
                ))
                .help(tr.t("need-disclosure-help")),
        );
    }
    fields
}

fn form_page(
    caller: &Caller,
    title: String,
    action: String,
    cancel: String,
    fields: Vec<Field>,
    invalid: Option<&Invalid>,
) -> Response {
    let ctx = Ctx::new(caller, &action);
    crate::pages::render_form(ctx, title, action, cancel, fields, invalid)
}

fn new_need_fields(tr: Tr, input: &NeedInput, attested: bool) -> Vec<Field> {
    let mut f = need_fields(tr, input, true);
    f.push(
        Field::new(tr, "attestation", "checkbox", "")
            .labelled(tr.field("attestation"))
            .checked(attested),
    );
    f
}

pub async fn new_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    state.app.prepare_need(&caller.sight, &id).await?;
    let tr = Tr(caller.lang);
    Ok(form_page(
        &caller,
        tr.t("need-new"),
        format!("/programmes/{id}/needs"),
        format!("/programmes/{id}/needs"),
        new_need_fields(tr, &NeedInput::default(), false),
        None,
    ))
}

/// Submits a need. The attestation box is recorded as ticked or not (the same use case as the
/// API, which does not require it: the guard screens every channel).
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let tr = Tr(caller.lang);
    let input = read_need(&form);
    let attested = form.checked("attestation");
    let action = format!("/programmes/{id}/needs");
    match state
        .app
        .submit_need(&caller.sight, &id, input.clone().into(), attested)
        .await
    {
        Ok(v) => {
            let flash = if v.need.held {
                "need-held-flash"
            } else {
                "org-created"
            };
            Ok(Redirect::to(&format!("/needs/{}?flash={flash}", v.need.id)).into_response())
        }
        Err(noguchi_app::Error::Invalid(i)) => Ok(form_page(
            &caller,
            tr.t("need-new"),
            action.clone(),
            action,
            new_need_fields(tr, &input, attested),
            Some(&i),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let n = state.app.need_to_edit(&caller.sight, &id).await?.need;
    let tr = Tr(caller.lang);
    let input = NeedInput {
        title: Some(n.data.title.clone()),
        problem: Some(n.data.problem.clone()),
        population: n.data.population.clone(),
        outcome: n.data.outcome.clone(),
        department: n.data.department.clone(),
        setting: n.data.setting.clone(),
        category: n.data.category.clone(),
        frequency: n.data.frequency.clone(),
        workaround: n.data.workaround.clone(),
        disclosure: Some(n.data.disclosure.code().into()),
        status: None,
    };
    Ok(form_page(
        &caller,
        tr.t("need-edit"),
        format!("/needs/{id}"),
        format!("/needs/{id}"),
        need_fields(tr, &input, true),
        None,
    ))
}

/// Saves an edit. The status is changed on the need page (with its date and note), not here;
/// the guard screens the new text, and a need it flags is held again.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let tr = Tr(caller.lang);
    let input = read_need(&form);
    match state
        .app
        .update_need(&caller.sight, &id, input.clone().into())
        .await
    {
        Ok(edit) => {
            let flash = if edit.newly_held {
                "need-held-flash"
            } else {
                "org-updated"
            };
            Ok(Redirect::to(&format!("/needs/{id}?flash={flash}")).into_response())
        }
        Err(noguchi_app::Error::Invalid(i)) => Ok(form_page(
            &caller,
            tr.t("need-edit"),
            format!("/needs/{id}"),
            format!("/needs/{id}"),
            need_fields(tr, &input, true),
            Some(&i),
        )),
        Err(e) => Err(e.into()),
    }
}
