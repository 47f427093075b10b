//! [`GdprBuilder`]: the one place a [`Gdpr`] is wired, once, with everything its methods use.

use std::fmt;
use std::sync::Arc;

use crate::anonymize::map::DataMap;
use crate::crm::CrmData;
use crate::error::{Error, Result};
use crate::export::render::Renderer;
use crate::facade::{Gdpr, Parts};
use crate::ids::TenantId;
use crate::mailer::Mailer;
use crate::phone::PhoneCountry;
use crate::raw::store::Store;
use crate::request::calendar::{France, HolidayCalendar};
use crate::request::deadline::ControllerZone;
use crate::request::notice::Controller;
use crate::time::{Clock, SystemClock};

/// The key of the `pseudonymize` operator (HMAC-SHA256). It never comes from the database it
/// protects, and its bytes never show in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct HmacKey(Arc<[u8]>);

impl HmacKey {
    /// The shortest key accepted, in bytes: 256 bits, HMAC-SHA-256's own strength.
    pub const MIN_BYTES: usize = 32;

    /// A key of at least [`HmacKey::MIN_BYTES`] bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self> {
        let bytes = bytes.into();
        if bytes.len() < Self::MIN_BYTES {
            return Err(Error::config(
                "hmac_key",
                format!(
                    "the HMAC key is {} bytes long; it must be at least {} (make one with `openssl rand -hex 32`)",
                    bytes.len(),
                    Self::MIN_BYTES
                ),
            ));
        }
        Ok(Self(bytes.into()))
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacKey(..)")
    }
}

/// Wires a [`Gdpr`]: the store (required), then whatever the methods you call need. Each part
/// has a default where one makes sense: the `default` tenant, the system clock, Central European
/// time, France's holidays, a controller answerable to the CNIL, and no mailer, renderer or CRM
/// data (the methods that need them fail with a `config` error naming the setting).
///
/// ```
/// use std::sync::Arc;
/// use gdprkit::{Gdpr, MemoryStore, TenantId};
///
/// let gdpr = Gdpr::builder(Arc::new(MemoryStore::new()))
///     .tenant(TenantId::new("acme")?)
///     .build()?;
/// assert_eq!(gdpr.tenant().as_str(), "acme");
/// # Ok::<(), gdprkit::Error>(())
/// ```
#[must_use]
pub struct GdprBuilder {
    parts: Parts,
    /// The zone and calendar given, which the tenant's stored settings fill in or check.
    zone: Option<ControllerZone>,
    calendar: Option<Arc<dyn HolidayCalendar>>,
    /// Whether the zone and calendar given replace the stored ones (to save them anew).
    replacing_settings: bool,
}

