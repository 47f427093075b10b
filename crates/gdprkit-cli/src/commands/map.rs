//! `gdprkit map check`

use std::path::Path;
use std::process::ExitCode;

use gdprkit::anonymize::map::DataMap;
use gdprkit::anonymize::plan::SubjectData;
use gdprkit::anonymize::sweep::RetentionData;
use gdprkit_postgres::PostgresSubjectData;
use gdprkit_sqlite::subject_data::SqliteSubjectData;
use serde::Serialize;

use crate::args::MapCommand;

use crate::context::{CliResult, Context, Refusal};

/// The largest data map read, in bytes.
const MAX_MAP_BYTES: u64 = 1 << 20;

/// The environment variable holding the key of `pseudonymize`.
pub const HMAC_KEY_VAR: &str = "GDPRKIT_HMAC_KEY";

pub fn run(ctx: &Context, command: MapCommand) -> CliResult<ExitCode> {
    match command {
        MapCommand::Check { file } => {
            let map = read_map(&file)?;
            if map.needs_key() && std::env::var_os(HMAC_KEY_VAR).is_none_or(|k| k.is_empty()) {
                return Err(Box::new(Refusal(format!(
                    "{}: the map pseudonymizes fields, and {HMAC_KEY_VAR} gives no key",
                    file.display()
                ))));
            }
            if ctx.is_postgres() {
                PostgresSubjectData::connect(&ctx.db)?.check(&map)?;
            } else {
                gdprkit_sqlite::subject_data::check_map_at(ctx.crm_file()?, &map)?;
            }
            #[derive(Serialize)]
            struct Out {
                entities: usize,
                fields: usize,
            }
            let out = Out { entities: map.entities.len(), fields: map.entities.iter().map(|e| e.fields.len()).sum() };
            ctx.emit(&out, || {
                format!(
                    "{} fits {}: {} entities, {} fields with their operators",
                    file.display(),
                    ctx.db,
                    out.entities,
                    out.fields
                )
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The CRM's tables, as erasures, exports and sweeps read and change them.
pub trait CrmTables: SubjectData + RetentionData {}

impl<T: SubjectData + RetentionData> CrmTables for T {}

/// The CRM's tables in --db (a SQLite file or a PostgreSQL database), checked against `map`
/// before anything reads or changes them.
pub fn crm_tables(ctx: &Context, map: &DataMap) -> CliResult<Box<dyn CrmTables>> {
    if ctx.is_postgres() {
        let data = PostgresSubjectData::connect(&ctx.db)?;
        data.check(map)?;
        return Ok(Box::new(data));
    }
    let data = SqliteSubjectData::open(ctx.crm_file()?)?;
    data.check(map)?;
    Ok(Box::new(data))
}

/// Reads and parses a data map file.
pub fn read_map(file: &Path) -> CliResult<DataMap> {
    let refuse = |e: std::io::Error| Refusal(format!("{}: {e}", file.display()));
    let size = std::fs::metadata(file).map_err(refuse)?.len();
    if size > MAX_MAP_BYTES {
        return Err(Box::new(Refusal(format!("{}: {size} bytes; a data map is at most 1 MiB", file.display()))));
    }
    let text = std::fs::read_to_string(file).map_err(refuse)?;
    Ok(DataMap::from_toml(&text)?)
}
