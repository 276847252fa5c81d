//! Organisations of the directory: firms, public bodies, hospitals, universities.

use crate::CorporateNumber;
use crate::dates::{format_date, parse_date};
use crate::text::{Kana, gojuon_sort_key, search_key};
use crate::validation::{Invalid, Problem, optional_text, required_text};
use time::Date;

crate::code_list! {
    /// What an organisation is (PRODUCT.md section 3).
    OrganisationKind {
        Municipality = "municipality",
        ChamberOfCommerce = "chamber_of_commerce",
        University = "university",
        PrefecturalAgency = "prefectural_agency",
        Hospital = "hospital",
        TechnicalCentre = "technical_centre",
        Foundation = "foundation",
        Company = "company",
        IndustryCouncil = "industry_council",
        Other = "other",
    }
}

crate::code_list! {
    /// Where a firm stands in the medical/welfare field; decides which KPI kind its outcomes take.
    FieldStatus {
        ExistingMedical = "existing_medical",
        Entrant = "entrant",
        None = "none",
    }
}

crate::code_list! {
    /// Licences and registrations under 薬機法 that a firm may hold.
    Licence {
        MarketingClass1 = "marketing_class1",
        MarketingClass2 = "marketing_class2",
        MarketingClass3 = "marketing_class3",
        Manufacturing = "manufacturing_registration",
        Repair = "repair",
        SalesAdvanced = "sales_advanced",
        SalesControlled = "sales_controlled",
    }
}

/// The industry council the seed asks firms to join (seed 5(2)⑤).
pub const FUKUSHIMA_COUNCIL: &str = "福島県医療福祉機器産業協議会";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub body: String,
    pub joined_on: Option<Date>,
}

/// Raw input from a form, an API body or an import row: nothing is trusted yet.
#[derive(Debug, Clone, Default)]
pub struct OrganisationInput {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub name_kana: Option<String>,
    pub name_en: Option<String>,
    pub corporate_number: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub municipality: Option<String>,
    pub in_region: Option<bool>,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub website: Option<String>,
    pub capabilities: Vec<String>,
    pub certifications: Vec<String>,
    pub licences: Vec<String>,
    /// (licence code, number, expires_on as YYYY-MM-DD): a licence's number and expiry.
    pub licence_records: Vec<(String, Option<String>, Option<String>)>,
    /// (body, joined_on as YYYY-MM-DD or empty)
    pub memberships: Vec<(String, Option<String>)>,
    pub field_status: Option<String>,
    pub notes: Option<String>,
}

/// A validated organisation record (without its id and timestamps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationData {
    pub kind: OrganisationKind,
    pub name: String,
    pub name_kana: Option<Kana>,
    pub name_en: Option<String>,
    pub corporate_number: Option<CorporateNumber>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub municipality: Option<String>,
    pub in_region: bool,
    pub industry: Option<String>,
    pub employees: Option<i64>,
    pub website: Option<String>,
    pub capabilities: Vec<String>,
    pub certifications: Vec<String>,
    pub licences: Vec<Licence>,
    /// The number and expiry of licences held (許可番号・登録番号, 有効期限), where recorded.
    pub licence_records: Vec<LicenceRecord>,
    pub memberships: Vec<Membership>,
    pub field_status: FieldStatus,
    pub notes: Option<String>,
}

/// A licence's number and the day it expires (a 製造販売業許可 lasts five years).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceRecord {
    pub licence: Licence,
    pub number: Option<String>,
    pub expires_on: Option<Date>,
}

/// The licences held on `today`: those listed, without any whose recorded expiry has passed.
pub fn licences_held(licences: &[Licence], records: &[LicenceRecord], today: Date) -> Vec<Licence> {
    licences
        .iter()
        .copied()
        .filter(|l| {
            !records
                .iter()
                .any(|r| r.licence == *l && r.expires_on.is_some_and(|e| e < today))
        })
        .collect()
}

