//! Reading spreadsheets people send: XLSX, or CSV in UTF-8 (with or without BOM) or
//! Shift_JIS/CP932 as Excel writes it in Japan, into rows of text.

use crate::{Error, Result};
use calamine::{Data, Reader, Xlsx};
use noguchi_domain::Problem;
use std::io::Cursor;

/// Rows of a table, header first, as text.
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(&decode_text(bytes))
    }
}

/// UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), Shift_JIS (CP932) otherwise.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned(),
    }
}

fn read_csv(text: &str) -> Result<Vec<Vec<String>>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| {
            Error::field(
                "file",
                Problem::UnknownValue {
                    value: "CSV".into(),
                },
            )
        })?;
        rows.push(record.iter().map(|c| c.trim().to_owned()).collect());
    }
    Ok(rows)
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let bad = || {
        Error::field(
            "file",
            Problem::UnknownValue {
                value: "XLSX".into(),
            },
        )
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|_| bad())?;
    let first = book.sheet_names().first().cloned().ok_or_else(bad)?;
    let range = book.worksheet_range(&first).map_err(|_| bad())?;
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.trim().to_owned(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Bool(b) => b.to_string(),
                    Data::DateTime(d) => excel_date(d.as_f64()),
                    Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
                    Data::DurationIso(s) => s.clone(),
                    Data::Error(_) => String::new(),
                })
                .collect()
        })
        .collect())
}

/// An Excel serial date (days since 1899-12-30, the 1900 date system) as YYYY-MM-DD.
fn excel_date(serial: f64) -> String {
    let epoch = time::macros::date!(1899 - 12 - 30);
    epoch
        .checked_add(time::Duration::days(serial.floor() as i64))
        .map(noguchi_domain::dates::format_date)
        .unwrap_or_default()
}

/// A table as UTF-8 CSV, so that a confirmation page can carry exactly the rows it checked.
pub fn normalised_csv(bytes: &[u8]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in read_table(bytes)? {
        w.write_record(&r).map_err(|e| Error::internal("csv", e))?;
    }
    String::from_utf8(w.into_inner().map_err(|e| Error::internal("csv", e))?)
        .map_err(|e| Error::internal("csv", e))
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

    use crate::sheets::write::{Cell, table};
    use proptest::prelude::*;

    /// Cell text as people type it: Japanese and Latin letters, digits, punctuation that CSV
    /// must quote, no surrounding spaces (cells are read back trimmed).
    fn cell_text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9ぁ-んァ-ン一-龯,\"\n ・（）]{0,12}".prop_map(|s| s.trim().to_owned())
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
