//! Reading the sheets people send, for the use cases: `noguchi-sheets` reads the bytes under
//! its limits; here the read runs off the async workers, a few at a time, under a time limit,
//! every cell is held to the rule for text (no control characters), and what went wrong becomes
//! a field error on `file` that names the limit, in the user's language.

use crate::{Error, Result};
use noguchi_domain::Problem;
use noguchi_sheets::SheetError;
pub use noguchi_sheets::read::Limits;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

impl From<SheetError> for Error {
    fn from(e: SheetError) -> Self {
        match e {
            SheetError::Limit { limit, max } => Error::field(
                "file",
                Problem::FileLimit {
                    limit: limit.to_owned(),
                    max,
                },
            ),
            SheetError::Unreadable(format) => Error::field(
                "file",
                Problem::UnknownValue {
                    value: format.into(),
                },
            ),
            SheetError::UnknownFormat(value) => {
                Error::field("format", Problem::UnknownValue { value })
            }
            SheetError::Write(_) => Error::internal("sheet", e),
        }
    }
}

/// Rows of a table, header first, as text: every bound of [`Limits`] applies, and a cell with
/// a control character refuses the file (no one types one; PostgreSQL cannot store NUL).
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let rows = noguchi_sheets::read::read_table(bytes)?;
    if rows
        .iter()
        .flatten()
        .any(|c| noguchi_domain::validation::has_control_character(c))
    {
        return Err(Error::field("file", Problem::ControlCharacter));
    }
    Ok(rows)
}

/// [`read_table`] off the async workers: at most [`Limits::CONCURRENT`] sheets are read at once
/// (each on a blocking thread), and a read that takes longer than [`Limits::SECONDS`], waiting
/// included, answers with the time limit. A read that overran still holds its place in the
/// pool until it ends, so slow files cannot pile up threads.
pub async fn read_table_bounded(bytes: Vec<u8>) -> Result<Vec<Vec<String>>> {
    static POOL: OnceLock<Arc<tokio::sync::Semaphore>> = OnceLock::new();
    let pool = POOL
        .get_or_init(|| Arc::new(tokio::sync::Semaphore::new(Limits::CONCURRENT)))
        .clone();
    let work = async move {
        let permit = pool
            .acquire_owned()
            .await
            .map_err(|e| Error::internal("sheet pool", e))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            read_table(&bytes)
        })
        .await
        .map_err(|e| Error::internal("sheet reader", e))?
    };
    tokio::time::timeout(Duration::from_secs(Limits::SECONDS), work)
        .await
        .unwrap_or_else(|_| {
            Err(SheetError::Limit {
                limit: "seconds",
                max: Limits::SECONDS,
            }
            .into())
        })
}

/// A table as UTF-8 CSV, so that a confirmation page can carry exactly the rows it checked.
pub async fn normalised_csv(bytes: &[u8]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in read_table_bounded(bytes.to_vec()).await? {
        w.write_record(&r).map_err(|e| Error::internal("csv", e))?;
    }
    String::from_utf8(w.into_inner().map_err(|e| Error::internal("csv", e))?)
        .map_err(|e| Error::internal("csv", e))
}
