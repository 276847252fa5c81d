//! Grants to a project: the schemes a programme names (as data, in its programme file), the
//! application and its award, amounts per fiscal year, and the reporting calendar an award
//! brings — the results report (実績報告) after the grant period, then a yearly
//! commercialisation report (事業化状況報告) for the scheme's number of years — with each
//! report's status on a given day. A scheme's eligibility (who the consortium must include)
//! is data too, checked against the project's members.

use crate::dates::parse_date;
use crate::fiscal::FiscalYear;
use crate::project::MemberRole;
use crate::validation::{Invalid, Problem, optional_text};
use serde::Deserialize;
use time::{Date, Duration};

/// What a scheme asks of the consortium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// A marketing authorisation holder (member `mah`) holding a 製造販売業 licence.
    LicensedMah,
    /// A manufacturing member that is a small or medium firm (a company of at most 300
    /// employees, the manufacturing bound of 中小企業基本法).
    ManufacturingSme,
    /// A clinical partner (医療機関).
    MedicalInstitution,
    /// A university or research institute.
    University,
    /// A company inside the programme's region.
    LocalFirm,
}

impl Requirement {
    pub fn code(self) -> &'static str {
        match self {
            Requirement::LicensedMah => "licensed_mah",
            Requirement::ManufacturingSme => "manufacturing_sme",
            Requirement::MedicalInstitution => "medical_institution",
            Requirement::University => "university",
            Requirement::LocalFirm => "local_firm",
        }
    }
}

/// A grant scheme as the programme file describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    /// Who runs it (AMED, 中小企業庁, the prefecture …).
    #[serde(default)]
    pub funder: Option<String>,
    /// The usual subsidy rate in percent, offered when an award is entered.
    #[serde(default)]
    pub subsidy_rate: Option<u8>,
    /// Days after the grant period's end within which the results report is due.
    #[serde(default = "default_results_days")]
    pub results_report_days: u16,
    /// How many yearly commercialisation reports follow (0: none).
    #[serde(default)]
    pub status_report_years: u8,
    /// Days after the end of each reported fiscal year within which its report is due.
    #[serde(default = "default_status_days")]
    pub status_report_days: u16,
    #[serde(default)]
    pub requires: Vec<Requirement>,
}

fn default_results_days() -> u16 {
    30
}
fn default_status_days() -> u16 {
    60
}

/// The schemes a programme file without its own list offers: the national medical-engineering
/// programme, the SME manufacturing subsidy and a prefecture's medical-industry subsidy, with
/// the reporting duties their rules describe in outline. A programme names its own schemes
/// (and their exact rules) in `[[projects.grant_schemes]]`.
pub fn default_schemes() -> Vec<Scheme> {
    vec![
        Scheme {
            key: "amed_ikou".into(),
            name: "医工連携イノベーション推進事業（AMED）".into(),
            name_en: Some("AMED medical-engineering collaboration programme".into()),
            funder: Some("日本医療研究開発機構（AMED）".into()),
            subsidy_rate: Some(67),
            results_report_days: 61,
            status_report_years: 5,
            status_report_days: 60,
            requires: vec![
                Requirement::LicensedMah,
                Requirement::ManufacturingSme,
                Requirement::MedicalInstitution,
            ],
        },
        Scheme {
            key: "monodukuri".into(),
            name: "ものづくり・商業・サービス生産性向上促進補助金".into(),
            name_en: Some("SME manufacturing productivity subsidy".into()),
            funder: Some("中小企業庁".into()),
            subsidy_rate: Some(50),
            results_report_days: 30,
            status_report_years: 5,
            status_report_days: 60,
            requires: vec![Requirement::ManufacturingSme],
        },
        Scheme {
            key: "prefecture_medical".into(),
            name: "県の医療関連産業補助金".into(),
            name_en: Some("The prefecture's medical-industry subsidy".into()),
            funder: None,
            subsidy_rate: Some(67),
            results_report_days: 30,
            status_report_years: 3,
            status_report_days: 60,
            requires: vec![Requirement::LocalFirm],
        },
    ]
}

crate::code_list! {
    /// Where an application stands.
    GrantStatus {
        Applied = "applied",
        Awarded = "awarded",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
    }
}

/// The amount granted for one fiscal year, in yen: direct costs and indirect costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub fiscal_year: i32,
    pub direct: i64,
    pub indirect: i64,
}

