//! The tenant's stored settings (rule R2), through the facade, on every store.

use std::sync::Arc;

use super::{Factory, t};
use crate::{ControllerZone, ErrorKind, FixedClock, Gdpr, ListedHolidays, SettingsView, TenantId};

/// R2 (EDPB Guidelines 01/2022; Reg. 1182/71): a Helsinki controller's zone and calendar, once
/// stored, are what every later `Gdpr` of the tenant reads deadlines in; one built with another
/// zone is refused rather than silently moving deadlines; replaced on purpose, the new ones hold.
pub fn the_tenants_settings_are_stored_and_every_later_gdpr_reads_them(factory: Factory<'_>) {
    let store = factory();
    // 22:30 UTC on 31 January: still 31 January in Paris, already 1 February in Helsinki.
    let clock = Arc::new(FixedClock::new(t("2025-01-31T22:30:00Z")));
    let builder = || Gdpr::builder(store.clone()).clock(clock.clone());
    let helsinki = ControllerZone::from_name("Europe/Helsinki").unwrap();
    let calendar = ListedHolidays::from_dates("FI-2025", "2025-03-03\n").unwrap();
    let first = builder().zone(helsinki).calendar(Arc::new(calendar)).build().unwrap();
    assert!(!first.settings().unwrap().stored, "nothing stored yet");
    first.save_settings().unwrap();

    let later = builder().build().unwrap();
    let shown = SettingsView { time_zone: "Europe/Helsinki".into(), calendar: "FI-2025".into(), stored: true };
    assert_eq!(later.settings().unwrap(), shown);
    // 1 February in Helsinki: due 1 March, a Saturday, rolled past the weekend to Monday 3 March,
    // a holiday of the stored calendar, to Tuesday 4 March.
    let received = later.receipt_date(later.now());
    assert_eq!(received.to_string(), "2025-02-01");
    assert_eq!(later.deadline(received).unwrap().due.to_string(), "2025-03-04");

    let paris = ControllerZone::from_name("Europe/Paris").unwrap();
    let err = builder().zone(paris).build().unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::Config, Some("time_zone")), "{err}");
    assert!(err.to_string().contains("Europe/Helsinki"), "{err}");
    let other = builder().tenant(TenantId::new("other").unwrap()).build().unwrap();
    assert!(!other.settings().unwrap().stored, "another tenant has its own settings");

    // Replacing the zone keeps the stored calendar: one setting saved never resets the other.
    builder().zone(paris).replacing_settings().build().unwrap().save_settings().unwrap();
    let now = builder().build().unwrap();
    let shown = now.settings().unwrap();
    assert_eq!((shown.time_zone.as_str(), shown.calendar.as_str(), shown.stored), ("Europe/Paris", "FI-2025", true));
    assert_eq!(now.receipt_date(now.now()).to_string(), "2025-01-31", "read in Paris now");
    assert!(builder().build().unwrap().verify_ledger().unwrap().is_intact());
}
