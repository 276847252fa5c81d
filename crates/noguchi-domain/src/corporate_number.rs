//! 法人番号 (corporate number): 13 digits, the first a check digit over the other twelve.

use crate::text::fold_width;
use crate::validation::Problem;
use std::fmt;

/// A 法人番号 whose check digit has been verified. Once constructed, valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct CorporateNumber(String);

impl CorporateNumber {
    /// Parses 13 digits (full-width digits, spaces and hyphens are accepted, as people copy them
    /// from the National Tax Agency's site in several forms) and verifies the check digit.
    pub fn parse(input: &str) -> Result<Self, Problem> {
        let digits: String = fold_width(input)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        if digits.len() != 13 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Problem::CorporateNumberFormat);
        }
        let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        if d[0] != check_digit(&d[1..]) {
            return Err(Problem::CorporateNumberCheckDigit);
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check digit defined by the 法人番号 rules: 9 − (Σ digit × weight mod 9), weights 1 and 2
/// alternating from the rightmost of the twelve base digits.
fn check_digit(base: &[u32]) -> u32 {
    let sum: u32 = base
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| d * if i % 2 == 1 { 2 } else { 1 })
        .sum();
    9 - sum % 9
}

impl fmt::Display for CorporateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_numbers() {
        // The National Tax Agency's own number, and a number from its specification examples.
        assert!(CorporateNumber::parse("7000012050002").is_ok());
        assert!(CorporateNumber::parse("2021001052596").is_ok());
    }

    #[test]
    fn folds_width_and_separators() {
        let n = CorporateNumber::parse("７０００ ０１２０-５０００２").unwrap();
        assert_eq!(n.as_str(), "7000012050002");
    }

    #[test]
    fn refuses_wrong_check_digit_and_format() {
        assert_eq!(
            CorporateNumber::parse("1000012050002"),
            Err(Problem::CorporateNumberCheckDigit)
        );
        assert_eq!(
            CorporateNumber::parse("700001205000"),
            Err(Problem::CorporateNumberFormat)
        );
        assert_eq!(
            CorporateNumber::parse("70000120500a2"),
            Err(Problem::CorporateNumberFormat)
        );
    }

    #[test]
    fn every_wrong_check_digit_is_refused() {
        for base in [
            "000012050002",
            "123456789012",
            "999999999999",
            "000000000000",
        ] {
            let good = CorporateNumber::parse(&format!(
                "{}{}",
                check_digit(
                    &base
                        .bytes()
                        .map(|b| u32::from(b - b'0'))
                        .collect::<Vec<_>>()
                ),
                base
            ))
            .unwrap();
            for c in 0..10u32 {
                let candidate = format!("{c}{base}");
                if candidate != good.as_str() {
                    assert!(CorporateNumber::parse(&candidate).is_err(), "{candidate}");
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_twelve_digits_with_their_check_digit_parse_in_any_width(base in "[0-9]{12}") {
            let d: Vec<u32> = base.bytes().map(|b| u32::from(b - b'0')).collect();
            let number = format!("{}{base}", check_digit(&d));
            proptest::prop_assert_eq!(CorporateNumber::parse(&number).map(|n| n.0), Ok(number.clone()));
            let wide: String = number.chars().map(|c| char::from_u32(c as u32 - 0x30 + 0xFF10).unwrap()).collect();
            proptest::prop_assert_eq!(CorporateNumber::parse(&wide).map(|n| n.0), Ok(number));
        }

        /// A single mistyped base digit is caught unless its weighted change is a multiple of 9
        /// (0 ↔ 9 at a weight of 1), which no mod-9 check digit can see.
        #[test]
        fn a_mistyped_digit_is_caught(base in "[0-9]{12}", at in 0usize..12, to in 0u32..10) {
            let mut d: Vec<u32> = base.bytes().map(|b| u32::from(b - b'0')).collect();
            let good = check_digit(&d);
            let from = d[at];
            let weight = if (11 - at) % 2 == 1 { 2 } else { 1 };
            proptest::prop_assume!(to != from && !((to + 9 - from) * weight).is_multiple_of(9));
            d[at] = to;
            let typed: String = std::iter::once(good).chain(d).map(|x| char::from_digit(x, 10).unwrap()).collect();
            proptest::prop_assert_eq!(CorporateNumber::parse(&typed), Err(Problem::CorporateNumberCheckDigit));
        }

        #[test]
        fn no_input_panics(s in "\\PC{0,40}") {
            let _ = CorporateNumber::parse(&s);
        }
    }
}
