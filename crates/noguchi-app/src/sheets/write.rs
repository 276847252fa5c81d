//! Spreadsheets out: the council pack as a real XLSX workbook (the KPI table with targets,
//! actuals, progress, and the per-year breakdown, with Japanese-era labels and numbers stored as
//! numbers), and any list as XLSX or CSV (UTF-8 with BOM, or Shift_JIS).

use crate::{Error, Labels, Result};
use noguchi_domain::Problem;
use noguchi_domain::fiscal::FiscalYear;
use noguchi_domain::kpi::KpiReport;
use noguchi_domain::programme::ProgrammeDefinition;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

pub fn council_pack(
    def: &ProgrammeDefinition,
    r: &KpiReport,
    current: FiscalYear,
    tr: &dyn Labels,
) -> Result<Vec<u8>> {
    let fail = |e: rust_xlsxwriter::XlsxError| Error::internal("xlsx", e);
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_background_color("DDE5F0")
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let number = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0");
    let percent = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.0%");

    let sheet = book
        .add_worksheet()
        .set_name(tr.t("kpi-sheet-table"))
        .map_err(fail)?;
    sheet
        .write_with_format(0, 0, format!("{} {}", def.name, tr.t("kpi-title")), &title)
        .map_err(fail)?;
    sheet
        .write(
            1,
            0,
            tr.t1("kpi-as-of", "year", &current.full_label())
                + " / "
                + &tr.t1("home-kpi-note", "year", &r.baseline.full_label()),
        )
        .map_err(fail)?;
    let headers = [
        tr.t("home-indicator"),
        tr.t("kpi-milestone"),
        tr.t("kpi-measure"),
        tr.t("kpi-target"),
        tr.t("kpi-actual"),
        tr.t("kpi-progress"),
        tr.t("kpi-projection"),
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_with_format(3, c as u16, h, &head)
            .map_err(fail)?;
    }
    let mut row = 4;
    for ind in &def.indicators {
        for m in &r.milestones {
            let Some(res) = m.indicators.iter().find(|i| i.key == ind.key) else {
                continue;
            };
            for (measure, value) in [("kpi-firms", res.firms), ("kpi-jobs", res.jobs)] {
                let Some(v) = value else { continue };
                sheet
                    .write_with_format(row, 0, &ind.label, &cell)
                    .map_err(fail)?;
                sheet
                    .write_with_format(row, 1, m.fiscal_year.full_label(), &cell)
                    .map_err(fail)?;
                sheet
                    .write_with_format(row, 2, tr.t(measure), &cell)
                    .map_err(fail)?;
                match v.target {
                    Some(t) => sheet
                        .write_with_format(row, 3, t as f64, &number)
                        .map_err(fail)?,
                    None => sheet.write_with_format(row, 3, "", &cell).map_err(fail)?,
                };
                sheet
                    .write_with_format(row, 4, v.actual as f64, &number)
                    .map_err(fail)?;
                match v.progress() {
                    Some(p) => sheet.write_with_format(row, 5, p, &percent).map_err(fail)?,
                    None => sheet.write_with_format(row, 5, "", &cell).map_err(fail)?,
                };
                match res.projected_jobs.filter(|_| measure == "kpi-jobs") {
                    Some(p) => sheet
                        .write_with_format(row, 6, p as f64, &number)
                        .map_err(fail)?,
                    None => sheet.write_with_format(row, 6, "", &cell).map_err(fail)?,
                };
                row += 1;
            }
        }
    }
    sheet.set_column_width(0, 34).map_err(fail)?;
    sheet.set_column_width(1, 24).map_err(fail)?;
    for c in 2..7 {
        sheet.set_column_width(c, 12).map_err(fail)?;
    }

    let years = book
        .add_worksheet()
        .set_name(tr.t("kpi-sheet-years"))
        .map_err(fail)?;
    years
        .write_with_format(0, 0, tr.t("kpi-fiscal-year"), &head)
        .map_err(fail)?;
    years
        .write_with_format(0, 1, tr.t("kpi-era"), &head)
        .map_err(fail)?;
    let mut c = 2u16;
    for ind in &def.indicators {
        years
            .write_with_format(
                0,
                c,
                format!("{} {}", ind.label, tr.t("kpi-jobs-year")),
                &head,
            )
            .map_err(fail)?;
        years
            .write_with_format(
                0,
                c + 1,
                format!("{} {}", ind.label, tr.t("kpi-jobs-cumulative")),
                &head,
            )
            .map_err(fail)?;
        c += 2;
        if ind.measures.iter().any(|m| m == "firms") {
            years
                .write_with_format(
                    0,
                    c,
                    format!("{} {}", ind.label, tr.t("kpi-firms-cumulative")),
                    &head,
                )
                .map_err(fail)?;
            c += 1;
        }
    }
    for (i, y) in r.years.iter().enumerate() {
        let row = i as u32 + 1;
        years
            .write_with_format(row, 0, y.fiscal_year.0 as f64, &cell)
            .map_err(fail)?;
        years
            .write_with_format(row, 1, y.fiscal_year.era_label(), &cell)
            .map_err(fail)?;
        let mut c = 2u16;
        for (_, jobs, cumulative, firms) in &y.cells {
            years
                .write_with_format(row, c, *jobs as f64, &number)
                .map_err(fail)?;
            years
                .write_with_format(row, c + 1, *cumulative as f64, &number)
                .map_err(fail)?;
            c += 2;
            if let Some(f) = firms {
                years
                    .write_with_format(row, c, *f as f64, &number)
                    .map_err(fail)?;
                c += 1;
            }
        }
    }
    years.set_row_height(0, 45).map_err(fail)?;
    years.set_column_width(1, 14).map_err(fail)?;
    for col in 2..c {
        years.set_column_width(col, 16).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

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
    let fail = |e: rust_xlsxwriter::XlsxError| Error::internal("xlsx", e);
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
                .map_err(|e| Error::internal("csv", e))?;
            for row in rows {
                w.write_record(row.iter().map(|c| match c {
                    Cell::Text(t) => neutralise(t),
                    Cell::Num(n) => n.map(|n| n.to_string()).unwrap_or_default(),
                }))
                .map_err(|e| Error::internal("csv", e))?;
            }
            let text = String::from_utf8(w.into_inner().map_err(|e| Error::internal("csv", e))?)
                .map_err(|e| Error::internal("csv", e))?;
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
        other => Err(Error::field(
            "format",
            Problem::UnknownValue {
                value: other.to_owned(),
            },
        )),
    }
}
