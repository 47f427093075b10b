//! Receipt dates read in the controller's own time zone, and deadlines rolled over the controller's
//! own holidays (rule R2: Art. 12(3); Regulation 1182/71 Art. 2(1) and 3).

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::NaiveDate;
use gdprkit::request::kind::{ReceivedVia, RequestKind};
use gdprkit::request::service::NewRequest;
use gdprkit::testkit::{sid, t};
use gdprkit::{
    ControllerZone, FixedClock, France, FranceAlsaceMoselle, Gdpr, HolidayCalendar, ListedHolidays, MemoryStore,
    NewSubject, NoHolidays, Regime,
};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A request received at `at` by a controller in `zone` with `calendar`: its receipt date and
/// due date.
fn received(zone: &str, calendar: Arc<dyn HolidayCalendar>, at: &str) -> (NaiveDate, NaiveDate) {
    let g = Gdpr::builder(Arc::new(MemoryStore::new()))
        .clock(Arc::new(FixedClock::new(t("2025-12-01T00:00:00Z"))))
        .zone(ControllerZone::from_name(zone).unwrap())
        .calendar(calendar)
        .build()
        .unwrap();
    g.add_subject(NewSubject::new(sid("s"), Regime::B2cOptIn)).unwrap();
    let r = g
        .open_request(NewRequest {
            purposes: Vec::new(),
            subject: sid("s"),
            kind: RequestKind::Access,
            via: ReceivedVia::Email,
            received_at: Some(t(at)),
        })
        .unwrap()
        .request;
    (r.received_on, r.due)
}

/// R2: at 23:30 UTC on 31 January it is still 31 January in Lisbon (UTC+0), already 1 February
/// in Paris (UTC+1) and Helsinki (UTC+2); at 22:30 UTC, 1 February only in Helsinki.
#[test]
fn lisbon_paris_and_helsinki_read_the_same_instant_as_their_own_date() {
    let at = "2025-01-31T23:30:00Z";
    assert_eq!(received("Europe/Lisbon", Arc::new(NoHolidays), at), (d("2025-01-31"), d("2025-02-28")));
    assert_eq!(
        received("Europe/Paris", Arc::new(France), at),
        (d("2025-02-01"), d("2025-03-03")),
        "1 March is a Saturday"
    );
    assert_eq!(received("Europe/Helsinki", Arc::new(NoHolidays), at), (d("2025-02-01"), d("2025-03-03")));
    let at = "2025-01-31T22:30:00Z";
    assert_eq!(received("Europe/Paris", Arc::new(France), at).0, d("2025-01-31"));
    assert_eq!(received("Europe/Helsinki", Arc::new(NoHolidays), at).0, d("2025-02-01"));
    // Summer time: Helsinki is UTC+3 on 31 July.
    assert_eq!(received("Europe/Helsinki", Arc::new(NoHolidays), "2025-07-31T21:30:00Z").0, d("2025-08-01"));
    assert_eq!(received("Europe/Lisbon", Arc::new(NoHolidays), "2025-07-31T22:30:00Z").0, d("2025-07-31"));
}

/// R2, Code du travail L.3134-13: in Alsace-Moselle, Good Friday and 26 December are holidays.
/// Received 18 March 2025, due Friday 18 April: a working day in Paris, Good Friday in
/// Strasbourg, whose deadline rolls past Easter Monday to Tuesday 22 April.
#[test]
fn alsace_moselle_rolls_over_good_friday() {
    assert_eq!(received("Europe/Paris", Arc::new(France), "2025-03-18T10:00:00Z").1, d("2025-04-18"));
    assert_eq!(received("Europe/Paris", Arc::new(FranceAlsaceMoselle), "2025-03-18T10:00:00Z").1, d("2025-04-22"));
    assert!(FranceAlsaceMoselle.is_holiday(d("2025-12-26")) && !France.is_holiday(d("2025-12-26")));
}

/// Regulation 1182/71 Art. 2(1): the holidays of the Member State where the action is taken, here
/// Portugal's 10 June read from an iCalendar file.
#[test]
fn a_calendar_read_from_an_ics_file_rolls_over_its_holidays() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
        BEGIN:VEVENT\r\nUID:pt-1\r\nDTSTART;VALUE=DATE:19780610\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Dia de Portugal\r\nEND:VEVENT\r\n\
        END:VCALENDAR\r\n";
    let portugal = Arc::new(ListedHolidays::from_ics("PT", ics).unwrap());
    assert_eq!(received("Europe/Lisbon", portugal, "2025-05-10T10:00:00Z").1, d("2025-06-11"));
    assert_eq!(received("Europe/Lisbon", Arc::new(NoHolidays), "2025-05-10T10:00:00Z").1, d("2025-06-10"));
}