impl OrganisationData {
    pub fn licences_held(&self, today: Date) -> Vec<Licence> {
        licences_held(&self.licences, &self.licence_records, today)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: String,
    pub data: OrganisationData,
    pub created_at: String,
    pub updated_at: String,
}

impl OrganisationData {
    /// Validates every field and reports all problems at once, each under its field name.
    pub fn parse(input: &OrganisationInput) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let kind = errs.take(
            "kind",
            input
                .kind
                .as_deref()
                .filter(|k| !k.trim().is_empty())
                .ok_or(Problem::Required)
                .and_then(OrganisationKind::parse),
        );
        let name = errs.take("name", required_text(input.name.as_deref(), 200));
        let name_kana = errs.take(
            "name_kana",
            match input.name_kana.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(k) => Kana::parse(k).map(Some),
            },
        );
        let name_en = errs.take("name_en", optional_text(input.name_en.as_deref(), 200));
        let corporate_number = errs.take(
            "corporate_number",
            match input.corporate_number.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(n) => CorporateNumber::parse(n).map(Some),
            },
        );
        let postal_code = errs.take("postal_code", postal_code(input.postal_code.as_deref()));
        let address = errs.take("address", optional_text(input.address.as_deref(), 300));
        let municipality = errs.take(
            "municipality",
            optional_text(input.municipality.as_deref(), 100),
        );
        let industry = errs.take("industry", optional_text(input.industry.as_deref(), 100));
        let employees = errs.take(
            "employees",
            match input.employees {
                Some(n) if !(0..=10_000_000).contains(&n) => Err(Problem::OutOfRange {
                    min: 0,
                    max: 10_000_000,
                }),
                n => Ok(n),
            },
        );
        let website = errs.take("website", website(input.website.as_deref()));
        let capabilities = errs.take("capabilities", tags(&input.capabilities));
        let certifications = errs.take("certifications", tags(&input.certifications));
        let mut licences = Vec::new();
        for (i, l) in input.licences.iter().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            if let Some(l) = errs.take(&format!("licences[{i}]"), Licence::parse(l))
                && !licences.contains(&l)
            {
                licences.push(l);
            }
        }
        // A licence's number and expiry; recording one means the licence is held.
        let mut licence_records: Vec<LicenceRecord> = Vec::new();
        for (i, (l, number, expires)) in input.licence_records.iter().enumerate() {
            let field = format!("licence_records[{i}]");
            if l.trim().is_empty()
                && number.as_deref().is_none_or(|n| n.trim().is_empty())
                && expires.as_deref().is_none_or(|e| e.trim().is_empty())
            {
                continue;
            }
            let licence = errs.take(&format!("{field}.licence"), Licence::parse(l));
            let number = errs
                .take(
                    &format!("{field}.number"),
                    optional_text(number.as_deref(), 50),
                )
                .flatten();
            let expires_on = errs
                .take(
                    &format!("{field}.expires_on"),
                    match expires.as_deref().map(str::trim) {
                        None | Some("") => Ok(None),
                        Some(d) => crate::dates::parse_date(d).map(Some),
                    },
                )
                .flatten();
            if let Some(licence) = licence {
                if licence_records.iter().any(|r| r.licence == licence) {
                    errs.push(format!("{field}.licence"), Problem::Taken);
                    continue;
                }
                if !licences.contains(&licence) {
                    licences.push(licence);
                }
                licence_records.push(LicenceRecord {
                    licence,
                    number,
                    expires_on,
                });
            }
        }
        let mut memberships = Vec::new();
        for (i, (body, joined)) in input.memberships.iter().enumerate() {
            let body = match optional_text(Some(body), 200) {
                Ok(Some(b)) => b,
                Ok(None) if joined.as_deref().is_none_or(|j| j.trim().is_empty()) => continue,
                Ok(None) => {
                    errs.push(format!("memberships[{i}].body"), Problem::Required);
                    continue;
                }
                Err(p) => {
                    errs.push(format!("memberships[{i}].body"), p);
                    continue;
                }
            };
            let joined_on = errs.take(
                &format!("memberships[{i}].joined_on"),
                match joined.as_deref().map(str::trim) {
                    None | Some("") => Ok(None),
                    Some(d) => parse_date(d).map(Some),
                },
            );
            if let Some(joined_on) = joined_on {
                memberships.push(Membership { body, joined_on });
            }
        }
        let field_status = errs.take(
            "field_status",
            match input.field_status.as_deref().map(str::trim) {
                None | Some("") => Ok(FieldStatus::None),
                Some(s) => FieldStatus::parse(s),
            },
        );
        let notes = errs.take("notes", optional_text(input.notes.as_deref(), 4000));
        if !errs.is_empty() {
            return Err(errs);
        }
        // Every `take` above succeeded, so each Option is Some.
        Ok(Self {
            kind: kind.expect("checked"),
            name: name.expect("checked"),
            name_kana: name_kana.expect("checked"),
            name_en: name_en.expect("checked"),
            corporate_number: corporate_number.expect("checked"),
            postal_code: postal_code.expect("checked"),
            address: address.expect("checked"),
            municipality: municipality.expect("checked"),
            in_region: input.in_region.unwrap_or(false),
            industry: industry.expect("checked"),
            employees: employees.expect("checked"),
            website: website.expect("checked"),
            capabilities: capabilities.expect("checked"),
            certifications: certifications.expect("checked"),
            licences,
            licence_records,
            memberships,
            field_status: field_status.expect("checked"),
            notes: notes.expect("checked"),
        })
    }

    /// Turns the record back into input, so a partial update can be applied and re-validated.
    pub fn to_input(&self) -> OrganisationInput {
        OrganisationInput {
            kind: Some(self.kind.code().into()),
            name: Some(self.name.clone()),
            name_kana: self.name_kana.as_ref().map(|k| k.as_str().into()),
            name_en: self.name_en.clone(),
            corporate_number: self.corporate_number.as_ref().map(|c| c.as_str().into()),
            postal_code: self.postal_code.clone(),
            address: self.address.clone(),
            municipality: self.municipality.clone(),
            in_region: Some(self.in_region),
            industry: self.industry.clone(),
            employees: self.employees,
            website: self.website.clone(),
            capabilities: self.capabilities.clone(),
            certifications: self.certifications.clone(),
            licences: self.licences.iter().map(|l| l.code().into()).collect(),
            licence_records: self
                .licence_records
                .iter()
                .map(|r| {
                    (
                        r.licence.code().into(),
                        r.number.clone(),
                        r.expires_on.map(format_date),
                    )
                })
                .collect(),
            memberships: self
                .memberships
                .iter()
                .map(|m| (m.body.clone(), m.joined_on.map(format_date)))
                .collect(),
            field_status: Some(self.field_status.code().into()),
            notes: self.notes.clone(),
        }
    }

    /// What a name search matches against: name, reading and English name, folded.
    pub fn search_text(&self) -> String {
        let mut s = search_key(&self.name);
        for extra in [
            self.name_kana.as_ref().map(Kana::as_str),
            self.name_en.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            s.push('\u{1F}');
            s.push_str(&search_key(extra));
        }
        s
    }

    /// 五十音 order by reading; without a reading, by the name itself.
    pub fn sort_key(&self) -> Vec<u8> {
        gojuon_sort_key(
            self.name_kana
                .as_ref()
                .map_or(self.name.as_str(), Kana::as_str),
        )
    }

    pub fn is_member_of(&self, body: &str) -> bool {
        self.memberships.iter().any(|m| m.body == body)
    }
}

