//! Working days: weekends and public holidays, per country (rule R2).

use chrono::{Datelike, NaiveDate, Weekday};

use crate::error::{Error, Result};
use crate::ids::truncate_for_message;

/// A country's public holidays. Saturdays and Sundays are never working days, whatever the
/// calendar says.
pub trait HolidayCalendar: Send + Sync {
    /// The calendar's name, such as `FR`.
    fn name(&self) -> &str;

    /// Whether `date` is a public holiday.
    fn is_holiday(&self, date: NaiveDate) -> bool;

    /// The calendar as the tenant's settings store it; `None` for a calendar that cannot be
    /// stored (a custom implementation).
    fn setting(&self) -> Option<crate::settings::CalendarSetting> {
        None
    }

    /// Whether `date` is a working day: not a Saturday, a Sunday or a public holiday.
    fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_holiday(date)
    }

    /// `date` itself when it is a working day, else the next working day.
    fn roll_forward(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        while !self.is_working_day(d) {
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
        }
        d
    }
}

/// No public holidays: only weekends are skipped.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoHolidays;

impl HolidayCalendar for NoHolidays {
    fn name(&self) -> &str {
        "none"
    }

    fn is_holiday(&self, _date: NaiveDate) -> bool {
        false
    }
}

/// France's 11 national public holidays: 1 January, Easter Monday, 1 May, 8 May, Ascension
/// Thursday, Whit Monday, 14 July, 15 August, 1 November, 11 November and 25 December.
/// (Alsace-Moselle's two extra days are in [`FranceAlsaceMoselle`].)
#[derive(Debug, Default, Clone, Copy)]
pub struct France;

impl HolidayCalendar for France {
    fn setting(&self) -> Option<crate::settings::CalendarSetting> {
        Some(crate::settings::CalendarSetting::France)
    }

    fn name(&self) -> &str {
        "FR"
    }

    fn is_holiday(&self, date: NaiveDate) -> bool {
        let fixed = matches!(
            (date.month(), date.day()),
            (1, 1) | (5, 1) | (5, 8) | (7, 14) | (8, 15) | (11, 1) | (11, 11) | (12, 25)
        );
        if fixed {
            return true;
        }
        let Some(easter) = easter_sunday(date.year()) else { return false };
        // Easter Monday, Ascension Thursday, Whit Monday.
        [1, 39, 50].iter().any(|&days| easter.checked_add_days(chrono::Days::new(days)) == Some(date))
    }
}

/// The holidays of Alsace and Moselle (Bas-Rhin, Haut-Rhin, Moselle): France's 11, with Good
/// Friday and 26 December (Code du travail, art. L.3134-13).
#[derive(Debug, Default, Clone, Copy)]
pub struct FranceAlsaceMoselle;

impl HolidayCalendar for FranceAlsaceMoselle {
    fn setting(&self) -> Option<crate::settings::CalendarSetting> {
        Some(crate::settings::CalendarSetting::FranceAlsaceMoselle)
    }

    fn name(&self) -> &str {
        "FR-AM"
    }

    fn is_holiday(&self, date: NaiveDate) -> bool {
        if France.is_holiday(date) || (date.month(), date.day()) == (12, 26) {
            return true;
        }
        easter_sunday(date.year()).and_then(|e| e.checked_sub_days(chrono::Days::new(2))) == Some(date)
    }
}

/// The built-in calendar with this code, case-insensitive: `FR` (France) or `FR-AM` (Alsace and
/// Moselle). Other calendars are read from a file ([`crate::request::calendar_file`]).
pub fn for_country(code: &str) -> Result<Box<dyn HolidayCalendar>> {
    match code.to_ascii_uppercase().as_str() {
        "FR" => Ok(Box::new(France)),
        "FR-AM" | "FR-ALSACE-MOSELLE" => Ok(Box::new(FranceAlsaceMoselle)),
        _ => Err(Error::invalid(
            "calendar",
            format!(
                "{:?} has no built-in holiday calendar; built in: FR, FR-AM (Alsace-Moselle); or give an .ics file or a \
                 list of dates",
                truncate_for_message(code)
            ),
        )),
    }
}

/// Easter Sunday in the Gregorian calendar (the anonymous algorithm of Meeus, Jones and
/// Butcher), or `None` for a year chrono cannot represent.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn easter_falls_on_the_published_dates() {
        for (year, date) in [
            (2000, "2000-04-23"),
            (2008, "2008-03-23"),
            (2011, "2011-04-24"),
            (2019, "2019-04-21"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2038, "2038-04-25"),
        ] {
            assert_eq!(easter_sunday(year), Some(d(date)), "{year}");
        }
    }

    #[test]
    fn france_has_eleven_holidays_a_year() {
        for year in 2020..=2035 {
            let mut day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
            let mut count = 0;
            while day.year() == year {
                count += usize::from(France.is_holiday(day));
                day = day.succ_opt().unwrap();
            }
            assert_eq!(count, 11, "{year}");
        }
        for holiday in ["2025-04-21", "2025-05-29", "2025-06-09", "2024-05-09", "2024-05-20", "2025-07-14"] {
            assert!(France.is_holiday(d(holiday)), "{holiday}");
        }
        assert!(!France.is_holiday(d("2025-04-20")), "Easter Sunday is a Sunday, not a listed holiday");
        assert!(!France.is_holiday(d("2025-04-18")), "Good Friday is not national");
    }

    #[test]
    fn rolling_skips_weekends_and_holidays() {
        assert_eq!(France.roll_forward(d("2025-10-11")), d("2025-10-13"), "Saturday to Monday");
        assert_eq!(France.roll_forward(d("2025-05-01")), d("2025-05-02"), "1 May to Friday");
        assert_eq!(France.roll_forward(d("2026-01-31")), d("2026-02-02"));
        assert_eq!(France.roll_forward(d("2025-03-05")), d("2025-03-05"), "a working day stays");
        assert_eq!(NoHolidays.roll_forward(d("2025-05-01")), d("2025-05-01"));
        assert_eq!(France.roll_forward(d("2026-12-25")), d("2026-12-28"), "Friday holiday, then a weekend");
    }

    #[test]
    fn countries_are_looked_up_by_code() {
        assert_eq!(for_country("fr").unwrap().name(), "FR");
        assert_eq!(for_country("fr-am").unwrap().name(), "FR-AM");
        let err = for_country("XX").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.starts_with("invalid calendar"), "{err}");
    }
}
