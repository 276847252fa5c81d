//! People pages: list, detail, form, delete. Contact details follow the access policy.

use crate::AppState;
use crate::auth::{Caller, url_escape};
use crate::error::AppError;
use crate::forms::{Choice, Field, FormData};
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_domain::Invalid;
use noguchi_domain::access;
use noguchi_domain::person::{Person, PersonInput};
use serde::Deserialize;

/// A person as a page shows them: contact details only where the policy allows.
struct PersonView {
    person: Person,
    contact: bool,
}

#[derive(Template)]
#[template(path = "person_list.html")]
struct ListPage {
    ctx: Ctx,
    items: Vec<PersonView>,
    q: String,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    q: Option<String>,
    cursor: Option<String>,
    flash: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let page = state
        .app
        .people(&caller.sight, q.q.as_deref(), None, q.cursor.as_deref(), 50)
        .await?;
    let items = page
        .items
        .into_iter()
        .map(|person| PersonView {
            contact: !person.contact_hidden,
            person,
        })
        .collect();
    let base = format!(
        "/people?q={}",
        url_escape(q.q.as_deref().unwrap_or_default())
    );
    Ok(render(&ListPage {
        ctx: Ctx::new(&caller, "/people").with_flash(q.flash.as_deref()),
        items,
        q: q.q.unwrap_or_default(),
        next: page
            .next_cursor
            .map(|c| format!("{base}&cursor={}", url_escape(&c))),
    }))
}

#[derive(Template)]
#[template(path = "person_show.html")]
struct ShowPage {
    ctx: Ctx,
    view: PersonView,
    can_edit: bool,
}

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let person = state.app.person(&caller.sight, &id).await?;
    let org = person.data.organisation_id.as_deref();
    Ok(render(&ShowPage {
        can_edit: access::edit_person(p, org).is_ok(),
        view: PersonView {
            contact: !person.contact_hidden,
            person,
        },
        ctx: Ctx::new(&caller, &format!("/people/{id}")).with_flash(q.flash.as_deref()),
    }))
}

/// Organisations the caller may attach people to: all for the secretariat, else their own.
async fn organisation_choices(
    state: &AppState,
    caller: &Caller,
    selected: &str,
) -> Result<Vec<Choice>, AppError> {
    let p = caller.principal()?;
    let mut out = Vec::new();
    if p.is_secretariat() {
        out = crate::views::organisation_choices(state, &caller.sight, &[selected.to_owned()])
            .await?;
    } else {
        out.push(Choice {
            value: p.organisation_id.clone(),
            label: p.organisation_name.clone(),
            selected: true,
        });
    }
    Ok(out)
}

fn fields(tr: Tr, input: &PersonInput, orgs: Vec<Choice>) -> Vec<Field> {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        Field::new(tr, "name", "text", s(&input.name)).required(),
        Field::new(tr, "name_kana", "text", s(&input.name_kana)),
        Field::new(tr, "organisation_id", "select", s(&input.organisation_id)).choices(orgs),
        Field::new(tr, "department", "text", s(&input.department)),
        Field::new(tr, "title", "text", s(&input.title)),
        Field::new(tr, "email", "email", s(&input.email)),
        Field::new(tr, "phone", "tel", s(&input.phone)),
        Field::new(tr, "consent_purpose", "text", s(&input.consent_purpose)),
        Field::new(tr, "notes", "textarea", s(&input.notes)),
    ]
}

fn read_form(form: &FormData) -> PersonInput {
    PersonInput {
        name: form.get("name"),
        name_kana: form.get("name_kana"),
        organisation_id: form.get("organisation_id"),
        department: form.get("department"),
        title: form.get("title"),
        email: form.get("email"),
        phone: form.get("phone"),
        consent_purpose: form.get("consent_purpose"),
        notes: form.get("notes"),
    }
}

async fn form_page(
    state: &AppState,
    caller: &Caller,
    title_key: &str,
    action: String,
    input: &PersonInput,
    invalid: Option<&Invalid>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(caller, &action);
    let orgs = organisation_choices(
        state,
        caller,
        input.organisation_id.as_deref().unwrap_or_default(),
    )
    .await?;
    let f = fields(ctx.tr, input, orgs);
    let title = ctx.t(title_key);
    let cancel = action.clone();
    Ok(crate::pages::render_form(
        ctx, title, action, cancel, f, invalid,
    ))
}

pub async fn new_form(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let input = PersonInput {
        organisation_id: Some(p.organisation_id.clone()),
        ..Default::default()
    };
    form_page(
        &state,
        &caller,
        "person-new",
        "/people".into(),
        &input,
        None,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    form: FormData,
) -> Result<Response, AppError> {
    let input = read_form(&form);
    match state
        .app
        .create_person(&caller.sight, input.clone().into())
        .await
    {
        Ok(person) => {
            Ok(Redirect::to(&format!("/people/{}?flash=org-created", person.id)).into_response())
        }
        Err(noguchi_app::Error::Invalid(i)) => {
            form_page(
                &state,
                &caller,
                "person-new",
                "/people".into(),
                &input,
                Some(&i),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let person = state.app.person(&caller.sight, &id).await?;
    access::edit_person(caller.principal()?, person.data.organisation_id.as_deref())?;
    form_page(
        &state,
        &caller,
        "org-edit",
        format!("/people/{id}"),
        &person.data.to_input(),
        None,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let input = read_form(&form);
    let action = format!("/people/{id}");
    match state
        .app
        .update_person(&caller.sight, &id, input.clone().into())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}?flash=org-updated")).into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            form_page(&state, &caller, "org-edit", action, &input, Some(&i)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    state.app.delete_person(&caller.sight, &id).await?;
    Ok(Redirect::to("/people?flash=org-deleted").into_response())
}