fn postal_code(v: Option<&str>) -> Result<Option<String>, Problem> {
    let Some(v) = optional_text(v, 10)? else {
        return Ok(None);
    };
    let digits: String = crate::text::fold_width(&v)
        .chars()
        .filter(|c| *c != '-' && *c != '〒')
        .collect();
    if digits.len() == 7 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(format!("{}-{}", &digits[..3], &digits[3..])))
    } else {
        Err(Problem::UnknownValue { value: v })
    }
}

fn website(v: Option<&str>) -> Result<Option<String>, Problem> {
    let Some(v) = optional_text(v, 300)? else {
        return Ok(None);
    };
    // Only web addresses: a javascript: or data: link must never reach a page.
    if v.starts_with("https://") || v.starts_with("http://") {
        Ok(Some(v))
    } else {
        Err(Problem::UnknownValue { value: v })
    }
}

/// Tags: trimmed, width-folded, empty ones dropped, duplicates removed, order kept.
fn tags(values: &[String]) -> Result<Vec<String>, Problem> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let v = crate::text::fold_width(v.trim());
        if v.is_empty() {
            continue;
        }
        if v.chars().count() > 60 {
            return Err(Problem::TooLong { max: 60 });
        }
        if !out.contains(&v) {
            out.push(v);
        }
    }
    if out.len() > 50 {
        return Err(Problem::OutOfRange { min: 0, max: 50 });
    }
    Ok(out)
}

