//! Reading spreadsheets people send: XLSX, or CSV in UTF-8 (with or without BOM) or
//! Shift_JIS/CP932 as Excel writes it in Japan, into rows of text.
//!
//! A sheet is untrusted input from anyone who may import (a hospital's staff, a visitor's
//! upload through a form): it must never take the server down. So reading is bounded
//! everywhere — the file's size, every zip entry's unpacked size and its compression ratio
//! (checked by unpacking each entry once into nothing, whatever the archive declares), the rows,
//! columns, cells and the length of a cell — and past any bound the answer is a field error on
//! [`SheetError::Limit`] that names it. The cells of a worksheet are streamed one by one, so a
//! sheet that declares a million rows but holds two cells costs two cells. (The use-case layer
//! runs a read off the async workers, a few at a time, under [`Limits::SECONDS`].)

use crate::{Result, SheetError};
use calamine::{DataRef, Reader, Xlsx};
use std::io::{Cursor, Read};

/// The bounds of a sheet.
pub struct Limits;

impl Limits {
    /// The file as sent.
    pub const FILE_BYTES: u64 = 10 * 1024 * 1024;
    /// Entries in an XLSX archive (a workbook has about a dozen).
    pub const ENTRIES: u64 = 200;
    /// All entries of an XLSX, unpacked.
    pub const UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
    /// Unpacked size over packed size of an entry larger than 1 MiB unpacked. Spreadsheet XML
    /// packs 5–20 times; a zip bomb a thousand times.
    pub const RATIO: u64 = 150;
    pub const ROWS: u64 = 20_000;
    pub const COLUMNS: u64 = 200;
    pub const CELLS: u64 = 1_000_000;
    /// Characters of one cell.
    pub const CELL_CHARS: u64 = 10_000;
    /// Sheets read at the same time (each on a blocking thread); more wait their turn.
    pub const CONCURRENT: usize = 2;
    /// Seconds one read may take, waiting included.
    pub const SECONDS: u64 = 20;
}

fn over(limit: &'static str, max: u64) -> SheetError {
    SheetError::Limit { limit, max }
}

fn unreadable(format: &'static str) -> SheetError {
    SheetError::Unreadable(format)
}

/// Rows of a table, header first, as text; every bound of [`Limits`] applies.
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    if bytes.len() as u64 > Limits::FILE_BYTES {
        return Err(over("file_bytes", Limits::FILE_BYTES));
    }
    // A panic inside a parser we depend on is a file we cannot read, not a failed request: the
    // fuzzer found calamine 0.38 overflowing on a cell reference of many letters (`<c r="Aopen…">`;
    // checked builds panic, release builds wrap). The parsers hold no state across calls, so
    // nothing is left half-changed when one unwinds.
    let format = if bytes.starts_with(b"PK\x03\x04") {
        "XLSX"
    } else {
        "CSV"
    };
    std::panic::catch_unwind(|| {
        if format == "XLSX" {
            read_xlsx(bytes)
        } else {
            read_csv(&decode_text(bytes))
        }
    })
    .unwrap_or_else(|_| Err(unreadable(format)))
}

/// UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), Shift_JIS (CP932) otherwise.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned(),
    }
}

/// Counts rows, columns, cells and cell lengths against the limits.
#[derive(Default)]
struct Budget {
    cells: u64,
}

impl Budget {
    fn cell(&mut self, row: u64, column: u64, text: &str) -> Result<()> {
        if row >= Limits::ROWS {
            return Err(over("rows", Limits::ROWS));
        }
        if column >= Limits::COLUMNS {
            return Err(over("columns", Limits::COLUMNS));
        }
        self.cells += 1;
        if self.cells > Limits::CELLS {
            return Err(over("cells", Limits::CELLS));
        }
        if text.len() as u64 > Limits::CELL_CHARS
            && text.chars().count() as u64 > Limits::CELL_CHARS
        {
            return Err(over("cell_chars", Limits::CELL_CHARS));
        }
        Ok(())
    }
}

