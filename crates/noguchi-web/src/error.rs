//! The errors handlers return, and the one place that turns them into responses.
//!
//! A handler returns [`AppError`]; its `IntoResponse` only tags the response with the error.
//! `page::finish` (the outermost layer) then renders it for the interface that was called:
//! `application/problem+json` (RFC 9457) under `/api/`, an HTML error page elsewhere, in the
//! caller's language. Internal details are logged here and never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use noguchi_domain::access::Denied;
use noguchi_domain::{Invalid, Problem};

#[derive(Debug, Clone)]
pub enum AppError {
    Unauthorized,
    Forbidden,
    NotFound,
    Invalid(Invalid),
    /// A field of the wrong JSON type or a field that does not exist.
    BadField {
        field: String,
        unknown: bool,
        /// The kind of record the body describes (`need`), so a field is named as that record
        /// calls it (a need's `title` is its 件名, a person's its 役職).
        scope: Option<&'static str>,
    },
    BadRequest,
    Csrf,
    TooLarge,
    TooManyAttempts,
    PasswordChangeRequired,
    Internal,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf | AppError::PasswordChangeRequired => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(_) | AppError::BadField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message key of the error's title.
    pub fn title_key(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "error-unauthorized",
            AppError::Forbidden => "error-forbidden",
            AppError::NotFound => "error-not-found",
            AppError::Invalid(_) | AppError::BadField { .. } => "error-validation",
            AppError::BadRequest => "error-bad-request",
            AppError::Csrf => "error-csrf",
            AppError::TooLarge => "error-too-large",
            AppError::TooManyAttempts => "login-limited",
            AppError::PasswordChangeRequired => "error-password-change",
            AppError::Internal => "error-internal",
        }
    }

    /// Logs an internal failure and returns the error that is shown for it.
    pub fn internal(context: &str, detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "{context}");
        AppError::Internal
    }

    pub fn field(field: &str, problem: Problem) -> Self {
        AppError::Invalid(Invalid::one(field, problem))
    }
}

impl From<noguchi_app::Error> for AppError {
    fn from(e: noguchi_app::Error) -> Self {
        use noguchi_app::Error as E;
        match e {
            E::SignInRequired => AppError::Unauthorized,
            E::Forbidden => AppError::Forbidden,
            E::NotFound => AppError::NotFound,
            E::Invalid(i) => AppError::Invalid(i),
            E::TooManyAttempts => AppError::TooManyAttempts,
            E::Internal => AppError::Internal,
        }
    }
}

impl From<Denied> for AppError {
    fn from(_: Denied) -> Self {
        AppError::Forbidden
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut r = self.status().into_response();
        r.extensions_mut().insert(self);
        r
    }
}
