//! The nomenclature of medical devices (一般的名称): the list PMDA publishes of general names
//! with their JMDN code, class and whether a certification standard (認証基準) exists. An
//! administrator imports it from the sheet as downloaded; Noguchi ships none of it. Reading a
//! sheet here is pure: which column holds which field (by the administrator's mapping, else by
//! the usual headings), and each row checked on its own, so a dry run names every bad row.

use crate::project::DeviceClass;
use crate::text::fold_width;
use crate::validation::{FieldError, Problem, has_control_character};

/// A general name as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceName {
    /// JMDN code: eight digits.
    pub code: String,
    pub name: String,
    pub class: DeviceClass,
    pub certification_standard: bool,
    pub definition: Option<String>,
}

/// The fields a sheet's columns map to.
pub const FIELDS: &[&str] = &["code", "name", "class", "standard", "definition"];

/// The headings each field is found under when the administrator maps none (PMDA's lists have
/// used several).
fn usual_headings(field: &str) -> &'static [&'static str] {
    match field {
        "code" => &["コード", "jmdnコード", "一般的名称コード", "jmdn", "code"],
        "name" => &["一般的名称", "名称", "general name", "name"],
        "class" => &["クラス", "クラス分類", "class", "分類"],
        "standard" => &[
            "認証基準",
            "認証基準の有無",
            "基準",
            "認証基準番号",
            "certification standard",
            "standard",
        ],
        "definition" => &["定義", "definition"],
        _ => &[],
    }
}

fn heading_key(h: &str) -> String {
    fold_width(h.trim()).to_lowercase()
}

