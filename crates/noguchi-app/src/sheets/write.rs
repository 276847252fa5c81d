//! Spreadsheets out: the council pack as a real XLSX workbook (the KPI table with targets,
//! actuals, progress, and the per-year breakdown, with Japanese-era labels and numbers stored as
//! numbers), and any list as XLSX or CSV (UTF-8 with BOM, or Shift_JIS) by `noguchi-sheets`.

use crate::{Error, Labels, Result};
use noguchi_domain::fiscal::FiscalYear;
use noguchi_domain::kpi::KpiReport;
use noguchi_domain::programme::ProgrammeDefinition;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

pub fn council_pack(
    def: &ProgrammeDefinition,
    r: &KpiReport,
    current: FiscalYear,
    records: &[crate::events::ActivityDetail],
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

    // Events and the firms they reached (seed 5(2)①②), per fiscal year; the funnel where the
    // caller may see it.
    let sheet = book
        .add_worksheet()
        .set_name(tr.t("kpi-sheet-activity"))
        .map_err(fail)?;
    let activity: Vec<&crate::events::ActivityReport> = records.iter().map(|d| &d.report).collect();
    let with_funnel = activity.iter().any(|a| a.funnel.is_some());
    let mut head_keys = vec![
        "kpi-fiscal-year",
        "kpi-era",
        "activity-events-held",
        "activity-participants",
        "activity-firms-reached",
        "activity-first-time-firms",
    ];
    if with_funnel {
        head_keys.extend([
            "funnel-consulted",
            "funnel-entry-case",
            "funnel-commercialised",
        ]);
    }
    for (i, k) in head_keys.iter().enumerate() {
        sheet
            .write_with_format(0, i as u16, tr.t(k), &head)
            .map_err(fail)?;
    }
    for (i, a) in activity.iter().enumerate() {
        let row = i as u32 + 1;
        sheet
            .write_with_format(row, 0, f64::from(a.fiscal_year.0), &cell)
            .map_err(fail)?;
        sheet
            .write_with_format(row, 1, a.fiscal_year.era_label(), &cell)
            .map_err(fail)?;
        let f = &a.figures;
        let mut values = vec![
            f.events_held,
            f.participants,
            f.firms_reached,
            f.first_time_firms,
        ];
        if let Some(n) = &a.funnel {
            values.extend([n.consulted, n.entry_case, n.commercialised]);
        }
        for (j, v) in values.iter().enumerate() {
            sheet
                .write_with_format(row, 2 + j as u16, *v as f64, &number)
                .map_err(fail)?;
        }
    }
    sheet.set_row_height(0, 45).map_err(fail)?;
    for col in 0..head_keys.len() as u16 {
        sheet.set_column_width(col, 14).map_err(fail)?;
    }

    // The records behind those numbers: the events held and the firms reached, by year.
    let sheet = book
        .add_worksheet()
        .set_name(tr.t("kpi-sheet-activity-events"))
        .map_err(fail)?;
    for (i, k) in [
        "kpi-fiscal-year",
        "field-event-title",
        "event-when",
        "activity-participants",
    ]
    .iter()
    .enumerate()
    {
        sheet
            .write_with_format(0, i as u16, tr.t(k), &head)
            .map_err(fail)?;
    }
    let mut row = 1u32;
    for d in records {
        for v in &d.events {
            let e = &v.event;
            sheet
                .write_with_format(row, 0, d.report.fiscal_year.full_label(), &cell)
                .map_err(fail)?;
            sheet
                .write_with_format(row, 1, e.data.title.as_str(), &cell)
                .map_err(fail)?;
            let day: String = noguchi_domain::event::format_instant(e.data.starts_at)
                .chars()
                .take(10)
                .collect();
            sheet.write_with_format(row, 2, day, &cell).map_err(fail)?;
            sheet
                .write_with_format(row, 3, e.checked_in as f64, &number)
                .map_err(fail)?;
            row += 1;
        }
    }
    for (col, width) in [(0, 22), (1, 40), (2, 12), (3, 12)] {
        sheet.set_column_width(col, width).map_err(fail)?;
    }
    let sheet = book
        .add_worksheet()
        .set_name(tr.t("kpi-sheet-activity-firms"))
        .map_err(fail)?;
    let mut firm_head = vec!["kpi-fiscal-year", "field-name", "activity-first-time"];
    if with_funnel {
        firm_head.extend([
            "funnel-consulted",
            "funnel-entry-case",
            "funnel-commercialised",
        ]);
    }
    for (i, k) in firm_head.iter().enumerate() {
        sheet
            .write_with_format(0, i as u16, tr.t(k), &head)
            .map_err(fail)?;
    }
    let mark = |b: bool| if b { "✓" } else { "" };
    let mut row = 1u32;
    for d in records {
        for f in &d.firms {
            sheet
                .write_with_format(row, 0, d.report.fiscal_year.full_label(), &cell)
                .map_err(fail)?;
            sheet
                .write_with_format(row, 1, f.name.as_str(), &cell)
                .map_err(fail)?;
            sheet
                .write_with_format(row, 2, mark(f.first_time), &cell)
                .map_err(fail)?;
            if let Some(steps) = f.steps {
                for (j, b) in steps.iter().enumerate() {
                    sheet
                        .write_with_format(row, 3 + j as u16, mark(*b), &cell)
                        .map_err(fail)?;
                }
            }
            row += 1;
        }
    }
    sheet.set_column_width(0, 22).map_err(fail)?;
    sheet.set_column_width(1, 40).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

pub use noguchi_sheets::write::{Cell, Download, starts_like_formula};

/// A list as a file: `xlsx` (default), `csv` or `sjis`; an unknown format is a field error on
/// `format`.
pub fn table(header: &[String], rows: &[Vec<Cell>], format: Option<&str>) -> Result<Download> {
    noguchi_sheets::write::table(header, rows, format).map_err(|e| match e {
        noguchi_sheets::SheetError::UnknownFormat(value) => {
            Error::field("format", noguchi_domain::Problem::UnknownValue { value })
        }
        other => Error::internal("sheet", other),
    })
}
