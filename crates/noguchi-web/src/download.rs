//! A file as a download response (exports, the council pack, a kept document).

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

/// A kept file, always as a download: never shown inline, never sniffed as another type, and
/// sandboxed should a browser open it anyway.
pub fn file_response(
    a: &noguchi_app::records::Attachment,
    bytes: Vec<u8>,
) -> Result<Response, AppError> {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(a.kind.media_type()),
    );
    // An ASCII fallback name and the real one, percent-encoded (RFC 6266 / 5987).
    let ascii: String = a
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = a
        .filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
        ))
        .map_err(|e| AppError::internal("header", e))?,
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(r)
}