/// Which column holds each field: the administrator's heading for a field when given, else the
/// first usual heading found. A required field (code, name, class) without a column is an error
/// on that field.
pub fn map_columns(
    header: &[String],
    chosen: &[(String, String)],
) -> Result<Vec<(&'static str, Option<usize>)>, Vec<FieldError>> {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for field in FIELDS {
        let wanted: Vec<String> = match chosen
            .iter()
            .find(|(f, h)| f == field && !h.trim().is_empty())
        {
            Some((_, h)) => vec![heading_key(h)],
            None => usual_headings(field)
                .iter()
                .map(|h| heading_key(h))
                .collect(),
        };
        let at = header.iter().position(|h| wanted.contains(&heading_key(h)));
        if at.is_none() && matches!(*field, "code" | "name" | "class") {
            errs.push(FieldError::new(
                format!("columns.{field}"),
                Problem::Required,
            ));
        }
        out.push((*field, at));
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// A class as the lists write it: I, II, III, IV, Ⅰ…Ⅳ, 1–4, クラスII, with or without spaces.
pub fn parse_class(raw: &str) -> Result<DeviceClass, Problem> {
    let s: String = fold_width(raw)
        .replace("クラス", "")
        .replace("class", "")
        .replace("Class", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let s = s
        .replace('Ⅳ', "IV")
        .replace('Ⅲ', "III")
        .replace('Ⅱ', "II")
        .replace('Ⅰ', "I");
    match s.to_ascii_uppercase().as_str() {
        "I" | "1" => Ok(DeviceClass::I),
        "II" | "2" => Ok(DeviceClass::II),
        "III" | "3" => Ok(DeviceClass::III),
        "IV" | "4" => Ok(DeviceClass::IV),
        _ => Err(Problem::UnknownValue {
            value: raw.trim().to_owned(),
        }),
    }
}

/// Whether a certification standard exists, as the lists write it: a mark (○, 有, あり, yes,
/// 1, true) or the standard's own number; empty, -, ×, 無, なし, no, 0 or false for none.
pub fn parse_standard(raw: &str) -> Result<bool, Problem> {
    let s = fold_width(raw.trim()).to_lowercase();
    match s.as_str() {
        "" | "-" | "ー" | "―" | "×" | "無" | "なし" | "no" | "0" | "false" => Ok(false),
        "○" | "〇" | "◯" | "有" | "あり" | "yes" | "1" | "true" => Ok(true),
        // A standard's number (告示 numbers, 認証基準番号): any text with a digit.
        other if other.chars().any(|c| c.is_ascii_digit()) => Ok(true),
        _ => Err(Problem::UnknownValue {
            value: raw.trim().to_owned(),
        }),
    }
}

/// One row's problems, with its row number in the sheet (the header is row 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub errors: Vec<FieldError>,
}

/// Reads the rows after the header: each a general name, or the row's errors. A code twice in
/// the sheet is an error on the second row; blank rows are skipped.
pub fn read_rows(
    rows: &[Vec<String>],
    columns: &[(&'static str, Option<usize>)],
) -> (Vec<DeviceName>, Vec<RowError>) {
    let col = |f: &str| columns.iter().find(|(n, _)| *n == f).and_then(|(_, i)| *i);
    let cell = |row: &[String], f: &str| -> String {
        col(f)
            .and_then(|i| row.get(i))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let mut names: Vec<DeviceName> = Vec::new();
    let mut bad = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut errors = Vec::new();
        let code: String = fold_width(&cell(row, "code"))
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if code.is_empty() {
            errors.push(FieldError::new("code", Problem::Required));
        } else if code.len() != 8 || !code.chars().all(|c| c.is_ascii_digit()) {
            errors.push(FieldError::new(
                "code",
                Problem::UnknownValue {
                    value: code.clone(),
                },
            ));
        } else if names.iter().any(|n| n.code == code) {
            errors.push(FieldError::new("code", Problem::Taken));
        }
        let name = cell(row, "name");
        if name.is_empty() {
            errors.push(FieldError::new("name", Problem::Required));
        } else if name.chars().count() > 200 || has_control_character(&name) {
            errors.push(FieldError::new("name", Problem::TooLong { max: 200 }));
        }
        let class = match parse_class(&cell(row, "class")) {
            Ok(c) => Some(c),
            Err(p) => {
                errors.push(FieldError::new("class", p));
                None
            }
        };
        let standard = match parse_standard(&cell(row, "standard")) {
            Ok(s) => s,
            Err(p) => {
                errors.push(FieldError::new("standard", p));
                false
            }
        };
        let definition = Some(cell(row, "definition"))
            .filter(|d| !d.is_empty())
            .map(|d| d.chars().take(2000).collect());
        if !errors.is_empty() {
            bad.push(RowError { row: i + 2, errors });
            continue;
        }
        names.push(DeviceName {
            code,
            name,
            class: class.expect("checked"),
            // Class IV has no certification route whatever a sheet says.
            certification_standard: standard && class != Some(DeviceClass::IV),
            definition,
        });
    }
    (names, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn columns_are_found_by_the_usual_headings_or_as_mapped() {
        let header = s(&[
            "ＪＭＤＮコード",
            "一般的名称",
            "クラス分類",
            "認証基準",
            "備考",
        ]);
        let cols = map_columns(&header, &[]).unwrap();
        assert_eq!(cols[0], ("code", Some(0)));
        assert_eq!(cols[3], ("standard", Some(3)));
        assert_eq!(cols[4], ("definition", None));
        // A mapping names the heading; a missing required column is named.
        let cols = map_columns(&header, &[("definition".into(), "備考".into())]).unwrap();
        assert_eq!(cols[4], ("definition", Some(4)));
        let err = map_columns(&s(&["名称", "備考"]), &[]).unwrap_err();
        let fields: Vec<&str> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["columns.code", "columns.class"]);
    }

    #[test]
    fn rows_are_read_one_by_one_and_bad_ones_named() {
        let header = s(&["コード", "一般的名称", "クラス", "認証基準"]);
        let cols = map_columns(&header, &[]).unwrap();
        let rows = vec![
            s(&["70009000", "歩行補助具（テスト用）", "Ⅰ", ""]),
            s(&[
                "１２３４５６７８",
                "電動式吸引器（テスト用）",
                "クラスII",
                "○",
            ]),
            s(&["", "", "", ""]),
            s(&["12345678", "重複（テスト用）", "II", "有"]),
            s(&["1234", "", "V", "たぶん"]),
            s(&["87654321", "植込み型（テスト用）", "4", "○"]),
        ];
        let (names, bad) = read_rows(&rows, &cols);
        assert_eq!(names.len(), 3);
        assert_eq!(names[1].code, "12345678");
        assert_eq!(names[1].class, DeviceClass::II);
        assert!(names[1].certification_standard);
        assert!(!names[0].certification_standard);
        assert!(
            !names[2].certification_standard,
            "class IV has no certification"
        );
        assert_eq!(bad.len(), 2);
        assert_eq!(bad[0].row, 5);
        assert_eq!(bad[0].errors[0].problem, Problem::Taken);
        assert_eq!(bad[1].row, 6);
        let fields: Vec<&str> = bad[1].errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["code", "name", "class", "standard"]);
    }
}
