//! [`Config`]: everything a [`crate::Gdpr`] is opened with, as data that deserializes from TOML
//! or JSON (or a Python dict, a JS object). The core only reads it; `gdprkit-setup` opens what it
//! names (the databases, the data map file, the mail server) and hands the parts to
//! [`crate::GdprBuilder`].

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::anonymize::map::DataMap;
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::request::notice::Controller;

/// How gdprkit is opened: one document, every part optional but the store.
///
/// ```
/// let config = gdprkit::Config::from_toml(r#"
///     store = "crm-gdpr.db"
///     tenant = "acme"
///     crm = "crm.db"
///     data_map = "data-map.toml"
///     hmac_key = { env = "GDPRKIT_HMAC_KEY" }
///     [controller]
///     name = "Acme SAS"
///     [smtp]
///     url = "smtp://mail.example.org:587?tls=required"
///     from = "dpo@example.org"
/// "#)?;
/// assert_eq!(config.tenant.as_ref().map(|t| t.as_str()), Some("acme"));
/// # Ok::<(), gdprkit::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where gdprkit keeps its own records: a SQLite file (created when missing), a
    /// `postgres://` URL, or `:memory:` (gone when the process ends).
    pub store: String,
    /// For a PostgreSQL store: the schema gdprkit's tables live in (created when missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The tenant every call works for; `default` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<TenantId>,
    /// The controller's time zone, an IANA name (`Europe/Lisbon`, `Europe/Helsinki`, …);
    /// `Europe/Paris` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The holiday calendar of request deadlines: `FR`, `FR-AM` (Alsace-Moselle), or the path of
    /// an iCalendar file (`.ics`) or of a list of dates; `FR` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// The country phone numbers given without their country code are read in, an ISO 3166-1
    /// alpha-2 code; `FR` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The controller that notices and exports name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<ControllerConfig>,
    /// The CRM's database: a SQLite file or a `postgres://` URL. Erasures, exports, sweeps and
    /// the map check need it, with `data_map`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm: Option<String>,
    /// The data map: the path of a TOML file, or the map itself as a table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_map: Option<MapSource>,
    /// The key of the `pseudonymize` operator: the key itself, or `{ env = "VAR" }` to read it
    /// from an environment variable. Never from the database it protects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hmac_key: Option<SecretSource>,
    /// The mail server notices and exports are sent through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp: Option<SmtpSettings>,
    /// The erasure journal: a file outside the database (on another disk, out of the database's
    /// backups) to which each erasure and sweep appends a line, for `reapply` after a restore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erasure_journal: Option<String>,
    /// Whether opening may create the store or bring its schema up to date; `true` when absent.
    /// With `false` (a process or command that only reads), a missing, empty or older SQLite
    /// store is refused and left as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrate: Option<bool>,
    /// Whether PDF exports are rendered (with typst); `true` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf: Option<bool>,
    /// The PDF standard exports follow: PDF/A-3b carrying the JSON export as an attached file
    /// (one file for reading and for portability) when absent, or PDF/A-2b without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf_standard: Option<PdfStandard>,
    /// Act as if it were always this instant (for tests and replays); the system clock when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<DateTime<Utc>>,
}

impl Config {
    /// A configuration with only a store: a SQLite path or a `postgres://` URL.
    pub fn new(store: impl Into<String>) -> Self {
        Self { store: store.into(), ..Self::default() }
    }

    /// Reads a configuration from TOML.
    pub fn from_toml(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::config("config", one_line(&e.to_string())))
    }

    /// Reads a configuration from JSON.
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::config("config", e))
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

crate::named_enum::named_enum!(
    /// The PDF standard of exports.
    PdfStandard, "pdf_standard", {
        /// PDF/A-2b: the PDF alone.
        A2b => "a_2b",
        /// PDF/A-3b: the PDF with the JSON export attached to it (the default).
        A3b => "a_3b",
    }
);

/// The controller, as notices and exports name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControllerConfig {
    /// Its name, as the people it holds data on know it.
    pub name: String,
    /// The supervisory authority a person may complain to, with how to reach it; the CNIL when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// The address of the person-facing portal (`https://privacy.example.com`): receipt notices
    /// link to it, and requests submitted there are confirmed through it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal: Option<String>,
    /// Its postal address, printed on exports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// How to reach its data protection officer (an e-mail or postal address), printed on
    /// exports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpo: Option<String>,
}

impl ControllerConfig {
    /// The controller as notices and exports name it.
    pub fn to_controller(&self) -> Controller {
        let mut controller = Controller {
            name: self.name.clone(),
            portal: self.portal.clone(),
            address: self.address.clone(),
            dpo: self.dpo.clone(),
            ..Controller::default()
        };
        if let Some(authority) = &self.authority {
            controller.authority = authority.clone();
        }
        controller
    }
}

/// Where a data map comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MapSource {
    /// The path of a TOML file.
    Path(String),
    /// The map itself.
    Inline(DataMap),
}

/// A secret, given as itself or as the name of the environment variable holding it. Its value
/// never shows in `Debug` output.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SecretSource {
    /// Read from this environment variable when gdprkit is opened.
    Env {
        /// The variable's name.
        env: String,
    },
    /// The secret itself.
    Value(String),
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Env { env } => f.debug_struct("Env").field("env", env).finish(),
            SecretSource::Value(_) => f.write_str("Value(..)"),
        }
    }
}

/// A mail server, and who gdprkit's messages come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// `smtp://host:port` with `?tls=required|opportunistic|wrapper|none`.
    pub url: String,
    /// The sender's address.
    pub from: String,
    /// The user name, where the server asks for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The password, where the server asks for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretSource>,
}
