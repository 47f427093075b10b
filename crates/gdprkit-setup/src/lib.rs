//! Opens gdprkit from a [`Config`]: what the command line, the Python and Node packages and the
//! portal all do to set themselves up, in one place.
//!
//! The store comes from a path (SQLite, created when missing) or a `postgres://` URL; the CRM's
//! tables from a SQLite file or a URL; the data map from a file or inline; secrets from the
//! configuration or the environment; the mailer from SMTP settings; PDF exports from typst.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let config = gdprkit::Config::new(dir.path().join("gdprkit.db").to_string_lossy());
//! let gdpr = gdprkit_setup::open(&config)?;
//! assert!(gdpr.verify_ledger()?.is_intact());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod host;
mod journal;

pub use journal::FileJournal;

use std::path::Path;
use std::sync::Arc;

use gdprkit::anonymize::map::DataMap;
use gdprkit::raw::Store;
use gdprkit::request::calendar::for_country;
use gdprkit::request::deadline::ControllerZone;
use gdprkit::{Config, CrmData, Error, FixedClock, Gdpr, HmacKey, MapSource, MemoryStore, Result, SecretSource};
use gdprkit_pdf::PdfRenderer;
use gdprkit_postgres::{PostgresCrmData, PostgresStore};
use gdprkit_smtp::{SmtpConfig, SmtpMailer};
use gdprkit_sqlite::{SqliteCrmData, SqliteStore};

/// The largest data map file read, in bytes.
pub const MAX_MAP_BYTES: u64 = 1 << 20;

/// Connections a PostgreSQL store keeps open.
const POSTGRES_CONNECTIONS: u32 = 4;

/// gdprkit as `config` says: every part it names opened and checked before anything is written.
pub fn open(config: &Config) -> Result<Gdpr> {
    let store = if config.migrate == Some(false) {
        open_existing_store(&config.store, config.schema.as_deref())?
    } else {
        open_store(&config.store, config.schema.as_deref())?
    };
    let mut builder = Gdpr::builder(store);
    if let Some(tenant) = &config.tenant {
        builder = builder.tenant(tenant.clone());
    }
    if let Some(zone) = &config.time_zone {
        builder = builder.zone(ControllerZone::from_name(zone)?);
    }
    if let Some(calendar) = &config.calendar {
        builder = builder.calendar(holiday_calendar(calendar)?);
    }
    if let Some(country) = &config.country {
        builder = builder.phone_country(country.parse().map_err(|e| Error::config("country", reason(&e)))?);
    }
    if let Some(controller) = &config.controller {
        builder = builder.controller(controller.to_controller());
    }
    if let Some(now) = config.now {
        let now = gdprkit::time::check_plausible("now", now).map_err(|e| Error::config("now", reason(&e)))?;
        builder = builder.clock(Arc::new(FixedClock::new(now)));
    }
    if let Some(crm) = &config.crm {
        builder = builder.crm(open_crm(crm, config.schema.as_deref())?);
    }
    match &config.data_map {
        Some(MapSource::Path(path)) => builder = builder.data_map(read_map(Path::new(path))?),
        Some(MapSource::Inline(map)) => builder = builder.data_map(map.clone()),
        None => {}
    }
    if let Some(key) = &config.hmac_key {
        builder = builder.hmac_key(HmacKey::new(secret("hmac_key", key)?)?);
    }
    if let Some(smtp) = &config.smtp {
        let mut settings = SmtpConfig::from_url(&smtp.url, smtp.from.clone())?;
        if let Some(user) = &smtp.user {
            let password = smtp.password.as_ref().map(|p| secret("smtp", p)).transpose()?.unwrap_or_default();
            settings.credentials = Some((user.clone(), password));
        }
        builder = builder.mailer(Arc::new(SmtpMailer::new(&settings)?));
    }
    if let Some(path) = &config.erasure_journal {
        if Path::new(path) == Path::new(&config.store) {
            return Err(Error::config(
                "erasure_journal",
                "is the database itself: keep the journal where a restore of the database does not reach",
            ));
        }
        builder = builder.journal(Arc::new(FileJournal::open(path)?));
    }
    if config.pdf.unwrap_or(true) {
        // PDF/A-3b with the JSON export attached unless PDF/A-2b is asked for.
        let attach = config.pdf_standard != Some(gdprkit::PdfStandard::A2b);
        builder = builder.renderer(Arc::new(PdfRenderer::new().with_json_attached(attach)));
    }
    builder.build()
}

