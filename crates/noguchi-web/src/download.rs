//! A file as a download response (exports, the council pack).

use crate::error::AppError;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use noguchi_app::sheets::write::Download;

/// `name` is the file's name without extension (ASCII; the browser saves it as given).
pub fn download(file: Download, name: &str) -> Result<Response, AppError> {
    let mut r = file.bytes.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.content_type),
    );
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"{name}.{}\"",
        file.extension
    ))
    .map_err(|e| AppError::internal("header", e))?;
    r.headers_mut()
        .insert(header::CONTENT_DISPOSITION, disposition);
    Ok(r)
}

pub use noguchi_app::sheets::write::Cell;

/// A list as a download in the format asked for (`xlsx`, `csv` or `sjis`).
pub fn table_response(
    header: &[String],
    rows: &[Vec<Cell>],
    format: Option<&str>,
    name: &str,
) -> Result<Response, AppError> {
    download(
        noguchi_app::sheets::write::table(header, rows, format)?,
        name,
    )
}
