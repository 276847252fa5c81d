//! Calendar dates as people write them and as Noguchi stores them (YYYY-MM-DD), and the date a
//! recorded step happened on (today unless given; never in the future).

use crate::validation::Problem;
use time::Date;

/// Reads a calendar date written as YYYY-MM-DD (also with full-width digits or slashes).
pub fn parse_date(s: &str) -> Result<Date, Problem> {
    let s = crate::text::fold_width(s.trim()).replace('/', "-");
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Problem::Date);
    };
    let y: i32 = y.parse().map_err(|_| Problem::Date)?;
    let m: u8 = m.parse().map_err(|_| Problem::Date)?;
    let d: u8 = d.parse().map_err(|_| Problem::Date)?;
    if !(1868..=9999).contains(&y) {
        return Err(Problem::Date);
    }
    let month = time::Month::try_from(m).map_err(|_| Problem::Date)?;
    Date::from_calendar_date(y, month, d).map_err(|_| Problem::Date)
}

pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A stage move as requested: the stage code, an optional note and the day it happened
/// (today when absent; never in the future).
pub fn move_date(date: Option<&str>, today: Date) -> Result<Date, Problem> {
    match date.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(today),
        Some(d) => {
            let d = parse_date(d)?;
            if d > today {
                Err(Problem::FutureDate)
            } else {
                Ok(d)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_are_read_in_the_usual_spellings() {
        assert_eq!(parse_date("2024-06-01"), Ok(date!(2024 - 06 - 01)));
        assert_eq!(parse_date("２０２４/６/１"), Ok(date!(2024 - 06 - 01)));
        assert_eq!(parse_date("2024-02-30"), Err(Problem::Date));
        assert_eq!(parse_date("1700-01-01"), Err(Problem::Date));
        assert_eq!(format_date(date!(2024 - 06 - 01)), "2024-06-01");
    }

    #[test]
    fn a_step_happens_today_or_in_the_past() {
        let today = date!(2026 - 12 - 01);
        assert_eq!(move_date(None, today), Ok(today));
        assert_eq!(move_date(Some(" "), today), Ok(today));
        assert_eq!(
            move_date(Some("2026-11-30"), today),
            Ok(date!(2026 - 11 - 30))
        );
        assert_eq!(
            move_date(Some("2026-12-02"), today),
            Err(Problem::FutureDate)
        );
    }
}