/// The holiday calendar `spec` names: a built-in one (`FR`, `FR-AM`), or a file: an iCalendar
/// file (`.ics`) of all-day events, or a list of dates, one `YYYY-MM-DD` a line.
pub fn holiday_calendar(spec: &str) -> Result<Arc<dyn gdprkit::HolidayCalendar>> {
    // A built-in code wins over a file of the same name; anything else is a path.
    if let Ok(builtin) = for_country(spec) {
        return Ok(builtin.into());
    }
    if !Path::new(spec).is_file() && !spec.contains('/') && !spec.contains('.') {
        return Err(Error::config(
            "calendar",
            format!("{spec:?} is neither a built-in calendar (FR, FR-AM) nor a file of holidays"),
        ));
    }
    let text = std::fs::read_to_string(spec)
        .map_err(|e| Error::config("calendar", format!("cannot read the holiday calendar {spec}: {e}")))?;
    let name = Path::new(spec).file_stem().and_then(|s| s.to_str()).unwrap_or(spec);
    let calendar = if spec.to_ascii_lowercase().ends_with(".ics") {
        gdprkit::ListedHolidays::from_ics(name, &text)
    } else {
        gdprkit::ListedHolidays::from_dates(name, &text)
    };
    Ok(Arc::new(calendar.map_err(|e| Error::config("calendar", reason(&e)))?))
}

/// Whether `location` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// The store location that keeps records in memory, gone when the process ends: for tests,
/// previews and checks that must write nothing.
pub const IN_MEMORY: &str = ":memory:";

/// gdprkit's store at `location`: a SQLite file, created when missing, a `postgres://` URL (with
/// `schema`, its tables live in that schema), or [`IN_MEMORY`].
pub fn open_store(location: &str, schema: Option<&str>) -> Result<Arc<dyn Store>> {
    check_location("store", location)?;
    if location == IN_MEMORY {
        return Ok(Arc::new(MemoryStore::new()));
    }
    if is_postgres(location) {
        return Ok(Arc::new(PostgresStore::connect_in_schema(location, schema, POSTGRES_CONNECTIONS)?));
    }
    Ok(Arc::new(SqliteStore::open(location)?))
}

/// gdprkit's store at `location`, which must exist at this build's schema: nothing is created
/// or migrated (see [`gdprkit_sqlite::SqliteStore::open_existing`] and
/// [`gdprkit_postgres::PostgresStore::connect_existing`]).
pub fn open_existing_store(location: &str, schema: Option<&str>) -> Result<Arc<dyn Store>> {
    check_location("store", location)?;
    if location == IN_MEMORY {
        return open_store(location, schema);
    }
    if is_postgres(location) {
        return Ok(Arc::new(PostgresStore::connect_existing(location, schema, POSTGRES_CONNECTIONS)?));
    }
    Ok(Arc::new(SqliteStore::open_existing(location)?))
}

/// Refuses an empty location and `file:` URIs, whose options SQLite would read.
fn check_location(field: &'static str, location: &str) -> Result<()> {
    if location.is_empty() {
        return Err(Error::config(field, "no location is given: set it to a SQLite file or a postgres:// URL"));
    }
    if location.starts_with("file:") {
        return Err(Error::config(
            field,
            format!("{location:?} is a URI; give the file's path (URI options are not accepted)"),
        ));
    }
    Ok(())
}

/// The CRM's tables at `location`: a SQLite file, which must exist, or a `postgres://` URL (with
/// `schema`, the tables are found in that schema).
pub fn open_crm(location: &str, schema: Option<&str>) -> Result<Arc<dyn CrmData>> {
    check_location("crm", location)?;
    if is_postgres(location) {
        return Ok(Arc::new(PostgresCrmData::connect_in_schema(location, schema)?));
    }
    let path = Path::new(location);
    if !path.exists() {
        return Err(Error::config("crm", format!("there is no CRM database at {location}")));
    }
    Ok(Arc::new(SqliteCrmData::open(path)?))
}

/// Reads and parses a data map file, at most [`MAX_MAP_BYTES`] long.
pub fn read_map(path: &Path) -> Result<DataMap> {
    let unreadable = |e: std::io::Error| Error::config("data_map", format!("cannot read {}: {e}", path.display()));
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > MAX_MAP_BYTES {
        return Err(Error::config(
            "data_map",
            format!("{} is {size} bytes; a data map is at most 1 MiB", path.display()),
        ));
    }
    let text = std::fs::read_to_string(path).map_err(unreadable)?;
    DataMap::from_toml(&text).map_err(|e| match e {
        Error::InvalidInput { reason, .. } => Error::invalid("data_map", format!("{}: {reason}", path.display())),
        other => other,
    })
}

