//! Spreadsheets in and out, as pure functions of bytes: [`read::read_table`] turns what people
//! send (XLSX, or CSV in UTF-8 or Shift_JIS) into rows of text under the bounds of
//! [`read::Limits`]; [`write::table`] turns a list into XLSX or CSV that no spreadsheet program
//! will run as a formula. The crate knows nothing of Noguchi's records: the use-case layer
//! checks the rows and turns a [`SheetError`] into a field error on `file`. It stands alone so
//! that the readers can be fuzzed quickly (`fuzz/`) without building the server.

pub mod read;
#[doc(hidden)]
pub mod testing;
pub mod write;

/// Why a sheet could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetError {
    /// Past one of the bounds of [`read::Limits`]: its name (`rows`, `ratio` …) and value.
    Limit { limit: &'static str, max: u64 },
    /// Not a readable file of this format (`XLSX`, `CSV`).
    Unreadable(&'static str),
    /// An export format other than `xlsx`, `csv` and `sjis`.
    UnknownFormat(String),
    /// The writer failed (a bug, not the user's doing).
    Write(String),
}

impl std::fmt::Display for SheetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SheetError::Limit { limit, max } => write!(f, "past the limit {limit} ({max})"),
            SheetError::Unreadable(format) => write!(f, "not a readable {format} file"),
            SheetError::UnknownFormat(format) => write!(f, "unknown format {format}"),
            SheetError::Write(e) => write!(f, "cannot write the sheet: {e}"),
        }
    }
}

impl std::error::Error for SheetError {}

pub type Result<T> = std::result::Result<T, SheetError>;
