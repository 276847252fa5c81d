//! The form that opens a record (and, for deals, changes one).

use super::PageKind;
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::forms::FormData;
use crate::page::Ctx;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_domain::Invalid;

async fn form<K: PageKind>(
    state: &AppState,
    caller: &Caller,
    action: String,
    input: &K::Input,
    invalid: Option<&Invalid>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(caller, &action);
    let tr = ctx.tr;
    let me = caller.principal()?.user_id.clone();
    let organisations = state.app.all_organisations(&caller.sight).await?;
    let fields = K::fields(tr, input, &organisations, &me);
    let title = tr.t(K::FORM_TITLE);
    let cancel = action.clone();
    Ok(crate::pages::render_form(
        ctx, title, action, cancel, fields, invalid,
    ))
}

/// `/programmes/{id}/deals/new`, `/programmes/{id}/entry-cases/new`.
pub async fn new_form<K: PageKind>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    state
        .app
        .pipeline::<K>()
        .openable(&caller.sight, &id)
        .await?;
    let action = format!("/programmes/{id}/{}", K::BASE);
    form::<K>(&state, &caller, action, &K::Input::default(), None).await
}

pub async fn create<K: PageKind>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form_data: FormData,
) -> Result<Response, AppError> {
    let submitted = K::read_form(&form_data);
    let input = submitted.input.clone();
    match state
        .app
        .pipeline::<K>()
        .create(&caller.sight, &id, submitted)
        .await
    {
        Ok(r) => {
            Ok(Redirect::to(&format!("/{}/{}?flash=org-created", K::BASE, r.id)).into_response())
        }
        Err(noguchi_app::Error::Invalid(i)) => {
            let action = format!("/programmes/{id}/{}", K::BASE);
            form::<K>(&state, &caller, action, &input, Some(&i)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `/deals/{id}/edit`.
pub async fn edit_form<K: PageKind>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let record = state
        .app
        .pipeline::<K>()
        .editable(&caller.sight, &id)
        .await?;
    let action = format!("/{}/{id}", K::BASE);
    form::<K>(&state, &caller, action, &K::to_input(&record.data), None).await
}

pub async fn update<K: PageKind>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form_data: FormData,
) -> Result<Response, AppError> {
    let submitted = K::read_form(&form_data);
    let input = submitted.input.clone();
    match state
        .app
        .pipeline::<K>()
        .update(&caller.sight, &id, submitted)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/{}/{id}?flash=org-updated", K::BASE)).into_response()),
        Err(noguchi_app::Error::Invalid(i)) => {
            let action = format!("/{}/{id}", K::BASE);
            form::<K>(&state, &caller, action, &input, Some(&i)).await
        }
        Err(e) => Err(e.into()),
    }
}
