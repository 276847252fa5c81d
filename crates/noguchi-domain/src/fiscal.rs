//! Fiscal years (年度, 1 April to 31 March) and their Japanese-era labels.
//!
//! Era boundaries come from ICU4X's Japanese calendar (compiled data, no download); this module
//! only maps ICU's era codes to their names and decides which day of a fiscal year names it.

use crate::text::fold_width;
use crate::validation::Problem;
use icu_calendar::Date as IcuDate;
use icu_calendar::cal::{Gregorian, Japanese};
use time::{Date, Month};

/// The month a fiscal year starts in (April), as for every Japanese public body.
pub const START_MONTH: Month = Month::April;

/// A fiscal year, named by the calendar year it starts in (FY2019 = 2019-04-01 … 2020-03-31).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalYear(pub i32);

/// Eras the labels may use, by ICU's era code: (code, kanji, Latin initial).
const ERAS: &[(&str, &str, char)] = &[
    ("reiwa", "令和", 'R'),
    ("heisei", "平成", 'H'),
    ("showa", "昭和", 'S'),
    ("taisho", "大正", 'T'),
    ("meiji", "明治", 'M'),
];

/// Fiscal years Noguchi reads and writes: the modern eras, far enough ahead for any plan.
pub const RANGE: std::ops::RangeInclusive<i32> = 1926..=2200;

impl FiscalYear {
    pub fn of_date(d: Date) -> FiscalYear {
        if d.month() as u8 >= START_MONTH as u8 {
            FiscalYear(d.year())
        } else {
            FiscalYear(d.year() - 1)
        }
    }
    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.0, START_MONTH, 1).expect("1 April exists")
    }
    pub fn last_day(self) -> Date {
        Date::from_calendar_date(self.0 + 1, Month::March, 31).expect("31 March exists")
    }
    pub fn contains(self, d: Date) -> bool {
        FiscalYear::of_date(d) == self
    }

    /// The era and year the fiscal year is called by: the era in force at the end of the calendar
    /// year it starts in. So FY2019 is 令和元年度 (the name the national government uses), FY1988
    /// 昭和63年度 and FY1989 平成元年度.
    pub fn era(self) -> Option<(&'static str, i32)> {
        let day = IcuDate::try_new_gregorian(self.0, 12, 31)
            .ok()?
            .to_calendar(Japanese::new());
        let ey = day.era_year();
        let name = ERAS.iter().find(|(code, _, _)| ey.era.as_str() == *code)?.1;
        Some((name, ey.year))
    }

    /// 令和2年度, 令和元年度, 平成22年度.
    pub fn era_label(self) -> String {
        match self.era() {
            Some((era, 1)) => format!("{era}元年度"),
            Some((era, y)) => format!("{era}{y}年度"),
            None => format!("{}年度", self.0),
        }
    }

    /// 2020年度（令和2年度）
    pub fn full_label(self) -> String {
        format!("{}年度（{}）", self.0, self.era_label())
    }

    /// Reads a fiscal year as people write it: 2020, 2020年度, FY2020, R2, Ｒ２, 令和2年度,
    /// 令和元年度, H31 or 平成31年度 (both FY2019), with full-width characters and spaces.
    pub fn parse(input: &str) -> Result<FiscalYear, Problem> {
        let s: String = fold_width(input)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let s = s.trim_end_matches("年度").trim_end_matches('年');
        let s = s
            .strip_prefix("FY")
            .or_else(|| s.strip_prefix("fy"))
            .unwrap_or(s);
        let fy = if let Ok(y) = s.parse::<i32>() {
            y
        } else {
            let (code, rest) = ERAS
                .iter()
                .find_map(|(code, kanji, initial)| {
                    s.strip_prefix(kanji)
                        .or_else(|| s.strip_prefix(*initial))
                        .or_else(|| s.strip_prefix(initial.to_ascii_lowercase()))
                        .map(|rest| (*code, rest))
                })
                .ok_or(Problem::UnknownValue {
                    value: input.trim().to_owned(),
                })?;
            let rest = rest.trim_start_matches('.');
            let year = if rest == "元" {
                1
            } else {
                rest.parse::<i32>().map_err(|_| Problem::UnknownValue {
                    value: input.trim().to_owned(),
                })?
            };
            era_year_to_gregorian(code, year).ok_or(Problem::UnknownValue {
                value: input.trim().to_owned(),
            })?
        };
        if RANGE.contains(&fy) {
            Ok(FiscalYear(fy))
        } else {
            Err(Problem::OutOfRange {
                min: *RANGE.start() as i64,
                max: *RANGE.end() as i64,
            })
        }
    }
}