/// A grant as an interface read it.
#[derive(Debug, Clone, Default)]
pub struct GrantInput {
    pub scheme: Option<String>,
    pub status: Option<String>,
    pub number: Option<String>,
    pub applied_on: Option<String>,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub subsidy_rate: Option<i64>,
    /// (fiscal year, direct, indirect) as typed.
    pub amounts: Vec<(Option<String>, Option<i64>, Option<i64>)>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantData {
    pub scheme: String,
    pub status: GrantStatus,
    /// The award's number (交付決定番号 …).
    pub number: Option<String>,
    pub applied_on: Option<Date>,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub subsidy_rate: Option<u8>,
    pub amounts: Vec<Amount>,
    pub note: Option<String>,
}

/// The largest amount one fiscal year's line may carry (10 billion yen): a typo guard.
const MAX_YEN: i64 = 10_000_000_000;

impl GrantData {
    /// Checks a grant against the programme's schemes: a known scheme and status; an award
    /// has its period (end not before start); amounts are per fiscal year inside the period,
    /// each year once, never negative; a rate is 1–100 %.
    pub fn parse(input: &GrantInput, schemes: &[Scheme]) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let scheme = errs.take(
            "scheme",
            match input.scheme.as_deref().map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(k) => schemes
                    .iter()
                    .find(|s| s.key == k)
                    .map(|s| s.key.clone())
                    .ok_or(Problem::UnknownValue { value: k.into() }),
            },
        );
        let status = errs.take(
            "status",
            match input.status.as_deref().map(str::trim) {
                None | Some("") => Ok(GrantStatus::Applied),
                Some(s) => GrantStatus::parse(s),
            },
        );
        let number = errs
            .take("number", optional_text(input.number.as_deref(), 100))
            .flatten();
        let note = errs
            .take("note", optional_text(input.note.as_deref(), 2000))
            .flatten();
        let date = |errs: &mut Invalid, field: &str, v: &Option<String>| {
            errs.take(
                field,
                match v.as_deref().map(str::trim) {
                    None | Some("") => Ok(None),
                    Some(d) => parse_date(d).map(Some),
                },
            )
            .flatten()
        };
        let applied_on = date(&mut errs, "applied_on", &input.applied_on);
        let start = date(&mut errs, "period_start", &input.period_start);
        let end = date(&mut errs, "period_end", &input.period_end);
        if status == Some(GrantStatus::Awarded) {
            if start.is_none()
                && input
                    .period_start
                    .as_deref()
                    .is_none_or(|s| s.trim().is_empty())
            {
                errs.push("period_start", Problem::Required);
            }
            if end.is_none()
                && input
                    .period_end
                    .as_deref()
                    .is_none_or(|s| s.trim().is_empty())
            {
                errs.push("period_end", Problem::Required);
            }
        }
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            errs.push("period_end", Problem::Date);
        }
        let subsidy_rate = errs
            .take(
                "subsidy_rate",
                match input.subsidy_rate {
                    None => Ok(None),
                    Some(r) if (1..=100).contains(&r) => Ok(Some(r as u8)),
                    Some(_) => Err(Problem::OutOfRange { min: 1, max: 100 }),
                },
            )
            .flatten();
        let mut amounts: Vec<Amount> = Vec::new();
        if input.amounts.len() > 20 {
            errs.push("amounts", Problem::OutOfRange { min: 0, max: 20 });
        }
        for (i, (fy, direct, indirect)) in input.amounts.iter().take(20).enumerate() {
            let field = format!("amounts[{i}]");
            let fy = errs.take(
                &format!("{field}.fiscal_year"),
                match fy.as_deref().map(str::trim) {
                    None | Some("") => Err(Problem::Required),
                    Some(y) => FiscalYear::parse(y).and_then(|y| {
                        let inside = match (start, end) {
                            (Some(s), Some(e)) => {
                                FiscalYear::of_date(s).0 <= y.0 && y.0 <= FiscalYear::of_date(e).0
                            }
                            _ => true,
                        };
                        if inside {
                            Ok(y.0)
                        } else {
                            Err(Problem::OutsideFiscalYear)
                        }
                    }),
                },
            );
            let yen = |v: Option<i64>| match v {
                None => Ok(0),
                Some(n) if (0..=MAX_YEN).contains(&n) => Ok(n),
                Some(_) => Err(Problem::OutOfRange {
                    min: 0,
                    max: MAX_YEN,
                }),
            };
            let d = errs.take(&format!("{field}.direct"), yen(*direct));
            let ind = errs.take(&format!("{field}.indirect"), yen(*indirect));
            if let (Some(fy), Some(d), Some(ind)) = (fy, d, ind) {
                if amounts.iter().any(|a| a.fiscal_year == fy) {
                    errs.push(format!("{field}.fiscal_year"), Problem::Taken);
                } else {
                    amounts.push(Amount {
                        fiscal_year: fy,
                        direct: d,
                        indirect: ind,
                    });
                }
            }
        }
        amounts.sort_by_key(|a| a.fiscal_year);
        if !errs.is_empty() {
            return Err(errs.scoped("grant"));
        }
        Ok(Self {
            scheme: scheme.expect("checked"),
            status: status.expect("checked"),
            number,
            applied_on,
            period_start: start,
            period_end: end,
            subsidy_rate,
            amounts,
            note,
        })
    }

    /// The total granted (direct plus indirect, all years).
    pub fn total(&self) -> i64 {
        self.amounts.iter().map(|a| a.direct + a.indirect).sum()
    }
}

