//! Account administration (administrators): list accounts and create one with a one-time
//! password, which is shown once and must be changed at first sign-in.

use crate::auth::Caller;
use crate::error::AppError;
use crate::forms::{Choice, FormData};
use crate::page::{Ctx, render};
use crate::{AppState, password};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use noguchi_domain::access;
use noguchi_domain::person::Email;
use noguchi_domain::{Invalid, Problem};
use noguchi_storage::{NewUser, OrganisationFilter, UserSummary};

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
) -> Result<Response, AppError> {
    let grant = access::manage_users(caller.principal()?)?;
    let users = state.store.users(&grant).await?;
    let mut organisations = Vec::new();
    let mut cursor = None;
    loop {
        let p = state
            .store
            .list_organisations(&OrganisationFilter::default(), cursor.as_deref(), 200)
            .await?;
        organisations.extend(p.items.into_iter().map(|o| Choice {
            value: o.id,
            label: o.data.name,
            selected: false,
        }));
        cursor = p.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let failed = !errors.is_empty();
    let mut r = render(&UsersPage {
        ctx: Ctx::new(caller, "/users"),
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

pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    page(&state, &caller, Vec::new(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    form: FormData,
) -> Result<Response, AppError> {
    let grant = access::manage_users(caller.principal()?)?;
    let tr = crate::i18n::Tr(caller.lang);
    let mut errs = Invalid::default();
    let email = errs.take(
        "email",
        Email::parse(&form.get("email").unwrap_or_default()),
    );
    let name = errs.take(
        "name",
        noguchi_domain::validation::required_text(form.get("name").as_deref(), 100),
    );
    let org = form.get("org").filter(|o| !o.is_empty());
    if org.is_none() {
        errs.push("org", Problem::Required);
    }
    let (Some(email), Some(name), Some(org), true) = (email, name, org, errs.is_empty()) else {
        let messages = errs.0.iter().map(|e| tr.error(e)).collect();
        return page(&state, &caller, messages, None).await;
    };
    let initial = password::generate();
    let hash = {
        let p = initial.clone();
        tokio::task::spawn_blocking(move || password::hash(&p))
            .await
            .map_err(|e| AppError::internal("hash", e))?
    };
    let user = NewUser {
        email,
        name,
        organisation_id: org,
        password_hash: hash,
        admin: form.checked("admin"),
        must_change_password: true,
    };
    match state.store.create_user(&grant, user).await {
        Ok(u) => page(&state, &caller, Vec::new(), Some((u.email, initial))).await,
        Err(noguchi_storage::StoreError::Invalid(i)) => {
            let messages = i.0.iter().map(|e| tr.error(e)).collect();
            page(&state, &caller, messages, None).await
        }
        Err(e) => Err(e.into()),
    }
}
