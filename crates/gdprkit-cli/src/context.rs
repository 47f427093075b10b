//! What every command shares: the global options, the clock, the database and the output.

use std::error::Error;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use gdprkit::{Clock, FixedClock, Gdpr, SystemClock, TenantId};
use gdprkit_sqlite::SqliteStore;
use serde::Serialize;

use crate::args::Cli;

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
    pub clock: Arc<dyn Clock>,
}

impl Context {
    pub fn new(cli: &Cli) -> CliResult<Self> {
        let tenant = TenantId::new(cli.tenant.clone())?;
        let clock: Arc<dyn Clock> = match &cli.now {
            Some(now) => Arc::new(FixedClock::new(gdprkit::time::parse("--now", now)?)),
            None => Arc::new(SystemClock),
        };
        Ok(Self { db: cli.db.clone(), tenant, json: cli.json, clock })
    }

    /// The instant the command acts at.
    pub fn now(&self) -> DateTime<Utc> {
        gdprkit::time::truncate(self.clock.now())
    }

    /// gdprkit on the database. Only commands that register something may create the file;
    /// the others refuse a database that does not exist rather than leave an empty one behind.
    pub fn gdpr(&self, create: bool) -> CliResult<Gdpr> {
        if self.is_postgres() {
            return Ok(self.gdpr_on(gdprkit_postgres::PostgresStore::connect(&self.db, 2)?));
        }
        if !create && !Path::new(&self.db).exists() {
            return Err(Box::new(Refusal(format!(
                "--db: there is no database at {}; register a purpose or a subject first",
                self.db
            ))));
        }
        Ok(self.gdpr_on(SqliteStore::open(&self.db)?))
    }

    /// Whether --db names a PostgreSQL database rather than a SQLite file.
    pub fn is_postgres(&self) -> bool {
        self.db.starts_with("postgres://") || self.db.starts_with("postgresql://")
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

    /// gdprkit on a given store, with this context's clock and tenant.
    pub fn gdpr_on(&self, store: impl gdprkit::Store + 'static) -> Gdpr {
        Gdpr::new(Arc::new(store)).with_clock(self.clock.clone()).with_tenant(self.tenant.clone())
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