fn read_csv(text: &str) -> Result<Vec<Vec<String>>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut budget = Budget::default();
    let mut rows = Vec::new();
    for (r, record) in reader.records().enumerate() {
        let record = record.map_err(|_| unreadable("CSV"))?;
        let mut row = Vec::with_capacity(record.len());
        for (c, cell) in record.iter().enumerate() {
            budget.cell(r as u64, c as u64, cell)?;
            row.push(restore_text(cell.trim()));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// A text cell as our CSV export wrote it: a leading apostrophe that kept a formula character
/// from being read as a formula is taken off again (`'=1+1` → `=1+1`).
fn restore_text(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if crate::write::starts_like_formula(rest) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

/// Unpacks every entry once into nothing, whatever sizes the archive declares, and refuses an
/// archive past the limits before the spreadsheet reader sees it.
fn check_archive(bytes: &[u8]) -> Result<()> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable("XLSX"))?;
    if zip.len() as u64 > Limits::ENTRIES {
        return Err(over("entries", Limits::ENTRIES));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| unreadable("XLSX"))?;
        let packed = entry.compressed_size().max(1);
        let budget = Limits::UNPACKED_BYTES - total;
        let unpacked = std::io::copy(&mut entry.take(budget + 1), &mut std::io::sink())
            .map_err(|_| unreadable("XLSX"))?;
        if unpacked > budget {
            return Err(over("unpacked_bytes", Limits::UNPACKED_BYTES));
        }
        if unpacked > 1024 * 1024 && unpacked / packed > Limits::RATIO {
            return Err(over("ratio", Limits::RATIO));
        }
        total += unpacked;
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    check_archive(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable("XLSX"))?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| unreadable("XLSX"))?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|_| unreadable("XLSX"))?;
    let mut budget = Budget::default();
    let mut rows: Vec<Vec<String>> = Vec::new();
    // Cells arrive one by one with their position; only those present are stored, so the
    // dimensions a sheet declares cost nothing.
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable("XLSX"))? {
        let (r, c) = cell.get_position();
        let text = cell_text(cell.get_value());
        budget.cell(u64::from(r), u64::from(c), &text)?;
        if text.is_empty() {
            continue;
        }
        let (r, c) = (r as usize, c as usize);
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut rows[r];
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = text;
    }
    Ok(rows)
}

fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty | DataRef::Error(_) => String::new(),
        DataRef::String(s) => s.trim().to_owned(),
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => excel_date(d.as_f64()),
        DataRef::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        DataRef::DurationIso(s) => s.clone(),
    }
}

