//! Reading spreadsheets people send: XLSX, or CSV in UTF-8 (with or without BOM) or
//! Shift_JIS/CP932 as Excel writes it in Japan. Each row is checked on its own and reported with
//! its row number, so a dry run can show what an import would do before anything is written.

use crate::AppState;
use crate::api::kpi::ImportRowOut;
use crate::api::{FieldErrorOut, OrgRef};
use crate::error::AppError;
use crate::i18n::Tr;
use calamine::{Data, Reader, Xlsx};
use noguchi_domain::kpi::{OutcomeData, OutcomeInput};
use noguchi_domain::{Invalid, Problem};
use std::io::Cursor;

/// Rows of a table, header first, as text.
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
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

fn read_csv(text: &str) -> Result<Vec<Vec<String>>, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| {
            AppError::field(
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

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    let bad = || {
        AppError::field(
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
        .map(noguchi_domain::organisation::format_date)
        .unwrap_or_default()
}

/// The fields of an outcome row and the header spellings that name them.
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "organisation",
        &[
            "organisation",
            "organization",
            "organisation_id",
            "団体",
            "企業",
            "企業名",
            "団体名",
            "事業者",
            "法人番号",
        ],
    ),
    ("kind", &["kind", "種別", "区分"]),
    ("fiscal_year", &["fiscal_year", "年度"]),
    (
        "occurred_on",
        &["occurred_on", "date", "日付", "年月日", "発生日"],
    ),
    ("jobs", &["jobs", "雇用", "雇用数", "雇用者数", "人数"]),
    ("evidence", &["evidence", "根拠", "エビデンス"]),
    (
        "evidence_ref",
        &["evidence_ref", "資料番号", "資料", "文書番号"],
    ),
    ("note", &["note", "備考", "メモ"]),
];

/// Outcome kinds as people write them in a sheet.
fn kind_code(s: &str) -> String {
    let folded = noguchi_domain::text::fold_width(s.trim());
    match folded.as_str() {
        "新規立地" | "立地" => "new_site",
        "増設" | "事業拡張" | "増設・事業拡張" | "拡張" => "expansion",
        "新規参入" | "参入" => "new_entry",
        "事業化" | "既存医療関連企業の事業化" => "commercialisation",
        other => return other.to_owned(),
    }
    .to_owned()
}

pub struct CheckedRow {
    pub row: usize,
    pub organisation: Option<OrgRef>,
    pub data: Result<OutcomeData, Invalid>,
}

impl CheckedRow {
    pub fn to_out(&self, tr: Tr) -> ImportRowOut {
        let (ok, errors, kind, fy, jobs) = match &self.data {
            Ok(d) => (
                true,
                Vec::new(),
                Some(d.kind.code().to_owned()),
                Some(d.fiscal_year.0),
                Some(d.jobs),
            ),
            Err(i) => (
                false,
                i.0.iter()
                    .map(|e| FieldErrorOut {
                        field: e.field.clone(),
                        message: tr.problem(&e.field, &e.problem),
                    })
                    .collect(),
                None,
                None,
                None,
            ),
        };
        ImportRowOut {
            row: self.row,
            ok,
            organisation: self.organisation.as_ref().map(|o| OrgRef {
                id: o.id.clone(),
                name: o.name.clone(),
            }),
            kind,
            fiscal_year: fy,
            jobs,
            errors,
        }
    }
}

/// Checks every row of an outcome sheet; organisations are found by id, 法人番号 or exact name.
pub async fn check_outcomes(state: &AppState, bytes: &[u8]) -> Result<Vec<CheckedRow>, AppError> {
    let rows = read_table(bytes)?;
    let Some((header, body)) = rows.split_first() else {
        return Err(AppError::field("file", Problem::Required));
    };
    let index = |field: &str| {
        let names = COLUMNS
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, n)| *n)
            .unwrap_or(&[]);
        header.iter().position(|h| {
            let h = noguchi_domain::text::fold_width(h.trim()).to_lowercase();
            names.iter().any(|n| h == n.to_lowercase())
        })
    };
    let (Some(org_col), Some(kind_col), Some(jobs_col)) =
        (index("organisation"), index("kind"), index("jobs"))
    else {
        return Err(AppError::field("file", Problem::Required));
    };
    let col = |row: &Vec<String>, i: Option<usize>| {
        i.and_then(|i| row.get(i))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let mut out = Vec::new();
    for (n, row) in body.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut extra = Invalid::default();
        let org_key = col(row, Some(org_col));
        let organisation = match &org_key {
            Some(key) => match state.store.find_organisation(key).await {
                Ok(o) => Some(OrgRef {
                    id: o.id,
                    name: o.data.name,
                }),
                Err(noguchi_storage::StoreError::NotFound) => {
                    extra.push("organisation_id", Problem::UnknownReference);
                    None
                }
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let jobs = match col(row, Some(jobs_col)) {
            None => None,
            Some(j) => match noguchi_domain::text::fold_width(&j)
                .replace([',', '名', '人'], "")
                .parse::<i64>()
            {
                Ok(v) => Some(v),
                Err(_) => {
                    extra.push("jobs", Problem::NotANumber);
                    None
                }
            },
        };
        let input = OutcomeInput {
            organisation_id: organisation.as_ref().map(|o| o.id.clone()),
            kind: col(row, Some(kind_col)).map(|k| kind_code(&k)),
            fiscal_year: col(row, index("fiscal_year")),
            occurred_on: col(row, index("occurred_on")),
            jobs,
            evidence: col(row, index("evidence")),
            evidence_ref: col(row, index("evidence_ref")),
            note: col(row, index("note")),
        };
        let data = match OutcomeData::parse(&input) {
            Ok(d) if extra.is_empty() => Ok(d),
            Ok(_) => Err(extra),
            Err(mut e) => {
                // A specific reason (unknown organisation, not a number) replaces "required".
                e.0.retain(|f| !extra.0.iter().any(|x| x.field == f.field));
                extra.0.append(&mut e.0);
                Err(extra)
            }
        };
        out.push(CheckedRow {
            row: n + 2,
            organisation,
            data,
        });
    }
    Ok(out)
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

    #[test]
    fn kinds_are_read_in_japanese() {
        assert_eq!(kind_code("新規立地"), "new_site");
        assert_eq!(kind_code("増設・事業拡張"), "expansion");
        assert_eq!(kind_code("事業化"), "commercialisation");
        assert_eq!(kind_code("new_entry"), "new_entry");
    }
}
