//! Holiday calendars read from a file (rule R2): an iCalendar file of all-day events (yearly
//! ones where an `RRULE:FREQ=YEARLY` says so), or a plain list of dates, one `YYYY-MM-DD` a line.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime};

use super::calendar::HolidayCalendar;
use crate::error::{Error, Result};
use crate::ids::truncate_for_message;

/// Public holidays listed one by one, or as a day of the year that comes back every year.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListedHolidays {
    name: String,
    dates: BTreeSet<NaiveDate>,
    /// (month, day) of holidays that recur every year, from their first year on.
    yearly: BTreeSet<(u32, u32, i32)>,
}

impl ListedHolidays {
    /// The holidays of an iCalendar text: every `VEVENT` whose start is a date (an all-day
    /// event), every year from then on when its `RRULE` is `FREQ=YEARLY` with nothing else.
    /// Events with a time, and recurrences other than yearly, are refused rather than guessed.
    pub fn from_ics(name: &str, text: &str) -> Result<Self> {
        let bad = |why: String| Error::invalid("calendar", format!("{name}: {why}"));
        let calendar: Calendar =
            text.parse().map_err(|e: String| bad(format!("not an iCalendar file: {}", first_line(&e))))?;
        let mut out = Self { name: name.to_owned(), dates: BTreeSet::new(), yearly: BTreeSet::new() };
        for component in &calendar.components {
            let CalendarComponent::Event(event) = component else { continue };
            let summary = event.get_summary().unwrap_or("an event");
            if event.get_status() == Some(icalendar::EventStatus::Cancelled) {
                continue;
            }
            // What would add or remove days beyond one date, once or yearly, is refused rather
            // than half read.
            for key in ["EXDATE", "RDATE", "RECURRENCE-ID"] {
                let present = event.property_value(key).is_some() || event.multi_properties().contains_key(key);
                if present {
                    return Err(bad(format!(
                        "{:?} has {key}, which is not read; list its dates one by one",
                        truncate_for_message(summary)
                    )));
                }
            }
            let date = match event.get_start() {
                Some(DatePerhapsTime::Date(d)) => d,
                Some(_) => {
                    return Err(bad(format!(
                        "{:?} has a time; holidays are all-day events",
                        truncate_for_message(summary)
                    )));
                }
                None => return Err(bad(format!("{:?} has no start date", truncate_for_message(summary)))),
            };
            if let Some(DatePerhapsTime::Date(end)) = event.get_end()
                && end > date.succ_opt().unwrap_or(date)
            {
                return Err(bad(format!(
                    "{:?} lasts several days; give one event per holiday",
                    truncate_for_message(summary)
                )));
            }
            match event.property_value("RRULE").map(|r| r.trim().to_ascii_uppercase()) {
                None => {
                    out.dates.insert(date);
                }
                Some(rule) if rule == "FREQ=YEARLY" || rule == "FREQ=YEARLY;INTERVAL=1" => {
                    out.yearly.insert((date.month(), date.day(), date.year()));
                }
                Some(rule) => {
                    return Err(bad(format!(
                        "{:?} recurs by {:?}; only FREQ=YEARLY is read",
                        truncate_for_message(summary),
                        truncate_for_message(&rule)
                    )));
                }
            }
        }
        if out.dates.is_empty() && out.yearly.is_empty() {
            return Err(bad("no all-day event in it".into()));
        }
        Ok(out)
    }

    /// The holidays of a list of dates, one `YYYY-MM-DD` a line; blank lines and lines from `#`
    /// on are skipped.
    pub fn from_dates(name: &str, text: &str) -> Result<Self> {
        let mut dates = BTreeSet::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let date = line.parse::<NaiveDate>().map_err(|_| {
                Error::invalid(
                    "calendar",
                    format!("{name}, line {}: {:?} is not a date YYYY-MM-DD", n + 1, truncate_for_message(line)),
                )
            })?;
            dates.insert(date);
        }
        if dates.is_empty() {
            return Err(Error::invalid("calendar", format!("{name}: no date in it")));
        }
        Ok(Self { name: name.to_owned(), dates, yearly: BTreeSet::new() })
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

impl HolidayCalendar for ListedHolidays {
    fn setting(&self) -> Option<crate::settings::CalendarSetting> {
        Some(crate::settings::CalendarSetting::Listed(self.clone()))
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn is_holiday(&self, date: NaiveDate) -> bool {
        self.dates.contains(&date)
            || self
                .yearly
                .range((date.month(), date.day(), i32::MIN)..=(date.month(), date.day(), date.year()))
                .next()
                .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTUGAL: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
        BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20000610\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Dia de Portugal\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20250418\r\nSUMMARY:Sexta-feira Santa\r\nEND:VEVENT\r\n\
        END:VCALENDAR\r\n";

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn all_day_events_and_yearly_ones_are_holidays() {
        let c = ListedHolidays::from_ics("PT", PORTUGAL).unwrap();
        assert!(c.is_holiday(d("2025-06-10")) && c.is_holiday(d("2031-06-10")), "yearly");
        assert!(!c.is_holiday(d("1999-06-10")), "not before its first year");
        assert!(c.is_holiday(d("2025-04-18")) && !c.is_holiday(d("2026-04-18")), "once");
    }

    #[test]
    fn events_with_a_time_or_other_recurrences_are_refused() {
        let timed = PORTUGAL.replace("DTSTART;VALUE=DATE:20250418", "DTSTART:20250418T090000Z");
        assert!(ListedHolidays::from_ics("PT", &timed).unwrap_err().to_string().contains("has a time"));
        let excepted = PORTUGAL.replace("RRULE:FREQ=YEARLY", "RRULE:FREQ=YEARLY\r\nEXDATE;VALUE=DATE:20250610");
        assert!(ListedHolidays::from_ics("PT", &excepted).unwrap_err().to_string().contains("EXDATE"));
        let long =
            PORTUGAL.replace("DTSTART;VALUE=DATE:20250418", "DTSTART;VALUE=DATE:20250418\r\nDTEND;VALUE=DATE:20250421");
        assert!(ListedHolidays::from_ics("PT", &long).unwrap_err().to_string().contains("several days"));
        let one_day =
            PORTUGAL.replace("DTSTART;VALUE=DATE:20250418", "DTSTART;VALUE=DATE:20250418\r\nDTEND;VALUE=DATE:20250419");
        assert!(ListedHolidays::from_ics("PT", &one_day).is_ok(), "an all-day event ends the next day");
        let cancelled = PORTUGAL.replace("SUMMARY:Sexta-feira Santa", "SUMMARY:Sexta-feira Santa\r\nSTATUS:CANCELLED");
        assert!(!ListedHolidays::from_ics("PT", &cancelled).unwrap().is_holiday(d("2025-04-18")), "cancelled");
        let monthly = PORTUGAL.replace("RRULE:FREQ=YEARLY", "RRULE:FREQ=MONTHLY");
        assert!(ListedHolidays::from_ics("PT", &monthly).unwrap_err().to_string().contains("only FREQ=YEARLY"));
        assert!(ListedHolidays::from_ics("PT", "not a calendar").is_err());
    }

    #[test]
    fn a_list_of_dates_reads_one_a_line_and_names_a_bad_line() {
        let c =
            ListedHolidays::from_dates("list", "# Finland 2025\n2025-12-06\n\n2025-06-20 # Midsummer Eve\n").unwrap();
        assert!(c.is_holiday(d("2025-12-06")) && c.is_holiday(d("2025-06-20")));
        let err = ListedHolidays::from_dates("list", "2025-12-06\n6 December\n").unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
