//! Lists out, as XLSX or CSV (UTF-8 with BOM, or Shift_JIS), with no cell a spreadsheet
//! program would run as a formula.

use crate::{Result, SheetError};

/// A cell of an exported list: numbers stay numbers in the workbook.
pub enum Cell {
    Text(String),
    Num(Option<i64>),
}

/// Whether spreadsheet programs would read a cell starting so as a formula (OWASP's list:
/// `=`, `+`, `-`, `@`, tab, carriage return).
pub fn starts_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A text cell of a CSV export as Excel will show it but never run it: an apostrophe before a
/// formula character makes the cell text (`=HYPERLINK(…)` from a survey answer would otherwise
/// be a live link in the secretariat's spreadsheet). Our import takes the apostrophe off again.
/// Workbooks need nothing of the kind: their text cells are typed as text.
fn neutralise(text: &str) -> String {
    if starts_like_formula(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// A file to download: its bytes, media type and file name extension.
pub struct Download {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub extension: &'static str,
}

/// A list as a file: `xlsx` (default), `csv` (UTF-8 with BOM, which Excel opens as UTF-8)
/// or `sjis` (CSV in Shift_JIS).
pub fn table(header: &[String], rows: &[Vec<Cell>], format: Option<&str>) -> Result<Download> {
    let fail = |e: rust_xlsxwriter::XlsxError| SheetError::Write(e.to_string());
    match format.unwrap_or("xlsx") {
        "xlsx" => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let ws = book.add_worksheet();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (c, h) in header.iter().enumerate() {
                ws.write_with_format(0, c as u16, h, &bold).map_err(fail)?;
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    match cell {
                        Cell::Text(t) => ws
                            .write(r as u32 + 1, c as u16, t)
                            .map(|_| ())
                            .map_err(fail)?,
                        Cell::Num(Some(n)) => ws
                            .write(r as u32 + 1, c as u16, *n as f64)
                            .map(|_| ())
                            .map_err(fail)?,
                        Cell::Num(None) => {}
                    }
                }
            }
            Ok(Download {
                bytes: book.save_to_buffer().map_err(fail)?,
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                extension: "xlsx",
            })
        }
        f @ ("csv" | "sjis") => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(header)
                .map_err(|e| SheetError::Write(e.to_string()))?;
            for row in rows {
                w.write_record(row.iter().map(|c| match c {
                    Cell::Text(t) => neutralise(t),
                    Cell::Num(n) => n.map(|n| n.to_string()).unwrap_or_default(),
                }))
                .map_err(|e| SheetError::Write(e.to_string()))?;
            }
            let text = String::from_utf8(
                w.into_inner()
                    .map_err(|e| SheetError::Write(e.to_string()))?,
            )
            .map_err(|e| SheetError::Write(e.to_string()))?;
            Ok(if f == "sjis" {
                Download {
                    bytes: encoding_rs::SHIFT_JIS.encode(&text).0.into_owned(),
                    content_type: "text/csv; charset=Shift_JIS",
                    extension: "csv",
                }
            } else {
                Download {
                    bytes: [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
                    content_type: "text/csv; charset=utf-8",
                    extension: "csv",
                }
            })
        }
        other => Err(SheetError::UnknownFormat(other.to_owned())),
    }
}
