//! Instants: the clock seam, and the microsecond precision every record is kept at.

use std::sync::Mutex;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};

use crate::error::{Error, Result};

/// Where gdprkit reads the current instant. Inject a [`FixedClock`] in tests and replays.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that shows a set instant until it is moved.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    /// A clock stopped at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    /// Sets the instant the clock shows.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: TimeDelta) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An instant as microseconds since 1970-01-01T00:00:00Z, the precision gdprkit stores.
pub fn to_micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The instant `micros` microseconds after 1970-01-01T00:00:00Z.
pub fn from_micros(micros: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| Error::Corrupt(format!("instant {micros} µs is out of range")))
}

/// Truncates an instant to the microsecond, so that what is stored reads back equal.
pub fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// Formats an instant as RFC 3339 in UTC with microseconds, the form kept in the ledger.
pub fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The earliest instant accepted from a user: 1970-01-01T00:00:00Z. No CRM event is older.
pub const EARLIEST: DateTime<Utc> = DateTime::UNIX_EPOCH;

/// The latest year accepted from a user (or a configured clock): instants before 2200.
pub const LATEST_YEAR: i32 = 2200;

/// Checks an instant given by a user for when something happened: within the plausible range
/// (1970 to 2199) and not later than `now`; returns it truncated to the microsecond.
pub fn check_past(field: &'static str, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let at = check_plausible(field, at)?;
    if at > now {
        return Err(Error::invalid(field, format!("{} is later than now ({})", format(at), format(now))));
    }
    Ok(at)
}

/// Checks that an instant is within the plausible range, 1970 to 2199; returns it truncated to
/// the microsecond.
pub fn check_plausible(field: &'static str, at: DateTime<Utc>) -> Result<DateTime<Utc>> {
    use chrono::Datelike;
    if at < EARLIEST || at.year() >= LATEST_YEAR {
        return Err(Error::invalid(
            field,
            format!("{} is outside the years 1970 to {} that gdprkit accepts", format(at), LATEST_YEAR - 1),
        ));
    }
    Ok(truncate(at))
}

/// Parses an RFC 3339 instant given by a user, naming `field` when it is malformed.
pub fn parse(field: &'static str, s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|t| truncate(t.with_timezone(&Utc))).map_err(|e| {
        Error::invalid(
            field,
            format!(
                "{:?} is not an RFC 3339 instant such as 2025-03-05T14:30:00Z ({e})",
                crate::ids::truncate_for_message(s)
            ),
        )
    })
}

/// Parses a calendar date given by a user as `YYYY-MM-DD`, naming `field` when it is malformed
/// or does not exist (such as 2025-02-30).
pub fn parse_date(field: &'static str, s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| {
        Error::invalid(
            field,
            format!("{:?} is not a date of the form YYYY-MM-DD ({e})", crate::ids::truncate_for_message(s)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_at_microsecond_precision() {
        let t = parse("at", "2025-03-05T14:30:00.123456789+01:00").unwrap();
        assert_eq!(format(t), "2025-03-05T13:30:00.123456Z");
        assert_eq!(from_micros(to_micros(t)).unwrap(), t);
        assert!(parse("at", "2025-03-05").is_err());
        assert!(parse("at", "yesterday").unwrap_err().to_string().starts_with("invalid at:"));
    }

    #[test]
    fn dates_that_do_not_exist_are_refused() {
        assert_eq!(parse_date("d", "2024-02-29").unwrap().to_string(), "2024-02-29");
        let err = parse_date("--received", "2025-02-30").unwrap_err().to_string();
        assert!(err.starts_with("invalid --received: \"2025-02-30\""), "{err}");
        assert!(parse_date("d", "05/03/2025").is_err());
    }

    #[test]
    fn a_fixed_clock_moves_only_when_told() {
        let t0 = parse("at", "2025-01-01T00:00:00Z").unwrap();
        let clock = FixedClock::new(t0);
        assert_eq!(clock.now(), t0);
        clock.advance(TimeDelta::days(1));
        assert_eq!(format(clock.now()), "2025-01-02T00:00:00.000000Z");
    }
}
