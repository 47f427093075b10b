//! The tenant's settings that decide request deadlines (rule R2): its IANA time zone and its
//! holiday calendar, stored with the tenant so that every server, and every later run, reads
//! receipt dates the same way.
//!
//! [`Gdpr::save_settings`] records the zone and calendar in use as a ledger entry (kind
//! `settings`) and in the store; from then on, a `Gdpr` built for the tenant without a zone or a
//! calendar of its own uses the stored ones, and one built with different ones is refused with a
//! `config` error, so that a forgotten setting never moves deadlines silently.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::raw::bodies::SettingsBody;
use crate::raw::ledger::{EntryKind, NewEntry, PersonalValues, body_json};
use crate::raw::store::{Append, Effect};
use crate::request::calendar::{France, FranceAlsaceMoselle, HolidayCalendar};
use crate::request::calendar_file::ListedHolidays;
use crate::request::deadline::ControllerZone;

/// A holiday calendar as the tenant's settings keep it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CalendarSetting {
    /// France's 11 national holidays (`FR`).
    France,
    /// France in Alsace and Moselle, with Good Friday and 26 December (`FR-AM`).
    FranceAlsaceMoselle,
    /// A calendar read from an iCalendar file or a list of dates, kept whole.
    Listed(ListedHolidays),
}

impl CalendarSetting {
    /// The calendar itself.
    pub fn calendar(&self) -> Arc<dyn HolidayCalendar> {
        match self {
            CalendarSetting::France => Arc::new(France),
            CalendarSetting::FranceAlsaceMoselle => Arc::new(FranceAlsaceMoselle),
            CalendarSetting::Listed(l) => Arc::new(l.clone()),
        }
    }
}

/// The settings stored for a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettings {
    /// The controller's time zone, an IANA name (`Europe/Lisbon`).
    pub time_zone: String,
    /// The holiday calendar deadlines roll over.
    pub calendar: CalendarSetting,
}

/// What [`Gdpr::settings`] shows: the zone and calendar in use, and what is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    /// The time zone in use.
    pub time_zone: String,
    /// The name of the holiday calendar in use (`FR`, `FR-AM`, a file's name).
    pub calendar: String,
    /// Whether the settings in use are the tenant's stored ones.
    pub stored: bool,
}

impl Gdpr {
    /// The zone and calendar in use, and whether they are the tenant's stored settings.
    pub fn settings(&self) -> Result<SettingsView> {
        let stored = self.store().settings(self.tenant())?;
        let in_use = self.settings_in_use();
        Ok(SettingsView {
            time_zone: self.parts.zone.name().to_owned(),
            calendar: self.parts.calendar.name().to_owned(),
            stored: in_use.is_some() && stored == in_use,
        })
    }

    /// Stores the zone and calendar in use as the tenant's settings, in the ledger and the
    /// store. A calendar given as a custom [`HolidayCalendar`] cannot be stored: the error says
    /// so, and nothing is written.
    pub fn save_settings(&self) -> Result<TenantSettings> {
        let settings = self.settings_in_use().ok_or_else(|| {
            Error::config(
                "calendar",
                format!(
                    "the calendar {} is a custom one, which cannot be stored; use FR, FR-AM, an iCalendar file or \
                     a list of dates",
                    self.parts.calendar.name()
                ),
            )
        })?;
        let stored = serde_json::to_vec(&settings).map_err(|e| Error::internal("could not write the settings", e))?;
        let body = SettingsBody {
            recorded_at: crate::time::format(self.now()),
            time_zone: &settings.time_zone,
            calendar: self.parts.calendar.name(),
            sha256: crate::raw::ledger::sha256_hex(&stored),
        };
        let entry = NewEntry::new(EntryKind::Settings, body_json(&body)?, &PersonalValues::new());
        self.store().append(self.tenant(), &[Append { entry, effect: Some(Effect::Settings(settings.clone())) }])?;
        Ok(settings)
    }

    fn settings_in_use(&self) -> Option<TenantSettings> {
        Some(TenantSettings { time_zone: self.parts.zone.name().to_owned(), calendar: self.parts.calendar.setting()? })
    }
}

/// The zone and calendar a `Gdpr` uses, from what its builder was given (`None` when not given)
/// and what the tenant has stored: the stored ones fill what was not given, and one given that
/// differs from the stored one is refused, unless `replacing` (to store it anew).
pub(crate) fn resolve(
    stored: Option<TenantSettings>,
    zone: Option<ControllerZone>,
    calendar: Option<Arc<dyn HolidayCalendar>>,
    replacing: bool,
) -> Result<(ControllerZone, Arc<dyn HolidayCalendar>)> {
    let Some(stored) = stored else {
        return Ok((zone.unwrap_or_default(), calendar.unwrap_or_else(|| Arc::new(France))));
    };
    let zone = match zone {
        None => ControllerZone::from_name(&stored.time_zone)?,
        Some(z) if replacing || z.name() == stored.time_zone => z,
        Some(z) => {
            return Err(Error::config(
                "time_zone",
                format!(
                    "the tenant's stored time zone is {}, and {} is given: store the new one (gdprkit settings save \
                     --zone {}) or give none",
                    stored.time_zone,
                    z.name(),
                    z.name()
                ),
            ));
        }
    };
    let calendar = match calendar {
        None => stored.calendar.calendar(),
        Some(c) if replacing || c.setting().as_ref() == Some(&stored.calendar) => c,
        Some(c) => {
            return Err(Error::config(
                "calendar",
                format!(
                    "the tenant's stored holiday calendar is {}, and {} is given: store the new one (gdprkit \
                     settings save --calendar …) or give none",
                    stored.calendar.calendar().name(),
                    c.name()
                ),
            ));
        }
    };
    Ok((zone, calendar))
}