/// An Excel serial date (days since 1899-12-30, the 1900 date system) as YYYY-MM-DD.
fn excel_date(serial: f64) -> String {
    // Excel's own range of dates (1900-01-01 to 9999-12-31); anything else is not a date.
    if !(0.0..2_958_466.0).contains(&serial) {
        return String::new();
    }
    let epoch = time::macros::date!(1899 - 12 - 30);
    epoch
        .checked_add(time::Duration::days(serial.floor() as i64))
        .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_shift_jis_and_utf8_csv() {
        let (sjis, _, _) =
            encoding_rs::SHIFT_JIS.encode("団体,種別,年度,雇用\n検査工業,新規立地,令和2年度,30\n");
        let rows = read_table(&sjis).unwrap();
        assert_eq!(rows[1], ["検査工業", "新規立地", "令和2年度", "30"]);
        let utf8 = "\u{FEFF}団体,雇用\n\"会津, 精密\",5\n";
        assert_eq!(read_table(utf8.as_bytes()).unwrap()[1], ["会津, 精密", "5"]);
    }

    use crate::testing::sheet_xml;

    fn workbook(sheet_xml: &[u8]) -> Vec<u8> {
        crate::testing::workbook(sheet_xml, None)
    }

    fn limit_of(e: SheetError) -> &'static str {
        match e {
            SheetError::Limit { limit, .. } => limit,
            other => panic!("not a limit: {other:?}"),
        }
    }

    #[test]
    fn a_workbook_of_inline_cells_is_read() {
        let book = workbook(&sheet_xml(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>団体</t></is></c><c r="B1" t="inlineStr"><is><t>雇用</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>会津精密</t></is></c><c r="B2"><v>12</v></c></row>"#,
        ));
        assert_eq!(
            read_table(&book).unwrap(),
            [vec!["団体", "雇用"], vec!["会津精密", "12"]]
        );
    }

    /// The 1.8 KB sheet that made the old reader allocate 512 GiB: a cell at A1 and one at
    /// XFD1048576. Streaming costs two cells; the far one is past the column limit.
    #[test]
    fn a_sheet_declaring_a_million_rows_costs_its_cells_and_is_refused_by_name() {
        let book = workbook(&sheet_xml(
            r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#,
        ));
        assert!(book.len() < 4096);
        assert_eq!(limit_of(read_table(&book).unwrap_err()), "rows");
        let wide = workbook(&sheet_xml(
            r#"<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c></row>"#,
        ));
        assert_eq!(limit_of(read_table(&wide).unwrap_err()), "columns");
    }

    /// A zip bomb: 200 MB of XML that packs into a few hundred kilobytes.
    #[test]
    fn an_archive_that_unpacks_past_the_limits_is_refused_before_parsing() {
        let mut rows = String::from(r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
        rows.push_str(&" ".repeat(200 * 1024 * 1024));
        let book = workbook(&sheet_xml(&rows));
        assert!(book.len() < 1024 * 1024, "{}", book.len());
        let limit = limit_of(read_table(&book).unwrap_err());
        assert!(limit == "ratio" || limit == "unpacked_bytes", "{limit}");
    }

    /// One row with 100,000 attributes: quadratic in the old XML parser, linear now, and
    /// refused or read well within the time limit.
    #[test]
    fn a_tag_with_a_hundred_thousand_attributes_is_read_in_linear_time() {
        let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"1\"")).collect();
        let book = workbook(&sheet_xml(&format!(
            r#"<row r="1"{attrs}><c r="A1"><v>1</v></c></row>"#
        )));
        let started = std::time::Instant::now();
        let _ = read_table(&book);
        // Not a timing assertion on the code's speed: a generous bound that only a quadratic
        // parse (15 s before) can miss.
        assert!(started.elapsed() < std::time::Duration::from_secs(Limits::SECONDS));
    }

    #[test]
    fn csv_past_the_limits_is_refused_by_name() {
        let wide = format!("{}\n", vec!["x"; 201].join(","));
        assert_eq!(
            limit_of(read_table(wide.as_bytes()).unwrap_err()),
            "columns"
        );
        let long = "x".repeat(10_001);
        assert_eq!(
            limit_of(read_table(long.as_bytes()).unwrap_err()),
            "cell_chars"
        );
        let big = vec![b'a'; (Limits::FILE_BYTES + 1) as usize];
        assert_eq!(limit_of(read_table(&big).unwrap_err()), "file_bytes");
    }

    #[test]
    fn our_csv_export_reads_back_formulas_as_text() {
        let rows = vec![vec![
            Cell::Text("=HYPERLINK(\"http://evil.example/\",\"詳細\")".into()),
            Cell::Text("-3".into()),
            Cell::Num(Some(-3)),
        ]];
        let file = table(&["a".into(), "b".into(), "c".into()], &rows, Some("csv")).unwrap();
        let text = String::from_utf8(file.bytes.clone()).unwrap();
        assert!(
            text.contains("'=HYPERLINK") && text.contains(",'-3,-3"),
            "{text}"
        );
        let back = read_table(&file.bytes).unwrap();
        assert_eq!(
            back[1],
            ["=HYPERLINK(\"http://evil.example/\",\"詳細\")", "-3", "-3"]
        );
    }

    use crate::write::{Cell, table};
    use proptest::prelude::*;

    /// Cell text as people type it: Japanese and Latin letters, digits, punctuation that CSV
    /// must quote, no surrounding spaces (cells are read back trimmed).
    fn cell_text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9ぁ-んァ-ン一-龯,\"\n ・（）=+@-]{0,12}".prop_map(|s| s.trim().to_owned())
    }

    fn sheet() -> impl Strategy<Value = (Vec<String>, Vec<Vec<String>>)> {
        (1usize..5).prop_flat_map(|w| {
            (
                proptest::collection::vec("[a-z]{1,6}", w),
                proptest::collection::vec(proptest::collection::vec(cell_text(), w), 0..6),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// What we export, every format, reads back as the same rows.
        #[test]
        fn exports_read_back_as_written((header, rows) in sheet()) {
            let cells: Vec<Vec<Cell>> = rows.iter().map(|r| r.iter().cloned().map(Cell::Text).collect()).collect();
            // Text outside Shift_JIS (吒, emoji) cannot be written in it at all.
            let sjis_can = rows.iter().flatten().chain(&header).all(|c| !encoding_rs::SHIFT_JIS.encode(c).2);
            for format in ["csv", "sjis", "xlsx"] {
                if format == "sjis" && !sjis_can {
                    continue;
                }
                let file = table(&header, &cells, Some(format)).unwrap();
                let back = read_table(&file.bytes).unwrap();
                prop_assert_eq!(&back[0], &header, "{}", format);
                let body: Vec<Vec<String>> = back[1..]
                    .iter()
                    .map(|r| {
                        let mut r = r.clone();
                        r.resize(header.len(), String::new());
                        r
                    })
                    .collect();
                // An all-empty last row may be dropped by a reader; compare the rows that hold text.
                let nonempty = |rs: &[Vec<String>]| rs.iter().filter(|r| r.iter().any(|c| !c.is_empty())).cloned().collect::<Vec<_>>();
                prop_assert_eq!(nonempty(&body), nonempty(&rows), "{}", format);
            }
        }

        /// Any bytes at all give rows or a named error, never a panic.
        #[test]
        fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read_table(&bytes);
        }
    }
}
