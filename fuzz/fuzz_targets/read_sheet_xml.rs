//! Any bytes as the XML of the first worksheet and (after the first NUL byte) of the shared
//! strings of an otherwise valid workbook, so that the fuzzer spends its time in the
//! spreadsheet reader's XML parsing rather than in failing zip headers. Rows within the
//! limits, or a named error; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use noguchi_sheets::read::{Limits, read_table};
use noguchi_sheets::testing::workbook_of_fuzz_input;

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = read_table(&workbook_of_fuzz_input(data)) {
        assert!(rows.len() as u64 <= Limits::ROWS);
        assert!(rows.iter().all(|r| r.len() as u64 <= Limits::COLUMNS));
    }
});
