//! The two steps of an import page: the file (multipart), then the checked rows sent back as
//! CSV in a plain form field to confirm them.

use crate::AppState;
use crate::error::AppError;
use crate::forms::FormData;
use axum::extract::{FromRequest, Multipart, Request};
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