/// An error's reason, without its kind and field.
fn reason(e: &Error) -> String {
    match e {
        Error::InvalidInput { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

/// A secret's value: given, or read from the environment variable it names.
fn secret(field: &'static str, source: &SecretSource) -> Result<String> {
    match source {
        SecretSource::Value(v) => Ok(v.clone()),
        SecretSource::Env { env } => std::env::var(env)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::config(field, format!("the environment variable {env} is not set"))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_config_opens_every_part_it_names() {
        let dir = tempfile::tempdir().unwrap();
        let crm = dir.path().join("crm.db");
        rusqlite::Connection::open(&crm)
            .unwrap()
            .execute_batch("CREATE TABLE contacts (id TEXT PRIMARY KEY, name TEXT, email TEXT)")
            .unwrap();
        let map = "[[entity]]\nname = \"contacts\"\ntable = \"contacts\"\nsubject_column = \"id\"\n\
                   category = \"identity\"\non_erasure = \"anonymize\"\n[entity.fields]\nname = \"redact\"\n\
                   email = \"pseudonymize\"\n";
        std::fs::write(dir.path().join("map.toml"), map).unwrap();
        let text = format!(
            "store = {:?}\ntenant = \"acme\"\ntime_zone = \"Europe/Lisbon\"\n",
            dir.path().join("g.db").display().to_string()
        );
        assert!(open(&Config::from_toml(&text).unwrap()).is_ok(), "any IANA zone (R2)");
        let err = open(&Config::from_toml(&text.replace("Europe/Lisbon", "UTC+01:00")).unwrap()).unwrap_err();
        assert_eq!((err.code(), err.field()), ("config", Some("time_zone")), "{err}");

        let config = serde_json::json!({
            "store": dir.path().join("g.db"),
            "tenant": "acme",
            "crm": crm,
            "data_map": dir.path().join("map.toml"),
            "pdf": false,
        });
        let mut config: Config = serde_json::from_value(config).unwrap();
        let err = open(&config).unwrap_err();
        assert_eq!((err.code(), err.field()), ("config", Some("hmac_key")), "a pseudonymizing map needs a key");
        config.hmac_key = Some(SecretSource::Value("a key of thirty-two bytes or more, for the HMAC".into()));
        let gdpr = open(&config).unwrap();
        assert_eq!(gdpr.tenant().as_str(), "acme");
        assert_eq!(gdpr.check_map().unwrap().fields, 2);

        config.data_map = Some(MapSource::Path(dir.path().join("missing.toml").display().to_string()));
        assert_eq!(open(&config).unwrap_err().field(), Some("data_map"));
        config.data_map = None;
        config.crm = Some(dir.path().join("no-crm.db").display().to_string());
        assert_eq!(open(&config).unwrap_err().field(), Some("crm"));
    }

    #[test]
    fn a_map_naming_a_missing_column_is_refused_when_opening() {
        let dir = tempfile::tempdir().unwrap();
        let crm = dir.path().join("crm.db");
        rusqlite::Connection::open(&crm).unwrap().execute_batch("CREATE TABLE contacts (id TEXT)").unwrap();
        let mut config = Config::new(dir.path().join("g.db").display().to_string());
        config.crm = Some(crm.display().to_string());
        config.data_map = Some(MapSource::Inline(
            DataMap::from_toml(
                "[[entity]]\nname = \"contacts\"\ntable = \"contacts\"\nsubject_column = \"id\"\n\
                 category = \"identity\"\non_erasure = \"anonymize\"\n[entity.fields]\nname = \"redact\"\n",
            )
            .unwrap(),
        ));
        let err = open(&config).unwrap_err();
        assert_eq!(err.field(), Some("data_map"));
        assert!(err.to_string().contains("column \"name\" does not exist"), "{err}");
    }

    #[test]
    fn a_secret_from_an_unset_variable_is_a_config_error() {
        let source = SecretSource::Env { env: "GDPRKIT_SETUP_TEST_UNSET_VARIABLE".into() };
        let err = secret("hmac_key", &source).unwrap_err();
        assert_eq!((err.code(), err.field()), ("config", Some("hmac_key")));
        assert!(!format!("{:?}", SecretSource::Value("s3cret".into())).contains("s3cret"), "never shown");
    }
}
