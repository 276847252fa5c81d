//! Any bytes that are not a zip, read as CSV (UTF-8 or Shift_JIS): rows within the limits, or
//! a named error; never a panic, never more than the limits allow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use noguchi_sheets::read::{Limits, read_table};

fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"PK\x03\x04") {
        return;
    }
    if let Ok(rows) = read_table(data) {
        assert!(rows.len() as u64 <= Limits::ROWS);
        assert!(rows.iter().all(|r| r.len() as u64 <= Limits::COLUMNS));
    }
});