impl GdprBuilder {
    pub(crate) fn from_parts(parts: Parts) -> Self {
        let (zone, calendar) = (Some(parts.zone), Some(parts.calendar.clone()));
        Self { parts, zone, calendar, replacing_settings: false }
    }

    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        Self {
            parts: Parts {
                store,
                clock: Arc::new(SystemClock),
                tenant: TenantId::default_tenant(),
                calendar: Arc::new(France),
                zone: ControllerZone::default(),
                mailer: None,
                journal: None,
                controller: Controller::default(),
                renderer: None,
                crm: None,
                data_map: None,
                hmac_key: None,
                phone_country: PhoneCountry::france(),
                download_days: crate::request::download::DEFAULT_DOWNLOAD_DAYS,
            },
            zone: None,
            calendar: None,
            replacing_settings: false,
        }
    }

    /// How many days the copy of an access or portability request stays downloadable on the
    /// portal once offered ([`Gdpr::offer_download`]): 7 unless set, at most 90.
    pub fn download_days(mut self, days: u32) -> Self {
        self.parts.download_days = days;
        self
    }

    /// The tenant every call works for (`default` unless set).
    pub fn tenant(mut self, tenant: TenantId) -> Self {
        self.parts.tenant = tenant;
        self
    }

    /// The clock every call reads the time from (the system clock unless set).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.parts.clock = clock;
        self
    }

    /// The time zone receipt dates are read in: the tenant's stored one unless set, else
    /// `Europe/Paris`. One that differs from the stored one is refused by [`GdprBuilder::build`]
    /// (see [`crate::settings`]).
    pub fn zone(mut self, zone: ControllerZone) -> Self {
        self.zone = Some(zone);
        self
    }

    /// The public holidays that request deadlines roll over: the tenant's stored calendar
    /// unless set, else France. One that differs from the stored one is refused by
    /// [`GdprBuilder::build`].
    pub fn calendar(mut self, calendar: Arc<dyn HolidayCalendar>) -> Self {
        self.calendar = Some(calendar);
        self
    }

    /// Uses the zone and calendar given even where they differ from the tenant's stored
    /// settings: to store them anew with [`Gdpr::save_settings`].
    pub fn replacing_settings(mut self) -> Self {
        self.replacing_settings = true;
        self
    }

    /// The country a subject's phone number is read in when given without its country code
    /// (France unless set).
    pub fn phone_country(mut self, country: PhoneCountry) -> Self {
        self.parts.phone_country = country;
        self
    }

    /// The controller that notices and exports name.
    pub fn controller(mut self, controller: Controller) -> Self {
        self.parts.controller = controller;
        self
    }

    /// The mailer notices and exports are sent through. Without one, notices are returned to
    /// the caller (to print and post) and not sent.
    pub fn mailer(mut self, mailer: Arc<dyn Mailer>) -> Self {
        self.parts.mailer = Some(mailer);
        self
    }

    /// The renderer of PDF exports, which completing an access request needs.
    pub fn renderer(mut self, renderer: Arc<dyn Renderer>) -> Self {
        self.parts.renderer = Some(renderer);
        self
    }

    /// The CRM's own tables, which erasures, exports, sweeps and the map check read and change.
    pub fn crm(mut self, crm: Arc<dyn CrmData>) -> Self {
        self.parts.crm = Some(crm);
        self
    }

    /// The data map: where a subject's data lives in the CRM's tables and what erasure does to
    /// each field (rules A1, A2).
    pub fn data_map(mut self, map: DataMap) -> Self {
        self.parts.data_map = Some(Arc::new(map));
        self
    }

    /// The erasure journal, kept outside the database: each erasure and sweep appends a line
    /// once committed, so that they can be done again after a restore from an older backup.
    pub fn journal(mut self, journal: Arc<dyn crate::journal::ErasureJournal>) -> Self {
        self.parts.journal = Some(journal);
        self
    }

    /// The key of the `pseudonymize` operator, which a data map that uses it needs.
    pub fn hmac_key(mut self, key: HmacKey) -> Self {
        self.parts.hmac_key = Some(key);
        self
    }

    /// The [`Gdpr`], once its parts agree: a data map that pseudonymizes needs a key, and a data
    /// map given with the CRM's tables is checked against their live schema now, so that a map
    /// naming a table or column that does not exist is refused before anything runs (rule A1).
    /// With the CRM's tables, an erasure a crash interrupted is finished first
    /// ([`Gdpr::finish_interrupted_erasures`]).
    pub fn build(mut self) -> Result<Gdpr> {
        let stored = self.parts.store.settings(&self.parts.tenant)?;
        let (zone, calendar) = crate::settings::resolve(stored, self.zone, self.calendar, self.replacing_settings)?;
        self.parts.zone = zone;
        self.parts.calendar = calendar;
        let p = &self.parts;
        if !(1..=crate::request::download::MAX_DOWNLOAD_DAYS).contains(&p.download_days) {
            return Err(Error::config(
                "download_days",
                format!(
                    "a copy stays downloadable between 1 and {} days, not {}",
                    crate::request::download::MAX_DOWNLOAD_DAYS,
                    p.download_days
                ),
            ));
        }
        if let Some(portal) = &p.controller.portal {
            crate::request::notice::check_portal(portal)?;
        }
        if let Some(map) = &p.data_map {
            if map.needs_key() && p.hmac_key.is_none() {
                return Err(Error::config(
                    "hmac_key",
                    "the data map pseudonymizes fields, and no HMAC key is configured: set hmac_key",
                ));
            }
            if let Some(crm) = &p.crm {
                crm.check(map)?;
            }
        }
        let gdpr = Gdpr::from_parts(self.parts);
        if gdpr.parts.crm.is_some() && gdpr.parts.data_map.is_some() {
            // An erasure a crash interrupted halfway is finished before anything else runs.
            gdpr.finish_interrupted_erasures().map_err(|e| match e {
                Error::Storage { message, retryable, source } => Error::Storage {
                    message: format!("an interrupted erasure could not be finished: {message}"),
                    retryable,
                    source,
                },
                other => other,
            })?;
        }
        Ok(gdpr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-byte key makes pseudonyms anyone can recompute: keys under 256 bits are refused,
    /// saying how to make one.
    #[test]
    fn keys_under_32_bytes_are_refused_with_what_to_do() {
        for short in [&b"k"[..], &[7u8; 31][..]] {
            let err = HmacKey::new(short.to_vec()).unwrap_err();
            assert_eq!((err.kind(), err.field()), (crate::ErrorKind::Config, Some("hmac_key")));
            let text = err.to_string();
            assert!(text.contains("at least 32") && text.contains("openssl rand -hex 32"), "{text}");
        }
        assert!(HmacKey::new(vec![7u8; 32]).is_ok());
        assert_eq!(format!("{:?}", HmacKey::new(vec![7u8; 32]).unwrap()), "HmacKey(..)", "never shown");
    }
}
