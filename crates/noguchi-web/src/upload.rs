//! Files sent to Noguchi: the two steps of an import page (the file, multipart, then the checked
//! rows sent back as CSV in a plain form field to confirm them), and a document attached to a
//! record, read as it streams under its limit.

use crate::AppState;
use crate::error::AppError;
use crate::forms::FormData;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;

/// The bytes of an import and whether this is the confirmation.
pub async fn read_upload(req: Request, state: &AppState) -> Result<(Vec<u8>, bool), AppError> {
    let is_multipart = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest)?;
        let mut file = Vec::new();
        while let Some(field) = mp.next_field().await.map_err(|_| AppError::BadRequest)? {
            if field.name() == Some("file") {
                file = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::TooLarge)?
                    .to_vec();
            }
        }
        Ok((file, false))
    } else {
        let form = FormData::from_request(req, state).await?;
        Ok((form.get("csv").unwrap_or_default().into_bytes(), true))
    }
}

/// The largest upload body: the file's limit and room for the form around it.
pub const UPLOAD_LIMIT: usize = noguchi_domain::attachment::MAX_BYTES + 64 * 1024;

/// The file, its name and the review it is for, read from a multipart upload. A file past
/// the limit is refused while it streams in.
pub async fn read_attachment(
    req: Request,
    state: &AppState,
) -> Result<(String, Vec<u8>, Option<String>), AppError> {
    let mut mp = Multipart::from_request(req, state)
        .await
        .map_err(|_| AppError::BadRequest)?;
    // A body cut off at the limit is "too large"; anything else unreadable is malformed.
    let refused = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            AppError::BadRequest
        }
    };
    let (mut name, mut bytes, mut review) = (String::new(), Vec::new(), None);
    while let Some(mut field) = mp.next_field().await.map_err(refused)? {
        match field.name() {
            Some("file") => {
                name = field.file_name().unwrap_or_default().to_owned();
                while let Some(chunk) = field.chunk().await.map_err(refused)? {
                    if bytes.len() + chunk.len() > noguchi_domain::attachment::MAX_BYTES {
                        return Err(AppError::Invalid(noguchi_domain::Invalid::one(
                            "file",
                            noguchi_domain::Problem::FileLimit {
                                limit: "file_bytes".into(),
                                max: noguchi_domain::attachment::MAX_BYTES as u64,
                            },
                        )));
                    }
                    bytes.extend_from_slice(&chunk);
                }
            }
            Some("review_id") => {
                let v = field.text().await.map_err(refused)?;
                let v = v.trim();
                if !v.is_empty() {
                    review = Some(v.chars().take(100).collect());
                }
            }
            _ => {}
        }
    }
    Ok((name, bytes, review))
}
