//! Account administration (administrators): list accounts and create one with a one-time
//! password, which is shown once and must be changed at first sign-in.

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::forms::{Choice, FormData};
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use noguchi_app::records::UserSummary;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    ctx: Ctx,
    users: Vec<UserSummary>,
    organisations: Vec<Choice>,
    errors: Vec<String>,
    created: Option<(String, String)>,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    errors: Vec<String>,
    created: Option<(String, String)>,
    flash: Option<&str>,
) -> Result<Response, AppError> {
    let users = state.app.users(&caller.sight).await?;
    let organisations = state
        .app
        .all_organisations(&caller.sight)
        .await?
        .into_iter()
        .map(|o| Choice {
            value: o.id,
            label: o.data.name,
            selected: false,
        })
        .collect();
    let failed = !errors.is_empty();
    let mut r = render(&UsersPage {
        ctx: Ctx::new(caller, "/users").with_flash(flash),
        users,
        organisations,
        errors,
        created,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(serde::Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Query(q): axum::extract::Query<FlashQuery>,
) -> Result<Response, AppError> {
    page(&state, &caller, Vec::new(), None, q.flash.as_deref()).await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    form: FormData,
) -> Result<Response, AppError> {
    let tr = crate::i18n::Tr(caller.lang);
    let created = state
        .app
        .create_user(
            &caller.sight,
            &form.get("email").unwrap_or_default(),
            &form.get("name").unwrap_or_default(),
            &form.get("org").unwrap_or_default(),
            form.checked("admin"),
        )
        .await;
    match created {
        Ok((u, initial)) => page(&state, &caller, Vec::new(), Some((u.email, initial)), None).await,
        Err(noguchi_app::Error::Invalid(i)) => {
            let messages = i.0.iter().map(|e| tr.error(e)).collect();
            page(&state, &caller, messages, None, None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, AppError> {
    state.app.disable_user(&caller.sight, &id).await?;
    Ok(axum::response::IntoResponse::into_response(
        axum::response::Redirect::to("/users?flash=users-disabled-flash"),
    ))
}