crate::code_list! {
    /// The reports an award brings.
    ReportKind {
        /// 実績報告: after the grant period.
        Results = "results",
        /// 事業化状況報告: yearly, for the scheme's number of years.
        Commercialisation = "commercialisation",
    }
}

/// One report an award brings: its kind, which one of its kind (1 for the results report,
/// 1… for the yearly ones), the fiscal year it covers and when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportDue {
    pub kind: ReportKind,
    pub seq: u8,
    pub fiscal_year: i32,
    pub due: Date,
}

/// The reporting calendar of an award whose period ends on `period_end`: the results report
/// within the scheme's days of the end; then one commercialisation report per fiscal year
/// after the period's, each due within the scheme's days of that fiscal year's end.
pub fn report_calendar(scheme: &Scheme, period_end: Date) -> Vec<ReportDue> {
    let fy = FiscalYear::of_date(period_end).0;
    let mut out = vec![ReportDue {
        kind: ReportKind::Results,
        seq: 1,
        fiscal_year: fy,
        due: period_end + Duration::days(scheme.results_report_days.into()),
    }];
    for n in 1..=scheme.status_report_years {
        let covered = FiscalYear(fy + i32::from(n));
        out.push(ReportDue {
            kind: ReportKind::Commercialisation,
            seq: n,
            fiscal_year: covered.0,
            due: covered.last_day() + Duration::days(scheme.status_report_days.into()),
        });
    }
    out
}

crate::code_list! {
    /// A report's state on a given day.
    ReportState {
        Done = "done",
        Overdue = "overdue",
        /// Due within [`DUE_SOON_DAYS`].
        DueSoon = "due_soon",
        Upcoming = "upcoming",
    }
}

/// How near a due date counts as soon (and when the reminder goes out).
pub const DUE_SOON_DAYS: i64 = 14;

pub fn report_state(due: Date, done_on: Option<Date>, today: Date) -> ReportState {
    match done_on {
        Some(_) => ReportState::Done,
        None if today > due => ReportState::Overdue,
        None if (due - today).whole_days() <= DUE_SOON_DAYS => ReportState::DueSoon,
        None => ReportState::Upcoming,
    }
}

/// A member as the eligibility check reads it.
#[derive(Debug, Clone)]
pub struct EligibilityMember {
    pub role: MemberRole,
    /// The organisation's kind code (`company`, `hospital`, `university` …).
    pub kind: String,
    pub in_region: bool,
    pub employees: Option<i64>,
    pub has_marketing_licence: bool,
}

