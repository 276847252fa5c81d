//! The errors of the use cases. Each interface maps them exhaustively (the web to status codes
//! and localised messages, the command line to messages and exit codes); internal details are
//! logged where they happen and never carried to the caller.

use noguchi_domain::access::Denied;
use noguchi_domain::{Invalid, Problem};
use noguchi_storage::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The use case needs a signed-in caller.
    SignInRequired,
    /// The caller may see the record but not do this.
    Forbidden,
    /// No such record, or one the caller may not see (the same answer for both).
    NotFound,
    /// Invalid input, every field named.
    Invalid(Invalid),
    /// Too many attempts (sign-in, public forms); try again later.
    TooManyAttempts,
    /// Something failed that the caller cannot fix (logged).
    Internal,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Logs an internal failure and returns the error shown for it.
    pub fn internal(context: &str, detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "{context}");
        Error::Internal
    }

    pub fn field(field: &str, problem: Problem) -> Self {
        Error::Invalid(Invalid::one(field, problem))
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::NotFound,
            StoreError::Invalid(i) => Error::Invalid(i),
            // A grant spent on a record of another programme: the caller learns nothing more.
            StoreError::Denied => Error::Forbidden,
            other => Error::internal("storage", other),
        }
    }
}

impl From<Denied> for Error {
    fn from(_: Denied) -> Self {
        Error::Forbidden
    }
}

impl From<Invalid> for Error {
    fn from(i: Invalid) -> Self {
        Error::Invalid(i)
    }
}
