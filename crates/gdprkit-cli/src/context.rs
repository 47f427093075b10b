//! What every command shares: the global options, the clock, the database and the output.

use std::error::Error;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use gdprkit::{
    Clock, Config, ControllerConfig, FixedClock, Gdpr, GdprBuilder, MapSource, SecretSource, SystemClock, TenantId,
};
use serde::Serialize;

use crate::args::Cli;

/// The environment variable holding the key of `pseudonymize`.
pub const HMAC_KEY_VAR: &str = "GDPRKIT_HMAC_KEY";

/// The result of a command.
pub type CliResult<T> = Result<T, Box<dyn Error>>;

/// A refusal of the command line itself, in plain words.
#[derive(Debug)]
pub struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for Refusal {}

/// An error and its causes, on one line.
pub fn report(e: &dyn Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out.replace('\n', " ")
}

/// The global options, checked.
pub struct Context {
    pub db: String,
    pub tenant: TenantId,
    pub json: bool,
    /// The instant of --now, when given.
    pub now: Option<DateTime<Utc>>,
    pub clock: Arc<dyn Clock>,
    /// The erasure journal of --journal, when given.
    pub journal: Option<std::path::PathBuf>,
    /// The country of --country, when given.
    pub country: Option<String>,
    /// The controller's name of --controller, when given.
    pub controller: Option<String>,
    /// The portal's address of --portal, when given.
    pub portal: Option<String>,
}

impl Context {
    pub fn new(cli: &Cli) -> CliResult<Self> {
        let tenant = TenantId::new(cli.tenant.clone())?;
        let now = cli
            .now
            .as_deref()
            .map(|now| gdprkit::time::parse("--now", now).and_then(|t| gdprkit::time::check_plausible("--now", t)))
            .transpose()?;
        let clock: Arc<dyn Clock> = match now {
            Some(now) => Arc::new(FixedClock::new(now)),
            None => Arc::new(SystemClock),
        };
        Ok(Self {
            db: cli.db.clone(),
            tenant,
            json: cli.json,
            now,
            clock,
            journal: cli.journal.clone(),
            country: cli.country.clone(),
            controller: cli.controller.clone(),
            portal: cli.portal.clone(),
        })
    }

    /// The instant the command acts at.
    pub fn now(&self) -> DateTime<Utc> {
        gdprkit::time::truncate(self.clock.now())
    }

    /// The configuration every command starts from: the --db store, the tenant, the clock, the
    /// country, and the HMAC key of GDPRKIT_HMAC_KEY when set (the suppression list needs it to
    /// register subjects and erase them).
    pub fn config(&self) -> Config {
        let key_set = std::env::var_os(HMAC_KEY_VAR).is_some_and(|k| !k.is_empty());
        Config {
            store: self.db.clone(),
            tenant: Some(self.tenant.clone()),
            now: self.now,
            pdf: Some(false),
            erasure_journal: self.journal.as_ref().map(|j| j.display().to_string()),
            country: self.country.clone(),
            hmac_key: key_set.then(|| SecretSource::Env { env: HMAC_KEY_VAR.into() }),
            controller: (self.controller.is_some() || self.portal.is_some()).then(|| ControllerConfig {
                name: self.controller.clone().unwrap_or_else(|| gdprkit::Controller::default().name),
                authority: None,
                portal: self.portal.clone(),
                address: None,
                dpo: None,
            }),
            ..Config::default()
        }
    }

    /// gdprkit on the database. Only commands that register something may create the file;
    /// the others refuse a database that does not exist rather than leave an empty one behind.
    pub fn gdpr(&self, create: bool) -> CliResult<Gdpr> {
        if !create {
            self.existing()?;
        }
        self.open(&self.config())
    }

    /// gdprkit on the database for a command that only reads: nothing is created or migrated,
    /// and a missing, empty or older database is refused as it is.
    pub fn reader(&self) -> CliResult<Gdpr> {
        self.existing()?;
        let mut config = self.config();
        config.migrate = Some(false);
        self.open(&config)
    }

    /// Refuses a SQLite --db that does not exist or is empty: only registering something
    /// creates a database.
    pub fn existing(&self) -> CliResult<()> {
        if self.is_postgres() {
            return Ok(());
        }
        match std::fs::metadata(&self.db) {
            Ok(m) if m.len() > 0 => Ok(()),
            Ok(_) => Err(Box::new(Refusal(format!("--db: {} is empty, not a gdprkit database", self.db)))),
            Err(_) => Err(Box::new(Refusal(format!(
                "--db: there is no database at {}; register a purpose or a subject first",
                self.db
            )))),
        }
    }

    /// gdprkit on the database with the CRM's tables it also holds, as the data map in `map_file`
    /// describes them (checked against them first), and the key of `pseudonymize` from
    /// GDPRKIT_HMAC_KEY.
    pub fn gdpr_with_crm(&self, map_file: &Path) -> CliResult<Gdpr> {
        let mut config = self.config();
        self.add_crm(&mut config, map_file)?;
        self.open(&config)
    }

    /// Adds the CRM's tables in --db and the data map in `map_file` to `config`.
    pub fn add_crm(&self, config: &mut Config, map_file: &Path) -> CliResult<()> {
        if !self.is_postgres() {
            self.crm_file()?;
        }
        config.crm = Some(self.db.clone());
        config.data_map = Some(MapSource::Path(map_file.display().to_string()));
        Ok(())
    }

    /// gdprkit as `config` says; a missing key is named by the variable the command line reads.
    pub fn open(&self, config: &Config) -> CliResult<Gdpr> {
        gdprkit_setup::open(config).map_err(|e| -> Box<dyn Error> {
            if e.field() == Some("hmac_key") {
                Box::new(Refusal(format!("{e}; the command line reads it from {HMAC_KEY_VAR}")))
            } else {
                Box::new(e)
            }
        })
    }

    /// Whether --db names a PostgreSQL database rather than a SQLite file.
    pub fn is_postgres(&self) -> bool {
        gdprkit_setup::is_postgres(&self.db)
    }

    /// The SQLite file holding the CRM's tables, which erasures, sweeps, exports and map checks
    /// read: --db, which must exist. Only for a SQLite --db.
    pub fn crm_file(&self) -> CliResult<&Path> {
        let path = Path::new(&self.db);
        if !path.exists() {
            return Err(Box::new(Refusal(format!("--db: there is no database at {}", self.db))));
        }
        Ok(path)
    }

    /// A builder over a given store, with this context's clock and tenant.
    pub fn builder_on(&self, store: Arc<dyn gdprkit::raw::Store>) -> GdprBuilder {
        Gdpr::builder(store).clock(self.clock.clone()).tenant(self.tenant.clone())
    }

    /// Prints `value` as JSON with `--json`, else the text that `text` makes.
    pub fn emit<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) -> CliResult<()> {
        if self.json {
            print_line(&serde_json::to_string_pretty(value)?)?;
        } else {
            print_line(&text())?;
        }
        Ok(())
    }
}

/// Writes a line to standard output. When the reader has gone (a closed pipe, as with `| head`),
/// the error comes back, and `main` ends the program quietly.
pub fn print_line(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// Whether an error is standard output's reader having gone.
pub fn is_closed_output(e: &(dyn Error + 'static)) -> bool {
    e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Parses an optional instant argument.
pub fn instant(field: &'static str, s: Option<&str>) -> CliResult<Option<DateTime<Utc>>> {
    Ok(s.map(|s| gdprkit::time::parse(field, s)).transpose()?)
}
