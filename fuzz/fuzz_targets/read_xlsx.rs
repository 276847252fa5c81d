//! Any bytes as a whole XLSX file (the corpus starts from real workbooks): rows within the
//! limits, or a named error; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use noguchi_sheets::read::{Limits, read_table};

fuzz_target!(|data: &[u8]| {
    let mut file = b"PK\x03\x04".to_vec();
    file.extend_from_slice(data.strip_prefix(b"PK\x03\x04").unwrap_or(data));
    if let Ok(rows) = read_table(&file) {
        assert!(rows.len() as u64 <= Limits::ROWS);
        assert!(rows.iter().all(|r| r.len() as u64 <= Limits::COLUMNS));
    }
});
