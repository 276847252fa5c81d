//! Server-rendered HTML pages. They work without JavaScript: every action is a link or a form.

pub mod account;
pub mod audit;
pub mod council;
pub mod events;
pub mod followups;
pub mod home;
pub mod kpi;
pub mod needs;
pub mod network;
pub mod nomenclature;
pub mod organisations;
pub mod people;
pub mod pipelines;
pub mod projects;
pub mod proposals;
pub mod search;
pub mod seeds;
pub mod surveys;
pub mod users;

use crate::error::AppError;
use crate::forms::{Field, attach_errors};
use crate::page::{Ctx, render};
use askama::Template;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use noguchi_domain::Invalid;

const STYLE: &str = include_str!("../../static/style.css");

/// The style sheet (the only static file): no CDN, the machines may have no internet.
pub async fn static_file(Path(file): Path<String>) -> Result<Response, AppError> {
    match file.as_str() {
        "style.css" => {
            let mut r = STYLE.into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            );
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            Ok(r)
        }
        _ => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "org_form.html")]
struct FormPage {
    ctx: Ctx,
    title: String,
    action: String,
    fields: Vec<Field>,
    has_errors: bool,
    cancel: String,
}

/// Every edit form: its fields with each message beside its field, answered with 422 when the
/// submission was refused (so a browser's history and a script both see the failure).
pub fn render_form(
    ctx: Ctx,
    title: String,
    action: String,
    cancel: String,
    mut fields: Vec<Field>,
    invalid: Option<&Invalid>,
) -> Response {
    if let Some(i) = invalid {
        attach_errors(&mut fields, i, ctx.tr);
    }
    let page = FormPage {
        title,
        ctx,
        action,
        fields,
        has_errors: invalid.is_some(),
        cancel,
    };
    let mut r = render(&page);
    if invalid.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}
