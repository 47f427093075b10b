//! Deadline rules (R2 to R4) checked over every receipt date from 2020 to 2035, and on random
//! pauses.

#![allow(clippy::unwrap_used)]

use chrono::{Datelike, Days, NaiveDate};
use gdprkit::request::calendar::{France, HolidayCalendar};
use gdprkit::request::deadline::Deadlines;
use proptest::prelude::*;

fn every_day(from: i32, to: i32) -> impl Iterator<Item = NaiveDate> {
    let start = NaiveDate::from_ymd_opt(from, 1, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(to, 12, 31).unwrap();
    start.iter_days().take_while(move |d| *d <= end)
}

/// The first working day on or after `date`, found by walking day by day.
fn first_working_day_from(date: NaiveDate) -> NaiveDate {
    date.iter_days().find(|d| France.is_working_day(*d)).unwrap()
}

fn last_day_of_month(year: i32, month: u32) -> u32 {
    (28..=31).rev().find(|&day| NaiveDate::from_ymd_opt(year, month, day).is_some()).unwrap()
}

/// The same day `n` months later, or the last day of that month where the day does not exist.
fn months_after(d: NaiveDate, n: u32) -> NaiveDate {
    let total = d.month0() + n;
    let (y, m) = (d.year() + (total / 12) as i32, total % 12 + 1);
    NaiveDate::from_ymd_opt(y, m, d.day().min(last_day_of_month(y, m))).unwrap()
}

#[test]
fn every_receipt_date_from_2020_to_2035() {
    let mut checked = 0;
    for received in every_day(2020, 2035) {
        let dl = Deadlines::for_receipt(received, &France).unwrap();
        assert_eq!(dl.unrolled_due, months_after(received, 1), "received {received}");
        assert_eq!(dl.due, first_working_day_from(dl.unrolled_due), "received {received}");
        let cap = first_working_day_from(months_after(received, 3));
        assert!(dl.extended_due <= cap, "received {received}: extended {} after {cap}", dl.extended_due);
        assert!(dl.extended_due > dl.due, "received {received}");
        assert!(France.is_working_day(dl.extended_due));
        checked += 1;
    }
    assert_eq!(checked, 5844, "16 years, 4 of them leap years");
}

proptest! {
    #[test]
    fn a_pause_moves_the_unrolled_date_and_rolls_again(offset in 0u64..5844, days in 0u64..120) {
        let received = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + Days::new(offset);
        let dl = Deadlines::for_receipt(received, &France).unwrap();
        let paused = dl.paused(days, &France).unwrap();
        prop_assert_eq!(paused.unrolled_due, dl.unrolled_due + Days::new(days));
        prop_assert_eq!(paused.due, first_working_day_from(paused.unrolled_due));
        prop_assert!(paused.due >= dl.due);
        prop_assert!(paused.extended_due >= dl.extended_due);
        prop_assert!(France.is_working_day(paused.extended_due));
    }
}