/// Each requirement of a scheme and whether the consortium meets it.
pub fn eligibility(scheme: &Scheme, members: &[EligibilityMember]) -> Vec<(Requirement, bool)> {
    scheme
        .requires
        .iter()
        .map(|r| {
            let met = members.iter().any(|m| match r {
                Requirement::LicensedMah => m.role == MemberRole::Mah && m.has_marketing_licence,
                Requirement::ManufacturingSme => {
                    m.role == MemberRole::Manufacturer
                        && m.kind == "company"
                        && m.employees.is_some_and(|e| e <= 300)
                }
                Requirement::MedicalInstitution => {
                    m.role == MemberRole::Clinical || m.kind == "hospital"
                }
                Requirement::University => {
                    m.role == MemberRole::University || m.kind == "university"
                }
                Requirement::LocalFirm => m.kind == "company" && m.in_region,
            });
            (*r, met)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn scheme(key: &str) -> Scheme {
        default_schemes()
            .into_iter()
            .find(|s| s.key == key)
            .unwrap()
    }

    #[test]
    fn an_award_brings_the_results_report_then_yearly_ones() {
        let s = scheme("monodukuri");
        let cal = report_calendar(&s, date!(2026 - 12 - 31));
        assert_eq!(cal.len(), 6);
        assert_eq!(cal[0].kind, ReportKind::Results);
        assert_eq!(cal[0].due, date!(2027 - 01 - 30));
        assert_eq!(cal[0].fiscal_year, 2026);
        // The first yearly report covers FY2027 (April 2027 – March 2028).
        assert_eq!(
            (cal[1].kind, cal[1].seq, cal[1].fiscal_year),
            (ReportKind::Commercialisation, 1, 2027)
        );
        assert_eq!(cal[1].due, date!(2028 - 05 - 30));
        assert_eq!(cal[5].fiscal_year, 2031);
        let none = Scheme {
            status_report_years: 0,
            ..s
        };
        assert_eq!(report_calendar(&none, date!(2027 - 03 - 31)).len(), 1);
    }

    #[test]
    fn a_report_is_done_overdue_due_soon_or_upcoming() {
        let due = date!(2027 - 01 - 30);
        assert_eq!(
            report_state(due, Some(date!(2027 - 02 - 10)), date!(2027 - 03 - 01)),
            ReportState::Done
        );
        assert_eq!(
            report_state(due, None, date!(2027 - 01 - 31)),
            ReportState::Overdue
        );
        assert_eq!(
            report_state(due, None, date!(2027 - 01 - 30)),
            ReportState::DueSoon
        );
        assert_eq!(
            report_state(due, None, date!(2027 - 01 - 16)),
            ReportState::DueSoon
        );
        assert_eq!(
            report_state(due, None, date!(2027 - 01 - 15)),
            ReportState::Upcoming
        );
    }

    fn input(status: &str, start: &str, end: &str, amounts: &[(&str, i64)]) -> GrantInput {
        GrantInput {
            scheme: Some("amed_ikou".into()),
            status: Some(status.into()),
            period_start: Some(start.into()),
            period_end: Some(end.into()),
            amounts: amounts
                .iter()
                .map(|(y, d)| (Some((*y).into()), Some(*d), Some(d / 10)))
                .collect(),
            ..GrantInput::default()
        }
    }

    fn fields(e: Invalid) -> Vec<String> {
        e.0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn a_grant_names_its_scheme_its_period_and_amounts_inside_it() {
        let schemes = default_schemes();
        let g = GrantData::parse(
            &input(
                "awarded",
                "2026-06-01",
                "2028-03-31",
                &[("2027", 20_000_000), ("2026", 10_000_000)],
            ),
            &schemes,
        )
        .expect("valid");
        assert_eq!(g.amounts[0].fiscal_year, 2026);
        assert_eq!(g.total(), 33_000_000);
        // An award without a period; a year outside it, twice; a negative amount.
        let bad = GrantData::parse(
            &GrantInput {
                scheme: Some("amed_ikou".into()),
                status: Some("awarded".into()),
                ..GrantInput::default()
            },
            &schemes,
        );
        assert_eq!(fields(bad.unwrap_err()), ["period_start", "period_end"]);
        let bad = GrantData::parse(
            &input(
                "awarded",
                "2026-06-01",
                "2027-03-31",
                &[("2027", 1), ("2026", 1), ("2026", 1), ("2026", -5)],
            ),
            &schemes,
        );
        assert_eq!(
            fields(bad.unwrap_err()),
            [
                "amounts[0].fiscal_year",
                "amounts[2].fiscal_year",
                "amounts[3].direct"
            ]
        );
        let mut unknown = input("applied", "", "", &[]);
        unknown.scheme = Some("lottery".into());
        unknown.subsidy_rate = Some(150);
        assert_eq!(
            fields(GrantData::parse(&unknown, &schemes).unwrap_err()),
            ["scheme", "subsidy_rate"]
        );
    }

    #[test]
    fn eligibility_reads_the_consortium() {
        let m = |role, kind: &str, employees, licence| EligibilityMember {
            role,
            kind: kind.into(),
            in_region: true,
            employees,
            has_marketing_licence: licence,
        };
        let s = scheme("amed_ikou");
        let members = [
            m(MemberRole::Mah, "company", Some(800), true),
            m(MemberRole::Manufacturer, "company", Some(40), false),
        ];
        assert_eq!(
            eligibility(&s, &members),
            [
                (Requirement::LicensedMah, true),
                (Requirement::ManufacturingSme, true),
                (Requirement::MedicalInstitution, false)
            ]
        );
        // A large manufacturer is no SME; an unlicensed MAH does not count.
        let members = [
            m(MemberRole::Mah, "company", None, false),
            m(MemberRole::Manufacturer, "company", Some(301), false),
            m(MemberRole::Clinical, "hospital", None, false),
        ];
        assert_eq!(
            eligibility(&s, &members),
            [
                (Requirement::LicensedMah, false),
                (Requirement::ManufacturingSme, false),
                (Requirement::MedicalInstitution, true)
            ]
        );
    }
}