/// The Gregorian year of year `year` of era `code`, if that era had such a year: its 1 April or its
/// 31 December must fall in the era (so 平成31 is 2019, but 平成32 does not exist).
fn era_year_to_gregorian(code: &str, year: i32) -> Option<i32> {
    if year < 1 {
        return None;
    }
    let g = IcuDate::try_new_japanese_with_calendar(code, year, 6, 1, Japanese::new())
        .ok()?
        .to_calendar(Gregorian)
        .era_year()
        .year;
    let in_era = |m: u8, d: u8| {
        IcuDate::try_new_gregorian(g, m, d)
            .map(|x| {
                let e = x.to_calendar(Japanese::new()).era_year();
                e.era.as_str() == code && e.year == year
            })
            .unwrap_or(false)
    };
    (in_era(4, 1) || in_era(12, 31)).then_some(g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn labels_of_the_seed_years() {
        assert_eq!(FiscalYear(2010).era_label(), "平成22年度");
        assert_eq!(FiscalYear(2016).era_label(), "平成28年度");
        assert_eq!(FiscalYear(2019).era_label(), "令和元年度");
        assert_eq!(FiscalYear(2020).era_label(), "令和2年度");
        assert_eq!(FiscalYear(2025).era_label(), "令和7年度");
        assert_eq!(FiscalYear(1988).era_label(), "昭和63年度");
        assert_eq!(FiscalYear(1989).era_label(), "平成元年度");
        assert_eq!(FiscalYear(2020).full_label(), "2020年度（令和2年度）");
    }

    #[test]
    fn reads_what_people_write() {
        for (input, fy) in [
            ("2020", 2020),
            ("2020年度", 2020),
            ("２０２０年度", 2020),
            ("FY2020", 2020),
            ("R2", 2020),
            ("Ｒ２", 2020),
            ("r2", 2020),
            ("令和2年度", 2020),
            ("令和２年度", 2020),
            ("令和元年度", 2019),
            ("平成31年度", 2019),
            ("H31", 2019),
            ("H22", 2010),
            ("平成22年度", 2010),
            ("R7", 2025),
            ("令和 7 年度", 2025),
            ("S63", 1988),
        ] {
            assert_eq!(FiscalYear::parse(input), Ok(FiscalYear(fy)), "{input}");
        }
        for bad in [
            "",
            "令和",
            "H32",
            "平成40年度",
            "R0",
            "X2",
            "2020年度度",
            "abc",
            "令和-1年度",
        ] {
            assert!(FiscalYear::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            FiscalYear::parse("1800"),
            Err(Problem::OutOfRange { .. })
        ));
    }

    #[test]
    fn fiscal_year_of_a_date() {
        assert_eq!(FiscalYear::of_date(date!(2020 - 04 - 01)), FiscalYear(2020));
        assert_eq!(FiscalYear::of_date(date!(2021 - 03 - 31)), FiscalYear(2020));
        assert_eq!(FiscalYear::of_date(date!(2024 - 06 - 01)), FiscalYear(2024));
        assert_eq!(FiscalYear::of_date(date!(2024 - 01 - 15)), FiscalYear(2023));
    }

    proptest! {
        #[test]
        fn every_label_reads_back(y in 1927i32..2200) {
            let fy = FiscalYear(y);
            prop_assert_eq!(FiscalYear::parse(&fy.era_label()), Ok(fy));
            prop_assert_eq!(FiscalYear::parse(&format!("{y}年度")), Ok(fy));
            prop_assert_eq!(FiscalYear::parse(&fy.full_label().replace(&format!("（{}）", fy.era_label()), "")), Ok(fy));
        }

        #[test]
        fn a_date_lies_in_exactly_its_fiscal_year(days in 0i64..80_000) {
            let d = date!(1930 - 01 - 01) + time::Duration::days(days);
            let fy = FiscalYear::of_date(d);
            prop_assert!(fy.first_day() <= d && d <= fy.last_day());
            prop_assert!(fy.contains(d));
            prop_assert_eq!(FiscalYear::of_date(fy.last_day() + time::Duration::days(1)), FiscalYear(fy.0 + 1));
        }

        #[test]
        fn era_years_are_consecutive(y in 1927i32..2199) {
            // Within an era, the next fiscal year's era year is one more; at a change it restarts at 1.
            let (e1, n1) = FiscalYear(y).era().unwrap();
            let (e2, n2) = FiscalYear(y + 1).era().unwrap();
            prop_assert!((e1 == e2 && n2 == n1 + 1) || (e1 != e2 && n2 == 1));
        }
    }
}
