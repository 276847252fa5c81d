//! Seeds: research results of the university and technologies of firms, listed, shown, and
//! kept by their holder (or the secretariat).

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::forms::{Choice, Field, FormData};
use crate::page::{Ctx, render};
use crate::views::organisation_choices;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::Submitted;
use noguchi_app::records::{Programme, Seed};
use noguchi_domain::Invalid;
use noguchi_domain::needs::SeedInput;
use noguchi_domain::organisation::split_tags;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "seeds.html")]
struct ListPage {
    ctx: Ctx,
    programme: Programme,
    seeds: Vec<Seed>,
    can_create: bool,
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
    let programme = state.app.programme(&id).await?;
    Ok(render(&ListPage {
        ctx: Ctx::new(&caller, &format!("/programmes/{id}/seeds")).with_flash(q.flash.as_deref()),
        seeds: state.app.seeds(&caller.sight, &id).await?,
        can_create: state.app.may_create_seed(&caller.sight, &id),
        programme,
    }))
}

#[derive(Template)]
#[template(path = "seed.html")]
struct SeedPage {
    ctx: Ctx,
    seed: Seed,
    can_edit: bool,
}

pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    let seed = state.app.seed(&caller.sight, &id).await?;
    Ok(render(&SeedPage {
        ctx: Ctx::new(&caller, &format!("/seeds/{id}")).with_flash(q.flash.as_deref()),
        can_edit: state.app.may_edit_seed(&caller.sight, &seed),
        seed,
    }))
}

fn read(form: &FormData) -> (SeedInput, Invalid) {
    let mut errs = Invalid::default();
    let trl = match form.get("trl").map(|t| t.trim().to_owned()) {
        None => None,
        Some(t) if t.is_empty() => None,
        Some(t) => match t.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.push("trl", noguchi_domain::Problem::NotANumber);
                None
            }
        },
    };
    (
        SeedInput {
            title: form.get("title"),
            description: form.get("description"),
            holder_organisation_id: form.get("holder_organisation_id"),
            fields: split_tags(&form.get("fields").unwrap_or_default()),
            trl,
            ip_status: form.get("ip_status"),
        },
        errs,
    )
}

async fn form(
    state: &AppState,
    caller: &Caller,
    programme_id: &str,
    action: String,
    cancel: String,
    input: &SeedInput,
    invalid: Option<&Invalid>,
) -> Result<Response, AppError> {
    let p = caller.principal()?;
    let ctx = Ctx::new(caller, &action);
    let tr = ctx.tr;
    let f = |name: &'static str, kind: &'static str, value: String| {
        Field::new(tr, name, kind, value).labelled(tr.field_in(Some("seed"), name))
    };
    let holder = input
        .holder_organisation_id
        .clone()
        .unwrap_or_else(|| p.organisation_id.clone());
    // The secretariat registers seeds for anyone; others for their own organisation.
    let holders = if caller.sight.is_secretariat_of(programme_id) {
        organisation_choices(state, &caller.sight, std::slice::from_ref(&holder)).await?
    } else {
        vec![Choice {
            value: p.organisation_id.clone(),
            label: p.organisation_name.clone(),
            selected: true,
        }]
    };
    let trl = input.trl.map(|t| t.to_string()).unwrap_or_default();
    let fields = vec![
        f("title", "text", input.title.clone().unwrap_or_default()).required(),
        f(
            "description",
            "textarea",
            input.description.clone().unwrap_or_default(),
        )
        .required(),
        f("holder_organisation_id", "select", holder)
            .required()
            .choices(holders),
        f("fields", "text", input.fields.join(", ")).help(tr.t("seed-fields-help")),
        f("trl", "select", trl.clone())
            .choices(
                (1..=9)
                    .map(|n| Choice {
                        value: n.to_string(),
                        label: tr.code("trl", &n.to_string()),
                        selected: trl == n.to_string(),
                    })
                    .collect(),
            )
            .help(tr.t("seed-trl-help")),
        f(
            "ip_status",
            "text",
            input.ip_status.clone().unwrap_or_default(),
        )
        .help(tr.t("seed-ip-help")),
    ];
    let title = tr.t(if action.ends_with("/seeds") {
        "seed-new"
    } else {
        "seed-edit"
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
    state.app.prepare_seed(&caller.sight, &id).await?;
    form(
        &state,
        &caller,
        &id,
        format!("/programmes/{id}/seeds"),
        format!("/programmes/{id}/seeds"),
        &SeedInput::default(),
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
    let (input, unreadable) = read(&data);
    let submitted = Submitted {
        input: input.clone(),
        unreadable,
    };
    match state.app.create_seed(&caller.sight, &id, submitted).await {
        Ok(s) => Ok(Redirect::to(&format!("/seeds/{}?flash=org-created", s.id)).into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            let action = format!("/programmes/{id}/seeds");
            form(
                &state,
                &caller,
                &id,
                action.clone(),
                action,
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
    let s = state.app.seed_to_edit(&caller.sight, &id).await?;
    let input = SeedInput {
        title: Some(s.data.title.clone()),
        description: Some(s.data.description.clone()),
        holder_organisation_id: Some(s.data.holder_organisation_id.clone()),
        fields: s.data.fields.clone(),
        trl: s.data.trl,
        ip_status: s.data.ip_status.clone(),
    };
    form(
        &state,
        &caller,
        &s.programme_id,
        format!("/seeds/{id}"),
        format!("/seeds/{id}"),
        &input,
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
    let (input, unreadable) = read(&data);
    let submitted = Submitted {
        input: input.clone(),
        unreadable,
    };
    match state.app.update_seed(&caller.sight, &id, submitted).await {
        Ok(_) => Ok(Redirect::to(&format!("/seeds/{id}?flash=org-updated")).into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            let s = state.app.seed(&caller.sight, &id).await?;
            let action = format!("/seeds/{id}");
            form(
                &state,
                &caller,
                &s.programme_id,
                action.clone(),
                action,
                &input,
                Some(&i),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