/// Splits a text box of tags (comma, 、, ・ or newline separated) into tags.
pub fn split_tags(s: &str) -> Vec<String> {
    s.split([',', '、', '，', '\n', ';', '；'])
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> OrganisationInput {
        OrganisationInput {
            kind: Some("company".into()),
            name: Some("株式会社検査".into()),
            name_kana: Some("カブシキガイシャケンサ".into()),
            corporate_number: Some("7000012050002".into()),
            capabilities: vec!["金型".into(), " 精密加工 ".into(), "金型".into()],
            licences: vec!["marketing_class2".into()],
            memberships: vec![(FUKUSHIMA_COUNCIL.into(), Some("2015-02-03".into()))],
            ..Default::default()
        }
    }

    #[test]
    fn parses_a_valid_organisation() {
        let o = OrganisationData::parse(&valid()).unwrap();
        assert_eq!(o.kind, OrganisationKind::Company);
        assert_eq!(o.capabilities, ["金型", "精密加工"]);
        assert_eq!(o.licences, [Licence::MarketingClass2]);
        assert!(o.is_member_of(FUKUSHIMA_COUNCIL));
        assert_eq!(o.field_status, FieldStatus::None);
        assert_eq!(OrganisationData::parse(&o.to_input()).unwrap(), o);
    }

    #[test]
    fn names_every_invalid_field() {
        let input = OrganisationInput {
            kind: Some("castle".into()),
            name: Some("  ".into()),
            name_kana: Some("会津".into()),
            corporate_number: Some("1000012050002".into()),
            memberships: vec![(FUKUSHIMA_COUNCIL.into(), Some("2015-02-30".into()))],
            website: Some("javascript:alert(1)".into()),
            employees: Some(-1),
            ..Default::default()
        };
        let err = OrganisationData::parse(&input).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "kind",
                "name",
                "name_kana",
                "corporate_number",
                "employees",
                "website",
                "memberships[0].joined_on"
            ]
        );
        assert!(err.0.contains(&crate::FieldError::new(
            "corporate_number",
            Problem::CorporateNumberCheckDigit
        )));
    }

    #[test]
    fn search_text_folds_reading() {
        let o = OrganisationData::parse(&valid()).unwrap();
        assert!(o.search_text().contains(&search_key("けんさ")));
    }

    #[test]
    fn tags() {
        assert_eq!(
            split_tags("金型、精密加工,\nICT"),
            ["金型", "精密加工", "ICT"]
        );
    }

    #[test]
    fn a_licence_record_names_its_number_and_expiry_and_an_expired_one_is_not_held() {
        let mut input = valid();
        input.licences = vec!["manufacturing_registration".into()];
        input.licence_records = vec![
            (
                "marketing_class2".into(),
                Some("07B2X10001".into()),
                Some("2027-03-31".into()),
            ),
            (
                "manufacturing_registration".into(),
                Some("07BZ200123".into()),
                Some("2025-03-31".into()),
            ),
        ];
        let o = OrganisationData::parse(&input).expect("valid");
        // Recording a licence's number means it is held.
        assert_eq!(
            o.licences,
            [Licence::Manufacturing, Licence::MarketingClass2]
        );
        let today = time::macros::date!(2026 - 12 - 01);
        assert_eq!(o.licences_held(today), [Licence::MarketingClass2]);
        assert_eq!(OrganisationData::parse(&o.to_input()).unwrap(), o);
        input.licence_records = vec![
            ("marketing_class9".into(), None, Some("someday".into())),
            ("marketing_class2".into(), None, None),
            ("marketing_class2".into(), None, None),
        ];
        let fields: Vec<String> = OrganisationData::parse(&input)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "licence_records[0].licence",
                "licence_records[0].expires_on",
                "licence_records[2].licence"
            ]
        );
    }
}
