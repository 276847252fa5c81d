//! Server-rendered HTML pages. They work without JavaScript: every action is a link or a form.

pub mod account;
pub mod audit;
pub mod home;
pub mod kpi;
pub mod needs;
pub mod organisations;
pub mod people;
pub mod pipelines;
pub mod proposals;
pub mod search;
pub mod seeds;
pub mod surveys;
pub mod users;

use crate::error::AppError;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

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
