//! A record's page, and the forms on it: a stage move, an activity, a consultation. A refused
//! form shows the page again with the reason (422).

use super::{DetailView, PageKind, stage_choice};
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::forms::{Choice, FormData, local_next};
use crate::i18n::Tr;
use crate::page::{Ctx, render};
use crate::views::{messages, move_lines};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use noguchi_app::pipelines::EntryCases;
use noguchi_domain::dates::format_date;
use noguchi_domain::pipeline::{ActivityInput, ActivityKind, ConsultationInput, MoveInput, Stages};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct FlashQuery {
    flash: Option<String>,
}

async fn page<K: PageKind>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    flash: Option<&str>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let mut detail = state.app.pipeline::<K>().detail(&caller.sight, id).await?;
    let ctx = Ctx::new(caller, &format!("/{}/{id}", K::BASE)).with_flash(flash);
    let tr = ctx.tr;
    let current = detail.record.stage;
    let failed = error.is_some();
    let view = DetailView {
        stage: tr.code("stage", current.code()),
        history: move_lines(tr, std::mem::take(&mut detail.history)),
        stages: K::Stage::all()
            .filter(|s| *s != current)
            .map(|s| stage_choice(tr, s, false))
            .collect(),
        activity_kinds: ActivityKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: tr.code("activity", k.code()),
                selected: false,
            })
            .collect(),
        today: format_date(state.app.today()),
        detail,
        error,
        ctx,
    };
    let mut r = render(&K::page(view));
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// `/deals/{id}`, `/entry-cases/{id}`.
pub async fn detail<K: PageKind>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, AppError> {
    page::<K>(&state, &caller, &id, q.flash.as_deref(), None).await
}

/// After a form on a record's page: back to its page with a confirmation, or the page again
/// with what was refused.
async fn done<K: PageKind>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    result: Result<(), noguchi_app::Error>,
    next: Option<String>,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => {
            let own = format!("/{}/{id}?flash=org-updated", K::BASE);
            let to = local_next(next.as_deref().or(Some(&own)));
            Ok(Redirect::to(&to).into_response())
        }
        Err(noguchi_app::Error::Invalid(i)) => {
            let message = messages(Tr(caller.lang), &i);
            page::<K>(state, caller, id, None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Moves a record; a card on the board returns to the board (`next`).
pub async fn move_to<K: PageKind>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let input = MoveInput {
        stage: form.get("stage"),
        date: form.get("date"),
        note: form.get("note"),
    };
    let result = state
        .app
        .pipeline::<K>()
        .move_to(&caller.sight, &id, &input)
        .await
        .map(|_| ());
    done::<K>(&state, &caller, &id, result, form.get("next")).await
}

pub async fn add_activity<K: PageKind>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let input = ActivityInput {
        kind: form.get("kind"),
        date: form.get("date"),
        participants: form.get("participants"),
        text: form.get("text"),
    };
    let result = state
        .app
        .pipeline::<K>()
        .log_activity(&caller.sight, &id, &input)
        .await;
    done::<K>(&state, &caller, &id, result, None).await
}

pub async fn add_consultation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, AppError> {
    let input = ConsultationInput {
        category: form.get("category"),
        advisor: form.get("advisor"),
        date: form.get("date"),
        text: form.get("text"),
        result: form.get("result"),
    };
    let result = state
        .app
        .pipeline::<EntryCases>()
        .log_consultation(&caller.sight, &id, &input)
        .await;
    done::<EntryCases>(&state, &caller, &id, result, None).await
}
