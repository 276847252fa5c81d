//! Every input the fuzzers start from (`fuzz/seeds/`) and every input that once crashed or hung
//! a reader (`fuzz/regressions/`, in a folder named after its target) is read again on each
//! test run: rows within the limits or an error, never a panic.

use noguchi_sheets::read::{Limits, read_table};
use noguchi_sheets::testing::workbook_of_fuzz_input;
use std::path::Path;

fn inputs(folder: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz")
        .join(folder);
    let mut out = Vec::new();
    for target in std::fs::read_dir(&dir).unwrap().flatten() {
        for file in std::fs::read_dir(target.path()).unwrap().flatten() {
            if file.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let name = format!(
                "{}/{}",
                target.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            );
            out.push((name, std::fs::read(file.path()).unwrap()));
        }
    }
    out
}

#[test]
fn the_seeds_are_read() {
    let seeds = inputs("seeds");
    assert!(
        seeds.len() >= 6,
        "the seed corpus is missing: {}",
        seeds.len()
    );
    for (name, bytes) in seeds {
        // The sparse sheet is refused by its row limit, as it should be.
        if name.ends_with("sparse.bin") {
            continue;
        }
        let rows = read_table(&file_of(&name, bytes)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(rows.len() >= 2, "{name}: {rows:?}");
        assert!(rows[0].iter().any(|c| !c.is_empty()), "{name}: {rows:?}");
    }
}

/// The file a target made of its input (the sheet-XML target wraps it in a workbook).
fn file_of(name: &str, bytes: Vec<u8>) -> Vec<u8> {
    if name.starts_with("read_sheet_xml/") {
        workbook_of_fuzz_input(&bytes)
    } else {
        bytes
    }
}

#[test]
fn inputs_that_once_failed_are_read_or_refused() {
    let failed = inputs("regressions");
    assert!(!failed.is_empty(), "the regressions folder is missing");
    for (name, bytes) in failed {
        if let Ok(rows) = read_table(&file_of(&name, bytes)) {
            assert!(rows.len() as u64 <= Limits::ROWS, "{name}");
            assert!(
                rows.iter().all(|r| r.len() as u64 <= Limits::COLUMNS),
                "{name}"
            );
        }
    }
}
