//! Legal deadlines of a request (rules R2, R3, R4).
//!
//! The due date is the same day of the month one month after receipt, or the last day of that
//! month where that day does not exist (Art. 12(3); Regulation 1182/71). Days inside the period
//! all count; only when the last day is not a working day does it move to the next working day.
//! An extension (once, for complexity or the number of requests) gives the earlier of receipt
//! plus three months and the unrolled initial due date plus two months, rolled the same way.
//! While a request waits on the subject, its due dates move by the calendar days spent waiting.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::calendar::HolidayCalendar;
use crate::error::{Error, Result};

/// The due dates of a request received on a given date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// The receipt date, in the controller's time zone.
    pub received: NaiveDate,
    /// One month after receipt, before rolling to a working day.
    pub unrolled_due: NaiveDate,
    /// The initial due date: `unrolled_due` rolled to a working day.
    pub due: NaiveDate,
    /// The latest due date an extension can give, rolled to a working day.
    pub extended_due: NaiveDate,
}

/// `date` plus `months` calendar months, clamped to the end of a shorter month.
pub fn add_months(date: NaiveDate, months: u32) -> Result<NaiveDate> {
    date.checked_add_months(Months::new(months))
        .ok_or_else(|| Error::invalid("date", format!("{date} plus {months} months is out of range")))
}

/// `date` plus `days` calendar days.
pub fn add_days(date: NaiveDate, days: u64) -> Result<NaiveDate> {
    date.checked_add_days(chrono::Days::new(days))
        .ok_or_else(|| Error::invalid("date", format!("{date} plus {days} days is out of range")))
}

impl Deadlines {
    /// The deadlines of a request received on `received`.
    pub fn for_receipt(received: NaiveDate, calendar: &dyn HolidayCalendar) -> Result<Self> {
        let unrolled_due = add_months(received, 1)?;
        let extended_unrolled = add_months(received, 3)?.min(add_months(unrolled_due, 2)?);
        Ok(Self {
            received,
            unrolled_due,
            due: calendar.roll_forward(unrolled_due),
            extended_due: calendar.roll_forward(extended_unrolled),
        })
    }

    /// The same deadlines after the request waited `days` calendar days on the subject (R4):
    /// both due dates move by that many days before rolling.
    pub fn paused(&self, days: u64, calendar: &dyn HolidayCalendar) -> Result<Self> {
        let unrolled_due = add_days(self.unrolled_due, days)?;
        let extended_unrolled = add_months(self.received, 3)?.min(add_months(self.unrolled_due, 2)?);
        Ok(Self {
            received: self.received,
            unrolled_due,
            due: calendar.roll_forward(unrolled_due),
            extended_due: calendar.roll_forward(add_days(extended_unrolled, days)?),
        })
    }
}

/// The controller's time zone, in which a request's receipt date is read (R2): any IANA zone
/// (`Europe/Paris` unless set), with its whole history of offsets and summer time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControllerZone(chrono_tz::Tz);

impl Default for ControllerZone {
    fn default() -> Self {
        Self(chrono_tz::Tz::Europe__Paris)
    }
}

impl ControllerZone {
    /// Coordinated Universal Time.
    pub fn utc() -> Self {
        Self(chrono_tz::Tz::UTC)
    }

    /// The zone of an IANA time zone name (`Europe/Lisbon`, `Europe/Helsinki`, `UTC`, …). A fixed
    /// offset is refused: a controller's deadlines follow its summer time.
    pub fn from_name(name: &str) -> Result<Self> {
        let utc = matches!(name, "UTC" | "Etc/UTC" | "Etc/UCT" | "Etc/Universal" | "Etc/Zulu");
        let fixed_offset = name.starts_with("Etc/") || matches!(name, "EST" | "MST" | "HST");
        if fixed_offset && !utc {
            return Err(Error::config(
                "time_zone",
                format!("{name:?} is a fixed offset; give the controller's zone by its place (Europe/Paris, …)"),
            ));
        }
        name.parse::<chrono_tz::Tz>().map(Self).map_err(|_| {
            Error::config(
                "time_zone",
                format!(
                    "{:?} is not an IANA time zone name (Europe/Paris, Europe/Lisbon, Europe/Helsinki, UTC, …)",
                    crate::ids::truncate_for_message(name)
                ),
            )
        })
    }

    /// The zone itself, for converting instants.
    pub(crate) fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    /// The zone's IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The calendar date of `instant` in this zone.
    pub fn local_date(self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.0).date_naive()
    }
}

impl std::fmt::Display for ControllerZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::calendar::France;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_examples_of_rule_r2() {
        for (received, due) in [
            ("2024-03-05", "2024-04-05"),
            ("2025-08-31", "2025-09-30"),
            ("2024-01-31", "2024-02-29"),
            ("2025-01-31", "2025-02-28"),
            ("2025-09-11", "2025-10-13"),
            ("2025-04-01", "2025-05-02"),
            ("2025-12-31", "2026-02-02"),
        ] {
            assert_eq!(Deadlines::for_receipt(d(received), &France).unwrap().due, d(due), "received {received}");
        }
    }

    #[test]
    fn the_examples_of_rule_r3() {
        for (received, extended) in [("2024-01-31", "2024-04-29"), ("2025-12-31", "2026-03-31")] {
            let dl = Deadlines::for_receipt(d(received), &France).unwrap();
            assert_eq!(dl.extended_due, d(extended), "received {received}");
        }
    }

    #[test]
    fn receipt_dates_are_read_in_the_controllers_zone() {
        let t = |s: &str| crate::time::parse("t", s).unwrap();
        let paris = ControllerZone::default();
        assert_eq!(paris.local_date(t("2025-01-31T23:30:00Z")), d("2025-02-01"), "winter: UTC+1");
        assert_eq!(paris.local_date(t("2025-07-31T22:30:00Z")), d("2025-08-01"), "summer: UTC+2");
        assert_eq!(paris.local_date(t("2025-07-31T21:30:00Z")), d("2025-07-31"));
        assert_eq!(paris.local_date(t("2025-03-30T00:59:59Z")), d("2025-03-30"), "just before summer time");
        assert_eq!(paris.local_date(t("2025-03-29T23:30:00Z")), d("2025-03-30"));
        assert_eq!(paris.local_date(t("2025-10-26T22:30:00Z")), d("2025-10-26"), "winter again: 23:30");
        assert_eq!(ControllerZone::utc().local_date(t("2025-01-31T23:30:00Z")), d("2025-01-31"));
        assert!(ControllerZone::from_name("UTC+02:00").is_err(), "an offset is not a zone");
        assert!(ControllerZone::from_name("Etc/GMT-2").is_err() && ControllerZone::from_name("EST").is_err());
        assert!(ControllerZone::from_name("Etc/UTC").is_ok());
        assert!(ControllerZone::from_name("Europe/Atlantis").is_err());
    }

    #[test]
    fn waiting_moves_the_due_dates_by_the_days_waited() {
        let dl = Deadlines::for_receipt(d("2024-03-05"), &France).unwrap();
        let paused = dl.paused(10, &France).unwrap();
        assert_eq!(paused.unrolled_due, d("2024-04-15"));
        assert_eq!(paused.due, d("2024-04-15"), "a Monday");
        assert_eq!(paused.extended_due, d("2024-06-17"), "5 June + 10 days is Saturday 15, rolled to Monday 17");
        assert_eq!(dl.paused(0, &France).unwrap(), dl);
    }
}
